//! Text -> YAML documents, built from saphyr-parser's span-carrying events.
//!
//! The input is first cut into documents at `---`/`...` marker lines, so a syntax error in one
//! document is reported at its position and the others are still read. An anchored collection
//! is made shared (`Node::share`), so an alias shares its subtree instead of copying it; the
//! nodes an alias stands for still count against one budget per input (no "billion laughs" for the walks that read the tree,
//! however many documents share it: `parse_document_within`); nesting is bounded so
//! that no later recursive walk can overflow the stack.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle as PStyle, Span};

use super::node::{Entry, Node, NodeKind, Scalar, ScalarStyle, ScalarTag, ScalarText};
use crate::text::TextRange;

/// Maximum number of nodes that alias expansion may add to one input.
pub const MAX_ALIAS_EXPANSION: usize = 100_000;
/// Maximum nesting depth of collections.
pub const MAX_DEPTH: usize = 256;

/// One YAML document of the input.
#[derive(Debug, Clone)]
pub struct Document {
    /// The document's text, from its `---` marker (if any) to the next marker.
    pub range: TextRange,
    /// `None` for an empty or comment-only document, or when parsing failed.
    pub root: Option<Node>,
    pub error: Option<YamlError>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub kind: YamlErrorKind,
    pub message: String,
    pub range: TextRange,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YamlErrorKind {
    Syntax,
    AliasLimit,
    DepthLimit,
    UnknownAnchor,
}

/// Splits `text` into documents and parses each one.
pub fn parse_documents(text: &str) -> Vec<Document> {
    document_ranges(text).into_iter().map(|r| parse_document(text, r)).collect()
}

/// Parses one standalone YAML text (e.g. the `mesh` string of the mesh ConfigMap) as a single
/// document; ranges are relative to `text`.
pub fn parse_single(text: &str) -> Document {
    parse_document(text, TextRange::new(0, text.len() as u32))
}

/// Byte ranges of the documents: a new one starts at each line beginning with `---`, and a
/// line beginning with `...` ends the current one. There is always at least one. Lines end at
/// `\n`, `\r\n` or a lone `\r`, as go-yaml v2 (kubectl's YAML reader) breaks them. Directive
/// lines (`%YAML 1.1`) before a `---` belong to the document that `---` starts.
pub fn document_ranges(text: &str) -> Vec<TextRange> {
    let mut ranges = Vec::new();
    let mut start = 0usize;
    let mut pos = 0usize;
    // What the current document holds so far: only blank and comment lines (`blank`), or a
    // directive and nothing but directives, blank and comment lines (`directives`). Once both
    // are false only a `...` marker sets them again, so the other lines' content is not read.
    let (mut blank, mut directives) = (true, false);
    let bytes = text.as_bytes();
    while pos < bytes.len() {
        let (end, next) = line_end(bytes, pos);
        let line = &bytes[pos..end];
        let is_marker = |m: &[u8]| line.starts_with(m) && matches!(line.get(3), None | Some(b' ' | b'\t'));
        if is_marker(b"...") {
            ranges.push(TextRange::new(start as u32, next as u32));
            start = next;
            (blank, directives) = (true, false);
        } else {
            if is_marker(b"---") && pos > start && !directives {
                ranges.push(TextRange::new(start as u32, pos as u32));
                start = pos;
            }
            if blank || directives {
                let trimmed = text[pos..end].trim_start();
                if line.starts_with(b"%") {
                    (blank, directives) = (false, true);
                } else if !(trimmed.is_empty() || trimmed.starts_with('#')) {
                    (blank, directives) = (false, false);
                }
            }
        }
        pos = next;
    }
    if start < bytes.len() || ranges.is_empty() {
        ranges.push(TextRange::new(start as u32, bytes.len() as u32));
    }
    ranges
}

/// The end of the line starting at `from` (before its break) and the start of the next line.
fn line_end(bytes: &[u8], from: usize) -> (usize, usize) {
    match memchr::memchr2(b'\n', b'\r', &bytes[from..]) {
        None => (bytes.len(), bytes.len()),
        Some(i) => {
            let end = from + i;
            let crlf = bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n');
            (end, end + if crlf { 2 } else { 1 })
        }
    }
}

/// go-yaml v2 reads only YAML 1.1: its parser (`yaml_parser_process_directives`) rejects any
/// other `%YAML` version with "found incompatible YAML document". Checks the directive lines
/// that precede the document's `---`.
fn version_directive_error(text: &str, range: TextRange) -> Option<YamlError> {
    let bytes = text.as_bytes();
    let mut pos = range.start as usize;
    while pos < range.end as usize {
        let (end, next) = line_end(bytes, pos);
        let line = &text[pos..end.min(range.end as usize)];
        if line.starts_with("---") {
            break;
        }
        if let Some(rest) = line.strip_prefix("%YAML") {
            let version = rest.split('#').next().unwrap_or("").trim();
            if version != "1.1" {
                return Some(YamlError {
                    kind: YamlErrorKind::Syntax,
                    message: format!(
                        "found incompatible YAML document (`%YAML {version}`: kubectl's YAML reader, go-yaml v2, accepts only `%YAML 1.1`)"
                    ),
                    range: TextRange::new(pos as u32, end as u32),
                });
            }
        }
        pos = next;
    }
    None
}

/// Maps saphyr's character indices (relative to a chunk) to byte offsets in the whole text.
struct Offsets {
    base: u32,
    /// Byte offset (relative to the chunk) of each character index; empty for ASCII chunks.
    table: Vec<u32>,
    len: u32,
}

impl Offsets {
    fn new(chunk: &str, base: u32) -> Self {
        let table = if chunk.is_ascii() {
            Vec::new()
        } else {
            let mut t: Vec<u32> = chunk.char_indices().map(|(i, _)| i as u32).collect();
            t.push(chunk.len() as u32);
            t
        };
        Offsets { base, table, len: chunk.len() as u32 }
    }
    fn byte(&self, char_index: usize) -> u32 {
        let rel = if self.table.is_empty() {
            (char_index as u32).min(self.len)
        } else {
            self.table.get(char_index).copied().unwrap_or(self.len)
        };
        self.base + rel
    }
    fn range(&self, span: Span) -> TextRange {
        let start = self.byte(span.start.index());
        let end = self.byte(span.end.index()).max(start);
        TextRange::new(start, end)
    }
}

/// An open collection: its children are the nodes of `Builder::values` from `first` on (for a
/// mapping, keys and values alternately), moved into an exactly sized `Vec` when it closes, so
/// that no collection keeps the spare capacity of a growing `Vec` (most hold one to three items).
struct Frame {
    map: bool,
    first: usize,
    start: u32,
    anchor: usize,
}

/// Parses the document at `range` of `text` (one of [`document_ranges`]); its positions are
/// offsets in `text`. Documents are parsed independently of each other; this one may expand
/// aliases to [`MAX_ALIAS_EXPANSION`] nodes (an input of several documents shares one budget:
/// [`parse_document_within`]).
pub fn parse_document(text: &str, range: TextRange) -> Document {
    parse_document_within(text, range, &mut AliasBudget::default())
}

/// What alias expansion may still add to an input: one budget for all its documents, so that
/// many small documents cannot each expand to just under the limit (20,000 such documents in
/// 4.5 MB were 7 GB of trees).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AliasBudget(pub usize);

impl Default for AliasBudget {
    fn default() -> Self {
        AliasBudget(MAX_ALIAS_EXPANSION)
    }
}

/// [`parse_document`], expanding aliases within what is left of `budget` and taking from it
/// what this document expands (also when it is refused: the work is bounded, not only what is
/// kept).
pub fn parse_document_within(text: &str, range: TextRange, budget: &mut AliasBudget) -> Document {
    let chunk = &text[range.start as usize..range.end as usize];
    let offsets = Offsets::new(chunk, range.start);
    if let Some(error) = version_directive_error(text, range) {
        return Document { range, root: None, error: Some(error) };
    }
    let mut builder = Builder {
        stack: Vec::new(),
        values: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        expanded: MAX_ALIAS_EXPANSION.saturating_sub(budget.0),
        merge_tagged: Vec::new(),
    };
    let mut error = None;
    let mut parser = Parser::new_from_str(chunk);
    // Only the first document of the chunk is kept (the chunk has at most one, by construction,
    // unless a marker was indented in a way the splitter did not see).
    let mut docs_seen = 0;
    for item in &mut parser {
        match item {
            Ok((event, span)) => {
                if let Event::DocumentStart(_) = event {
                    docs_seen += 1;
                    if docs_seen > 1 {
                        break;
                    }
                }
                if let Err(e) = builder.on_event(event, offsets.range(span)) {
                    error = Some(e);
                    break;
                }
            }
            Err(e) => {
                let at = offsets.byte(e.marker().index());
                error = Some(YamlError {
                    kind: YamlErrorKind::Syntax,
                    message: e.info().to_string(),
                    range: TextRange::new(at, next_char_end(text, at, range.end)),
                });
                break;
            }
        }
    }
    budget.0 = MAX_ALIAS_EXPANSION.saturating_sub(builder.expanded);
    // An empty document (`---` and nothing else) parses as a null scalar: treat it as empty.
    let root = if error.is_some() { None } else { builder.root.filter(|n| !n.is_null()) };
    Document { range, root, error }
}

fn next_char_end(text: &str, at: u32, limit: u32) -> u32 {
    text[at as usize..limit as usize].chars().next().map_or(at, |c| at + c.len_utf8() as u32)
}

struct Builder {
    stack: Vec<Frame>,
    /// The children of every open collection, innermost last.
    values: Vec<Node>,
    anchors: HashMap<usize, (Node, usize)>,
    root: Option<Node>,
    expanded: usize,
    /// Starts of the `!!merge <<` keys (a plain untagged `<<` is recognised by its node alone).
    merge_tagged: Vec<u32>,
}

impl Builder {
    fn on_event(&mut self, event: Event<'_>, range: TextRange) -> Result<(), YamlError> {
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                let style = match style {
                    PStyle::Plain => ScalarStyle::Plain,
                    PStyle::SingleQuoted => ScalarStyle::SingleQuoted,
                    PStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
                    PStyle::Literal => ScalarStyle::Literal,
                    PStyle::Folded => ScalarStyle::Folded,
                };
                let tag = tag.map(|t| {
                    let full = format!("{}{}", t.handle, t.suffix);
                    if &*value == "<<" && (full == "tag:yaml.org,2002:merge" || full == "!!merge") {
                        self.merge_tagged.push(range.start);
                    }
                    ScalarTag::classify(&full)
                });
                let node =
                    Node { kind: NodeKind::Scalar(Scalar { value: ScalarText::from(&*value), style, tag }), range };
                self.push(node, anchor);
            }
            Event::SequenceStart(anchor, _) => {
                self.check_depth(range)?;
                self.stack.push(Frame { map: false, first: self.values.len(), start: range.start, anchor });
            }
            Event::MappingStart(anchor, _) => {
                self.check_depth(range)?;
                self.stack.push(Frame { map: true, first: self.values.len(), start: range.start, anchor });
            }
            Event::SequenceEnd => {
                if let Some(Frame { map: false, first, start, anchor }) = self.stack.pop() {
                    let items: Box<[Node]> = self.values.drain(first..).collect();
                    let end = items.last().map_or(range.end, |n| n.range.end.max(range.end));
                    self.push(
                        Node { kind: NodeKind::Seq(items), range: TextRange::new(start, end.max(start)) },
                        anchor,
                    );
                }
            }
            Event::MappingEnd => {
                if let Some(Frame { map: true, first, start, anchor }) = self.stack.pop() {
                    // A key still waiting for its value (impossible in well-formed events) is dropped.
                    let pairs = (self.values.len() - first) / 2;
                    let mut entries = Vec::with_capacity(pairs);
                    let mut drained = self.values.drain(first..);
                    while let (Some(key), Some(value)) = (drained.next(), drained.next()) {
                        entries.push(Entry { key, value });
                    }
                    drop(drained);
                    if entries.iter().any(|e| self.is_merge_key(&e.key)) {
                        entries = self.apply_merges(entries)?;
                    }
                    let end = entries.last().map_or(range.end, |e| e.value.range.end.max(range.end));
                    self.push(
                        Node {
                            kind: NodeKind::Map(entries.into_boxed_slice()),
                            range: TextRange::new(start, end.max(start)),
                        },
                        anchor,
                    );
                }
            }
            Event::Alias(id) => {
                let Some((node, size)) = self.anchors.get(&id) else {
                    return Err(YamlError {
                        kind: YamlErrorKind::UnknownAnchor,
                        message: "alias refers to an unknown anchor".into(),
                        range,
                    });
                };
                if self.expanded + size > MAX_ALIAS_EXPANSION {
                    return Err(YamlError {
                        kind: YamlErrorKind::AliasLimit,
                        message: format!(
                            "YAML aliases expand to more than {MAX_ALIAS_EXPANSION} nodes in this input (all its documents together); refusing to expand further (a \"billion laughs\" input?)"
                        ),
                        range,
                    });
                }
                // The budget counts the nodes the alias stands for; the tree shares them (the
                // anchored node is shared, so this clone copies no subtree).
                self.expanded += size;
                let node = node.clone();
                self.push(node, 0);
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    /// go-yaml v2's `isMerge`: a plain untagged `<<`, or `<<` tagged `!!merge`.
    fn is_merge_key(&self, key: &Node) -> bool {
        match &key.kind {
            NodeKind::Scalar(s) if &*s.value == "<<" => {
                (s.style == ScalarStyle::Plain && s.tag.is_none()) || self.merge_tagged.contains(&key.range.start)
            }
            _ => false,
        }
    }

    /// Applies the merge keys of one mapping as go-yaml v2 decodes a mapping into a map
    /// (`decoder.mapping` and `decoder.merge`, which sigs.k8s.io/yaml and so kubectl use): the
    /// entries are set in document order, each one replacing an earlier value of its key, so a
    /// merged key overrides an explicit key written before the `<<` and an explicit key written
    /// after it overrides the merged one; of a sequence of mappings, the first wins (merged last).
    /// The merged entries keep the ranges of the anchored mapping they come from.
    fn apply_merges(&self, entries: Vec<Entry>) -> Result<Vec<Entry>, YamlError> {
        // Each entry with whether it came from a merge.
        let mut out: Vec<(Entry, bool)> = Vec::with_capacity(entries.len());
        fn set(out: &mut Vec<(Entry, bool)>, entry: Entry, merged: bool) {
            let key = entry.key.scalar_text();
            // An explicit duplicate key stays (it is reported as such); a value set over a
            // merged one, or merged over any other, replaces it.
            out.retain(|(e, m)| !(key.is_some() && e.key.scalar_text() == key && (merged || *m)));
            out.push((entry, merged));
        }
        let want_map = |range: TextRange| YamlError {
            kind: YamlErrorKind::Syntax,
            message: "map merge requires map or sequence of maps as the value".into(),
            range,
        };
        for entry in entries {
            if !self.is_merge_key(&entry.key) {
                set(&mut out, entry, false);
                continue;
            }
            if entry.value.as_map().is_some() {
                for e in entry.value.into_entries().unwrap_or_default() {
                    set(&mut out, e, true);
                }
            } else if let Some(items) = entry.value.as_seq() {
                if items.iter().any(|n| n.as_map().is_none()) {
                    return Err(want_map(entry.key.range));
                }
                for item in entry.value.into_items().unwrap_or_default().into_iter().rev() {
                    for e in item.into_entries().unwrap_or_default() {
                        set(&mut out, e, true);
                    }
                }
            } else {
                // At the `<<`: an aliased value's range is that of its anchor, elsewhere.
                return Err(want_map(entry.key.range));
            }
        }
        Ok(out.into_iter().map(|(e, _)| e).collect())
    }

    fn check_depth(&self, range: TextRange) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError {
                kind: YamlErrorKind::DepthLimit,
                message: format!("YAML nesting is deeper than {MAX_DEPTH} levels"),
                range,
            });
        }
        Ok(())
    }

    fn push(&mut self, mut node: Node, anchor: usize) {
        if anchor > 0 {
            node.share();
            let size = node.count();
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last() {
            None => self.root = Some(node),
            Some(_) => self.values.push(node),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(text: &str, r: TextRange) -> &str {
        &text[r.start as usize..r.end as usize]
    }

    #[test]
    fn splits_documents_and_keeps_going_after_a_syntax_error() {
        let text = "a: 1\n---\nb: [1,\n---\n# only a comment\n---\nc: 3\n";
        let docs = parse_documents(text);
        assert_eq!(docs.len(), 4);
        assert!(docs[0].root.is_some());
        assert!(docs[1].error.is_some());
        assert!(docs[2].root.is_none() && docs[2].error.is_none());
        let c = docs[3].root.as_ref().unwrap().get("c").unwrap();
        assert_eq!(slice(text, c.range), "3");
    }

    #[test]
    fn ranges_are_byte_offsets_with_non_ascii_text() {
        let text = "名前: \"é\"\nport: 8080\n";
        let docs = parse_documents(text);
        let root = docs[0].root.as_ref().unwrap();
        assert_eq!(slice(text, root.get("port").unwrap().range), "8080");
        assert_eq!(slice(text, root.get("名前").unwrap().range), "\"é\"");
    }

    #[test]
    fn crlf_line_ends() {
        let text = "a: 1\r\nb: xyz\r\n";
        let root = parse_documents(text)[0].root.clone().unwrap();
        assert_eq!(slice(text, root.get("b").unwrap().range), "xyz");
    }

    #[test]
    fn json_input() {
        let text = "{\"kind\": \"Sidecar\", \"spec\": {\"egress\": [{\"hosts\": [\"./*\"]}]}}";
        let root = parse_documents(text)[0].root.clone().unwrap();
        let h = root.at(&["spec", "egress"]).unwrap().as_seq().unwrap()[0].get("hosts").unwrap();
        assert_eq!(slice(text, h.as_seq().unwrap()[0].range), "\"./*\"");
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = (b'a' + i - 1) as char;
            let cur = (b'a' + i) as char;
            text.push_str(&format!("{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let docs = parse_documents(&text);
        assert_eq!(docs[0].error.as_ref().unwrap().kind, YamlErrorKind::AliasLimit);
    }

    /// An alias shares its anchor's subtree instead of copying it: `d` stands for 11,111 nodes
    /// but holds 10 scalars and 4 collections, and reads like the expanded tree.
    #[test]
    fn aliases_share_the_anchored_subtree() {
        use std::sync::Arc;
        let text = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\nm: &m {k: v}\nn: {<<: *m}\n";
        let root = parse_documents(text)[0].root.clone().unwrap();
        let seq = |key: &str| match &root.get(key).unwrap().kind {
            NodeKind::SharedSeq(items) => items.clone(),
            _ => panic!("{key} is not a shared sequence"),
        };
        let (a, b, c) = (seq("a"), seq("b"), seq("c"));
        let shares = |outer: &[Node], inner: &Arc<[Node]>| {
            outer.iter().all(|n| matches!(&n.kind, NodeKind::SharedSeq(items) if Arc::ptr_eq(items, inner)))
        };
        let d = root.get("d").unwrap().as_seq().unwrap();
        assert!(shares(&b, &a) && shares(&c, &b) && shares(d, &c));
        assert_eq!(root.get("d").unwrap().count(), 1 + 10 * (1 + 10 * (1 + 10 * 11)));
        // Read through an alias, the shared subtree keeps its anchor's ranges.
        let x = &d[9].as_seq().unwrap()[9].as_seq().unwrap()[9];
        assert_eq!(x.as_seq().unwrap()[0].range, a[0].range);
        // A merge key's entries are shared too (their subtrees, not copies).
        let (m, n) = (root.get("m").unwrap().as_map().unwrap(), root.get("n").unwrap().as_map().unwrap());
        assert_eq!(n[0].value.range, m[0].value.range);
    }

    /// The budget is the input's: documents that each stay under it are refused once their sum
    /// is over it (what a refused document expanded before it stopped counts too, so the work
    /// of all expansions of an input is bounded, not only what is kept).
    #[test]
    fn the_alias_budget_is_shared_by_the_documents_of_an_input() {
        let doc = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n";
        let text = format!("{doc}---\n{doc}---\n{doc}---\n{doc}---\n{doc}---\n{doc}---\n{doc}---\n{doc}---\n{doc}---\n{doc}---\nsmall: &s v\nagain: *s\n");
        let expands = 10 * 11 + 10 * 111 + 10 * 1111;
        let docs = parse_documents(&text);
        // parse_documents alone gives each document the whole budget.
        assert!(docs.iter().take(10).all(|d| d.error.is_none()));
        let mut budget = AliasBudget::default();
        let kinds: Vec<Option<YamlErrorKind>> = document_ranges(&text)
            .into_iter()
            .map(|r| parse_document_within(&text, r, &mut budget).error.map(|e| e.kind))
            .collect();
        let fit = MAX_ALIAS_EXPANSION / expands;
        assert!(fit < 10);
        assert!(kinds[..fit].iter().all(Option::is_none), "{kinds:?}");
        assert!(kinds[fit..10].iter().all(|k| *k == Some(YamlErrorKind::AliasLimit)), "{kinds:?}");
        // What is left still serves a small alias.
        assert_eq!(kinds[10], None);
        assert!(budget.0 < MAX_ALIAS_EXPANSION - fit * expands, "{budget:?}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(10_000);
        let docs = parse_documents(&text);
        assert!(docs[0].error.is_some());
    }

    fn keys_and_values(node: &Node) -> Vec<(String, String)> {
        node.as_map()
            .unwrap()
            .iter()
            .map(|e| (e.key.scalar_text().unwrap().to_string(), e.value.scalar_text().unwrap_or("?").to_string()))
            .collect()
    }

    fn kv(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn merge_keys_in_document_order_as_go_yaml_v2() {
        // A merged key overrides an explicit one written before `<<`; one written after wins.
        let text = "b: &b {x: 1, y: 2, z: 3}\nm:\n  x: 0\n  <<: *b\n  y: 9\n";
        let root = parse_documents(text)[0].root.clone().unwrap();
        assert_eq!(keys_and_values(root.get("m").unwrap()), kv(&[("x", "1"), ("z", "3"), ("y", "9")]));
        // Of a sequence of mappings, the first wins.
        let text = "a: &a {k: 1}\nb: &b {k: 2, l: 2}\nm: {<<: [*a, *b]}\n";
        let root = parse_documents(text)[0].root.clone().unwrap();
        assert_eq!(keys_and_values(root.get("m").unwrap()), kv(&[("l", "2"), ("k", "1")]));
        // An inline mapping, and `!!merge`; a quoted `<<` is an ordinary key.
        let text = "m: {<<: {k: 1}, j: 2}\nn: {!!merge <<: {k: 1}}\no: {\"<<\": {k: 1}}\n";
        let root = parse_documents(text)[0].root.clone().unwrap();
        assert_eq!(keys_and_values(root.get("m").unwrap()), kv(&[("k", "1"), ("j", "2")]));
        assert_eq!(keys_and_values(root.get("n").unwrap()), kv(&[("k", "1")]));
        assert_eq!(root.get("o").unwrap().as_map().unwrap()[0].key.scalar_text(), Some("<<"));
    }

    #[test]
    fn merge_of_a_non_mapping_is_an_error() {
        for text in ["a: &a [1]\nm: {<<: *a}\n", "m:\n  <<: [{k: 1}, 2]\n", "m:\n  <<: x\n"] {
            let doc = &parse_documents(text)[0];
            let e = doc.error.as_ref().unwrap_or_else(|| panic!("no error for {text:?}"));
            assert_eq!(e.message, "map merge requires map or sequence of maps as the value");
            assert_eq!(slice(text, e.range), "<<", "{text:?}");
        }
    }

    #[test]
    fn lenient_as_go_yaml_v2_in_flow_collections_and_quoted_scalars() {
        let text = "a:\n  b: [\n  x,\n\"y\"]\n  c: {\n  k: v}\n  d: 'one\n two\nthree'\n  e: \"1\n  2\"\n";
        let doc = &parse_documents(text)[0];
        assert!(doc.error.is_none(), "{:?}", doc.error);
        let a = doc.root.as_ref().unwrap().get("a").unwrap();
        assert_eq!(slice(text, a.get("b").unwrap().as_seq().unwrap()[1].range), "\"y\"");
        assert_eq!(a.at(&["c", "k"]).unwrap().scalar_text(), Some("v"));
        assert_eq!(a.get("d").unwrap().scalar_text(), Some("one two three"));
        assert_eq!(a.get("e").unwrap().scalar_text(), Some("1 2"));
        // What go-yaml v2 rejects stays an error: a document marker inside a quoted scalar, and
        // a block mapping's key out of its column.
        assert!(parse_documents("a: 'x\n--- y'\n")[0].error.is_some());
        assert!(parse_documents("a:\n    b: 1\n  c: 2\n")[0].error.is_some());
    }

    /// The line-by-line reading every line's content, as `document_ranges` was first written:
    /// the oracle of the faster one.
    fn document_ranges_oracle(text: &str) -> Vec<TextRange> {
        let mut ranges = Vec::new();
        let (mut start, mut pos) = (0usize, 0usize);
        let (mut blank, mut directives) = (true, false);
        let bytes = text.as_bytes();
        while pos < bytes.len() {
            let (end, next) = match bytes[pos..].iter().position(|&b| b == b'\n' || b == b'\r') {
                None => (bytes.len(), bytes.len()),
                Some(i) => {
                    let end = pos + i;
                    let crlf = bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n');
                    (end, end + if crlf { 2 } else { 1 })
                }
            };
            let line = &text[pos..end];
            let is_marker =
                |m: &str| line.starts_with(m) && line[3..].chars().next().is_none_or(|c| c == ' ' || c == '\t');
            if is_marker("...") {
                ranges.push(TextRange::new(start as u32, next as u32));
                start = next;
                (blank, directives) = (true, false);
            } else {
                if is_marker("---") && pos > start && !directives {
                    ranges.push(TextRange::new(start as u32, pos as u32));
                    start = pos;
                }
                let trimmed = line.trim_start();
                if line.starts_with('%') && (blank || directives) {
                    (blank, directives) = (false, true);
                } else if !(trimmed.is_empty() || trimmed.starts_with('#')) {
                    (blank, directives) = (false, false);
                }
            }
            pos = next;
        }
        if start < bytes.len() || ranges.is_empty() {
            ranges.push(TextRange::new(start as u32, bytes.len() as u32));
        }
        ranges
    }

    proptest::proptest! {
        /// Documents split as the line-by-line oracle splits them, over texts made of the
        /// pieces that matter (markers, directives, comments, blank lines, every line break,
        /// non-ASCII whitespace).
        #[test]
        fn document_ranges_agree_with_the_oracle(pieces in proptest::collection::vec(0usize..16, 0..40)) {
            const PIECES: [&str; 16] = [
                "---", "...", "--- x", "...\t", "---x", "%YAML 1.1", "%TAG ! x", "# c", "  # c", "",
                "a: 1", "\u{3000}# wide", "- b", " ---", "\u{a0}", "k: [1, 2]",
            ];
            const BREAKS: [&str; 3] = ["\n", "\r\n", "\r"];
            let mut text = String::new();
            for (i, p) in pieces.iter().enumerate() {
                text.push_str(PIECES[*p]);
                text.push_str(BREAKS[(i + p) % 3]);
            }
            if pieces.len() % 2 == 1 {
                text.pop();
            }
            proptest::prop_assert_eq!(document_ranges(&text), document_ranges_oracle(&text));
        }
    }

    #[test]
    fn cr_only_and_directives_in_document_ranges() {
        let text = "a: 1\r---\rb: 2\r";
        let ranges = document_ranges(text);
        assert_eq!(ranges.iter().map(|r| slice(text, *r)).collect::<Vec<_>>(), ["a: 1\r", "---\rb: 2\r"]);
        let text = "%YAML 1.1\n# c\n---\na: 1\n...\n%YAML 1.1\n---\nb: 2\n---\nc: 3\n";
        let ranges = document_ranges(text);
        assert_eq!(
            ranges.iter().map(|r| slice(text, *r)).collect::<Vec<_>>(),
            ["%YAML 1.1\n# c\n---\na: 1\n...\n", "%YAML 1.1\n---\nb: 2\n", "---\nc: 3\n"]
        );
        assert!(parse_documents(text).iter().all(|d| d.error.is_none() && d.root.is_some()));
    }
}
