//! One egress listener of a SidecarScope: its hosts parsed per namespace, the services it
//! imports (with the host entry that matched each) and its VirtualServices. Mirrors Istio's
//! `convertIstioListenerToWrapper`, `hostClassification`, `selectServices` (with
//! `PILOT_UNIFIED_SIDECAR_SCOPE=true`), `servicesForExactHosts` and `SelectVirtualServices`.

use std::collections::HashMap;

use serde::Serialize;

use super::output::{port_info, PortInfo};
use crate::host::{is_wildcarded, matches, subset_of};
use crate::protocol::Protocol;
use crate::registry::{EgressListenerConfig, Registry, ServiceId, ServicePort, ServiceRegistry};

const WILDCARD_NAMESPACE: &str = "*";

/// The hosts of one namespace key (a namespace, or `*`), as Istio's `hostClassification`.
#[derive(Debug, Default)]
pub(crate) struct HostClass<'a> {
    /// Non-excluded entries: (dnsName, entry as written).
    all: Vec<(&'a str, &'a str)>,
    /// `~` entries: (dnsName, entry as written).
    excluded: Vec<(&'a str, &'a str)>,
}

impl<'a> HostClass<'a> {
    /// Istio `hostClassification.Matches`: the entry that imports hostname `h`, if any. Exact
    /// entries match by equality, wildcard entries when `h` is a subset.
    pub(crate) fn matching(&self, h: &str) -> Option<&'a str> {
        if let Some((_, entry)) = self.all.iter().find(|(d, _)| !is_wildcarded(d) && *d == h) {
            return Some(entry);
        }
        let h_wild = is_wildcarded(h);
        self.all.iter().find(|(d, _)| (h_wild || is_wildcarded(d)) && subset_of(h, d)).map(|(_, e)| *e)
    }

    /// Istio `hostClassification.VSMatches`: classic VirtualServices match by overlap (either
    /// direction); Gateway API routes one way, like services.
    fn vs_matching(&self, h: &str, gateway_semantics: bool) -> Option<&'a str> {
        if let Some((_, entry)) = self.all.iter().find(|(d, _)| !is_wildcarded(d) && *d == h) {
            return Some(entry);
        }
        let h_wild = is_wildcarded(h);
        self.all
            .iter()
            .find(|(d, _)| {
                (h_wild || is_wildcarded(d)) && if gateway_semantics { subset_of(h, d) } else { matches(h, d) }
            })
            .map(|(_, e)| *e)
    }

    /// Istio `hostClassification.Excluded`: the `~` entry excluding `h`, if any.
    pub(crate) fn excluding(&self, h: &str) -> Option<&'a str> {
        self.excluded.iter().find(|(d, _)| subset_of(h, d)).map(|(_, e)| *e)
    }
}

/// Host classes by namespace key. A listener names few namespaces, so a list beats hashing.
#[derive(Debug, Default)]
pub(crate) struct ByNamespace<'a>(Vec<(String, HostClass<'a>)>);

impl<'a> ByNamespace<'a> {
    pub(crate) fn get(&self, ns: &str) -> Option<&HostClass<'a>> {
        self.0.iter().find(|(n, _)| n == ns).map(|(_, c)| c)
    }
    fn entry(&mut self, ns: &str) -> &mut HostClass<'a> {
        let i = match self.0.iter().position(|(n, _)| n == ns) {
            Some(i) => i,
            None => {
                self.0.push((ns.to_string(), HostClass::default()));
                self.0.len() - 1
            }
        };
        &mut self.0[i].1
    }
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &HostClass<'a>)> {
        self.0.iter().map(|(n, c)| (n.as_str(), c))
    }
}

/// The listener's hosts by namespace key, plus whether every import is exact (Istio's fast path).
pub(crate) struct ParsedHosts<'a> {
    pub by_namespace: ByNamespace<'a>,
    pub all_exact: bool,
    /// Entries without exactly one `/`, which Istio logs and skips.
    pub malformed: Vec<&'a str>,
}

/// Parses `hosts` for `config_ns`: `.` is the config namespace, `~ns/` excludes, `~/` and `~*/`
/// exclude from every namespace.
pub(crate) fn parse_hosts<'a>(hosts: &'a [String], config_ns: &str) -> ParsedHosts<'a> {
    let mut out = ParsedHosts { by_namespace: ByNamespace::default(), all_exact: true, malformed: Vec::new() };
    for entry in hosts {
        if entry.matches('/').count() != 1 {
            out.malformed.push(entry);
            continue;
        }
        let (ns, name) = entry.split_once('/').unwrap_or(("", ""));
        let (excluded, mut ns) = match ns.strip_prefix('~') {
            Some("") => (true, WILDCARD_NAMESPACE),
            Some(rest) => (true, rest),
            None => (false, ns),
        };
        if ns == "." {
            ns = config_ns;
        }
        let class = out.by_namespace.entry(ns);
        if excluded {
            class.excluded.push((name, entry));
            continue;
        }
        if is_wildcarded(name) || ns == WILDCARD_NAMESPACE {
            out.all_exact = false;
        }
        class.all.push((name, entry));
    }
    out
}

