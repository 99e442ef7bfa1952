//! The example gallery: the seven Sidecars of Istio's reference documentation, each with the
//! Services and workloads that make its effect visible, and the common mistakes.
//! The YAML lives in `web/examples/` so that it reads (and diffs) as YAML.

pub struct Example {
    /// Stable: used by `?example=<id>` in embed links.
    pub id: &'static str,
    pub title: &'static str,
    pub group: Group,
    pub text: &'static str,
    /// A Compare example's base: opening it keeps this as the base and shows `text` (the head)
    /// in the editor, so Impact tells what the change does.
    pub base: Option<&'static str>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Group {
    IstioDocs,
    Mistake,
    Compare,
}

impl Group {
    pub fn label(self) -> &'static str {
        match self {
            Group::IstioDocs => "Istio reference examples",
            Group::Mistake => "Common mistakes",
            Group::Compare => "Compare: what a change breaks",
        }
    }
}

macro_rules! examples {
    ($( $group:ident $id:literal $title:literal; )* ; Compare { $( $cid:literal $dir:literal $ctitle:literal; )* }) => {
        pub const EXAMPLES: &[Example] = &[$(
            Example { id: $id, title: $title, group: Group::$group, text: include_str!(concat!("../../examples/", $id, ".yaml")), base: None },
        )* $(
            Example { id: $cid, title: $ctitle, group: Group::Compare, text: side!($dir, "head"), base: Some(side!($dir, "base")) },
        )*];
    };
}

/// One side of an impact example (`examples/impact/DIR/SIDE/`, the files `sidecarscope impact`
/// reads, in its order: the mesh, then the Sidecar) as one text.
macro_rules! side {
    ($dir:literal, $side:literal) => {
        concat!(
            include_str!(concat!("../../../examples/impact/", $dir, "/", $side, "/mesh.yaml")),
            "---\n",
            include_str!(concat!("../../../examples/impact/", $dir, "/", $side, "/sidecar.yaml"))
        )
    };
}

examples! {
    IstioDocs "global-default" "Global default in the root namespace";
    IstioDocs "namespace-override" "Namespace-wide override (prod-us1)";
    IstioDocs "ratings-uds" "ratings: Unix socket ingress, port 9080 egress";
    IstioDocs "no-ip-tables" "No iptables: interception mode NONE";
    IstioDocs "partial-ip-tables" "Partial iptables: VM ingress bind";
    IstioDocs "ratings-tls" "ratings: ingress TLS termination";
    IstioDocs "connection-pool" "Inbound connection pool settings";
    Mistake "mistake-short-host" "Egress host without namespace / short name";
    Mistake "mistake-bad-protocol" "Unknown port protocol";
    Mistake "mistake-catch-all-order" "Catch-all egress listener not last";
    Mistake "mistake-duplicate-port" "Two egress listeners on one port";
    Mistake "mistake-match-labels" "matchLabels in workloadSelector";
    Mistake "mistake-two-defaults" "Two selector-less Sidecars in a namespace";
    ;
    Compare {
        "compare-tighten-default" "1-tighten-namespace-default" "Tighten the namespace default Sidecar";
        "compare-registry-only" "2-registry-only" "Switch to REGISTRY_ONLY";
        "compare-drop-host" "3-drop-a-host" "Drop a host from egress";
        "compare-export-to-dot" "4-export-to-dot" "exportTo: [\".\"] on a Service";
        "compare-port-listener" "5-port-specific-egress-listener" "Add a port-specific egress listener";
        "compare-move-selector" "6-move-workload-selector" "Move a workloadSelector";
    }
}

pub fn find(id: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.id == id)
}

/// What a first visit shows.
pub fn default_example() -> &'static Example {
    &EXAMPLES[2]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique() {
        for (i, e) in EXAMPLES.iter().enumerate() {
            assert!(EXAMPLES[..i].iter().all(|o| o.id != e.id), "{}", e.id);
        }
    }

    /// A Compare example is a change: two texts that differ, the base only in that group.
    #[test]
    fn compare_examples_have_a_different_base() {
        let compares: Vec<_> = EXAMPLES.iter().filter(|e| e.group == Group::Compare).collect();
        assert_eq!(compares.len(), 6);
        for e in EXAMPLES {
            assert_eq!(e.base.is_some(), e.group == Group::Compare, "{}", e.id);
        }
        for e in compares {
            let base = e.base.unwrap();
            assert_ne!(base, e.text, "{}", e.id);
            assert!(e.text.contains("kind: Sidecar") && base.contains("kind: Sidecar"), "{}", e.id);
        }
    }
}
