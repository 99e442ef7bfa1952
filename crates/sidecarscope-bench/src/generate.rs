//! A synthetic, realistic mesh of a given size, as `kubectl get -A -o yaml` would print a
//! manifests repository (block style): the mesh ConfigMap, namespaces, Services with 1-3 ports
//! and a Deployment each, a namespace-default Sidecar per team namespace importing what it calls
//! in other namespaces, five workload-selector Sidecars per namespace (ingress listeners,
//! port-specific egress listeners, narrowed imports, ALLOW_ANY), ServiceEntries for external
//! APIs, VirtualServices and DestinationRules (canary subsets, client-side pools, mesh-wide
//! mTLS), a PeerAuthentication, and a monitoring namespace that imports everything.
//!
//! The output is deterministic (a fixed-seed generator) and analyze finds nothing wrong with it:
//! every imported host exists, every port listener has a service, every selector a workload.

use std::fmt::Write;

/// The sizes of issue 8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// The seed examples of Istio's Sidecar reference page, with the Services and Deployments
    /// around them (`crates/sidecarscope/tests/fixtures/resolve/`).
    Small,
    /// 20 namespaces x 25 services.
    Medium,
    /// 100 namespaces x 50 services: 5,000 Services, 5,000 workloads, 600 Sidecars.
    Large,
}

impl Size {
    pub const ALL: [Size; 3] = [Size::Small, Size::Medium, Size::Large];

    pub fn name(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Medium => "medium",
            Size::Large => "large",
        }
    }

    pub fn parse(s: &str) -> Option<Size> {
        Size::ALL.into_iter().find(|z| z.name() == s)
    }

    /// Team namespaces and services per namespace (`None` for the seed examples).
    pub fn shape(self) -> Option<(usize, usize)> {
        match self {
            Size::Small => None,
            Size::Medium => Some((20, 25)),
            Size::Large => Some((100, 50)),
        }
    }
}

/// The mesh of a size, as one YAML text.
pub fn generate(size: Size) -> String {
    match size.shape() {
        None => seed_examples(),
        Some((namespaces, services)) => generate_shape(namespaces, services),
    }
}

const SEEDS: [&str; 7] = [
    include_str!("../../sidecarscope/tests/fixtures/resolve/seed-01-global-default.yaml"),
    include_str!("../../sidecarscope/tests/fixtures/resolve/seed-02-namespace-override.yaml"),
    include_str!("../../sidecarscope/tests/fixtures/resolve/seed-03-ratings-uds.yaml"),
    include_str!("../../sidecarscope/tests/fixtures/resolve/seed-04-no-iptables.yaml"),
    include_str!("../../sidecarscope/tests/fixtures/resolve/seed-05-partial-iptables.yaml"),
    include_str!("../../sidecarscope/tests/fixtures/resolve/seed-06-ratings-tls.yaml"),
    include_str!("../../sidecarscope/tests/fixtures/resolve/seed-07-connection-pool.yaml"),
];

/// The seven seed examples with their Services and workloads, one after the other.
pub fn seed_examples() -> String {
    SEEDS.iter().map(|s| s.trim_end()).collect::<Vec<_>>().join("\n---\n") + "\n"
}

/// The seed examples one by one (the playground shows one at a time).
pub fn seed_example_texts() -> &'static [&'static str] {
    &SEEDS
}

const DOMAINS: [&str; 50] = [
    "storefront",
    "cart",
    "catalog",
    "checkout",
    "payments",
    "billing",
    "invoices",
    "users",
    "auth",
    "sessions",
    "search",
    "recommendations",
    "reviews",
    "ratings",
    "inventory",
    "warehouse",
    "shipping",
    "tracking",
    "notifications",
    "email",
    "sms",
    "push",
    "analytics",
    "reporting",
    "pricing",
    "promotions",
    "loyalty",
    "support",
    "chat",
    "media",
    "images",
    "video",
    "cms",
    "i18n",
    "geo",
    "fraud",
    "risk",
    "ledger",
    "accounts",
    "orders",
    "returns",
    "partners",
    "feeds",
    "scheduler",
    "audit",
    "config",
    "identity",
    "quotes",
    "subscriptions",
    "gifting",
];
const REGIONS: [&str; 4] = ["eu", "us", "ap", "sa"];
const COMPONENTS: [&str; 16] = [
    "api",
    "web",
    "worker",
    "cache",
    "grpc",
    "admin",
    "events",
    "store",
    "indexer",
    "gateway",
    "scheduler",
    "exporter",
    "sync",
    "notifier",
    "reader",
    "writer",
];
const PARTNERS: [&str; 12] = [
    "stripe", "sendgrid", "twilio", "paypal", "adyen", "segment", "datadog", "slack", "github", "okta", "auth0",
    "algolia",
];

