//! The core over the editor's text. Each edit runs [`analyze`]: the text's `Loading`, the mesh
//! analysis (`sidecarscope::analyze`, which includes validation) for Problems and the squiggles,
//! the workloads for the proxy picker, and the proxy the other panels are about. What only one
//! panel shows (the resolution, the listeners, a trace) is computed from the kept [`Model`] when
//! that panel is open, so typing never pays for hidden panels.
//! The app calls the core crate directly; nothing here goes through JSON.

use std::cell::OnceCell;
use std::collections::BTreeMap;

use sidecarscope::report::{self, JsonDiagnostic, Summary};
use sidecarscope::{Input, ListenerSet, Loading, Proxy, Registry, Resolution, Resolver, ResourceKind, SourceFile, Workload};

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
    /// The proxy that Effective config, Listeners and Trace are about (`None`: nothing to
    /// resolve: no resources, or no workload and no custom proxy).
    pub proxy: Option<Proxy>,
    /// The workload that proxy is (`None` for a custom proxy).
    pub workload: Option<String>,
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

/// The loaded input, kept for the panels computed on demand.
pub struct Model {
    pub input: Input,
    registry: OnceCell<Registry>,
}

impl Model {
    /// The registry, built the first time a panel needs it.
    pub fn registry(&self) -> &Registry {
        self.registry.get_or_init(|| Registry::build(&self.input))
    }

    /// UTF-16 range of a resource in the editor.
    pub fn range_of(&self, kind: ResourceKind, namespace: &str, name: &str) -> Option<(u32, u32)> {
        let r = self.input.of_kind(kind).find(|r| r.namespace == namespace && r.name == name)?;
        let src = self.input.source(r.source);
        Some((src.utf16_offset(r.node.range.start), src.utf16_offset(r.node.range.end)))
    }
}

fn key(w: &Workload) -> String {
    format!("{}/{}/{}", w.kind, w.namespace, w.name)
}

#[cfg(test)]
pub fn analyze(text: &str, choice: &ProxyChoice) -> (Analysis, Model) {
    analyze_input(loading(text).finish(), choice)
}

/// The first half of [`analyze`], in steps: a large input's edit reads it over several tasks.
pub fn loading(text: &str) -> Loading {
    Loading::new(vec![SourceFile::new(INPUT_NAME, text)])
}

/// The second half of [`analyze`].
pub fn analyze_input(input: Input, choice: &ProxyChoice) -> (Analysis, Model) {
    let mut diags = sidecarscope::analyze(&input);
    // As `sidecarscope analyze` does: the resources' suppression annotations (the page has no
    // `--suppress` rules).
    let suppressed = sidecarscope::suppress::apply(&input, &mut diags, &[]).len();
    report::sort(&mut diags);
    let mut r = report::diagnostics_report(&input, &diags);
    r.summary.suppressed = suppressed;

    let ws = sidecarscope::workloads(&input);
    let workloads = ws
        .iter()
        .map(|w| {
            let src = input.source(w.source);
            WorkloadItem { key: key(w), from: src.utf16_offset(w.range.start), to: src.utf16_offset(w.range.end) }
        })
        .collect();
    let (proxy, workload) = match &choice.custom {
        _ if input.resources.is_empty() => (None, None),
        Some(c) => (Some(c.to_proxy()), None),
        None => match ws.iter().find(|w| key(w) == choice.workload).or(ws.first()) {
            Some(w) => (Some(Proxy::for_workload(w)), Some(key(w))),
            None => (None, None),
        },
    };
    let a = Analysis {
        diagnostics: r.diagnostics,
        summary: r.summary,
        resources: input.resources.len(),
        sidecars: input.of_kind(ResourceKind::Sidecar).count(),
        workloads,
        proxy,
        workload,
        elapsed_ms: None,
    };
    (a, Model { input, registry: OnceCell::new() })
}

/// Effective config: the resolution of the proxy, and where its Sidecar is in the editor.
pub struct Effective {
    pub resolution: Resolution,
    pub sidecar_range: Option<(u32, u32)>,
}

