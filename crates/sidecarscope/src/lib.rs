//! Sidecarscope core: loads Kubernetes/Istio YAML with source positions and reproduces what
//! Istio does with `Sidecar` resources. No I/O, no wasm, no DOM: every front end calls this API.
//!
//! The API a front end calls is the [`Workspace`]: it owns the sources and the options, and
//! answers validate, analyze, resolve, listeners and trace (arguments as [`ProxySpec`] and
//! [`CallSpec`]); [`render`] writes any result in any format. The free functions ([`load`],
//! [`validate`], [`analyze`], [`resolve`], [`listeners`], [`trace`]) are its building blocks.

#![forbid(unsafe_code)]

pub mod analyze;
pub mod diagnostic;
pub mod go;
pub mod host;
pub mod ide;
pub mod impact;
pub mod listeners;
pub mod load;
pub mod protocol;
pub mod proxy;
pub mod registry;
pub mod render;
pub mod report;
pub mod resolve;
pub mod sarif;
pub mod source;
pub mod suggest;
pub mod suppress;
pub mod text;
pub mod tighten;
pub mod trace;
pub mod validate;
pub mod workload;
pub mod workspace;
pub mod yaml;

pub use analyze::{analyze, analyze_releasing_trees};
pub use diagnostic::{Code, Diagnostic, ResourceRef, Severity};
pub use listeners::{listeners, listeners_with, ListenerGenerator, ListenerSet};
pub use load::{
    load, load_text, load_with_default_namespace, Input, Loading, Resource, ResourceKind, DEFAULT_NAMESPACE,
};
pub use registry::labels::Labels;
pub use registry::Registry;
pub use resolve::{resolve, resolve_with, resolve_workloads, Proxy, Resolution, Resolver};
pub use source::{SourceFile, SourceId};
pub use validate::validate;
pub use workload::{workloads, Workload};
pub use workspace::{CallSpec, Findings, Options, ProxySpec, Session, Spelling, Workspace};

/// The version of this crate, as `sidecarscope --version` and the wasm `version()` report it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