/// SplitMix64: small, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum PortKind {
    Http,
    Grpc,
    Redis,
    Postgres,
    Metrics,
    Https,
    GrpcAdmin,
}

impl PortKind {
    /// (Service port name, port, container port, container port name).
    fn spec(self) -> (&'static str, u32, u32, &'static str) {
        match self {
            PortKind::Http => ("http", 80, 8080, "http"),
            PortKind::Grpc => ("grpc", 9090, 9090, "grpc"),
            PortKind::Redis => ("tcp-redis", 6379, 6379, "redis"),
            PortKind::Postgres => ("tcp-postgres", 5432, 5432, "postgres"),
            PortKind::Metrics => ("http-metrics", 9100, 9100, "metrics"),
            PortKind::Https => ("https", 443, 8443, "https"),
            PortKind::GrpcAdmin => ("grpc-admin", 9091, 9091, "admin"),
        }
    }
}

struct Svc {
    name: String,
    ports: Vec<PortKind>,
    /// The targetPort is the container port's name rather than its number.
    named_target: bool,
}

struct Ns {
    name: String,
    services: Vec<Svc>,
}

fn namespace_name(i: usize) -> String {
    let d = DOMAINS[i % DOMAINS.len()];
    match i / DOMAINS.len() {
        0 => d.to_string(),
        r => format!("{d}-{}", REGIONS[(r - 1) % REGIONS.len()]),
    }
}

fn service_name(ns: &str, j: usize) -> String {
    if j == 0 {
        return ns.split('-').next().unwrap_or(ns).to_string();
    }
    let c = COMPONENTS[(j - 1) % COMPONENTS.len()];
    let base = ns.split('-').next().unwrap_or(ns);
    match (j - 1) / COMPONENTS.len() {
        0 => format!("{base}-{c}"),
        k => format!("{base}-{c}-{}", k + 1),
    }
}

fn plan(namespaces: usize, services: usize, rng: &mut Rng) -> Vec<Ns> {
    (0..namespaces)
        .map(|i| {
            let name = namespace_name(i);
            let services = (0..services)
                .map(|j| {
                    let svc = service_name(&name, j);
                    let primary = if svc.contains("-cache") {
                        PortKind::Redis
                    } else if svc.contains("-store") {
                        PortKind::Postgres
                    } else if svc.contains("-grpc") {
                        PortKind::Grpc
                    } else {
                        PortKind::Http
                    };
                    let mut ports = vec![primary];
                    // 1-3 ports: metrics on half, a second API port on a quarter.
                    if rng.chance(50) {
                        ports.push(PortKind::Metrics);
                    }
                    if primary == PortKind::Http && rng.chance(25) {
                        ports.push(if rng.chance(50) { PortKind::Https } else { PortKind::GrpcAdmin });
                    }
                    Svc { name: svc, ports, named_target: rng.chance(40) }
                })
                .collect();
            Ns { name, services }
        })
        .collect()
}

struct Out {
    text: String,
    ip: u32,
}

impl Out {
    fn doc(&mut self) {
        if !self.text.is_empty() {
            self.text.push_str("---\n");
        }
    }
    fn cluster_ip(&mut self) -> String {
        self.ip += 1;
        format!("10.96.{}.{}", self.ip / 250, self.ip % 250 + 1)
    }
}

fn fqdn(ns: &str, svc: &str) -> String {
    format!("{svc}.{ns}.svc.cluster.local")
}

