use super::*;
use crate::diagnostic::Code;
use crate::source::SourceFile;
use crate::workspace::Options;

pub(crate) const MESH: &str = r#"apiVersion: v1
kind: Namespace
metadata: {name: bookinfo}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: bookinfo}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
apiVersion: v1
kind: Service
metadata: {name: details, namespace: bookinfo}
spec:
  selector: {app: details}
  ports: [{name: http-details, port: 9081}]
---
apiVersion: v1
kind: Service
metadata:
  name: payments
  namespace: billing
  annotations: {networking.istio.io/exportTo: "."}
spec:
  selector: {app: payments}
  ports: [{name: grpc, port: 7000}]
---
apiVersion: v1
kind: Service
metadata: {name: ledger, namespace: billing}
spec:
  selector: {app: ledger}
  ports: [{name: http, port: 8000}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: productpage, namespace: bookinfo}
spec:
  selector: {matchLabels: {app: productpage}}
  template:
    metadata: {labels: {app: productpage, version: v1}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v1, namespace: bookinfo}
spec:
  selector: {matchLabels: {app: reviews}}
  template:
    metadata: {labels: {app: reviews, version: v1}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: example, namespace: istio-system}
spec:
  hosts: [api.example.com]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: bookinfo}
spec:
  hosts: [reviews.bookinfo.svc.cluster.local]
  http:
  - route:
    - destination: {host: reviews.bookinfo.svc.cluster.local}
"#;

pub(crate) const SIDECAR_YAML: &str = r#"apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: productpage
  namespace: bookinfo
spec:
  workloadSelector:
    labels:
      app: productpage
  egress:
  - hosts:
    - "./reviews.bookinfo.svc.cluster.local"
    - "istio-system/*"
  outboundTrafficPolicy:
    mode: REGISTRY_ONLY
"#;

fn workspace(sidecar: &str) -> Workspace {
    Workspace::new(
        vec![SourceFile::new("mesh.yaml", MESH), SourceFile::new("sidecar.yaml", sidecar)],
        Options::default(),
    )
}

fn pos(text: &str, needle: &str, delta: usize) -> FilePosition {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle} not in text")) + delta;
    FilePosition { source: SourceId(1), offset: at as u32 }
}

fn labels(ws: &Workspace, text_with_bar: &str) -> Vec<String> {
    let _ = ws;
    let offset = text_with_bar.find('|').unwrap() as u32;
    let text = text_with_bar.replacen('|', "", 1);
    let ws = workspace(&text);
    complete(&ws, FilePosition { source: SourceId(1), offset }).items.into_iter().map(|i| i.label).collect()
}

fn at(text_with_bar: &str) -> Vec<String> {
    labels(&workspace(""), text_with_bar)
}

#[test]
fn completes_fields_from_the_schema_with_docs() {
    let head = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: x\n  namespace: bookinfo\n";
    assert_eq!(at("|"), ["apiVersion", "kind", "metadata", "spec"]);
    let spec = at(&format!("{head}spec:\n  |"));
    assert_eq!(spec, ["workloadSelector", "ingress", "egress", "inboundConnectionPool", "outboundTrafficPolicy"]);
    let ws = workspace(&format!("{head}spec:\n  eg"));
    let c = complete(&ws, FilePosition { source: SourceId(1), offset: (head.len() + 10) as u32 });
    assert_eq!(c.items.len(), 1);
    assert_eq!(c.items[0].insert, "egress: ");
    assert!(c.items[0].detail.starts_with("Listeners for outbound traffic"), "{}", c.items[0].detail);
    assert!(
        c.items[0]
            .documentation
            .ends_with("(https://istio.io/latest/docs/reference/config/networking/sidecar/#Sidecar-egress)"),
        "{}",
        c.items[0].documentation
    );
    assert_eq!(at(&format!("{head}spec:\n  egress:\n  - |")), ["port", "bind", "captureMode", "hosts"]);
    // Over a key with its colon: the name only.
    let text = format!("{head}spec:\n  egres: []\n");
    let ws = workspace(&text);
    let c = complete(&ws, FilePosition { source: SourceId(1), offset: text.find("egres").unwrap() as u32 + 2 });
    assert_eq!((c.items[0].insert.as_str(), &text[c.range.start as usize..c.range.end as usize]), ("egress", "egres"));
    // Fields already written are not offered again.
    assert_eq!(
        at(&format!("{head}spec:\n  egress: []\n  |\n  workloadSelector: {{}}\n")),
        ["ingress", "inboundConnectionPool", "outboundTrafficPolicy"]
    );
    assert_eq!(at(&format!("{head}spec:\n  egress:\n  - hosts: []\n    |")), ["port", "bind", "captureMode"]);
    assert_eq!(at(&format!("{head}spec:\n  outboundTrafficPolicy:\n    mode: |")), ["REGISTRY_ONLY", "ALLOW_ANY"]);
    assert_eq!(at(&format!("{head}spec:\n  egress:\n  - captureMode: I|")), ["IPTABLES"]);
    assert_eq!(at("kind: |"), ["Sidecar"]);
}

