//! Observed traffic, read from what users can export: a Prometheus `/api/v1/query` result and the
//! text exposition format (`istio_requests_total`, `istio_tcp_connections_opened_total`), a
//! Kiali graph, Envoy access logs in Istio's default text and JSON formats, and a plain
//! dependency list (YAML: workload → hosts). Every call keeps its file and line; every record
//! that cannot be read is a problem with its file and line, and is skipped (the rest still
//! counts). No I/O: the front end hands the texts in.

use serde::Serialize;
use serde_json::Value;

use crate::diagnostic::{Code, Severity};
use crate::text::LineIndex;

/// One evidence file as the front end read it.
#[derive(Debug, Clone)]
pub struct EvidenceFile {
    pub name: String,
    pub text: String,
}

/// The formats [`read`] recognises (by content, not by file name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `/api/v1/query` JSON of `istio_requests_total` or `istio_tcp_connections_opened_total`.
    PrometheusJson,
    /// The Prometheus text exposition format (`/metrics`, `promtool`).
    PrometheusText,
    /// A Kiali graph (`/api/namespaces/graph`, `elements.nodes` and `elements.edges`).
    KialiGraph,
    /// Envoy access log lines in Istio's default text format (`accessLogFormat` unset).
    EnvoyText,
    /// Envoy access log lines with `accessLogEncoding: JSON` (Istio's default JSON keys).
    EnvoyJson,
    /// YAML: `namespace/workload: [host, host:port, ...]`.
    DependencyList,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::PrometheusJson => "Prometheus query result (JSON)",
            Format::PrometheusText => "Prometheus text exposition format",
            Format::KialiGraph => "Kiali graph (JSON)",
            Format::EnvoyText => "Envoy access log (Istio's default text format)",
            Format::EnvoyJson => "Envoy access log (Istio's default JSON format)",
            Format::DependencyList => "dependency list (YAML)",
        }
    }
}

/// Who made a call.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Caller {
    /// A workload by namespace and name (metrics, Kiali, the dependency list).
    Workload { namespace: String, name: String },
    /// The address of the pod whose proxy logged the call (access logs): the workload with that
    /// IP.
    Address { ip: String },
}

/// Whether a call was HTTP (its proxy parsed requests) or TCP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Http,
    Tcp,
}

/// Where a call was seen: file, line, and the record itself (the series or log line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Seen {
    pub file: String,
    pub line: u32,
    pub format: Format,
    /// The metric series, the log line or the list entry, shortened to 200 characters.
    pub record: String,
}

impl Seen {
    /// `file:line`.
    pub fn at(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

/// One observed call (or one call the dependency list says is made).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Observed {
    pub caller: Caller,
    /// The destination host as the evidence names it (`reviews.prod.svc.cluster.local`, an
    /// external name, an authority without its port).
    pub host: String,
    pub port: Option<u32>,
    pub kind: Option<Kind>,
    pub method: Option<String>,
    pub path: Option<String>,
    /// It left through `PassthroughCluster` (the destination is in no registry).
    pub passthrough: bool,
    pub seen: Seen,
}

/// A record that could not be read, or an evidence file without any.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl Problem {
    fn new(code: Code, message: impl Into<String>, file: &str, line: u32, column: u32) -> Problem {
        Problem {
            code: code.id(),
            name: code.name(),
            severity: code.default_severity(),
            message: message.into(),
            file: file.to_string(),
            line,
            column,
        }
    }
}

/// What a file held.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileSummary {
    pub file: String,
    /// `None`: the format was not recognised (a problem says so).
    pub format: Option<Format>,
    pub calls: usize,
    pub problems: usize,
}

/// Every file's calls and problems.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Evidence {
    pub files: Vec<FileSummary>,
    pub calls: Vec<Observed>,
    pub problems: Vec<Problem>,
}

/// Reads every file (see the module's doc).
pub fn read(files: &[EvidenceFile]) -> Evidence {
    let mut out = Evidence::default();
    for f in files {
        let (calls, problems) = (out.calls.len(), out.problems.len());
        let mut r = Reader { file: &f.name, text: &f.text, lines: LineIndex::new(&f.text), out: &mut out };
        let format = r.read();
        let summary = FileSummary {
            file: f.name.clone(),
            format,
            calls: out.calls.len() - calls,
            problems: out.problems.len() - problems,
        };
        if summary.calls == 0 && summary.problems == 0 {
            let what = match format {
                Some(f) => format!("no call in this {}", f.name()),
                None => "the evidence file is empty".to_string(),
            };
            out.problems.push(Problem::new(Code::EmptyEvidence, what, &f.name, 1, 1));
        }
        out.files.push(FileSummary { problems: out.problems.len() - problems, ..summary });
    }
    out
}

