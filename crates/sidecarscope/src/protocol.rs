//! The protocol of a port, as Istio names and parses it (`pkg/config/protocol/instance.go`).
//! Every layer (validation, the registry, resolution, listeners, trace) uses this one type.

use std::fmt;

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

/// Go `strings.ToLower`, which uses simple (one-rune) case mapping. Rust's full mapping
/// differs only for U+0130 (`İ`), which Go lowers to a plain `i` - and that matters, since
/// `REDİS` is then accepted as `redis`.
fn go_to_lower(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '\u{130}' {
            out.push('i');
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}
