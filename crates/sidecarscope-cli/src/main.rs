//! The `sidecarscope` command: a thin shell over the core crate. It reads files, calls the
//! core, and prints the core's reports; no Istio logic lives here.

mod inputs;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use sidecarscope::{report, Severity};

/// Exit code: no errors.
const EXIT_OK: u8 = 0;
/// Exit code: findings at or above the failure severity.
const EXIT_FINDINGS: u8 = 1;
/// Exit code: the input could not be read, or the arguments are invalid.
const EXIT_INPUT: u8 = 2;

#[derive(Parser)]
#[command(name = "sidecarscope", version = sidecarscope::VERSION, about = "Istio Sidecar validation, exactly as Istio does it, with source positions")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate every Sidecar as istiod's webhook and the CRD schema would.
    Validate(CheckArgs),
    /// Print the list of diagnostic codes (Markdown).
    Codes,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files or directories (searched for .yaml, .yml, .json); `-` or nothing reads stdin.
    paths: Vec<PathBuf>,
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    output: Output,
    /// When to colour text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Also exit with 1 when there are warnings.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
}

#[derive(Clone, Copy, ValueEnum)]
enum Output {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_INPUT } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Validate(args) => validate(args),
        Command::Codes => {
            print!("{}", sidecarscope::diagnostic::codes_markdown());
            ExitCode::from(EXIT_OK)
        }
    }
}

fn validate(args: CheckArgs) -> ExitCode {
    let files = match inputs::read_inputs(&args.paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("sidecarscope: error: {e}");
            return ExitCode::from(EXIT_INPUT);
        }
    };
    let input = sidecarscope::load(files);
    let mut diags = sidecarscope::validate(&input);
    report::sort(&mut diags);
    let mut stdout = std::io::stdout().lock();
    let text = match args.output {
        Output::Json => {
            let mut s = serde_json::to_string_pretty(&report::diagnostics_report(&input, &diags)).expect("serializable");
            s.push('\n');
            s
        }
        Output::Text => {
            let color = match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            };
            report::render_human(&input, &diags, color)
        }
    };
    let _ = stdout.write_all(text.as_bytes());
    let failing = diags.iter().any(|d| match args.fail_on {
        FailOn::Error => d.severity == Severity::Error,
        FailOn::Warning => d.severity <= Severity::Warning,
    });
    ExitCode::from(if failing { EXIT_FINDINGS } else { EXIT_OK })
}
