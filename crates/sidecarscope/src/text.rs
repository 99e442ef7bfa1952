//! Byte ranges into source text, and their conversion to line/column at the edge.
//!
//! The core keeps byte offsets everywhere; line/column (in Unicode scalar values, 1-based) and
//! UTF-16 offsets (for JavaScript editors) are computed once, when a result leaves the core.

use serde::Serialize;

/// A half-open byte range `[start, end)` into one source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord, Serialize)]
pub struct TextRange {
    pub start: u32,
    pub end: u32,
}

impl TextRange {
    pub fn new(start: u32, end: u32) -> Self {
        debug_assert!(start <= end);
        TextRange { start, end }
    }
    pub fn empty(at: u32) -> Self {
        TextRange { start: at, end: at }
    }
    pub fn len(&self) -> u32 {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    /// The smallest range covering both.
    pub fn cover(self, other: TextRange) -> TextRange {
        TextRange { start: self.start.min(other.start), end: self.end.max(other.end) }
    }
    pub fn contains(&self, offset: u32) -> bool {
        self.start <= offset && offset < self.end
    }
}

/// A 1-based line and column. The column counts Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

/// Line starts of one text, for offset -> line/column conversion.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    /// UTF-16 offset of each line start; empty when the text is ASCII (then it equals the byte offset).
    utf16_line_starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        // Lines end at `\n`, `\r\n` or a lone `\r`, as YAML (and go-yaml v2) break them.
        let bytes = text.as_bytes();
        let lone_cr = |i: usize| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n');
        let mut line_starts = vec![0];
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if bytes[i] == b'\n' || lone_cr(i) {
                line_starts.push(i as u32 + 1);
            }
        }
        let utf16_line_starts = if text.is_ascii() {
            Vec::new()
        } else {
            let mut starts = vec![0u32];
            let mut units = 0u32;
            for (i, c) in text.char_indices() {
                units += c.len_utf16() as u32;
                if c == '\n' || (c == '\r' && lone_cr(i)) {
                    starts.push(units);
                }
            }
            starts
        };
        LineIndex { line_starts, utf16_line_starts, len: text.len() as u32 }
    }

    /// 0-based line number containing `offset`.
    pub fn line_of(&self, offset: u32) -> usize {
        match self.line_starts.binary_search(&offset.min(self.len)) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    pub fn line_start(&self, line: usize) -> u32 {
        self.line_starts.get(line).copied().unwrap_or(self.len)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte range of a 0-based line, without its line terminator (`\n`, `\r\n` or `\r`).
    pub fn line_range(&self, text: &str, line: usize) -> TextRange {
        let start = self.line_start(line);
        let mut end = if line + 1 < self.line_starts.len() { self.line_starts[line + 1] - 1 } else { self.len };
        if end > start && text.as_bytes().get(end as usize - 1) == Some(&b'\r') {
            end -= 1;
        }
        TextRange::new(start, end)
    }

    /// 1-based line and column (in Unicode scalar values) of a byte offset.
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let offset = clamp_to_char_boundary(text, offset.min(self.len));
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        let column = text[start as usize..offset as usize].chars().count() as u32 + 1;
        LineCol { line: line as u32 + 1, column }
    }

    /// Offset in UTF-16 code units, as JavaScript strings count.
    /// Costs the length of one line, not of the text before it.
    pub fn utf16_offset(&self, text: &str, offset: u32) -> u32 {
        let offset = clamp_to_char_boundary(text, offset.min(self.len));
        if self.utf16_line_starts.is_empty() {
            return offset;
        }
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        self.utf16_line_starts[line] + text[start as usize..offset as usize].encode_utf16().count() as u32
    }
}

impl LineIndex {
    /// 0-based line and UTF-16 column of a byte offset: an LSP `Position`.
    pub fn utf16_position(&self, text: &str, offset: u32) -> (u32, u32) {
        let offset = clamp_to_char_boundary(text, offset.min(self.len));
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        (line as u32, text[start as usize..offset as usize].encode_utf16().count() as u32)
    }

    /// The byte offset of a 0-based line and UTF-16 column (an LSP `Position`); a column past
    /// the line's end is its end, a line past the last is the text's end.
    pub fn offset_of_utf16_position(&self, text: &str, line: u32, column: u32) -> u32 {
        let Some(&start) = self.line_starts.get(line as usize) else { return self.len };
        let end = self.line_range(text, line as usize).end;
        let mut units = 0u32;
        for (i, c) in text[start as usize..end as usize].char_indices() {
            if units >= column {
                return start + i as u32;
            }
            units += c.len_utf16() as u32;
        }
        end
    }

    /// The byte offset of a UTF-16 offset into the whole text (as JavaScript strings count).
    pub fn offset_of_utf16(&self, text: &str, utf16: u32) -> u32 {
        if self.utf16_line_starts.is_empty() {
            return utf16.min(self.len);
        }
        let line = match self.utf16_line_starts.binary_search(&utf16) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let mut units = self.utf16_line_starts[line];
        for (i, c) in text[start as usize..].char_indices() {
            if units >= utf16 {
                return start + i as u32;
            }
            units += c.len_utf16() as u32;
        }
        self.len
    }
}

fn clamp_to_char_boundary(text: &str, mut offset: u32) -> u32 {
    while offset > 0 && !text.is_char_boundary(offset as usize) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars_not_bytes() {
        let text = "a: é\nb: 🚀x\r\nc";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap() as u32;
        assert_eq!(idx.line_col(text, x), LineCol { line: 2, column: 5 });
        assert_eq!(idx.utf16_offset(text, x), 5 + 5);
        let c = text.rfind('c').unwrap() as u32;
        assert_eq!(idx.line_col(text, c), LineCol { line: 3, column: 1 });
        assert_eq!(&text[idx.line_range(text, 1).start as usize..idx.line_range(text, 1).end as usize], "b: 🚀x");
    }

    #[test]
    fn utf16_positions_round_trip() {
        let text = "a: é\nb: 🚀x\r\nc";
        let idx = LineIndex::new(text);
        // Every offset but the one between `\r` and `\n` (no position of an editor).
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]).filter(|(i, _)| !text[..*i].ends_with('\r')) {
            let offset = offset as u32;
            let (line, col) = idx.utf16_position(text, offset);
            assert_eq!(idx.offset_of_utf16_position(text, line, col), offset, "at {offset}");
            assert_eq!(idx.offset_of_utf16(text, idx.utf16_offset(text, offset)), offset, "at {offset}");
        }
        let x = text.find('x').unwrap() as u32;
        assert_eq!(idx.utf16_position(text, x), (1, 5));
        assert_eq!(idx.offset_of_utf16_position(text, 1, 99), x + 1);
        assert_eq!(idx.offset_of_utf16_position(text, 9, 0), text.len() as u32);
        // Inside a surrogate pair: the next character.
        assert_eq!(idx.offset_of_utf16_position(text, 1, 4), x);
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let text = "ab";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 99), LineCol { line: 1, column: 3 });
    }
}
