//! The JS API, in wasm: every function's result equals the core's serde_json output (the CLI's
//! JSON), ranges carry UTF-16 offsets that match JavaScript's string indices, findings are data
//! and bad arguments throw an `Error` with a clear message. Runs under Node and, with
//! `WASM_BINDGEN_USE_BROWSER=1`, in headless Chromium (scripts/test-wasm).

#![cfg(target_arch = "wasm32")]

use std::collections::BTreeMap;

use js_sys::{Array, Object, Reflect, JSON};
use serde::Serialize;
use serde_json::{json, Value};
use sidecarscope::trace::{Call, CallDirection, CallProtocol, CallTls};
use sidecarscope::{report, ListenerGenerator, Proxy, Registry, Resolver};
use sidecarscope_wasm as api;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

/// A Sidecar with a bad egress host after a line with non-BMP characters (two UTF-16 units each),
/// a Pod it selects, and a Service.
const MESH: &str = r#"# 🚀 ratings, été
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: ratings
  namespace: prod
spec:
  workloadSelector:
    labels:
      app: ratings
  ingress:
  - port:
      number: 9080
      protocol: HTTP
      name: http
    defaultEndpoint: 127.0.0.1:8080
    connectionPool:
      tcp:
        maxConnections: 100
  egress:
  - hosts:
    - "prod/*"
    - "reviews"
---
apiVersion: v1
kind: Pod
metadata:
  name: ratings-1
  namespace: prod
  labels:
    app: ratings
status:
  podIP: 10.1.0.7
---
apiVersion: v1
kind: Service
metadata:
  name: reviews
  namespace: prod
spec:
  clusterIP: 10.0.0.40
  selector:
    app: reviews
  ports:
  - name: http
    port: 9080
"#;

fn s(text: &str) -> JsValue {
    JsValue::from_str(text)
}

/// The value as `JSON.parse(JSON.stringify(value))` sees it, i.e. what a JS caller gets.
fn js_json(value: &JsValue) -> Value {
    let text: String = JSON::stringify(value).expect("result is JSON").into();
    serde_json::from_str(&text).expect("valid JSON")
}

fn rust_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("serializable")
}

fn obj(v: Value) -> JsValue {
    JSON::parse(&v.to_string()).expect("test argument is JSON")
}

/// The message of the `Error` an API call threw.
fn thrown(r: Result<JsValue, js_sys::Error>) -> String {
    let e = r.expect_err("the call should throw");
    assert!(e.is_instance_of::<js_sys::Error>(), "throws an Error");
    e.message().into()
}

fn is_plain_object(v: &JsValue) -> bool {
    v.is_object() && !Array::is_array(v) && Object::get_prototype_of(v) == Object::get_prototype_of(&Object::new())
}

#[wasm_bindgen_test]
fn version_is_the_core_version() {
    assert_eq!(api::version(), sidecarscope::VERSION);
}

#[wasm_bindgen_test]
fn validate_and_analyze_equal_the_core_report() {
    let input = sidecarscope::load_text("input.yaml", MESH);
    for (name, got, mut diags) in [
        ("validate", api::validate(s(MESH), None).unwrap(), sidecarscope::validate(&input)),
        ("analyze", api::analyze(s(MESH), None).unwrap(), sidecarscope::analyze(&input)),
    ] {
        report::sort(&mut diags);
        assert_eq!(js_json(&got), rust_json(&report::diagnostics_report(&input, &diags)), "{name}");
        assert!(is_plain_object(&got), "{name}: a plain object, not a Map");
    }
}

/// The alias budget is the input's, as in the CLI and the playground (they all load through the
/// core's `Loading`): 40 small documents that each expand to about 90,000 nodes, pasted as one
/// text, are refused after the first with SC0002 instead of building 3.6 million nodes.
#[wasm_bindgen_test]
fn the_alias_budget_is_one_per_input() {
    let doc = "---\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d]\n";
    let text = doc.repeat(40);
    let got = js_json(&api::validate(s(&text), None).unwrap());
    let codes: Vec<&str> = got["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    // The first document fits (it is no Kubernetes resource: skipped, SC0012); the other 39 are
    // over the shared budget.
    assert_eq!(codes.iter().filter(|c| **c == "SC0002").count(), 39, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == "SC0012").count(), 1, "{codes:?}");
    let input = sidecarscope::load_text("input.yaml", &text);
    let mut diags = sidecarscope::validate(&input);
    report::sort(&mut diags);
    assert_eq!(got, rust_json(&report::diagnostics_report(&input, &diags)));
}

#[wasm_bindgen_test]
fn ranges_carry_utf16_offsets_of_the_js_string() {
    let report = js_json(&api::validate(s(MESH), None).unwrap());
    let d = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "SC1050")
        .expect("bad egress host reported");
    let js_text = js_sys::JsString::from(MESH);
    let at = js_text.index_of("\"reviews\"", 0) as u64;
    assert_eq!(d["range"]["start"]["utf16"], json!(at));
    // The byte offset differs by the extra UTF-8 bytes of 🚀 (4 bytes, 2 units) and é (2 bytes, 1 unit) x2.
    assert_eq!(d["range"]["start"]["offset"], json!(at + 2 + 1 + 1));
    assert_eq!(d["range"]["start"]["line"], json!(23));
}

