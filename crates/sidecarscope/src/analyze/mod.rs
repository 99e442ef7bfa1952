//! Analysis of the whole mesh (istioctl analyze's `pkg/config/analysis/analyzers`, Kiali's
//! `business/checkers`): everything `validate` finds, plus the checks
//! that need the other resources: istioctl analyze's Sidecar analyzers (IST0101, IST0110,
//! IST0111, IST0167, IST0002) and Kiali's Sidecar validations (KIA0002, KIA0003, KIA0004,
//! KIA1004, KIA1006, KIA1007), each under a stable code of ours (SC20xx) with the tool's code and
//! text; then checks of ours that neither tool has (SC30xx), each saying its consequence.
//!
//! Partial input is expected (a directory of manifests rather than a cluster dump): checks that
//! need workloads are skipped when the input has none, and those that need services when it has
//! none, each time with one info diagnostic saying so (SC3009, SC3010).

mod context;
mod egress_hosts;
mod ingress;
mod kiali_host;
mod listeners;
mod outbound_policy;
mod registry_only;
mod selector;
mod usage;

use std::collections::BTreeSet;

use crate::diagnostic::{Code, Diagnostic};
use crate::load::Input;
use crate::registry::{Registry, ServiceId};
use crate::resolve::{scope_key, scope_parts, ScopeParts};
use crate::source::SourceId;
use crate::text::TextRange;

use context::MeshContext;

/// Every finding of the input: `validate`'s, then the mesh checks.
pub fn analyze(input: &Input) -> Vec<Diagnostic> {
    let mut out = validation_findings(input);
    let mut mesh = analyze_mesh(input);
    crate::load::note_defaulted_namespaces(input, &mut mesh);
    out.extend(mesh);
    out
}

/// As [`analyze`], over the input's registry built already (impact builds one per side and
/// reuses it for resolution and listeners).
pub fn analyze_with_registry(input: &Input, reg: &Registry) -> Vec<Diagnostic> {
    let mut out = validation_findings(input);
    let mut mesh = check_mesh(input, reg);
    crate::load::note_defaulted_namespaces(input, &mut mesh);
    out.extend(mesh);
    out
}

/// As [`analyze`], releasing the trees of Services and workloads as the registry reads them
/// (`Registry::build_releasing_trees`), for callers that read no more of the input afterwards
/// than its sources, its Istio resources and its annotations (the CLI): the trees of a large
/// mesh's Services and workloads are then freed before analysis needs its memory.
pub fn analyze_releasing_trees(input: &mut Input) -> Vec<Diagnostic> {
    // Each Sidecar is validated once: the registry keeps the errors found here.
    let mut validated: Vec<Option<Vec<String>>> = vec![None; input.resources.len()];
    let mut out = input.diagnostics.clone();
    for (i, r) in input.resources.iter().enumerate().filter(|(_, r)| r.kind == crate::ResourceKind::Sidecar) {
        let found = crate::validate::validate_sidecar(r);
        validated[i] = Some(crate::registry::sidecar::validation_errors(&found));
        out.extend(found);
    }
    as_istioctl_words(&mut out);
    let reg = Registry::build_releasing_trees_validated(input, validated);
    out.extend(check_mesh(input, &reg));
    crate::load::note_defaulted_namespaces(input, &mut out);
    out
}

/// `validate`'s findings as istioctl analyze words them.
fn validation_findings(input: &Input) -> Vec<Diagnostic> {
    let mut out = crate::validate::validate(input);
    as_istioctl_words(&mut out);
    out
}

/// istioctl analyze's wording of validation findings.
fn as_istioctl_words(out: &mut [Diagnostic]) {
    for d in out.iter_mut() {
        // istioctl analyze's schema analyzer wraps each validation message (IST0106, IST0133).
        match d.istio_code() {
            Some("IST0106") => d.message = format!("Schema validation error: {}", d.message),
            Some("IST0133") => d.message = format!("Schema validation warning: {}", d.message),
            _ => {}
        }
    }
}

/// The mesh checks alone (no validation findings).
pub fn analyze_mesh(input: &Input) -> Vec<Diagnostic> {
    check_mesh(input, &Registry::build(input))
}

