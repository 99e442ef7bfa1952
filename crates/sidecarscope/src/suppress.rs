//! Suppressions, applied after analysis as `istioctl analyze` and Kiali apply them (Istio
//! `pkg/config/analysis/local/istiod_analyze.go` `filterMessages`):
//!
//! * the annotation `galley.istio.io/analyze-suppress` on the resource a finding is about: a
//!   comma-separated list of codes, or `*` for every finding on that resource. Entries are
//!   compared exactly, as Istio does (`IST0101, IST0110` does not suppress IST0110: the space
//!   stays). Istio matches its `IST` codes; Sidecarscope also accepts its own `SC` codes there
//!   (an extension: istioctl ignores them);
//! * rules given on the command line (`--suppress CODE=RESOURCE`, as istioctl's `-S`): the code
//!   and the resource's name as `Kind namespace/name`, where `*` matches any run of characters;
//! * Kiali's annotation `kiali.io/ignore-validations` on the resource: its Kiali codes (a comma
//!   list, spaces around the codes ignored), or every Kiali finding when the value is empty.
//!
//! A finding that several tools report (an `IST` and a `KIA` code) is suppressed when any of
//! them is told to suppress it.

use crate::diagnostic::{Code, Diagnostic};
use crate::load::Input;

/// The annotation istioctl analyze reads.
pub const ANALYZE_SUPPRESS: &str = "galley.istio.io/analyze-suppress";
/// The annotation Kiali reads.
pub const KIALI_IGNORE: &str = "kiali.io/ignore-validations";

/// A `CODE=RESOURCE` rule (istioctl analyze's `--suppress`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub code: String,
    /// `Kind namespace/name`, with `*` as a wildcard.
    pub resource: String,
}

impl Rule {
    /// Parses `CODE=RESOURCE`. `Ok` carries a warning when the code is not one any tool reports.
    pub fn parse(s: &str) -> Result<(Rule, Option<String>), String> {
        let parts: Vec<&str> = s.split('=').collect();
        let [code, resource] = parts[..] else {
            return Err(format!(
                "{s} is not a valid suppression value: expected CODE=RESOURCE, e.g. \"IST0101=Sidecar default/ratings\" or \"SC3007=Sidecar *\""
            ));
        };
        let warning = (!known_code(code))
            .then(|| format!("Supplied message code '{code}' is an unknown message code and will not have any effect"));
        Ok((Rule { code: code.to_string(), resource: resource.to_string() }, warning))
    }
}

/// Our codes, and codes of the forms Istio and Kiali use (`IST0102`, `KIA0201`): Istio and
/// Kiali have more codes than the Sidecar checks reproduced here.
fn known_code(code: &str) -> bool {
    let numbered =
        |prefix: &str| code.strip_prefix(prefix).is_some_and(|n| n.len() == 4 && n.bytes().all(|b| b.is_ascii_digit()));
    Code::ALL.iter().any(|c| c.id() == code) || numbered("IST") || numbered("KIA")
}

/// Why a finding was suppressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuppressedBy {
    /// The resource's `galley.istio.io/analyze-suppress` annotation.
    AnalyzeAnnotation,
    /// The resource's `kiali.io/ignore-validations` annotation.
    KialiAnnotation,
    /// A `--suppress` rule, as given.
    Rule(String),
}

impl SuppressedBy {
    pub fn describe(&self) -> String {
        match self {
            SuppressedBy::AnalyzeAnnotation => format!("the resource's {ANALYZE_SUPPRESS} annotation"),
            SuppressedBy::KialiAnnotation => format!("the resource's {KIALI_IGNORE} annotation"),
            SuppressedBy::Rule(r) => format!("--suppress {r}"),
        }
    }
    /// SARIF's suppression kind: in the source, or outside it.
    pub fn in_source(&self) -> bool {
        !matches!(self, SuppressedBy::Rule(_))
    }
}

#[derive(Debug, Clone)]
pub struct Suppressed {
    pub diagnostic: Diagnostic,
    pub by: SuppressedBy,
}

/// The two annotations of one resource, when it has either.
struct Annotations<'a> {
    analyze: Option<&'a str>,
    kiali: Option<&'a str>,
}

