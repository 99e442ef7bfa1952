//! The playground's deferred module: what the page loads on first use, so that a first visit
//! downloads only the shell, the editor and the mesh analysis (web/README.md, "Two wasm
//! modules"). It holds the panels the shell renders through [`render`] (Effective config,
//! Listeners, Trace, Impact, Suggest: the core's resolution, listener generation, trace, impact and
//! `tighten`, and
//! these panels' views) and the editor's help ([`help::help`], which the help worker calls: the
//! core's `ide` layer). The shell links none of them.
//!
//! The shell owns the state (the text, the default namespace, the proxy choice, the trace form,
//! Impact's base: what share links keep) and calls [`render`] each time the open panel must show
//! fresh results. This module owns only what the panels show: its own workspace of the text
//! (its parsed documents kept across renders), the base's, the target proxy, the rows expanded.
//! A change in its forms goes to the shell (`proxyChanged` / `traceChanged`), which keeps it and
//! renders again: the data flows one way.

pub mod help;
pub mod model;
pub mod panels;

use std::cell::RefCell;

use leptos::prelude::*;
use sidecarscope_web_common::embed::Panel;
use sidecarscope_web_common::share::{ProxyChoice, State, TraceForm};
use sidecarscope_web_common::{js, json};
use wasm_bindgen::prelude::*;

use model::{Model, Target};

/// The panels' state: cheap handles, provided by context to every component.
#[derive(Clone, Copy)]
pub struct Ctx {
    /// The workloads to choose from and the proxy chosen.
    pub target: RwSignal<Target>,
    /// The shell's proxy choice, as last rendered (share links keep it).
    pub proxy: RwSignal<ProxyChoice>,
    /// The shell's trace form, as last rendered.
    pub trace: RwSignal<TraceForm>,
    /// Counts renders: the open panel's body is built again when it changes.
    pub results: RwSignal<u32>,
    /// Listeners: the rows the user expanded (across renders and panels).
    pub expanded: panels::Expanded,
    /// Trace: the destination's suggestions (the input's services).
    pub suggestions: RwSignal<Vec<String>>,
    /// Suggest: the traffic pasted (the shell's, as last rendered; share links keep it).
    pub traffic: RwSignal<String>,
    /// Suggest: the tab open (Suggestion or Traffic).
    pub suggest_tab: RwSignal<panels::SuggestTab>,
    /// Suggest: for every workload (one Sidecar per namespace) rather than the selected one.
    pub whole_mesh: RwSignal<bool>,
}

impl Ctx {
    /// The proxy picker changed the choice: the shell keeps it and runs the core again (istiod's
    /// flags are options of its analysis too), then renders.
    pub fn recompute(self) {
        self.send("proxyChanged");
    }

    /// The trace form changed: the shell keeps it and renders again.
    pub fn trace_changed(self) {
        self.send("traceChanged");
    }

    /// Suggest's traffic changed: the shell keeps it and renders again.
    pub fn traffic_changed(self) {
        self.send("trafficChanged");
    }

    fn send(self, what: &str) {
        let state = State {
            proxy: self.proxy.get_untracked(),
            trace: self.trace.get_untracked(),
            traffic: self.traffic.get_untracked(),
            ..State::default()
        };
        call(what, &json::to_string(&state).into());
    }
}

/// What the last render read, to know what it must compute again.
#[derive(PartialEq)]
struct Read {
    text: String,
    namespace: String,
    istiod: String,
}

struct Module {
    ctx: Ctx,
    /// Keeps the signals alive (they belong to this owner, not to a mount).
    _owner: Owner,
    model: Option<Model>,
    /// Impact's base: its text and what it was read with, and its workspace.
    base: Option<(Read, Model)>,
    read: Option<Read>,
    /// The proxy choice the target was computed for (the forms change `Ctx::proxy` before the
    /// shell renders again).
    chosen: Option<ProxyChoice>,
    /// The element and panel mounted, and the mount (dropping it unmounts).
    mounted: Option<(web_sys::HtmlElement, Panel, UnmountHandle<AnyViewState>)>,
    /// The shell's callbacks: `proxyChanged(json)`, `traceChanged(json)`, `trafficChanged(json)`,
    /// `notify(message)`, `insertText(from, to, text)`.
    callbacks: JsValue,
}

type AnyViewState = <AnyView as Render>::State;

thread_local! {
    static MODULE: RefCell<Option<Module>> = const { RefCell::new(None) };
}

/// Runs `f` with the model of Impact's base, if the shell compares (`None` otherwise).
pub fn with_base<R>(f: impl FnOnce(Option<&Model>) -> R) -> R {
    MODULE.with(|m| {
        let m = m.borrow();
        f(m.as_ref().and_then(|m| m.base.as_ref().map(|(_, b)| b)))
    })
}

/// Runs `f` with the model of the last render's text.
pub fn with_model<R>(f: impl FnOnce(&Model) -> R) -> Option<R> {
    MODULE.with(|m| m.borrow().as_ref().and_then(|m| m.model.as_ref().map(f)))
}

fn call(name: &str, arg: &JsValue) {
    let callbacks = MODULE.with(|m| m.borrow().as_ref().map(|m| m.callbacks.clone()));
    let Some(callbacks) = callbacks else { return };
    if let Ok(f) = js_sys::Reflect::get(&callbacks, &name.into()) {
        if let Some(f) = f.dyn_ref::<js_sys::Function>() {
            let _ = f.call1(&JsValue::NULL, arg);
        }
    }
}

