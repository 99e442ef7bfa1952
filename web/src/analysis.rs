//! The core over the editor's text, through the core's `Workspace`. Each edit makes a workspace
//! (handing it the documents the previous one parsed, so only the edited documents are parsed
//! again), reads it in steps ([`loading`]), then [`analyze_input`]: the mesh analysis (sorted,
//! then the suppression annotations applied, as in every front end) for Problems and the
//! squiggles, the workloads for the proxy picker, and the proxy the other panels are about. What
//! only one panel shows (the resolution, the listeners, a trace) is asked of the kept [`Model`]'s
//! workspace when that panel is open, so typing never pays for hidden panels; the registry is
//! built once per edit, by the workspace. The app calls the core crate directly; nothing here
//! goes through JSON.

use std::cell::RefCell;

use sidecarscope::report::{JsonDiagnostic, Summary};
use sidecarscope::workspace::DocumentCache;
use sidecarscope::{
    ListenerSet, Options, Proxy, ProxySpec, Registry, Resolution, ResourceKind, SourceFile, Workload, Workspace,
};

use crate::share::ProxyChoice;

/// The name the input has in diagnostics (and in the CLI's output for the same text).
pub const INPUT_NAME: &str = "input.yaml";

thread_local! {
    /// The documents the last workspace parsed, for the next edit's.
    static DOCUMENTS: RefCell<Option<DocumentCache>> = const { RefCell::new(None) };
}

#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub diagnostics: Vec<JsonDiagnostic>,
    /// Per diagnostic: from Istio's admission (reading the input, decoding, the CRD schema,
    /// the webhook's validator), not the mesh analysis.
    pub admission: Vec<bool>,
    /// Istio's verdict on each Sidecar of the input, in source order.
    pub verdicts: Vec<Verdict>,
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

/// A Sidecar as the API server and Istio's webhook answer it: rejected when its admission
/// findings hold an error.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub namespace: String,
    pub name: String,
    pub errors: usize,
    pub warnings: usize,
    /// UTF-16 range of the resource in the editor.
    pub from: u32,
    pub to: u32,
}

impl Analysis {
    /// The Sidecars Istio rejects.
    pub fn rejected(&self) -> usize {
        self.verdicts.iter().filter(|v| v.errors > 0).count()
    }

    /// The findings counted by severity: Istio's admission's (`true`) or the mesh analysis'.
    pub fn counts(&self, admission: bool) -> Summary {
        let mut s = Summary::default();
        for (d, _) in self.diagnostics.iter().zip(&self.admission).filter(|(_, a)| **a == admission) {
            match d.severity {
                sidecarscope::Severity::Error => s.errors += 1,
                sidecarscope::Severity::Warning => s.warnings += 1,
                sidecarscope::Severity::Info => s.infos += 1,
            }
        }
        s
    }
}

#[derive(Debug, Clone)]
pub struct WorkloadItem {
    /// `Kind/namespace/name`, as [`ProxyChoice::workload`] keeps it.
    pub key: String,
    /// UTF-16 range of the resource in the editor.
    pub from: u32,
    pub to: u32,
}

/// The workspace of the current text, kept for the panels computed on demand.
pub struct Model {
    pub ws: Workspace,
}

impl Model {
    /// The registry, built by the workspace the first time a panel needs it.
    pub fn registry(&self) -> &Registry {
        self.ws.registry()
    }

    /// UTF-16 range of a resource in the editor.
    pub fn range_of(&self, kind: ResourceKind, namespace: &str, name: &str) -> Option<(u32, u32)> {
        let input = self.ws.input();
        let r = input.of_kind(kind).find(|r| r.namespace == namespace && r.name == name)?;
        let src = input.source(r.source);
        Some((src.utf16_offset(r.node.range.start), src.utf16_offset(r.node.range.end)))
    }
}

fn key(w: &Workload) -> String {
    format!("{}/{}/{}", w.kind, w.namespace, w.name)
}

#[cfg(test)]
pub fn analyze(text: &str, choice: &ProxyChoice) -> (Analysis, Model) {
    analyze_input(loading(text, choice, "").finish(), choice)
}

/// An edit's workspace being read, a few documents at a time (a large input's edit reads it over
/// several tasks).
pub struct Loading {
    ws: Workspace,
}

impl Loading {
    /// Reads documents until `more()` says stop (at least one); true once all are read.
    pub fn step(&mut self, more: &mut dyn FnMut() -> bool) -> bool {
        self.ws.step_loading(more)
    }

    /// The workspace, read (its parsed documents kept for the next edit).
    pub fn finish(mut self) -> Workspace {
        self.ws.input();
        let cache = self.ws.take_document_cache();
        DOCUMENTS.with(|d| *d.borrow_mut() = Some(cache));
        self.ws
    }
}

