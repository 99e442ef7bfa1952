//! The reasons and sources resolution shows to users: why a Sidecar applies, where the outbound
//! policy, each DestinationRule and each inbound connection pool come from, which host entry
//! imported a service, and the notes where Istio's code differs from its documentation.

use sidecarscope::resolve::{PoolLevel, SelectionKind};
use sidecarscope::{load_text, resolve, Proxy, Registry, Resolution, Resolver};

fn proxy(ns: &str, labels: &[(&str, &str)]) -> Proxy {
    Proxy {
        namespace: ns.into(),
        labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..Proxy::default()
    }
}

fn run(yaml: &str, p: &Proxy) -> Resolution {
    resolve(&load_text("test.yaml", yaml), p)
}

fn has_note(r: &Resolution, needle: &str) -> bool {
    r.notes.iter().any(|n| n.contains(needle))
}

const MESH_REGISTRY_ONLY: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata:\n  mesh: |\n    rootNamespace: istio-config\n    outboundTrafficPolicy:\n      mode: REGISTRY_ONLY\n";

fn sidecar(ns: &str, name: &str, extra: &str) -> String {
    format!("---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n{extra}")
}

fn service(ns: &str, name: &str, port: u32) -> String {
    format!("---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  selector: {{app: {name}}}\n  ports: [{{name: http, port: {port}}}]\n")
}

#[test]
fn selector_match_names_the_namespace_default_it_beats() {
    let yaml = sidecar("ns1", "default", "  egress: [{hosts: ['./*']}]\n")
        + &sidecar("ns1", "ratings", "  workloadSelector: {labels: {app: ratings}}\n  egress: [{hosts: ['./*']}]\n");
    let r = run(&yaml, &proxy("ns1", &[("app", "ratings"), ("version", "v1")]));
    assert_eq!(r.selection.kind, SelectionKind::WorkloadSelector);
    assert_eq!(
        r.selection.reason,
        "its workloadSelector {app=ratings} matches the proxy's labels; a matching workloadSelector takes precedence over the namespace-wide Sidecar ns1/default"
    );
}

#[test]
fn namespace_default_says_which_selectors_did_not_match() {
    let yaml = sidecar("ns1", "default", "  egress: [{hosts: ['./*']}]\n")
        + &sidecar("ns1", "ratings", "  workloadSelector: {labels: {app: ratings}}\n  egress: [{hosts: ['./*']}]\n");
    let r = run(&yaml, &proxy("ns1", &[("app", "web")]));
    assert_eq!(r.selection.kind, SelectionKind::NamespaceDefault);
    assert_eq!(
        r.selection.reason,
        "it is the namespace-wide Sidecar (no workloadSelector) of ns1; the workloadSelector of ns1/ratings does not match the proxy's labels {app=web}"
    );
}

#[test]
fn oldest_of_several_wins_with_a_doc_note() {
    let old = "  egress: [{hosts: ['./*']}]\n";
    let yaml = sidecar("ns1", "zz-old", old)
        .replace("namespace: ns1}", "namespace: ns1, creationTimestamp: '2020-01-01T00:00:00Z'}")
        + &sidecar("ns1", "aa-new", old)
            .replace("namespace: ns1}", "namespace: ns1, creationTimestamp: '2021-01-01T00:00:00Z'}");
    let r = run(&yaml, &proxy("ns1", &[]));
    assert_eq!(r.sidecar.as_ref().unwrap().name, "zz-old");
    assert!(
        r.selection.reason.contains("oldest of 2 Sidecars without workloadSelector (also ns1/aa-new)"),
        "{}",
        r.selection.reason
    );
    assert!(has_note(&r, "The Sidecar doc calls this undefined"));
}

