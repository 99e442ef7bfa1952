//! Egress listeners as a whole (ours): a port listener that no imported service has the port
//! of, so istiod builds no listener (SC3003, `buildSidecarOutboundListeners` skips a port with no
//! services); and the catch-all listener's HTTP services dropped on a port an earlier listener
//! owns (SC3005: the catch-all only adds to listener keys not already built, and the port's
//! route configuration comes from the earlier listener alone).

use super::beyond;
use super::context::{list_some, listener_port_range, ConfigScope, MeshContext, SidecarRef};
use super::egress_hosts::{entry_matches, in_namespace, ports_text, split_entry};
use crate::diagnostic::{Code, Diagnostic};
use crate::protocol::Protocol;

/// The listeners of Sidecar `sc`, whose scopes in the namespaces it configures are `sc_scopes`.
/// `out` holds the findings of this check on the Sidecars before (no other check has its codes).
pub(crate) fn check(m: &MeshContext, sc: &SidecarRef, sc_scopes: &[ConfigScope], out: &mut Vec<Diagnostic>) {
    if !m.has_services {
        return;
    }
    let cfg = m.config(sc);
    for (i, l) in cfg.egress.iter().enumerate() {
        let listeners: Vec<_> =
            sc_scopes.iter().filter_map(|(ns, egress)| egress.get(i).map(|e| (ns.as_str(), e))).collect();
        let Some(&(config_ns, first)) = listeners.first() else { continue };
        // SC3003
        if let Some(port) = first.port_filter {
            if listeners.iter().all(|(_, e)| e.services.is_empty()) {
                let matched: Vec<String> = m
                    .reg
                    .services
                    .iter()
                    .filter(|s| {
                        l.hosts.iter().any(|h| {
                            split_entry(h, config_ns)
                                .is_some_and(|(ex, ns, d)| !ex && in_namespace(&ns, s) && entry_matches(d, &s.hostname))
                        })
                    })
                    .map(|s| format!("{} ({})", s.hostname, ports_text(s)))
                    .collect();
                let what = if matched.is_empty() {
                    "its hosts match no service".to_string()
                } else {
                    format!("its hosts match {}", list_some(matched, 3))
                };
                out.push(
                    sc.resource
                        .diagnostic(
                            Code::EgressListenerPortUnused,
                            format!("this listener will not be created because no imported service has port {port}"),
                            format!("spec.egress[{i}].port"),
                            listener_port_range(sc.resource, "egress", i),
                        )
                        .with_hint(beyond(&format!(
                            "{what}; connections to port {port} are handled like those to any unknown destination (passthrough or blackhole, per the outbound traffic policy)"
                        ))),
                );
            }
        }
    }
    // SC3005: only the catch-all (last, no port) can lose services to an earlier listener.
    for (config_ns, egress) in sc_scopes {
        let Some(catch_all) = egress.last().filter(|l| l.port.is_none() && egress.len() > 1) else { continue };
        for (i, l) in egress.iter().enumerate().take(egress.len() - 1) {
            let Some(port) = l.port else { continue };
            let http = l.protocol.as_deref().and_then(Protocol::parse).is_some_and(|p| p.is_http());
            if !http || l.bind.is_some() || l.capture_mode == "NONE" || l.services.is_empty() {
                continue;
            }
            let lost: Vec<String> = catch_all
                .services
                .iter()
                .filter(|s| {
                    s.ports.iter().any(|p| p.number == port && Protocol::parse(p.protocol).is_some_and(|x| x.is_http()))
                })
                .filter(|s| !l.services.iter().any(|o| o.hostname == s.hostname))
                .map(|s| s.hostname.clone())
                .collect();
            if lost.is_empty() {
                continue;
            }
            let already = out.iter().any(|d| {
                d.code == Code::EgressListenerShadowed
                    && d.resource.as_ref() == Some(&sc.resource.reference())
                    && d.path == format!("spec.egress[{i}].port")
            });
            if already {
                continue;
            }
            let n = lost.len();
            out.push(
                sc.resource
                    .diagnostic(
                        Code::EgressListenerShadowed,
                        format!(
                            "egress listener {} owns port {port}, so the catch-all listener's import of {} on port {port} is dropped: calls to {} on port {port} get no route (404)",
                            i + 1,
                            list_some(lost.clone(), 3),
                            if n == 1 { "it" } else { "them" }
                        ),
                        format!("spec.egress[{i}].port"),
                        listener_port_range(sc.resource, "egress", i),
                    )
                    .with_hint(beyond(&format!(
                        "istiod builds port {port} from this listener's hosts only (for proxies of {config_ns}); add the hosts to it, or remove the port listener"
                    ))),
            );
        }
    }
}
