//! Fixes on servers that a compose file or Kubernetes manifest starts: an edit in the YAML is
//! kept only when it replaces one exact token of the command line or of a variable with a plain
//! word (quoted when it would stand alone as a YAML 1.1 boolean), or when it stays inside the
//! `|` block of a ConfigMap redis.conf (new lines get the block's indentation and go at its end
//! when the edit meant the end of the file). Any other edit of the YAML would break it: the
//! whole fix is then dropped, and the finding stays.

use crate::fix::{Edit, Fix};
use crate::model::deploy::{ConfigSource, Deployed};
use crate::source::Sources;
use std::ops::Range;

/// The fix as it may be applied to the deployment's files, or None.
pub fn confine(sources: &Sources, deployed: &Deployed, fix: Fix) -> Option<Fix> {
    let mut edits = Vec::with_capacity(fix.edits.len());
    for edit in fix.edits {
        if edit.file != deployed.file {
            edits.push(edit);
            continue;
        }
        edits.push(confine_edit(sources, deployed, edit)?);
    }
    Some(Fix { edits, ..fix })
}

fn confine_edit(sources: &Sources, deployed: &Deployed, edit: Edit) -> Option<Edit> {
    let doc = sources.doc(deployed.file);
    if let Some(ConfigSource::Block {
        file,
        lines,
        indent,
    }) = &deployed.config
    {
        if *file == deployed.file {
            let region = doc.line(lines.start).start()..doc.line(lines.end - 1).end();
            return in_block(doc.bytes(), region, indent, edit);
        }
    }
    if !deployed.editable.contains(&edit.range) || !plain_word(&edit.replacement) {
        return None;
    }
    let mut edit = edit;
    if stands_alone(doc.bytes(), &edit.range) && yaml11_special(&edit.replacement) {
        let mut quoted = b"\"".to_vec();
        quoted.extend_from_slice(&edit.replacement);
        quoted.push(b'"');
        edit.replacement = quoted;
    }
    Some(edit)
}

/// What the YAML files of a run take, gathered once: per file, the exact tokens a fix may
/// replace and the ConfigMap blocks it may edit (for fixes made outside the instances' own
/// rules: password rotation, client edits).
#[derive(Default)]
pub struct Editable {
    files: std::collections::HashMap<crate::source::FileId, EditableFile>,
}

#[derive(Default)]
struct EditableFile {
    tokens: std::collections::HashSet<(usize, usize)>,
    blocks: Vec<Range<usize>>,
}

impl Editable {
    pub fn new<'a>(
        sources: &Sources,
        deployed: impl IntoIterator<Item = &'a Deployed>,
    ) -> Editable {
        let mut out = Editable::default();
        for d in deployed {
            let entry = out.files.entry(d.file).or_default();
            entry
                .tokens
                .extend(d.editable.iter().map(|r| (r.start, r.end)));
            if let Some(ConfigSource::Block { file, lines, .. }) = &d.config {
                if *file == d.file {
                    let doc = sources.doc(d.file);
                    entry
                        .blocks
                        .push(doc.line(lines.start).start()..doc.line(lines.end - 1).end());
                }
            }
        }
        out
    }

    /// A YAML file with nothing a fix may edit (a manifest of Services only).
    pub fn add_file(&mut self, file: crate::source::FileId) {
        self.files.entry(file).or_default();
    }

    /// Whether `edit` leaves the files this knows valid YAML (files it does not know: yes).
    pub fn allows(&self, edit: &Edit) -> bool {
        let Some(file) = self.files.get(&edit.file) else {
            return true;
        };
        if file
            .blocks
            .iter()
            .any(|b| edit.range.start >= b.start && edit.range.end <= b.end)
        {
            return true;
        }
        let word = edit
            .replacement
            .strip_prefix(b"\"")
            .and_then(|r| r.strip_suffix(b"\""))
            .unwrap_or(&edit.replacement);
        file.tokens.contains(&(edit.range.start, edit.range.end)) && plain_word(word)
    }
}

