//! Options and output plumbing shared by the subcommands.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::ValueEnum;
use sidecarscope::{Diagnostic, Input, Severity};

/// Exit code: no errors.
pub const EXIT_OK: u8 = 0;
/// Exit code: findings at or above the failure severity.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: the input could not be read, or the arguments are invalid.
pub const EXIT_INPUT: u8 = 2;

#[derive(clap::Args)]
pub struct InputArgs {
    /// Files or directories (searched for .yaml, .yml, .json); `-` or nothing reads stdin.
    pub paths: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

impl Color {
    pub fn enabled(self) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
}

/// Reads the paths into a loaded input, or prints why not and returns the exit code.
pub fn load(args: &InputArgs) -> Result<Input, u8> {
    match crate::inputs::read_inputs(&args.paths) {
        Ok(files) => Ok(sidecarscope::load(files)),
        Err(e) => {
            eprintln!("sidecarscope: error: {e}");
            Err(EXIT_INPUT)
        }
    }
}

pub fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

pub fn print_json<T: serde::Serialize>(value: &T) {
    let mut s = serde_json::to_string_pretty(value).expect("results are always serializable");
    s.push('\n');
    print(&s);
}

/// The exit code for a set of findings.
pub fn exit_for(diags: &[Diagnostic], fail_on: FailOn) -> u8 {
    let failing = diags.iter().any(|d| match fail_on {
        FailOn::Error => d.severity == Severity::Error,
        FailOn::Warning => d.severity <= Severity::Warning,
    });
    if failing {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
