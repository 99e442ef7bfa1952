//! Properties of impact on generated meshes: comparing a mesh with itself finds nothing;
//! comparing the other way round gives the inverted report; the order of the documents changes
//! nothing; every reported call really traces differently on the two sides; and recomputing
//! only the workloads whose inputs changed gives exactly what recomputing every workload gives.

use proptest::prelude::*;
use serde_json::Value;

use super::*;
use crate::resolve::test_rng::Rng;
use crate::source::SourceFile;
use crate::workspace::{Options, ProxySpec};

const NAMESPACES: [&str; 4] = ["a", "b", "c", "istio-system"];

/// A small mesh in which every knob impact looks at can move: Sidecars (namespace-wide, with a
/// selector, in the root namespace) with host entries, port listeners, ingress and outbound
/// policies; Services and ServiceEntries with exportTo; VirtualServices with routes;
/// DestinationRules; PeerAuthentications; workloads with IPs; the mesh ConfigMap. `variant`
/// changes some of the choices (the head side of a comparison).
fn mesh(seed: u64, variant: u64) -> Vec<String> {
    mesh_edited(seed, variant, 6)
}

/// As [`mesh`], each choice changed with probability `1/rate`; rate 0: only the choice number
/// `variant % 64` is changed (to another value when it has one), a single edit.
fn mesh_edited(seed: u64, variant: u64, rate: usize) -> Vec<String> {
    let mut choice = 0u64;
    let mut base = Rng(seed | 1);
    let mut edit = Rng((seed ^ variant.wrapping_mul(0x9e37_79b9_7f4a_7c15)) | 1);
    // Each choice is the base's unless the edit generator decides to change it (1 in `rate`).
    let mut pick = |items: &[&'static str]| -> &'static str {
        let b = base.pick(items);
        choice += 1;
        if rate == 0 && variant != 0 && choice == variant % 64 {
            return items.iter().copied().find(|i| *i != b).unwrap_or(b);
        }
        if rate != 0 && variant != 0 && edit.next(rate) == 0 {
            edit.pick(items)
        } else {
            b
        }
    };
    let mut docs = Vec::new();
    for (i, ns) in NAMESPACES.iter().take(3).enumerate() {
        for (j, app) in ["web", "db"].iter().enumerate() {
            let port = if *app == "web" { "{name: http, port: 8080}" } else { "{name: tcp, port: 5432}" };
            let export = pick(&["", "", "", "  annotations: {networking.istio.io/exportTo: '.'}\n"]);
            docs.push(format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: {app}\n  namespace: {ns}\n{export}spec:\n  selector: {{app: {app}}}\n  clusterIP: 10.0.{i}.{j}\n  ports: [{port}]\n"));
            let labels = pick(&["{app: APP}", "{app: APP}", "{app: APP, tier: edge}"]).replace("APP", app);
            let ip = pick(&["10.1", "10.1", "10.2"]);
            if pick(&["pod", "pod", "pod", "none"]) == "pod" {
                docs.push(format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: {app}-1, namespace: {ns}, labels: {labels}}}\nspec: {{containers: [{{name: c, ports: [{{containerPort: 8080}}]}}]}}\nstatus: {{podIP: {ip}.{i}.{j}}}\n"));
            }
        }
    }
    let se_export = pick(&["", "  exportTo: ['.']\n", "  exportTo: [a]\n"]);
    docs.push(format!("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {{name: ext, namespace: b}}\nspec:\n  hosts: [api.example.com]\n  location: MESH_EXTERNAL\n  resolution: DNS\n  ports: [{{number: 443, name: tls, protocol: TLS}}]\n{se_export}"));
    // Wildcard hosts on an HTTP port that Services use too: wildcard virtual hosts in route 8080.
    let wild_export = pick(&["", "  exportTo: ['.']\n"]);
    docs.push(format!("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {{name: wild, namespace: c}}\nspec:\n  hosts: ['*.wild.example.com']\n  location: MESH_EXTERNAL\n  resolution: NONE\n  ports: [{{number: 8080, name: http, protocol: HTTP}}]\n{wild_export}"));
    // A ServiceEntry of namespace a whose endpoint is a pod of a: that pod is one of its targets.
    let vm_port = pick(&["9443", "9443", "9444"]);
    docs.push(format!("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {{name: vm, namespace: a}}\nspec:\n  hosts: [vm.internal]\n  location: MESH_INTERNAL\n  resolution: STATIC\n  ports: [{{number: {vm_port}, name: tcp, protocol: TCP}}]\n  endpoints: [{{address: 10.1.0.1}}]\n"));
    // Every choice is made whether it is used or not, so that a single edit changes one thing.
    let (vs, prefix) = (pick(&["vs", "vs", "none"]), pick(&["/api", "/v2", "/"]));
    let dest = pick(&["web.a.svc.cluster.local", "web.b.svc.cluster.local"]);
    let vs_export = pick(&["", "", "  exportTo: ['.']\n"]);
    if vs == "vs" {
        docs.push(format!("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: web, namespace: a}}\nspec:\n  hosts: [web.a.svc.cluster.local]\n{vs_export}  http:\n  - name: r\n    match: [{{uri: {{prefix: {prefix}}}}}]\n    route: [{{destination: {{host: {dest}}}}}]\n  - route: [{{destination: {{host: web.a.svc.cluster.local}}}}]\n"));
    }
    if pick(&["dr", "none"]) == "dr" {
        docs.push("apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: web, namespace: b}\nspec:\n  host: web.b.svc.cluster.local\n  subsets: [{name: v1, labels: {tier: edge}}]\n".into());
    }
    let (pa, ns) = (pick(&["", "PERMISSIVE", "STRICT"]), pick(&["a", "istio-system"]));
    if !pa.is_empty() {
        docs.push(format!("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {{name: default, namespace: {ns}}}\nspec: {{mtls: {{mode: {pa}}}}}\n"));
    }
    for ns in ["a", "b", "istio-system"] {
        let kind = pick(&["none", "default", "default", "selector"]);
        let hosts = pick(&[
            "['./*']",
            "['./*', 'b/*']",
            "['*/*']",
            "['./*', '*/api.example.com']",
            "['a/web.a.svc.cluster.local']",
        ]);
        let port = pick(&["", "", "  - port: {number: 8080, protocol: HTTP, name: http}\n    hosts: ['./*']\n"]);
        let otp = pick(&[
            "",
            "",
            "  outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n",
            "  outboundTrafficPolicy: {mode: ALLOW_ANY}\n",
        ]);
        let ingress = pick(&[
            "",
            "",
            "  ingress:\n  - port: {number: 9090, protocol: HTTP, name: http}\n    defaultEndpoint: 127.0.0.1:9090\n",
        ]);
        let app = pick(&["web", "db"]);
        let sel = match kind {
            "selector" => format!("  workloadSelector: {{labels: {{app: {app}}}}}\n"),
            _ => String::new(),
        };
        if kind == "none" {
            continue;
        }
        docs.push(format!("apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {{name: {kind}, namespace: {ns}}}\nspec:\n{sel}{otp}{ingress}  egress:\n{port}  - hosts: {hosts}\n"));
    }
    if pick(&["", "", "", "mesh"]) == "mesh" {
        docs.push("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata:\n  mesh: 'outboundTrafficPolicy: {mode: REGISTRY_ONLY}'\n".into());
    }
    docs
}

fn workspace(docs: &[String]) -> Workspace {
    Workspace::new(vec![SourceFile::new("mesh.yaml", docs.join("---\n"))], Options::default())
}

fn run(base: &[String], head: &[String], all: bool) -> ImpactReport {
    let options = ImpactOptions { recompute_all: all, ..ImpactOptions::default() };
    impact(&workspace(base), &workspace(head), &options).unwrap()
}

/// The report as JSON without positions (what moving a document changes), with the lists whose
/// order follows the input's sorted, and without the findings' wording (some analysis messages
/// list workloads in input order; findings are compared by code, resource and field).
fn without_positions(r: &ImpactReport) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.remove("range");
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(r).unwrap();
    strip(&mut v);
    for key in ["appeared", "disappeared"] {
        if let Some(Value::Array(a)) = v.pointer_mut(&format!("/findings/{key}")) {
            for d in a.iter_mut().filter_map(Value::as_object_mut) {
                d.remove("message");
                d.remove("hint");
            }
            a.sort_by_key(|d| d.to_string());
        }
    }
    if let Some(Value::Array(ws)) = v.get_mut("workloads") {
        for f in ws.iter_mut().filter_map(|w| w.get_mut("flows")).filter_map(Value::as_array_mut).flatten() {
            if let Some(Value::Array(c)) = f.get_mut("causes") {
                c.sort_by_key(|d| d.to_string());
            }
        }
    }
    v
}

