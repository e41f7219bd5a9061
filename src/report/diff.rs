//! Unified diffs of fixed files, in the form `git apply` reads (`--- a/PATH`, `+++ b/PATH`,
//! `\ No newline at end of file`). Each side's lines are shown through that side's function, which
//! masks the secret ranges of its document unless `--show-secrets` was given.

use similar::{capture_diff_slices, group_diff_ops, Algorithm, DiffTag};
use std::fmt::Write;
use std::ops::Range;

/// How a side shows the bytes of a range of its file (secrets masked).
pub type Show<'a> = &'a dyn Fn(Range<usize>) -> Vec<u8>;

/// Split bytes into lines, each keeping its terminator, with the offset each starts at.
fn split_lines(bytes: &[u8]) -> Vec<(usize, &[u8])> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            lines.push((start, &bytes[start..=i]));
            start = i + 1;
        }
    }
    if start < bytes.len() {
        lines.push((start, &bytes[start..]));
    }
    lines
}

fn push_line(out: &mut String, prefix: char, (at, line): (usize, &[u8]), show: Show) {
    let (content, newline) = match line.strip_suffix(b"\n") {
        Some(c) => (c, true),
        None => (line, false),
    };
    let (content, cr) = match content.strip_suffix(b"\r") {
        Some(c) => (c, true),
        None => (content, false),
    };
    out.push(prefix);
    out.push_str(&String::from_utf8_lossy(&show(at..at + content.len())));
    if cr {
        out.push('\r');
    }
    out.push('\n');
    if !newline {
        out.push_str("\\ No newline at end of file\n");
    }
}

pub fn unified(path: &str, old: &[u8], new: &[u8], show_old: Show, show_new: Show) -> String {
    let old_lines = split_lines(old);
    let new_lines = split_lines(new);
    let old_text: Vec<&[u8]> = old_lines.iter().map(|l| l.1).collect();
    let new_text: Vec<&[u8]> = new_lines.iter().map(|l| l.1).collect();
    let ops = capture_diff_slices(Algorithm::Myers, &old_text, &new_text);
    let mut out = String::new();
    let groups = group_diff_ops(ops, 3);
    if groups.is_empty() {
        return out;
    }
    let _ = writeln!(out, "--- a/{path}");
    let _ = writeln!(out, "+++ b/{path}");
    for group in groups {
        let first = &group[0];
        let last = &group[group.len() - 1];
        let old_start = first.old_range().start;
        let old_len = last.old_range().end - old_start;
        let new_start = first.new_range().start;
        let new_len = last.new_range().end - new_start;
        // An empty range is numbered by the line before it, as diff(1) does.
        let number = |start: usize, len: usize| if len == 0 { start } else { start + 1 };
        let _ = writeln!(
            out,
            "@@ -{},{} +{},{} @@",
            number(old_start, old_len),
            old_len,
            number(new_start, new_len),
            new_len
        );
        for op in group {
            match op.tag() {
                DiffTag::Equal => op
                    .old_range()
                    .for_each(|i| push_line(&mut out, ' ', old_lines[i], show_old)),
                DiffTag::Delete => op
                    .old_range()
                    .for_each(|i| push_line(&mut out, '-', old_lines[i], show_old)),
                DiffTag::Insert => op
                    .new_range()
                    .for_each(|i| push_line(&mut out, '+', new_lines[i], show_new)),
                DiffTag::Replace => {
                    op.old_range()
                        .for_each(|i| push_line(&mut out, '-', old_lines[i], show_old));
                    op.new_range()
                        .for_each(|i| push_line(&mut out, '+', new_lines[i], show_new));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_marks_missing_final_newline_and_masks_each_side() {
        let mut old = crate::syntax::document::Document::parse(b"port 1\nrequirepass a".to_vec());
        old.mark_secret(19..20);
        let mut new = crate::syntax::document::Document::parse(b"port 1\nrequirepass b\n".to_vec());
        new.mark_secret(19..20);
        let d = unified(
            "x.conf",
            old.bytes(),
            new.bytes(),
            &|r| old.masked(r, b"********"),
            &|r| new.masked(r, b"********"),
        );
        assert!(
            d.starts_with("--- a/x.conf\n+++ b/x.conf\n@@ -1,2 +1,2 @@\n"),
            "{d}"
        );
        assert!(
            d.contains(
                "-requirepass ********\n\\ No newline at end of file\n+requirepass ********\n"
            ),
            "{d}"
        );
    }

    #[test]
    fn no_change_no_diff() {
        let show = |r: Range<usize>| b"a\n"[r].to_vec();
        assert_eq!(unified("x", b"a\n", b"a\n", &show, &show), "");
    }
}
