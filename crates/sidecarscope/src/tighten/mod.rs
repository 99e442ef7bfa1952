//! Suggest: the tightest Sidecar per workload (or per namespace), proven not to change a single
//! observed call. From the evidence ([`evidence`]: metrics, a Kiali graph, access logs, a
//! dependency list) and the mesh ([`needs`]: the services the calls reach, the VirtualServices
//! they go through and those VirtualServices' destinations, and the calls the configuration
//! shows, as our SC3008 reads them), each workload's needed host entries are grouped into
//! Sidecars (`--per workload|namespace|auto`), each host with its reasons. Nothing the proxy
//! does not import today is imported. The proof: the input with the suggested Sidecars (replacing the ones that governed
//! those workloads) is compared with the input itself: every observed call of every workload a
//! suggestion governs is traced on both sides and must end at the same listener, route and
//! cluster (a call that left through `PassthroughCluster` must still leave through it, from
//! whichever listener now takes its port); the impact engine ([`crate::impact`]) must find no breaking change of a call to a
//! needed host or through a used VirtualService route; validation and analysis must raise
//! nothing new on the suggested Sidecars. A suggestion that fails is not offered, and the
//! report says which call changes and how. (Named `tighten`, because `suggest.rs` holds the
//! "did you mean" of hints.)

pub mod evidence;
pub mod needs;
mod write;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::diagnostic::Severity;
use crate::impact::{self, ImpactOptions, Outcome};
use crate::listeners::{ListenerGenerator, ListenerSet};
use crate::protocol::Protocol;
use crate::registry::labels::{labels_subset, Labels};
use crate::registry::Registry;
use crate::resolve::{governing_sidecar, Resolution, Resolver};
use crate::source::SourceFile;
use crate::trace::{self, Call, CallProtocol, CallTls};
use crate::workload::Workload;
use crate::workspace::Workspace;

use evidence::{Caller, Kind, Observed, Seen};
pub use evidence::{Evidence, EvidenceFile};
use needs::Needs;
pub use needs::Reason;
pub use write::{render_markdown, render_text};

/// The name of the source that holds the suggested Sidecars in the proof's second input.
pub const SUGGESTED_FILE: &str = "suggested-sidecars.yaml";

/// How to group workloads into Sidecars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Per {
    /// One Sidecar per workload, selected by its labels (`workloadSelector`).
    Workload,
    /// One Sidecar per namespace (no `workloadSelector`), importing what all its workloads need.
    #[default]
    Namespace,
    /// Per namespace, plus a Sidecar of its own for each workload that needs at most half of
    /// what the namespace needs (the cheaper mix).
    Auto,
}

impl Per {
    pub fn parse(s: &str) -> Option<Per> {
        match s {
            "workload" => Some(Per::Workload),
            "namespace" => Some(Per::Namespace),
            "auto" => Some(Per::Auto),
            _ => None,
        }
    }
}

/// What to suggest.
#[derive(Debug, Clone, Default)]
pub struct SuggestOptions {
    /// Only the Sidecar of this workload (`namespace/name`).
    pub workload: Option<String>,
    pub per: Per,
    /// `outboundTrafficPolicy.mode` to write (`ALLOW_ANY`, `REGISTRY_ONLY`); `None`: kept as the
    /// Sidecar replaced had it (none written when it had none).
    pub outbound_traffic_policy: Option<String>,
}

/// Counts from our own generation for one proxy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// Distinct services the egress listeners import.
    pub imported_services: usize,
    pub listeners: usize,
    /// Outbound clusters: one per port of each service of the scope-wide set (subset clusters
    /// not counted).
    pub clusters: usize,
    /// Routes of every virtual host of every route config.
    pub routes: usize,
}

/// A host entry of a suggested Sidecar and why it is there.
#[derive(Debug, Clone, Serialize)]
pub struct HostEntry {
    pub host: String,
    pub reasons: Vec<Reason>,
}

/// A Sidecar offered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    pub namespace: String,
    pub name: String,
    /// `workloadSelector.labels`; `None`: the namespace's Sidecar.
    pub workload_selector: Option<BTreeMap<String, String>>,
    /// The Sidecar it replaces (`namespace/name`, file:line), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
    /// The workloads it governs (`namespace/name`).
    pub workloads: Vec<String>,
    pub hosts: Vec<HostEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outbound_traffic_policy: Option<String>,
    /// The Sidecar as YAML, every host with its reasons as comments.
    pub yaml: String,
    /// Index in `Registry::sidecars` of the Sidecar it replaces.
    #[serde(skip)]
    pub(crate) replaced: Option<usize>,
}

impl Suggestion {
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// A call that would change.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangedCall {
    pub workload: String,
    /// The call in words.
    pub call: String,
    /// Where it was seen (evidence) or which route it stands for (the impact engine's calls).
    pub seen: Option<String>,
    pub before: Outcome,
    pub after: Outcome,
}

