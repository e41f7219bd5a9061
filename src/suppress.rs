//! Inline suppressions, in every file of the stack: an own-line `redline: ignore ID[,ID] -- reason`
//! comment covers the next directive (and, above the first directive, findings about absent
//! settings); `redline: ignore-file ID` covers the whole file. The comment is the file's own: `#` in
//! redis.conf, sentinel.conf, `.env` and settings.py, `;` in php.ini, `//` or `#` in a Laravel
//! `config/*.php`. Text after the IDs never breaks one. A suppression that suppresses nothing is
//! RL001 (with a fix that removes it); an ID that names no rule is RL002.

use crate::fix::{self, Applicability, Fix};
use crate::rules::{self, Finding, Selection};
use crate::source::{FileId, Sources, Syntax};
use crate::syntax::redis::{parse_line, RedisLine};
use std::collections::{HashMap, HashSet};
use std::ops::Range;

#[derive(Debug, Clone)]
pub struct Suppression {
    pub file: FileId,
    /// The whole comment line, terminator included.
    pub line_range: Range<usize>,
    /// The ID list, for rewriting it.
    pub ids_span: Range<usize>,
    pub ids: Vec<String>,
    pub whole_file: bool,
    /// 0-based index of the directive line it covers.
    pub target_line: Option<usize>,
    /// The last line of that directive: a Python or PHP statement may run over lines while a
    /// bracket is open (`CACHES = {` ... `}`), and a finding on any of them is about it.
    pub target_end: Option<usize>,
    /// No directive comes before it: it also covers findings about absent settings.
    pub header: bool,
    pub used: Vec<bool>,
}

/// Parse `# redline: ignore[-file] ID, ID -- reason` (any text may follow the IDs), the comment
/// opened by one of `comments`.
fn parse_comment(line: &[u8], comments: &[&str]) -> Option<(bool, Range<usize>, Vec<String>)> {
    let text = std::str::from_utf8(line).ok()?;
    let trimmed = text.trim_start();
    let rest = comments.iter().find_map(|c| trimmed.strip_prefix(c))?;
    let after_hash = rest.trim_start();
    let rest = after_hash.strip_prefix("redline:")?.trim_start();
    let (whole_file, rest) = if let Some(r) = rest.strip_prefix("ignore-file") {
        (true, r)
    } else {
        (false, rest.strip_prefix("ignore")?)
    };
    let rest = rest.strip_prefix(['=', ':']).unwrap_or(rest);
    let start_in_text = text.len() - rest.len();
    let mut ids = Vec::new();
    let mut end = start_in_text;
    let mut first = None;
    let mut cursor = start_in_text;
    for part in rest.split(',') {
        let trimmed = part.trim();
        let word: String = trimmed
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        let is_id = !word.is_empty()
            && word.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && word.chars().any(|c| c.is_ascii_digit());
        if !is_id {
            break;
        }
        ids.push(word.to_ascii_uppercase());
        let lead = part.len() - part.trim_start().len();
        first.get_or_insert(cursor + lead);
        end = cursor + lead + word.len();
        if word.len() != trimmed.len() {
            break; // text after the ID (a reason) ends the list
        }
        cursor += part.len() + 1;
    }
    Some((whole_file, first?..end, ids))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Blank,
    Comment,
    Directive,
}

/// What a line is, in the file's own syntax (an INI section header is neither comment nor
/// directive: a suppression above it reaches the entry below).
fn line_kind(syntax: Syntax, doc: &crate::syntax::document::Document, index: usize) -> LineKind {
    match syntax {
        Syntax::Ini | Syntax::Env | Syntax::Python | Syntax::Yaml => {
            let comment = if syntax == Syntax::Ini { b';' } else { b'#' };
            let text = doc.line_bytes(index);
            match text.iter().find(|b| !b.is_ascii_whitespace()) {
                None => LineKind::Blank,
                Some(&c) if c == comment => LineKind::Comment,
                Some(b'[') if syntax == Syntax::Ini => LineKind::Blank,
                Some(_) => LineKind::Directive,
            }
        }
        Syntax::Php | Syntax::JavaScript => {
            let text = doc.line_bytes(index);
            let start = text
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(text.len());
            let text = &text[start..];
            if text.is_empty() || text.starts_with(b"<?php") || text.starts_with(b"?>") {
                LineKind::Blank
            } else if text.starts_with(b"#[") {
                // A PHP 8 attribute, not a comment.
                LineKind::Directive
            } else if text.starts_with(b"//")
                || text.starts_with(b"#")
                || text.starts_with(b"/*")
                || text.starts_with(b"*")
            {
                // Docblock lines too: a suppression above a commented entry reaches the entry.
                LineKind::Comment
            } else {
                LineKind::Directive
            }
        }
        Syntax::Other => LineKind::Blank,
        Syntax::Redis => match parse_line(doc, index) {
            RedisLine::Blank => LineKind::Blank,
            RedisLine::Comment => LineKind::Comment,
            RedisLine::Directive(_) | RedisLine::Unbalanced { .. } => LineKind::Directive,
        },
    }
}