pub fn generate_shape(namespaces: usize, per_ns: usize) -> String {
    let mut rng = Rng(0x5eed_0008 ^ ((namespaces as u64) << 32) ^ per_ns as u64);
    let nss = plan(namespaces, per_ns, &mut rng);
    let mut o = Out { text: String::with_capacity(namespaces * per_ns * 900), ip: 0 };
    let partners: Vec<&str> = PARTNERS.iter().copied().cycle().take((namespaces / 4).clamp(3, 40)).collect();
    let external = |k: usize| -> String {
        match k < PARTNERS.len() {
            true => format!("api.{}.com", partners[k]),
            false => format!("api{}.{}.com", k / PARTNERS.len() + 1, partners[k]),
        }
    };

    // The mesh ConfigMap.
    o.doc();
    o.text.push_str(
        "apiVersion: v1
kind: ConfigMap
metadata:
  name: istio
  namespace: istio-system
data:
  mesh: |-
    rootNamespace: istio-system
    trustDomain: cluster.local
    outboundTrafficPolicy:
      mode: REGISTRY_ONLY
    defaultConfig:
      holdApplicationUntilProxyStarts: true
",
    );

    // The control plane: istiod (no sidecar), the root default Sidecar, mesh-wide mTLS.
    namespace(&mut o, "istio-system", &[("kubernetes.io/metadata.name", "istio-system")]);
    deployment(
        &mut o,
        "istio-system",
        "istiod",
        &[("app", "istiod"), ("istio", "pilot"), ("sidecar.istio.io/inject", "\"false\"")],
        &[("grpc-xds", 15010), ("https-dns", 15012), ("https-webhook", 15017), ("http-monitoring", 15014)],
    );
    let ip = o.cluster_ip();
    service_raw(
        &mut o,
        "istio-system",
        "istiod",
        &ip,
        &[("app", "istiod")],
        &[
            ("grpc-xds", 15010, "15010"),
            ("https-dns", 15012, "15012"),
            ("https-webhook", 443, "15017"),
            ("http-monitoring", 15014, "15014"),
        ],
    );
    sidecar(&mut o, "istio-system", "default", None, &[], &[], &["./*"], None);
    o.doc();
    o.text.push_str(
        "apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: STRICT
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: default-mtls
  namespace: istio-system
spec:
  host: \"*.local\"
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
",
    );

    // External APIs, exported to every namespace, with a timeout on some.
    namespace(&mut o, "egress", &[("istio-injection", "enabled")]);
    for k in 0..partners.len() {
        let host = external(k);
        let tls = k % 3 != 2;
        o.doc();
        let _ = write!(
            o.text,
            "apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: {name}
  namespace: egress
spec:
  hosts:
  - {host}
  location: MESH_EXTERNAL
  ports:
  - number: {port}
    name: {pname}
    protocol: {proto}
  resolution: DNS
",
            name = host.replace('.', "-"),
            port = if tls { 443 } else { 80 },
            pname = if tls { "tls" } else { "http" },
            proto = if tls { "TLS" } else { "HTTP" },
        );
        if !tls {
            o.doc();
            let _ = write!(
                o.text,
                "apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {name}
  namespace: egress
spec:
  hosts:
  - {host}
  http:
  - timeout: 5s
    retries:
      attempts: 3
      perTryTimeout: 2s
    route:
    - destination:
        host: {host}
",
                name = host.replace('.', "-"),
            );
        }
    }
    o.doc();
    o.text.push_str(
        "apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: googleapis
  namespace: egress
spec:
  hosts:
  - \"*.googleapis.com\"
  location: MESH_EXTERNAL
  ports:
  - number: 443
    name: tls
    protocol: TLS
  resolution: NONE
",
    );

    // Who calls whom: 3-6 services of other namespaces, the first of which gets a client-side
    // DestinationRule; every tenth namespace imports a whole other namespace.
    let n = nss.len();
    for (i, ns) in nss.iter().enumerate() {
        let calls: Vec<(usize, usize)> = {
            let mut out: Vec<(usize, usize)> = Vec::new();
            let want = 3 + rng.below(4);
            while out.len() < want.min(n.saturating_sub(1) * ns.services.len()) {
                let d = rng.below(n);
                let s = if rng.chance(60) { 0 } else { rng.below(nss[d].services.len()) };
                if d != i && !out.contains(&(d, s)) {
                    out.push((d, s));
                }
            }
            out
        };
        let whole_ns = (i % 10 == 3 && n > 2)
            .then(|| (1..n).map(|k| (i + 7 * k) % n).find(|d| *d != i && calls.iter().all(|c| c.0 != *d)))
            .flatten();
        let ext: Vec<usize> = (0..partners.len()).filter(|_| rng.chance(8)).take(2).collect();
        let google = rng.chance(15);

        namespace(
            &mut o,
            &ns.name,
            &[("istio-injection", "enabled"), ("team", ns.name.split('-').next().unwrap_or(&ns.name))],
        );
        for s in &ns.services {
            let cports: Vec<(&str, u32)> = s.ports.iter().map(|p| (p.spec().3, p.spec().2)).collect();
            deployment(&mut o, &ns.name, &s.name, &[("app", &s.name), ("version", "v1")], &cports);
            let ports: Vec<(&str, u32, String)> = s
                .ports
                .iter()
                .map(|p| {
                    let (name, port, target, tname) = p.spec();
                    (name, port, if s.named_target { tname.to_string() } else { target.to_string() })
                })
                .collect();
            let ports: Vec<(&str, u32, &str)> = ports.iter().map(|(a, b, c)| (*a, *b, c.as_str())).collect();
            let ip = o.cluster_ip();
            service_raw(&mut o, &ns.name, &s.name, &ip, &[("app", &s.name)], &ports);
        }

        // Canary routing for the namespace's main service and one more: subsets and a route.
        for s in [&ns.services[0], &ns.services[ns.services.len() / 2]] {
            if !s.ports.contains(&PortKind::Http) {
                continue;
            }
            o.doc();
            let _ = write!(
                o.text,
                "apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: {svc}
  namespace: {ns}
spec:
  host: {svc}.{ns}.svc.cluster.local
  trafficPolicy:
    connectionPool:
      http:
        http2MaxRequests: 1000
    outlierDetection:
      consecutive5xxErrors: 5
      interval: 30s
      baseEjectionTime: 1m
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {svc}
  namespace: {ns}
spec:
  hosts:
  - {svc}.{ns}.svc.cluster.local
  http:
  - match:
    - headers:
        x-canary:
          exact: \"true\"
    route:
    - destination:
        host: {svc}.{ns}.svc.cluster.local
        subset: v2
  - route:
    - destination:
        host: {svc}.{ns}.svc.cluster.local
        subset: v1
    timeout: 10s
",
                svc = s.name,
                ns = ns.name,
            );
        }

        // The namespace default: its own namespace, the control plane, what it calls.
        let mut hosts: Vec<String> = vec!["./*".into(), "istio-system/*".into()];
        for &(d, s) in &calls {
            hosts.push(format!("{}/{}", nss[d].name, fqdn(&nss[d].name, &nss[d].services[s].name)));
        }
        if let Some(d) = whole_ns {
            hosts.push(format!("{}/*", nss[d].name));
        }
        hosts.extend(ext.iter().map(|&k| format!("egress/{}", external(k))));
        if google {
            hosts.push("egress/*.googleapis.com".into());
        }
        let hosts: Vec<&str> = hosts.iter().map(String::as_str).collect();
        sidecar(&mut o, &ns.name, "default", None, &[], &[], &hosts, None);

        // A client-side pool for the first dependency (imported above), for this namespace only.
        let (d, s) = calls[0];
        o.doc();
        let _ = write!(
            o.text,
            "apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: {dep}-client
  namespace: {ns}
spec:
  host: {host}
  exportTo:
  - \".\"
  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: 100
      http:
        http1MaxPendingRequests: 64
",
            dep = nss[d].services[s].name,
            ns = ns.name,
            host = fqdn(&nss[d].name, &nss[d].services[s].name),
        );

        // Five workload-selector Sidecars, of five kinds.
        let m = ns.services.len();
        let picks: Vec<usize> = (0..5.min(m.saturating_sub(1))).map(|k| 1 + (k * (m - 1)) / 5).collect();
        for (k, &j) in picks.iter().enumerate() {
            let s = &ns.services[j];
            let sel = [("app", s.name.as_str())];
            let name = format!("{}-sidecar", s.name);
            match k {
                // An ingress listener on its main port (the container's), delivered to localhost.
                0 => {
                    let (_, _, target, _) = s.ports[0].spec();
                    let proto = match s.ports[0] {
                        PortKind::Http => "HTTP",
                        PortKind::Grpc => "GRPC",
                        _ => "TCP",
                    };
                    let ingress = [(target, proto, s.ports[0].spec().0, format!("127.0.0.1:{target}"))];
                    sidecar(&mut o, &ns.name, &name, Some(&sel), &ingress, &[], &["./*", "istio-system/*"], None);
                }
                // Narrowed: the namespace's main service and one dependency only.
                1 => {
                    let (d, ds) = calls[calls.len() - 1];
                    let own = format!("./{}", fqdn(&ns.name, &ns.services[0].name));
                    let dep = format!("{}/{}", nss[d].name, fqdn(&nss[d].name, &nss[d].services[ds].name));
                    sidecar(&mut o, &ns.name, &name, Some(&sel), &[], &[], &[&own, &dep, "istio-system/*"], None);
                }
                // A port-specific egress listener for a database of its namespace, plus the rest.
                2 => {
                    let db =
                        ns.services.iter().find(|x| x.ports[0] == PortKind::Redis || x.ports[0] == PortKind::Postgres);
                    let extra: Vec<(u32, &str, &str, String)> = db
                        .map(|db| {
                            let (pname, port, _, _) = db.ports[0].spec();
                            vec![(port, "TCP", pname, format!("./{}", fqdn(&ns.name, &db.name)))]
                        })
                        .unwrap_or_default();
                    sidecar(&mut o, &ns.name, &name, Some(&sel), &[], &extra, &["./*", "istio-system/*"], None);
                }
                // Calls out to the internet directly.
                3 => {
                    let mut hosts = vec!["./*".to_string(), "istio-system/*".into(), "egress/*".into()];
                    if let Some(&(d, s)) = calls.first() {
                        hosts.push(format!("{}/{}", nss[d].name, fqdn(&nss[d].name, &nss[d].services[s].name)));
                    }
                    let hosts: Vec<&str> = hosts.iter().map(String::as_str).collect();
                    sidecar(&mut o, &ns.name, &name, Some(&sel), &[], &[], &hosts, Some("ALLOW_ANY"));
                }
                // A batch job that talks to two whole namespaces.
                _ => {
                    let a = calls[0].0;
                    let b = calls.iter().map(|c| c.0).find(|d| *d != a).unwrap_or(a);
                    let mut hosts = vec!["./*".to_string(), format!("{}/*", nss[a].name)];
                    if b != a {
                        hosts.push(format!("{}/*", nss[b].name));
                    }
                    hosts.push("istio-system/*".into());
                    let hosts: Vec<&str> = hosts.iter().map(String::as_str).collect();
                    sidecar(&mut o, &ns.name, &name, Some(&sel), &[], &[], &hosts, None);
                }
            }
        }
    }

    // Monitoring scrapes everything.
    namespace(&mut o, "monitoring", &[("istio-injection", "enabled")]);
    deployment(&mut o, "monitoring", "prometheus", &[("app", "prometheus")], &[("http-web", 9090)]);
    let ip = o.cluster_ip();
    service_raw(&mut o, "monitoring", "prometheus", &ip, &[("app", "prometheus")], &[("http-web", 9090, "9090")]);
    sidecar(&mut o, "monitoring", "default", None, &[], &[], &["*/*"], None);
    o.text
}

