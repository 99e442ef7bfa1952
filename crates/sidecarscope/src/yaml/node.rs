//! The YAML node tree: every node keeps its byte range in the source text.
//!
//! An input has hundreds of thousands of nodes, so a node is kept small: 32 bytes (on 64-bit
//! targets), collections as exactly sized boxed slices, and a scalar's value inline when it has
//! at most 15 bytes (most keys and values of Kubernetes YAML do), else in one heap block. An
//! anchored collection (`&a [...]`) is kept in a shared slice instead (`Arc<[_]>`, as large as a
//! boxed slice), so that its aliases share its subtree rather than copy it: a tree costs the
//! memory of its text, not of its expansion. Only anchored collections pay for the reference
//! counts (16 bytes each), so the common tree, which has no anchors, costs what it did.

use std::sync::Arc;

use crate::text::TextRange;

/// A scalar's value. On 64-bit targets an [`ecow::EcoString`]: up to 15 bytes inline, in the
/// 16 bytes a `Box<str>` takes, so that most scalars need no heap block. On 32-bit targets (the
/// wasm module) a `Box<str>` takes 8 bytes, which a small-string type could not beat, and the
/// web playground's download budget is kept for features.
#[cfg(target_pointer_width = "64")]
pub type ScalarText = ecow::EcoString;
#[cfg(not(target_pointer_width = "64"))]
pub type ScalarText = Box<str>;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    /// The node's own text: a scalar's characters (quotes included), or a whole collection.
    pub range: TextRange,
}

/// A node's content. Read collections through [`Node::view`] (or `as_seq`/`as_map`), which
/// make no difference between an owned collection and a shared one.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Scalar(Scalar),
    Seq(Box<[Node]>),
    Map(Box<[Entry]>),
    /// An anchored sequence: its clones (the aliases to it) share it.
    SharedSeq(Arc<[Node]>),
    /// An anchored mapping: its clones (the aliases to it) share it.
    SharedMap(Arc<[Entry]>),
}

/// What a node holds, whether its collection is owned or shared.
#[derive(Debug, Clone, Copy)]
pub enum View<'a> {
    Scalar(&'a Scalar),
    Seq(&'a [Node]),
    Map(&'a [Entry]),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    /// The value (derefs to `str`; stored inline up to 15 bytes).
    pub value: ScalarText,
    pub style: ScalarStyle,
    /// The explicit tag (such as `!!str`), as far as type resolution reads it.
    pub tag: Option<ScalarTag>,
}

/// An explicit tag of a scalar, classified when the tree is built (the tag's text is in the
/// source, before the node's range).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarTag {
    /// `!!str` (`tag:yaml.org,2002:str`): the value is a string whatever it looks like.
    Str,
    /// `tag:yaml.org,2002:null` written in full (`!<tag:yaml.org,2002:null>`, or `!!null` under
    /// the default `%TAG !! tag:yaml.org,2002:`).
    Null,
    /// Any other tag: resolution ignores it.
    Other,
}

impl ScalarTag {
    /// Classifies a tag written as `handle + suffix` (saphyr's event).
    pub fn classify(tag: &str) -> ScalarTag {
        match tag {
            "tag:yaml.org,2002:str" | "!!str" => ScalarTag::Str,
            "tag:yaml.org,2002:null" => ScalarTag::Null,
            _ => ScalarTag::Other,
        }
    }
}

// The sizes the memory figures of ARCHITECTURE.md rest on.
#[cfg(target_pointer_width = "64")]
const _: () = assert!(size_of::<Node>() == 32 && size_of::<Entry>() == 64);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// A scalar's value after YAML type resolution, as Kubernetes' YAML decoder (go-yaml v2,
/// YAML 1.1 rules: `yes`/`on` are booleans) turns it into JSON.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Resolved<'a> {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(&'a str),
}

/// The JSON type of a node, as schema messages name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    Null,
    Boolean,
    Integer,
    Number,
    String,
    Array,
    Object,
}

impl JsonType {
    pub fn name(self) -> &'static str {
        match self {
            JsonType::Null => "null",
            JsonType::Boolean => "boolean",
            JsonType::Integer => "integer",
            JsonType::Number => "number",
            JsonType::String => "string",
            JsonType::Array => "array",
            JsonType::Object => "object",
        }
    }
}

impl Scalar {
    pub fn resolve(&self) -> Resolved<'_> {
        match self.tag {
            Some(ScalarTag::Str) => return Resolved::Str(&self.value),
            Some(ScalarTag::Null) => return Resolved::Null,
            _ => {}
        }
        if self.style != ScalarStyle::Plain {
            return Resolved::Str(&self.value);
        }
        resolve_plain(&self.value)
    }
}

