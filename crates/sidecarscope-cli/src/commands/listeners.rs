//! `sidecarscope listeners`: the listeners istiod would send the proxy, as
//! `istioctl proxy-config listeners` prints them, or as JSON/YAML with the reason for each
//! listener and filter chain. The core generates and renders; this parses options.

use clap::ValueEnum;
use sidecarscope::listeners::table;
use sidecarscope::render::yaml;

use crate::common::{self, InputArgs, ProxyArgs};

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  sidecarscope listeners mesh/ --workload prod-us1/ratings\n  sidecarscope listeners mesh.yaml --namespace prod-us1 --labels app=ratings --ip 10.1.1.7 -o json\n  sidecarscope listeners mesh.yaml --namespace default --proxy-metadata INTERCEPTION_MODE=NONE"
)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub proxy: ProxyArgs,
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Table)]
    pub output: Output,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Output {
    /// `istioctl proxy-config listeners` columns: ADDRESSES, PORT, MATCH, DESTINATION.
    Table,
    Json,
    Yaml,
}

pub fn run(args: Args) -> u8 {
    let (ws, spec) = match common::proxy_workspace(&args.input, &args.proxy) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let set = match ws.listeners(&spec) {
        Ok(set) => set,
        Err(e) => return common::fail(e),
    };
    match args.output {
        Output::Table => common::print_text(&table::render(&set)),
        Output::Json => common::print_json(&set),
        Output::Yaml => common::print(&yaml::to_yaml(&set)),
    }
    common::exit_after_output(&ws)
}
