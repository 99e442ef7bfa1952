//! The page: toolbar, editor, results panels and status bar, and the state that ties them:
//! every edit re-runs the core and updates the panels, the editor's squiggles, localStorage
//! and the URL fragment.
//!
//! One UI model: the whole page is built with [`crate::dom`] (elements, text nodes and
//! attributes), and the app's state lives in one place, [`App`]. Nothing is reactive: each
//! change of state is followed by the update of what shows it (`on_text` → the squiggles, the
//! badge, the status line and the open panel; `show_panel` → the tabs and the open panel's body;
//! `notify` → the notice). Why not Leptos: web/README.md, "One UI model".

use std::cell::{Cell, OnceCell, RefCell};

use wasm_bindgen::prelude::*;
use web_sys::Element;

use crate::analysis::{self, Analysis, Model};
use crate::browser;
use crate::dom::{self, El};
use crate::embed::{Config, Panel};
use crate::examples::{self, Group, EXAMPLES};
use crate::js;
use crate::markdown;
use crate::panels;
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
    /// The loaded input of the latest edit, for the panels computed when they are open.
    static MODEL: RefCell<Option<Model>> = const { RefCell::new(None) };
}

/// Runs `f` with the latest loaded input, once there is one.
pub fn with_model<R>(f: impl FnOnce(&Model) -> R) -> Option<R> {
    MODEL.with(|m| m.borrow().as_ref().map(f))
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

/// A piece of the app's state. Not reactive: whoever changes it updates what shows it.
pub struct Var<T>(RefCell<T>);

impl<T> Var<T> {
    fn new(value: T) -> Var<T> {
        Var(RefCell::new(value))
    }
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.0.borrow())
    }
    pub fn update(&self, f: impl FnOnce(&mut T)) {
        f(&mut self.0.borrow_mut())
    }
    pub fn set(&self, value: T) {
        *self.0.borrow_mut() = value;
    }
    pub fn get(&self) -> T
    where
        T: Clone,
    {
        self.0.borrow().clone()
    }
}

/// The app's state, all of it, and the elements of the page that show it.
pub struct App {
    pub analysis: Var<Analysis>,
    pub panel: Var<Panel>,
    /// The example the text still equals, if any.
    pub example: Var<Option<&'static str>>,
    /// The proxy Effective config, Listeners and Trace are about.
    pub proxy: Var<ProxyChoice>,
    /// The Trace panel's form.
    pub trace: Var<share::TraceForm>,
    /// Where resources without `metadata.namespace` go (as `kubectl apply -n`; empty: `default`).
    pub namespace: Var<String>,
    text: Var<String>,
    persist_timer: Cell<Option<i32>>,
    /// False until the first text is shown: opening the page changes nothing that is kept.
    started: Cell<bool>,
    notice_timer: Cell<Option<i32>>,
    /// Counts persists: an encoding (async) that finishes after a newer one started is dropped.
    persist_seq: Cell<u32>,
    /// Counts runs of the core: what is left of an older edit's run is dropped.
    run: Cell<u32>,
    theme: Cell<Theme>,
    config: Config,
    page: OnceCell<Page>,
}

/// The app: one for the page's lifetime, so every handler can hold it.
pub type AppState = &'static App;

/// The elements that show the state (built once by [`start`]).
struct Page {
    examples: Option<Element>,
    theme: Option<Element>,
    open_link: Option<Element>,
    namespace: Element,
    /// Each panel's tab and tabpanel.
    tabs: Vec<(Panel, Element, Element)>,
    badge: Option<Element>,
    status: Element,
    notice: Element,
}

impl App {
    fn page(&self) -> &Page {
        self.page.get().expect("the page is built before any event")
    }

    /// The heart of the page: a new text, fresh results.
    /// The mesh analysis runs for every edit (Problems' badge and the squiggles need it); the
    /// open panel's body is rebuilt after it, and hidden panels are not computed at all.
    ///
    /// A large input (its load alone takes more than a frame) is done in several tasks: its
    /// load in slices of `SLICE_MS`, then the analysis and the squiggles, then the open panel,
    /// so that the browser handles keys and paints between them; nothing shows until the
    /// analysis is done (CodeMirror keeps the old squiggles in place meanwhile), and a newer
    /// edit drops what is left of an older one.
    fn on_text(&'static self, text: String) {
        let run = self.run.get() + 1;
        self.run.set(run);
        let start = browser::now_ms();
        let loading = self.namespace.with(|ns| analysis::loading(&text, ns));
        let example = self.example.get().filter(|id| examples::find(id).is_some_and(|e| e.text == text));
        self.set_example(example);
        self.text.set(text);
        self.load_slice(run, loading, start, 0.0);
    }