fn namespace(o: &mut Out, name: &str, labels: &[(&str, &str)]) {
    o.doc();
    let _ = write!(o.text, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n  labels:\n");
    for (k, v) in labels {
        let _ = writeln!(o.text, "    {k}: {v}");
    }
}

fn deployment(o: &mut Out, ns: &str, name: &str, labels: &[(&str, &str)], ports: &[(&str, u32)]) {
    o.doc();
    let _ = write!(
        o.text,
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {ns}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: {app}
  template:
    metadata:
      labels:
",
        app = labels[0].1
    );
    for (k, v) in labels {
        let _ = writeln!(o.text, "        {k}: {v}");
    }
    let _ = write!(
        o.text,
        "    spec:
      containers:
      - name: {name}
        image: registry.example.com/{ns}/{name}:1.4.2
        ports:
"
    );
    for (pname, port) in ports {
        let _ = write!(o.text, "        - name: {pname}\n          containerPort: {port}\n");
    }
}

fn service_raw(o: &mut Out, ns: &str, name: &str, ip: &str, selector: &[(&str, &str)], ports: &[(&str, u32, &str)]) {
    o.doc();
    let _ = write!(o.text, "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  clusterIP: {ip}\n  selector:\n");
    for (k, v) in selector {
        let _ = writeln!(o.text, "    {k}: {v}");
    }
    o.text.push_str("  ports:\n");
    for (pname, port, target) in ports {
        let _ = write!(o.text, "  - name: {pname}\n    port: {port}\n    targetPort: {target}\n");
    }
}

#[allow(clippy::too_many_arguments)]
fn sidecar(
    o: &mut Out,
    ns: &str,
    name: &str,
    selector: Option<&[(&str, &str)]>,
    ingress: &[(u32, &str, &str, String)],
    port_egress: &[(u32, &str, &str, String)],
    hosts: &[&str],
    outbound: Option<&str>,
) {
    o.doc();
    let _ = write!(
        o.text,
        "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n"
    );
    if let Some(sel) = selector {
        o.text.push_str("  workloadSelector:\n    labels:\n");
        for (k, v) in sel {
            let _ = writeln!(o.text, "      {k}: {v}");
        }
    }
    if !ingress.is_empty() {
        o.text.push_str("  ingress:\n");
        for (number, proto, pname, endpoint) in ingress {
            let _ = write!(
                o.text,
                "  - port:\n      number: {number}\n      protocol: {proto}\n      name: {pname}\n    defaultEndpoint: {endpoint}\n"
            );
        }
    }
    o.text.push_str("  egress:\n");
    for (number, proto, pname, host) in port_egress {
        let _ = write!(o.text, "  - port:\n      number: {number}\n      protocol: {proto}\n      name: {pname}\n    hosts:\n    - {host}\n");
    }
    o.text.push_str("  - hosts:\n");
    for h in hosts {
        let _ = writeln!(o.text, "    - \"{h}\"");
    }
    if let Some(mode) = outbound {
        let _ = write!(o.text, "  outboundTrafficPolicy:\n    mode: {mode}\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic() {
        assert_eq!(generate(Size::Medium), generate(Size::Medium));
    }

    #[test]
    fn medium_has_the_shape_asked_for() {
        let input = sidecarscope::load_text("medium.yaml", &generate(Size::Medium));
        assert!(input.diagnostics.is_empty());
        let count = |k: &str| input.resources.iter().filter(|r| format!("{:?}", r.kind) == k).count();
        assert_eq!(count("Service"), 20 * 25 + 2);
        assert_eq!(count("Sidecar"), 20 * 6 + 2);
        assert_eq!(sidecarscope::workloads(&input).len(), 20 * 25 + 2);
    }

    #[test]
    fn analyze_finds_nothing_wrong_with_the_medium_mesh() {
        let input = sidecarscope::load_text("medium.yaml", &generate(Size::Medium));
        let diags = sidecarscope::analyze(&input);
        let bad: Vec<String> = diags
            .iter()
            .filter(|d| d.severity <= sidecarscope::Severity::Warning)
            .map(|d| format!("{} {}", d.code.id(), d.message))
            .collect();
        assert_eq!(bad, Vec::<String>::new());
    }

    #[test]
    fn small_is_the_seed_examples() {
        let input = sidecarscope::load_text("small.yaml", &generate(Size::Small));
        assert!(input.diagnostics.iter().all(|d| d.severity > sidecarscope::Severity::Warning));
        assert_eq!(input.resources.iter().filter(|r| r.kind == sidecarscope::ResourceKind::Sidecar).count(), 8);
    }
}