/// A service imported by a listener, possibly trimmed to the listener's port.
#[derive(Debug, Clone)]
pub(crate) struct Imported<'a> {
    pub id: ServiceId,
    pub ports: Vec<ServicePort>,
    pub matched_by: &'a str,
}

/// Istio `needsPortMatch`: a listener with a non-zero port that is not an HTTP proxy only
/// imports services exposing that exact port.
pub(crate) fn port_filter(l: &EgressListenerConfig) -> Option<u32> {
    let p = l.port.as_ref()?;
    (p.number != 0 && Protocol::parse(&p.protocol) != Some(Protocol::HttpProxy)).then_some(p.number)
}

/// Istio `serviceMatchingListenerPort`: the service trimmed to the listener port (target port
/// dropped, as Istio's copy keeps only name, number and protocol), or `None`.
pub(crate) fn trim_to_port(ports: &[ServicePort], number: u32) -> Option<Vec<ServicePort>> {
    let p = ports.iter().find(|p| p.number == number)?;
    if ports.len() == 1 {
        return Some(ports.to_vec());
    }
    Some(vec![ServicePort { target_port: None, ..p.clone() }])
}

/// A same-hostname service a listener matched but dropped: one namespace per hostname.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShadowedService {
    pub hostname: String,
    pub namespace: String,
    /// The namespace whose service was kept for that hostname.
    pub kept_namespace: String,
    pub reason: String,
}

pub(crate) struct SelectedServices<'a> {
    pub imported: Vec<Imported<'a>>,
    pub shadowed: Vec<ShadowedService>,
    /// Host entries that imported at least one service (before the namespace choice).
    pub used_entries: Vec<&'a str>,
}

/// The candidate services and Istio's `selectServices` over them.
pub(crate) fn select_services<'a>(
    reg: &Registry,
    l: &EgressListenerConfig,
    hosts: &ParsedHosts<'a>,
    config_ns: &str,
) -> SelectedServices<'a> {
    select_services_with(reg, l, hosts, config_ns, false)
}

/// `full_scan` forces Istio's literal candidate list (every service exported to the namespace),
/// which the narrowed candidate lists must be equivalent to.
fn select_services_with<'a>(
    reg: &Registry,
    l: &EgressListenerConfig,
    hosts: &ParsedHosts<'a>,
    config_ns: &str,
    full_scan: bool,
) -> SelectedServices<'a> {
    let filter = port_filter(l);
    let wildcard = hosts.by_namespace.get(WILDCARD_NAMESPACE);
    let mut imported: Vec<Imported<'a>> = Vec::new();
    let mut used_entries: Vec<&'a str> = Vec::new();
    let mut consider = |id: ServiceId| {
        let s = &reg.services[id];
        let own = hosts.by_namespace.get(&s.namespace);
        if own
            .and_then(|c| c.excluding(&s.hostname))
            .or_else(|| wildcard.and_then(|c| c.excluding(&s.hostname)))
            .is_some()
        {
            return;
        }
        for class in [own, wildcard].into_iter().flatten() {
            let Some(entry) = class.matching(&s.hostname) else { continue };
            if !used_entries.contains(&entry) {
                used_entries.push(entry);
            }
            let ports = match filter {
                Some(n) => trim_to_port(&s.ports, n),
                None => Some(s.ports.clone()),
            };
            if let Some(ports) = ports {
                imported.push(Imported { id, ports, matched_by: entry });
                return;
            }
        }
    };
    let mut lookup_shadowed: Vec<ShadowedService> = Vec::new();
    if hosts.all_exact {
        // Istio `servicesForExactHosts`: direct lookups, visibility re-checked, sorted by age.
        let mut candidates: Vec<ServiceId> = Vec::new();
        for (ns, class) in hosts.by_namespace.iter() {
            for (dns, entry) in &class.all {
                if let Some(id) = reg.service_in(dns, ns) {
                    if reg.service_visible(id, config_ns) && !candidates.contains(&id) {
                        candidates.push(id);
                        lookup_shadowed.extend(same_host_same_namespace(reg, id, entry));
                    }
                }
            }
        }
        candidates.sort_by(|a, b| {
            let (a, b) = (&reg.services[*a], &reg.services[*b]);
            (a.creation, &a.name, &a.namespace).cmp(&(b.creation, &b.name, &b.namespace))
        });
        candidates.into_iter().for_each(&mut consider);
    } else if full_scan || wildcard.is_some_and(|w| w.all.iter().any(|(d, _)| is_wildcarded(d))) {
        reg.services_exported_to(config_ns).for_each(&mut consider);
    } else {
        // Only the named namespaces' services, and for `*/` the services with those exact
        // hostnames, can match: visit just those, in the order of Istio's full scan.
        let mut ids: Vec<ServiceId> = Vec::new();
        for (ns, class) in hosts.by_namespace.iter() {
            if ns == WILDCARD_NAMESPACE {
                class.all.iter().for_each(|(d, _)| ids.extend_from_slice(reg.services_with_hostname(d)));
            } else if !class.all.is_empty() {
                ids.extend_from_slice(reg.services_in_namespace(ns));
            }
        }
        reg.in_exported_order(ids, config_ns).into_iter().for_each(&mut consider);
    }
    let (imported, mut shadowed) = one_namespace_per_hostname(reg, imported, config_ns);
    shadowed.extend(lookup_shadowed);
    SelectedServices { imported, shadowed, used_entries }
}

