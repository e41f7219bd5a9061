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

/// One line of a document, computed from the document's line index. Offsets are `u32` (files
/// over `MAX_FILE_SIZE` are never read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    start: u32,
    content_end: u32,
    pub ending: LineEnding,
}

impl Line {
    /// Byte offset of the first byte of the line (0 on line 1, even after a BOM).
    pub fn start(&self) -> usize {
        self.start as usize
    }
    /// Byte offset just past the content, before the terminator.
    pub fn content_end(&self) -> usize {
        self.content_end as usize
    }
    pub fn content(&self) -> Range<usize> {
        self.start()..self.content_end()
    }
    pub fn end(&self) -> usize {
        self.content_end() + self.ending.as_bytes().len()
    }
}

#[derive(Debug, Clone)]
pub struct Document {
    bytes: Vec<u8>,
    /// Where each line starts; its end and terminator are read off the bytes when asked. On a
    /// large tree the line index is a good part of the memory used: 4 bytes a line.
    line_starts: Vec<u32>,
    has_bom: bool,
    /// The byte ranges that hold secrets (passwords, password hashes), sorted and merged, as the
    /// readers of the file marked them: every output masks them.
    secrets: Vec<Range<u32>>,
}

impl Document {
    pub fn parse(bytes: Vec<u8>) -> Document {
        // Offsets are u32; the reader refuses files over MAX_FILE_SIZE, far below this.
        assert!(
            u32::try_from(bytes.len()).is_ok(),
            "documents are at most 4 GiB"
        );
        let has_bom = bytes.starts_with(UTF8_BOM);
        let newlines = memchr::memchr_iter(b'\n', &bytes).count();
        let mut line_starts = Vec::with_capacity(newlines + 1);
        // The BOM belongs to no line's content for line/column purposes, but line 1 starts at 0 so
        // that a tokenizer that must see the BOM (redis-server does) can ask for the raw line.
        // A file holding only a BOM has one (empty) line; an empty file has none.
        if !bytes.is_empty() {
            line_starts.push(0);
        }
        line_starts.extend(
            memchr::memchr_iter(b'\n', &bytes)
                .filter(|&i| i + 1 < bytes.len())
                .map(|i| (i + 1) as u32),
        );
        Document {
            bytes,
            line_starts,
            has_bom,
            secrets: Vec::new(),
        }
    }

    /// Record that `range` holds a secret (clamped to the document; marking twice is harmless).
    pub fn mark_secret(&mut self, range: Range<usize>) {
        self.mark_secrets([range]);
    }

    /// Record many secret ranges at once, in any order: sorted and merged with those already
    /// marked in one pass (marking them one by one out of order would shift the list each time).
    pub fn mark_secrets(&mut self, ranges: impl IntoIterator<Item = Range<usize>>) {
        let len = self.bytes.len();
        let mut all: Vec<Range<u32>> = ranges
            .into_iter()
            .map(|r| {
                let end = r.end.min(len);
                r.start.min(end) as u32..end as u32
            })
            .filter(|r| !r.is_empty())
            .collect();
        if all.is_empty() {
            return;
        }
        all.append(&mut self.secrets);
        all.sort_unstable_by_key(|r| (r.start, r.end));
        let mut merged: Vec<Range<u32>> = Vec::with_capacity(all.len());
        for r in all {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        self.secrets = merged;
    }

    /// The secret ranges, sorted and disjoint.
    pub fn secrets(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        self.secrets
            .iter()
            .map(|r| r.start as usize..r.end as usize)
    }

    /// The secret ranges that overlap `range`, clipped to it.
    pub fn secrets_in(&self, range: Range<usize>) -> Vec<Range<usize>> {
        let from = self
            .secrets
            .partition_point(|r| (r.end as usize) <= range.start);
        self.secrets[from..]
            .iter()
            .take_while(|r| (r.start as usize) < range.end)
            .map(|r| (r.start as usize).max(range.start)..(r.end as usize).min(range.end))
            .filter(|r| !r.is_empty())
            .collect()
    }

    /// The bytes of `range` with each secret part replaced by `mask`.
    pub fn masked(&self, range: Range<usize>, mask: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(range.len());
        let mut pos = range.start;
        for secret in self.secrets_in(range.clone()) {
            out.extend_from_slice(&self.bytes[pos..secret.start]);
            out.extend_from_slice(mask);
            pos = secret.end;
        }
        out.extend_from_slice(&self.bytes[pos..range.end]);
        out
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Line `index` (0-based). Panics when out of range, like slice indexing.
    pub fn line(&self, index: usize) -> Line {
        let start = self.line_starts[index] as usize;
        let end = self
            .line_starts
            .get(index + 1)
            .map_or(self.bytes.len(), |&s| s as usize);
        // A CR belongs to the terminator only right before the LF and inside the line (the BOM
        // holds no CR, so line 1 needs no special case).
        let (content_end, ending) = if end > start && self.bytes[end - 1] == b'\n' {
            if end - 1 > start && self.bytes[end - 2] == b'\r' {
                (end - 2, LineEnding::CrLf)
            } else {
                (end - 1, LineEnding::Lf)
            }
        } else {
            (end, LineEnding::None)
        };
        Line {
            start: start as u32,
            content_end: content_end as u32,
            ending,
        }
    }

    pub fn get_line(&self, index: usize) -> Option<Line> {
        (index < self.line_count()).then(|| self.line(index))
    }

    pub fn lines(&self) -> impl DoubleEndedIterator<Item = Line> + ExactSizeIterator + '_ {
        (0..self.line_count()).map(|i| self.line(i))
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

    /// The raw bytes of line `index` (0-based), BOM included on line 1, terminator excluded.
    pub fn line_bytes(&self, index: usize) -> &[u8] {
        &self.bytes[self.line(index).content()]
    }

    /// The line ending new lines should use: the file's own (the first one it has), else LF.
    pub fn preferred_ending(&self) -> LineEnding {
        // Only the last line can lack a terminator: the first line's is the file's own.
        self.lines()
            .next()
            .map(|l| l.ending)
            .filter(|e| *e != LineEnding::None)
            .unwrap_or(LineEnding::Lf)
    }

    pub fn ends_with_newline(&self) -> bool {
        self.lines()
            .next_back()
            .is_none_or(|l| l.ending != LineEnding::None)
    }

    /// 0-based index of the line holding byte `offset` (offsets at EOF belong to the last line).
    pub fn line_index(&self, offset: usize) -> usize {
        match self
            .line_starts
            .binary_search_by(|&s| (s as usize).cmp(&offset))
        {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        }
    }

    /// 1-based line and column (in characters, BOM not counted) of byte `offset`.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        if self.line_starts.is_empty() {
            return (1, 1);
        }
        let index = self.line_index(offset);
        let line = self.line(index);
        let mut from = line.start();
        if index == 0 && self.has_bom {
            from = UTF8_BOM.len().min(self.bytes.len());
        }
        let upto = offset.clamp(from, line.content_end().max(from));
        let column = String::from_utf8_lossy(&self.bytes[from..upto])
            .chars()
            .count()
            + 1;
        (index + 1, column)
    }

