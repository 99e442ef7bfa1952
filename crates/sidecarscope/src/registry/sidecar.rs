//! Sidecar resources as istiod holds them for SidecarScope computation: read leniently (Istio
//! resolves whatever is stored; validation is a separate concern).

use super::labels::string_map;
use super::policy::{OutboundPolicy, Settings};
use super::time::CreationTime;
use crate::load::Resource;
use crate::protocol::{DeclaredProtocol, Protocol};
use crate::text::TextRange;
use crate::yaml::fields::{list, set, string, strings, u32_of};
use crate::yaml::Node;
use crate::Labels;

/// `port` of an egress or ingress listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenerPort {
    pub number: u32,
    /// `None` when unset or empty (sniffed).
    pub protocol: Option<DeclaredProtocol>,
    pub name: String,
}

impl ListenerPort {
    /// The protocol when Istio recognises it (`protocol.Parse`).
    pub fn known_protocol(&self) -> Option<Protocol> {
        self.protocol.as_ref().and_then(DeclaredProtocol::known)
    }
}

#[derive(Debug, Clone)]
pub struct EgressListenerConfig {
    /// `None` for a listener without `port`: the catch-all listener.
    pub port: Option<ListenerPort>,
    pub bind: String,
    pub capture_mode: String,
    pub hosts: Vec<String>,
}

impl EgressListenerConfig {
    /// The listener Istio synthesizes when a Sidecar has no `egress`: hosts `*/*`.
    pub fn catch_all_default() -> EgressListenerConfig {
        EgressListenerConfig { port: None, bind: String::new(), capture_mode: String::new(), hosts: vec!["*/*".into()] }
    }
}

#[derive(Debug, Clone)]
pub struct IngressListenerConfig {
    pub port: ListenerPort,
    pub bind: String,
    pub capture_mode: String,
    pub default_endpoint: String,
    pub connection_pool: Option<Settings>,
    pub has_tls: bool,
    /// `tls.mode` as written (empty when unset), for the inbound chain's TLS.
    pub tls_mode: String,
}

#[derive(Debug, Clone)]
pub struct SidecarConfig {
    pub namespace: String,
    pub name: String,
    /// `workloadSelector.labels` when `workloadSelector` is present (even empty).
    pub workload_selector: Option<Labels>,
    /// The range of the `egress` key when written (even `null`), for diagnostics.
    pub egress_key: Option<TextRange>,
    /// The range of the `workloadSelector` key when written (even `null`), for diagnostics.
    pub workload_selector_key: Option<TextRange>,
    /// The key range of each `workloadSelector.labels` entry, in written order.
    pub workload_selector_label_keys: Vec<(String, TextRange)>,
    /// `spec.egress` as written (empty when absent or `[]`).
    pub egress: Vec<EgressListenerConfig>,
    pub ingress: Vec<IngressListenerConfig>,
    /// `outboundTrafficPolicy` when set (its mode `REGISTRY_ONLY` when omitted, enum value 0).
    pub outbound_traffic_policy: Option<OutboundPolicy>,
    pub inbound_connection_pool: Option<Settings>,
    pub creation: CreationTime,
    pub resource: usize,
    /// Istio's validation errors for this Sidecar (it would be rejected at admission).
    pub validation_errors: Vec<String>,
}

impl SidecarConfig {
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

fn listener_port(n: &Node) -> ListenerPort {
    ListenerPort {
        number: u32_of(n, "number").unwrap_or(0),
        protocol: DeclaredProtocol::parse(string(n, "protocol")),
        name: string(n, "name").to_string(),
    }
}

pub fn from_resource(r: &Resource, index: usize) -> SidecarConfig {
    from_resource_validated(r, index, None)
}

/// The first errors of a Sidecar's validation, as [`SidecarConfig::validation_errors`] keeps them.
pub fn validation_errors(diags: &[crate::Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.severity == crate::diagnostic::Severity::Error)
        .map(|d| d.message.clone())
        .take(3)
        .collect()
}

/// [`from_resource`] with the Sidecar's validation errors when the caller has validated it
/// already ([`validation_errors`] of `validate_sidecar`), so that analysis validates once.
pub fn from_resource_validated(r: &Resource, index: usize, validated: Option<Vec<String>>) -> SidecarConfig {
    let empty = Node { kind: crate::yaml::NodeKind::Map(Box::default()), range: r.node.range };
    let spec = r.spec().filter(|s| s.as_map().is_some()).unwrap_or(&empty);
    let egress = list(spec, "egress")
        .iter()
        .map(|e| EgressListenerConfig {
            port: set(e, "port").map(listener_port),
            bind: string(e, "bind").to_string(),
            capture_mode: string(e, "captureMode").to_string(),
            hosts: strings(e, "hosts"),
        })
        .collect();
    let ingress = list(spec, "ingress")
        .iter()
        .map(|i| IngressListenerConfig {
            port: set(i, "port").map(listener_port).unwrap_or(ListenerPort {
                number: 0,
                protocol: None,
                name: String::new(),
            }),
            bind: string(i, "bind").to_string(),
            capture_mode: string(i, "captureMode").to_string(),
            default_endpoint: string(i, "defaultEndpoint").to_string(),
            connection_pool: set(i, "connectionPool").map(Settings::read),
            has_tls: set(i, "tls").is_some(),
            tls_mode: set(i, "tls").map(|t| string(t, "mode").to_string()).unwrap_or_default(),
        })
        .collect();
    let validation_errors = validated.unwrap_or_else(|| validation_errors(&crate::validate::validate_sidecar(r)));
    SidecarConfig {
        namespace: r.namespace.clone(),
        name: r.name.clone(),
        workload_selector: set(spec, "workloadSelector").map(|w| string_map(set(w, "labels"))),
        egress_key: spec.entry("egress").map(|e| e.key.range),
        workload_selector_key: spec.entry("workloadSelector").map(|e| e.key.range),
        workload_selector_label_keys: spec
            .get("workloadSelector")
            .and_then(|w| w.get("labels"))
            .and_then(Node::as_map)
            .unwrap_or(&[])
            .iter()
            .filter_map(|e| Some((e.key.scalar_text()?.to_string(), e.key.range)))
            .collect(),
        egress,
        ingress,
        outbound_traffic_policy: OutboundPolicy::read(spec),
        inbound_connection_pool: set(spec, "inboundConnectionPool").map(Settings::read),
        creation: CreationTime::parse(r.creation_timestamp()),
        resource: index,
        validation_errors,
    }
}
