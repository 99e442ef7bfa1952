#!/usr/bin/env python3
"""Generates a realistic 50-namespace mesh for `sidecarscope analyze` (issue 5).

usage: scripts/gen-mesh.py > mesh.yaml; scripts/gen-mesh.py --mistakes > mistakes.yaml

The mesh is what a careful operator runs: REGISTRY_ONLY, a root Sidecar in istio-system,
one namespace-wide Sidecar per team namespace importing exactly what it calls, per-workload
Sidecars for databases (ingress listeners on their Service's target port), canary routing
(VirtualService + DestinationRule subsets), client-side DestinationRules, ServiceEntries for
external APIs in an `egress` namespace, a private (exportTo ".") service, VMs as
WorkloadEntries, an ambient namespace, a CronJob. Workloads are Deployments and
StatefulSets (no Pods), as in a manifests repository.

`--mistakes` prints instead seven real mistakes to add to that mesh (a second file), each of
which analyze must report (see MISTAKES). The output is deterministic (fixed seed).
The test `crates/sidecarscope/tests/analysis_mesh.rs` reads both, as generated into
`crates/sidecarscope/tests/fixtures/mesh-50ns/`.
"""
import random
import sys

DOMAINS = [
    "storefront", "cart", "catalog", "checkout", "payments", "billing", "invoices", "users",
    "auth", "sessions", "search", "recommendations", "reviews", "ratings", "inventory",
    "warehouse", "shipping", "tracking", "notifications", "email", "sms", "push", "analytics",
    "reporting", "pricing", "promotions", "loyalty", "support", "chat", "media", "images",
    "video", "cms", "i18n", "geo", "fraud", "risk", "ledger", "accounts", "orders", "returns",
    "partners", "feeds", "scheduler", "audit", "config",
]
assert len(DOMAINS) == 46  # + istio-system, istio-ingress, egress, monitoring = 50

# What --mistakes adds, and the code analyze must report for each.
MISTAKES = {
    "typo-namespace": "SC3002",          # `paymnets/*` in cart's Sidecar
    "namespace-mismatch": "SC3001",      # `orders/returns.returns.svc.cluster.local`
    "two-defaults": "IST0111",           # a second selector-less Sidecar in search
    "selector-typo": "IST0101",          # workloadSelector app: reviwes
    "port-listener-unused": "SC3003",    # egress port 8081 in pricing
    "registry-only-call": "SC3008",      # a client DestinationRule in media for fraud, not imported
    "short-name": "SC3002",              # `billing/invoices.billing`
}

docs = []


def emit(text):
    docs.append(text.strip("\n"))


def namespace(name, labels):
    lab = ", ".join(f"{k}: {v}" for k, v in labels.items())
    emit(f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {name}, labels: {{{lab}}}}}")


def deployment(ns, name, labels, port, kind="Deployment", replicas=2, extra_labels=None):
    lab = ", ".join(f"{k}: {v}" for k, v in {**labels, **(extra_labels or {})}.items())
    sel = ", ".join(f"{k}: {v}" for k, v in labels.items())
    svc_name = f"\n  serviceName: {name}" if kind == "StatefulSet" else ""
    emit(f"""
apiVersion: apps/v1
kind: {kind}
metadata: {{name: {name}, namespace: {ns}}}
spec:
  replicas: {replicas}{svc_name}
  selector:
    matchLabels: {{{sel}}}
  template:
    metadata:
      labels: {{{lab}}}
    spec:
      containers:
      - name: {name.split('-')[0]}
        image: registry.example.com/{ns}/{name}:1.4.2
        ports:
        - {{name: http, containerPort: {port}}}
""")


def service(ns, name, selector, ports, annotations=None):
    ann = ""
    if annotations:
        ann = ", annotations: {" + ", ".join(f"{k}: {v!r}".replace("'", '"') for k, v in annotations.items()) + "}"
    sel = ", ".join(f"{k}: {v}" for k, v in selector.items())
    plines = "\n".join(f"  - {{name: {pn}, port: {p}, targetPort: {t}}}" for pn, p, t in ports)
    emit(f"""
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {ns}{ann}}}
spec:
  selector: {{{sel}}}
  ports:
{plines}
""")


