//! Where an offset is in a YAML document, even one that does not parse: the user is typing, and
//! half a line (`  - ho`, `mode: RE`, `hosts: ["./re`) is what completion is asked about. The
//! path is read from the lines' indentation, as an editor's YAML support reads it, not from the
//! parser's tree (a syntax error anywhere in the document would leave no tree); for a document
//! that parses, [`node_path`] reads the tree instead.
//!
//! Block style (`key:` lines, `- ` items, either indented under their key or not) and one line
//! of flow style (`[a, b]`, `{k: v}`) are read; a block scalar's lines are not told apart from
//! keys (they rarely appear where completion is asked).

use crate::text::TextRange;

use super::{Node, View};

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    /// An item of a sequence, by index.
    Item(usize),
}

/// What is typed at the offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// A key of the mapping at `path`.
    Key,
    /// The scalar at `path` (its last segment is the key or the item).
    Value,
    /// The start of an item of the sequence whose item `path` ends with: a scalar, or the first
    /// key of a mapping (`- ho`).
    ItemStart,
}

/// The place of an offset: see [`cursor_at`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub path: Vec<Segment>,
    pub slot: Slot,
    /// What is typed of the word before the offset (an opening quote excluded).
    pub prefix: String,
    /// The word around the offset (what a completion replaces; quotes excluded).
    pub replace: TextRange,
    /// For a key: the other keys written in the same block mapping (above and below).
    pub siblings: Vec<String>,
}

impl Cursor {
    /// The path's keys, items as `[]` (`spec.egress[].hosts[]`).
    pub fn schema_path(&self) -> String {
        path_text(&self.path, false)
    }
}

/// `spec.egress[0].hosts[1]` (or `spec.egress[].hosts[]` without indices).
pub fn path_text(path: &[Segment], indices: bool) -> String {
    let mut out = String::new();
    for s in path {
        match s {
            Segment::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Segment::Item(i) if indices => out.push_str(&format!("[{i}]")),
            Segment::Item(_) => out.push_str("[]"),
        }
    }
    out
}

/// The shape of one line: its `- ` markers, its key, and what follows the key.
#[derive(Debug, Default)]
struct Shape<'a> {
    /// Columns (bytes from the line start) of the `-` of each item marker.
    dashes: Vec<u32>,
    /// The key and its column.
    key: Option<(String, u32)>,
    /// The text after the key's colon (trimmed), or the whole content when there is no key.
    value: &'a str,
    /// Column of the first character after the markers.
    content: u32,
    /// Blank or a comment.
    blank: bool,
}

fn is_separator(line: &str) -> bool {
    (line.starts_with("---") || line.starts_with("...")) && line[3..].chars().next().is_none_or(char::is_whitespace)
}

/// The column of the colon that ends a key on `content` (outside quotes and flow brackets), and
/// the key's text.
fn key_of(content: &str) -> Option<(String, usize)> {
    let bytes = content.as_bytes();
    let first = *bytes.first()?;
    if matches!(first, b'[' | b'{' | b'#' | b'|' | b'>') {
        return None;
    }
    if first == b'"' || first == b'\'' {
        let close = content[1..].find(first as char)? + 1;
        let rest = &content[close + 1..];
        let colon = rest.find(|c: char| !c.is_whitespace())?;
        if rest.as_bytes()[colon] != b':' {
            return None;
        }
        let after = rest[colon + 1..].chars().next();
        if after.is_some_and(|c| !c.is_whitespace()) {
            return None;
        }
        return Some((content[1..close].to_string(), close + 1 + colon));
    }
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b':' && bytes.get(i + 1).is_none_or(|b| b.is_ascii_whitespace()) {
            return Some((content[..i].trim_end().to_string(), i));
        }
        if bytes[i] == b'#' && i > 0 && bytes[i - 1].is_ascii_whitespace() {
            return None;
        }
        i += 1;
    }
    None
}

fn shape(line: &str) -> Shape<'_> {
    let mut shape = Shape::default();
    let mut col = line.len() - line.trim_start_matches(' ').len();
    loop {
        let rest = &line[col..];
        if rest == "-" || rest.starts_with("- ") || rest.starts_with("-\t") {
            shape.dashes.push(col as u32);
            col += 1;
            col += line[col..].len() - line[col..].trim_start().len();
        } else {
            break;
        }
    }
    shape.content = col as u32;
    let content = line[col..].trim_end();
    if content.is_empty() || content.starts_with('#') {
        shape.blank = shape.dashes.is_empty();
        shape.value = "";
        return shape;
    }
    match key_of(content) {
        Some((key, colon)) => {
            shape.key = Some((key, col as u32));
            shape.value = content[colon + 1..].trim();
        }
        None => shape.value = content,
    }
    shape
}

