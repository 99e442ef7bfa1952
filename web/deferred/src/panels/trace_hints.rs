//! What the trace form knows of the input: suggestions for the destination (each service's
//! `hostname:port` and `address:port`), a warning for a hostname the input has no service for
//! (with the closest hostnames), and which address the call was traced to and why. Kept apart
//! from `trace.rs` (the form and the result), which calls [`suggestions`] and [`note`].

use std::net::IpAddr;

use crate::model::Model;
use leptos::prelude::*;

use sidecarscope_web_common::share;
use sidecarscope_web_common::ui::code_spans;

/// Most suggestions listed (a mesh can have thousands of service ports).
const MAX: usize = 400;

/// The destination's suggestions: the input's services (hostnames and addresses, with each
/// port), for the form's `<datalist>`.
pub fn suggestions(model: &Model) -> Vec<String> {
    let mut items = Vec::new();
    for s in &model.registry().services {
        for p in &s.ports {
            items.push(format!("{}:{}", s.hostname, p.number));
            for a in s.addresses.iter().filter(|a| a.parse::<IpAddr>().is_ok()) {
                items.push(format!("{a}:{}", p.number));
            }
        }
    }
    items.truncate(MAX);
    items
}

/// The destination's host part, when it is a hostname (not an address, not a bare port).
fn hostname(to: &str) -> Option<&str> {
    let (h, _) = to.trim().rsplit_once(':')?;
    (!h.is_empty() && !h.starts_with('[') && h.parse::<IpAddr>().is_err()).then_some(h)
}

/// Above the result: the address the call went to, and why; a warning (with did-you-mean) when
/// the destination names a host that no service of the input has.
pub fn note(form: &share::TraceForm, model: &Model, service: Option<&str>, address: Option<&str>) -> Option<AnyView> {
    let (class, text) = note_text(form, model, service, address)?;
    Some(view! { <p class=class role="note">{code_spans(&text)}</p> }.into_any())
}

/// [`note`]'s class and text (backticks around code).
fn note_text(
    form: &share::TraceForm,
    model: &Model,
    service: Option<&str>,
    address: Option<&str>,
) -> Option<(&'static str, String)> {
    let to = form.to.trim();
    let name = hostname(to);
    let (class, text) = match (name, service, address) {
        (Some(_), Some(s), Some(a)) => ("trace-note", format!("`{s}` is a service of the input: the call goes to its address {a}, as DNS would answer.")),
        (Some(_), Some(s), None) => ("trace-note", format!("`{s}` has no IP address in the input: the call is matched by its port and Host only, and traced to 1.3.3.7, an address no service has.")),
        (Some(h), None, _) => {
            let close = closest(model, h);
            let mean = if close.is_empty() { String::new() } else { format!(" Did you mean {}?", close.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(" or ")) };
            ("trace-note warn", format!("No service of the input has the hostname `{h}`: the call is traced to 1.3.3.7, an address no service has (as for a host outside the mesh), so only the port's wildcard listener or the outbound policy can take it.{mean}"))
        }
        (None, _, None) if !to.contains(':') => ("trace-note", "A bare port: the call is traced to 1.3.3.7, an address no service has, so only the port's wildcard listener or the outbound policy can take it.".to_string()),
        _ => return None,
    };
    Some((class, text))
}

/// Up to two service hostnames closest to `h` (by edit distance, short names compared with the
/// hostname's first labels), when close enough to be a typo.
fn closest(model: &Model, h: &str) -> Vec<String> {
    let h = h.to_ascii_lowercase();
    let labels = h.split('.').count();
    // The two best by a scan (a sort would cost the wasm several KB).
    let mut best: Vec<(usize, &str)> = Vec::new();
    for s in &model.registry().services {
        let short: String = s.hostname.split('.').take(labels).collect::<Vec<_>>().join(".");
        let d = distance(&h, &short).min(distance(&h, &s.hostname));
        if d > 2.max(h.len() / 4) || best.iter().any(|b| b.1 == s.hostname) {
            continue;
        }
        let at = best.iter().position(|b| d < b.0).unwrap_or(best.len());
        best.insert(at, (d, &s.hostname));
        best.truncate(2);
    }
    best.into_iter().map(|(_, s)| s.to_string()).collect()
}

/// Levenshtein distance over bytes.
fn distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use sidecarscope_web_common::share::{ProxyChoice, TraceForm};

    fn form(to: &str) -> TraceForm {
        TraceForm { to: to.into(), ..TraceForm::default() }
    }

    #[test]
    fn a_typo_gets_a_did_you_mean_and_the_address_is_explained() {
        let (_, m) = crate::model::read(
            sidecarscope_web_common::examples::find("ratings-uds").unwrap().text,
            &ProxyChoice::default(),
        );
        assert_eq!(distance("ratingz", "ratings"), 1);
        assert_eq!(distance("", "abc"), 3);
        let (class, text) = note_text(&form("ratingz.prod-us1:9080"), &m, None, None).expect("a warning");
        assert_eq!(class, "trace-note warn");
        assert!(
            text.contains("No service of the input has the hostname `ratingz.prod-us1`")
                && text.contains("Did you mean `ratings.prod-us1.svc.cluster.local`?"),
            "{text}"
        );
        let (_, other) = note_text(&form("example.com:443"), &m, None, None).expect("a warning");
        assert!(other.contains("1.3.3.7") && !other.contains("Did you mean"), "{other}");
        let (class, ok) =
            note_text(&form("ratings.prod-us1:9080"), &m, Some("ratings.prod-us1.svc.cluster.local"), Some("10.0.0.9"))
                .unwrap();
        assert_eq!(class, "trace-note");
        assert!(ok.contains("its address 10.0.0.9"), "{ok}");
        assert!(note_text(&form("10.0.0.1:80"), &m, None, Some("10.0.0.1")).is_none());
        assert!(closest(&m, "example.com").is_empty());
    }
}
