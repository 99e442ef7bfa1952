//! Results as they leave the core: JSON-ready structures with line/column (and UTF-16
//! offsets for JavaScript editors), and compiler-style text. The CLI, the wasm module and the
//! playground all use these, so they cannot disagree.

use serde::Serialize;

use crate::diagnostic::{Diagnostic, ResourceRef, Severity};
use crate::load::Input;
use crate::source::SourceFile;
use crate::text::TextRange;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Position {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in Unicode scalar values.
    pub column: u32,
    /// Byte offset in the file.
    pub offset: u32,
    /// Offset in UTF-16 code units, as JavaScript strings count.
    pub utf16: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Range {
    pub start: Position,
    pub end: Position,
}

impl Position {
    /// The position of a byte offset of `src`: line/column and UTF-16 offset.
    pub fn at(src: &SourceFile, offset: u32) -> Position {
        let lc = src.line_col(offset);
        Position { line: lc.line, column: lc.column, offset, utf16: src.utf16_offset(offset) }
    }
}

impl Range {
    /// A byte range of `src` as it leaves the core (line/column and UTF-16 offsets).
    pub fn of(src: &SourceFile, range: TextRange) -> Range {
        Range { start: Position::at(src, range.start), end: Position::at(src, range.end) }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsonDiagnostic {
    pub severity: Severity,
    pub code: &'static str,
    /// The code's kebab-case name, e.g. `egress-host-format`.
    pub name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub istio_code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kiali_code: Option<&'static str>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    pub resource: Option<ResourceRef>,
    pub path: String,
    pub file: String,
    pub range: Range,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings left out by suppressions (annotations, `--suppress`); absent when none.
    #[serde(skip_serializing_if = "is_zero")]
    pub suppressed: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Debug, Clone, Serialize)]
pub struct DiagnosticsReport {
    pub diagnostics: Vec<JsonDiagnostic>,
    pub summary: Summary,
}

/// Sorts diagnostics by file and position (stable, so equal positions keep their order).
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by_key(|d| (d.source, d.range.start));
}

pub fn summary(diags: &[Diagnostic]) -> Summary {
    let mut s = Summary::default();
    for d in diags {
        match d.severity {
            Severity::Error => s.errors += 1,
            Severity::Warning => s.warnings += 1,
            Severity::Info => s.infos += 1,
        }
    }
    s
}

pub fn to_json(input: &Input, d: &Diagnostic) -> JsonDiagnostic {
    let src = input.source(d.source);
    JsonDiagnostic {
        severity: d.severity,
        code: d.code.id(),
        name: d.code.name(),
        istio_code: d.istio_code(),
        kiali_code: d.kiali_code,
        message: d.message.clone(),
        hint: d.hint.clone(),
        resource: d.resource.clone(),
        path: d.path.clone(),
        file: src.name.clone(),
        range: Range::of(src, d.range),
    }
}

pub fn diagnostics_report(input: &Input, diags: &[Diagnostic]) -> DiagnosticsReport {
    DiagnosticsReport { diagnostics: diags.iter().map(|d| to_json(input, d)).collect(), summary: summary(diags) }
}

/// Compiler-style text: `file:line:col: error[CODE]: message`, the source line and an
/// underline; ANSI colour when `color` is set.
pub fn render_human(input: &Input, diags: &[Diagnostic], color: bool) -> String {
    let paint = |code: &str, s: &str| if color { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_string() };
    let mut out = String::new();
    for d in diags {
        let src = input.source(d.source);
        let start = src.line_col(d.range.start);
        let (sev, sev_color) = match d.severity {
            Severity::Error => ("error", "1;31"),
            Severity::Warning => ("warning", "1;33"),
            Severity::Info => ("info", "1;36"),
        };
        out.push_str(&paint("1", &format!("{}:{}:{}:", src.name, start.line, start.column)));
        out.push(' ');
        out.push_str(&paint(sev_color, &format!("{sev}[{}]", d.code.id())));
        out.push_str(&paint("1", &format!(": {}", d.message)));
        out.push('\n');
        let mut meta = Vec::new();
        if let Some(r) = &d.resource {
            meta.push(r.to_string());
        }
        if !d.path.is_empty() {
            meta.push(d.path.clone());
        }
        if let Some(c) = d.istio_code() {
            meta.push(c.to_string());
        }
        if let Some(c) = d.kiali_code {
            meta.push(c.to_string());
        }
        if !meta.is_empty() {
            out.push_str(&paint("2", &format!("  = {}", meta.join(", "))));
            out.push('\n');
        }
        // The source line and an underline of the range's part on that line.
        let idx = src.line_index();
        let line = idx.line_of(d.range.start);
        let lr = idx.line_range(&src.text, line);
        let text = src.slice(lr);
        let gutter = format!("{:>5} | ", line + 1);
        out.push_str(&paint("2", &gutter));
        out.push_str(&text.replace('\t', " "));
        out.push('\n');
        let col = start.column as usize - 1;
        let end = if d.range.end <= lr.end { src.line_col(d.range.end).column as usize - 1 } else { text.chars().count() };
        let width = end.saturating_sub(col).max(1);
        out.push_str(&paint("2", &format!("{:>5} | ", "")));
        out.push_str(&" ".repeat(col));
        out.push_str(&paint(sev_color, &"^".repeat(width)));
        out.push('\n');
        if let Some(h) = &d.hint {
            out.push_str(&paint("36", &format!("  help: {h}")));
            out.push('\n');
        }
        out.push('\n');
    }
    let s = summary(diags);
    out.push_str(&format!(
        "{} error{}, {} warning{}{}\n",
        s.errors,
        if s.errors == 1 { "" } else { "s" },
        s.warnings,
        if s.warnings == 1 { "" } else { "s" },
        if s.infos > 0 { format!(", {} info", s.infos) } else { String::new() }
    ));
    out
}
