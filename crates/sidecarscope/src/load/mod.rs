//! Loading: source texts -> resources, recognised by apiVersion and kind.
//!
//! Accepts anything a user pastes: multi-document YAML, `kind: List`, JSON, empty and
//! comment-only documents, CRLF line ends. Other kinds are kept and reported once as ignored.

mod mesh_config_map;

use std::collections::BTreeSet;

use crate::diagnostic::{Code, Diagnostic, ResourceRef};
use crate::source::{SourceFile, SourceId};
use crate::text::TextRange;
use crate::yaml::{self, Entry, Node, NodeKind, Resolved, View, YamlErrorKind};

pub use mesh_config_map::{mesh_config_node, MESH_CONFIGMAP_NAME};

/// What Sidecarscope understands a resource to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceKind {
    Sidecar,
    Service,
    ServiceEntry,
    VirtualService,
    DestinationRule,
    PeerAuthentication,
    WorkloadEntry,
    Pod,
    Deployment,
    StatefulSet,
    DaemonSet,
    ReplicaSet,
    Namespace,
    /// The mesh ConfigMap (`istio` in the Istio namespace) whose `data.mesh` is MeshConfig.
    MeshConfigMap,
    Other,
}

impl ResourceKind {
    /// Recognises a resource by group and kind; `Err` when the kind is known but the version
    /// is not served.
    fn recognise(api_version: &str, kind: &str, name: &str) -> Result<ResourceKind, ()> {
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let istio_net = ["v1", "v1beta1", "v1alpha3"];
        let k = match (group, kind) {
            ("networking.istio.io", "Sidecar") => (ResourceKind::Sidecar, &istio_net[..]),
            ("networking.istio.io", "ServiceEntry") => (ResourceKind::ServiceEntry, &istio_net[..]),
            ("networking.istio.io", "VirtualService") => (ResourceKind::VirtualService, &istio_net[..]),
            ("networking.istio.io", "DestinationRule") => (ResourceKind::DestinationRule, &istio_net[..]),
            ("networking.istio.io", "WorkloadEntry") => (ResourceKind::WorkloadEntry, &istio_net[..]),
            ("security.istio.io", "PeerAuthentication") => (ResourceKind::PeerAuthentication, &["v1", "v1beta1"][..]),
            ("", "Service") => (ResourceKind::Service, &["v1"][..]),
            ("", "Pod") => (ResourceKind::Pod, &["v1"][..]),
            ("", "Namespace") => (ResourceKind::Namespace, &["v1"][..]),
            ("", "ConfigMap") if name == MESH_CONFIGMAP_NAME => (ResourceKind::MeshConfigMap, &["v1"][..]),
            ("apps", "Deployment") => (ResourceKind::Deployment, &["v1"][..]),
            ("apps", "StatefulSet") => (ResourceKind::StatefulSet, &["v1"][..]),
            ("apps", "DaemonSet") => (ResourceKind::DaemonSet, &["v1"][..]),
            ("apps", "ReplicaSet") => (ResourceKind::ReplicaSet, &["v1"][..]),
            _ => return Ok(ResourceKind::Other),
        };
        if k.1.contains(&version) {
            Ok(k.0)
        } else {
            Err(())
        }
    }

    pub fn is_workload(self) -> bool {
        matches!(
            self,
            ResourceKind::Pod
                | ResourceKind::Deployment
                | ResourceKind::StatefulSet
                | ResourceKind::DaemonSet
                | ResourceKind::ReplicaSet
                | ResourceKind::WorkloadEntry
        )
    }

    /// A Deployment, StatefulSet, DaemonSet or ReplicaSet: a pod template that runs pods.
    pub fn is_controller(self) -> bool {
        matches!(
            self,
            ResourceKind::Deployment | ResourceKind::StatefulSet | ResourceKind::DaemonSet | ResourceKind::ReplicaSet
        )
    }
}

/// One Kubernetes resource of the input.
#[derive(Debug, Clone)]
pub struct Resource {
    pub source: SourceId,
    pub kind: ResourceKind,
    pub api_version: String,
    /// The `kind` as written.
    pub kind_name: String,
    pub name: String,
    /// `metadata.namespace`, or `default` when absent (as `kubectl apply` would put it).
    pub namespace: String,
    pub namespace_explicit: bool,
    /// The whole resource mapping; after [`Resource::release_tree`], only its annotations.
    pub node: Node,
    /// Position in the input (files in order, documents in order, List items in order).
    pub order: usize,
}

