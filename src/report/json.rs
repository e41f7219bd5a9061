//! The JSON report, version 1, exactly as cli.md specifies it.

use super::{Resolved, Summary};
use serde::Serialize;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    tool: Tool,
    findings: Vec<JsonFinding<'a>>,
    summary: JsonSummary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    name: &'a str,
    severity: &'a str,
    path: &'a str,
    /// null for a live target (`check --live`): a server has no lines.
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    message: &'a str,
    fix: Option<JsonFix<'a>>,
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: &'a str,
    description: &'a str,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    path: &'a str,
    line: Option<usize>,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonSummary {
    files: usize,
    findings: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    fixable: usize,
    /// Present when the environments held findings back.
    #[serde(skip_serializing_if = "is_zero")]
    held_back: usize,
}

/// A position, or none for a live target (line 0).
fn located(line: usize, value: usize) -> Option<usize> {
    (line > 0).then_some(value)
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

pub fn render(findings: &[Resolved], summary: &Summary) -> String {
    let report = Report {
        version: 1,
        tool: Tool {
            name: "redline",
            version: env!("CARGO_PKG_VERSION"),
        },
        findings: findings
            .iter()
            .map(|f| JsonFinding {
                rule: f.rule,
                name: &f.name,
                severity: f.severity.as_str(),
                path: &f.path,
                line: located(f.line, f.line),
                column: located(f.line, f.column),
                end_line: located(f.line, f.end_line),
                end_column: located(f.line, f.end_column),
                message: &f.message,
                fix: f.fix.as_ref().map(|(a, d)| JsonFix {
                    applicability: a.as_str(),
                    description: d,
                }),
                related: f
                    .related
                    .iter()
                    .map(|r| JsonRelated {
                        path: &r.path,
                        line: located(r.line, r.line),
                        message: &r.message,
                    })
                    .collect(),
            })
            .collect(),
        summary: JsonSummary {
            files: summary.files,
            findings: findings.len(),
            errors: summary.errors,
            warnings: summary.warnings,
            infos: summary.infos,
            fixable: summary.fixable + summary.unsafe_fixable,
            held_back: summary.held_back,
        },
    };
    let mut text = serde_json::to_string_pretty(&report).expect("the report serialises");
    text.push('\n');
    text
}