#[test]
fn completes_hosts_the_namespace_can_see() {
    let head = "kind: Sidecar\nmetadata:\n  name: x\n  namespace: bookinfo\nspec:\n  egress:\n  - hosts:\n    - ";
    let ns = at(&format!("{head}|"));
    for want in ["./", "*/", "~/", "./*", "*/*", "bookinfo/", "billing/", "istio-system/"] {
        assert!(ns.contains(&want.to_string()), "{want} missing from {ns:?}");
    }
    assert_eq!(
        at(&format!("{head}\"bookinfo/|")),
        [
            "bookinfo/",
            "bookinfo/*",
            "bookinfo/details.bookinfo.svc.cluster.local",
            "bookinfo/reviews.bookinfo.svc.cluster.local"
        ]
    );
    // payments is exported to billing only.
    assert_eq!(at(&format!("{head}billing/|")), ["billing/", "billing/*", "billing/ledger.billing.svc.cluster.local"]);
    let all = at(&format!("{head}*/|"));
    assert!(all.contains(&"*/api.example.com".to_string()) && !all.iter().any(|h| h.contains("payments")), "{all:?}");
    assert!(at(&format!("{head}./|")).contains(&"./reviews.bookinfo.svc.cluster.local".to_string()));
    // From billing, payments is visible.
    let billing = head.replace("namespace: bookinfo", "namespace: billing");
    assert!(at(&format!("{billing}billing/p|")).contains(&"billing/payments.billing.svc.cluster.local".to_string()));
}

#[test]
fn completes_labels_ports_and_protocols_from_the_mesh() {
    let head = "kind: Sidecar\nmetadata:\n  name: x\n  namespace: bookinfo\nspec:\n";
    assert_eq!(at(&format!("{head}  workloadSelector:\n    labels:\n      |")), ["app", "version"]);
    assert_eq!(at(&format!("{head}  workloadSelector:\n    labels:\n      app: |")), ["productpage", "reviews"]);
    assert_eq!(at(&format!("{head}  egress:\n  - port:\n      number: |")), ["443", "8000", "9080", "9081"]);
    assert_eq!(at(&format!("{head}  ingress:\n  - port: {{number: 9080, name: h|")), ["http", "http-details"]);
    assert!(at(&format!("{head}  egress:\n  - port:\n      protocol: |")).contains(&"HTTP".to_string()));
}

#[test]
fn completes_in_half_typed_documents() {
    // An unterminated quote and a key without a value: the document does not parse.
    let text = "kind: Sidecar\nmetadata:\n  namespace: bookinfo\nspec:\n  egress:\n  - hosts:\n    - \"bookinfo/rev|\n  outboundTrafficPolicy:\n    mode:";
    assert_eq!(at(text), ["bookinfo/reviews.bookinfo.svc.cluster.local"]);
    let ws = workspace(&text.replace('|', ""));
    assert!(ws.input().resources.iter().all(|r| r.source != SourceId(1)), "the document should not load");
    let text = "kind: Sidecar\nspec:\n  outboundTrafficPolicy: {mode: ALL|";
    assert_eq!(at(text), ["ALLOW_ANY"]);
    // `*/` starts a YAML alias: the document does not load, and its namespace is read from the
    // lines, flow style too.
    let text = "kind: Sidecar\nmetadata: {name: s, namespace: billing}\nspec:\n  egress:\n  - hosts:\n    - */p|";
    assert_eq!(at(text), ["*/payments.billing.svc.cluster.local"]);
}

