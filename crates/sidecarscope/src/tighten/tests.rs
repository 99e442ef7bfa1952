use super::evidence::{read, Caller, EvidenceFile, Format, Kind};
use super::*;
use crate::{Options, SourceFile, Workspace};

fn file(name: &str, text: &str) -> EvidenceFile {
    EvidenceFile { name: name.into(), text: text.into() }
}

/// (file, line, code) of every problem.
fn problems(e: &Evidence) -> Vec<(String, u32, &'static str)> {
    e.problems.iter().map(|p| (p.file.clone(), p.line, p.code)).collect()
}

/// (caller, host, port, line) of every call.
fn calls(e: &Evidence) -> Vec<(String, String, Option<u32>, u32)> {
    e.calls
        .iter()
        .map(|c| {
            let caller = match &c.caller {
                Caller::Workload { namespace, name } => format!("{namespace}/{name}"),
                Caller::Address { ip } => ip.clone(),
            };
            (caller, c.host.clone(), c.port, c.seen.line)
        })
        .collect()
}

const PROM_JSON: &str = r#"{"status":"success","data":{"resultType":"vector","result":[
 {"metric":{"__name__":"istio_requests_total","source_workload":"frontend","source_workload_namespace":"shop","destination_service":"cart.shop.svc.cluster.local","destination_port":"8080"},"value":[1700000000,"42"]},
 {"metric":{"__name__":"istio_requests_total","source_workload":"frontend","source_workload_namespace":"shop","destination_service":"catalog.catalog.svc.cluster.local"},"value":[1700000000,"0"]},
 {"metric":{"__name__":"istio_requests_total","source_workload":"cart","source_workload_namespace":"shop"},"value":[1700000000,"3"]},
 {"metric":{"__name__":"istio_requests_total","source_workload":"cart","source_workload_namespace":"shop","destination_service":"payments.payments.svc.cluster.local"},"value":[1700000000,"3"]}
]}}
"#;

#[test]
fn prometheus_json_calls_and_problems_with_lines() {
    let e = read(&[file("q.json", PROM_JSON)]);
    assert_eq!(e.files[0].format, Some(Format::PrometheusJson));
    // Line 3 has a zero count (no call); line 4 has no destination_service.
    assert_eq!(
        calls(&e),
        vec![
            ("shop/frontend".into(), "cart.shop.svc.cluster.local".into(), Some(8080), 2),
            ("shop/cart".into(), "payments.payments.svc.cluster.local".into(), None, 5),
        ]
    );
    assert_eq!(problems(&e), vec![("q.json".into(), 4, "SC0020")]);
    assert_eq!(e.calls[0].kind, Some(Kind::Http));
}

#[test]
fn truncated_prometheus_json_keeps_the_series_before_the_break() {
    let cut = PROM_JSON.find(" {\"metric\":{\"__name__\":\"istio_requests_total\",\"source_workload\":\"cart\",\"source_workload_namespace\":\"shop\",\"destination_service\"").unwrap();
    let text = &PROM_JSON[..cut + 60];
    let e = read(&[file("cut.json", text)]);
    assert_eq!(calls(&e), vec![("shop/frontend".into(), "cart.shop.svc.cluster.local".into(), Some(8080), 2)]);
    let lines: Vec<u32> = e.problems.iter().map(|p| p.line).collect();
    // The document's error and the list's, both at the break on line 5 (and line 4's series).
    assert!(lines.contains(&5), "{:?}", e.problems);
    assert!(e.problems.iter().all(|p| p.code == "SC0020"));
}

#[test]
fn prometheus_text_reads_istio_series_and_reports_a_broken_line() {
    let text = "# HELP istio_tcp_connections_opened_total x\n\
# TYPE istio_tcp_connections_opened_total counter\n\
istio_tcp_connections_opened_total{source_workload=\"payments\",source_workload_namespace=\"payments\",destination_service=\"ledger.payments.svc.cluster.local\"} 12\n\
process_cpu_seconds_total 3\n\
istio_requests_total{source_workload=\"payments\",source_workload_namespace=\"payments\",destination_service=\"api.stripe.com\" 4\n\
istio_requests_total{source_workload=\"payments\",source_workload_namespace=\"payments\",destination_service=\"x\"} many\n";
    let e = read(&[file("m.prom", text)]);
    assert_eq!(e.files[0].format, Some(Format::PrometheusText));
    assert_eq!(calls(&e), vec![("payments/payments".into(), "ledger.payments.svc.cluster.local".into(), None, 3)]);
    assert_eq!(e.calls[0].kind, Some(Kind::Tcp));
    assert_eq!(problems(&e), vec![("m.prom".into(), 5, "SC0020"), ("m.prom".into(), 6, "SC0020")]);
}

