//! Scale problems: a structure-aware generator turns the fuzzer's bytes into a large mesh (up
//! to thousands of egress hosts, Sidecars with selectors, Pods sharing labels, Services and
//! ServiceEntries with many hosts, in a few namespaces), and the pipeline's quadratic paths
//! show as libFuzzer timeouts (`-timeout`, per input) or memory over `-rss_limit_mb`
//! (`scripts/fuzz 60 scale`). Byte-level mutation of YAML text rarely builds such inputs.
#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use std::fmt::Write;

/// At most this many generated items (hosts, resources) per input.
const MAX_ITEMS: usize = 40_000;

fn mesh(u: &mut Unstructured) -> Result<String> {
    let nss = ["ns0", "ns1", "ns2", "istio-system"];
    let ns_count = 1 + u.choose_index(nss.len())?;
    let labels = 1 + u.int_in_range(0..=200u32)? as usize;
    let mut left = MAX_ITEMS;
    let mut take = |u: &mut Unstructured, max: u32| -> Result<usize> {
        let n = (u.int_in_range(0..=max)? as usize).min(left);
        left -= n;
        Ok(n)
    };
    let mut out = String::new();
    // Sidecars: selector-less or selecting a label value shared with pods.
    let sidecars = take(u, 5_000)?;
    for i in 0..sidecars {
        let ns = nss[u.choose_index(ns_count)?];
        let selector = if u.ratio(1u8, 4)? {
            String::new()
        } else {
            format!("  workloadSelector: {{labels: {{app: a{}}}}}\n", u.choose_index(labels)?)
        };
        let _ = write!(out, "---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {{name: s{i}, namespace: {ns}}}\nspec:\n{selector}  egress:\n  - hosts: [\"./*\", \"*/svc{}.ns0.svc.cluster.local\"]\n", u.choose_index(labels)?);
    }
    // One Sidecar with many egress hosts of every form.
    let hosts = take(u, 20_000)?;
    if hosts > 0 {
        out.push_str("---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: wide, namespace: ns0}\nspec:\n  egress:\n  - hosts:\n");
        for i in 0..hosts {
            let form = [
                "ns0/h{}.example.com",
                "*/h{}.example.com",
                "~/h{}.example.com",
                "./svc{}",
                "nsX/*",
                "*/*.example.com",
                "ns1/svc{}.ns1.svc.cluster.local",
            ][u.choose_index(7)?];
            let _ = writeln!(out, "    - \"{}\"", form.replace("{}", &(i % labels.max(1)).to_string()));
        }
    }
    let pods = take(u, 10_000)?;
    for i in 0..pods {
        let ns = nss[u.choose_index(ns_count)?];
        let _ = write!(out, "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: {ns}, labels: {{app: a{}, tier: t{}}}}}\nspec: {{containers: [{{name: c}}]}}\n", u.choose_index(labels)?, i % 3);
    }
    let services = take(u, 3_000)?;
    for i in 0..services {
        let ns = nss[u.choose_index(ns_count)?];
        let _ = write!(out, "---\napiVersion: v1\nkind: Service\nmetadata: {{name: svc{i}, namespace: {ns}}}\nspec:\n  selector: {{app: a{}}}\n  ports: [{{name: http, port: 80}}]\n", u.choose_index(labels)?);
    }
    let se_hosts = take(u, 20_000)?;
    if se_hosts > 0 {
        out.push_str("---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: wide, namespace: ns1}\nspec:\n  ports: [{number: 443, name: tls, protocol: TLS}]\n  resolution: DNS\n  hosts:\n");
        for i in 0..se_hosts {
            let _ = writeln!(out, "  - h{i}.example.com");
        }
    }
    Ok(out)
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(text) = mesh(&mut u) else { return };
    let mut input = sidecarscope::load_text("scale.yaml", &text);
    let _ = sidecarscope::validate(&input);
    let diags = sidecarscope::analyze_releasing_trees(&mut input);
    for d in &diags {
        assert!(d.range.end as usize <= text.len(), "range outside the input: {d:?}");
    }
    let registry = sidecarscope::Registry::build(&input);
    let mut resolver = sidecarscope::Resolver::new(&registry);
    for w in registry.workloads.iter().take(20) {
        let _ = resolver.resolve_workload(w);
    }
});