/// Removes the suppressed findings from `diags` (by the resources' annotations and by `rules`)
/// and returns them, in their order.
pub fn apply(input: &Input, diags: &mut Vec<Diagnostic>, rules: &[Rule]) -> Vec<Suppressed> {
    // Only resources that carry an annotation are kept (usually none), sorted for lookups.
    let mut annotated: Vec<(Key, Annotations)> = Vec::new();
    for r in &input.resources {
        let text = |key| r.annotation(key).and_then(|n| n.scalar_text());
        let (analyze, kiali) = (text(ANALYZE_SUPPRESS), text(KIALI_IGNORE));
        if analyze.is_some() || kiali.is_some() {
            annotated
                .push(((r.kind_name.as_str(), r.namespace.as_str(), r.name.as_str()), Annotations { analyze, kiali }));
        }
    }
    annotated.sort_by(|a, b| a.0.cmp(&b.0));
    let mut suppressed = Vec::new();
    let mut kept = Vec::with_capacity(diags.len());
    for d in diags.drain(..) {
        match by_annotation(&d, &annotated).or_else(|| by_rule(&d, rules)) {
            Some(by) => suppressed.push(Suppressed { diagnostic: d, by }),
            None => kept.push(d),
        }
    }
    *diags = kept;
    suppressed
}

/// A resource's `(kind, namespace, name)`.
type Key<'a> = (&'a str, &'a str, &'a str);

fn by_annotation(d: &Diagnostic, annotated: &[(Key, Annotations)]) -> Option<SuppressedBy> {
    let r = d.resource.as_ref()?;
    let key = (r.kind.as_str(), r.namespace.as_str(), r.name.as_str());
    // The first resource of that name: the one the finding is about.
    let (_, a) = annotated.get(annotated.partition_point(|(k, _)| *k < key)).filter(|(k, _)| *k == key)?;
    let ours = d.code.id();
    if a.analyze.is_some_and(|v| v.split(',').any(|c| c == "*" || c == ours || Some(c) == d.istio_code())) {
        return Some(SuppressedBy::AnalyzeAnnotation);
    }
    let (v, kiali) = (a.kiali?, d.kiali_code?);
    (v.is_empty() || v.split(',').any(|c| c.trim() == kiali)).then_some(SuppressedBy::KialiAnnotation)
}

fn by_rule(d: &Diagnostic, rules: &[Rule]) -> Option<SuppressedBy> {
    let name = d.resource.as_ref()?.to_string();
    let codes = [Some(d.code.id()), d.istio_code(), d.kiali_code];
    rules
        .iter()
        .find(|rule| codes.contains(&Some(rule.code.as_str())) && glob(&rule.resource, &name))
        .map(|rule| SuppressedBy::Rule(format!("{}={}", rule.code, rule.resource)))
}

/// `*` matches any run of characters (including none); everything else matches itself, as
/// github.com/ryanuber/go-glob does for istioctl.
fn glob(pattern: &str, subject: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let [first, middle @ .., last] = &parts[..] else {
        return pattern == subject;
    };
    if subject.len() < first.len() + last.len() || !subject.starts_with(first) || !subject.ends_with(last) {
        return false;
    }
    let mut rest = &subject[first.len()..subject.len() - last.len()];
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_as_go_glob() {
        assert!(glob("Sidecar default/ratings", "Sidecar default/ratings"));
        assert!(!glob("Sidecar default/ratings", "Sidecar default/ratings2"));
        assert!(glob("*", ""));
        assert!(glob("Sidecar *", "Sidecar default/ratings"));
        assert!(glob("Sidecar */ratings", "Sidecar prod/ratings"));
        assert!(glob("*/ratings", "Sidecar prod/ratings"));
        assert!(glob("S*c*r *", "Sidecar a/b"));
        assert!(!glob("Sidecar */ratings", "Sidecar prod/reviews"));
        assert!(!glob("a*a", "a"), "prefix and suffix may not overlap");
        assert!(glob("a*a", "aa"));
    }

    #[test]
    fn rules_parse_as_istioctl_reads_them() {
        let (r, w) = Rule::parse("IST0101=Sidecar default/ratings").unwrap();
        assert_eq!((r.code.as_str(), r.resource.as_str(), w), ("IST0101", "Sidecar default/ratings", None));
        assert!(Rule::parse("IST0101").unwrap_err().contains("is not a valid suppression value"));
        assert!(Rule::parse("IST0101=a=b").is_err());
        assert!(Rule::parse("SC3007=Sidecar *").unwrap().1.is_none());
        assert!(
            Rule::parse("IST0199=Sidecar *").unwrap().1.is_none(),
            "an Istio code this tool does not reproduce is still a code"
        );
        assert!(Rule::parse("ISTO101=Sidecar *").unwrap().1.unwrap().contains("unknown message code"));
    }
}
