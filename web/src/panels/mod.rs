//! The results panels. Each reads the shared [`AppState`](crate::app::AppState) and renders
//! text only: nothing from the input or from diagnostics is ever parsed as markup.

mod effective;
mod problems;

pub use effective::EffectivePanel;
pub use problems::ProblemsPanel;

use leptos::prelude::*;

/// Text whose `backticked` parts are code, as the core writes hints. Text nodes only.
pub(crate) fn code_spans(s: &str) -> impl IntoView {
    s.split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { view! { <code>{part.to_string()}</code> }.into_any() } else { part.to_string().into_any() })
        .collect_view()
}
