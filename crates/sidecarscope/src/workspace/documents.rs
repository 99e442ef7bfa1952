//! The parsed documents of each source, kept between loads: a document whose text did not
//! change is not parsed again, only moved to where it now starts (an edit earlier in its source
//! shifts it). Parsing a document depends on its text, on where it starts and on what is left of
//! the input's alias budget (`yaml::parse_document_within`), so a kept document answers exactly
//! as a new parse would when its text is the same and the budget still covers what its aliases
//! expanded; otherwise it is parsed again. A document with anchors (whose collections its aliases
//! share) is not kept.

use rustc_hash::FxHashMap as HashMap;

use crate::load::Input;
use crate::source::SourceFile;
use crate::text::TextRange;
use crate::yaml::{self, AliasBudget, Document, Node, NodeKind, YamlErrorKind};

/// One parsed document, as it was read.
#[derive(Debug, Clone)]
struct Parsed {
    /// Its tree, or `None` while the loaded input holds it (`Keep::InInput`).
    doc: Option<Document>,
    /// Where the document was when last read (its tree's ranges are relative to that).
    range: TextRange,
    keep: Keep,
    /// What its aliases took from the input's budget.
    expanded: usize,
}

/// How a document's tree is kept between loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// A copy, in the cache (a document that becomes no resource, a List, one without a tree).
    Copy,
    /// In the loaded input, as the tree of the resource whose node spans `root` (a document
    /// that is one Kubernetes object, most of a mesh): the workspace hands the input back when
    /// it is dropped ([`DocumentCache::reclaim`]), so no copy is made or freed per load.
    InInput { root: TextRange },
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
    /// the same text was parsed before (and its tree is at hand), else parsed now; either way
    /// kept for the next load.
    pub fn document(&mut self, name: &str, text: &str, range: TextRange, budget: &mut AliasBudget) -> Document {
        let chunk = &text[range.start as usize..range.end as usize];
        // The kept text moves on as the key (no copy of it).
        if let Some((key, p)) = self.kept.get_mut(name).and_then(|docs| docs.remove_entry(chunk)) {
            self.next_docs(name).insert(key, p);
        }
        let reusable = self.next.get_mut(name).and_then(|docs| docs.get_mut(chunk)).filter(|p| p.expanded <= budget.0);
        if let Some(p) = reusable {
            let doc = match p.keep {
                Keep::Copy => p.doc.clone(),
                // Taken: the input being read holds it next (a second document of the same
                // text in this load finds none and is parsed).
                Keep::InInput { .. } => p.doc.take(),
            };
            if let Some(mut doc) = doc {
                budget.0 -= p.expanded;
                shift(&mut doc, range.start);
                p.range = range;
                if let (Keep::InInput { root }, Some(r)) = (&mut p.keep, &doc.root) {
                    *root = r.range;
                }
                return doc;
            }
        }
        let before = budget.0;
        let doc = yaml::parse_document_within(text, range, budget);
        self.parsed += 1;
        let refused = doc.error.as_ref().is_some_and(|e| e.kind == YamlErrorKind::AliasLimit);
        // A document with anchors is parsed again on every load (rare in manifests): its shared
        // collections cannot be moved in place.
        if self.retain && !refused && !has_shared(&doc) {
            let keep = match &doc.root {
                Some(root) if one_object(root) => Keep::InInput { root: root.range },
                _ => Keep::Copy,
            };
            let copy = (keep == Keep::Copy).then(|| doc.clone());
            let parsed = Parsed { doc: copy, range, keep, expanded: before - budget.0 };
            self.next_docs(name).insert(chunk.to_string(), parsed);
        }
        doc
    }

    /// The documents of source `name` the load in progress keeps.
    fn next_docs(&mut self, name: &str) -> &mut HashMap<String, Parsed> {
        if !self.next.contains_key(name) {
            self.next.insert(name.to_string(), HashMap::default());
        }
        self.next.get_mut(name).expect("just inserted")
    }

    /// The load ended: what it read is what the next load may reuse (documents of texts no
    /// source has any more are dropped).
    pub fn loaded(&mut self) {
        self.kept = std::mem::take(&mut self.next);
    }

    /// The input a load made from this cache is dropped (the sources changed, or the workspace
    /// is done with it): the trees of its resources go back to the documents they came from,
    /// for the next load to take without a copy; documents whose tree is not there are
    /// forgotten (parsed again). Gives back the sources.
    pub fn reclaim(&mut self, mut input: Input) -> Vec<SourceFile> {
        let found = Found::of(&input);
        for (name, docs) in self.kept.iter_mut().chain(self.next.iter_mut()) {
            let source = found.sources.get(name).copied();
            docs.retain(|_, p| {
                let Keep::InInput { root } = p.keep else { return true };
                if p.doc.is_some() {
                    return true;
                }
                let Some(&k) = source.and_then(|id| found.trees.get(&(id, root.start, root.end))) else {
                    return false;
                };
                let r = &mut input.resources[k];
                let empty = Node { kind: NodeKind::Map(Box::default()), range: r.node.range };
                let tree = std::mem::replace(&mut r.node, empty);
                p.doc = Some(Document { range: p.range, root: Some(tree), error: None });
                true
            });
        }
        input.sources
    }
}

/// Where an input's trees are: the resource of each tree (by source and range), and the
/// sources by name.
struct Found {
    trees: HashMap<(u32, u32, u32), usize>,
    sources: HashMap<String, u32>,
}

impl Found {
    fn of(input: &Input) -> Found {
        let trees =
            input.resources.iter().enumerate().map(|(k, r)| ((r.source.0, r.node.range.start, r.node.range.end), k));
        let sources = input.sources.iter().enumerate().map(|(i, s)| (s.name.clone(), i as u32));
        Found { trees: trees.collect(), sources: sources.collect() }
    }
}

/// Whether a document is read as one resource whose tree is the document's (a Kubernetes
/// object that is not a List: `load::add_document`); its tree then lives in the input.
fn one_object(root: &Node) -> bool {
    let list = |k: &str| k.ends_with("List") && root.get("items").is_some();
    let kind = root.get("kind").and_then(Node::as_str);
    root.as_map().is_some() && root.get("apiVersion").is_some() && kind.is_some_and(|k| !k.is_empty() && !list(k))
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