/// An exact import is looked up in Istio's `HostnameAndNamespace` index, which keeps one service
/// per hostname and namespace: other services of that namespace declaring the same host (several
/// ServiceEntries) are not imported, although `ns/*` or `*/host` would import them all.
fn same_host_same_namespace(reg: &Registry, kept: ServiceId, entry: &str) -> Vec<ShadowedService> {
    let k = &reg.services[kept];
    reg.services_with_hostname(&k.hostname)
        .iter()
        .filter(|&&id| id != kept && reg.services[id].namespace == k.namespace)
        .map(|&id| ShadowedService {
            hostname: k.hostname.clone(),
            namespace: k.namespace.clone(),
            kept_namespace: k.namespace.clone(),
            reason: format!(
                "{} also declares {}, but the exact entry {entry} is looked up by hostname and namespace, which keeps one service per namespace ({}: the oldest, or a Kubernetes Service); `{}/*` or `*/{}` would import both",
                reg.services[id].origin(),
                k.hostname,
                k.origin(),
                k.namespace,
                k.hostname
            ),
        })
        .collect()
}

/// Istio's unified-scope rule: for each hostname keep one namespace — the config namespace,
/// else a Kubernetes Service's namespace, else the first seen (oldest).
fn one_namespace_per_hostname<'a>(
    reg: &Registry,
    imported: Vec<Imported<'a>>,
    config_ns: &str,
) -> (Vec<Imported<'a>>, Vec<ShadowedService>) {
    let mut chosen: HashMap<&str, (&str, bool)> = HashMap::new();
    for imp in &imported {
        let s = &reg.services[imp.id];
        let k8s = s.registry == ServiceRegistry::Kubernetes;
        match chosen.get(s.hostname.as_str()).copied() {
            None => {
                chosen.insert(&s.hostname, (&s.namespace, k8s));
            }
            Some(_) if s.namespace == config_ns => {
                chosen.insert(&s.hostname, (&s.namespace, k8s));
            }
            Some((ex_ns, ex_k8s)) if !ex_k8s && k8s && (s.namespace == config_ns || ex_ns != config_ns) => {
                chosen.insert(&s.hostname, (&s.namespace, k8s));
            }
            Some(_) => {}
        }
    }
    let mut shadowed = Vec::new();
    let mut kept = Vec::with_capacity(imported.len());
    for imp in imported {
        let s = &reg.services[imp.id];
        let (keep_ns, keep_k8s) = chosen[s.hostname.as_str()];
        if keep_ns == s.namespace {
            kept.push(imp);
            continue;
        }
        let why = if keep_ns == config_ns {
            format!("the proxy's own namespace {keep_ns} also has {}, and it takes precedence", s.hostname)
        } else if keep_k8s {
            format!("{} is a Kubernetes Service in {keep_ns}, which takes precedence over ServiceEntries", s.hostname)
        } else {
            format!(
                "{} was first imported from {keep_ns} (older); a hostname is imported from one namespace only",
                s.hostname
            )
        };
        if !shadowed.iter().any(|x: &ShadowedService| x.hostname == s.hostname && x.namespace == s.namespace) {
            shadowed.push(ShadowedService {
                hostname: s.hostname.clone(),
                namespace: s.namespace.clone(),
                kept_namespace: keep_ns.to_string(),
                reason: why,
            });
        }
    }
    (kept, shadowed)
}