#[test]
fn root_sidecar_reason_and_dot_meaning() {
    let yaml = MESH_REGISTRY_ONLY.to_string()
        + &sidecar("istio-config", "default", "  egress: [{hosts: ['./*']}]\n")
        + &service("ns3", "c", 8080);
    let r = run(&yaml, &proxy("ns3", &[("app", "web")]));
    assert_eq!(r.selection.kind, SelectionKind::RootNamespace);
    assert_eq!(
        r.selection.reason,
        "ns3 has no Sidecar, so the default Sidecar of the root namespace istio-config applies, evaluated for namespace ns3 (`./` hosts mean ns3)"
    );
    assert_eq!(r.egress[0].services[0].hostname, "c.ns3.svc.cluster.local");
    assert_eq!(r.egress[0].services[0].matched_by, "./*");
    assert_eq!(r.outbound_traffic_policy.mode, "REGISTRY_ONLY");
    assert_eq!(
        r.outbound_traffic_policy.source,
        "Sidecar istio-config/default does not set outboundTrafficPolicy, so MeshConfig outboundTrafficPolicy (ConfigMap istio-system/istio)"
    );
}

#[test]
fn no_sidecar_reason_mentions_root_selector_sidecars() {
    let yaml = sidecar(
        "istio-system",
        "only-system",
        "  workloadSelector: {labels: {app: x}}\n  egress: [{hosts: ['./*']}]\n",
    );
    let r = run(&yaml, &proxy("ns1", &[]));
    assert_eq!(r.selection.kind, SelectionKind::None);
    assert!(r.sidecar.is_none());
    assert!(r.selection.reason.contains("istio-system/only-system in istio-system has a workloadSelector, so it only applies to proxies in istio-system"), "{}", r.selection.reason);
    assert!(r.egress[0].implicit);
    assert_eq!(r.outbound_traffic_policy.source, "MeshConfig default ALLOW_ANY (no istio ConfigMap in the input)");
}

#[test]
fn outbound_policy_from_the_sidecar_and_the_empty_message_note() {
    let r = run(&sidecar("ns1", "s", "  outboundTrafficPolicy: {}\n"), &proxy("ns1", &[]));
    assert_eq!(r.outbound_traffic_policy.mode, "REGISTRY_ONLY");
    assert_eq!(
        r.outbound_traffic_policy.source,
        "Sidecar ns1/s outboundTrafficPolicy; mode omitted, which is REGISTRY_ONLY (enum value 0)"
    );
    assert!(has_note(&r, "although the doc calls ALLOW_ANY the default"));
    // No egress: the code uses */*, the doc says "inherits".
    assert!(has_note(&r, "the code does not inherit from another Sidecar"));
    assert!(r.egress[0].implicit);
}

#[test]
fn unused_short_host_explains_the_fqdn() {
    let yaml = service("ns1", "reviews", 9080) + &sidecar("ns2", "default", "  egress: [{hosts: [ns1/reviews]}]\n");
    let r = run(&yaml, &proxy("ns2", &[]));
    let unused = &r.egress[0].unused_hosts[0];
    assert_eq!(unused.host, "ns1/reviews");
    assert_eq!(
        unused.reason,
        "no service has the hostname reviews; Sidecar hosts are matched literally, without short-name expansion: write ns1/reviews.ns1.svc.cluster.local"
    );
}

#[test]
fn shadowed_same_hostname_says_which_namespace_wins() {
    let se = |ns: &str, port: u32| {
        format!("---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {{name: e, namespace: {ns}}}\nspec:\n  hosts: [api.example.com]\n  ports: [{{number: {port}, name: tls, protocol: TLS}}]\n")
    };
    let yaml = se("other", 443) + &se("ns1", 8443) + &sidecar("ns1", "default", "  egress: [{hosts: ['*/*']}]\n");
    let r = run(&yaml, &proxy("ns1", &[]));
    let l = &r.egress[0];
    assert_eq!(l.services.len(), 1);
    assert_eq!(l.services[0].namespace, "ns1");
    assert_eq!(l.shadowed[0].namespace, "other");
    assert_eq!(l.shadowed[0].reason, "the proxy's own namespace ns1 also has api.example.com, and it takes precedence");
}

#[test]
fn exclusion_entries_get_the_doc_note() {
    let yaml = service("ns1", "a", 80) + &sidecar("ns1", "default", "  egress: [{hosts: ['~/*', 'ns1/*']}]\n");
    let r = run(&yaml, &proxy("ns1", &[]));
    assert!(r.egress[0].services.is_empty(), "~/* cancels every other entry");
    assert!(has_note(&r, "this Istio version treats it as an exclusion"));
}