impl Resource {
    pub fn reference(&self) -> ResourceRef {
        ResourceRef {
            api_version: self.api_version.clone(),
            kind: self.kind_name.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
        }
    }
    pub fn spec(&self) -> Option<&Node> {
        self.node.get("spec")
    }
    pub fn metadata(&self) -> Option<&Node> {
        self.node.get("metadata")
    }
    /// `metadata.labels` as string pairs (non-string scalars as written).
    pub fn labels(&self) -> Vec<(String, String)> {
        string_map(self.node.at(&["metadata", "labels"]))
    }
    /// The range of the field at a dotted path with indices (`spec.egress[0].port`), else of
    /// the whole resource: how a finding or a source link past the registry points into the
    /// input without reading it.
    pub fn range_at(&self, path: &str) -> TextRange {
        let mut node = &self.node;
        for part in path.split('.').filter(|p| !p.is_empty()) {
            let (key, indices) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            let next = if key.is_empty() { Some(node) } else { node.get(key) };
            let Some(mut n) = next else { return self.node.range };
            for idx in indices.split('[').filter(|s| !s.is_empty()) {
                let Some(item) = idx.trim_end_matches(']').parse::<usize>().ok().and_then(|i| n.as_seq()?.get(i))
                else {
                    return self.node.range;
                };
                n = item;
            }
            node = n;
        }
        node.range
    }
    /// Whether `other` (a version of this resource from another input) says the same thing:
    /// the same tree, wherever and however it is written (`Node::same_content`). The same text
    /// without aliases is the same tree, and is compared first (a memory comparison).
    pub fn same_content(&self, input: &Input, other: &Resource, other_input: &Input) -> bool {
        let a = input.source(self.source).slice(self.node.range);
        let b = other_input.source(other.source).slice(other.node.range);
        if a == b && !a.contains('*') && !a.is_empty() {
            return true;
        }
        self.node.same_content(&other.node)
    }
    /// Where the resource starts (an empty range).
    pub fn start(&self) -> TextRange {
        TextRange::empty(self.node.range.start)
    }
    pub fn annotation(&self, key: &str) -> Option<&Node> {
        self.node.at(&["metadata", "annotations"])?.get(key)
    }
    /// `metadata.creationTimestamp` as written (RFC 3339), when present.
    pub fn creation_timestamp(&self) -> Option<&str> {
        self.node.at(&["metadata", "creationTimestamp"])?.scalar_text()
    }
    /// Whether everything read of this resource's tree after the registry is built comes from
    /// the registry: Services and workloads (their positions included), which no finding is
    /// about. Sidecars, the other Istio resources, Namespaces and the mesh ConfigMap are read
    /// by the checks.
    pub fn tree_is_extracted(&self) -> bool {
        self.kind == ResourceKind::Service || self.kind.is_workload()
    }
    /// Frees the tree but for `metadata.annotations` (suppressions read them), keeping the
    /// ranges of what is kept. See `Registry::build_releasing_trees`.
    pub fn release_tree(&mut self) {
        // The entry `Node::get` finds: the last one of the key.
        fn take(node: Node, key: &str) -> Option<Entry> {
            node.into_entries()?.into_iter().rev().find(|e| e.key.scalar_text() == Some(key))
        }
        let range = self.node.range;
        let tree = std::mem::replace(&mut self.node, Node { kind: NodeKind::Map(Box::default()), range });
        let Some(Entry { key, value }) = take(tree, "metadata") else { return };
        let value_range = value.range;
        let annotations =
            Node { kind: NodeKind::Map(take(value, "annotations").into_iter().collect()), range: value_range };
        self.node.kind = NodeKind::Map(Box::new([Entry { key, value: annotations }]));
    }
    pub fn diagnostic(
        &self,
        code: Code,
        message: impl Into<String>,
        path: impl Into<String>,
        range: TextRange,
    ) -> Diagnostic {
        Diagnostic::new(code, message, self.source, range).with_resource(self.reference()).with_path(path)
    }
}

/// Reads a mapping of string to string, as Kubernetes labels are read.
pub fn string_map(node: Option<&Node>) -> Vec<(String, String)> {
    yaml::fields::string_pairs(node).collect()
}

