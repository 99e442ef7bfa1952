//! Traffic settings as typed values, read once by the registry so that nothing past it reads
//! YAML: the outbound traffic policy of a Sidecar or of MeshConfig (`OutboundTrafficPolicy`,
//! with its `Mode` enum and the deprecated `egressProxy`), a DestinationRule's `trafficPolicy`
//! as far as resolution reads it, and settings echoed to users as written (connection pools,
//! `egressProxy`), each with the range it was written at.

use std::fmt;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::text::TextRange;
use crate::yaml::fields::{list, set, str_of, u32_of};
use crate::yaml::{JsonType, Node, Resolved, View};

/// Istio `OutboundTrafficPolicy.Mode` (Sidecar and MeshConfig), as written. Decoding makes an
/// omitted mode `REGISTRY_ONLY` (enum value 0); the registry does that before building one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboundMode {
    RegistryOnly,
    AllowAny,
    /// MeshConfig-only (the Sidecar's enum has no such value; validation reports it there).
    AllowAnyDynamicDns,
    /// Any other text, kept as written: Istio would reject the resource; resolution carries on
    /// and behaves as for `ALLOW_ANY` where istiod's code falls to its default branch.
    Other(String),
}

impl OutboundMode {
    pub fn parse(s: &str) -> OutboundMode {
        match s {
            "REGISTRY_ONLY" => OutboundMode::RegistryOnly,
            "ALLOW_ANY" => OutboundMode::AllowAny,
            "ALLOW_ANY_DYNAMIC_DNS" => OutboundMode::AllowAnyDynamicDns,
            other => OutboundMode::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            OutboundMode::RegistryOnly => "REGISTRY_ONLY",
            OutboundMode::AllowAny => "ALLOW_ANY",
            OutboundMode::AllowAnyDynamicDns => "ALLOW_ANY_DYNAMIC_DNS",
            OutboundMode::Other(s) => s,
        }
    }
}

impl fmt::Display for OutboundMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Compares with the mode's name as written (`mode == "REGISTRY_ONLY"`).
impl PartialEq<&str> for OutboundMode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// As the mode's name (`"REGISTRY_ONLY"`), the text it replaced in every output.
impl Serialize for OutboundMode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A Sidecar's `outboundTrafficPolicy`, when set.
#[derive(Debug, Clone)]
pub struct OutboundPolicy {
    /// `mode`; `REGISTRY_ONLY` (enum value 0) when it is not a string.
    pub mode: OutboundMode,
    /// `mode` is not a string (omitted, or a number): Istio reads enum value 0.
    pub mode_omitted: bool,
    /// `mode` decodes to enum value 0 as Kiali sees it: omitted, `REGISTRY_ONLY` or `0`.
    pub mode_is_zero: bool,
    pub egress_proxy: Option<EgressProxy>,
    /// The range of the `outboundTrafficPolicy` key.
    pub key_range: TextRange,
}

/// `outboundTrafficPolicy.egressProxy` (deprecated; istiod ignores it).
#[derive(Debug, Clone)]
pub struct EgressProxy {
    pub host: String,
    pub subset: String,
    /// `port.number`, 0 when unset.
    pub port: u32,
    /// The whole value, as written.
    pub settings: Settings,
    /// The range of the `egressProxy` key.
    pub key_range: TextRange,
}

impl OutboundPolicy {
    /// Reads `outboundTrafficPolicy` from a Sidecar's `spec` (`None` when unset or `null`).
    pub fn read(spec: &Node) -> Option<OutboundPolicy> {
        let entry = spec.entry("outboundTrafficPolicy").filter(|e| !e.value.is_null())?;
        let otp = &entry.value;
        let mode = str_of(otp, "mode");
        let mode_is_zero = match set(otp, "mode") {
            None => true,
            Some(n) => mode == Some("REGISTRY_ONLY") || (n.json_type() == JsonType::Integer && n.as_int() == Some(0)),
        };
        let egress_proxy = otp.entry("egressProxy").filter(|e| !e.value.is_null()).map(|e| EgressProxy {
            host: str_of(&e.value, "host").unwrap_or("").to_string(),
            subset: str_of(&e.value, "subset").unwrap_or("").to_string(),
            port: set(&e.value, "port").and_then(|p| u32_of(p, "number")).unwrap_or(0),
            settings: Settings::read(&e.value),
            key_range: e.key.range,
        });
        Some(OutboundPolicy {
            mode: OutboundMode::parse(mode.unwrap_or("REGISTRY_ONLY")),
            mode_omitted: mode.is_none(),
            mode_is_zero,
            egress_proxy,
            key_range: entry.key.range,
        })
    }
}

