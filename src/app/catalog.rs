//! `redline rules` and `redline explain`.

use super::output::print_stdout;
use super::{RunError, EXIT_OK};
use crate::cli::CatalogFormat;
use crate::report;
use crate::rules;

pub(super) fn rules_command(format: CatalogFormat) -> Result<i32, RunError> {
    use std::fmt::Write as _;
    let catalog = rules::catalog();
    let mut out = String::new();
    match format {
        CatalogFormat::Json => {
            let rows: Vec<_> = catalog
                .iter()
                .map(|r| serde_json::json!({"id": r.id, "name": r.name, "severity": r.severity.as_str(), "fix": r.fix, "summary": r.summary}))
                .collect();
            out = serde_json::to_string_pretty(&rows).expect("serialises") + "\n";
        }
        CatalogFormat::Text => {
            for r in catalog {
                let _ = writeln!(
                    out,
                    "{:<7} {:<38} {:<8} {:<8} {}",
                    r.id,
                    r.name,
                    r.severity.as_str(),
                    r.fix,
                    r.summary
                );
            }
        }
    }
    print_stdout(out.as_bytes())?;
    Ok(EXIT_OK)
}

pub(super) fn explain(id: &str) -> Result<i32, RunError> {
    use std::fmt::Write as _;
    let r = rules::rule(id).ok_or_else(|| {
        RunError(format!(
            "unknown rule `{}`; `redline rules` lists them",
            report::escape_controls(id)
        ))
    })?;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} ({}, fix: {})\n",
        r.id,
        r.name,
        r.severity.as_str(),
        r.fix
    );
    let _ = writeln!(out, "{}\n", r.summary);
    let _ = writeln!(out, "{}\n", r.explanation.trim());
    let _ = writeln!(out, "Example:\n");
    for line in r.example.trim().lines() {
        let _ = writeln!(out, "    {line}");
    }
    let _ = writeln!(out, "\nFix: {}\n", r.fix_description);
    if !r.references.is_empty() {
        let _ = writeln!(out, "References:");
        for reference in &r.references {
            let _ = writeln!(out, "  - {reference}");
        }
    }
    print_stdout(out.as_bytes())?;
    Ok(EXIT_OK)
}
