//! Options and output plumbing shared by the subcommands.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::ValueEnum;
use sidecarscope::render::{self, Format};
use sidecarscope::suppress::Rule;
use sidecarscope::workspace::check_namespace;
use sidecarscope::{Diagnostic, Findings, Input, Options, ProxySpec, Severity, Spelling, Workspace};

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
    /// The namespace of resources without metadata.namespace, as `kubectl apply -n NAMESPACE`
    /// puts them (not the proxy's `--namespace`)
    #[arg(long, value_name = "NAMESPACE", default_value = sidecarscope::DEFAULT_NAMESPACE)]
    pub default_namespace: String,
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

/// The options of the commands that report diagnostics (`validate`, `analyze`).
#[derive(clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[arg(long, short = 'o', value_enum, default_value_t = CheckOutput::Text)]
    pub output: CheckOutput,
    /// When to colour text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// The lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum CheckOutput {
    /// Compiler-style text with the source line and an underline.
    Text,
    /// `{"diagnostics": [...], "summary": {...}}`.
    Json,
    /// SARIF 2.1.0, for code-scanning UIs.
    Sarif,
    /// The JSON report as YAML.
    Yaml,
    /// The input and its findings, ready to paste into a bug report.
    Markdown,
}

/// Runs a diagnostics command: read, check (`analyze` applies the suppressions of `options`;
/// `validate` answers as the webhook does), print in the chosen format, exit code. `analyze`
/// asks nothing more of the input, so it may release what it has read of it
/// (`Workspace::into_analysis`).
pub fn run_check(args: CheckArgs, analyze: bool, options: Options) -> u8 {
    let ws = match workspace(&args.input, options) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let unreadable = ws.unreadable();
    let owned;
    let (input, findings): (&Input, Findings) = if analyze {
        owned = ws.into_analysis();
        (&owned.0, owned.1)
    } else {
        let findings = ws.validate();
        (ws.input(), findings)
    };
    let mut out = Out::new();
    match args.output {
        CheckOutput::Json => out.json(&render::findings_report(input, &findings)),
        CheckOutput::Sarif => out.json(&sidecarscope::sarif::sarif_log_with_suppressed(
            input,
            &findings.diagnostics,
            &findings.suppressed,
        )),
        // Written a diagnostic at a time; a closed pipe stops the writing.
        CheckOutput::Text => {
            let _ = render::write_findings_text(&mut out, input, &findings, args.color.enabled());
        }
        CheckOutput::Yaml => out.text(&render::findings(input, &findings, Format::Yaml, false)),
        CheckOutput::Markdown => out.text(&render::findings(input, &findings, Format::Markdown, false)),
    }
    drop(out);
    if unreadable {
        return EXIT_INPUT;
    }
    exit_for(&findings.diagnostics, args.fail_on)
}

/// Reads `--suppress` rules; prints istioctl's warning for unknown codes.
pub fn suppress_rules(values: &[String]) -> Result<Vec<Rule>, String> {
    let mut rules = Vec::new();
    for v in values {
        let (rule, warning) = Rule::parse(v)?;
        if let Some(w) = warning {
            eprintln!("sidecarscope: warning: {w}");
        }
        rules.push(rule);
    }
    Ok(rules)
}

/// The options of a one-shot command's workspace: the default namespace, documents not kept
/// once loaded (the peak memory), and an input without resources reported (`SC0011`).
pub fn command_options(default_namespace: &str, options: Options) -> Options {
    Options {
        default_namespace: default_namespace.to_string(),
        retain_documents: false,
        report_empty_input: true,
        ..options
    }
}

