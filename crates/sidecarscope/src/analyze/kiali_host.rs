//! Kiali's lookup of an egress host in the service registry (`EgressHostChecker.validateHost`,
//! `kubernetes.ParseHost`, `HasMatchingService`): KIA1004 when it finds nothing. Kiali ignores
//! the namespace part of the entry and ServiceEntry `exportTo`, and accepts `name.ns` and
//! `name.ns.svc` forms that Istio itself never expands.

use super::context::MeshContext;
use crate::registry::mesh_config::DEFAULT_DOMAIN;

/// A host as Kiali's `kubernetes.ParseHost` reads it against the Sidecar's namespace.
struct KialiHost {
    /// `name.ns.svc.<domain>` for service names, else the name as written.
    text: String,
    /// The namespace of a service name (`None` when kept verbatim).
    namespace: Option<String>,
    /// `*.<ns>.svc.<domain>`.
    wildcard: bool,
}

fn parse_host(dns: &str, sidecar_ns: &str) -> KialiHost {
    if !dns.contains('.') {
        return KialiHost {
            text: format!("{dns}.{sidecar_ns}.svc.{DEFAULT_DOMAIN}"),
            namespace: Some(sidecar_ns.to_string()),
            wildcard: dns == "*",
        };
    }
    let suffix = format!(".svc.{DEFAULT_DOMAIN}");
    if let Some(rest) = dns.strip_suffix(&suffix) {
        if let Some((name, ns)) = rest.split_once('.') {
            if !ns.contains('.') && !name.is_empty() && !ns.is_empty() {
                return KialiHost { text: dns.to_string(), namespace: Some(ns.to_string()), wildcard: name == "*" };
            }
        }
    }
    KialiHost { text: dns.to_string(), namespace: None, wildcard: false }
}

/// Whether Kiali reports KIA1004 on an egress `hosts` entry of a Sidecar in `sidecar_ns`.
/// `None` when Kiali skips the entry (`*` as dnsName, or not of the form `ns/dnsName`).
pub(crate) fn not_found(m: &MeshContext, sidecar_ns: &str, entry: &str) -> Option<bool> {
    let mut parts = entry.split('/');
    let (_, dns) = (parts.next()?, parts.next()?);
    if dns == "*" {
        return None;
    }
    let host = parse_host(dns, sidecar_ns);
    // 1. A wildcard of the Sidecar's own namespace.
    if host.wildcard && host.namespace.as_deref() == Some(sidecar_ns) {
        return Some(false);
    }
    // 2. ServiceEntry hosts of any namespace, exportTo ignored (`HasMatchingServiceEntries`).
    let se_match = m.service_entries().any(|s| {
        let h = s.hostname.as_str();
        host.text == h || host.text.ends_with(h) || (h.starts_with("*.") && host.text.ends_with(&h[1..]))
    });
    if se_match {
        return Some(false);
    }
    // 3. Kubernetes Services visible to the Sidecar's namespace (`KubeServiceHosts`) whose
    // hostname, `name.ns` or `name.ns.svc` is the host (looked up, not scanned).
    let svc_match = m.kube_services_called(&host.text).any(|id| m.reg.service_visible(id, sidecar_ns));
    Some(!svc_match)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_host_follows_kiali() {
        let h = parse_host("reviews", "bookinfo");
        assert_eq!(h.text, "reviews.bookinfo.svc.cluster.local");
        let h = parse_host("*.ns2.svc.cluster.local", "bookinfo");
        assert!(h.wildcard);
        assert_eq!(h.namespace.as_deref(), Some("ns2"));
        let h = parse_host("details.bookinfo", "x");
        assert_eq!((h.text.as_str(), h.namespace), ("details.bookinfo", None));
        let h = parse_host("a.b.c.svc.cluster.local", "x");
        assert_eq!(h.namespace, None);
    }
}
