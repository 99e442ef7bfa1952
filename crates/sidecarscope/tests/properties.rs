//! Properties that must hold for any input: determinism, independence from document order
//! (Istio orders by creationTimestamp, name and namespace, never by input order), exportTo is
//! never violated, and every diagnostic range lies inside the input.

use proptest::prelude::*;
use serde_json::Value;

const NAMESPACES: &[&str] = &["ns0", "ns1", "ns2", "istio-system"];
const HOSTS: &[&str] = &[
    "./*",
    "*/*",
    "ns1/*",
    "ns2/svc-a.ns2.svc.cluster.local",
    "~ns1/*",
    "~/svc-b.ns0.svc.cluster.local",
    "*/*.ns0.svc.cluster.local",
    "istio-system/*",
    "ns0/svc-c",
];
const EXPORT_TO: &[Option<&str>] = &[None, Some("."), Some("*"), Some("ns1"), Some("~"), Some("ns0,ns2")];

#[derive(Debug, Clone)]
struct Svc {
    name: usize,
    ns: usize,
    ports: Vec<u16>,
    export: usize,
}

#[derive(Debug, Clone)]
struct Sc {
    ns: usize,
    selector: Option<usize>,
    listeners: Vec<(Option<u16>, Vec<usize>)>,
    registry_only: bool,
}

#[derive(Debug, Clone)]
struct Pod {
    ns: usize,
    app: usize,
}

fn svc() -> impl Strategy<Value = Svc> {
    (0..4usize, 0..4usize, prop::sample::subsequence(vec![80u16, 8080, 9090], 1..=3), 0..EXPORT_TO.len())
        .prop_map(|(name, ns, ports, export)| Svc { name, ns, ports, export })
}

fn sidecar() -> impl Strategy<Value = Sc> {
    let listener =
        (prop::option::of(prop::sample::select(vec![80u16, 8080, 9090])), prop::collection::vec(0..HOSTS.len(), 1..4));
    (0..4usize, prop::option::of(0..3usize), prop::collection::vec(listener, 1..3), any::<bool>())
        .prop_map(|(ns, selector, listeners, registry_only)| Sc { ns, selector, listeners, registry_only })
}

fn pod() -> impl Strategy<Value = Pod> {
    (0..4usize, 0..3usize).prop_map(|(ns, app)| Pod { ns, app })
}

fn mesh() -> impl Strategy<Value = (Vec<Svc>, Vec<Sc>, Vec<Pod>)> {
    (prop::collection::vec(svc(), 0..7), prop::collection::vec(sidecar(), 0..4), prop::collection::vec(pod(), 1..5))
}

/// Renders each resource as its own YAML document (distinct names and timestamps, so Istio's
/// ordering is total and input order must not matter).
fn documents(svcs: &[Svc], scs: &[Sc], pods: &[Pod]) -> Vec<String> {
    let mut docs = Vec::new();
    for (i, s) in svcs.iter().enumerate() {
        let ann = EXPORT_TO[s.export]
            .map_or(String::new(), |e| format!("  annotations:\n    networking.istio.io/exportTo: \"{e}\"\n"));
        let ports: String = s.ports.iter().map(|p| format!("  - name: http-{p}\n    port: {p}\n")).collect();
        docs.push(format!(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{}\n  namespace: {}\n  creationTimestamp: \"2024-01-01T00:00:{:02}Z\"\n{ann}spec:\n  clusterIP: 10.0.{}.{}\n  selector:\n    app: a{}\n  ports:\n{ports}",
            ["a", "b", "c", "d"][s.name],
            NAMESPACES[s.ns],
            i,
            s.ns,
            i + 1,
            s.name % 3,
        ));
    }
    for (i, s) in scs.iter().enumerate() {
        let selector =
            s.selector.map_or(String::new(), |a| format!("  workloadSelector:\n    labels:\n      app: a{a}\n"));
        let mut egress = String::new();
        for (port, hosts) in &s.listeners {
            egress.push_str("  - ");
            if let Some(p) = port {
                egress.push_str(&format!("port:\n      number: {p}\n      protocol: HTTP\n      name: http\n    "));
            }
            egress.push_str("hosts:\n");
            for h in hosts {
                egress.push_str(&format!("    - \"{}\"\n", HOSTS[*h]));
            }
        }
        let otp = if s.registry_only { "  outboundTrafficPolicy:\n    mode: REGISTRY_ONLY\n" } else { "" };
        docs.push(format!(
            "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: sc-{i}\n  namespace: {}\n  creationTimestamp: \"2024-02-01T00:00:{:02}Z\"\nspec:\n{selector}{otp}  egress:\n{egress}",
            NAMESPACES[s.ns], i
        ));
    }
    for (i, p) in pods.iter().enumerate() {
        docs.push(format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: pod-{i}\n  namespace: {}\n  labels:\n    app: a{}\nspec:\n  containers: []\n",
            NAMESPACES[p.ns], p.app
        ));
    }
    docs
}

