//! The one API every front end calls: a [`Workspace`] owns the sources and the options, reads
//! them, and answers typed questions (validate, analyze, resolve, listeners, trace) from what it
//! builds lazily and once: the loaded [`Input`], the [`Registry`], and, per [`Session`], the
//! [`Resolver`] and the [`ListenerGenerator`]. Learnt from rust-analyzer's
//! `AnalysisHost`/`Analysis` and Biome's `Workspace`: a front end converts its arguments into
//! the requests' types ([`ProxySpec`], [`CallSpec`], [`Options`]), calls the workspace, and
//! prints or serializes the result with `crate::render`; it holds no recipe of its own.
//!
//! Documents are parsed independently and kept ([`documents`]): after an edit, only the
//! documents whose text changed are parsed again, and the trees of the others move from the
//! last input to the next one without a copy. The free functions (`load`, `validate`,
//! `analyze`, `resolve`, `listeners`, `trace`) are the workspace's building blocks.

pub mod documents;
pub mod spec;

use std::cell::{OnceCell, RefCell};
use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::listeners::{ListenerGenerator, ListenerSet};
use crate::load::{Input, Loading, DEFAULT_NAMESPACE};
use crate::proxy::Proxy;
use crate::registry::Registry;
use crate::resolve::{Resolution, Resolver, WorkloadRef};
use crate::source::{SourceFile, SourceId};
use crate::suppress::{Rule, Suppressed};
use crate::text::TextRange;
use crate::trace::{Call, Trace};
use crate::workload::Workload;

pub use documents::DocumentCache;
pub use spec::{check_namespace, CallSpec, ProxySpec, Spelling};

/// What a workspace is read and asked with.
#[derive(Debug, Clone)]
pub struct Options {
    /// The namespace of resources without `metadata.namespace` (`kubectl apply -n`).
    pub default_namespace: String,
    /// `istioctl analyze -S` rules, applied by [`Workspace::analyze`] (after the resources'
    /// suppression annotations, which always apply).
    pub suppress: Vec<Rule>,
    /// istiod's feature flags (`KEY=VALUE`), for resolution, listeners and trace.
    pub istiod_env: BTreeMap<String, String>,
    /// Keep each parsed document so that the next load after an edit parses only the changed
    /// ones (an editor); a one-shot command keeps none (the copy would cost memory).
    pub retain_documents: bool,
    /// Report an input without any resource (`SC0011`, "no resources read"), as the CLI does.
    pub report_empty_input: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            default_namespace: DEFAULT_NAMESPACE.to_string(),
            suppress: Vec::new(),
            istiod_env: BTreeMap::new(),
            retain_documents: true,
            report_empty_input: false,
        }
    }
}

/// Findings, sorted by file and position, with what suppressions left out.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    pub diagnostics: Vec<Diagnostic>,
    /// Left out by a suppression annotation or rule (`analyze` only; `validate` answers as the
    /// admission webhook does, which has none).
    pub suppressed: Vec<Suppressed>,
}

/// The sources, the options, and what has been computed from them (see the module's doc).
#[derive(Debug)]
pub struct Workspace {
    options: Options,
    /// The sources while nothing is loaded; a load moves them into the [`Input`].
    unloaded: RefCell<Option<Vec<SourceFile>>>,
    /// Problems the front end had reading the sources (a file it could not read), by source.
    read_problems: Vec<(usize, Code, String)>,
    cache: RefCell<DocumentCache>,
    /// A load in steps ([`Workspace::step_loading`]).
    loading: RefCell<Option<Loading>>,
    input: OnceCell<Input>,
    registry: OnceCell<Registry>,
}

impl Workspace {
    pub fn new(sources: Vec<SourceFile>, options: Options) -> Workspace {
        Workspace {
            cache: RefCell::new(DocumentCache::new(options.retain_documents)),
            options,
            unloaded: RefCell::new(Some(sources)),
            read_problems: Vec::new(),
            loading: RefCell::new(None),
            input: OnceCell::new(),
            registry: OnceCell::new(),
        }
    }