/// The last line of the statement that starts on line `first`: for Python and PHP, where the
/// brackets opened on it close (strings and comments skipped); one line elsewhere. Bounded, so a
/// file with an unclosed bracket costs a bounded scan per suppression.
fn statement_end(syntax: Syntax, doc: &crate::syntax::document::Document, first: usize) -> usize {
    if !matches!(syntax, Syntax::Python | Syntax::Php | Syntax::JavaScript) {
        return first;
    }
    const MAX_LINES: usize = 2000;
    let mut depth: usize = 0;
    let mut quote: Option<u8> = None;
    for index in first..doc.line_count().min(first + MAX_LINES) {
        let line = doc.line_bytes(index);
        let mut i = 0;
        while i < line.len() {
            let b = line[i];
            match quote {
                Some(q) => {
                    if b == b'\\' {
                        i += 1;
                    } else if b == q {
                        quote = None;
                    }
                }
                None => match b {
                    b'\'' | b'"' => quote = Some(b),
                    b'#' => break,
                    b'/' if line.get(i + 1) == Some(&b'/')
                        && matches!(syntax, Syntax::Php | Syntax::JavaScript) =>
                    {
                        break
                    }
                    b'(' | b'[' | b'{' => depth += 1,
                    b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                    _ => {}
                },
            }
            i += 1;
        }
        // A string does not run past its line (triple quotes aside): a stray quote ends here.
        quote = None;
        if depth == 0 {
            return index;
        }
    }
    first
}

/// The suppressions written in `file`.
pub fn collect(sources: &Sources, file: FileId) -> Vec<Suppression> {
    let doc = sources.doc(file);
    // Most files hold no suppression: skip classifying their lines.
    if memchr::memmem::find(doc.bytes(), b"redline:").is_none() {
        return Vec::new();
    }
    let syntax = sources.syntax(file);
    let kinds: Vec<LineKind> = (0..doc.line_count())
        .map(|i| line_kind(syntax, doc, i))
        .collect();
    let is_directive = |k: &LineKind| *k == LineKind::Directive;
    let comments: &[&str] = match syntax {
        Syntax::Ini => &[";"],
        Syntax::Php => &["//", "#"],
        _ => &["#"],
    };
    let mut out = Vec::new();
    for (i, kind) in kinds.iter().enumerate() {
        if *kind != LineKind::Comment {
            continue;
        }
        let Some((whole_file, ids_span, ids)) = parse_comment(doc.line_bytes(i), comments) else {
            continue;
        };
        let line = doc.line(i);
        let target_line = kinds
            .iter()
            .enumerate()
            .skip(i + 1)
            .find(|(_, k)| is_directive(k))
            .map(|(j, _)| j);
        let header = !kinds[..i].iter().any(is_directive);
        let target_end = target_line.map(|t| statement_end(syntax, doc, t));
        let used = vec![false; ids.len()];
        out.push(Suppression {
            file,
            line_range: line.start()..line.end(),
            ids_span: line.start() + ids_span.start..line.start() + ids_span.end,
            ids,
            whole_file,
            target_line,
            target_end,
            header,
            used,
        });
    }
    out
}

