//! Impact: what a change to the mesh does to every workload, before it is applied. Two inputs
//! (base and head, one [`Workspace`] each) are compared workload by workload: the governing
//! Sidecar, the imported `host:port`s (with the host entry that imported each), the listeners
//! (named as `istioctl proxy-config listeners` names them), virtual hosts, VirtualService routes
//! and clusters, the outbound traffic policy and the inbound ports; then every call that one
//! side's proxy makes or takes (each imported `host:port`, each VirtualService route, each
//! inbound port) is traced on both sides, and the calls whose outcome changes are reported with
//! the YAML on each side that caused it. The analysis findings that appear or disappear are
//! compared for the whole mesh.
//!
//! Only the workloads whose inputs changed are resolved and traced again ([`inputs`] says what
//! the inputs of a proxy are); the others are identical on both sides by construction, and a
//! test compares the result with recomputing every workload.

mod flows;
pub(crate) mod inputs;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::listeners::{table, Action, ListenerGenerator, ListenerSet, RouteAction};
use crate::load::{Input, Resource, ResourceKind};
use crate::registry::{Registry, SidecarConfig};
use crate::report::{self, JsonDiagnostic, Range};
use crate::resolve::{governing, Resolution, Resolver};
use crate::tighten::evidence::{Evidence, FileSummary, Observed, Problem};
use crate::tighten::CallNote;
use crate::trace::{self, Call};
use crate::workload::Workload;
use crate::workspace::Workspace;

pub use flows::{FlowKind, Outcome};
use inputs::{Changes, BASE, HEAD};

/// One side of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Base,
    Head,
}

impl Side {
    fn index(self) -> usize {
        match self {
            Side::Base => BASE,
            Side::Head => HEAD,
        }
    }
    fn of(i: usize) -> Side {
        if i == BASE {
            Side::Base
        } else {
            Side::Head
        }
    }
    fn other(self) -> Side {
        Side::of(1 - self.index())
    }
}

/// How an item differs between the sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Only in head.
    Added,
    /// Only in base.
    Removed,
    /// In both, different.
    Changed,
}

impl Change {
    fn inverse(self) -> Change {
        match self {
            Change::Added => Change::Removed,
            Change::Removed => Change::Added,
            Change::Changed => Change::Changed,
        }
    }
    /// `+`, `-` or `~`, as the text report prints it.
    pub fn sign(self) -> char {
        match self {
            Change::Added => '+',
            Change::Removed => '-',
            Change::Changed => '~',
        }
    }
}

/// What to compare.
#[derive(Debug, Clone, Default)]
pub struct ImpactOptions {
    /// Only this workload (`namespace/name`), present on either side; the analysis findings,
    /// which are the whole mesh's, are then not compared.
    pub workload: Option<String>,
    /// Resolve and trace every workload, not only those whose inputs changed (for tests and
    /// to measure what the selection saves).
    pub recompute_all: bool,
    /// Observed calls (read by [`crate::tighten::evidence::read`]: Prometheus, Kiali, Envoy
    /// access logs, a dependency list), traced on both sides as well for each recomputed
    /// workload that makes them; a call whose outcome changes is a flow with the evidence's file
    /// and line as its `origin`.
    pub traffic: Option<Evidence>,
}

/// The whole comparison. `problems` non-empty means a side did not load completely, and no
/// comparison was made (`workloads` and `findings` are empty): a partial side would show its
/// unread resources as removed or added.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImpactReport {
    pub summary: ImpactSummary,
    /// Errors reading either side (YAML syntax, documents that are not resources, unreadable
    /// files, a side without any resource), with the side.
    pub problems: Vec<InputProblem>,
    /// The workloads with a change, by namespace, name and kind; breaking flows first in each.
    pub workloads: Vec<WorkloadImpact>,
    pub findings: FindingChanges,
    /// The evidence of observed calls, when given ([`ImpactOptions::traffic`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traffic: Option<TrafficSummary>,
}

/// What was read of the observed calls: per file its format and counts, the records that could
/// not be read (`SC0020`, `SC0021`: skipped, the rest counts), and the calls of no workload.
#[derive(Debug, Clone, Serialize)]
pub struct TrafficSummary {
    pub files: Vec<FileSummary>,
    pub problems: Vec<Problem>,
    pub unattributed: Vec<CallNote>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImpactSummary {
    /// Workloads on either side.
    pub workloads: usize,
    /// Workloads whose inputs changed, resolved and traced on both sides.
    pub recomputed: usize,
    /// Workloads with a change in the report.
    pub changed: usize,
    /// Calls that worked in base and fail in head.
    pub broken: usize,
    /// Calls that went to a cluster of the mesh and leave through `PassthroughCluster` in head.
    pub bypassed: usize,
    /// Calls that work on both sides but end elsewhere.
    pub rerouted: usize,
    /// Calls that left through `PassthroughCluster` and go to a cluster of the mesh in head.
    pub captured: usize,
    /// Calls that failed in base and work in head.
    pub repaired: usize,
    /// Calls that fail on both sides, differently.
    pub changed_failures: usize,
    pub findings_appeared: usize,
    pub findings_disappeared: usize,
}

impl ImpactSummary {
    /// Broken, bypassed and rerouted calls: what `--fail-on breaking` fails on.
    pub fn breaking(&self) -> usize {
        self.broken + self.bypassed + self.rerouted
    }
    /// Whether the report says anything changed.
    pub fn any(&self) -> bool {
        self.changed > 0 || self.findings_appeared > 0 || self.findings_disappeared > 0
    }
}

/// An error reading one side.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InputProblem {
    pub side: Side,
    pub diagnostic: JsonDiagnostic,
}

