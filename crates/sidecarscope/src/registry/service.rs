//! Registry services: what Kubernetes Services and ServiceEntries become inside istiod
//! (`pilot/pkg/serviceregistry/kube/conversion.go` `ConvertService`,
//! `serviceentry/conversion.go` `convertServices`, `pkg/config/kube/conversion.go`).

use serde::Serialize;

use super::export_to::ExportTo;
use super::mesh_config::DEFAULT_DOMAIN;
use super::read::{list, set, str_of, string, string_map, strings, u32_of};
use super::time::CreationTime;
use crate::load::Resource;
use crate::protocol::Protocol;
use crate::validate::values::is_ip_address;
use crate::yaml::Node;
use crate::Labels;

/// Which registry a service comes from. Istio prefers Kubernetes Services over ServiceEntries
/// for the same hostname in several places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ServiceRegistry {
    Kubernetes,
    ServiceEntry,
}

/// Istio `model.Resolution`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ServiceResolution {
    #[serde(rename = "ClientSideLB")]
    ClientSideLb,
    #[serde(rename = "DNSLB")]
    DnsLb,
    #[serde(rename = "DNSRoundRobinLB")]
    DnsRoundRobinLb,
    Passthrough,
    Alias,
    #[serde(rename = "DynamicDNS")]
    DynamicDns,
}

/// A Kubernetes `targetPort`: a number, or the name of a container port.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum TargetPort {
    Number(u32),
    Name(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServicePort {
    pub number: u32,
    pub name: String,
    /// `None` is Istio's `UnsupportedProtocol`: the proxy sniffs the protocol ("auto").
    pub protocol: Option<Protocol>,
    /// Where traffic for this port goes on the workload; `None` means the port number itself.
    pub target_port: Option<TargetPort>,
}

impl ServicePort {
    /// Istio `Port.Equals`: name, number and protocol.
    pub fn same_as(&self, other: &ServicePort) -> bool {
        self.number == other.number && self.name == other.name && self.protocol == other.protocol
    }
}

/// The protocol as shown to users: Istio's canonical name, or `auto` for sniffing.
pub fn protocol_name(p: Option<Protocol>) -> &'static str {
    p.map_or("auto", |p| p.as_str())
}

/// One registry service: one hostname in one namespace.
#[derive(Debug, Clone)]
pub struct Service {
    pub hostname: String,
    pub namespace: String,
    /// Istio `Attributes.Name`: the Service's name, or the host for a ServiceEntry. Used to
    /// break creation-time ties.
    pub name: String,
    /// `metadata.name` of the Service or ServiceEntry.
    pub resource_name: String,
    pub registry: ServiceRegistry,
    pub ports: Vec<ServicePort>,
    pub resolution: ServiceResolution,
    /// The resource's own exportTo; `None` means the MeshConfig default applies.
    pub export_to: Option<ExportTo>,
    pub labels: Labels,
    /// Kubernetes `spec.selector` or ServiceEntry `workloadSelector.labels` (empty: none).
    pub selector: Labels,
    pub addresses: Vec<String>,
    pub mesh_external: bool,
    pub creation: CreationTime,
    /// Index of the resource in `Input::resources`.
    pub resource: usize,
}

impl Service {
    /// `Kind ns/name` of the resource it came from, for reasons shown to users.
    pub fn origin(&self) -> String {
        let kind = match self.registry {
            ServiceRegistry::Kubernetes => "Service",
            ServiceRegistry::ServiceEntry => "ServiceEntry",
        };
        format!("{kind} {}/{}", self.namespace, self.resource_name)
    }

    pub fn port(&self, number: u32) -> Option<&ServicePort> {
        self.ports.iter().find(|p| p.number == number)
    }
}

/// Istio `ServiceHostname`: `name.namespace.svc.cluster.local`.
pub fn kubernetes_hostname(name: &str, namespace: &str) -> String {
    format!("{name}.{namespace}.svc.{DEFAULT_DOMAIN}")
}

/// Istio `kube.ConvertService`.
pub fn from_kubernetes(r: &Resource, index: usize) -> Service {
    let empty = Node { kind: crate::yaml::NodeKind::Map(Box::default()), range: r.node.range };
    let spec = r.spec().filter(|s| s.as_map().is_some()).unwrap_or(&empty);
    let mut resolution = ServiceResolution::ClientSideLb;
    if string(spec, "type") == "ExternalName" && !string(spec, "externalName").is_empty() {
        resolution = ServiceResolution::Alias;
    }
    let cluster_ip = string(spec, "clusterIP");
    let mut addresses = Vec::new();
    if cluster_ip == "None" {
        resolution = ServiceResolution::Passthrough;
    } else if !cluster_ip.is_empty() {
        addresses = strings(spec, "clusterIPs");
        if addresses.len() <= 1 {
            addresses = vec![cluster_ip.to_string()];
        }
    }
    let ports = list(spec, "ports").iter().map(kubernetes_port).collect();
    let export_to = r
        .annotation("networking.istio.io/exportTo")
        .and_then(Node::scalar_text)
        .filter(|s| !s.is_empty())
        .map(|s| ExportTo::new(s.split(',').map(str::trim)));
    Service {
        hostname: kubernetes_hostname(&r.name, &r.namespace),
        namespace: r.namespace.clone(),
        name: r.name.clone(),
        resource_name: r.name.clone(),
        registry: ServiceRegistry::Kubernetes,
        ports,
        resolution,
        export_to,
        labels: string_map(r.node.at(&["metadata", "labels"])),
        selector: string_map(set(spec, "selector")),
        addresses,
        mesh_external: resolution == ServiceResolution::Alias,
        creation: CreationTime::parse(r.creation_timestamp()),
        resource: index,
    }
}

