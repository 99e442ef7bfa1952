//! The seven examples of Istio's Sidecar reference page (`examples/seed/`): each validates
//! without errors, and a broken variant of each is reported at the right line and column.

use sidecarscope::{report, Severity};

const SEEDS: &[(&str, &str)] = &[
    ("01-global-default-root-namespace", include_str!("../../../examples/seed/01-global-default-root-namespace.yaml")),
    ("02-namespace-default-override", include_str!("../../../examples/seed/02-namespace-default-override.yaml")),
    (
        "03-ratings-uds-ingress-egress-port",
        include_str!("../../../examples/seed/03-ratings-uds-ingress-egress-port.yaml"),
    ),
    ("04-no-iptables-interception-none", include_str!("../../../examples/seed/04-no-iptables-interception-none.yaml")),
    ("05-partial-iptables", include_str!("../../../examples/seed/05-partial-iptables.yaml")),
    ("06-ratings-ingress-tls", include_str!("../../../examples/seed/06-ratings-ingress-tls.yaml")),
    ("07-connection-pool-settings", include_str!("../../../examples/seed/07-connection-pool-settings.yaml")),
];

fn seed(name: &str) -> &'static str {
    SEEDS.iter().find(|(n, _)| *n == name).unwrap().1
}

#[test]
fn seed_examples_validate_without_errors() {
    for (name, text) in SEEDS {
        let input = sidecarscope::load_text(name, text);
        let diags = sidecarscope::validate(&input);
        let bad: Vec<_> = diags.iter().filter(|d| d.severity != Severity::Info).map(|d| &d.message).collect();
        assert!(bad.is_empty(), "{name}: {bad:?}");
    }
}

/// (example, text to replace, replacement, expected code, line, column, message fragment)
const BROKEN: &[(&str, &str, &str, &str, u32, u32, &str)] = &[
    (
        "01-global-default-root-namespace",
        "- istio-system/*",
        "- istio-system",
        "SC1050",
        10,
        7,
        "host must be of form namespace/dnsName",
    ),
    (
        "02-namespace-default-override",
        "prod-apis/*",
        "prod-apis/reviews",
        "SC1050",
        10,
        7,
        "short names (non FQDN) are not allowed",
    ),
    (
        "03-ratings-uds-ingress-egress-port",
        "protocol: HTTP\n      name: egresshttp",
        "protocol: HTTPX\n      name: egresshttp",
        "SC1023",
        19,
        17,
        "unsupported protocol: HTTPX",
    ),
    (
        "04-no-iptables-interception-none",
        "bind: 127.0.0.1",
        "bind: localhost",
        "SC1025",
        23,
        11,
        "localhost is not a valid IP",
    ),
    ("05-partial-iptables", "captureMode: NONE", "captureMode: none", "SC0102", 17, 18, "Unsupported value: \"none\""),
    (
        "06-ratings-ingress-tls",
        "mode: SIMPLE",
        "mode: ISTIO_MUTUAL",
        "SC1030",
        17,
        13,
        "cannot set mode to ISTIO_MUTUAL in sidecar ingress tls",
    ),
    (
        "07-connection-pool-settings",
        "maxRetries: 100\n  ingress",
        "maxRetries: -1\n  ingress",
        "SC1036",
        15,
        19,
        "max retries must be non-negative",
    ),
];

#[test]
fn broken_seed_examples_point_at_the_fault() {
    for (name, from, to, code, line, column, message) in BROKEN {
        let text = seed(name);
        assert!(text.contains(from), "{name}: {from:?} not in the example");
        let broken = text.replacen(from, to, 1);
        let input = sidecarscope::load_text(name, &broken);
        let diags = sidecarscope::validate(&input);
        let hit =
            diags.iter().map(|d| report::to_json(&input, d)).find(|d| d.code == *code && d.message.contains(message));
        let Some(d) = hit else {
            panic!(
                "{name}: no {code} with {message:?}; got {:?}",
                diags.iter().map(|d| (&d.code, &d.message)).collect::<Vec<_>>()
            )
        };
        assert_eq!(
            (d.range.start.line, d.range.start.column),
            (*line, *column),
            "{name}: {code} at the wrong position"
        );
        assert_eq!(d.severity, Severity::Error);
    }
}