#[test]
fn destination_rule_reasons_follow_the_lookup_order() {
    let dr = |ns: &str, name: &str, host: &str| {
        format!("---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  host: {host}\n")
    };
    let yaml =
        service("ns1", "reviews", 9080) + &dr("ns1", "reviews", "reviews") + &dr("istio-system", "all", "'*.local'");
    let from_service = run(&yaml, &proxy("ns2", &[]));
    let d = &from_service.destination_rules[0];
    assert_eq!(d.rule, "ns1/reviews");
    assert_eq!(
        d.reason,
        "exported by the service's namespace ns1 (the proxy's namespace ns2 has no rule for this host)"
    );
    assert!(has_note(&from_service, "not filtered by the egress hosts"));

    let yaml = yaml + &dr("ns2", "mine", "reviews.ns1.svc.cluster.local");
    let from_proxy_ns = run(&yaml, &proxy("ns2", &[]));
    assert_eq!(from_proxy_ns.destination_rules[0].rule, "ns2/mine");
    assert!(from_proxy_ns.destination_rules[0]
        .reason
        .starts_with("the proxy's namespace ns2 has a DestinationRule for reviews.ns1.svc.cluster.local"));

    let only_root = service("ns1", "reviews", 9080) + &dr("istio-system", "all", "'*.local'");
    let r = run(&only_root, &proxy("ns2", &[]));
    assert_eq!(r.destination_rules[0].rule, "istio-system/all");
    assert_eq!(
        r.destination_rules[0].reason,
        "exported by the root namespace istio-system (neither the proxy's namespace nor the service's has a rule for this host); its host *.local is the most specific match for reviews.ns1.svc.cluster.local"
    );
}

#[test]
fn inbound_pool_levels_replace_each_other() {
    let mesh_default = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata:\n  mesh: |\n    defaultTrafficPolicy:\n      connectionPool:\n        tcp: {maxConnections: 7}\n";
    let dr = "---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: ratings, namespace: ns1}\nspec:\n  host: ratings\n  trafficPolicy:\n    connectionPool:\n      tcp: {maxConnections: 100}\n    portLevelSettings:\n    - port: {number: 9081}\n      loadBalancer: {simple: ROUND_ROBIN}\n";
    let svc = "---\napiVersion: v1\nkind: Service\nmetadata: {name: ratings, namespace: ns1}\nspec:\n  selector: {app: ratings}\n  ports: [{name: http, port: 9080}, {name: http-admin, port: 9081}, {name: http-x, port: 9082}]\n";
    let p = proxy("ns1", &[("app", "ratings")]);

    let r = run(&format!("{mesh_default}{svc}{dr}"), &p);
    let pool = |r: &Resolution, port: u32| r.inbound_connection_pool[&port].clone();
    assert_eq!(pool(&r, 9080).level, PoolLevel::DestinationRule);
    assert_eq!(
        pool(&r, 9080).source,
        "DestinationRule ns1/ratings trafficPolicy.connectionPool for ratings.ns1.svc.cluster.local"
    );
    // The port-level entry has no connectionPool and replaces the top level: the mesh default applies.
    assert_eq!(pool(&r, 9081).level, PoolLevel::MeshDefault);
    assert!(pool(&r, 9081).source.starts_with("MeshConfig defaultTrafficPolicy.connectionPool"));

    let with_sidecar = format!(
        "{mesh_default}{svc}{dr}{}",
        sidecar("ns1", "s", "  inboundConnectionPool:\n    http: {maxRetries: 3}\n")
    );
    let r = run(&with_sidecar, &p);
    assert_eq!(pool(&r, 9082).level, PoolLevel::SidecarInbound);
    assert_eq!(pool(&r, 9082).source, "Sidecar ns1/s inboundConnectionPool (applies to every inbound port)");
    assert_eq!(serde_json::to_value(&pool(&r, 9082).settings).unwrap(), serde_json::json!({"http": {"maxRetries": 3}}));

    let bare = run(svc, &p);
    assert_eq!(pool(&bare, 9080).level, PoolLevel::BuiltIn);
    assert_eq!(serde_json::to_value(&pool(&bare, 9080).settings).unwrap(), serde_json::json!({}));
}

