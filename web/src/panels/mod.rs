//! The results panels, as Leptos components: each panel's controls (the proxy picker, the trace
//! form) and its body. The body is rebuilt from the core's results each time they are computed
//! for the open panel ([`render`], after every edit and whenever the panel's inputs change), and
//! only the open panel is in the page: hidden panels cost typing nothing. Text only: nothing
//! from the input or from the core is ever parsed as markup.

mod effective;
mod listeners;
mod problems;
mod proxy;
mod trace;
mod trace_hints;

use leptos::prelude::*;

pub use listeners::Expanded;
pub use proxy::ProxyPicker;
pub use trace::TraceForm;

use crate::app::{with_model, AppState};
use crate::embed::Panel;

/// The body of a panel: the open panel's results, built again each time [`render`] runs.
#[component]
pub fn PanelBody(panel: Panel) -> impl IntoView {
    let state = expect_context::<AppState>();
    let body = move || {
        state.results.track();
        // The panel's part of a run (`sc:panel`): the core's work for it (resolution, listeners,
        // trace) and the view's description; Leptos writes the DOM right after, in the same
        // task (a microtask of the reactive system), which `sc:edit-to-paint` includes.
        let t0 = crate::browser::now_ms();
        let view = state.analysis.with_untracked(|a| {
            with_model(|model| match panel {
                Panel::Problems => problems::body(a, state.infos_open),
                Panel::Effective => effective::body(a, model),
                Panel::Listeners => listeners::body(a, model, state.expanded),
                Panel::Trace => state.trace.with_untracked(|form| trace::body(a, model, form, state.suggestions)),
            })
        });
        crate::js::phase("panel", t0, crate::browser::now_ms() - t0);
        crate::js::mark_results();
        view
    };
    // One click handler for every link and row of the body (their number is unbounded).
    view! {
        <div class=format!("panel-body {}-body", panel.id()) on:click=move |ev| on_click(state, panel, &ev)>{body}</div>
    }
}

/// The open panel's results again, from the last analysis (and the proxy and the call).
pub fn render(state: AppState) {
    state.results.update(|n| *n = n.wrapping_add(1));
}

fn on_click(state: AppState, panel: Panel, ev: &web_sys::Event) {
    if crate::ui::on_select(ev) {
        return;
    }
    if crate::ui::closest(ev, "[data-copy]").is_some() {
        let text = match panel {
            Panel::Listeners => listeners::copy_text(),
            Panel::Trace => trace::copy_text(),
            _ => None,
        };
        if let Some(text) = text {
            crate::app::copy(state, &text, "Copied as text.");
        }
        return;
    }
    if panel == Panel::Listeners {
        listeners::on_click(ev, state.expanded);
    }
}

/// What the proxy panels show when there is no proxy.
fn no_proxy(a: &crate::analysis::Analysis) -> AnyView {
    let text = if a.resources == 0 {
        "Nothing to resolve yet: paste resources or pick an example."
    } else {
        "The input has no workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet or WorkloadEntry). Describe a proxy with \u{201c}Custom proxy\u{201d} to see its configuration."
    };
    view! { <p class="empty">{text}</p> }.into_any()
}
