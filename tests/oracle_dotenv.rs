//! Oracle tests: redline's reading of `.env` files against phpdotenv itself (Debian's
//! php-vlucas-phpdotenv, run with `php -n`), loading a file the way Laravel does: every value as
//! the loader leaves it, `${NAME}` resolved from earlier entries, or a throw where Laravel would
//! not boot.

mod common;

use common::*;
use redline::syntax::document::Document;
use redline::syntax::dotenv;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Debian installs phpdotenv here (package php-vlucas-phpdotenv).
const AUTOLOAD: &str = "/usr/share/php/Dotenv/autoload.php";

fn env_files() -> Vec<PathBuf> {
    files_in(&[
        fixtures().join("oracle/dotenv"),
        fixtures().join("corpus/laravel-env"),
        manifest_dir().join("../shared/corpus/laravel-env"),
    ])
}

/// phpdotenv's values (None for a name without `=`), or the message it threw.
fn phpdotenv_reads(php: &Path, file: &Path) -> Result<BTreeMap<String, Option<String>>, String> {
    let script = r#"
        require $argv[1];
        try {
            // As Laravel loads it (a file store: the BOM stripped, the bytes made UTF-8), into
            // an array instead of the process environment.
            $repository = Dotenv\Repository\RepositoryBuilder::createWithNoAdapters()
                ->addAdapter(Dotenv\Repository\Adapter\ArrayAdapter::class)->make();
            $values = Dotenv\Dotenv::create($repository, dirname($argv[2]), basename($argv[2]))->load();
            echo json_encode(['values' => $values], JSON_INVALID_UTF8_SUBSTITUTE | JSON_FORCE_OBJECT);
        } catch (Dotenv\Exception\ExceptionInterface $e) {
            echo json_encode(['error' => $e->getMessage()], JSON_INVALID_UTF8_SUBSTITUTE);
        }
    "#;
    let out = Command::new(php)
        .args([
            "-n",
            "-d",
            "extension=mbstring",
            "-d",
            "extension=ctype",
            "-r",
            script,
        ])
        .arg(AUTOLOAD)
        .arg(file)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("php runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let reply: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "{}: no JSON from phpdotenv ({e}): {stdout}{}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    if let Some(message) = reply.get("error") {
        return Err(message.as_str().unwrap_or_default().to_string());
    }
    Ok(reply["values"]
        .as_object()
        .expect("values")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string)))
        .collect())
}

/// redline's values (the last entry of each name), or its first error. An unterminated
/// multi-line value is reported by redline but silently dropped by phpdotenv: not a throw.
fn redline_reads(file: &Path) -> Result<BTreeMap<String, Option<String>>, String> {
    let parsed = dotenv::parse(&Document::parse(std::fs::read(file).unwrap()));
    if let Some(error) = parsed
        .errors
        .iter()
        .find(|e| !e.message.starts_with("a missing closing quote"))
    {
        return Err(error.message.clone());
    }
    Ok(parsed
        .entries
        .iter()
        .map(|e| (e.name.clone(), e.value.clone()))
        .collect())
}

/// PHP and phpdotenv, or None (said loudly) when either is missing.
fn php_with_phpdotenv() -> Option<PathBuf> {
    let php = oracle("php")?;
    if !Path::new(AUTOLOAD).is_file() {
        oracle_missing("phpdotenv (apt-get install php-vlucas-phpdotenv)");
        return None;
    }
    Some(php)
}

/// LV002's safe fix, checked by phpdotenv: before it the value is cut at `#`, after
/// `redline fix --write` phpdotenv reads all of it.
#[test]
fn lv002_fix_makes_phpdotenv_read_the_whole_value() {
    let Some(php) = php_with_phpdotenv() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "artisan", "");
    let env = write(
        dir.path(),
        ".env",
        "SESSION_DRIVER=redis\r\nREDIS_PASSWORD=0123456789abcdef#0123456789abcdef\r\n",
    );
    let password = |php: &Path| phpdotenv_reads(php, &env).unwrap()["REDIS_PASSWORD"].clone();
    assert_eq!(password(&php).as_deref(), Some("0123456789abcdef"));
    let out = run(
        dir.path(),
        &["fix", "--no-config", "--write", "--select", "LV002", "."],
    );
    assert!(out.status.code().is_some_and(|c| c < 2), "{}", stderr(&out));
    assert_eq!(
        password(&php).as_deref(),
        Some("0123456789abcdef#0123456789abcdef"),
        "after the fix: {}",
        std::fs::read_to_string(&env).unwrap()
    );
}

#[test]
fn values_and_errors_match_phpdotenv() {
    let Some(php) = php_with_phpdotenv() else {
        return;
    };
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for file in env_files() {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        match (redline_reads(&file), phpdotenv_reads(&php, &file)) {
            (Ok(ours), Ok(theirs)) => {
                if ours != theirs {
                    mismatches.push(format!(
                        "{name}: redline {ours:?}\n    phpdotenv {theirs:?}"
                    ));
                }
                compared += theirs.len();
            }
            (Err(ours), Err(theirs)) => {
                // The same complaint: phpdotenv's message names what it met.
                let kind = |m: &str| {
                    m.split(" at [")
                        .next()
                        .unwrap_or(m)
                        .replace("Failed to parse dotenv file. ", "")
                };
                if kind(&ours) != kind(&theirs) {
                    mismatches.push(format!(
                        "{name}: redline error {ours:?}, phpdotenv {theirs:?}"
                    ));
                }
                compared += 1;
            }
            (Ok(ours), Err(theirs)) => mismatches.push(format!(
                "{name}: redline reads {ours:?}, phpdotenv throws {theirs:?}"
            )),
            (Err(ours), Ok(theirs)) => mismatches.push(format!(
                "{name}: redline error {ours:?}, phpdotenv reads {theirs:?}"
            )),
        }
    }
    assert!(compared > 50, "only {compared} values compared");
    assert!(
        mismatches.is_empty(),
        "redline and phpdotenv disagree:\n{}",
        mismatches.join("\n")
    );
}

/// Every fix redline offers (safe and unsafe) on the real-world `.env` files leaves a file
/// phpdotenv loads (when it loaded the original), read by redline as phpdotenv reads it.
#[test]
fn fixed_corpus_env_files_still_load_the_same_in_phpdotenv() {
    let Some(php) = php_with_phpdotenv() else {
        return;
    };
    let mut checked = 0;
    for src in files_in(&[fixtures().join("corpus/laravel-env")]) {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "artisan", "");
        let env = dir.path().join(".env");
        std::fs::copy(&src, &env).unwrap();
        if phpdotenv_reads(&php, &env).is_err() {
            continue;
        }
        fix_everything(dir.path(), &["."]);
        let theirs = phpdotenv_reads(&php, &env);
        assert_eq!(
            redline_reads(&env),
            theirs,
            "{}: after the fixes:\n{}",
            src.display(),
            std::fs::read_to_string(&env).unwrap()
        );
        assert!(theirs.is_ok());
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} corpus files checked");
}
