//! `sidecarscope analyze`: the whole mesh — validation, istioctl analyze's and Kiali's Sidecar
//! checks, and Sidecarscope's own — as text, JSON (as `validate`) or SARIF for code scanning.

use clap::ValueEnum;
use sidecarscope::{report, sarif};

use crate::common::{self, Color, FailOn, InputArgs};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// When to colour text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// The lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Output {
    Text,
    Json,
    /// SARIF 2.1.0, for code-scanning UIs.
    Sarif,
}

pub fn run(args: Args) -> u8 {
    let input = match common::load(&args.input) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let mut diags = sidecarscope::analyze(&input);
    report::sort(&mut diags);
    match args.output {
        Output::Json => common::print_json(&report::diagnostics_report(&input, &diags)),
        Output::Sarif => common::print_json(&sarif::sarif_log(&input, &diags)),
        Output::Text => common::print(&report::render_human(&input, &diags, args.color.enabled())),
    }
    common::exit_for(&diags, args.fail_on)
}