fn json(r: &ImpactReport) -> Value {
    serde_json::to_value(r).unwrap()
}

#[test]
fn generated_meshes_differ_in_every_way() {
    // The generator is worth its properties only if the comparisons find every kind of change.
    let mut kinds = BTreeSet::new();
    let mut recomputed_fewer = 0;
    for seed in 1..120u64 {
        let r = run(&mesh(seed, 0), &mesh(seed, seed), false);
        for w in &r.workloads {
            kinds.extend(w.flows.iter().map(|f| f.kind));
        }
        recomputed_fewer += usize::from(r.summary.recomputed < r.summary.workloads);
    }
    assert!(kinds.len() >= 5, "flow kinds seen: {kinds:?}");
    assert!(recomputed_fewer > 20, "the selection of workloads skipped work in {recomputed_fewer} comparisons");
}

#[test]
fn recomputing_only_what_changed_is_exact() {
    // Single edits (every choice of the generator in turn) and random sets of edits.
    for seed in 1..400u64 {
        let rate = [0, 0, 4, 12][seed as usize % 4];
        let (a, b) = (mesh_edited(seed, 0, rate), mesh_edited(seed, seed, rate));
        let fast = run(&a, &b, false);
        let mut full = run(&a, &b, true);
        full.summary.recomputed = fast.summary.recomputed;
        assert_eq!(json(&fast), json(&full), "seed {seed}");
    }
}

