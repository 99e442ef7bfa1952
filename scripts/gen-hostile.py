#!/usr/bin/env python3
"""Generates the oversized inputs of issue 16 (scale problems), for BENCHMARKS.md.

usage: scripts/gen-hostile.py SHAPE N [M] > input.yaml

  hosts N           one Sidecar with N egress hosts (`ns/h<i>.example.com`)
  se-hosts N        one ServiceEntry with N hosts, and a Sidecar importing `*/*`
  selectors N M     N Sidecars with a workloadSelector each and M Pods, in one namespace
                    (Sidecar i selects app=a<i>; Pod j has app=a<j>)
  aliases N         N small documents, each expanding its aliases to about 90,000 nodes
  mesh N            N namespaces, each with a Service, a Deployment and a Sidecar (for resolve
                    --all and listeners output)

The output is deterministic.
"""
import sys


def out(s):
    sys.stdout.write(s)


def hosts(n):
    out("apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: big\n  namespace: ns\nspec:\n  egress:\n  - hosts:\n")
    for i in range(n):
        out(f"    - ns/h{i}.example.com\n")


def se_hosts(n):
    out("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: big\n  namespace: ns\nspec:\n  ports:\n  - number: 443\n    name: tls\n    protocol: TLS\n  resolution: DNS\n  hosts:\n")
    for i in range(n):
        out(f"  - h{i}.example.com\n")
    out("---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: default\n  namespace: ns\nspec:\n  egress:\n  - hosts: [\"*/*\"]\n")


def selectors(n, m):
    for i in range(n):
        out(f"---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: s{i}\n  namespace: ns\nspec:\n  workloadSelector:\n    labels:\n      app: a{i}\n  egress:\n  - hosts: [\"./*\"]\n")
    for j in range(m):
        out(f"---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p{j}\n  namespace: ns\n  labels:\n    app: a{j}\n")


def aliases(n):
    # Each document expands to about 90,000 nodes from about 220 bytes of text.
    for d in range(n):
        out("---\n")
        out("a: &a [x, x, x, x, x, x, x, x, x, x]\n")
        out("b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n")
        out("c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n")
        out("d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n")
        out("e: [*d, *d, *d, *d, *d, *d, *d]\n")


def mesh(n):
    for i in range(n):
        ns = f"ns{i}"
        out(f"""---
apiVersion: v1
kind: Service
metadata:
  name: svc
  namespace: {ns}
spec:
  selector: {{app: svc}}
  ports:
  - {{name: http, port: 80, targetPort: 8080}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc
  namespace: {ns}
spec:
  selector:
    matchLabels: {{app: svc}}
  template:
    metadata:
      labels: {{app: svc}}
    spec:
      containers:
      - name: app
        image: app
        ports:
        - containerPort: 8080
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: default
  namespace: {ns}
spec:
  egress:
  - hosts: ["./*", "istio-system/*", "*/svc.ns{(i + 1) % n}.svc.cluster.local"]
""")


def main():
    shape, args = sys.argv[1], [int(a) for a in sys.argv[2:]]
    {"hosts": hosts, "se-hosts": se_hosts, "selectors": selectors, "aliases": aliases, "mesh": mesh}[shape](*args)


if __name__ == "__main__":
    main()