/// The path of the collection that holds the node starting at column `column` of a line below
/// `lines` (the lines of the document before it, last first): the mapping of a key, or, when
/// `dash`, the sequence of an item marker, with the item's index (the markers at that column
/// above it, up to the sequence's key).
fn ancestors<'a>(lines: &mut impl Iterator<Item = &'a str>, column: u32, dash: bool) -> (Vec<Segment>, usize) {
    let mut siblings = 0;
    for line in lines.by_ref() {
        if is_separator(line) {
            break;
        }
        let s = shape(line);
        if s.blank {
            continue;
        }
        if dash && s.dashes.contains(&column) {
            siblings += 1;
            continue;
        }
        // The innermost element of the line that holds the node: its key (left of the node, or
        // at its column for a sequence written under its key without indentation), else the
        // innermost item marker left of it.
        let key = s.key.as_ref().filter(|(_, k)| *k < column || (dash && *k == column && s.value.is_empty()));
        if let Some((key, k)) = key {
            let mut path =
                if s.dashes.is_empty() { ancestors(lines, *k, false).0 } else { line_items(lines, &s.dashes) };
            path.push(Segment::Key(key.clone()));
            return (path, siblings);
        }
        if let Some(inner) = s.dashes.iter().rposition(|&d| d < column) {
            return (line_items(lines, &s.dashes[..=inner]), siblings);
        }
        let first = s.dashes.first().copied().unwrap_or(s.content);
        if first < column {
            // Less indented, yet neither a key nor a marker (a scalar): nothing holds the node.
            return (Vec::new(), siblings);
        }
    }
    (Vec::new(), siblings)
}

/// The path of the innermost of the item markers of one line (`- - x`: the first has its
/// index among its sequence's items, the others are first items).
fn line_items<'a>(lines: &mut impl Iterator<Item = &'a str>, dashes: &[u32]) -> Vec<Segment> {
    let Some(&first) = dashes.first() else { return Vec::new() };
    let (mut path, index) = ancestors(lines, first, true);
    path.push(Segment::Item(index));
    path.extend(std::iter::repeat_n(Segment::Item(0), dashes.len() - 1));
    path
}

fn with_item(mut path: Vec<Segment>, index: usize) -> Vec<Segment> {
    path.push(Segment::Item(index));
    path
}

/// The keys at `column` of the block mapping around the line `[line_start, line_end)`: up to
/// the line that opens it (its parent key, or the item marker its first key follows), down to
/// a less indented line or the next item.
fn sibling_keys(text: &str, line_start: usize, line_end: usize, column: u32) -> Vec<String> {
    let mut out = Vec::new();
    for line in text[..line_start].lines().rev() {
        if is_separator(line) {
            break;
        }
        let s = shape(line);
        if s.blank {
            continue;
        }
        if let Some((k, _)) = s.key.as_ref().filter(|(_, c)| *c == column) {
            out.push(k.clone());
            if s.dashes.iter().any(|&d| d < column) {
                break;
            }
            continue;
        }
        if s.dashes.first().copied().unwrap_or(s.content) < column {
            break;
        }
    }
    for line in text[line_end..].lines().skip(1) {
        if is_separator(line) {
            break;
        }
        let s = shape(line);
        if s.blank {
            continue;
        }
        if s.dashes.first().copied().unwrap_or(s.content) < column {
            break;
        }
        if let Some((k, _)) = s.key.as_ref().filter(|(_, c)| *c == column && s.dashes.is_empty()) {
            out.push(k.clone());
        }
    }
    out
}