/// A Sidecar not offered, and why.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Refusal {
    /// `namespace/name` of the Sidecar that would have been suggested.
    pub sidecar: String,
    pub workloads: Vec<String>,
    pub reason: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<ChangedCall>,
}

/// A call worth a note.
#[derive(Debug, Clone, Serialize)]
pub struct CallNote {
    pub host: String,
    pub seen: String,
}

/// What the suggestion does for one workload.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadReport {
    pub workload: String,
    pub kind: String,
    /// The Sidecar that governs it now (`null`: none).
    pub current: Option<String>,
    /// The suggested Sidecar that would govern it (`null`: none offered).
    pub suggested: Option<String>,
    /// Observed calls, and of those the ones traced on both sides (the others have no port to
    /// call, see the notes).
    pub calls: usize,
    pub traced: usize,
    pub before: Counts,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Counts>,
    /// Calls that only worked through `PassthroughCluster`: they break under `REGISTRY_ONLY`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub passthrough: Vec<CallNote>,
    /// Calls to a service its proxy does not import now (they do not reach it today).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_imported: Vec<CallNote>,
}

/// The whole answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SuggestReport {
    pub per: Per,
    pub evidence: Vec<evidence::FileSummary>,
    pub problems: Vec<evidence::Problem>,
    pub suggestions: Vec<Suggestion>,
    pub refused: Vec<Refusal>,
    pub workloads: Vec<WorkloadReport>,
    /// Calls whose caller is no workload of the input.
    pub unattributed: Vec<CallNote>,
    /// Every offered Sidecar, one YAML document each.
    pub yaml: String,
}

/// A Sidecar being built: the workloads it governs and what they need.
struct Group {
    namespace: String,
    name: String,
    selector: Option<Labels>,
    /// Index in `Registry::sidecars` of the Sidecar it replaces.
    replaces: Option<usize>,
    /// Indexes in `Registry::workloads`.
    members: Vec<usize>,
    needs: Needs,
    outbound: Option<String>,
    refused: Option<String>,
    changed: Vec<ChangedCall>,
}