#[test]
fn hover_documents_fields_and_tells_mesh_facts() {
    let ws = workspace(SIDECAR_YAML);
    let h = hover(&ws, pos(SIDECAR_YAML, "egress:", 2)).unwrap();
    assert!(h.markdown.contains("**egress**"), "{}", h.markdown);
    assert!(h.markdown.contains("https://istio.io/latest/docs/reference/config/networking/sidecar/#Sidecar-egress"));
    let h = hover(&ws, pos(SIDECAR_YAML, "./reviews", 3)).unwrap();
    assert!(h.markdown.contains("imports 1 service"), "{}", h.markdown);
    assert!(h.markdown.contains("reviews.bookinfo.svc.cluster.local (bookinfo, ports 9080)"), "{}", h.markdown);
    assert!(h.markdown.contains("VirtualService"), "{}", h.markdown);
    assert!(h.markdown.contains("Service bookinfo/reviews"), "{}", h.markdown);
    let h = hover(&ws, pos(SIDECAR_YAML, "istio-system/*", 1)).unwrap();
    assert!(h.markdown.contains("api.example.com"), "{}", h.markdown);
    let h = hover(&ws, pos(SIDECAR_YAML, "name: productpage", 8)).unwrap();
    assert!(h.markdown.contains("governs 1 workload"), "{}", h.markdown);
    assert!(h.markdown.contains("Deployment bookinfo/productpage"), "{}", h.markdown);
    assert!(h.markdown.contains("Effective outbound policy: `REGISTRY_ONLY` (set here)"), "{}", h.markdown);
    // A default: the mesh's policy.
    let no_policy = SIDECAR_YAML.split("  outboundTrafficPolicy").next().unwrap();
    let ws2 = workspace(no_policy);
    let h = hover(&ws2, pos(no_policy, "name: productpage", 8)).unwrap();
    assert!(h.markdown.contains("Effective outbound policy: `ALLOW_ANY` (the Sidecar sets none"), "{}", h.markdown);
    // On a Service: the Sidecars that import it.
    let mesh = FilePosition { source: SourceId(0), offset: MESH.find("name: reviews").unwrap() as u32 + 7 };
    let h = hover(&ws, mesh).unwrap();
    assert!(h.markdown.contains("Sidecar bookinfo/productpage"), "{}", h.markdown);
    // The resource's own fields, and a namespace left to its default.
    let h = hover(&ws, pos(SIDECAR_YAML, "apiVersion", 1)).unwrap();
    assert!(h.markdown.starts_with("**apiVersion**"), "{}", h.markdown);
    let unqualified = SIDECAR_YAML.replace("  namespace: bookinfo\n", "");
    let ws3 = workspace(&unqualified);
    let h = hover(&ws3, pos(&unqualified, "name: productpage", 8)).unwrap();
    assert!(h.markdown.starts_with("Namespace `default`: not written"), "{}", h.markdown);
    // An enum value.
    let h = hover(&ws, pos(SIDECAR_YAML, "REGISTRY_ONLY", 2)).unwrap();
    assert!(h.markdown.contains("Values: `REGISTRY_ONLY`"), "{}", h.markdown);
}

#[test]
fn definitions_and_references() {
    let ws = workspace(SIDECAR_YAML);
    let targets = definition(&ws, pos(SIDECAR_YAML, "./reviews", 3));
    let labels: Vec<&str> = targets.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(
        labels,
        ["Service bookinfo/reviews (reviews.bookinfo.svc.cluster.local)", "VirtualService bookinfo/reviews"]
    );
    assert_eq!(targets[0].source, SourceId(0));
    let reviews = MESH.find("{name: reviews, namespace: bookinfo}").unwrap() as u32 + 7;
    assert_eq!(targets[0].range, TextRange::new(reviews, reviews + 7));
    let workloads = definition(&ws, pos(SIDECAR_YAML, "name: productpage", 8));
    assert_eq!(workloads.iter().map(|t| t.label.as_str()).collect::<Vec<_>>(), ["Deployment bookinfo/productpage"]);
    let refs = references(&ws, FilePosition { source: SourceId(0), offset: reviews + 2 });
    assert_eq!(refs.len(), 1);
    assert_eq!(refs[0].source, SourceId(1));
    let entry = SIDECAR_YAML.find("\"./reviews").unwrap() as u32;
    assert_eq!(refs[0].range.start, entry);
    assert!(definition(&ws, pos(SIDECAR_YAML, "apiVersion", 1)).is_empty());
    assert!(references(&ws, pos(SIDECAR_YAML, "apiVersion", 1)).is_empty());
}

/// Applies edits (not overlapping) to a text.
pub(crate) fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut edits: Vec<&TextEdit> = edits.iter().collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    let mut out = text.to_string();
    for e in edits {
        out.replace_range(e.range.start as usize..e.range.end as usize, &e.new_text);
    }
    out
}