/// The place of `offset` in `text`: the path of the mapping or value being typed, and the word
/// at the offset. Reads only the lines of the offset's document up to the offset's line.
pub fn cursor_at(text: &str, offset: u32) -> Cursor {
    let mut offset = (offset as usize).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let mut above = text[..line_start].lines().rev();
    let s = shape(before);
    let quote_free = |v: &str| -> (String, usize) {
        let t = v.trim_start();
        let t = t.strip_prefix(['"', '\'']).unwrap_or(t);
        (t.to_string(), t.len())
    };
    let outer_path = |above: &mut std::iter::Rev<std::str::Lines<'_>>, column: u32, dashes: &[u32]| {
        if dashes.is_empty() {
            ancestors(above, column, false).0
        } else {
            line_items(above, dashes)
        }
    };
    let (path, slot, prefix) = match &s.key {
        Some((key, col)) => {
            let mut path = outer_path(&mut above, *col, &s.dashes);
            path.push(Segment::Key(key.clone()));
            let value = s.value;
            if let Some(items) = value.strip_prefix('[') {
                let index = items.matches(',').count();
                let last = items.rsplit(',').next().unwrap_or("");
                (with_item(path, index), Slot::Value, quote_free(last).0)
            } else if let Some(entries) = value.strip_prefix('{') {
                let last = entries.rsplit(',').next().unwrap_or("");
                match key_of(last.trim_start()) {
                    Some((k, colon)) => {
                        path.push(Segment::Key(k));
                        (path, Slot::Value, quote_free(&last.trim_start()[colon + 1..]).0)
                    }
                    None => (path, Slot::Key, quote_free(last).0),
                }
            } else {
                (path, Slot::Value, quote_free(value).0)
            }
        }
        None if !s.dashes.is_empty() => {
            let path = outer_path(&mut above, 0, &s.dashes);
            (path, Slot::ItemStart, quote_free(s.value).0)
        }
        None => {
            let column = if s.value.is_empty() { before.len() as u32 } else { s.content };
            let path = ancestors(&mut above, column, false).0;
            (path, Slot::Key, quote_free(s.value).0)
        }
    };
    let is_word = |c: char| !c.is_whitespace() && !matches!(c, ':' | ',' | '[' | ']' | '{' | '}' | '"' | '\'' | '#');
    let end = offset + text[offset..].find(|c: char| !is_word(c)).unwrap_or(text.len() - offset);
    let start = offset - prefix.len().min(offset - line_start);
    let siblings = match (slot, &s.key) {
        (Slot::Key | Slot::ItemStart, None) => {
            let column = if s.value.is_empty() && s.dashes.is_empty() { before.len() as u32 } else { s.content };
            sibling_keys(text, line_start, offset, column)
        }
        _ => Vec::new(),
    };
    Cursor { path, slot, prefix, replace: TextRange::new(start as u32, end as u32), siblings }
}

/// What an offset is on in a parsed tree: the path to the innermost node holding it, and
/// whether the offset is on that node's key (the last segment's key) rather than its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodePath {
    pub path: Vec<Segment>,
    pub on_key: bool,
    /// The key's range when on a key, else the node's.
    pub range: TextRange,
}

