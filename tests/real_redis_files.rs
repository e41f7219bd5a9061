//! Redis files from real repositories that are not what their names say (ACL files, stunnel and
//! Zabbix configs, upstart jobs), deploy-time templates, and messages about shared files.

mod common;

use common::*;

fn findings_of(dir: &std::path::Path, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["check", "--no-config", "--format", "json"];
    all.extend_from_slice(args);
    let out = run(dir, &all);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    json(&out)["findings"].as_array().unwrap().clone()
}

const ACL: &str = "user default on #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 ~* &* +@all -flushall\nuser app on >app-password-that-is-long-enough-for-xs201 ~sess:* +@read +@write\n";

#[test]
fn an_acl_file_named_on_the_command_line_is_read_as_an_acl_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "redis-users.conf", ACL);
    let found = findings_of(dir.path(), &["redis-users.conf"]);
    let rules: Vec<&str> = found.iter().map(|f| f["rule"].as_str().unwrap()).collect();
    for rule in ["RD101", "RD201", "RD301", "RD401", "RD502"] {
        assert!(!rules.contains(&rule), "{rule} on an ACL file: {rules:?}");
    }
    // `fix --write --unsafe-fixes` adds no redis.conf directive to it.
    let out = run(
        dir.path(),
        &[
            "fix",
            "--no-config",
            "--write",
            "--unsafe-fixes",
            "redis-users.conf",
        ],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("redis-users.conf")).unwrap(),
        ACL
    );
}

#[test]
fn an_acl_file_found_by_name_gets_its_acl_syntax_checked_only() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "redis-acl.conf",
        "user default on nopass ~* +@all\nuser app on >pw ~* +@all bogus-rule\n",
    );
    let found = findings_of(dir.path(), &[]);
    let rules: Vec<(&str, u64)> = found
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(rules, vec![("RD001", 2)], "{found:?}");
}

#[test]
fn an_acl_file_an_instance_names_is_part_of_that_instance() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "redis.conf",
        "aclfile redis-users.conf\nappendonly yes\n",
    );
    write(dir.path(), "redis-users.conf", ACL);
    let out = run(dir.path(), &["stack", "--no-config", "--format", "json"]);
    let stack = json(&out);
    assert_eq!(stack["instances"].as_array().unwrap().len(), 1, "{stack:#}");
}

#[test]
fn files_named_like_redis_configs_that_are_not_are_passed_over() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "redis-tls-srv.conf",
        "pid = /var/run/stunnel-redis.pid\n[redis]\ncert = /etc/stunnel/redis.pem\naccept = 0.0.0.0:6380\nconnect = 127.0.0.1:6379\n",
    );
    write(
        dir.path(),
        "zabbix/redis.conf",
        "UserParameter=redis.ping,redis-cli ping\nUserParameter=redis.info[*],redis-cli info $1\n",
    );
    write(
        dir.path(),
        "redis-sentinel.upstart.conf",
        "description \"redis sentinel\"\nstart on runlevel [2345]\nstop on shutdown\nexec /usr/bin/redis-sentinel /etc/redis/sentinel.conf\n",
    );
    write(dir.path(), "redis.conf", "bind 127.0.0.1\nappendonly yes\n");
    let out = run(
        dir.path(),
        &["check", "--no-config", "--format", "json", "--verbose"],
    );
    let report = json(&out);
    let paths: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.iter().all(|p| *p == "redis.conf"),
        "only the real redis.conf is audited: {paths:?}"
    );
    assert_eq!(report["summary"]["files"], 1, "{report:#}");
    let err = stderr(&out);
    assert!(err.contains("Passed over 3 files"), "{err}");
    assert!(err.contains("redis-tls-srv.conf"), "{err}");
    // Named on the command line, a file is audited whatever it holds.
    let found = findings_of(dir.path(), &["redis-tls-srv.conf"]);
    assert!(found.iter().any(|f| f["rule"] == "RD001"), "{found:?}");
}

