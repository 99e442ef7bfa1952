//! Loading what users paste: positions survive CRLF, non-ASCII text, JSON, `kind: List`,
//! the mesh ConfigMap's nested YAML, and syntax errors in other documents.

use sidecarscope::{load_text, report, Code, ResourceKind};

fn first(input: &sidecarscope::Input, code: &str) -> report::JsonDiagnostic {
    let diags = sidecarscope::validate(input);
    diags
        .iter()
        .map(|d| report::to_json(input, d))
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("no {code} in {diags:?}"))
}

const BAD_HOST: &str = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: s\n  namespace: ns\nspec:\n  egress:\n  - hosts:\n    - \"ns/reviews\"\n";

#[test]
fn crlf_positions() {
    let input = load_text("x.yaml", &BAD_HOST.replace('\n', "\r\n"));
    let d = first(&input, "SC1050");
    assert_eq!((d.range.start.line, d.range.start.column, d.range.end.column), (9, 7, 19));
}

#[test]
fn non_ascii_positions_count_characters_and_utf16() {
    let text = BAD_HOST
        .replace("metadata:\n", "metadata:\n  annotations: {note: \"équipe 🚀\"}\n")
        .replace("- \"ns/reviews\"", "- \"ns/révïews\"");
    let input = load_text("x.yaml", &text);
    let d = first(&input, "SC1050");
    assert_eq!((d.range.start.line, d.range.start.column), (10, 7));
    assert_eq!(d.range.end.column, 7 + "\"ns/révïews\"".chars().count() as u32);
    let line_start = text.lines().take(9).map(|l| l.len() + 1).sum::<usize>();
    assert_eq!(d.range.start.offset as usize, line_start + 6);
    let utf16_line_start: usize = text.lines().take(9).map(|l| l.encode_utf16().count() + 1).sum();
    assert_eq!(d.range.start.utf16 as usize, utf16_line_start + 6);
}

#[test]
fn json_input() {
    let text = r#"{"apiVersion": "networking.istio.io/v1", "kind": "Sidecar",
 "metadata": {"name": "s", "namespace": "ns"},
 "spec": {"egress": [{"hosts": ["ns/reviews"]}]}}"#;
    let input = load_text("x.json", text);
    let d = first(&input, "SC1050");
    assert_eq!((d.range.start.line, d.range.start.column), (3, 33));
}

#[test]
fn kind_list_items_are_resources() {
    let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a, namespace: n}\n- apiVersion: networking.istio.io/v1beta1\n  kind: Sidecar\n  metadata: {name: s, namespace: n}\n  spec:\n    egress:\n    - hosts: [\"n/short\"]\n";
    let input = load_text("list.yaml", text);
    assert_eq!(input.resources.len(), 2);
    assert_eq!(input.resources[0].kind, ResourceKind::Service);
    let d = first(&input, "SC1050");
    assert_eq!((d.range.start.line, d.range.start.column), (12, 15));
}

#[test]
fn missing_namespace_is_default_and_empty_documents_are_skipped() {
    let text = "---\n# comment only\n---\n\n---\napiVersion: v1\nkind: Service\nmetadata: {name: a}\n...\n";
    let input = load_text("x.yaml", text);
    assert_eq!(input.resources.len(), 1);
    assert_eq!(input.resources[0].namespace, "default");
    assert!(!input.resources[0].namespace_explicit);
    assert!(input.diagnostics.is_empty(), "{:?}", input.diagnostics);
}

#[test]
fn syntax_error_is_positioned_and_other_documents_are_checked() {
    let text = format!("apiVersion: v1\nkind: Service\nmetadata: {{name: a\n---\n{BAD_HOST}");
    let input = load_text("x.yaml", &text);
    let syntax = first(&input, "SC0001");
    assert_eq!(syntax.range.start.line, 4);
    let host = first(&input, "SC1050");
    assert_eq!(host.range.start.line, 13);
}

#[test]
fn other_kinds_are_reported_once() {
    let text =
        "apiVersion: v1\nkind: Secret\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\n";
    let input = load_text("x.yaml", text);
    let ignored: Vec<_> = input.diagnostics.iter().filter(|d| d.code == Code::IgnoredKind).collect();
    assert_eq!(ignored.len(), 1);
    assert_eq!(input.resources.len(), 2);
}

#[test]
fn unknown_versions_of_known_kinds_are_flagged() {
    let text = "apiVersion: networking.istio.io/v2\nkind: Sidecar\nmetadata: {name: a}\nspec: {}\n";
    let input = load_text("x.yaml", text);
    assert_eq!(input.diagnostics[0].code, Code::UnknownApiVersion);
    assert_eq!(input.of_kind(ResourceKind::Sidecar).count(), 0);
}

