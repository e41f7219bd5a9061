//! Reports. Findings are resolved once into paths, lines and columns (`Resolved`), sorted by
//! path, line, column and rule, and every format renders that same list, so one input always
//! gives byte-identical output.

pub mod diff;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod text;
pub mod topology;

use crate::fix::Applicability;
use crate::rules::{Finding, RuleMeta, Severity};
use crate::source::Sources;
use std::borrow::Cow;
use std::collections::HashMap;

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
    /// The setting the finding is about (`maxmemory-policy`, `sentinel auth-pass mymaster`), or
    /// `(absent)`: what baselines match on, never a line number.
    pub setting: String,
    /// Stable across line moves, unique per finding: rule, path, setting and the ordinal among
    /// findings sharing those.
    pub fingerprint: String,
    /// The edits of a safe fix, for formats that carry fixes (SARIF).
    pub safe_edits: Vec<ResolvedEdit>,
}

#[derive(Debug, Clone)]
pub struct ResolvedEdit {
    pub path: String,
    pub byte_offset: usize,
    pub byte_length: usize,
    /// The new text, secrets masked unless `--show-secrets`.
    pub inserted: String,
}

impl Resolved {
    pub fn meta(&self) -> Option<&'static RuleMeta> {
        crate::rules::rule(self.rule)
    }
}

/// Mask the secrets of every line of `text`, a piece of a file of `syntax`.
fn redact_text(text: &[u8], syntax: crate::source::Syntax, show_secrets: bool) -> String {
    if show_secrets {
        return String::from_utf8_lossy(text).into_owned();
    }
    let masked: Vec<u8> = text
        .split_inclusive(|&b| b == b'\n')
        .flat_map(|line| {
            let (body, end) = match line.strip_suffix(b"\n") {
                Some(b) => (b, &b"\n"[..]),
                None => (line, &b""[..]),
            };
            let mut out = crate::secret::redact(syntax, body);
            out.extend_from_slice(end);
            out
        })
        .collect();
    String::from_utf8_lossy(&masked).into_owned()
}

pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub fixable: usize,
    pub unsafe_fixable: usize,
    /// Hardening findings on development and test files, not reported (rules.md, Environments).
    pub held_back: usize,
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
            let excerpt = (doc.line_count() > 0 && !absent).then(|| {
                let raw = doc.line_bytes(line - 1);
                let raw = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
                let shown = if show_secrets {
                    raw.to_vec()
                } else {
                    crate::secret::redact(sources.syntax(f.file), raw)
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
                setting: if f.span.is_empty() {
                    "(absent)".to_string()
                } else {
                    setting_key(sources.syntax(f.file), doc.line_bytes(line - 1))
                },
                fingerprint: String::new(),
                safe_edits: f
                    .fix
                    .iter()
                    .filter(|x| x.applicability == Applicability::Safe)
                    .flat_map(|x| &x.edits)
                    .map(|e| ResolvedEdit {
                        path: sources.display(e.file).to_string(),
                        byte_offset: e.range.start,
                        byte_length: e.range.len(),
                        inserted: redact_text(&e.replacement, sources.syntax(e.file), show_secrets),
                    })
                    .collect(),
            }
        })
        .collect();
    out.iter_mut().for_each(escape_resolved);
    out.sort_by(|a, b| {
        (&a.path, a.line, a.column, a.rule, &a.message)
            .cmp(&(&b.path, b.line, b.column, b.rule, &b.message))
    });
    let mut ordinals: HashMap<(String, &str, String), usize> = HashMap::new();
    for f in &mut out {
        let n = ordinals
            .entry((f.path.clone(), f.rule, f.setting.clone()))
            .or_default();
        let key = format!("{}\0{}\0{}\0{}", f.rule, f.path, f.setting, n);
        f.fingerprint = crate::secret::sha256_hex(key.as_bytes())[..32].to_string();
        *n += 1;
    }
    out
}

/// The setting a source line sets, as a stable key (never a value).
fn setting_key(syntax: crate::source::Syntax, line: &[u8]) -> String {
    match syntax {
        crate::source::Syntax::Php => {
            let text = String::from_utf8_lossy(line);
            let key = text.split("=>").next().unwrap_or("").trim();
            key.trim_matches(|c| c == '\'' || c == '"')
                .chars()
                .take(80)
                .collect()
        }
        crate::source::Syntax::Ini | crate::source::Syntax::Env | crate::source::Syntax::Python => {
            let text = String::from_utf8_lossy(line);
            text.split('=')
                .next()
                .unwrap_or("")
                .trim()
                .chars()
                .take(80)
                .collect()
        }
        _ => crate::syntax::redis::setting_key(line),
    }
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
        held_back: 0,
    }
}

/// `text` with every control character escaped (`\n`, `\r`, `\t`, `\u{1b}`, ...): C0, DEL and
/// C1. Paths, values and messages come from files a stranger wrote: unescaped, a newline could
/// start a line a CI runner reads as a command (`::error ...`), an ESC a terminal sequence.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    escape_controls_but(text, None)
}

/// `escape_controls`, keeping `keep` as it is (a diff keeps the tabs of the lines it shows).
pub fn escape_controls_but(text: &str, keep: Option<char>) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && Some(c) != keep) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() && Some(c) != keep {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Escape, in place, what `escape_controls` escapes.
pub fn escape_in_place(text: &mut String) {
    if let Cow::Owned(escaped) = escape_controls(text) {
        *text = escaped;
    }
}

/// Every text of a finding that comes from input, escaped for any output. (The SARIF fix text
/// is file content: its JSON encoding escapes it, and it must stay byte-exact.)
fn escape_resolved(f: &mut Resolved) {
    escape_in_place(&mut f.path);
    escape_in_place(&mut f.message);
    escape_in_place(&mut f.setting);
    if let Some((_, description)) = &mut f.fix {
        escape_in_place(description);
    }
    for r in &mut f.related {
        escape_in_place(&mut r.path);
        escape_in_place(&mut r.message);
    }
    for e in &mut f.safe_edits {
        escape_in_place(&mut e.path);
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