#[wasm_bindgen_test]
fn findings_are_data_not_exceptions() {
    let report = js_json(&api::validate(s("kind: [unclosed\n"), None).unwrap());
    assert_eq!(report["summary"]["errors"], json!(1));
    assert_eq!(report["diagnostics"][0]["code"], "SC0001");
    let empty = js_json(&api::analyze(s(""), None).unwrap());
    assert_eq!(empty["summary"], json!({"errors": 0, "warnings": 0, "infos": 0}));
}

#[wasm_bindgen_test]
fn several_files_keep_their_names_and_order() {
    let files =
        obj(json!([{"name": "a.yaml", "text": MESH}, {"name": "dir/b.yaml", "text": "apiVersion: v1\nkind: Pod\n"}]));
    let report = js_json(&api::validate(files, None).unwrap());
    let names: Vec<&str> =
        report["diagnostics"].as_array().unwrap().iter().map(|d| d["file"].as_str().unwrap()).collect();
    assert!(names.contains(&"a.yaml") && names.contains(&"dir/b.yaml"), "{names:?}");
    assert_eq!(names.iter().position(|n| *n == "dir/b.yaml"), Some(names.len() - 1), "sorted by file order");
}

#[wasm_bindgen_test]
fn workloads_have_a_range() {
    let got = js_json(&api::workloads(s(MESH), None).unwrap());
    let input = sidecarscope::load_text("input.yaml", MESH);
    let ws = sidecarscope::workloads(&input);
    assert_eq!(ws.len(), 1);
    let mut want = rust_json(&ws[0]);
    let src = input.source(ws[0].source);
    want["range"] = rust_json(&report::Range::of(src, ws[0].range));
    assert_eq!(got, json!([want]));
    let start = js_sys::JsString::from(MESH).index_of("apiVersion: v1\nkind: Pod", 0) as u64;
    assert_eq!(got[0]["range"]["start"]["utf16"], json!(start));
    assert_eq!(got[0]["range"]["start"]["line"], got[0]["line"]);
}

#[wasm_bindgen_test]
fn resolve_by_workload_and_by_labels_equal_the_core() {
    let input = sidecarscope::load_text("input.yaml", MESH);
    let reg = Registry::build(&input);
    let w = reg.workloads.iter().find(|w| w.id() == "prod/ratings-1").unwrap();
    let mut want = Resolver::new(&reg).resolve(&Proxy::for_workload(w));
    want.workload = Some(sidecarscope::resolve::WorkloadRef {
        kind: "Pod".into(),
        namespace: "prod".into(),
        name: "ratings-1".into(),
    });
    let got = api::resolve(s(MESH), obj(json!({"workload": "prod/ratings-1"})), None).unwrap();
    assert_eq!(js_json(&got), rust_json(&want));
    // Port-keyed maps are objects with string keys, as in JSON.
    let pools = Reflect::get(&got, &s("inboundConnectionPool")).unwrap();
    assert!(is_plain_object(&pools));
    assert!(Reflect::has(&pools, &s("9080")).unwrap());

    let proxy = Proxy {
        namespace: "prod".into(),
        labels: [("app".to_string(), "ratings".to_string())].into_iter().collect(),
        ..Proxy::default()
    };
    let want = Resolver::new(&reg).resolve(&proxy);
    let got = api::resolve(s(MESH), obj(json!({"namespace": "prod", "labels": {"app": "ratings"}})), None).unwrap();
    assert_eq!(js_json(&got), rust_json(&want));
    assert_eq!(js_json(&got)["sidecar"]["name"], "ratings");
}

#[wasm_bindgen_test]
fn listeners_equal_the_core_and_link_into_the_input() {
    let input = sidecarscope::load_text("input.yaml", MESH);
    let env = BTreeMap::from([("PILOT_ENABLE_MONGO_FILTER".to_string(), "false".to_string())]);
    let proxy = Proxy {
        namespace: "prod".into(),
        labels: [("app".to_string(), "ratings".to_string())].into_iter().collect(),
        ip: Some("10.1.0.9".into()),
        ..Proxy::default()
    };
    let want = sidecarscope::listeners(&input, &proxy, &env);
    let got = api::listeners(
        s(MESH),
        obj(json!({"namespace": "prod", "labels": {"app": "ratings"}, "ip": "10.1.0.9", "istiodEnv": {"PILOT_ENABLE_MONGO_FILTER": "false"}})), None
    )
    .unwrap();
    let got = js_json(&got);
    assert_eq!(got, rust_json(&want));
    assert_eq!(got["istiodEnv"]["mongoFilter"], json!(false));
    // Some source link points into the Sidecar, with a UTF-16 offset.
    let text = serde_json::to_string(&got).unwrap();
    assert!(text.contains("\"utf16\""), "located source links");
}