fn resolve_plain(v: &str) -> Resolved<'_> {
    match v {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Resolved::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Resolved::Bool(false)
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        _ => {}
    }
    let first = v.as_bytes()[0];
    if !(first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.') {
        return Resolved::Str(v);
    }
    if let Some(i) = parse_yaml11_int(v) {
        return Resolved::Int(i);
    }
    let plain: String = v.chars().filter(|c| *c != '_').collect();
    if plain.bytes().any(|b| b.is_ascii_digit())
        && plain.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        if let Ok(f) = plain.parse::<f64>() {
            return Resolved::Float(f);
        }
    }
    Resolved::Str(v)
}

/// YAML 1.1 integers: decimal, `0x` hex, `0b` binary, leading-`0` octal, `_` separators.
fn parse_yaml11_int(v: &str) -> Option<i128> {
    let (neg, body) = match v.as_bytes()[0] {
        b'-' => (true, &v[1..]),
        b'+' => (false, &v[1..]),
        _ => (false, v),
    };
    if body.is_empty() {
        return None;
    }
    let body: String = body.chars().filter(|c| *c != '_').collect();
    let parsed = if let Some(hex) = body.strip_prefix("0x") {
        i128::from_str_radix(hex, 16).ok()
    } else if let Some(bin) = body.strip_prefix("0b") {
        i128::from_str_radix(bin, 2).ok()
    } else if body.len() > 1 && body.starts_with('0') {
        i128::from_str_radix(&body[1..], 8).ok()
    } else if body.bytes().all(|b| b.is_ascii_digit()) && !body.is_empty() {
        body.parse::<i128>().ok()
    } else {
        None
    }?;
    Some(if neg { -parsed } else { parsed })
}

