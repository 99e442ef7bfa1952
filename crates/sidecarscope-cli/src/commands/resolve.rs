//! `sidecarscope resolve`: which Sidecar governs a workload and the effective configuration it
//! gets, with the reason for each part. The core computes and renders; this only parses the
//! proxy options and picks the output format.

use clap::ValueEnum;
use sidecarscope::resolve::render_text;
use sidecarscope::{Proxy, Registry, Resolution, Resolver};

use crate::common::{self, fail, pairs, InputArgs, EXIT_OK};

#[derive(clap::Args)]
#[command(after_help = "Examples:\n  sidecarscope resolve mesh/ --workload prod-us1/ratings\n  sidecarscope resolve mesh.yaml --namespace prod-us1 --labels app=ratings,version=v1 -o json\n  sidecarscope resolve mesh.yaml --all -o json")]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// A workload of the input (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, WorkloadEntry).
    #[arg(long, value_name = "NS/NAME", conflicts_with_all = ["namespace", "all", "labels"])]
    pub workload: Option<String>,
    /// The proxy's namespace (with --labels), for a workload that is not in the input.
    #[arg(long, value_name = "NS", conflicts_with = "all")]
    pub namespace: Option<String>,
    /// The proxy's workload labels, comma-separated.
    #[arg(long, value_name = "K=V,...", requires = "namespace")]
    pub labels: Option<String>,
    /// The proxy's instance IP.
    #[arg(long, value_name = "IP")]
    pub ip: Option<String>,
    /// Proxy node metadata, e.g. INTERCEPTION_MODE=NONE (repeatable).
    #[arg(long = "proxy-metadata", value_name = "KEY=VALUE")]
    pub proxy_metadata: Vec<String>,
    /// istiod environment (feature flags). Accepted; resolution uses Istio's defaults for now.
    #[arg(long = "istiod-env", value_name = "KEY=VALUE")]
    pub istiod_env: Vec<String>,
    /// Resolve every workload of the input (JSON/YAML: an array).
    #[arg(long)]
    pub all: bool,
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Output {
    Text,
    Json,
    Yaml,
}

pub fn run(args: Args) -> u8 {
    if args.workload.is_none() && args.namespace.is_none() && !args.all {
        return fail("say whose configuration to resolve: --workload NS/NAME, --namespace NS [--labels k=v,...], or --all");
    }
    let labels = match pairs(args.labels.as_deref().unwrap_or("").split(','), "label") {
        Ok(l) => l,
        Err(e) => return fail(e),
    };
    let metadata = match pairs(args.proxy_metadata.iter().map(String::as_str), "--proxy-metadata") {
        Ok(m) => m,
        Err(e) => return fail(e),
    };
    if let Err(e) = pairs(args.istiod_env.iter().map(String::as_str), "--istiod-env") {
        return fail(e);
    }
    if let Some(ip) = &args.ip {
        if !sidecarscope::validate::values::is_ip_address(ip) {
            return fail(format!("--ip {ip:?} is not an IP address"));
        }
    }
    if let Some(ns) = &args.namespace {
        if ns.is_empty() {
            return fail("--namespace is empty");
        }
    }
    let input = match common::load(&args.input) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let problems = input.diagnostics.iter().filter(|d| d.severity == sidecarscope::Severity::Error).count();
    if problems > 0 {
        eprintln!("sidecarscope: warning: {problems} problem(s) reading the input; those documents are skipped (run `sidecarscope validate` for details)");
    }
    let registry = Registry::build(&input);
    let mut resolver = Resolver::new(&registry);
    let with_overrides = |mut p: Proxy| {
        if args.ip.is_some() {
            p.ip = args.ip.clone();
        }
        p.metadata.extend(metadata.clone());
        p
    };
    let mut results: Vec<Resolution> = Vec::new();
    if args.all {
        for w in &registry.workloads {
            let mut r = resolver.resolve(&with_overrides(Proxy::for_workload(w)));
            r.workload = workload_ref(w);
            results.push(r);
        }
    } else if let Some(id) = &args.workload {
        let Some(w) = registry.workloads.iter().find(|w| w.id() == *id) else {
            let known: Vec<String> = registry.workloads.iter().map(|w| format!("  {} ({})", w.id(), w.kind)).collect();
            let list = if known.is_empty() { "  (none: the input has no Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet or WorkloadEntry)".to_string() } else { known.join("\n") };
            return fail(format!("no workload {id} in the input; workloads found:\n{list}"));
        };
        let mut r = resolver.resolve(&with_overrides(Proxy::for_workload(w)));
        r.workload = workload_ref(w);
        results.push(r);
    } else if let Some(ns) = &args.namespace {
        let proxy = Proxy { namespace: ns.clone(), labels, ip: args.ip.clone(), metadata: metadata.clone() };
        results.push(resolver.resolve(&proxy));
    }
    if !args.istiod_env.is_empty() {
        for r in &mut results {
            r.notes.push(format!("--istiod-env {} accepted but not applied: resolution follows Istio's default feature flags", args.istiod_env.join(" ")));
        }
    }
    match args.output {
        Output::Json if args.all => common::print_json(&results),
        Output::Json => common::print_json(&results[0]),
        Output::Yaml if args.all => common::print(&crate::yaml_out::to_yaml(&results)),
        Output::Yaml => common::print(&crate::yaml_out::to_yaml(&results[0])),
        Output::Text => {
            if args.all && results.is_empty() {
                common::print("No workloads (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, WorkloadEntry) in the input.\n");
            }
            let texts: Vec<String> = results.iter().map(render_text).collect();
            common::print(&texts.join(&format!("\n{}\n\n", "=".repeat(72))));
        }
    }
    EXIT_OK
}

fn workload_ref(w: &sidecarscope::Workload) -> Option<sidecarscope::resolve::WorkloadRef> {
    Some(sidecarscope::resolve::WorkloadRef { kind: w.kind.clone(), namespace: w.namespace.clone(), name: w.name.clone() })
}
