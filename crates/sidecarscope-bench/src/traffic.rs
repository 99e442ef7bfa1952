//! Traffic for `suggest` on a generated mesh (issue 21): calls drawn from each workload's
//! imported services and the VirtualServices on them, written as a Prometheus query result, as
//! Prometheus text and as a Kiali graph (each call in one of them, in turn), and as one
//! workload's Envoy access log.

use std::collections::BTreeSet;
use std::fmt::Write;

use sidecarscope::tighten::EvidenceFile;
use sidecarscope::Workspace;

/// (caller namespace, caller name, host, port) of each generated call.
pub type Calls = Vec<(String, String, String, u32)>;

pub fn traffic(ws: &Workspace) -> Calls {
    let reg = ws.registry();
    let mut resolver = sidecarscope::Resolver::new(reg);
    let vs_hosts: BTreeSet<&str> =
        reg.virtual_services.iter().flat_map(|v| v.hosts.iter().map(String::as_str)).collect();
    let mut out = Vec::new();
    for (i, w) in reg.workloads.iter().enumerate() {
        let r = resolver.resolve_workload(w);
        let imported: Vec<_> =
            r.egress.iter().flat_map(|l| &l.services).filter(|s| !s.hostname.contains('*')).collect();
        if imported.is_empty() {
            continue;
        }
        // Three services spread over what it imports, and the first VirtualService host.
        let mut picks: Vec<usize> = (0..3).map(|k| (i * 7 + k * 11) % imported.len()).collect();
        if let Some(v) = imported.iter().position(|s| vs_hosts.contains(s.hostname.as_str())) {
            picks.push(v);
        }
        picks.sort_unstable();
        picks.dedup();
        for p in picks {
            let s = imported[p];
            let Some(port) = s.ports.first() else { continue };
            out.push((w.namespace.clone(), w.name.clone(), s.hostname.clone(), port.number));
        }
    }
    out
}

/// The calls in four formats, each call in exactly one.
pub fn evidence_files(calls: &Calls) -> Vec<EvidenceFile> {
    let mut prom = String::from("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[\n");
    let mut text = String::from("# TYPE istio_requests_total counter\n");
    let mut kiali_nodes = Vec::new();
    let mut kiali_edges = Vec::new();
    let mut first = true;
    for (k, (ns, wl, host, port)) in calls.iter().enumerate() {
        match k % 3 {
            0 => {
                if !first {
                    prom.push_str(",\n");
                }
                first = false;
                let _ = write!(
                    prom,
                    "{{\"metric\":{{\"__name__\":\"istio_requests_total\",\"source_workload\":\"{wl}\",\"source_workload_namespace\":\"{ns}\",\"destination_service\":\"{host}\",\"destination_port\":\"{port}\"}},\"value\":[1,\"5\"]}}"
                );
            }
            1 => {
                let _ = writeln!(
                    text,
                    "istio_requests_total{{source_workload=\"{wl}\",source_workload_namespace=\"{ns}\",destination_service=\"{host}\",destination_port=\"{port}\"}} 3"
                );
            }
            _ => {
                let (a, b) = (format!("w{k}"), format!("s{k}"));
                kiali_nodes.push(format!(
                    "{{\"data\":{{\"id\":\"{a}\",\"nodeType\":\"workload\",\"namespace\":\"{ns}\",\"workload\":\"{wl}\"}}}}"
                ));
                kiali_nodes
                    .push(format!("{{\"data\":{{\"id\":\"{b}\",\"nodeType\":\"service\",\"service\":\"{host}\"}}}}"));
                kiali_edges.push(format!("{{\"data\":{{\"id\":\"e{k}\",\"source\":\"{a}\",\"target\":\"{b}\"}}}}"));
            }
        }
    }
    prom.push_str("\n]}}\n");
    let kiali = format!(
        "{{\"elements\":{{\n\"nodes\":[\n{}\n],\n\"edges\":[\n{}\n]}}}}\n",
        kiali_nodes.join(",\n"),
        kiali_edges.join(",\n")
    );
    vec![
        EvidenceFile { name: "requests.json".into(), text: prom },
        EvidenceFile { name: "metrics.prom".into(), text },
        EvidenceFile { name: "graph.json".into(), text: kiali },
    ]
}

/// The calls of workload `ns/wl` as its proxy's access log (Istio's default text format).
pub fn access_log(calls: &Calls, ns: &str, wl: &str) -> String {
    let mut log = String::new();
    for (_, _, host, port) in calls.iter().filter(|c| c.0 == ns && c.1 == wl) {
        let _ = writeln!(
            log,
            "[2024-01-01T00:00:00.000Z] \"GET /x HTTP/1.1\" 200 - via_upstream - \"-\" 0 10 1 1 \"-\" \"curl\" \"id\" \"{host}:{port}\" \"10.1.2.3:{port}\" outbound|{port}||{host} 10.9.0.1:40000 10.0.0.1:{port} 10.9.0.1:40001 - default"
        );
    }
    log
}