/// Everything read from the user's input.
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub sources: Vec<SourceFile>,
    pub resources: Vec<Resource>,
    /// Problems found while reading (syntax errors, non-resources, ignored kinds).
    pub diagnostics: Vec<Diagnostic>,
}

impl Input {
    pub fn source(&self, id: SourceId) -> &SourceFile {
        &self.sources[id.0 as usize]
    }
    pub fn of_kind(&self, kind: ResourceKind) -> impl Iterator<Item = &Resource> {
        self.resources.iter().filter(move |r| r.kind == kind)
    }
}

/// Loads one pasted text.
pub fn load_text(name: &str, text: &str) -> Input {
    load(vec![SourceFile::new(name, text)])
}

/// The namespace of resources without `metadata.namespace`, unless told otherwise: where
/// `kubectl apply` without `-n` puts them (with the default kubeconfig context).
pub const DEFAULT_NAMESPACE: &str = "default";

/// Loads several source files (e.g. the files given to the CLI), in order.
pub fn load(sources: Vec<SourceFile>) -> Input {
    Loading::new(sources).finish()
}

/// As [`load`], putting resources without `metadata.namespace` in `namespace`, as
/// `kubectl apply -n NAMESPACE` does.
pub fn load_with_default_namespace(sources: Vec<SourceFile>, namespace: &str) -> Input {
    Loading::with_default_namespace(sources, namespace).finish()
}

/// Adds to the hint of each finding on a Sidecar that has no `metadata.namespace` that the
/// finding was made in the namespace it was put in (its outcome may depend on it: `./*`, the
/// namespace's workloads, services and other Sidecars).
pub fn note_defaulted_namespaces(input: &Input, diags: &mut [Diagnostic]) {
    let defaulted: std::collections::HashSet<(&str, &str)> = input
        .resources
        .iter()
        .filter(|r| r.kind == ResourceKind::Sidecar && !r.namespace_explicit)
        .map(|r| (r.namespace.as_str(), r.name.as_str()))
        .collect();
    if defaulted.is_empty() {
        return;
    }
    for d in diags.iter_mut() {
        let Some(r) = &d.resource else { continue };
        if r.kind != "Sidecar" || !defaulted.contains(&(r.namespace.as_str(), r.name.as_str())) {
            continue;
        }
        // Schema and format errors do not depend on the namespace.
        let id = d.code.id();
        let depends = id == "SC1051" || id.starts_with("SC2") || id.starts_with("SC3");
        if !depends {
            continue;
        }
        let note = format!(
            "this Sidecar has no metadata.namespace and was read in namespace {}, where `kubectl apply` without `-n` would put it; the finding may differ in the namespace it is applied to (set it with --default-namespace)",
            r.namespace
        );
        d.hint = Some(match d.hint.take() {
            Some(h) => format!("{h}; {note}"),
            None => note,
        });
    }
}

/// A load in steps, a few documents at a time: a page that must keep answering keys reads a
/// large input over several tasks. [`load`] is a `Loading` run to its end, so both read
/// alike (documents are parsed independently of each other).
#[derive(Debug)]
pub struct Loading {
    input: Input,
    /// Kinds already reported as ignored (reported once per kind).
    ignored: BTreeSet<String>,
    /// The documents skipped as not Kubernetes resources, reported by one info.
    skipped: Skipped,
    /// The namespace of resources without `metadata.namespace` (`kubectl apply -n`).
    default_namespace: String,
    /// How many sources have been split into documents; the last of them is being read.
    opened: usize,
    /// The document ranges of that source, and the next one to read.
    documents: Vec<TextRange>,
    next: usize,
    /// What alias expansion may still add: one budget for the whole input (all its sources).
    aliases: yaml::AliasBudget,
}

impl Loading {
    pub fn new(sources: Vec<SourceFile>) -> Loading {
        Loading::with_default_namespace(sources, DEFAULT_NAMESPACE)
    }

    /// As [`Loading::new`], putting resources without `metadata.namespace` in `namespace`, as
    /// `kubectl apply -n NAMESPACE` does.
    pub fn with_default_namespace(sources: Vec<SourceFile>, namespace: &str) -> Loading {
        let input = Input { sources, resources: Vec::new(), diagnostics: Vec::new() };
        Loading {
            input,
            ignored: BTreeSet::new(),
            skipped: Skipped::default(),
            default_namespace: namespace.to_string(),
            opened: 0,
            documents: Vec::new(),
            next: 0,
            aliases: yaml::AliasBudget::default(),
        }
    }

