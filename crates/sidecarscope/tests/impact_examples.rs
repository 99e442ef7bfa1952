//! The impact examples (`examples/impact/`): for each change, the calls a careful Istio user
//! would name as broken or changed, written down before the tool was run, and the tool's
//! report compared with them call for call (every flow the report has must be listed here).
//!
//! The mesh (`examples/impact/mesh.yaml`): namespace `shop` (frontend, cart, a VirtualService on
//! cart), `payments` (payments HTTP 8080, ledger TCP 5432, the ServiceEntry `api.stripe.com:443`
//! TLS), `catalog` (catalog HTTP 8080); only `shop` has a Sidecar (`default`: `./*`,
//! `payments/*`, `catalog/*`, `istio-system/*`), ALLOW_ANY unless said otherwise.

use std::collections::BTreeSet;
use std::path::Path;

use sidecarscope::impact::{impact, FlowKind, ImpactOptions, ImpactReport};
use sidecarscope::{Options, SourceFile, Workspace};

fn side(example: &str, side: &str) -> Workspace {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/impact").join(example).join(side);
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let sources = files
        .iter()
        .map(|p| {
            SourceFile::new(
                format!("{side}/{}", p.file_name().unwrap().to_string_lossy()),
                std::fs::read_to_string(p).unwrap(),
            )
        })
        .collect();
    Workspace::new(sources, Options::default())
}

fn report(example: &str) -> ImpactReport {
    let r = impact(&side(example, "base"), &side(example, "head"), &ImpactOptions::default()).unwrap();
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    r
}

/// Every flow of the report as `workload kind call`.
fn flows(r: &ImpactReport) -> BTreeSet<String> {
    r.workloads
        .iter()
        .flat_map(|w| w.flows.iter().map(move |f| format!("{} {:?} {}", w.id(), f.kind, f.call)))
        .collect()
}

fn set(items: Vec<String>) -> BTreeSet<String> {
    items.into_iter().collect()
}

const PAYMENTS: &str = "HTTP payments.payments.svc.cluster.local:8080 GET /";
const CATALOG: &str = "HTTP catalog.catalog.svc.cluster.local:8080 GET /";
const LEDGER: &str = "TCP ledger.payments.svc.cluster.local:5432";
const STRIPE: &str = "TLS api.stripe.com:443";

fn expect(workloads: &[&str], kind: FlowKind, calls: &[&str]) -> Vec<String> {
    workloads.iter().flat_map(|w| calls.iter().map(move |c| format!("{w} {kind:?} {c}"))).collect()
}

/// Example 1: The namespace default Sidecar keeps `./*` and `istio-system/*` only. Expected by a user:
/// frontend and cart no longer have clusters for payments, ledger, catalog and Stripe; under
/// ALLOW_ANY their calls still leave the pod, through PassthroughCluster (no mTLS, no
/// DestinationRule): four calls bypass the mesh per workload. Nothing else changes.
#[test]
fn tighten_the_namespace_default_sidecar() {
    let r = report("1-tighten-namespace-default");
    let want = expect(&["shop/cart", "shop/frontend"], FlowKind::Bypassed, &[PAYMENTS, CATALOG, LEDGER, STRIPE]);
    assert_eq!(flows(&r), want.into_iter().collect());
    assert_eq!((r.summary.bypassed, r.summary.broken, r.summary.changed), (8, 0, 2));
    let cart = r.workloads.iter().find(|w| w.id() == "shop/cart").unwrap();
    assert!(cart.imports.iter().any(|i| i.host == "payments.payments.svc.cluster.local"
        && i.base_entry.as_deref() == Some("payments/*")
        && i.head_entry.is_none()));
    // Each bypassed call points at the base entry that imported the host.
    let f = cart.flows.iter().find(|f| f.call == PAYMENTS).unwrap();
    assert!(f.causes.iter().any(|c| c.path == "spec.egress[0].hosts[1]" && c.range.start.line == 8), "{:?}", f.causes);
}

/// Example 2: The namespace default Sidecar adds `outboundTrafficPolicy: {mode: REGISTRY_ONLY}`.
/// Expected: calls from frontend and cart to anything outside the registry break (a TCP
/// destination: PassthroughCluster to BlackHoleCluster; HTTP on the ports that have HTTP routes,
/// 80 and 8080: the `allow_any` virtual host becomes `block_all`, 502). Calls to imported
/// services are unchanged.
#[test]
fn switch_to_registry_only() {
    let r = report("2-registry-only");
    let outside = [
        "TCP 203.0.113.10:443 (outside the registry)",
        "HTTP unregistered.example.com:80 GET / (outside the registry)",
        "HTTP unregistered.example.com:8080 GET / (outside the registry)",
    ];
    assert_eq!(flows(&r), set(expect(&["shop/cart", "shop/frontend"], FlowKind::Broken, &outside)));
    let w = &r.workloads[0];
    assert_eq!(
        w.outbound_traffic_policy.as_ref().map(|p| (p.base.as_str(), p.head.as_str())),
        Some(("ALLOW_ANY", "REGISTRY_ONLY"))
    );
    // The cause is the head's outboundTrafficPolicy.
    assert!(w.flows[0]
        .causes
        .iter()
        .any(|c| c.path == "spec.outboundTrafficPolicy" && c.side == sidecarscope::impact::Side::Head));
}