impl Group {
    fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// Suggests Sidecars for the workloads of `ws` from `evidence` (see the module's doc). `Err`
/// when the input does not load cleanly or `options.workload` is not one of its workloads.
pub fn suggest(ws: &Workspace, evidence: &Evidence, options: &SuggestOptions) -> Result<SuggestReport, String> {
    let input = ws.input();
    if let Some(d) = input.diagnostics.iter().find(|d| d.severity == Severity::Error) {
        let src = &input.sources[d.source.0 as usize];
        let lc = src.line_col(d.range.start);
        return Err(format!(
            "the mesh does not load cleanly ({}:{}:{}: {}); fix it first, a suggestion proven on part of it proves nothing",
            src.name, lc.line, lc.column, d.message
        ));
    }
    let reg = ws.registry();
    if let Some(id) = &options.workload {
        if !reg.workloads.iter().any(|w| w.id() == *id) {
            return Err(format!("workload {id:?} is not in the input"));
        }
    }
    if let Some(m) = &options.outbound_traffic_policy {
        if m != "ALLOW_ANY" && m != "REGISTRY_ONLY" {
            return Err(format!("outbound traffic policy {m:?} is not ALLOW_ANY or REGISTRY_ONLY"));
        }
    }
    // Calls by caller.
    let (calls, unattributed) = attribute(reg, evidence, options.workload.as_deref());
    // A workload without a proxy (`sidecar.istio.io/inject: "false"`, ambient) has no Sidecar to
    // tighten.
    let observed: Vec<usize> =
        (0..reg.workloads.len()).filter(|&i| !calls[i].is_empty() && reg.workloads[i].pod.no_proxy.is_none()).collect();
    let targets: Vec<usize> = observed
        .iter()
        .copied()
        .filter(|&i| options.workload.as_ref().is_none_or(|id| reg.workloads[i].id() == *id))
        .collect();

    let env = &ws.options().istiod_env;
    let mut resolver = Resolver::with_env(reg, env);
    let mut base_res: HashMap<usize, Resolution> = HashMap::new();
    let mut needs_of: HashMap<usize, Needs> = HashMap::new();
    // Every caller's needs: a Sidecar for one workload also governs the others it selects.
    for &i in &observed {
        let r = resolver.resolve_workload(&reg.workloads[i]);
        needs_of.insert(i, needs::needs(reg, input, &reg.workloads[i], &r, &calls[i]));
        base_res.insert(i, r);
    }
    let mut groups = group(input, reg, &targets, &needs_of, options);
    for g in &mut groups {
        for &m in &g.members {
            let r = base_res.entry(m).or_insert_with(|| resolver.resolve_workload(&reg.workloads[m]));
            // What the configuration shows its members call, observed or not.
            g.needs.merge(&needs::configured(reg, input, &reg.workloads[m], r));
        }
        if g.refused.is_none() {
            g.outbound = options.outbound_traffic_policy.clone().or_else(|| {
                let sc = g.replaces.map(|i| &reg.sidecars[i])?;
                Some(sc.outbound_traffic_policy.as_ref()?.mode.to_string())
            });
        }
    }

    // The proof, until every remaining suggestion holds.
    let mut base_gen = ListenerGenerator::sharing(reg, env);
    let mut before: HashMap<usize, Counts> = HashMap::new();
    let mut after: HashMap<usize, Counts> = HashMap::new();
    let mut traced: HashMap<usize, usize> = HashMap::new();
    for _round in 0..4 {
        let live: Vec<usize> = (0..groups.len()).filter(|&g| groups[g].refused.is_none()).collect();
        if live.is_empty() {
            break;
        }
        let head = head_workspace(ws, &groups, &live);
        let refused_before = live.len();
        prove(ws, &head, &mut groups, &live, &calls, &base_res, &mut base_gen, &mut before, &mut after, &mut traced);
        if groups.iter().filter(|g| g.refused.is_none()).count() == refused_before {
            break;
        }
        after.clear();
        traced.clear();
    }

    let mut report = SuggestReport {
        per: options.per,
        evidence: evidence.files.clone(),
        problems: evidence.problems.clone(),
        suggestions: Vec::new(),
        refused: Vec::new(),
        workloads: Vec::new(),
        unattributed,
        yaml: String::new(),
    };
    let mut suggested_of: HashMap<usize, String> = HashMap::new();
    for g in &groups {
        let workloads = g.members.iter().map(|&m| reg.workloads[m].id()).collect();
        match &g.refused {
            Some(reason) => report.refused.push(Refusal {
                sidecar: g.id(),
                workloads,
                reason: reason.clone(),
                calls: g.changed.clone(),
            }),
            None => {
                for &m in &g.members {
                    suggested_of.insert(m, g.id());
                }
                let s = write::suggestion(reg, input, g, workloads);
                report.yaml.push_str(if report.yaml.is_empty() { "" } else { "---\n" });
                report.yaml.push_str(&s.yaml);
                report.suggestions.push(s);
            }
        }
    }
    let mut listed: Vec<usize> =
        groups.iter().flat_map(|g| g.members.iter().copied()).chain(targets.iter().copied()).collect();
    listed.sort_unstable();
    listed.dedup();
    for i in listed {
        let w = &reg.workloads[i];
        let r = &base_res[&i];
        let before = *before
            .entry(i)
            .or_insert_with(|| counts(r, &base_gen.generate_resolved(&crate::Proxy::for_workload(w), r)));
        let n = needs_of.get(&i);
        let note = |v: Option<&Vec<(String, Seen)>>| {
            v.map(|v| v.iter().map(|(h, s)| CallNote { host: h.clone(), seen: s.at() }).collect()).unwrap_or_default()
        };
        report.workloads.push(WorkloadReport {
            workload: w.id(),
            kind: w.kind.clone(),
            current: r.sidecar.as_ref().map(|s| format!("{}/{}", s.namespace, s.name)),
            suggested: suggested_of.get(&i).cloned(),
            calls: calls[i].len(),
            traced: traced.get(&i).copied().unwrap_or(0),
            before,
            after: suggested_of.get(&i).and(after.get(&i).copied()),
            passthrough: note(n.map(|n| &n.passthrough)),
            not_imported: note(n.map(|n| &n.not_imported)),
        });
    }
    Ok(report)
}

/// The observed calls of each workload of `reg` (by index), and those of no workload. An access
/// log names the caller by its pod's address; a proxy's own log (`kubectl logs deploy/cart -c
/// istio-proxy`) whose address is no workload's is `workload`'s (`namespace/name`).
pub(crate) fn attribute<'e>(
    reg: &Registry,
    evidence: &'e Evidence,
    workload: Option<&str>,
) -> (Vec<Vec<&'e Observed>>, Vec<CallNote>) {
    let mut calls: Vec<Vec<&Observed>> = vec![Vec::new(); reg.workloads.len()];
    let mut unattributed = Vec::new();
    let by_id: HashMap<(&str, &str), Vec<usize>> =
        reg.workloads.iter().enumerate().fold(HashMap::new(), |mut m, (i, w)| {
            m.entry((w.namespace.as_str(), w.name.as_str())).or_default().push(i);
            m
        });
    let by_ip: HashMap<&str, usize> =
        reg.workloads.iter().enumerate().rev().filter_map(|(i, w)| Some((w.ip.as_deref()?, i))).collect();
    for c in &evidence.calls {
        let found: Vec<usize> = match &c.caller {
            Caller::Workload { namespace, name } => {
                by_id.get(&(namespace.as_str(), name.as_str())).cloned().unwrap_or_default()
            }
            Caller::Address { ip } => match (by_ip.get(ip.as_str()), workload) {
                (Some(&i), _) => vec![i],
                (None, Some(id)) => {
                    reg.workloads.iter().enumerate().filter(|(_, w)| w.id() == id).map(|(i, _)| i).collect()
                }
                (None, None) => Vec::new(),
            },
        };
        if found.is_empty() {
            unattributed
                .push(CallNote { host: c.host.clone(), seen: format!("{} ({})", c.seen.at(), caller_text(&c.caller)) });
        }
        for i in found {
            calls[i].push(c);
        }
    }
    (calls, unattributed)
}

