//! Sidecarscope core: loads Kubernetes/Istio YAML with source positions and reproduces what
//! Istio does with `Sidecar` resources. No I/O, no wasm, no DOM: every front end calls this API.
//!
//! The API, in the order a front end uses it: [`load`] the texts, then [`validate`] or [`analyze`]
//! (and, as they land, resolve, listeners, trace), then turn results into JSON-ready
//! structures or text with [`report`].

#![forbid(unsafe_code)]

pub mod analyze;
pub mod diagnostic;
pub mod host;
pub mod listeners;
pub mod load;
pub mod protocol;
pub mod proxy;
pub mod registry;
pub mod report;
pub mod resolve;
pub mod sarif;
pub mod source;
pub mod suppress;
pub mod text;
pub mod trace;
pub mod validate;
pub mod workload;
pub mod yaml;

pub use analyze::{analyze, analyze_releasing_trees};
pub use diagnostic::{Code, Diagnostic, ResourceRef, Severity};
pub use listeners::{listeners, listeners_with, ListenerGenerator, ListenerSet};
pub use load::{
    load, load_text, load_with_default_namespace, Input, Loading, Resource, ResourceKind, DEFAULT_NAMESPACE,
};
pub use registry::read::Labels;
pub use registry::Registry;
pub use resolve::{resolve, resolve_with, resolve_workloads, Proxy, Resolution, Resolver};
pub use source::{SourceFile, SourceId};
pub use validate::validate;
pub use workload::{workloads, Workload};

/// The version of this crate, as `sidecarscope --version` and the wasm `version()` report it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
