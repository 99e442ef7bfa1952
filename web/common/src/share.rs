//! The playground's state in a URL fragment: `#v1/<base64url(raw deflate(JSON))>`.
//!
//! Links must never rot: the version prefix says how to read the rest, and a reader keeps
//! understanding every version it ever wrote. Decoding is bounded, because a link is
//! untrusted input: the fragment's length and the inflated size are both capped.
//!
//! DEFLATE is the browser's (`CompressionStream("deflate-raw")`, through `web/js/editor.js`),
//! so encoding and decoding are async; it spares the wasm a compressor (about 5 KB gzipped of
//! the first load). Natively (the tests), miniz_oxide does the same.

use serde::Serialize;
use sidecarscope::yaml::{self, Node};

/// What a link (and localStorage) keeps, as JSON. New fields must be optional so that older
/// links keep opening; removing or renaming one needs a `v2`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct State {
    /// The editor's text.
    pub text: String,
    /// The results panel that was open (`problems`, `effective`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub panel: Option<String>,
    /// The namespace of resources that name none (as `kubectl apply -n`); empty: `default`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// The proxy whose effective configuration is shown.
    #[serde(skip_serializing_if = "ProxyChoice::is_default")]
    pub proxy: ProxyChoice,
    /// The call the Trace panel follows.
    #[serde(skip_serializing_if = "TraceForm::is_default")]
    pub trace: TraceForm,
    /// Compare mode: the text the edits are compared with (Impact).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// Suggest's Traffic tab: the observed traffic pasted (Prometheus, Kiali, access logs, a
    /// dependency list). Links carry it when they stay short enough (see `App::persist`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub traffic: String,
}

/// The Trace panel's form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TraceForm {
    /// `address:port`, `hostname:port` or a port.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub to: String,
    /// The Host header, or the SNI of a TLS call.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub host: String,
    /// `HTTP` (empty), `HTTP2` or `TCP`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub protocol: String,
    /// `plaintext` (empty), `tls` or `mtls`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub tls: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub inbound: bool,
    /// The HTTP request path (empty: `/`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// The HTTP method (empty: GET).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub method: String,
    /// Request headers, `name=value` separated by commas.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub headers: String,
}

impl TraceForm {
    fn is_default(&self) -> bool {
        *self == TraceForm::default()
    }
}

/// Which proxy Effective config is about: a workload of the input, or one described by hand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProxyChoice {
    /// `Kind/namespace/name` of a workload of the input; empty (or gone): the first one.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub workload: String,
    /// When set, this proxy instead of a workload.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom: Option<CustomProxy>,
    /// Proxy node metadata over the workload's or the custom proxy's, as `KEY=VALUE` pairs
    /// separated by commas or newlines (the CLI's `--proxy-metadata`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub metadata: String,
    /// istiod's feature flags, `KEY=VALUE` pairs (the CLI's `--istiod-env`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub istiod: String,
}

/// `KEY=VALUE` pairs separated by commas or newlines; a pair without `=` or with an empty key
/// is left out.
pub fn pairs(text: &str) -> std::collections::BTreeMap<String, String> {
    // Inserted one by one: `collect` into a BTreeMap sorts, which costs the wasm a sort.
    let mut out = std::collections::BTreeMap::new();
    for (k, v) in text.split([',', '\n']).filter_map(|p| p.split_once('=')) {
        if !k.trim().is_empty() {
            out.insert(k.trim().to_string(), v.trim().to_string());
        }
    }
    out
}

impl ProxyChoice {
    fn is_default(&self) -> bool {
        *self == ProxyChoice::default()
    }
}

