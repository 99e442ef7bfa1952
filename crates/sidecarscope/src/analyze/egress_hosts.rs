//! Egress `hosts` entries one by one: Kiali's KIA1004 (no registry entry), and ours: entries
//! whose namespace part can never match the host (SC3001), entries that import nothing and
//! why (SC3002), `~` entries that exclude nothing (SC3006). One diagnostic per entry: when
//! Kiali reports it, our explanation goes into the hint of Kiali's finding.
//!
//! What a listener imports comes from resolution (the Sidecar's scopes); the reasons are
//! found here by replaying Istio's per-entry rules (`hostClassification.Matches`/`Excluded`,
//! `IsServiceVisible`, `needsPortMatch`) on the candidate services one filter at a time.

use std::collections::{HashMap, HashSet};

use super::beyond;
use super::context::{egress_hosts, list_some, ConfigScope, MeshContext, SidecarRef};
use super::kiali_host;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::host::{is_wildcarded, matches, subset_of};
use crate::registry::mesh_config::DEFAULT_DOMAIN;
use crate::registry::{Service, ServiceId, ServiceRegistry};
use crate::resolve::EgressListener;
use crate::validate::values::did_you_mean;

const KIALI_NOT_FOUND: &str = "This host has no matching entry in the service registry";

/// One entry, split as Istio's `convertIstioListenerToWrapper` does: excluded (`~`), the
/// namespace key (`*` for any, `.` resolved) and the dnsName. `None` when not `ns/dnsName`.
pub(crate) fn split_entry<'e>(entry: &'e str, config_ns: &str) -> Option<(bool, String, &'e str)> {
    if entry.matches('/').count() != 1 {
        return None;
    }
    let (ns, dns) = entry.split_once('/')?;
    let (excluded, ns) = match ns.strip_prefix('~') {
        Some("") => (true, "*"),
        Some(rest) => (true, rest),
        None => (false, ns),
    };
    let ns = if ns == "." { config_ns } else { ns };
    Some((excluded, ns.to_string(), dns))
}

/// Istio `hostClassification.Matches` for a single entry: exact names by equality, wildcards
/// (on either side) when the service's hostname is a subset of the entry.
pub(crate) fn entry_matches(dns: &str, hostname: &str) -> bool {
    dns == hostname || ((is_wildcarded(dns) || is_wildcarded(hostname)) && subset_of(hostname, dns))
}

/// Whether a service is in an entry's namespace key.
pub(crate) fn in_namespace(ns_key: &str, s: &Service) -> bool {
    ns_key == "*" || s.namespace == ns_key
}

/// `<name>.<ns>.svc.<domain>` (name may be `*`): the namespace of a Kubernetes service name.
fn kubernetes_namespace(dns: &str) -> Option<&str> {
    let rest = dns.strip_suffix(DEFAULT_DOMAIN)?.strip_suffix(".svc.")?;
    let (name, ns) = rest.split_once('.')?;
    (!name.is_empty() && !ns.is_empty() && !ns.contains('.')).then_some(ns)
}

/// A service's ports as `port 80` or `ports 80, 443`.
pub(crate) fn ports_text(s: &Service) -> String {
    let n: Vec<String> = s.ports.iter().map(|p| p.number.to_string()).collect();
    format!("{} {}", if n.len() == 1 { "port" } else { "ports" }, n.join(", "))
}

/// `~/*` (or `~*/*`): excludes every service and VirtualService of the listener.
fn excludes_all(entry: &str) -> bool {
    matches!(entry, "~/*" | "~*/*")
}

/// A finding of ours on one entry.
struct Finding {
    code: Code,
    message: String,
    hint: String,
}