/// Whether a workload is on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    Both,
    /// Only in head.
    Added,
    /// Only in base.
    Removed,
}

/// What changes for one workload's proxy.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadImpact {
    pub namespace: String,
    pub name: String,
    pub kind: String,
    pub presence: Presence,
    /// The governing Sidecar, when it is another one or its content changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sidecar: Option<SidecarChange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outbound_traffic_policy: Option<ValueChange>,
    /// Breaking calls first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flows: Vec<Flow>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub imports: Vec<ImportChange>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub listeners: Vec<ListenerChange>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub virtual_hosts: Vec<VirtualHostChange>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<ClusterChange>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inbound_ports: Vec<PortChange>,
}

impl WorkloadImpact {
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
    fn is_empty(&self) -> bool {
        self.presence == Presence::Both
            && self.sidecar.is_none()
            && self.outbound_traffic_policy.is_none()
            && self.flows.is_empty()
            && self.imports.is_empty()
            && self.listeners.is_empty()
            && self.virtual_hosts.is_empty()
            && self.clusters.is_empty()
            && self.inbound_ports.is_empty()
    }
}

/// The governing Sidecar on each side (`namespace/name`; `null`: none, Istio's default scope).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SidecarChange {
    pub base: Option<String>,
    pub head: Option<String>,
    /// The same Sidecar with another content (on both sides).
    pub content_changed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueChange {
    pub base: String,
    pub head: String,
}

/// An imported `host:port` gained or lost, with the egress host entry that imports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportChange {
    pub change: Change,
    pub host: String,
    pub port: u32,
    pub namespace: String,
    pub protocol: String,
    /// The `hosts` entry that imports it in base (`null`: not imported).
    pub base_entry: Option<String>,
    pub head_entry: Option<String>,
}

/// A listener gained, lost or changed (its `istioctl proxy-config listeners` rows, `MATCH ->
/// DESTINATION`, on each side).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenerChange {
    pub change: Change,
    pub name: String,
    pub base: Vec<String>,
    pub head: Vec<String>,
}

/// A virtual host of an RDS route config gained, lost or changed, with its VirtualService routes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualHostChange {
    pub change: Change,
    pub route_config: String,
    pub name: String,
    /// The VirtualService routes (`namespace/name http[i]`) only in base.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub routes_removed: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub routes_added: Vec<String>,
}

/// A cluster that the listeners and routes name, gained or lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClusterChange {
    pub change: Change,
    pub name: String,
}

/// An inbound port gained, lost, or with another protocol or name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortChange {
    pub change: Change,
    pub port: u32,
    /// `PROTOCOL name` on each side.
    pub base: Option<String>,
    pub head: Option<String>,
}

/// A call whose outcome differs between the sides.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Flow {
    pub kind: FlowKind,
    /// The call in words: `HTTP reviews.prod.svc.cluster.local:9080 GET /`, `inbound :9080 HTTP
    /// (plaintext)`.
    pub call: String,
    /// The call as `sidecarscope trace` takes it.
    pub request: Call,
    pub base: Outcome,
    pub head: Outcome,
    /// The YAML that made the difference, on each side (a deleted line has only its base side).
    pub causes: Vec<Cause>,
    /// Where the call was observed (`file:line` of the evidence), for an observed call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

/// A place in one side's YAML that a change comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cause {
    pub side: Side,
    /// `Sidecar ns/name`, `Service ns/name`...
    pub resource: String,
    /// The field, e.g. `spec.egress[0].hosts[1]`.
    pub path: String,
    pub file: String,
    pub range: Range,
}

/// Analysis findings of head that base does not have, and the reverse (each with its own side's
/// positions). Compared by code, resource and field.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FindingChanges {
    pub appeared: Vec<JsonDiagnostic>,
    pub disappeared: Vec<JsonDiagnostic>,
}

/// Compares `base` with `head` (see the module's doc). `Err` when `options.workload` is on
/// neither side.
pub fn impact(base: &Workspace, head: &Workspace, options: &ImpactOptions) -> Result<ImpactReport, String> {
    impact_with(base, head, options, &mut |_| {})
}

/// What the engine computed for one workload it recomputed, on each side (base first).
pub(crate) struct Recomputed<'a> {
    pub workloads: [&'a Workload; 2],
    pub resolutions: &'a [Resolution; 2],
    pub sets: &'a [ListenerSet; 2],
}