#[wasm_bindgen_test]
fn trace_equals_the_core() {
    let input = sidecarscope::load_text("input.yaml", MESH);
    let reg = Registry::build(&input);
    let w = reg.workloads.iter().find(|w| w.id() == "prod/ratings-1").unwrap();
    let mut set = ListenerGenerator::new(&reg, &BTreeMap::new()).generate(&Proxy::for_workload(w));
    set.locate(&input);
    let call = Call {
        address: Some("10.0.0.40".into()),
        port: 9080,
        protocol: CallProtocol::Http,
        tls: CallTls::Plaintext,
        host: Some("reviews".into()),
        sni: None,
        direction: CallDirection::Outbound,
        ..Call::default()
    };
    let want = sidecarscope::trace::trace(&set, &call);
    let got = api::trace(
        s(MESH),
        obj(json!({"workload": "prod/ratings-1"})),
        obj(json!({"address": "10.0.0.40", "port": 9080, "protocol": "HTTP", "host": "reviews"})),
        None,
    )
    .unwrap();
    assert_eq!(js_json(&got), rust_json(&want));

    // CLI defaults: TLS is TCP over TLS; an sni implies TLS; inbound calls need no address.
    let tls = js_json(
        &api::trace(
            s(MESH),
            obj(json!({"workload": "prod/ratings-1"})),
            obj(json!({"address": "1.2.3.4", "port": 443, "protocol": "TLS"})),
            None,
        )
        .unwrap(),
    );
    assert_eq!((tls["call"]["protocol"].as_str(), tls["call"]["tls"].as_str()), (Some("TCP"), Some("tls")));
    let sni = js_json(
        &api::trace(
            s(MESH),
            obj(json!({"workload": "prod/ratings-1"})),
            obj(json!({"address": "1.2.3.4", "port": 443, "sni": "a.example.com"})),
            None,
        )
        .unwrap(),
    );
    assert_eq!(sni["call"]["tls"], "tls");
    let inbound = js_json(
        &api::trace(
            s(MESH),
            obj(json!({"workload": "prod/ratings-1"})),
            obj(json!({"port": 9080, "direction": "inbound", "protocol": "HTTP"})),
            None,
        )
        .unwrap(),
    );
    assert_eq!(inbound["call"]["address"], Value::Null);
    assert_eq!(inbound["listener"], "virtualInbound");
}

/// A VirtualService sending `/api` to the canary subset, everything else to the stable one.
const CANARY: &str = "apiVersion: v1
kind: Service
metadata: {name: api, namespace: default}
spec:
  clusterIP: 10.0.0.40
  ports: [{name: http, port: 80}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: default}
spec:
  hosts: [api]
  http:
  - name: canary
    match: [{uri: {prefix: /api}, headers: {x-user: {exact: alice}}}, {uri: {prefix: /api}, method: {exact: POST}}]
    route: [{destination: {host: api, subset: v2}}]
  - name: stable
    route: [{destination: {host: api, subset: v1}}]
";

#[wasm_bindgen_test]
fn trace_matches_routes_by_path_method_and_headers() {
    let proxy = || obj(json!({"namespace": "default"}));
    let run = |call: Value| js_json(&api::trace(s(CANARY), proxy(), obj(call), None).unwrap());
    let canary = run(
        json!({"address": "10.0.0.40", "port": 80, "protocol": "HTTP", "host": "api", "path": "/api/x", "headers": {"X-User": "alice"}}),
    );
    assert_eq!(
        (canary["route"].as_str(), canary["cluster"].as_str()),
        (Some("canary"), Some("outbound|80|v2|api.default.svc.cluster.local"))
    );
    assert_eq!(
        (canary["routeConfig"].as_str(), canary["virtualHost"].as_str()),
        (Some("80"), Some("api.default.svc.cluster.local:80"))
    );
    assert_eq!(canary["matchedRoute"]["virtualService"], "default/api");
    assert_eq!(canary["matchedRoute"]["httpIndex"], 0);
    assert!(canary["matchedRoute"]["sources"][0]["range"].is_object(), "{canary}");
    let post = run(
        json!({"address": "10.0.0.40", "port": 80, "protocol": "HTTP", "host": "api", "path": "/api/x", "method": "POST"}),
    );
    assert_eq!(post["route"], "canary");
    let stable = run(json!({"address": "10.0.0.40", "port": 80, "protocol": "HTTP", "host": "api", "path": "/"}));
    assert_eq!(
        (stable["route"].as_str(), stable["cluster"].as_str()),
        (Some("stable"), Some("outbound|80|v1|api.default.svc.cluster.local"))
    );
    let other_user = run(
        json!({"address": "10.0.0.40", "port": 80, "protocol": "HTTP", "host": "api", "path": "/api/x", "headers": {"x-user": "bob"}}),
    );
    assert_eq!(other_user["route"], "stable");
    // The same as the core.
    let input = sidecarscope::load_text("input.yaml", CANARY);
    let set = sidecarscope::listeners(&input, &Proxy::new("default"), &BTreeMap::new());
    let call = Call {
        address: Some("10.0.0.40".into()),
        port: 80,
        protocol: CallProtocol::Http,
        host: Some("api".into()),
        path: Some("/".into()),
        ..Call::default()
    };
    assert_eq!(stable, rust_json(&sidecarscope::trace::trace(&set, &call)));
    // Bad call fields throw with the field named.
    let bad = |call: Value| thrown(api::trace(s(CANARY), proxy(), obj(call), None));
    assert!(bad(json!({"address": "10.0.0.40", "port": 80, "headers": {"x user": "a"}})).contains("header"));
    assert!(bad(json!({"address": "10.0.0.40", "port": 80, "path": "no-slash"})).contains("path"));
    assert!(bad(json!({"address": "10.0.0.40", "port": 80, "alpn": "h2"})).contains("alpn"));
}

