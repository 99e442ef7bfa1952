//! Resolution: which Sidecar governs a proxy and the effective configuration it produces, with
//! the reason for each part, exactly as istiod computes its `SidecarScope`
//! (`pilot/pkg/model/sidecar.go`: `convertToSidecarScope`, `DefaultSidecarScopeForNamespace`). Build the [`Registry`] once, then resolve any number of proxies with a
//! [`Resolver`]; proxies sharing a Sidecar and namespace share the computed scope.

mod destination_rules;
mod egress;
pub(crate) mod inbound_ports;
mod output;
mod scope;
mod select;
mod summary;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Serialize;

use crate::load::Input;
use crate::proxy::IstiodEnv;
pub use crate::proxy::Proxy;
use crate::registry::{OutboundMode, Registry, ServiceId, SidecarConfig};
use crate::workload::Workload;

pub use crate::registry::Settings;
pub use destination_rules::DestinationRuleChoice;
use destination_rules::ScopeRules;
pub use egress::{ImportedService, ShadowedService};
pub use inbound_ports::{InboundPort, PoolChoice, PoolLevel};
pub use output::{PortInfo, Shared};
pub use scope::{EgressListener, ScopeService, UnusedHost};
pub(crate) use select::governing_sidecar;
pub use select::{Selection, SelectionKind};
pub use summary::render_text;