/// The first half of [`analyze`]: the workspace of the text, with istiod's flags of the choice.
/// Resources without `metadata.namespace` go to `namespace` (as `kubectl apply -n`; empty or
/// blank: `default`).
pub fn loading(text: &str, choice: &ProxyChoice, namespace: &str) -> Loading {
    let default_namespace = match namespace.trim() {
        "" => sidecarscope::DEFAULT_NAMESPACE,
        ns => ns,
    };
    let options = Options {
        istiod_env: crate::share::pairs(&choice.istiod),
        default_namespace: default_namespace.to_string(),
        ..Options::default()
    };
    let cache = DOCUMENTS.with(|d| d.borrow_mut().take()).unwrap_or_else(|| DocumentCache::new(true));
    Loading { ws: Workspace::with_document_cache(vec![SourceFile::new(INPUT_NAME, text)], options, cache) }
}

/// The second half of [`analyze`].
pub fn analyze_input(ws: Workspace, choice: &ProxyChoice) -> (Analysis, Model) {
    let input = ws.input();
    // As `sidecarscope analyze` does: sorted, then the resources' suppression annotations (the
    // page has no `--suppress` rules).
    let findings = ws.analyze();
    let r = sidecarscope::render::findings_report(input, &findings);
    let diags = findings.diagnostics;
    use sidecarscope::diagnostic::Origin::{CrdSchema, Decoding, Input as Read, IstioValidator};
    let admission: Vec<bool> =
        diags.iter().map(|d| matches!(d.code.origin(), Read | Decoding | CrdSchema | IstioValidator)).collect();
    let verdicts = input
        .of_kind(ResourceKind::Sidecar)
        .map(|sc| {
            let src = input.source(sc.source);
            let mut v = Verdict {
                namespace: sc.namespace.clone(),
                name: sc.name.clone(),
                errors: 0,
                warnings: 0,
                from: src.utf16_offset(sc.node.range.start),
                to: src.utf16_offset(sc.node.range.end),
            };
            for (d, _) in r.diagnostics.iter().zip(&admission).filter(|(_, a)| **a) {
                if d.resource
                    .as_ref()
                    .is_some_and(|x| x.kind == "Sidecar" && x.namespace == v.namespace && x.name == v.name)
                {
                    match d.severity {
                        sidecarscope::Severity::Error => v.errors += 1,
                        sidecarscope::Severity::Warning => v.warnings += 1,
                        sidecarscope::Severity::Info => {}
                    }
                }
            }
            v
        })
        .collect();

    let ws_list = ws.workloads();
    let workloads = ws_list
        .iter()
        .map(|w| {
            let src = input.source(w.source);
            WorkloadItem { key: key(w), from: src.utf16_offset(w.range.start), to: src.utf16_offset(w.range.end) }
        })
        .collect();
    // The metadata field over what the workload or the custom form implies (as the CLI's
    // `--proxy-metadata` does).
    let metadata = crate::share::pairs(&choice.metadata);
    let (proxy, workload) = match &choice.custom {
        _ if input.resources.is_empty() => (None, None),
        Some(c) => {
            let mut spec = c.to_spec();
            spec.metadata.extend(metadata);
            (ws.proxy(&spec).ok().map(|(p, _)| p), None)
        }
        None => match ws_list.iter().find(|w| key(w) == choice.workload).or(ws_list.first()) {
            Some(w) => {
                let spec = ProxySpec { metadata, ..ProxySpec::default() };
                (Some(spec.over(Proxy::for_workload(w))), Some(key(w)))
            }
            None => (None, None),
        },
    };
    let a = Analysis {
        diagnostics: r.diagnostics,
        admission,
        verdicts,
        summary: r.summary,
        resources: input.resources.len(),
        sidecars: input.of_kind(ResourceKind::Sidecar).count(),
        workloads,
        proxy,
        workload,
        elapsed_ms: None,
    };
    (a, Model { ws })
}

/// Effective config: the resolution of the proxy, and where its Sidecar is in the editor.
pub struct Effective {
    pub resolution: Resolution,
    pub sidecar_range: Option<(u32, u32)>,
}

pub fn effective(model: &Model, proxy: &Proxy) -> Effective {
    let resolution = model.ws.session().resolve_proxy(proxy, None);
    let sidecar_range =
        resolution.sidecar.as_ref().and_then(|s| model.range_of(ResourceKind::Sidecar, &s.namespace, &s.name));
    Effective { resolution, sidecar_range }
}

