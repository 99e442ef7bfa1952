//! The results panels. [`mount`] builds the open panel's controls (the proxy picker, the trace
//! form) and its body with [`crate::dom`]; the body is rebuilt from the core's results by
//! [`render`], which runs after
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

use web_sys::Element;

pub use trace::reset_form as reset_trace_form;

use crate::app::{with_editor, AppState};
use crate::dom::{self, El};
use crate::embed::Panel;

thread_local! {
    /// The open panel's body element.
    static BODY: RefCell<Option<(Panel, Element)>> = const { RefCell::new(None) };
}

/// Builds the open panel in `tabpanel`: its controls and its body, which becomes the open
/// panel's body, rendered at once. The panel shown before was emptied (`App::show_panel`).
pub fn mount(state: AppState, panel: Panel, tabpanel: &Element) {
    let body = El::cls("div", &format!("panel-body {}-body", panel.id()));
    let el = body.0.clone();
    // One handler for every link and row of the body (their number is unbounded).
    dom::listen(&el, "click", move |ev| on_click(state, panel, &ev));
    let content = match panel {
        Panel::Problems => body,
        Panel::Trace => El::cls("div", "trace").child(proxy::picker(state)).child(trace::form(state)).child(body),
        _ => El::cls("div", panel.id()).child(proxy::picker(state)).child(body),
    };
    let _ = tabpanel.append_with_node_1(&content.0);
    BODY.with(|b| *b.borrow_mut() = Some((panel, el)));
    render(state);
}

/// Rebuilds the open panel's body from the current results.
pub fn render(state: AppState) {
    state.analysis.with(|a| state.proxy.with(|c| proxy::update(a, c)));
    let Some((panel, host)) = BODY.with(|b| b.borrow().clone()) else { return };
    let body = state.analysis.with(|a| {
        crate::app::with_model(|model| match panel {
            Panel::Problems => problems::body(a),
            Panel::Effective => effective::body(a, model),
            Panel::Listeners => listeners::body(a, model),
            Panel::Trace => state.trace.with(|form| trace::body(a, model, form)),
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