pub fn effective(model: &Model, proxy: &Proxy) -> Effective {
    let resolution = Resolver::new(model.registry()).resolve(proxy);
    let sidecar_range = resolution.sidecar.as_ref().and_then(|s| model.range_of(ResourceKind::Sidecar, &s.namespace, &s.name));
    Effective { resolution, sidecar_range }
}

/// The listeners istiod generates for the proxy, with source links (`ListenerSet::locate`).
pub fn listeners(model: &Model, proxy: &Proxy) -> ListenerSet {
    sidecarscope::listeners_with(model.registry(), &model.input, proxy, &BTreeMap::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::share::CustomProxy;

    /// The page applies the resources' suppression annotations as `sidecarscope analyze` does,
    /// and counts what they left out.
    #[test]
    fn suppression_annotations_leave_findings_out() {
        let text = crate::examples::find("mistake-short-host").unwrap().text;
        let (a, _) = analyze(text, &ProxyChoice::default());
        let code = a.diagnostics.first().expect("the mistake is found").code;
        let annotated = text.replacen("metadata:\n", &format!("metadata:\n  annotations:\n    galley.istio.io/analyze-suppress: {code}\n"), 1);
        let (b, _) = analyze(&annotated, &ProxyChoice::default());
        assert!(b.diagnostics.iter().all(|d| d.code != code), "{:?}", b.diagnostics);
        let n = a.diagnostics.iter().filter(|d| d.code == code).count();
        assert!(n > 0 && b.summary.suppressed > 0 && b.diagnostics.len() + b.summary.suppressed == a.diagnostics.len());
        assert!(crate::markdown::counts(&b.summary).ends_with(&format!("{} suppressed", b.summary.suppressed)));
    }

    #[test]
    fn the_first_workload_is_resolved_by_default() {
        let (a, m) = analyze(crate::examples::find("ratings-uds").unwrap().text, &ProxyChoice::default());
        assert_eq!(a.workloads.len(), 1);
        assert_eq!(a.workload.as_deref(), Some("Deployment/prod-us1/ratings-v1"));
        let e = effective(&m, a.proxy.as_ref().expect("a proxy"));
        let sc = e.resolution.sidecar.expect("a Sidecar applies");
        assert_eq!((sc.namespace.as_str(), sc.name.as_str()), ("prod-us1", "ratings"));
        assert_eq!(e.resolution.egress.len(), 2);
        assert!(e.sidecar_range.is_some());
    }

    #[test]
    fn a_custom_proxy_is_resolved() {
        let custom = CustomProxy { namespace: "prod-us1".into(), labels: "app=other".into(), ..CustomProxy::default() };
        let (a, m) = analyze(crate::examples::find("ratings-uds").unwrap().text, &ProxyChoice { workload: String::new(), custom: Some(custom) });
        assert_eq!(a.workload, None);
        let e = effective(&m, a.proxy.as_ref().expect("a proxy"));
        assert!(e.resolution.sidecar.is_none(), "the ratings Sidecar does not select app=other");
    }

    #[test]
    fn listeners_link_to_their_yaml() {
        let (a, m) = analyze(crate::examples::find("ratings-uds").unwrap().text, &ProxyChoice::default());
        let set = listeners(&m, a.proxy.as_ref().unwrap());
        let rows = sidecarscope::listeners::table::rows(&set);
        assert!(rows.iter().any(|r| r.port == 9080), "{rows:?}");
        let l = set.listeners.iter().find(|l| l.port == 9080 && l.address == "0.0.0.0").expect("the egress listener on 9080");
        assert!(l.origin.sources.iter().any(|s| s.resource.starts_with("Sidecar") && s.range.is_some()), "{:?}", l.origin);
    }

    #[test]
    fn two_selector_less_sidecars_are_an_error() {
        let (a, _) = analyze(crate::examples::find("mistake-two-defaults").unwrap().text, &ProxyChoice::default());
        assert!(a.diagnostics.iter().any(|d| d.severity == sidecarscope::Severity::Error), "{:?}", a.diagnostics);
    }
}
