//! The page: toolbar, editor, results panels and status bar, and the state that ties them:
//! every edit re-runs the core and updates the panels, the editor's squiggles, localStorage
//! and the URL fragment.
//!
//! One UI model: Leptos. The app's state lives in one place, [`App`] (signals, provided by
//! context to every component); the shell, the tabs and the panels are Leptos components that
//! show it, and Leptos' fine-grained updates write only what changed (web/README.md, "One UI
//! model"). Text only: everything from the input reaches the page as text nodes or attribute
//! values, never as markup (no `inner_html`).

use std::cell::RefCell;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::analysis::{self, Analysis};
use crate::browser;
use crate::embed::{Config, Panel};
use crate::examples::{self, Group, EXAMPLES};
use crate::js;
use crate::markdown;
use crate::panels::{self as panels, DeferredPanel, ProblemsBody};
use crate::share::{self, ProxyChoice, State};
use sidecarscope::report::Summary;

const STATE_KEY: &str = "sidecarscope:state";
const THEME_KEY: &str = "sidecarscope:theme";
/// Above this, the fragment is not kept up to date (browsers cap URLs at about 2 MB).
const MAX_LINK: usize = 256 * 1024;
/// An input whose load takes longer than this (ms) is analyzed in several tasks (`on_text`).
const SPLIT_MS: f64 = 16.0;
/// A task of the core reads the input for about this long (ms) before the browser gets a
/// turn: a key pressed meanwhile waits at most that long for its handler.
const SLICE_MS: f64 = 8.0;

thread_local! {
    static EDITOR: RefCell<Option<js::Editor>> = const { RefCell::new(None) };
}

/// Runs `f` with the editor, once it exists.
pub fn with_editor<R>(f: impl FnOnce(&js::Editor) -> R) -> Option<R> {
    EDITOR.with(|e| e.borrow().as_ref().map(f))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    fn parse(s: Option<String>) -> Theme {
        match s.as_deref() {
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            _ => Theme::System,
        }
    }
    fn id(self) -> Option<&'static str> {
        match self {
            Theme::System => None,
            Theme::Light => Some("light"),
            Theme::Dark => Some("dark"),
        }
    }
    fn next(self) -> Theme {
        match self {
            Theme::System => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::System,
        }
    }
    fn label(self) -> &'static str {
        match self {
            Theme::System => "System",
            Theme::Light => "Light",
            Theme::Dark => "Dark",
        }
    }
}

/// The app's state, all of it: one for the page's lifetime, provided by context (`App` is a
/// set of cheap handles). Everything the page shows derives from these signals.
#[derive(Clone, Copy)]
pub struct App {
    pub analysis: RwSignal<Analysis>,
    pub panel: RwSignal<Panel>,
    pub notice: RwSignal<Option<String>>,
    /// The example the text still equals, if any.
    pub example: RwSignal<Option<&'static str>>,
    /// The proxy Effective config, Listeners and Trace are about.
    pub proxy: RwSignal<ProxyChoice>,
    /// The Trace panel's form.
    pub trace: RwSignal<share::TraceForm>,
    /// Compare mode: the text Impact compares the editor's with (`None`: not comparing).
    pub base: RwSignal<Option<String>>,
    /// Suggest's Traffic tab: the observed traffic pasted.
    pub traffic: RwSignal<String>,
    /// Where resources without `metadata.namespace` go (as `kubectl apply -n`; empty: `default`).
    pub namespace: RwSignal<String>,
    /// Counts the open panel's results: the panel's body is built again when it changes
    /// (`panels::render`, after a run of the core, in a task of its own for a large input).
    pub results: RwSignal<u32>,
    /// Problems: whether the folded infos of the input and of the mesh analysis are open (they
    /// stay so across edits).
    pub infos_open: [RwSignal<bool>; 2],
    text: StoredValue<String>,
    persist_timer: StoredValue<Option<i32>>,
    /// False until the first text is shown: opening the page changes nothing that is kept.
    started: StoredValue<bool>,
    notice_timer: StoredValue<Option<i32>>,
    /// Counts persists: an encoding (async) that finishes after a newer one started is dropped.
    persist_seq: StoredValue<u32>,
    /// Counts runs of the core: what is left of an older edit's run is dropped.
    run: StoredValue<u32>,
    /// Embedded: the link that opens the same content in the full playground.
    open_link: RwSignal<String>,
    embed: bool,
}