/// The metrics whose series are calls.
const METRICS: [&str; 2] = ["istio_requests_total", "istio_tcp_connections_opened_total"];

struct Reader<'a> {
    file: &'a str,
    text: &'a str,
    lines: LineIndex,
    out: &'a mut Evidence,
}

impl Reader<'_> {
    fn line(&self, offset: usize) -> u32 {
        self.lines.line_of(offset as u32) as u32 + 1
    }

    fn problem(&mut self, offset: usize, message: impl Into<String>) {
        let lc = self.lines.line_col(self.text, offset as u32);
        self.out.problems.push(Problem::new(Code::MalformedEvidence, message, self.file, lc.line, lc.column));
    }

    fn seen(&self, offset: usize, format: Format, record: &str) -> Seen {
        let record = record.trim();
        let record = match record.char_indices().nth(200) {
            Some((i, _)) => format!("{}…", &record[..i]),
            None => record.to_string(),
        };
        Seen { file: self.file.to_string(), line: self.line(offset), format, record }
    }

    fn read(&mut self) -> Option<Format> {
        let trimmed = self.text.trim_start();
        if trimmed.is_empty() {
            return None;
        }
        let start = self.text.len() - trimmed.len();
        if trimmed.starts_with('{') {
            // A whole JSON document, or JSON lines (one access log entry per line).
            let first_line = self.lines.line_range(self.text, self.lines.line_of(start as u32));
            let first = &self.text[start..first_line.end as usize];
            let one_object = serde_json::from_str::<Value>(first).ok().filter(Value::is_object);
            if let Some(v) = one_object.filter(|v| !v.get("data").is_some_and(Value::is_object)) {
                if v.get("elements").is_none() {
                    self.envoy_json();
                    return Some(Format::EnvoyJson);
                }
            }
            if find_key(self.text, "elements").is_some() || find_key(self.text, "edges").is_some() {
                self.kiali();
                return Some(Format::KialiGraph);
            }
            self.prometheus_json();
            return Some(Format::PrometheusJson);
        }
        if trimmed.starts_with('[') && trimmed[1..].trim_start().starts_with(|c: char| c.is_ascii_digit()) {
            self.envoy_text();
            return Some(Format::EnvoyText);
        }
        let first_word = trimmed.split(|c: char| c == '{' || c.is_whitespace()).next().unwrap_or("");
        if trimmed.starts_with('#') && prometheus_comment(trimmed) || METRICS.contains(&first_word) {
            self.prometheus_text();
            return Some(Format::PrometheusText);
        }
        let doc = crate::yaml::parse_single(self.text);
        if doc.root.as_ref().is_some_and(|r| r.as_map().is_some()) {
            self.dependency_list(doc.root.as_ref().unwrap_or_else(|| unreachable!()));
            return Some(Format::DependencyList);
        }
        let at = doc.error.as_ref().map_or(start, |e| e.range.start as usize);
        self.problem(
            at,
            "unknown evidence format: expected a Prometheus query result or text exposition, a Kiali graph, an \
             Envoy access log (Istio's default text or JSON format) or a dependency list (YAML)",
        );
        None
    }

    // ---- Prometheus ----

    fn prometheus_json(&mut self) {
        if let Err(e) = serde_json::from_str::<Value>(self.text) {
            let offset = offset_of(self.text, e.line(), e.column());
            self.problem(offset, format!("invalid JSON: {e}; the series before this point are read"));
        } else if let Ok(v) = serde_json::from_str::<Value>(self.text) {
            if let Some(status) = v.get("status").and_then(Value::as_str).filter(|s| *s != "success") {
                let msg = v.get("error").and_then(Value::as_str).unwrap_or("");
                self.problem(0, format!("the query failed (status {status:?}): {msg}"));
                return;
            }
        }
        let Some(items) = json_items(self.text, "result") else {
            self.problem(0, "no \"result\" list: not a Prometheus /api/v1/query result");
            return;
        };
        for item in items {
            match item {
                Item::Value(offset, v) => self.prometheus_series(offset, &v),
                Item::Error(offset, e) => self.problem(offset, e),
            }
        }
    }

    fn prometheus_series(&mut self, offset: usize, v: &Value) {
        let Some(metric) = v.get("metric").and_then(Value::as_object) else {
            return self.problem(offset, "a result without a \"metric\" object");
        };
        let label = |k: &str| metric.get(k).and_then(Value::as_str);
        let name = label("__name__").unwrap_or("");
        if !name.is_empty() && !METRICS.contains(&name) {
            return;
        }
        // `value` is `[time, "n"]` for a vector; a matrix has `values` (the last one counts).
        let value = v.get("value").or_else(|| v.get("values").and_then(|vs| vs.as_array()?.last()));
        let count = value.and_then(|p| p.get(1)).and_then(Value::as_str).and_then(|s| s.parse::<f64>().ok());
        let Some(count) = count else {
            return self.problem(offset, "a series without a numeric \"value\"");
        };
        let labels: Vec<(String, String)> =
            metric.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect();
        // The series as the exposition format writes it, with the labels that identify the call.
        let shown = ["source_workload_namespace", "source_workload", "destination_service", "destination_port"];
        let record = format!(
            "{}{{{}}}",
            if name.is_empty() { "series" } else { name },
            labels
                .iter()
                .filter(|(k, _)| shown.contains(&k.as_str()))
                .map(|(k, v)| format!("{k}={}", serde_json::to_string(v).unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(",")
        );
        self.prometheus_call(offset, name, &labels, count, &record, Format::PrometheusJson);
    }

    fn prometheus_text(&mut self) {
        for i in 0..self.lines.line_count() {
            let range = self.lines.line_range(self.text, i);
            let line = &self.text[range.start as usize..range.end as usize];
            let offset = range.start as usize;
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            match parse_exposition_line(trimmed) {
                Ok((name, labels, value)) => {
                    if METRICS.contains(&name.as_str()) {
                        self.prometheus_call(offset, &name, &labels, value, line, Format::PrometheusText);
                    }
                }
                Err((col, e)) => {
                    let at = offset + (line.len() - line.trim_start().len()) + col;
                    self.problem(at, e);
                }
            }
        }
    }

    /// One series of the Istio standard metrics: a call when its count is not zero.
    fn prometheus_call(
        &mut self,
        offset: usize,
        metric: &str,
        labels: &[(String, String)],
        count: f64,
        record: &str,
        format: Format,
    ) {
        if count <= 0.0 {
            return;
        }
        let get = |k: &str| labels.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty());
        let (Some(ns), Some(wl)) = (get("source_workload_namespace"), get("source_workload")) else {
            return self.problem(offset, "a series without source_workload and source_workload_namespace");
        };
        if ns == "unknown" || wl == "unknown" {
            // A caller outside the mesh (no proxy): it has no Sidecar to tighten.
            return;
        }
        let dest_name = get("destination_service_name");
        let passthrough = dest_name == Some("PassthroughCluster");
        let host = match get("destination_service") {
            Some(h) if h != "unknown" => h.to_string(),
            _ => {
                if passthrough {
                    dest_name.unwrap_or_default().to_string()
                } else {
                    return self.problem(offset, "a series without destination_service");
                }
            }
        };
        let port = match get("destination_port") {
            Some(p) => match p.parse::<u32>() {
                Ok(p) if (1..=65535).contains(&p) => Some(p),
                _ => return self.problem(offset, format!("destination_port {p:?} is not a port number")),
            },
            None => None,
        };
        let kind = match (metric, get("request_protocol")) {
            ("istio_tcp_connections_opened_total", _) | (_, Some("tcp")) => Some(Kind::Tcp),
            (_, Some("http" | "grpc")) | ("istio_requests_total", _) => Some(Kind::Http),
            _ => None,
        };
        let (host, port) = split_host_port(&host, port);
        let seen = self.seen(offset, format, record);
        self.out.calls.push(Observed {
            caller: Caller::Workload { namespace: ns.to_string(), name: wl.to_string() },
            host,
            port,
            kind,
            method: None,
            path: None,
            passthrough,
            seen,
        });
    }

    // ---- Kiali ----

    fn kiali(&mut self) {
        if let Err(e) = serde_json::from_str::<Value>(self.text) {
            let offset = offset_of(self.text, e.line(), e.column());
            self.problem(offset, format!("invalid JSON: {e}; the edges before this point are read"));
        }
        let mut nodes: std::collections::HashMap<String, Value> = std::collections::HashMap::new();
        for item in json_items(self.text, "nodes").unwrap_or_default() {
            match item {
                Item::Value(offset, v) => {
                    let data = v.get("data").cloned().unwrap_or(Value::Null);
                    match data.get("id").and_then(Value::as_str) {
                        Some(id) => {
                            nodes.insert(id.to_string(), data.clone());
                        }
                        None => self.problem(offset, "a node without data.id"),
                    }
                }
                Item::Error(offset, e) => self.problem(offset, e),
            }
        }
        let Some(edges) = json_items(self.text, "edges") else {
            return self.problem(0, "no \"edges\" list: not a Kiali graph");
        };
        for item in edges {
            let (offset, v) = match item {
                Item::Value(offset, v) => (offset, v),
                Item::Error(offset, e) => {
                    self.problem(offset, e);
                    continue;
                }
            };
            let data = v.get("data").cloned().unwrap_or(Value::Null);
            let (Some(src), Some(dst)) =
                (data.get("source").and_then(Value::as_str), data.get("target").and_then(Value::as_str))
            else {
                self.problem(offset, "an edge without data.source and data.target");
                continue;
            };
            let (Some(s), Some(d)) = (nodes.get(src), nodes.get(dst)) else {
                self.problem(offset, format!("an edge between unknown nodes {src:?} and {dst:?}"));
                continue;
            };
            let s_str = |k: &str| s.get(k).and_then(Value::as_str).filter(|v| !v.is_empty() && *v != "unknown");
            let (Some(ns), Some(wl)) = (s_str("namespace"), s_str("workload")) else {
                // An edge from an app or service node, or from outside the mesh: no workload.
                continue;
            };
            let d_str = |k: &str| d.get(k).and_then(Value::as_str).filter(|v| !v.is_empty() && *v != "unknown");
            let passthrough = d_str("service") == Some("PassthroughCluster");
            let hosts: Vec<String> = match (d_str("nodeType"), d_str("service")) {
                (_, Some(svc)) => vec![kiali_host(svc, d_str("namespace"))],
                _ => d
                    .get("destServices")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| {
                                let name = x.get("name").and_then(Value::as_str)?;
                                Some(kiali_host(name, x.get("namespace").and_then(Value::as_str)))
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            if hosts.is_empty() {
                self.problem(offset, format!("the edge's target {dst:?} names no service"));
                continue;
            }
            let protocol = data.get("traffic").and_then(|t| t.get("protocol")).and_then(Value::as_str);
            let kind = match protocol {
                Some("http" | "grpc") => Some(Kind::Http),
                Some("tcp") => Some(Kind::Tcp),
                _ => None,
            };
            let record = format!("edge {src} -> {dst}");
            for host in hosts {
                let seen = self.seen(offset, Format::KialiGraph, &record);
                self.out.calls.push(Observed {
                    caller: Caller::Workload { namespace: ns.to_string(), name: wl.to_string() },
                    host,
                    port: None,
                    kind,
                    method: None,
                    path: None,
                    passthrough,
                    seen,
                });
            }
        }
    }

    // ---- Envoy access logs ----

    fn envoy_text(&mut self) {
        for i in 0..self.lines.line_count() {
            let range = self.lines.line_range(self.text, i);
            let line = &self.text[range.start as usize..range.end as usize];
            if line.trim().is_empty() {
                continue;
            }
            match parse_envoy_text(line) {
                Ok(entry) => self.envoy_entry(range.start as usize, line, entry, Format::EnvoyText),
                Err(e) => self.problem(range.start as usize, e),
            }
        }
    }

    fn envoy_json(&mut self) {
        for i in 0..self.lines.line_count() {
            let range = self.lines.line_range(self.text, i);
            let line = &self.text[range.start as usize..range.end as usize];
            if line.trim().is_empty() {
                continue;
            }
            let v = match serde_json::from_str::<Value>(line) {
                Ok(v) if v.is_object() => v,
                Ok(_) => {
                    self.problem(range.start as usize, "an access log line that is not a JSON object");
                    continue;
                }
                Err(e) => {
                    let at = range.start as usize + e.column().saturating_sub(1).min(line.len());
                    self.problem(at, format!("not an access log entry in Istio's JSON format: {e}"));
                    continue;
                }
            };
            let s = |k: &str| v.get(k).and_then(Value::as_str).filter(|x| *x != "-" && !x.is_empty());
            let Some(cluster) = s("upstream_cluster") else {
                self.problem(range.start as usize, "an access log entry without upstream_cluster");
                continue;
            };
            let entry = EnvoyEntry {
                method: s("method").map(str::to_string),
                path: s("path").map(str::to_string),
                protocol: s("protocol").map(str::to_string),
                authority: s("authority").map(str::to_string),
                cluster: cluster.to_string(),
                downstream_local: s("downstream_local_address").map(str::to_string),
                downstream_remote: s("downstream_remote_address").map(str::to_string),
                server_name: s("requested_server_name").map(str::to_string),
            };
            self.envoy_entry(range.start as usize, line, entry, Format::EnvoyJson);
        }
    }

    fn envoy_entry(&mut self, offset: usize, line: &str, e: EnvoyEntry, format: Format) {
        let kind = match e.protocol.as_deref() {
            Some(p) if p.starts_with("HTTP") => Some(Kind::Http),
            _ => Some(Kind::Tcp),
        };
        let (host, port, passthrough) = if let Some(rest) = e.cluster.strip_prefix("outbound|") {
            // outbound|PORT|SUBSET|HOST
            let parts: Vec<&str> = rest.splitn(3, '|').collect();
            let (Some(port), Some(host)) = (parts.first().and_then(|p| p.parse::<u32>().ok()), parts.get(2)) else {
                return self
                    .problem(offset, format!("upstream cluster {:?} is not an outbound cluster name", e.cluster));
            };
            (host.to_string(), Some(port), false)
        } else if e.cluster.starts_with("inbound|")
            || e.cluster == "BlackHoleCluster"
            || e.cluster == "InboundPassthroughCluster"
        {
            // A call the workload received, or one its proxy refused: nothing it needs imported.
            return;
        } else if e.cluster == "PassthroughCluster" {
            let (addr_host, addr_port) = match e.downstream_local.as_deref().map(|a| split_host_port(a, None)) {
                Some((h, p)) => (Some(h), p),
                None => (None, None),
            };
            let host =
                e.authority.as_deref().map(|a| split_host_port(a, None).0).or(e.server_name.clone()).or(addr_host);
            let Some(host) = host else {
                return self
                    .problem(offset, "a PassthroughCluster entry without authority, SNI or destination address");
            };
            (host, addr_port, true)
        } else {
            return self.problem(offset, format!("upstream cluster {:?} is not an outbound cluster", e.cluster));
        };
        let Some(remote) = e.downstream_remote.as_deref() else {
            return self.problem(offset, "an access log entry without the downstream remote address (the caller)");
        };
        let ip = split_host_port(remote, None).0;
        let seen = self.seen(offset, format, line);
        let http = kind == Some(Kind::Http);
        self.out.calls.push(Observed {
            caller: Caller::Address { ip },
            host,
            port,
            kind,
            method: e.method.filter(|_| http),
            path: e.path.filter(|_| http),
            passthrough,
            seen,
        });
    }

    // ---- dependency list ----

    fn dependency_list(&mut self, root: &crate::yaml::Node) {
        for entry in root.as_map().unwrap_or_default() {
            let key_at = entry.key.range.start as usize;
            let Some((ns, wl)) = entry.key.as_str().and_then(|k| k.split_once('/')) else {
                self.problem(key_at, "a key that is not namespace/workload");
                continue;
            };
            let Some(hosts) = entry.value.as_seq() else {
                self.problem(entry.value.range.start as usize, "a workload's dependencies are not a list of hosts");
                continue;
            };
            for h in hosts {
                let at = h.range.start as usize;
                let Some(text) = h.as_str().filter(|t| !t.is_empty()) else {
                    self.problem(at, "a host that is not a string");
                    continue;
                };
                let (host, port) = split_host_port(text, None);
                if text.contains(':') && port.is_none() {
                    self.problem(at, format!("{text:?}: the port is not a number"));
                    continue;
                }
                let seen = self.seen(at, Format::DependencyList, &format!("{ns}/{wl}: {text}"));
                self.out.calls.push(Observed {
                    caller: Caller::Workload { namespace: ns.to_string(), name: wl.to_string() },
                    host,
                    port,
                    kind: None,
                    method: None,
                    path: None,
                    passthrough: false,
                    seen,
                });
            }
        }
    }
}

/// A Kiali service node's host: a Kubernetes service name, or a ServiceEntry host as written.
fn kiali_host(service: &str, namespace: Option<&str>) -> String {
    match namespace {
        Some(ns) if !service.contains('.') => crate::registry::service::kubernetes_hostname(service, ns),
        _ => service.to_string(),
    }
}

/// `host:port` → (host, port); a bare host (or an IPv6 address without brackets) has no port.
fn split_host_port(s: &str, port: Option<u32>) -> (String, Option<u32>) {
    if let Some(rest) = s.strip_prefix('[') {
        if let Some((h, p)) = rest.split_once("]:") {
            return (h.to_string(), p.parse().ok().or(port));
        }
        return (rest.trim_end_matches(']').to_string(), port);
    }
    match s.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h.to_string(), p.parse().ok().or(port)),
        _ => (s.to_string(), port),
    }
}

