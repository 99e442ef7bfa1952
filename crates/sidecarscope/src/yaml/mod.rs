//! YAML with source positions: the node tree and the parser that builds it.

pub mod cursor;
pub mod fields;
mod node;
mod parse;

pub use node::{Entry, JsonType, Node, NodeKind, Resolved, Scalar, ScalarStyle, ScalarTag, ScalarText, View};
pub use parse::{
    document_ranges, parse_document, parse_document_within, parse_documents, parse_single, AliasBudget, Document,
    YamlError, YamlErrorKind, MAX_ALIAS_EXPANSION, MAX_DEPTH,
};
