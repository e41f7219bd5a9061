//! One folder of cases per rule (fixtures/rules/ID/CASE): the configs, an `expect` file listing
//! every `path:line` where the rule must fire (empty: it must not fire), optional `args`, and for
//! safe fixes an `after/` folder with the exact files `fix --write` must produce.

mod common;

use common::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn copy_case(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).min_depth(1) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .into_owned();
        if ["expect", "args", "after"].contains(&top.as_str()) {
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

fn cases() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for rule in std::fs::read_dir(fixtures().join("rules")).unwrap() {
        let rule = rule.unwrap();
        for case in std::fs::read_dir(rule.path()).unwrap() {
            out.push((
                rule.file_name().to_string_lossy().into_owned(),
                case.unwrap().path(),
            ));
        }
    }
    out.sort();
    out
}

fn extra_args(case: &Path) -> Vec<String> {
    std::fs::read_to_string(case.join("args"))
        .map(|a| a.split_whitespace().map(String::from).collect())
        .unwrap_or_default()
}

#[test]
fn each_rule_fires_exactly_where_expected() {
    let mut failures = Vec::new();
    for (rule, case) in cases() {
        let dir = tempfile::tempdir().unwrap();
        copy_case(&case, dir.path());
        let extra = extra_args(&case);
        let mut args: Vec<&str> = vec!["check", "--format", "json"];
        if !extra.iter().any(|a| a == "--config") {
            args.push("--no-config");
        }
        args.extend(extra.iter().map(String::as_str));
        let out = run(dir.path(), &args);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{rule}/{}: {}",
            case.display(),
            stderr(&out)
        );
        let report = json(&out);
        let got: BTreeSet<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule.as_str())
            .map(|f| format!("{}:{}", f["path"].as_str().unwrap(), f["line"]))
            .collect();
        let want: BTreeSet<String> = std::fs::read_to_string(case.join("expect"))
            .unwrap()
            .lines()
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
        if got != want {
            failures.push(format!(
                "{rule}/{}: expected {want:?}, got {got:?}",
                case.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn safe_fixes_produce_the_expected_files() {
    let mut checked = 0;
    for (rule, case) in cases() {
        let after = case.join("after");
        if !after.is_dir() {
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        copy_case(&case, dir.path());
        let extra = extra_args(&case);
        let mut args: Vec<&str> = vec!["fix", "--no-config", "--write", "--select", &rule];
        args.extend(extra.iter().map(String::as_str));
        let out = run(dir.path(), &args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            case.display(),
            stderr(&out)
        );
        for entry in walkdir::WalkDir::new(&after)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
        {
            let rel = entry.path().strip_prefix(&after).unwrap();
            let want = std::fs::read_to_string(entry.path()).unwrap();
            let got = std::fs::read_to_string(dir.path().join(rel)).unwrap();
            assert_eq!(
                got,
                want,
                "{rule}/{}: {}",
                case.file_name().unwrap().to_string_lossy(),
                rel.display()
            );
        }
        // The fixed tree no longer has the finding, and fixing again changes nothing.
        args.retain(|a| *a != "--write");
        let again = run(dir.path(), &args);
        assert_eq!(
            stdout(&again),
            "",
            "{}: a second fix still changes something",
            case.display()
        );
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} fix cases");
}

#[test]
fn every_rule_has_cases_that_fire_and_that_pass() {
    let all = cases();
    // The LI rules judge a running server, which a fixture folder cannot hold: tests/oracle_live.rs
    // starts real redis-servers for each of them (firing and passing).
    let needs_a_server = ["LI001", "LI101", "LI102"];
    for rule in redline::rules::catalog() {
        if needs_a_server.contains(&rule.id.as_str()) {
            continue;
        }
        let of: Vec<_> = all.iter().filter(|(r, _)| *r == rule.id).collect();
        let fires = of.iter().any(|(_, c)| {
            c.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("fires")
        });
        let passes = of.iter().any(|(_, c)| {
            c.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("passes")
        });
        assert!(
            fires && passes,
            "{} needs fixtures that fire and that pass",
            rule.id
        );
    }
}

#[test]
fn every_rule_explains_itself() {
    for rule in redline::rules::catalog() {
        let out = run(&manifest_dir(), &["explain", &rule.id]);
        assert_eq!(out.status.code(), Some(0));
        let text = stdout(&out);
        assert!(
            text.starts_with(&format!("{} {}", rule.id, rule.name))
                && text.contains("Example:")
                && text.contains("Fix:"),
            "{text}"
        );
    }
    assert_eq!(
        run(&manifest_dir(), &["explain", "RD999"]).status.code(),
        Some(2)
    );
}