/// The name the panels know the app by.
pub type AppState = App;

impl App {
    /// The heart of the page: a new text, fresh results.
    /// The mesh analysis runs for every edit (Problems' badge and the squiggles need it); the
    /// open panel's body is rebuilt after it, and hidden panels are not computed at all.
    ///
    /// A large input (its load alone takes more than a frame) is done in several tasks: its
    /// load in slices of `SLICE_MS`, then the analysis and the squiggles, then the open panel,
    /// so that the browser handles keys and paints between them; nothing shows until the
    /// analysis is done (CodeMirror keeps the old squiggles in place meanwhile), and a newer
    /// edit drops what is left of an older one.
    fn on_text(self, text: String) {
        let run = self.run.get_value() + 1;
        self.run.set_value(run);
        let start = browser::now_ms();
        let namespace = self.namespace.get_untracked();
        let loading = self.proxy.with_untracked(|p| analysis::loading(&text, p, &namespace));
        let example = self.example.get_untracked().filter(|id| examples::find(id).is_some_and(|e| e.text == text));
        self.example.set(example);
        self.text.set_value(text);
        self.load_slice(run, loading, start, 0.0);
    }

    /// Reads the input for `SLICE_MS`, and the rest in later tasks; then analyzes it, at once
    /// if its load took less than a frame, else in a task of its own. `start` is when the
    /// edit's load began, `load_ms` its time so far.
    fn load_slice(self, run: u32, mut loading: analysis::Loading, start: f64, load_ms: f64) {
        let t0 = browser::now_ms();
        let done = loading.step(&mut || browser::now_ms() - t0 < SLICE_MS);
        let load_ms = load_ms + browser::now_ms() - t0;
        if !done {
            self.later(run, Box::new(move || self.load_slice(run, loading, start, load_ms)));
            return;
        }
        js::phase("load", start, load_ms);
        // `finish` is `None` for an edit a newer one replaced (which took its documents).
        if load_ms < SPLIT_MS {
            if let Some(ws) = loading.finish() {
                self.analyze(ws, load_ms, false);
            }
        } else {
            self.later(
                run,
                Box::new(move || {
                    if let Some(ws) = loading.finish() {
                        self.analyze(ws, load_ms, true)
                    }
                }),
            );
        }
    }

    /// Runs `f` in a task of its own, unless a newer run started meanwhile. When the task runs,
    /// and whether an edit made the run stale by then, is the scheduler's (web/js/scheduler.js,
    /// `later`: the editor then runs the core again when typing pauses); the editor's `idle()`
    /// (tests, tools) waits for it. Boxed: compiled once rather than for each caller's closure
    /// (a few hundred bytes of the first load each).
    fn later(self, run: u32, f: Box<dyn FnOnce()>) {
        let task = Closure::once_into_js(move || {
            if self.run.get_value() == run {
                f();
            }
        });
        with_editor(|e| e.later(task));
    }

    fn analyze(self, input: sidecarscope::Workspace, load_ms: f64, split: bool) {
        let t0 = browser::now_ms();
        let mut a = analysis::analyze_input(input);
        a.elapsed_ms = Some(load_ms + browser::now_ms() - t0);
        js::phase("analyze", t0, browser::now_ms() - t0);
        with_editor(|e| e.set_diagnostics(&editor_diagnostics(&a)));
        self.analysis.set(a);
        // The open panel's body follows `results` (`panels::PanelBody`, which measures `sc:panel`).
        let render = move || panels::render(self);
        if split {
            self.later(self.run.get_value(), Box::new(render));
        } else {
            render();
        }
        self.schedule_persist();
    }

    /// The trace form (or Suggest's traffic) changed: the open panel again (the text did not change).
    pub fn trace_changed(self) {
        panels::render(self);
        self.schedule_persist();
    }

    /// The text of the last results.
    pub fn text(self) -> String {
        self.text.get_value()
    }

    /// What shapes the deferred panels and the editor's help besides the texts (web/deferred):
    /// the default namespace, the proxy choice, the call.
    pub fn panel_state(self) -> State {
        State {
            text: String::new(),
            panel: None,
            namespace: self.namespace.get_untracked(),
            proxy: self.proxy.get_untracked(),
            trace: self.trace.get_untracked(),
            base: None,
            traffic: self.traffic.get_untracked(),
        }
    }