    /// As [`Workspace::new`], reusing the documents another workspace parsed (a page that makes a
    /// workspace per edit hands them from one to the next: [`Workspace::into_document_cache`]).
    pub fn with_document_cache(sources: Vec<SourceFile>, options: Options, cache: DocumentCache) -> Workspace {
        let ws = Workspace::new(sources, options);
        *ws.cache.borrow_mut() = cache;
        ws
    }

    /// The parsed documents, for the next workspace, when this one is done: the loaded trees
    /// move to the next load without a copy (an editor that makes a workspace per edit hands
    /// the last one's documents on this way).
    pub fn into_document_cache(mut self) -> DocumentCache {
        self.take_sources();
        std::mem::take(self.cache.get_mut())
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The sources, as the last edit left them.
    pub fn sources(&mut self) -> &[SourceFile] {
        let sources = self.take_sources();
        *self.unloaded.get_mut() = Some(sources);
        self.unloaded.get_mut().as_deref().unwrap_or_default()
    }

    /// Replaces every source (documents whose text is unchanged are not parsed again).
    pub fn set_sources(&mut self, sources: Vec<SourceFile>) {
        self.take_sources();
        *self.unloaded.get_mut() = Some(sources);
    }

    /// Replaces the text of one source (by index; one past the last adds a source named
    /// `name`). Only its documents whose text changed are parsed again.
    pub fn set_text(&mut self, index: usize, name: &str, text: impl Into<String>) {
        let mut sources = self.take_sources();
        let file = SourceFile::new(name, text);
        match sources.get_mut(index) {
            Some(s) => *s = file,
            None => sources.push(file),
        }
        *self.unloaded.get_mut() = Some(sources);
    }

    /// Sets istiod's feature flags (nothing needs reading again).
    pub fn set_istiod_env(&mut self, env: BTreeMap<String, String>) {
        self.options.istiod_env = env;
    }

    /// Records that the front end could not read source `index` (`SC0009`) or skipped it
    /// (`SC0010`); the finding is part of the input's diagnostics.
    pub fn add_read_problem(&mut self, index: usize, code: Code, message: String) {
        let sources = self.take_sources();
        *self.unloaded.get_mut() = Some(sources);
        self.read_problems.push((index, code, message));
    }

    /// Everything computed is dropped; the sources come back from where the load put them, and
    /// the loaded trees go back to the document cache.
    fn take_sources(&mut self) -> Vec<SourceFile> {
        self.registry.take();
        let input = match self.input.take() {
            Some(input) => input,
            None => match self.loading.get_mut().take() {
                Some(loading) => loading.into_input(),
                None => return self.unloaded.get_mut().take().unwrap_or_default(),
            },
        };
        let cache = self.cache.get_mut();
        if cache.retain {
            cache.reclaim(input)
        } else {
            input.sources
        }
    }

    /// How many documents have been parsed since the workspace was made (a document kept from
    /// an earlier load is not parsed again).
    pub fn documents_parsed(&self) -> usize {
        self.cache.borrow().parsed()
    }

    /// Reads documents until `more()` says stop (at least one); true once the input is loaded.
    /// A page that must keep answering keys reads a large input over several tasks.
    pub fn step_loading(&mut self, more: &mut dyn FnMut() -> bool) -> bool {
        if self.input.get().is_some() {
            return true;
        }
        let mut loading = match self.loading.get_mut().take() {
            Some(l) => l,
            None => self.start_loading(),
        };
        if self.step(&mut loading, more) {
            let input = self.finish(loading);
            let _ = self.input.set(input);
            true
        } else {
            *self.loading.get_mut() = Some(loading);
            false
        }
    }

    fn start_loading(&self) -> Loading {
        let sources = self.unloaded.borrow_mut().take().unwrap_or_default();
        Loading::with_default_namespace(sources, &self.options.default_namespace)
    }

    fn step(&self, loading: &mut Loading, more: &mut dyn FnMut() -> bool) -> bool {
        let mut cache = self.cache.borrow_mut();
        loading.step_with(more, &mut |source, range, budget| cache.document(&source.name, &source.text, range, budget))
    }

    /// The end of a load: the front end's reading problems, and `SC0011` for an empty input.
    fn finish(&self, loading: Loading) -> Input {
        self.cache.borrow_mut().loaded();
        let mut input = loading.into_input();
        for (i, code, message) in &self.read_problems {
            let d = Diagnostic::new(*code, message.clone(), SourceId(*i as u32), TextRange::new(0, 0));
            input.diagnostics.push(match code {
                Code::UnreadableFile => {
                    d.with_hint("this file is left out; the others are still checked, and the exit code is 2")
                }
                _ => d.with_hint("only regular files are read from a directory; give the path by itself to read it"),
            });
        }
        if self.options.report_empty_input && input.resources.is_empty() {
            let last = input.sources.len().saturating_sub(1);
            let d =
                Diagnostic::new(Code::NoResources, "no resources read", SourceId(last as u32), TextRange::new(0, 0));
            input.diagnostics.push(d.with_hint(
                "the input is empty or holds only comments, so nothing was checked; `--fail-on warning` makes this fail",
            ));
        }
        input
    }

    /// The loaded input (read now if it was not).
    pub fn input(&self) -> &Input {
        self.input.get_or_init(|| {
            let mut loading = self.loading.borrow_mut().take().unwrap_or_else(|| self.start_loading());
            self.step(&mut loading, &mut || true);
            self.finish(loading)
        })
    }

    /// The registry of the input (built now if it was not).
    pub fn registry(&self) -> &Registry {
        self.registry.get_or_init(|| Registry::build(self.input()))
    }

    /// Whether a source could not be read (the CLI then exits with 2).
    pub fn unreadable(&self) -> bool {
        self.read_problems.iter().any(|(_, code, _)| *code == Code::UnreadableFile)
    }

    /// The workloads of the input, in input order.
    pub fn workloads(&self) -> Vec<Workload> {
        crate::workload::workloads(self.input())
    }

    /// Every Sidecar as istiod's webhook and the CRD schema answer it (no suppressions: the
    /// webhook has none).
    pub fn validate(&self) -> Findings {
        let mut diagnostics = crate::validate::validate(self.input());
        crate::report::sort(&mut diagnostics);
        Findings { diagnostics, suppressed: Vec::new() }
    }

    /// The whole mesh analysis: sorted, then the suppressions (annotations, and the options'
    /// rules) applied.
    pub fn analyze(&self) -> Findings {
        let input = self.input();
        let mut diagnostics = crate::analyze::analyze(input);
        crate::report::sort(&mut diagnostics);
        let suppressed = crate::suppress::apply(input, &mut diagnostics, &self.options.suppress);
        Findings { diagnostics, suppressed }
    }

    /// As [`Workspace::analyze`], over the workspace's registry (built once and kept): for a
    /// caller that also resolves or generates listeners from it (`impact`).
    pub fn analyze_keeping_registry(&self) -> Findings {
        let input = self.input();
        let mut diagnostics = crate::analyze::analyze_with_registry(input, self.registry());
        crate::report::sort(&mut diagnostics);
        let suppressed = crate::suppress::apply(input, &mut diagnostics, &self.options.suppress);
        Findings { diagnostics, suppressed }
    }

    /// As [`Workspace::analyze`] for a caller that asks nothing more: the trees of Services and
    /// workloads are freed as the registry reads them (`analyze_releasing_trees`), and the
    /// input (its sources and annotations, what reports read) is handed back.
    pub fn into_analysis(mut self) -> (Input, Findings) {
        self.input();
        let mut input = self.input.take().unwrap_or_default();
        let mut diagnostics = crate::analyze::analyze_releasing_trees(&mut input);
        crate::report::sort(&mut diagnostics);
        let suppressed = crate::suppress::apply(&input, &mut diagnostics, &self.options.suppress);
        (input, Findings { diagnostics, suppressed })
    }

    /// The proxy a spec describes in this input, and the workload it names.
    pub fn proxy(&self, spec: &ProxySpec) -> Result<(Proxy, Option<&Workload>), String> {
        spec.proxy(self.registry())
    }

    /// Questions about proxies share a session: its resolver and listener generator are built
    /// once, on the first question that needs them.
    pub fn session(&self) -> Session<'_> {
        Session { ws: self, resolver: RefCell::new(None), generator: RefCell::new(None) }
    }

