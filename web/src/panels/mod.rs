//! The results panels. Leptos renders each panel's controls (the proxy picker, the trace form);
//! the body is built with [`crate::dom`] from the core's results by [`render`], which runs after
//! every edit and whenever the panel's inputs change, and only for the open panel: hidden
//! panels cost typing nothing. Bodies are text only: nothing from the input or from the core is
//! ever parsed as markup.

mod effective;
mod listeners;
mod problems;
mod proxy;
mod trace;
mod trace_hints;

use std::cell::RefCell;

use leptos::prelude::*;
use web_sys::Element;

pub use proxy::ProxyPicker;
pub use trace::{reset_form as reset_trace_form, TraceForm};

use crate::app::{with_editor, AppState};
use crate::dom::{self, El};
use crate::embed::Panel;

thread_local! {
    /// The open panel's body element.
    static BODY: RefCell<Option<(Panel, Element)>> = const { RefCell::new(None) };
}

/// The body of a panel: registers itself as the open panel's and renders.
#[component]
pub fn PanelBody(panel: Panel) -> impl IntoView {
    let state = expect_context::<AppState>();
    let host = NodeRef::<leptos::html::Div>::new();
    host.on_load(move |el| {
        let el: Element = el.into();
        // One handler for every link and row of the body (their number is unbounded).
        dom::listen(&el, "click", move |ev| on_click(state, panel, &ev));
        BODY.with(|b| *b.borrow_mut() = Some((panel, el)));
        render(state);
    });
    on_cleanup(move || {
        BODY.with(|b| {
            let mut b = b.borrow_mut();
            if b.as_ref().is_some_and(|(p, _)| *p == panel) {
                *b = None;
            }
        })
    });
    view! { <div class=format!("panel-body {}-body", panel.id()) node_ref=host></div> }
}

/// Rebuilds the open panel's body from the current results.
pub fn render(state: AppState) {
    state.analysis.with_untracked(|a| state.proxy.with_untracked(|c| proxy::update(a, c)));
    let Some((panel, host)) = BODY.with(|b| b.borrow().clone()) else { return };
    let body = state.analysis.with_untracked(|a| {
        crate::app::with_model(|model| match panel {
            Panel::Problems => problems::body(a),
            Panel::Effective => effective::body(a, model),
            Panel::Listeners => listeners::body(a, model),
            Panel::Trace => state.trace.with_untracked(|form| trace::body(a, model, form)),
        })
    });
    dom::replace(&host, body.unwrap_or_else(|| El::new("div")));
}

fn on_click(state: AppState, panel: Panel, ev: &web_sys::Event) {
    if let Some(el) = dom::closest(ev, "[data-from]") {
        if let Some((from, to)) = dom::range_of(&el) {
            with_editor(|e| e.select(from, to));
        }
        return;
    }
    if dom::closest(ev, "[data-copy]").is_some() {
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
        listeners::on_click(ev);
    }
}

/// What the proxy panels show when there is no proxy.
fn no_proxy(a: &crate::analysis::Analysis) -> El {
    El::cls("p", "empty").text(if a.resources == 0 {
        "Nothing to resolve yet: paste resources or pick an example."
    } else {
        "The input has no workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet or WorkloadEntry). Describe a proxy with \u{201c}Custom proxy\u{201d} to see its configuration."
    })
}
