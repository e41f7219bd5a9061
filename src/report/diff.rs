//! Unified diffs of fixed files, in the form `git apply` reads (`--- a/PATH`, `+++ b/PATH`,
//! `\ No newline at end of file`). Each side's lines are shown through that side's function, which
//! masks the secret ranges of its document unless `--show-secrets` was given.

use similar::{capture_diff, capture_diff_slices, group_diff_ops, Algorithm, DiffOp, DiffTag};
use std::collections::HashMap;
use std::fmt::Write;
use std::ops::Range;

/// Files up to this many lines (old and new together) are diffed by Myers as a whole, a minimal
/// diff. Myers takes time quadratic in the lines changed, and a fix may change thousands: larger
/// files are cut at the lines found once on each side (patience), and only gaps this small
/// between them get Myers; a larger gap is one replacement after its common ends.
const MYERS_LINES: usize = 2000;

/// Push `op`, joining an equal run to the one before it.
fn push_op(ops: &mut Vec<DiffOp>, op: DiffOp) {
    if let (
        Some(DiffOp::Equal {
            old_index,
            new_index,
            len,
        }),
        DiffOp::Equal {
            old_index: o,
            new_index: n,
            len: more,
        },
    ) = (ops.last_mut(), &op)
    {
        if *old_index + *len == *o && *new_index + *len == *n {
            *len += more;
            return;
        }
    }
    ops.push(op);
}

