//! The human report: `path:line:col: ID [severity] message`, the source line, the fix, and a
//! summary line. Colour only when asked for (the caller decides from the terminal and NO_COLOR).

use super::{Resolved, Summary};
use crate::fix::Applicability;
use crate::rules::Severity;
use colored::Colorize;
use std::fmt::Write;

pub fn render(findings: &[Resolved], summary: &Summary) -> String {
    let mut out = render_findings(findings);
    out.push_str(&summary_line(findings.len(), summary));
    out.push('\n');
    out
}

/// The findings alone, without the summary line (`--quiet`).
pub fn render_findings(findings: &[Resolved]) -> String {
    let mut out = String::new();
    for f in findings {
        let severity = match f.severity {
            Severity::Error => "error".red().bold(),
            Severity::Warning => "warning".yellow().bold(),
            Severity::Info => "info".blue().bold(),
        };
        let location = format!("{}:{}:{}:", f.path, f.line, f.column);
        let _ = writeln!(
            out,
            "{} {} [{}] {}",
            location.bold(),
            f.rule.bold(),
            severity,
            f.message
        );
        if let Some(excerpt) = &f.excerpt {
            let number = f.line.to_string();
            let _ = writeln!(out, "  {} {} {}", number.dimmed(), "|".dimmed(), excerpt);
        }
        for r in &f.related {
            let _ = writeln!(
                out,
                "  {} {}:{}: {}",
                "=".dimmed(),
                r.path,
                r.line,
                r.message
            );
        }
        if let Some((applicability, description)) = &f.fix {
            let how = match applicability {
                Applicability::Safe => "fix".green().to_string(),
                Applicability::Unsafe => "unsafe fix (--unsafe-fixes)".yellow().to_string(),
                Applicability::Display => "suggestion".cyan().to_string(),
            };
            let _ = writeln!(out, "  {} {how}: {description}", "=".dimmed());
        }
    }
    out
}

pub fn summary_line(total: usize, s: &Summary) -> String {
    let mut line = findings_line(total, s);
    if s.held_back > 0 {
        let _ = write!(
            line,
            " {} more held back on development and test files (--all-environments shows them).",
            s.held_back
        );
    }
    line
}

fn findings_line(total: usize, s: &Summary) -> String {
    if total == 0 {
        return format!("No findings in {} file{}.", s.files, plural(s.files));
    }
    let mut line = format!(
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
    );
    if s.fixable > 0 {
        let _ = write!(line, " {} fixable with `redline fix`", s.fixable);
        if s.unsafe_fixable > 0 {
            let _ = write!(line, " ({} more with --unsafe-fixes)", s.unsafe_fixable);
        }
        line.push('.');
    } else if s.unsafe_fixable > 0 {
        let _ = write!(
            line,
            " {} fixable with `redline fix --unsafe-fixes`.",
            s.unsafe_fixable
        );
    }
    line
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