def sidecar(ns, name, hosts, selector=None, ingress=None, extra_egress=None, otp=None):
    out = f"apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n"
    if selector:
        out += "  workloadSelector:\n    labels: {" + ", ".join(f"{k}: {v}" for k, v in selector.items()) + "}\n"
    if ingress:
        out += "  ingress:\n"
        for number, proto, pname, endpoint in ingress:
            out += f"  - port: {{number: {number}, protocol: {proto}, name: {pname}}}\n    defaultEndpoint: {endpoint}\n"
    out += "  egress:\n"
    for number, proto, pname, phosts in extra_egress or []:
        out += f"  - port: {{number: {number}, protocol: {proto}, name: {pname}}}\n    hosts:\n"
        out += "".join(f'    - "{h}"\n' for h in phosts)
    out += "  - hosts:\n" + "".join(f'    - "{h}"\n' for h in hosts)
    if otp:
        out += f"  outboundTrafficPolicy: {{mode: {otp}}}\n"
    emit(out)


def main():
    mistakes = "--mistakes" in sys.argv[1:]
    rnd = random.Random(5)

    # Control plane and mesh config.
    emit("""
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |-
    rootNamespace: istio-system
    outboundTrafficPolicy:
      mode: REGISTRY_ONLY
""")
    namespace("istio-system", {"kubernetes.io/metadata.name": "istio-system"})
    deployment("istio-system", "istiod", {"app": "istiod", "istio": "pilot"}, 15010, extra_labels={"sidecar.istio.io/inject": '"false"'})
    service("istio-system", "istiod", {"app": "istiod", "istio": "pilot"},
            [("grpc-xds", 15010, 15010), ("https-dns", 15012, 15012), ("https-webhook", 443, 15017), ("http-monitoring", 15014, 15014)])
    sidecar("istio-system", "default", ["./*"])

    namespace("istio-ingress", {"istio-injection": "enabled"})
    # Injected with the gateway template, as the Helm chart does: a router, not a sidecar.
    deployment("istio-ingress", "istio-ingressgateway", {"app": "istio-ingressgateway", "istio": "ingressgateway"}, 8080,
               extra_labels={"sidecar.istio.io/inject": '"true"'})
    service("istio-ingress", "istio-ingressgateway", {"app": "istio-ingressgateway", "istio": "ingressgateway"},
            [("http2", 80, 8080), ("https", 443, 8443)])
    # The gateway's own rule for the storefront (not a call by a sidecar of istio-ingress).
    emit("""
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: storefront-from-gateway, namespace: istio-ingress}
spec:
  host: storefront.storefront.svc.cluster.local
  trafficPolicy:
    loadBalancer: {simple: LEAST_REQUEST}
""")

    # External APIs, exported to every namespace.
    namespace("egress", {"istio-injection": "enabled"})
    externals = {"stripe": "api.stripe.com", "sendgrid": "api.sendgrid.com", "twilio": "api.twilio.com"}
    for name, host in externals.items():
        emit(f"""
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: {name}, namespace: egress}}
spec:
  hosts: [{host}]
  location: MESH_EXTERNAL
  ports:
  - {{number: 443, name: tls, protocol: TLS}}
  resolution: DNS
""")
    emit("""
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: googleapis, namespace: egress}
spec:
  hosts: ["*.googleapis.com"]
  location: MESH_EXTERNAL
  ports:
  - {number: 443, name: tls, protocol: TLS}
  resolution: NONE
""")

    # Team namespaces: services, who calls whom.
    services = {}  # ns -> [(svc, port)]
    for ns in DOMAINS:
        n = rnd.randint(1, 3)
        names = [ns] + [f"{ns}-{s}" for s in rnd.sample(["api", "worker", "admin", "grpc", "cache"], n - 1)]
        services[ns] = [(s, 80 if not s.endswith("grpc") else 9090) for s in names]
    calls = {ns: rnd.sample([d for d in DOMAINS if d != ns], rnd.randint(1, 4)) for ns in DOMAINS}
    calls_external = {ns: rnd.sample(list(externals.values()), rnd.randint(0, 1)) for ns in DOMAINS}
    calls_google = {ns: rnd.random() < 0.2 for ns in DOMAINS}
    ambient_ns = "analytics"
    databases = [ns for ns in DOMAINS if rnd.random() < 0.25 and ns != ambient_ns]

    for ns in DOMAINS:
        if ns == ambient_ns:
            namespace(ns, {"istio.io/dataplane-mode": "ambient"})
        else:
            namespace(ns, {"istio-injection": "enabled"})
        for svc, port in services[ns]:
            target = 8080 if port == 80 else 9090
            pname = "grpc" if port == 9090 else "http"
            versions = ["v1", "v2"] if svc == ns and rnd.random() < 0.3 else ["v1"]
            for v in versions:
                deployment(ns, f"{svc}-{v}", {"app": svc, "version": v}, target)
            # Named targetPort for some services, numeric for the others.
            service(ns, svc, {"app": svc}, [(pname, port, "http" if rnd.random() < 0.5 else target)])
            if len(versions) == 2:
                emit(f"""
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: {svc}, namespace: {ns}}}
spec:
  host: {svc}
  subsets:
  - {{name: v1, labels: {{version: v1}}}}
  - {{name: v2, labels: {{version: v2}}}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: {svc}, namespace: {ns}}}
spec:
  hosts: [{svc}]
  http:
  - route:
    - destination: {{host: {svc}, subset: v1}}
      weight: 90
    - destination: {{host: {svc}, subset: v2}}
      weight: 10
""")
        if ns in databases:
            deployment(ns, "postgres", {"app": "postgres"}, 5432, kind="StatefulSet", replicas=1)
            service(ns, "postgres", {"app": "postgres"}, [("tcp-postgres", 5432, 5432)])
            sidecar(ns, "postgres", ["./*"], selector={"app": "postgres"}, ingress=[(5432, "TCP", "tcp-postgres", "127.0.0.1:5432")])
        if ns == ambient_ns:
            continue  # Ambient: no Sidecar resources.
        hosts = ["./*", "istio-system/*"]
        for dep in calls[ns]:
            for svc, _ in services[dep][:1]:
                hosts.append(f"{dep}/{svc}.{dep}.svc.cluster.local")
        hosts += [f"egress/{h}" for h in calls_external[ns]]
        if calls_google[ns]:
            hosts.append("egress/*.googleapis.com")
        extra = []
        if ns in databases:
            extra.append((5432, "TCP", "tcp-postgres", [f"./postgres.{ns}.svc.cluster.local"]))
        sidecar(ns, "default", hosts, extra_egress=extra)
        # Client-side DestinationRule for the first dependency (connection pool), imported above.
        dep = calls[ns][0]
        emit(f"""
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: {dep}-client, namespace: {ns}}}
spec:
  host: {services[dep][0][0]}.{dep}.svc.cluster.local
  exportTo: ["."]
  trafficPolicy:
    connectionPool:
      http: {{http2MaxRequests: 500}}
""")

    # A private service, used within its namespace only.
    service("ledger", "ledger-internal", {"app": "ledger"}, [("http", 8081, 8080)], {"networking.istio.io/exportTo": "."})
    # Nightly batch: a CronJob (not a kind Sidecarscope uses).
    emit("""
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly-report, namespace: reporting}
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - {name: report, image: registry.example.com/reporting/nightly:1.0}
""")
    # VMs: a WorkloadEntry behind a ServiceEntry, with its own Sidecar.
    emit("""
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: mainframe-1, namespace: ledger}
spec:
  address: 10.20.0.15
  labels: {app: mainframe}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: mainframe, namespace: ledger}
spec:
  hosts: [mainframe.ledger.internal]
  location: MESH_INTERNAL
  ports:
  - {number: 8443, name: https, protocol: HTTPS}
  resolution: STATIC
  workloadSelector:
    labels: {app: mainframe}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: mainframe, namespace: ledger}
spec:
  workloadSelector:
    labels: {app: mainframe}
  egress:
  - hosts: ["./*", "istio-system/*"]
""")
    # Monitoring scrapes everything.
    namespace("monitoring", {"istio-injection": "enabled"})
    deployment("monitoring", "prometheus", {"app": "prometheus"}, 9090, replicas=1)
    service("monitoring", "prometheus", {"app": "prometheus"}, [("http-web", 9090, 9090)])
    sidecar("monitoring", "default", ["*/*"])

    if mistakes:
        docs.clear()
        sidecar("cart", "cart-extra", ["paymnets/*"], selector={"app": "cart"})
        sidecar("orders", "orders-returns", ["orders/returns.returns.svc.cluster.local"], selector={"app": "orders"})
        sidecar("search", "default-copy", ["./*"])
        sidecar("reviews", "reviews-debug", ["./*"], selector={"app": "reviwes"})
        sidecar("pricing", "pricing-batch", ["./*"], selector={"app": "pricing"},
                extra_egress=[(8081, "HTTP", "http-alt", ["./*"])])
        emit("""
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: fraud-client, namespace: media}
spec:
  host: fraud.fraud.svc.cluster.local
  trafficPolicy:
    tls: {mode: ISTIO_MUTUAL}
""")
        sidecar("invoices", "invoices-api", ["./*", "billing/invoices.billing"], selector={"app": "invoices"})

    sys.stdout.write("\n---\n".join(docs) + "\n")


if __name__ == "__main__":
    main()