    /// Reads documents until `more()` says stop (asked after each document, so at least one
    /// is read); true once every document is read. (`dyn`: compiled once, for the playground's
    /// size.)
    pub fn step(&mut self, more: &mut dyn FnMut() -> bool) -> bool {
        self.step_with(more, &mut |source, range, budget| yaml::parse_document_within(&source.text, range, budget))
    }

    /// As [`Loading::step`], each document read by `parse` (given the source, the document's
    /// range in its text, and the input's alias budget), which must answer as
    /// [`yaml::parse_document_within`] does: the workspace answers from its cache of documents
    /// whose text did not change (`workspace::documents`).
    pub fn step_with(
        &mut self,
        more: &mut dyn FnMut() -> bool,
        parse: &mut dyn FnMut(&SourceFile, TextRange, &mut yaml::AliasBudget) -> yaml::Document,
    ) -> bool {
        loop {
            while self.next == self.documents.len() {
                let Some(source) = self.input.sources.get(self.opened) else { return true };
                self.documents = yaml::document_ranges(&source.text);
                self.next = 0;
                self.opened += 1;
            }
            let id = SourceId(self.opened as u32 - 1);
            let doc = parse(self.input.source(id), self.documents[self.next], &mut self.aliases);
            self.next += 1;
            self.add(id, doc);
            if self.next == self.documents.len() && self.opened == self.input.sources.len() {
                return true;
            }
            if !more() {
                return false;
            }
        }
    }

    /// The input read so far (all of it once [`Loading::step`] returned true).
    pub fn into_input(self) -> Input {
        self.input
    }

    /// Reads what is left.
    pub fn finish(mut self) -> Input {
        self.step(&mut || true);
        self.input
    }

    fn add(&mut self, id: SourceId, doc: yaml::Document) {
        if let Some(err) = doc.error {
            let code = match err.kind {
                YamlErrorKind::Syntax | YamlErrorKind::UnknownAnchor => Code::YamlSyntax,
                YamlErrorKind::AliasLimit | YamlErrorKind::DepthLimit => Code::YamlLimit,
            };
            let mut d = Diagnostic::new(code, format!("YAML syntax error: {}", err.message), id, err.range);
            if code == Code::YamlLimit {
                d.message = err.message;
            }
            self.input.diagnostics.push(d.with_hint("this document is skipped; the other documents are still checked"));
            return;
        }
        let Some(root) = doc.root else { return };
        report_duplicate_keys(&root, id, &mut self.input.diagnostics);
        if !is_kubernetes_object(&root) {
            self.skipped.add(&mut self.input, id, &root);
            return;
        }
        add_document(&mut self.input, id, root, &mut self.ignored, &self.default_namespace);
    }
}

/// Whether a document is a Kubernetes object: a mapping with `apiVersion` and `kind`. Others (a
/// chart's values.yaml, Chart.yaml with its `apiVersion: v2` and no kind, CI files, lists) are
/// skipped with one info, as a repository holds many of them.
fn is_kubernetes_object(root: &Node) -> bool {
    root.as_map().is_some() && root.get("apiVersion").is_some() && root.get("kind").is_some()
}

/// The documents skipped as not Kubernetes objects: one info diagnostic, at the first of them,
/// counting them all.
#[derive(Debug, Default)]
struct Skipped {
    /// Index of the info in `Input::diagnostics`.
    at: Option<usize>,
    count: usize,
    files: Vec<SourceId>,
}

