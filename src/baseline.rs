//! Baselines: the findings a repository already has, recorded so that later runs report only new
//! ones. Entries match by rule, path and setting (never by line), with a count, so editing other
//! lines does not resurrect old findings; entries that match nothing any more are stale.

use crate::report::Resolved;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub rule: String,
    pub path: String,
    pub setting: String,
    pub count: usize,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

pub fn entries(findings: &[Resolved]) -> Vec<Entry> {
    let mut counts: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for f in findings {
        *counts
            .entry((f.rule.to_string(), f.path.clone(), f.setting.clone()))
            .or_default() += 1;
    }
    counts
        .into_iter()
        .map(|((rule, path, setting), count)| Entry {
            rule,
            path,
            setting,
            count,
        })
        .collect()
}

pub fn write(path: &Path, findings: &[Resolved]) -> Result<(), String> {
    let file = BaselineFile {
        version: 1,
        findings: entries(findings),
    };
    let mut text = serde_json::to_string_pretty(&file).expect("serialises");
    text.push('\n');
    crate::confine::create_file(path, text.as_bytes())
        .map_err(|e| format!("{}: cannot write the baseline: {e}", path.display()))
}

pub fn load(path: &Path) -> Result<Vec<Entry>, String> {
    let bytes =
        crate::source::read_regular_file(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{}: not UTF-8 text (a baseline is JSON)", path.display()))?;
    let file: BaselineFile = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}:{}: not a redline baseline: {e}",
            path.display(),
            e.line()
        )
    })?;
    if file.version != 1 {
        return Err(format!(
            "{}: baseline version {} is not supported (1 is)",
            path.display(),
            file.version
        ));
    }
    Ok(file.findings)
}

/// Remove the findings the baseline covers. Returns what is left and the stale entries (with the
/// count that matched nothing).
pub fn filter(findings: Vec<Resolved>, baseline: &[Entry]) -> (Vec<Resolved>, Vec<Entry>) {
    let mut left: BTreeMap<(String, String, String), usize> = baseline
        .iter()
        .map(|e| ((e.rule.clone(), e.path.clone(), e.setting.clone()), e.count))
        .collect();
    let kept = findings
        .into_iter()
        .filter(
            |f| match left.get_mut(&(f.rule.to_string(), f.path.clone(), f.setting.clone())) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            },
        )
        .collect();
    let stale = left
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|((rule, path, setting), count)| Entry {
            rule,
            path,
            setting,
            count,
        })
        .collect();
    (kept, stale)
}
