//! Results as they leave the core: JSON-ready structures with line/column (and UTF-16
//! offsets for JavaScript editors), and compiler-style text. The CLI, the wasm module and the
//! playground all use these, so they cannot disagree.

use serde::Serialize;

use crate::diagnostic::{Diagnostic, ResourceRef, Severity};
use crate::load::Input;
use crate::source::SourceFile;
use crate::text::TextRange;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// Characters of a long source line shown before the range, and at most in all.
const WINDOW_BEFORE: usize = 100;
const WINDOW_CHARS: usize = 400;

/// The part of a source line shown under a diagnostic, its range's column in it and the
/// underline's width (in characters). A line longer than [`WINDOW_CHARS`] is shown as a window
/// around the range (`…` marks what is left out), so a 60 MB line is not printed in full for
/// every finding on it. Tabs are shown as a space and
/// control characters as their Unicode control pictures (one column each), so nothing in the
/// input reaches the terminal as a control sequence.
fn window(line: &str, start: usize, end: usize) -> (String, usize, usize) {
    let start = floor_char(line, start.min(line.len()));
    let end = floor_char(line, end.clamp(start, line.len()));
    let before = &line[..start];
    // A line of at most WINDOW_CHARS bytes is shown whole.
    let long = line.len() > WINDOW_CHARS;
    // The window's first byte: at most WINDOW_BEFORE characters before the range.
    let from = if long { before.char_indices().rev().nth(WINDOW_BEFORE - 1).map_or(0, |(i, _)| i) } else { 0 };
    let mut shown = String::new();
    if from > 0 {
        shown.push('…');
    }
    let mut col = usize::from(from > 0);
    for c in line[from..start].chars() {
        shown.push(visible(c));
        col += 1;
    }
    let mut width = 0;
    let mut cut = false;
    for (count, (i, c)) in (col..).zip(line[start..].char_indices()) {
        if long && count >= WINDOW_CHARS {
            cut = true;
            break;
        }
        shown.push(visible(c));
        if start + i < end {
            width += 1;
        }
    }
    if cut {
        shown.push('…');
    }
    (shown, col, width)
}

/// Characters of a message or hint shown in text output (JSON and SARIF keep the whole text).
const MESSAGE_CHARS: usize = 1000;

/// A message or hint cut at [`MESSAGE_CHARS`] (they quote the input, which may hold a value of
/// megabytes), marked with `…`.
fn clip(s: &str) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(MESSAGE_CHARS) {
        None => std::borrow::Cow::Borrowed(s),
        Some((i, _)) => std::borrow::Cow::Owned(format!(
            "{}… ({} more bytes; JSON output has the whole text)",
            &s[..i],
            s.len() - i
        )),
    }
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One source character as shown: control characters as their control pictures.
fn visible(c: char) -> char {
    match c {
        '\t' => ' ',
        '\0'..='\x1f' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        '\x7f' => '\u{2421}',
        c if is_hidden_control(c) => '\u{fffd}',
        c => c,
    }
}

