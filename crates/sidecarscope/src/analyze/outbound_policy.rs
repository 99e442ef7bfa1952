//! `outboundTrafficPolicy` of a Sidecar: istioctl's `deprecation.FieldAnalyzer` (IST0002 for
//! `egressProxy`) and Kiali's `OutboundTrafficPolicyModeChecker` (KIA1007).

use super::context::MeshContext;
use crate::diagnostic::{Code, Diagnostic};
use crate::registry::read::{set, str_of};
use crate::yaml::JsonType;

pub(crate) fn check(m: &MeshContext, out: &mut Vec<Diagnostic>) {
    for sc in &m.sidecars {
        let r = sc.resource;
        let Some(otp_entry) = r.spec().and_then(|s| s.entry("outboundTrafficPolicy")).filter(|e| !e.value.is_null())
        else {
            continue;
        };
        let otp = &otp_entry.value;
        if let Some(e) = otp.entry("egressProxy").filter(|e| !e.value.is_null()) {
            out.push(
                r.diagnostic(Code::DeprecatedEgressProxy, "Deprecated: OutboundTrafficPolicy.EgressProxy ignored", "spec.outboundTrafficPolicy.egressProxy", e.key.range)
                    .with_hint("istiod ignores egressProxy: traffic to unknown destinations is not sent to this proxy; route it with a ServiceEntry and an egress gateway instead"),
            );
        }
        // Kiali sees the decoded enum: an omitted mode, REGISTRY_ONLY and 0 are all value 0.
        let mode = str_of(otp, "mode");
        let zero = match set(otp, "mode") {
            None => true,
            Some(n) => mode == Some("REGISTRY_ONLY") || (n.json_type() == JsonType::Integer && n.as_int() == Some(0)),
        };
        if zero {
            let hint = if mode.is_none() {
                "the mode is omitted, which Istio reads as REGISTRY_ONLY (enum value 0): calls to hosts outside the registry are blocked. Write the mode explicitly"
            } else {
                "the mode is written: Istio applies REGISTRY_ONLY, and there is nothing to fix. Kiali reads the decoded enum, where REGISTRY_ONLY is 0 like an omitted mode, so it reports every REGISTRY_ONLY Sidecar"
            };
            out.push(
                r.diagnostic(
                    Code::OutboundPolicyModeAmbiguous,
                    "OutboundTrafficPolicy with empty mode value is ambiguous due to an Istio limitation. This may indicate ALLOW_ANY or REGISTRY_ONLY. Inspect the value using other means.",
                    "spec.outboundTrafficPolicy",
                    otp_entry.key.range,
                )
                .with_kiali_code(Some("KIA1007"))
                .with_hint(hint),
            );
        }
    }
}
