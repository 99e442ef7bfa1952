//! What `sidecarscope impact` costs on the generated meshes (issue 20): the change of one
//! Sidecar (a namespace's default Sidecar loses one host entry) and a change that touches every
//! workload (the mesh ConfigMap's outbound policy), against `analyze` of the same mesh and
//! against resolving and generating listeners for every workload of both sides.

use sidecarscope::impact::{impact, ImpactOptions};
use sidecarscope::{Options, SourceFile, Workspace};

/// The first team namespace's default Sidecar without its third host entry (its first import of
/// another namespace's service). `None` when the mesh has no such Sidecar (the seed examples).
pub fn one_sidecar_change(text: &str) -> Option<String> {
    let at = text.find("kind: Sidecar\nmetadata:\n  name: default\n  namespace: storefront\n")?;
    let hosts = at + text[at..].find("    - \"istio-system/*\"\n")? + "    - \"istio-system/*\"\n".len();
    let end = hosts + text[hosts..].find('\n')? + 1;
    Some(format!("{}{}", &text[..hosts], &text[end..]))
}

/// The mesh ConfigMap's outbound policy switched from REGISTRY_ONLY to ALLOW_ANY: every
/// workload's inputs change.
pub fn every_workload_change(text: &str) -> Option<String> {
    let at = text.find("    outboundTrafficPolicy:\n      mode: REGISTRY_ONLY\n")?;
    Some(text[..at].to_string() + &text[at..].replacen("mode: REGISTRY_ONLY", "mode: ALLOW_ANY", 1))
}

/// A workspace over one side, loaded (what the timed part does not include, as `load` is not
/// part of `analyze`'s stage).
pub fn loaded(text: &str) -> Workspace {
    let ws = Workspace::new(
        vec![SourceFile::new("mesh.yaml", text)],
        Options { retain_documents: false, ..Options::default() },
    );
    ws.input();
    ws
}

/// The comparison, from loaded sides: registries, both analyses, the selection of workloads,
/// and the recomputed workloads' resolutions, listeners and traces. Returns a checksum.
pub fn run(base: &Workspace, head: &Workspace) -> u64 {
    let r = impact(base, head, &ImpactOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    (r.summary.recomputed + r.summary.changed + r.summary.breaking() + r.summary.findings_appeared) as u64
}

/// Resolving and generating listeners for every workload of both sides (the yardstick of a
/// change that touches every workload).
pub fn resolve_and_listeners_both(base: &sidecarscope::Input, head: &sidecarscope::Input) -> u64 {
    let stages = [crate::stages::resolve_all, crate::stages::listeners_all];
    [base, head].iter().flat_map(|i| stages.iter().map(move |s| s(i))).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{generate, Size};

    #[test]
    fn the_changes_change_what_they_say() {
        let text = generate(Size::Medium);
        let one = one_sidecar_change(&text).unwrap();
        assert_eq!(one.len() + "    - \"users/users.users.svc.cluster.local\"\n".len(), text.len());
        let (base, head) = (loaded(&text), loaded(&one));
        let r = impact(&base, &head, &ImpactOptions::default()).unwrap();
        assert!(r.problems.is_empty());
        assert!(r.summary.changed > 0 && r.summary.recomputed < r.summary.workloads / 4, "{:?}", r.summary);
        let all = loaded(&every_workload_change(&text).unwrap());
        let r = impact(&base, &all, &ImpactOptions::default()).unwrap();
        assert_eq!(r.summary.recomputed, r.summary.workloads);
    }
}
