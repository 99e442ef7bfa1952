//! Small serializable pieces of a [`Resolution`](super::Resolution): ports, shared lists and
//! YAML settings echoed as JSON.

use std::ops::Deref;
use std::sync::Arc;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::registry::{protocol_name, ServicePort};
use crate::yaml::{Node, NodeKind, Resolved, View};

/// A service port as shown to users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortInfo {
    pub number: u32,
    /// Istio's protocol name (`HTTP`, `TCP`, `GRPC`...) or `auto` (protocol sniffing).
    pub protocol: &'static str,
    pub name: String,
}

pub(crate) fn port_info(p: &ServicePort) -> PortInfo {
    PortInfo { number: p.number, protocol: protocol_name(p.protocol), name: p.name.clone() }
}

/// A value shared by every proxy with the same SidecarScope (same Sidecar, same namespace), so
/// resolving thousands of workloads does not copy the same lists thousands of times. Serializes
/// as the value itself.
#[derive(Debug)]
pub struct Shared<T>(Arc<T>);

impl<T> Shared<T> {
    pub fn new(value: T) -> Shared<T> {
        Shared(Arc::new(value))
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// Settings copied from the input (a connection pool, an `egressProxy`), serialized as the
/// equivalent JSON: mappings, lists, and scalars with YAML 1.1 typing (`5s` stays a string).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings(pub Node);

impl Settings {
    /// An empty mapping: Istio's built-in defaults apply.
    pub fn empty() -> Settings {
        Settings(Node { kind: NodeKind::Map(Box::default()), range: Default::default() })
    }
    pub fn is_empty(&self) -> bool {
        self.0.as_map().is_some_and(|m| m.is_empty())
    }
}

impl Serialize for Settings {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        NodeJson(&self.0).serialize(s)
    }
}

struct NodeJson<'a>(&'a Node);

impl Serialize for NodeJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.view() {
            View::Map(entries) => {
                let mut m = s.serialize_map(Some(entries.len()))?;
                for e in entries {
                    m.serialize_entry(e.key.scalar_text().unwrap_or(""), &NodeJson(&e.value))?;
                }
                m.end()
            }
            View::Seq(items) => {
                let mut q = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    q.serialize_element(&NodeJson(i))?;
                }
                q.end()
            }
            View::Scalar(sc) => match sc.resolve() {
                Resolved::Null => s.serialize_unit(),
                Resolved::Bool(b) => s.serialize_bool(b),
                Resolved::Int(i) => match i64::try_from(i) {
                    Ok(i) => s.serialize_i64(i),
                    Err(_) => s.serialize_f64(i as f64),
                },
                Resolved::Float(f) if f.is_finite() => s.serialize_f64(f),
                Resolved::Float(_) => s.serialize_str(&sc.value),
                Resolved::Str(v) => s.serialize_str(v),
            },
        }
    }
}
