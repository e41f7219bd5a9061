//! Oracle test: redline's evaluation of Django settings against Python executing the module with
//! an empty environment, for CACHES and every SESSION_* setting redline knows for certain.

mod common;

use common::*;
use redline::model::django::{self, Val};
use std::process::Command;

fn to_json(v: &Val) -> Option<serde_json::Value> {
    Some(match v {
        Val::Str(s) => serde_json::Value::String(s.clone()),
        Val::Int(i) => serde_json::json!(i),
        Val::Bool(b) => serde_json::json!(b),
        Val::None => serde_json::Value::Null,
        Val::List(items) => {
            serde_json::Value::Array(items.iter().map(to_json).collect::<Option<_>>()?)
        }
        Val::Dict(items) => {
            let mut map = serde_json::Map::new();
            for (k, v) in items {
                map.insert(k.as_str()?.to_string(), to_json(v)?);
            }
            serde_json::Value::Object(map)
        }
        _ => return None,
    })
}

#[test]
fn settings_values_match_python() {
    let Some(python) = oracle("python3") else {
        return;
    };
    let script = "import json, os, runpy, sys\nos.environ.clear()\ng = runpy.run_path(sys.argv[1])\nprint(json.dumps({k: v for k, v in g.items() if k == 'CACHES' or k.startswith('SESSION_')}))";
    let mut compared = 0;
    let mut files: Vec<_> = std::fs::read_dir(fixtures().join("oracle/django"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in files {
        let out = Command::new(&python)
            .args(["-c", script])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let theirs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let ours = django::load(0, &std::fs::read(&file).unwrap());
        assert!(ours.error.is_none(), "{}: {:?}", file.display(), ours.error);
        for (name, value) in theirs.as_object().unwrap() {
            // A value redline knows it cannot know (Unknown) is skipped; a setting it did not
            // see at all is a mismatch.
            let Some(mine) = ours.value(name) else {
                panic!(
                    "{}: {name}: python sets it, redline does not see it",
                    file.display()
                );
            };
            let Some(mine) = to_json(mine) else {
                continue;
            };
            assert_eq!(&mine, value, "{}: {name}", file.display());
            compared += 1;
        }
    }
    assert!(compared >= 15, "only {compared} values compared");
}

/// Every fix redline offers (safe and unsafe) on the real-world settings modules leaves a module
/// Python still compiles (when it compiled the original).
#[test]
fn fixed_corpus_settings_still_compile() {
    let Some(python) = oracle("python3") else {
        return;
    };
    let compiles = |file: &std::path::Path| {
        Command::new(&python)
            .args([
                "-c",
                "import sys; compile(open(sys.argv[1], 'rb').read(), sys.argv[1], 'exec')",
            ])
            .arg(file)
            .output()
            .unwrap()
            .status
            .success()
    };
    let mut checked = 0;
    for src in files_in(&[fixtures().join("corpus/django-settings")]) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("settings.py");
        std::fs::copy(&src, &file).unwrap();
        if !compiles(&file) {
            continue;
        }
        fix_everything(dir.path(), &["settings.py"]);
        assert!(
            compiles(&file),
            "{}: Python no longer compiles it after the fixes:\n{}",
            src.display(),
            std::fs::read_to_string(&file).unwrap()
        );
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} corpus modules checked");
}