/// The listeners istiod generates for the proxy, with source links (`ListenerSet::locate`).
pub fn listeners(model: &Model, proxy: &Proxy) -> ListenerSet {
    model.ws.session().listeners_of(proxy)
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
        let annotated = text.replacen(
            "metadata:\n",
            &format!("metadata:\n  annotations:\n    galley.istio.io/analyze-suppress: {code}\n"),
            1,
        );
        let (b, _) = analyze(&annotated, &ProxyChoice::default());
        assert!(b.diagnostics.iter().all(|d| d.code != code), "{:?}", b.diagnostics);
        let n = a.diagnostics.iter().filter(|d| d.code == code).count();
        assert!(n > 0 && b.summary.suppressed > 0 && b.diagnostics.len() + b.summary.suppressed == a.diagnostics.len());
        assert!(crate::markdown::counts(&b.summary).ends_with(&format!("{} suppressed", b.summary.suppressed)));
    }

    /// The page's default namespace places resources that name none, as `kubectl apply -n`.
    #[test]
    fn resources_without_a_namespace_go_to_the_default_namespace() {
        let text = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: s\nspec:\n  egress:\n  - hosts: [\"./*\"]\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: other\n";
        for (ns, want) in [("", "default"), ("  ", "default"), ("team-a", "team-a"), (" team-b ", "team-b")] {
            let ws = loading(text, &ProxyChoice::default(), ns).finish();
            let input = ws.input();
            let kinds: Vec<(String, String)> =
                input.resources.iter().map(|r| (r.name.clone(), r.namespace.clone())).collect();
            assert_eq!(kinds, [("s".to_string(), want.to_string()), ("p".to_string(), "other".to_string())], "{ns:?}");
        }
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
        let (a, m) = analyze(
            crate::examples::find("ratings-uds").unwrap().text,
            &ProxyChoice { custom: Some(custom), ..Default::default() },
        );
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
        let l = set
            .listeners
            .iter()
            .find(|l| l.port == 9080 && l.address == "0.0.0.0")
            .expect("the egress listener on 9080");
        assert!(
            l.origin.sources.iter().any(|s| s.resource.starts_with("Sidecar") && s.range.is_some()),
            "{:?}",
            l.origin
        );
    }

    /// Istio's verdict per Sidecar: its admission findings (the webhook's) decide it; the mesh
    /// analysis' findings are counted apart.
    #[test]
    fn a_sidecar_is_rejected_by_its_admission_errors_only() {
        let text = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: bad\n  namespace: ns\nspec:\n  egress:\n  - hosts: [reviews, \"ns2/ratings\"]\n---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: good\n  namespace: ns\nspec:\n  workloadSelector:\n    labels: {app: x}\n  egress:\n  - hosts: [\"./*\"]\n";
        let (a, _) = analyze(text, &ProxyChoice::default());
        assert_eq!(a.verdicts.len(), 2);
        let (bad, good) = (&a.verdicts[0], &a.verdicts[1]);
        assert_eq!((bad.name.as_str(), bad.errors), ("bad", 2), "{:?}", a.diagnostics);
        assert_eq!((good.name.as_str(), good.errors), ("good", 0));
        assert_eq!(a.rejected(), 1);
        // The short name's fix names the entry's namespace.
        assert!(
            a.diagnostics
                .iter()
                .any(|d| d.hint.as_deref().is_some_and(|h| h.contains("`ns2/ratings.ns2.svc.cluster.local`"))),
            "{:?}",
            a.diagnostics
        );
        let istio = a.counts(true);
        let mesh = a.counts(false);
        assert_eq!(istio.errors, 2);
        // SC3009/SC3010 (no workloads, no services) are the mesh analysis', not Istio's verdict.
        assert!(mesh.infos >= 1, "{:?}", a.diagnostics);
        assert_eq!(
            istio.errors + istio.warnings + istio.infos + mesh.errors + mesh.warnings + mesh.infos,
            a.diagnostics.len()
        );
        assert!(
            a.diagnostics.iter().zip(&a.admission).all(|(d, adm)| *adm == (d.code < "SC2000")),
            "{:?}",
            a.diagnostics
        );
    }

    /// Proxy metadata and istiod flags from the page reach the listeners, as the CLI's
    /// `--proxy-metadata` and `--istiod-env` do.
    #[test]
    fn proxy_metadata_and_istiod_flags_apply() {
        let text = crate::examples::find("ratings-uds").unwrap().text;
        let (a, m) = analyze(text, &ProxyChoice::default());
        let plain = listeners(&m, a.proxy.as_ref().unwrap());
        let choice = ProxyChoice {
            metadata: "HTTP_PROXY_PORT=15080, UNPRIVILEGED_POD=true".into(),
            istiod: "PILOT_HTTP10=true".into(),
            ..Default::default()
        };
        let (b, m2) = analyze(text, &choice);
        let p = b.proxy.as_ref().unwrap();
        assert_eq!(p.metadata.get("HTTP_PROXY_PORT").map(String::as_str), Some("15080"));
        assert_eq!(m2.ws.options().istiod_env.get("PILOT_HTTP10").map(String::as_str), Some("true"));
        let set = listeners(&m2, p);
        assert!(set.listeners.iter().any(|l| l.port == 15080), "an HTTP proxy listener on 15080");
        assert!(!plain.listeners.iter().any(|l| l.port == 15080));
        let unknown = ProxyChoice { istiod: "NOT_A_FLAG=1".into(), ..Default::default() };
        let (c, m3) = analyze(text, &unknown);
        let e = effective(&m3, c.proxy.as_ref().unwrap());
        assert!(e.resolution.notes.iter().any(|n| n.contains("NOT_A_FLAG")), "{:?}", e.resolution.notes);
    }

    #[test]
    fn two_selector_less_sidecars_are_an_error() {
        let (a, _) = analyze(crate::examples::find("mistake-two-defaults").unwrap().text, &ProxyChoice::default());
        assert!(a.diagnostics.iter().any(|d| d.severity == sidecarscope::Severity::Error), "{:?}", a.diagnostics);
    }
}