/// A DestinationRule's `trafficPolicy`, as far as resolution reads it.
#[derive(Debug, Clone)]
pub struct TrafficPolicy {
    pub connection_pool: Option<Settings>,
    /// `portLevelSettings`, in written order.
    pub port_level: Vec<PortTrafficPolicy>,
}

/// One item of `portLevelSettings`.
#[derive(Debug, Clone)]
pub struct PortTrafficPolicy {
    /// `port.number`; `None` when unset or not a port number.
    pub port: Option<u32>,
    pub connection_pool: Option<Settings>,
}

impl TrafficPolicy {
    pub fn read(tp: &Node) -> TrafficPolicy {
        TrafficPolicy {
            connection_pool: set(tp, "connectionPool").map(Settings::read),
            port_level: list(tp, "portLevelSettings")
                .iter()
                .map(|pl| PortTrafficPolicy {
                    port: set(pl, "port").and_then(|p| u32_of(p, "number")),
                    connection_pool: set(pl, "connectionPool").map(Settings::read),
                })
                .collect(),
        }
    }

    /// The `portLevelSettings` item for `port`, the first if several.
    pub fn for_port(&self, port: u32) -> Option<&PortTrafficPolicy> {
        self.port_level.iter().find(|p| p.port == Some(port))
    }
}

/// Settings copied from the input (a connection pool, an `egressProxy`), shown to users as
/// written: serialized as the equivalent JSON (mappings, lists, and scalars with YAML 1.1
/// typing: `5s` stays a string) and as one line of YAML flow style.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings(Value);

/// A value of [`Settings`]: the tree as written, with each scalar's text and resolved type.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Map(Vec<(String, Value)>),
    Seq(Vec<Value>),
    Scalar { text: String, typed: Typed },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Typed {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str,
}

impl Settings {
    /// An empty mapping: Istio's built-in defaults apply.
    pub fn empty() -> Settings {
        Settings(Value::Map(Vec::new()))
    }

    pub fn is_empty(&self) -> bool {
        matches!(&self.0, Value::Map(m) if m.is_empty())
    }

    pub fn read(node: &Node) -> Settings {
        Settings(Value::read(node))
    }

    /// In YAML flow style, on one line: `{http: {maxRetries: 3}}`.
    pub fn flow(&self) -> String {
        self.0.flow()
    }
}

impl Value {
    fn read(node: &Node) -> Value {
        match node.view() {
            View::Map(entries) => Value::Map(
                entries
                    .iter()
                    .map(|e| (e.key.scalar_text().unwrap_or("").to_string(), Value::read(&e.value)))
                    .collect(),
            ),
            View::Seq(items) => Value::Seq(items.iter().map(Value::read).collect()),
            View::Scalar(sc) => Value::Scalar {
                text: sc.value.to_string(),
                typed: match sc.resolve() {
                    Resolved::Null => Typed::Null,
                    Resolved::Bool(b) => Typed::Bool(b),
                    Resolved::Int(i) => Typed::Int(i),
                    Resolved::Float(f) => Typed::Float(f),
                    Resolved::Str(_) => Typed::Str,
                },
            },
        }
    }

    fn flow(&self) -> String {
        match self {
            Value::Map(entries) => {
                format!(
                    "{{{}}}",
                    entries.iter().map(|(k, v)| format!("{k}: {}", v.flow())).collect::<Vec<_>>().join(", ")
                )
            }
            Value::Seq(items) => format!("[{}]", items.iter().map(Value::flow).collect::<Vec<_>>().join(", ")),
            Value::Scalar { text, .. } => text.clone(),
        }
    }
}

impl Serialize for Settings {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Map(entries) => {
                let mut m = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
            Value::Seq(items) => {
                let mut q = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    q.serialize_element(i)?;
                }
                q.end()
            }
            Value::Scalar { text, typed } => match *typed {
                Typed::Null => s.serialize_unit(),
                Typed::Bool(b) => s.serialize_bool(b),
                Typed::Int(i) => match i64::try_from(i) {
                    Ok(i) => s.serialize_i64(i),
                    Err(_) => s.serialize_f64(i as f64),
                },
                Typed::Float(f) if f.is_finite() => s.serialize_f64(f),
                Typed::Float(_) | Typed::Str => s.serialize_str(text),
            },
        }
    }
}