/// Example 3: Under REGISTRY_ONLY, the entry `catalog/*` is removed. Expected: frontend's and cart's
/// calls to catalog:8080 break (the 8080 route config's `block_all` answers 502).
#[test]
fn drop_a_host() {
    let r = report("3-drop-a-host");
    assert_eq!(flows(&r), set(expect(&["shop/cart", "shop/frontend"], FlowKind::Broken, &[CATALOG])));
    // The deleted line exists only in base: the cause is there.
    let f = &r.workloads[0].flows[0];
    assert!(
        f.causes.iter().any(|c| c.side == sidecarscope::impact::Side::Base && c.path == "spec.egress[0].hosts[2]"),
        "{:?}",
        f.causes
    );
}

/// Example 4: The ServiceEntry `api.stripe.com` gets `exportTo: ["."]`. Expected: every namespace but
/// `payments` loses it: frontend and cart (through `payments/*`) and catalog (no Sidecar: `*/*`)
/// send their TLS calls to api.stripe.com through PassthroughCluster; payments and ledger keep it.
#[test]
fn export_to_dot() {
    let r = report("4-export-to-dot");
    assert_eq!(
        flows(&r),
        set(expect(&["catalog/catalog", "shop/cart", "shop/frontend"], FlowKind::Bypassed, &[STRIPE]))
    );
    let f = &r.workloads[0].flows[0];
    assert!(
        f.causes
            .iter()
            .any(|c| c.side == sidecarscope::impact::Side::Head && c.resource == "ServiceEntry payments/stripe"),
        "{:?}",
        f.causes
    );
}

/// Example 5: A port-specific egress listener (8080, HTTP, `./*`) is put before the catch-all. Expected
/// (Istio's rule that a port's first listener owns it): on port 8080 frontend and cart import only
/// shop's services, the catch-all's payments:8080 and catalog:8080 are dropped, so those calls
/// find no virtual host and leave through PassthroughCluster. Ledger (5432) and Stripe (443) are
/// unchanged. The analysis says SC3005 (shadowed) for the new listener.
#[test]
fn port_specific_egress_listener() {
    let r = report("5-port-specific-egress-listener");
    assert_eq!(flows(&r), set(expect(&["shop/cart", "shop/frontend"], FlowKind::Bypassed, &[PAYMENTS, CATALOG])));
    assert!(r.findings.appeared.iter().any(|d| d.code == "SC3005"), "{:?}", r.findings.appeared);
}

/// Example 6: The `workloadSelector` of Sidecar `frontend` (`./*`, `catalog/*`) moves from app=frontend
/// to app=cart. Expected: cart now gets the narrow Sidecar: its calls to payments, ledger and
/// Stripe bypass the mesh; frontend falls back to the namespace default and gains those hosts:
/// its calls to them, which went through PassthroughCluster, join the mesh.
#[test]
fn move_a_workload_selector() {
    let r = report("6-move-workload-selector");
    let mut want = expect(&["shop/cart"], FlowKind::Bypassed, &[PAYMENTS, LEDGER, STRIPE]);
    want.extend(expect(&["shop/frontend"], FlowKind::Captured, &[PAYMENTS, LEDGER, STRIPE]));
    assert_eq!(flows(&r), set(want));
    let cart = r.workloads.iter().find(|w| w.id() == "shop/cart").unwrap();
    let sc = cart.sidecar.as_ref().unwrap();
    assert_eq!((sc.base.as_deref(), sc.head.as_deref()), (Some("shop/default"), Some("shop/frontend")));
}

/// The same input on both sides: nothing to report, and nothing recomputed.
#[test]
fn no_change_is_empty() {
    let r = impact(
        &side("1-tighten-namespace-default", "base"),
        &side("1-tighten-namespace-default", "base"),
        &ImpactOptions::default(),
    )
    .unwrap();
    assert!(r.workloads.is_empty() && !r.summary.any(), "{:?}", r.summary);
    assert_eq!(r.summary.recomputed, 0);
}