    fn state(self) -> State {
        State {
            text: self.text.get_value(),
            panel: Some(self.panel.get_untracked().id().to_string()),
            namespace: self.namespace.get_untracked(),
            proxy: self.proxy.get_untracked(),
            trace: self.trace.get_untracked(),
            base: self.base.get_untracked(),
            traffic: self.traffic.get_untracked(),
        }
    }

    /// Results again for the same text (another proxy was picked, another default namespace).
    pub fn recompute(self) {
        self.on_text(self.text.get_value());
    }

    /// localStorage and the fragment follow the text, a moment after typing stops.
    /// Embedded pages keep nothing: the host page owns their content.
    fn schedule_persist(self) {
        if self.embed {
            self.update_open_link();
            return;
        }
        if !self.started.get_value() {
            return;
        }
        browser::clear_timeout(self.persist_timer.get_value());
        self.persist_timer.set_value(browser::set_timeout(move || self.persist(), 250));
    }

    fn persist(self) {
        let seq = self.next_seq();
        let state = self.state();
        if state.text.is_empty() {
            browser::storage_remove(STATE_KEY);
            browser::replace_fragment(None);
            return;
        }
        browser::storage_set(STATE_KEY, &crate::json::to_string(&state));
        leptos::task::spawn_local(async move {
            let frag = link_fragment(state).await;
            if self.persist_seq.get_value() == seq {
                browser::replace_fragment((frag.len() <= MAX_LINK).then_some(frag.as_str()));
            }
        });
    }

    fn next_seq(self) -> u32 {
        self.persist_seq.update_value(|s| *s += 1);
        self.persist_seq.get_value()
    }

    fn update_open_link(self) {
        let seq = self.next_seq();
        let state = self.state();
        leptos::task::spawn_local(async move {
            let link = format!("{}#{}", browser::base_url(), share::encode(&state).await);
            if self.persist_seq.get_value() == seq {
                self.open_link.set(link);
            }
        });
    }

    pub fn notify(self, message: impl Into<String>) {
        self.notice.set(Some(message.into()));
        browser::clear_timeout(self.notice_timer.get_value());
        self.notice_timer.set_value(browser::set_timeout(move || self.notice.set(None), 3500));
    }

    fn load_text(self, text: &str, example: Option<&'static str>) {
        self.example.set(example);
        if example.is_some() || text.is_empty() {
            self.proxy.set(ProxyChoice::default());
            self.namespace.set(String::new());
            self.base.set(None);
            // Traffic observed in another mesh.
            self.traffic.set(String::new());
        }
        // Through the editor, so that the change is undoable and `on_text` runs once.
        with_editor(|e| e.set_text(text));
    }

    async fn share_link(self) -> Option<String> {
        let frag = link_fragment(self.state()).await;
        (frag.len() <= MAX_LINK).then(|| format!("{}#{}", browser::base_url(), frag))
    }
}

/// The diagnostics as CodeMirror's lint wants them (UTF-16 offsets).
fn editor_diagnostics(a: &Analysis) -> js_sys::Array {
    let list = js_sys::Array::new();
    for d in &a.diagnostics {
        let o = js_sys::Object::new();
        let set = |k: &str, v: JsValue| {
            let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &v);
        };
        set("from", d.range.start.utf16.into());
        set("to", d.range.end.utf16.into());
        set("severity", d.severity.as_str().into());
        set("message", d.message.as_str().into());
        set("code", format!("{} {}", d.code, d.name).into());
        if let Some(h) = &d.hint {
            set("hint", h.as_str().into());
        }
        list.push(&o);
    }
    list
}

/// Where the first text comes from: a share link, then `?example=`, then the last session,
/// then the default example.
pub struct Initial {
    config: Config,
    text: String,
    example: Option<&'static str>,
    panel: Option<Panel>,
    namespace: String,
    proxy: ProxyChoice,
    trace: share::TraceForm,
    base: Option<String>,
    traffic: String,
    notice: Option<String>,
}

