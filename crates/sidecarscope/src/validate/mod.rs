//! Validation of every Sidecar as Istio would do it: decoding, the CRD schema, and Istio's
//! validator (`spec/validation.md`). Findings carry Istio's exact text, plus hints of ours.

mod fields;
mod pool;
pub mod schema;
mod tls;
pub mod values;
mod webhook;

use crate::diagnostic::{Diagnostic, Severity};
use crate::load::{Input, Resource, ResourceKind};

/// Every finding of the input: loading problems, then each Sidecar's validation, in input order.
pub fn validate(input: &Input) -> Vec<Diagnostic> {
    let mut out = input.diagnostics.clone();
    for r in input.of_kind(ResourceKind::Sidecar) {
        out.extend(validate_sidecar(r));
    }
    crate::load::note_defaulted_namespaces(input, &mut out);
    out
}

/// All three layers for one Sidecar.
pub fn validate_sidecar(resource: &Resource) -> Vec<Diagnostic> {
    let mut ctx = webhook::Ctx::new(resource);
    if !webhook::validate_metadata(&mut ctx) {
        return ctx.out;
    }
    webhook::validate_top_level_fields(&mut ctx);
    let spec = resource.spec().filter(|s| !s.is_null());
    let mut out = Vec::new();
    let mut decode_errors = Vec::new();
    if let Some(spec) = spec {
        let report = schema::check_spec(resource, spec);
        decode_errors = report.decode_error_paths;
        out.extend(report.diagnostics);
    }
    let before = ctx.out.len();
    match spec {
        Some(spec) if spec.as_map().is_some() => webhook::validate_sidecar(&mut ctx, spec),
        Some(_) => {}
        None => {
            // No spec decodes to an empty Sidecar.
            let empty =
                crate::yaml::Node { kind: crate::yaml::NodeKind::Map(Box::default()), range: resource.node.range };
            webhook::validate_sidecar(&mut ctx, &empty);
            if let Some(d) = ctx.out.last_mut() {
                d.range = crate::text::TextRange::empty(resource.node.range.start);
            }
        }
    }
    // Istio rejects a spec that fails to decode before its validator runs. We still run the
    // validator, but drop its findings on fields that did not decode: they would only repeat
    // the decoding error.
    let validator = ctx.out.split_off(before);
    out.splice(0..0, ctx.out);
    for d in validator {
        let overlaps = decode_errors.iter().any(|p| is_prefix_path(p, &d.path) || is_prefix_path(&d.path, p));
        if overlaps {
            continue;
        }
        let mut d = d;
        if !decode_errors.is_empty() && d.severity == Severity::Error {
            let note = "Istio reports this once the decoding error is fixed";
            d.hint = Some(match d.hint {
                Some(h) => format!("{h} ({note})"),
                None => note.to_string(),
            });
        }
        out.push(d);
    }
    out
}

/// Whether `prefix` names `path` or one of its ancestors (`spec.egress` of `spec.egress[0].bind`).
fn is_prefix_path(prefix: &str, path: &str) -> bool {
    path == prefix || (path.starts_with(prefix) && matches!(path.as_bytes().get(prefix.len()), Some(b'.') | Some(b'[')))
}
