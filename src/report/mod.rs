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
use std::collections::{HashMap, HashSet};

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
    /// Which characters of `excerpt` the finding covers: (first, count), counted in the
    /// excerpt as shown (after masking, escaping and truncation).
    pub marker: Option<(usize, usize)>,
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

/// The bytes of `range` of a document as an output may show them: its secret ranges masked
/// unless `show_secrets`.
pub fn shown_bytes(
    doc: &crate::syntax::document::Document,
    range: std::ops::Range<usize>,
    show_secrets: bool,
) -> Vec<u8> {
    if show_secrets {
        doc.bytes()[range].to_vec()
    } else {
        doc.masked(range, crate::secret::MASK.as_bytes())
    }
}

/// The text an edit inserts as an output may show it: the secret parts its rule marked are
/// masked, and all of it when it replaces bytes that hold a secret of the file (a password
/// being quoted or re-encoded is still the password).
fn shown_replacement(
    edit: &crate::fix::Edit,
    doc: &crate::syntax::document::Document,
    show_secrets: bool,
) -> String {
    let text = &edit.replacement;
    if show_secrets {
        return String::from_utf8_lossy(text).into_owned();
    }
    let over_secret = !edit.range.is_empty() && !doc.secrets_in(edit.range.clone()).is_empty();
    if over_secret {
        return crate::secret::MASK.to_string();
    }
    let mut parts: Vec<std::ops::Range<usize>> = edit
        .secrets
        .iter()
        .map(|r| r.start.min(text.len())..r.end.min(text.len()))
        .filter(|r| !r.is_empty())
        .collect();
    parts.sort_by_key(|r| r.start);
    let mut out = Vec::with_capacity(text.len());
    let mut pos = 0;
    for part in parts {
        if part.end <= pos {
            continue;
        }
        out.extend_from_slice(&text[pos..part.start.max(pos)]);
        out.extend_from_slice(crate::secret::MASK.as_bytes());
        pos = part.end;
    }
    out.extend_from_slice(&text[pos..]);
    String::from_utf8_lossy(&out).into_owned()
}

/// The secret values of one document, for masking text that is not the document's own bytes
/// (messages, labels): messages are written never to quote a secret, and as a second guard any
/// secret of the file that still appears in one is masked. Values under four bytes are left
/// alone, so that masking cannot eat the words around them.
pub struct SecretValues {
    values: HashSet<Vec<u8>>,
    /// The distinct lengths of `values`, longest first.
    lengths: Vec<usize>,
}

impl SecretValues {
    pub fn of(doc: &crate::syntax::document::Document) -> SecretValues {
        let values: HashSet<Vec<u8>> = doc
            .secrets()
            .map(|r| {
                let raw = &doc.bytes()[r];
                let trim = |b: &u8| matches!(b, b'"' | b'\'' | b' ' | b'\t' | b'\r' | b'\n');
                let start = raw.iter().position(|b| !trim(b)).unwrap_or(raw.len());
                let end = raw.iter().rposition(|b| !trim(b)).map_or(start, |p| p + 1);
                raw[start..end].to_vec()
            })
            .filter(|v| v.len() >= 4)
            .collect();
        let mut lengths: Vec<usize> = values.iter().map(Vec::len).collect();
        lengths.sort_unstable_by(|a, b| b.cmp(a));
        lengths.dedup();
        SecretValues { values, lengths }
    }

