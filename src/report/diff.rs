//! Unified diffs of fixed files, in the form `git apply` reads (`--- a/PATH`, `+++ b/PATH`,
//! `\ No newline at end of file`). Every line passes through a redactor first, so a secret never
//! reaches the diff unless `--show-secrets` was given.

use similar::{capture_diff_slices, group_diff_ops, Algorithm, DiffTag};
use std::fmt::Write;

/// Split bytes into lines, each keeping its terminator.
fn split_lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            lines.push(&bytes[start..=i]);
            start = i + 1;
        }
    }
    if start < bytes.len() {
        lines.push(&bytes[start..]);
    }
    lines
}

fn push_line(out: &mut String, prefix: char, line: &[u8], redact: &dyn Fn(&[u8]) -> Vec<u8>) {
    let (content, newline) = match line.strip_suffix(b"\n") {
        Some(c) => (c, true),
        None => (line, false),
    };
    let (content, cr) = match content.strip_suffix(b"\r") {
        Some(c) => (c, true),
        None => (content, false),
    };
    out.push(prefix);
    // A line's own end (`\n`, `\r\n`) and its tabs stay, so the diff still applies; any other
    // control character (ESC, a lone `\r`, ...) is escaped: it would reach a terminal or log.
    out.push_str(&super::escape_controls_but(
        &String::from_utf8_lossy(&redact(content)),
        Some('\t'),
    ));
    if cr {
        out.push('\r');
    }
    out.push('\n');
    if !newline {
        out.push_str("\\ No newline at end of file\n");
    }
}

pub fn unified(path: &str, old: &[u8], new: &[u8], redact: &dyn Fn(&[u8]) -> Vec<u8>) -> String {
    let old_lines = split_lines(old);
    let new_lines = split_lines(new);
    let ops = capture_diff_slices(Algorithm::Myers, &old_lines, &new_lines);
    let mut out = String::new();
    let groups = group_diff_ops(ops, 3);
    if groups.is_empty() {
        return out;
    }
    let path = super::escape_controls(path);
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
                    .for_each(|i| push_line(&mut out, ' ', old_lines[i], redact)),
                DiffTag::Delete => op
                    .old_range()
                    .for_each(|i| push_line(&mut out, '-', old_lines[i], redact)),
                DiffTag::Insert => op
                    .new_range()
                    .for_each(|i| push_line(&mut out, '+', new_lines[i], redact)),
                DiffTag::Replace => {
                    op.old_range()
                        .for_each(|i| push_line(&mut out, '-', old_lines[i], redact));
                    op.new_range()
                        .for_each(|i| push_line(&mut out, '+', new_lines[i], redact));
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
    fn diff_marks_missing_final_newline_and_redacts() {
        let redact = |l: &[u8]| crate::secret::redact_line(l);
        let d = unified(
            "x.conf",
            b"port 1\nrequirepass a",
            b"port 1\nrequirepass b\n",
            &redact,
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
        assert_eq!(unified("x", b"a\n", b"a\n", &|l: &[u8]| l.to_vec()), "");
    }
}