fn caller_text(c: &Caller) -> String {
    match c {
        Caller::Workload { namespace, name } => format!("no workload {namespace}/{name} in the input"),
        Caller::Address { ip } => format!("no workload has IP {ip}"),
    }
}

/// Counts for one proxy.
pub fn counts(r: &Resolution, set: &ListenerSet) -> Counts {
    let imported: BTreeSet<(&str, &str)> =
        r.egress.iter().flat_map(|l| &l.services).map(|s| (s.namespace.as_str(), s.hostname.as_str())).collect();
    Counts {
        imported_services: imported.len(),
        listeners: set.listeners.len(),
        clusters: r.scope_services.iter().map(|s| s.ports.len()).sum(),
        routes: set.routes.iter().flat_map(|rc| &rc.virtual_hosts).map(|vh| vh.routes.len()).sum(),
    }
}

// ---- grouping ----

/// Why a Sidecar cannot be replaced by a plain one (hosts, selector, outbound policy) without
/// losing something the suggestion does not write, `None` when it can.
fn not_replaceable(input: &crate::load::Input, reg: &Registry, i: usize, docs: &mut DocumentRanges) -> Option<String> {
    let sc = &reg.sidecars[i];
    let r = &input.resources[sc.resource];
    let doc = docs.of(input, r.source.0 as usize).iter().copied().find(|d| d.contains(r.node.range.start));
    let shares_document = doc.is_some_and(|d| {
        input.resources.iter().any(|o| o.source == r.source && !std::ptr::eq(o, r) && d.contains(o.node.range.start))
    });
    let why = if shares_document {
        "it shares its YAML document with other resources (a List)"
    } else if !sc.ingress.is_empty() {
        "it has ingress listeners"
    } else if sc.egress.iter().any(|l| l.port.is_some() || !l.bind.is_empty() || !l.capture_mode.is_empty()) {
        "it has egress listeners with a port, bind or captureMode"
    } else if sc.inbound_connection_pool.is_some() {
        "it sets inboundConnectionPool"
    } else if sc.outbound_traffic_policy.as_ref().is_some_and(|p| p.egress_proxy.is_some()) {
        "its outboundTrafficPolicy has an egressProxy"
    } else if sc.namespace == reg.mesh.root_namespace && sc.workload_selector.is_none() {
        "it is the root namespace's default Sidecar, which applies to every namespace without one"
    } else {
        return None;
    };
    Some(format!("the Sidecar {} that governs them now is not replaced: {why}", sc.id()))
}

/// The YAML documents of each source of an input, split once (`yaml::document_ranges`).
#[derive(Default)]
struct DocumentRanges(HashMap<usize, Vec<crate::text::TextRange>>);

impl DocumentRanges {
    fn of(&mut self, input: &crate::load::Input, source: usize) -> &[crate::text::TextRange] {
        self.0.entry(source).or_insert_with(|| crate::yaml::document_ranges(&input.sources[source].text))
    }
}

/// The governing Sidecar of a workload, when it has a `workloadSelector`.
fn selector_sidecar(reg: &Registry, w: &Workload) -> Option<usize> {
    governing_sidecar(reg, &w.namespace, &w.labels).filter(|&i| reg.sidecars[i].workload_selector.is_some())
}

