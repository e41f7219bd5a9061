//! The stack: clients linked to instances, the cross-file rules on a whole fixture stack, and
//! `redline stack` in each format (the DOT output rendered by Graphviz when it is installed).

mod common;

use common::*;
use std::path::Path;

fn copy_tree(from: &Path, to: &Path) {
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

/// A JSON check of `dir` with no redline.toml.
fn audit_again(dir: &Path) -> serde_json::Value {
    json(&run(dir, &["check", "--no-config", "--format", "json"]))
}

fn fixture_stack() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixtures().join("stack"), dir.path());
    std::fs::remove_file(dir.path().join("expect")).unwrap();
    dir
}

/// Every password of the fixture stack: none may ever be printed.
fn secrets(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for word in text.split(|c: char| !c.is_ascii_hexdigit()) {
            if word.len() == 64 {
                out.push(word.to_string());
            }
        }
    }
    assert!(out.len() >= 4, "the fixture stack holds its passwords");
    out
}

#[test]
fn each_cross_file_rule_fires_once_where_expected_and_nothing_else_fires() {
    let dir = fixture_stack();
    let out = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    let mut got: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}",
                f["rule"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
                f["line"]
            )
        })
        .collect();
    got.sort();
    let mut expected: Vec<String> = std::fs::read_to_string(fixtures().join("stack/expect"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    expected.sort();
    assert_eq!(got, expected);
    for rule in ["XS101", "XS102", "XS103", "XS104", "SN101", "SN102"] {
        assert_eq!(
            got.iter().filter(|g| g.starts_with(rule)).count(),
            1,
            "{rule} fires once"
        );
    }
    // Cross-file findings point at the other end.
    let xs101 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "XS101")
        .unwrap();
    assert_eq!(xs101["related"][0]["path"], "redis/sessions.conf");
    assert_eq!(xs101["related"][0]["line"], 6);
}