#[test]
fn kiali_graph_edges_from_workloads() {
    let text = r#"{"elements": {
 "nodes": [
  {"data": {"id": "a", "nodeType": "workload", "namespace": "shop", "workload": "frontend"}},
  {"data": {"id": "b", "nodeType": "service", "namespace": "shop", "service": "cart"}},
  {"data": {"id": "c", "nodeType": "service", "namespace": "payments", "service": "api.stripe.com"}}
 ],
 "edges": [
  {"data": {"id": "e1", "source": "a", "target": "b", "traffic": {"protocol": "http"}}},
  {"data": {"id": "e2", "source": "a", "target": "zz"}},
  {"data": {"id": "e3", "source": "a", "target": "c", "traffic": {"protocol": "tcp"}}}
 ]}}"#;
    let e = read(&[file("g.json", text)]);
    assert_eq!(e.files[0].format, Some(Format::KialiGraph));
    assert_eq!(
        calls(&e),
        vec![
            ("shop/frontend".into(), "cart.shop.svc.cluster.local".into(), None, 8),
            ("shop/frontend".into(), "api.stripe.com".into(), None, 10),
        ]
    );
    assert_eq!(problems(&e), vec![("g.json".into(), 9, "SC0020")]);
}

const ENVOY_TEXT: &str = r#"[2020-11-25T21:26:18.409Z] "GET /status/418 HTTP/1.1" 418 - via_upstream - "-" 0 135 4 4 "-" "curl/7.73.0-DEV" "84961386-6d84-929d-98bd-c5aee93b5c88" "httpbin:8000" "10.44.1.27:80" outbound|8000||httpbin.foo.svc.cluster.local 10.44.1.23:37652 10.0.45.184:8000 10.44.1.23:46520 - default
this is not an access log line
[2020-11-25T21:26:19.409Z] "- - -" 0 - - - "-" 100 200 4 - "-" "-" "-" "-" "1.2.3.4:443" PassthroughCluster 10.44.1.23:37653 1.2.3.4:443 10.44.1.23:46521 example.org -
[2020-11-25T21:26:20.409Z] "GET / HTTP/1.1" 200 - via_upstream - "-" 0 135 4 4 "-" "curl" "x" "httpbin:8000" "10.44.1.23:80" inbound|80|| 127.0.0.6:1 10.44.1.23:80 10.44.1.9:2 outbound_.8000_._.httpbin.foo.svc.cluster.local default
"#;

#[test]
fn envoy_text_log_outbound_calls_by_address() {
    let e = read(&[file("access.log", ENVOY_TEXT)]);
    assert_eq!(e.files[0].format, Some(Format::EnvoyText));
    assert_eq!(
        calls(&e),
        vec![
            ("10.44.1.23".into(), "httpbin.foo.svc.cluster.local".into(), Some(8000), 1),
            ("10.44.1.23".into(), "example.org".into(), Some(443), 3),
        ]
    );
    assert!(e.calls[1].passthrough);
    assert_eq!(e.calls[0].path.as_deref(), Some("/status/418"));
    assert_eq!(problems(&e), vec![("access.log".into(), 2, "SC0020")]);
}

