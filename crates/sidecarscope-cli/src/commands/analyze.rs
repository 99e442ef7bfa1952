//! `sidecarscope analyze`: the whole mesh — validation, istioctl analyze's and Kiali's Sidecar
//! checks, and Sidecarscope's own — as text, JSON (as `validate`) or SARIF for code scanning.

use crate::common::{self, CheckArgs};

pub fn run(args: CheckArgs) -> u8 {
    common::run_check(args, sidecarscope::analyze)
}
