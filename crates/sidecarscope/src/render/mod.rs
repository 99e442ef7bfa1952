//! One writer per output format, for every front end (the CLI's `--output`, the wasm module's
//! `format`, the playground's panels and "Copy as Markdown"):
//!
//! | format | findings (validate, analyze) | resolution | listeners | trace |
//! |---|---|---|---|---|
//! | JSON | [`crate::report::diagnostics_report`] | `Resolution` (serde) | `ListenerSet` (serde) | `Trace` (serde) |
//! | text | [`crate::report::write_human`] | [`crate::resolve::render_text`] | — | [`crate::trace::render_text`] |
//! | SARIF 2.1.0 | [`crate::sarif::sarif_log_with_suppressed`] | — | — | — |
//! | YAML | [`yaml::to_yaml`] of the JSON | [`yaml::to_yaml`] | [`yaml::to_yaml`] | [`yaml::to_yaml`] |
//! | Markdown | [`markdown::input_report`], [`markdown::report`] | — | — | — |
//! | table | — | — | [`crate::listeners::table::render`] | — |
//!
//! [`Format`] names them; [`findings`] writes findings in any of them. An impact report
//! (`crate::impact`) is written by [`impact`]: text, Markdown, SARIF (JSON and YAML as any
//! result).

pub mod impact;
pub mod markdown;
pub mod yaml;

use crate::load::Input;
use crate::report::DiagnosticsReport;
use crate::workspace::Findings;

/// An output format, as the front ends name it (`text`, `json`, `sarif`, `yaml`, `markdown`,
/// `table`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Yaml,
    Markdown,
    Table,
}

impl Format {
    pub const ALL: [Format; 6] =
        [Format::Text, Format::Json, Format::Sarif, Format::Yaml, Format::Markdown, Format::Table];

    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Yaml => "yaml",
            Format::Markdown => "markdown",
            Format::Table => "table",
        }
    }

    /// The format named `name`, among those a request offers (the error lists them).
    pub fn parse(name: &str, offered: &[Format]) -> Result<Format, String> {
        offered.iter().copied().find(|f| f.name() == name).ok_or_else(|| {
            let names: Vec<String> = offered.iter().map(|f| format!("{:?}", f.name())).collect();
            format!("format {name:?} is not one of {}", names.join(", "))
        })
    }
}

/// The formats findings are written in.
pub const FINDINGS_FORMATS: &[Format] = &[Format::Json, Format::Text, Format::Sarif, Format::Yaml, Format::Markdown];

/// The JSON report of findings (`{diagnostics, summary}`), counting what was suppressed.
pub fn findings_report(input: &Input, findings: &Findings) -> DiagnosticsReport {
    let mut report = crate::report::diagnostics_report(input, &findings.diagnostics);
    report.summary.suppressed = findings.suppressed.len();
    report
}

/// Writes findings as compiler-style text (colour on request), then what suppressions left out.
pub fn write_findings_text<W: std::fmt::Write>(
    out: &mut W,
    input: &Input,
    findings: &Findings,
    color: bool,
) -> std::fmt::Result {
    crate::report::write_human(out, input, &findings.diagnostics, color)?;
    if !findings.suppressed.is_empty() {
        let mut by: Vec<String> = findings.suppressed.iter().map(|s| s.by.describe()).collect();
        by.sort();
        by.dedup();
        writeln!(out, "{} suppressed, by {}", findings.suppressed.len(), by.join(", "))?;
    }
    Ok(())
}

/// Findings written as text in a format that is text (`Json` and `Sarif` are serialized by the
/// caller from [`findings_report`] and [`crate::sarif::sarif_log_with_suppressed`]; here they
/// are written as pretty JSON).
pub fn findings(input: &Input, findings: &Findings, format: Format, color: bool) -> String {
    match format {
        Format::Text | Format::Table => {
            let mut out = String::new();
            let _ = write_findings_text(&mut out, input, findings, color);
            out
        }
        Format::Json => json(&findings_report(input, findings)),
        Format::Sarif => {
            json(&crate::sarif::sarif_log_with_suppressed(input, &findings.diagnostics, &findings.suppressed))
        }
        Format::Yaml => yaml::to_yaml(&findings_report(input, findings)),
        Format::Markdown => {
            let r = findings_report(input, findings);
            markdown::input_report(input, &r.diagnostics, &r.summary)
        }
    }
}

/// Pretty JSON and a newline, as the CLI prints it.
pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("results are always serializable");
    s.push('\n');
    s
}