/// Groups the target workloads into Sidecars.
fn group(
    input: &crate::load::Input,
    reg: &Registry,
    targets: &[usize],
    needs_of: &HashMap<usize, Needs>,
    options: &SuggestOptions,
) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut by_existing: HashMap<usize, usize> = HashMap::new();
    let mut namespace_targets: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &t in targets {
        let w = &reg.workloads[t];
        if let Some(sc) = selector_sidecar(reg, w) {
            // Its Sidecar selects it by labels: that Sidecar is the one to tighten, for every
            // workload it governs.
            let g = *by_existing.entry(sc).or_insert_with(|| {
                let s = &reg.sidecars[sc];
                let members = (0..reg.workloads.len())
                    .filter(|&m| {
                        reg.workloads[m].namespace == s.namespace
                            && selector_sidecar(reg, &reg.workloads[m]) == Some(sc)
                    })
                    .collect();
                groups.push(new_group(&s.namespace, &s.name, s.workload_selector.clone(), Some(sc), members));
                groups.len() - 1
            });
            if groups[g].needs.hosts.is_empty() && groups[g].needs.virtual_services.is_empty() {
                let members = groups[g].members.clone();
                for n in members.iter().filter_map(|m| needs_of.get(m)) {
                    groups[g].needs.merge(n);
                }
            }
            continue;
        }
        namespace_targets.entry(w.namespace.as_str()).or_default().push(t);
    }
    for (ns, ts) in namespace_targets {
        let union = ts.iter().fold(Needs::default(), |mut u, t| {
            u.merge(&needs_of[t]);
            u
        });
        let own: Vec<usize> = match options.per {
            Per::Workload => ts.clone(),
            Per::Namespace => Vec::new(),
            Per::Auto if ts.len() > 1 => {
                ts.iter().copied().filter(|t| needs_of[t].hosts.len() * 2 <= union.hosts.len()).collect()
            }
            Per::Auto => Vec::new(),
        };
        let mut claimed: BTreeSet<usize> = BTreeSet::new();
        for &t in &own {
            if claimed.contains(&t) {
                continue;
            }
            let w = &reg.workloads[t];
            let mut g = match workload_selector(reg, w) {
                Some((selector, members)) => {
                    let name = sidecar_name(reg, ns, &w.name);
                    let mut g = new_group(ns, &name, Some(selector), None, members.clone());
                    for m in members.iter().filter(|m| needs_of.contains_key(m)) {
                        g.needs.merge(&needs_of[m]);
                    }
                    g
                }
                None => {
                    let mut g = new_group(ns, &w.name, None, None, vec![t]);
                    g.refused = Some("the workload has no labels to select it by".into());
                    g
                }
            };
            g.needs.merge(&needs_of[&t]);
            claimed.extend(g.members.iter().copied());
            groups.push(g);
        }
        let rest: Vec<usize> = ts.iter().copied().filter(|t| !claimed.contains(t)).collect();
        let existing_default = reg
            .sidecars_in(ns)
            .iter()
            .copied()
            .find(|&i| reg.sidecars[i].workload_selector.is_none() && governs_some(reg, i, ns));
        let unclaimed = (0..reg.workloads.len()).any(|m| {
            let w = &reg.workloads[m];
            w.namespace == ns && selector_sidecar(reg, w).is_none() && !claimed.contains(&m)
        });
        if !unclaimed {
            // Every workload of the namespace got its own Sidecar: the namespace's default
            // Sidecar would govern none (SC3007). The last one becomes the namespace's Sidecar
            // instead, replacing it.
            if let (Some(i), Some(g)) = (existing_default, groups.last_mut().filter(|g| g.namespace == ns)) {
                g.selector = None;
                g.replaces = Some(i);
                g.name = reg.sidecars[i].name.clone();
            }
            continue;
        }
        if rest.is_empty() {
            continue;
        }
        // The namespace's Sidecar: it replaces the namespace's own default Sidecar, and governs
        // every workload of the namespace that no Sidecar selects by labels (and no own one).
        let existing = reg
            .sidecars_in(ns)
            .iter()
            .copied()
            .find(|&i| reg.sidecars[i].workload_selector.is_none() && governs_some(reg, i, ns));
        let name = existing.map_or_else(|| sidecar_name(reg, ns, "default"), |i| reg.sidecars[i].name.clone());
        let members = (0..reg.workloads.len())
            .filter(|&m| {
                let w = &reg.workloads[m];
                w.namespace == ns && selector_sidecar(reg, w).is_none() && !claimed.contains(&m)
            })
            .collect();
        let mut g = new_group(ns, &name, None, existing, members);
        for m in g.members.clone().iter().filter_map(|m| needs_of.get(m)) {
            g.needs.merge(m);
        }
        groups.push(g);
    }
    let mut docs = DocumentRanges::default();
    for g in &mut groups {
        if g.refused.is_none() {
            g.refused = g.replaces.and_then(|i| not_replaceable(input, reg, i, &mut docs));
        }
    }
    groups
}

fn governs_some(reg: &Registry, sc: usize, ns: &str) -> bool {
    reg.workloads.iter().any(|w| w.namespace == ns && governing_sidecar(reg, &w.namespace, &w.labels) == Some(sc))
}

fn new_group(ns: &str, name: &str, selector: Option<Labels>, replaces: Option<usize>, members: Vec<usize>) -> Group {
    Group {
        namespace: ns.to_string(),
        name: name.to_string(),
        selector,
        replaces,
        members,
        needs: Needs::default(),
        outbound: None,
        refused: None,
        changed: Vec::new(),
    }
}

/// A free Sidecar name in `ns`, `base` when no Sidecar has it.
fn sidecar_name(reg: &Registry, ns: &str, base: &str) -> String {
    let taken = |n: &str| reg.sidecars_in(ns).iter().any(|&i| reg.sidecars[i].name == n);
    if !taken(base) {
        return base.to_string();
    }
    (2..).map(|k| format!("{base}-{k}")).find(|n| !taken(n)).unwrap_or_default()
}