/// Sidecars with a finding each quick fix is for.
const BROKEN: &str = r#"apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: typos, namespace: bookinfo}
spec:
  workloadSelector:
    labels: {app: reviews}
  egres:
  - hosts: ["./*"]
  outboundTrafficPolicy:
    mode: registry_only
  ingress:
  - port: {number: 9080, protocol: HTTP, name: http}
    default_endpoint: 127.0.0.1:9080
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: hosts, namespace: bookinfo}
spec:
  egress:
  - hosts:
    - reviews
    - "bookinfo/details"
    - "bookinfo/details.bookinfo"
    - "bookinfo/ledger.billing.svc.cluster.local"
    - "./*"
    - "./reviews.bookinfo.svc.cluster.local"
    - api.example.com
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: merge, namespace: billing}
spec:
  egress:
  - hosts: ["./*"]
  - port: {number: 9080, protocol: HTTP, name: http}
    hosts: ["bookinfo/*"]
  - hosts:
    - "istio-system/*"
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: frontend, namespace: frontend}
spec:
  egress:
  - hosts: ["./*"]
  outboundTrafficPolicy: {mode: REGISTRY_ONLY}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: frontend}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ledger, namespace: frontend}
spec:
  host: ledger.billing.svc.cluster.local
"#;

#[test]
fn every_quick_fix_removes_its_finding() {
    let ws = workspace(BROKEN);
    let findings = ws.analyze().diagnostics;
    let count =
        |ds: &[crate::Diagnostic], code: Code| ds.iter().filter(|d| d.code == code && d.source == SourceId(1)).count();
    let mut fixed: Vec<Code> = Vec::new();
    for d in findings.iter().filter(|d| d.source == SourceId(1)) {
        for action in fixes::fixes(&ws, d) {
            let text = apply(BROKEN, &action.edits);
            let after = workspace(&text).analyze().diagnostics;
            assert!(
                count(&after, d.code) < count(&findings, d.code),
                "{} ({}) still there after `{}`:\n{text}",
                d.code.id(),
                d.message,
                action.title
            );
            // The fixed text does not break the document either.
            assert!(!after.iter().any(|a| a.code == Code::YamlSyntax), "{text}");
            fixed.push(d.code);
        }
    }
    for code in [
        Code::UnknownField,
        Code::UnknownEnumValue,
        Code::ProtoFieldName,
        Code::EgressHostFormat,
        Code::EgressHostImportsNothing,
        Code::EgressHostNamespaceMismatch,
        Code::DuplicateEgressHost,
        Code::CatchAllNotLast,
        Code::RegistryOnlyCallNotImported,
    ] {
        assert!(fixed.contains(&code), "no fix for {} in {:?}", code.id(), findings);
    }
}

#[test]
fn code_actions_answer_for_a_range() {
    let ws = workspace(BROKEN);
    let at = BROKEN.find("egres:").unwrap() as u32;
    let actions = code_actions(&ws, SourceId(1), TextRange::new(at, at + 2));
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].title, "Rename `egres` to `egress`");
    assert_eq!(actions[0].code, "SC0104");
    assert_eq!(actions[0].edits[0].range, TextRange::new(at, at + 5));
}

#[test]
fn every_schema_field_has_documentation_and_a_link() {
    fn walk(schema: &'static Schema, seen: &mut Vec<String>) {
        match schema {
            Schema::Object(msg) => {
                for f in msg.fields {
                    let key = format!("{}.{}", docs::message_name(msg), f.json);
                    if seen.contains(&key) {
                        continue;
                    }
                    let doc = docs::field_doc(msg, f).unwrap_or_else(|| panic!("no documentation for {key}"));
                    assert!(!doc.summary.is_empty());
                    assert!(docs::reference_url(msg, f).contains(&format!(
                        "#{}-{}",
                        docs::message_name(msg).replace('.', "-"),
                        f.proto
                    )));
                    seen.push(key);
                    walk(f.schema, seen);
                }
            }
            Schema::Array { items, .. } => walk(items, seen),
            _ => {}
        }
    }
    let mut seen = Vec::new();
    walk(&SIDECAR, &mut seen);
    assert_eq!(seen.len(), docs::FIELDS.len(), "documentation for fields the schema does not have");
}

