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

/// A Django cache's connection as Django's own backend builds it: `RedisCache` hands OPTIONS to
/// redis-py's `ConnectionPool.from_url` (Django and redis-py installed by .ci/run), whose
/// `connection_kwargs` give the password, user and database; redline's client for the same
/// cache must say the same.
#[test]
fn cache_options_match_django() {
    let Some(python) = oracle("python3") else {
        return;
    };
    let cases = [
        (
            "redis://:urlpw@10.0.0.5:6379",
            r#"{"password": "optpw", "db": 3, "username": "app"}"#,
        ),
        (
            "redis://10.0.0.5:6379/2",
            r#"{"password": "optpw", "db": 5}"#,
        ),
        (
            "redis://app:urlpw@10.0.0.5:6379/1",
            r#"{"username": "other", "db": "4"}"#,
        ),
        ("redis://10.0.0.5:6379", r#"{}"#),
        (
            "redis://10.0.0.5:6379?db=6&password=qpw",
            r#"{"password": "optpw", "db": 1}"#,
        ),
    ];
    let script = "import json, sys\ntry:\n    from django.conf import settings\n    settings.configure()\n    from django.core.cache.backends.redis import RedisCache\nexcept ImportError:\n    print(json.dumps({'missing': True})); sys.exit(0)\nc = RedisCache(sys.argv[1], {'OPTIONS': json.loads(sys.argv[2])})\nk = c._cache._get_connection_pool(True).connection_kwargs\nprint(json.dumps({'password': k.get('password'), 'username': k.get('username'), 'db': str(k.get('db', 0))}))";
    let mut mismatches = Vec::new();
    for (location, options) in cases {
        let out = Command::new(&python)
            .args(["-c", script, location, options])
            .output()
            .expect("python3 runs");
        let theirs: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        if theirs.get("missing").is_some() {
            oracle_missing("Django for python3 (pip install django)");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "settings.py",
            format!("SESSION_ENGINE = \"django.contrib.sessions.backends.cache\"\nCACHES = {{\"default\": {{\"BACKEND\": \"django.core.cache.backends.redis.RedisCache\", \"LOCATION\": \"{location}\", \"OPTIONS\": {options}}}}}\n"),
        );
        let mut sources = redline::source::Sources::new();
        let found = redline::discovery::discover(
            &[dir.path().to_path_buf()],
            &Default::default(),
            &mut sources,
        )
        .unwrap();
        let (stack, _) = redline::app::audit(
            &mut sources,
            &found.roots,
            &redline::app::Settings::defaults(),
        );
        let client = &stack.clients[0];
        let password = match &client.password {
            redline::stack::ClientPassword::Literal { value, .. } => Some(value.clone()),
            _ => None,
        };
        let ours = serde_json::json!({
            "password": password,
            "username": client.user,
            "db": client.database,
        });
        if ours != theirs {
            mismatches.push(format!(
                "{location} {options}: redline {ours}, Django {theirs}"
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "redline and Django disagree:\n{}",
        mismatches.join("\n")
    );
}

/// DJ106 fires exactly when Django's own RedisCache raises `TypeError` on the first cache
/// access for the OPTIONS a module gives it (no server needed: the error comes before the
/// connection, and the LOCATION is a socket that does not exist).
#[test]
fn backend_options_dj106_matches_django() {
    let Some(python) = oracle("python3") else {
        return;
    };
    let script = r#"
import json, runpy, sys
import django
from django.conf import settings
g = runpy.run_path(sys.argv[1])
settings.configure(CACHES=g["CACHES"])
django.setup()
from django.core.cache import caches
try:
    caches["default"].get("k")
    print("ok")
except TypeError as e:
    print("TypeError")
except Exception as e:
    print(type(e).__name__)
"#;
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "upper",
            "{\"CLIENT_CLASS\": \"django_redis.client.DefaultClient\"}",
        ),
        ("ignore", "{\"IGNORE_EXCEPTIONS\": True, \"db\": 1}"),
        ("lower", "{\"socket_timeout\": 1, \"db\": 1}"),
        ("none", "{}"),
    ];
    for (name, options) in cases {
        let file = write(
            dir.path(),
            &format!("{name}_settings.py"),
            format!(
                "SESSION_ENGINE = \"django.contrib.sessions.backends.cache\"\nCACHES = {{\n    \"default\": {{\n        \"BACKEND\": \"django.core.cache.backends.redis.RedisCache\",\n        \"LOCATION\": \"unix:///nonexistent/redline-test.sock\",\n        \"OPTIONS\": {options},\n    }},\n}}\n"
            ),
        );
        let out = Command::new(&python)
            .args(["-c", script])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let raised = String::from_utf8_lossy(&out.stdout).trim() == "TypeError";
        let report = json(&run(
            dir.path(),
            &[
                "check",
                "--no-config",
                "--format",
                "json",
                &format!("{name}_settings.py"),
            ],
        ));
        let fired = rules_of(&report).iter().any(|r| r == "DJ106");
        assert_eq!(
            fired, raised,
            "{name}: redline DJ106={fired}, Django TypeError={raised}"
        );
    }
}

/// With `cached_db`, a cleared cache logs nobody out: Django reads the session back from the
/// database (why DJ102 is info there).
#[test]
fn cached_db_sessions_survive_a_cache_clear() {
    let Some(python) = oracle("python3") else {
        return;
    };
    let script = r#"
import django
from django.conf import settings
settings.configure(
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.sessions"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
    SECRET_KEY="a test key, not a secret",
)
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.cache import cache
s = SessionStore()
s["user"] = 42
s.save()
cache.clear()
print(SessionStore(session_key=s.session_key).get("user"))
"#;
    let out = Command::new(&python).args(["-c", script]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "42");
    // And redline says so: info, not a warning.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "settings.py",
        "SESSION_ENGINE = \"django.contrib.sessions.backends.cached_db\"\nSESSION_COOKIE_SECURE = True\nCACHES = {\"default\": {\"BACKEND\": \"django_redis.cache.RedisCache\", \"LOCATION\": \"redis://127.0.0.1:6379/1\"}}\n",
    );
    let report = json(&run(
        dir.path(),
        &["check", "--no-config", "--format", "json"],
    ));
    let dj102 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "DJ102")
        .expect("DJ102");
    assert_eq!(dj102["severity"], "info");
    assert!(dj102["message"]
        .as_str()
        .unwrap()
        .contains("logs nobody out"));
}
