//! GitLab Code Quality: a JSON array (no BOM) with a unique fingerprint per finding.

use super::Resolved;
use crate::rules::Severity;
use serde_json::json;

pub fn render(findings: &[Resolved]) -> String {
    let items: Vec<_> = findings
        .iter()
        .map(|f| {
            let severity = match f.severity {
                Severity::Error => "critical",
                Severity::Warning => "major",
                Severity::Info => "info",
            };
            json!({
                "description": format!("{}: {}", f.rule, f.message),
                "check_name": format!("{} {}", f.rule, f.name),
                "fingerprint": f.fingerprint,
                "severity": severity,
                // Code Quality needs a line: a live target's findings (line 0) are at its first.
                "location": { "path": f.path, "lines": { "begin": f.line.max(1), "end": f.end_line.max(1) } },
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&items).expect("serialises");
    text.push('\n');
    text
}