/// A Sidecar typed from nothing with completions only (and the names a user must type), then
/// fixed with quick fixes until analyze has nothing left to say about it: the flow the
/// playground's browser test follows.
#[test]
fn a_sidecar_typed_with_completions_and_fixed_with_quick_fixes() {
    let mut text = String::new();
    let pick = |text: &mut String, label: &str| {
        let ws = workspace(text);
        let c = complete(&ws, FilePosition { source: SourceId(1), offset: text.len() as u32 });
        let labels: Vec<&str> = c.items.iter().map(|i| i.label.as_str()).collect();
        let item = c
            .items
            .iter()
            .find(|i| i.label == label)
            .unwrap_or_else(|| panic!("{label} not in {labels:?} after:\n{text}"));
        text.replace_range(c.range.start as usize..c.range.end as usize, &item.insert);
    };
    let steps: &[(&str, &str)] = &[
        ("", "apiVersion"),
        ("", "networking.istio.io/v1"),
        ("\n", "kind"),
        ("", "Sidecar"),
        ("\n", "metadata"),
        ("\n  ", "name"),
        ("productpage\n  ", "namespace"),
        ("", "bookinfo"),
        ("\n", "spec"),
        ("\n  ", "workloadSelector"),
        ("\n    ", "labels"),
        ("\n      ", "app"),
        ("", "productpage"),
        ("\n  ", "egress"),
        ("\n  - ", "hosts"),
        ("\n    - ", "./"),
        ("", "./reviews.bookinfo.svc.cluster.local"),
        ("\n    - ", "istio-system/"),
        ("", "istio-system/*"),
        ("\n  ", "outboundTrafficPolicy"),
        ("\n    ", "mode"),
        ("", "REGISTRY_ONLY"),
    ];
    for (typed, label) in steps {
        text.push_str(typed);
        pick(&mut text, label);
    }
    text.push('\n');
    // A field's completion ends with `: ` (a value may follow on the line).
    assert_eq!(
        text.replace(": \n", ":\n"),
        "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: productpage\n  namespace: bookinfo\nspec:\n  workloadSelector:\n    labels:\n      app: productpage\n  egress:\n  - hosts:\n    - ./reviews.bookinfo.svc.cluster.local\n    - istio-system/*\n  outboundTrafficPolicy:\n    mode: REGISTRY_ONLY\n"
    );
    let sidecar_findings = |text: &str| -> Vec<crate::Diagnostic> {
        workspace(text)
            .analyze()
            .diagnostics
            .into_iter()
            .filter(|d| d.source == SourceId(1) && d.severity != crate::Severity::Info)
            .collect()
    };
    assert_eq!(sidecar_findings(&text), [], "typed with completions only, the Sidecar is right");

    // Typos and a short host, typed by hand; quick fixes, one at a time, until none is left.
    let mut text = text
        .replace("  egress:", "  egres:")
        .replace("mode: REGISTRY_ONLY", "mode: registry_only")
        .replace("    - istio-system/*\n", "    - istio-system/*\n    - details\n");
    let mut applied = Vec::new();
    while let Some(d) = sidecar_findings(&text).into_iter().next() {
        let ws = workspace(&text);
        let fix = fixes::fixes(&ws, &d).into_iter().next().unwrap_or_else(|| panic!("no fix for {d:?} in\n{text}"));
        applied.push(fix.title.clone());
        text = apply(&text, &fix.edits);
        assert!(applied.len() < 10, "{applied:?}");
    }
    assert_eq!(
        applied,
        [
            "Rename `egres` to `egress`",
            "Write `./details.bookinfo.svc.cluster.local`",
            "Replace `registry_only` with `REGISTRY_ONLY`"
        ],
        "{text}"
    );
    assert!(text.contains("    - ./details.bookinfo.svc.cluster.local\n"), "{text}");
}

/// An edit re-parses only the edited document, and the answers follow it.
#[test]
fn an_edit_reparses_only_its_document() {
    let mut ws = workspace(SIDECAR_YAML);
    let at = pos(SIDECAR_YAML, "./reviews", 3);
    assert!(hover(&ws, at).unwrap().markdown.contains("imports 1 service"));
    let parsed = ws.documents_parsed();
    let edited = SIDECAR_YAML.replace("./reviews.bookinfo", "./details.bookinfo");
    ws.set_text(1, "sidecar.yaml", edited.clone());
    let h = hover(&ws, pos(&edited, "./details", 3)).unwrap();
    assert!(h.markdown.contains("details.bookinfo.svc.cluster.local (bookinfo, ports 9081)"), "{}", h.markdown);
    assert_eq!(ws.documents_parsed(), parsed + 1, "only the Sidecar's document is parsed again");
}

