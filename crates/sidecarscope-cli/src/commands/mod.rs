//! One module per subcommand. Each reads inputs, calls the core, prints the core's report.

pub mod analyze;
pub mod impact;
pub mod listeners;
pub mod lsp;
pub mod resolve;
pub mod suggest;
pub mod trace;
pub mod validate;
