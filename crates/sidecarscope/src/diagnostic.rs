//! Diagnostics: every finding has a stable code, a severity, Istio's text where Istio has one,
//! the resource, a field path and a source range.

use serde::Serialize;

use crate::source::SourceId;
use crate::text::TextRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Which layer of Istio (or of ours) a finding comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Origin {
    /// Reading the input itself (YAML syntax, resource shape).
    Input,
    /// Istio's protobuf-JSON decoding of `spec`.
    Decoding,
    /// The Kubernetes CRD schema (OpenAPI types, enums, limits, CEL rules).
    CrdSchema,
    /// Istio's validator (`ValidateSidecar` and the webhook's metadata checks).
    IstioValidator,
    /// istioctl analyze's analyzers.
    IstioAnalyzer,
    /// Kiali's validations.
    Kiali,
    /// A check of Sidecarscope's own, beyond Istio and Kiali.
    Sidecarscope,
}

/// The optional sixth column of the code table (the Kiali code); `None` when absent.
macro_rules! or_none {
    () => {
        None
    };
    ($e:expr) => {
        $e
    };
}

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = ($id:literal, $name:literal, $sev:ident, $origin:ident, [$($emitted_by:literal),*], $istio:expr $(, $kiali:expr)?); )*) => {
        /// The stable code of a diagnostic. Codes are never reused or renumbered.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];
            /// The code as printed, e.g. `SC1050`.
            pub fn id(self) -> &'static str { match self { $(Code::$variant => $id,)* } }
            /// A short kebab-case name, e.g. `egress-host-format`.
            pub fn name(self) -> &'static str { match self { $(Code::$variant => $name,)* } }
            /// The severity findings of this code have unless stated otherwise.
            pub fn default_severity(self) -> Severity { match self { $(Code::$variant => Severity::$sev,)* } }
            pub fn origin(self) -> Origin { match self { $(Code::$variant => Origin::$origin,)* } }
            /// The source files (paths from the repository's root) whose code creates findings of
            /// this code: where to read how it is decided. Empty for a code no module emits (kept
            /// for its number, never reused). A test reads the sources to keep this exact.
            pub fn emitted_by(self) -> &'static [&'static str] { match self { $(Code::$variant => &[$($emitted_by),*],)* } }
            /// The `istioctl analyze` code reported for the same finding, if any.
            pub fn istio_code(self) -> Option<&'static str> { match self { $(Code::$variant => $istio,)* } }
            /// The Kiali validation code reported for the same finding, if any. A diagnostic
            /// carries it (`Diagnostic::kiali_code`) only when Kiali would report that instance.
            pub fn kiali_code(self) -> Option<&'static str> { match self { $(Code::$variant => or_none!($($kiali)?),)* } }
            /// The documentation of the code (from the doc comment where it is declared).
            pub fn doc(self) -> &'static str { match self { $(Code::$variant => concat!($($doc, "\n",)*),)* } }
        }
    };
}

const SCHEMA_ERROR: Option<&str> = Some("IST0106");
const SCHEMA_WARNING: Option<&str> = Some("IST0133");