/// Whether a `#` line is a Prometheus `# HELP` or `# TYPE` line.
fn prometheus_comment(line: &str) -> bool {
    line.starts_with("# HELP ") || line.starts_with("# TYPE ")
}

/// A series of the exposition format: metric name, labels, value.
type Series = (String, Vec<(String, String)>, f64);

/// `name{a="b",...} value [timestamp]` → name, labels, value; `Err((column, message))`.
fn parse_exposition_line(line: &str) -> Result<Series, (usize, String)> {
    let name_end = line.find(|c: char| c == '{' || c.is_whitespace()).unwrap_or(line.len());
    let name = &line[..name_end];
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
        return Err((0, format!("{name:?} is not a metric name")));
    }
    let mut labels = Vec::new();
    let mut rest = &line[name_end..];
    let mut at = name_end;
    if let Some(body) = rest.strip_prefix('{') {
        let mut chars = body.char_indices().peekable();
        let mut end = None;
        loop {
            while chars.next_if(|(_, c)| c.is_whitespace() || *c == ',').is_some() {}
            match chars.peek() {
                None => break,
                Some((i, '}')) => {
                    end = Some(*i);
                    break;
                }
                _ => {}
            }
            let (k0, _) = *chars.peek().unwrap_or(&(0, ' '));
            let mut key = String::new();
            while let Some((_, c)) = chars.next_if(|(_, c)| c.is_ascii_alphanumeric() || *c == '_') {
                key.push(c);
            }
            if key.is_empty() || chars.next().map(|(_, c)| c) != Some('=') || chars.next().map(|(_, c)| c) != Some('"')
            {
                return Err((at + 1 + k0, "a label is not name=\"value\"".to_string()));
            }
            let mut value = String::new();
            let mut closed = false;
            while let Some((_, c)) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some((_, 'n')) => value.push('\n'),
                        Some((_, c)) => value.push(c),
                        None => break,
                    },
                    '"' => {
                        closed = true;
                        break;
                    }
                    c => value.push(c),
                }
            }
            if !closed {
                return Err((at + 1 + k0, format!("the value of label {key:?} is not closed")));
            }
            labels.push((key, value));
        }
        let Some(end) = end else {
            return Err((line.len(), "the label set is not closed with '}'".to_string()));
        };
        at += 1 + end + 1;
        rest = &body[end + 1..];
    }
    let value = rest.split_whitespace().next().ok_or((line.len(), "a series without a value".to_string()))?;
    let value = match value {
        "+Inf" => f64::INFINITY,
        v => v
            .parse::<f64>()
            .map_err(|_| (at + (rest.len() - rest.trim_start().len()), format!("{v:?} is not a number")))?,
    };
    Ok((name.to_string(), labels, value))
}

