//! The workspace's caching and requests.

use super::*;

const SIDECAR: &str = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: s\n  namespace: ns\nspec:\n  egress:\n  - hosts: [\"./*\"]\n";
const SERVICE: &str =
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: reviews\n  namespace: ns\nspec:\n  ports:\n  - port: 9080\n";
const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\n  namespace: ns\n  labels: {app: a}\nstatus:\n  podIP: 10.0.0.7\n";

fn mesh(sidecar: &str) -> String {
    format!("{sidecar}---\n{SERVICE}---\n{POD}")
}

/// An edit parses again only the documents whose text changed, and the result is exactly that
/// of a fresh load (ranges of the documents after the edit moved with it).
#[test]
fn an_edit_reparses_only_the_changed_document() {
    let mut ws = Workspace::new(vec![SourceFile::new("a.yaml", mesh(SIDECAR))], Options::default());
    ws.input();
    assert_eq!(ws.documents_parsed(), 3);
    // The first document grows: the two after it move but are not parsed again.
    let edited = mesh(&SIDECAR.replace("[\"./*\"]", "[\"./*\", \"istio-system/*\", reviews]"));
    ws.set_text(0, "a.yaml", edited.clone());
    let findings = ws.analyze();
    assert_eq!(ws.documents_parsed(), 4, "only the edited document is parsed again");
    let fresh = Workspace::new(vec![SourceFile::new("a.yaml", edited)], Options::default());
    let expected = fresh.analyze();
    assert_eq!(format!("{:?}", findings.diagnostics), format!("{:?}", expected.diagnostics));
    assert_eq!(format!("{:?}", ws.input().resources), format!("{:?}", fresh.input().resources));
    assert!(findings.diagnostics.iter().any(|d| d.code.id() == "SC1050"), "{:?}", findings.diagnostics);
    // Nothing changed: nothing is parsed.
    let text = ws.sources()[0].text.clone();
    ws.set_text(0, "a.yaml", text);
    ws.input();
    assert_eq!(ws.documents_parsed(), 4);
}

/// A one-shot workspace keeps no documents: every load parses them all.
#[test]
fn a_workspace_without_retained_documents_parses_again() {
    let options = Options { retain_documents: false, ..Options::default() };
    let mut ws = Workspace::new(vec![SourceFile::new("a.yaml", mesh(SIDECAR))], options);
    ws.input();
    ws.set_text(0, "a.yaml", mesh(SIDECAR));
    ws.input();
    assert_eq!(ws.documents_parsed(), 6);
}

/// Documents that expand aliases of scalars are kept with what they took from the input's
/// budget (a kept document answers as a new parse would); a document with an anchored collection
/// (shared with its aliases) is parsed again on every load.
#[test]
fn kept_documents_charge_the_alias_budget() {
    let scalars = "a: &x 1\nb: *x\nc: *x\n";
    let collections = "a: &y [1, 2, 3]\nb: *y\n";
    let text = format!("{scalars}---\n{collections}---\n{SIDECAR}");
    let mut ws = Workspace::new(vec![SourceFile::new("a.yaml", text.clone())], Options::default());
    let before = format!("{:?}", ws.validate().diagnostics);
    assert_eq!(ws.documents_parsed(), 3);
    ws.set_text(0, "a.yaml", format!("{text}---\n{SERVICE}"));
    ws.input();
    assert_eq!(ws.documents_parsed(), 5, "the anchored collection's document and the new one");
    ws.set_text(0, "a.yaml", text.clone());
    assert_eq!(format!("{:?}", ws.validate().diagnostics), before);
    let fresh = Workspace::new(vec![SourceFile::new("a.yaml", text)], Options::default());
    assert_eq!(format!("{:?}", ws.input().resources), format!("{:?}", fresh.input().resources));
}

/// Analysis sorts, then applies suppressions; validation applies none.
#[test]
fn analysis_applies_suppressions_after_sorting() {
    let bad = SIDECAR.replace("[\"./*\"]", "[reviews]");
    let rules = vec![Rule::parse("SC1050=Sidecar ns/s").unwrap().0];
    let ws =
        Workspace::new(vec![SourceFile::new("a.yaml", mesh(&bad))], Options { suppress: rules, ..Options::default() });
    let analysis = ws.analyze();
    assert!(analysis.diagnostics.iter().all(|d| d.code.id() != "SC1050"));
    assert_eq!(analysis.suppressed.len(), 1);
    let mut sorted = analysis.diagnostics.clone();
    crate::report::sort(&mut sorted);
    assert_eq!(format!("{sorted:?}"), format!("{:?}", analysis.diagnostics));
    let validation = ws.validate();
    assert!(validation.diagnostics.iter().any(|d| d.code.id() == "SC1050"));
    assert!(validation.suppressed.is_empty());
}

/// The default namespace reaches every request: resolution of a proxy in it finds the Sidecar.
#[test]
fn the_default_namespace_applies_to_every_request() {
    let text = mesh(SIDECAR).replace("  namespace: ns\n", "");
    let options = Options { default_namespace: "prod".into(), ..Options::default() };
    let ws = Workspace::new(vec![SourceFile::new("a.yaml", text)], options);
    let spec = ProxySpec { workload: Some("prod/app".into()), ..ProxySpec::default() };
    let r = ws.resolve(&spec).unwrap();
    assert_eq!(r.sidecar.as_ref().map(|s| s.namespace.as_str()), Some("prod"));
    assert_eq!(r.workload.as_ref().map(|w| w.name.as_str()), Some("app"));
    let set = ws.listeners(&spec).unwrap();
    assert!(set.listeners.iter().any(|l| l.port == 9080), "the imported service's listener");
    let call = CallSpec { address: Some("10.0.0.1".into()), port: 9080.0, ..CallSpec::default() };
    let t = ws.trace(&spec, &call.to_call(Spelling::Fields).unwrap()).unwrap();
    assert!(format!("{t:?}").contains("9080"));
    let unknown = ProxySpec { workload: Some("ns/app".into()), ..ProxySpec::default() };
    let e = ws.resolve(&unknown).unwrap_err();
    assert!(e.starts_with("no workload ns/app in the input; the nearest of its 1 workload:\n  prod/app (Pod)"), "{e}");
}

/// One set of error texts, spelt as each front end names its options.
#[test]
fn spec_errors_name_the_option_as_the_front_end_does() {
    let ip = ProxySpec { namespace: Some("ns".into()), ips: vec!["10.0.0".into()], ..ProxySpec::default() };
    assert_eq!(ip.check(Spelling::Flags).unwrap_err(), "--ip \"10.0.0\" is not an IP address");
    assert_eq!(ip.check(Spelling::Fields).unwrap_err(), "ip \"10.0.0\" is not an IP address");
    let none = ProxySpec::default();
    assert!(none.check(Spelling::Flags).unwrap_err().contains("--workload NS/NAME"));
    let call = CallSpec { address: Some("1.2.3.4".into()), port: 80.0, alpn: Some("h2".into()), ..CallSpec::default() };
    assert!(call.to_call(Spelling::Flags).unwrap_err().starts_with("--alpn needs a TLS call (--tls tls or mtls)"));
    assert!(call.to_call(Spelling::Fields).unwrap_err().starts_with("alpn needs a TLS call (tls: \"tls\""));
    let header =
        CallSpec { address: Some("1.2.3.4".into()), port: 80.0, headers: vec!["x".into()], ..CallSpec::default() };
    assert_eq!(header.to_call(Spelling::Flags).unwrap_err(), "--header \"x\" is not NAME=VALUE (e.g. x-user=alice)");
    assert_eq!(header.to_call(Spelling::Fields).unwrap_err(), "header \"x\" is not NAME=VALUE (e.g. x-user=alice)");
    assert_eq!(
        check_namespace("Bad").unwrap_err(),
        "\"Bad\": a namespace is a lowercase RFC 1123 label (a-z, 0-9 and '-', at most 63 characters)"
    );
}

/// The trace call's defaults: outbound, TCP, plaintext; TLS for protocol TLS or an SNI.
#[test]
fn call_defaults() {
    use crate::trace::{CallDirection, CallProtocol, CallTls};
    let base = CallSpec { address: Some("1.2.3.4".into()), port: 443.0, ..CallSpec::default() };
    let c = base.to_call(Spelling::Fields).unwrap();
    assert_eq!((c.direction, c.protocol, c.tls), (CallDirection::Outbound, CallProtocol::Tcp, CallTls::Plaintext));
    let sni = CallSpec { sni: Some("a.example.com".into()), ..base.clone() };
    assert_eq!(sni.to_call(Spelling::Fields).unwrap().tls, CallTls::Tls);
    let tls = CallSpec { protocol: Some("tls".into()), ..base.clone() };
    assert_eq!(tls.to_call(Spelling::Fields).unwrap().tls, CallTls::Tls);
    let json: CallSpec =
        serde_json::from_str(r#"{"port": 80, "address": "1.2.3.4", "headers": {"x-b": "2", "x-a": "1"}}"#).unwrap();
    assert_eq!(json.headers, vec!["x-a=1".to_string(), "x-b=2".to_string()]);
    assert!(serde_json::from_str::<CallSpec>(r#"{"port": 80, "adress": "1.2.3.4"}"#).is_err());
    let p: ProxySpec = serde_json::from_str(r#"{"namespace": "ns", "ips": ["10.0.0.1", "fd00::1"]}"#).unwrap();
    assert_eq!(p.ips.len(), 2);
    let one: ProxySpec = serde_json::from_str(r#"{"namespace": "ns", "ips": "10.0.0.1"}"#).unwrap();
    assert_eq!(one.ips, vec!["10.0.0.1".to_string()]);
}

/// The documents a workspace parsed serve the next one (a page that makes one per edit).
#[test]
fn the_document_cache_moves_to_the_next_workspace() {
    let first = Workspace::new(vec![SourceFile::new("a.yaml", mesh(SIDECAR))], Options::default());
    first.input();
    let cache = first.into_document_cache();
    let edited = mesh(&SIDECAR.replace("name: s", "name: t"));
    let second = Workspace::with_document_cache(vec![SourceFile::new("a.yaml", edited)], Options::default(), cache);
    assert_eq!(second.input().resources[0].name, "t");
    assert_eq!(second.documents_parsed(), 4, "three parsed by the first, one by the second");
}

/// A dual-stack proxy's IPs (istiod's `Proxy.IPAddresses`): the IPv4 wildcard whatever the
/// primary IP (an IPv6-only proxy gets `::`), and the first global unicast address as the
/// inbound bind of a proxy without interception.
#[test]
fn dual_stack_proxies_bind_ipv4_wildcards_and_the_first_unicast_ip() {
    let sidecar = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: s\n  namespace: ns\nspec:\n  ingress:\n  - port: {number: 8080, protocol: HTTP, name: http}\n    defaultEndpoint: 127.0.0.1:8080\n  egress:\n  - hosts: [\"./*\"]\n";
    let ws = Workspace::new(vec![SourceFile::new("a.yaml", mesh(sidecar))], Options::default());
    let listeners = |ips: &[&str], none: bool| {
        let mut spec = ProxySpec {
            namespace: Some("ns".into()),
            ips: ips.iter().map(|ip| ip.to_string()).collect(),
            ..ProxySpec::default()
        };
        if none {
            spec.metadata.insert("INTERCEPTION_MODE".into(), "NONE".into());
        }
        ws.listeners(&spec).unwrap()
    };
    let address = |set: &ListenerSet, name: &str| {
        set.listeners.iter().find(|l| l.name == name).map(|l| l.address.clone()).unwrap_or_default()
    };
    let v6 = listeners(&["fd00::7"], false);
    assert_eq!((address(&v6, "virtualOutbound"), address(&v6, "virtualInbound")), ("::".into(), "::".into()));
    let dual = listeners(&["fd00::7", "10.0.0.7"], false);
    assert_eq!(address(&dual, "virtualOutbound"), "0.0.0.0");
    assert_eq!(address(&dual, "virtualInbound"), "0.0.0.0");
    assert!(dual.notes.iter().any(|n| n.starts_with("dual-stack proxy (fd00::7, 10.0.0.7)")), "{:?}", dual.notes);
    assert!(listeners(&["10.0.0.7"], false).notes.iter().all(|n| !n.starts_with("dual-stack")));
    let bound = |ips: &[&str]| {
        listeners(ips, true).listeners.iter().find(|l| l.port == 8080).map(|l| l.address.clone()).unwrap_or_default()
    };
    assert_eq!(bound(&["fd00::7", "10.0.0.7"]), "fd00::7", "the first global unicast IP");
    assert_eq!(bound(&["10.0.0.7", "fd00::7"]), "10.0.0.7");
    assert_eq!(bound(&["127.0.0.7", "fd00::7"]), "fd00::7", "a loopback address is not global unicast");
}

/// Edits in a row, through `set_text`, through partial loads abandoned by an edit, and through
/// workspaces handing their documents on (`into_document_cache`): every
/// load reads exactly what a fresh load of the same text reads, and a document is parsed again
/// only when no earlier load left its tree (the loaded trees move between loads, no copy).
#[test]
fn loads_after_any_edits_equal_fresh_loads() {
    const LIST: &str = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: listed, namespace: ns}\n";
    const VALUES: &str = "replicaCount: 2\nimage: {tag: v1}\n";
    const BROKEN: &str = "apiVersion: v1\nkind: Service\nmetadata: {name: [\n";
    const NO_KIND: &str = "apiVersion: v1\nkind: \"\"\nmetadata: {name: x}\n";
    let sidecar_b = SIDECAR.replace("name: s", "name: b");
    let parts: Vec<&str> = vec![SIDECAR, SERVICE, POD, LIST, VALUES, BROKEN, NO_KIND, &sidecar_b, SERVICE];
    // A small deterministic generator (xorshift): which parts, in which order.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut texts = Vec::new();
    for _ in 0..60 {
        let count = 1 + next(7);
        let docs: Vec<&str> = (0..count).map(|_| parts[next(parts.len())]).collect();
        let mut text = docs.join("---\n");
        if next(4) == 0 {
            text.insert_str(0, "# a comment that moves every document\n");
        }
        texts.push(text);
    }
    let fresh = |text: &str| {
        let ws = Workspace::new(vec![SourceFile::new("m.yaml", text)], Options::default());
        let input = ws.input();
        (format!("{:?}", input.resources), format!("{:?}", input.diagnostics))
    };
    let read = |ws: &Workspace| {
        let input = ws.input();
        (format!("{:?}", input.resources), format!("{:?}", input.diagnostics))
    };
    // One workspace, edited in place; a partial load is abandoned every third edit.
    let mut ws = Workspace::new(vec![SourceFile::new("m.yaml", texts[0].clone())], Options::default());
    for (i, text) in texts.iter().enumerate() {
        if i % 3 == 1 {
            let mut steps = 0;
            ws.step_loading(&mut || {
                steps += 1;
                steps < 2
            });
        }
        ws.set_text(0, "m.yaml", text.clone());
        assert_eq!(read(&ws), fresh(text), "edit {i}: {text}");
    }
    // A workspace per edit, each handing its documents to the next.
    let mut cache = DocumentCache::new(true);
    for (i, text) in texts.iter().enumerate() {
        let ws =
            Workspace::with_document_cache(vec![SourceFile::new("m.yaml", text.clone())], Options::default(), cache);
        assert_eq!(read(&ws), fresh(text), "workspace {i}: {text}");
        cache = ws.into_document_cache();
    }
    assert!(
        cache.parsed() < texts.iter().map(|t| t.matches("---").count() + 1).sum::<usize>(),
        "documents were reused"
    );
}

/// The trees of unchanged documents move from one load to the next: after the first load, an
/// edit of one document parses that one only, through any number of edits and workspaces.
#[test]
fn unchanged_documents_are_never_parsed_again() {
    let mut text = mesh(SIDECAR);
    let mut ws = Workspace::new(vec![SourceFile::new("a.yaml", text.clone())], Options::default());
    ws.input();
    assert_eq!(ws.documents_parsed(), 3);
    for i in 0..5 {
        text = text.replace(
            &format!("name: s{}", if i == 0 { String::new() } else { (i - 1).to_string() }),
            &format!("name: s{i}"),
        );
        ws.set_text(0, "a.yaml", text.clone());
        ws.input();
        assert_eq!(ws.documents_parsed(), 4 + i, "edit {i}");
    }
    let cache = ws.into_document_cache();
    // A document inserted after the first: it is parsed, the two after it move down without a
    // parse (each document's text starts at its `---`).
    let second = text.find("---\n").unwrap();
    let inserted = format!("{}---\n{}{}", &text[..second], SERVICE.replace("reviews", "ratings"), &text[second..]);
    let next = Workspace::with_document_cache(vec![SourceFile::new("a.yaml", inserted)], Options::default(), cache);
    assert_eq!(next.input().resources.len(), 4);
    assert_eq!(next.documents_parsed(), 9, "moved documents are not parsed");
}
