//! PeerAuthentications as typed values, read once by the registry, and the mTLS mode of each
//! inbound port they give a proxy (Istio
//! `getConfigsForWorkload`, `ComposePeerAuthentication`, `policyApplier.GetMutualTLSModeForPort`):
//! the narrowest policy wins (workload, then namespace, then the root namespace's), the oldest
//! within a level, and an unset mode inherits from the level above.

use std::collections::BTreeMap;

use super::labels::{labels_subset, string_map};
use super::CreationTime;
use crate::load::{Input, ResourceKind};
use crate::resolve::Proxy;
use crate::yaml::fields::{set, str_of};
use crate::Labels;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MtlsMode {
    Disable,
    Permissive,
    Strict,
}

impl MtlsMode {
    pub fn name(self) -> &'static str {
        match self {
            MtlsMode::Disable => "DISABLE",
            MtlsMode::Permissive => "PERMISSIVE",
            MtlsMode::Strict => "STRICT",
        }
    }
    /// `None` is UNSET (inherit).
    fn parse(s: Option<&str>) -> Option<MtlsMode> {
        match s? {
            "DISABLE" => Some(MtlsMode::Disable),
            "PERMISSIVE" => Some(MtlsMode::Permissive),
            "STRICT" => Some(MtlsMode::Strict),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct PeerAuthentication {
    pub namespace: String,
    pub name: String,
    /// `selector.matchLabels`; empty means namespace-wide (or mesh-wide in the root namespace).
    pub selector: Labels,
    /// `mtls.mode`; `None` is UNSET (inherit).
    pub mode: Option<MtlsMode>,
    /// `portLevelMtls`: port -> mode (`None`: UNSET).
    pub port_level: BTreeMap<u32, Option<MtlsMode>>,
    pub creation: CreationTime,
}

/// Every PeerAuthentication of the input, oldest first (ties: name).
#[derive(Debug, Clone, Default)]
pub struct PeerAuthentications(pub Vec<PeerAuthentication>);

/// The composed policy for one workload.
#[derive(Debug, Clone)]
pub struct Mtls {
    pub mode: MtlsMode,
    pub per_port: BTreeMap<u32, MtlsMode>,
    /// Which policies decided, in plain words.
    pub source: String,
}

impl Mtls {
    pub fn for_port(&self, port: u32) -> MtlsMode {
        self.per_port.get(&port).copied().unwrap_or(self.mode)
    }
}

impl PeerAuthentications {
    pub fn build(input: &Input) -> PeerAuthentications {
        let mut out: Vec<PeerAuthentication> = input
            .of_kind(ResourceKind::PeerAuthentication)
            .map(|r| {
                let spec = r.spec();
                let mtls = spec.and_then(|s| set(s, "mtls"));
                let port_level = spec
                    .and_then(|s| set(s, "portLevelMtls"))
                    .and_then(|p| p.as_map())
                    .map(|entries| {
                        entries
                            .iter()
                            .filter_map(|e| {
                                let port = e.key.scalar_text()?.parse::<u32>().ok()?;
                                Some((port, MtlsMode::parse(str_of(&e.value, "mode"))))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                PeerAuthentication {
                    namespace: r.namespace.clone(),
                    name: r.name.clone(),
                    selector: string_map(spec.and_then(|s| set(s, "selector")).and_then(|s| set(s, "matchLabels"))),
                    mode: MtlsMode::parse(mtls.and_then(|m| str_of(m, "mode"))),
                    port_level,
                    creation: CreationTime::parse(r.creation_timestamp()),
                }
            })
            .collect();
        out.sort_by(|a, b| (a.creation, &a.name).cmp(&(b.creation, &b.name)));
        PeerAuthentications(out)
    }

    /// Istio `ComposePeerAuthentication` over the policies that apply to the proxy.
    pub fn for_proxy(&self, proxy: &Proxy, root_namespace: &str) -> Mtls {
        let applies = |p: &&PeerAuthentication| {
            (p.namespace == proxy.namespace || p.namespace == root_namespace)
                && labels_subset(&p.selector, &proxy.labels)
        };
        // Oldest first, so the first found at each level is the one Istio keeps.
        let mut mesh = None;
        let mut namespace = None;
        let mut workload = None;
        for p in self.0.iter().filter(applies) {
            if p.selector.is_empty() {
                let slot = if p.namespace == root_namespace { &mut mesh } else { &mut namespace };
                slot.get_or_insert(p);
            } else if p.namespace != root_namespace {
                workload.get_or_insert(p);
            }
        }
        let mut mode = MtlsMode::Permissive;
        let mut decided = "no PeerAuthentication sets a mode, so PERMISSIVE (Istio's default)".to_string();
        for (level, p) in [("mesh-wide", mesh), ("namespace-wide", namespace), ("workload", workload)] {
            if let Some(m) = p.and_then(|p| p.mode.map(|m| (p, m))) {
                mode = m.1;
                decided = format!("{} from the {level} PeerAuthentication {}/{}", m.1.name(), m.0.namespace, m.0.name);
            }
        }
        let mut per_port = BTreeMap::new();
        if let Some(w) = workload {
            for (port, m) in &w.port_level {
                per_port.insert(*port, m.unwrap_or(mode));
            }
            if !w.port_level.is_empty() {
                decided.push_str(&format!("; port-level modes from {}/{}", w.namespace, w.name));
            }
        }
        Mtls { mode, per_port, source: decided }
    }
}
