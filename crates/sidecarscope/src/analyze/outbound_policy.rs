//! `outboundTrafficPolicy` of a Sidecar: istioctl's `deprecation.FieldAnalyzer` (IST0002 for
//! `egressProxy`) and Kiali's `OutboundTrafficPolicyModeChecker` (KIA1007).

use super::context::MeshContext;
use crate::diagnostic::{Code, Diagnostic};

pub(crate) fn check(m: &MeshContext, out: &mut Vec<Diagnostic>) {
    for sc in &m.sidecars {
        let r = sc.resource;
        let Some(otp) = &m.reg.sidecars[sc.config].outbound_traffic_policy else {
            continue;
        };
        if let Some(e) = &otp.egress_proxy {
            out.push(
                r.diagnostic(Code::DeprecatedEgressProxy, "Deprecated: OutboundTrafficPolicy.EgressProxy ignored", "spec.outboundTrafficPolicy.egressProxy", e.key_range)
                    .with_hint("istiod ignores egressProxy: traffic to unknown destinations is not sent to this proxy; route it with a ServiceEntry and an egress gateway instead"),
            );
        }
        // Kiali sees the decoded enum: an omitted mode, REGISTRY_ONLY and 0 are all value 0.
        if otp.mode_is_zero {
            let hint = if otp.mode_omitted {
                "the mode is omitted, which Istio reads as REGISTRY_ONLY (enum value 0): calls to hosts outside the registry are blocked. Write the mode explicitly"
            } else {
                "the mode is written: Istio applies REGISTRY_ONLY, and there is nothing to fix. Kiali reads the decoded enum, where REGISTRY_ONLY is 0 like an omitted mode, so it reports every REGISTRY_ONLY Sidecar"
            };
            out.push(
                r.diagnostic(
                    Code::OutboundPolicyModeAmbiguous,
                    "OutboundTrafficPolicy with empty mode value is ambiguous due to an Istio limitation. This may indicate ALLOW_ANY or REGISTRY_ONLY. Inspect the value using other means.",
                    "spec.outboundTrafficPolicy",
                    otp.key_range,
                )
                .with_kiali_code(Some("KIA1007"))
                .with_hint(hint),
            );
        }
    }
}