/// [`impact`], showing `visit` each recomputed workload's resolutions and listeners (the
/// suggestion's proof traces its observed calls through them instead of generating them again).
pub(crate) fn impact_with(
    base: &Workspace,
    head: &Workspace,
    options: &ImpactOptions,
    visit: &mut dyn FnMut(Recomputed<'_>),
) -> Result<ImpactReport, String> {
    let ws = [base, head];
    let problems = input_problems(ws);
    if !problems.is_empty() {
        return Ok(ImpactReport {
            summary: ImpactSummary::default(),
            problems,
            workloads: Vec::new(),
            findings: FindingChanges::default(),
            traffic: None,
        });
    }
    let inputs = [base.input(), head.input()];
    let regs = [base.registry(), head.registry()];
    // Workloads by kind, namespace and name, on each side.
    let mut all: BTreeMap<(String, String, String), [Option<&Workload>; 2]> = BTreeMap::new();
    for side in [BASE, HEAD] {
        for w in &regs[side].workloads {
            all.entry((w.namespace.clone(), w.name.clone(), w.kind.clone())).or_default()[side].get_or_insert(w);
        }
    }
    if let Some(id) = &options.workload {
        all.retain(|(ns, name, _), _| format!("{ns}/{name}") == *id);
        if all.is_empty() {
            return Err(format!("workload {id:?} is in neither input"));
        }
    }
    let changes = Changes::new(inputs, regs);
    // Observed calls by workload (kind, namespace, name) of base, where they are traced.
    let mut observed: HashMap<(&str, &str, &str), Vec<&Observed>> = HashMap::new();
    let traffic = options.traffic.as_ref().map(|e| {
        let (calls, unattributed) = crate::tighten::attribute(regs[BASE], e, options.workload.as_deref());
        for (w, calls) in regs[BASE].workloads.iter().zip(calls) {
            observed.entry((w.namespace.as_str(), w.name.as_str(), w.kind.as_str())).or_default().extend(calls);
        }
        TrafficSummary { files: e.files.clone(), problems: e.problems.clone(), unattributed }
    });
    let mut engine = Engine {
        inputs,
        regs,
        changes: &changes,
        resolvers: [
            Resolver::with_env(regs[0], &base.options().istiod_env),
            Resolver::with_env(regs[1], &head.options().istiod_env),
        ],
        // Proxies of one Sidecar and namespace share their outbound side: built once per side.
        generators: [
            ListenerGenerator::sharing(regs[0], &base.options().istiod_env),
            ListenerGenerator::sharing(regs[1], &head.options().istiod_env),
        ],
        changed_resources: [
            (0..inputs[BASE].resources.len()).filter(|&i| changes.changed[BASE][i]).collect(),
            (0..inputs[HEAD].resources.len()).filter(|&i| changes.changed[HEAD][i]).collect(),
        ],
        reaches: HashMap::new(),
        observed,
        changed_services: [changed_services(regs[BASE], &changes, BASE), changed_services(regs[HEAD], &changes, HEAD)],
    };
    let mut summary = ImpactSummary { workloads: all.len(), ..ImpactSummary::default() };
    let mut workloads = Vec::new();
    for ((namespace, name, kind), w) in &all {
        let presence = match w {
            [Some(_), Some(_)] => Presence::Both,
            [None, _] => Presence::Added,
            _ => Presence::Removed,
        };
        let mut out = WorkloadImpact {
            namespace: namespace.clone(),
            name: name.clone(),
            kind: kind.clone(),
            presence,
            sidecar: None,
            outbound_traffic_policy: None,
            flows: Vec::new(),
            imports: Vec::new(),
            listeners: Vec::new(),
            virtual_hosts: Vec::new(),
            clusters: Vec::new(),
            inbound_ports: Vec::new(),
        };
        if let [Some(b), Some(h)] = w {
            if options.recompute_all || engine.affected([b, h]) {
                summary.recomputed += 1;
                engine.compare([b, h], &mut out, visit);
            }
        }
        if !out.is_empty() {
            for f in &out.flows {
                match f.kind {
                    FlowKind::Broken => summary.broken += 1,
                    FlowKind::Bypassed => summary.bypassed += 1,
                    FlowKind::Rerouted => summary.rerouted += 1,
                    FlowKind::Captured => summary.captured += 1,
                    FlowKind::Repaired => summary.repaired += 1,
                    FlowKind::Changed => summary.changed_failures += 1,
                }
            }
            workloads.push(out);
        }
    }
    summary.changed = workloads.len();
    let findings = if options.workload.is_some() { FindingChanges::default() } else { finding_changes(ws) };
    summary.findings_appeared = findings.appeared.len();
    summary.findings_disappeared = findings.disappeared.len();
    Ok(ImpactReport { summary, problems: Vec::new(), workloads, findings, traffic })
}

fn changed_services<'a>(reg: &'a Registry, changes: &Changes, side: usize) -> HashMap<&'a str, Vec<usize>> {
    let mut out: HashMap<&str, Vec<usize>> = HashMap::new();
    for s in reg.services.iter().filter(|s| changes.changed[side][s.resource]) {
        out.entry(s.hostname.as_str()).or_default().push(s.resource);
    }
    out
}