fn kubernetes_port(p: &Node) -> ServicePort {
    let number = u32_of(p, "port").unwrap_or(0);
    let name = string(p, "name").to_string();
    let target_port = set(p, "targetPort").and_then(|t| match t.as_int() {
        Some(n) => u32::try_from(n).ok().map(TargetPort::Number),
        None => t.as_str().filter(|s| !s.is_empty()).map(|s| TargetPort::Name(s.to_string())),
    });
    let protocol = convert_protocol(number, &name, string(p, "protocol"), str_of(p, "appProtocol"));
    ServicePort { number, name, protocol, target_port }
}

/// Istio `kube.ConvertProtocol`: UDP; else `appProtocol` (with Kubernetes' standard names),
/// else the port name's prefix before the first `-`; unknown means sniffing, except for a few
/// well-known ports that default to TCP.
pub fn convert_protocol(port: u32, name: &str, k8s_protocol: &str, app_protocol: Option<&str>) -> Option<Protocol> {
    if k8s_protocol == "UDP" {
        return Some(Protocol::Udp);
    }
    let mut name = name;
    if let Some(app) = app_protocol {
        match app {
            "kubernetes.io/h2c" => return Some(Protocol::Http2),
            "kubernetes.io/ws" => return Some(Protocol::Http),
            "kubernetes.io/wss" => return Some(Protocol::Https),
            _ => name = app,
        }
    }
    if name.len() >= 8 && name.is_char_boundary(8) && name[..8].eq_ignore_ascii_case("grpc-web") {
        return Some(Protocol::GrpcWeb);
    }
    let prefix = name.split('-').next().unwrap_or("");
    match Protocol::parse(prefix) {
        None if matches!(port, 25 | 53 | 3306 | 27017) => Some(Protocol::Tcp),
        p => p,
    }
}

/// Istio `serviceentry.convertServices`: one service per host (and per address when several
/// are listed), named after the host.
pub fn from_service_entry(r: &Resource, index: usize) -> Vec<Service> {
    let Some(spec) = r.spec().filter(|s| s.as_map().is_some()) else { return Vec::new() };
    let resolution = match string(spec, "resolution") {
        "STATIC" => ServiceResolution::ClientSideLb,
        "DNS" => ServiceResolution::DnsLb,
        "DNS_ROUND_ROBIN" => ServiceResolution::DnsRoundRobinLb,
        "DYNAMIC_DNS" => ServiceResolution::DynamicDns,
        _ => ServiceResolution::Passthrough,
    };
    let ports: Vec<ServicePort> = list(spec, "ports")
        .iter()
        .map(|p| ServicePort {
            number: u32_of(p, "number").unwrap_or(0),
            name: string(p, "name").to_string(),
            protocol: Protocol::parse(string(p, "protocol")),
            target_port: u32_of(p, "targetPort").filter(|n| *n != 0).map(TargetPort::Number),
        })
        .collect();
    let export_to = Some(strings(spec, "exportTo")).filter(|v| !v.is_empty()).map(ExportTo::new);
    let selector = string_map(set(spec, "workloadSelector").and_then(|w| set(w, "labels")));
    let labels = string_map(r.node.at(&["metadata", "labels"]));
    let declared = strings(spec, "addresses");
    // Only IPs and CIDRs are kept; a host whose listed addresses are all invalid yields nothing.
    let addresses: Vec<String> = declared
        .iter()
        .filter_map(|a| {
            if is_ip_address(a) {
                Some(a.clone())
            } else {
                let (ip, bits) = a.split_once('/')?;
                let bits: u32 = bits.parse().ok()?;
                let full = if ip.contains(':') { 128 } else { 32 };
                (is_ip_address(ip) && bits <= full).then(|| if bits == full { ip.to_string() } else { a.clone() })
            }
        })
        .collect();
    let creation = CreationTime::parse(r.creation_timestamp());
    let mesh_external = string(spec, "location") != "MESH_INTERNAL";
    let mut out = Vec::new();
    for host in strings(spec, "hosts") {
        let per_host: Vec<Vec<String>> =
            if declared.is_empty() { vec![Vec::new()] } else { addresses.iter().map(|a| vec![a.clone()]).collect() };
        for addrs in per_host {
            out.push(Service {
                hostname: host.clone(),
                namespace: r.namespace.clone(),
                name: host.clone(),
                resource_name: r.name.clone(),
                registry: ServiceRegistry::ServiceEntry,
                ports: ports.clone(),
                resolution,
                export_to: export_to.clone(),
                labels: labels.clone(),
                selector: selector.clone(),
                addresses: addrs,
                mesh_external,
                creation,
                resource: index,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_from_port_name_and_app_protocol() {
        assert_eq!(convert_protocol(80, "http-web", "", None), Some(Protocol::Http));
        assert_eq!(convert_protocol(80, "web", "", None), None);
        assert_eq!(convert_protocol(80, "tcp", "", None), Some(Protocol::Tcp));
        assert_eq!(convert_protocol(3306, "db", "", None), Some(Protocol::Tcp));
        assert_eq!(convert_protocol(80, "GRPC-Web-x", "", None), Some(Protocol::GrpcWeb));
        assert_eq!(convert_protocol(80, "http", "UDP", None), Some(Protocol::Udp));
        assert_eq!(convert_protocol(80, "tcp", "", Some("kubernetes.io/h2c")), Some(Protocol::Http2));
        assert_eq!(convert_protocol(80, "tcp", "", Some("https")), Some(Protocol::Https));
    }
}
