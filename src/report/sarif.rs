//! SARIF 2.1.0, as GitHub code scanning reads it: every rule with its descriptions, help and
//! security severity; results with repo-relative locations, stable partial fingerprints and, for
//! safe fixes, the replacements (secrets masked).

use super::Resolved;
use crate::rules::{catalog, Severity};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// GitHub code scanning accepts at most this many results per run.
pub const MAX_RESULTS: usize = 25_000;

/// What SARIF records about the run itself.
#[derive(Debug, Clone, Default)]
pub struct RunInfo {
    /// The process's exit code (2: the run failed).
    pub exit_code: i32,
    /// Why the run or a file failed (an unreadable file, a bad redline.toml), one per problem.
    pub errors: Vec<String>,
    /// `[severity]` overrides of redline.toml: the rules' levels follow them.
    pub severity: BTreeMap<String, Severity>,
    /// The current folder, as an absolute path: `%SRCROOT%` of the relative URIs.
    pub root: Option<std::path::PathBuf>,
}

/// A path as a URI reference: RFC 3986 percent-encoding of everything but unreserved characters
/// and `/`, so `Redis Configs/redis.conf` is `Redis%20Configs/redis.conf`.
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The artifact location of a shown path: relative to `%SRCROOT%`, or a `file://` URI for a
/// path outside the current folder.
fn artifact(path: &str) -> Value {
    if path.starts_with('/') {
        json!({ "uri": format!("file://{}", uri_path(path)) })
    } else {
        json!({ "uri": uri_path(path), "uriBaseId": "%SRCROOT%" })
    }
}

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

fn rules(info: &RunInfo) -> Vec<Value> {
    catalog()
        .iter()
        .map(|r| {
            let severity = info.severity.get(&r.id).copied().unwrap_or(r.severity);
            let tag = crate::rules::RuleId::parse(&r.id)
                .map_or("correctness", |id| id.rule().category.sarif_tag());
            let mut properties = json!({ "tags": [tag, "redis"] });
            if tag == "security" {
                properties["security-severity"] = json!(security_severity(severity));
            }
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
                "defaultConfiguration": { "level": level(severity) },
                "properties": properties
            });
            // helpUri must be a URI: left out when the rule has no reference.
            if let Some(uri) = r.references.first() {
                rule["helpUri"] = json!(uri);
            }
            rule
        })
        .collect()
}

/// A physical location, or for a live target (line 0: a running server, not a file) a logical
/// one named by the target.
fn location(path: &str, line: usize, region: Value) -> Value {
    if line == 0 {
        json!({ "logicalLocations": [{ "fullyQualifiedName": path, "kind": "resource" }] })
    } else {
        json!({ "physicalLocation": { "artifactLocation": artifact(path), "region": region } })
    }
}

fn region(f: &Resolved) -> Value {
    json!({ "startLine": f.line, "startColumn": f.column, "endLine": f.end_line, "endColumn": f.end_column.max(f.column) })
}

pub fn render(findings: &[Resolved], info: &RunInfo) -> String {
    let index = |id: &str| catalog().iter().position(|r| r.id == id);
    let results: Vec<Value> = findings
        .iter()
        .take(MAX_RESULTS)
        .map(|f| {
            let mut result = json!({
                "ruleId": f.rule,
                "level": level(f.severity),
                "message": { "text": f.message },
                "locations": [location(&f.path, f.line, region(f))],
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
                        let mut related = location(&r.path, r.line, json!({ "startLine": r.line }));
                        related["id"] = json!(i);
                        related["message"] = json!({ "text": r.message });
                        related
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
                    "artifactChanges": by_file.into_iter().map(|(path, replacements)| json!({ "artifactLocation": artifact(&path), "replacements": replacements })).collect::<Vec<_>>()
                }]);
            }
            result
        })
        .collect();
    let mut notifications: Vec<Value> = info
        .errors
        .iter()
        .map(|e| json!({ "level": "error", "message": { "text": e } }))
        .collect();
    if findings.len() > MAX_RESULTS {
        notifications.push(json!({ "level": "warning", "message": { "text": format!(
            "{} more results are not included: GitHub code scanning accepts {MAX_RESULTS} per run (the JSON report has them all)",
            findings.len() - MAX_RESULTS
        ) } }));
    }
    let mut invocation = json!({
        "executionSuccessful": info.exit_code != 2,
        "exitCode": info.exit_code,
    });
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = json!(notifications);
    }
    let mut driver = json!({
        "name": "redline",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules(info),
    });
    // The project's home, once Cargo.toml names its repository.
    if let Some(home) = option_env!("CARGO_PKG_REPOSITORY").filter(|h| !h.is_empty()) {
        driver["informationUri"] = json!(home);
    }
    let mut run = json!({
        "tool": { "driver": driver },
        "invocations": [invocation],
        "columnKind": "unicodeCodePoints",
        "results": results,
    });
    if let Some(root) = &info.root {
        let mut uri = format!("file://{}", uri_path(&root.to_string_lossy()));
        if !uri.ends_with('/') {
            uri.push('/');
        }
        run["originalUriBaseIds"] = json!({ "%SRCROOT%": { "uri": uri } });
    }
    let report = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run]
    });
    let mut text = serde_json::to_string_pretty(&report).expect("SARIF serialises");
    text.push('\n');
    text
}
