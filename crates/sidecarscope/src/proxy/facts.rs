//! What istiod knows about the proxy that shapes its listeners: interception mode, addresses,
//! privileges and the ports of the bootstrap's static listeners (`pilot/pkg/model/context.go`,
//! `listener_address.go`).

use std::net::IpAddr;

use super::istiod::parse_bool;
use super::Proxy;
use crate::protocol::Protocol;
use crate::registry::MeshSettings;

/// Istio `TrafficInterceptionMode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Interception {
    Redirect,
    Tproxy,
    None,
}

impl Interception {
    pub fn name(self) -> &'static str {
        match self {
            Interception::Redirect => "REDIRECT",
            Interception::Tproxy => "TPROXY",
            Interception::None => "NONE",
        }
    }
}

pub(crate) struct ProxyFacts {
    pub interception: Interception,
    /// `0.0.0.0`, or `::` for an IPv6-only proxy.
    pub wildcard: &'static str,
    /// `127.0.0.1`, or `::1`.
    pub localhost: &'static str,
    /// The instance IP (first proxy IP), if known.
    pub ip: Option<String>,
    /// Istio `GlobalUnicastIP`: the first proxy IP that is a global unicast address.
    pub global_unicast_ip: Option<String>,
    /// `UNPRIVILEGED_POD`: ports 1-1023 cannot be bound.
    pub unprivileged: bool,
    /// Ports of the bootstrap's listeners the proxy reported, with the metadata key naming each.
    pub static_ports: Vec<(u32, &'static str)>,
    /// mesh `proxyListenPort` / `proxyInboundListenPort`.
    pub virtual_ports: (u32, u32),
    /// `HTTP_PROXY_PORT` metadata, else mesh `proxyHttpPort`.
    pub http_proxy_port: u32,
}

/// Why a port cannot get a listener (Istio `CanBindToPort` answering false).
pub(crate) enum CannotBind {
    /// An unprivileged proxy cannot bind ports below 1024.
    Privileged,
    /// The wildcard address and port are taken by a static or virtual listener.
    Reserved(String),
}

impl CannotBind {
    pub fn explain(&self, port: u32) -> String {
        match self {
            CannotBind::Privileged => format!(
                "port {port} is below 1024 and the proxy is unprivileged (UNPRIVILEGED_POD=true), so it cannot bind it"
            ),
            CannotBind::Reserved(why) => why.clone(),
        }
    }
}

impl ProxyFacts {
    pub fn new(proxy: &Proxy, mesh: &MeshSettings) -> ProxyFacts {
        let meta = |k: &str| proxy.metadata.get(k).map(String::as_str);
        // Istio `GetInterceptionMode`: anything but TPROXY and NONE is REDIRECT.
        let interception = match meta("INTERCEPTION_MODE") {
            Some("TPROXY") => Interception::Tproxy,
            Some("NONE") => Interception::None,
            _ => Interception::Redirect,
        };
        let parsed: Option<IpAddr> = proxy.ip.as_deref().and_then(|ip| ip.parse().ok());
        let ipv6 = matches!(parsed, Some(IpAddr::V6(_)));
        let global_unicast_ip = parsed.filter(is_global_unicast).map(|ip| ip.to_string());
        let mut static_ports = Vec::new();
        for key in [
            "ENVOY_STATUS_PORT",
            "ENVOY_PROMETHEUS_PORT",
            "ENVOY_SECURE_METRICS_PORT",
            "ENVOY_SECURE_MERGED_METRICS_PORT",
        ] {
            if let Some(p) = meta(key).and_then(|v| v.trim().parse::<u32>().ok()).filter(|p| *p != 0) {
                static_ports.push((p, key));
            }
        }
        // Istio `buildHTTPProxy`: the metadata wins when it parses as a number.
        let http_proxy_port =
            meta("HTTP_PROXY_PORT").and_then(|v| v.parse::<u32>().ok()).unwrap_or(mesh.proxy_http_port);
        ProxyFacts {
            interception,
            wildcard: if ipv6 { "::" } else { "0.0.0.0" },
            localhost: if ipv6 { "::1" } else { "127.0.0.1" },
            ip: proxy.ip.clone(),
            global_unicast_ip,
            unprivileged: meta("UNPRIVILEGED_POD").and_then(parse_bool).unwrap_or(false),
            static_ports,
            virtual_ports: (mesh.proxy_listen_port, mesh.proxy_inbound_listen_port),
            http_proxy_port,
        }
    }

    /// Istio `Proxy.CanBindToPort` with `conflictWithReservedListener`. `check_virtual` is false
    /// where istiod passes no PushContext (Sidecar ingress), so 15001/15006 are not checked.
    pub fn can_bind(
        &self,
        bind_to_port: bool,
        bind: &str,
        port: u32,
        protocol: Option<Protocol>,
        check_virtual: bool,
    ) -> Result<(), CannotBind> {
        if bind_to_port && (1..1024).contains(&port) && self.unprivileged {
            return Err(CannotBind::Privileged);
        }
        // Only a wildcard listener can collide: an explicit wildcard bind, or no bind yet for an
        // HTTP port (which will get 0.0.0.0). A TCP port without bind is not checked here.
        let wildcard_listener =
            if bind.is_empty() { protocol.is_some_and(|p| p.is_http()) } else { bind == self.wildcard };
        if !wildcard_listener {
            return Ok(());
        }
        if let Some((_, key)) = self.static_ports.iter().find(|(p, _)| *p == port) {
            return Err(CannotBind::Reserved(format!(
                "{}:{port} is taken by the bootstrap's static listener ({key}={port} in the proxy metadata)",
                self.wildcard
            )));
        }
        if check_virtual && (port == self.virtual_ports.0 || port == self.virtual_ports.1) {
            return Err(CannotBind::Reserved(format!(
                "{}:{port} is taken by the proxy's virtual listeners (virtualOutbound {}, virtualInbound {})",
                self.wildcard, self.virtual_ports.0, self.virtual_ports.1
            )));
        }
        Ok(())
    }

    /// Istio `getSidecarInboundBindIPs`: the global unicast IP, else the wildcard.
    pub fn inbound_bind(&self) -> String {
        self.global_unicast_ip.clone().unwrap_or_else(|| self.wildcard.to_string())
    }
}

/// Go `netip.Addr.IsGlobalUnicast`: private ranges count; loopback, link-local, multicast,
/// unspecified and the IPv4 broadcast address do not.
fn is_global_unicast(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            !(v4.is_unspecified() || v4.is_loopback() || v4.is_multicast() || v4.is_link_local() || v4.is_broadcast())
        }
        IpAddr::V6(v6) => {
            let seg0 = v6.segments()[0];
            !(v6.is_unspecified() || v6.is_loopback() || v6.is_multicast() || (seg0 & 0xffc0) == 0xfe80)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_unicast_as_go() {
        let g = |s: &str| is_global_unicast(&s.parse().unwrap());
        assert!(g("10.1.1.1") && g("172.16.1.32") && g("192.168.0.1") && g("8.8.8.8") && g("2001:db8::1"));
        assert!(
            !g("127.0.0.1")
                && !g("0.0.0.0")
                && !g("169.254.1.1")
                && !g("224.0.0.1")
                && !g("255.255.255.255")
                && !g("fe80::1")
                && !g("::1")
        );
    }
}
