//! Effective config: which Sidecar applies to a workload, and what it imports.
//!
//! The resolver (`sidecarscope::resolve`) lands separately; until then this panel says so.
//! When it lands, this module grows a proxy picker (`sidecarscope::workloads(&input)`, or a
//! custom namespace/labels/IP/interception mode) and renders the `Resolution`: the selected
//! Sidecar and why, egress listeners with their imported services and matching patterns,
//! ingress, outbound policy and connection pools with provenance, and a raw JSON view.

use leptos::prelude::*;

#[component]
pub fn EffectivePanel() -> impl IntoView {
    view! {
        <div class="placeholder">
            <p>"The effective configuration of each workload (the Sidecar that applies and why, the services each egress listener imports, ingress, outbound policy and connection pools) comes with the resolver."</p>
            <p>"Until then, the Problems panel shows what Istio's validation says about every Sidecar."</p>
        </div>
    }
}
