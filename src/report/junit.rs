//! JUnit XML: a test suite per audited file, a failing test case per finding named with its
//! `path:line:column` (GitLab keeps only the first of equal names), and a passing case for a
//! clean file.

use super::Resolved;
use std::fmt::Write;

/// XML-escape text; characters XML 1.0 cannot carry are dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// `files`: every audited file, in display form.
pub fn render(findings: &[Resolved], files: &[String]) -> String {
    let mut paths: Vec<&String> = files.iter().collect();
    paths.sort();
    paths.dedup();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let failures = findings.len();
    // Findings by path, grouped once: a suite per file must not scan every finding.
    let mut by_path: std::collections::HashMap<&str, Vec<&Resolved>> =
        std::collections::HashMap::new();
    for f in findings {
        by_path.entry(f.path.as_str()).or_default().push(f);
    }
    let clean = paths
        .iter()
        .filter(|p| !by_path.contains_key(p.as_str()))
        .count();
    let _ = writeln!(
        out,
        "<testsuites name=\"redline\" tests=\"{}\" failures=\"{failures}\" errors=\"0\">",
        failures + clean
    );
    for path in paths {
        let mine: Vec<&Resolved> = by_path.remove(path.as_str()).unwrap_or_default();
        let p = escape(path);
        let _ = writeln!(
            out,
            "  <testsuite name=\"{p}\" tests=\"{}\" failures=\"{}\" errors=\"0\">",
            mine.len().max(1),
            mine.len()
        );
        if mine.is_empty() {
            let _ = writeln!(
                out,
                "    <testcase classname=\"{p}\" name=\"{p}: no findings\" file=\"{p}\"/>"
            );
        }
        for f in mine {
            let _ = writeln!(
                out,
                "    <testcase classname=\"{p}\" name=\"{p}:{}:{} {}\" file=\"{p}\" line=\"{}\">",
                f.line, f.column, f.rule, f.line
            );
            let _ = writeln!(
                out,
                "      <failure type=\"{} {}\" message=\"{}\">{}:{}:{}: {} [{}] {}</failure>",
                f.rule,
                escape(&f.name),
                escape(&f.message),
                p,
                f.line,
                f.column,
                f.rule,
                f.severity,
                escape(&f.message)
            );
            let _ = writeln!(out, "    </testcase>");
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}