/// Lines equal at both ends of the two ranges: (at the start, at the end).
fn common_ends(old: &[&[u8]], o: &Range<usize>, new: &[&[u8]], n: &Range<usize>) -> (usize, usize) {
    let start = old[o.clone()]
        .iter()
        .zip(&new[n.clone()])
        .take_while(|(a, b)| a == b)
        .count();
    let end = old[o.start + start..o.end]
        .iter()
        .rev()
        .zip(new[n.start + start..n.end].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    (start, end)
}

/// The diff of one gap between anchors.
fn diff_gap(old: &[&[u8]], o: Range<usize>, new: &[&[u8]], n: Range<usize>, ops: &mut Vec<DiffOp>) {
    if o.len() + n.len() <= MYERS_LINES {
        for op in capture_diff(Algorithm::Myers, old, o, new, n) {
            push_op(ops, op);
        }
        return;
    }
    let (start, end) = common_ends(old, &o, new, &n);
    if start > 0 {
        push_op(
            ops,
            DiffOp::Equal {
                old_index: o.start,
                new_index: n.start,
                len: start,
            },
        );
    }
    let (o_mid, n_mid) = (o.start + start..o.end - end, n.start + start..n.end - end);
    push_op(
        ops,
        match (o_mid.is_empty(), n_mid.is_empty()) {
            (true, true) => return,
            (true, false) => DiffOp::Insert {
                old_index: o_mid.start,
                new_index: n_mid.start,
                new_len: n_mid.len(),
            },
            (false, true) => DiffOp::Delete {
                old_index: o_mid.start,
                old_len: o_mid.len(),
                new_index: n_mid.start,
            },
            (false, false) => DiffOp::Replace {
                old_index: o_mid.start,
                old_len: o_mid.len(),
                new_index: n_mid.start,
                new_len: n_mid.len(),
            },
        },
    );
    if end > 0 {
        push_op(
            ops,
            DiffOp::Equal {
                old_index: o.end - end,
                new_index: n.end - end,
                len: end,
            },
        );
    }
}

/// The longest chain of `pairs` (in increasing second index) increasing in the first index.
fn longest_increasing(pairs: &[(usize, usize)]) -> Vec<(usize, usize)> {
    // tails[k]: index in `pairs` of the smallest end of a chain of length k + 1.
    let mut tails: Vec<usize> = Vec::new();
    let mut previous: Vec<Option<usize>> = vec![None; pairs.len()];
    for (i, &(old, _)) in pairs.iter().enumerate() {
        let k = tails.partition_point(|&t| pairs[t].0 < old);
        previous[i] = k.checked_sub(1).map(|k| tails[k]);
        if k == tails.len() {
            tails.push(i);
        } else {
            tails[k] = i;
        }
    }
    let mut chain = Vec::with_capacity(tails.len());
    let mut at = tails.last().copied();
    while let Some(i) = at {
        chain.push(pairs[i]);
        at = previous[i];
    }
    chain.reverse();
    chain
}

/// Diff operations in time near linear in the lines (see `MYERS_LINES`).
fn diff_ops(old: &[&[u8]], new: &[&[u8]]) -> Vec<DiffOp> {
    if old.len() + new.len() <= MYERS_LINES {
        return capture_diff_slices(Algorithm::Myers, old, new);
    }
    let (start, end) = common_ends(old, &(0..old.len()), new, &(0..new.len()));
    let (o_end, n_end) = (old.len() - end, new.len() - end);
    let mut ops = Vec::new();
    if start > 0 {
        push_op(
            &mut ops,
            DiffOp::Equal {
                old_index: 0,
                new_index: 0,
                len: start,
            },
        );
    }
    // Lines found once in each middle: (count in old, count in new, index in old).
    let mut seen: HashMap<&[u8], (usize, usize, usize)> = HashMap::new();
    for (i, line) in old.iter().enumerate().take(o_end).skip(start) {
        let e = seen.entry(line).or_insert((0, 0, i));
        e.0 += 1;
    }
    for line in &new[start..n_end] {
        if let Some(e) = seen.get_mut(line) {
            e.1 += 1;
        }
    }
    let pairs: Vec<(usize, usize)> = (start..n_end)
        .filter_map(|j| match seen.get(new[j]) {
            Some(&(1, 1, i)) => Some((i, j)),
            _ => None,
        })
        .collect();
    let (mut o, mut n) = (start, start);
    for (i, j) in longest_increasing(&pairs) {
        diff_gap(old, o..i, new, n..j, &mut ops);
        push_op(
            &mut ops,
            DiffOp::Equal {
                old_index: i,
                new_index: j,
                len: 1,
            },
        );
        (o, n) = (i + 1, j + 1);
    }
    diff_gap(old, o..o_end, new, n..n_end, &mut ops);
    if end > 0 {
        push_op(
            &mut ops,
            DiffOp::Equal {
                old_index: o_end,
                new_index: n_end,
                len: end,
            },
        );
    }
    ops
}

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
    // A line's own end (`\n`, `\r\n`) and its tabs stay, so the diff still applies; any other
    // control character (ESC, a lone `\r`, ...) is escaped: it would reach a terminal or log.
    out.push_str(&super::escape_controls_but(
        &String::from_utf8_lossy(&show(at..at + content.len())),
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

pub fn unified(path: &str, old: &[u8], new: &[u8], show_old: Show, show_new: Show) -> String {
    let old_lines = split_lines(old);
    let new_lines = split_lines(new);
    let old_text: Vec<&[u8]> = old_lines.iter().map(|l| l.1).collect();
    let new_text: Vec<&[u8]> = new_lines.iter().map(|l| l.1).collect();
    let ops = diff_ops(&old_text, &new_text);
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
    fn large_diffs_are_exact_and_linear() {
        // Every line of a large file changed, some kept, some added: the diff must give back
        // the new file from the old one.
        let old: String = (0..20_000).map(|i| format!("k{i} = a=b{i}\n")).collect();
        let new: String = (0..20_000)
            .map(|i| match i % 3 {
                0 => format!("k{i} = a=b{i}\n"),
                1 => format!("k{i} = \"a=b{i}\"\n"),
                _ => format!("k{i} = \"a=b{i}\"\nadded{i}\n"),
            })
            .collect();
        let d = unified(
            "x",
            old.as_bytes(),
            new.as_bytes(),
            &|r: std::ops::Range<usize>| old.as_bytes()[r].to_vec(),
            &|r: std::ops::Range<usize>| new.as_bytes()[r].to_vec(),
        );
        // Apply the hunks: context and deletions must match the old lines, in order.
        let old_lines: Vec<&str> = old.lines().collect();
        let mut rebuilt: Vec<String> = Vec::new();
        let mut at = 0;
        for line in d.lines().skip(2) {
            if let Some(header) = line.strip_prefix("@@ -") {
                let start: usize = header.split(',').next().unwrap().parse().unwrap();
                while at + 1 < start {
                    rebuilt.push(old_lines[at].to_string());
                    at += 1;
                }
            } else if let Some(kept) = line.strip_prefix(' ') {
                assert_eq!(kept, old_lines[at]);
                rebuilt.push(kept.to_string());
                at += 1;
            } else if let Some(gone) = line.strip_prefix('-') {
                assert_eq!(gone, old_lines[at]);
                at += 1;
            } else if let Some(added) = line.strip_prefix('+') {
                rebuilt.push(added.to_string());
            }
        }
        rebuilt.extend(old_lines[at..].iter().map(|l| l.to_string()));
        assert_eq!(rebuilt.join("\n") + "\n", new);
    }

    #[test]
    fn no_change_no_diff() {
        let show = |r: Range<usize>| b"a\n"[r].to_vec();
        assert_eq!(unified("x", b"a\n", b"a\n", &show, &show), "");
    }
}