/// Hands an edit of the editor's text to the shell (`insertText(from, to, text)`), which applies it
/// as one undoable change (and says so when the editor is read-only).
pub fn insert_text(edit: &panels::Insert) {
    let callbacks = MODULE.with(|m| m.borrow().as_ref().map(|m| m.callbacks.clone()));
    let Some(callbacks) = callbacks else { return };
    if let Ok(f) = js_sys::Reflect::get(&callbacks, &"insertText".into()) {
        if let Some(f) = f.dyn_ref::<js_sys::Function>() {
            let _ = f.call3(&JsValue::NULL, &edit.from.into(), &edit.to.into(), &edit.text.as_str().into());
        }
    }
}

/// Copies `text`, then says so in the shell's notice.
pub fn copy(text: &str, ok_message: &'static str) {
    let done = Closure::once_into_js(move |ok: bool| {
        call("notify", &(if ok { ok_message } else { "Copying was refused by the browser." }).into());
    });
    js::copy_text(text, done.unchecked_ref());
}

/// Shows `panel` (`effective`, `listeners`, `trace`, `impact` or `suggest`) in `el` for the shell's `text`
/// (and, for Impact, the `base` it compares with, if any) and `state` (its share-link JSON
/// without the texts: the namespace, the proxy choice, the trace form). Computes again only what
/// changed since the last call; mounts the panel in `el` if it is not there yet (an element the
/// shell made anew, another panel), and leaves the element's content to this module.
#[wasm_bindgen]
pub fn render(
    el: web_sys::HtmlElement,
    panel: &str,
    text: String,
    base: Option<String>,
    state: &str,
    no_editor: bool,
    callbacks: JsValue,
) {
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    let Some(panel) = Panel::from_id(panel).filter(|p| *p != Panel::Problems) else { return };
    let state = State::from_json(state).unwrap_or_default();
    sidecarscope_web_common::ui::NO_EDITOR.with(|n| n.set(no_editor));
    // The module's state is borrowed only briefly: signals set and views built outside the
    // borrow read the model again.
    let (ctx, target, same) = MODULE.with(|m| {
        let mut m = m.borrow_mut();
        let m = m.get_or_insert_with(|| {
            let owner = Owner::new();
            let ctx = owner.with(|| Ctx {
                target: RwSignal::new(Target::default()),
                proxy: RwSignal::new(ProxyChoice::default()),
                trace: RwSignal::new(TraceForm::default()),
                results: RwSignal::new(0),
                expanded: RwSignal::new(Default::default()),
                suggestions: RwSignal::new(Vec::new()),
                traffic: RwSignal::new(String::new()),
                suggest_tab: RwSignal::new(Default::default()),
                whole_mesh: RwSignal::new(false),
            });
            Module {
                ctx,
                _owner: owner,
                model: None,
                base: None,
                read: None,
                chosen: None,
                mounted: None,
                callbacks: JsValue::NULL,
            }
        });
        m.callbacks = callbacks;
        let read = Read { text, namespace: state.namespace.clone(), istiod: state.proxy.istiod.clone() };
        let changed_input = m.read.as_ref() != Some(&read);
        if changed_input {
            m.model = Some(Model::read(&read.text, &state.proxy, &read.namespace, m.model.take()));
            m.read = Some(read);
        }
        // Impact's base: read again when it or the options change; dropped when not comparing.
        match base {
            Some(text) => {
                let read = Read { text, namespace: state.namespace.clone(), istiod: state.proxy.istiod.clone() };
                if m.base.as_ref().map(|(r, _)| r) != Some(&read) {
                    let previous = m.base.take().map(|(_, model)| model);
                    let model = Model::read(&read.text, &state.proxy, &read.namespace, previous);
                    m.base = Some((read, model));
                }
            }
            None if panel == Panel::Impact => m.base = None,
            None => {}
        }
        let changed_choice = m.chosen.as_ref() != Some(&state.proxy);
        let target = (changed_input || changed_choice)
            .then(|| m.model.as_ref().map(|model| Target::of(model, &state.proxy)))
            .flatten();
        m.chosen = Some(state.proxy.clone());
        let same = m.mounted.as_ref().is_some_and(|(e, p, _)| *p == panel && e == &el);
        (m.ctx, target, same)
    });
    if ctx.proxy.with_untracked(|p| *p != state.proxy) {
        ctx.proxy.set(state.proxy);
    }
    if let Some(t) = target {
        ctx.target.set(t);
    }
    if ctx.trace.with_untracked(|t| *t != state.trace) {
        ctx.trace.set(state.trace);
    }
    if ctx.traffic.with_untracked(|t| *t != state.traffic) {
        ctx.traffic.set(state.traffic);
    }
    if same {
        ctx.results.update(|n| *n = n.wrapping_add(1));
        return;
    }
    // Another element or panel: unmount the previous panel (its element may be gone already) and
    // mount this one, which shows the results as it is built.
    let old = MODULE.with(|m| m.borrow_mut().as_mut().and_then(|m| m.mounted.take()));
    drop(old);
    el.set_text_content(None);
    let handle = mount_to(el.clone(), move || {
        provide_context(ctx);
        panels::panel(panel)
    });
    MODULE.with(|m| {
        if let Some(m) = m.borrow_mut().as_mut() {
            m.mounted = Some((el, panel, handle));
        }
    });
}