#[test]
fn every_reported_call_traces_differently() {
    let mut checked = 0;
    for seed in 1..60u64 {
        let (a, b) = (workspace(&mesh(seed, 0)), workspace(&mesh(seed, seed)));
        let r = impact(&a, &b, &ImpactOptions::default()).unwrap();
        for w in &r.workloads {
            let spec = ProxySpec { workload: Some(w.id()), ..ProxySpec::default() };
            for f in &w.flows {
                let base = Outcome::of(&a.trace(&spec, &f.request).unwrap());
                let head = Outcome::of(&b.trace(&spec, &f.request).unwrap());
                assert_eq!(flows::judge(&base, &head), Some(f.kind), "seed {seed} {} {}", w.id(), f.call);
                assert_eq!((&base, &head), (&f.base, &f.head));
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "only {checked} calls checked");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn a_mesh_against_itself_is_empty(seed in 1u64..u64::MAX) {
        let a = mesh(seed, 0);
        let r = run(&a, &a, false);
        prop_assert!(r.workloads.is_empty() && !r.summary.any(), "{:?}", r.summary);
        prop_assert_eq!(r.summary.recomputed, 0);
    }

    #[test]
    fn the_other_way_round_is_the_inverse(seed in 1u64..u64::MAX, variant in 1u64..u64::MAX) {
        let (a, b) = (mesh(seed, 0), mesh(seed, variant));
        let ab = run(&a, &b, false);
        let ba = run(&b, &a, false);
        prop_assert_eq!(json(&ba), json(&ab.inverted()));
    }

    #[test]
    fn the_order_of_documents_changes_nothing(seed in 1u64..u64::MAX, variant in 1u64..u64::MAX, shuffle in 1u64..u64::MAX) {
        let (a, b) = (mesh(seed, 0), mesh(seed, variant));
        let mut rng = Rng(shuffle | 1);
        let mut shuffled = b.clone();
        for i in (1..shuffled.len()).rev() {
            shuffled.swap(i, rng.next(i + 1));
        }
        prop_assert_eq!(without_positions(&run(&a, &b, false)), without_positions(&run(&a, &shuffled, false)));
    }
}

#[test]
fn a_side_that_does_not_load_is_reported_not_compared() {
    let good = mesh(7, 0);
    let bad = vec![format!("{}---\napiVersion: v1\nkind: Service\nmetadata: {{name: x\n", good.join("---\n"))];
    let r = run(&good, &bad, false);
    assert!(r.workloads.is_empty());
    assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    assert_eq!((r.problems[0].side, r.problems[0].diagnostic.code), (Side::Head, "SC0001"));
    assert!(r.problems[0].diagnostic.range.start.line > 1);
    let empty = run(&[], &good, false);
    assert_eq!((empty.problems.len(), empty.problems[0].side), (1, Side::Base));
    assert_eq!(empty.problems[0].diagnostic.code, "SC0011");
}

/// A trace through the part of a listener set that `Lookup::for_call` keeps is the trace through
/// the whole set, for every call impact makes (and calls to hosts that only wildcards match).
#[test]
fn tracing_the_part_of_the_listeners_a_call_meets_is_exact() {
    let mut traced = 0;
    for seed in 1..40u64 {
        let ws = workspace(&mesh(seed, 0));
        let reg = ws.registry();
        let session = ws.session();
        for w in &reg.workloads {
            let r = session.resolve_workload(w, &ProxySpec::default());
            let set = ListenerGenerator::new(reg, &Default::default()).generate(&crate::Proxy::for_workload(w));
            let mut calls = BTreeMap::new();
            flows::candidates(reg, &r, &set, &mut calls);
            let mut extra = Call::outbound("10.9.9.9", 8080, trace::CallProtocol::Http);
            extra.host = Some("api.wild.example.com".into());
            let lookup = flows::Lookup::new(&set);
            for call in calls.values().map(|c| &c.call).chain([&extra]) {
                let Some(part) = lookup.for_call(call) else { continue };
                assert_eq!(trace::trace(&part, call), trace::trace(&set, call), "seed {seed} {} {call:?}", w.id());
                traced += 1;
            }
        }
    }
    assert!(traced > 1000, "{traced} calls");
}

/// The calls impact does not trace (`may_differ` false: the same listener, chain and virtual
/// host on both sides) really end alike.
#[test]
fn calls_that_are_not_traced_end_alike() {
    let (mut skipped, mut traced) = (0, 0);
    for seed in 1..80u64 {
        let rate = [0, 4, 12][seed as usize % 3];
        let ws = [workspace(&mesh_edited(seed, 0, rate)), workspace(&mesh_edited(seed, seed, rate))];
        let regs = [ws[0].registry(), ws[1].registry()];
        for w in &regs[0].workloads {
            let Some(w2) = regs[1].workloads.iter().find(|x| (&x.namespace, &x.name) == (&w.namespace, &w.name)) else {
                continue;
            };
            let sets = [
                ListenerGenerator::new(regs[0], &Default::default()).generate(&crate::Proxy::for_workload(w)),
                ListenerGenerator::new(regs[1], &Default::default()).generate(&crate::Proxy::for_workload(w2)),
            ];
            let mut calls = BTreeMap::new();
            for (side, wl) in [w, w2].into_iter().enumerate() {
                let r = ws[side].session().resolve_workload(wl, &ProxySpec::default());
                flows::candidates(regs[side], &r, &sets[side], &mut calls);
            }
            let lookups = [flows::Lookup::new(&sets[0]), flows::Lookup::new(&sets[1])];
            for c in calls.values() {
                if flows::may_differ([&lookups[0], &lookups[1]], &c.call) {
                    traced += 1;
                    continue;
                }
                let (b, h) =
                    (Outcome::of(&trace::trace(&sets[0], &c.call)), Outcome::of(&trace::trace(&sets[1], &c.call)));
                assert_eq!(flows::judge(&b, &h), None, "seed {seed} {} {}: {b:?} {h:?}", w.id(), c.what);
                skipped += 1;
            }
        }
    }
    assert!(skipped > 1000 && traced > 100, "skipped {skipped}, traced {traced}");
}

/// A shop whose `cart` calls an external API that no registry has, under the given mesh-wide
/// outbound policy.
fn shop(mode: &str) -> Vec<String> {
    vec![
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: istio, namespace: istio-system}}\ndata:\n  mesh: 'outboundTrafficPolicy: {{mode: {mode}}}'\n"),
        "apiVersion: v1\nkind: Service\nmetadata: {name: cart, namespace: shop}\nspec:\n  selector: {app: cart}\n  clusterIP: 10.0.0.5\n  ports: [{name: http, port: 8080}]\n".into(),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: cart, namespace: shop}\nspec:\n  selector: {matchLabels: {app: cart}}\n  template:\n    metadata: {labels: {app: cart}}\n    spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}\n".into(),
    ]
}

