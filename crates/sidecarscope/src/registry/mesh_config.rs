//! The MeshConfig settings resolution depends on, read from the `istio` ConfigMap's
//! `data.mesh`, with Istio's defaults (`pkg/config/mesh/mesh.go` `DefaultMeshConfig`) for
//! everything the user did not set.

use serde::Serialize;

use super::read::{set, str_of, strings, u32_of};
use crate::load::{mesh_config_node, Input, ResourceKind};
use crate::yaml::Node;

/// Istio's default root namespace (`constants.IstioSystemNamespace`).
pub const DEFAULT_ROOT_NAMESPACE: &str = "istio-system";
/// istiod's `--domain` default; Kubernetes Service hostnames end with it.
pub const DEFAULT_DOMAIN: &str = "cluster.local";

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MeshSettings {
    pub root_namespace: String,
    /// `outboundTrafficPolicy.mode`: `ALLOW_ANY` (default), `REGISTRY_ONLY` or
    /// `ALLOW_ANY_DYNAMIC_DNS` (MeshConfig-only), as written.
    pub outbound_traffic_policy_mode: String,
    pub default_service_export_to: Vec<String>,
    pub default_virtual_service_export_to: Vec<String>,
    pub default_destination_rule_export_to: Vec<String>,
    /// `defaultTrafficPolicy.connectionPool`, when set.
    #[serde(skip)]
    pub default_connection_pool: Option<Node>,
    /// `serviceEntryVisibility.applyToSidecars`; only ever narrows visibility (not modelled).
    pub service_entry_visibility_apply_to_sidecars: bool,
    /// `proxyListenPort` (virtualOutbound; 15001). istiod builds no sidecar listeners at 0.
    pub proxy_listen_port: u32,
    /// `proxyInboundListenPort` (virtualInbound; 15006).
    pub proxy_inbound_listen_port: u32,
    /// `proxyHttpPort`: the mesh-wide HTTP proxy listener port (0: none).
    pub proxy_http_port: u32,
    /// `namespace/name` of the ConfigMap read, or `None` when Istio's defaults apply.
    pub config_map: Option<String>,
    /// Whether `outboundTrafficPolicy` was set in the ConfigMap (else Istio's default).
    pub outbound_traffic_policy_set: bool,
    /// Problems reading the ConfigMap, in plain words.
    pub notes: Vec<String>,
}

impl Default for MeshSettings {
    fn default() -> Self {
        MeshSettings {
            root_namespace: DEFAULT_ROOT_NAMESPACE.into(),
            outbound_traffic_policy_mode: "ALLOW_ANY".into(),
            default_service_export_to: vec!["*".into()],
            default_virtual_service_export_to: vec!["*".into()],
            default_destination_rule_export_to: vec!["*".into()],
            default_connection_pool: None,
            service_entry_visibility_apply_to_sidecars: false,
            proxy_listen_port: 15001,
            proxy_inbound_listen_port: 15006,
            proxy_http_port: 0,
            config_map: None,
            outbound_traffic_policy_set: false,
            notes: Vec::new(),
        }
    }
}

impl MeshSettings {
    /// Reads the mesh ConfigMap of the input: the one in `istio-system` if there are several.
    pub fn from_input(input: &Input) -> MeshSettings {
        let mut mesh = MeshSettings::default();
        let maps: Vec<_> = input.of_kind(ResourceKind::MeshConfigMap).collect();
        let Some(cm) = maps.iter().find(|r| r.namespace == DEFAULT_ROOT_NAMESPACE).or(maps.first()) else {
            return mesh;
        };
        let id = format!("{}/{}", cm.namespace, cm.name);
        if maps.len() > 1 {
            mesh.notes.push(format!("{} mesh ConfigMaps named istio; using {id}", maps.len()));
        }
        match mesh_config_node(cm, input.source(cm.source)) {
            Ok(Some(node)) => mesh.apply(&node),
            Ok(None) => {}
            Err(d) => mesh.notes.push(format!("{id}: {}; Istio's MeshConfig defaults are used instead", d.message)),
        }
        mesh.config_map = Some(id);
        mesh
    }

    /// Applies set fields over the defaults, as Istio's `ApplyMeshConfig` does: a field the user
    /// sets replaces the default wholesale.
    fn apply(&mut self, node: &Node) {
        if let Some(ns) = str_of(node, "rootNamespace").filter(|s| !s.is_empty()) {
            self.root_namespace = ns.to_string();
        }
        if let Some(otp) = set(node, "outboundTrafficPolicy") {
            // An empty message decodes to enum value 0, REGISTRY_ONLY.
            self.outbound_traffic_policy_mode = str_of(otp, "mode").unwrap_or("REGISTRY_ONLY").to_string();
            self.outbound_traffic_policy_set = true;
        }
        for (key, field) in [
            ("defaultServiceExportTo", &mut self.default_service_export_to),
            ("defaultVirtualServiceExportTo", &mut self.default_virtual_service_export_to),
            ("defaultDestinationRuleExportTo", &mut self.default_destination_rule_export_to),
        ] {
            let v = strings(node, key);
            if !v.is_empty() {
                *field = v;
            }
        }
        self.default_connection_pool =
            set(node, "defaultTrafficPolicy").and_then(|p| set(p, "connectionPool")).cloned();
        self.service_entry_visibility_apply_to_sidecars = set(node, "serviceEntryVisibility")
            .and_then(|v| set(v, "applyToSidecars"))
            .and_then(Node::as_bool)
            .unwrap_or(false);
        for (key, field) in [
            ("proxyListenPort", &mut self.proxy_listen_port),
            ("proxyInboundListenPort", &mut self.proxy_inbound_listen_port),
            ("proxyHttpPort", &mut self.proxy_http_port),
        ] {
            if let Some(port) = u32_of(node, key) {
                *field = port;
            }
        }
    }

    /// Where the outbound policy comes from when no Sidecar sets one, for reasons shown to users.
    pub fn outbound_source(&self) -> String {
        match (&self.config_map, self.outbound_traffic_policy_set) {
            (Some(cm), true) => format!("MeshConfig outboundTrafficPolicy (ConfigMap {cm})"),
            (Some(cm), false) => {
                format!("MeshConfig default ALLOW_ANY (ConfigMap {cm} does not set outboundTrafficPolicy)")
            }
            (None, _) => "MeshConfig default ALLOW_ANY (no istio ConfigMap in the input)".to_string(),
        }
    }
}
