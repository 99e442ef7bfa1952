//! `sidecarscope resolve`: which Sidecar governs a workload and the effective configuration it
//! gets, with the reason for each part. The core computes and renders; this only parses the
//! proxy options and picks the output format.

use clap::ValueEnum;
use sidecarscope::resolve::render_text;
use sidecarscope::{Proxy, Registry, Resolution, Resolver};

use crate::common::{self, fail, InputArgs, ProxyArgs};

#[derive(clap::Args)]
#[command(after_help = "Examples:\n  sidecarscope resolve mesh/ --workload prod-us1/ratings\n  sidecarscope resolve mesh.yaml --namespace prod-us1 --labels app=ratings,version=v1 -o json\n  sidecarscope resolve mesh.yaml --all -o json")]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub proxy: ProxyArgs,
    /// Resolve every workload of the input (JSON/YAML: an array).
    #[arg(long, conflicts_with_all = ["workload", "namespace"])]
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
    if args.proxy.workload.is_none() && args.proxy.namespace.is_none() && !args.all {
        return fail("say whose configuration to resolve: --workload NS/NAME, --namespace NS [--labels k=v,...], or --all");
    }
    let env = match args.proxy.check(false) {
        Ok(env) => env,
        Err(e) => return fail(e),
    };
    let input = match common::load(&args.input) {
        Ok(i) => i,
        Err(code) => return code,
    };
    common::warn_unreadable(&input);
    let registry = Registry::build(&input);
    let mut resolver = Resolver::with_env(&registry, &env);
    let mut results: Vec<Resolution> = Vec::new();
    if args.all {
        for w in &registry.workloads {
            let mut r = resolver.resolve(&args.proxy.with_overrides(Proxy::for_workload(w)));
            r.workload = workload_ref(w);
            results.push(r);
        }
    } else {
        let (workload, proxy) = match args.proxy.workload(&registry).and_then(|w| Ok((w, args.proxy.proxy(&registry)?))) {
            Ok(found) => found,
            Err(e) => return fail(e),
        };
        let mut r = resolver.resolve(&proxy);
        r.workload = workload.and_then(workload_ref);
        results.push(r);
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
            common::print_text(&texts.join(&format!("\n{}\n\n", "=".repeat(72))));
        }
    }
    common::exit_after_output(&input)
}

fn workload_ref(w: &sidecarscope::Workload) -> Option<sidecarscope::resolve::WorkloadRef> {
    Some(sidecarscope::resolve::WorkloadRef { kind: w.kind.clone(), namespace: w.namespace.clone(), name: w.name.clone() })
}
