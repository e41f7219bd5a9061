//! A lossless view of a line-oriented file: the original bytes, plus where each line starts, where
//! its content ends and what terminates it. Nothing is normalised, so rendering is the identity and
//! every edit is a byte range over the original.

use std::ops::Range;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnding {
    Lf,
    CrLf,
    /// The last line of a file that does not end with a newline.
    None,
}

impl LineEnding {
    pub fn as_bytes(self) -> &'static [u8] {
        match self {
            LineEnding::Lf => b"\n",
            LineEnding::CrLf => b"\r\n",
            LineEnding::None => b"",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Byte offset of the first byte of the line (after the BOM on line 1).
    pub start: usize,
    /// Byte offset just past the content, before the terminator.
    pub content_end: usize,
    pub ending: LineEnding,
}

impl Line {
    pub fn content(&self) -> Range<usize> {
        self.start..self.content_end
    }
    pub fn end(&self) -> usize {
        self.content_end + self.ending.as_bytes().len()
    }
}

#[derive(Debug, Clone)]
pub struct Document {
    bytes: Vec<u8>,
    lines: Vec<Line>,
    has_bom: bool,
}

impl Document {
    pub fn parse(bytes: Vec<u8>) -> Document {
        let has_bom = bytes.starts_with(UTF8_BOM);
        let mut lines = Vec::new();
        let mut start = if has_bom { UTF8_BOM.len() } else { 0 };
        // The BOM belongs to no line's content for line/column purposes, but line 1 starts at 0 so
        // that a tokenizer that must see the BOM (redis-server does) can ask for the raw line.
        let mut first = true;
        let mut i = start;
        while i < bytes.len() {
            if bytes[i] == b'\n' {
                let (content_end, ending) = if i > start && bytes[i - 1] == b'\r' {
                    (i - 1, LineEnding::CrLf)
                } else {
                    (i, LineEnding::Lf)
                };
                let line_start = if first { 0 } else { start };
                lines.push(Line {
                    start: line_start,
                    content_end,
                    ending,
                });
                first = false;
                start = i + 1;
            }
            i += 1;
        }
        if start < bytes.len() || (first && has_bom) {
            let line_start = if first { 0 } else { start };
            lines.push(Line {
                start: line_start,
                content_end: bytes.len(),
                ending: LineEnding::None,
            });
        }
        Document {
            bytes,
            lines,
            has_bom,
        }
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Rendering an unedited document gives back exactly the bytes it was parsed from.
    pub fn render(&self) -> Vec<u8> {
        self.bytes.clone()
    }

    pub fn has_bom(&self) -> bool {
        self.has_bom
    }

    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    /// The raw bytes of line `index` (0-based), BOM included on line 1, terminator excluded.
    pub fn line_bytes(&self, index: usize) -> &[u8] {
        &self.bytes[self.lines[index].content()]
    }

    /// The line ending new lines should use: the file's own (the first one it has), else LF.
    pub fn preferred_ending(&self) -> LineEnding {
        self.lines
            .iter()
            .map(|l| l.ending)
            .find(|e| *e != LineEnding::None)
            .unwrap_or(LineEnding::Lf)
    }

    pub fn ends_with_newline(&self) -> bool {
        self.lines
            .last()
            .is_none_or(|l| l.ending != LineEnding::None)
    }

    /// 0-based index of the line holding byte `offset` (offsets at EOF belong to the last line).
    pub fn line_index(&self, offset: usize) -> usize {
        match self.lines.binary_search_by(|l| l.start.cmp(&offset)) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        }
    }

    /// 1-based line and column (in characters, BOM not counted) of byte `offset`.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        if self.lines.is_empty() {
            return (1, 1);
        }
        let index = self.line_index(offset);
        let line = &self.lines[index];
        let mut from = line.start;
        if index == 0 && self.has_bom {
            from = UTF8_BOM.len().min(self.bytes.len());
        }
        let upto = offset.clamp(from, line.content_end.max(from));
        let column = String::from_utf8_lossy(&self.bytes[from..upto])
            .chars()
            .count()
            + 1;
        (index + 1, column)
    }

    /// Byte offset where a new line can be inserted after line `index`: past its terminator. When
    /// the line has no terminator (end of file), the inserted text must start with one.
    pub fn insertion_point_after(&self, index: usize) -> (usize, bool) {
        let line = &self.lines[index];
        (line.end(), line.ending == LineEnding::None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_every_byte_and_each_terminator() {
        let src = b"a\r\nb\n\nc".to_vec();
        let doc = Document::parse(src.clone());
        assert_eq!(doc.render(), src);
        let endings: Vec<_> = doc.lines().iter().map(|l| l.ending).collect();
        assert_eq!(
            endings,
            vec![
                LineEnding::CrLf,
                LineEnding::Lf,
                LineEnding::Lf,
                LineEnding::None
            ]
        );
        assert_eq!(doc.line_bytes(0), b"a");
        assert_eq!(doc.line_bytes(3), b"c");
        assert!(!doc.ends_with_newline());
        assert_eq!(doc.preferred_ending(), LineEnding::CrLf);
    }

    #[test]
    fn bom_stays_on_line_one_and_is_not_a_column() {
        let doc = Document::parse(b"\xEF\xBB\xBFport 1\n".to_vec());
        assert!(doc.has_bom());
        assert_eq!(doc.line_bytes(0), b"\xEF\xBB\xBFport 1");
        assert_eq!(doc.line_col(3), (1, 1));
        assert_eq!(doc.line_col(8), (1, 6));
    }

    #[test]
    fn empty_file_has_no_lines() {
        let doc = Document::parse(Vec::new());
        assert!(doc.lines().is_empty());
        assert!(doc.ends_with_newline());
        assert_eq!(doc.line_col(0), (1, 1));
    }
}