/// The errors that make a side incomplete: what loading reported as an error, or no resource.
fn input_problems(ws: [&Workspace; 2]) -> Vec<InputProblem> {
    let mut out = Vec::new();
    for (side, w) in ws.iter().enumerate() {
        let input = w.input();
        for d in input.diagnostics.iter().filter(|d| d.severity == Severity::Error) {
            out.push(InputProblem { side: Side::of(side), diagnostic: report::to_json(input, d) });
        }
        if input.resources.is_empty() && !input.sources.is_empty() || input.sources.is_empty() {
            let (source, name) = match input.sources.len() {
                0 => (None, String::new()),
                n => (Some(n - 1), input.sources[n - 1].name.clone()),
            };
            let d = Diagnostic::new(
                Code::NoResources,
                "no resources read",
                crate::source::SourceId(source.unwrap_or(0) as u32),
                crate::text::TextRange::new(0, 0),
            )
            .with_severity(Severity::Error)
            .with_hint(format!(
                "the {} side has no resource, so every workload would look {}; give the files or directory of that side",
                Side::of(side).name(),
                if side == BASE { "added" } else { "removed" }
            ));
            let diagnostic = match source {
                Some(_) => report::to_json(input, &d),
                None => JsonDiagnostic {
                    severity: Severity::Error,
                    code: d.code.id(),
                    name: d.code.name(),
                    istio_code: None,
                    kiali_code: None,
                    message: d.message.clone(),
                    hint: d.hint.clone(),
                    resource: None,
                    path: String::new(),
                    file: name,
                    range: Range::of(&crate::source::SourceFile::new("", ""), crate::text::TextRange::new(0, 0)),
                },
            };
            out.push(InputProblem { side: Side::of(side), diagnostic });
        }
    }
    out
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Base => "base",
            Side::Head => "head",
        }
    }
}

/// The findings that appear in head or disappear from base, by code, resource and field (not
/// by message: some messages list workloads or services in input order, which moving a document
/// changes). Of several findings with one key, those beyond the other side's count.
fn finding_changes(ws: [&Workspace; 2]) -> FindingChanges {
    let found = [ws[0].analyze_keeping_registry(), ws[1].analyze_keeping_registry()];
    let key = |d: &Diagnostic| (d.code, d.resource.clone(), d.path.clone());
    let mut counts: HashMap<_, [usize; 2]> = HashMap::new();
    for side in [BASE, HEAD] {
        for d in &found[side].diagnostics {
            counts.entry(key(d)).or_default()[side] += 1;
        }
    }
    let mut out = FindingChanges::default();
    for side in [BASE, HEAD] {
        let mut seen: HashMap<_, usize> = HashMap::new();
        let input = ws[side].input();
        for d in &found[side].diagnostics {
            let k = key(d);
            let [b, h] = counts[&k];
            let (mine, theirs) = if side == BASE { (b, h) } else { (h, b) };
            let n = seen.entry(k).or_default();
            *n += 1;
            if *n > theirs.min(mine) {
                let list = if side == BASE { &mut out.disappeared } else { &mut out.appeared };
                list.push(report::to_json(input, d));
            }
        }
    }
    out
}

