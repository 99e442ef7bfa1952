//! `sidecarscope suggest MESH --traffic FILE ...`: the tightest Sidecar per workload or
//! namespace, from observed traffic and the mesh, each proven (by tracing every observed call
//! before and after, and the impact engine) not to change a single call. The core reads the
//! evidence and decides; this file reads the files and prints.

use std::path::PathBuf;

use clap::ValueEnum;
use sidecarscope::tighten::{self, evidence, EvidenceFile, Per, SuggestOptions};
use sidecarscope::workspace::check_namespace;
use sidecarscope::{Options, Workspace};

use crate::common::{self, EXIT_INPUT, EXIT_OK};
use crate::inputs::MAX_INPUT_BYTES;

#[derive(clap::Args)]
#[command(after_help = "Evidence formats (recognised by content): a Prometheus /api/v1/query result (JSON) or text \
exposition of istio_requests_total / istio_tcp_connections_opened_total; a Kiali graph (JSON); Envoy access logs \
in Istio's default text or JSON format; a dependency list (YAML: `namespace/workload: [host, host:port]`).\n\n\
Exit codes: 0 answered (a malformed record is a warning, skipped); 2 the mesh or an evidence file could not be \
read, or bad arguments.\n\n\
Examples:\n  sidecarscope suggest k8s/ --traffic requests.json --traffic tcp.json\n  \
sidecarscope suggest k8s/ --traffic access.log --workload shop/cart --per workload -o markdown")]
pub struct Args {
    /// The mesh: files or directories (searched for .yaml, .yml, .json), or `-` for standard input.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// An evidence file (repeatable).
    #[arg(long, value_name = "FILE")]
    pub traffic: Vec<PathBuf>,
    /// Only the Sidecar of this workload (NS/NAME).
    #[arg(long, value_name = "NS/NAME")]
    pub workload: Option<String>,
    /// One Sidecar per workload (workloadSelector), per namespace, or the cheaper mix.
    #[arg(long, value_enum, default_value_t = PerArg::Namespace)]
    pub per: PerArg,
    /// Write this outboundTrafficPolicy mode (default: as the replaced Sidecar has it).
    #[arg(long, value_name = "MODE", value_parser = ["ALLOW_ANY", "REGISTRY_ONLY"])]
    pub outbound_traffic_policy: Option<String>,
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Yaml)]
    pub output: Output,
    /// The namespace of resources without metadata.namespace.
    #[arg(long, value_name = "NAMESPACE", default_value = sidecarscope::DEFAULT_NAMESPACE)]
    pub default_namespace: String,
    /// istiod environment (feature flags), e.g. ENABLE_TLS_ON_SIDECAR_INGRESS=true (repeatable).
    #[arg(long = "istiod-env", value_name = "KEY=VALUE")]
    pub istiod_env: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum PerArg {
    Workload,
    Namespace,
    Auto,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Output {
    /// The Sidecars to apply, each host with its reasons as comments; the rest as comments.
    Yaml,
    /// The whole report.
    Json,
    /// A table of the reduction per workload and the Sidecars, for a pull request.
    Markdown,
}

/// Reads an evidence file (`--traffic`), as text of at most `MAX_INPUT_BYTES`.
pub(crate) fn read_evidence(path: &PathBuf) -> Result<EvidenceFile, String> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| format!("{name}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{name}: not a regular file"));
    }
    let mut bytes = Vec::new();
    use std::io::Read;
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("{name}: {e}"))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!("{name}: larger than {MAX_INPUT_BYTES} bytes"));
    }
    let text = String::from_utf8(bytes)
        .map_err(|e| format!("{name}: not UTF-8 (at byte {})", e.utf8_error().valid_up_to()))?;
    Ok(EvidenceFile { name, text })
}

/// The evidence's problems on standard error, compiler style (`file:line:column: severity[code]: message`).
pub(crate) fn print_problems(problems: &[evidence::Problem]) {
    for p in problems {
        eprintln!(
            "{}",
            sidecarscope::report::escape_controls(&format!(
                "{}:{}:{}: {}[{}]: {}",
                p.file,
                p.line,
                p.column,
                p.severity.as_str(),
                p.code,
                p.message
            ))
        );
    }
}

pub fn run(args: Args) -> u8 {
    if let Err(e) = check_namespace(&args.default_namespace) {
        return common::fail(format!("--default-namespace {e}"));
    }
    let env = match common::pairs(args.istiod_env.iter().map(String::as_str), "--istiod-env") {
        Ok(env) => env,
        Err(e) => return common::fail(e),
    };
    let mut files = Vec::new();
    for p in &args.traffic {
        match read_evidence(p) {
            Ok(f) => files.push(f),
            Err(e) => return common::fail(e),
        }
    }
    let read = match crate::inputs::read_inputs(&args.paths) {
        Ok(r) => r,
        Err(e) => return common::fail(e),
    };
    let options = common::command_options(&args.default_namespace, Options { istiod_env: env, ..Options::default() });
    let mut ws = Workspace::new(read.files, options);
    for (i, code, message) in read.problems {
        ws.add_read_problem(i, code, message);
    }
    let evidence = evidence::read(&files);
    let per = match args.per {
        PerArg::Workload => Per::Workload,
        PerArg::Namespace => Per::Namespace,
        PerArg::Auto => Per::Auto,
    };
    let options = SuggestOptions {
        workload: args.workload.clone(),
        per,
        outbound_traffic_policy: args.outbound_traffic_policy.clone(),
    };
    let report = match tighten::suggest(&ws, &evidence, &options) {
        Ok(r) => r,
        Err(e) => return common::fail(e),
    };
    print_problems(&report.problems);
    let mut out = common::Out::new();
    match args.output {
        Output::Yaml => out.input_text(&tighten::render_text(&report)),
        Output::Json => out.json(&report),
        Output::Markdown => out.input_text(&tighten::render_markdown(&report)),
    }
    drop(out);
    if ws.input().diagnostics.iter().any(|d| d.severity == sidecarscope::Severity::Error) {
        EXIT_INPUT
    } else {
        EXIT_OK
    }
}