/// C1 controls and the Unicode bidirectional controls, which can reorder what a terminal shows.
fn is_hidden_control(c: char) -> bool {
    matches!(c, '\u{80}'..='\u{9f}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text from the input (names, hosts, messages quoting them) made safe for a terminal: every
/// control character but newline and tab is written as an escape (`\x1b`, `\u{202e}`), so raw
/// ESC, BEL or NUL never reach it, whatever the colour setting.
pub fn escape_controls(s: &str) -> std::borrow::Cow<'_, str> {
    let needs = |c: char| (c.is_control() && c != '\n' && c != '\t') || is_hidden_control(c);
    if !s.chars().any(needs) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs(c) {
            if (c as u32) < 0x80 {
                out.push_str(&format!("\\x{:02x}", c as u32));
            } else {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Compiler-style text: `file:line:col: error[CODE]: message`, the source line and an
/// underline; ANSI colour when `color` is set.
pub fn render_human(input: &Input, diags: &[Diagnostic], color: bool) -> String {
    let mut out = String::new();
    write_human(&mut out, input, diags, color).expect("writing to a String does not fail");
    out
}

/// [`render_human`] written as it goes, one diagnostic at a time, to `out` (the CLI streams it
/// to standard output, so that the text of 200,000 findings is never held whole, and stops at
/// the first error of the writer, such as a closed pipe).
pub fn write_human<W: std::fmt::Write>(
    out: &mut W,
    input: &Input,
    diags: &[Diagnostic],
    color: bool,
) -> std::fmt::Result {
    for d in diags {
        write_diagnostic(out, input, d, color)?;
    }
    let s = summary(diags);
    writeln!(
        out,
        "{} error{}, {} warning{}{}",
        s.errors,
        if s.errors == 1 { "" } else { "s" },
        s.warnings,
        if s.warnings == 1 { "" } else { "s" },
        if s.infos > 0 { format!(", {} info", s.infos) } else { String::new() }
    )
}

/// Writes `args` in the ANSI style `code` when `color` is set.
fn paint<W: std::fmt::Write>(out: &mut W, color: bool, code: &str, args: std::fmt::Arguments) -> std::fmt::Result {
    if color {
        write!(out, "\x1b[{code}m")?;
        out.write_fmt(args)?;
        out.write_str("\x1b[0m")
    } else {
        out.write_fmt(args)
    }
}

/// One diagnostic of [`render_human`], with its blank line after.
fn write_diagnostic<W: std::fmt::Write>(out: &mut W, input: &Input, d: &Diagnostic, color: bool) -> std::fmt::Result {
    let src = input.source(d.source);
    let start = src.line_col(d.range.start);
    let (sev, sev_color) = match d.severity {
        Severity::Error => ("error", "1;31"),
        Severity::Warning => ("warning", "1;33"),
        Severity::Info => ("info", "1;36"),
    };
    paint(out, color, "1", format_args!("{}:{}:{}:", escape_controls(&src.name), start.line, start.column))?;
    out.write_char(' ')?;
    paint(out, color, sev_color, format_args!("{sev}[{}]", d.code.id()))?;
    paint(out, color, "1", format_args!(": {}", escape_controls(&clip(&d.message))))?;
    out.write_char('\n')?;
    let resource = d.resource.as_ref().map(|r| r.to_string());
    let meta: Vec<&str> =
        [resource.as_deref(), Some(d.path.as_str()).filter(|p| !p.is_empty()), d.istio_code(), d.kiali_code]
            .into_iter()
            .flatten()
            .collect();
    if !meta.is_empty() {
        paint(out, color, "2", format_args!("  = {}", escape_controls(&meta.join(", "))))?;
        out.write_char('\n')?;
    }
    // The source line (a window of it around the range when it is long) and an underline of
    // the range's part on that line; none for a problem with a whole file that has no text (it
    // could not be read).
    if !src.text.is_empty() {
        let idx = src.line_index();
        let line = idx.line_of(d.range.start);
        let lr = idx.line_range(&src.text, line);
        let (shown, col, width) = window(
            src.slice(lr),
            d.range.start.saturating_sub(lr.start) as usize,
            d.range.end.min(lr.end).saturating_sub(lr.start) as usize,
        );
        paint(out, color, "2", format_args!("{:>5} | ", line + 1))?;
        out.write_str(&shown)?;
        out.write_char('\n')?;
        paint(out, color, "2", format_args!("{:>5} | ", ""))?;
        write!(out, "{:col$}", "")?;
        paint(out, color, sev_color, format_args!("{}", "^".repeat(width.max(1))))?;
        out.write_char('\n')?;
    }
    if let Some(h) = &d.hint {
        paint(out, color, "36", format_args!("  help: {}", escape_controls(&clip(h))))?;
        out.write_char('\n')?;
    }
    out.write_char('\n')
}
