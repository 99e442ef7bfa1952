//! One run of the core over the editor's text: everything the panels show, computed at once:
//! validation for Problems, workloads and a resolution for Effective config.
//! The app calls the core crate directly; nothing here goes through JSON.

use sidecarscope::report::{self, JsonDiagnostic, Summary};
use sidecarscope::{Registry, Resolution, Resolver, ResourceKind, Workload};

use crate::share::ProxyChoice;

/// The name the input has in diagnostics (and in the CLI's output for the same text).
pub const INPUT_NAME: &str = "input.yaml";

#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub diagnostics: Vec<JsonDiagnostic>,
    pub summary: Summary,
    /// Resources read from the input, by what the core understands them to be.
    pub resources: usize,
    pub sidecars: usize,
    /// The workloads of the input, for the proxy picker.
    pub workloads: Vec<WorkloadItem>,
    /// The effective configuration of the chosen proxy (`None`: nothing to resolve).
    pub effective: Option<Effective>,
    /// Wall time of the core, in milliseconds; `None` natively.
    pub elapsed_ms: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct WorkloadItem {
    /// `Kind/namespace/name`, as [`ProxyChoice::workload`] keeps it.
    pub key: String,
    /// UTF-16 range of the resource in the editor.
    pub from: u32,
    pub to: u32,
}

#[derive(Debug, Clone)]
pub struct Effective {
    /// The workload resolved, or `None` for a custom proxy.
    pub workload: Option<String>,
    pub resolution: Resolution,
    /// UTF-16 range of the Sidecar that applies, in the editor.
    pub sidecar_range: Option<(u32, u32)>,
}

fn key(w: &Workload) -> String {
    format!("{}/{}/{}", w.kind, w.namespace, w.name)
}

pub fn analyze(text: &str, proxy: &ProxyChoice) -> Analysis {
    let input = sidecarscope::load_text(INPUT_NAME, text);
    // Validation only, for now: the mesh checks (`sidecarscope::analyze::analyze_mesh`) add
    // about 38 KB gzipped of wasm, which the first-load budget cannot take yet.
    let mut diags = sidecarscope::validate(&input);
    report::sort(&mut diags);
    let r = report::diagnostics_report(&input, &diags);

    let ws = sidecarscope::workloads(&input);
    let workloads = ws
        .iter()
        .map(|w| {
            let src = input.source(w.source);
            WorkloadItem { key: key(w), from: src.utf16_offset(w.range.start), to: src.utf16_offset(w.range.end) }
        })
        .collect();
    let effective = (!input.resources.is_empty()).then(|| {
        let reg = Registry::build(&input);
        let mut resolver = Resolver::new(&reg);
        let (workload, resolution) = match &proxy.custom {
            Some(c) => (None, resolver.resolve(&c.to_proxy())),
            None => {
                let w = ws.iter().find(|w| key(w) == proxy.workload).or(ws.first())?;
                (Some(key(w)), resolver.resolve_workload(w))
            }
        };
        let sidecar_range = resolution.sidecar.as_ref().and_then(|s| {
            let r = input.of_kind(ResourceKind::Sidecar).find(|r| r.namespace == s.namespace && r.name == s.name)?;
            let src = input.source(r.source);
            Some((src.utf16_offset(r.node.range.start), src.utf16_offset(r.node.range.end)))
        });
        Some(Effective { workload, resolution, sidecar_range })
    });
    Analysis {
        diagnostics: r.diagnostics,
        summary: r.summary,
        resources: input.resources.len(),
        sidecars: input.of_kind(ResourceKind::Sidecar).count(),
        workloads,
        effective: effective.flatten(),
        elapsed_ms: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::share::CustomProxy;

    #[test]
    fn the_first_workload_is_resolved_by_default() {
        let a = analyze(crate::examples::find("ratings-uds").unwrap().text, &ProxyChoice::default());
        assert_eq!(a.workloads.len(), 1);
        let e = a.effective.expect("resolved");
        assert_eq!(e.workload.as_deref(), Some("Deployment/prod-us1/ratings-v1"));
        let sc = e.resolution.sidecar.expect("a Sidecar applies");
        assert_eq!((sc.namespace.as_str(), sc.name.as_str()), ("prod-us1", "ratings"));
        assert_eq!(e.resolution.egress.len(), 2);
    }

    #[test]
    fn a_custom_proxy_is_resolved() {
        let custom = CustomProxy { namespace: "prod-us1".into(), labels: "app=other".into(), ..CustomProxy::default() };
        let a = analyze(crate::examples::find("ratings-uds").unwrap().text, &ProxyChoice { workload: String::new(), custom: Some(custom) });
        let e = a.effective.expect("resolved");
        assert_eq!(e.workload, None);
        assert!(e.resolution.sidecar.is_none(), "the ratings Sidecar does not select app=other");
    }
}
