//! The human report: `path:line:col: ID [severity] message`, the source line, the fix, and a
//! summary line. Colour only when asked for (the caller decides from the terminal and NO_COLOR).

use super::{Resolved, Summary};
use crate::fix::Applicability;
use crate::rules::Severity;
use colored::Colorize;
use std::fmt::Write;

/// Lines of the report fit this many columns, but for an excerpt of a longer source line (and a
/// word longer than a line, such as a path).
pub const WIDTH: usize = 100;

/// Continuation lines of a message, a related location or a fix start with this.
const INDENT: &str = "    ";

pub fn render(findings: &[Resolved], summary: &Summary) -> String {
    let mut out = render_findings(findings);
    if !findings.is_empty() {
        out.push('\n');
    }
    out.push_str(&summary_line(findings.len(), summary));
    out.push('\n');
    out
}

/// `text` in lines of at most `first` characters, then of `rest`, broken at spaces. A word
/// longer than a line is not broken.
fn wrap(text: &str, first: usize, rest: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    let mut width = 0;
    let mut budget = first;
    for word in text.split(' ') {
        let length = word.chars().count();
        let line = lines.last_mut().expect("one line at least");
        if width == 0 || width + 1 + length <= budget {
            if width > 0 {
                line.push(' ');
                width += 1;
            }
            line.push_str(word);
            width += length;
        } else {
            lines.push(word.to_string());
            width = length;
            budget = rest;
        }
    }
    lines
}

/// `head` (already `head_width` characters wide, colour codes aside) then `text` wrapped to
/// `WIDTH`, continuation lines indented.
fn write_wrapped(out: &mut String, head: &str, head_width: usize, text: &str) {
    let rest = WIDTH - INDENT.len();
    let lines = wrap(text, WIDTH.saturating_sub(head_width), rest);
    for (i, line) in lines.iter().enumerate() {
        if i == 0 {
            let _ = writeln!(out, "{head}{line}");
        } else {
            let _ = writeln!(out, "{INDENT}{line}");
        }
    }
}

/// The findings alone, without the summary line (`--quiet`), a blank line between two.
pub fn render_findings(findings: &[Resolved]) -> String {
    let mut out = String::new();
    for (i, f) in findings.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let (word, paint): (&str, fn(&str) -> colored::ColoredString) = match f.severity {
            Severity::Error => ("error", |t| t.red().bold()),
            Severity::Warning => ("warning", |t| t.yellow().bold()),
            Severity::Info => ("info", |t| t.blue().bold()),
        };
        // A live target has no line: `redis://host:6379: RD101 ...`.
        let location = if f.line == 0 {
            format!("{}:", f.path)
        } else {
            format!("{}:{}:{}:", f.path, f.line, f.column)
        };
        let head = format!("{} {} [{}] ", location.bold(), f.rule.bold(), paint(word));
        let head_width = location.chars().count() + 1 + f.rule.len() + 2 + word.len() + 2;
        write_wrapped(&mut out, &head, head_width, &f.message);
        if let Some(excerpt) = &f.excerpt {
            let number = f.line.to_string();
            let _ = writeln!(out, "  {} {} {}", number.dimmed(), "|".dimmed(), excerpt);
            if let Some((first, count)) = f.marker {
                let _ = writeln!(
                    out,
                    "  {} {} {}{}",
                    " ".repeat(number.len()),
                    "|".dimmed(),
                    " ".repeat(first),
                    paint(&"^".repeat(count))
                );
            }
        }
        for r in &f.related {
            let place = if r.line == 0 {
                format!("{}: ", r.path)
            } else {
                format!("{}:{}: ", r.path, r.line)
            };
            let head = format!("  {} {place}", "=".dimmed());
            write_wrapped(&mut out, &head, 4 + place.chars().count(), &r.message);
        }
        if let Some((applicability, description)) = &f.fix {
            let how = match applicability {
                Applicability::Safe => "fix",
                Applicability::Unsafe => "unsafe fix (--unsafe-fixes)",
                Applicability::Display => "suggestion",
            };
            let painted = match applicability {
                Applicability::Safe => how.green(),
                Applicability::Unsafe => how.yellow(),
                Applicability::Display => how.cyan(),
            };
            let head = format!("  {} {painted}: ", "=".dimmed());
            write_wrapped(&mut out, &head, 4 + how.len() + 2, description);
        }
    }
    out
}

/// The summary: its sentences on one line, or on as many as keep each within `WIDTH` (a
/// sentence is never broken).
pub fn summary_line(total: usize, s: &Summary) -> String {
    let mut sentences = findings_sentences(total, s);
    if s.held_back > 0 {
        sentences.push(format!(
            "{} more held back on development and test files (--all-environments shows them).",
            s.held_back
        ));
    }
    let mut out = String::new();
    let mut width = 0;
    for sentence in sentences {
        let length = sentence.chars().count();
        if width > 0 && width + 1 + length > WIDTH {
            out.push('\n');
            width = 0;
        } else if width > 0 {
            out.push(' ');
            width += 1;
        }
        out.push_str(&sentence);
        width += length;
    }
    out
}

fn findings_sentences(total: usize, s: &Summary) -> Vec<String> {
    if total == 0 {
        return vec![format!(
            "No findings in {} file{}.",
            s.files,
            plural(s.files)
        )];
    }
    let mut sentences = vec![format!(
        "Found {total} finding{} ({} error{}, {} warning{}, {} info{}) in {} file{}.",
        plural(total),
        s.errors,
        plural(s.errors),
        s.warnings,
        plural(s.warnings),
        s.infos,
        plural(s.infos),
        s.files,
        plural(s.files)
    )];
    if s.fixable > 0 {
        let mut line = format!("{} fixable with `redline fix`", s.fixable);
        if s.unsafe_fixable > 0 {
            let _ = write!(line, " ({} more with --unsafe-fixes)", s.unsafe_fixable);
        }
        line.push('.');
        sentences.push(line);
    } else if s.unsafe_fixable > 0 {
        sentences.push(format!(
            "{} fixable with `redline fix --unsafe-fixes`.",
            s.unsafe_fixable
        ));
    }
    sentences
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_breaks_at_spaces_within_the_width() {
        assert_eq!(wrap("a bb ccc dd", 6, 4), ["a bb", "ccc", "dd"]);
        // A word longer than the line stays whole.
        assert_eq!(wrap("x averylongword y", 4, 4), ["x", "averylongword", "y"]);
        assert_eq!(wrap("", 10, 10), [""]);
    }
}