#[test]
fn ingress_ports_replace_service_ports_with_notes() {
    let yaml = service("ns1", "ratings", 9080)
        + &sidecar("ns1", "s", "  ingress:\n  - port: {number: 8080, protocol: HTTP, name: web}\n    defaultEndpoint: 127.0.0.1:8080\n    connectionPool: {tcp: {maxConnections: 5}}\n");
    let r = run(&yaml, &proxy("ns1", &[("app", "ratings")]));
    assert_eq!(r.ingress.len(), 1);
    assert_eq!(r.ingress[0].port, 8080);
    assert_eq!(r.ingress[0].source, "Sidecar ns1/s ingress[0]");
    assert_eq!(r.ingress[0].service.as_deref(), Some("s.ns1"), "no service targets 8080: Istio's synthetic service");
    assert!(has_note(&r, "port(s) 9080 of the workload's services get no inbound listener"));
    assert_eq!(r.inbound_connection_pool[&8080].level, PoolLevel::SidecarIngressPort);

    let alone = run(
        &sidecar("ns1", "s", "  ingress:\n  - port: {number: 8080, protocol: HTTP, name: web}\n"),
        &proxy("ns1", &[]),
    );
    assert!(has_note(&alone, "istiod builds them regardless"));

    // With istiod's merge flag the service ports stay, as listener generation keeps them.
    let input = load_text("test.yaml", &yaml);
    let reg = Registry::build(&input);
    let env: std::collections::BTreeMap<String, String> =
        [("PILOT_ALLOW_SIDECAR_SERVICE_INBOUND_LISTENER_MERGE".to_string(), "true".to_string())].into();
    let merged = Resolver::with_env(&reg, &env).resolve(&proxy("ns1", &[("app", "ratings")]));
    assert_eq!(merged.ingress.iter().map(|p| p.port).collect::<Vec<_>>(), [8080, 9080]);
    assert!(has_note(&merged, "port(s) 9080 of the workload's services stay inbound ports"));
    assert!(!has_note(&merged, "get no inbound listener"));
    let set = sidecarscope::listeners_with(&reg, &input, &proxy("ns1", &[("app", "ratings")]), &env);
    let inbound = set.listeners.iter().find(|l| l.name == "virtualInbound").expect("virtualInbound");
    for port in [8080, 9080] {
        assert!(
            inbound.filter_chains.iter().any(|c| c.chain_match.destination_port == Some(port)),
            "{port}: {:?}",
            inbound.filter_chains
        );
    }
}

#[test]
fn service_ports_become_inbound_ports_unless_interception_is_none() {
    let yaml = service("ns1", "ratings", 9080);
    let r = run(&yaml, &proxy("ns1", &[("app", "ratings")]));
    assert_eq!(r.ingress[0].source, "Service ns1/ratings port 9080 (http) targets port 9080");
    let mut p = proxy("ns1", &[("app", "ratings")]);
    p.metadata.insert("INTERCEPTION_MODE".into(), "NONE".into());
    let none = run(&yaml, &p);
    assert!(none.ingress.is_empty());
    assert!(has_note(&none, "Interception mode NONE"));
}

