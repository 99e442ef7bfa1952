//! The protocol of a port, as Istio names and parses it (`pkg/config/protocol/instance.go`).
//! Every layer (validation, the registry, resolution, listeners, trace) uses this one type.

use std::fmt;

use crate::go::strings::go_to_lower;

/// A supported port protocol (Istio `protocol.Instance`, minus `Unsupported`).
///
/// Serializes as Istio's canonical name, the same text as [`Protocol::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Protocol {
    #[serde(rename = "TCP")]
    Tcp,
    #[serde(rename = "UDP")]
    Udp,
    #[serde(rename = "GRPC")]
    Grpc,
    #[serde(rename = "GRPC-Web")]
    GrpcWeb,
    #[serde(rename = "HTTP")]
    Http,
    #[serde(rename = "HTTP_PROXY")]
    HttpProxy,
    #[serde(rename = "HTTP2")]
    Http2,
    #[serde(rename = "HTTPS")]
    Https,
    #[serde(rename = "TLS")]
    Tls,
    #[serde(rename = "Mongo")]
    Mongo,
    #[serde(rename = "Redis")]
    Redis,
    #[serde(rename = "MySQL")]
    Mysql,
}

impl Protocol {
    /// Istio `protocol.Parse`: Go `strings.ToLower`, then an exact match. `None` is Istio's
    /// `Unsupported` (this includes the empty string; callers treat empty as sniffing).
    /// `HBONE`/`DoubleHBONE` are not in Parse's table, so they are unsupported.
    pub fn parse(s: &str) -> Option<Protocol> {
        Some(match go_to_lower(s).as_str() {
            "tcp" => Protocol::Tcp,
            "udp" => Protocol::Udp,
            "grpc" => Protocol::Grpc,
            "grpc-web" => Protocol::GrpcWeb,
            "http" => Protocol::Http,
            "http_proxy" => Protocol::HttpProxy,
            "http2" => Protocol::Http2,
            "https" => Protocol::Https,
            "tls" => Protocol::Tls,
            "mongo" => Protocol::Mongo,
            "redis" => Protocol::Redis,
            "mysql" => Protocol::Mysql,
            _ => return None,
        })
    }

    /// Istio's canonical name (`pkg/config/protocol/instance.go`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Grpc => "GRPC",
            Protocol::GrpcWeb => "GRPC-Web",
            Protocol::Http => "HTTP",
            Protocol::HttpProxy => "HTTP_PROXY",
            Protocol::Http2 => "HTTP2",
            Protocol::Https => "HTTPS",
            Protocol::Tls => "TLS",
            Protocol::Mongo => "Mongo",
            Protocol::Redis => "Redis",
            Protocol::Mysql => "MySQL",
        }
    }

    /// Istio `Instance.IsHTTP`. HTTPS is deliberately not in this class.
    pub fn is_http(&self) -> bool {
        matches!(self, Protocol::Http | Protocol::Http2 | Protocol::HttpProxy | Protocol::Grpc | Protocol::GrpcWeb)
    }

    /// Istio `Instance.IsTLS`: HTTPS and TLS.
    pub fn is_tls(&self) -> bool {
        matches!(self, Protocol::Https | Protocol::Tls)
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name of a port's protocol as users see it: Istio's canonical name, or `auto` when the
/// protocol is unset and sniffed (`None`).
pub fn name_or_auto(p: Option<Protocol>) -> &'static str {
    p.map_or("auto", |p| p.as_str())
}

/// A port's protocol in outputs: `None` when unset (sniffed). Shown and serialized as
/// [`name_or_auto`] (the wasm module's `ProtocolName`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProtocolName(pub Option<Protocol>);

impl fmt::Display for ProtocolName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(name_or_auto(self.0))
    }
}

impl serde::Serialize for ProtocolName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(name_or_auto(self.0))
    }
}

/// A protocol written in a Sidecar listener's `port.protocol`: one Istio recognises, or any
/// other text, kept as written (Istio's `Unsupported`; validation reports it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeclaredProtocol {
    Known(Protocol),
    Unsupported(String),
}

impl DeclaredProtocol {
    /// `None` for an empty text (unset: the protocol is sniffed).
    pub fn parse(s: &str) -> Option<DeclaredProtocol> {
        if s.is_empty() {
            return None;
        }
        Some(Protocol::parse(s).map_or_else(|| DeclaredProtocol::Unsupported(s.to_string()), DeclaredProtocol::Known))
    }

    /// The protocol when Istio recognises it.
    pub fn known(&self) -> Option<Protocol> {
        match self {
            DeclaredProtocol::Known(p) => Some(*p),
            DeclaredProtocol::Unsupported(_) => None,
        }
    }

    /// The canonical name when recognised, else the text as written.
    pub fn name(&self) -> &str {
        match self {
            DeclaredProtocol::Known(p) => p.as_str(),
            DeclaredProtocol::Unsupported(s) => s,
        }
    }
}

impl fmt::Display for DeclaredProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// As [`DeclaredProtocol::name`].
impl serde::Serialize for DeclaredProtocol {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}