/// The workspace over the paths (read now; loaded when first asked), or prints why not and
/// returns the exit code. A file that cannot be read (`SC0009`) or is skipped (`SC0010`) is a
/// diagnostic of the input and the rest is read; an input without any resource gets `SC0011`
/// (`no resources read`).
pub fn workspace(args: &InputArgs, options: Options) -> Result<Workspace, u8> {
    let ns = &args.default_namespace;
    if let Err(e) = check_namespace(ns) {
        eprintln!("sidecarscope: error: --default-namespace {e}");
        return Err(EXIT_INPUT);
    }
    match crate::inputs::read_inputs(&args.paths) {
        Ok(read) => {
            let options = command_options(ns, options);
            let mut ws = Workspace::new(read.files, options);
            for (i, code, message) in read.problems {
                ws.add_read_problem(i, code, message);
            }
            Ok(ws)
        }
        Err(e) => {
            eprintln!("sidecarscope: error: {e}");
            Err(EXIT_INPUT)
        }
    }
}

/// The exit code of a command that printed its result: 2 when some file could not be read.
pub fn exit_after_output(ws: &Workspace) -> u8 {
    if ws.unreadable() {
        EXIT_INPUT
    } else {
        EXIT_OK
    }
}

/// Standard output, buffered, written as results are made (never held whole), remembering the
/// first failed write: on a closed pipe (`| head -1`) the command stops its work and exits
/// quietly.
pub struct Out {
    w: std::io::BufWriter<std::io::Stdout>,
    failed: bool,
}

impl Out {
    pub fn new() -> Out {
        Out { w: std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout()), failed: false }
    }
    /// Whether a write failed (the reader is gone): stop producing output.
    pub fn failed(&self) -> bool {
        self.failed
    }
    pub fn text(&mut self, text: &str) {
        let _ = std::io::Write::write_all(self, text.as_bytes());
    }
    /// Text made of the input's names and hosts (resolve's and trace's text, the listener
    /// table): control characters other than newline and tab are written as escapes, so the
    /// terminal never receives one from the input.
    pub fn input_text(&mut self, text: &str) {
        self.text(&sidecarscope::report::escape_controls(text));
    }
    /// Pretty JSON, serialized straight to the output, and a newline.
    pub fn json<T: serde::Serialize>(&mut self, value: &T) {
        if serde_json::to_writer_pretty(&mut *self, value).is_ok() {
            self.text("\n");
        }
    }
}

impl Drop for Out {
    fn drop(&mut self) {
        if !self.failed {
            let _ = std::io::Write::flush(&mut self.w);
        }
    }
}

impl std::io::Write for Out {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.failed {
            return Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        }
        self.w.write(buf).inspect_err(|_| self.failed = true)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush().inspect_err(|_| self.failed = true)
    }
}

impl std::fmt::Write for Out {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        std::io::Write::write_all(self, s.as_bytes()).map_err(|_| std::fmt::Error)
    }
}

pub fn print(text: &str) {
    Out::new().text(text);
}

/// See [`Out::input_text`].
pub fn print_text(text: &str) {
    Out::new().input_text(text);
}

pub fn print_json<T: serde::Serialize>(value: &T) {
    Out::new().json(value);
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

/// Whose configuration a command is about: a workload of the input, or a namespace and labels;
/// plus the proxy's IP, node metadata and istiod's feature flags. Shared by `listeners` and
/// `trace` (same spelling as `resolve`'s options).
#[derive(clap::Args)]
pub struct ProxyArgs {
    /// A workload of the input (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, WorkloadEntry).
    #[arg(long, value_name = "NS/NAME", conflicts_with_all = ["namespace", "labels"])]
    pub workload: Option<String>,
    /// The proxy's namespace (with --labels), for a workload that is not in the input.
    #[arg(long, value_name = "NS")]
    pub namespace: Option<String>,
    /// The proxy's workload labels, comma-separated.
    #[arg(long, value_name = "K=V,...", requires = "namespace")]
    pub labels: Option<String>,
    /// The proxy's instance IP; give it twice (an IPv4 and an IPv6 address) for a dual-stack
    /// proxy, the first being its primary IP.
    #[arg(long, value_name = "IP")]
    pub ip: Vec<String>,
    /// Proxy node metadata, e.g. INTERCEPTION_MODE=NONE, ENVOY_STATUS_PORT=15021 (repeatable).
    #[arg(long = "proxy-metadata", value_name = "KEY=VALUE")]
    pub proxy_metadata: Vec<String>,
    /// istiod environment (feature flags), e.g. ENABLE_TLS_ON_SIDECAR_INGRESS=true (repeatable).
    #[arg(long = "istiod-env", value_name = "KEY=VALUE")]
    pub istiod_env: Vec<String>,
}

/// `k=v,k2=v2` (also used for repeated `KEY=VALUE` options).
pub fn pairs<'a>(items: impl Iterator<Item = &'a str>, what: &str) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for item in items.map(str::trim).filter(|s| !s.is_empty()) {
        let Some((k, v)) = item.split_once('=') else {
            return Err(format!("{what} {item:?} is not KEY=VALUE"));
        };
        if k.trim().is_empty() {
            return Err(format!("{what} {item:?} has an empty key"));
        }
        out.insert(k.trim().to_string(), v.trim().to_string());
    }
    Ok(out)
}

