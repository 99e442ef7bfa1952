//! Workloads of the input: the pods whose proxies resolution is about. A Pod, the pod template of
//! a Deployment/StatefulSet/DaemonSet/ReplicaSet, or a WorkloadEntry (a VM or other non-pod
//! workload), each with the labels its proxy reports.

use serde::Serialize;

use crate::load::{Input, Resource, ResourceKind};
use crate::registry::labels::string_map;
use crate::source::SourceId;
use crate::text::TextRange;
use crate::yaml::fields::{list, set, str_of, string, u32_of};
use crate::yaml::Node;
use crate::Labels;

/// A named container port (`containerPort` with a `name`), used to resolve named `targetPort`s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedPort {
    pub name: String,
    pub number: u32,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Workload {
    pub namespace: String,
    pub name: String,
    /// `Pod`, `Deployment`, `StatefulSet`, `DaemonSet`, `ReplicaSet` or `WorkloadEntry`.
    pub kind: String,
    pub labels: Labels,
    /// Pod `status.podIP` or WorkloadEntry `spec.address`, when given.
    pub ip: Option<String>,
    /// Proxy metadata implied by the workload (e.g. `INTERCEPTION_MODE` from the
    /// `sidecar.istio.io/interceptionMode` annotation).
    pub metadata: Labels,
    /// Named container ports (WorkloadEntry `spec.ports`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<NamedPort>,
    /// The file the workload was read from.
    pub file: String,
    /// 1-based line of the resource in that file.
    pub line: u32,
    #[serde(skip)]
    pub source: SourceId,
    #[serde(skip)]
    pub range: TextRange,
    /// Index of the resource in `Input::resources`.
    #[serde(skip)]
    pub resource: usize,
    /// What analysis reads of the pod (template) besides its labels.
    #[serde(skip)]
    pub pod: PodFacts,
}

/// What analysis reads of a workload's pod or pod template besides its labels, read with the
/// rest of the workload so that its resource's tree is not needed afterwards
/// (`Registry::build_releasing_trees`).
#[derive(Debug, Clone, Default)]
pub struct PodFacts {
    /// Istio `util.PodInAmbientMode`: annotation `ambient.istio.io/redirection: enabled`.
    pub ambient: bool,
    /// A controller's `spec.replicas` when set (DaemonSets and Pods have none).
    pub replicas: Option<i128>,
    /// A ReplicaSet with an owner (its Deployment).
    pub owned: bool,
    /// Why the workload has no sidecar proxy that Sidecar resources configure, if so
    /// ([`no_sidecar_proxy`]).
    pub no_proxy: Option<&'static str>,
}

