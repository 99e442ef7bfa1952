//! The table of `istioctl proxy-config listeners <pod>` (istioctl
//! `configdump/listener.go` `PrintListenerSummary` with its default verbose columns), so users can
//! diff our output against a live proxy: every listener (istiod's and the bootstrap's) sorted by
//! port, address and type; one row per filter chain (the default chain last), rows of a listener
//! sorted by DESTINATION descending with Go's unstable sort; columns as Go's `tabwriter` pads them.

use serde::Serialize;

use super::gosort;
use super::types::{Action, ChainMatch, FilterChain, Listener, ListenerSet};

/// One row of the table, with the listener and chain it shows (for links in a front end).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub addresses: String,
    pub port: u32,
    #[serde(rename = "match")]
    pub chain_match: String,
    pub destination: String,
    pub listener: String,
    /// Index of the chain in the listener's `filterChains`.
    pub chain: usize,
}

pub const HEADER: [&str; 4] = ["ADDRESSES", "PORT", "MATCH", "DESTINATION"];

/// istioctl's ALPN lists with a name of their own (`protDescrs`).
const NAMED_ALPN: &[(&str, &[&str])] = &[
    ("App: HTTP TLS", &["http/1.0", "http/1.1", "h2c", "istio-http/1.0", "istio-http/1.1", "istio-h2"]),
    ("App: Istio HTTP Plain", &["istio", "istio-http/1.0", "istio-http/1.1", "istio-h2"]),
    ("App: TCP TLS", &["istio-peer-exchange", "istio"]),
    ("App: HTTP", &["http/1.0", "http/1.1", "h2c"]),
];

/// istioctl `getMatches`.
pub fn match_text(m: &ChainMatch) -> String {
    let mut parts = Vec::new();
    if !m.server_names.is_empty() {
        parts.push(format!("SNI: {}", m.server_names.join(",")));
    }
    if let Some(t) = &m.transport_protocol {
        parts.push(format!("Trans: {t}"));
    }
    if !m.application_protocols.is_empty() {
        match NAMED_ALPN
            .iter()
            .find(|(_, list)| list.iter().copied().eq(m.application_protocols.iter().map(String::as_str)))
        {
            Some((name, _)) => parts.push(name.to_string()),
            None => parts.push(format!("App: {}", m.application_protocols.join(","))),
        }
    }
    let port = m.destination_port.map(|p| format!(":{p}")).unwrap_or_default();
    if !m.prefix_ranges.is_empty() {
        parts.push(format!("Addr: {}{port}", m.prefix_ranges.join(",")));
    } else if !port.is_empty() {
        parts.push(format!("Addr: *{port}"));
    }
    if parts.is_empty() {
        return "ALL".into();
    }
    parts.join("; ")
}

/// istioctl `getFilterType`: what the chain's first HTTP connection manager or TCP proxy does.
pub fn destination_text(c: &FilterChain) -> String {
    let bare_or_cluster =
        |cluster: &str| if cluster.contains("Cluster") { cluster.to_string() } else { format!("Cluster: {cluster}") };
    match &c.action {
        Action::Rds { route_config } => format!("Route: {route_config}"),
        // `describeRouteConfig`: a single catch-all `/` route shows its cluster.
        Action::InlineRoute { prefix, cluster, .. } if prefix == "/" => bare_or_cluster(cluster),
        Action::InlineRoute { prefix, .. } => format!("Inline Route: {prefix}*"),
        // A TCP proxy whose config mentions BlackHoleCluster is skipped, as is a chain whose
        // terminating filter is not a TCP proxy.
        Action::TcpProxy { replaced_by_filter: true, .. } => "Non-HTTP/Non-TCP".into(),
        Action::TcpProxy { cluster, .. } if cluster.contains("BlackHoleCluster") => "Non-HTTP/Non-TCP".into(),
        Action::TcpProxy { cluster, .. } => bare_or_cluster(cluster),
    }
}

