//! The questions' arguments as every front end gives them: whose proxy ([`ProxySpec`]) and
//! which call ([`CallSpec`]), with their defaults and their checks, and one set of error texts.
//! A front end only converts its own syntax (the CLI's `--labels k=v,...`, `--to ADDRESS:PORT`;
//! a JavaScript object) into these; [`Spelling`] names the options in its words.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

use crate::go::net::is_ip_address;
use crate::proxy::Proxy;
use crate::registry::Registry;
use crate::suggest::closest;
use crate::trace::{check_request, Call, CallDirection, CallProtocol, CallTls, Header};
use crate::workload::Workload;

/// How a front end names the options, so one error text reads right in each: the CLI's flags
/// (`--ip`), or the field names of the JSON and JavaScript objects (`ip`, which the wasm module
/// prefixes with the argument: `proxy: ip ...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spelling {
    Flags,
    Fields,
}

impl Spelling {
    /// The option `field` (a field name, camelCase) as the front end spells it.
    pub fn option(self, field: &str) -> String {
        match self {
            Spelling::Fields => field.to_string(),
            Spelling::Flags => {
                let flag = match field {
                    "metadata" => "proxy-metadata",
                    "istiodEnv" => "istiod-env",
                    "meshCert" => "client-cert",
                    "defaultNamespace" => "default-namespace",
                    other => other,
                };
                format!("--{flag}")
            }
        }
    }
}

/// A namespace as `kubectl apply -n` takes it: a lowercase RFC 1123 label. The error starts
/// with the value.
pub fn check_namespace(ns: &str) -> Result<(), String> {
    let label = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let b = ns.as_bytes();
    if b.len() > 63
        || !b.first().is_some_and(|&c| label(c))
        || !b.last().is_some_and(|&c| label(c))
        || !b.iter().all(|&c| label(c) || c == b'-')
    {
        return Err(format!(
            "{ns:?}: a namespace is a lowercase RFC 1123 label (a-z, 0-9 and '-', at most 63 characters)"
        ));
    }
    Ok(())
}

/// Whose proxy a question is about: a workload of the input (`namespace/name`), or a namespace
/// with labels; plus the proxy's IPs and node metadata, which override what a workload implies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProxySpec {
    #[serde(default)]
    pub workload: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub labels: Option<BTreeMap<String, String>>,
    /// The proxy's IPs (several for a dual-stack proxy, as istiod's `Proxy.IPAddresses`), first
    /// the primary one; a workload's own IP when empty.
    #[serde(default, alias = "ip", deserialize_with = "one_or_many")]
    pub ips: Vec<String>,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

/// `"10.0.0.1"` or `["10.0.0.1", "fd00::1"]`.
fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(ip) => vec![ip],
        OneOrMany::Many(ips) => ips,
    })
}

/// How many workload names an unknown workload's error lists.
const NEAREST_WORKLOADS: usize = 5;

impl ProxySpec {
    /// Whether it names a proxy at all (a workload or a namespace).
    pub fn names_a_proxy(&self) -> bool {
        self.workload.is_some() || self.namespace.is_some()
    }

    /// Checks the spec before the input is read.
    pub fn check(&self, s: Spelling) -> Result<(), String> {
        match (&self.workload, &self.namespace) {
            (Some(_), Some(_)) => {
                return Err(match s {
                    Spelling::Fields => "give either workload or namespace (with labels), not both".into(),
                    Spelling::Flags => "give either --workload or --namespace (with --labels), not both".into(),
                })
            }
            (Some(_), None) if self.labels.is_some() => {
                return Err(format!(
                    "{} go with {}; a workload brings its own labels",
                    s.option("labels"),
                    s.option("namespace")
                ))
            }
            (None, None) => {
                return Err(match s {
                    Spelling::Fields => {
                        "say whose proxy: { workload: \"namespace/name\" } or { namespace: \"ns\", labels: {...} }"
                            .into()
                    }
                    Spelling::Flags => {
                        "say whose proxy: --workload NS/NAME, or --namespace NS [--labels k=v,...]".into()
                    }
                })
            }
            (None, Some(ns)) if ns.is_empty() => return Err(format!("{} is empty", s.option("namespace"))),
            _ => {}
        }
        self.check_overrides(s)
    }