impl Initial {
    fn of_state(config: Config, s: State, notice: Option<String>) -> Initial {
        Initial {
            config,
            text: s.text,
            example: None,
            panel: s.panel.as_deref().and_then(Panel::from_id),
            namespace: s.namespace,
            proxy: s.proxy,
            trace: s.trace,
            base: s.base,
            traffic: s.traffic,
            notice,
        }
    }
    fn of_example(config: Config, e: &'static examples::Example, notice: Option<String>) -> Initial {
        Initial {
            config,
            text: e.text.to_string(),
            example: Some(e.id),
            panel: e.base.map(|_| Panel::Impact),
            namespace: String::new(),
            proxy: ProxyChoice::default(),
            trace: Default::default(),
            base: e.base.map(str::to_string),
            traffic: String::new(),
            notice,
        }
    }
}

/// The link's fragment of a state. Suggest's pasted traffic can be large: a link too long with
/// it is written without it (localStorage keeps it), so that the text still gets a link.
async fn link_fragment(state: State) -> String {
    let frag = share::encode(&state).await;
    if frag.len() <= MAX_LINK || state.traffic.is_empty() {
        return frag;
    }
    share::encode(&State { traffic: String::new(), ..state }).await
}

/// Reads the URL (and localStorage): async, because a share link is inflated by the browser.
pub async fn initial() -> Initial {
    let config = Config::from_url();
    let mut notice = None;
    match share::decode(&browser::fragment()).await {
        Ok(Some(s)) => return Initial::of_state(config, s, None),
        Ok(None) => {}
        Err(e) => notice = Some(format!("Could not open the link: {e}.")),
    }
    if let Some(id) = &config.example {
        match examples::find(id) {
            Some(e) => return Initial::of_example(config, e, notice),
            None => notice = Some(format!("There is no example \u{201c}{id}\u{201d}.")),
        }
    }
    if !config.embed {
        if let Some(s) = browser::storage_get(STATE_KEY).and_then(|j| State::from_json(&j)) {
            return Initial::of_state(config, s, notice);
        }
    }
    Initial::of_example(config, examples::default_example(), notice)
}

