//! The editor's answers as they leave the core for JavaScript (the wasm module's `complete`,
//! `hover`, `definition`, `references`, `codeActions`): byte ranges become `report::Range`s
//! (line/column and the UTF-16 offsets JavaScript strings and CodeMirror or Monaco count), and
//! targets and edits name their file and source index.

use serde::Serialize;

use super::{code_actions, complete, definition, hover, references, CompletionItem, FilePosition, Target};
use crate::report::{to_json, JsonDiagnostic, Range};
use crate::source::SourceId;
use crate::text::TextRange;
use crate::workspace::Workspace;

/// The completions at a position and the range each replaces.
#[derive(Debug, Clone, Serialize)]
pub struct EditorCompletions {
    pub range: Range,
    pub items: Vec<CompletionItem>,
}

/// Hover: Markdown about the range.
#[derive(Debug, Clone, Serialize)]
pub struct EditorHover {
    pub range: Range,
    pub markdown: String,
}

/// A place a definition or reference leads to.
#[derive(Debug, Clone, Serialize)]
pub struct EditorLocation {
    pub label: String,
    pub file: String,
    /// The index of the file in the input.
    pub source: u32,
    pub range: Range,
}

/// One replacement of a quick fix.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EditorEdit {
    pub file: String,
    pub source: u32,
    pub range: Range,
    pub new_text: String,
}

/// A quick fix: its title, the finding it fixes (as `analyze` reports it), and its edits (not
/// overlapping, all against the text as it is).
#[derive(Debug, Clone, Serialize)]
pub struct EditorFix {
    pub title: String,
    pub diagnostic: JsonDiagnostic,
    pub edits: Vec<EditorEdit>,
}

/// A UTF-16 offset into a source (JavaScript's string index) as a byte offset; `None` when
/// the source does not exist.
pub fn position(ws: &Workspace, source: u32, utf16: u32) -> Option<FilePosition> {
    let src = ws.input().sources.get(source as usize)?;
    Some(FilePosition { source: SourceId(source), offset: src.line_index().offset_of_utf16(&src.text, utf16) })
}

fn range(ws: &Workspace, source: SourceId, r: TextRange) -> Range {
    Range::of(ws.input().source(source), r)
}

pub fn completions(ws: &Workspace, pos: FilePosition) -> EditorCompletions {
    let c = complete(ws, pos);
    EditorCompletions { range: range(ws, pos.source, c.range), items: c.items }
}

pub fn hover_at(ws: &Workspace, pos: FilePosition) -> Option<EditorHover> {
    hover(ws, pos).map(|h| EditorHover { range: range(ws, pos.source, h.range), markdown: h.markdown })
}

fn locations(ws: &Workspace, targets: Vec<Target>) -> Vec<EditorLocation> {
    targets
        .into_iter()
        .map(|t| EditorLocation {
            label: t.label,
            file: ws.input().source(t.source).name.clone(),
            source: t.source.0,
            range: range(ws, t.source, t.range),
        })
        .collect()
}

pub fn definitions(ws: &Workspace, pos: FilePosition) -> Vec<EditorLocation> {
    locations(ws, definition(ws, pos))
}

pub fn references_to(ws: &Workspace, pos: FilePosition) -> Vec<EditorLocation> {
    locations(ws, references(ws, pos))
}

/// The quick fixes of the findings that touch `[start, end]` (UTF-16 offsets) of a source.
pub fn fixes(ws: &Workspace, source: u32, start: FilePosition, end: FilePosition) -> Vec<EditorFix> {
    let r = TextRange::new(start.offset, end.offset.max(start.offset));
    code_actions(ws, SourceId(source), r)
        .into_iter()
        .map(|a| EditorFix {
            title: a.title,
            diagnostic: to_json(ws.input(), &a.diagnostic),
            edits: a
                .edits
                .into_iter()
                .map(|e| EditorEdit {
                    file: ws.input().source(e.source).name.clone(),
                    source: e.source.0,
                    range: range(ws, e.source, e.range),
                    new_text: e.new_text,
                })
                .collect(),
        })
        .collect()
}