#[wasm_bindgen_test]
fn analyze_applies_suppressions() {
    let codes = |r: &Value| {
        r["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    let all = js_json(&api::analyze(s(MESH), None).unwrap());
    let bad_host = all["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"] == "spec.egress[0].hosts[1]")
        .expect("the bad host is reported");
    let code = bad_host["code"].as_str().unwrap();
    assert!(all["summary"].get("suppressed").is_none());
    let rule = format!("{code}=Sidecar prod/*");
    let some = js_json(&api::analyze(s(MESH), Some(obj(json!({ "suppress": [rule] })))).unwrap());
    assert_eq!(some["summary"]["suppressed"], 1, "{some}");
    assert!(!codes(&some).contains(&code.to_string()));
    assert_eq!(codes(&some).len() + 1, codes(&all).len());
    assert_eq!(js_json(&api::analyze(s(MESH), Some(JsValue::UNDEFINED)).unwrap()), all);
    // The annotation, as istioctl reads it.
    let annotated = MESH.replacen(
        "  name: ratings\n  namespace: prod\nspec:",
        "  name: ratings\n  namespace: prod\n  annotations:\n    galley.istio.io/analyze-suppress: \"*\"\nspec:",
        1,
    );
    let r = js_json(&api::analyze(s(&annotated), None).unwrap());
    assert!(
        r["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["resource"]["name"] != "ratings" || d["resource"]["kind"] != "Sidecar"),
        "{r}"
    );
    assert!(r["summary"]["suppressed"].as_u64().unwrap() >= 1);
}

#[wasm_bindgen_test]
fn analyze_default_namespace_is_kubectl_apply_n() {
    let text = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: s\nspec:\n  egress:\n  - hosts: [\"./*\", \"default/*\"]\n";
    let has_dup = |r: &Value| r["diagnostics"].as_array().unwrap().iter().any(|d| d["code"] == "SC1051");
    let in_default = js_json(&api::analyze(s(text), None).unwrap());
    assert!(has_dup(&in_default), "{in_default}");
    let in_bookinfo = js_json(&api::analyze(s(text), Some(obj(json!({"defaultNamespace": "bookinfo"})))).unwrap());
    assert!(!has_dup(&in_bookinfo), "{in_bookinfo}");
    assert!(thrown(api::analyze(s(text), Some(obj(json!({"defaultNamespace": "Bad_NS"})))))
        .contains("options.defaultNamespace \"Bad_NS\": a namespace is a lowercase RFC 1123 label"));
}

#[wasm_bindgen_test]
fn bad_input_throws() {
    assert_eq!(
        thrown(api::validate(JsValue::from_f64(3.0), None)),
        "sidecarscope: input must be a string (YAML or JSON) or an array of { name, text } objects, not number"
    );
    assert!(thrown(api::validate(JsValue::NULL, None)).ends_with("not null"));
    assert!(thrown(api::analyze(obj(json!([{"name": "a.yaml"}])), None)).contains("input[0]: missing field `text`"));
    assert!(thrown(api::analyze(obj(json!([{"name": "a.yaml", "text": "", "path": "x"}])), None))
        .contains("unknown field `path`"));
    assert!(thrown(api::analyze(s(MESH), Some(obj(json!({"suppress": ["IST0101"]})))))
        .contains("options.suppress: IST0101 is not a valid suppression value"));
    assert!(
        thrown(api::analyze(s(MESH), Some(obj(json!({"supress": []}))))).contains("options: unknown field `supress`")
    );
    assert!(thrown(api::analyze(s(MESH), Some(JsValue::from_str("IST0101=x")))).contains("options must be an object"));
}

#[wasm_bindgen_test]
fn bad_proxy_throws() {
    let cases: &[(Value, &str)] = &[
        (json!({}), "proxy: say whose proxy"),
        (json!({"workload": "prod/ratings-1", "namespace": "prod"}), "either workload or namespace"),
        (json!({"workload": "prod/ratings-1", "labels": {"a": "b"}}), "labels go with namespace"),
        (json!({"namespace": ""}), "proxy: namespace is empty"),
        (json!({"namespace": "prod", "ip": "10.0.0"}), "ip \"10.0.0\" is not an IP address"),
        (json!({"namespace": "prod", "labels": {"app": 1}}), "proxy: invalid type"),
        (json!({"namespace": "prod", "lables": {"app": "x"}}), "unknown field `lables`"),
        (json!({"namespace": "prod", "metadata": {"": "x"}}), "metadata has an empty key"),
        (
            json!({"workload": "prod/nope"}),
            "no workload prod/nope in the input; the nearest of its 1 workload:\n  prod/ratings-1 (Pod)",
        ),
        (json!({"namespace": "prod", "ip": "10.0.0.1", "ips": ["fd00::1"]}), "give either ip or ips"),
        (json!({"namespace": "prod", "istiodEnv": {" ": "x"}}), "istiodEnv has an empty key"),
    ];
    for (proxy, want) in cases {
        let msg = thrown(api::resolve(s(MESH), obj(proxy.clone()), None));
        assert!(msg.starts_with("sidecarscope: ") && msg.contains(want), "{proxy}: {msg}");
    }
    assert!(thrown(api::listeners(s(MESH), JsValue::UNDEFINED, None)).contains("proxy must be an object"));
    assert!(thrown(api::listeners(s(MESH), s("prod/ratings-1"), None)).contains("proxy must be an object"));
}

#[wasm_bindgen_test]
fn bad_call_throws() {
    let proxy = || obj(json!({"workload": "prod/ratings-1"}));
    let cases: &[(Value, &str)] = &[
        (json!({"port": 80}), "an outbound call needs an address"),
        (json!({"address": "reviews", "port": 80}), "address \"reviews\" is not an IP address"),
        (json!({"address": "1.2.3.4", "port": 70000}), "port 70000 is not a port number"),
        (json!({"address": "1.2.3.4", "port": 80.5}), "port 80.5 is not a port number"),
        (json!({"address": "1.2.3.4"}), "missing field `port`"),
        (json!({"address": "1.2.3.4", "port": 80, "protocol": "UDP"}), "protocol \"UDP\" is not one of"),
        (json!({"address": "1.2.3.4", "port": 80, "tls": "TLS"}), "tls \"TLS\" is not one of"),
        (json!({"address": "1.2.3.4", "port": 80, "direction": "in"}), "direction \"in\""),
        // SNI may come with a plaintext call, as in Istio's simulator; ALPN may not.
        (json!({"address": "1.2.3.4", "port": 80, "tls": "plaintext", "alpn": "h2"}), "alpn needs a TLS call"),
        (json!({"address": "1.2.3.4", "port": 80, "tls": "tls", "meshCert": true}), "meshCert needs an mTLS call"),
        (json!({"address": "1.2.3.4", "port": 80, "protocol": "HTTP", "path": "api"}), "is not a request path"),
        (
            json!({"address": "1.2.3.4", "port": 80, "protocol": "HTTP", "headers": {"x y": "1"}}),
            "is not a header name",
        ),
        (json!({"address": "1.2.3.4", "port": 80, "hots": "a"}), "unknown field `hots`"),
    ];
    for (call, want) in cases {
        let msg = thrown(api::trace(s(MESH), proxy(), obj(call.clone()), None));
        assert!(msg.starts_with("sidecarscope: call") && msg.contains(want), "{call}: {msg}");
    }
    assert!(thrown(api::trace(s(MESH), proxy(), JsValue::NULL, None)).contains("call must be an object"));
    assert!(api::trace(
        s(MESH),
        proxy(),
        obj(json!({"address": "1.2.3.4", "port": 80, "tls": "plaintext", "sni": "a"})),
        None
    )
    .is_ok());
}

/// `options.defaultNamespace` (the CLI's `--default-namespace`) reaches every function, through
/// the core's Workspace options: a Sidecar, Service and Pod without a namespace are in `prod`.
#[wasm_bindgen_test]
fn default_namespace_applies_to_every_function() {
    let text = MESH.replace("  namespace: prod\n", "");
    let prod = || Some(obj(json!({"defaultNamespace": "prod"})));
    let validated = js_json(&api::validate(s(&text), prod()).unwrap());
    assert!(
        validated["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["resource"].is_null() || d["resource"]["namespace"] == "prod"),
        "{validated}"
    );
    let ws = js_json(&api::workloads(s(&text), prod()).unwrap());
    assert_eq!(ws[0]["namespace"], "prod", "{ws}");
    let proxy = || obj(json!({"workload": "prod/ratings-1"}));
    let r = js_json(&api::resolve(s(&text), proxy(), prod()).unwrap());
    assert_eq!(r["sidecar"]["name"], "ratings", "{r}");
    assert!(thrown(api::resolve(s(&text), proxy(), None)).contains("no workload prod/ratings-1 in the input"));
    let set = js_json(&api::listeners(s(&text), proxy(), prod()).unwrap());
    assert!(set["listeners"].as_array().unwrap().iter().any(|l| l["port"] == 9080), "{set}");
    let call = || obj(json!({"address": "10.0.0.40", "port": 9080, "protocol": "HTTP", "host": "reviews"}));
    let t = js_json(&api::trace(s(&text), proxy(), call(), prod()).unwrap());
    assert!(t["listener"].is_string(), "{t}");
    assert!(thrown(api::listeners(s(&text), proxy(), Some(obj(json!({"defaultNamespace": "Bad"})))))
        .contains("options.defaultNamespace \"Bad\": a namespace is a lowercase RFC 1123 label"));
}

/// `options.format` returns the CLI's output in another format, written by the core.
#[wasm_bindgen_test]
fn formats_are_the_cores_writers() {
    let input = sidecarscope::load_text("input.yaml", MESH);
    let text = api::analyze(s(MESH), Some(obj(json!({"format": "text"})))).unwrap().as_string().unwrap();
    let mut diags = sidecarscope::analyze(&input);
    report::sort(&mut diags);
    assert_eq!(text, report::render_human(&input, &diags, false));
    let md = api::validate(s(MESH), Some(obj(json!({"format": "markdown"})))).unwrap().as_string().unwrap();
    assert!(md.starts_with("### Sidecarscope\n\n```yaml\n"), "{md}");
    let sarif = api::analyze(s(MESH), Some(obj(json!({"format": "sarif"})))).unwrap().as_string().unwrap();
    assert!(sarif.contains("\"version\": \"2.1.0\""), "{sarif}");
    let proxy = || obj(json!({"workload": "prod/ratings-1"}));
    let table = api::listeners(s(MESH), proxy(), Some(obj(json!({"format": "table"})))).unwrap().as_string().unwrap();
    assert!(table.starts_with("ADDRESSES"), "{table}");
    let yaml = api::resolve(s(MESH), proxy(), Some(obj(json!({"format": "yaml"})))).unwrap().as_string().unwrap();
    assert!(yaml.contains("\nsidecar:\n  namespace: prod\n  name: ratings\n"), "{yaml}");
    assert!(thrown(api::resolve(s(MESH), proxy(), Some(obj(json!({"format": "table"})))))
        .contains("options.format \"table\" is not one of \"text\", \"yaml\""));
}

/// A dual-stack proxy: `ips` (or `ip`) reach the core's proxy.
#[wasm_bindgen_test]
fn dual_stack_ips() {
    let proxy = obj(json!({"namespace": "prod", "labels": {"app": "ratings"}, "ips": ["10.1.0.9", "fd00::9"]}));
    let r = js_json(&api::resolve(s(MESH), proxy, None).unwrap());
    assert_eq!(r["proxy"]["ip"], "10.1.0.9", "{r}");
    assert_eq!(r["proxy"]["additionalIps"], json!(["fd00::9"]), "{r}");
}

// ---- Editor functions ---------------------------------------------------------------------

/// The UTF-16 offset (JavaScript's string index) of `needle` in `text`, plus `delta` units.
fn js_index(text: &str, needle: &str, delta: u32) -> u32 {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle} not in the text"));
    text[..at].encode_utf16().count() as u32 + delta
}

fn core_ws(text: &str) -> sidecarscope::Workspace {
    sidecarscope::Workspace::new(vec![sidecarscope::SourceFile::new("input.yaml", text)], Default::default())
}

#[wasm_bindgen_test]
fn editor_functions_equal_the_core_at_utf16_offsets() {
    use sidecarscope::ide::json;
    // Inside `prod/*`, after a line with non-BMP characters: a byte offset would be off.
    let at = js_index(MESH, "prod/*", 5);
    let ws = core_ws(MESH);
    let pos = json::position(&ws, 0, at).unwrap();
    assert_eq!(&MESH[pos.offset as usize..pos.offset as usize + 1], "*");
    let position = obj(json!({"offset": at}));

    let got = js_json(&api::complete(s(MESH), position.clone(), None).unwrap());
    assert_eq!(got, rust_json(&json::completions(&ws, pos)));
    let labels: Vec<&str> = got["items"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"prod/reviews.prod.svc.cluster.local"), "{labels:?}");
    assert_eq!(got["range"]["start"]["utf16"], json!(js_index(MESH, "prod/*", 0)));

    let got = js_json(&api::hover(s(MESH), position.clone(), None).unwrap());
    assert_eq!(got, rust_json(&json::hover_at(&ws, pos)));
    assert!(got["markdown"].as_str().unwrap().contains("reviews.prod.svc.cluster.local"), "{got}");

    let got = js_json(&api::definition(s(MESH), position.clone(), None).unwrap());
    assert_eq!(got, rust_json(&json::definitions(&ws, pos)));
    assert_eq!(got[0]["label"], json!("Service prod/reviews (reviews.prod.svc.cluster.local)"));
    assert_eq!(got[0]["range"]["start"]["utf16"], json!(js_index(MESH, "name: reviews", 6)));

    let service = obj(json!({"source": 0, "offset": js_index(MESH, "name: reviews", 8)}));
    let got = js_json(&api::references(s(MESH), service, None).unwrap());
    assert_eq!(got[0]["range"]["start"]["utf16"], json!(js_index(MESH, "\"prod/*\"", 0)), "{got}");

    // Nothing there: `null`, not an exception.
    let top = obj(json!({"offset": 2}));
    assert!(api::hover(s(MESH), top, None).unwrap().is_null());
}

/// A quick fix's edits, applied to the JavaScript string by their UTF-16 offsets, remove its
/// finding.
#[wasm_bindgen_test]
fn code_actions_fix_their_finding() {
    let start = js_index(MESH, "\"reviews\"", 1);
    let range = obj(json!({"start": start, "end": start}));
    let fixes = js_json(&api::code_actions(s(MESH), range, None).unwrap());
    let fix = &fixes[0];
    assert_eq!(fix["diagnostic"]["code"], json!("SC1050"), "{fixes}");
    let mut units: Vec<u16> = MESH.encode_utf16().collect();
    let mut edits = fix["edits"].as_array().unwrap().clone();
    edits.sort_by_key(|e| std::cmp::Reverse(e["range"]["start"]["utf16"].as_u64().unwrap()));
    for e in edits {
        let (a, b) = (e["range"]["start"]["utf16"].as_u64().unwrap(), e["range"]["end"]["utf16"].as_u64().unwrap());
        units.splice(a as usize..b as usize, e["newText"].as_str().unwrap().encode_utf16());
    }
    let fixed = String::from_utf16(&units).unwrap();
    assert!(fixed.contains("\"./reviews.prod.svc.cluster.local\""), "{fixed}");
    let after = js_json(&api::analyze(s(&fixed), None).unwrap());
    assert!(!after["diagnostics"].as_array().unwrap().iter().any(|d| d["code"] == json!("SC1050")), "{after}");
}

#[wasm_bindgen_test]
fn bad_editor_arguments_throw() {
    let msg = thrown(api::complete(s(MESH), obj(json!({"ofset": 1})), None));
    assert!(msg.contains("position: unknown field `ofset`"), "{msg}");
    let msg = thrown(api::hover(s(MESH), obj(json!({"source": 3, "offset": 1})), None));
    assert!(msg.contains("position.source: the input has no file 3"), "{msg}");
    let msg = thrown(api::code_actions(s(MESH), obj(json!({"start": 1})), None));
    assert!(msg.starts_with("sidecarscope: range:"), "{msg}");
    let msg = thrown(api::definition(s(MESH), obj(json!({"offset": 1})), Some(obj(json!({"format": "yaml"})))));
    assert!(msg.contains("options: unknown field `format`"), "{msg}");
}

/// `impact(base, head, options)` on the `examples/impact/2-registry-only` example: the report
/// equals the core's, formats are the core's writers, a side that does not load is data with its
/// side and position, and bad arguments throw.
#[wasm_bindgen_test]
fn impact_equals_the_core_report() {
    const MESH_YAML: &str = include_str!("../../../examples/impact/mesh.yaml");
    const BASE: &str = include_str!("../../../examples/impact/2-registry-only/base/sidecar.yaml");
    const HEAD: &str = include_str!("../../../examples/impact/2-registry-only/head/sidecar.yaml");
    let side =
        |sidecar: &str| json!([{"name": "mesh.yaml", "text": MESH_YAML}, {"name": "sidecar.yaml", "text": sidecar}]);
    let got = js_json(&api::impact(obj(side(BASE)), obj(side(HEAD)), None).unwrap());
    let ws = |sidecar: &str| {
        sidecarscope::Workspace::new(
            vec![
                sidecarscope::SourceFile::new("mesh.yaml", MESH_YAML),
                sidecarscope::SourceFile::new("sidecar.yaml", sidecar),
            ],
            sidecarscope::Options::default(),
        )
    };
    let want = sidecarscope::impact::impact(&ws(BASE), &ws(HEAD), &Default::default()).unwrap();
    assert_eq!(got, rust_json(&want));
    assert_eq!(got["summary"]["broken"], json!(6));
    // One workload, and the other formats.
    let one =
        js_json(&api::impact(obj(side(BASE)), obj(side(HEAD)), Some(obj(json!({"workload": "shop/cart"})))).unwrap());
    assert_eq!(one["summary"]["workloads"], json!(1));
    let text = api::impact(obj(side(BASE)), obj(side(HEAD)), Some(obj(json!({"format": "text"})))).unwrap();
    assert_eq!(text.as_string().unwrap(), sidecarscope::render::impact::text(&want));
    let sarif = api::impact(obj(side(BASE)), obj(side(HEAD)), Some(obj(json!({"format": "sarif"})))).unwrap();
    assert!(sarif.as_string().unwrap().contains("\"ruleId\": \"SC4001\""));
    // A side that does not load: data, with its side and position; nothing compared.
    let bad = js_json(&api::impact(obj(side(BASE)), s("kind: [unclosed\n"), None).unwrap());
    assert_eq!(bad["problems"][0]["side"], "head");
    assert_eq!(bad["problems"][0]["diagnostic"]["code"], "SC0001");
    assert_eq!(bad["workloads"], json!([]));
    // Bad arguments throw.
    assert!(thrown(api::impact(obj(side(BASE)), JsValue::from(3), None)).contains("head: input must be a string"));
    assert!(thrown(api::impact(obj(side(BASE)), obj(side(HEAD)), Some(obj(json!({"workload": "x/y"})))))
        .contains("options.workload"));
    assert!(
        thrown(api::impact(obj(side(BASE)), obj(side(HEAD)), Some(obj(json!({"format": "table"}))))).contains("format")
    );
    assert!(thrown(api::impact(obj(side(BASE)), obj(side(HEAD)), Some(obj(json!({"colour": 1})))))
        .contains("unknown field `colour`"));
    // Observed calls (`options.traffic`, as `suggest` takes them): a call to a host outside the
    // registry, through PassthroughCluster in base, is broken under REGISTRY_ONLY, with the line
    // it was seen at; a malformed line is a problem with its line. As the core says it.
    const CALLS: &str = "istio_tcp_connections_opened_total{source_workload=\"cart\",source_workload_namespace=\"shop\",destination_service=\"api.example.org\",destination_service_name=\"PassthroughCluster\",destination_port=\"8443\"} 2
istio_requests_total{source_workload=\"cart\" 4
";
    let traffic = json!([{"name": "calls.prom", "text": CALLS}]);
    let got = js_json(&api::impact(obj(side(BASE)), obj(side(HEAD)), Some(obj(json!({"traffic": traffic})))).unwrap());
    let evidence = sidecarscope::tighten::evidence::read(&[sidecarscope::tighten::EvidenceFile {
        name: "calls.prom".into(),
        text: CALLS.into(),
    }]);
    let options = sidecarscope::impact::ImpactOptions { traffic: Some(evidence), ..Default::default() };
    let want = sidecarscope::impact::impact(&ws(BASE), &ws(HEAD), &options).unwrap();
    assert_eq!(got, rust_json(&want));
    let flows: Vec<&Value> =
        got["workloads"].as_array().unwrap().iter().flat_map(|w| w["flows"].as_array().unwrap()).collect();
    assert!(
        flows.iter().any(|f| f["call"] == "TCP api.example.org:8443" && f["origin"] == "calls.prom:1"),
        "{flows:?}"
    );
    assert_eq!(got["traffic"]["problems"][0]["line"], json!(2));
    assert!(thrown(api::impact(obj(side(BASE)), obj(side(HEAD)), Some(obj(json!({"traffic": 3})))))
        .contains("options.traffic must be an array"));
}

/// `suggest(input, traffic, options)` on the impact examples' mesh with Prometheus text: the
/// report equals the core's (the CLI's calls), the evidence's malformed line is data with its
/// file and line, the formats are the core's writers, and bad arguments throw.
#[wasm_bindgen_test]
fn suggest_equals_the_core_report() {
    const MESH_YAML: &str = include_str!("../../../examples/impact/mesh.yaml");
    const PROM: &str = "# TYPE istio_requests_total counter
istio_requests_total{source_workload=\"frontend\",source_workload_namespace=\"shop\",destination_service=\"catalog.catalog.svc.cluster.local\"} 7
istio_requests_total{source_workload=\"frontend\",source_workload_namespace=\"shop\",destination_service=\"cart.shop.svc.cluster.local\" 3
istio_tcp_connections_opened_total{source_workload=\"payments\",source_workload_namespace=\"payments\",destination_service=\"ledger.payments.svc.cluster.local\"} 2
";
    let mesh = || obj(json!([{"name": "mesh.yaml", "text": MESH_YAML}]));
    let traffic = || obj(json!([{"name": "m.prom", "text": PROM}]));
    let got = js_json(&api::suggest(mesh(), traffic(), None).unwrap());
    let ws = sidecarscope::Workspace::new(
        vec![sidecarscope::SourceFile::new("mesh.yaml", MESH_YAML)],
        sidecarscope::Options { retain_documents: false, report_empty_input: true, ..Default::default() },
    );
    use sidecarscope::tighten;
    let evidence = tighten::evidence::read(&[tighten::EvidenceFile { name: "m.prom".into(), text: PROM.into() }]);
    let want = tighten::suggest(&ws, &evidence, &Default::default()).unwrap();
    assert_eq!(got, rust_json(&want));
    assert_eq!(got["per"], json!("namespace"));
    assert!(got["yaml"].as_str().unwrap().contains("- \"catalog/catalog.catalog.svc.cluster.local\""), "{got}");
    assert_eq!(got["problems"][0]["code"], json!("SC0020"));
    assert_eq!((got["problems"][0]["file"].clone(), got["problems"][0]["line"].clone()), (json!("m.prom"), json!(3)));
    assert_eq!(got["evidence"][0]["format"], json!("prometheus-text"));
    // Per workload, one workload; the other formats.
    let one = js_json(
        &api::suggest(mesh(), traffic(), Some(obj(json!({"per": "workload", "workload": "shop/frontend"})))).unwrap(),
    );
    let sug = &one["suggestions"][0];
    assert_eq!(
        (sug["namespace"].clone(), sug["workloads"].clone()),
        (json!("shop"), json!(["shop/frontend"])),
        "{one}"
    );
    assert!(sug["workloadSelector"].is_object(), "{one}");
    let yaml = api::suggest(mesh(), traffic(), Some(obj(json!({"format": "yaml"})))).unwrap();
    assert_eq!(yaml.as_string().unwrap(), tighten::render_text(&want));
    let md = api::suggest(mesh(), traffic(), Some(obj(json!({"format": "markdown"})))).unwrap();
    assert_eq!(md.as_string().unwrap(), tighten::render_markdown(&want));
    // No traffic, and an empty evidence file (SC0021): data, no suggestion.
    let none = js_json(&api::suggest(mesh(), JsValue::UNDEFINED, None).unwrap());
    assert_eq!(none["suggestions"], json!([]));
    let empty = js_json(&api::suggest(mesh(), obj(json!([{"name": "e.json", "text": ""}])), None).unwrap());
    assert_eq!(empty["problems"][0]["code"], json!("SC0021"));
    // Bad arguments, and a mesh that does not load, throw.
    assert!(thrown(api::suggest(mesh(), JsValue::from(3), None)).contains("traffic must be an array"));
    assert!(thrown(api::suggest(mesh(), obj(json!([{"name": "x"}])), None)).contains("traffic[0]"));
    assert!(thrown(api::suggest(mesh(), traffic(), Some(obj(json!({"per": "pod"}))))).contains("options.per"));
    assert!(thrown(api::suggest(mesh(), traffic(), Some(obj(json!({"workload": "x/y"}))))).contains("x/y"));
    assert!(thrown(api::suggest(mesh(), traffic(), Some(obj(json!({"format": "sarif"}))))).contains("format"));
    assert!(thrown(api::suggest(s("kind: [unclosed\n"), traffic(), None)).contains("does not load cleanly"));
}