/// The page, from where its first text comes from.
pub fn app(initial: Initial) -> impl IntoView {
    let Initial { config, text, example, panel, namespace, proxy, trace, base, traffic, notice } = initial;
    let first_panel =
        panel.filter(|p| config.panels.contains(p)).or(config.panels.first().copied()).unwrap_or(Panel::Problems);
    let state = App {
        analysis: RwSignal::new(Analysis::default()),
        panel: RwSignal::new(first_panel),
        notice: RwSignal::new(None),
        example: RwSignal::new(example),
        proxy: RwSignal::new(proxy),
        trace: RwSignal::new(trace),
        base: RwSignal::new(base),
        traffic: RwSignal::new(traffic),
        namespace: RwSignal::new(namespace),
        results: RwSignal::new(0),
        infos_open: [RwSignal::new(false), RwSignal::new(false)],
        text: StoredValue::new(String::new()),
        persist_timer: StoredValue::new(None),
        started: StoredValue::new(false),
        notice_timer: StoredValue::new(None),
        persist_seq: StoredValue::new(0),
        run: StoredValue::new(0),
        open_link: RwSignal::new(String::new()),
        embed: config.embed,
    };
    provide_context(state);
    crate::ui::NO_EDITOR.with(|n| n.set(!config.show_editor));
    crate::ui::READ_ONLY.with(|r| r.set(config.read_only));
    if let Some(n) = notice {
        state.notify(n);
    }

    let theme = RwSignal::new(if config.embed {
        Theme::parse(browser::query_param("theme"))
    } else {
        Theme::parse(browser::query_param("theme").or_else(|| browser::storage_get(THEME_KEY)))
    });
    let toggle_theme = move |_| {
        let t = theme.get_untracked().next();
        theme.set(t);
        browser::set_root_attribute("data-theme", t.id());
        if !config.embed {
            match t.id() {
                Some(id) => browser::storage_set(THEME_KEY, id),
                None => browser::storage_remove(THEME_KEY),
            }
        }
    };

    let host = NodeRef::<leptos::html::Div>::new();
    let read_only = config.read_only;
    host.on_load(move |el| {
        let on_change = Closure::<dyn FnMut(String)>::new(move |t: String| state.on_text(t)).into_js_value();
        let editor = js::create_editor(&el, &text, read_only, on_change.unchecked_ref());
        let context =
            Closure::<dyn FnMut() -> String>::new(move || crate::json::to_string(&state.panel_state())).into_js_value();
        editor.set_context(context.unchecked_ref());
        EDITOR.with(|e| *e.borrow_mut() = Some(editor));
        state.on_text(text);
        state.started.set_value(true);
        if config.embed {
            let on_set = Closure::<dyn FnMut(String)>::new(move |t: String| state.load_text(&t, None)).into_js_value();
            // The editor's text, which may be a frame ahead of the last results.
            let get = Closure::<dyn FnMut() -> String>::new(move || with_editor(|e| e.get_text()).unwrap_or_default())
                .into_js_value();
            js::listen_host(on_set.unchecked_ref(), get.unchecked_ref());
        }
    });

    let on_example = move |ev: leptos::ev::Event| {
        let id = event_target_value(&ev);
        if let Some(e) = examples::find(&id) {
            state.load_text(e.text, Some(e.id));
            // A Compare example: its base is kept, and Impact shows what its change does.
            if let Some(base) = e.base {
                state.base.set(Some(base.to_string()));
                state.panel.set(Panel::Impact);
            }
        }
    };
    let on_new = move |_| {
        // A new start: the proxy, the call and the namespace go back to their defaults too.
        state.proxy.set(ProxyChoice::default());
        state.trace.set(share::TraceForm::default());
        state.load_text("", None);
        browser::storage_remove(STATE_KEY);
        browser::replace_fragment(None);
        with_editor(|e| e.focus());
        state.notify("Cleared. Undo (Ctrl+Z) brings the text back.");
    };
    // Compare mode: the text as it is now becomes the base Impact compares the edits with.
    let on_compare = move |_| {
        if state.base.get_untracked().is_some() {
            state.base.set(None);
            state.notify("No longer comparing.");
        } else {
            state.base.set(Some(state.text.get_value()));
            state.panel.set(Panel::Impact);
            state.notify("Comparing with the text as it is now: edit it, and Impact shows what changes.");
        }
        panels::render(state);
        state.schedule_persist();
    };
    let on_share = move |_| {
        leptos::task::spawn_local(async move {
            match state.share_link().await {
                Some(link) => {
                    state.next_seq();
                    browser::replace_fragment(link.split_once('#').map(|(_, f)| f));
                    copy(state, &link, "Link copied: it holds the whole input, nothing is uploaded.");
                }
                None => state.notify("The input is too large for a link; use Download YAML instead."),
            }
        })
    };
    let on_markdown = move |_| {
        leptos::task::spawn_local(async move {
            let link = state.share_link().await;
            let md = state.analysis.with_untracked(|a| {
                markdown::report(&state.text.get_value(), &a.diagnostics, &a.summary, link.as_deref())
            });
            copy(state, &md, "Markdown copied: the input and its findings.");
        })
    };
    let on_download = move |_| {
        let name =
            state.example.get_untracked().map(|id| format!("{id}.yaml")).unwrap_or_else(|| "sidecarscope.yaml".into());
        js::download(&name, &state.text.get_value());
    };

    let panels = config.panels.clone();
    let show_results = !panels.is_empty();
    // Embedded: open the same content in the full playground.
    let open_link = move || state.open_link.get();

    view! {
        <div class="app" class:embed=config.embed class:no-editor=!config.show_editor class:no-results=!show_results>
            <Show when=move || !config.embed fallback=move || view! {
                <header class="topbar compact">
                    <span class="brand">"Sidecarscope"</span>
                    <a class="button" href=open_link target="_blank" rel="noopener">"Open in playground"</a>
                </header>
            }>
                <header class="topbar">
                    <h1 class="brand">"Sidecarscope" <span class="brand-sub">"playground"</span></h1>
                    <div class="examples">
                        <label for="example-select" class="sr-only">"Load an example"</label>
                        <select id="example-select" on:change=on_example prop:value=move || state.example.get().unwrap_or("")>
                            <option value="" disabled=true>"Examples\u{2026}"</option>
                            {[Group::IstioDocs, Group::Mistake, Group::Compare].into_iter().map(|g| view! {
                                <optgroup label=g.label()>
                                    {EXAMPLES.iter().filter(|e| e.group == g).map(|e| view! {
                                        <option value=e.id>{e.title}</option>
                                    }).collect_view()}
                                </optgroup>
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="actions" role="toolbar" aria-label="Actions">
                        <button type="button" on:click=on_new title="Start from an empty editor">"New"</button>
                        <button type="button" on:click=on_compare aria-pressed=move || state.base.with(Option::is_some).to_string()
                            title=move || if state.base.with(Option::is_some) { "Stop comparing (Impact shows nothing then)" } else { "Keep this text as the base: Impact then shows what your edits change for every workload" }>
                            {move || if state.base.with(Option::is_some) { "Stop comparing" } else { "Compare" }}
                        </button>
                        <button type="button" on:click=on_share title="Copy a link that reopens this input">"Share"</button>
                        <button type="button" on:click=on_markdown title="Copy the input and its findings as Markdown">"Copy as Markdown"</button>
                        <button type="button" on:click=on_download title="Save the input as a YAML file">"Download YAML"</button>
                        <button type="button" class="theme-toggle" on:click=toggle_theme
                            aria-label=move || format!("Theme: {}. Change theme", theme.get().label())
                            title="Theme: system, light or dark">
                            <span aria-hidden="true">{move || match theme.get() { Theme::System => "\u{25d0}", Theme::Light => "\u{2600}", Theme::Dark => "\u{263e}" }}</span>
                            <span class="theme-label">{move || theme.get().label()}</span>
                        </button>
                    </div>
                </header>
            </Show>
            <main class="workspace">
                <section class="editor-pane" aria-label="Input">
                    <div class="pane-header">
                        <h2>"Input"</h2>
                        <span class="pane-note">{move || if read_only { "read-only" } else { "YAML or JSON, documents separated by ---" }}</span>
                        // Shown while the editor has the focus (style.css).
                        <span id="editor-help" class="pane-note editor-help">
                            "Esc, then Tab, leaves the editor (Tab indents once you type) \u{b7} Ctrl+F search \u{b7} F8 next problem"
                        </span>
                        <Outline/>
                        <label class="namespace-field">"Default namespace"
                            <input id="default-namespace" type="text" spellcheck="false" autocomplete="off"
                                placeholder=sidecarscope::DEFAULT_NAMESPACE
                                title="The namespace of resources without metadata.namespace, as kubectl apply -n"
                                prop:value=move || state.namespace.get()
                                on:input=move |ev| { state.namespace.set(event_target_value(&ev)); state.recompute(); }/>
                        </label>
                    </div>
                    <div class="editor-host" node_ref=host></div>
                </section>
                <section class="results-pane" aria-label="Results">
                    <div class="tabs" role="tablist" aria-label="Results panels">
                        {panels.iter().copied().map(|p| { let tabs = panels.clone(); view! {
                            <button type="button" role="tab" id=format!("tab-{}", p.id())
                                aria-controls=format!("panel-{}", p.id())
                                aria-selected=move || (state.panel.get() == p).to_string()
                                tabindex=move || if state.panel.get() == p { "0" } else { "-1" }
                                class:active=move || state.panel.get() == p
                                on:click=move |_| { state.panel.set(p); state.schedule_persist(); }
                                on:keydown={ let tabs = tabs.clone(); move |ev: leptos::ev::KeyboardEvent| tab_keys(state, &tabs, &ev) }>
                                {p.title()}
                                {(p == Panel::Problems).then(|| view! { <ProblemBadge/> })}
                            </button>
                        }}).collect_view()}
                    </div>
                    {panels.iter().copied().map(|p| view! {
                        <div class="tabpanel" role="tabpanel" id=format!("panel-{}", p.id())
                            aria-labelledby=format!("tab-{}", p.id()) tabindex="0"
                            hidden=move || state.panel.get() != p>
                            // Only the open panel is rendered (and so kept up to date).
                            {move || (state.panel.get() == p).then(|| match p {
                                Panel::Problems => view! { <ProblemsBody/> }.into_any(),
                                _ => view! { <DeferredPanel panel=p/> }.into_any(),
                            })}
                        </div>
                    }).collect_view()}
                </section>
            </main>
            <footer class="statusbar">
                <span class="status-text">{move || status_line(&state.analysis.get())}</span>
                <span class="version">{format!("sidecarscope {}", sidecarscope::VERSION)}</span>
            </footer>
            <div class="notice" role="status" aria-live="polite">
                {move || state.notice.get().map(|n| view! { <div class="notice-box">{n}</div> })}
            </div>
        </div>
    }
}

/// The editor's outline: the input's resources, in source order; picking one selects it in the
/// editor. The options follow the labels only (their ranges are read when one is picked), so
/// they are built again only when a resource is added, removed or renamed, not on every edit.
/// Not a keyed `For`: that costs the first load 8 KB, and the list rarely changes.
#[component]
fn Outline() -> impl IntoView {
    let state = expect_context::<AppState>();
    let labels =
        Memo::new(move |_| state.analysis.with(|a| a.outline.iter().map(|o| o.label.clone()).collect::<Vec<_>>()));
    let on_change = move |ev: leptos::ev::Event| {
        let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) else { return };
        let i = el.value().parse::<usize>().ok();
        el.set_value("");
        if let Some(o) = i.and_then(|i| state.analysis.with_untracked(|a| a.outline.get(i).cloned())) {
            with_editor(|e| e.select(o.from, o.to));
        }
    };
    let options = move || {
        labels.with(|l| {
            l.iter()
                .enumerate()
                .map(|(i, label)| view! { <option value=i.to_string()>{label.clone()}</option> })
                .collect_view()
        })
    };
    view! {
        <select class="outline" aria-label="Go to a resource" title="Go to a resource of the input" on:change=on_change
            hidden=move || labels.with(Vec::is_empty)>
            <option value="" selected=true>"Go to\u{2026}"</option>
            {options}
        </select>
    }
}

/// Left/Right/Home/End move between tabs (WAI-ARIA tabs pattern).
fn tab_keys(state: AppState, tabs: &[Panel], ev: &leptos::ev::KeyboardEvent) {
    let Some(i) = tabs.iter().position(|p| *p == state.panel.get_untracked()) else { return };
    let j = match ev.key().as_str() {
        "ArrowRight" => (i + 1) % tabs.len(),
        "ArrowLeft" => (i + tabs.len() - 1) % tabs.len(),
        "Home" => 0,
        "End" => tabs.len() - 1,
        _ => return,
    };
    ev.prevent_default();
    state.panel.set(tabs[j]);
    state.schedule_persist();
    if let Some(el) = document().get_element_by_id(&format!("tab-{}", tabs[j].id())) {
        if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
            let _ = el.focus();
        }
    }
}

#[component]
fn ProblemBadge() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let s = state.analysis.with(|a| a.summary.clone());
        // The most severe findings' count: 3 errors and 1 info show a red 3.
        let (n, class) = if s.errors > 0 {
            (s.errors, "badge badge-error")
        } else if s.warnings > 0 {
            (s.warnings, "badge badge-warning")
        } else {
            (s.infos, "badge")
        };
        let s = Summary { suppressed: 0, ..s };
        view! { <span class=class title=markdown::counts(&s)><span aria-hidden="true">{n}</span><span class="sr-only">{format!(" ({})", markdown::counts(&s))}</span></span> }
    }
}