/// What the proxy logged of one call.
struct EnvoyEntry {
    method: Option<String>,
    path: Option<String>,
    protocol: Option<String>,
    authority: Option<String>,
    cluster: String,
    downstream_local: Option<String>,
    downstream_remote: Option<String>,
    server_name: Option<String>,
}

/// One line of Istio's default text format (`EnvoyTextLogFormat` of
/// `pilot/pkg/model/telemetry_logging.go`):
///
/// ```text
/// [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE%
/// %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS%
/// "%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% %DURATION%
/// %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%"
/// "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER_RAW%
/// %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS%
/// %REQUESTED_SERVER_NAME% %ROUTE_NAME%
/// ```
fn parse_envoy_text(line: &str) -> Result<EnvoyEntry, String> {
    let mut tokens: Vec<&str> = Vec::new();
    let mut rest = line.trim();
    while !rest.is_empty() {
        let (tok, next) = match rest.as_bytes()[0] {
            b'[' => match rest.find(']') {
                Some(i) => (&rest[1..i], &rest[i + 1..]),
                None => return Err("an unknown log format: '[' without ']'".into()),
            },
            b'"' => match rest[1..].find('"') {
                Some(i) => (&rest[1..i + 1], &rest[i + 2..]),
                None => return Err("an unknown log format: a quote is not closed".into()),
            },
            _ => {
                let i = rest.find(char::is_whitespace).unwrap_or(rest.len());
                (&rest[..i], &rest[i..])
            }
        };
        tokens.push(tok);
        rest = next.trim_start();
    }
    if tokens.len() != 22 {
        return Err(format!(
            "an unknown log format: {} fields, Istio's default text format has 22 (is accessLogFormat set?)",
            tokens.len()
        ));
    }
    let dash = |s: &str| Some(s.to_string()).filter(|s| s != "-" && !s.is_empty());
    let mut request = tokens[1].split(' ');
    let (method, path, protocol) = (request.next(), request.next(), request.next());
    Ok(EnvoyEntry {
        method: method.and_then(dash),
        path: path.and_then(dash),
        protocol: protocol.and_then(dash),
        authority: dash(tokens[14]),
        cluster: dash(tokens[16]).ok_or("an access log entry without upstream cluster")?,
        downstream_local: dash(tokens[18]),
        downstream_remote: dash(tokens[19]),
        server_name: dash(tokens[20]),
    })
}

