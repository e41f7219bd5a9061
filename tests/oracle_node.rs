//! The Express oracle: each app of `fixtures/oracle_node/` is loaded by node, with an empty
//! environment, through `tests/oracle_node/harness.js` (express stubbed; the real express-session,
//! connect-redis, ioredis and node-redis at the exact versions of tests/oracle_node/package.json,
//! installed by .ci/run, the major version the app's package.json names where two are installed; client sockets recorded, never opened; TypeScript compiled first with
//! the real TypeScript compiler, ES modules through loader hooks). What the libraries made of it
//! (the host, port, TLS, database and password each client uses, the store's prefix and TTL, the
//! session options) must be what redline read. Where the app ships a redis.conf, the real
//! redis-server runs it on a private socket and the library's password logs in or not: XS101
//! fires exactly when it does not.

mod common;

use common::*;
use common::{Server, Started};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const PACKAGES: [&str; 5] = [
    "express-session",
    "connect-redis",
    "ioredis",
    "redis",
    "dotenv",
];

fn oracle_dir() -> PathBuf {
    manifest_dir().join("tests/oracle_node")
}

/// node, with every package the harness loads; None (loudly) when missing.
fn node() -> Option<PathBuf> {
    let node = oracle("node")?;
    let modules = oracle_dir().join("node_modules");
    for package in PACKAGES {
        if !modules.join(package).join("package.json").is_file() {
            oracle_missing(&format!(
                "npm package `{package}` (run `npm ci` in tests/oracle_node, as .ci/run does)"
            ));
            return None;
        }
    }
    Some(node)
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).min_depth(1) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// What the real libraries did with the app.
fn load_with_node(node: &Path, app: &Path) -> Value {
    let out = Command::new(node)
        .env_clear()
        .current_dir(app)
        .arg(oracle_dir().join("harness.js"))
        // A TypeScript app is compiled by the harness first; an ES module goes through its
        // loader hooks.
        .arg(
            ["app.ts", "app.mjs"]
                .into_iter()
                .find(|entry| app.join(entry).is_file())
                .unwrap_or("app.js"),
        )
        .output()
        .expect("node runs");
    assert!(out.status.success(), "harness: {}", stderr(&out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("harness output ({e}): {}", stdout(&out)))
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host == "::1" || host.starts_with("127.")
}

fn fires(report: &Value, rule: &str) -> bool {
    rules_of(report).iter().any(|r| r == rule)
}

#[test]
fn redline_reads_express_apps_as_the_libraries_do() {
    let Some(node) = node() else { return };
    let redis_server = oracle("redis-server");
    let mut compared = 0;
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures().join("oracle_node"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&case, dir.path());
        let real = load_with_node(&node, dir.path());
        assert!(
            real["errors"].as_array().unwrap().is_empty(),
            "{name}: the app failed under node: {}",
            real["errors"]
        );
        let stack = json(&run(
            dir.path(),
            &["stack", "--format", "json", "--no-config", "."],
        ));
        let report = json(&run(
            dir.path(),
            &["check", "--format", "json", "--no-config", "."],
        ));
        let ours: Vec<&Value> = stack["clients"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["label"].as_str().unwrap().starts_with("Express"))
            .collect();
        let clients = real["clients"].as_array().unwrap();
        assert_eq!(ours.len(), clients.len(), "{name}: clients {stack}");
        for (i, (client, mine)) in clients.iter().zip(&ours).enumerate() {
            // Where the socket really went (recorded when it was opened), else the options.
            let socket = real["sockets"].get(i).unwrap_or(client);
            let host = socket["host"]
                .as_str()
                .unwrap_or("localhost")
                .to_ascii_lowercase();
            let port = socket["port"].as_u64().unwrap_or(6379);
            let address = match socket["path"].as_str() {
                Some(path) => format!("unix:{path}"),
                None => format!("{host}:{port}"),
            };
            assert_eq!(
                mine["target"].as_str().unwrap(),
                address,
                "{name}: the address the client uses"
            );
            assert_eq!(
                mine["database"].as_str().unwrap(),
                client["db"].as_u64().unwrap().to_string(),
                "{name}: the database"
            );
            let tls = client["tls"].as_bool().unwrap();
            let remote = socket["path"].is_null() && !is_loopback(&host);
            assert_eq!(
                fires(&report, "NJ104"),
                !tls && remote,
                "{name}: NJ104 against TLS {tls} to {host}"
            );
            let store = &real["stores"][i];
            assert_eq!(
                mine["prefix"], store["prefix"],
                "{name}: the store's prefix"
            );
            assert_eq!(
                fires(&report, "NJ301"),
                store["disableTTL"] == true,
                "{name}: NJ301"
            );
            // The password the library parsed, against the real server.
            let conf = dir.path().join("redis.conf");
            if !conf.is_file() {
                continue;
            }
            let Some(binary) = &redis_server else {
                continue;
            };
            let Started::Running(server) = Server::start(binary, &conf, false) else {
                panic!("{name}: redis-server refused redis.conf");
            };
            let password = client["password"].as_str().unwrap_or_default().to_string();
            let user = client["username"].as_str().filter(|u| !u.is_empty());
            let mut args = vec!["AUTH"];
            if let Some(user) = user {
                args.push(user);
            }
            args.push(&password);
            let accepted = !server.connect().call(&args).is_error();
            assert_eq!(mine["link"], "linked", "{name}: linked to the instance");
            assert_eq!(
                fires(&report, "XS101"),
                !accepted,
                "{name}: XS101 against the server's answer to the library's password"
            );
        }
        let has_env_file = dir.path().join(".env").is_file();
        for (i, session) in real["sessions"].as_array().unwrap().iter().enumerate() {
            assert_eq!(i, 0, "{name}: one session per fixture app");
            let cookie = &session["cookie"];
            let secure = &cookie["secure"];
            let secure_on = *secure == true || *secure == "auto";
            let checks = [
                ("NJ101", session["hasStore"] == false),
                (
                    "NJ203",
                    session["resave"].is_null() || session["saveUninitialized"].is_null(),
                ),
                ("NJ201", !secure_on),
                ("NJ202", cookie["httpOnly"] == false),
                ("NJ205", session["secretType"] == "string" && !has_env_file),
                (
                    "NJ206",
                    cookie["sameSite"]
                        .as_str()
                        .is_some_and(|s| s.eq_ignore_ascii_case("none"))
                        && !secure_on,
                ),
                (
                    "NJ204",
                    secure_on
                        && session["proxy"] != true
                        && real["trustProxy"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .all(|v| *v == false || *v == 0),
                ),
            ];
            for (rule, expected) in checks {
                assert_eq!(
                    fires(&report, rule),
                    expected,
                    "{name}: {rule} against what express-session got: {session}"
                );
            }
        }
        compared += 1;
    }
    assert!(compared >= 13, "only {compared} apps compared");
}