/// The entries of Sidecar `sc`, whose scopes in the namespaces it configures are `sc_scopes`
/// (none when the input has no services).
pub(crate) fn check(m: &MeshContext, sc: &SidecarRef, sc_scopes: &[ConfigScope], out: &mut Vec<Diagnostic>) {
    let cfg = m.config(sc);
    for (i, l) in cfg.egress.iter().enumerate() {
        // Once per listener, not per entry (a listener may have 200,000 hosts).
        let listeners: Vec<(&str, &EgressListener)> =
            sc_scopes.iter().filter_map(|(ns, egress)| egress.get(i).map(|e| (ns.as_str(), e))).collect();
        let imported = ImportedBy::new(&listeners);
        let includes = l.hosts.iter().filter(|h| !h.starts_with('~')).count();
        for (j, node, entry) in egress_hosts(sc.resource, i) {
            let kiali = kiali_host::not_found(m, sc.namespace(), entry);
            let through = imported_through(m, &listeners, &imported, entry);
            let ours = if excludes_all(entry) && includes > 0 && m.has_services {
                Some(Finding {
                    code: Code::EgressHostImportsNothing,
                    message: if includes == 1 {
                        format!("`{entry}` excludes every service, so the other entry of this listener imports nothing")
                    } else {
                        format!("`{entry}` excludes every service, so the {includes} other entries of this listener import nothing")
                    },
                    hint: "`~/*` alone is how a listener imports nothing; to import only some hosts, list them without `~/*`".into(),
                })
            } else if entry.starts_with('~') {
                excludes_nothing(m, &listeners, &l.hosts, entry)
            } else if through.is_empty() {
                imports_nothing(m, sc, &listeners, &l.hosts, entry)
            } else {
                None
            };
            let path = format!("spec.egress[{i}].hosts[{j}]");
            let d = match (kiali, ours) {
                (Some(true), ours) => {
                    let mut d = sc
                        .resource
                        .diagnostic(Code::EgressHostNotInRegistry, KIALI_NOT_FOUND, path, node.range)
                        .with_kiali_code(Some("KIA1004"));
                    let hint = match ours {
                        Some(f) => format!("{} ({}); {}", f.message, f.code.id(), f.hint),
                        None if !m.has_services => {
                            // Kiali, on an empty registry, reports every explicit host; so do we,
                            // as information (SC3010 says the registry checks were skipped).
                            d = d.with_severity(Severity::Info);
                            "the input has no Services or ServiceEntries, so every explicit host is reported (as Kiali would on an empty registry); add the services to the input to check this host".to_string()
                        }
                        None if !through.is_empty() => {
                            d = d.with_severity(Severity::Info);
                            format!(
                                "Istio does import {} through this entry; Kiali's registry lookup is stricter than Istio's host matching here, so there is nothing to fix",
                                list_some(through, 3)
                            )
                        }
                        None => "Istio imports nothing through this entry either".to_string(),
                    };
                    d.with_hint(hint)
                }
                (_, Some(f)) => sc.resource.diagnostic(f.code, f.message, path, node.range).with_hint(beyond(&f.hint)),
                _ => continue,
            };
            out.push(d);
        }
    }
}

/// The hostnames of each listener's imported services, by the entry that imported them
/// (`matched_by`), each once per listener and in the listener's order: made once per listener.
struct ImportedBy<'l>(Vec<HashMap<&'l str, Vec<&'l str>>>);

