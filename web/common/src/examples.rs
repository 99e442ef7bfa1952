//! The example gallery: the seven Sidecars of Istio's reference documentation, each with the
//! Services and workloads that make its effect visible, and the common mistakes.
//! The YAML lives in `web/examples/` so that it reads (and diffs) as YAML.

pub struct Example {
    /// Stable: used by `?example=<id>` in embed links.
    pub id: &'static str,
    pub title: &'static str,
    pub group: Group,
    pub text: &'static str,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Group {
    IstioDocs,
    Mistake,
}

impl Group {
    pub fn label(self) -> &'static str {
        match self {
            Group::IstioDocs => "Istio reference examples",
            Group::Mistake => "Common mistakes",
        }
    }
}

macro_rules! examples {
    ($( $group:ident $id:literal $title:literal; )*) => {
        pub const EXAMPLES: &[Example] = &[$(
            Example { id: $id, title: $title, group: Group::$group, text: include_str!(concat!("../../examples/", $id, ".yaml")) },
        )*];
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
}