/// One element of a JSON list, read on its own.
enum Item {
    Value(usize, Value),
    Error(usize, String),
}

/// The byte offset of `"key"` followed by `:`, in `text`.
fn find_key(text: &str, key: &str) -> Option<usize> {
    let quoted = format!("\"{key}\"");
    let mut from = 0;
    while let Some(i) = text[from..].find(&quoted) {
        let at = from + i + quoted.len();
        if text[at..].trim_start().starts_with(':') {
            return Some(at);
        }
        from = at;
    }
    None
}

/// The elements of the first list under `"key"`, each parsed on its own with its offset, so
/// that a truncated or broken document still yields the elements before the break.
fn json_items(text: &str, key: &str) -> Option<Vec<Item>> {
    let at = find_key(text, key)?;
    let after = text[at..].trim_start().strip_prefix(':')?.trim_start();
    let mut pos = text.len() - after.strip_prefix('[')?.len();
    let mut out = Vec::new();
    loop {
        pos += text[pos..].len() - text[pos..].trim_start().len();
        match text[pos..].chars().next() {
            None => {
                out.push(Item::Error(pos, "the list ends before its ']' (truncated?)".into()));
                return Some(out);
            }
            Some(']') => return Some(out),
            Some(',') if !out.is_empty() => {
                pos += 1;
                continue;
            }
            _ => {}
        }
        let mut stream = serde_json::Deserializer::from_str(&text[pos..]).into_iter::<Value>();
        match stream.next() {
            Some(Ok(v)) => {
                let end = pos + stream.byte_offset();
                out.push(Item::Value(pos, v));
                pos = end;
            }
            Some(Err(e)) => {
                let sub = &text[pos..];
                let at = pos + offset_of(sub, e.line(), e.column());
                out.push(Item::Error(at, format!("invalid JSON: {e}")));
                return Some(out);
            }
            None => {
                out.push(Item::Error(pos, "the list ends before its ']' (truncated?)".into()));
                return Some(out);
            }
        }
    }
}

/// The byte offset of a 1-based line and column as serde_json reports them (column in bytes).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let lines = LineIndex::new(text);
    let start = lines.line_start(line.saturating_sub(1)) as usize;
    (start + column.saturating_sub(1)).min(text.len())
}
