//! `sidecarscope resolve`: which Sidecar governs a workload and the effective configuration it
//! gets, with the reason for each part. The core computes and renders; this only parses the
//! proxy options and picks the output format.

use clap::ValueEnum;
use sidecarscope::render::yaml;
use sidecarscope::resolve::render_text;
use sidecarscope::{Options, Resolution};

use crate::common::{self, fail, InputArgs, ProxyArgs};

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  sidecarscope resolve mesh/ --workload prod-us1/ratings\n  sidecarscope resolve mesh.yaml --namespace prod-us1 --labels app=ratings,version=v1 -o json\n  sidecarscope resolve mesh.yaml --all -o json"
)]
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
        return fail(
            "say whose configuration to resolve: --workload NS/NAME, --namespace NS [--labels k=v,...], or --all",
        );
    }
    let (spec, env) = match args.proxy.spec(false) {
        Ok(checked) => checked,
        Err(e) => return fail(e),
    };
    let ws = match common::workspace(&args.input, Options { istiod_env: env, ..Options::default() }) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    common::warn_unreadable(ws.input());
    let session = ws.session();
    let workloads = &ws.registry().workloads;
    let mut out = common::Out::new();
    if args.all {
        // Each workload is resolved, written and dropped in turn: the output of a large mesh is
        // never held whole, and a closed pipe stops the work.
        let mut resolve = |w: &sidecarscope::Workload| session.resolve_workload(w, &spec);
        match args.output {
            Output::Json => out.json(&Streamed { items: workloads, make: std::cell::RefCell::new(&mut resolve) }),
            Output::Yaml if workloads.is_empty() => out.text("[]\n"),
            Output::Yaml => {
                for w in workloads {
                    out.text(&yaml::seq_item_to_yaml(&resolve(w)));
                    if out.failed() {
                        break;
                    }
                }
            }
            Output::Text => {
                if workloads.is_empty() {
                    out.text("No workloads (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, WorkloadEntry) in the input.\n");
                }
                let separator = format!("\n{}\n\n", "=".repeat(72));
                for (i, w) in workloads.iter().enumerate() {
                    if i > 0 {
                        out.text(&separator);
                    }
                    out.input_text(&render_text(&resolve(w)));
                    if out.failed() {
                        break;
                    }
                }
            }
        }
    } else {
        let r = match session.resolve(&spec) {
            Ok(r) => r,
            Err(e) => return fail(e),
        };
        match args.output {
            Output::Json => out.json(&r),
            Output::Yaml => out.text(&yaml::to_yaml(&r)),
            Output::Text => out.input_text(&render_text(&r)),
        }
    }
    drop(out);
    common::exit_after_output(&ws)
}

/// A JSON array whose items are made while it is written (serde_json writes each as it comes),
/// exactly as the array of them all would be written.
struct Streamed<'a, F: FnMut(&sidecarscope::Workload) -> Resolution> {
    items: &'a [sidecarscope::Workload],
    make: std::cell::RefCell<&'a mut F>,
}

impl<F: FnMut(&sidecarscope::Workload) -> Resolution> serde::Serialize for Streamed<'_, F> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.items.len()))?;
        for w in self.items {
            let item = (self.make.borrow_mut())(w);
            seq.serialize_element(&item)?;
        }
        seq.end()
    }
}