/// Per side: what the comparison of one workload needs.
struct Engine<'a> {
    inputs: [&'a Input; 2],
    regs: [&'a Registry; 2],
    changes: &'a Changes,
    resolvers: [Resolver<'a>; 2],
    generators: [ListenerGenerator<'a>; 2],
    /// Whether a changed host reaches the proxies of a Sidecar, by side and Sidecar.
    reaches: HashMap<(usize, Option<usize>), bool>,
    /// Per side, the indexes of the changed resources.
    changed_resources: [Vec<usize>; 2],
    /// Per side, the resources of the changed services by hostname, in registry order.
    changed_services: [HashMap<&'a str, Vec<usize>>; 2],
    /// Observed calls by base workload (namespace, name, kind).
    observed: HashMap<(&'a str, &'a str, &'a str), Vec<&'a Observed>>,
}

impl<'a> Engine<'a> {
    /// Whether the inputs of the workload's proxy changed ([`inputs`]).
    fn affected(&mut self, w: [&Workload; 2]) -> bool {
        if self.changes.touches(w) {
            return true;
        }
        let gov = [governing(self.regs[BASE], w[BASE]).sidecar, governing(self.regs[HEAD], w[HEAD]).sidecar];
        if self.sidecar_changed(gov) {
            return true;
        }
        [BASE, HEAD].into_iter().any(|side| {
            let (changes, reg) = (self.changes, self.regs[side]);
            *self.reaches.entry((side, gov[side])).or_insert_with(|| changes.reaches(reg, gov[side]))
        })
    }

    /// Whether the governing Sidecar is another one, or the same with another content.
    fn sidecar_changed(&self, gov: [Option<usize>; 2]) -> bool {
        let sc = |side: usize| gov[side].map(|i| &*self.regs[side].sidecars[i]);
        match (sc(BASE), sc(HEAD)) {
            (None, None) => false,
            (Some(b), Some(h)) => {
                b.id() != h.id() || self.changes.changed[BASE][b.resource] || self.changes.changed[HEAD][h.resource]
            }
            _ => true,
        }
    }

    fn compare(&mut self, w: [&Workload; 2], out: &mut WorkloadImpact, visit: &mut dyn FnMut(Recomputed<'_>)) {
        let res = [self.resolvers[BASE].resolve_workload(w[BASE]), self.resolvers[HEAD].resolve_workload(w[HEAD])];
        let proxies = [crate::Proxy::for_workload(w[BASE]), crate::Proxy::for_workload(w[HEAD])];
        let sets = [
            self.generators[BASE].generate_resolved(&proxies[BASE], &res[BASE]),
            self.generators[HEAD].generate_resolved(&proxies[HEAD], &res[HEAD]),
        ];
        let gov = [res[BASE].selection.sidecar, res[HEAD].selection.sidecar];
        let ids = [res[BASE].sidecar.as_ref().map(sidecar_id), res[HEAD].sidecar.as_ref().map(sidecar_id)];
        if self.sidecar_changed(gov) {
            out.sidecar = Some(SidecarChange {
                base: ids[BASE].clone(),
                head: ids[HEAD].clone(),
                content_changed: ids[BASE] == ids[HEAD],
            });
        }
        let modes =
            [res[BASE].outbound_traffic_policy.mode.to_string(), res[HEAD].outbound_traffic_policy.mode.to_string()];
        if modes[BASE] != modes[HEAD] {
            out.outbound_traffic_policy = Some(ValueChange { base: modes[BASE].clone(), head: modes[HEAD].clone() });
        }
        out.imports = import_changes(&res);
        out.listeners = listener_changes(&sets);
        out.virtual_hosts = virtual_host_changes(&sets);
        out.clusters = cluster_changes(&sets);
        out.inbound_ports = port_changes(&res);
        out.flows = self.flows(w, &res, &sets, gov);
        visit(Recomputed { workloads: w, resolutions: &res, sets: &sets });
    }

    /// The calls of either side whose outcome differs.
    fn flows(
        &self,
        w: [&Workload; 2],
        res: &[Resolution; 2],
        sets: &[ListenerSet; 2],
        gov: [Option<usize>; 2],
    ) -> Vec<Flow> {
        let mut calls = BTreeMap::new();
        for side in [BASE, HEAD] {
            flows::candidates(self.regs[side], &res[side], &sets[side], &mut calls);
        }
        // Observed calls, as `suggest`'s proof makes them (by the base proxy's imports, else
        // head's); one that is also a candidate gets the evidence as its origin.
        let key = (w[BASE].namespace.as_str(), w[BASE].name.as_str(), w[BASE].kind.as_str());
        for c in self.observed.get(&key).into_iter().flatten() {
            let mut made = crate::tighten::calls_for(self.regs[BASE], &res[BASE], c);
            if made.is_empty() {
                made = crate::tighten::calls_for(self.regs[HEAD], &res[HEAD], c);
            }
            for (what, call) in made {
                let origin = Some(c.seen.at());
                let found = calls.entry(what.clone()).or_insert_with(|| flows::Candidate {
                    what,
                    call,
                    host: Some(c.host.clone()),
                    route: None,
                    origin: None,
                });
                found.origin = found.origin.take().or(origin);
            }
        }
        let lookups = [flows::Lookup::new(&sets[BASE]), flows::Lookup::new(&sets[HEAD])];

        let mut out = Vec::new();
        for c in calls.into_values() {
            if !flows::may_differ([&lookups[BASE], &lookups[HEAD]], &c.call) {
                continue;
            }
            let trace_in = |side: usize| match lookups[side].for_call(&c.call) {
                Some(part) => trace::trace(&part, &c.call),
                None => trace::trace(&sets[side], &c.call),
            };
            let traces = [trace_in(BASE), trace_in(HEAD)];
            let outcomes = [Outcome::of(&traces[BASE]), Outcome::of(&traces[HEAD])];
            // A route call stands for its route only where it takes it.
            if c.route.is_some() && outcomes.iter().all(|o| o.virtual_service_route != c.route) {
                continue;
            }
            let Some(kind) = flows::judge(&outcomes[BASE], &outcomes[HEAD]) else { continue };
            let causes = self.causes(w, res, &c, &outcomes, gov);
            let [base, head] = outcomes;
            out.push(Flow { kind, call: c.what, request: c.call, base, head, causes, origin: c.origin });
        }
        out.sort_by(|a, b| (!a.kind.breaking(), a.kind, &a.call).cmp(&(!b.kind.breaking(), b.kind, &b.call)));
        out
    }

    /// The YAML on each side that a flow's change comes from: the changed resources it
    /// involves (the governing Sidecar at the entry or listener concerned, the services of its
    /// host, the VirtualService routes it takes, the mesh ConfigMap, the workload itself, and for
    /// an inbound call the namespace's PeerAuthentications and Services).
    fn causes(
        &self,
        w: [&Workload; 2],
        res: &[Resolution; 2],
        c: &flows::Candidate,
        outcomes: &[Outcome; 2],
        gov: [Option<usize>; 2],
    ) -> Vec<Cause> {
        let mut out = Vec::new();
        let sidecar_changed = self.sidecar_changed(gov);
        let modes_differ = res[BASE].outbound_traffic_policy.mode != res[HEAD].outbound_traffic_policy.mode;
        for side in [BASE, HEAD] {
            let (input, reg, changed) = (self.inputs[side], self.regs[side], &self.changes.changed[side]);
            let mut add = |index: usize, path: String, range: Option<crate::text::TextRange>| {
                let r = &input.resources[index];
                let range = range.unwrap_or_else(|| r.range_at(&path));
                let src = input.source(r.source);
                let cause = Cause {
                    side: Side::of(side),
                    resource: format!("{} {}/{}", r.kind_name, r.namespace, r.name),
                    path,
                    file: src.name.clone(),
                    range: Range::of(src, range),
                };
                if !out.contains(&cause) {
                    out.push(cause);
                }
            };
            if let Some(sc) = gov[side].map(|i| &*reg.sidecars[i]) {
                // A call to a destination outside the registry depends on the policy only.
                let policy = modes_differ
                    && sc.outbound_traffic_policy.is_some()
                    && c.call.direction == trace::CallDirection::Outbound;
                if policy {
                    add(sc.resource, "spec.outboundTrafficPolicy".into(), None);
                }
                if sidecar_changed && !(policy && c.host.is_none()) {
                    let (path, range) = sidecar_place(sc, &res[side], c);
                    add(sc.resource, path, range);
                }
            }
            if let Some(host) = &c.host {
                for &s in self.changed_services[side].get(host.as_str()).into_iter().flatten() {
                    add(s, service_path(&input.resources[s]).into(), None);
                }
            }
            if let Some(route) = &outcomes[side].virtual_service_route {
                if let Some((id, i)) = route.split_once(" http[") {
                    if let Some(vs) = reg.virtual_service_by_id(id).filter(|vs| changed[vs.resource]) {
                        add(vs.resource, format!("spec.http[{}", i), None);
                    }
                }
            }
            for &i in &self.changed_resources[side] {
                let r = &input.resources[i];
                let mesh = r.kind == ResourceKind::MeshConfigMap;
                let own = i == w[side].resource;
                let inbound = c.call.direction == trace::CallDirection::Inbound
                    && matches!(r.kind, ResourceKind::PeerAuthentication | ResourceKind::Service)
                    && (r.namespace == w[side].namespace || r.namespace == reg.mesh.root_namespace);
                if mesh || own || inbound {
                    add(i, String::new(), Some(r.start()));
                }
            }
        }
        out
    }
}

/// Where in a Sidecar a flow is decided: for a call to a host, the host entry that imports it
/// (else the egress listener of its port, else the catch-all); for an inbound call, the ingress
/// listener of its port; else the Sidecar's name.
fn sidecar_place(sc: &SidecarConfig, r: &Resolution, c: &flows::Candidate) -> (String, Option<crate::text::TextRange>) {
    if c.call.direction == trace::CallDirection::Inbound {
        if let Some((i, l)) = sc.ingress.iter().enumerate().find(|(_, l)| l.port.number == c.call.port) {
            return (format!("spec.ingress[{i}]"), Some(l.range));
        }
    } else if let Some(host) = &c.host {
        for (li, l) in r.egress.iter().enumerate() {
            let Some(s) = l.services.iter().find(|s| &s.hostname == host) else { continue };
            let Some(cfg) = sc.egress.get(li) else { break };
            let found = cfg.host_ranges.iter().find(|(hi, _)| cfg.hosts.get(*hi) == Some(&s.matched_by));
            if let Some((hi, range)) = found {
                return (format!("spec.egress[{li}].hosts[{hi}]"), Some(*range));
            }
        }
        let by_port = sc.egress.iter().position(|l| l.port.as_ref().is_some_and(|p| p.number == c.call.port));
        if let Some(li) = by_port.or_else(|| sc.egress.iter().position(|l| l.port.is_none())) {
            return (format!("spec.egress[{li}]"), Some(sc.egress[li].range));
        }
    }
    ("metadata.name".into(), Some(sc.name_range))
}

/// The field of a Service or ServiceEntry that decides who sees it.
fn service_path(r: &Resource) -> &'static str {
    match r.kind {
        ResourceKind::ServiceEntry => "spec",
        _ => "metadata",
    }
}

fn sidecar_id(s: &crate::resolve::SelectedSidecar) -> String {
    format!("{}/{}", s.namespace, s.name)
}

/// Imported `(host, port, namespace, protocol)` → the entry that imports it (the first
/// listener's).
fn imports(r: &Resolution) -> BTreeMap<(String, u32, String, String), String> {
    let mut out = BTreeMap::new();
    for l in r.egress.iter() {
        for s in &l.services {
            for p in &s.ports {
                let key = (s.hostname.clone(), p.number, s.namespace.clone(), p.protocol.to_string());
                out.entry(key).or_insert_with(|| s.matched_by.clone());
            }
        }
    }
    out
}

fn import_changes(res: &[Resolution; 2]) -> Vec<ImportChange> {
    let (b, h) = (imports(&res[BASE]), imports(&res[HEAD]));
    let keys: BTreeSet<_> = b.keys().chain(h.keys()).collect();
    let mut out = Vec::new();
    for k in keys {
        let (x, y) = (b.get(k), h.get(k));
        let change = match (x, y) {
            (Some(_), None) => Change::Removed,
            (None, Some(_)) => Change::Added,
            (Some(x), Some(y)) if x != y => Change::Changed,
            _ => continue,
        };
        out.push(ImportChange {
            change,
            host: k.0.clone(),
            port: k.1,
            namespace: k.2.clone(),
            protocol: k.3.clone(),
            base_entry: x.cloned(),
            head_entry: y.cloned(),
        });
    }
    out
}

/// A listener's `istioctl proxy-config listeners` rows, `MATCH -> DESTINATION`.
fn rows(l: Option<&&crate::listeners::Listener>) -> Vec<String> {
    let rows = l.map(|l| table::listener_rows(l)).unwrap_or_default();
    rows.into_iter().map(|r| format!("{} -> {}", r.chain_match, r.destination)).collect()
}

fn listener_changes(sets: &[ListenerSet; 2]) -> Vec<ListenerChange> {
    fn by_name(s: &ListenerSet) -> BTreeMap<&str, &crate::listeners::Listener> {
        s.listeners.iter().map(|l| (l.name.as_str(), l)).collect()
    }
    let (b, h) = (by_name(&sets[BASE]), by_name(&sets[HEAD]));
    let mut out = Vec::new();
    for name in b.keys().chain(h.keys()).collect::<BTreeSet<_>>() {
        let (x, y) = (b.get(name), h.get(name));
        let change = match (x, y) {
            (Some(_), None) => Change::Removed,
            (None, Some(_)) => Change::Added,
            (Some(x), Some(y)) if !flows::same_listener(x, y) => Change::Changed,
            _ => continue,
        };
        out.push(ListenerChange { change, name: name.to_string(), base: rows(x), head: rows(y) });
    }
    out
}

fn virtual_host_changes(sets: &[ListenerSet; 2]) -> Vec<VirtualHostChange> {
    fn hosts(s: &ListenerSet) -> BTreeMap<(&str, &str), &crate::listeners::VirtualHost> {
        let mut m = BTreeMap::new();
        for rc in &s.routes {
            for vh in &rc.virtual_hosts {
                m.entry((rc.name.as_str(), vh.name.as_str())).or_insert(vh);
            }
        }
        m
    }
    let routes = |vh: Option<&&crate::listeners::VirtualHost>| -> BTreeSet<String> {
        vh.into_iter()
            .flat_map(|vh| &vh.routes)
            .filter_map(|r| Some(format!("{} http[{}]", r.virtual_service.as_ref()?, r.http_index?)))
            .collect()
    };
    let (b, h) = (hosts(&sets[BASE]), hosts(&sets[HEAD]));
    let mut out = Vec::new();
    for key in b.keys().chain(h.keys()).collect::<BTreeSet<_>>() {
        let (x, y) = (b.get(key), h.get(key));
        let change = match (x, y) {
            (Some(_), None) => Change::Removed,
            (None, Some(_)) => Change::Added,
            (Some(x), Some(y)) if flows::same_virtual_host(x, y) => continue,
            _ => Change::Changed,
        };
        let (rb, rh) = (routes(x), routes(y));
        out.push(VirtualHostChange {
            change,
            route_config: key.0.to_string(),
            name: key.1.to_string(),
            routes_removed: rb.difference(&rh).cloned().collect(),
            routes_added: rh.difference(&rb).cloned().collect(),
        });
    }
    out
}

/// The clusters the listeners and routes name.
fn clusters(set: &ListenerSet) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    for c in set.listeners.iter().flat_map(|l| &l.filter_chains) {
        match &c.action {
            Action::InlineRoute { cluster, .. } | Action::TcpProxy { cluster, .. } => {
                out.insert(cluster.as_str());
            }
            Action::Rds { .. } => {}
        }
    }
    for r in set.routes.iter().flat_map(|rc| &rc.virtual_hosts).flat_map(|vh| &vh.routes) {
        if let RouteAction::Route { clusters, .. } = &r.action {
            out.extend(clusters.iter().map(|c| c.cluster.as_str()));
        }
        out.extend(r.mirrors.iter().map(|m| m.cluster.as_str()));
    }
    out
}

fn cluster_changes(sets: &[ListenerSet; 2]) -> Vec<ClusterChange> {
    let (b, h) = (clusters(&sets[BASE]), clusters(&sets[HEAD]));
    let removed = b.difference(&h).map(|n| ClusterChange { change: Change::Removed, name: n.to_string() });
    let added = h.difference(&b).map(|n| ClusterChange { change: Change::Added, name: n.to_string() });
    let mut out: Vec<ClusterChange> = removed.chain(added).collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn port_changes(res: &[Resolution; 2]) -> Vec<PortChange> {
    let ports = |r: &Resolution| {
        r.ingress
            .iter()
            .map(|p| (p.port, format!("{} {}", p.protocol, p.name).trim_end().to_string()))
            .collect::<BTreeMap<_, _>>()
    };
    let (b, h) = (ports(&res[BASE]), ports(&res[HEAD]));
    let mut out = Vec::new();
    for port in b.keys().chain(h.keys()).collect::<BTreeSet<_>>() {
        let (x, y) = (b.get(port), h.get(port));
        let change = match (x, y) {
            (Some(_), None) => Change::Removed,
            (None, Some(_)) => Change::Added,
            (Some(x), Some(y)) if x != y => Change::Changed,
            _ => continue,
        };
        out.push(PortChange { change, port: *port, base: x.cloned(), head: y.cloned() });
    }
    out
}

impl ImpactReport {
    /// The report of the comparison the other way round (head against base): what was added is
    /// removed, broken calls are repaired, findings that appeared disappear.
    pub fn inverted(&self) -> ImpactReport {
        let s = &self.summary;
        let summary = ImpactSummary {
            broken: s.repaired,
            repaired: s.broken,
            bypassed: s.captured,
            captured: s.bypassed,
            findings_appeared: s.findings_disappeared,
            findings_disappeared: s.findings_appeared,
            ..s.clone()
        };
        let problems = self
            .problems
            .iter()
            .map(|p| InputProblem { side: p.side.other(), diagnostic: p.diagnostic.clone() })
            .collect();
        let workloads = self.workloads.iter().map(WorkloadImpact::inverted).collect();
        let findings =
            FindingChanges { appeared: self.findings.disappeared.clone(), disappeared: self.findings.appeared.clone() };
        ImpactReport { summary, problems, workloads, findings, traffic: self.traffic.clone() }
    }
}

impl WorkloadImpact {
    fn inverted(&self) -> WorkloadImpact {
        let mut flows: Vec<Flow> = self
            .flows
            .iter()
            .map(|f| {
                let mut causes: Vec<Cause> =
                    f.causes.iter().map(|c| Cause { side: c.side.other(), ..c.clone() }).collect();
                causes.sort_by_key(|c| c.side);
                Flow {
                    kind: f.kind.inverse(),
                    call: f.call.clone(),
                    request: f.request.clone(),
                    base: f.head.clone(),
                    head: f.base.clone(),
                    causes,
                    origin: f.origin.clone(),
                }
            })
            .collect();
        flows.sort_by(|a, b| (!a.kind.breaking(), a.kind, &a.call).cmp(&(!b.kind.breaking(), b.kind, &b.call)));
        let mut clusters: Vec<ClusterChange> =
            self.clusters.iter().map(|c| ClusterChange { change: c.change.inverse(), name: c.name.clone() }).collect();
        clusters.sort_by(|a, b| a.name.cmp(&b.name));
        WorkloadImpact {
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            kind: self.kind.clone(),
            presence: match self.presence {
                Presence::Added => Presence::Removed,
                Presence::Removed => Presence::Added,
                Presence::Both => Presence::Both,
            },
            sidecar: self.sidecar.as_ref().map(|s| SidecarChange {
                base: s.head.clone(),
                head: s.base.clone(),
                content_changed: s.content_changed,
            }),
            outbound_traffic_policy: self
                .outbound_traffic_policy
                .as_ref()
                .map(|v| ValueChange { base: v.head.clone(), head: v.base.clone() }),
            flows,
            imports: self
                .imports
                .iter()
                .map(|i| ImportChange {
                    change: i.change.inverse(),
                    base_entry: i.head_entry.clone(),
                    head_entry: i.base_entry.clone(),
                    ..i.clone()
                })
                .collect(),
            listeners: self
                .listeners
                .iter()
                .map(|l| ListenerChange {
                    change: l.change.inverse(),
                    name: l.name.clone(),
                    base: l.head.clone(),
                    head: l.base.clone(),
                })
                .collect(),
            virtual_hosts: self
                .virtual_hosts
                .iter()
                .map(|v| VirtualHostChange {
                    change: v.change.inverse(),
                    route_config: v.route_config.clone(),
                    name: v.name.clone(),
                    routes_removed: v.routes_added.clone(),
                    routes_added: v.routes_removed.clone(),
                })
                .collect(),
            clusters,
            inbound_ports: self
                .inbound_ports
                .iter()
                .map(|p| PortChange {
                    change: p.change.inverse(),
                    port: p.port,
                    base: p.head.clone(),
                    head: p.base.clone(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests;