impl Skipped {
    fn add(&mut self, input: &mut Input, source: SourceId, root: &Node) {
        self.count += 1;
        if !self.files.contains(&source) {
            self.files.push(source);
        }
        let at = *self.at.get_or_insert_with(|| {
            let d = Diagnostic::new(Code::NotKubernetes, String::new(), source, first_line(root)).with_hint(
                "documents without both apiVersion and kind (Helm values, Chart.yaml, CI files) are not Kubernetes resources; they are skipped and do not change the exit code",
            );
            input.diagnostics.push(d);
            input.diagnostics.len() - 1
        });
        const SHOWN: usize = 5;
        let mut names: Vec<&str> = self.files.iter().take(SHOWN).map(|&f| input.source(f).name.as_str()).collect();
        let more = self.files.len().saturating_sub(SHOWN);
        let more = if more > 0 { format!(" and {more} more files") } else { String::new() };
        names.dedup();
        let what = if self.count == 1 {
            "1 document is not a Kubernetes resource".to_string()
        } else {
            format!("{} documents are not Kubernetes resources", self.count)
        };
        input.diagnostics[at].message = format!("{what} (no apiVersion and kind), skipped: {}{more}", names.join(", "));
    }
}

fn add_document(input: &mut Input, source: SourceId, root: Node, ignored: &mut BTreeSet<String>, default_ns: &str) {
    if root.as_map().is_none() {
        let what = if root.as_seq().is_some() { "a list" } else { "a scalar" };
        input.diagnostics.push(
            Diagnostic::new(
                Code::NotAResource,
                format!("document is {what}, not a Kubernetes resource"),
                source,
                root.range,
            )
            .with_hint("each document must be a mapping with apiVersion, kind and metadata"),
        );
        return;
    }
    let kind = root.get("kind").and_then(Node::as_str).unwrap_or("");
    let api_version = root.get("apiVersion").and_then(Node::as_str).unwrap_or("");
    if kind.ends_with("List") && root.get("items").is_some() {
        if let Some(entries) = root.into_entries() {
            for e in entries {
                if e.key.scalar_text() == Some("items") {
                    let (null, range) = (e.value.is_null(), e.value.range);
                    match e.value.into_items() {
                        Some(items) => {
                            for item in items {
                                add_document(input, source, item, ignored, default_ns);
                            }
                        }
                        None if null => {}
                        None => input.diagnostics.push(Diagnostic::new(
                            Code::NotAResource,
                            "`items` of a List must be a list",
                            source,
                            range,
                        )),
                    }
                }
            }
        }
        return;
    }
    if kind.is_empty() || api_version.is_empty() {
        let missing = if kind.is_empty() && api_version.is_empty() {
            "apiVersion and kind"
        } else if kind.is_empty() {
            "kind"
        } else {
            "apiVersion"
        };
        input.diagnostics.push(
            Diagnostic::new(Code::NotAResource, format!("resource has no {missing}"), source, first_line(&root))
                .with_hint("Sidecarscope recognises resources by apiVersion and kind"),
        );
        return;
    }
    let name_node = root.at(&["metadata", "name"]);
    let name = name_node.and_then(Node::scalar_text).unwrap_or("").to_string();
    let ns_node = root.at(&["metadata", "namespace"]).filter(|n| !n.is_null());
    let namespace = ns_node.and_then(Node::scalar_text).filter(|s| !s.is_empty()).unwrap_or(default_ns).to_string();
    let kind_name = kind.to_string();
    let api_version = api_version.to_string();
    let recognised = ResourceKind::recognise(&api_version, &kind_name, &name);
    let resource = Resource {
        source,
        kind: recognised.unwrap_or(ResourceKind::Other),
        api_version,
        kind_name,
        name,
        namespace,
        namespace_explicit: ns_node.is_some(),
        order: input.resources.len(),
        node: root,
    };
    match recognised {
        Err(()) => {
            let r = resource.node.get("apiVersion").map_or(resource.node.range, |n| n.range);
            input.diagnostics.push(resource.diagnostic(
                Code::UnknownApiVersion,
                format!("{} is not served as {}; this resource is ignored", resource.kind_name, resource.api_version),
                "apiVersion",
                r,
            ));
        }
        Ok(ResourceKind::Other) => {
            if ignored.insert(format!("{}/{}", resource.api_version, resource.kind_name)) {
                let r = resource.node.get("kind").map_or(resource.node.range, |n| n.range);
                input.diagnostics.push(
                    resource
                        .diagnostic(
                            Code::IgnoredKind,
                            format!(
                                "{} ({}) is not used by Sidecarscope; resources of this kind are ignored",
                                resource.kind_name, resource.api_version
                            ),
                            "kind",
                            r,
                        )
                        .with_hint(match did_you_mean_kind(&resource.kind_name) {
                            // Kubernetes kinds are case-sensitive: `SideCar` is not `Sidecar`.
                            Some(k) => format!("did you mean `{k}`? Kinds are case-sensitive; reported once per kind"),
                            None => "reported once per kind".into(),
                        }),
                );
            }
        }
        Ok(_) => {}
    }
    if resource.kind != ResourceKind::Other {
        check_metadata(&resource, input);
    }
    input.resources.push(resource);
}