    /// `text` with every secret value in it masked: one look-up per position and length, so
    /// the cost is bounded by the text, whatever the number of secrets.
    pub fn mask(&self, text: &str) -> String {
        if self.values.is_empty() {
            return text.to_string();
        }
        let bytes = text.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            // A value that is only part of a longer word of the message (`short` in
            // "shorter") is that word, not the value.
            let inside_word = |n: usize| {
                let letter = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphabetic);
                (letter(bytes.get(i)) && i > 0 && letter(bytes.get(i - 1)))
                    || (letter(bytes.get(i + n - 1)) && letter(bytes.get(i + n)))
            };
            let hit = self.lengths.iter().find(|&&n| {
                i + n <= bytes.len() && self.values.contains(&bytes[i..i + n]) && !inside_word(n)
            });
            match hit {
                Some(&n) => {
                    out.extend_from_slice(crate::secret::MASK.as_bytes());
                    i += n;
                }
                None => {
                    out.push(bytes[i]);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

/// The secret values of each file, read once per report.
#[derive(Default)]
pub struct SecretValuesByFile(HashMap<crate::source::FileId, SecretValues>);

impl SecretValuesByFile {
    /// `text`, found in an output about `file`, as the output may show it.
    pub fn shown(
        &mut self,
        sources: &Sources,
        file: crate::source::FileId,
        text: &str,
        show_secrets: bool,
    ) -> String {
        if show_secrets {
            return text.to_string();
        }
        self.0
            .entry(file)
            .or_insert_with(|| SecretValues::of(sources.doc(file)))
            .mask(text)
    }
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
    let mut values = SecretValuesByFile::default();
    let mut out: Vec<Resolved> = findings
        .iter()
        .map(|f| {
            let doc = sources.doc(f.file);
            // A running server's configuration has no lines anyone wrote: it is located by its
            // target alone (line 0: no line), and its secrets are never shown.
            let live = sources.is_live(f.file);
            let show_secrets = show_secrets && !live;
            let (line, column) = if live {
                (0, 0)
            } else {
                doc.line_col(f.span.start)
            };
            let (end_line, end_column) = if f.span.is_empty() || live {
                (line, column)
            } else {
                doc.line_col(f.span.end)
            };
            let absent = f.span.is_empty() && f.span.start == 0;
            let (excerpt, marker) = if doc.line_count() > 0 && !absent && !live {
                let mut content = doc.line(line - 1).content();
                if line == 1 && doc.has_bom() {
                    content.start = (content.start + 3).min(content.end);
                }
                let (text, marker) =
                    excerpt_with_marker(doc, content, f.span.clone(), show_secrets, 200);
                (Some(text), Some(marker))
            } else {
                (None, None)
            };
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
                message: values.shown(sources, f.file, &f.message, show_secrets),
                fix: f.fix.as_ref().map(|x| {
                    let description = values.shown(sources, f.file, &x.description, show_secrets);
                    (x.applicability, description)
                }),
                related: f
                    .related
                    .iter()
                    .map(|r| ResolvedRelated {
                        path: sources.display(r.file).to_string(),
                        line: if sources.is_live(r.file) {
                            0
                        } else {
                            sources.doc(r.file).line_col(r.span.start).0
                        },
                        message: values.shown(
                            sources,
                            r.file,
                            &r.message,
                            show_secrets && !sources.is_live(r.file),
                        ),
                    })
                    .collect(),
                excerpt,
                marker,
                setting: f.setting_name(),
                fingerprint: String::new(),
                safe_edits: f
                    .fix
                    .iter()
                    .filter(|x| x.applicability == Applicability::Safe)
                    .flat_map(|x| {
                        let edits: Vec<ResolvedEdit> = x
                            .edits
                            .iter()
                            .map(|e| ResolvedEdit {
                                path: sources.display(e.file).to_string(),
                                byte_offset: e.range.start,
                                byte_length: e.range.len(),
                                inserted: shown_replacement(e, sources.doc(e.file), show_secrets),
                            })
                            .collect();
                        // A fix whose text had to be masked would write `********` if a tool
                        // applied it as carried: such a fix is not carried at all (the report
                        // still describes it; `redline fix` applies it).
                        let masked = !show_secrets
                            && x.edits.iter().zip(&edits).any(|(e, shown)| {
                                shown.inserted.as_bytes() != e.replacement.as_slice()
                            });
                        if masked {
                            Vec::new()
                        } else {
                            edits
                        }
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

/// `printable(&shown_bytes(doc, line, show_secrets), max_chars)` for a line's content, and the
/// characters of that text the bytes `span` cover, as (first, count; at least one): a secret
/// the span starts or ends in is covered whole by its mask, an escaped character by its escape,
/// and what truncation cut off by the `…`.
pub fn excerpt_with_marker(
    doc: &crate::syntax::document::Document,
    line: std::ops::Range<usize>,
    span: std::ops::Range<usize>,
    show_secrets: bool,
    max_chars: usize,
) -> (String, (usize, usize)) {
    // The line as pieces: plain bytes, and masks standing for secret bytes.
    let mut pieces: Vec<(std::ops::Range<usize>, bool)> = Vec::new();
    let mut pos = line.start;
    if !show_secrets {
        for secret in doc.secrets_in(line.clone()) {
            let secret = secret.start.max(line.start)..secret.end.min(line.end);
            if secret.start > pos {
                pieces.push((pos..secret.start, false));
            }
            pieces.push((secret.clone(), true));
            pos = secret.end;
        }
    }
    if pos < line.end {
        pieces.push((pos..line.end, false));
    }
    let bytes = doc.bytes();
    let mut out = String::new();
    // Characters of the input read (what `max_chars` bounds, as in `printable`), and of the
    // output written (what the marker counts).
    let (mut read, mut written) = (0usize, 0usize);
    let (mut first, mut last) = (None::<usize>, None::<usize>);
    let mut truncated = false;
    // Before writing the character of bytes `at`: mark where the span starts and ends.
    let mut note = |at: std::ops::Range<usize>, written: usize| {
        if first.is_none() && at.end > span.start {
            first = Some(written);
        }
        if last.is_none() && at.start >= span.end && span.end > span.start {
            last = Some(written);
        }
    };
    'pieces: for (range, secret) in pieces {
        if secret {
            note(range.clone(), written);
            for c in crate::secret::MASK.chars() {
                if read >= max_chars {
                    truncated = true;
                    break 'pieces;
                }
                read += 1;
                out.push(c);
                written += 1;
            }
            continue;
        }
        let mut offset = range.start;
        for chunk in bytes[range.clone()].utf8_chunks() {
            let valid = chunk.valid();
            let mut chars: Vec<(std::ops::Range<usize>, char)> = valid
                .char_indices()
                .map(|(i, c)| (offset + i..offset + i + c.len_utf8(), c))
                .collect();
            offset += valid.len();
            if !chunk.invalid().is_empty() {
                chars.push((
                    offset..offset + chunk.invalid().len(),
                    char::REPLACEMENT_CHARACTER,
                ));
                offset += chunk.invalid().len();
            }
            for (at, c) in chars {
                if read >= max_chars {
                    truncated = true;
                    break 'pieces;
                }
                read += 1;
                note(at, written);
                let before = out.len();
                match c {
                    '\t' => out.push(' '),
                    c if c.is_control() => out.extend(c.escape_default()),
                    c => out.push(c),
                }
                written += out[before..].chars().count();
            }
        }
    }
    if truncated {
        out.push('…');
    }
    let shown = written + usize::from(truncated);
    // A span past what is shown (cut off, or in the line ending) points at the end.
    let start = first.unwrap_or(shown.saturating_sub(usize::from(truncated)));
    let start = start.min(shown);
    let end = if span.is_empty() {
        start + 1
    } else {
        last.unwrap_or(shown).max(start + 1)
    };
    (out, (start, end - start))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::document::Document;

    #[test]
    fn the_marker_counts_characters_as_the_excerpt_shows_them() {
        let text = "bind 0.0.0.0\nrequirepass \"hunter22\" \t\u{1b}x é\n";
        let mut doc = Document::parse(text.as_bytes().to_vec());
        doc.mark_secret(25..35);
        let line = |i: usize| doc.line(i).content();
        // Plain: the columns of the bytes.
        assert_eq!(
            excerpt_with_marker(&doc, line(0), 5..12, false, 200),
            ("bind 0.0.0.0".to_string(), (5, 7))
        );
        // Masked: the span over the secret covers its mask; an ESC shows as `\u{1b}` (6).
        let (shown, marker) = excerpt_with_marker(&doc, line(1), 25..35, false, 200);
        assert_eq!(shown, "requirepass ********  \\u{1b}x é");
        assert_eq!(marker, (12, 8));
        let (_, marker) = excerpt_with_marker(&doc, line(1), 37..39, false, 200);
        assert_eq!(marker, (22, 7));
        // A span starting inside the secret starts at its mask.
        let (_, marker) = excerpt_with_marker(&doc, line(1), 30..40, false, 200);
        assert_eq!(marker.0, 12);
        // Unmasked, the same span covers the quoted password.
        let (shown, marker) = excerpt_with_marker(&doc, line(1), 25..35, true, 200);
        assert_eq!(&shown[12..22], "\"hunter22\"");
        assert_eq!(marker, (12, 10));
        // The excerpt is the one `printable` gives.
        for show in [false, true] {
            let (shown, _) = excerpt_with_marker(&doc, line(1), 0..0, show, 200);
            assert_eq!(shown, printable(&shown_bytes(&doc, line(1), show), 200));
        }
        // Truncated: a span past the cut points at the `…`.
        let (shown, marker) = excerpt_with_marker(&doc, line(0), 8..12, false, 5);
        assert_eq!(shown, "bind …");
        assert_eq!(marker, (5, 1));
        // Empty, or at the end of the line: one caret.
        assert_eq!(
            excerpt_with_marker(&doc, line(0), 4..4, false, 200).1,
            (4, 1)
        );
        assert_eq!(
            excerpt_with_marker(&doc, line(0), 12..12, false, 200).1,
            (12, 1)
        );
        // Over several lines: to the end of the first.
        assert_eq!(
            excerpt_with_marker(&doc, line(0), 0..20, false, 200).1,
            (0, 12)
        );
    }

    #[test]
    fn secret_values_are_masked_in_other_text() {
        let mut doc = Document::parse(b"requirepass \"hunter22\"\nmasterauth abc\n".to_vec());
        doc.mark_secret(12..22);
        doc.mark_secret(34..37);
        let values = SecretValues::of(&doc);
        assert_eq!(
            values.mask("`hunter22` and hunter22x but abc"),
            "`********` and ********x but abc"
        );
        assert_eq!(
            shown_bytes(&doc, 0..22, false),
            b"requirepass ********".to_vec()
        );
        assert_eq!(shown_bytes(&doc, 0..22, true), b"requirepass \"hunter22\"");
        // A word of the message that merely holds the value is left alone.
        let mut doc = Document::parse(b"requirepass short\n".to_vec());
        doc.mark_secret(12..17);
        assert_eq!(
            SecretValues::of(&doc).mask("shorter than 32: `short`, :short@"),
            "shorter than 32: `********`, :********@"
        );
    }

    #[test]
    fn replacements_over_a_secret_or_marked_are_masked() {
        let mut doc = Document::parse(b"REDIS_PASSWORD=a#b\n".to_vec());
        doc.mark_secret(15..18);
        let quoting = crate::fix::replace(0, 15..18, b"'a#b'".to_vec());
        assert_eq!(
            shown_replacement(&quoting, &doc, false),
            crate::secret::MASK
        );
        assert_eq!(shown_replacement(&quoting, &doc, true), "'a#b'");
        let added = crate::fix::replace(0, 19..19, b"X_PASSWORD=s3cr3t\n".to_vec())
            .with_secret_text(b"s3cr3t");
        assert_eq!(
            shown_replacement(&added, &doc, false),
            "X_PASSWORD=********\n"
        );
    }
}