/// The mesh checks over the input's registry.
fn check_mesh(input: &Input, reg: &Registry) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let m = MeshContext::build(input, reg);
    if m.sidecars.is_empty() {
        return out;
    }
    let mut flagged = BTreeSet::new();
    selector::check(&m, &mut out, &mut flagged);
    outbound_policy::check(&m, &mut out);
    let imports = scope_checks(&m, &mut out);
    ingress::check(&m, &mut out);
    usage::check(&m, &flagged, &mut out);
    registry_only::check(&m, &imports, &mut out);
    partial_input_notes(&m, &mut out);
    out
}

/// The checks that read Sidecar scopes (egress hosts, then listeners; their findings in that
/// order), one Sidecar at a time: its scope in each namespace it configures is computed, checked
/// and dropped, so that the scopes of every Sidecar, with all their reasons, are never in memory
/// together. Returns the services (registry ids) of each workload scope (`MeshContext::scope_keys`),
/// which is all that later checks read of them; empty when the input has no services.
fn scope_checks(m: &MeshContext, out: &mut Vec<Diagnostic>) -> Vec<Vec<ServiceId>> {
    let mut imports: Vec<Option<Vec<ServiceId>>> = Vec::new();
    if m.has_services {
        imports.resize(m.scope_keys.len(), None);
    }
    let mut listener_findings = Vec::new();
    for sc in &m.sidecars {
        // This Sidecar's scopes by key (namespaces that no config singles out share one).
        let mut computed: Vec<(crate::resolve::ScopeKey, ScopeParts)> = Vec::new();
        let mut sc_scopes = Vec::new();
        if m.has_services {
            for ns in context::config_namespaces(m.reg, &m.known_namespaces, sc) {
                let key = scope_key(m.reg, Some(sc.config), &ns);
                let at = match computed.iter().position(|(k, _)| *k == key) {
                    Some(at) => at,
                    None => {
                        computed.push((key, scope_parts(m.reg, Some(sc.config), &ns)));
                        computed.len() - 1
                    }
                };
                sc_scopes.push((ns, computed[at].1.egress.clone()));
            }
        }
        egress_hosts::check(m, sc, &sc_scopes, out);
        listeners::check(m, sc, &sc_scopes, &mut listener_findings);
        for (key, parts) in computed {
            if let Some(&i) = m.scope_index.get(&key) {
                imports[i] = Some(parts.service_ids);
            }
        }
    }
    out.extend(listener_findings);
    // The scopes of workloads that no Sidecar of the input governs.
    imports
        .into_iter()
        .enumerate()
        .map(|(i, ids)| {
            ids.unwrap_or_else(|| {
                let ((sidecar, _), ns) = &m.scope_keys[i];
                scope_parts(m.reg, *sidecar, ns).service_ids
            })
        })
        .collect()
}

/// SC3009 / SC3010: what was skipped because the input lacks workloads or services.
fn partial_input_notes(m: &MeshContext, out: &mut Vec<Diagnostic>) {
    let first = &m.sidecars[0];
    let at = |sc: &context::SidecarRef| (sc.resource.source, sc.resource.start());
    if !m.has_workloads {
        let sc = m.sidecars.iter().find(|s| s.has_selector()).unwrap_or(first);
        let (source, range) = at(sc);
        out.push(note(
            Code::NoWorkloadsInInput,
            "the input has no workloads (Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets or WorkloadEntries), so the checks of which workloads each Sidecar selects were skipped",
            "add the workloads to the input to check selectors (istioctl analyze on files would report every selector as matching nothing)",
            source,
            range,
        ));
    }
    if !m.has_services && m.sidecars.iter().any(|s| !m.config(s).egress.is_empty()) {
        let sc = m.sidecars.iter().find(|s| !m.config(s).egress.is_empty()).unwrap_or(first);
        let (source, range) = at(sc);
        out.push(note(
            Code::NoServicesInInput,
            "the input has no Services or ServiceEntries, so the checks of what egress hosts import were skipped",
            "add the Services and ServiceEntries to the input to check egress hosts and listeners",
            source,
            range,
        ));
    }
}

fn note(code: Code, message: &str, hint: &str, source: SourceId, range: TextRange) -> Diagnostic {
    Diagnostic::new(code, message, source, range).with_hint(hint)
}

/// A hint of one of our own checks, saying that it goes beyond istioctl and Kiali.
fn beyond(hint: &str) -> String {
    format!("{hint} (a Sidecarscope check; istioctl analyze and Kiali do not report this)")
}