    /// Checks what applies over a workload's own proxy (IPs, metadata, labels' keys): all a
    /// spec holds when it only overrides (the CLI's `resolve --all`).
    pub fn check_overrides(&self, s: Spelling) -> Result<(), String> {
        for ip in &self.ips {
            if !is_ip_address(ip) {
                return Err(format!("{} {ip:?} is not an IP address", s.option("ip")));
            }
        }
        for (what, map) in [("labels", self.labels.as_ref()), ("metadata", Some(&self.metadata))] {
            if map.is_some_and(|m| m.keys().any(|k| k.trim().is_empty())) {
                return Err(format!("{} has an empty key", s.option(what)));
            }
        }
        Ok(())
    }

    /// The workload the spec names, or why it is not in the input (with the nearest names).
    pub fn workload<'r>(&self, registry: &'r Registry) -> Result<Option<&'r Workload>, String> {
        let Some(id) = &self.workload else { return Ok(None) };
        match registry.workloads.iter().find(|w| w.id() == *id) {
            Some(w) => Ok(Some(w)),
            None if registry.workloads.is_empty() => Err(format!(
                "no workload {id} in the input; it has none (no Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet or WorkloadEntry)"
            )),
            None => {
                // The few nearest names, not every workload (a large mesh has tens of thousands).
                let ids: Vec<String> = registry.workloads.iter().map(|w| w.id()).collect();
                let near = closest(id, ids.iter().map(String::as_str), NEAREST_WORKLOADS);
                let list: Vec<String> = near
                    .iter()
                    .filter_map(|n| registry.workloads.iter().find(|w| w.id() == *n))
                    .map(|w| format!("  {} ({})", w.id(), w.kind))
                    .collect();
                let of = ids.len();
                Err(format!(
                    "no workload {id} in the input; the nearest of its {of} workload{}:\n{}",
                    if of == 1 { "" } else { "s" },
                    list.join("\n")
                ))
            }
        }
    }

    /// The proxy the spec describes in this input, and the workload it names (if any).
    pub fn proxy<'r>(&self, registry: &'r Registry) -> Result<(Proxy, Option<&'r Workload>), String> {
        let (proxy, workload) = match (self.workload(registry)?, &self.namespace) {
            (Some(w), _) => (Proxy::for_workload(w), Some(w)),
            (None, Some(ns)) => {
                let mut p = Proxy::new(ns.clone());
                // One by one: `Labels::extend` sorts (a sort costs the playground's wasm).
                for (k, v) in self.labels.iter().flatten() {
                    p.labels.insert(k.clone(), v.clone());
                }
                (p, None)
            }
            (None, None) => return Err("no proxy given".into()),
        };
        Ok((self.over(proxy), workload))
    }

    /// The spec's IPs and metadata over a proxy (a workload's own).
    pub fn over(&self, mut proxy: Proxy) -> Proxy {
        if let Some((first, rest)) = self.ips.split_first() {
            proxy.ip = Some(first.clone());
            proxy.additional_ips = rest.to_vec();
        }
        for (k, v) in &self.metadata {
            proxy.metadata.insert(k.clone(), v.clone());
        }
        proxy
    }
}

/// Which call to trace, as the front ends give it. Defaults, those of the CLI and the wasm
/// module (and of Istio's simulator, `pilot/pkg/simulation/traffic.go`, whose `Call` has no
/// protocol default but whose tests spell TCP unless they ask for HTTP): outbound, TCP,
/// plaintext (TLS for protocol `TLS` or when an SNI is given), path `/`, method GET.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CallSpec {
    /// The destination IP (an outbound call needs one).
    #[serde(default)]
    pub address: Option<String>,
    /// A JSON number, checked to be a port.
    pub port: f64,
    /// `HTTP`, `HTTP2`, `TCP` or `TLS` (TCP over TLS), any case; default TCP.
    #[serde(default)]
    pub protocol: Option<String>,
    /// `plaintext`, `tls` or `mtls`.
    #[serde(default)]
    pub tls: Option<String>,
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub sni: Option<String>,
    /// `outbound` (default) or `inbound`.
    #[serde(default)]
    pub direction: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub method: Option<String>,
    /// Request headers as `NAME=VALUE`; from JSON an object (`{"x-user": "alice"}`, in name
    /// order) or such strings.
    #[serde(default, deserialize_with = "headers")]
    pub headers: Vec<String>,
    #[serde(default)]
    pub alpn: Option<String>,
    #[serde(default)]
    pub mesh_cert: Option<bool>,
}

