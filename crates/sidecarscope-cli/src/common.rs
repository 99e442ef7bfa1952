//! Options and output plumbing shared by the subcommands.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::ValueEnum;
use sidecarscope::suppress::Rule;
use sidecarscope::{Diagnostic, Input, Proxy, Registry, Severity, Workload};

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
}

/// Runs a diagnostics command: load, check, apply suppressions (`analyze` only: `None` for
/// `validate`, which answers as the webhook does), print in the chosen format, exit code. The
/// check may release what it has read of the input (`analyze_releasing_trees`): only the sources
/// and annotations are read after it.
pub fn run_check(args: CheckArgs, check: fn(&mut Input) -> Vec<Diagnostic>, suppress: Option<&[Rule]>) -> u8 {
    let mut input = match load(&args.input) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let mut diags = check(&mut input);
    sidecarscope::report::sort(&mut diags);
    let suppressed = suppress.map(|rules| sidecarscope::suppress::apply(&input, &mut diags, rules)).unwrap_or_default();
    match args.output {
        CheckOutput::Json => {
            let mut report = sidecarscope::report::diagnostics_report(&input, &diags);
            report.summary.suppressed = suppressed.len();
            print_json(&report)
        }
        CheckOutput::Sarif => print_json(&sidecarscope::sarif::sarif_log_with_suppressed(&input, &diags, &suppressed)),
        CheckOutput::Text => {
            // Written a diagnostic at a time; a closed pipe stops the writing.
            let mut out = Out::new();
            if sidecarscope::report::write_human(&mut out, &input, &diags, args.color.enabled()).is_ok()
                && !suppressed.is_empty()
            {
                let mut by: Vec<String> = suppressed.iter().map(|s| s.by.describe()).collect();
                by.sort();
                by.dedup();
                out.text(&format!("{} suppressed, by {}\n", suppressed.len(), by.join(", ")));
            }
        }
    }
    if unreadable(&input) {
        return EXIT_INPUT;
    }
    exit_for(&diags, args.fail_on)
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

/// Reads the paths into a loaded input, or prints why not and returns the exit code. A file
/// that cannot be read (`SC0009`) or is skipped (`SC0010`) is a diagnostic of the input and the
/// rest is read; an input without any resource gets `SC0011` (`no resources read`).
pub fn load(args: &InputArgs) -> Result<Input, u8> {
    let ns = &args.default_namespace;
    let label = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let b = ns.as_bytes();
    if b.len() > 63
        || !b.first().is_some_and(|&c| label(c))
        || !b.last().is_some_and(|&c| label(c))
        || !b.iter().all(|&c| label(c) || c == b'-')
    {
        eprintln!("sidecarscope: error: --default-namespace {ns:?}: a namespace is a lowercase RFC 1123 label (a-z, 0-9 and '-', at most 63 characters)");
        return Err(EXIT_INPUT);
    }
    match crate::inputs::read_inputs(&args.paths) {
        Ok(read) => {
            let mut input = sidecarscope::load_with_default_namespace(read.files, ns);
            for (i, code, message) in read.problems {
                let d = Diagnostic::new(
                    code,
                    message,
                    sidecarscope::SourceId(i as u32),
                    sidecarscope::text::TextRange::new(0, 0),
                );
                input.diagnostics.push(match code {
                    sidecarscope::diagnostic::Code::UnreadableFile => {
                        d.with_hint("this file is left out; the others are still checked, and the exit code is 2")
                    }
                    _ => {
                        d.with_hint("only regular files are read from a directory; give the path by itself to read it")
                    }
                });
            }
            if input.resources.is_empty() {
                let last = input.sources.len().saturating_sub(1);
                let d = Diagnostic::new(
                    sidecarscope::diagnostic::Code::NoResources,
                    "no resources read",
                    sidecarscope::SourceId(last as u32),
                    sidecarscope::text::TextRange::new(0, 0),
                );
                input.diagnostics.push(d.with_hint("the input is empty or holds only comments, so nothing was checked; `--fail-on warning` makes this fail"));
            }
            Ok(input)
        }
        Err(e) => {
            eprintln!("sidecarscope: error: {e}");
            Err(EXIT_INPUT)
        }
    }
}

/// The exit code of a command that printed its result: 2 when some file could not be read.
pub fn exit_after_output(input: &Input) -> u8 {
    if unreadable(input) {
        EXIT_INPUT
    } else {
        EXIT_OK
    }
}

/// Whether some file of the input could not be read (the exit code is then 2).
pub fn unreadable(input: &Input) -> bool {
    input.diagnostics.iter().any(|d| d.code == sidecarscope::diagnostic::Code::UnreadableFile)
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

/// How many workload names an unknown `--workload` lists.
const NEAREST_WORKLOADS: usize = 5;

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
    /// The proxy's instance IP.
    #[arg(long, value_name = "IP")]
    pub ip: Option<String>,
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
    /// Checks the options before the input is read; returns istiod's flags. `need_proxy`: one of
    /// --workload or --namespace must name the proxy.
    pub fn check(&self, need_proxy: bool) -> Result<BTreeMap<String, String>, String> {
        if need_proxy && self.workload.is_none() && self.namespace.is_none() {
            return Err("say whose proxy: --workload NS/NAME, or --namespace NS [--labels k=v,...]".into());
        }
        if self.namespace.as_deref() == Some("") {
            return Err("--namespace is empty".into());
        }
        if let Some(ip) = &self.ip {
            if !sidecarscope::go::net::is_ip_address(ip) {
                return Err(format!("--ip {ip:?} is not an IP address"));
            }
        }
        pairs(self.labels.as_deref().unwrap_or("").split(','), "label")?;
        pairs(self.proxy_metadata.iter().map(String::as_str), "--proxy-metadata")?;
        pairs(self.istiod_env.iter().map(String::as_str), "--istiod-env")
    }

    /// `--ip` and `--proxy-metadata` over what a workload of the input implies.
    pub fn with_overrides(&self, mut proxy: Proxy) -> Proxy {
        if self.ip.is_some() {
            proxy.ip = self.ip.clone();
        }
        proxy
            .metadata
            .extend(pairs(self.proxy_metadata.iter().map(String::as_str), "--proxy-metadata").unwrap_or_default());
        proxy
    }

    /// The workload named by `--workload`, or why it is not in the input.
    pub fn workload<'r>(&self, registry: &'r Registry) -> Result<Option<&'r Workload>, String> {
        let Some(id) = &self.workload else { return Ok(None) };
        match registry.workloads.iter().find(|w| w.id() == *id) {
            Some(w) => Ok(Some(w)),
            None if registry.workloads.is_empty() => {
                Err(format!("no workload {id} in the input; it has none (no Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet or WorkloadEntry)"))
            }
            None => {
                // The few nearest names, not every workload (a large mesh has tens of thousands).
                let ids: Vec<String> = registry.workloads.iter().map(|w| w.id()).collect();
                let near = sidecarscope::suggest::closest(id, ids.iter().map(String::as_str), NEAREST_WORKLOADS);
                let list: Vec<String> = near
                    .iter()
                    .map(|n| {
                        let w = registry.workloads.iter().find(|w| w.id() == *n).expect("a workload's own id");
                        format!("  {n} ({})", w.kind)
                    })
                    .collect();
                let of = ids.len();
                Err(format!("no workload {id} in the input; the nearest of its {of} workload{}:\n{}", if of == 1 { "" } else { "s" }, list.join("\n")))
            }
        }
    }

    /// The proxy these options describe.
    pub fn proxy(&self, registry: &Registry) -> Result<Proxy, String> {
        let proxy = match (self.workload(registry)?, &self.namespace) {
            (Some(w), _) => Proxy::for_workload(w),
            (None, Some(ns)) => Proxy {
                namespace: ns.clone(),
                labels: pairs(self.labels.as_deref().unwrap_or("").split(','), "label")?.into_iter().collect(),
                ..Proxy::default()
            },
            (None, None) => return Err("no proxy given".into()),
        };
        Ok(self.with_overrides(proxy))
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

/// For `listeners` and `trace`: checks the options, reads the input, builds the registry and
/// the proxy. `Err` is the exit code (the message is printed).
pub fn load_proxy(
    input: &InputArgs,
    proxy: &ProxyArgs,
) -> Result<(Input, Registry, Proxy, BTreeMap<String, String>), u8> {
    let env = proxy.check(true).map_err(fail)?;
    let input = load(input)?;
    warn_unreadable(&input);
    let registry = Registry::build(&input);
    let p = proxy.proxy(&registry).map_err(fail)?;
    Ok((input, registry, p, env))
}