/// istioctl `retrieveListenerType`.
fn listener_type(l: &Listener) -> &'static str {
    let http = l.filter_chains.iter().filter(|c| c.action.is_http()).count();
    let tcp = l
        .filter_chains
        .iter()
        .filter(|c| matches!(&c.action, Action::TcpProxy { cluster, replaced_by_filter: false, .. } if !cluster.contains("BlackHoleCluster")))
        .count();
    match (http > 0, tcp > 0) {
        (true, false) => "HTTP",
        (true, true) => "HTTP+TCP",
        (false, true) => "TCP",
        (false, false) => "UNKNOWN",
    }
}

/// The rows, in istioctl's order.
pub fn rows(set: &ListenerSet) -> Vec<Row> {
    let mut all: Vec<&Listener> = set.listeners.iter().chain(set.static_listeners.iter()).collect();
    gosort::slice(&mut all, |a, b| {
        if a.port != b.port {
            return a.port < b.port;
        }
        if a.address != b.address {
            return a.address < b.address;
        }
        listener_type(a) < listener_type(b)
    });
    let mut out = Vec::new();
    for l in all {
        out.extend(listener_rows(l));
    }
    out
}

/// The rows of one listener, in istioctl's order.
pub fn listener_rows(l: &Listener) -> Vec<Row> {
    // `getFilterChains`: the chains, then the default chain (ours already list it last).
    let mut rows: Vec<Row> = l
        .filter_chains
        .iter()
        .enumerate()
        .map(|(i, c)| Row {
            addresses: l.address.clone(),
            port: l.port,
            chain_match: match_text(&c.chain_match),
            destination: destination_text(c),
            listener: l.name.clone(),
            chain: i,
        })
        .collect();
    gosort::slice(&mut rows, |a, b| a.destination > b.destination);
    rows
}

/// The table as istioctl prints it.
pub fn render(set: &ListenerSet) -> String {
    let rows = rows(set);
    let mut lines: Vec<[String; 4]> = vec![HEADER.map(String::from)];
    lines.extend(rows.into_iter().map(|r| [r.addresses, r.port.to_string(), r.chain_match, r.destination]));
    tabwriter(&lines)
}

/// Go `tabwriter.NewWriter(w, 0, 8, 1, ' ', 0)`: each column as wide as its widest cell plus one
/// space; the last column is not padded.
fn tabwriter(lines: &[[String; 4]]) -> String {
    let mut widths = [0usize; 3];
    for l in lines {
        for (w, cell) in widths.iter_mut().zip(l.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for l in lines {
        for (i, cell) in l.iter().enumerate() {
            out.push_str(cell);
            if i < 3 {
                out.push_str(&" ".repeat(widths[i] - cell.chars().count() + 1));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_texts_as_istioctl() {
        let m = |t: Option<&str>, alpn: &[&str], port: Option<u32>| ChainMatch {
            transport_protocol: t.map(String::from),
            application_protocols: alpn.iter().map(|s| s.to_string()).collect(),
            destination_port: port,
            ..ChainMatch::default()
        };
        assert_eq!(match_text(&ChainMatch::default()), "ALL");
        assert_eq!(
            match_text(&m(Some("raw_buffer"), &["http/1.1", "h2c"], None)),
            "Trans: raw_buffer; App: http/1.1,h2c"
        );
        assert_eq!(match_text(&m(Some("tls"), &["istio-peer-exchange", "istio"], None)), "Trans: tls; App: TCP TLS");
        assert_eq!(match_text(&m(Some("tls"), &[], Some(9080))), "Trans: tls; Addr: *:9080");
        assert_eq!(match_text(&m(None, &[], Some(15001))), "Addr: *:15001");
    }

    #[test]
    fn tabwriter_pads_all_but_the_last_column() {
        let lines = [
            ["A".to_string(), "PORT".into(), "M".into(), "D".into()],
            ["0.0.0.0".into(), "80".into(), "ALL".into(), "x".into()],
        ];
        assert_eq!(tabwriter(&lines), "A       PORT M   D\n0.0.0.0 80   ALL x\n");
    }
}
