//! The texts the user gave us: one per file (or one for pasted text).

use crate::text::{LineCol, LineIndex, TextRange};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SourceId(pub u32);

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// A file path, or a label such as `<stdin>` or `input.yaml`.
    pub name: String,
    pub text: String,
    line_index: LineIndex,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let line_index = LineIndex::new(&text);
        SourceFile { name: name.into(), text, line_index }
    }
    pub fn line_index(&self) -> &LineIndex {
        &self.line_index
    }
    pub fn line_col(&self, offset: u32) -> LineCol {
        self.line_index.line_col(&self.text, offset)
    }
    pub fn utf16_offset(&self, offset: u32) -> u32 {
        self.line_index.utf16_offset(&self.text, offset)
    }
    pub fn slice(&self, range: TextRange) -> &str {
        self.text.get(range.start as usize..range.end as usize).unwrap_or("")
    }
}
