//! One module per subcommand. Each reads inputs, calls the core, prints the core's report.

pub mod resolve;
pub mod validate;