/// The kind Sidecarscope reads that `kind` was probably meant to be: the same letters in another
/// case, or one edit away (`Sidecars`, `Sidcar`).
fn did_you_mean_kind(kind: &str) -> Option<&'static str> {
    const KINDS: &[&str] = &[
        "Sidecar",
        "ServiceEntry",
        "VirtualService",
        "DestinationRule",
        "WorkloadEntry",
        "PeerAuthentication",
        "Service",
        "Pod",
        "Namespace",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
    ];
    let k = kind.to_ascii_lowercase();
    KINDS
        .iter()
        .copied()
        .find(|c| c.to_ascii_lowercase() == k)
        .or_else(|| KINDS.iter().copied().find(|c| k.len() > 3 && one_edit(&k, &c.to_ascii_lowercase())))
}

/// `a` and `b` differ by one inserted, deleted or replaced character (ASCII).
fn one_edit(a: &str, b: &str) -> bool {
    let (a, b) = if a.len() <= b.len() { (a.as_bytes(), b.as_bytes()) } else { (b.as_bytes(), a.as_bytes()) };
    if b.len() - a.len() > 1 || a == b {
        return false;
    }
    let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let rest = if a.len() == b.len() { p + 1 } else { p };
    a.get(rest..) == b.get(p + 1..)
}

fn check_metadata(resource: &Resource, input: &mut Input) {
    let name_node = resource.node.at(&["metadata", "name"]);
    match name_node {
        None => {
            let r = resource.metadata().map_or(first_line(&resource.node), |m| m.range);
            input.diagnostics.push(resource.diagnostic(
                Code::InvalidMetadata,
                "metadata.name is required",
                "metadata",
                r,
            ));
        }
        // A Service's name is a DNS-1035 label (k8s.io/kubernetes `pkg/apis/core/validation`
        // `ValidateService` passes `ValidateServiceName`, apimachinery `NameIsDNS1035Label`, to
        // `ValidateObjectMeta`): one error per failed rule of `IsDNS1035Label`, as the API server.
        Some(n) if resource.kind == ResourceKind::Service => {
            let name = resource.name.as_str();
            let quoted = crate::go::strconv::go_quote(name);
            let mut messages = Vec::new();
            if name.len() > 63 {
                messages.push(format!("metadata.name {quoted}: must be no more than 63 characters"));
            }
            if !is_dns1035_label(name) {
                messages.push(format!("metadata.name {quoted}: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character"));
            }
            for message in messages {
                let d = resource.diagnostic(Code::InvalidMetadata, message, "metadata.name", n.range).with_hint(
                    "the API server rejects this Service: its name becomes a DNS label of the service's hostname",
                );
                input.diagnostics.push(with_template_hint(d, input.source(resource.source).slice(n.range)));
            }
        }
        Some(n) if !crate::validate::values::is_dns1123_subdomain(&resource.name) => {
            let d = resource.diagnostic(
                Code::InvalidMetadata,
                format!(
                    "metadata.name {}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
                    crate::go::strconv::go_quote(&resource.name)
                ),
                "metadata.name",
                n.range,
            );
            input.diagnostics.push(with_template_hint(d, input.source(resource.source).slice(n.range)));
        }
        _ => {}
    }
    // metadata.namespace, as the API server's `ValidateObjectMeta` checks it
    // (`ValidateNamespaceName`: a DNS-1123 label); kubectl drops it on cluster-scoped kinds.
    let ns_node = resource.node.at(&["metadata", "namespace"]).filter(|n| !n.is_null());
    if let (true, Some(n)) = (resource.kind != ResourceKind::Namespace, ns_node) {
        let message = match (n.view(), n.resolved()) {
            (View::Map(_), _) => Some("map".to_string()),
            (View::Seq(_), _) => Some("array".to_string()),
            (_, Some(Resolved::Bool(_))) => Some("bool".to_string()),
            (_, Some(Resolved::Int(_) | Resolved::Float(_))) => Some("number".to_string()),
            _ => None,
        }
        .map(|json| format!("metadata.namespace: cannot unmarshal {json} into Go struct field ObjectMeta.metadata.namespace of type string"))
        .or_else(|| {
            let ns = n.scalar_text().unwrap_or("");
            (!ns.is_empty() && !is_dns1123_lower_label(ns)).then(|| {
                let quoted = crate::go::strconv::go_quote(ns);
                if ns.len() > 63 {
                    format!("metadata.namespace {quoted}: must be no more than 63 characters")
                } else {
                    format!("metadata.namespace {quoted}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character")
                }
            })
        });
        if let Some(message) = message {
            let d = resource
                .diagnostic(Code::InvalidMetadata, message, "metadata.namespace", n.range)
                .with_hint("the API server rejects this resource");
            input.diagnostics.push(with_template_hint(d, input.source(resource.source).slice(n.range)));
        }
    }

    /// A lowercase RFC 1123 label, as `ValidateNamespaceName` wants (apimachinery `IsDNS1123Label`).
    fn is_dns1123_lower_label(s: &str) -> bool {
        let b = s.as_bytes();
        let edge = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        b.len() <= 63
            && b.first().is_some_and(edge)
            && b.last().is_some_and(edge)
            && b.iter().all(|c| edge(c) || *c == b'-')
    }

    /// apimachinery `IsDNS1035Label`'s pattern, `[a-z]([-a-z0-9]*[a-z0-9])?` (the length is
    /// checked apart, as there).
    fn is_dns1035_label(s: &str) -> bool {
        let b = s.as_bytes();
        b.first().is_some_and(u8::is_ascii_lowercase)
            && b.last().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
    }

    /// When the written value looks like an unrendered Helm or Go template, says so in the hint.
    fn with_template_hint(d: Diagnostic, written: &str) -> Diagnostic {
        if written.contains("{{") {
            let before = d.hint.clone().map_or(String::new(), |h| format!("{h}; "));
            d.with_hint(format!(
            "{before}the value looks like an unrendered template (`{{{{ ... }}}}`): check the rendered output (`helm template`, `kustomize build`), not the template"
        ))
        } else {
            d
        }
    }
}

