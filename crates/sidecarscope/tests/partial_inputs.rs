//! Quiet where Istio is quiet, on the partial inputs repositories hold, and help that leads
//! somewhere valid.

use sidecarscope::{analyze, load_text, validate, Diagnostic, Severity};

fn sidecar(ns: &str, spec: &str) -> String {
    format!("apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: s\n  namespace: {ns}\nspec:\n{spec}")
}

fn with_code<'a>(diags: &'a [Diagnostic], code: &str) -> Vec<&'a Diagnostic> {
    diags.iter().filter(|d| d.code.id() == code || d.kiali_code == Some(code) || d.istio_code() == Some(code)).collect()
}

#[test]
fn kiali_registry_misses_are_information_when_the_input_has_no_services() {
    let input = load_text(
        "x.yaml",
        &sidecar("ns", "  egress:\n  - hosts: [\"./reviews.ns.svc.cluster.local\", \"istio-system/*\"]\n"),
    );
    let diags = analyze(&input);
    let kia = with_code(&diags, "KIA1004");
    assert!(!kia.is_empty(), "Kiali reports them on an empty registry: {diags:?}");
    assert!(kia.iter().all(|d| d.severity == Severity::Info), "{kia:?}");
    assert_eq!(with_code(&diags, "SC3010").len(), 1);
    assert!(diags.iter().all(|d| d.severity != Severity::Warning), "{diags:?}");
}

#[test]
fn the_root_namespace_is_never_missing() {
    let text = "apiVersion: v1\nkind: Namespace\nmetadata: {name: ns}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: ns}\nspec:\n  ports: [{name: http, port: 80}]\n---\n".to_string()
        + &sidecar("ns", "  egress:\n  - hosts: [\"./*\", \"istio-system/*\", \"nope/*\"]\n");
    let diags = analyze(&load_text("x.yaml", &text));
    let missing: Vec<_> = diags.iter().filter(|d| d.message.contains("there is no namespace")).collect();
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(missing[0].message.contains("nope"), "{missing:?}");
}

#[test]
fn help_texts_lead_to_valid_configuration() {
    let hint = |spec: &str, code: &str| -> String {
        let diags = validate(&load_text("x.yaml", &sidecar("ns", spec)));
        with_code(&diags, code).first().and_then(|d| d.hint.clone()).unwrap_or_else(|| panic!("no {code}: {diags:?}"))
    };
    let dot = hint("  egress:\n  - hosts: [\".\"]\n", "SC1050");
    assert!(dot.contains("`./*`") && !dot.contains("*/."), "{dot}");
    let two =
        hint("  egress:\n  - hosts: [\"./*\"]\n  - hosts: [\"istio-system/*\"]\n  - hosts: [\"*/*\"]\n", "SC1040");
    assert!(two.contains("3 egress listeners have no `port`"), "{two}");
    let one = hint(
        "  egress:\n  - hosts: [\"./*\"]\n  - port: {number: 80, protocol: HTTP, name: http}\n    hosts: [\"./*\"]\n",
        "SC1040",
    );
    assert!(one.contains("move it to the end"), "{one}");
    let diags = validate(&load_text("x.yaml", "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: s\n  namespace: ns\n  spec:\n    egress:\n    - hosts: [\"./*\"]\n"));
    let empty = with_code(&diags, "SC1012")[0].hint.clone().unwrap();
    assert!(empty.contains("`spec` is indented under `metadata`"), "{empty}");
    let root = validate(&load_text(
        "x.yaml",
        &sidecar("istio-system", "  egress:\n  - hosts: [\"./*\", \"istio-system/*\"]\n"),
    ));
    let dup = with_code(&root, "SC1051");
    assert!(
        dup.first().and_then(|d| d.hint.as_deref()).unwrap_or("").contains("each workload's own namespace"),
        "{root:?}"
    );
    let explicit = analyze(&load_text("x.yaml", &sidecar("ns", "  outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n")));
    let kia = with_code(&explicit, "KIA1007");
    assert!(kia[0].hint.as_deref().unwrap_or("").contains("nothing to fix"), "{kia:?}");
}

#[test]
fn resources_without_a_namespace_go_where_kubectl_apply_n_puts_them() {
    // Kiali's integration test file, applied with `kubectl apply -n bookinfo`.
    let text = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: s\nspec:\n  egress:\n  - hosts: [\"./*\", \"default/*\", \"istio-system/*\"]\n";
    let input = load_text("x.yaml", text);
    assert_eq!(input.resources[0].namespace, sidecarscope::DEFAULT_NAMESPACE);
    let dup = with_code(&validate(&input), "SC1051").into_iter().cloned().collect::<Vec<_>>();
    assert_eq!(dup.len(), 1);
    assert!(
        dup[0].hint.as_deref().unwrap().contains("has no metadata.namespace and was read in namespace default"),
        "{dup:?}"
    );
    let input =
        sidecarscope::load_with_default_namespace(vec![sidecarscope::SourceFile::new("x.yaml", text)], "bookinfo");
    assert_eq!(input.resources[0].namespace, "bookinfo");
    assert!(!input.resources[0].namespace_explicit);
    assert!(with_code(&analyze(&input), "SC1051").is_empty());
    // An explicit namespace is kept, and its findings carry no such note.
    let text = sidecar("default", "  egress:\n  - hosts: [\"./*\", \"default/*\"]\n");
    let input =
        sidecarscope::load_with_default_namespace(vec![sidecarscope::SourceFile::new("x.yaml", &text)], "bookinfo");
    assert_eq!(input.resources[0].namespace, "default");
    let dup = with_code(&analyze(&input), "SC1051").into_iter().cloned().collect::<Vec<_>>();
    assert!(!dup[0].hint.as_deref().unwrap().contains("metadata.namespace"), "{dup:?}");
}

/// A namespace is said missing only when the input lists every namespace: a Namespace object
/// for some other namespace (a partial input) is not enough, and the namespaces of every
/// cluster are never missing.
#[test]
fn a_namespace_is_missing_only_when_the_input_lists_every_namespace() {
    let missing = |text: &str| -> Vec<String> {
        analyze(&load_text("x.yaml", text))
            .into_iter()
            .filter(|d| d.code.id() == "SC3002" && d.message.contains("there is no namespace"))
            .map(|d| d.message)
            .collect()
    };
    let service = "apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: ns}\nspec:\n  ports: [{name: http, port: 80}]\n---\n";
    let hosts = "  egress:\n  - hosts: [\"./*\", \"istio-system/*\", \"kube-system/*\", \"default/*\", \"nope/*\"]\n";
    // Some other Namespace object, while the Service and the Sidecar live in `ns`: partial.
    let partial =
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n---\n".to_string() + service + &sidecar("ns", hosts);
    assert_eq!(missing(&partial), Vec::<String>::new());
    // The Namespaces cover every resource: only `nope` is missing.
    let complete =
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: ns}\n---\n".to_string() + service + &sidecar("ns", hosts);
    assert_eq!(missing(&complete), ["`nope/*` imports nothing: there is no namespace nope".to_string()]);
    // A root namespace set in MeshConfig is never missing either.
    let mesh = "apiVersion: v1\nkind: Namespace\nmetadata: {name: istio-system}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata:\n  mesh: |\n    rootNamespace: nope\n---\n";
    assert_eq!(missing(&(mesh.to_string() + &complete)), Vec::<String>::new());
}