impl Workload {
    /// `namespace/name`, as `--workload` takes it.
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// Every workload of the input, in input order.
pub fn workloads(input: &Input) -> Vec<Workload> {
    input.resources.iter().enumerate().filter_map(|(i, r)| workload(input, r, i)).collect()
}

/// The workload of `input.resources[index]`, when it is one.
pub(crate) fn workload(input: &Input, r: &Resource, index: usize) -> Option<Workload> {
    if !r.kind.is_workload() {
        return None;
    }
    let spec = r.spec();
    let (labels, annotations, pod_spec, ip) = match r.kind {
        ResourceKind::Pod => {
            let ip = r.node.at(&["status", "podIP"]).and_then(Node::as_str).map(str::to_string);
            (r.node.at(&["metadata", "labels"]), r.node.at(&["metadata", "annotations"]), spec, ip)
        }
        ResourceKind::WorkloadEntry => {
            // Istio merges spec.labels and metadata.labels, metadata winning (`ConvertWorkloadEntry`).
            let mut labels = string_map(spec.and_then(|s| set(s, "labels")));
            labels.extend(string_map(r.node.at(&["metadata", "labels"])));
            let spec = spec?;
            let ports = set(spec, "ports")
                .and_then(Node::as_map)
                .map(|m| {
                    m.iter()
                        .filter_map(|e| {
                            Some(NamedPort {
                                name: e.key.scalar_text()?.to_string(),
                                number: u32::try_from(e.value.as_int()?).ok()?,
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            let ip = str_of(spec, "address").filter(|a| !a.is_empty()).map(str::to_string);
            return Some(finish(input, r, index, labels, r.node.at(&["metadata", "annotations"]), None, ip, ports));
        }
        _ => {
            let template = spec.and_then(|s| set(s, "template"));
            let meta = template.and_then(|t| set(t, "metadata"));
            (
                meta.and_then(|m| set(m, "labels")),
                meta.and_then(|m| set(m, "annotations")),
                template.and_then(|t| set(t, "spec")),
                None,
            )
        }
    };
    Some(finish(input, r, index, string_map(labels), annotations, pod_spec, ip, Vec::new()))
}

#[allow(clippy::too_many_arguments)]
fn finish(
    input: &Input,
    r: &Resource,
    index: usize,
    labels: Labels,
    annotations: Option<&Node>,
    pod_spec: Option<&Node>,
    ip: Option<String>,
    mut ports: Vec<NamedPort>,
) -> Workload {
    if let Some(spec) = pod_spec {
        for c in list(spec, "containers") {
            for p in list(c, "ports") {
                let name = string(p, "name");
                if let (false, Some(number)) = (name.is_empty(), u32_of(p, "containerPort")) {
                    ports.push(NamedPort { name: name.to_string(), number });
                }
            }
        }
    }
    let mut metadata = Labels::new();
    if let Some(mode) = annotations.and_then(|a| str_of(a, "sidecar.istio.io/interceptionMode")) {
        metadata.insert("INTERCEPTION_MODE".to_string(), mode.to_string());
    }
    let src = input.source(r.source);
    let pod = PodFacts {
        ambient: annotations.and_then(|a| a.get("ambient.istio.io/redirection")).and_then(Node::scalar_text)
            == Some("enabled"),
        replicas: if r.kind.is_controller() && r.kind != ResourceKind::DaemonSet {
            r.spec().and_then(|s| set(s, "replicas")).and_then(Node::as_int)
        } else {
            None
        },
        owned: r.kind == ResourceKind::ReplicaSet
            && r.node.at(&["metadata", "ownerReferences"]).and_then(Node::as_seq).is_some_and(|s| !s.is_empty()),
        no_proxy: no_sidecar_proxy(r),
    };
    Workload {
        namespace: r.namespace.clone(),
        name: r.name.clone(),
        kind: r.kind_name.clone(),
        labels,
        ip,
        metadata,
        ports,
        file: src.name.clone(),
        line: src.line_col(r.node.range.start).line,
        source: r.source,
        range: r.node.range,
        resource: index,
        pod,
    }
}

/// Why a workload has no sidecar proxy that Sidecar resources configure, if so: injection
/// disabled (`sidecar.istio.io/inject: "false"` on the pod or its template), or a gateway
/// (istiod computes a SidecarScope only for sidecar proxies, not for routers).
pub(crate) fn no_sidecar_proxy(r: &Resource) -> Option<&'static str> {
    let meta = match r.kind {
        ResourceKind::Pod => r.metadata(),
        ResourceKind::WorkloadEntry => return None,
        _ => r.spec().and_then(|s| set(s, "template")).and_then(|t| set(t, "metadata")),
    };
    let get =
        |map: &str, key: &str| meta.and_then(|m| set(m, map)).and_then(|m| m.get(key)).and_then(Node::scalar_text);
    if get("labels", "sidecar.istio.io/inject") == Some("false")
        || get("annotations", "sidecar.istio.io/inject") == Some("false")
    {
        return Some("sidecar.istio.io/inject is \"false\"");
    }
    let gateway = get("labels", "istio").is_some_and(|v| v.contains("gateway"))
        || get("annotations", "inject.istio.io/templates").is_some_and(|v| v.contains("gateway"))
        || get("labels", "gateway.networking.k8s.io/gateway-name").is_some();
    gateway.then_some("it is a gateway; Sidecar resources do not apply to gateways")
}