#[derive(Debug, Clone, Serialize)]
pub struct WorkloadRef {
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SelectedSidecar {
    pub namespace: String,
    pub name: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboundTrafficPolicy {
    /// `ALLOW_ANY`, `REGISTRY_ONLY` or `ALLOW_ANY_DYNAMIC_DNS`.
    pub mode: OutboundMode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub egress_proxy: Option<Settings>,
    pub source: String,
}

/// The Sidecar used, kept for Istio's `InboundConnectionPoolForPort`.
#[derive(Debug, Clone, Default)]
struct SidecarPools {
    sidecar: Option<Arc<SidecarConfig>>,
}

/// The effective configuration of one proxy, and why.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resolution {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workload: Option<WorkloadRef>,
    pub proxy: Proxy,
    /// The Sidecar resource that applies; `None` when Istio's default scope applies.
    pub sidecar: Option<SelectedSidecar>,
    pub selection: Selection,
    pub root_namespace: String,
    pub outbound_traffic_policy: OutboundTrafficPolicy,
    /// Egress listeners in Sidecar order (one implicit catch-all when there is no `egress`).
    pub egress: Shared<Vec<EgressListener>>,
    /// Inbound ports, by port number.
    pub ingress: Vec<InboundPort>,
    /// The scope-wide service set istiod builds outbound clusters for.
    pub scope_services: Shared<Vec<ScopeService>>,
    /// The DestinationRule of each scope host that has one.
    pub destination_rules: Shared<Vec<DestinationRuleChoice>>,
    /// Per inbound port, the effective connection pool and where it came from.
    pub inbound_connection_pool: BTreeMap<u32, PoolChoice>,
    /// Plain-words explanations, notably where Istio's code differs from its documentation.
    pub notes: Vec<String>,
    #[serde(skip)]
    pools: SidecarPools,
}

impl Resolution {
    /// Istio `SidecarScope.InboundConnectionPoolForPort`: the Sidecar's pool for an inbound port
    /// (the ingress entry's, else the top-level one), `None` when the Sidecar sets none.
    pub fn sidecar_inbound_connection_pool(&self, port: u32) -> Option<(Settings, PoolLevel, String)> {
        inbound_ports::sidecar_pool_for_port(self.pools.sidecar.as_deref(), port)
    }
}

/// Resolves one proxy (builds the registry; use [`Resolver`] for many proxies).
pub fn resolve(input: &Input, proxy: &Proxy) -> Resolution {
    let reg = Registry::build(input);
    resolve_with(&reg, proxy)
}

/// Resolves one proxy against an existing registry.
pub fn resolve_with(reg: &Registry, proxy: &Proxy) -> Resolution {
    Resolver::new(reg).resolve(proxy)
}

/// Resolves every workload of the input, in input order.
pub fn resolve_workloads(input: &Input) -> Vec<Resolution> {
    let reg = Registry::build(input);
    let mut resolver = Resolver::new(&reg);
    reg.workloads.iter().map(|w| resolver.resolve_workload(w)).collect()
}

/// Identifies a SidecarScope: the Sidecar (index in `Registry::sidecars`, `None` for no
/// Sidecar) and the config namespace, `None` for every neutral namespace (see [`scope_key`]).
pub(crate) type ScopeKey = (Option<usize>, Option<String>);

/// The key of the scope of a Sidecar in a config namespace. Neutral namespaces get identical
/// listeners and services from a Sidecar without `./` hosts: they share one scope
/// (DestinationRules are looked up per namespace).
pub(crate) fn scope_key(reg: &Registry, sidecar: Option<usize>, ns: &str) -> ScopeKey {
    let config = sidecar.map(|i| &*reg.sidecars[i]);
    match reg.namespace_is_neutral(ns) && !mentions_own_namespace(config) {
        true => (sidecar, None),
        false => (sidecar, Some(ns.to_string())),
    }
}

/// The part of a workload's [`Resolution`] that analysis reads, without the explanations
/// (keeping every workload's full `Resolution` was most of analysis's memory).
#[derive(Debug, Clone)]
pub(crate) struct Governing {
    /// `Resolution::selection.sidecar`: index in `Registry::sidecars`.
    pub sidecar: Option<usize>,
    /// `Resolution::outbound_traffic_policy.mode` is `REGISTRY_ONLY`.
    pub registry_only: bool,
    /// The key of the scope whose services are `Resolution::scope_services`.
    pub scope: ScopeKey,
}

/// What [`Resolver::resolve_workload`] says of `w`'s Sidecar, outbound policy and scope.
pub(crate) fn governing(reg: &Registry, w: &Workload) -> Governing {
    let sidecar = governing_sidecar(reg, &w.namespace, &w.labels);
    let mode = match sidecar.and_then(|i| reg.sidecars[i].outbound_traffic_policy.as_ref()) {
        Some(policy) => &policy.mode,
        None => &reg.mesh.outbound_traffic_policy_mode,
    };
    Governing {
        sidecar,
        registry_only: *mode == OutboundMode::RegistryOnly,
        scope: scope_key(reg, sidecar, &w.namespace),
    }
}

/// What analysis reads of a SidecarScope: the egress listeners (what [`sidecar_scope`]
/// returns first) and the registry service of each scope-wide service. Analysis computes each
/// scope once and drops it after its checks; the scope services' explanations are not kept.
pub(crate) struct ScopeParts {
    pub egress: Shared<Vec<EgressListener>>,
    /// The registry services of `Resolution::scope_services` (same order).
    pub service_ids: Vec<ServiceId>,
}

/// The scope of a Sidecar (`None`: no Sidecar) in config namespace `config_ns`.
pub(crate) fn scope_parts(reg: &Registry, sidecar: Option<usize>, config_ns: &str) -> ScopeParts {
    let scope = scope::compute_for_analysis(reg, sidecar.map(|i| &*reg.sidecars[i]), config_ns);
    ScopeParts { egress: scope.egress, service_ids: scope.service_ids }
}

/// Resolves many proxies against one registry, computing each (Sidecar, namespace) scope once.
pub struct Resolver<'r> {
    reg: &'r Registry,
    /// Scopes by Sidecar and namespace (`None`: every neutral namespace).
    scopes: HashMap<ScopeKey, scope::Scope>,
    rules: HashMap<(Option<usize>, String), ScopeRules<'r>>,
    share_neutral: bool,
    shared_rules: HashMap<(Option<usize>, String), Shared<Vec<DestinationRuleChoice>>>,
    /// istiod's feature flags (`PILOT_ALLOW_SIDECAR_SERVICE_INBOUND_LISTENER_MERGE` changes the
    /// inbound ports; `ENABLE_TLS_ON_SIDECAR_INGRESS` their notes) and the notes on the flags.
    env: IstiodEnv,
    env_notes: Vec<String>,
}