codes! {
    /// The YAML could not be parsed. The message is the parser's; the range points at the
    /// character where parsing stopped. Other documents of the input are still checked.
    YamlSyntax = ("SC0001", "yaml-syntax", Error, Input, ["crates/sidecarscope/src/load/mod.rs"], None);
    /// The YAML exceeds a safety limit: alias expansion beyond the node budget ("billion
    /// laughs") or nesting deeper than the depth limit. The document is not read further.
    YamlLimit = ("SC0002", "yaml-limit", Error, Input, ["crates/sidecarscope/src/load/mod.rs"], None);
    /// An item of a `List` is not a resource (not a mapping, or without `apiVersion`/`kind`), or
    /// a List's `items` is not a list.
    NotAResource = ("SC0003", "not-a-resource", Error, Input, ["crates/sidecarscope/src/load/mod.rs"], None);
    /// A resource of a kind Sidecarscope does not use (e.g. a Secret). It is kept and ignored;
    /// reported once per kind.
    IgnoredKind = ("SC0004", "ignored-kind", Info, Input, ["crates/sidecarscope/src/load/mod.rs"], None);
    /// A mapping has the same key twice. Kubernetes keeps the last one; so do we.
    DuplicateKey = ("SC0005", "duplicate-key", Warning, Input, ["crates/sidecarscope/src/load/mod.rs"], None);
    /// `metadata.name` is missing or is not a valid Kubernetes name (a DNS-1123 subdomain; for a
    /// Service a DNS-1035 label, `ValidateServiceName`: it starts with a letter, has no dot), or
    /// `metadata.namespace` is not a string or not a DNS-1123 label, as the API server checks
    /// them (`ValidateObjectMeta`). A value that looks like an unrendered template (`{{ ... }}`)
    /// says so in the hint.
    InvalidMetadata = ("SC0006", "invalid-metadata", Error, Input, ["crates/sidecarscope/src/load/mod.rs"], None);
    /// The mesh ConfigMap `istio` has a `data.mesh` that is not a YAML mapping.
    MeshConfig = ("SC0007", "mesh-config", Error, Input, ["crates/sidecarscope/src/load/mesh_config_map.rs"], None);
    /// A known kind with an `apiVersion` that Istio or Kubernetes does not serve
    /// (e.g. `networking.istio.io/v2`). The resource is ignored.
    UnknownApiVersion = ("SC0008", "unknown-api-version", Warning, Input, ["crates/sidecarscope/src/load/mod.rs"], None);
    /// A file of the input could not be read: missing, a dangling symbolic link, permission
    /// denied, over the size limit, binary, or not UTF-8. It is left out, the other files are
    /// still checked, and the command exits with code 2 at the end.
    UnreadableFile = ("SC0009", "unreadable-file", Error, Input, ["crates/sidecarscope-cli/src/common.rs", "crates/sidecarscope-cli/src/inputs.rs", "crates/sidecarscope/src/workspace/mod.rs"], None);
    /// A directory walk found something with a YAML or JSON name that is not a regular file (a
    /// FIFO, a socket or a device). It is not read: reading it could block forever or never end.
    /// (A path given by itself, such as `/dev/stdin`, is read, up to the size limit.)
    SkippedFile = ("SC0010", "skipped-file", Warning, Input, ["crates/sidecarscope-cli/src/common.rs", "crates/sidecarscope-cli/src/inputs.rs"], None);
    /// The input holds no resource at all (an empty file, only comments, closed standard input),
    /// so nothing was checked. `--fail-on warning` makes this fail.
    NoResources = ("SC0011", "no-resources", Warning, Input, ["crates/sidecarscope-cli/src/common.rs", "crates/sidecarscope/src/impact/mod.rs", "crates/sidecarscope/src/workspace/mod.rs"], None);
    /// Documents that are not Kubernetes resources (not a mapping with both `apiVersion` and
    /// `kind`), as a repository's Helm values, Chart.yaml or CI files are: skipped, and
    /// reported by one info for the whole input (counting them, naming their files), so that
    /// scanning a repository's directory does not fail on them.
    NotKubernetes = ("SC0012", "not-kubernetes", Info, Input, ["crates/sidecarscope/src/load/mod.rs"], None);
    /// A record of a traffic evidence file (`sidecarscope suggest --traffic`) that cannot be
    /// read: invalid or truncated JSON, a Prometheus series without its source or destination
    /// labels, an access log line in an unknown format (not Istio's default text or JSON
    /// format), an upstream cluster that is not an outbound cluster. The record is skipped and
    /// the rest of the file still counts.
    MalformedEvidence = ("SC0020", "malformed-evidence", Warning, Input, ["crates/sidecarscope/src/tighten/evidence.rs"], None);
    /// A traffic evidence file holds no call: it is empty, or its format was recognised but it
    /// has no series with a count above zero, no edge, no outbound log entry.
    EmptyEvidence = ("SC0021", "empty-evidence", Warning, Input, ["crates/sidecarscope/src/tighten/evidence.rs"], None);

    /// A field has the wrong JSON type (e.g. a list where an object belongs). Istio's decoder
    /// and the CRD schema both reject it; Istio's validator does not run.
    WrongType = ("SC0101", "wrong-type", Error, Decoding, ["crates/sidecarscope/src/validate/schema.rs"], SCHEMA_ERROR);
    /// An enum field has a value that is not one of its names. Names are case-sensitive.
    UnknownEnumValue = ("SC0102", "unknown-enum-value", Error, Decoding, ["crates/sidecarscope/src/validate/schema.rs"], SCHEMA_ERROR);
    /// An integer is outside the range of its field (uint32, int32, or the CRD's bounds).
    IntegerOutOfRange = ("SC0103", "integer-out-of-range", Error, Decoding, ["crates/sidecarscope/src/validate/schema.rs"], SCHEMA_ERROR);
    /// A field that the Sidecar schema does not have. `istioctl validate` and `kubectl apply`
    /// (strict field validation) reject it; the webhook alone would silently ignore it.
    UnknownField = ("SC0104", "unknown-field", Error, Decoding, ["crates/sidecarscope/src/validate/schema.rs"], SCHEMA_ERROR);
    /// A protobuf snake_case field name (`workload_selector`). Istio's decoder accepts it, but
    /// the CRD only knows the lowerCamel JSON name, so the API server rejects or drops it.
    ProtoFieldName = ("SC0105", "proto-field-name", Error, CrdSchema, ["crates/sidecarscope/src/validate/schema.rs"], SCHEMA_ERROR);
    /// A duration that is not in Go duration syntax (`30s`, `1h30m`, `500ms`).
    InvalidDuration = ("SC0106", "invalid-duration", Error, Decoding, ["crates/sidecarscope/src/validate/schema.rs"], SCHEMA_ERROR);

    /// A field the CRD schema requires is missing (`port` on an ingress listener, `hosts` on an
    /// egress listener, `host` on an egress proxy).
    RequiredField = ("SC0201", "required-field", Error, CrdSchema, ["crates/sidecarscope/src/validate/schema.rs"], SCHEMA_ERROR);
    /// A list or map has more (or fewer) entries than the CRD schema allows.
    ItemCount = ("SC0202", "item-count", Error, CrdSchema, ["crates/sidecarscope/src/validate/schema.rs"], SCHEMA_ERROR);
    /// A string is longer than the CRD schema allows (e.g. a selector label value over 63).
    StringTooLong = ("SC0203", "string-too-long", Error, CrdSchema, ["crates/sidecarscope/src/validate/schema.rs"], SCHEMA_ERROR);
    /// A CEL rule of the CRD (`x-kubernetes-validations`) rejects the value.
    CrdRule = ("SC0204", "crd-rule", Error, CrdSchema, ["crates/sidecarscope/src/validate/schema.rs"], SCHEMA_ERROR);

    /// An annotation that Istio's webhook rejects on a Sidecar (`istio.io/dry-run`, or one of
    /// Istio's internal annotations).
    ForbiddenAnnotation = ("SC1001", "forbidden-annotation", Error, IstioValidator, ["crates/sidecarscope/src/validate/webhook.rs"], SCHEMA_ERROR);
    /// A top-level key other than apiVersion, kind, metadata, spec and status.
    UnknownTopLevelField = ("SC1002", "unknown-top-level-field", Error, IstioValidator, ["crates/sidecarscope/src/validate/webhook.rs"], SCHEMA_ERROR);
    /// The workload selector has an empty label key or a `*` in a key or value. Istio stops
    /// validating the Sidecar here.
    InvalidSelector = ("SC1010", "invalid-selector", Error, IstioValidator, ["crates/sidecarscope/src/validate/webhook.rs"], SCHEMA_ERROR);
    /// `workloadSelector` is present without labels: the Sidecar applies to every workload of
    /// its namespace, as if it had no selector.
    SelectorWithoutLabels = ("SC1011", "selector-without-labels", Warning, IstioValidator, ["crates/sidecarscope/src/validate/webhook.rs"], SCHEMA_WARNING);
    /// The Sidecar configures nothing: no ingress, no egress, no outbound traffic policy and no
    /// inbound connection pool.
    EmptyConfiguration = ("SC1012", "empty-configuration", Error, IstioValidator, ["crates/sidecarscope/src/validate/webhook.rs"], SCHEMA_ERROR);
    /// An ingress listener without `port`. Istio skips the rest of that listener's checks.
    IngressPortRequired = ("SC1020", "ingress-port-required", Error, IstioValidator, ["crates/sidecarscope/src/validate/webhook.rs"], SCHEMA_ERROR);
    /// `port.targetPort` is set; it is deprecated and has no effect on Sidecars.
    TargetPort = ("SC1021", "target-port", Error, IstioValidator, ["crates/sidecarscope/src/validate/webhook.rs"], SCHEMA_ERROR);
    /// `port.name` is not a DNS-1123 label (upper case is allowed).
    InvalidPortName = ("SC1022", "invalid-port-name", Error, IstioValidator, ["crates/sidecarscope/src/validate/webhook.rs"], SCHEMA_ERROR);
    /// `port.protocol` is not one Istio supports (TCP, UDP, GRPC, GRPC-WEB, HTTP, HTTP_PROXY,
    /// HTTP2, HTTPS, TLS, MONGO, REDIS, MYSQL; any letter case; empty means sniffing).
    UnsupportedProtocol = ("SC1023", "unsupported-protocol", Error, IstioValidator, ["crates/sidecarscope/src/validate/webhook.rs"], SCHEMA_ERROR);
    /// A port number outside 1..65535.
    PortRange = ("SC1024", "port-range", Error, IstioValidator, ["crates/sidecarscope/src/validate/webhook.rs"], SCHEMA_ERROR);
    /// `bind` is not an IP address.
    InvalidBind = ("SC1025", "invalid-bind", Error, IstioValidator, ["crates/sidecarscope/src/validate/webhook.rs"], SCHEMA_ERROR);
    /// Two listeners of the same direction use one port number (bind addresses are ignored).
    DuplicatePort = ("SC1026", "duplicate-port", Error, IstioValidator, ["crates/sidecarscope/src/validate/webhook.rs"], SCHEMA_ERROR);
    /// `defaultEndpoint` is not `127.0.0.1:<port>`, `0.0.0.0:<port>`, `[::1]:<port>`,
    /// `[::]:<port>`, `:<port>` or `unix://<path>`.
    InvalidDefaultEndpoint = ("SC1027", "invalid-default-endpoint", Error, IstioValidator, ["crates/sidecarscope/src/validate/webhook.rs"], SCHEMA_ERROR);
    /// A `tls` setting that Sidecar ingress listeners do not support, or TLS on a port whose
    /// protocol is not HTTPS or TLS.
    IngressTls = ("SC1030", "ingress-tls", Error, IstioValidator, ["crates/sidecarscope/src/validate/webhook.rs"], SCHEMA_ERROR);
    /// A server TLS option rule (shared with Gateways) rejects the `tls` block.
    TlsOptions = ("SC1031", "tls-options", Error, IstioValidator, ["crates/sidecarscope/src/validate/tls.rs"], SCHEMA_ERROR);
    /// A server TLS option rule warns: old TLS versions without ciphers, invalid or duplicate
    /// cipher suites, certificates that a passthrough mode ignores.
    TlsOptionsWarning = ("SC1032", "tls-options-warning", Warning, IstioValidator, ["crates/sidecarscope/src/validate/tls.rs"], SCHEMA_WARNING);
    /// HTTP connection-pool settings on an ingress port whose protocol is not HTTP: only the
    /// TCP settings apply.
    HttpPoolOnNonHttpPort = ("SC1035", "http-pool-on-non-http-port", Warning, IstioValidator, ["crates/sidecarscope/src/validate/webhook.rs"], SCHEMA_WARNING);
    /// A connection-pool setting is invalid (empty pool, negative value, bad duration,
    /// missing keepalive interval/timeout, UPGRADE with useClientProtocol).
    ConnectionPool = ("SC1036", "connection-pool", Error, IstioValidator, ["crates/sidecarscope/src/validate/pool.rs"], SCHEMA_ERROR);
    /// An egress listener without `port` (a catch-all) that is not the last listener.
    CatchAllNotLast = ("SC1040", "catch-all-not-last", Error, IstioValidator, ["crates/sidecarscope/src/validate/webhook.rs"], SCHEMA_ERROR);
    /// An egress listener with port 0 whose `bind` is not a valid `unix://` socket, or whose
    /// captureMode is IPTABLES, or whose socket another listener uses too.
    UnixSocketListener = ("SC1041", "unix-socket-listener", Error, IstioValidator, ["crates/sidecarscope/src/validate/webhook.rs"], SCHEMA_ERROR);
    /// An egress listener without hosts.
    EgressHostsRequired = ("SC1044", "egress-hosts-required", Error, IstioValidator, ["crates/sidecarscope/src/validate/webhook.rs"], SCHEMA_ERROR);
    /// An egress host is not of the form `namespace/dnsName` with a valid namespace (`*`, `.`,
    /// `~`, a name, optionally `~`-prefixed) and a valid FQDN or wildcard.
    EgressHostFormat = ("SC1050", "egress-host-format", Error, IstioValidator, ["crates/sidecarscope/src/validate/webhook.rs"], SCHEMA_ERROR);
    /// An egress host repeats, or is covered by, an earlier host of the same listener.
    DuplicateEgressHost = ("SC1051", "duplicate-egress-host", Warning, IstioValidator, ["crates/sidecarscope/src/validate/webhook.rs"], SCHEMA_WARNING);
    /// `*/*` together with hosts of other namespaces in one listener: `*/*` already selects all.
    StarStarWithOtherHosts = ("SC1052", "star-star-with-other-hosts", Warning, IstioValidator, ["crates/sidecarscope/src/validate/webhook.rs"], SCHEMA_WARNING);
    /// `outboundTrafficPolicy` is invalid (ALLOW_ANY_DYNAMIC_DNS, or an `egressProxy` without
    /// ALLOW_ANY, without port, or with an invalid host or subset).
    OutboundTrafficPolicy = ("SC1070", "outbound-traffic-policy", Error, IstioValidator, ["crates/sidecarscope/src/validate/webhook.rs"], SCHEMA_ERROR);

    /// istioctl's IST0101 (ReferencedResourceNotFound) for a Sidecar: its `workloadSelector`
    /// matches no Pod of its own namespace, so no proxy uses it. Istio's text:
    /// `Referenced selector not found: "app=bogus"`, pinned to the first selector label. When
    /// no workload of the namespace matches either, the finding also carries Kiali's KIA0004
    /// ("No matching workload found for the selector in this namespace").
    /// Sidecarscope also counts the pods that a Deployment, StatefulSet, DaemonSet or ReplicaSet
    /// of the input runs (replicas not 0) when none of its Pods is in the input, so plain
    /// manifests do not raise it. Skipped when the input has no workloads at all (see SC3009).
    SelectorMatchesNoPod = ("SC2001", "selector-matches-no-pod", Error, IstioAnalyzer, ["crates/sidecarscope/src/analyze/selector.rs"], Some("IST0101"), Some("KIA0004"));
    /// istioctl's IST0110 (ConflictingSidecarWorkloadSelectors): a pod is selected by two or more
    /// Sidecars of its namespace. istiod then uses the oldest one (by creationTimestamp, then
    /// name) and ignores the others for that pod; Istio calls this undefined behavior. One
    /// finding per Sidecar per pod, as istioctl reports it; the first one of each Sidecar also
    /// carries Kiali's KIA0003 ("More than one object applied to the same workload").
    ConflictingWorkloadSelectors = ("SC2002", "conflicting-workload-selectors", Error, IstioAnalyzer, ["crates/sidecarscope/src/analyze/selector.rs"], Some("IST0110"), Some("KIA0003"));
    /// istioctl's IST0111 (MultipleSidecarsWithoutWorkloadSelectors): a namespace has two or more
    /// Sidecars without `workloadSelector` (or with empty labels). istiod uses the oldest as the
    /// namespace default and ignores the others. Also Kiali's KIA0002 ("More than one
    /// selector-less object in the same namespace").
    MultipleSelectorlessSidecars = ("SC2003", "multiple-selectorless-sidecars", Error, IstioAnalyzer, ["crates/sidecarscope/src/analyze/selector.rs"], Some("IST0111"), Some("KIA0002"));
    /// istioctl's IST0167 (IneffectivePolicy): the Sidecar selects a pod in ambient mode (annotation
    /// `ambient.istio.io/redirection: enabled`), or has no selector and lives in an ambient
    /// namespace (label `istio.io/dataplane-mode: ambient`). Ambient workloads have no sidecar
    /// proxy, so the Sidecar has no effect on them.
    IneffectiveInAmbient = ("SC2004", "ineffective-in-ambient", Warning, IstioAnalyzer, ["crates/sidecarscope/src/analyze/selector.rs"], Some("IST0167"));
    /// istioctl's IST0002 (Deprecated): `outboundTrafficPolicy.egressProxy` is set. Istio ignores it
    /// (`Deprecated: OutboundTrafficPolicy.EgressProxy ignored`).
    DeprecatedEgressProxy = ("SC2005", "deprecated-egress-proxy", Warning, IstioAnalyzer, ["crates/sidecarscope/src/analyze/outbound_policy.rs"], Some("IST0002"));
    /// Kiali's KIA0004 alone: the selector matches no workload of the namespace while istioctl,
    /// which looks at Pods, has no IST0101 for it. (Usually both report it, as SC2001.) Not
    /// reported yet: the analysis attaches KIA0004 to SC2001 only, and does not look for Kiali's
    /// verdict on a Sidecar whose selector matches a pod.
    SelectorMatchesNoWorkload = ("SC2006", "selector-matches-no-workload", Warning, Kiali, [], None, Some("KIA0004"));
    /// Kiali's KIA0003 alone ("More than one object applied to the same workload"), where
    /// istioctl has no IST0110: the shared workload is in ambient mode (istioctl says IST0167),
    /// is a Deployment whose pods are not running, or is in another namespace (Kiali matches
    /// selectors against workloads of every namespace, although a Sidecar only applies to its own).
    SelectorConflictKiali = ("SC2007", "selector-conflict-kiali", Warning, Kiali, ["crates/sidecarscope/src/analyze/selector.rs"], None, Some("KIA0003"));
    /// Kiali's KIA0002 alone ("More than one selector-less object in the same namespace") in an
    /// ambient namespace, where istioctl reports IST0167 instead of IST0111.
    SelectorlessConflictKiali = ("SC2008", "selectorless-conflict-kiali", Warning, Kiali, ["crates/sidecarscope/src/analyze/selector.rs"], None, Some("KIA0002"));
    /// Kiali's KIA1004 ("This host has no matching entry in the service registry"): an egress host
    /// matches no Service or ServiceEntry as Kiali looks them up (it ignores the namespace part
    /// and ServiceEntry `exportTo`, and accepts `name.ns` and `name.ns.svc`). The hint says what
    /// Istio itself imports through the entry; when Istio does import services through it, the
    /// finding is only informational.
    EgressHostNotInRegistry = ("SC2009", "egress-host-not-in-registry", Warning, Kiali, ["crates/sidecarscope/src/analyze/egress_hosts.rs"], None, Some("KIA1004"));
    /// Kiali's KIA1006 ("Global default sidecar should not have workloadSelector"): a Sidecar in the
    /// mesh root namespace with a workload selector. It is not the mesh-wide default: it applies
    /// only to the selected workloads of the root namespace itself.
    RootSidecarWithSelector = ("SC2010", "root-sidecar-with-selector", Warning, Kiali, ["crates/sidecarscope/src/analyze/selector.rs"], None, Some("KIA1006"));
    /// Kiali's KIA1007 ("OutboundTrafficPolicy with empty mode value is ambiguous..."):
    /// `outboundTrafficPolicy` is set with `mode` omitted or `REGISTRY_ONLY`, which Kiali cannot
    /// tell apart. Istio reads an omitted mode as REGISTRY_ONLY (enum value 0).
    OutboundPolicyModeAmbiguous = ("SC2011", "outbound-policy-mode-ambiguous", Info, Kiali, ["crates/sidecarscope/src/analyze/outbound_policy.rs"], None, Some("KIA1007"));

    /// Beyond Istio and Kiali. An egress host names a Kubernetes service of one namespace
    /// (`<name>.<ns>.svc.cluster.local`) under another namespace's prefix. Istio imports a
    /// host only from the namespace before the `/`, where no such Service can exist, so the
    /// entry imports nothing (unless a ServiceEntry in that namespace declares the host).
    /// Neither tool notices: Kiali ignores the namespace part. Example, in a Sidecar of `ns1`:
    /// ```yaml
    /// egress:
    /// - hosts: ["ns1/reviews.ns2.svc.cluster.local"]   # write ns2/reviews.ns2.svc.cluster.local
    /// ```
    EgressHostNamespaceMismatch = ("SC3001", "egress-host-namespace-mismatch", Warning, Sidecarscope, ["crates/sidecarscope/src/analyze/egress_hosts.rs"], None);
    /// Beyond Istio and Kiali. An egress host imports nothing, with the reason: no service has
    /// that hostname (Sidecar hosts are matched literally: `details.bookinfo` is not expanded,
    /// an exact host does not import a wildcard ServiceEntry), the services are not exported to
    /// the Sidecar's namespace, a `~` entry excludes them, the listener's port is not theirs,
    /// or the namespace does not exist. Calls to the host then bypass the mesh (ALLOW_ANY) or
    /// fail (REGISTRY_ONLY). A `ns/*` entry is reported missing its namespace only when the
    /// input is known to list every namespace: it holds Namespace objects, and every resource
    /// of the input lives in one of them (an input that holds some Namespaces but has resources
    /// elsewhere is partial, and a namespace it does not name may well exist). Never for the
    /// root namespace (meshConfig.rootNamespace) nor for the namespaces every Kubernetes cluster
    /// has (`default`, `kube-system`, `kube-public`, `kube-node-lease`); `./*` never. Example:
    /// ```yaml
    /// egress:
    /// - hosts: ["bookinfo/details.bookinfo"]   # imports nothing: write bookinfo/details.bookinfo.svc.cluster.local
    /// ```
    EgressHostImportsNothing = ("SC3002", "egress-host-imports-nothing", Warning, Sidecarscope, ["crates/sidecarscope/src/analyze/egress_hosts.rs"], None);
    /// Beyond Istio and Kiali. An egress listener with a port imports only services that have
    /// that port; when none does, istiod creates no listener for it, and traffic to that port
    /// falls through to the catch-all behaviour (passthrough or blackhole). Example:
    /// ```yaml
    /// egress:
    /// - port: {number: 8080, protocol: HTTP, name: http}
    ///   hosts: ["./*"]      # no service of the namespace has port 8080
    /// ```
    EgressListenerPortUnused = ("SC3003", "egress-listener-port-unused", Warning, Sidecarscope, ["crates/sidecarscope/src/analyze/listeners.rs"], None);
    /// Beyond Istio and Kiali. An ingress listener's port is not the target port of any Service
    /// (or ServiceEntry) selecting the workloads the Sidecar applies to, so traffic sent to
    /// those Services never reaches it; only connections to the pod IP do. Reported only when
    /// some Service does select those workloads. Example: Service `ratings` targets 9080, but
    /// ```yaml
    /// ingress:
    /// - port: {number: 9090, protocol: HTTP, name: http}
    ///   defaultEndpoint: 127.0.0.1:9090
    /// ```
    IngressPortNotTargeted = ("SC3004", "ingress-port-not-targeted", Warning, Sidecarscope, ["crates/sidecarscope/src/analyze/ingress.rs"], None);
    /// Beyond Istio and Kiali. The catch-all egress listener imports an HTTP service on a port
    /// that an earlier egress listener (HTTP, no bind) already owns without importing that
    /// service. istiod drops the catch-all's import on that port, so calls to the service on
    /// it get no route (404). Example:
    /// ```yaml
    /// egress:
    /// - port: {number: 9080, protocol: HTTP, name: http}
    ///   hosts: ["./*"]
    /// - hosts: ["*/*"]    # reviews.other:9080 is shadowed by the first listener
    /// ```
    EgressListenerShadowed = ("SC3005", "egress-listener-shadowed", Warning, Sidecarscope, ["crates/sidecarscope/src/analyze/listeners.rs"], None);
    /// Beyond Istio and Kiali. A `~` (exclusion) egress host excludes nothing: no service or
    /// VirtualService that the listener's other entries import matches it. A typo, or a leftover.
    /// Example:
    /// ```yaml
    /// egress:
    /// - hosts: ["./*", "~./legacy.bookinfo.svc.cluster.local"]   # no service legacy
    /// ```
    ExclusionExcludesNothing = ("SC3006", "exclusion-excludes-nothing", Warning, Sidecarscope, ["crates/sidecarscope/src/analyze/egress_hosts.rs"], None);
    /// Beyond Istio and Kiali. The Sidecar applies to no workload of its namespace although the
    /// namespace has workloads: every workload is taken by a Sidecar with a matching
    /// `workloadSelector`, or the selected workloads run without a sidecar proxy
    /// (`sidecar.istio.io/inject: "false"`). Its settings are dead configuration. Example: a
    /// namespace-wide Sidecar in a namespace whose only Deployment `web` is selected by
    /// Sidecar `web-sidecar` (`workloadSelector: {labels: {app: web}}`). A warning for a Sidecar
    /// with a `workloadSelector`; information for a namespace-wide one (kept, perhaps, for
    /// workloads to come).
    SidecarAppliesToNoWorkload = ("SC3007", "sidecar-applies-to-no-workload", Warning, Sidecarscope, ["crates/sidecarscope/src/analyze/usage.rs"], None);
    /// Beyond Istio and Kiali. Under `REGISTRY_ONLY`, workloads of this Sidecar call a host it does
    /// not import: a VirtualService routes their requests (`sourceLabels`, `sourceNamespace`)
    /// or a DestinationRule configures their calls (`workloadSelector`, or a rule in their
    /// namespace for another namespace's service). The proxy has no cluster for the host, so
    /// these calls are blocked. Example: Sidecar `frontend/default` with `hosts: ["./*"]` and
    /// `outboundTrafficPolicy: {mode: REGISTRY_ONLY}`, and a DestinationRule in `frontend` for
    /// `payments.billing.svc.cluster.local`.
    RegistryOnlyCallNotImported = ("SC3008", "registry-only-call-not-imported", Warning, Sidecarscope, ["crates/sidecarscope/src/analyze/registry_only.rs"], None);
    /// The input has no workloads (Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets,
    /// WorkloadEntries), so the checks that need them (SC2001, SC2002, SC2004 for pods, SC2006,
    /// SC2007, SC3004, SC3007, SC3008) are skipped rather than reporting every selector as
    /// missing, as `istioctl analyze` does on files. Add the workloads to the input to run them.
    NoWorkloadsInInput = ("SC3009", "no-workloads-in-input", Info, Sidecarscope, ["crates/sidecarscope/src/analyze/mod.rs"], None);
    /// The input has no Services or ServiceEntries, so the checks of what egress hosts import
    /// (SC3002, SC3003, SC3005, SC3006, SC3008) are skipped. Kiali's KIA1004 is still reported,
    /// as Kiali would on an empty registry, but as information, not a warning.
    NoServicesInInput = ("SC3010", "no-services-in-input", Info, Sidecarscope, ["crates/sidecarscope/src/analyze/mod.rs"], None);

    /// `sidecarscope impact`: a call that works in base fails in head. The call is one the
    /// workload's proxy makes or takes in base (an imported `host:port`, a VirtualService route,
    /// an inbound port, a destination outside the registry), traced through the listeners istiod
    /// would send on each side; in head it ends in `BlackHoleCluster`, `block_all`, no route
    /// (404) or a refused connection. Reported in `impact`'s SARIF at the head lines that caused
    /// it (the base lines when head has none, e.g. a deleted host entry). Example: the namespace
    /// Sidecar switches to `outboundTrafficPolicy: {mode: REGISTRY_ONLY}` and a call to a host
    /// outside the registry, which went through `PassthroughCluster`, now ends in
    /// `BlackHoleCluster`.
    ImpactBrokenCall = ("SC4001", "impact-broken-call", Error, Sidecarscope, ["crates/sidecarscope/src/render/impact.rs"], None);
    /// `sidecarscope impact`: a call works on both sides but ends elsewhere in head: another
    /// cluster, `PassthroughCluster` instead of the service's cluster (the proxy lost the host:
    /// no mTLS, no DestinationRule, no VirtualService), or without the VirtualService route it
    /// took. Located as SC4001. Example: a Sidecar drops the host entry `catalog/*` under
    /// ALLOW_ANY, and calls to `catalog.catalog.svc.cluster.local:8080` leave through
    /// `PassthroughCluster`.
    ImpactReroutedCall = ("SC4002", "impact-rerouted-call", Warning, Sidecarscope, ["crates/sidecarscope/src/render/impact.rs"], None);
}

