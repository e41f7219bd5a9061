//! JUnit XML: a test suite per audited file, a failing test case per finding named with its
//! `path:line:column` (GitLab keeps only the first of equal names), and a passing case for a
//! clean file. Valid against the junit-10.xsd of Jenkins' xUnit plugin: test cases carry no
//! `file` or `line` attribute (the suite names the file; the failure text, the location).

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

/// XML-escape an attribute value: as `escape`, and white space other than a space as character
/// references (a raw newline in an attribute is read back as a space).
fn escape_attr(text: &str) -> String {
    escape(text)
        .replace('\t', "&#9;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
}

/// A run that failed before it audited anything: one suite with one errored case.
pub fn render_failure(message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"redline\" tests=\"1\" failures=\"0\" errors=\"1\">\n  <testsuite name=\"redline\" tests=\"1\" failures=\"0\" errors=\"1\">\n    <testcase classname=\"redline\" name=\"redline run\">\n      <error type=\"run failed\" message=\"{}\">{}</error>\n    </testcase>\n  </testsuite>\n</testsuites>\n",
        escape_attr(message),
        escape(message)
    )
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
        let a = escape_attr(path);
        let _ = writeln!(
            out,
            "  <testsuite name=\"{a}\" tests=\"{}\" failures=\"{}\" errors=\"0\" file=\"{a}\">",
            mine.len().max(1),
            mine.len()
        );
        if mine.is_empty() {
            let _ = writeln!(
                out,
                "    <testcase classname=\"{a}\" name=\"{a}: no findings\"/>"
            );
        }
        for f in mine {
            // A live target (line 0) has no line: named by the target alone.
            let at = if f.line == 0 {
                String::new()
            } else {
                format!(":{}:{}", f.line, f.column)
            };
            let _ = writeln!(
                out,
                "    <testcase classname=\"{a}\" name=\"{a}{at} {}\">",
                f.rule
            );
            let _ = writeln!(
                out,
                "      <failure type=\"{} {}\" message=\"{}\">{}{at}: {} [{}] {}</failure>",
                f.rule,
                escape_attr(&f.name),
                escape_attr(&f.message),
                p,
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