/// The path to the innermost node of `root` whose text holds `offset` (an offset at the end of a
/// word counts as on it, as editors hover).
pub fn node_path(root: &Node, offset: u32) -> Option<NodePath> {
    let within = |r: TextRange| r.start <= offset && offset <= r.end;
    if !within(root.range) {
        return None;
    }
    let mut path = Vec::new();
    let mut node = root;
    loop {
        match node.view() {
            View::Scalar(_) => return Some(NodePath { path, on_key: false, range: node.range }),
            View::Map(entries) => {
                let Some(e) = entries.iter().find(|e| within(e.key.range) || within(e.value.range)) else {
                    return Some(NodePath { path, on_key: false, range: node.range });
                };
                let key = e.key.scalar_text().unwrap_or("").to_string();
                path.push(Segment::Key(key));
                if within(e.key.range) {
                    return Some(NodePath { path, on_key: true, range: e.key.range });
                }
                node = &e.value;
            }
            View::Seq(items) => {
                let Some(i) = items.iter().position(|n| within(n.range)) else {
                    return Some(NodePath { path, on_key: false, range: node.range });
                };
                path.push(Segment::Item(i));
                node = &items[i];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text_with_bar: &str) -> Cursor {
        let offset = text_with_bar.find('|').unwrap();
        let text = text_with_bar.replacen('|', "", 1);
        cursor_at(&text, offset as u32)
    }

    fn k(s: &str) -> Segment {
        Segment::Key(s.into())
    }

    #[test]
    fn half_typed_keys_and_values() {
        let c = at("apiVersion: networking.istio.io/v1\nkind: Sidecar\nspec:\n  eg|");
        assert_eq!((c.path, c.slot, c.prefix.as_str()), (vec![k("spec")], Slot::Key, "eg"));

        let c = at("spec:\n  egress:\n  - port:\n      number: 80\n    ho|");
        assert_eq!(c.path, vec![k("spec"), k("egress"), Segment::Item(0)]);
        assert_eq!((c.slot, c.prefix.as_str()), (Slot::Key, "ho"));

        let c = at("spec:\n  egress:\n  - hosts:\n    - ./*\n  - hosts:\n    - \"istio-system/|");
        assert_eq!(c.path, vec![k("spec"), k("egress"), Segment::Item(1), k("hosts"), Segment::Item(0)]);
        assert_eq!((c.slot, c.prefix.as_str()), (Slot::ItemStart, "istio-system/"));

        let c = at("spec:\n  outboundTrafficPolicy:\n    mode: RE|");
        assert_eq!(c.path, vec![k("spec"), k("outboundTrafficPolicy"), k("mode")]);
        assert_eq!((c.slot, c.prefix.as_str()), (Slot::Value, "RE"));

        // A sequence written under its key without indentation.
        let c = at("spec:\n  egress:\n  - hosts:\n    - a/b.c\n  - |");
        assert_eq!(c.path, vec![k("spec"), k("egress"), Segment::Item(1)]);
        assert_eq!(c.slot, Slot::ItemStart);

        // Flow style on one line.
        let c = at("spec:\n  egress:\n  - hosts: [\"./*\", \"bookinfo/|\"]");
        assert_eq!(c.path, vec![k("spec"), k("egress"), Segment::Item(0), k("hosts"), Segment::Item(1)]);
        assert_eq!((c.slot, c.prefix.as_str()), (Slot::Value, "bookinfo/"));
        let c = at("spec:\n  egress:\n  - port: {number: 9080, pro|}");
        assert_eq!(c.path, vec![k("spec"), k("egress"), Segment::Item(0), k("port")]);
        assert_eq!((c.slot, c.prefix.as_str()), (Slot::Key, "pro"));

        // An empty line: the indentation decides the parent.
        let c = at("spec:\n  workloadSelector:\n    labels:\n      app: x\n    |");
        assert_eq!((c.path, c.slot), (vec![k("spec"), k("workloadSelector")], Slot::Key));
        let c = at("spec:\n  workloadSelector:\n    labels:\n      app: x\n      |");
        assert_eq!((c.path, c.slot), (vec![k("spec"), k("workloadSelector"), k("labels")], Slot::Key));

        // Keys written above and below are siblings, not the parent's nor a child's.
        let c = at("spec:\n  egress:\n  - hosts: [a]\n    port:\n      number: 1\n    |\n    bind: x\n  - captureMode: NONE\n  ingress: []");
        assert_eq!(c.path, vec![k("spec"), k("egress"), Segment::Item(0)]);
        assert_eq!(c.siblings, ["port", "hosts", "bind"]);
        let c = at("spec:\n  workloadSelector: {}\n  |\n  egress:\n  - hosts: [a]\n");
        assert_eq!(c.siblings, ["workloadSelector", "egress"]);

        // Only the offset's document counts.
        let c = at("spec:\n  egress: []\n---\nkind: Sidecar\n|");
        assert_eq!((c.path, c.slot), (vec![], Slot::Key));
    }

    #[test]
    fn the_replaced_word_spans_the_offset() {
        let text = "spec:\n  egress:\n  - hosts:\n    - \"./reviews.default.svc.cluster.local\"\n";
        let offset = text.find("reviews").unwrap() as u32 + 3;
        let c = cursor_at(text, offset);
        assert_eq!(&text[c.replace.start as usize..c.replace.end as usize], "./reviews.default.svc.cluster.local");
        assert_eq!(c.prefix, "./rev");
    }

    #[test]
    fn nothing_panics_on_odd_text() {
        for text in ["", "-", "- - -", ":", "\"a\": \"b", "  - [ {", "é: ü\n  ß|", "\r\r- a\r  b", "---\n- x: |\n  - "]
        {
            for i in 0..=text.len() as u32 {
                let _ = cursor_at(text, i);
            }
        }
    }

    #[test]
    fn node_path_in_a_parsed_tree() {
        let text = "spec:\n  egress:\n  - hosts: [\"./*\", \"b/c.d\"]\n";
        let doc = crate::yaml::parse_single(text);
        let root = doc.root.unwrap();
        let p = node_path(&root, text.find("b/c").unwrap() as u32).unwrap();
        assert_eq!(path_text(&p.path, true), "spec.egress[0].hosts[1]");
        assert!(!p.on_key);
        let p = node_path(&root, text.find("hosts").unwrap() as u32 + 2).unwrap();
        assert_eq!((path_text(&p.path, true).as_str(), p.on_key), ("spec.egress[0].hosts", true));
    }
}