/// The resource a diagnostic is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRef {
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl std::fmt::Display for ResourceRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}/{}", self.kind, self.namespace, self.name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// Istio's (or Kiali's) exact text where the finding is theirs.
    pub message: String,
    /// Our explanation or suggestion, beyond Istio's text.
    pub hint: Option<String>,
    pub resource: Option<ResourceRef>,
    /// Field path in the resource, e.g. `spec.egress[0].hosts[1]`; empty for a whole document.
    pub path: String,
    pub source: SourceId,
    pub range: TextRange,
    pub kiali_code: Option<&'static str>,
}

impl Diagnostic {
    pub fn new(code: Code, message: impl Into<String>, source: SourceId, range: TextRange) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            hint: None,
            resource: None,
            path: String::new(),
            source,
            range,
            kiali_code: None,
        }
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }
    pub fn with_resource(mut self, resource: ResourceRef) -> Self {
        self.resource = Some(resource);
        self
    }
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
    pub fn with_kiali_code(mut self, code: Option<&'static str>) -> Self {
        self.kiali_code = code;
        self
    }
    pub fn istio_code(&self) -> Option<&'static str> {
        match (self.code.istio_code(), self.severity) {
            // Schema findings follow their severity: IST0106 for errors, IST0133 for warnings.
            (Some("IST0106") | Some("IST0133"), Severity::Warning) => SCHEMA_WARNING,
            (Some("IST0106") | Some("IST0133"), _) => SCHEMA_ERROR,
            (code, _) => code,
        }
    }
}