impl Node {
    /// The node's content, owned or shared alike.
    pub fn view(&self) -> View<'_> {
        match &self.kind {
            NodeKind::Scalar(s) => View::Scalar(s),
            NodeKind::Seq(items) => View::Seq(items),
            NodeKind::SharedSeq(items) => View::Seq(items),
            NodeKind::Map(entries) => View::Map(entries),
            NodeKind::SharedMap(entries) => View::Map(entries),
        }
    }
    pub fn as_map(&self) -> Option<&[Entry]> {
        match self.view() {
            View::Map(m) => Some(m),
            _ => None,
        }
    }
    pub fn as_seq(&self) -> Option<&[Node]> {
        match self.view() {
            View::Seq(s) => Some(s),
            _ => None,
        }
    }
    /// Makes the node's collection shared, so that clones of it (aliases) share its subtree
    /// instead of copying it. The children are moved, not copied.
    pub fn share(&mut self) {
        let kind = std::mem::replace(&mut self.kind, NodeKind::Seq(Box::default()));
        self.kind = match kind {
            NodeKind::Seq(items) => NodeKind::SharedSeq(items.into()),
            NodeKind::Map(entries) => NodeKind::SharedMap(entries.into()),
            other => other,
        };
    }
    /// The entries of a mapping, moved out (cloned from a shared mapping: children that are
    /// shared are not copied).
    pub fn into_entries(self) -> Option<Vec<Entry>> {
        match self.kind {
            NodeKind::Map(entries) => Some(entries.into_vec()),
            NodeKind::SharedMap(entries) => Some(entries.to_vec()),
            _ => None,
        }
    }
    /// The items of a sequence, moved out (cloned from a shared sequence).
    pub fn into_items(self) -> Option<Vec<Node>> {
        match self.kind {
            NodeKind::Seq(items) => Some(items.into_vec()),
            NodeKind::SharedSeq(items) => Some(items.to_vec()),
            _ => None,
        }
    }
    /// Whether two trees say the same thing: the same keys in the same order, the same scalars
    /// (text, style and tag), wherever they are written (ranges and sharing are ignored). Two
    /// versions of a resource with the same content give istiod the same object.
    pub fn same_content(&self, other: &Node) -> bool {
        match (self.view(), other.view()) {
            (View::Scalar(a), View::Scalar(b)) => a.value == b.value && a.style == b.style && a.tag == b.tag,
            (View::Seq(a), View::Seq(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_content(y)),
            (View::Map(a), View::Map(b)) => {
                a.len() == b.len()
                    && a.iter().zip(b).all(|(x, y)| x.key.same_content(&y.key) && x.value.same_content(&y.value))
            }
            _ => false,
        }
    }
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }
    pub fn resolved(&self) -> Option<Resolved<'_>> {
        self.as_scalar().map(Scalar::resolve)
    }
    pub fn is_null(&self) -> bool {
        matches!(self.resolved(), Some(Resolved::Null))
    }
    /// The value as a string, if it resolves to one (a quoted `"8080"` does; a plain `8080` does not).
    pub fn as_str(&self) -> Option<&str> {
        match self.resolved()? {
            Resolved::Str(s) => Some(s),
            _ => None,
        }
    }
    /// The scalar's text whatever its resolved type (`8080`, `true`, `abc`), as labels are read.
    pub fn scalar_text(&self) -> Option<&str> {
        self.as_scalar().map(|s| &*s.value)
    }
    pub fn as_int(&self) -> Option<i128> {
        match self.resolved()? {
            Resolved::Int(i) => Some(i),
            Resolved::Float(f) if f.fract() == 0.0 && f.abs() < 1e30 => Some(f as i128),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self.resolved()? {
            Resolved::Bool(b) => Some(b),
            _ => None,
        }
    }
    pub fn json_type(&self) -> JsonType {
        match self.view() {
            View::Seq(_) => JsonType::Array,
            View::Map(_) => JsonType::Object,
            View::Scalar(s) => match s.resolve() {
                Resolved::Null => JsonType::Null,
                Resolved::Bool(_) => JsonType::Boolean,
                Resolved::Int(_) => JsonType::Integer,
                Resolved::Float(_) => JsonType::Number,
                Resolved::Str(_) => JsonType::String,
            },
        }
    }
    /// The entry for `key` in a mapping. With duplicate keys the last wins, as in JSON decoding.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().rev().find(|e| e.key.scalar_text() == Some(key))
    }
    /// The value for `key`; `None` when absent. A `null` value is returned as a node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }
    /// The value for `key` unless it is absent or `null` (protobuf-JSON treats `null` as unset).
    pub fn get_set(&self, key: &str) -> Option<&Node> {
        self.get(key).filter(|n| !n.is_null())
    }
    /// Walks a dotted path of mapping keys.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |n, k| n.get(k))
    }
    /// Number of nodes in this subtree, shared subtrees counted at each of their uses (the tree
    /// as a reader walks it; this bounds alias expansion).
    pub fn count(&self) -> usize {
        let mut n = 0;
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            n += 1;
            match node.view() {
                View::Scalar(_) => {}
                View::Seq(items) => stack.extend(items.iter()),
                View::Map(entries) => {
                    for e in entries {
                        stack.push(&e.key);
                        stack.push(&e.value);
                    }
                }
            }
        }
        n
    }
    /// Moves every range by `f` (used to map a nested document back to its outer file). A shared
    /// subtree is copied before it changes, so each of its uses is moved once.
    pub fn remap(&mut self, f: &dyn Fn(u32) -> u32) {
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            node.range = TextRange::new(f(node.range.start), f(node.range.end).max(f(node.range.start)));
            let (items, entries) = match &mut node.kind {
                NodeKind::Scalar(_) => continue,
                NodeKind::Seq(items) => (&mut items[..], &mut [][..]),
                NodeKind::SharedSeq(items) => (Arc::make_mut(items), &mut [][..]),
                NodeKind::Map(entries) => (&mut [][..], &mut entries[..]),
                NodeKind::SharedMap(entries) => (&mut [][..], Arc::make_mut(entries)),
            };
            stack.extend(items.iter_mut());
            for e in entries {
                stack.push(&mut e.key);
                stack.push(&mut e.value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(v: &str) -> Resolved<'_> {
        resolve_plain(v)
    }

    #[test]
    fn yaml11_resolution_matches_kubernetes() {
        assert_eq!(plain("yes"), Resolved::Bool(true));
        assert_eq!(plain("off"), Resolved::Bool(false));
        assert_eq!(plain("8080"), Resolved::Int(8080));
        assert_eq!(plain("-1"), Resolved::Int(-1));
        assert_eq!(plain("0x1F"), Resolved::Int(31));
        assert_eq!(plain("010"), Resolved::Int(8));
        assert_eq!(plain("1.5"), Resolved::Float(1.5));
        assert_eq!(plain("1.2.3.4"), Resolved::Str("1.2.3.4"));
        assert_eq!(plain("30s"), Resolved::Str("30s"));
        assert_eq!(plain("~"), Resolved::Null);
        assert_eq!(plain("-"), Resolved::Str("-"));
        assert_eq!(plain("./*"), Resolved::Str("./*"));
    }
}
