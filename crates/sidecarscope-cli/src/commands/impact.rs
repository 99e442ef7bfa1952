//! `sidecarscope impact BASE HEAD`: what the change from BASE to HEAD does to every workload's
//! proxy, and which calls it breaks. Each side is read as the other commands read their paths
//! (a file, a directory, `-` for standard input on one side); the core compares and renders.

use std::path::PathBuf;

use clap::ValueEnum;
use sidecarscope::impact::{impact, ImpactOptions};
use sidecarscope::render::{impact as render, yaml};
use sidecarscope::workspace::check_namespace;
use sidecarscope::{Options, Workspace};

use crate::common::{self, EXIT_FINDINGS, EXIT_INPUT, EXIT_OK};

#[derive(clap::Args)]
#[command(
    after_help = "Exit codes: 0 compared (and nothing --fail-on names); 1 --fail-on breaking: a call that worked \
in BASE breaks, bypasses the mesh or is rerouted in HEAD (--fail-on any: any change, findings included); 2 a side \
could not be read or loaded completely (the error says which side and where), or bad arguments.\n\n\
Examples:\n  sidecarscope impact old/ new/\n  sidecarscope impact base.yaml head.yaml --workload shop/cart -o json\n  \
git worktree add /tmp/base main && sidecarscope impact /tmp/base/k8s k8s -o markdown --fail-on breaking\n  \
sidecarscope impact old/ new/ --traffic requests.json --traffic access.log"
)]
pub struct Args {
    /// The mesh before the change: a file or a directory (searched for .yaml, .yml, .json), or `-`.
    pub base: PathBuf,
    /// The mesh after the change, as BASE.
    pub head: PathBuf,
    /// Only this workload (NS/NAME), present on either side.
    #[arg(long, value_name = "NS/NAME")]
    pub workload: Option<String>,
    /// A file of observed calls to trace on both sides too (repeatable; the formats `suggest`
    /// reads: Prometheus JSON or text, a Kiali graph, Envoy access logs, a dependency list).
    #[arg(long, value_name = "FILE")]
    pub traffic: Vec<PathBuf>,
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// Exit with code 1 when the change breaks a call (`breaking`) or changes anything (`any`).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// The namespace of resources without metadata.namespace, on both sides.
    #[arg(long, value_name = "NAMESPACE", default_value = sidecarscope::DEFAULT_NAMESPACE)]
    pub default_namespace: String,
    /// istiod environment (feature flags), e.g. ENABLE_TLS_ON_SIDECAR_INGRESS=true (repeatable).
    #[arg(long = "istiod-env", value_name = "KEY=VALUE")]
    pub istiod_env: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Output {
    /// A plan: breaking calls first, then per namespace and workload `+`/`-`/`~` lines, a summary.
    Text,
    /// The report (docs/impact.md describes it).
    Json,
    /// The JSON report as YAML.
    Yaml,
    /// A pull-request comment: a summary table, the breaking calls, details folded per namespace.
    Markdown,
    /// SARIF 2.1.0: one result per breaking call, at the head lines that caused it.
    Sarif,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// A call that worked in BASE fails, bypasses the mesh or is rerouted in HEAD.
    Breaking,
    /// Any change of any workload's proxy, or an analysis finding that appears or disappears.
    Any,
}

/// One side read: the workspace, or the exit code (the message is printed).
fn side(name: &str, path: &PathBuf, options: &Options) -> Result<Workspace, u8> {
    match crate::inputs::read_inputs(std::slice::from_ref(path)) {
        Ok(read) => {
            let mut ws = Workspace::new(read.files, options.clone());
            for (i, code, message) in read.problems {
                ws.add_read_problem(i, code, message);
            }
            Ok(ws)
        }
        Err(e) => {
            eprintln!("sidecarscope: error: {name}: {}", sidecarscope::report::escape_controls(&e));
            Err(EXIT_INPUT)
        }
    }
}

pub fn run(args: Args) -> u8 {
    if let Err(e) = check_namespace(&args.default_namespace) {
        return common::fail(format!("--default-namespace {e}"));
    }
    if args.base.as_os_str() == "-" && args.head.as_os_str() == "-" {
        return common::fail("BASE and HEAD cannot both be standard input (-)");
    }
    let env = match common::pairs(args.istiod_env.iter().map(String::as_str), "--istiod-env") {
        Ok(env) => env,
        Err(e) => return common::fail(e),
    };
    let options = common::command_options(&args.default_namespace, Options { istiod_env: env, ..Options::default() });
    let (base, head) = match (side("base", &args.base, &options), side("head", &args.head, &options)) {
        (Ok(b), Ok(h)) => (b, h),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let mut files = Vec::new();
    for p in &args.traffic {
        match super::suggest::read_evidence(p) {
            Ok(f) => files.push(f),
            Err(e) => return common::fail(e),
        }
    }
    let traffic = (!args.traffic.is_empty()).then(|| sidecarscope::tighten::evidence::read(&files));
    let options = ImpactOptions { workload: args.workload.clone(), recompute_all: false, traffic };
    let report = match impact(&base, &head, &options) {
        Ok(r) => r,
        Err(e) => return common::fail(e),
    };
    if let Some(t) = &report.traffic {
        super::suggest::print_problems(&t.problems);
    }
    if !report.problems.is_empty() {
        // Never a silently empty (or partial) comparison: say which side and where, exit 2.
        eprint!("{}", sidecarscope::report::escape_controls(&render::problems_text(&report)));
        eprintln!("sidecarscope: error: a side did not load completely, so nothing was compared");
    }
    let mut out = common::Out::new();
    match args.output {
        Output::Text => out.text(&render::text(&report)),
        Output::Json => out.json(&report),
        Output::Yaml => out.text(&yaml::to_yaml(&report)),
        Output::Markdown => out.input_text(&render::markdown(&report)),
        Output::Sarif => out.json(&render::sarif(&report)),
    }
    drop(out);
    if !report.problems.is_empty() {
        return EXIT_INPUT;
    }
    let failing = match args.fail_on {
        None => false,
        Some(FailOn::Breaking) => report.summary.breaking() > 0,
        Some(FailOn::Any) => report.summary.any(),
    };
    if failing {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
