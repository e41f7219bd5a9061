//! SARIF 2.1.0, as GitHub code scanning reads it: every rule with its descriptions, help and
//! security severity; results with repo-relative locations, stable partial fingerprints and, for
//! safe fixes, the replacements (secrets masked).

use super::Resolved;
use crate::rules::{catalog, Severity};
use serde_json::{json, Value};

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// GitHub's scale: 9+ critical, 7-8.9 high, 4-6.9 medium, below that low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Info => "2.0",
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

fn rules() -> Vec<Value> {
    catalog()
        .iter()
        .map(|r| {
            let explanation = r.explanation.trim().replace('\n', " ");
            let markdown = format!(
                "{}\n\n```\n{}\n```\n\n**Fix** ({}): {}\n\n{}",
                r.explanation.trim(),
                r.example.trim(),
                r.fix,
                r.fix_description,
                r.references.iter().map(|u| format!("- <{u}>")).collect::<Vec<_>>().join("\n")
            );
            let mut rule = json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": truncate(&explanation, 1024) },
                "help": { "text": format!("{} Fix ({}): {}", explanation, r.fix, r.fix_description), "markdown": markdown },
                "defaultConfiguration": { "level": level(r.severity) },
                "properties": { "security-severity": security_severity(r.severity), "tags": ["security", "redis"] }
            });
            // helpUri must be a URI: left out when the rule has no reference.
            if let Some(uri) = r.references.first() {
                rule["helpUri"] = json!(uri);
            }
            rule
        })
        .collect()
}

fn region(f: &Resolved) -> Value {
    json!({ "startLine": f.line, "startColumn": f.column, "endLine": f.end_line, "endColumn": f.end_column.max(f.column) })
}

pub fn render(findings: &[Resolved]) -> String {
    let index = |id: &str| catalog().iter().position(|r| r.id == id);
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut result = json!({
                "ruleId": f.rule,
                "level": level(f.severity),
                "message": { "text": f.message },
                "locations": [{ "physicalLocation": { "artifactLocation": { "uri": f.path }, "region": region(f) } }],
                "partialFingerprints": { "redline/v1": f.fingerprint },
            });
            if let Some(i) = index(f.rule) {
                result["ruleIndex"] = json!(i);
            }
            if !f.related.is_empty() {
                result["relatedLocations"] = f
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        json!({ "id": i, "message": { "text": r.message }, "physicalLocation": { "artifactLocation": { "uri": r.path }, "region": { "startLine": r.line } } })
                    })
                    .collect();
            }
            if let (Some((_, description)), false) = (&f.fix, f.safe_edits.is_empty()) {
                let mut by_file: Vec<(String, Vec<Value>)> = Vec::new();
                for e in &f.safe_edits {
                    let replacement = json!({ "deletedRegion": { "byteOffset": e.byte_offset, "byteLength": e.byte_length }, "insertedContent": { "text": e.inserted } });
                    match by_file.iter_mut().find(|(p, _)| *p == e.path) {
                        Some((_, list)) => list.push(replacement),
                        None => by_file.push((e.path.clone(), vec![replacement])),
                    }
                }
                result["fixes"] = json!([{
                    "description": { "text": description },
                    "artifactChanges": by_file.into_iter().map(|(path, replacements)| json!({ "artifactLocation": { "uri": path }, "replacements": replacements })).collect::<Vec<_>>()
                }]);
            }
            result
        })
        .collect();
    let report = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "redline",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules(),
            } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&report).expect("SARIF serialises");
    text.push('\n');
    text
}