#[test]
fn every_sidecar_version_is_recognised() {
    for v in ["v1", "v1beta1", "v1alpha3"] {
        let text = format!("apiVersion: networking.istio.io/{v}\nkind: Sidecar\nmetadata: {{name: a}}\nspec: {{}}\n");
        let input = load_text("x.yaml", &text);
        assert_eq!(input.of_kind(ResourceKind::Sidecar).count(), 1, "{v}");
    }
}

#[test]
fn workload_kinds_are_recognised() {
    for (api, kind, want) in [
        ("v1", "Pod", ResourceKind::Pod),
        ("apps/v1", "Deployment", ResourceKind::Deployment),
        ("apps/v1", "StatefulSet", ResourceKind::StatefulSet),
        ("apps/v1", "DaemonSet", ResourceKind::DaemonSet),
        ("apps/v1", "ReplicaSet", ResourceKind::ReplicaSet),
        ("networking.istio.io/v1", "WorkloadEntry", ResourceKind::WorkloadEntry),
        ("networking.istio.io/v1", "ServiceEntry", ResourceKind::ServiceEntry),
        ("security.istio.io/v1", "PeerAuthentication", ResourceKind::PeerAuthentication),
        ("v1", "Namespace", ResourceKind::Namespace),
    ] {
        let input = load_text("x.yaml", &format!("apiVersion: {api}\nkind: {kind}\nmetadata: {{name: a}}\n"));
        assert_eq!(input.resources[0].kind, want, "{kind}");
    }
}

#[test]
fn duplicate_keys_warn() {
    let input = load_text("x.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {}\nspec: {}\n");
    assert_eq!(input.diagnostics[0].code, Code::DuplicateKey);
}

#[test]
fn every_diagnostic_range_lies_inside_the_input() {
    let texts = [
        BAD_HOST.to_string(),
        "a: [1,".into(),
        "{".into(),
        "- x\n- y".into(),
        "key: \"unterminated".into(),
        "\t- bad".into(),
    ];
    for t in texts {
        let input = load_text("x.yaml", &t);
        for d in sidecarscope::validate(&input) {
            assert!(d.range.end as usize <= t.len() && d.range.start <= d.range.end, "{t:?}: {d:?}");
        }
    }
}

/// The playground reads a large input a few documents per task (`Loading::step`): whatever
/// the slices, it reads exactly what one `load` reads (resources, positions, diagnostics; the
/// ignored kinds still reported once across slices).
#[test]
fn loading_in_steps_reads_what_one_load_reads() {
    let texts = [
        format!("{BAD_HOST}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: a}}\n---\n: bad: [\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: b}}\n"),
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: s, namespace: ns}\n...\n---\n- a list\n---\n".to_string(),
        String::new(),
    ];
    let sources = || {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| sidecarscope::SourceFile::new(format!("{i}.yaml"), t.as_str()))
            .collect::<Vec<_>>()
    };
    let whole = format!("{:?}", sidecarscope::load(sources()));
    for slice in 1..=4 {
        let mut loading = sidecarscope::Loading::new(sources());
        let mut steps = 0;
        loop {
            let mut read = 0;
            steps += 1;
            let more = &mut || {
                read += 1;
                read < slice
            };
            if loading.step(more) {
                break;
            }
        }
        assert!(slice > 1 || steps >= 6, "one document per step: {steps} steps");
        assert_eq!(format!("{:?}", loading.finish()), whole, "in slices of {slice} documents");
    }
}

/// Codes of the diagnostics found while loading.
fn load_codes(input: &sidecarscope::Input) -> Vec<&'static str> {
    input.diagnostics.iter().map(|d| d.code.id()).collect()
}

#[test]
fn reads_what_kubectl_reads_istio_1_5_install_manifest() {
    // go-yaml v2 checks no indentation inside flow collections and quoted scalars.
    let text = include_str!("fixtures/istio-1.5-install-excerpt.yaml");
    let input = load_text("istio-1.5.yaml", text);
    assert!(!load_codes(&input).contains(&"SC0001"), "{:?}", input.diagnostics);
    let sidecar = input.resources.iter().find(|r| r.kind == ResourceKind::Sidecar).expect("the Sidecar is read");
    assert_eq!((sidecar.namespace.as_str(), sidecar.name.as_str()), ("istio-system", "default"));
    // Positions stay exact after the lenient documents.
    let host =
        sidecar.node.at(&["spec", "egress"]).unwrap().as_seq().unwrap()[0].get("hosts").unwrap().as_seq().unwrap()[0]
            .range;
    assert_eq!(&text[host.start as usize..host.end as usize], "\"*/*\"");
    assert!(sidecarscope::validate(&input).iter().all(|d| d.code.id() != "SC0001"));
}