/// An edit of a ConfigMap block: replacements inside it stay; new lines are indented like the
/// block, and a line meant for the end of the file goes at the end of the block.
fn in_block(bytes: &[u8], region: Range<usize>, indent: &[u8], mut edit: Edit) -> Option<Edit> {
    let inserts_lines = edit.range.is_empty()
        && (edit.replacement.ends_with(b"\n")
            || edit.replacement.starts_with(b"\n")
            || edit.replacement.starts_with(b"\r\n"));
    if !inserts_lines {
        return (edit.range.start >= region.start && edit.range.end <= region.end).then_some(edit);
    }
    let at = edit.range.start;
    if at < region.start {
        return None;
    }
    let at = at.min(region.end);
    let needs_break = at > 0 && bytes[at - 1] != b'\n';
    let text: Vec<u8> = edit
        .replacement
        .iter()
        .copied()
        .filter(|&b| b != b'\r')
        .collect();
    let ending: &[u8] = if bytes[..at].ends_with(b"\r\n") {
        b"\r\n"
    } else {
        b"\n"
    };
    let mut out = Vec::new();
    if needs_break {
        out.extend_from_slice(ending);
    }
    // Exactly the block's indentation (redis-server trims it anyway): a first line indented
    // deeper would set a deeper indentation for the whole block.
    for line in text.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let start = line
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t'))
            .unwrap_or(line.len());
        out.extend_from_slice(indent);
        out.extend_from_slice(&line[start..]);
        out.extend_from_slice(ending);
    }
    if needs_break && at == bytes.len() {
        // The file had no final newline: keep it that way.
        out.truncate(out.len() - ending.len());
    }
    // The secret texts the edit carried (a generated `requirepass`) stay marked in the
    // re-indented text.
    let secret_texts: Vec<Vec<u8>> = edit
        .secrets
        .iter()
        .filter_map(|r| edit.replacement.get(r.clone()).map(<[u8]>::to_vec))
        .collect();
    edit.range = at..at;
    edit.replacement = out;
    edit.secrets.clear();
    Some(
        secret_texts
            .iter()
            .fold(edit, |edit, secret| edit.with_secret_text(secret)),
    )
}

/// A word YAML and the shell read as itself anywhere: letters, digits, `-`, `_`, `.`.
fn plain_word(text: &[u8]) -> bool {
    !text.is_empty()
        && text
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The token is a whole plain scalar (a list item or a mapping value), not a word inside one.
fn stands_alone(bytes: &[u8], range: &Range<usize>) -> bool {
    let before = bytes[..range.start]
        .iter()
        .rev()
        .find(|b| **b != b' ' && **b != b'\t');
    let after = bytes[range.end..]
        .iter()
        .find(|b| **b != b' ' && **b != b'\t');
    matches!(before, Some(b'-' | b':' | b'[' | b',') | None)
        && matches!(after, Some(b'\n' | b'\r' | b']' | b',' | b'#') | None)
}

/// Words YAML 1.1 (Kubernetes' reader) takes for a boolean or null.
fn yaml11_special(text: &[u8]) -> bool {
    let lower = text.to_ascii_lowercase();
    matches!(
        lower.as_slice(),
        b"yes" | b"no" | b"y" | b"n" | b"on" | b"off" | b"true" | b"false" | b"null"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_added_to_a_block_keep_their_secret_marks() {
        let bytes = b"data:\n  redis.conf: |\n    appendonly yes\n";
        let region = 22..bytes.len();
        let edit = crate::fix::replace(
            0,
            bytes.len()..bytes.len(),
            b"requirepass s3cretpw\n".to_vec(),
        )
        .with_secret_text(b"s3cretpw");
        let edit = in_block(bytes, region, b"    ", edit).expect("inside the block");
        let marked: Vec<&[u8]> = edit
            .secrets
            .iter()
            .map(|r| &edit.replacement[r.clone()])
            .collect();
        assert_eq!(edit.replacement, b"    requirepass s3cretpw\n");
        assert_eq!(marked, vec![&b"s3cretpw"[..]]);
    }
}
