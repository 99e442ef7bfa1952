//! The editor's questions about a position, over the [`Workspace`], as rust-analyzer's `ide`
//! crate sits over its database: completion, hover, go to definition, references and quick
//! fixes. Every answer is computed from what the workspace has already built (the loaded input,
//! the registry), so an edit re-parses only the changed document and nothing here keeps state.
//!
//! Positions are byte offsets into one source (a [`FilePosition`]); results carry byte ranges
//! ([`TextRange`]), turned into line/column and UTF-16 offsets at the edge ([`Located`], or
//! `crate::report::Range` and [`LineIndex`](crate::text::LineIndex)'s UTF-16 conversions, which
//! the LSP server and the wasm module use). The YAML path at an offset comes from
//! `yaml::cursor`, which reads half-typed documents too.

pub mod completion;
pub mod docs;
pub mod fixes;
pub mod hover;
pub mod json;
pub mod navigation;

use serde::Serialize;

use crate::load::Resource;
use crate::registry::Registry;
use crate::report::Range;
use crate::source::{SourceFile, SourceId};
use crate::text::TextRange;
use crate::validate::schema::{Field, Message, Schema, SIDECAR};
use crate::workspace::Workspace;
use crate::yaml::cursor::Segment;

pub use completion::{complete, CompletionItem, CompletionKind, Completions};
pub use fixes::{code_actions, code_actions_among, CodeAction, TextEdit};
pub use hover::{hover, Hover};
pub use navigation::{definition, references, Target};

/// An offset (in bytes) into one source of the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilePosition {
    pub source: SourceId,
    pub offset: u32,
}

/// A byte range of a source as it leaves the core: the source's name, and line/column and
/// UTF-16 offsets of its ends.
#[derive(Debug, Clone, Serialize)]
pub struct Located {
    pub file: String,
    pub range: Range,
}

impl Located {
    pub fn new(src: &SourceFile, range: TextRange) -> Located {
        Located { file: src.name.clone(), range: Range::of(src, range) }
    }
}

/// The document at a position: its range, and its resource when it loaded as one.
pub(crate) struct Doc<'w> {
    pub text: &'w str,
    /// The loaded resource of the document and its index in `Input::resources`.
    pub resource: Option<(usize, &'w Resource)>,
    /// `kind` as written (read from the lines when the document does not load).
    pub kind: Option<String>,
    /// The resource's namespace (`metadata.namespace`, else the workspace's default).
    pub namespace: String,
}

impl Doc<'_> {
    /// Whether the document is (or, not written yet, may become) a Sidecar.
    pub fn is_sidecar(&self) -> bool {
        self.kind.as_deref().is_none_or(|k| k == "Sidecar" || k.is_empty())
    }
}

pub(crate) fn doc_at<'w>(ws: &'w Workspace, pos: FilePosition) -> Option<Doc<'w>> {
    let input = ws.input();
    let src = input.sources.get(pos.source.0 as usize)?;
    let text = src.text.as_str();
    let offset = pos.offset.min(text.len() as u32);
    let range = crate::yaml::document_ranges(text)
        .into_iter()
        .find(|r| r.start <= offset && offset <= r.end)
        .unwrap_or(TextRange::new(0, text.len() as u32));
    // The resource at the offset (a `kind: List` document holds several), else the document's.
    let in_doc =
        |r: &Resource| r.source == pos.source && r.node.range.start >= range.start && r.node.range.end <= range.end;
    let resources = || input.resources.iter().enumerate().filter(|(_, r)| in_doc(r));
    let resource = resources()
        .find(|(_, r)| r.node.range.start <= offset && offset <= r.node.range.end)
        .or_else(|| resources().next());
    let (kind, namespace) = match resource {
        Some((_, r)) => (Some(r.kind_name.clone()), r.namespace.clone()),
        None => {
            let doc = &text[range.start as usize..range.end as usize];
            let ns = top_level_value(doc, Some("metadata"), "namespace")
                .unwrap_or_else(|| ws.options().default_namespace.clone());
            (top_level_value(doc, None, "kind"), ns)
        }
    };
    Some(Doc { text, resource, kind, namespace })
}

/// A value of a document read from its lines (`kind`, or `metadata.namespace`), for a document
/// being typed that does not load yet.
fn top_level_value(doc: &str, parent: Option<&str>, key: &str) -> Option<String> {
    let mut in_parent = parent.is_none();
    for line in doc.lines() {
        let indented = line.starts_with([' ', '\t']);
        // `metadata: {name: x, namespace: y}` on one line.
        if let Some(flow) = parent.and_then(|p| line.strip_prefix(p)?.strip_prefix(':')?.trim().strip_prefix('{')) {
            let entries = flow.trim_end().trim_end_matches('}');
            let found = entries.split(',').find_map(|e| e.trim().strip_prefix(key)?.trim_start().strip_prefix(':'));
            if let Some(v) = found {
                return Some(v.trim().trim_matches(['"', '\'']).to_string());
            }
        }
        if !indented {
            in_parent = match parent {
                None => true,
                Some(p) => line.trim_end().strip_suffix(':') == Some(p),
            };
            if parent.is_some() {
                continue;
            }
        } else if parent.is_none() {
            continue;
        }
        if !in_parent {
            continue;
        }
        let rest = line.trim_start().strip_prefix(key).and_then(|r| r.strip_prefix(':'));
        if let Some(v) = rest {
            let v = v.split(" #").next().unwrap_or("").trim().trim_matches(['"', '\'']);
            return Some(v.to_string());
        }
    }
    None
}

/// The schema of the node at `path` under a Sidecar's `spec` (path without `spec`), and the
/// field it is the value (or an item) of.
pub(crate) fn schema_at(path: &[Segment]) -> Option<(&'static Schema, Option<(&'static Message, &'static Field)>)> {
    let mut schema: &'static Schema = &SIDECAR;
    let mut field = None;
    for seg in path {
        match (seg, schema) {
            (Segment::Key(k), Schema::Object(msg)) => {
                let f = msg.fields.iter().find(|f| f.json == k.as_str())?;
                field = Some((*msg, f));
                schema = f.schema;
            }
            (Segment::Item(_), Schema::Array { items, .. }) => schema = items,
            (Segment::Key(_), Schema::SelectorLabels) => return Some((&Schema::String, field)),
            _ => return None,
        }
    }
    Some((schema, field))
}

/// The Sidecar of the registry read from a resource (by its index in the input).
pub(crate) fn sidecar_of(reg: &Registry, resource: usize) -> Option<usize> {
    reg.sidecars.iter().position(|s| s.resource == resource)
}

/// Every namespace the input names (of its resources), sorted.
pub(crate) fn namespaces(ws: &Workspace) -> Vec<String> {
    let mut out: Vec<String> = ws
        .input()
        .resources
        .iter()
        .map(|r| if r.kind_name == "Namespace" { r.name.clone() } else { r.namespace.clone() })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `1 service`, `2 services`.
pub(crate) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The parts of an egress host entry: the namespace part (without a leading `~`), whether it is
/// an exclusion, and the DNS part.
pub(crate) fn split_host(host: &str) -> Option<(&str, bool, &str)> {
    let (ns, dns) = host.split_once('/')?;
    match ns.strip_prefix('~') {
        Some(rest) if !rest.is_empty() => Some((rest, true, dns)),
        _ => Some((ns, false, dns)),
    }
}

#[cfg(test)]
mod tests;