    /// Reads the input for `SLICE_MS`, and the rest in later tasks; then analyzes it, at once
    /// if its load took less than a frame, else in a task of its own. `start` is when the
    /// edit's load began, `load_ms` its time so far.
    fn load_slice(&'static self, run: u32, mut loading: sidecarscope::Loading, start: f64, load_ms: f64) {
        let t0 = browser::now_ms();
        let done = loading.step(&mut || browser::now_ms() - t0 < SLICE_MS);
        let load_ms = load_ms + browser::now_ms() - t0;
        if !done {
            self.later(run, Box::new(move || self.load_slice(run, loading, start, load_ms)));
            return;
        }
        js::phase("load", start, load_ms);
        if load_ms < SPLIT_MS {
            self.analyze(loading.finish(), load_ms, false);
        } else {
            self.later(run, Box::new(move || self.analyze(loading.finish(), load_ms, true)));
        }
    }

    /// Runs `f` in a task of its own, unless a newer run started meanwhile. When the task runs,
    /// and whether an edit made the run stale by then, is the scheduler's (web/js/scheduler.js,
    /// `later`: the editor then runs the core again when typing pauses); the editor's `idle()`
    /// (tests, tools) waits for it. Boxed: compiled once rather than for each caller's closure
    /// (a few hundred bytes of the first load each).
    fn later(&'static self, run: u32, f: Box<dyn FnOnce()>) {
        let task = Closure::once_into_js(move || {
            if self.run.get() == run {
                f();
            }
        });
        with_editor(|e| e.later(task));
    }

    fn analyze(&'static self, input: sidecarscope::Input, load_ms: f64, split: bool) {
        let t0 = browser::now_ms();
        let (mut a, model) = self.proxy.with(|p| analysis::analyze_input(input, p));
        a.elapsed_ms = Some(load_ms + browser::now_ms() - t0);
        js::phase("analyze", t0, browser::now_ms() - t0);
        with_editor(|e| e.set_diagnostics(&editor_diagnostics(&a)));
        MODEL.with(|m| *m.borrow_mut() = Some(model));
        self.analysis.set(a);
        self.show_summary();
        let render = move || {
            let t0 = browser::now_ms();
            panels::render(self);
            js::phase("panel", t0, browser::now_ms() - t0);
            js::mark_results();
        };
        if split {
            self.later(self.run.get(), Box::new(render));
        } else {
            render();
        }
        self.schedule_persist();
    }

    /// The trace form changed: trace again (the text did not change).
    pub fn trace_changed(&'static self) {
        panels::render(self);
        self.schedule_persist();
    }

    fn state(&self) -> State {
        State {
            text: self.text.get(),
            panel: Some(self.panel.get().id().to_string()),
            namespace: self.namespace.get(),
            proxy: self.proxy.get(),
            trace: self.trace.get(),
        }
    }

    /// Results again for the same text (another proxy was picked, another default namespace).
    pub fn recompute(&'static self) {
        self.on_text(self.text.get());
    }

    /// localStorage and the fragment follow the text, a moment after typing stops.
    /// Embedded pages keep nothing: the host page owns their content.
    fn schedule_persist(&'static self) {
        if self.config.embed {
            self.update_open_link();
            return;
        }
        if !self.started.get() {
            return;
        }
        browser::clear_timeout(self.persist_timer.take());
        self.persist_timer.set(browser::set_timeout(move || self.persist(), 250));
    }

    fn persist(&'static self) {
        let seq = self.next_seq();
        let state = self.state();
        if state.text.is_empty() {
            browser::storage_remove(STATE_KEY);
            browser::replace_fragment(None);
            return;
        }
        browser::storage_set(STATE_KEY, &crate::json::to_string(&state));
        wasm_bindgen_futures::spawn_local(async move {
            let frag = share::encode(&state).await;
            if self.persist_seq.get() == seq {
                browser::replace_fragment((frag.len() <= MAX_LINK).then_some(frag.as_str()));
            }
        });
    }

