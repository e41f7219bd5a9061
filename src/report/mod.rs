//! Reports. Findings are resolved once into paths, lines and columns (`Resolved`), sorted by
//! path, line, column and rule, and every format renders that same list, so one input always
//! gives byte-identical output.

pub mod diff;
pub mod json;
pub mod text;

use crate::fix::Applicability;
use crate::rules::{Finding, Severity};
use crate::source::Sources;

#[derive(Debug, Clone)]
pub struct ResolvedRelated {
    pub path: String,
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Resolved {
    pub rule: &'static str,
    pub name: String,
    pub severity: Severity,
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub message: String,
    pub fix: Option<(Applicability, String)>,
    pub related: Vec<ResolvedRelated>,
    /// The finding's first source line, secrets masked unless `--show-secrets`.
    pub excerpt: Option<String>,
}

pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub fixable: usize,
    pub unsafe_fixable: usize,
}

pub fn resolve(findings: &[Finding], sources: &Sources, show_secrets: bool) -> Vec<Resolved> {
    let mut out: Vec<Resolved> = findings
        .iter()
        .map(|f| {
            let doc = sources.doc(f.file);
            let (line, column) = doc.line_col(f.span.start);
            let (end_line, end_column) = if f.span.is_empty() {
                (line, column)
            } else {
                doc.line_col(f.span.end)
            };
            let absent = f.span.is_empty() && f.span.start == 0;
            let excerpt = (!doc.lines().is_empty() && !absent).then(|| {
                let raw = doc.line_bytes(line - 1);
                let raw = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
                let shown = if show_secrets {
                    raw.to_vec()
                } else {
                    crate::secret::redact_line(raw)
                };
                printable(&shown, 200)
            });
            Resolved {
                rule: f.rule,
                name: crate::rules::rule(f.rule)
                    .map(|r| r.name.clone())
                    .unwrap_or_default(),
                severity: f.severity,
                path: sources.display(f.file).to_string(),
                line,
                column,
                end_line,
                end_column,
                message: f.message.clone(),
                fix: f
                    .fix
                    .as_ref()
                    .map(|x| (x.applicability, x.description.clone())),
                related: f
                    .related
                    .iter()
                    .map(|r| ResolvedRelated {
                        path: sources.display(r.file).to_string(),
                        line: sources.doc(r.file).line_col(r.span.start).0,
                        message: r.message.clone(),
                    })
                    .collect(),
                excerpt,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (&a.path, a.line, a.column, a.rule, &a.message)
            .cmp(&(&b.path, b.line, b.column, b.rule, &b.message))
    });
    out
}

pub fn summarize(findings: &[Resolved], files: usize) -> Summary {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    Summary {
        files,
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        infos: count(Severity::Info),
        fixable: findings
            .iter()
            .filter(|f| matches!(f.fix, Some((Applicability::Safe, _))))
            .count(),
        unsafe_fixable: findings
            .iter()
            .filter(|f| matches!(f.fix, Some((Applicability::Unsafe, _))))
            .count(),
    }
}

/// Bytes as text a terminal can show: invalid UTF-8 and control characters escaped, bounded.
pub fn printable(bytes: &[u8], max_chars: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i >= max_chars {
            out.push('…');
            break;
        }
        match c {
            '\t' => out.push(' '),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}