/// The fewest labels that select `w` and only the workloads with the same labels (its Pods
/// beside its Deployment), as a careful user picks: `app`, then `app` and `version`, then
/// all. `None` when it has no labels, or selecting it would take a workload that a Sidecar
/// selects by labels already (two selectors on one workload: IST0110).
fn workload_selector(reg: &Registry, w: &Workload) -> Option<(Labels, Vec<usize>)> {
    if w.labels.is_empty() {
        return None;
    }
    let select = |sel: &Labels| -> Vec<usize> {
        (0..reg.workloads.len())
            .filter(|&m| reg.workloads[m].namespace == w.namespace && labels_subset(sel, &reg.workloads[m].labels))
            .collect()
    };
    let all = select(&w.labels);
    let pick = |keys: &[&str]| -> Option<Labels> {
        let sel: Labels =
            keys.iter().map(|k| Some((k.to_string(), w.labels.get(*k)?.clone()))).collect::<Option<_>>()?;
        Some(sel)
    };
    let candidates = [pick(&["app"]), pick(&["app", "version"]), Some(w.labels.clone())];
    let (sel, members) = candidates
        .into_iter()
        .flatten()
        .map(|s| {
            let m = select(&s);
            (s, m)
        })
        .find(|(_, m)| *m == all)?;
    if members.iter().any(|&m| selector_sidecar(reg, &reg.workloads[m]).is_some()) {
        return None;
    }
    Some((sel, members))
}

// ---- the proof ----

/// The input with the live groups' Sidecars (see [`sources_with`]).
fn head_workspace(ws: &Workspace, groups: &[Group], live: &[usize]) -> Workspace {
    let (input, reg) = (ws.input(), ws.registry());
    let replaced: Vec<usize> = live.iter().filter_map(|&g| groups[g].replaces).collect();
    let yaml: Vec<String> = live.iter().map(|&g| write::sidecar_yaml(reg, input, &groups[g])).collect();
    let mut options = ws.options().clone();
    options.retain_documents = false;
    Workspace::new(sources_with(ws, &replaced, &yaml.join("---\n")), options)
}

/// The input of `ws` with the report's suggestions applied: the Sidecars they replace blanked
/// out (lines kept, so positions elsewhere hold), the suggested ones in [`SUGGESTED_FILE`].
pub fn apply(ws: &Workspace, report: &SuggestReport) -> Vec<SourceFile> {
    let replaced: Vec<usize> = report.suggestions.iter().filter_map(|s| s.replaced).collect();
    sources_with(ws, &replaced, &report.yaml)
}

fn sources_with(ws: &Workspace, replaced: &[usize], yaml: &str) -> Vec<SourceFile> {
    let input = ws.input();
    let reg = ws.registry();
    let mut texts: Vec<String> = input.sources.iter().map(|s| s.text.clone()).collect();
    // The documents as written: blanking one (its `---` line with it) leaves the others' ranges
    // as they were, or joins the blank to a neighbour, whose own range blanks the same bytes.
    let mut docs = DocumentRanges::default();
    for &i in replaced {
        let r = &input.resources[reg.sidecars[i].resource];
        let doc = docs.of(input, r.source.0 as usize).iter().copied().find(|d| d.contains(r.node.range.start));
        let text = &mut texts[r.source.0 as usize];
        if let Some(d) = doc {
            let blank: String = text[d.start as usize..d.end as usize]
                .chars()
                .map(|c| if c == '\n' || c == '\r' { c } else { ' ' })
                .collect();
            text.replace_range(d.start as usize..d.end as usize, &blank);
        }
    }
    let mut sources: Vec<SourceFile> =
        input.sources.iter().zip(texts).map(|(s, t)| SourceFile::new(s.name.clone(), t)).collect();
    sources.push(SourceFile::new(SUGGESTED_FILE, yaml));
    sources
}