#[test]
fn service_entry_endpoints_at_the_proxy_ip_are_inbound_ports_as_in_listeners() {
    // A VM workload: a ServiceEntry of its namespace lists its IP as an endpoint.
    let yaml = "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: vm-api, namespace: vms}\nspec:\n  hosts: [api.vms.internal]\n  location: MESH_INTERNAL\n  resolution: STATIC\n  ports: [{number: 8080, name: http, protocol: HTTP, targetPort: 9090}]\n  endpoints: [{address: 10.9.0.4}]\n";
    let input = load_text("test.yaml", yaml);
    let mut vm = proxy("vms", &[("app", "api")]);
    vm.ip = Some("10.9.0.4".into());
    let r = resolve(&input, &vm);
    assert_eq!(r.ingress.len(), 1, "{:?}", r.ingress);
    assert_eq!((r.ingress[0].port, r.ingress[0].service.as_deref()), (9090, Some("api.vms.internal")));
    let set = sidecarscope::listeners(&input, &vm, &Default::default());
    let inbound = set.listeners.iter().find(|l| l.name == "virtualInbound").expect("virtualInbound");
    assert!(
        inbound.filter_chains.iter().any(|c| c.chain_match.destination_port == Some(9090)),
        "{:?}",
        inbound.filter_chains
    );

    // Another IP, or none: not a target.
    vm.ip = Some("10.9.0.5".into());
    assert!(resolve(&input, &vm).ingress.is_empty());
    vm.ip = None;
    assert!(resolve(&input, &vm).ingress.is_empty());
}

#[test]
fn scope_drops_are_explained() {
    let se = |ns: &str, name: &str, port: u32| {
        format!("---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  hosts: [foobar.svc.cluster.local]\n  ports: [{{number: {port}, name: tcp, protocol: TCP}}]\n")
    };
    let l = |port: u32| {
        format!(
            "  - port: {{number: {port}, protocol: TCP, name: t{port}}}\n    hosts: ['*/foobar.svc.cluster.local']\n"
        )
    };
    let yaml = se("ns1", "foo", 8031)
        + &se("ns2", "bar", 8034)
        + &sidecar("me", "s", &format!("  egress:\n{}{}", l(8031), l(8034)));
    let r = run(&yaml, &proxy("me", &[]));
    assert_eq!(r.scope_services.len(), 1);
    assert!(has_note(&r, "foobar.svc.cluster.local from ServiceEntry ns2/bar (egress listener 2 (port 8034) via */foobar.svc.cluster.local) is not added to the scope: it already has foobar.svc.cluster.local from ServiceEntry ns1/foo, and services of different namespaces are never merged"));
}

#[test]
fn resolver_shares_scopes_and_matches_single_resolution() {
    let yaml = service("ns1", "a", 80)
        + &service("ns1", "b", 81)
        + &sidecar("ns1", "default", "  egress: [{hosts: ['./*']}]\n");
    let input = load_text("t.yaml", &yaml);
    let reg = Registry::build(&input);
    let mut resolver = Resolver::new(&reg);
    let one = resolver.resolve(&proxy("ns1", &[("app", "a")]));
    let two = resolver.resolve(&proxy("ns1", &[("app", "b")]));
    assert_eq!(serde_json::to_value(&one.egress).unwrap(), serde_json::to_value(&two.egress).unwrap());
    let fresh = resolve(&input, &proxy("ns1", &[("app", "b")]));
    assert_eq!(serde_json::to_value(&two).unwrap(), serde_json::to_value(&fresh).unwrap());
    // Each proxy still gets its own inbound side.
    assert_eq!(one.ingress[0].service.as_deref(), Some("a.ns1.svc.cluster.local"));
    assert_eq!(two.ingress[0].service.as_deref(), Some("b.ns1.svc.cluster.local"));
}

#[test]
fn workloads_come_from_pods_templates_and_workload_entries() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns1, labels: {app: a}, annotations: {sidecar.istio.io/interceptionMode: NONE}}\nstatus: {podIP: 10.0.0.5}\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: ns1}\nspec:\n  template:\n    metadata: {labels: {app: db}}\n    spec:\n      containers: [{name: db, ports: [{name: sql, containerPort: 5432}]}]\n---\napiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: vm, namespace: ns2, labels: {env: prod}}\nspec:\n  address: 10.1.1.1\n  labels: {app: vm, env: dev}\n";
    let ws = sidecarscope::workloads(&load_text("w.yaml", yaml));
    assert_eq!(ws.len(), 3);
    assert_eq!((ws[0].kind.as_str(), ws[0].ip.as_deref()), ("Pod", Some("10.0.0.5")));
    assert_eq!(ws[0].metadata.get("INTERCEPTION_MODE").map(String::as_str), Some("NONE"));
    assert_eq!(ws[1].kind, "StatefulSet");
    assert_eq!(ws[1].ports[0].name, "sql");
    assert_eq!(ws[1].line, 6);
    assert_eq!(ws[2].labels.get("env").map(String::as_str), Some("prod"), "metadata labels win over spec.labels");
    assert_eq!(ws[2].ip.as_deref(), Some("10.1.1.1"));
}