impl State {
    /// Reads the JSON that [`encode`] and localStorage hold. JSON is YAML, so the core's YAML
    /// reader does it (and a JSON decoder would cost the wasm about 15 KB). Missing or
    /// mistyped fields read as empty; unknown ones are ignored.
    pub fn from_json(json: &str) -> Option<State> {
        let root = yaml::parse_documents(json).into_iter().next()?.root?;
        root.as_map()?;
        let s = |n: Option<&Node>| n.and_then(Node::as_str).map(str::to_string);
        let proxy = root.get("proxy");
        let custom = proxy.and_then(|p| p.get("custom")).filter(|c| c.as_map().is_some()).map(|c| CustomProxy {
            namespace: s(c.get("namespace")).unwrap_or_default(),
            labels: s(c.get("labels")).unwrap_or_default(),
            ip: s(c.get("ip")).unwrap_or_default(),
            // A mode the select does not offer reads as the default (REDIRECT), as Istio's
            // `GetInterceptionMode` reads it.
            interception: s(c.get("interception"))
                .filter(|m| ["TPROXY", "NONE"].contains(&m.as_str()))
                .unwrap_or_default(),
        });
        let trace = root.get("trace").filter(|t| t.as_map().is_some()).map(|t| TraceForm {
            to: s(t.get("to")).unwrap_or_default(),
            host: s(t.get("host")).unwrap_or_default(),
            protocol: s(t.get("protocol")).unwrap_or_default(),
            tls: s(t.get("tls")).unwrap_or_default(),
            inbound: t.get("inbound").and_then(Node::as_bool).unwrap_or(false),
            path: s(t.get("path")).unwrap_or_default(),
            method: s(t.get("method")).unwrap_or_default(),
            headers: s(t.get("headers")).unwrap_or_default(),
        });
        Some(State {
            text: s(root.get("text")).unwrap_or_default(),
            panel: s(root.get("panel")),
            namespace: s(root.get("namespace")).unwrap_or_default(),
            proxy: ProxyChoice {
                workload: s(proxy.and_then(|p| p.get("workload"))).unwrap_or_default(),
                custom,
                metadata: s(proxy.and_then(|p| p.get("metadata"))).unwrap_or_default(),
                istiod: s(proxy.and_then(|p| p.get("istiod"))).unwrap_or_default(),
            },
            trace: trace.unwrap_or_default(),
            base: s(root.get("base")),
            traffic: s(root.get("traffic")).unwrap_or_default(),
        })
    }
}

/// A proxy described by hand, as the form holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CustomProxy {
    pub namespace: String,
    /// `app=ratings, version=v1`
    pub labels: String,
    pub ip: String,
    /// `REDIRECT` (the default), `TPROXY` or `NONE`.
    pub interception: String,
}

impl CustomProxy {
    /// The form as the core's proxy spec. The form is lenient as it is typed: a label pair
    /// without `=` or `:` is left out, an empty namespace is `default`.
    pub fn to_spec(&self) -> sidecarscope::ProxySpec {
        let mut labels = std::collections::BTreeMap::new();
        for pair in self.labels.split([',', '\n']) {
            if let Some((k, v)) = pair.split_once(['=', ':']) {
                if !k.trim().is_empty() {
                    labels.insert(k.trim().to_string(), v.trim().to_string());
                }
            }
        }
        let mut metadata = std::collections::BTreeMap::new();
        if !self.interception.is_empty() && self.interception != "REDIRECT" {
            metadata.insert("INTERCEPTION_MODE".to_string(), self.interception.clone());
        }
        let ns = self.namespace.trim();
        sidecarscope::ProxySpec {
            namespace: Some(if ns.is_empty() { "default" } else { ns }.to_string()),
            labels: Some(labels),
            ips: Some(self.ip.trim()).filter(|ip| !ip.is_empty()).map(str::to_string).into_iter().collect(),
            metadata,
            ..sidecarscope::ProxySpec::default()
        }
    }
}

/// The prefix of the current format.
pub const PREFIX: &str = "v1/";
/// Largest inflated state accepted from a link (the inflate stops there).
pub const MAX_INFLATED: usize = 4 << 20;
/// Largest fragment read at all (base64 of the compressed state).
pub const MAX_FRAGMENT: usize = 8 << 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// `#v7/...`: made by a newer playground.
    UnknownVersion(String),
    TooLarge,
    Corrupt(&'static str),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::UnknownVersion(v) => {
                write!(f, "this link uses format {v}, which this playground does not know")
            }
            DecodeError::TooLarge => write!(f, "this link's content is larger than {} MB", MAX_INFLATED >> 20),
            DecodeError::Corrupt(why) => write!(f, "this link is damaged ({why})"),
        }
    }
}

/// The fragment (without `#`) for a state.
pub async fn encode(state: &State) -> String {
    let json = crate::json::to_string(state);
    let deflated = deflate(json.as_bytes()).await;
    let mut out = String::with_capacity(PREFIX.len() + deflated.len() * 4 / 3 + 4);
    out.push_str(PREFIX);
    base64url_encode(&deflated, &mut out);
    out
}