#[test]
fn stack_json_links_each_client_to_its_instance() {
    let dir = fixture_stack();
    let out = run(dir.path(), &["stack", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let topology = json(&out);
    let instance_of = |file: &str| {
        topology["instances"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["file"] == file)
            .unwrap_or_else(|| panic!("instance {file}"))["id"]
            .clone()
    };
    let sessions = instance_of("redis/sessions.conf");
    let cache = instance_of("redis/cache.conf");
    let client = |label: &str| {
        topology["clients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["label"] == label)
            .unwrap_or_else(|| panic!("client {label}: {topology:#}"))
            .clone()
    };
    assert_eq!(client("php.ini `session.save_path`")["instance"], sessions);
    assert_eq!(
        client("Laravel connection `default` (sessions)")["instance"],
        sessions
    );
    assert_eq!(
        client("Laravel connection `cache` (cache)")["database"],
        "2"
    );
    // A host name links only through [hosts] in redline.toml.
    assert_eq!(client("Django cache `default`")["instance"], cache);
    assert_eq!(client("Django cache `ratelimit`")["link"], "nowhere");
    assert_eq!(client("Sentinel master `sessions`")["instance"], sessions);
    // Roles come from the linked clients.
    let role = |id: &serde_json::Value| {
        topology["instances"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| &i["id"] == id)
            .unwrap()["role"]
            .clone()
    };
    assert_eq!(role(&sessions), "sessions");
    assert_eq!(role(&cache), "cache");
    // The findings on an edge ride with it.
    let sentinel = client("Sentinel master `cache`");
    let rules: Vec<&str> = sentinel["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["SN101"]);
}

#[test]
fn without_the_host_map_a_host_name_links_nothing() {
    let dir = fixture_stack();
    let out = run(dir.path(), &["stack", "--format", "json", "--no-config"]);
    let topology = json(&out);
    let default = topology["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["label"] == "Django cache `default`")
        .unwrap();
    assert_eq!(default["link"], "nowhere");
}

#[test]
fn no_format_of_the_stack_prints_a_password() {
    let dir = fixture_stack();
    let secrets = secrets(dir.path());
    for format in ["text", "json", "dot", "mermaid"] {
        let out = run(dir.path(), &["stack", "--format", format]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", stderr(&out));
        let text = stdout(&out);
        for s in &secrets {
            assert!(!text.contains(s.as_str()), "{format} prints a password");
        }
    }
}

#[test]
fn mermaid_has_every_node_and_edge() {
    let dir = fixture_stack();
    let text = stdout(&run(dir.path(), &["stack", "--format", "mermaid"]));
    assert!(text.starts_with("flowchart LR\n"));
    for node in [
        "instance0[",
        "instance1[",
        "sentinel0{{",
        "client0([",
        "client5_target>",
    ] {
        assert!(text.contains(node), "{node} in {text}");
    }
    assert!(text.contains("sentinel0 -->|"));
    assert!(
        text.contains("client5 -.->|"),
        "an unlinked client is a dashed edge"
    );
}

#[test]
fn dot_renders_with_graphviz_and_has_every_node() {
    let dir = fixture_stack();
    let out = run(dir.path(), &["stack", "--format", "dot"]);
    let dot_text = stdout(&out);
    let topology = json(&run(dir.path(), &["stack", "--format", "json"]));
    let Some(dot) = oracle("dot") else { return };
    let mut child = std::process::Command::new(dot)
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dot_text.as_bytes())
        .unwrap();
    let rendered = child.wait_with_output().unwrap();
    assert!(
        rendered.status.success(),
        "dot refused the output: {}\n{dot_text}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    let svg = String::from_utf8_lossy(&rendered.stdout);
    let mut ids: Vec<String> = Vec::new();
    for kind in ["instances", "sentinels"] {
        for node in topology[kind].as_array().unwrap() {
            ids.push(node["id"].as_str().unwrap().to_string());
        }
    }
    for client in topology["clients"].as_array().unwrap() {
        ids.push(client["from"].as_str().unwrap().to_string());
    }
    for id in ids {
        assert!(
            svg.contains(&format!("<title>{id}</title>")),
            "node {id} is drawn"
        );
    }
    for file in [
        "redis/sessions.conf",
        "redis/cache.conf",
        "php/php.ini",
        "shop/.env",
        "portal/settings.py",
    ] {
        assert!(svg.contains(file), "{file} is in a label");
    }
}

#[test]
fn a_save_path_without_auth_gets_the_linked_instance_password() {
    let dir = tempfile::tempdir().unwrap();
    let password = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
    write(
        dir.path(),
        "redis.conf",
        format!("bind 127.0.0.1\nport 6379\nrequirepass {password}\n"),
    );
    write(
        dir.path(),
        "php.ini",
        "[Session]\nsession.save_handler = redis\nsession.save_path = \"tcp://127.0.0.1:6379\"\n",
    );
    write(
        dir.path(),
        "settings.py",
        format!("CACHES = {{\n    \"default\": {{\n        \"BACKEND\": \"django.core.cache.backends.redis.RedisCache\",\n        \"LOCATION\": \"redis://:{password}@127.0.0.1:6379/1\",\n    }}\n}}\n"),
    );
    let report = audit_again(dir.path());
    let php102 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "PHP102")
        .expect("PHP102");
    assert_eq!(
        php102["severity"], "error",
        "the linked instance needs a password"
    );
    let out = run(
        dir.path(),
        &["fix", "--no-config", "--write", "--unsafe-fixes"],
    );
    assert!(out.status.code().is_some(), "{}", stderr(&out));
    let php = std::fs::read_to_string(dir.path().join("php.ini")).unwrap();
    // Database 1 is the Django cache's: the sessions move to the next free one.
    assert!(
        php.contains(&format!(
            "tcp://127.0.0.1:6379?auth={password}&database=2\""
        )),
        "{php}"
    );
    let after = audit_again(dir.path());
    let rules = rules_of(&after);
    for gone in ["PHP102", "PHP103", "XS101", "XS102"] {
        assert!(!rules.contains(&gone.to_string()), "{gone} left: {rules:?}");
    }
}

#[test]
fn a_placeholder_instance_password_is_never_copied_into_a_client() {
    // A redis.conf template filled in at deploy time: php.ini would not expand the placeholder.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "redis.conf",
        "bind 127.0.0.1\nport 6379\nrequirepass ${REDIS_PASSWORD}\n",
    );
    write(
        dir.path(),
        "php.ini",
        "[Session]\nsession.save_handler = redis\nsession.save_path = \"tcp://127.0.0.1:6379\"\n",
    );
    let report = audit_again(dir.path());
    let php102 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "PHP102")
        .expect("PHP102");
    assert_eq!(php102["severity"], "error", "{php102:#}");
    assert!(php102["fix"].is_null(), "{php102:#}");
}

/// The secret `requirepass` holds in a fixed config.
fn requirepass_of(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("requirepass "))
        .expect("requirepass")
        .to_string()
}

const ROTATED_FILES: [&str; 6] = [
    "redis/sessions.conf",
    "redis/replica.conf",
    "sentinel/sentinel.conf",
    "php/php.ini",
    "shop/.env",
    "portal/settings.py",
];

fn rotation_stack() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixtures().join("rotation"), dir.path());
    dir
}