/// What a resolution means, without positions: the Sidecar, policy, and imported services.
fn meaning(input: &sidecarscope::Input) -> Vec<Value> {
    let registry = sidecarscope::Registry::build(input);
    let mut out = Vec::new();
    for w in sidecarscope::workloads(input) {
        let r = serde_json::to_value(sidecarscope::resolve_with(&registry, &sidecarscope::Proxy::for_workload(&w)))
            .unwrap();
        let egress: Vec<Value> = r["egress"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                let mut services: Vec<String> = l["services"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|s| {
                        s["ports"].as_array().unwrap().iter().map(move |p| format!("{}:{}", s["hostname"], p["number"]))
                    })
                    .collect();
                services.sort();
                serde_json::json!({"port": l["port"], "services": services})
            })
            .collect();
        out.push(serde_json::json!({
            "workload": w.id(),
            "namespace": w.namespace,
            "sidecar": [r["sidecar"]["namespace"].clone(), r["sidecar"]["name"].clone()],
            "policy": r["outboundTrafficPolicy"]["mode"],
            "egress": egress,
        }));
    }
    out.sort_by_key(|v| v["workload"].to_string());
    out
}

fn findings(input: &sidecarscope::Input) -> Vec<String> {
    let mut f: Vec<String> = sidecarscope::analyze(input)
        .iter()
        .map(|d| format!("{} {:?} {} {}", d.code.id(), d.resource, d.path, d.message))
        .collect();
    f.sort();
    f
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn output_is_deterministic((svcs, scs, pods) in mesh()) {
        let text = documents(&svcs, &scs, &pods).join("---\n");
        let a = sidecarscope::load_text("m.yaml", &text);
        let b = sidecarscope::load_text("m.yaml", &text);
        prop_assert_eq!(format!("{:?}", sidecarscope::analyze(&a)), format!("{:?}", sidecarscope::analyze(&b)));
        prop_assert_eq!(meaning(&a), meaning(&b));
    }

    #[test]
    fn document_order_does_not_matter((svcs, scs, pods) in mesh(), seed in any::<u64>()) {
        let docs = documents(&svcs, &scs, &pods);
        let mut shuffled = docs.clone();
        // A seeded Fisher-Yates shuffle.
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let a = sidecarscope::load_text("m.yaml", &docs.join("---\n"));
        let b = sidecarscope::load_text("m.yaml", &shuffled.join("---\n"));
        prop_assert_eq!(meaning(&a), meaning(&b));
        prop_assert_eq!(findings(&a), findings(&b));
    }

    #[test]
    fn services_never_reach_a_namespace_they_are_not_exported_to((svcs, scs, pods) in mesh()) {
        let text = documents(&svcs, &scs, &pods).join("---\n");
        let input = sidecarscope::load_text("m.yaml", &text);
        for m in meaning(&input) {
            let proxy_ns = m["namespace"].as_str().unwrap().to_string();
            for l in m["egress"].as_array().unwrap() {
                for s in l["services"].as_array().unwrap() {
                    let host = s.as_str().unwrap().trim_matches('"').split('"').next().unwrap().to_string();
                    let candidates: Vec<&Svc> = svcs.iter().filter(|v| host == format!("svc-{}.{}.svc.cluster.local", ["a", "b", "c", "d"][v.name], NAMESPACES[v.ns])).collect();
                    if candidates.is_empty() { continue }
                    let own = NAMESPACES[candidates[0].ns];
                    let visible = candidates.iter().any(|svc| match EXPORT_TO[svc.export] {
                        None => true,
                        Some(list) => list.split(',').any(|e| e == "*" || ((e == "." || e == own) && proxy_ns == own) || e == proxy_ns),
                    });
                    prop_assert!(visible || proxy_ns == own, "{host} imported into {proxy_ns}: {m}");
                }
            }
        }
    }

    #[test]
    fn ranges_lie_inside_any_input(text in "\\PC{0,300}") {
        check_ranges(&text);
    }

    #[test]
    fn ranges_lie_inside_mutated_meshes((svcs, scs, pods) in mesh(), cuts in prop::collection::vec((any::<prop::sample::Index>(), 0..6usize), 1..4)) {
        let mut text = documents(&svcs, &scs, &pods).join("---\n");
        for (at, len) in cuts {
            let mut start = at.index(text.len().max(1));
            while !text.is_char_boundary(start) { start -= 1; }
            let mut end = (start + len).min(text.len());
            while !text.is_char_boundary(end) { end += 1; }
            text.replace_range(start..end, "");
        }
        check_ranges(&text);
    }
}

fn check_ranges(text: &str) {
    let input = sidecarscope::load_text("x.yaml", text);
    for d in sidecarscope::analyze(&input) {
        assert!(
            d.range.start <= d.range.end && d.range.end as usize <= text.len(),
            "{d:?} outside {} bytes",
            text.len()
        );
        assert!(
            text.is_char_boundary(d.range.start as usize) && text.is_char_boundary(d.range.end as usize),
            "{d:?} splits a character"
        );
    }
}