/// Reads a fragment (with or without the leading `#`). `Ok(None)` when the fragment is not
/// a state at all (empty, or some other anchor), so the caller falls back quietly.
pub async fn decode(fragment: &str) -> Result<Option<State>, DecodeError> {
    let Some(deflated) = payload(fragment)? else { return Ok(None) };
    let json = inflate(&deflated, MAX_INFLATED).await?;
    let json = String::from_utf8(json).map_err(|_| DecodeError::Corrupt("not UTF-8"))?;
    State::from_json(&json).map(Some).ok_or(DecodeError::Corrupt("not a playground state"))
}

/// The deflated bytes of a `v1` fragment.
fn payload(fragment: &str) -> Result<Option<Vec<u8>>, DecodeError> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let Some((version, payload)) = fragment.split_once('/') else { return Ok(None) };
    if !is_version(version) {
        return Ok(None);
    }
    if version != "v1" {
        return Err(DecodeError::UnknownVersion(version.to_string()));
    }
    if payload.len() > MAX_FRAGMENT {
        return Err(DecodeError::TooLarge);
    }
    base64url_decode(payload).map(Some).ok_or(DecodeError::Corrupt("not base64url"))
}

#[cfg(target_arch = "wasm32")]
async fn deflate(data: &[u8]) -> Vec<u8> {
    js_sys::Uint8Array::new(&crate::js::deflate_raw(data).await).to_vec()
}

#[cfg(target_arch = "wasm32")]
async fn inflate(data: &[u8], limit: usize) -> Result<Vec<u8>, DecodeError> {
    let out = crate::js::inflate_raw(data, limit as u32).await;
    match out.as_string() {
        Some(e) if e == "too large" => Err(DecodeError::TooLarge),
        Some(_) => Err(DecodeError::Corrupt("not deflate data")),
        None => Ok(js_sys::Uint8Array::new(&out).to_vec()),
    }
}

#[cfg(not(target_arch = "wasm32"))]
async fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec(data, 6)
}

#[cfg(not(target_arch = "wasm32"))]
async fn inflate(data: &[u8], limit: usize) -> Result<Vec<u8>, DecodeError> {
    miniz_oxide::inflate::decompress_to_vec_with_limit(data, limit).map_err(|e| {
        if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput {
            DecodeError::TooLarge
        } else {
            DecodeError::Corrupt("not deflate data")
        }
    })
}

