//! GitHub Actions workflow commands (`::error file=...::message`), errors first: a step shows
//! only the first ten annotations of each kind. Escaped as the actions toolkit escapes them.

use super::Resolved;
use crate::rules::Severity;

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(findings: &[Resolved]) -> String {
    let mut ordered: Vec<&Resolved> = findings.iter().collect();
    // Stable: within a severity the report order (path, line, column, rule) stays.
    ordered.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let mut out = String::new();
    for f in ordered {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = Vec::new();
        // A live target is no file of the repository: its annotation names no file.
        if f.line > 0 {
            props.push(format!("file={}", escape_property(&f.path)));
            props.push(format!("line={}", f.line));
            props.push(format!("endLine={}", f.end_line));
        }
        // Columns only mean something on a single line.
        if f.line > 0 && f.line == f.end_line {
            props.push(format!("col={}", f.column));
            props.push(format!("endColumn={}", f.end_column.max(f.column)));
        }
        props.push(format!(
            "title={}",
            escape_property(&if f.line == 0 {
                format!("{} {} ({})", f.rule, f.name, f.path)
            } else {
                format!("{} {}", f.rule, f.name)
            })
        ));
        out.push_str(&format!(
            "::{command} {}::{}\n",
            props.join(","),
            escape_data(&f.message)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_toolkit() {
        assert_eq!(escape_data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