/// Istio `SelectVirtualServices`: VirtualServices bound to `mesh`, visible to the config
/// namespace, with a host matching the listener's entries for the VirtualService's namespace or
/// for `*`, and not excluded.
pub(crate) fn select_virtual_services<'a>(
    reg: &Registry,
    hosts: &ParsedHosts<'a>,
    config_ns: &str,
    used_entries: &mut Vec<&'a str>,
) -> Vec<usize> {
    let wildcard = hosts.by_namespace.get(WILDCARD_NAMESPACE);
    let mut out: Vec<usize> = Vec::new();
    for gateway_exact_pass in [true, false] {
        for i in reg.mesh_virtual_services_for(config_ns) {
            let vs = &reg.virtual_services[i];
            let gateway_exact = vs.gateway_semantics && vs.namespace == config_ns;
            if gateway_exact != gateway_exact_pass || out.contains(&i) {
                continue;
            }
            let own = hosts.by_namespace.get(&vs.namespace);
            'classes: for class in [own, wildcard].into_iter().flatten() {
                for h in &vs.hosts {
                    let Some(entry) = class.vs_matching(h, vs.gateway_semantics) else { continue };
                    if own.and_then(|c| c.excluding(h)).or_else(|| wildcard.and_then(|c| c.excluding(h))).is_some() {
                        continue;
                    }
                    if !used_entries.contains(&entry) {
                        used_entries.push(entry);
                    }
                    out.push(i);
                    break 'classes;
                }
            }
        }
    }
    out
}

/// A service as imported by one egress listener.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportedService {
    pub hostname: String,
    pub namespace: String,
    pub registry: ServiceRegistry,
    /// The `hosts` entry (as written) that imported it.
    pub matched_by: String,
    pub ports: Vec<PortInfo>,
    /// The registry service (for listener generation, which needs its addresses and resolution).
    #[serde(skip)]
    pub id: ServiceId,
}

impl ImportedService {
    pub(crate) fn new(reg: &Registry, imp: &Imported<'_>) -> ImportedService {
        let s = &reg.services[imp.id];
        ImportedService {
            hostname: s.hostname.clone(),
            namespace: s.namespace.clone(),
            registry: s.registry,
            matched_by: imp.matched_by.to_string(),
            ports: imp.ports.iter().map(port_info).collect(),
            id: imp.id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_text;

    use crate::resolve::test_rng::Rng;

    fn random_mesh(rng: &mut Rng) -> String {
        let nss = ["a", "b", "c", "d"];
        let hosts = ["foo.com", "bar.foo.com", "*.foo.com", "x.org", "svc1", "svc2"];
        let exports =
            ["", "exportTo: ['*']", "exportTo: ['.']", "exportTo: [a]", "exportTo: ['~']", "exportTo: ['~', b]"];
        let mut docs = Vec::new();
        for i in 0..12 {
            let ns = nss[rng.next(nss.len())];
            let host = hosts[rng.next(hosts.len())];
            let export = exports[rng.next(exports.len())];
            let t = rng.next(3);
            docs.push(format!(
                "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {{name: se{i}, namespace: {ns}, creationTimestamp: '2020-01-0{}T00:00:00Z'}}\nspec:\n  hosts: ['{host}']\n  ports: [{{number: {}, name: p, protocol: HTTP}}]\n  {export}\n",
                t + 1,
                8000 + rng.next(2)
            ));
            let k = nss[rng.next(nss.len())];
            docs.push(format!("apiVersion: v1\nkind: Service\nmetadata: {{name: k{i}, namespace: {k}}}\nspec:\n  ports: [{{name: http, port: 8000}}]\n"));
        }
        docs.join("---\n")
    }

    #[test]
    fn narrowed_candidates_equal_istio_full_scan() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let entries = [
            "a/*",
            "b/*",
            "*/foo.com",
            "*/svc1",
            "./*",
            "c/x.org",
            "~a/bar.foo.com",
            "~/svc2",
            "*/k1.b.svc.cluster.local",
            "d/*.foo.com",
            "*/*.foo.com",
        ];
        for _ in 0..300 {
            let input = load_text("mesh.yaml", &random_mesh(&mut rng));
            let reg = Registry::build(&input);
            let n = 1 + rng.next(3);
            let hosts: Vec<String> = (0..n).map(|_| entries[rng.next(entries.len())].to_string()).collect();
            let port = [None, Some(8000)][rng.next(2)];
            let l = EgressListenerConfig {
                port: port.map(|number| crate::registry::ListenerPort {
                    number,
                    protocol: "HTTP".into(),
                    name: "http".into(),
                }),
                bind: String::new(),
                capture_mode: String::new(),
                hosts: hosts.clone(),
            };
            for config_ns in ["a", "b", "z"] {
                let parsed = parse_hosts(&l.hosts, config_ns);
                let fast = select_services_with(&reg, &l, &parsed, config_ns, false);
                let full = select_services_with(&reg, &l, &parsed, config_ns, true);
                let ids = |s: &SelectedServices<'_>| {
                    s.imported.iter().map(|i| (i.id, i.matched_by.to_string())).collect::<Vec<_>>()
                };
                assert_eq!(ids(&fast), ids(&full), "hosts {hosts:?} for {config_ns}");
            }
        }
    }
}
