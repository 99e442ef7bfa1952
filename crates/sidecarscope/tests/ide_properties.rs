//! Completion never offers what the mesh or the schema does not have: an egress host is offered
//! only when a service with that hostname lives in the entry's namespace and is exported to the
//! Sidecar's (the oracle below reads `exportTo` itself, from the generated model, not through
//! the registry), every service so visible is offered, and the field names offered at any place
//! of a Sidecar are exactly its message's fields in the CRD schema's tables.

use proptest::prelude::*;
use sidecarscope::ide::{complete, CompletionKind, FilePosition};
use sidecarscope::validate::schema::{Schema, SIDECAR};
use sidecarscope::{Options, SourceFile, SourceId, Workspace};

const NAMESPACES: &[&str] = &["ns0", "ns1", "ns2", "istio-system"];
/// exportTo values: `None` is unset (MeshConfig's default, `*`).
const EXPORT_TO: &[Option<&[&str]>] =
    &[None, Some(&["."]), Some(&["*"]), Some(&["ns1"]), Some(&["~"]), Some(&["ns0", "ns2"])];

#[derive(Debug, Clone)]
struct Svc {
    name: usize,
    ns: usize,
    export: usize,
    /// A ServiceEntry (host `api<name>.example.com`) rather than a Kubernetes Service.
    entry: bool,
}

impl Svc {
    fn hostname(&self) -> String {
        if self.entry {
            format!("api{}.example.com", self.name)
        } else {
            format!("svc-{}.{}.svc.cluster.local", self.name, NAMESPACES[self.ns])
        }
    }

    /// Istio's exportTo, read here from the model: visible from `ns`?
    fn visible_from(&self, ns: &str) -> bool {
        match EXPORT_TO[self.export] {
            None => true,
            Some(list) => list.iter().any(|e| match *e {
                "*" => true,
                "." => NAMESPACES[self.ns] == ns,
                "~" => false,
                other => other == ns,
            }),
        }
    }

    fn yaml(&self) -> String {
        let ns = NAMESPACES[self.ns];
        let export = EXPORT_TO[self.export];
        if self.entry {
            let export = export.map_or(String::new(), |l| format!("  exportTo: [{}]\n", quoted(l)));
            format!(
                "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {{name: e{}, namespace: {ns}}}\nspec:\n  hosts: [{}]\n  ports: [{{number: 443, name: tls, protocol: TLS}}]\n  resolution: DNS\n{export}",
                self.name,
                self.hostname()
            )
        } else {
            let annotation = export.map_or(String::new(), |l| {
                format!("\n  annotations: {{networking.istio.io/exportTo: \"{}\"}}", l.join(","))
            });
            format!(
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{}\n  namespace: {ns}{annotation}\nspec:\n  ports: [{{name: http, port: 80}}]\n",
                self.name
            )
        }
    }
}

fn quoted(list: &[&str]) -> String {
    list.iter().map(|e| format!("\"{e}\"")).collect::<Vec<_>>().join(", ")
}

fn svc() -> impl Strategy<Value = Svc> {
    (0..4usize, 0..NAMESPACES.len(), 0..EXPORT_TO.len(), any::<bool>()).prop_map(|(name, ns, export, entry)| Svc {
        name,
        ns,
        export,
        entry,
    })
}

/// Services as Istio keys them: one per (hostname, namespace); the later of two is dropped
/// from the model as the registry keeps the first.
fn dedup(services: Vec<Svc>) -> Vec<Svc> {
    let mut out: Vec<Svc> = Vec::new();
    for s in services {
        if !out.iter().any(|o| o.hostname() == s.hostname() && o.ns == s.ns) {
            out.push(s);
        }
    }
    out
}