impl<'r> Resolver<'r> {
    /// A resolver with Istio's default feature flags.
    pub fn new(reg: &'r Registry) -> Resolver<'r> {
        Resolver {
            reg,
            scopes: HashMap::new(),
            rules: HashMap::new(),
            shared_rules: HashMap::new(),
            share_neutral: true,
            env: IstiodEnv::default(),
            env_notes: Vec::new(),
        }
    }

    /// A resolver for an istiod running with these feature flags (`KEY=VALUE`, as
    /// `--istiod-env`); unknown or unparsable ones are noted in every resolution.
    pub fn with_env(reg: &'r Registry, istiod_env: &BTreeMap<String, String>) -> Resolver<'r> {
        let (env, env_notes) = IstiodEnv::from_map(istiod_env);
        Resolver { env, env_notes, ..Resolver::new(reg) }
    }

    /// A resolver that computes every (Sidecar, namespace) scope separately, as istiod does;
    /// for tests of the sharing.
    #[doc(hidden)]
    pub fn without_sharing(reg: &'r Registry) -> Resolver<'r> {
        Resolver { share_neutral: false, ..Resolver::new(reg) }
    }

    /// The key of the scope of a Sidecar (index in `Registry::sidecars`, `None` for no Sidecar)
    /// in a config namespace. Neutral namespaces get identical listeners and services from a
    /// Sidecar without `./` hosts: they share one scope (DestinationRules are looked up per
    /// namespace).
    fn scope_key(&self, sidecar: Option<usize>, ns: &str) -> ScopeKey {
        match self.share_neutral {
            true => scope_key(self.reg, sidecar, ns),
            false => (sidecar, Some(ns.to_string())),
        }
    }

    pub fn resolve_workload(&mut self, w: &Workload) -> Resolution {
        let mut r = self.resolve(&Proxy::for_workload(w));
        r.workload = Some(WorkloadRef { kind: w.kind.clone(), namespace: w.namespace.clone(), name: w.name.clone() });
        r
    }

    pub fn resolve(&mut self, proxy: &Proxy) -> Resolution {
        let reg = self.reg;
        let selection = select::select(reg, proxy);
        let sidecar = selection.sidecar.map(|i| &*reg.sidecars[i]);
        let key = (selection.sidecar, proxy.namespace.clone());
        let scope_key = self.scope_key(selection.sidecar, &proxy.namespace);
        let scope = self.scopes.entry(scope_key).or_insert_with(|| scope::compute(reg, sidecar, &proxy.namespace));

        let mut notes = selection.notes.clone();
        notes.extend(reg.mesh.notes.iter().cloned());
        if let Some(sc) = sidecar {
            if sc.egress.is_empty() {
                notes.push(format!(
                    "Sidecar {} has no egress, so istiod gives it one catch-all listener with hosts */* (every visible service). The doc says a missing egress \"inherits the system detected defaults from the namespace-wide or the global default Sidecar\"; the code does not inherit from another Sidecar.",
                    sc.id()
                ));
            }
            if !sc.validation_errors.is_empty() {
                notes.push(format!(
                    "Sidecar {} would be rejected by Istio's validation ({}); this shows what istiod computes if it is stored anyway.",
                    sc.id(),
                    sc.validation_errors.join("; ")
                ));
            }
        }
        notes.extend(scope.notes.iter().cloned());

        let outbound_traffic_policy = outbound_policy(reg, sidecar, &selection, &mut notes);

        // DestinationRules: looked up per namespace; the choice is shared unless a selector rule
        // may pick this proxy.
        let rules = self.rules.entry(key.clone()).or_insert_with(|| ScopeRules::new(reg, scope, &proxy.namespace));
        let destination_rules = if rules.per_proxy {
            notes.extend(rules.merge_notes(reg, proxy));
            Shared::new(rules.choices(reg, scope, proxy))
        } else {
            self.shared_rules.entry(key).or_insert_with(|| Shared::new(rules.choices(reg, scope, proxy))).clone()
        };
        if !destination_rules.is_empty() {
            notes.push(
                "DestinationRules are looked up for every service of the scope (the proxy's namespace first, then the service's, then the root namespace) and are not filtered by the egress hosts; the doc only says that \"any associated DestinationRule in the same namespace will also be used\".".into(),
            );
        }

        notes.extend(self.env_notes.iter().cloned());
        let inbound = inbound_ports::compute(reg, rules, sidecar, proxy, &self.env, &mut notes);
        let used = selection.sidecar.map(|i| Arc::clone(&reg.sidecars[i]));
        Resolution {
            workload: None,
            proxy: proxy.clone(),
            sidecar: sidecar.map(|sc| SelectedSidecar {
                namespace: sc.namespace.clone(),
                name: sc.name.clone(),
                reason: selection.reason.clone(),
            }),
            root_namespace: reg.mesh.root_namespace.clone(),
            selection,
            outbound_traffic_policy,
            egress: scope.egress.clone(),
            ingress: inbound.ports,
            scope_services: scope.services.clone(),
            destination_rules,
            inbound_connection_pool: inbound.pools,
            notes,
            pools: SidecarPools { sidecar: used },
        }
    }
}

/// Whether a Sidecar's hosts refer to the config namespace (`./`, `~./`), which makes its scope
/// differ between namespaces. No Sidecar means hosts `*/*`.
fn mentions_own_namespace(sidecar: Option<&SidecarConfig>) -> bool {
    sidecar
        .is_some_and(|sc| sc.egress.iter().flat_map(|l| &l.hosts).any(|h| h.starts_with("./") || h.starts_with("~./")))
}

/// The Sidecar's `outboundTrafficPolicy` as-is, else MeshConfig's mode
/// (`initSidecarScopeInternalIndexes`).
fn outbound_policy(
    reg: &Registry,
    sidecar: Option<&SidecarConfig>,
    selection: &Selection,
    notes: &mut Vec<String>,
) -> OutboundTrafficPolicy {
    match sidecar.and_then(|sc| sc.outbound_traffic_policy.as_ref().map(|p| (sc, p))) {
        Some((sc, policy)) => {
            let mut source = format!("Sidecar {} outboundTrafficPolicy", sc.id());
            if selection.kind == SelectionKind::RootNamespace {
                source.push_str(" (the root namespace's Sidecar)");
            }
            if policy.mode_omitted {
                source.push_str("; mode omitted, which is REGISTRY_ONLY (enum value 0)");
                notes.push(format!(
                    "Sidecar {} sets outboundTrafficPolicy without a mode: that is REGISTRY_ONLY (value 0 of the enum), although the doc calls ALLOW_ANY the default.",
                    sc.id()
                ));
            }
            OutboundTrafficPolicy {
                mode: policy.mode.clone(),
                egress_proxy: policy.egress_proxy.as_ref().map(|p| p.settings.clone()),
                source,
            }
        }
        None => {
            let source = match sidecar {
                Some(sc) => {
                    format!("Sidecar {} does not set outboundTrafficPolicy, so {}", sc.id(), reg.mesh.outbound_source())
                }
                None => reg.mesh.outbound_source(),
            };
            OutboundTrafficPolicy { mode: reg.mesh.outbound_traffic_policy_mode.clone(), egress_proxy: None, source }
        }
    }
}

/// The egress listeners and the scope-wide services that `sidecar` gives the proxies of
/// `config_ns`. Analysis uses it to look at every Sidecar (including one that no workload of the
/// input uses) rather than at one proxy.
pub fn sidecar_scope(
    reg: &Registry,
    sidecar: &SidecarConfig,
    config_ns: &str,
) -> (Shared<Vec<EgressListener>>, Shared<Vec<ScopeService>>) {
    let scope = scope::compute(reg, Some(sidecar), config_ns);
    (scope.egress, scope.services)
}

/// A small deterministic generator (xorshift) for the equivalence tests of resolution's
/// speed-ups, shared by this module's and `egress.rs`'s tests.
#[cfg(test)]
pub(crate) mod test_rng {
    pub(crate) struct Rng(pub u64);
    impl Rng {
        pub(crate) fn next(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
        pub(crate) fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.next(items.len())]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_text;
    use test_rng::Rng;

    /// A small mesh where namespaces are singled out in every way the neutrality test knows.
    fn random_mesh(rng: &mut Rng) -> String {
        let nss = ["a", "b", "c", "d", "e", "istio-system"];
        let mut docs = Vec::new();
        for i in 0..8 {
            let ns = rng.pick(&nss);
            let export = rng.pick(&[
                "",
                "",
                "",
                "    networking.istio.io/exportTo: '.'\n",
                "    networking.istio.io/exportTo: 'b,c'\n",
            ]);
            let ann = if export.is_empty() { String::new() } else { format!("  annotations:\n{export}") };
            docs.push(format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: s{i}\n  namespace: {ns}\n{ann}spec:\n  selector: {{app: s{i}}}\n  ports: [{{name: http, port: 80}}, {{name: tcp-db, port: 5432}}]\n"));
        }
        for i in 0..4 {
            let ns = rng.pick(&nss);
            let host = rng.pick(&["api.example.com", "s1.a.svc.cluster.local", "*.example.com"]);
            let export = rng.pick(&["", "  exportTo: [d]\n", "  exportTo: ['*']\n"]);
            docs.push(format!("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {{name: se{i}, namespace: {ns}}}\nspec:\n  hosts: ['{host}']\n  ports: [{{number: 443, name: tls, protocol: TLS}}]\n{export}"));
        }
        for i in 0..3 {
            let ns = rng.pick(&nss);
            let export = rng.pick(&["", "  exportTo: ['.']\n", "  exportTo: [e]\n"]);
            let source = rng.pick(&["", "    - sourceNamespace: c\n"]);
            let m = if source.is_empty() { String::new() } else { format!("  - match:\n{source}") };
            let route = if m.is_empty() { "  - route:\n".to_string() } else { format!("{m}    route:\n") };
            docs.push(format!("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: vs{i}, namespace: {ns}}}\nspec:\n  hosts: [s{i}.{ns}.svc.cluster.local]\n{export}  http:\n{route}    - destination: {{host: api.example.com}}\n"));
            let dns = rng.pick(&nss);
            let dr_export = rng.pick(&[
                "",
                "  exportTo: ['.']\n",
                "  exportTo: [f]\n",
                "  workloadSelector: {matchLabels: {app: s0}}\n",
            ]);
            let host = rng
                .pick(&["s{i}.{ns}.svc.cluster.local", "'*.svc.cluster.local'", "api.example.com"])
                .replace("{i}", &i.to_string())
                .replace("{ns}", ns);
            docs.push(format!("apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: dr{i}, namespace: {dns}}}\nspec:\n  host: {host}\n{dr_export}  subsets: [{{name: v1}}]\n"));
        }
        for ns in ["a", "b", "c"] {
            let hosts =
                rng.pick(&["['*/*']", "['./*', 'istio-system/*']", "['*/api.example.com', 'b/*']", "['~d/*', '*/*']"]);
            if rng.next(3) > 0 {
                docs.push(format!("apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {{name: default, namespace: {ns}}}\nspec:\n  egress: [{{hosts: {hosts}}}]\n"));
            }
        }
        docs.join("---\n")
    }

    #[test]
    fn governing_agrees_with_the_full_resolution() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..100 {
            let mut text = random_mesh(&mut rng);
            // Sidecars with selectors and outbound policies, and workloads they may select.
            for ns in ["a", "b", "istio-system"] {
                let app = rng.pick(&["s0", "s1"]);
                let otp = rng.pick(&[
                    "",
                    "  outboundTrafficPolicy: {mode: ALLOW_ANY}\n",
                    "  outboundTrafficPolicy: {}\n",
                    "  outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n",
                ]);
                let sel = rng.pick(&["", "  workloadSelector: {labels: {app: APP}}\n"]).replace("APP", app);
                text.push_str(&format!("---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {{name: sc-{app}, namespace: {ns}}}\nspec:\n{sel}{otp}  egress: [{{hosts: ['./*']}}]\n"));
            }
            if rng.next(2) == 0 {
                text.push_str("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata:\n  mesh: 'outboundTrafficPolicy: {mode: REGISTRY_ONLY}'\n");
            }
            for (i, ns) in ["a", "b", "c", "d", "istio-system"].iter().enumerate() {
                let app = rng.pick(&["s0", "s1", "x"]);
                text.push_str(&format!("---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: {ns}, labels: {{app: {app}}}}}\nspec: {{containers: [{{name: c}}]}}\n"));
            }
            let input = load_text("mesh.yaml", &text);
            let reg = Registry::build(&input);
            let mut full = Resolver::new(&reg);
            assert!(!reg.workloads.is_empty());
            for w in &reg.workloads {
                let g = governing(&reg, w);
                let r = full.resolve_workload(w);
                assert_eq!(g.sidecar, r.selection.sidecar, "{}", w.id());
                assert_eq!(g.registry_only, r.outbound_traffic_policy.mode == OutboundMode::RegistryOnly, "{}", w.id());
                assert_eq!(g.scope, full.scope_key(g.sidecar, &w.namespace), "{}", w.id());
                let parts = scope_parts(&reg, g.sidecar, &w.namespace);
                assert_eq!(
                    serde_json::to_value(&parts.egress).unwrap(),
                    serde_json::to_value(&r.egress).unwrap(),
                    "{}",
                    w.id()
                );
                let hosts: Vec<&str> = parts.service_ids.iter().map(|&id| reg.services[id].hostname.as_str()).collect();
                assert_eq!(
                    hosts,
                    r.scope_services.iter().map(|s| s.hostname.as_str()).collect::<Vec<_>>(),
                    "{}",
                    w.id()
                );
                seen.insert((r.selection.kind as u8, g.registry_only));
            }
        }
        assert_eq!(seen.len(), 8, "every kind of selection, with and without REGISTRY_ONLY: {seen:?}");
    }

    #[test]
    fn sharing_neutral_namespaces_changes_nothing() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let mut shared_scopes = 0;
        for _ in 0..150 {
            let input = load_text("mesh.yaml", &random_mesh(&mut rng));
            let reg = Registry::build(&input);
            let mut shared = Resolver::new(&reg);
            let mut plain = Resolver::without_sharing(&reg);
            for ns in ["a", "b", "c", "d", "e", "f", "g", "istio-system"] {
                for app in ["s0", "s1", "x"] {
                    let p = Proxy {
                        namespace: ns.into(),
                        labels: [("app".to_string(), app.to_string())].into_iter().collect(),
                        ..Proxy::default()
                    };
                    let a = serde_json::to_value(shared.resolve(&p)).unwrap();
                    let b = serde_json::to_value(plain.resolve(&p)).unwrap();
                    assert_eq!(a, b, "proxy {ns}/{app}");
                }
            }
            shared_scopes += plain.scopes.len() - shared.scopes.len();
        }
        assert!(shared_scopes > 100, "the test exercises sharing ({shared_scopes} scopes saved)");
    }
}