#[test]
fn reads_what_kubectl_reads_the_issue_examples() {
    let text = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: s\n  namespace: ns\nspec:\n  egress:\n  - hosts: [\n    \"./*\",\n    \"istio-system/*\"]\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  namespace: ns\n  annotations:\n    d.json: '{\n    \"a\": 1\n    }'\n";
    let input = load_text("x.yaml", text);
    assert!(input.diagnostics.is_empty(), "{:?}", input.diagnostics);
    let sidecar = input.resources.iter().find(|r| r.kind == ResourceKind::Sidecar).unwrap();
    let hosts = sidecar.node.at(&["spec", "egress"]).unwrap().as_seq().unwrap()[0].get("hosts").unwrap();
    let second = hosts.as_seq().unwrap()[1].range;
    assert_eq!(&text[second.start as usize..second.end as usize], "\"istio-system/*\"");
    let svc = input.resources.iter().find(|r| r.kind == ResourceKind::Service).unwrap();
    let d = svc.node.at(&["metadata", "annotations", "d.json"]).unwrap();
    assert_eq!(d.as_str(), Some("{ \"a\": 1 }"));
}

#[test]
fn cr_only_line_ends() {
    let text = "apiVersion: v1\rkind: Service\rmetadata: {name: a, namespace: ns}\r---\r".to_string()
        + &BAD_HOST.replace('\n', "\r");
    let input = load_text("x.yaml", &text);
    assert_eq!(input.resources.len(), 2, "the second document is read");
    let d = first(&input, "SC1050");
    assert_eq!((d.range.start.line, d.range.start.column, d.range.end.column), (13, 7, 19));
}

#[test]
fn yaml_1_1_directive_before_the_document_marker() {
    let text = format!("%YAML 1.1\n---\n{BAD_HOST}...\n%YAML 1.1\n---\napiVersion: v1\nkind: Service\nmetadata: {{name: a, namespace: ns}}\n");
    let input = load_text("x.yaml", &text);
    assert!(input.diagnostics.is_empty(), "{:?}", input.diagnostics);
    assert_eq!(input.resources.len(), 2);
    assert_eq!(first(&input, "SC1050").range.start.line, 11);
    // go-yaml v2 reads YAML 1.1 only: any other version is an error there.
    let input = load_text("x.yaml", &format!("%YAML 1.2\n---\n{BAD_HOST}"));
    let d = first(&input, "SC0001");
    assert!(d.message.contains("found incompatible YAML document"), "{}", d.message);
    assert_eq!((d.range.start.line, d.range.start.column), (1, 1));
}

#[test]
fn merge_keys_are_applied_as_go_yaml_v2_applies_them() {
    let text = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: s\n  namespace: ns\nspec:\n  egress:\n  - &base\n    hosts: [\"./*\"]\n    port: {number: 80, protocol: HTTP, name: http}\n  - <<: *base\n    port: {number: 81, protocol: HTTP, name: http2}\n";
    let input = load_text("x.yaml", text);
    assert!(input.diagnostics.is_empty(), "{:?}", input.diagnostics);
    let diags = sidecarscope::validate(&input);
    assert!(diags.iter().all(|d| !d.message.contains("<<")), "{diags:?}");
    let sidecar = &input.resources[0];
    let second = &sidecar.node.at(&["spec", "egress"]).unwrap().as_seq().unwrap()[1];
    assert_eq!(second.at(&["port", "number"]).unwrap().as_int(), Some(81));
    // The merged hosts keep the range of the anchored mapping.
    let hosts = second.get("hosts").unwrap().range;
    assert_eq!(&text[hosts.start as usize..hosts.end as usize], "[\"./*\"]");
    assert_eq!(text[..hosts.start as usize].matches('\n').count(), 8);
}

#[test]
fn namespace_is_checked_as_the_api_server_checks_it() {
    let doc = |ns: &str| format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  namespace: {ns}\n");
    for (ns, message) in [
        ("Prod_1", "metadata.namespace \"Prod_1\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"),
        ("[prod]", "metadata.namespace: cannot unmarshal array into Go struct field ObjectMeta.metadata.namespace of type string"),
        ("8080", "metadata.namespace: cannot unmarshal number into Go struct field ObjectMeta.metadata.namespace of type string"),
    ] {
        let input = load_text("x.yaml", &doc(ns));
        let d = first(&input, "SC0006");
        assert_eq!(d.message, message);
        assert_eq!((d.range.start.line, d.range.start.column), (5, 14));
        assert!(!d.hint.unwrap_or_default().contains("template"));
    }
    let long = "a".repeat(64);
    assert!(first(&load_text("x.yaml", &doc(&long)), "SC0006").message.ends_with("must be no more than 63 characters"));
    for ok in ["prod", "a-1", "'123'", "''", "\"\"", "null"] {
        let input = load_text("x.yaml", &doc(ok));
        assert!(sidecarscope::validate(&input).iter().all(|d| d.code != Code::InvalidMetadata), "{ok}");
    }
    // A Namespace's own metadata.namespace is dropped by kubectl, not checked.
    let input = load_text("x.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  namespace: X_1\n");
    assert!(sidecarscope::validate(&input).iter().all(|d| d.code != Code::InvalidMetadata));
}

/// A Service's name is a DNS-1035 label (`ValidateServiceName`): no leading digit, no dot,
/// where other kinds take a DNS-1123 subdomain.
#[test]
fn service_names_are_checked_as_the_api_server_checks_them() {
    let doc =
        |kind: &str, name: &str| format!("apiVersion: v1\nkind: {kind}\nmetadata:\n  name: {name}\n  namespace: ns\n");
    let format = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
    let messages = |kind: &str, name: &str| -> Vec<String> {
        let input = load_text("x.yaml", &doc(kind, name));
        sidecarscope::validate(&input)
            .iter()
            .filter(|d| d.code == Code::InvalidMetadata)
            .map(|d| report::to_json(&input, d))
            .inspect(|d| assert_eq!((d.range.start.line, d.range.start.column), (4, 9), "{d:?}"))
            .map(|d| d.message)
            .collect()
    };
    for bad in ["1abc", "a.b", "web-", "Web"] {
        assert_eq!(messages("Service", bad), [format!("metadata.name \"{bad}\": {format}")], "{bad}");
    }
    // A name that is too long and badly formed gets both of the API server's errors.
    let long = format!("a{}.", "b".repeat(63));
    assert_eq!(
        messages("Service", &long),
        [
            format!("metadata.name \"{long}\": must be no more than 63 characters"),
            format!("metadata.name \"{long}\": {format}")
        ]
    );
    for ok in ["a", "web-1", "reviews"] {
        assert_eq!(messages("Service", ok), Vec::<String>::new(), "{ok}");
    }
    // Other kinds keep the DNS-1123 subdomain rule: a leading digit and dots are fine there.
    assert_eq!(messages("Pod", "1abc.x"), Vec::<String>::new());
}

#[test]
fn unrendered_templates_are_named_in_the_hint() {
    let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: \"{{ .Values.name }}\"\n  namespace: {{ .Release.Namespace }}\n";
    let input = load_text("x.yaml", text);
    let diags: Vec<_> = sidecarscope::validate(&input)
        .iter()
        .map(|d| report::to_json(&input, d))
        .filter(|d| d.code == "SC0006")
        .collect();
    assert_eq!(diags.len(), 2, "{diags:?}");
    for d in diags {
        assert!(d.hint.as_deref().unwrap_or("").contains("unrendered template"), "{d:?}");
    }
}

#[test]
fn non_kubernetes_documents_are_skipped_with_one_info() {
    let input = sidecarscope::load(vec![
        sidecarscope::SourceFile::new("values.yaml", "replicaCount: 1\n---\nfoo: bar\n"),
        sidecarscope::SourceFile::new("Chart.yaml", "apiVersion: v2\nname: demo\n"),
        sidecarscope::SourceFile::new("s.yaml", BAD_HOST),
        sidecarscope::SourceFile::new("list.yaml", "- a\n- b\n"),
    ]);
    let skipped: Vec<_> = input.diagnostics.iter().filter(|d| d.code == Code::NotKubernetes).collect();
    assert_eq!(skipped.len(), 1, "{:?}", input.diagnostics);
    assert_eq!(skipped[0].message, "4 documents are not Kubernetes resources (no apiVersion and kind), skipped: values.yaml, Chart.yaml, list.yaml");
    assert_eq!(skipped[0].severity, sidecarscope::Severity::Info);
    assert_eq!(input.resources.len(), 1);
    // The Sidecar is still checked.
    first(&input, "SC1050");
}