    /// Byte offset where a new line can be inserted after line `index`: past its terminator. When
    /// the line has no terminator (end of file), the inserted text must start with one.
    pub fn insertion_point_after(&self, index: usize) -> (usize, bool) {
        let line = self.line(index);
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
        let endings: Vec<_> = doc.lines().map(|l| l.ending).collect();
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
    fn secret_ranges_merge_and_mask() {
        let mut doc = Document::parse(b"requirepass abc\nuser u on >pw\n".to_vec());
        doc.mark_secret(12..15);
        doc.mark_secret(12..15);
        doc.mark_secret(27..29);
        doc.mark_secret(13..14);
        assert_eq!(doc.secrets().collect::<Vec<_>>(), vec![12..15, 27..29]);
        assert_eq!(doc.masked(0..15, b"***"), b"requirepass ***");
        assert_eq!(doc.masked(13..30, b"*"), b"*\nuser u on >*\n");
        doc.mark_secret(14..28);
        assert_eq!(doc.secrets().collect::<Vec<_>>(), vec![12..29]);
        doc.mark_secrets([5..6, 1..2, 28..31, 0..1]);
        assert_eq!(doc.secrets().collect::<Vec<_>>(), vec![0..2, 5..6, 12..30]);
    }

    #[test]
    fn empty_file_has_no_lines() {
        let doc = Document::parse(Vec::new());
        assert!(doc.line_count() == 0);
        assert!(doc.ends_with_newline());
        assert_eq!(doc.line_col(0), (1, 1));
    }

    /// Lines as a reader of the file would split them: after each LF, the CR before an LF (not
    /// one of the BOM) in the terminator, a last line without terminator, nothing for "".
    fn reference_lines(bytes: &[u8]) -> Vec<(usize, usize, LineEnding)> {
        let body_from = if bytes.starts_with(UTF8_BOM) { 3 } else { 0 };
        let mut out = Vec::new();
        let mut start = 0;
        for i in 0..bytes.len() {
            if bytes[i] == b'\n' {
                let crlf = i > start.max(body_from) && bytes[i - 1] == b'\r';
                let (end, ending) = if crlf {
                    (i - 1, LineEnding::CrLf)
                } else {
                    (i, LineEnding::Lf)
                };
                out.push((start, end, ending));
                start = i + 1;
            }
        }
        if start < bytes.len() {
            out.push((start, bytes.len(), LineEnding::None));
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn computed_lines_match_a_plain_split(
            bom in proptest::bool::ANY,
            body in proptest::collection::vec(
                proptest::sample::select(vec![b'a', b'\r', b'\n', 0xEF, 0xBB, 0xBF]),
                0..40,
            ),
        ) {
            let mut bytes = if bom { UTF8_BOM.to_vec() } else { Vec::new() };
            bytes.extend(body);
            let doc = Document::parse(bytes.clone());
            let got: Vec<_> = doc
                .lines()
                .map(|l| (l.start(), l.content_end(), l.ending))
                .collect();
            proptest::prop_assert_eq!(got, reference_lines(&bytes));
            let joined: Vec<u8> = doc.lines().flat_map(|l| bytes[l.start()..l.end()].to_vec()).collect();
            proptest::prop_assert_eq!(joined, bytes);
        }
    }
}