#[test]
fn own_service_rule_outside_the_scope_is_explained() {
    let dr = "---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: ratings, namespace: ns1}\nspec:\n  host: ratings\n  trafficPolicy:\n    connectionPool:\n      tcp: {maxConnections: 100}\n";
    let yaml =
        service("ns1", "ratings", 9080) + dr + &sidecar("ns1", "default", "  egress: [{hosts: ['istio-system/*']}]\n");
    let r = run(&yaml, &proxy("ns1", &[("app", "ratings")]));
    assert_eq!(r.inbound_connection_pool[&9080].level, PoolLevel::BuiltIn);
    assert!(has_note(&r, "DestinationRule ns1/ratings for the workload's own service ratings.ns1.svc.cluster.local does not apply to inbound port 9080"));
    let imported = service("ns1", "ratings", 9080) + dr + &sidecar("ns1", "default", "  egress: [{hosts: ['./*']}]\n");
    let r = run(&imported, &proxy("ns1", &[("app", "ratings")]));
    assert_eq!(r.inbound_connection_pool[&9080].level, PoolLevel::DestinationRule);
}

#[test]
fn selector_less_rule_merged_into_a_selector_rule_is_explained() {
    let yaml = "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: httpbin, namespace: ns1}\nspec:\n  hosts: [httpbin.org]\n  ports: [{number: 80, name: http, protocol: HTTP}]\n---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: for-app1, namespace: ns1}\nspec:\n  host: httpbin.org\n  workloadSelector: {matchLabels: {app: app1}}\n  subsets: [{name: a}]\n---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: everyone, namespace: ns1}\nspec:\n  host: httpbin.org\n  exportTo: [\".\"]\n  subsets: [{name: b}]\n";
    let app1 = run(yaml, &proxy("ns1", &[("app", "app1")]));
    assert_eq!(app1.destination_rules[0].subsets, ["a", "b"]);
    assert!(has_note(&app1, "this proxy matches that selector, so it gets the merged rule"));
    let app2 = run(yaml, &proxy("ns1", &[("app", "app2")]));
    assert!(app2.destination_rules.is_empty(), "Istio keeps no separate entry for the selector-less rule");
    assert!(has_note(
        &app2,
        "DestinationRule ns1/everyone has no workloadSelector, but istiod merged it into ns1/for-app1"
    ));
    assert!(has_note(&app2, "so ns1/everyone does not apply to it"));
}

#[test]
fn exact_import_keeps_one_service_per_host_and_namespace() {
    let se = |name: &str, time: &str, port: u32| {
        format!("---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {{name: {name}, namespace: a, creationTimestamp: '{time}'}}\nspec:\n  hosts: [host.example.com]\n  ports: [{{number: {port}, name: p, protocol: TCP}}]\n")
    };
    let mesh = se("old", "2020-01-01T00:00:00Z", 8000) + &se("new", "2021-01-01T00:00:00Z", 9000);
    let exact = run(
        &(mesh.clone() + &sidecar("me", "default", "  egress: [{hosts: [a/host.example.com]}]\n")),
        &proxy("me", &[]),
    );
    let ports: Vec<u32> = exact.scope_services[0].ports.iter().map(|p| p.number).collect();
    assert_eq!(ports, [8000]);
    assert!(exact.egress[0].shadowed[0].reason.starts_with("ServiceEntry a/new also declares host.example.com, but the exact entry a/host.example.com is looked up by hostname and namespace"));
    let wildcard = run(&(mesh + &sidecar("me", "default", "  egress: [{hosts: ['a/*']}]\n")), &proxy("me", &[]));
    let ports: Vec<u32> = wildcard.scope_services[0].ports.iter().map(|p| p.number).collect();
    assert_eq!(ports, [8000, 9000]);
    assert!(wildcard.egress[0].shadowed.is_empty());
}
