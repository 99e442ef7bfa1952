//! The proxy panels, as Leptos components: the proxy picker, the trace form, Suggest's tabs, and each panel's
//! body, rebuilt from the core's results each time the shell renders the open panel
//! ([`crate::render`]). Text only: nothing from the input or from the core is ever parsed as
//! markup.

mod effective;
mod impact;
mod listeners;
mod proxy;
mod suggest;
mod trace;
mod trace_hints;

use leptos::prelude::*;
use sidecarscope_web_common::embed::Panel;

pub use listeners::Expanded;
pub use proxy::ProxyPicker;
pub use suggest::{Insert, Tab as SuggestTab};
pub use trace::TraceForm;

use crate::model::Target;
use crate::{with_model, Ctx};

/// The open panel: its controls and its body.
pub fn panel(panel: Panel) -> AnyView {
    match panel {
        Panel::Trace => view! { <div class="trace"><ProxyPicker/><TraceForm/><Body panel=panel/></div> }.into_any(),
        Panel::Impact => view! { <div class="impact-panel"><Body panel=panel/></div> }.into_any(),
        Panel::Suggest => view! {
            <div class="suggest-panel"><ProxyPicker/><suggest::SuggestControls/><Body panel=panel/></div>
        }
        .into_any(),
        _ => view! { <div class=panel.id()><ProxyPicker/><Body panel=panel/></div> }.into_any(),
    }
}

/// The body of a panel: its results, built again each time the shell renders it.
#[component]
fn Body(panel: Panel) -> impl IntoView {
    let state = expect_context::<Ctx>();
    let body = move || {
        state.results.track();
        // The panel's part of a run (`sc:panel`): the core's work for it (resolution, listeners,
        // trace) and the view's description; Leptos writes the DOM right after, in the same
        // task (a microtask of the reactive system), which `sc:edit-to-paint` includes.
        let t0 = sidecarscope_web_common::browser::now_ms();
        let view = state.target.with_untracked(|a| {
            with_model(|model| match panel {
                Panel::Effective => effective::body(a, model),
                Panel::Listeners => listeners::body(a, model, state.expanded),
                Panel::Trace => state.trace.with_untracked(|form| trace::body(a, model, form, state.suggestions)),
                Panel::Impact => crate::with_base(|base| impact::body(model, base)),
                Panel::Suggest => state.traffic.with_untracked(|t| {
                    suggest::body(a, model, t, state.suggest_tab.get_untracked(), state.whole_mesh.get_untracked())
                }),
                Panel::Problems => ().into_any(),
            })
        });
        sidecarscope_web_common::js::phase("panel", t0, sidecarscope_web_common::browser::now_ms() - t0);
        sidecarscope_web_common::js::mark_results();
        view
    };
    // One click handler for every link and row of the body (their number is unbounded).
    view! {
        <div class=format!("panel-body {}-body", panel.id()) on:click=move |ev| on_click(state, panel, &ev)>{body}</div>
    }
}

fn on_click(state: Ctx, panel: Panel, ev: &web_sys::Event) {
    use sidecarscope_web_common::ui;
    if ui::on_select(ev) {
        return;
    }
    if panel == Panel::Suggest {
        suggest::on_click(ev);
        return;
    }
    if let Some(el) = ui::closest(ev, "[data-copy]") {
        let text = match panel {
            Panel::Listeners => listeners::copy_text(),
            Panel::Trace => trace::copy_text(),
            Panel::Impact => impact::copy_text(el.get_attribute("data-copy").as_deref() == Some("markdown")),
            _ => None,
        };
        if let Some(text) = text {
            crate::copy(&text, "Copied as text.");
        }
        return;
    }
    if panel == Panel::Listeners {
        listeners::on_click(ev, state.expanded);
    }
}

/// What the proxy panels show when there is no proxy.
fn no_proxy(a: &Target) -> AnyView {
    let text = if a.resources == 0 {
        "Nothing to resolve yet: paste resources or pick an example."
    } else {
        "The input has no workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet or WorkloadEntry). Describe a proxy with \u{201c}Custom proxy\u{201d} to see its configuration."
    };
    view! { <p class="empty">{text}</p> }.into_any()
}
