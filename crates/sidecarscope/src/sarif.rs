//! Diagnostics as a SARIF 2.1.0 log, for code-scanning UIs in CI (GitHub, GitLab, Azure DevOps).
//! One run; one rule per diagnostic code (all of them, with their documentation); one result per
//! diagnostic with its file, line and column. Columns count Unicode code points, as ours do.
//! Serializable as is; the CLI and the wasm module turn it into JSON.

use serde::Serialize;

use crate::diagnostic::{Code, Diagnostic, Origin, Severity};
use crate::load::Input;
use crate::report;
use crate::suppress::Suppressed;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const VERSION: &str = "2.1.0";

#[derive(Debug, Clone, Serialize)]
pub struct Log {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    pub version: &'static str,
    pub runs: Vec<Run>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub tool: Tool,
    pub results: Vec<SarifResult>,
    pub column_kind: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub driver: Driver,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    pub name: &'static str,
    pub version: &'static str,
    pub semantic_version: &'static str,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Text {
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Help {
    pub text: String,
    pub markdown: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Configuration {
    pub level: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleProperties {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub istio_code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kiali_code: Option<&'static str>,
    pub tags: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub id: &'static str,
    pub name: &'static str,
    pub short_description: Text,
    pub full_description: Text,
    pub help: Help,
    pub default_configuration: Configuration,
    pub properties: RuleProperties,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    pub rule_id: &'static str,
    pub rule_index: usize,
    pub level: &'static str,
    pub message: Text,
    pub locations: Vec<Location>,
    /// Present on findings a suppression left out (SARIF 2.1.0 §3.27.23): code-scanning UIs
    /// show them as dismissed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppressions: Vec<Suppression>,
    pub properties: ResultProperties,
}

#[derive(Debug, Clone, Serialize)]
pub struct Suppression {
    /// `inSource` (an annotation in the YAML) or `external` (a `--suppress` rule).
    pub kind: &'static str,
    pub justification: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultProperties {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub istio_code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kiali_code: Option<&'static str>,
    /// Field path in the resource, e.g. `spec.egress[0].hosts[1]`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub path: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub logical_locations: Vec<LogicalLocation>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    pub region: Region,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArtifactLocation {
    pub uri: String,
}

/// 1-based lines and columns; `endColumn` is the column after the last character.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub start_line: u32,
    pub start_column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogicalLocation {
    /// `Sidecar ns/name`.
    pub fully_qualified_name: String,
    pub kind: &'static str,
}

pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The rule of a code: its documentation as plain text and Markdown.
pub fn rule(code: Code) -> Rule {
    let markdown: String =
        code.doc().lines().map(|l| l.strip_prefix(' ').unwrap_or(l).trim_end()).collect::<Vec<_>>().join("\n");
    let text = markdown.split_whitespace().collect::<Vec<_>>().join(" ");
    // The first sentence: up to a `. ` followed by a capital (so `e.g. ` does not end it).
    let end = text.match_indices(". ").map(|(i, _)| i).find(|&i| text[i + 2..].starts_with(|c: char| c.is_uppercase()));
    let short = end.map_or_else(|| text.clone(), |i| text[..=i].to_string());
    let origin = match code.origin() {
        Origin::Input => "input",
        Origin::Decoding => "decoding",
        Origin::CrdSchema => "crd-schema",
        Origin::IstioValidator => "istio-validation",
        Origin::IstioAnalyzer => "istioctl-analyze",
        Origin::Kiali => "kiali",
        Origin::Sidecarscope => "sidecarscope",
    };
    Rule {
        id: code.id(),
        name: code.name(),
        short_description: Text { text: short },
        full_description: Text { text: text.clone() },
        help: Help { text, markdown },
        default_configuration: Configuration { level: level(code.default_severity()) },
        properties: RuleProperties {
            istio_code: code.istio_code(),
            kiali_code: code.kiali_code(),
            tags: vec!["istio", "sidecar", origin],
        },
    }
}

/// A file name as a SARIF URI reference: `/` separators, unsafe characters percent-encoded;
/// standard input becomes `stdin`.
pub fn uri(name: &str) -> String {
    if name == "<stdin>" {
        return "stdin".into();
    }
    let mut out = String::with_capacity(name.len());
    for b in name.replace('\\', "/").bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b':'
            | b'@'
            | b'+'
            | b'='
            | b',' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The SARIF log of a set of diagnostics.
pub fn sarif_log(input: &Input, diags: &[Diagnostic]) -> Log {
    sarif_log_with_suppressed(input, diags, &[])
}

/// The log of `diags`, followed by the findings suppressions left out, marked as suppressed.
pub fn sarif_log_with_suppressed(input: &Input, diags: &[Diagnostic], suppressed: &[Suppressed]) -> Log {
    let rules: Vec<Rule> = Code::ALL.iter().map(|&c| rule(c)).collect();
    let results = diags
        .iter()
        .map(|d| result(input, d, Vec::new()))
        .chain(suppressed.iter().map(|s| {
            let kind = if s.by.in_source() { "inSource" } else { "external" };
            result(
                input,
                &s.diagnostic,
                vec![Suppression { kind, justification: format!("suppressed by {}", s.by.describe()) }],
            )
        }))
        .collect();
    Log {
        schema: SCHEMA,
        version: VERSION,
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "sidecarscope",
                    version: crate::VERSION,
                    semantic_version: crate::VERSION,
                    rules,
                },
            },
            results,
            column_kind: "unicodeCodePoints",
        }],
    }
}

fn result(input: &Input, d: &Diagnostic, suppressions: Vec<Suppression>) -> SarifResult {
    let j = report::to_json(input, d);
    let text = match &d.hint {
        Some(h) => format!("{}\n\nhelp: {h}", d.message),
        None => d.message.clone(),
    };
    let logical = d
        .resource
        .as_ref()
        .map(|r| LogicalLocation { fully_qualified_name: r.to_string(), kind: "resource" })
        .into_iter()
        .collect();
    SarifResult {
        rule_id: d.code.id(),
        rule_index: Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0),
        level: level(d.severity),
        message: Text { text },
        locations: vec![Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation { uri: uri(&j.file) },
                region: Region {
                    start_line: j.range.start.line,
                    start_column: j.range.start.column,
                    end_line: j.range.end.line,
                    end_column: j.range.end.column,
                },
            },
            logical_locations: logical,
        }],
        suppressions,
        properties: ResultProperties { istio_code: d.istio_code(), kiali_code: d.kiali_code, path: d.path.clone() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded() {
        assert_eq!(uri("dir/my file.yaml"), "dir/my%20file.yaml");
        assert_eq!(uri("<stdin>"), "stdin");
        assert_eq!(uri("a\\b.yaml"), "a/b.yaml");
    }

    #[test]
    fn every_code_has_a_rule_with_a_short_description() {
        for c in Code::ALL {
            let r = rule(*c);
            assert!(!r.short_description.text.is_empty(), "{}", c.id());
            assert!(r.short_description.text.len() <= r.full_description.text.len());
        }
    }
}