/// Drop the findings the suppressions of `files` cover; return the kept findings plus RL001 and
/// RL002 findings about the suppressions themselves.
pub fn apply(
    findings: Vec<Finding>,
    sources: &Sources,
    files: &[FileId],
    selection: &Selection,
) -> Vec<Finding> {
    let mut suppressions: Vec<Suppression> =
        files.iter().flat_map(|f| collect(sources, *f)).collect();
    // The suppressions that may cover a finding, by file: those of the whole file and the header,
    // and those of each directive line. A look-up per finding, not a scan of every suppression.
    let mut by_file: HashMap<FileId, Vec<usize>> = HashMap::new();
    let mut by_line: HashMap<(FileId, usize), Vec<usize>> = HashMap::new();
    for (i, s) in suppressions.iter().enumerate() {
        if s.whole_file || s.header {
            by_file.entry(s.file).or_default().push(i);
        }
        if let (Some(first), Some(last)) = (s.target_line, s.target_end) {
            for line in first..=last.max(first) {
                by_line.entry((s.file, line)).or_default().push(i);
            }
        }
    }
    // Rules some of whose findings in a file were dropped where they were made (the findings cap):
    // a suppression of theirs cannot be said to suppress nothing.
    let capped: HashSet<(FileId, &str)> = findings
        .iter()
        .filter(|f| f.hidden > 0)
        .map(|f| (f.file, f.rule))
        .collect();
    let mut kept = Vec::new();
    for finding in findings {
        let doc = sources.doc(finding.file);
        let absent = finding.span.is_empty() && finding.span.start == 0;
        let line = doc.line_index(finding.span.start);
        let mut suppressed = false;
        let mut candidates: Vec<usize> = by_file
            .get(&finding.file)
            .into_iter()
            .chain(by_line.get(&(finding.file, line)))
            .flatten()
            .copied()
            .collect();
        // In file order, as a scan of them all would meet them.
        candidates.sort_unstable();
        candidates.dedup();
        for i in candidates {
            let s = &mut suppressions[i];
            let within = match (s.target_line, s.target_end) {
                (Some(first), Some(last)) => (first..=last.max(first)).contains(&line),
                _ => false,
            };
            let covers = s.whole_file || (absent && s.header) || (!absent && within);
            if !covers {
                continue;
            }
            for (id, used) in s.ids.iter().zip(s.used.iter_mut()) {
                if finding.rule == id {
                    *used = true;
                    suppressed = true;
                }
            }
        }
        if !suppressed {
            kept.push(finding);
        }
    }
    for s in &suppressions {
        let unknown: Vec<&String> = s
            .ids
            .iter()
            .filter(|id| rules::rule(id).is_none())
            .collect();
        for id in &unknown {
            kept.push(
                Finding::new(
                    crate::rules::RuleId::RL002,
                    s.file,
                    s.ids_span.clone(),
                    format!(
                    "`{id}` in a `redline: ignore` comment is not a rule of this redline version"
                ),
                )
                // The comment names the setting: its text is the reader's, not a value.
                .setting("redline: ignore"),
            );
        }
        // Only rules that ran can be judged unused.
        let unused: Vec<&String> = s
            .ids
            .iter()
            .zip(&s.used)
            .filter(|(id, used)| {
                !**used
                    && rules::rule(id).is_some()
                    && selection.enabled(id)
                    && !capped.contains(&(s.file, id.as_str()))
            })
            .map(|(id, _)| id)
            .collect();
        if unused.is_empty() {
            continue;
        }
        let remaining: Vec<&String> = s.ids.iter().filter(|id| !unused.contains(id)).collect();
        let edit = if remaining.is_empty() {
            fix::replace(s.file, s.line_range.clone(), Vec::new())
        } else {
            fix::replace(
                s.file,
                s.ids_span.clone(),
                remaining
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        };
        let what = if s.whole_file {
            "ignore-file"
        } else {
            "ignore"
        };
        let names = unused
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let fix = Fix::new(
            Applicability::Safe,
            format!("remove {names} from the suppression"),
            vec![edit],
        );
        kept.push(
            Finding::new(
                crate::rules::RuleId::RL001,
                s.file,
                s.ids_span.clone(),
                format!("`redline: {what} {names}` suppresses nothing"),
            )
            .setting(format!("redline: {what}"))
            .with_fix(Some(fix)),
        );
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::parse_comment;

    fn parse_comment_hash(line: &[u8]) -> Option<(bool, std::ops::Range<usize>, Vec<String>)> {
        parse_comment(line, &["#"])
    }

    #[test]
    fn comment_forms() {
        let (file, span, ids) =
            parse_comment_hash(b"# redline: ignore RD301 -- AOF off on purpose").unwrap();
        assert!(!file);
        assert_eq!(ids, ["RD301"]);
        assert_eq!(
            &"# redline: ignore RD301 -- AOF off on purpose"[span],
            "RD301"
        );
        let (_, _, ids) = parse_comment_hash(b"  #redline: ignore RD301,rd401 , XS201   ").unwrap();
        assert_eq!(ids, ["RD301", "RD401", "XS201"]);
        let (file, _, ids) = parse_comment_hash(b"# redline: ignore-file RD502 reason").unwrap();
        assert!(file);
        assert_eq!(ids, ["RD502"]);
        assert_eq!(
            parse_comment_hash(b"# redline: ignore=RD101").unwrap().2,
            ["RD101"]
        );
        assert!(parse_comment_hash(b"# redline: ignore").is_none());
        assert!(parse_comment_hash(b"# just a comment about redline: ignore").is_none());
        let php = ["//", "#"];
        assert_eq!(
            parse_comment(b"    // redline: ignore LV105 -- widget", &php)
                .unwrap()
                .2,
            ["LV105"]
        );
        assert_eq!(
            parse_comment(b"# redline: ignore-file LV002", &php)
                .unwrap()
                .2,
            ["LV002"]
        );
        assert!(parse_comment(b"/ redline: ignore LV105", &php).is_none());
    }
}