fn complete_at(mesh: &str, doc: &str) -> Vec<(String, CompletionKind)> {
    let offset = doc.find('|').expect("a cursor") as u32;
    let text = doc.replacen('|', "", 1);
    let ws =
        Workspace::new(vec![SourceFile::new("mesh.yaml", mesh), SourceFile::new("sc.yaml", text)], Options::default());
    complete(&ws, FilePosition { source: SourceId(1), offset }).items.into_iter().map(|i| (i.label, i.kind)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn hosts_offered_are_visible_and_every_visible_one_is_offered(
        services in prop::collection::vec(svc(), 0..10),
        sidecar_ns in 0..NAMESPACES.len(),
        typed_ns in 0..NAMESPACES.len() + 2,
        quote in any::<bool>(),
    ) {
        let services = dedup(services);
        let mesh: Vec<String> = services.iter().map(Svc::yaml).collect();
        let mesh = mesh.join("---\n");
        let sc_ns = NAMESPACES[sidecar_ns];
        let part = match typed_ns {
            n if n < NAMESPACES.len() => NAMESPACES[n].to_string(),
            n if n == NAMESPACES.len() => ".".to_string(),
            _ => "*".to_string(),
        };
        let q = if quote { "\"" } else { "" };
        let doc = format!("apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {{name: s, namespace: {sc_ns}}}\nspec:\n  egress:\n  - hosts:\n    - {q}{part}/|");
        let items = complete_at(&mesh, &doc);
        let in_part = |s: &Svc| match part.as_str() {
            "*" => true,
            "." => NAMESPACES[s.ns] == sc_ns,
            n => NAMESPACES[s.ns] == n,
        };
        for (label, kind) in &items {
            prop_assert!(label.starts_with(&format!("{part}/")), "{label} offered after {part}/");
            if *kind != CompletionKind::Host {
                continue;
            }
            let dns = &label[part.len() + 1..];
            if dns == "*" {
                continue;
            }
            prop_assert!(
                services.iter().any(|s| s.hostname() == dns && in_part(s) && s.visible_from(sc_ns)),
                "{label} offered to a Sidecar of {sc_ns}, which cannot import it:\n{mesh}"
            );
        }
        for s in services.iter().filter(|s| in_part(s) && s.visible_from(sc_ns)) {
            let want = format!("{part}/{}", s.hostname());
            prop_assert!(items.iter().any(|(l, _)| *l == want), "{want} not offered:\n{mesh}");
        }
    }
}

/// A place in the schema: the fields (and whether each is a list) from `spec` down to a message.
fn messages() -> Vec<(Vec<(&'static str, bool)>, &'static sidecarscope::validate::schema::Message)> {
    fn walk(
        schema: &'static Schema,
        path: Vec<(&'static str, bool)>,
        out: &mut Vec<(Vec<(&'static str, bool)>, &'static sidecarscope::validate::schema::Message)>,
    ) {
        if let Schema::Object(msg) = schema {
            out.push((path.clone(), msg));
            for f in msg.fields {
                let (inner, list) = match f.schema {
                    Schema::Array { items, .. } => (*items, true),
                    s => (s, false),
                };
                if matches!(inner, Schema::Object(_)) && path.len() < 6 {
                    let mut p = path.clone();
                    p.push((f.json, list));
                    walk(inner, p, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&SIDECAR, Vec::new(), &mut out);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn fields_offered_are_exactly_the_schemas(place in 0..messages().len(), styles in prop::collection::vec(any::<bool>(), 8)) {
        let (path, msg) = &messages()[place];
        let mut doc = String::from("apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: s}\nspec:\n");
        let mut indent = 2;
        let mut pending_item = false;
        for (i, (field, list)) in path.iter().enumerate() {
            if pending_item && styles[i] {
                // `- key:` on the item's line.
                doc.push_str(&format!("{}- {field}:\n", " ".repeat(indent)));
                indent += 2;
            } else if pending_item {
                // `-` alone, the mapping below it.
                doc.push_str(&format!("{}-\n{}{field}:\n", " ".repeat(indent), " ".repeat(indent + 2)));
                indent += 2;
            } else {
                doc.push_str(&format!("{}{field}:\n", " ".repeat(indent)));
            }
            if *list {
                pending_item = true;
            } else {
                pending_item = false;
                indent += 2;
            }
        }
        doc.push_str(&" ".repeat(indent));
        if pending_item {
            doc.push_str("- ");
        }
        doc.push('|');
        let items = complete_at("", &doc);
        let got: Vec<&str> = items.iter().filter(|(_, k)| *k == CompletionKind::Field).map(|(l, _)| l.as_str()).collect();
        let want: Vec<&str> = msg.fields.iter().map(|f| f.json).collect();
        prop_assert_eq!(got, want, "at {:?} in\n{}", path, doc);
        prop_assert!(items.iter().all(|(_, k)| *k == CompletionKind::Field));
    }
}

/// Pieces of Sidecars and of the YAML around them, to make texts that are half right.
const PIECES: &[&str] = &[
    "apiVersion: networking.istio.io/v1\n",
    "kind: Sidecar\n",
    "kind: Service\n",
    "metadata: {name: s, namespace: ns1}\n",
    "metadata:\n  name: x\n",
    "spec:\n",
    "  egress:\n",
    "  - hosts:\n",
    "    - \"ns1/",
    "    - */*\n",
    "  - port: {number: 80, name: http}\n",
    "  workloadSelector:\n    labels:\n      app: ",
    "  outboundTrafficPolicy: {mode: ",
    "---\n",
    "  ports: [{name: http, port: 80}]\n",
    "- - [ { \"é🚀\n",
    "\r\n",
    ": \t#",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Every question at every offset of a half-right text: no panic, and every range inside it.
    #[test]
    fn every_question_anywhere_answers(pieces in prop::collection::vec(0..PIECES.len(), 0..12)) {
        let text: String = pieces.iter().map(|&i| PIECES[i]).collect();
        let ws = Workspace::new(vec![SourceFile::new("a.yaml", text.clone())], Options::default());
        let len = text.len() as u32;
        for offset in (0..=len).filter(|&o| text.is_char_boundary(o as usize)) {
            let pos = FilePosition { source: SourceId(0), offset };
            let c = complete(&ws, pos);
            prop_assert!(c.range.start <= c.range.end && c.range.end <= len, "{:?} at {offset} of {text:?}", c.range);
            if let Some(h) = sidecarscope::ide::hover(&ws, pos) {
                prop_assert!(h.range.end <= len);
            }
            for t in sidecarscope::ide::definition(&ws, pos).into_iter().chain(sidecarscope::ide::references(&ws, pos)) {
                prop_assert!(t.range.end <= len);
            }
        }
        let actions = sidecarscope::ide::code_actions(&ws, SourceId(0), sidecarscope::text::TextRange::new(0, len));
        for a in actions {
            for e in a.edits {
                prop_assert!(e.range.end <= len && text.is_char_boundary(e.range.start as usize));
            }
        }
    }
}