#[test]
fn placeholders_are_never_weak_passwords_nor_rotated() {
    for placeholder in [
        "$PASS",
        "${REDIS_PASSWORD}",
        "%PASSWORD%",
        "@REDIS_PASS@",
        "\"{{ redis_password }}\"",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let text = format!("requirepass {placeholder}\nbind 127.0.0.1\nappendonly yes\n");
        write(dir.path(), "redis.conf", &text);
        write(
            dir.path(),
            "sentinel.conf",
            format!("sentinel monitor m 127.0.0.1 6379 2\nsentinel auth-pass m {placeholder}\n"),
        );
        let found = findings_of(dir.path(), &[]);
        let rules: Vec<&str> = found.iter().map(|f| f["rule"].as_str().unwrap()).collect();
        assert!(!rules.contains(&"XS201"), "{placeholder}: {rules:?}");
        assert!(!rules.contains(&"RD101"), "{placeholder}: {rules:?}");
        let out = run(
            dir.path(),
            &["fix", "--no-config", "--write", "--unsafe-fixes"],
        );
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
        // Other fixes may add lines; the placeholder stays what the deployment substitutes.
        let after = std::fs::read_to_string(dir.path().join("redis.conf")).unwrap();
        assert!(
            after.starts_with(&format!("requirepass {placeholder}\n")),
            "{placeholder}: {after}"
        );
        let sentinel = std::fs::read_to_string(dir.path().join("sentinel.conf")).unwrap();
        assert!(
            sentinel.contains(&format!("sentinel auth-pass m {placeholder}\n")),
            "{placeholder}: {sentinel}"
        );
    }
}

#[test]
fn a_placeholder_client_password_is_not_a_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "redis.conf",
        "requirepass 4f1c7a9e2b8d6f3a0c5e7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a\nbind 127.0.0.1\nappendonly yes\n",
    );
    write(
        dir.path(),
        "php.ini",
        "session.save_handler = redis\nsession.save_path = \"tcp://127.0.0.1:6379?auth=${REDIS_PASSWORD}\"\n",
    );
    let found = findings_of(dir.path(), &[]);
    let rules: Vec<&str> = found.iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert!(!rules.contains(&"XS101"), "{rules:?}");
    assert!(!rules.contains(&"XS201"), "{rules:?}");
}

#[test]
fn a_fix_in_a_shared_include_names_the_other_instances() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "redis-common.conf", "appendonly no\n");
    write(
        dir.path(),
        "redis-sessions.conf",
        "include redis-common.conf\nport 6379\nbind 127.0.0.1\n",
    );
    write(
        dir.path(),
        "redis-queue.conf",
        "include redis-common.conf\nport 6380\nbind 127.0.0.1\n",
    );
    let found = findings_of(dir.path(), &[]);
    let aof: Vec<&serde_json::Value> = found.iter().filter(|f| f["rule"] == "RD301").collect();
    assert!(!aof.is_empty(), "{found:?}");
    for f in aof {
        let description = f["fix"]["description"].as_str().unwrap();
        assert!(
            description.contains("redis-common.conf` is shared"),
            "{description}"
        );
        let other = if description.contains("redis-queue.conf") {
            "redis-queue.conf"
        } else {
            "redis-sessions.conf"
        };
        assert!(description.contains(other), "{description}");
    }
}

#[test]
fn a_relative_aclfile_is_read_from_dir() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "redis.conf",
        "dir data\naclfile users.acl\nbind 127.0.0.1\n",
    );
    // redis-server chdirs to `dir` while reading its config, then reads the aclfile from there.
    write(
        dir.path(),
        "data/users.acl",
        "user default on nopass ~* +@all\n",
    );
    let found = findings_of(dir.path(), &[]);
    let rules: Vec<&str> = found.iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert!(!rules.contains(&"RD002"), "{found:?}");
    assert!(rules.contains(&"RD101"), "{found:?}");
    // Without the file there, the message says where redis-server looks.
    std::fs::remove_file(dir.path().join("data/users.acl")).unwrap();
    let found = findings_of(dir.path(), &[]);
    let missing = found.iter().find(|f| f["rule"] == "RD002").expect("RD002");
    assert!(
        missing["message"].as_str().unwrap().contains("`dir`"),
        "{missing}"
    );
}