/// In a `kind: List`, the item at the offset is the resource asked about.
#[test]
fn a_list_item_is_its_own_resource() {
    let item = |text: &str| format!("- {}", text.replace('\n', "\n  ").trim_end());
    let other = SIDECAR_YAML.replace("metadata:\n  name: productpage", "metadata:\n  name: other");
    let list = format!("apiVersion: v1\nkind: List\nitems:\n{}\n{}\n", item(&other), item(SIDECAR_YAML));
    let ws = workspace(&list);
    let second = list.rfind("name: productpage").unwrap() as u32 + 8;
    let h = hover(&ws, FilePosition { source: SourceId(1), offset: second }).unwrap();
    assert!(h.markdown.contains("Sidecar bookinfo/productpage governs"), "{}", h.markdown);
}

/// SC1052's fix replaces `*/*` with the hosts the mesh shows the Sidecar's workloads call (here a
/// VirtualService routing productpage's requests by `sourceLabels`: its host and destination),
/// block or flow style; the finding disappears and nothing new is found; with nothing needed it
/// drops `*/*`.
#[test]
fn star_star_is_replaced_by_what_the_mesh_shows_is_needed() {
    const VS: &str = r#"---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: pp-details, namespace: bookinfo}
spec:
  hosts: [details.bookinfo.svc.cluster.local]
  http:
  - match: [{sourceLabels: {app: productpage}}]
    route:
    - destination: {host: reviews.bookinfo.svc.cluster.local}
"#;
    let sidecar = |hosts: &str| {
        format!(
            "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {{name: productpage, namespace: bookinfo}}\n\
             spec:\n  workloadSelector:\n    labels: {{app: productpage}}\n  egress:\n  - hosts:{hosts}\n"
        )
    };
    let fixed = |text: &str| {
        let ws = workspace(text);
        let findings = ws.analyze().diagnostics;
        let d = findings.iter().find(|d| d.code == Code::StarStarWithOtherHosts).expect("SC1052");
        assert!(fixes::has_fix(d.code.id()));
        let actions = fixes::fixes(&ws, d);
        assert_eq!(actions.len(), 1, "{findings:?}");
        let after = apply(text, &actions[0].edits);
        let ws2 = workspace(&after);
        assert!(ws2.validate().diagnostics.iter().all(|d| d.source != SourceId(1)), "{after}");
        let codes = |ds: &[crate::Diagnostic]| {
            ds.iter().filter(|d| d.source == SourceId(1)).map(|d| (d.code, d.message.clone())).collect::<Vec<_>>()
        };
        let (before, now) = (codes(&findings), codes(&ws2.analyze().diagnostics));
        assert!(!now.iter().any(|(c, _)| *c == Code::StarStarWithOtherHosts), "{after}");
        let new: Vec<_> = now.iter().filter(|f| !before.contains(f)).collect();
        assert!(new.is_empty(), "new findings {new:?} in\n{after}");
        (actions[0].title.clone(), after)
    };
    let block = format!("{}{VS}", sidecar("\n    - \"*/*\"\n    - \"istio-system/*\""));
    let (title, after) = fixed(&block);
    assert_eq!(title, "Replace `*/*` with the 2 host(s) the mesh shows this Sidecar's workloads call");
    assert!(
        after.contains(
            "  - hosts:\n    - \"bookinfo/details.bookinfo.svc.cluster.local\"\n    - \"bookinfo/reviews.bookinfo.svc.cluster.local\"\n    - \"istio-system/*\"\n"
        ),
        "{after}"
    );
    let flow = format!("{}{VS}", sidecar(" [\"*/*\", \"istio-system/*\"]"));
    let (_, after) = fixed(&flow);
    assert!(
        after.contains(
            "  - hosts: [\"bookinfo/details.bookinfo.svc.cluster.local\", \"bookinfo/reviews.bookinfo.svc.cluster.local\", \"istio-system/*\"]\n"
        ),
        "{after}"
    );
    // What the other hosts import already is not repeated; nothing left: `*/*` is dropped.
    let covered = format!("{}{VS}", sidecar("\n    - \"*/*\"\n    - \"bookinfo/*\""));
    let (title, after) = fixed(&covered);
    assert!(title.starts_with("Drop `*/*`"), "{title}");
    assert!(after.contains("  - hosts:\n    - \"bookinfo/*\"\n"), "{after}");
}
