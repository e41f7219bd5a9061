//! One insta snapshot per rule (`tests/snapshots/rules/`), from its fixtures in
//! `fixtures/rules/ID/`: for each case that fires, the rule's findings (place, severity, message,
//! fix applicability and description) and the diff `fix --unsafe-fixes --select ID` would apply,
//! unsafe fixes included. A change to a message or a fix shows up as a snapshot change to review
//! (`cargo insta review`, or `INSTA_UPDATE=always cargo test --test rule_snapshots`).

mod common;

use common::*;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The case's files, without `expect`, `args` and `after/` (as tests/rules.rs runs them).
fn copy_case(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).min_depth(1) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let top = rel.components().next().unwrap().as_os_str();
        if ["expect", "args", "after"].iter().any(|t| top == *t) {
            continue;
        }
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn extra_args(case: &Path) -> Vec<String> {
    std::fs::read_to_string(case.join("args"))
        .map(|a| a.split_whitespace().map(String::from).collect())
        .unwrap_or_default()
}

/// The snapshot of one case: the rule's findings and the diff of its fixes.
fn case_snapshot(rule: &str, case: &Path) -> String {
    let dir = tempfile::tempdir().unwrap();
    copy_case(case, dir.path());
    let extra = extra_args(case);
    let with_config = extra.iter().any(|a| a == "--config");
    let mut args: Vec<&str> = vec!["check", "--format", "json"];
    if !with_config {
        args.push("--no-config");
    }
    args.extend(extra.iter().map(String::as_str));
    let report = json(&run(dir.path(), &args));
    let mut out = String::new();
    for f in report["findings"].as_array().unwrap() {
        if f["rule"] != rule {
            continue;
        }
        let _ = writeln!(
            out,
            "{}:{}:{} {} {}",
            f["path"].as_str().unwrap(),
            f["line"],
            f["column"],
            f["severity"].as_str().unwrap(),
            f["message"].as_str().unwrap()
        );
        if let Some(fix) = f["fix"].as_object() {
            let _ = writeln!(
                out,
                "  fix ({}): {}",
                fix["applicability"].as_str().unwrap(),
                fix["description"].as_str().unwrap()
            );
        }
    }
    let mut args: Vec<&str> = vec!["fix", "--unsafe-fixes"];
    if !with_config {
        args.push("--no-config");
    }
    args.extend(extra.iter().map(String::as_str));
    args.extend(["--select", rule]);
    let diff = stdout(&run(dir.path(), &args));
    if !diff.is_empty() {
        out.push_str("diff (fix --unsafe-fixes):\n");
        out.push_str(&diff);
    }
    out
}

#[test]
fn each_rule_snapshot() {
    let root = fixtures().join("rules");
    let mut rules: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    rules.sort();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/rules");
    settings.set_prepend_module_to_snapshot(false);
    for rule_dir in rules {
        let rule = rule_dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut cases: Vec<PathBuf> = std::fs::read_dir(&rule_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("fires")
            })
            .collect();
        cases.sort();
        let mut text = String::new();
        for case in &cases {
            let _ = writeln!(text, "== {}", case.file_name().unwrap().to_string_lossy());
            text.push_str(&case_snapshot(&rule, case));
        }
        assert!(!text.is_empty(), "{rule}: no case that fires");
        settings.bind(|| insta::assert_snapshot!(rule.clone(), text));
    }
}
