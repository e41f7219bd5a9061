//! Fixes are byte-range edits over the original bytes of a file, with an applicability that says
//! whether `fix --write` may apply them. Applying keeps every untouched byte; choosing which fixes
//! to apply together never lets two edits overlap.

pub mod apply;
pub mod edits;
pub mod write;

use crate::source::{FileId, Sources};
use crate::syntax::document::LineEnding;
use serde::Serialize;
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Applied by `fix --write`: it cannot break a working setup.
    Safe,
    /// Applied only with `--unsafe-fixes`: it may break a client or change behaviour.
    Unsafe,
    /// Shown, never applied: it needs a value only a person can choose.
    Display,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::Display => "display",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub file: FileId,
    pub range: Range<usize>,
    pub replacement: Vec<u8>,
    /// The parts of `replacement` that hold a secret (a rotated password), masked in every
    /// output. An edit over a secret of the file is masked whole (see `report::resolve`).
    pub secrets: Vec<Range<usize>>,
}

impl Edit {
    /// Mark every place the replacement holds `secret` (a value the rule itself generated or
    /// carried over) as a secret.
    pub fn with_secret_text(mut self, secret: &[u8]) -> Edit {
        if secret.is_empty() {
            return self;
        }
        let mut from = 0;
        while let Some(p) = self.replacement[from..]
            .windows(secret.len())
            .position(|w| w == secret)
        {
            self.secrets.push(from + p..from + p + secret.len());
            from += p + secret.len();
        }
        self
    }
}

#[derive(Debug, Clone)]
pub struct Fix {
    pub applicability: Applicability,
    pub description: String,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn new(
        applicability: Applicability,
        description: impl Into<String>,
        edits: Vec<Edit>,
    ) -> Fix {
        Fix {
            applicability,
            description: description.into(),
            edits,
        }
    }
}

pub fn replace(file: FileId, range: Range<usize>, replacement: impl Into<Vec<u8>>) -> Edit {
    Edit {
        file,
        range,
        replacement: replacement.into(),
        secrets: Vec::new(),
    }
}

fn with_ending(text: &[u8], ending: LineEnding) -> Vec<u8> {
    let mut out = text.to_vec();
    out.extend_from_slice(ending.as_bytes());
    out
}

/// Insert `text` as a new line after line `index` (0-based), in the file's own line ending.
pub fn insert_line_after(sources: &Sources, file: FileId, index: usize, text: &[u8]) -> Edit {
    let doc = sources.doc(file);
    let ending = doc.preferred_ending();
    let (at, needs_break) = doc.insertion_point_after(index);
    let replacement = if needs_break {
        let mut out = ending.as_bytes().to_vec();
        out.extend_from_slice(text);
        out
    } else {
        with_ending(text, ending)
    };
    Edit {
        file,
        range: at..at,
        replacement,
        secrets: Vec::new(),
    }
}

/// Insert `text` as a new line before line `index`.
pub fn insert_line_before(sources: &Sources, file: FileId, index: usize, text: &[u8]) -> Edit {
    let doc = sources.doc(file);
    let at = if index == 0 && doc.has_bom() {
        3
    } else {
        doc.line(index).start()
    };
    Edit {
        file,
        range: at..at,
        replacement: with_ending(text, doc.preferred_ending()),
        secrets: Vec::new(),
    }
}

/// Add `text` as the last line of a file, or just above `limit` (the start of a block the file's
/// own software generates, which fixes never edit).
pub fn append_line(sources: &Sources, file: FileId, limit: Option<usize>, text: &[u8]) -> Edit {
    let doc = sources.doc(file);
    if let Some(offset) = limit {
        let index = doc.line_index(offset);
        return insert_line_before(sources, file, index, text);
    }
    if doc.line_count() == 0 {
        let at = doc.bytes().len();
        return Edit {
            file,
            range: at..at,
            replacement: with_ending(text, LineEnding::Lf),
            secrets: Vec::new(),
        };
    }
    insert_line_after(sources, file, doc.line_count() - 1, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn apply_one(src: &[u8], make: impl Fn(&Sources) -> Edit) -> Vec<u8> {
        let mut sources = Sources::new();
        let id = sources.insert(Path::new("/tmp/redline-unit/x.conf"), src.to_vec());
        let edit = make(&sources);
        assert_eq!(edit.file, id);
        apply::apply_edits(src, &[&edit])
    }

    #[test]
    fn append_keeps_crlf_and_missing_final_newline() {
        assert_eq!(
            apply_one(b"a\r\nb", |s| append_line(s, 0, None, b"c")),
            b"a\r\nb\r\nc"
        );
        assert_eq!(
            apply_one(b"a\nb\n", |s| append_line(s, 0, None, b"c")),
            b"a\nb\nc\n"
        );
        assert_eq!(apply_one(b"", |s| append_line(s, 0, None, b"c")), b"c\n");
    }

    #[test]
    fn append_above_generated_block() {
        let src = b"port 1\n# Generated by CONFIG REWRITE\nsentinel myid x\n";
        let out = apply_one(src, |s| append_line(s, 0, Some(7), b"new"));
        assert_eq!(
            out,
            b"port 1\nnew\n# Generated by CONFIG REWRITE\nsentinel myid x\n"
        );
    }

    #[test]
    fn insert_before_first_line_keeps_bom_first() {
        let out = apply_one(b"\xEF\xBB\xBFport 1\n", |s| {
            insert_line_before(s, 0, 0, b"# c")
        });
        assert_eq!(out, b"\xEF\xBB\xBF# c\nport 1\n");
    }
}