    fn next_seq(&self) -> u32 {
        self.persist_seq.set(self.persist_seq.get() + 1);
        self.persist_seq.get()
    }

    fn update_open_link(&'static self) {
        let seq = self.next_seq();
        let state = self.state();
        wasm_bindgen_futures::spawn_local(async move {
            let link = format!("{}#{}", browser::base_url(), share::encode(&state).await);
            if self.persist_seq.get() == seq {
                if let Some(a) = &self.page().open_link {
                    let _ = a.set_attribute("href", &link);
                }
            }
        });
    }

    pub fn notify(&'static self, message: impl Into<String>) {
        let notice = &self.page().notice;
        notice.set_text_content(None);
        let _ = notice.append_with_node_1(&El::cls("div", "notice-box").text(&message.into()).0);
        browser::clear_timeout(self.notice_timer.take());
        self.notice_timer.set(browser::set_timeout(move || self.page().notice.set_text_content(None), 3500));
    }

    fn load_text(&'static self, text: &str, example: Option<&'static str>) {
        self.set_example(example);
        if example.is_some() || text.is_empty() {
            self.proxy.set(ProxyChoice::default());
            self.set_namespace("");
        }
        // Through the editor, so that the change is undoable and `on_text` runs once.
        with_editor(|e| e.set_text(text));
    }

    async fn share_link(&'static self) -> Option<String> {
        let frag = share::encode(&self.state()).await;
        (frag.len() <= MAX_LINK).then(|| format!("{}#{}", browser::base_url(), frag))
    }

    /// The example the text equals, and the examples' select showing it.
    fn set_example(&self, example: Option<&'static str>) {
        self.example.set(example);
        if let Some(select) = self.page.get().and_then(|p| p.examples.as_ref()) {
            set_value(select, example.unwrap_or(""));
        }
    }

    /// The default namespace, and its field.
    fn set_namespace(&self, ns: &str) {
        self.namespace.set(ns.to_string());
        if let Some(p) = self.page.get() {
            set_value(&p.namespace, ns);
        }
    }

    /// The badge and the status line, from the last analysis.
    fn show_summary(&self) {
        let page = self.page();
        self.analysis.with(|a| {
            page.status.set_text_content(Some(&status_line(a)));
            if let Some(badge) = &page.badge {
                fill_badge(badge, &a.summary);
            }
        });
    }

    /// Opens `panel`: its tab selected, its body built and rendered; the other panels emptied
    /// (only the open panel is in the page, and so kept up to date).
    fn show_panel(&'static self, panel: Panel) {
        self.panel.set(panel);
        for (p, tab, tabpanel) in &self.page().tabs {
            let open = *p == panel;
            let _ = tab.set_attribute("aria-selected", if open { "true" } else { "false" });
            let _ = tab.set_attribute("tabindex", if open { "0" } else { "-1" });
            tab.set_class_name(if open { "active" } else { "" });
            if open {
                let _ = tabpanel.remove_attribute("hidden");
                if tabpanel.child_element_count() == 0 {
                    panels::mount(self, *p, tabpanel);
                }
            } else {
                let _ = tabpanel.set_attribute("hidden", "");
                tabpanel.set_text_content(None);
            }
        }
    }

    fn toggle_theme(&self) {
        let t = self.theme.get().next();
        self.theme.set(t);
        browser::set_root_attribute("data-theme", t.id());
        if !self.config.embed {
            match t.id() {
                Some(id) => browser::storage_set(THEME_KEY, id),
                None => browser::storage_remove(THEME_KEY),
            }
        }
        if let Some(button) = &self.page().theme {
            show_theme(button, t);
        }
    }

    fn on_new(&'static self) {
        // A new start: the proxy, the call and the namespace go back to their defaults too.
        self.proxy.set(ProxyChoice::default());
        self.trace.set(share::TraceForm::default());
        panels::reset_trace_form(self);
        self.load_text("", None);
        browser::storage_remove(STATE_KEY);
        browser::replace_fragment(None);
        with_editor(|e| e.focus());
        self.notify("Cleared. Undo (Ctrl+Z) brings the text back.");
    }

    fn on_share(&'static self) {
        wasm_bindgen_futures::spawn_local(async move {
            match self.share_link().await {
                Some(link) => {
                    self.next_seq();
                    browser::replace_fragment(link.split_once('#').map(|(_, f)| f));
                    copy(self, &link, "Link copied: it holds the whole input, nothing is uploaded.");
                }
                None => self.notify("The input is too large for a link; use Download YAML instead."),
            }
        })
    }

