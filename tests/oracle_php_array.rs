//! Oracle test: redline's reading of Laravel `config/*.php` files against PHP itself. Each file
//! is `include`d by `php -n` with `env()` returning its default (an empty environment) and stubs
//! for the path helpers and `Str`; what redline reads as a value must equal what PHP builds, and
//! what redline calls unknown is skipped. Files PHP cannot run without the application (its
//! classes, its constants) are skipped and counted.

mod common;

use common::*;
use redline::syntax::php_array::{parse_return_array, PhpItem, PhpValue};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

const PRELUDE: &str = r#"<?php
namespace Illuminate\Support {
    class Str { public static function __callStatic($name, $args) { return 'stub'; } }
}
namespace {
    function value($v) { return $v instanceof Closure ? $v() : $v; }
    function env($key, $default = null) { return value($default); }
    foreach (['base', 'storage', 'database', 'app', 'config', 'public', 'resource'] as $kind) {
        eval("function {$kind}_path(\$path = '') { return '/{$kind}/' . \$path; }");
    }
    $config = include $argv[1];
    echo json_encode($config, JSON_PRESERVE_ZERO_FRACTION | JSON_INVALID_UTF8_SUBSTITUTE);
}
"#;

fn config_files() -> Vec<PathBuf> {
    files_in(&[
        fixtures().join("oracle/php-array"),
        fixtures().join("corpus/laravel-config"),
        manifest_dir().join("../shared/corpus/laravel-config"),
    ])
}

/// PHP's array key for a literal string key: a canonical decimal integer becomes an int.
fn php_key(key: &str) -> Option<i64> {
    let canonical = key == "0"
        || (!key.starts_with('0') && !key.starts_with("-0") && key != "-")
            && key
                .trim_start_matches('-')
                .bytes()
                .all(|b| b.is_ascii_digit())
            && !key.is_empty();
    canonical.then(|| key.parse().ok()).flatten()
}

/// The entries of a PHP array as PHP orders them: a repeated key keeps its first place and its
/// last value; an item without a key takes the next integer.
fn entries(items: &[PhpItem]) -> Vec<(String, &PhpValue)> {
    let mut out: Vec<(String, &PhpValue)> = Vec::new();
    let mut next = 0i64;
    for item in items {
        let key = match &item.key {
            Some(k) => match php_key(k) {
                Some(n) => {
                    next = next.max(n + 1);
                    n.to_string()
                }
                None => k.clone(),
            },
            None => {
                next += 1;
                (next - 1).to_string()
            }
        };
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = &item.value,
            None => out.push((key, &item.value)),
        }
    }
    out
}

/// Compare redline's value with PHP's; push a line for each difference. Returns how many
/// values were compared.
fn compare(path: &str, ours: &PhpValue, theirs: &Value, out: &mut Vec<String>) -> usize {
    let mismatch = |out: &mut Vec<String>| {
        out.push(format!("{path}: redline {ours:?}, php {theirs}"));
        1
    };
    match ours {
        PhpValue::Unknown => 0,
        PhpValue::Env { default, .. } => match default {
            Some(d) => compare(path, d, theirs, out),
            None if theirs.is_null() => 1,
            None => mismatch(out),
        },
        PhpValue::Str(s) if theirs.as_str() == Some(s.as_str()) => 1,
        PhpValue::Int(i) if theirs.as_i64() == Some(*i) => 1,
        PhpValue::Float(f)
            if theirs.is_f64() && f.replace('_', "").parse::<f64>().ok() == theirs.as_f64() =>
        {
            1
        }
        PhpValue::Bool(b) if theirs.as_bool() == Some(*b) => 1,
        PhpValue::Null if theirs.is_null() => 1,
        PhpValue::Array(items) => {
            let theirs_entries: Vec<(String, &Value)> = match theirs {
                Value::Array(list) => list
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (i.to_string(), v))
                    .collect(),
                Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
                _ => return mismatch(out),
            };
            let ours_entries = entries(items);
            // An unknown item may hide a key: compare only when redline knows every item.
            if items.iter().any(|i| matches!(i.value, PhpValue::Unknown)) {
                let mut n = 0;
                for (key, value) in &ours_entries {
                    if let Some((_, t)) = theirs_entries.iter().find(|(k, _)| k == key) {
                        n += compare(&format!("{path}.{key}"), value, t, out);
                    }
                }
                return n;
            }
            // serde_json sorts object keys, so only lists keep PHP's order here.
            let sorted = |mut keys: Vec<String>| {
                keys.sort();
                keys
            };
            let our_keys = sorted(ours_entries.iter().map(|(k, _)| k.clone()).collect());
            let their_keys = sorted(theirs_entries.iter().map(|(k, _)| k.clone()).collect());
            if our_keys != their_keys {
                out.push(format!(
                    "{path}: redline keys {our_keys:?}, php keys {their_keys:?}"
                ));
                return 1;
            }
            ours_entries
                .iter()
                .map(|(key, o)| {
                    let t = theirs_entries.iter().find(|(k, _)| k == key).unwrap().1;
                    compare(&format!("{path}.{key}"), o, t, out)
                })
                .sum()
        }
        _ => mismatch(out),
    }
}

#[test]
fn config_arrays_match_php() {
    let Some(php) = oracle("php") else { return };
    let dir = tempfile::tempdir().unwrap();
    let prelude = dir.path().join("prelude.php");
    std::fs::write(&prelude, PRELUDE).unwrap();
    let mut mismatches = Vec::new();
    let (mut compared, mut skipped) = (0, Vec::new());
    for file in config_files() {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let out = Command::new(&php)
            .arg("-n")
            .arg(&prelude)
            .arg(&file)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .output()
            .expect("php runs");
        let Ok(theirs) = serde_json::from_slice::<Value>(&out.stdout) else {
            // Needs the application's own classes or constants.
            skipped.push(name);
            continue;
        };
        let Some(ours) = parse_return_array(&std::fs::read(&file).unwrap()) else {
            mismatches.push(format!("{name}: redline reads no array"));
            continue;
        };
        compared += compare(&name, &ours, &theirs, &mut mismatches);
    }
    eprintln!("compared {compared} values; PHP could not run {skipped:?}");
    assert!(
        mismatches.is_empty(),
        "redline and PHP disagree:\n{}",
        mismatches.join("\n")
    );
    assert!(compared > 100, "only {compared} values compared");
}
