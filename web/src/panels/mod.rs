//! The results panels: Problems, a Leptos component of this module, and the others (Effective
//! config, Listeners, Trace, Impact), which live in a second wasm module loaded the first time
//! one of them opens ([`DeferredPanel`]; web/deferred). Only the open panel is in the page:
//! hidden panels cost typing nothing. Text only: nothing from the input or from the core is
//! ever parsed as markup.

mod problems;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::app::{with_editor, AppState};
use crate::embed::Panel;
use crate::share::State;
use crate::{browser, js, json};

/// Problems' body, built again each time [`render`] runs.
#[component]
pub fn ProblemsBody() -> impl IntoView {
    let state = expect_context::<AppState>();
    let body = move || {
        state.results.track();
        // The panel's part of a run (`sc:panel`): the view's description; Leptos writes the DOM
        // right after, in the same task (a microtask of the reactive system), which
        // `sc:edit-to-paint` includes.
        let t0 = browser::now_ms();
        let view = state.analysis.with_untracked(|a| problems::body(a, state.infos_open));
        js::phase("panel", t0, browser::now_ms() - t0);
        js::mark_results();
        view
    };
    // One click handler for every link of the body (their number is unbounded).
    view! {
        <div class="panel-body problems-body" on:click=move |ev| on_problems_click(state, &ev)>{body}</div>
    }
}

/// A click in Problems: "Fix" applies the finding's quick fix (through the editor's help); a
/// finding selects its range.
fn on_problems_click(state: AppState, ev: &web_sys::Event) {
    if let Some(el) = crate::ui::closest(ev, "[data-fix]") {
        let attr = |n: &str| el.get_attribute(n).unwrap_or_default();
        let (from, to) = (attr("data-fix-from").parse().unwrap_or(0), attr("data-fix-to").parse().unwrap_or(0));
        let done = Closure::once_into_js(move |ok: bool| {
            if !ok {
                state.notify("No quick fix applies to this finding any more.");
            }
        });
        with_editor(|e| e.fix_finding(from, to, &attr("data-fix"), done));
        return;
    }
    crate::ui::on_select(ev);
}

/// A panel of the deferred module (Effective config, Listeners, Trace, Impact): an element that
/// the module fills, given the text and the state each time [`render`] runs. The module is
/// fetched the first time (the run waits for it: the editor's `idle()` too); until then, and if
/// it cannot be loaded, a line says so (the next render tries again).
#[component]
pub fn DeferredPanel(panel: Panel) -> impl IntoView {
    let state = expect_context::<AppState>();
    let host = NodeRef::<leptos::html::Div>::new();
    let status = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        state.results.track();
        let Some(el) = host.get() else { return };
        if js::deferred_loaded() {
            status.set(None);
            let (text, shown) = (state.text(), state.panel_state());
            let base = if panel == Panel::Impact { state.base.get_untracked() } else { None };
            js::render_panel(
                &el,
                panel.id(),
                &text,
                base,
                &json::to_string(&shown),
                crate::ui::no_editor(),
                &callbacks(state),
            );
            return;
        }
        status.set(Some("Loading the panel\u{2026}".into()));
        let done = Closure::once_into_js(move |error: Option<String>| {
            match error {
            None => render(state),
            Some(e) => status.set(Some(format!(
                "The panel could not be loaded ({e}). It is tried again on the next edit, or when you open a panel again."
            ))),
        }
        });
        with_editor(|e| e.wait(&js::load_deferred(), done));
    });
    view! {
        {move || status.get().map(|s| view! { <p class="empty panel-status">{s}</p> })}
        <div class=format!("proxy-panel {}-host", panel.id()) node_ref=host></div>
    }
}

thread_local! {
    static CALLBACKS: std::cell::OnceCell<JsValue> = const { std::cell::OnceCell::new() };
}

/// The shell's side of the deferred panels' forms (made once): a change to the proxy choice, the
/// call or Suggest's traffic, as the state's JSON (`State` without the text), a notice to show, and
/// an edit of the text (Suggest's "Insert into the editor").
fn callbacks(state: AppState) -> JsValue {
    CALLBACKS.with(|c| c.get_or_init(|| make_callbacks(state)).clone())
}

fn make_callbacks(state: AppState) -> JsValue {
    let o = js_sys::Object::new();
    let set = |k: &str, f: JsValue| {
        let _ = js_sys::Reflect::set(&o, &k.into(), &f);
    };
    // A form's change: the state's JSON, applied by `apply`.
    let on_state = |apply: fn(AppState, State)| {
        Closure::<dyn FnMut(String)>::new(move |j: String| {
            if let Some(s) = State::from_json(&j) {
                apply(state, s);
            }
        })
        .into_js_value()
    };
    set(
        "proxyChanged",
        on_state(|state, s| {
            state.proxy.set(s.proxy);
            state.recompute();
        }),
    );
    set(
        "traceChanged",
        on_state(|state, s| {
            state.trace.set(s.trace);
            state.trace_changed();
        }),
    );
    set(
        "trafficChanged",
        on_state(|state, s| {
            state.traffic.set(s.traffic);
            state.trace_changed();
        }),
    );
    set("notify", Closure::<dyn FnMut(String)>::new(move |m: String| state.notify(m)).into_js_value());
    // Suggest's "Insert into the editor": one undoable edit of the editor's text.
    set(
        "insertText",
        Closure::<dyn FnMut(u32, u32, String)>::new(move |from: u32, to: u32, text: String| {
            if with_editor(|e| e.replace(from, to, &text)) != Some(true) {
                state.notify("The editor is read-only: copy the YAML instead.");
            }
        })
        .into_js_value(),
    );
    o.into()
}

/// The open panel's results again, from the last analysis (and the proxy and the call).
pub fn render(state: AppState) {
    state.results.update(|n| *n = n.wrapping_add(1));
}