#[test]
fn a_weak_password_is_rotated_in_every_linked_file_at_once() {
    let dir = rotation_stack();
    let out = run(
        dir.path(),
        &["fix", "--no-config", "--write", "--unsafe-fixes"],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let secret = requirepass_of(&dir.path().join("redis/sessions.conf"));
    assert_eq!(secret.len(), 64, "a 64-hex secret");
    assert!(secret.bytes().all(|b| b.is_ascii_hexdigit()));
    for file in ROTATED_FILES {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert!(
            text.contains(&secret),
            "{file} holds the new secret:\n{text}"
        );
        assert!(
            !text.contains("foobared"),
            "{file} still holds the old password"
        );
        assert!(
            !text.contains("an-old-password"),
            "{file} still holds the stale password"
        );
    }
    // The replica authenticates to its master with the same secret.
    let replica = std::fs::read_to_string(dir.path().join("redis/replica.conf")).unwrap();
    assert!(replica.contains(&format!("masterauth {secret}")));
    // No secret in what was printed.
    assert!(!stdout(&out).contains(&secret) && !stderr(&out).contains(&secret));
    let report = audit_again(dir.path());
    let rules = rules_of(&report);
    for gone in ["XS101", "XS201", "RD101", "SN102"] {
        assert!(!rules.contains(&gone.to_string()), "{gone} left: {rules:?}");
    }
    // Fixing again changes nothing.
    let before: Vec<Vec<u8>> = ROTATED_FILES
        .iter()
        .map(|f| std::fs::read(dir.path().join(f)).unwrap())
        .collect();
    run(
        dir.path(),
        &["fix", "--no-config", "--write", "--unsafe-fixes"],
    );
    for (file, old) in ROTATED_FILES.iter().zip(before) {
        assert_eq!(
            std::fs::read(dir.path().join(file)).unwrap(),
            old,
            "{file} changed again"
        );
    }

    // A real redis-server on the fixed config takes the new secret and refuses the old one.
    let Some(binary) = oracle("redis-server") else {
        return;
    };
    let server = match Server::start(&binary, &dir.path().join("redis/sessions.conf"), false) {
        Started::Running(s) => s,
        Started::Refused(why) => panic!("redis-server refused the rotated config: {why}"),
    };
    let mut c = server.connect();
    assert!(
        c.call(&["AUTH", "foobared"]).is_error(),
        "the old password is refused"
    );
    assert_eq!(c.call(&["AUTH", &secret]), Reply::Status("OK".into()));
}

#[test]
fn a_rotation_whose_writes_fail_half_way_changes_no_file() {
    use redline::app::{fix_until_stable, Settings};
    use redline::fix::write::{write_all, PlannedWrite};
    let dir = rotation_stack();
    let before: Vec<Vec<u8>> = ROTATED_FILES
        .iter()
        .map(|f| std::fs::read(dir.path().join(f)).unwrap())
        .collect();
    let settings = Settings::defaults();
    let mut sources = redline::source::Sources::new();
    let found = redline::discovery::discover(
        &[dir.path().to_path_buf()],
        &settings.discovery,
        &mut sources,
    )
    .unwrap();
    let (_, applied) = fix_until_stable(&mut sources, &found.roots, &settings, true);
    assert!(applied > 0);
    let plans: Vec<PlannedWrite> = sources
        .changed()
        .into_iter()
        .map(|id| {
            let file = sources.get(id);
            PlannedWrite {
                path: file.path.clone(),
                contents: file.doc.bytes().to_vec(),
                expected: Some(file.original().to_vec()),
                like: None,
            }
        })
        .collect();
    assert!(
        plans.len() >= ROTATED_FILES.len(),
        "the rotation touches every linked file"
    );
    for (fail_write_at, fail_rename_at) in [(Some(3), None), (None, Some(4))] {
        let mut fs = FailingFs {
            fail_write_at,
            fail_rename_at,
            writes: 0,
            renames: 0,
        };
        assert!(write_all(&plans, &mut fs).is_err());
        for (file, old) in ROTATED_FILES.iter().zip(&before) {
            assert_eq!(
                &std::fs::read(dir.path().join(file)).unwrap(),
                old,
                "{file} changed"
            );
        }
    }
}

/// The README's first set-up command: the example stack, linked through its redline.toml.
#[test]
fn the_example_stack_links_its_apps_and_fails_the_check() {
    let out = run(
        &manifest_dir(),
        &[
            "check",
            "--config",
            "examples/stack/redline.toml",
            "--format",
            "json",
            "examples/stack",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let rules = rules_of(&json(&out));
    assert!(rules.len() >= 30, "{rules:?}");
    for rule in [
        "XS101", "XS102", "XS103", "PHP102", "LV103", "FL203", "DC101", "DC102", "DC103",
    ] {
        assert!(rules.contains(&rule.to_string()), "{rule} in {rules:?}");
    }
    // Every reader shows in the example (the README says so): a finding of each family.
    for family in ["RD", "SN", "PHP", "LV", "DJ", "FL", "NJ", "DC", "XS"] {
        let digits = |r: &String| r[family.len()..].chars().all(|c| c.is_ascii_digit());
        assert!(
            rules.iter().any(|r| r.starts_with(family) && digits(r)),
            "no {family} finding in {rules:?}"
        );
    }
    assert!(
        !rules.contains(&"XS104".to_string()),
        "every app is linked: {rules:?}"
    );
}

#[test]
fn a_laravel_app_without_a_password_gets_the_linked_instance_password() {
    let dir = tempfile::tempdir().unwrap();
    let password = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
    write(
        dir.path(),
        "redis.conf",
        format!("bind 127.0.0.1\nport 6379\nrequirepass {password}\n"),
    );
    write(
        dir.path(),
        "shop/.env",
        "SESSION_DRIVER=redis\nREDIS_HOST=127.0.0.1\nREDIS_PASSWORD=null\nREDIS_PORT=6379\n",
    );
    write(dir.path(), "shop/artisan", "");
    let report = audit_again(dir.path());
    let lv102 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "LV102")
        .expect("LV102");
    assert_eq!(
        lv102["severity"], "error",
        "the linked instance needs a password"
    );
    let out = run(
        dir.path(),
        &["fix", "--no-config", "--write", "--unsafe-fixes"],
    );
    assert!(out.status.code().is_some(), "{}", stderr(&out));
    let env = std::fs::read_to_string(dir.path().join("shop/.env")).unwrap();
    assert!(
        env.contains(&format!("REDIS_PASSWORD={password}\n")),
        "{env}"
    );
    let rules = rules_of(&audit_again(dir.path()));
    assert!(!rules.contains(&"LV102".to_string()) && !rules.contains(&"XS101".to_string()));
}

#[test]
fn a_client_of_another_acl_user_is_left_out_of_a_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let app_password = "0123456789abcdef0123456789abcdef0123456789abcdef";
    write(
        dir.path(),
        "redis.conf",
        format!("bind 127.0.0.1\nport 6379\nrequirepass weak\nuser app on >{app_password} ~* &* +@all\n"),
    );
    let ini = format!("[Session]\nsession.save_handler = redis\nsession.save_path = \"tcp://127.0.0.1:6379?auth[]=app&auth[]={app_password}&database=1\"\n");
    write(dir.path(), "php.ini", &ini);
    fix_everything(dir.path(), &["--select", "XS201"]);
    assert_ne!(
        requirepass_of(&dir.path().join("redis.conf")),
        "weak",
        "the default user's password is rotated"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("php.ini")).unwrap(),
        ini,
        "the client of user `app` keeps its password"
    );
}