impl<'l> ImportedBy<'l> {
    fn new(listeners: &[(&str, &'l EgressListener)]) -> Self {
        ImportedBy(
            listeners
                .iter()
                .map(|(_, l)| {
                    let mut by: HashMap<&str, Vec<&str>> = HashMap::new();
                    let mut seen: HashSet<(&str, &str)> = HashSet::new();
                    for s in l.services.iter() {
                        if seen.insert((s.matched_by.as_str(), s.hostname.as_str())) {
                            by.entry(s.matched_by.as_str()).or_default().push(s.hostname.as_str());
                        }
                    }
                    by
                })
                .collect(),
        )
    }
}

/// The services and VirtualServices imported through `entry` (in any config namespace).
fn imported_through(
    m: &MeshContext,
    listeners: &[(&str, &EgressListener)],
    imported: &ImportedBy,
    entry: &str,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for ((ns, l), by) in listeners.iter().zip(&imported.0) {
        for hostname in by.get(entry).into_iter().flatten() {
            if seen.insert(hostname.to_string()) {
                out.push(hostname.to_string());
            }
        }
        let Some((false, ns_key, dns)) = split_entry(entry, ns) else { continue };
        for id in &l.virtual_services {
            let Some(vs) = m.reg.virtual_service_by_id(id) else { continue };
            if (ns_key == "*" || vs.namespace == ns_key) && vs.hosts.iter().any(|h| matches(h, dns)) {
                let what = format!("VirtualService {id}");
                if seen.insert(what.clone()) {
                    out.push(what);
                }
            }
        }
    }
    out
}

/// [`imported_through`] as first written, scanning every service for every entry: the test
/// compares the two.
#[cfg(test)]
fn imported_through_by_scan(m: &MeshContext, listeners: &[(&str, &EgressListener)], entry: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (ns, l) in listeners {
        for s in l.services.iter().filter(|s| s.matched_by == entry) {
            if !out.contains(&s.hostname) {
                out.push(s.hostname.clone());
            }
        }
        let Some((false, ns_key, dns)) = split_entry(entry, ns) else { continue };
        for id in &l.virtual_services {
            let Some(vs) = m.reg.virtual_service_by_id(id) else { continue };
            if (ns_key == "*" || vs.namespace == ns_key) && vs.hosts.iter().any(|h| matches(h, dns)) {
                let what = format!("VirtualService {id}");
                if !out.contains(&what) {
                    out.push(what);
                }
            }
        }
    }
    out
}

/// Why an include entry imports nothing (SC3001 or SC3002), or `None` when we cannot say or
/// should not (a `ns/*` entry of an existing namespace without services, or a port mismatch
/// that SC3003 reports for the whole listener).
fn imports_nothing(
    m: &MeshContext,
    sc: &SidecarRef,
    listeners: &[(&str, &EgressListener)],
    hosts: &[String],
    entry: &str,
) -> Option<Finding> {
    let config_ns = listeners.first().map_or(sc.namespace(), |(ns, _)| ns);
    let (_, ns_key, dns) = split_entry(entry, config_ns)?;
    // SC3001: a Kubernetes service name under another namespace's prefix.
    if let Some(svc_ns) = kubernetes_namespace(dns) {
        let declared_here = m.reg.services.iter().any(|s| s.namespace == ns_key && entry_matches(dns, &s.hostname));
        if ns_key != "*" && svc_ns != ns_key && !declared_here && !(m.is_root_default(sc) && entry.starts_with("./")) {
            return Some(Finding {
                code: Code::EgressHostNamespaceMismatch,
                message: format!(
                    "`{entry}` can never import anything: Kubernetes services named {dns} live in namespace {svc_ns}, and this entry only imports from namespace {ns_key}"
                ),
                hint: format!("write {svc_ns}/{dns} (or */{dns}); calls to it are not configured by this Sidecar"),
            });
        }
    }
    if !m.has_services {
        return None;
    }
    let (_, first) = listeners.first()?;
    let candidates: Vec<(ServiceId, &Service)> = m
        .reg
        .services
        .iter()
        .enumerate()
        .filter(|(_, s)| in_namespace(&ns_key, s) && entry_matches(dns, &s.hostname))
        .collect();
    let nothing = |why: String, hint: String| {
        Some(Finding {
            code: Code::EgressHostImportsNothing,
            message: format!("`{entry}` imports nothing: {why}"),
            hint,
        })
    };
    if candidates.is_empty() {
        if dns == "*" {
            // The root namespace (meshConfig.rootNamespace) always exists in a mesh.
            let unknown = !m.namespaces.is_empty()
                && ns_key != "*"
                && ns_key != m.root_namespace()
                && !m.known_namespaces.contains(&ns_key);
            let names: Vec<&str> = m.known_namespaces.iter().map(String::as_str).collect();
            let hint = match did_you_mean(&ns_key, &names) {
                Some(n) => format!("did you mean `{n}/*`?"),
                // Only the names shown are copied (there may be thousands).
                None => {
                    let shown = list_some(names.iter().take(6).map(|n| n.to_string()), 6);
                    let more = if names.len() > 6 { format!(" and {} more", names.len() - 6) } else { String::new() };
                    format!("the input's namespaces are {shown}{more}; check the spelling")
                }
            };
            return unknown.then(|| Finding {
                code: Code::EgressHostImportsNothing,
                message: format!("`{entry}` imports nothing: there is no namespace {ns_key}"),
                hint,
            });
        }
        // The hostname exists, in another namespace.
        let elsewhere: Vec<&Service> =
            m.reg.services.iter().filter(|s| s.namespace != ns_key && entry_matches(dns, &s.hostname)).collect();
        if let Some(s) = elsewhere.first() {
            return nothing(
                format!(
                    "{} is defined in namespace {} ({}), and this entry only imports from namespace {ns_key}",
                    dns,
                    s.namespace,
                    s.origin()
                ),
                format!("write {}/{dns} (or */{dns})", s.namespace),
            );
        }
        // A short form Istio does not expand.
        let fqdn = if dns.ends_with(".svc") {
            format!("{dns}.{DEFAULT_DOMAIN}")
        } else {
            format!("{dns}.svc.{DEFAULT_DOMAIN}")
        };
        if let Some(s) = m.reg.services.iter().find(|s| s.registry == ServiceRegistry::Kubernetes && s.hostname == fqdn)
        {
            return nothing(
                format!("no service has the hostname {dns}; Sidecar hosts are matched literally, without short-name expansion"),
                format!("write {}/{}", s.namespace, s.hostname),
            );
        }
        // An exact host under a wildcard ServiceEntry host.
        if !is_wildcarded(dns) {
            if let Some(s) = m
                .reg
                .services
                .iter()
                .find(|s| in_namespace(&ns_key, s) && is_wildcarded(&s.hostname) && subset_of(dns, &s.hostname))
            {
                return nothing(
                    format!(
                        "{} declares the wildcard host {}, and an exact egress host does not import a wildcard service",
                        s.origin(),
                        s.hostname
                    ),
                    format!("write {}/{}", if ns_key == "*" { "*" } else { &s.namespace }, s.hostname),
                );
            }
        }
        let place = if ns_key == "*" { "any namespace".to_string() } else { format!("namespace {ns_key}") };
        let verb = if is_wildcarded(dns) { "matching" } else { "named" };
        return nothing(
            format!("no Service or ServiceEntry in {place} has a hostname {verb} {dns}"),
            "calls to it bypass the mesh's routing and policies (ALLOW_ANY) or fail (REGISTRY_ONLY); fix the name or define the service".into(),
        );
    }
    let visible: Vec<&(ServiceId, &Service)> =
        candidates.iter().filter(|(id, _)| listeners.iter().any(|(ns, _)| m.reg.service_visible(*id, ns))).collect();
    if visible.is_empty() {
        let (_, s) = candidates[0];
        return nothing(
            format!("{} is not exported to namespace {config_ns} (exportTo {})", s.origin(), m.reg.service_export_to(s).describe()),
            format!("export it to {config_ns} (Service annotation networking.istio.io/exportTo, ServiceEntry exportTo) or remove this entry"),
        );
    }
    let exclusions: Vec<(String, &str, &str)> = hosts
        .iter()
        .filter_map(|h| split_entry(h, config_ns).filter(|(ex, _, _)| *ex).map(|(_, ns, d)| (ns, d, h.as_str())))
        .collect();
    let excluder = |s: &Service| {
        exclusions.iter().find(|(ns, d, _)| in_namespace(ns, s) && subset_of(&s.hostname, d)).map(|(_, _, e)| *e)
    };
    let kept: Vec<&Service> = visible.iter().map(|(_, s)| *s).filter(|s| excluder(s).is_none()).collect();
    if kept.is_empty() {
        let by = excluder(visible[0].1).unwrap_or("~");
        if excludes_all(by) {
            return None; // Reported once, on the `~/*` entry.
        }
        return nothing(
            format!("every service it matches is excluded by `{by}`"),
            "remove the exclusion or this entry".into(),
        );
    }
    if let Some(port) = first.port_filter {
        if first.services.is_empty() {
            return None; // SC3003: the whole listener imports nothing.
        }
        let with_port: Vec<&&Service> = kept.iter().filter(|s| s.port(port).is_some()).collect();
        if with_port.is_empty() {
            let ports = kept.iter().map(|s| format!("{} ({})", s.hostname, ports_text(s)));
            return nothing(
                format!("this listener only imports services with port {port}, and {} has none", list_some(ports, 3)),
                "move the entry to a listener of the service's port, or to the catch-all listener".into(),
            );
        }
    }
    for (_, l) in listeners {
        if let Some(sh) =
            l.shadowed.iter().find(|sh| kept.iter().any(|s| s.hostname == sh.hostname && s.namespace == sh.namespace))
        {
            return nothing(
                format!("{} is imported from namespace {} instead: {}", sh.hostname, sh.kept_namespace, sh.reason),
                "remove this entry".into(),
            );
        }
    }
    None
}

/// SC3006: a `~` entry that excludes nothing the listener's other entries import.
fn excludes_nothing(
    m: &MeshContext,
    listeners: &[(&str, &EgressListener)],
    hosts: &[String],
    entry: &str,
) -> Option<Finding> {
    if !m.has_services {
        return None;
    }
    let (config_ns, _) = listeners.first()?;
    let includes: Vec<&String> = hosts.iter().filter(|h| !h.starts_with('~')).collect();
    if includes.is_empty() {
        return None; // An exclusion-only listener imports nothing, on purpose.
    }
    for (ns, _) in listeners {
        let (_, ex_ns, ex_dns) = split_entry(entry, ns)?;
        let included = |hostname: &str, namespace: &str, vs: bool| {
            includes.iter().any(|h| {
                split_entry(h, ns).is_some_and(|(_, ins, d)| {
                    (ins == "*" || ins == namespace)
                        && if vs { matches(hostname, d) } else { entry_matches(d, hostname) }
                })
            })
        };
        let hit_service = m.reg.services.iter().enumerate().any(|(id, s)| {
            in_namespace(&ex_ns, s)
                && subset_of(&s.hostname, ex_dns)
                && m.reg.service_visible(id, ns)
                && included(&s.hostname, &s.namespace, false)
        });
        let hit_vs = m.reg.mesh_virtual_services_for(ns).any(|i| {
            let vs = &m.reg.virtual_services[i];
            (ex_ns == "*" || vs.namespace == ex_ns)
                && vs.hosts.iter().any(|h| subset_of(h, ex_dns) && included(h, &vs.namespace, true))
        });
        if hit_service || hit_vs {
            return None;
        }
    }
    let (_, ex_ns, ex_dns) = split_entry(entry, config_ns)?;
    let matching: Vec<String> = m
        .reg
        .services
        .iter()
        .filter(|s| in_namespace(&ex_ns, s) && subset_of(&s.hostname, ex_dns))
        .map(|s| s.hostname.clone())
        .collect();
    let why = if matching.is_empty() {
        let place = if ex_ns == "*" { "any namespace".to_string() } else { format!("namespace {ex_ns}") };
        format!("no service in {place} matches {ex_dns}")
    } else {
        format!(
            "the services it matches ({}) are not imported by this listener's other entries anyway",
            list_some(matching, 3)
        )
    };
    Some(Finding {
        code: Code::ExclusionExcludesNothing,
        message: format!("`{entry}` excludes nothing: {why}"),
        hint: "a typo or a leftover; remove it, or fix the name it should exclude".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::context::config_namespaces;
    use crate::resolve::scope_parts;
    use crate::resolve::test_rng::Rng;
    use crate::{load_text, Registry};

    /// Services, ServiceEntries (some sharing hostnames) and VirtualServices in a few
    /// namespaces, and Sidecars whose listeners import them through overlapping entries.
    fn random_mesh(rng: &mut Rng) -> String {
        let nss = ["a", "b", "c"];
        let hosts = ["foo.com", "bar.foo.com", "*.foo.com", "x.org"];
        let entries = [
            "a/*",
            "b/*",
            "*/foo.com",
            "./*",
            "*/*.foo.com",
            "~a/bar.foo.com",
            "c/x.org",
            "*/*",
            "*/s1.a.svc.cluster.local",
        ];
        let mut docs = Vec::new();
        for i in 0..10 {
            let ns = rng.pick(&nss);
            let host = rng.pick(&hosts);
            docs.push(format!("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {{name: se{i}, namespace: {ns}}}\nspec:\n  hosts: ['{host}']\n  ports: [{{number: 80, name: http, protocol: HTTP}}]\n"));
            let ns = rng.pick(&nss);
            docs.push(format!("apiVersion: v1\nkind: Service\nmetadata: {{name: s{}, namespace: {ns}}}\nspec:\n  ports: [{{name: http, port: 80}}]\n", i % 3));
        }
        for i in 0..3 {
            let ns = rng.pick(&nss);
            let host = rng.pick(&hosts);
            docs.push(format!("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: vs{i}, namespace: {ns}}}\nspec:\n  hosts: ['{host}']\n  http: [{{route: [{{destination: {{host: {host}}}}}]}}]\n"));
        }
        for ns in nss {
            let n = 1 + rng.next(4);
            let picked: Vec<String> = (0..n).map(|_| format!("'{}'", rng.pick(&entries))).collect();
            docs.push(format!("apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {{name: default, namespace: {ns}}}\nspec:\n  egress: [{{hosts: [{}]}}]\n", picked.join(", ")));
        }
        docs.join("---\n")
    }

    /// The indexed `imported_through` gives exactly the scan's result and order.
    #[test]
    fn imported_through_equals_the_scan() {
        let mut rng = Rng(0x5851_f42d_4c95_7f2d);
        let mut nonempty = 0;
        for _ in 0..200 {
            let input = load_text("mesh.yaml", &random_mesh(&mut rng));
            let reg = Registry::build(&input);
            let m = MeshContext::build(&input, &reg);
            for sc in &m.sidecars {
                let sc_scopes: Vec<ConfigScope> = config_namespaces(&reg, &m.known_namespaces, sc)
                    .into_iter()
                    .map(|ns| {
                        let egress = scope_parts(&reg, Some(sc.config), &ns).egress;
                        (ns, egress)
                    })
                    .collect();
                for (i, _) in m.config(sc).egress.iter().enumerate() {
                    let listeners: Vec<(&str, &EgressListener)> =
                        sc_scopes.iter().filter_map(|(ns, e)| e.get(i).map(|e| (ns.as_str(), e))).collect();
                    let imported = ImportedBy::new(&listeners);
                    for (_, _, entry) in egress_hosts(sc.resource, i) {
                        let indexed = imported_through(&m, &listeners, &imported, entry);
                        assert_eq!(indexed, imported_through_by_scan(&m, &listeners, entry), "{entry}");
                        nonempty += usize::from(!indexed.is_empty());
                    }
                }
            }
        }
        assert!(nonempty > 100, "the generated meshes import something: {nonempty}");
    }
}