fn first_line(node: &Node) -> TextRange {
    TextRange::new(node.range.start, node.range.start)
}

fn report_duplicate_keys(root: &Node, source: SourceId, out: &mut Vec<Diagnostic>) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match node.view() {
            View::Map(entries) => {
                // Most mappings have a handful of keys: compare with the earlier ones directly,
                // and hash only large mappings.
                let mut seen = std::collections::HashSet::new();
                let small = entries.len() <= 16;
                for (i, e) in entries.iter().enumerate() {
                    if let Some(k) = e.key.scalar_text() {
                        let repeated = if small {
                            entries[..i].iter().any(|p| p.key.scalar_text() == Some(k))
                        } else {
                            !seen.insert(k)
                        };
                        if repeated {
                            out.push(
                                Diagnostic::new(
                                    Code::DuplicateKey,
                                    format!("duplicate key {}", crate::go::strconv::go_quote(k)),
                                    source,
                                    e.key.range,
                                )
                                .with_hint("Kubernetes keeps the last value; the earlier one is ignored"),
                            );
                        }
                    }
                    stack.push(&e.value);
                }
            }
            View::Seq(items) => stack.extend(items.iter()),
            View::Scalar(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelled_kind_gets_a_did_you_mean() {
        assert_eq!(did_you_mean_kind("SideCar"), Some("Sidecar"));
        assert_eq!(did_you_mean_kind("sidecars"), Some("Sidecar"));
        assert_eq!(did_you_mean_kind("Sidcar"), Some("Sidecar"));
        assert_eq!(did_you_mean_kind("ServiceEntri"), Some("ServiceEntry"));
        assert_eq!(did_you_mean_kind("Secret"), None);
        assert_eq!(did_you_mean_kind("Gateway"), None);
        let input =
            load_text("input.yaml", "apiVersion: networking.istio.io/v1\nkind: SideCar\nmetadata:\n  name: a\n");
        let d = input.diagnostics.iter().find(|d| d.code == Code::IgnoredKind).expect("ignored");
        assert_eq!(d.hint.as_deref(), Some("did you mean `Sidecar`? Kinds are case-sensitive; reported once per kind"));
    }
}