#[test]
fn envoy_json_log() {
    let text = r#"{"authority":"httpbin:8000","method":"GET","path":"/ip","protocol":"HTTP/1.1","upstream_cluster":"outbound|8000||httpbin.foo.svc.cluster.local","downstream_remote_address":"10.44.1.23:46520","downstream_local_address":"10.0.45.184:8000"}
{"authority":"httpbin:8000", "method":
{"method":"GET","upstream_cluster":"outbound|8000||httpbin.foo.svc.cluster.local"}
"#;
    let e = read(&[file("access.json", text)]);
    assert_eq!(e.files[0].format, Some(Format::EnvoyJson));
    assert_eq!(calls(&e), vec![("10.44.1.23".into(), "httpbin.foo.svc.cluster.local".into(), Some(8000), 1)]);
    assert_eq!(problems(&e), vec![("access.json".into(), 2, "SC0020"), ("access.json".into(), 3, "SC0020")]);
}

#[test]
fn dependency_list_and_its_mistakes() {
    let text = "shop/frontend:\n  - cart.shop.svc.cluster.local\n  - catalog.catalog.svc.cluster.local:8080\nnot-a-workload:\n  - x\nshop/cart: payments\nshop/cart2:\n  - host:port\n";
    let e = read(&[file("deps.yaml", text)]);
    assert_eq!(e.files[0].format, Some(Format::DependencyList));
    assert_eq!(
        calls(&e),
        vec![
            ("shop/frontend".into(), "cart.shop.svc.cluster.local".into(), None, 2),
            ("shop/frontend".into(), "catalog.catalog.svc.cluster.local".into(), Some(8080), 3),
        ]
    );
    assert_eq!(
        problems(&e),
        vec![("deps.yaml".into(), 4, "SC0020"), ("deps.yaml".into(), 6, "SC0020"), ("deps.yaml".into(), 8, "SC0020")]
    );
}

#[test]
fn empty_and_unknown_evidence_say_so() {
    let e = read(&[
        file("empty.json", "  \n"),
        file("zero.prom", "# TYPE istio_requests_total counter\n"),
        file("x.txt", "hello world\n"),
    ]);
    assert_eq!(
        problems(&e),
        vec![("empty.json".into(), 1, "SC0021"), ("zero.prom".into(), 1, "SC0021"), ("x.txt".into(), 1, "SC0020")]
    );
    assert!(e.problems[0].message.contains("empty"));
}

// ---- suggestions ----

const MESH: &str = include_str!("../../../../examples/impact/mesh.yaml");

fn mesh(extra: &str) -> Workspace {
    let mut sources = vec![SourceFile::new("mesh.yaml", MESH)];
    if !extra.is_empty() {
        sources.push(SourceFile::new("extra.yaml", extra));
    }
    Workspace::new(sources, Options::default())
}

const DEPS: &str = "shop/frontend:\n  - cart.shop.svc.cluster.local:8080\n  - catalog.catalog.svc.cluster.local\nshop/cart:\n  - payments.payments.svc.cluster.local\npayments/payments:\n  - api.stripe.com\n  - ledger.payments.svc.cluster.local\n";

fn hosts(s: &Suggestion) -> Vec<&str> {
    s.hosts.iter().map(|h| h.host.as_str()).collect()
}

#[test]
fn per_namespace_on_the_impact_mesh_is_what_a_careful_user_writes() {
    // Written down first: shop calls cart (through its VirtualService, whose destination is
    // cart itself), catalog and payments; payments calls Stripe and its ledger.
    let expected_shop = vec![
        "catalog/catalog.catalog.svc.cluster.local",
        "payments/payments.payments.svc.cluster.local",
        "shop/cart.shop.svc.cluster.local",
    ];
    let expected_payments = vec!["payments/api.stripe.com", "payments/ledger.payments.svc.cluster.local"];
    let ws = mesh("");
    let e = read(&[file("deps.yaml", DEPS)]);
    let r = suggest(&ws, &e, &SuggestOptions::default()).unwrap();
    assert!(r.refused.is_empty(), "{:?}", r.refused);
    let by_id: BTreeMap<String, &Suggestion> = r.suggestions.iter().map(|s| (s.id(), s)).collect();
    assert_eq!(hosts(by_id["shop/default"]), expected_shop);
    assert_eq!(hosts(by_id["payments/default"]), expected_payments);
    assert!(by_id["shop/default"].workload_selector.is_none());
    // The VirtualService is a reason, with its file and line.
    let cart = &by_id["shop/default"].hosts[2];
    assert!(
        cart.reasons
            .iter()
            .any(|r| r.why == "destination of VirtualService shop/cart" && r.file == "mesh.yaml" && r.line == 52),
        "{cart:?}"
    );
    // Every observed call traced, and the reduction counted.
    let frontend = r.workloads.iter().find(|w| w.workload == "shop/frontend").unwrap();
    assert_eq!((frontend.calls, frontend.traced), (2, 2));
    let after = frontend.after.unwrap();
    assert!(after.imported_services < frontend.before.imported_services);
    assert_eq!(after.imported_services, 3);
    // The whole YAML validates clean and analysis finds nothing new.
    let head = Workspace::new(
        vec![SourceFile::new("mesh.yaml", MESH), SourceFile::new("suggested.yaml", r.yaml.clone())],
        Options::default(),
    );
    assert!(head.validate().diagnostics.is_empty(), "{:?}", head.validate().diagnostics);
    let before: Vec<_> = ws.analyze().diagnostics.iter().map(|d| (d.code, d.message.clone())).collect();
    let now: Vec<_> = head.analyze().diagnostics.iter().map(|d| (d.code, d.message.clone())).collect();
    assert!(now.iter().all(|d| before.contains(d)), "new findings: {now:?}");
}

#[test]
fn per_workload_selects_by_app() {
    let ws = mesh("");
    let e = read(&[file("deps.yaml", DEPS)]);
    let options = SuggestOptions { per: Per::Workload, ..SuggestOptions::default() };
    let r = suggest(&ws, &e, &options).unwrap();
    let frontend = r.suggestions.iter().find(|s| s.id() == "shop/frontend").expect("a Sidecar for frontend");
    assert_eq!(frontend.workload_selector, Some(BTreeMap::from([("app".to_string(), "frontend".to_string())])));
    assert_eq!(hosts(frontend), vec!["catalog/catalog.catalog.svc.cluster.local", "shop/cart.shop.svc.cluster.local"]);
    let cart = r.suggestions.iter().find(|s| s.id() == "shop/cart").expect("a Sidecar for cart");
    assert_eq!(hosts(cart), vec!["payments/payments.payments.svc.cluster.local"]);
    assert!(frontend.yaml.contains("workloadSelector:\n    labels:\n      \"app\": \"frontend\"\n"));
}

#[test]
fn a_suggestion_that_breaks_a_call_is_not_offered() {
    // Under REGISTRY_ONLY, a call that only worked through PassthroughCluster breaks: the
    // payments namespace's Sidecar is refused, naming the call.
    let deps = "payments/payments:\n  - ledger.payments.svc.cluster.local\n";
    let log = r#"{"upstream_cluster":"PassthroughCluster","protocol":"HTTP/1.1","method":"GET","path":"/","authority":"example.org","downstream_local_address":"93.184.216.34:80","downstream_remote_address":"10.9.9.9:5555"}"#;
    let e = read(&[file("deps.yaml", deps), file("log.json", log)]);
    let mut options = SuggestOptions { outbound_traffic_policy: Some("REGISTRY_ONLY".into()), ..Default::default() };
    options.workload = Some("payments/payments".into());
    // Attribute the log to payments by its address: give the workload that IP.
    let extra = "apiVersion: v1\nkind: Pod\nmetadata: {name: payments-1, namespace: payments, labels: {app: payments}}\nspec: {containers: [{name: app, image: x}]}\nstatus: {podIP: 10.9.9.9}\n";
    let ws2 = mesh(extra);
    let r =
        suggest(&ws2, &e, &SuggestOptions { workload: Some("payments/payments-1".into()), ..options.clone() }).unwrap();
    assert!(r.suggestions.is_empty(), "{}", r.yaml);
    assert_eq!(r.refused.len(), 1);
    let refused = &r.refused[0];
    assert!(
        refused.calls.iter().any(|c| c.call.contains("example.org") && c.seen.as_deref() == Some("log.json:1")),
        "{refused:?}"
    );
    // Without the policy change the same evidence gives a suggestion, and flags the call.
    let r = suggest(&ws2, &e, &SuggestOptions { workload: Some("payments/payments-1".into()), ..Default::default() })
        .unwrap();
    assert_eq!(r.suggestions.len(), 1, "{:?}", r.refused);
    let w = r.workloads.iter().find(|w| w.workload == "payments/payments-1").unwrap();
    assert_eq!(w.passthrough.len(), 1);
}

#[test]
fn seed_global_default_gets_a_namespace_sidecar_for_what_reviews_calls() {
    // Istio's Sidecar reference, first example: the root namespace's default Sidecar imports
    // `./*` and `istio-system/*`. reviews-v1 calls ratings (its own namespace) and details
    // (another namespace, which that Sidecar does not import: the call does not reach it today).
    // A careful user writes for prod-us1, and leaves the root namespace's default alone:
    let expected = "\
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: \"default\"
  namespace: \"prod-us1\"
spec:
  egress:
  - hosts:
    - \"prod-us1/ratings.prod-us1.svc.cluster.local\"
";
    let seed = include_str!("../../tests/fixtures/resolve/seed-01-global-default.yaml");
    let ws = Workspace::new(vec![SourceFile::new("seed-01.yaml", seed)], Options::default());
    let deps =
        "prod-us1/reviews-v1:\n  - ratings.prod-us1.svc.cluster.local\n  - details.prod-apis.svc.cluster.local\n";
    let r = suggest(&ws, &read(&[file("deps.yaml", deps)]), &SuggestOptions::default()).unwrap();
    assert!(r.refused.is_empty(), "{:?}", r.refused);
    assert_eq!(r.suggestions.len(), 1);
    let without_comments: String =
        r.suggestions[0].yaml.lines().filter(|l| !l.trim_start().starts_with('#')).map(|l| format!("{l}\n")).collect();
    assert_eq!(without_comments, expected);
    assert!(r.suggestions[0].replaces.is_none());
    let w = r.workloads.iter().find(|w| w.workload == "prod-us1/reviews-v1").unwrap();
    assert_eq!(w.current.as_deref(), Some("istio-config/default"));
    assert_eq!(w.not_imported.len(), 1);
    assert_eq!(w.not_imported[0].host, "details.prod-apis.svc.cluster.local");
    assert_eq!(w.not_imported[0].seen, "deps.yaml:3");
    let (b, a) = (w.before, w.after.unwrap());
    assert_eq!((b.imported_services, a.imported_services), (3, 1));
}