fn is_version(s: &str) -> bool {
    s.len() >= 2 && s.starts_with('v') && s[1..].bytes().all(|b| b.is_ascii_digit())
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding (RFC 4648 §5): safe in a fragment as is.
fn base64url_encode(data: &[u8], out: &mut String) {
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
}

fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    // Tolerate padding and the standard alphabet, which some chat tools produce.
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for b in s.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // A single leftover character cannot encode a byte.
    if bits >= 6 {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Natively the codec never waits: one poll finishes it.
    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        match f.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => unreachable!("native codec is synchronous"),
        }
    }

    fn encode(state: &State) -> String {
        block_on(super::encode(state))
    }

    fn decode(fragment: &str) -> Result<Option<State>, DecodeError> {
        block_on(super::decode(fragment))
    }

    #[test]
    fn round_trip() {
        for text in ["", "a", "ab", "abc", "kind: Sidecar\n# ünïcödé ✓ 🚀\n", &"x: y\n".repeat(5000)] {
            let state = State {
                text: text.to_string(),
                panel: Some("problems".into()),
                namespace: "prod-us1".into(),
                proxy: ProxyChoice::default(),
                trace: TraceForm::default(),
                base: (!text.is_empty()).then(|| format!("{text}# the base\n")),
                traffic: text.replace("x: y", "istio_requests_total{} 1"),
            };
            let frag = encode(&state);
            assert!(frag.starts_with("v1/"));
            assert!(frag.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_/".contains(&b)), "{frag}");
            assert_eq!(decode(&format!("#{frag}")).unwrap(), Some(state));
        }
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (raw, enc) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            let mut s = String::new();
            base64url_encode(raw.as_bytes(), &mut s);
            assert_eq!(s, enc);
            assert_eq!(base64url_decode(enc).unwrap(), raw.as_bytes());
        }
        assert_eq!(base64url_decode("Zg==").unwrap(), b"f");
        assert_eq!(base64url_decode("Z"), None);
        assert_eq!(base64url_decode("Zm9v!"), None);
    }

    #[test]
    fn other_fragments_are_not_states() {
        assert_eq!(decode(""), Ok(None));
        assert_eq!(decode("#"), Ok(None));
        assert_eq!(decode("#problems"), Ok(None));
        assert_eq!(decode("#section/intro"), Ok(None));
    }

    #[test]
    fn newer_versions_and_damage_are_reported() {
        assert_eq!(decode("#v2/abc"), Err(DecodeError::UnknownVersion("v2".into())));
        assert!(matches!(decode("#v1/!!!"), Err(DecodeError::Corrupt(_))));
        assert!(matches!(decode("#v1/AAAA"), Err(DecodeError::Corrupt(_))));
    }

    #[test]
    fn decompression_bomb_is_refused() {
        // 64 MB of spaces deflates to about 64 KB; the inflate must stop at the limit.
        let json = format!("{{\"text\":\"{}\"}}", " ".repeat(64 << 20));
        let deflated = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9);
        let mut frag = String::from("v1/");
        base64url_encode(&deflated, &mut frag);
        assert!(frag.len() < MAX_FRAGMENT);
        assert_eq!(decode(&frag), Err(DecodeError::TooLarge));
    }

    #[test]
    fn unknown_fields_are_ignored_and_missing_ones_default() {
        let json = br#"{"text":"a: b","future":{"x":1}}"#;
        let mut frag = String::from("v1/");
        base64url_encode(&miniz_oxide::deflate::compress_to_vec(json, 6), &mut frag);
        assert_eq!(decode(&frag).unwrap(), Some(State { text: "a: b".into(), ..State::default() }));
    }

    #[test]
    fn json_with_escapes_and_any_text_reads_back() {
        for text in [
            "a: \"b\"\n\tc: '\\d'\r\n",
            "\u{1}\u{1f}\u{7f} ünï 🚀 ---\n--- \n...\n",
            "{\"text\": 1}",
            "</script><!--",
            "",
        ] {
            let state = State {
                text: text.to_string(),
                panel: None,
                namespace: String::new(),
                proxy: ProxyChoice::default(),
                trace: TraceForm::default(),
                base: Some(text.to_string()),
                traffic: text.to_string(),
            };
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(State::from_json(&json), Some(state), "{json}");
        }
        assert_eq!(State::from_json("[1, 2]"), None);
        assert_eq!(State::from_json("{\"text\": 5}").unwrap().text, "");
    }

    #[test]
    fn custom_proxies_round_trip_and_parse() {
        let custom = CustomProxy {
            namespace: " prod ".into(),
            labels: "app=ratings, version: v1".into(),
            ip: "10.1.1.7".into(),
            interception: "NONE".into(),
        };
        let trace = TraceForm {
            to: "reviews:9080".into(),
            host: "reviews".into(),
            protocol: "HTTP2".into(),
            tls: "mtls".into(),
            inbound: true,
            path: "/api/v2?x=1".into(),
            method: "POST".into(),
            headers: "x-user=alice, x-b=2".into(),
        };
        let state = State {
            text: "x".into(),
            panel: None,
            namespace: "team-a".into(),
            proxy: ProxyChoice {
                custom: Some(custom.clone()),
                metadata: "UNPRIVILEGED_POD=true".into(),
                istiod: "PILOT_HTTP10=1".into(),
                ..Default::default()
            },
            trace,
            base: None,
            traffic: String::new(),
        };
        assert_eq!(decode(&encode(&state)).unwrap(), Some(state));
        let p = custom.to_spec().proxy(&sidecarscope::Registry::default()).unwrap().0;
        assert_eq!(p.namespace, "prod");
        assert_eq!(p.labels.get("app").map(String::as_str), Some("ratings"));
        assert_eq!(p.labels.get("version").map(String::as_str), Some("v1"));
        assert_eq!(p.ip.as_deref(), Some("10.1.1.7"));
        assert_eq!(p.metadata.get("INTERCEPTION_MODE").map(String::as_str), Some("NONE"));
    }
}