fn headers<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Headers {
        Map(BTreeMap<String, String>),
        List(Vec<String>),
    }
    Ok(match Headers::deserialize(d)? {
        Headers::Map(m) => m.into_iter().map(|(k, v)| format!("{k}={v}")).collect(),
        Headers::List(l) => l,
    })
}

impl CallSpec {
    /// The core's call, or what is wrong with the spec (checked before the input is read).
    pub fn to_call(&self, s: Spelling) -> Result<Call, String> {
        self.to_call_with(s, true)
    }

    /// As [`CallSpec::to_call`]; `address_required: false` lets an outbound call go without an
    /// address (the playground traces a port, or a hostname the input does not resolve, by its
    /// port alone).
    pub fn to_call_with(&self, s: Spelling, address_required: bool) -> Result<Call, String> {
        let direction = match self.direction.as_deref() {
            None | Some("outbound") => CallDirection::Outbound,
            Some("inbound") => CallDirection::Inbound,
            Some(d) => return Err(format!("direction {d:?} is not \"outbound\" or \"inbound\"")),
        };
        if self.port.fract() != 0.0 || !(0.0..=65535.0).contains(&self.port) {
            return Err(format!("port {} is not a port number (0-65535)", self.port));
        }
        match &self.address {
            Some(a) if !is_ip_address(a) => {
                return Err(format!(
                    "address {a:?} is not an IP address (listeners match destination IPs, as iptables hands them over)"
                ))
            }
            None if direction == CallDirection::Outbound && address_required => {
                return Err("an outbound call needs an address (the destination IP)".into())
            }
            _ => {}
        }
        let (protocol, default_tls) = match self.protocol.as_deref().map(str::to_ascii_uppercase).as_deref() {
            None | Some("TCP") => (CallProtocol::Tcp, CallTls::Plaintext),
            Some("HTTP") => (CallProtocol::Http, CallTls::Plaintext),
            Some("HTTP2") => (CallProtocol::Http2, CallTls::Plaintext),
            Some("TLS") => (CallProtocol::Tcp, CallTls::Tls),
            Some(_) => {
                return Err(format!(
                    "protocol {:?} is not one of \"HTTP\", \"HTTP2\", \"TCP\", \"TLS\"",
                    self.protocol.clone().unwrap_or_default()
                ))
            }
        };
        let tls = match self.tls.as_deref() {
            Some("plaintext") => CallTls::Plaintext,
            Some("tls") => CallTls::Tls,
            Some("mtls") => CallTls::Mtls,
            Some(t) => return Err(format!("tls {t:?} is not one of \"plaintext\", \"tls\", \"mtls\"")),
            None if self.sni.is_some() => CallTls::Tls,
            None => default_tls,
        };
        // As the simulator: SNI may come with a plaintext call (it only takes part in chain
        // matching), an ALPN may not ("invalid call, ALPN can only be sent in TLS requests").
        if tls == CallTls::Plaintext && self.alpn.is_some() {
            return Err(match s {
                Spelling::Flags => "--alpn needs a TLS call (--tls tls or mtls): ALPN is only sent in a TLS handshake",
                Spelling::Fields => {
                    "alpn needs a TLS call (tls: \"tls\" or \"mtls\"): ALPN is only sent in a TLS handshake"
                }
            }
            .into());
        }
        if self.mesh_cert.is_some() && tls != CallTls::Mtls {
            return Err(match s {
                Spelling::Flags => "--client-cert needs an mTLS call (--tls mtls)",
                Spelling::Fields => "meshCert needs an mTLS call (tls: \"mtls\")",
            }
            .into());
        }
        let mut headers = Vec::new();
        for h in &self.headers {
            let header = match s {
                Spelling::Flags => "--header",
                Spelling::Fields => "header",
            };
            headers.push(Header::parse(h).map_err(|e| format!("{header} {e}"))?);
        }
        check_request(self.path.as_deref(), self.method.as_deref()).map_err(|e| match s {
            Spelling::Flags => format!("--{e}"),
            Spelling::Fields => e,
        })?;
        Ok(Call {
            address: self.address.clone(),
            port: self.port as u32,
            protocol,
            tls,
            host: self.host.clone(),
            sni: self.sni.clone(),
            direction,
            path: self.path.clone(),
            method: self.method.clone(),
            headers,
            alpn: self.alpn.clone(),
            mesh_cert: self.mesh_cert,
        })
    }
}