    fn on_markdown(&'static self) {
        wasm_bindgen_futures::spawn_local(async move {
            let link = self.share_link().await;
            let md =
                self.analysis.with(|a| markdown::report(&self.text.get(), &a.diagnostics, &a.summary, link.as_deref()));
            copy(self, &md, "Markdown copied: the input and its findings.");
        })
    }

    fn on_download(&self) {
        let name = self.example.get().map(|id| format!("{id}.yaml")).unwrap_or_else(|| "sidecarscope.yaml".into());
        js::download(&name, &self.text.get());
    }
}

fn set_value(el: &Element, value: &str) {
    let _ = js_sys::Reflect::set(el, &"value".into(), &value.into());
}

/// The value of `ev`'s target (an input or a select).
fn target_value(ev: &web_sys::Event) -> String {
    ev.target()
        .and_then(|t| js_sys::Reflect::get(&t, &"value".into()).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// The theme button's label, for `t`.
fn show_theme(button: &Element, t: Theme) {
    let _ = button.set_attribute("aria-label", &format!("Theme: {}. Change theme", t.label()));
    button.set_text_content(None);
    let icon = match t {
        Theme::System => "\u{25d0}",
        Theme::Light => "\u{2600}",
        Theme::Dark => "\u{263e}",
    };
    let _ = button.append_with_node_1(&El::new("span").attr("aria-hidden", "true").text(icon).0);
    let _ = button.append_with_node_1(&El::cls("span", "theme-label").text(t.label()).0);
}

/// The most severe findings' count: 3 errors and 1 info show a red 3 (all counts for screen
/// readers and on hover).
fn fill_badge(badge: &Element, s: &Summary) {
    let (n, class) = if s.errors > 0 {
        (s.errors, "badge badge-error")
    } else if s.warnings > 0 {
        (s.warnings, "badge badge-warning")
    } else {
        (s.infos, "badge")
    };
    let s = Summary { suppressed: 0, ..s.clone() };
    badge.set_class_name(class);
    let _ = badge.set_attribute("title", &markdown::counts(&s));
    badge.set_text_content(None);
    let _ = badge.append_with_node_1(&El::new("span").attr("aria-hidden", "true").text(&n.to_string()).0);
    let _ = badge.append_with_node_1(&El::cls("span", "sr-only").text(&format!(" ({})", markdown::counts(&s))).0);
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
            notice,
        }
    }
    fn of_example(config: Config, e: &'static examples::Example, notice: Option<String>) -> Initial {
        Initial {
            config,
            text: e.text.to_string(),
            example: Some(e.id),
            panel: None,
            namespace: String::new(),
            proxy: ProxyChoice::default(),
            trace: Default::default(),
            notice,
        }
    }
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

/// Builds the page from where its first text comes from, and starts the editor.
pub fn start(initial: Initial) {
    let Initial { config, text, example, panel, namespace, proxy, trace, notice } = initial;
    let first_panel =
        panel.filter(|p| config.panels.contains(p)).or(config.panels.first().copied()).unwrap_or(Panel::Problems);
    let theme = if config.embed {
        Theme::parse(browser::query_param("theme"))
    } else {
        Theme::parse(browser::query_param("theme").or_else(|| browser::storage_get(THEME_KEY)))
    };
    dom::NO_EDITOR.with(|n| n.set(!config.show_editor));
    let state: AppState = Box::leak(Box::new(App {
        analysis: Var::new(Analysis::default()),
        panel: Var::new(first_panel),
        example: Var::new(example),
        proxy: Var::new(proxy),
        trace: Var::new(trace),
        namespace: Var::new(namespace),
        text: Var::new(String::new()),
        persist_timer: Cell::new(None),
        started: Cell::new(false),
        notice_timer: Cell::new(None),
        persist_seq: Cell::new(0),
        run: Cell::new(0),
        theme: Cell::new(theme),
        config,
        page: OnceCell::new(),
    }));
    let host = build(state);
    if let Some(n) = notice {
        state.notify(n);
    }
    state.show_panel(first_panel);
    let on_change = Closure::<dyn FnMut(String)>::new(move |t: String| state.on_text(t)).into_js_value();
    let editor = js::create_editor(host.unchecked_ref(), &text, state.config.read_only, on_change.unchecked_ref());
    EDITOR.with(|e| *e.borrow_mut() = Some(editor));
    state.on_text(text);
    state.started.set(true);
    if state.config.embed {
        let on_set = Closure::<dyn FnMut(String)>::new(move |t: String| state.load_text(&t, None)).into_js_value();
        // The editor's text, which may be a frame ahead of the last results.
        let get = Closure::<dyn FnMut() -> String>::new(move || with_editor(|e| e.get_text()).unwrap_or_default())
            .into_js_value();
        js::listen_host(on_set.unchecked_ref(), get.unchecked_ref());
    }
}

/// A `<button type="button">` that calls `f` when clicked.
fn button(label: &str, title: &str, f: impl Fn() + 'static) -> El {
    let b = El::new("button").attr("type", "button").attr("title", title).text(label);
    dom::listen(&b.0, "click", move |_| f());
    b
}

/// The page's shell, into `<body>`; its elements into `state.page`. Returns the editor's host.
fn build(state: AppState) -> Element {
    let config = &state.config;
    let show_results = !config.panels.is_empty();
    let mut class = String::from("app");
    for (on, c) in [(config.embed, " embed"), (!config.show_editor, " no-editor"), (!show_results, " no-results")] {
        if on {
            class.push_str(c);
        }
    }
    let app = El::cls("div", &class);
    let (mut examples, mut theme, mut open_link) = (None, None, None);
    if config.embed {
        let link = El::cls("a", "button")
            .attr("href", "")
            .attr("target", "_blank")
            .attr("rel", "noopener")
            .text("Open in playground");
        open_link = Some(link.0.clone());
        app.push(El::cls("header", "topbar compact").child(El::cls("span", "brand").text("Sidecarscope")).child(link));
    } else {
        let select = El::new("select")
            .attr("id", "example-select")
            .child(El::new("option").attr("value", "").attr("disabled", "").text("Examples\u{2026}"));
        for g in [Group::IstioDocs, Group::Mistake] {
            let group = El::new("optgroup").attr("label", g.label());
            for e in EXAMPLES.iter().filter(|e| e.group == g) {
                group.push(El::new("option").attr("value", e.id).text(e.title));
            }
            select.push(group);
        }
        dom::listen(&select.0, "change", move |ev| {
            if let Some(e) = examples::find(&target_value(&ev)) {
                state.load_text(e.text, Some(e.id));
            }
        });
        examples = Some(select.0.clone());
        let theme_button = button("", "Theme: system, light or dark", move || state.toggle_theme());
        theme_button.0.set_class_name("theme-toggle");
        show_theme(&theme_button.0, state.theme.get());
        theme = Some(theme_button.0.clone());
        app.push(
            El::cls("header", "topbar")
                .child(
                    El::cls("h1", "brand").text("Sidecarscope").child(El::cls("span", "brand-sub").text("playground")),
                )
                .child(
                    El::cls("div", "examples")
                        .child(
                            El::new("label")
                                .attr("for", "example-select")
                                .attr("class", "sr-only")
                                .text("Load an example"),
                        )
                        .child(select),
                )
                .child(
                    El::cls("div", "actions")
                        .attr("role", "toolbar")
                        .attr("aria-label", "Actions")
                        .child(button("New", "Start from an empty editor", move || state.on_new()))
                        .child(button("Share", "Copy a link that reopens this input", move || state.on_share()))
                        .child(button("Copy as Markdown", "Copy the input and its findings as Markdown", move || {
                            state.on_markdown()
                        }))
                        .child(button("Download YAML", "Save the input as a YAML file", move || state.on_download()))
                        .child(theme_button),
                ),
        );
    }
    // The default namespace: resources that name none go there, as `kubectl apply -n`.
    let namespace = El::new("input")
        .attr("id", "default-namespace")
        .attr("type", "text")
        .attr("spellcheck", "false")
        .attr("autocomplete", "off")
        .attr("placeholder", sidecarscope::DEFAULT_NAMESPACE)
        .attr("title", "The namespace of resources without metadata.namespace, as kubectl apply -n");
    set_value(&namespace.0, &state.namespace.get());
    dom::listen(&namespace.0, "input", move |ev| {
        state.namespace.set(target_value(&ev));
        state.recompute();
    });
    let namespace_el = namespace.0.clone();
    let editor_host = El::cls("div", "editor-host");
    let host = editor_host.0.clone();
    let editor_pane = El::cls("section", "editor-pane").attr("aria-label", "Input");
    editor_pane.push(
        El::cls("div", "pane-header")
            .child(El::new("h2").text("Input"))
            .child(El::cls("span", "pane-note").text(if config.read_only {
                "read-only"
            } else {
                "YAML or JSON, documents separated by ---"
            }))
            // Shown while the editor has the focus (style.css).
            .child(El::cls("span", "pane-note editor-help").attr("id", "editor-help").text(
                "Esc, then Tab, leaves the editor (Tab indents once you type) \u{b7} Ctrl+F search \u{b7} F8 next problem",
            ))
            .child(El::cls("label", "namespace-field").text("Default namespace").child(namespace)),
    );
    editor_pane.push(editor_host);
    let tablist = El::cls("div", "tabs").attr("role", "tablist").attr("aria-label", "Results panels");
    let results = El::cls("section", "results-pane").attr("aria-label", "Results");
    let mut tabs = Vec::new();
    let mut badge = None;
    let mut tabpanels = Vec::new();
    for &p in &config.panels {
        let id = p.id();
        let tab = El::new("button")
            .attr("type", "button")
            .attr("role", "tab")
            .attr("id", &format!("tab-{id}"))
            .attr("aria-controls", &format!("panel-{id}"))
            .text(p.title());
        if p == Panel::Problems {
            let b = El::new("span");
            fill_badge(&b.0, &Summary::default());
            badge = Some(b.0.clone());
            tab.push(b);
        }
        dom::listen(&tab.0, "click", move |_| {
            if state.panel.get() != p {
                state.show_panel(p);
            }
            state.schedule_persist();
        });
        dom::listen(&tab.0, "keydown", move |ev| tab_keys(state, &ev));
        let tabpanel = El::cls("div", "tabpanel")
            .attr("role", "tabpanel")
            .attr("id", &format!("panel-{id}"))
            .attr("aria-labelledby", &format!("tab-{id}"))
            .attr("tabindex", "0")
            .attr("hidden", "");
        tabs.push((p, tab.0.clone(), tabpanel.0.clone()));
        tablist.push(tab);
        tabpanels.push(tabpanel);
    }
    results.push(tablist);
    for t in tabpanels {
        results.push(t);
    }
    app.push(El::cls("main", "workspace").child(editor_pane).child(results));
    let status = El::cls("span", "status-text");
    let status_el = status.0.clone();
    app.push(
        El::cls("footer", "statusbar")
            .child(status)
            .child(El::cls("span", "version").text(&format!("sidecarscope {}", sidecarscope::VERSION))),
    );
    let notice = El::cls("div", "notice").attr("role", "status").attr("aria-live", "polite");
    let notice_el = notice.0.clone();
    app.push(notice);
    let _ = state.page.set(Page {
        examples,
        theme,
        open_link,
        namespace: namespace_el,
        tabs,
        badge,
        status: status_el,
        notice: notice_el,
    });
    state.set_example(state.example.get());
    if let Some(body) = browser::document().body() {
        let _ = body.append_with_node_1(&app.0);
    }
    host
}

/// Left/Right/Home/End move between tabs (WAI-ARIA tabs pattern).
fn tab_keys(state: AppState, ev: &web_sys::Event) {
    let tabs = &state.config.panels;
    let Some(i) = tabs.iter().position(|p| *p == state.panel.get()) else { return };
    let key = js_sys::Reflect::get(ev, &"key".into()).ok().and_then(|k| k.as_string()).unwrap_or_default();
    let j = match key.as_str() {
        "ArrowRight" => (i + 1) % tabs.len(),
        "ArrowLeft" => (i + tabs.len() - 1) % tabs.len(),
        "Home" => 0,
        "End" => tabs.len() - 1,
        _ => return,
    };
    ev.prevent_default();
    state.show_panel(tabs[j]);
    state.schedule_persist();
    if let Some((_, tab, _)) = state.page().tabs.iter().find(|(p, _, _)| *p == tabs[j]) {
        if let Some(el) = tab.dyn_ref::<web_sys::HtmlElement>() {
            let _ = el.focus();
        }
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
