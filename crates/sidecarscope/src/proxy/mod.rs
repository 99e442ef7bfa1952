//! The proxy a question is about, and what istiod knows of it besides its Sidecar: the proxy
//! itself (namespace, labels, addresses, node metadata), istiod's feature flags
//! (`istiod.rs`), and the facts of the proxy that shape its listeners (`facts.rs`). Resolution,
//! listeners and trace all read these; none of them owns them.

pub(crate) mod facts;
pub mod istiod;

use serde::{Deserialize, Serialize};

use crate::workload::Workload;
use crate::Labels;

pub use istiod::IstiodEnv;

/// The proxy whose configuration is asked for: a sidecar in `namespace` with a workload's labels.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proxy {
    pub namespace: String,
    #[serde(default)]
    pub labels: Labels,
    #[serde(default)]
    pub ip: Option<String>,
    /// Node metadata, e.g. `INTERCEPTION_MODE=NONE`, `UNPRIVILEGED_POD=true`.
    #[serde(default)]
    pub metadata: Labels,
}

impl Proxy {
    pub fn new(namespace: impl Into<String>) -> Proxy {
        Proxy { namespace: namespace.into(), ..Proxy::default() }
    }

    /// The proxy of a workload of the input.
    pub fn for_workload(w: &Workload) -> Proxy {
        Proxy {
            namespace: w.namespace.clone(),
            labels: w.labels.clone(),
            ip: w.ip.clone(),
            metadata: w.metadata.clone(),
        }
    }
}
