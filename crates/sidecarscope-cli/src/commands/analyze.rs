//! `sidecarscope analyze`: the whole mesh — validation, istioctl analyze's and Kiali's Sidecar
//! checks, and Sidecarscope's own — as text, JSON (as `validate`) or SARIF for code scanning.
//! Suppressions apply as istioctl applies them: the resources' annotations and `--suppress`.

use crate::common::{self, CheckArgs};

#[derive(clap::Args)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    pub check: CheckArgs,
    /// Leave out a finding on a resource, as istioctl analyze's -S: `CODE=Kind namespace/name`,
    /// `*` matching anything (e.g. "IST0101=Sidecar default/*"); the code may be an IST, KIA or
    /// SC code. Repeatable. Annotations (galley.istio.io/analyze-suppress,
    /// kiali.io/ignore-validations) on the resources apply too.
    #[arg(long, short = 'S', value_name = "CODE=RESOURCE")]
    pub suppress: Vec<String>,
}

pub fn run(args: AnalyzeArgs) -> u8 {
    let rules = match common::suppress_rules(&args.suppress) {
        Ok(r) => r,
        Err(e) => return common::fail(e),
    };
    common::run_check(args.check, true, sidecarscope::Options { suppress: rules, ..Default::default() })
}