#[allow(clippy::too_many_arguments)]
fn prove(
    base: &Workspace,
    head: &Workspace,
    groups: &mut [Group],
    live: &[usize],
    calls: &[Vec<&Observed>],
    base_res: &HashMap<usize, Resolution>,
    base_gen: &mut ListenerGenerator<'_>,
    before: &mut HashMap<usize, Counts>,
    after: &mut HashMap<usize, Counts>,
    traced: &mut HashMap<usize, usize>,
) {
    let reg = base.registry();
    let hinput = head.input();
    let hreg = head.registry();
    let suggested_src = hinput.sources.iter().position(|s| s.name == SUGGESTED_FILE);
    // Validation and loading of the suggested Sidecars.
    let mut problems: HashMap<String, String> = HashMap::new();
    let found = head.validate();
    for d in hinput.diagnostics.iter().chain(&found.diagnostics) {
        if Some(d.source.0 as usize) != suggested_src || d.severity == Severity::Info {
            continue;
        }
        let name = d.resource.as_ref().map(|r| format!("{}/{}", r.namespace, r.name)).unwrap_or_default();
        problems.entry(name).or_insert_with(|| format!("it does not validate: {} {}", d.code.id(), d.message));
    }
    // The impact engine: breaking changes, and the findings that appear.
    // The impact engine gives every workload it recomputes listeners on both sides: the
    // observed calls of the suggestions' members are traced through those (a member it does not
    // recompute, whose proxy's inputs are the same on both sides, gets its own below).
    let wanted: HashMap<(&str, &str, &str), usize> = live
        .iter()
        .flat_map(|&gi| groups[gi].members.iter().copied())
        .map(|m| {
            let w = &reg.workloads[m];
            ((w.namespace.as_str(), w.name.as_str(), w.kind.as_str()), m)
        })
        .collect();
    let hworkloads: HashMap<(&str, &str, &str), &Workload> =
        hreg.workloads.iter().map(|w| ((w.namespace.as_str(), w.name.as_str(), w.kind.as_str()), w)).collect();
    let mut proven: HashMap<usize, Proven> = HashMap::new();
    let imp = impact::impact_with(base, head, &ImpactOptions::default(), &mut |r| {
        let w = r.workloads[0];
        let key = (w.namespace.as_str(), w.name.as_str(), w.kind.as_str());
        let Some(&m) = wanted.get(&key) else { return };
        // The very workloads the loop below compares (not a duplicate of the same name).
        if !std::ptr::eq(w, &reg.workloads[m])
            || !hworkloads.get(&key).is_some_and(|hw| std::ptr::eq(*hw, r.workloads[1]))
        {
            return;
        }
        let [bres, hres] = r.resolutions;
        let [bset, hset] = r.sets;
        before.entry(m).or_insert_with(|| counts(bres, bset));
        proven.insert(m, Proven::of(reg, w, &base_res[&m], &calls[m], bset, hset, hres));
    });
    let (breaking, appeared) = match &imp {
        Ok(r) => (
            r.workloads.iter().map(|w| (w.id(), &w.flows)).collect::<HashMap<_, _>>(),
            r.findings.appeared.iter().collect::<Vec<_>>(),
        ),
        Err(_) => (HashMap::new(), Vec::new()),
    };
    let mut hresolver = Resolver::with_env(hreg, &head.options().istiod_env);
    let mut hgen = ListenerGenerator::sharing(hreg, &head.options().istiod_env);
    for &gi in live {
        let g = &mut groups[gi];
        let id = g.id();
        if let Some(p) = problems.get(&id) {
            g.refused = Some(p.clone());
            continue;
        }
        // Kiali's KIA1007 (SC2011) flags every Sidecar that writes `mode: REGISTRY_ONLY`
        // (Kiali cannot tell it from an omitted mode): writing the mode asked for is not a
        // mistake of the suggestion.
        // A finding on a suggestion, or on another resource of its namespace (a Sidecar it
        // leaves without workloads).
        if let Some(d) = appeared.iter().filter(|d| d.kiali_code != Some("KIA1007")).find(|d| {
            d.resource.as_ref().is_some_and(|r| {
                (d.file == SUGGESTED_FILE && format!("{}/{}", r.namespace, r.name) == id)
                    || (d.file != SUGGESTED_FILE && r.namespace == g.namespace)
            })
        }) {
            g.refused = Some(format!("analysis finds {} on it: {}", d.code, d.message));
            continue;
        }
        let needed_hosts: BTreeSet<&str> =
            g.needs.hosts.keys().filter_map(|h| h.split_once('/').map(|(_, d)| d)).collect();
        for &m in &g.members.clone() {
            let w = &reg.workloads[m];
            let Some(hw) = hworkloads.get(&(w.namespace.as_str(), w.name.as_str(), w.kind.as_str())) else { continue };
            let hgov = governing_sidecar(hreg, &hw.namespace, &hw.labels).map(|i| hreg.sidecars[i].id());
            if hgov.as_deref() != Some(id.as_str()) {
                g.refused = Some(format!(
                    "{} would be governed by {} instead",
                    w.id(),
                    hgov.as_deref().unwrap_or("no Sidecar")
                ));
                break;
            }
            let p = match proven.remove(&m) {
                Some(p) => p,
                None => {
                    let proxy = crate::Proxy::for_workload(w);
                    let bset = base_gen.generate_resolved(&proxy, &base_res[&m]);
                    before.entry(m).or_insert_with(|| counts(&base_res[&m], &bset));
                    let hres = hresolver.resolve_workload(hw);
                    let hset = hgen.generate_resolved(&crate::Proxy::for_workload(hw), &hres);
                    Proven::of(reg, w, &base_res[&m], &calls[m], &bset, &hset, &hres)
                }
            };
            g.changed.extend(p.changed);
            let (n, called) = (p.traced, p.called);
            // The impact engine's calls: imported host:ports and VirtualService routes.
            for f in breaking.get(&w.id()).into_iter().flat_map(|v| v.iter()) {
                if !f.kind.breaking() {
                    continue;
                }
                // Only calls to a port the workload calls: a VirtualService's routes are on
                // every HTTP port of the route configs, the calls on the service's ports.
                let port_called =
                    f.request.host.as_ref().is_some_and(|h| called.contains(&(h.clone(), f.request.port)));
                let route_used = [&f.base.virtual_service_route, &f.head.virtual_service_route].iter().any(|r| {
                    r.as_deref()
                        .and_then(|r| r.split_once(' '))
                        .is_some_and(|(vs, _)| g.needs.virtual_services.iter().any(|v| v == vs))
                });
                let host_needed = f.request.host.as_deref().is_some_and(|h| needed_hosts.contains(h))
                    || f.base
                        .destination
                        .as_deref()
                        .is_some_and(|d| needed_hosts.iter().any(|h| d.ends_with(&format!("||{h}"))));
                if port_called && (route_used || host_needed) {
                    g.changed.push(ChangedCall {
                        workload: w.id(),
                        call: f.call.clone(),
                        seen: f.base.virtual_service_route.clone(),
                        before: f.base.clone(),
                        after: f.head.clone(),
                    });
                }
            }
            traced.insert(m, n);
            after.insert(m, p.after);
        }
        if g.refused.is_none() && !g.changed.is_empty() {
            g.refused = Some(format!("{} call(s) would end elsewhere", g.changed.len()));
        }
    }
}

