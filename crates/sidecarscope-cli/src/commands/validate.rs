//! `sidecarscope validate`: every Sidecar, as istiod's webhook and the CRD schema would.

use crate::common::{self, CheckArgs};

pub fn run(args: CheckArgs) -> u8 {
    common::run_check(args, false, sidecarscope::Options::default())
}
