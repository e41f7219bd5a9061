//! Every real-world file: read losslessly, no false syntax finding where the real software accepts
//! it, and fixes that converge and keep every untouched line.

mod common;

use common::*;
use redline::app::{fix_until_stable, Settings};
use redline::discovery::{discover, DiscoveryOptions};
use redline::source::Sources;
use redline::syntax::document::Document;
use std::path::{Path, PathBuf};

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    out.sort();
    out
}

fn corpus(kind: &str) -> Vec<PathBuf> {
    let files: Vec<PathBuf> = files_under(&fixtures().join("corpus").join(kind))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e != "md"))
        .collect();
    assert!(
        files.len() >= 5,
        "corpus/{kind} has only {} files",
        files.len()
    );
    files
}

#[test]
fn every_file_round_trips_byte_for_byte() {
    let mut roots = vec![fixtures()];
    // The shared corpus beside the repository holds the other formats too.
    let shared = manifest_dir().join("../shared/corpus");
    if shared.is_dir() {
        roots.push(shared);
    }
    let mut count = 0;
    for root in roots {
        for file in files_under(&root) {
            let bytes = std::fs::read(&file).unwrap();
            assert_eq!(
                Document::parse(bytes.clone()).render(),
                bytes,
                "{}",
                file.display()
            );
            count += 1;
        }
    }
    assert!(count > 50, "only {count} files");
}

fn check_json(file: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["check", "--no-config", "--format", "json"];
    args.extend_from_slice(extra);
    let path = file.to_str().unwrap();
    args.push(path);
    let out = run(&manifest_dir(), &args);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}: {}",
        file.display(),
        stderr(&out)
    );
    json(&out)
}

#[test]
fn official_redis_conf_files_have_no_rd001() {
    for (version, target) in [("6.2.16", "6.2"), ("7.0.15", "7.0"), ("7.2.6", "7.2")] {
        let file = fixtures().join(format!("corpus/redis/redis__redis__{version}__redis.conf"));
        for extra in [vec![], vec!["--redis-version", target]] {
            let report = check_json(&file, &extra);
            let bad: Vec<_> = report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["rule"] == "RD001" || f["rule"] == "RD002")
                .collect();
            assert!(bad.is_empty(), "{version} {extra:?}: {bad:#?}");
        }
    }
}

#[test]
fn official_sentinel_conf_files_have_no_sn001() {
    for version in ["6.2.16", "unstable"] {
        let file = fixtures().join(format!(
            "corpus/sentinel/redis__redis__{version}__sentinel.conf"
        ));
        let report = check_json(&file, &[]);
        assert!(
            !rules_of(&report)
                .iter()
                .any(|r| r == "SN001" || r == "RD001"),
            "{version}: {report:#}"
        );
    }
}

/// Fix a copy of `file` in memory until stable; returns (before, after).
fn fixed(file: &Path, unsafe_fixes: bool) -> (Vec<u8>, Vec<u8>, Vec<String>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let path = file.to_string_lossy();
    let name = if path.contains("django-settings") {
        "settings.py"
    } else if path.contains("laravel-env") {
        ".env"
    } else if path.contains("laravel-config") {
        if path.ends_with("session.php") {
            "config/session.php"
        } else {
            "config/database.php"
        }
    } else if path.contains("php-ini") || path.ends_with(".ini") {
        "php.ini"
    } else if path.contains("sentinel") {
        "sentinel.conf"
    } else {
        "redis.conf"
    };
    if path.contains("laravel") {
        std::fs::create_dir_all(dir.path().join("config")).unwrap();
        std::fs::write(dir.path().join("artisan"), "").unwrap();
    }
    let copy = dir.path().join(name);
    std::fs::copy(file, &copy).unwrap();
    let settings = Settings::defaults();
    let mut sources = Sources::new();
    let found = discover(
        std::slice::from_ref(&copy),
        &DiscoveryOptions::default(),
        &mut sources,
    )
    .unwrap();
    let (_, before) = redline::app::audit(&mut sources, &found.roots, &settings);
    let syntax_before: Vec<String> = before
        .iter()
        .filter(|f| f.rule.ends_with("001"))
        .map(|f| f.message.clone())
        .collect();
    let (after, _) = fix_until_stable(&mut sources, &found.roots, &settings, unsafe_fixes);
    let syntax_after: Vec<String> = after
        .iter()
        .filter(|f| f.rule.ends_with("001"))
        .map(|f| f.message.clone())
        .collect();
    let id = sources.id_of(&copy).unwrap();
    (
        sources.get(id).original().to_vec(),
        sources.doc(id).bytes().to_vec(),
        syntax_before,
        syntax_after,
    )
}

fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes.split_inclusive(|&b| b == b'\n').collect()
}

#[test]
fn fixes_converge_and_keep_untouched_lines() {
    for file in corpus("redis")
        .into_iter()
        .chain(corpus("sentinel"))
        .chain(corpus("php-ini"))
    {
        for unsafe_fixes in [false, true] {
            let (before, after, syntax_before, syntax_after) = fixed(&file, unsafe_fixes);
            assert!(
                syntax_after.len() <= syntax_before.len(),
                "{}: a fix added a syntax finding: {syntax_after:?}",
                file.display()
            );
            // Fixing the fixed file changes nothing.
            let dir = tempfile::tempdir().unwrap();
            let again = dir.path().join(file.file_name().unwrap());
            std::fs::write(&again, &after).unwrap();
            let (_, twice, _, _) = fixed(&again, unsafe_fixes);
            assert_eq!(
                String::from_utf8_lossy(&twice),
                String::from_utf8_lossy(&after),
                "{}: fix is not idempotent",
                file.display()
            );
            // Every line that was not edited survives, in order: deleted lines are directives.
            let old = lines(&before);
            let new = lines(&after);
            let ops = similar::capture_diff_slices(similar::Algorithm::Myers, &old, &new);
            let mut deleted = 0;
            for op in ops {
                for i in op.old_range() {
                    if matches!(
                        op.tag(),
                        similar::DiffTag::Delete | similar::DiffTag::Replace
                    ) {
                        let text = String::from_utf8_lossy(old[i]);
                        let trimmed = text.trim();
                        assert!(
                            !trimmed.is_empty()
                                && (!(trimmed.starts_with('#') || trimmed.starts_with(';'))
                                    || trimmed.contains("redline")),
                            "{}: fix removed a comment or blank line: {text:?}",
                            file.display()
                        );
                        deleted += 1;
                    }
                }
            }
            assert!(deleted <= 12, "{}: {deleted} lines changed", file.display());
        }
    }
}

#[test]
fn laravel_files_read_without_false_findings() {
    for file in corpus("laravel-env") {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("artisan"), "").unwrap();
        std::fs::copy(&file, dir.path().join(".env")).unwrap();
        let report = check_json(dir.path(), &["--select", "LV001"]);
        assert!(
            rules_of(&report).is_empty(),
            "{}: phpdotenv accepts this file: {report:#}",
            file.display()
        );
    }
    for file in corpus("laravel-config") {
        let bytes = std::fs::read(&file).unwrap();
        let value = redline::syntax::php_array::parse_return_array(&bytes);
        assert!(
            matches!(value, Some(redline::syntax::php_array::PhpValue::Array(_))),
            "{}",
            file.display()
        );
    }
}

#[test]
fn django_settings_read_without_false_syntax_errors() {
    for file in corpus("django-settings") {
        let module = redline::syntax::python::parse(&std::fs::read(&file).unwrap());
        assert!(
            module.error.is_none(),
            "{}: Python imports this module: {:?}",
            file.display(),
            module.error
        );
        assert!(!module.assignments.is_empty(), "{}", file.display());
    }
}