const TRAFFIC: &str = "# TYPE istio_tcp_connections_opened_total counter\n\
istio_tcp_connections_opened_total{source_workload=\"cart\",source_workload_namespace=\"shop\",destination_service=\"api.stripe.com\",destination_service_name=\"PassthroughCluster\",destination_port=\"443\"} 7\n\
istio_requests_total{source_workload=\"cart\",source_workload_namespace=\"shop\",destination_service=\"x\" 4\n\
istio_tcp_connections_opened_total{source_workload=\"cart\",source_workload_namespace=\"shop\",destination_service=\"api.example.org\",destination_service_name=\"PassthroughCluster\",destination_port=\"8443\"} 2\n";

fn with_traffic(base: &[String], head: &[String], text: &str) -> ImpactReport {
    let e = crate::tighten::evidence::read(&[crate::tighten::EvidenceFile {
        name: "calls.prom".into(),
        text: text.into(),
    }]);
    let options = ImpactOptions { traffic: Some(e), ..ImpactOptions::default() };
    impact(&workspace(base), &workspace(head), &options).unwrap()
}

#[test]
fn a_call_only_the_traffic_names_is_reported_with_its_line() {
    let (base, head) = (shop("ALLOW_ANY"), shop("REGISTRY_ONLY"));
    let flows = |r: &ImpactReport| -> Vec<(String, FlowKind, Option<String>)> {
        let w = r.workloads.iter().find(|w| w.id() == "shop/cart").expect("cart changes");
        w.flows.iter().map(|f| (f.call.clone(), f.kind, f.origin.clone())).collect()
    };
    // Without the traffic, nothing names the external hosts (only the generic outside call).
    let plain = run(&base, &head, false);
    assert!(plain.traffic.is_none());
    assert!(
        flows(&plain).iter().all(|(call, _, origin)| !call.contains("api.") && origin.is_none()),
        "{:?}",
        flows(&plain)
    );
    // With it: through PassthroughCluster in base, BlackHole under REGISTRY_ONLY in head.
    let r = with_traffic(&base, &head, TRAFFIC);
    let got = flows(&r);
    assert!(got.contains(&("TCP api.stripe.com:443".into(), FlowKind::Broken, Some("calls.prom:2".into()))), "{got:?}");
    // The malformed line 3 is reported with its line and skipped; line 4 still counts.
    assert!(got.contains(&("TCP api.example.org:8443".into(), FlowKind::Broken, Some("calls.prom:4".into()))));
    let t = r.traffic.as_ref().expect("the traffic summary");
    let problems: Vec<(u32, &str)> = t.problems.iter().map(|p| (p.line, p.code)).collect();
    assert_eq!(problems, vec![(3, "SC0020")]);
    assert_eq!(t.files[0].calls, 2);
    // The other way round, the same calls are repaired, with the same origins.
    let back = with_traffic(&head, &base, TRAFFIC);
    assert!(flows(&back).contains(&("TCP api.stripe.com:443".into(), FlowKind::Repaired, Some("calls.prom:2".into()))));
    // A change that does not touch the call reports nothing for it.
    let same = with_traffic(&base, &base, TRAFFIC);
    assert!(same.workloads.is_empty(), "{:?}", same.workloads);
}

#[test]
fn an_empty_traffic_file_says_so_and_changes_nothing_else() {
    let (base, head) = (shop("ALLOW_ANY"), shop("REGISTRY_ONLY"));
    let r = with_traffic(&base, &head, "");
    let t = r.traffic.as_ref().expect("the traffic summary");
    assert_eq!(t.problems.iter().map(|p| p.code).collect::<Vec<_>>(), vec!["SC0021"]);
    let mut plain = json(&run(&base, &head, false));
    let mut got = json(&r);
    got.as_object_mut().unwrap().remove("traffic");
    plain.as_object_mut().unwrap().remove("traffic");
    assert_eq!(got, plain);
}
