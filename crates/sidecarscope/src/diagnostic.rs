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

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = ($id:literal, $name:literal, $sev:ident, $origin:ident, $istio:expr); )*) => {
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
            /// The `istioctl analyze` code reported for the same finding, if any.
            pub fn istio_code(self) -> Option<&'static str> { match self { $(Code::$variant => $istio,)* } }
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
    YamlSyntax = ("SC0001", "yaml-syntax", Error, Input, None);
    /// The YAML exceeds a safety limit: alias expansion beyond the node budget ("billion
    /// laughs") or nesting deeper than the depth limit. The document is not read further.
    YamlLimit = ("SC0002", "yaml-limit", Error, Input, None);
    /// A document is not a Kubernetes resource: not a mapping, or without `apiVersion`/`kind`.
    NotAResource = ("SC0003", "not-a-resource", Error, Input, None);
    /// A resource of a kind Sidecarscope does not use (e.g. a Secret). It is kept and ignored;
    /// reported once per kind.
    IgnoredKind = ("SC0004", "ignored-kind", Info, Input, None);
    /// A mapping has the same key twice. Kubernetes keeps the last one; so do we.
    DuplicateKey = ("SC0005", "duplicate-key", Warning, Input, None);
    /// `metadata.name` is missing or is not a valid Kubernetes name (a DNS-1123 subdomain).
    InvalidMetadata = ("SC0006", "invalid-metadata", Error, Input, None);
    /// The mesh ConfigMap `istio` has a `data.mesh` that is not a YAML mapping.
    MeshConfig = ("SC0007", "mesh-config", Error, Input, None);
    /// A known kind with an `apiVersion` that Istio or Kubernetes does not serve
    /// (e.g. `networking.istio.io/v2`). The resource is ignored.
    UnknownApiVersion = ("SC0008", "unknown-api-version", Warning, Input, None);

    /// A field has the wrong JSON type (e.g. a list where an object belongs). Istio's decoder
    /// and the CRD schema both reject it; Istio's validator does not run.
    WrongType = ("SC0101", "wrong-type", Error, Decoding, SCHEMA_ERROR);
    /// An enum field has a value that is not one of its names. Names are case-sensitive.
    UnknownEnumValue = ("SC0102", "unknown-enum-value", Error, Decoding, SCHEMA_ERROR);
    /// An integer is outside the range of its field (uint32, int32, or the CRD's bounds).
    IntegerOutOfRange = ("SC0103", "integer-out-of-range", Error, Decoding, SCHEMA_ERROR);
    /// A field that the Sidecar schema does not have. `istioctl validate` and `kubectl apply`
    /// (strict field validation) reject it; the webhook alone would silently ignore it.
    UnknownField = ("SC0104", "unknown-field", Error, Decoding, SCHEMA_ERROR);
    /// A protobuf snake_case field name (`workload_selector`). Istio's decoder accepts it, but
    /// the CRD only knows the lowerCamel JSON name, so the API server rejects or drops it.
    ProtoFieldName = ("SC0105", "proto-field-name", Error, CrdSchema, SCHEMA_ERROR);
    /// A duration that is not in Go duration syntax (`30s`, `1h30m`, `500ms`).
    InvalidDuration = ("SC0106", "invalid-duration", Error, Decoding, SCHEMA_ERROR);

    /// A field the CRD schema requires is missing (`port` on an ingress listener, `hosts` on an
    /// egress listener, `host` on an egress proxy).
    RequiredField = ("SC0201", "required-field", Error, CrdSchema, SCHEMA_ERROR);
    /// A list or map has more (or fewer) entries than the CRD schema allows.
    ItemCount = ("SC0202", "item-count", Error, CrdSchema, SCHEMA_ERROR);
    /// A string is longer than the CRD schema allows (e.g. a selector label value over 63).
    StringTooLong = ("SC0203", "string-too-long", Error, CrdSchema, SCHEMA_ERROR);
    /// A CEL rule of the CRD (`x-kubernetes-validations`) rejects the value.
    CrdRule = ("SC0204", "crd-rule", Error, CrdSchema, SCHEMA_ERROR);

    /// An annotation that Istio's webhook rejects on a Sidecar (`istio.io/dry-run`, or one of
    /// Istio's internal annotations).
    ForbiddenAnnotation = ("SC1001", "forbidden-annotation", Error, IstioValidator, SCHEMA_ERROR);
    /// A top-level key other than apiVersion, kind, metadata, spec and status.
    UnknownTopLevelField = ("SC1002", "unknown-top-level-field", Error, IstioValidator, SCHEMA_ERROR);
    /// The workload selector has an empty label key or a `*` in a key or value. Istio stops
    /// validating the Sidecar here.
    InvalidSelector = ("SC1010", "invalid-selector", Error, IstioValidator, SCHEMA_ERROR);
    /// `workloadSelector` is present without labels: the Sidecar applies to every workload of
    /// its namespace, as if it had no selector.
    SelectorWithoutLabels = ("SC1011", "selector-without-labels", Warning, IstioValidator, SCHEMA_WARNING);
    /// The Sidecar configures nothing: no ingress, no egress, no outbound traffic policy and no
    /// inbound connection pool.
    EmptyConfiguration = ("SC1012", "empty-configuration", Error, IstioValidator, SCHEMA_ERROR);
    /// An ingress listener without `port`. Istio skips the rest of that listener's checks.
    IngressPortRequired = ("SC1020", "ingress-port-required", Error, IstioValidator, SCHEMA_ERROR);
    /// `port.targetPort` is set; it is deprecated and has no effect on Sidecars.
    TargetPort = ("SC1021", "target-port", Error, IstioValidator, SCHEMA_ERROR);
    /// `port.name` is not a DNS-1123 label (upper case is allowed).
    InvalidPortName = ("SC1022", "invalid-port-name", Error, IstioValidator, SCHEMA_ERROR);
    /// `port.protocol` is not one Istio supports (TCP, UDP, GRPC, GRPC-WEB, HTTP, HTTP_PROXY,
    /// HTTP2, HTTPS, TLS, MONGO, REDIS, MYSQL; any letter case; empty means sniffing).
    UnsupportedProtocol = ("SC1023", "unsupported-protocol", Error, IstioValidator, SCHEMA_ERROR);
    /// A port number outside 1..65535.
    PortRange = ("SC1024", "port-range", Error, IstioValidator, SCHEMA_ERROR);
    /// `bind` is not an IP address.
    InvalidBind = ("SC1025", "invalid-bind", Error, IstioValidator, SCHEMA_ERROR);
    /// Two listeners of the same direction use one port number (bind addresses are ignored).
    DuplicatePort = ("SC1026", "duplicate-port", Error, IstioValidator, SCHEMA_ERROR);
    /// `defaultEndpoint` is not `127.0.0.1:<port>`, `0.0.0.0:<port>`, `[::1]:<port>`,
    /// `[::]:<port>`, `:<port>` or `unix://<path>`.
    InvalidDefaultEndpoint = ("SC1027", "invalid-default-endpoint", Error, IstioValidator, SCHEMA_ERROR);
    /// A `tls` setting that Sidecar ingress listeners do not support, or TLS on a port whose
    /// protocol is not HTTPS or TLS.
    IngressTls = ("SC1030", "ingress-tls", Error, IstioValidator, SCHEMA_ERROR);
    /// A server TLS option rule (shared with Gateways) rejects the `tls` block.
    TlsOptions = ("SC1031", "tls-options", Error, IstioValidator, SCHEMA_ERROR);
    /// A server TLS option rule warns: old TLS versions without ciphers, invalid or duplicate
    /// cipher suites, certificates that a passthrough mode ignores.
    TlsOptionsWarning = ("SC1032", "tls-options-warning", Warning, IstioValidator, SCHEMA_WARNING);
    /// HTTP connection-pool settings on an ingress port whose protocol is not HTTP: only the
    /// TCP settings apply.
    HttpPoolOnNonHttpPort = ("SC1035", "http-pool-on-non-http-port", Warning, IstioValidator, SCHEMA_WARNING);
    /// A connection-pool setting is invalid (empty pool, negative value, bad duration,
    /// missing keepalive interval/timeout, UPGRADE with useClientProtocol).
    ConnectionPool = ("SC1036", "connection-pool", Error, IstioValidator, SCHEMA_ERROR);
    /// An egress listener without `port` (a catch-all) that is not the last listener.
    CatchAllNotLast = ("SC1040", "catch-all-not-last", Error, IstioValidator, SCHEMA_ERROR);
    /// An egress listener with port 0 whose `bind` is not a valid `unix://` socket, or whose
    /// captureMode is IPTABLES, or whose socket another listener uses too.
    UnixSocketListener = ("SC1041", "unix-socket-listener", Error, IstioValidator, SCHEMA_ERROR);
    /// An egress listener without hosts.
    EgressHostsRequired = ("SC1044", "egress-hosts-required", Error, IstioValidator, SCHEMA_ERROR);
    /// An egress host is not of the form `namespace/dnsName` with a valid namespace (`*`, `.`,
    /// `~`, a name, optionally `~`-prefixed) and a valid FQDN or wildcard.
    EgressHostFormat = ("SC1050", "egress-host-format", Error, IstioValidator, SCHEMA_ERROR);
    /// An egress host repeats, or is covered by, an earlier host of the same listener.
    DuplicateEgressHost = ("SC1051", "duplicate-egress-host", Warning, IstioValidator, SCHEMA_WARNING);
    /// `*/*` together with hosts of other namespaces in one listener: `*/*` already selects all.
    StarStarWithOtherHosts = ("SC1052", "star-star-with-other-hosts", Warning, IstioValidator, SCHEMA_WARNING);
    /// `outboundTrafficPolicy` is invalid (ALLOW_ANY_DYNAMIC_DNS, or an `egressProxy` without
    /// ALLOW_ANY, without port, or with an invalid host or subset).
    OutboundTrafficPolicy = ("SC1070", "outbound-traffic-policy", Error, IstioValidator, SCHEMA_ERROR);
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
         `istioctl analyze` reports for the same finding.\n\n\
         | code | name | severity | from | istioCode |\n|---|---|---|---|---|\n",
    );
    for c in Code::ALL {
        out.push_str(&format!(
            "| [{}](#{}) | `{}` | {} | {:?} | {} |\n",
            c.id(),
            c.id().to_lowercase(),
            c.name(),
            c.default_severity().as_str(),
            c.origin(),
            c.istio_code().unwrap_or("-")
        ));
    }
    for c in Code::ALL {
        out.push_str(&format!("\n## {}\n\n`{}` ({})\n\n", c.id(), c.name(), c.default_severity().as_str()));
        let doc: Vec<&str> = c.doc().lines().map(str::trim).collect();
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