    /// Which Sidecar governs the proxy, and its effective configuration.
    pub fn resolve(&self, spec: &ProxySpec) -> Result<Resolution, String> {
        self.session().resolve(spec)
    }

    /// The listeners istiod would send the proxy, with links into the input.
    pub fn listeners(&self, spec: &ProxySpec) -> Result<ListenerSet, String> {
        self.session().listeners(spec)
    }

    /// Where a call from (or to) the proxy goes.
    pub fn trace(&self, spec: &ProxySpec, call: &Call) -> Result<Trace, String> {
        self.session().trace(spec, call)
    }
}

/// Questions about proxies against one state of a [`Workspace`] (an edit needs the workspace
/// mutably, so no session outlives it).
pub struct Session<'w> {
    ws: &'w Workspace,
    resolver: RefCell<Option<Resolver<'w>>>,
    generator: RefCell<Option<ListenerGenerator<'w>>>,
}

impl<'w> Session<'w> {
    pub fn workspace(&self) -> &'w Workspace {
        self.ws
    }

    /// [`Workspace::resolve`].
    pub fn resolve(&self, spec: &ProxySpec) -> Result<Resolution, String> {
        let (proxy, workload) = self.ws.proxy(spec)?;
        Ok(self.resolve_proxy(&proxy, workload))
    }

    /// The resolution of a proxy (of `workload`, when it is one of the input's).
    pub fn resolve_proxy(&self, proxy: &Proxy, workload: Option<&Workload>) -> Resolution {
        let mut resolver = self.resolver.borrow_mut();
        let resolver =
            resolver.get_or_insert_with(|| Resolver::with_env(self.ws.registry(), &self.ws.options.istiod_env));
        let mut r = resolver.resolve(proxy);
        r.workload = workload.map(|w| WorkloadRef {
            kind: w.kind.clone(),
            namespace: w.namespace.clone(),
            name: w.name.clone(),
        });
        r
    }

    /// The resolution of a workload of the input, with the spec's IPs and metadata over its
    /// own (the CLI's `resolve --all`).
    pub fn resolve_workload(&self, w: &Workload, overrides: &ProxySpec) -> Resolution {
        self.resolve_proxy(&overrides.over(Proxy::for_workload(w)), Some(w))
    }

    /// [`Workspace::listeners`].
    pub fn listeners(&self, spec: &ProxySpec) -> Result<ListenerSet, String> {
        let (proxy, _) = self.ws.proxy(spec)?;
        Ok(self.listeners_of(&proxy))
    }

    /// The listeners of a proxy, located (each listener and route links to its YAML).
    pub fn listeners_of(&self, proxy: &Proxy) -> ListenerSet {
        let mut generator = self.generator.borrow_mut();
        let ws = self.ws;
        let generator = generator.get_or_insert_with(|| ListenerGenerator::new(ws.registry(), &ws.options.istiod_env));
        let mut set = generator.generate(proxy);
        set.locate(ws.input());
        set
    }

    /// [`Workspace::trace`].
    pub fn trace(&self, spec: &ProxySpec, call: &Call) -> Result<Trace, String> {
        let (proxy, _) = self.ws.proxy(spec)?;
        Ok(self.trace_from(&proxy, call))
    }

    /// Where `call` goes through the listeners of `proxy`.
    pub fn trace_from(&self, proxy: &Proxy, call: &Call) -> Trace {
        self.listeners_and_trace(proxy, call).1
    }

    /// The listeners of `proxy` and where `call` goes through them (a page shows both).
    pub fn listeners_and_trace(&self, proxy: &Proxy, call: &Call) -> (ListenerSet, Trace) {
        let set = self.listeners_of(proxy);
        let trace = crate::trace::trace(&set, call);
        (set, trace)
    }
}

#[cfg(test)]
mod tests;
