//! The results panels. Each reads the shared [`AppState`](crate::app::AppState) and renders
//! text only: nothing from the input or from diagnostics is ever parsed as markup.

mod effective;
mod problems;

pub use effective::EffectivePanel;
pub use problems::ProblemsPanel;
