//! The `sidecarscope` command: a thin shell over the core crate. It reads files, calls the
//! core, and prints the core's reports; no Istio logic lives here.

mod commands;
mod common;
mod inputs;

use std::process::ExitCode;

/// A faster allocator than the system's for the core's many small allocations (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` of mimalloc.h (15 in v2 and v3; the Rust bindings name no constant
/// for it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Pages freed whole go back to the OS at once rather than after mimalloc's default 10 ms:
/// analyze frees most YAML trees while it builds the registry, and on the 5,000-service mesh
/// that keeps its peak at 37 MiB instead of 40 MiB, for about 6% more CPU. (mimalloc v3
/// purged at a third of analyze's time, so purging was off until the CLI moved to v2.)
fn purge_freed_pages_at_once() {
    // SAFETY: sets a process-wide mimalloc option; no memory is touched.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) }
}

/// No transparent huge pages for this process. mimalloc commits its arena eagerly and, where
/// the kernel's THP setting is `always`, every touched 2 MiB becomes resident at once: on the
/// 5,000-service mesh that was 25 MB of the 89 MB peak of analyze, for no measurable speed.
/// (mimalloc's own `allow_thp` option is read before `main` runs; the process flag is not.)
#[cfg(target_os = "linux")]
fn no_transparent_huge_pages() {
    const PR_SET_THP_DISABLE: std::ffi::c_int = 41;
    extern "C" {
        fn prctl(option: std::ffi::c_int, ...) -> std::ffi::c_int;
    }
    // SAFETY: prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) only sets a flag of this process; a kernel
    // without it returns an error, which changes nothing.
    unsafe {
        prctl(
            PR_SET_THP_DISABLE,
            1 as std::ffi::c_ulong,
            0 as std::ffi::c_ulong,
            0 as std::ffi::c_ulong,
            0 as std::ffi::c_ulong,
        );
    }
}
#[cfg(not(target_os = "linux"))]
fn no_transparent_huge_pages() {}

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "sidecarscope",
    version = sidecarscope::VERSION,
    about = "Reproduces offline what Istio does with Sidecar resources",
    after_help = "Exit codes: 0 no errors; 1 errors found (or warnings, with --fail-on warning); 2 input unreadable or bad arguments."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate every Sidecar as istiod's webhook and the CRD schema would.
    Validate(common::CheckArgs),
    /// Analyze the whole mesh: validation, istioctl analyze's and Kiali's Sidecar checks, and ours.
    Analyze(commands::analyze::AnalyzeArgs),
    /// Show which Sidecar governs a workload and its effective configuration, with reasons.
    Resolve(commands::resolve::Args),
    /// List the listeners istiod would send the proxy, as `istioctl proxy-config listeners` shows them.
    Listeners(commands::listeners::Args),
    /// Follow a call through the proxy's listeners to the filter chain, route and cluster it reaches.
    Trace(commands::trace::Args),
    /// Compare two versions of the mesh: what changes for every workload's proxy, and which calls break.
    Impact(commands::impact::Args),
    /// Suggest the tightest Sidecar per workload or namespace from observed traffic, proven not to change a call.
    Suggest(commands::suggest::Args),
    /// Print the list of diagnostic codes (Markdown).
    Codes,
    /// Run a language server on stdin/stdout (completion, hover, definitions, quick fixes, findings).
    Lsp(commands::lsp::Args),
}

fn main() -> ExitCode {
    no_transparent_huge_pages();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { common::EXIT_INPUT } else { common::EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // Not for the language server: it frees and rebuilds the registry on every edit, and giving
    // those pages back to the OS at once made each edit about six times slower (BENCHMARKS.md,
    // "The editor").
    if !matches!(cli.command, Command::Lsp(_)) {
        purge_freed_pages_at_once();
    }
    let code = match cli.command {
        Command::Validate(args) => commands::validate::run(args),
        Command::Analyze(args) => commands::analyze::run(args),
        Command::Resolve(args) => commands::resolve::run(args),
        Command::Listeners(args) => commands::listeners::run(args),
        Command::Trace(args) => commands::trace::run(args),
        Command::Lsp(args) => commands::lsp::run(args),
        Command::Impact(args) => commands::impact::run(args),
        Command::Suggest(args) => commands::suggest::run(args),
        Command::Codes => {
            common::print(&sidecarscope::diagnostic::codes_markdown());
            common::EXIT_OK
        }
    };
    ExitCode::from(code)
}