/// Renders the list of codes as Markdown: the generated `docs/diagnostics.md`.
pub fn codes_markdown() -> String {
    let mut out = String::from(
        "# Diagnostic codes\n\n<!-- Generated by `sidecarscope codes`; do not edit. A test keeps it in step with the code. -->\n\n\
         Every diagnostic Sidecarscope prints has one of these stable codes. `istioCode` is the code\n\
         `istioctl analyze` reports for the same finding; `kialiCode` the code of Kiali's validation\n\
         (a finding carries it when Kiali would report that instance); `emitted by` the source files\n\
         (under `crates/`) that create findings of the code.\n\n\
         | code | name | severity | from | istioCode | kialiCode | emitted by |\n|---|---|---|---|---|---|---|\n",
    );
    for c in Code::ALL {
        out.push_str(&format!(
            "| [{}](#{}) | `{}` | {} | {:?} | {} | {} | {} |\n",
            c.id(),
            c.id().to_lowercase(),
            c.name(),
            c.default_severity().as_str(),
            c.origin(),
            c.istio_code().unwrap_or("-"),
            c.kiali_code().unwrap_or("-"),
            match c.emitted_by() {
                [] => "-".to_string(),
                files => files
                    .iter()
                    .map(|f| format!("`{}`", f.trim_start_matches("crates/")))
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        ));
    }
    for c in Code::ALL {
        out.push_str(&format!("\n## {}\n\n`{}` ({})\n\n", c.id(), c.name(), c.default_severity().as_str()));
        let emitted_by: Vec<String> = c.emitted_by().iter().map(|f| format!("`{f}`")).collect();
        match emitted_by.is_empty() {
            true => out.push_str("Emitted by: no module (the code is reserved).\n\n"),
            false => out.push_str(&format!("Emitted by: {}.\n\n", emitted_by.join(", "))),
        }
        // Doc comments start with one space; deeper indentation is kept (YAML examples).
        let doc: Vec<&str> = c.doc().lines().map(|l| l.strip_prefix(' ').unwrap_or(l).trim_end()).collect();
        out.push_str(&doc.join("\n"));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_documented() {
        let mut ids: Vec<_> = Code::ALL.iter().map(|c| c.id()).collect();
        ids.sort();
        let n = ids.len();
        ids.dedup();
        assert_eq!(n, ids.len(), "duplicate code id");
        for c in Code::ALL {
            assert!(!c.doc().trim().is_empty(), "{} has no doc", c.id());
        }
    }
}
