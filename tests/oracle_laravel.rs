//! Oracle test: the Redis connection Laravel sessions use, as redline resolves it (`.env`
//! through phpdotenv, `env()`, `config/database.php` and `session.php`, `REDIS_URL` merged over
//! the connection) against Laravel's own code: Debian's illuminate/support (`Env`, `env()`,
//! `ConfigurationUrlParser`) and phpdotenv loading each app's `.env` the way Laravel boots, then
//! the app's config files included by `php -n`.
//!
//! Each case in fixtures/oracle/laravel is a `.env` (and `laravel-version` when it is 10); the
//! app is built in a temp folder with the stock config files of that version from
//! fixtures/corpus/laravel-config.

mod common;

use common::*;
use redline::model::laravel;
use redline::source::Sources;
use redline::syntax::dotenv::LaravelValue;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const SUPPORT: &str = "/usr/share/php/Illuminate/Support/autoload.php";
const DOTENV: &str = "/usr/share/php/Dotenv/autoload.php";

const SCRIPT: &str = r#"<?php
require $argv[2];
require $argv[3];
foreach (['storage', 'database', 'base', 'app'] as $kind) {
    if (!function_exists("{$kind}_path")) {
        eval("function {$kind}_path(\$path = '') { return '/{$kind}/' . \$path; }");
    }
}
$app = $argv[1];
Dotenv\Dotenv::create(Illuminate\Support\Env::getRepository(), $app, '.env')->safeLoad();
$database = require "$app/config/database.php";
$session = require "$app/config/session.php";
// SessionManager hands session.connection to the redis store; RedisManager takes null or '' as 'default'.
$name = $session['connection'] ?? null;
if ($name === null || $name === '') { $name = 'default'; }
// RedisManager::parseConnectionConfiguration: the url merged over the connection.
$conf = (new Illuminate\Support\ConfigurationUrlParser)->parseConfiguration($database['redis'][$name] ?? []);
$driver = strtolower($conf['driver'] ?? '');
if (in_array($driver, ['tcp', 'tls'], true)) { $conf['scheme'] = $driver; }
// PhpRedisConnector::formatHost: the host phpredis is given carries the scheme (tcp:// is
// phpredis' default, so it is left off, as redline leaves it).
$host = $conf['host'] ?? null;
if ($host !== null && isset($conf['scheme']) && $conf['scheme'] !== 'tcp'
    && strpos($host, $conf['scheme'] . '://') !== 0) {
    $host = $conf['scheme'] . '://' . $host;
}
echo json_encode(['connection' => $name, 'host' => $host, 'port' => $conf['port'] ?? null,
    'database' => $conf['database'] ?? null, 'password' => $conf['password'] ?? null,
    'username' => $conf['username'] ?? null]);
"#;

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures().join("oracle/laravel"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

/// A Laravel app in `dir`: the case's `.env`, `artisan`, and the stock config files.
fn build_app(case: &Path, dir: &Path) -> PathBuf {
    let app = dir.join(case.file_name().unwrap());
    std::fs::create_dir_all(app.join("config")).unwrap();
    std::fs::copy(case.join(".env"), app.join(".env")).unwrap();
    std::fs::write(app.join("artisan"), "").unwrap();
    let version = std::fs::read_to_string(case.join("laravel-version"))
        .map_or("11".to_string(), |v| v.trim().to_string());
    for name in ["database", "session"] {
        let stock = fixtures().join(format!(
            "corpus/laravel-config/laravel__laravel__{version}.x__config__{name}.php"
        ));
        std::fs::copy(stock, app.join(format!("config/{name}.php"))).unwrap();
    }
    app
}

/// redline's session connection for the app: its name and fields (Null as JSON null; a value
/// redline cannot know is left out).
fn redline_reads(app: &Path) -> serde_json::Map<String, Value> {
    let mut sources = Sources::new();
    let env = sources.load(&app.join(".env")).unwrap();
    let database = sources.load(&app.join("config/database.php")).unwrap();
    let session = sources.load(&app.join("config/session.php")).unwrap();
    let model = laravel::load(
        &sources,
        app.to_path_buf(),
        &[env],
        &[("database".into(), database), ("session".into(), session)],
    );
    let env = &model.envs[0];
    let name = model
        .session_connection_name(env)
        .expect("a connection name");
    let conn = model.connection(&name, env).expect("the connection exists");
    let mut out = serde_json::Map::new();
    out.insert("connection".into(), Value::String(name));
    for (key, field) in [
        ("host", &conn.host),
        ("port", &conn.port),
        ("database", &conn.database),
        ("password", &conn.password),
        ("username", &conn.username),
    ] {
        let value = match &field.value {
            Some(LaravelValue::Str(s)) => Value::String(s.clone()),
            Some(LaravelValue::Bool(b)) => Value::Bool(*b),
            Some(LaravelValue::Null) => Value::Null,
            None => continue,
        };
        out.insert(key.into(), value);
    }
    out
}

/// PHP's numbers compared as the strings redline keeps.
fn as_text(v: &Value) -> Value {
    match v {
        Value::Number(n) => Value::String(n.to_string()),
        other => other.clone(),
    }
}

#[test]
fn session_connections_match_laravel() {
    let Some(php) = oracle("php") else { return };
    if !Path::new(SUPPORT).is_file() || !Path::new(DOTENV).is_file() {
        oracle_missing("illuminate/support and phpdotenv (apt-get install php-illuminate-support)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = write(dir.path(), "laravel.php", SCRIPT);
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let app = build_app(&case, dir.path());
        let out = Command::new(&php)
            .args(["-n", "-d", "extension=mbstring", "-d", "extension=ctype"])
            .arg(&script)
            .arg(&app)
            .arg(SUPPORT)
            .arg(DOTENV)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .output()
            .expect("php runs");
        let theirs: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{name}: no JSON from PHP ({e}): {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        for (key, ours) in redline_reads(&app) {
            let want = as_text(&theirs[key.as_str()]);
            if ours != want {
                mismatches.push(format!("{name}: {key}: redline {ours}, Laravel {want}"));
            }
            compared += 1;
        }
    }
    assert!(
        mismatches.is_empty(),
        "redline and Laravel disagree:\n{}",
        mismatches.join("\n")
    );
    assert!(compared >= 40, "only {compared} values compared");
}
