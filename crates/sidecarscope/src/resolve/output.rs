//! Small serializable pieces of a [`Resolution`](super::Resolution): ports and shared lists.

use std::ops::Deref;
use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::protocol::ProtocolName;
use crate::registry::ServicePort;

/// A service port as shown to users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortInfo {
    pub number: u32,
    /// Istio's protocol name (`HTTP`, `TCP`, `GRPC`...) or `auto` (protocol sniffing).
    pub protocol: ProtocolName,
    pub name: String,
}

pub(crate) fn port_info(p: &ServicePort) -> PortInfo {
    PortInfo { number: p.number, protocol: ProtocolName(p.protocol), name: p.name.clone() }
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
