//! The parsed documents of each source, kept between loads: a document whose text did not
//! change is not parsed again, only moved to where it now starts (an edit earlier in its source
//! shifts it). Parsing a document depends on its text, on where it starts and on what is left of
//! the input's alias budget (`yaml::parse_document_within`), so a kept document answers exactly
//! as a new parse would when its text is the same and the budget still covers what its aliases
//! expanded; otherwise it is parsed again. A document with anchors (whose collections its aliases
//! share) is not kept.

use std::collections::HashMap;

use crate::text::TextRange;
use crate::yaml::{self, AliasBudget, Document, Node, NodeKind, YamlErrorKind};

/// One parsed document, as it was read.
#[derive(Debug, Clone)]
struct Parsed {
    doc: Document,
    /// What its aliases took from the input's budget.
    expanded: usize,
}

/// The documents of every source, by source and by text.
#[derive(Debug, Default)]
pub struct DocumentCache {
    /// Per source (by name): its documents' texts and what each parsed to, as the last load
    /// that ended read them.
    kept: HashMap<String, HashMap<String, Parsed>>,
    /// The load in progress moves here what it reads; this replaces `kept` when it ends.
    next: HashMap<String, HashMap<String, Parsed>>,
    /// Documents parsed (not taken from the cache) since the cache was made.
    parsed: usize,
    /// Whether documents are kept at all (a one-shot command keeps none: a copy of every tree).
    pub retain: bool,
}

impl DocumentCache {
    pub fn new(retain: bool) -> DocumentCache {
        DocumentCache { retain, ..DocumentCache::default() }
    }

    /// How many documents were parsed since the cache was made (a kept one is not counted).
    pub fn parsed(&self) -> usize {
        self.parsed
    }

    /// The document at `range` of the source `name` (whose text is `text`), from the cache when
    /// the same text was parsed before, else parsed now; either way kept for the next load.
    pub fn document(&mut self, name: &str, text: &str, range: TextRange, budget: &mut AliasBudget) -> Document {
        let chunk = &text[range.start as usize..range.end as usize];
        if let Some(p) = self.kept.get_mut(name).and_then(|docs| docs.remove(chunk)) {
            self.next.entry(name.to_string()).or_default().insert(chunk.to_string(), p);
        }
        let reusable = self.next.get(name).and_then(|docs| docs.get(chunk)).filter(|p| p.expanded <= budget.0);
        if let Some(p) = reusable {
            let mut doc = p.doc.clone();
            budget.0 -= p.expanded;
            shift(&mut doc, range.start);
            return doc;
        }
        let before = budget.0;
        let doc = yaml::parse_document_within(text, range, budget);
        self.parsed += 1;
        let refused = doc.error.as_ref().is_some_and(|e| e.kind == YamlErrorKind::AliasLimit);
        // A document with anchors is parsed again on every load (rare in manifests): its shared
        // collections cannot be moved in place.
        if self.retain && !refused && !has_shared(&doc) {
            let parsed = Parsed { doc: doc.clone(), expanded: before - budget.0 };
            self.next.entry(name.to_string()).or_default().insert(chunk.to_string(), parsed);
        }
        doc
    }

    /// The load ended: what it read is what the next load may reuse (documents of texts no
    /// source has any more are dropped).
    pub fn loaded(&mut self) {
        self.kept = std::mem::take(&mut self.next);
    }
}

/// Moves a document parsed at some offset to start at `start` (every range in it keeps its
/// place relative to the document's start).
fn shift(doc: &mut Document, start: u32) {
    let from = doc.range.start;
    if from == start {
        return;
    }
    let moved = |r: &mut TextRange| {
        r.start = r.start - from + start;
        r.end = r.end - from + start;
    };
    moved(&mut doc.range);
    if let Some(e) = &mut doc.error {
        moved(&mut e.range);
    }
    let Some(root) = &mut doc.root else { return };
    let mut stack: Vec<&mut Node> = vec![root];
    while let Some(node) = stack.pop() {
        moved(&mut node.range);
        match &mut node.kind {
            NodeKind::Scalar(_) => {}
            NodeKind::Seq(items) => stack.extend(items.iter_mut()),
            NodeKind::Map(entries) => {
                for e in entries.iter_mut() {
                    stack.push(&mut e.key);
                    stack.push(&mut e.value);
                }
            }
            // Never kept (`has_shared`): an anchored collection is shared with its aliases, and
            // moving it once per place would need a copy that loses the sharing.
            NodeKind::SharedSeq(_) | NodeKind::SharedMap(_) => {}
        }
    }
}

/// Whether a document holds an anchored collection shared with its aliases
/// (`NodeKind::SharedSeq`, `NodeKind::SharedMap`).
fn has_shared(doc: &Document) -> bool {
    let Some(root) = &doc.root else { return false };
    let mut stack: Vec<&Node> = vec![root];
    while let Some(node) = stack.pop() {
        match &node.kind {
            NodeKind::Scalar(_) => {}
            NodeKind::Seq(items) => stack.extend(items.iter()),
            NodeKind::Map(entries) => stack.extend(entries.iter().flat_map(|e| [&e.key, &e.value])),
            NodeKind::SharedSeq(_) | NodeKind::SharedMap(_) => return true,
        }
    }
    false
}
