//! The input as the proxy panels see it: the workspace of the page's text (its own, kept across
//! renders with its parsed documents, so an edit parses only the documents it changed), the
//! workloads to choose from, and the proxy the panels are about ([`Target`]). The shell's
//! workspace (web/src/analysis.rs) reads the same text with the same options
//! (`sidecarscope_web_common::options`), so both see one input.

use sidecarscope::workspace::DocumentCache;
use sidecarscope::{
    ListenerSet, Proxy, ProxySpec, Registry, Resolution, ResourceKind, SourceFile, Workload, Workspace,
};
use sidecarscope_web_common::share::ProxyChoice;
use sidecarscope_web_common::INPUT_NAME;

/// The workspace of the current text.
pub struct Model {
    pub ws: Workspace,
}

impl Model {
    /// Reads `text`, reusing the documents the `previous` model read (their trees move to this
    /// one: only the edited documents are parsed, and nothing is copied).
    pub fn read(text: &str, choice: &ProxyChoice, namespace: &str, previous: Option<Model>) -> Model {
        let options = sidecarscope_web_common::options(choice, namespace);
        let cache = previous.map_or_else(|| DocumentCache::new(true), |m| m.ws.into_document_cache());
        let ws = Workspace::with_document_cache(vec![SourceFile::new(INPUT_NAME, text)], options, cache);
        ws.input();
        Model { ws }
    }

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

/// What the panels are about: the workloads of the input and the proxy chosen.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// Resources read from the input.
    pub resources: usize,
    /// The workloads of the input, for the proxy picker.
    pub workloads: Vec<WorkloadItem>,
    /// The proxy that Effective config, Listeners and Trace are about (`None`: nothing to
    /// resolve: no resources, or no workload and no custom proxy).
    pub proxy: Option<Proxy>,
    /// The workload that proxy is (`None` for a custom proxy).
    pub workload: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadItem {
    /// `Kind/namespace/name`, as [`ProxyChoice::workload`] keeps it.
    pub key: String,
    /// UTF-16 range of the resource in the editor.
    pub from: u32,
    pub to: u32,
}

fn key(w: &Workload) -> String {
    format!("{}/{}/{}", w.kind, w.namespace, w.name)
}

impl Target {
    /// The workloads of the model, and the proxy of the choice: the workload it names (or the
    /// first), or the custom proxy, with the metadata field over what either implies (as the
    /// CLI's `--proxy-metadata` does).
    pub fn of(model: &Model, choice: &ProxyChoice) -> Target {
        let ws = &model.ws;
        let input = ws.input();
        let list = ws.workloads();
        let workloads = list
            .iter()
            .map(|w| {
                let src = input.source(w.source);
                WorkloadItem { key: key(w), from: src.utf16_offset(w.range.start), to: src.utf16_offset(w.range.end) }
            })
            .collect();
        let metadata = sidecarscope_web_common::share::pairs(&choice.metadata);
        let (proxy, workload) = match &choice.custom {
            _ if input.resources.is_empty() => (None, None),
            Some(c) => {
                let mut spec = c.to_spec();
                spec.metadata.extend(metadata);
                (ws.proxy(&spec).ok().map(|(p, _)| p), None)
            }
            None => match list.iter().find(|w| key(w) == choice.workload).or(list.first()) {
                Some(w) => {
                    let spec = ProxySpec { metadata, ..ProxySpec::default() };
                    (Some(spec.over(Proxy::for_workload(w))), Some(key(w)))
                }
                None => (None, None),
            },
        };
        Target { resources: input.resources.len(), workloads, proxy, workload }
    }
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

/// The model and target of a text, for tests.
#[cfg(test)]
pub fn read(text: &str, choice: &ProxyChoice) -> (Target, Model) {
    let m = Model::read(text, choice, "", None);
    (Target::of(&m, choice), m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sidecarscope_web_common::examples;
    use sidecarscope_web_common::share::CustomProxy;

    #[test]
    fn the_first_workload_is_resolved_by_default() {
        let (a, m) = read(examples::find("ratings-uds").unwrap().text, &ProxyChoice::default());
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
        let (a, m) = read(
            examples::find("ratings-uds").unwrap().text,
            &ProxyChoice { custom: Some(custom), ..Default::default() },
        );
        assert_eq!(a.workload, None);
        let e = effective(&m, a.proxy.as_ref().expect("a proxy"));
        assert!(e.resolution.sidecar.is_none(), "the ratings Sidecar does not select app=other");
    }

    #[test]
    fn listeners_link_to_their_yaml() {
        let (a, m) = read(examples::find("ratings-uds").unwrap().text, &ProxyChoice::default());
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

    /// Proxy metadata and istiod flags from the page reach the listeners, as the CLI's
    /// `--proxy-metadata` and `--istiod-env` do.
    #[test]
    fn proxy_metadata_and_istiod_flags_apply() {
        let text = examples::find("ratings-uds").unwrap().text;
        let (a, m) = read(text, &ProxyChoice::default());
        let plain = listeners(&m, a.proxy.as_ref().unwrap());
        let choice = ProxyChoice {
            metadata: "HTTP_PROXY_PORT=15080, UNPRIVILEGED_POD=true".into(),
            istiod: "PILOT_HTTP10=true".into(),
            ..Default::default()
        };
        let (b, m2) = read(text, &choice);
        let p = b.proxy.as_ref().unwrap();
        assert_eq!(p.metadata.get("HTTP_PROXY_PORT").map(String::as_str), Some("15080"));
        assert_eq!(m2.ws.options().istiod_env.get("PILOT_HTTP10").map(String::as_str), Some("true"));
        let set = listeners(&m2, p);
        assert!(set.listeners.iter().any(|l| l.port == 15080), "an HTTP proxy listener on 15080");
        assert!(!plain.listeners.iter().any(|l| l.port == 15080));
        let unknown = ProxyChoice { istiod: "NOT_A_FLAG=1".into(), ..Default::default() };
        let (c, m3) = read(text, &unknown);
        let e = effective(&m3, c.proxy.as_ref().unwrap());
        assert!(e.resolution.notes.iter().any(|n| n.contains("NOT_A_FLAG")), "{:?}", e.resolution.notes);
    }

    /// The model of an edited text parses only the edited document again, and reads as a fresh one.
    #[test]
    fn an_edit_reuses_the_parsed_documents() {
        let text = examples::find("ratings-uds").unwrap().text;
        let m1 = Model::read(text, &ProxyChoice::default(), "", None);
        let names = |m: &Model| m.ws.input().resources.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
        let before = names(&m1);
        let parsed = m1.ws.documents_parsed();
        let edited = text.replacen("ratings-v1", "ratings-v2", 1);
        let m2 = Model::read(&edited, &ProxyChoice::default(), "", Some(m1));
        let fresh = Model::read(&edited, &ProxyChoice::default(), "", None);
        assert_eq!(format!("{:?}", m2.ws.input().resources), format!("{:?}", fresh.ws.input().resources));
        assert_ne!(before, names(&m2));
        assert_eq!(m2.ws.documents_parsed(), parsed + 1, "only the edited document is parsed again");
    }

    /// A resolution reads back as the JSON serde_json writes (the raw view of Effective config).
    #[test]
    fn a_resolution_reads_back_as_json() {
        let (a, m) = read(examples::find("connection-pool").unwrap().text, &Default::default());
        let r = effective(&m, a.proxy.as_ref().unwrap()).resolution;
        let ours: serde_json::Value =
            serde_json::from_str(&sidecarscope_web_common::json::to_string_pretty(&r)).unwrap();
        assert_eq!(ours, serde_json::to_value(&r).unwrap());
    }
}
