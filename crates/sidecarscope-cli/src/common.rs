//! Options and output plumbing shared by the subcommands.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::ValueEnum;
use sidecarscope::{Diagnostic, Input, Proxy, Registry, Severity};

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
    eprintln!("sidecarscope: error: {msg}");
    EXIT_INPUT
}

impl ProxyArgs {
    /// Checks what can be checked before reading the input; returns istiod's flags.
    pub fn check(&self) -> Result<BTreeMap<String, String>, String> {
        if self.workload.is_none() && self.namespace.is_none() {
            return Err("say whose proxy: --workload NS/NAME, or --namespace NS [--labels k=v,...]".into());
        }
        if self.namespace.as_deref() == Some("") {
            return Err("--namespace is empty".into());
        }
        if let Some(ip) = &self.ip {
            if !sidecarscope::validate::values::is_ip_address(ip) {
                return Err(format!("--ip {ip:?} is not an IP address"));
            }
        }
        pairs(self.labels.as_deref().unwrap_or("").split(','), "label")?;
        pairs(self.proxy_metadata.iter().map(String::as_str), "--proxy-metadata")?;
        pairs(self.istiod_env.iter().map(String::as_str), "--istiod-env")
    }

    /// The proxy these options describe, with `--ip` and `--proxy-metadata` applied over what a
    /// workload of the input implies.
    pub fn proxy(&self, registry: &Registry) -> Result<Proxy, String> {
        let metadata = pairs(self.proxy_metadata.iter().map(String::as_str), "--proxy-metadata")?;
        let mut proxy = match (&self.workload, &self.namespace) {
            (Some(id), _) => {
                let Some(w) = registry.workloads.iter().find(|w| w.id() == *id) else {
                    let known: Vec<String> = registry.workloads.iter().map(|w| format!("  {} ({})", w.id(), w.kind)).collect();
                    let list = if known.is_empty() { "  (none: the input has no Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet or WorkloadEntry)".to_string() } else { known.join("\n") };
                    return Err(format!("no workload {id} in the input; workloads found:\n{list}"));
                };
                Proxy::for_workload(w)
            }
            (None, Some(ns)) => Proxy { namespace: ns.clone(), labels: pairs(self.labels.as_deref().unwrap_or("").split(','), "label")?, ..Proxy::default() },
            (None, None) => return Err("no proxy given".into()),
        };
        if self.ip.is_some() {
            proxy.ip = self.ip.clone();
        }
        proxy.metadata.extend(metadata);
        Ok(proxy)
    }
}