/// Prints an argument error and returns exit code 2.
pub fn fail(msg: impl std::fmt::Display) -> u8 {
    eprintln!("sidecarscope: error: {}", sidecarscope::report::escape_controls(&msg.to_string()));
    EXIT_INPUT
}

impl ProxyArgs {
    /// The options as the core's proxy spec and istiod's flags, checked before the input is read
    /// (`need_proxy`: one of --workload or --namespace must name the proxy; without it, the spec
    /// only overrides a workload's IPs and metadata, as `resolve --all` takes it).
    pub fn spec(&self, need_proxy: bool) -> Result<(ProxySpec, BTreeMap<String, String>), String> {
        let labels = match &self.labels {
            Some(l) => Some(pairs(l.split(','), "label")?),
            None => None,
        };
        let spec = ProxySpec {
            workload: self.workload.clone(),
            namespace: self.namespace.clone(),
            labels,
            ips: self.ip.clone(),
            metadata: pairs(self.proxy_metadata.iter().map(String::as_str), "--proxy-metadata")?,
        };
        if need_proxy || spec.names_a_proxy() {
            spec.check(Spelling::Flags)?;
        } else {
            spec.check_overrides(Spelling::Flags)?;
        }
        let env = pairs(self.istiod_env.iter().map(String::as_str), "--istiod-env")?;
        Ok((spec, env))
    }
}

/// Tells on stderr which files could not be read, or were skipped, and when some documents
/// could not be read (they are skipped) or nothing was read.
pub fn warn_unreadable(input: &Input) {
    use sidecarscope::diagnostic::Code;
    for d in &input.diagnostics {
        let name = sidecarscope::report::escape_controls(&input.source(d.source).name);
        match d.code {
            Code::UnreadableFile => eprintln!("sidecarscope: error: {name}: {}", d.message),
            Code::SkippedFile => eprintln!("sidecarscope: warning: {name}: {}", d.message),
            Code::NoResources => eprintln!("sidecarscope: warning: no resources read"),
            _ => {}
        }
    }
    let problems =
        input.diagnostics.iter().filter(|d| d.severity == Severity::Error && d.code != Code::UnreadableFile).count();
    if problems > 0 {
        eprintln!("sidecarscope: warning: {problems} problem(s) reading the input; those documents are skipped (run `sidecarscope validate` for details)");
    }
}

/// For `listeners` and `trace`: checks the options, reads the input, and checks that the proxy
/// is in it. `Err` is the exit code (the message is printed).
pub fn proxy_workspace(input: &InputArgs, proxy: &ProxyArgs) -> Result<(Workspace, ProxySpec), u8> {
    let (spec, env) = proxy.spec(true).map_err(fail)?;
    let ws = workspace(input, Options { istiod_env: env, ..Options::default() })?;
    warn_unreadable(ws.input());
    ws.proxy(&spec).map_err(fail)?;
    Ok((ws, spec))
}