/// Istio's verdict, then the mesh analysis: "Istio rejects 1 of 2 Sidecars (2 errors) · mesh
/// analysis: 1 warning, 2 infos".
fn status_line(a: &Analysis) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let mut s = plural(a.resources, "resource");
    let istio = a.counts(true);
    if a.sidecars > 0 {
        let r = a.rejected();
        s.push_str(&if r > 0 {
            format!(" \u{b7} Istio rejects {r} of {}", plural(a.sidecars, "Sidecar"))
        } else {
            format!(
                " \u{b7} Istio accepts {}",
                if a.sidecars == 1 { "the Sidecar".to_string() } else { format!("all {} Sidecars", a.sidecars) }
            )
        });
    }
    if istio.errors + istio.warnings + istio.infos > 0 {
        s.push_str(&format!(" ({})", markdown::counts(&istio)));
    }
    let mut mesh = a.counts(false);
    mesh.suppressed = a.summary.suppressed;
    s.push_str(&format!(" \u{b7} mesh analysis: {}", markdown::counts(&mesh)));
    if let Some(ms) = a.elapsed_ms {
        // Tenths by integer arithmetic: float formatting would cost the wasm 10 KB.
        let tenths = (ms * 10.0).round() as u64;
        s.push_str(&format!(" \u{b7} checked in {}.{} ms", tenths / 10, tenths % 10));
    }
    s
}

pub fn copy(state: AppState, text: &str, ok_message: &'static str) {
    let done = Closure::once_into_js(move |ok: bool| {
        state.notify(if ok { ok_message } else { "Copying was refused by the browser." });
    });
    js::copy_text(text, done.unchecked_ref());
}
