//! Hostile Express apps: the JavaScript reader and the model keep their bounds. Run on the
//! binary, so that a stack overflow is a failed exit status, never a crashed test harness.

use crate::common::*;
use std::time::{Duration, Instant};

const PACKAGE: &str =
    r#"{"dependencies":{"express-session":"^1.19.0","connect-redis":"^7.1.1","redis":"^4.7.0"}}"#;

/// `check --format json` on the folder, in bounded time, ending by itself with 0 or 1.
fn check_bounded(dir: &std::path::Path, limit: Duration) -> serde_json::Value {
    let started = Instant::now();
    let out = run(dir, &["check", "--no-config", "--format", "json", "."]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{:?}\n{}",
        out.status,
        stderr(&out)
    );
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert!(started.elapsed() < limit, "took {:?}", started.elapsed());
    json(&out)
}

fn rules(report: &serde_json::Value) -> Vec<String> {
    rules_of(report)
}

#[test]
fn deeply_nested_expressions_are_a_syntax_finding_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "package.json", PACKAGE);
    let depth = 200_000;
    let nested = format!(
        "const session = require('express-session');\nconst x = {}1{};\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    write(dir.path(), "brackets.js", &nested);
    let objects = format!(
        "const session = require('express-session');\nsession({{}});\nconst y = {}{};\n",
        "{a:".repeat(50_000),
        "}".repeat(50_000)
    );
    write(dir.path(), "objects.js", &objects);
    // Chains the parser recurses on without brackets.
    let unary = format!(
        "const session = require('express-session');\nconst z = {}x;\n",
        "!".repeat(100_000)
    );
    write(dir.path(), "unary.js", &unary);
    let assign = format!(
        "const session = require('express-session');\nlet a;\n{}1;\n",
        "a = ".repeat(50_000)
    );
    write(dir.path(), "assign.js", &assign);
    let conditional = format!(
        "const session = require('express-session');\nconst c = {}0;\n",
        "a ? b : ".repeat(50_000)
    );
    write(dir.path(), "conditional.js", &conditional);
    let report = check_bounded(dir.path(), Duration::from_secs(60));
    let nj001: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "NJ001")
        .collect();
    let paths: Vec<&str> = nj001.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert!(paths.contains(&"brackets.js"), "{paths:?}");
    assert!(paths.contains(&"objects.js"), "{paths:?}");
}

#[test]
fn import_cycles_end() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "package.json", PACKAGE);
    write(
        dir.path(),
        "app.js",
        "const session = require('express-session');\nconst RedisStore = require('connect-redis').default;\nconst { client } = require('./a');\nmodule.exports.client = client;\nsession({ store: new RedisStore({ client }), secret: process.env.S, resave: false, saveUninitialized: false });\n",
    );
    // a -> b -> a, each re-exporting what the other exports, and a self-import.
    write(
        dir.path(),
        "a.js",
        "const b = require('./b');\nconst self = require('./a');\nmodule.exports = { client: b.client, other: self.other };\n",
    );
    write(
        dir.path(),
        "b.js",
        "const a = require('./a');\nexport * from './b';\nexport { client } from './app';\nmodule.exports = { client: a.client };\n",
    );
    // A ring of 500 modules each importing the next.
    for i in 0..500 {
        write(
            dir.path(),
            &format!("ring/m{i}.js"),
            format!(
                "export {{ client }} from './m{}';\nimport 'express-session';\n",
                (i + 1) % 500
            ),
        );
    }
    let report = check_bounded(dir.path(), Duration::from_secs(60));
    assert!(!rules(&report).iter().any(|r| r == "NJ001"), "{report:#}");
}

#[test]
fn a_ten_megabyte_minified_bundle_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "package.json", PACKAGE);
    let mut bundle = String::from("require('express-session');session({secret:'bundled-secret'});");
    while bundle.len() < 10 * 1024 * 1024 {
        bundle.push_str("var a=function(b){return b+1};");
    }
    write(dir.path(), "public/vendor.min.js", &bundle);
    write(dir.path(), "dist/server.js", &bundle);
    write(dir.path(), "server.js", &bundle);
    let report = check_bounded(dir.path(), Duration::from_secs(30));
    assert!(
        report["findings"].as_array().unwrap().is_empty(),
        "{report:#}"
    );
}

#[test]
fn typescript_that_does_not_parse_is_nj001() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "package.json", PACKAGE);
    write(
        dir.path(),
        "src/app.ts",
        "import session from 'express-session';\nconst opts: Record<string, = {};\napp.use(session(opts as any)\n",
    );
    write(
        dir.path(),
        "src/bad-utf8.ts",
        b"import session from 'express-session';\nconst s = '\xff\xfe';\n",
    );
    let report = check_bounded(dir.path(), Duration::from_secs(30));
    let nj001: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "NJ001")
        .map(|f| format!("{}:{}", f["path"].as_str().unwrap(), f["line"]))
        .collect();
    assert!(nj001.contains(&"src/app.ts:2".to_string()), "{nj001:?}");
    assert!(
        nj001.contains(&"src/bad-utf8.ts:2".to_string()),
        "{nj001:?}"
    );
}

#[test]
fn values_that_double_at_each_step_stay_bounded() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "package.json", PACKAGE);
    let mut app = String::from(
        "const session = require('express-session');\nconst RedisStore = require('connect-redis').default;\nconst { createClient } = require('redis');\nconst a0 = 'xy';\nconst f0 = () => createClient({ url: a0 });\n",
    );
    for i in 1..=80 {
        app.push_str(&format!(
            "const a{i} = a{p} + a{p} + `${{a{p}}}`;\n",
            p = i - 1
        ));
        app.push_str(&format!("const f{i} = () => f{p}(f{p}());\n", p = i - 1));
    }
    app.push_str("session({ store: new RedisStore({ client: f80() }), secret: a80, resave: false, saveUninitialized: false });\n");
    write(dir.path(), "app.js", &app);
    check_bounded(dir.path(), Duration::from_secs(30));
}