/// One member's observed calls traced before and after, and its counts after.
struct Proven {
    /// The calls that end elsewhere.
    changed: Vec<ChangedCall>,
    traced: usize,
    /// The `host:port`s called.
    called: BTreeSet<(String, u32)>,
    after: Counts,
}

impl Proven {
    /// Traces `calls` (the observed calls of `w`, resolved as `res` in base) through the
    /// workload's listeners before (`bset`) and after (`hset`, resolved as `hres`): each must end
    /// at the same listener, route and cluster (a call that left through `PassthroughCluster`
    /// must still leave through it, from whichever listener now takes its port).
    fn of(
        reg: &Registry,
        w: &Workload,
        res: &Resolution,
        calls: &[&Observed],
        bset: &ListenerSet,
        hset: &ListenerSet,
        hres: &Resolution,
    ) -> Proven {
        let mut p = Proven { changed: Vec::new(), traced: 0, called: BTreeSet::new(), after: counts(hres, hset) };
        for c in calls {
            for (what, call) in calls_for(reg, res, c) {
                p.called.insert((c.host.clone(), call.port));
                p.traced += 1;
                let (bt, ht) = (trace::trace(bset, &call), trace::trace(hset, &call));
                let (bo, ho) = (Outcome::of(&bt), Outcome::of(&ht));
                let key = |o: &Outcome| {
                    (o.works, o.listener.clone(), o.destination.clone(), o.virtual_service_route.clone(), o.error)
                };
                let passthrough = |o: &Outcome| o.works && o.destination.as_deref() == Some("PassthroughCluster");
                let same = (passthrough(&bo) && passthrough(&ho)) || (key(&bo) == key(&ho) && bt.route == ht.route);
                if !same {
                    p.changed.push(ChangedCall {
                        workload: w.id(),
                        call: what,
                        seen: Some(c.seen.at()),
                        before: bo,
                        after: ho,
                    });
                }
            }
        }
        p
    }
}

/// A TEST-NET-3 address (RFC 5737) for calls that left through `PassthroughCluster`.
const OUTSIDE_ADDRESS: &str = "203.0.113.10";

/// The calls to trace for one observed call: one per port of the service it reaches (or the
/// port it names), as the proxy saw it.
pub(crate) fn calls_for(reg: &Registry, r: &Resolution, c: &Observed) -> Vec<(String, Call)> {
    let svc = r.egress.iter().flat_map(|l| &l.services).find(|s| s.hostname == c.host);
    let mut out = Vec::new();
    let ports: Vec<(u32, Option<Protocol>)> = match svc {
        Some(s) => {
            s.ports.iter().filter(|p| c.port.is_none_or(|n| n == p.number)).map(|p| (p.number, p.protocol.0)).collect()
        }
        None => c.port.map(|p| vec![(p, None)]).unwrap_or_default(),
    };
    let address = match svc {
        Some(s) => reg.services[s.id].addresses.iter().find(|a| a.parse::<std::net::IpAddr>().is_ok()).cloned(),
        None if c.passthrough => Some(OUTSIDE_ADDRESS.to_string()),
        None => None,
    };
    for (port, proto) in ports {
        let mut call = Call { address: address.clone(), port, ..Call::default() };
        let http = match proto {
            Some(p) => p.is_http(),
            None => c.kind == Some(Kind::Http),
        };
        let what = if proto.is_some_and(|p| p.is_tls()) {
            call.tls = CallTls::Tls;
            call.sni = Some(c.host.clone());
            format!("TLS {}:{port}", c.host)
        } else if http {
            call.protocol = match proto {
                Some(Protocol::Http2 | Protocol::Grpc) => CallProtocol::Http2,
                _ => CallProtocol::Http,
            };
            call.host = Some(c.host.clone());
            let ok = trace::check_request(c.path.as_deref(), c.method.as_deref()).is_ok();
            if ok {
                call.path = c.path.clone();
                call.method = c.method.clone();
            }
            format!(
                "HTTP {}:{port} {} {}",
                c.host,
                call.method.as_deref().unwrap_or("GET"),
                call.path.as_deref().unwrap_or("/")
            )
        } else {
            format!("TCP {}:{port}", c.host)
        };
        out.push((what, call));
    }
    out
}

#[cfg(test)]
mod tests;
