//! Oracle test: redline's reading of Django cache LOCATION URLs against redis-py's own
//! `parse_url` (what `ConnectionPool.from_url` calls), run with `python3`. Needs the `redis`
//! package (`.ci/run` installs it with pip).

mod common;

use common::*;
use redline::model::django::parse_location;
use std::process::Command;

fn urls() -> Vec<String> {
    std::fs::read_to_string(fixtures().join("oracle/redis-py/urls.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Run `body` in python3 after importing redis-py's `parse_url` (stdin and argv[1] as given) and
/// read the JSON it prints. None, said loudly, when redis-py is not installed.
fn with_redis_py(
    python: &std::path::Path,
    body: &str,
    arg: &str,
    stdin: &str,
) -> Option<serde_json::Value> {
    let script = format!(
        "import json, sys\ntry:\n    from redis.connection import parse_url\nexcept ImportError:\n    print(json.dumps({{\"missing\": True}}))\n    sys.exit(0)\n{body}"
    );
    let mut child = Command::new(python)
        .args(["-c", &script])
        .arg(arg)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let reply: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON from python3 ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    if reply.get("missing").is_some() {
        oracle_missing("redis-py for python3 (pip install redis)");
        return None;
    }
    Some(reply)
}

#[test]
fn locations_match_redis_py() {
    let Some(python) = oracle("python3") else {
        return;
    };
    let body = r#"
out = []
for url in json.loads(sys.stdin.read()):
    try:
        k = parse_url(url)
        out.append({"host": k.get("host"), "port": k.get("port", 6379), "db": k.get("db"),
                    "password": k.get("password"), "path": k.get("path")})
    except ValueError as e:
        out.append({"error": str(e)})
print(json.dumps({"results": out}))
"#;
    let urls = urls();
    let Some(reply) = with_redis_py(&python, body, "", &serde_json::to_string(&urls).unwrap())
    else {
        return;
    };
    let results = reply["results"].as_array().unwrap();
    let mut mismatches = Vec::new();
    for (url, theirs) in urls.iter().zip(results) {
        let ours = parse_location(url).map(|l| {
            serde_json::json!({
                "host": l.host,
                "port": l.port,
                "db": l.db.map(|d| d.parse::<i64>().map_or(serde_json::json!(d), |n| serde_json::json!(n))),
                "password": l.password,
                "path": l.socket,
            })
        });
        match ours {
            None if theirs.get("error").is_some() => {}
            None => mismatches.push(format!(
                "{url}: redline refuses it, redis-py reads {theirs}"
            )),
            Some(ours) if ours != *theirs => mismatches.push(format!(
                "{url}:\n    redline  {ours}\n    redis-py {theirs}"
            )),
            Some(_) => {}
        }
    }
    assert!(results.len() == urls.len() && urls.len() > 40);
    assert!(
        mismatches.is_empty(),
        "redline and redis-py disagree:\n{}",
        mismatches.join("\n")
    );
}

/// DJ105's safe fix, checked by redis-py: before it the LOCATION is cut at `#` (here redis-py
/// then refuses it: `pa` is no port); after `redline fix --write` it reads the whole password.
#[test]
fn dj105_fix_makes_redis_py_read_the_password() {
    let Some(python) = oracle("python3") else {
        return;
    };
    let body = r#"
import runpy
g = runpy.run_path(sys.argv[1])
try:
    print(json.dumps({"password": parse_url(g["CACHES"]["sessions"]["LOCATION"]).get("password")}))
except ValueError as e:
    print(json.dumps({"password": None, "error": str(e)}))
"#;
    let dir = tempfile::tempdir().unwrap();
    let settings = write(
        dir.path(),
        "settings.py",
        "SESSION_ENGINE = \"django.contrib.sessions.backends.cache\"\nSESSION_CACHE_ALIAS = \"sessions\"\nCACHES = {\n    \"sessions\": {\n        \"BACKEND\": \"django.core.cache.backends.redis.RedisCache\",\n        \"LOCATION\": \"redis://:pa#ss/wd@127.0.0.1:6379/2\",\n    }\n}\n",
    );
    let password = || with_redis_py(&python, body, settings.to_str().unwrap(), "");
    let Some(before) = password() else {
        return;
    };
    assert_ne!(before["password"], "pa#ss/wd");
    let out = run(
        dir.path(),
        &["fix", "--no-config", "--write", "--select", "DJ105", "."],
    );
    assert!(out.status.code().is_some_and(|c| c < 2), "{}", stderr(&out));
    assert_eq!(
        password().unwrap()["password"],
        "pa#ss/wd",
        "after the fix: {}",
        std::fs::read_to_string(&settings).unwrap()
    );
}

/// An `@` in a LOCATION password: redis-py splits the user info at the last `@`, reads the
/// whole password, and a real server accepts it; DJ105 stays quiet.
#[test]
fn dj105_quiet_on_an_at_sign_redis_py_reads() {
    let Some(python) = oracle("python3") else {
        return;
    };
    let Some(server_binary) = oracle("redis-server") else {
        return;
    };
    let password = "p@ss-9d2c7e1a4b6f8e3d5c0a9b7e1f2d4c6a";
    let url = format!("redis://:{password}@127.0.0.1:6379/2");
    let dir = tempfile::tempdir().unwrap();
    let conf = write(
        dir.path(),
        "redis.conf",
        format!("bind 127.0.0.1\nport 6379\nrequirepass {password}\n"),
    );
    write(
        dir.path(),
        "settings.py",
        format!("SESSION_ENGINE = \"django.contrib.sessions.backends.cache\"\nCACHES = {{\n    \"default\": {{\n        \"BACKEND\": \"django.core.cache.backends.redis.RedisCache\",\n        \"LOCATION\": \"{url}\",\n    }}\n}}\n"),
    );
    let server = match Server::start(&server_binary, &conf, false) {
        Started::Running(s) => s,
        Started::Refused(why) => panic!("redis-server refused: {why}"),
    };
    let body = r#"
import redis
kw = parse_url(sys.stdin.read())
try:
    redis.Redis(unix_socket_path=sys.argv[1], password=kw.get("password")).ping()
    ping = "ok"
except redis.exceptions.RedisError as e:
    ping = str(e)
print(json.dumps({"password": kw.get("password"), "ping": ping}))
"#;
    let Some(reply) = with_redis_py(&python, body, server.socket.to_str().unwrap(), &url) else {
        return;
    };
    assert_eq!(reply["password"], password);
    assert_eq!(reply["ping"], "ok");
    assert_eq!(
        parse_location(&url).unwrap().password.as_deref(),
        Some(password)
    );
    let out = run(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "--select",
            "DJ105,XS101",
            ".",
        ],
    );
    assert!(rules_of(&json(&out)).is_empty(), "{}", stdout(&out));
}
