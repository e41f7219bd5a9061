//! The binary as CI pipelines use it: exit codes, the JSON report, discovery, secrets, diffs that
//! `git apply` accepts, in-place writes, and hostile input.

mod common;

use common::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

const STRONG: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn clean_conf() -> String {
    format!(
        "bind 127.0.0.1 -::1\nrequirepass {STRONG}\nappendonly yes\nmaxmemory 1gb\nmaxmemory-policy noeviction\nrename-command FLUSHALL \"\"\nrename-command FLUSHDB \"\"\nrename-command CONFIG \"\"\n"
    )
}

#[test]
fn exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "redis.conf", clean_conf());
    assert_eq!(
        run(dir.path(), &["check", "--no-config"]).status.code(),
        Some(0)
    );
    write(dir.path(), "redis.conf", clean_conf() + "appendfsync no\n");
    assert_eq!(
        run(dir.path(), &["check", "--no-config"]).status.code(),
        Some(1),
        "a warning fails by default"
    );
    assert_eq!(
        run(dir.path(), &["check", "--no-config", "--fail-on", "error"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        run(dir.path(), &["check", "--no-config", "--exit-zero"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        run(dir.path(), &["check", "--no-config", "--fail-on", "never"])
            .status
            .code(),
        Some(0)
    );
    write(
        dir.path(),
        "redis.conf",
        clean_conf() + "rename-command DEBUG dbg\n",
    );
    assert_eq!(
        run(dir.path(), &["check", "--no-config"]).status.code(),
        Some(0),
        "info does not fail at warning"
    );
    assert_eq!(
        run(dir.path(), &["check", "--no-config", "--fail-on", "info"])
            .status
            .code(),
        Some(1)
    );
    let missing = run(dir.path(), &["check", "--no-config", "nope"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("nope"), "{}", stderr(&missing));
    assert_eq!(
        run(dir.path(), &["check", "--no-config", "--select", "NOPE"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(dir.path(), &["check", "--bogus-flag"]).status.code(),
        Some(2)
    );
    // A file redis-server cannot read is a finding, not a failed run.
    write(dir.path(), "redis.conf", "port 6379 # comment\n");
    assert_eq!(
        run(dir.path(), &["check", "--no-config", "--select", "RD001"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn bad_config_file_names_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "redis.conf", clean_conf());
    write(
        dir.path(),
        "redline.toml",
        "fail-on = \"warning\"\n\n[severity]\nRD301 = \"fatal\"\n",
    );
    let out = run(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("redline.toml:4") && stderr(&out).contains("RD301"),
        "{}",
        stderr(&out)
    );
    write(dir.path(), "redline.toml", "unknown-key = 1\n");
    let out = run(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("redline.toml:1") && stderr(&out).contains("unknown-key"),
        "{}",
        stderr(&out)
    );
    // The nearest parent's redline.toml applies; --no-config ignores it.
    write(dir.path(), "redline.toml", "fail-on = \"never\"\n");
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    write(dir.path(), "sub/redis.conf", "appendfsync no\n");
    assert_eq!(
        run(&dir.path().join("sub"), &["check"]).status.code(),
        Some(0)
    );
    assert_eq!(
        run(&dir.path().join("sub"), &["check", "--no-config"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn json_report_matches_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "deploy/redis/sessions.conf",
        "include extra.conf\nmaxmemory-policy allkeys-lru\n",
    );
    write(
        dir.path(),
        "deploy/redis/extra.conf",
        "maxmemory-policy volatile-lru\nappendonly no\n",
    );
    let out = run(dir.path(), &["check", "--no-config", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    assert_eq!(report["version"], 1);
    assert_eq!(report["tool"]["name"], "redline");
    let findings = report["findings"].as_array().unwrap();
    let keys: Vec<&str> = findings[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "rule",
        "name",
        "severity",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "fix",
        "related",
    ] {
        assert!(keys.contains(&key), "missing {key}: {keys:?}");
    }
    let rd501 = findings.iter().find(|f| f["rule"] == "RD501").unwrap();
    assert_eq!(rd501["path"], "deploy/redis/sessions.conf");
    assert_eq!(rd501["line"], 2);
    assert_eq!(rd501["severity"], "error");
    assert!(
        rd501["message"]
            .as_str()
            .unwrap()
            .contains("deploy/redis/extra.conf:1"),
        "names the line it overrode: {rd501}"
    );
    assert_eq!(rd501["fix"]["applicability"], "safe");
    // The included file is part of the instance, not an instance of its own.
    let aof: Vec<_> = findings.iter().filter(|f| f["rule"] == "RD301").collect();
    assert_eq!(aof.len(), 1, "{aof:?}");
    assert_eq!(aof[0]["path"], "deploy/redis/extra.conf");
    let summary = &report["summary"];
    assert_eq!(summary["files"], 2);
    assert_eq!(
        summary["findings"].as_u64().unwrap() as usize,
        findings.len()
    );
    // Sorted by path, line, column, rule, and byte-identical on a second run.
    let order: Vec<(String, u64, u64, String)> = findings
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().into(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["rule"].as_str().unwrap().into(),
            )
        })
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    assert_eq!(
        run(dir.path(), &["check", "--no-config", "--format", "json"]).stdout,
        out.stdout
    );
}

#[test]
fn text_report_shows_location_excerpt_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "redis.conf",
        "appendonly yes\nmaxmemory-policy allkeys-lru\n",
    );
    let out = run(dir.path(), &["check", "--no-config", "--select", "RD501"]);
    let text = stdout(&out);
    assert!(
        text.starts_with("redis.conf:2:1: RD501 [error] `maxmemory-policy allkeys-lru`"),
        "{text}"
    );
    assert!(
        text.contains("  2 | maxmemory-policy allkeys-lru\n"),
        "{text}"
    );
    assert!(
        text.contains("fix: set `maxmemory-policy noeviction`"),
        "{text}"
    );
    assert!(text.trim_end().ends_with("Found 1 finding (1 error, 0 warnings, 0 infos) in 1 file. 1 fixable with `redline fix`."), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour when not a terminal");
    let forced = run(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--color",
            "always",
            "--select",
            "RD501",
        ],
    );
    assert!(stdout(&forced).contains('\u{1b}'));
}

#[test]
fn output_file_and_summary_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "redis.conf", "appendfsync no\nappendonly yes\n");
    let out = run(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "--output",
            "report.json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "the report file does not change the exit code"
    );
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("Found"), "{}", stderr(&out));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.json")).unwrap()).unwrap();
    assert!(rules_of(&report).contains(&"RD302".to_string()));
}

#[test]
fn discovery_by_name_and_content_skipping_vendor_folders() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/redis.conf", "appendfsync no\n");
    write(dir.path(), "b/cache.redis.conf", "appendfsync no\n");
    write(
        dir.path(),
        "c/6379.conf",
        "port 6379\nappendfsync no\nappendonly yes\n",
    );
    write(dir.path(), "d/nginx.conf", "server {\n  listen 80;\n}\n");
    write(
        dir.path(),
        "e/sentinel.conf",
        "sentinel monitor m 10.0.0.1 6379 2\n",
    );
    write(dir.path(), "node_modules/x/redis.conf", "appendfsync no\n");
    write(dir.path(), "vendor/redis.conf", "appendfsync no\n");
    write(dir.path(), "legacy/redis.conf", "appendfsync no\n");
    let out = run(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "--exclude",
            "legacy/**",
        ],
    );
    let report = json(&out);
    let mut paths: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "RD302")
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    paths.sort();
    paths.dedup();
    assert_eq!(
        paths,
        ["a/redis.conf", "c/6379.conf"],
        "cache.redis.conf has role cache, so RD302 stays silent there"
    );
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["path"] == "e/sentinel.conf" && f["rule"] == "SN301"));
    // A file named on the command line is audited whatever its name.
    write(dir.path(), "d/anything.txt", "appendfsync no\n");
    let out = run(
        dir.path(),
        &["check", "--no-config", "--format", "json", "d/anything.txt"],
    );
    assert!(rules_of(&json(&out)).contains(&"RD302".into()));
    // --type forces a kind.
    write(
        dir.path(),
        "f/main.cfg",
        "sentinel monitor m 10.0.0.1 6379 2\n",
    );
    let out = run(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "--type",
            "redis=f/*.cfg",
            "f/main.cfg",
        ],
    );
    let report = json(&out);
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "RD001"
                && f["message"]
                    .as_str()
                    .unwrap()
                    .contains("not in sentinel mode")),
        "{report:#}"
    );
}

/// Every secret of the fixture, none of which may appear in any output.
const SECRETS: [&str; 11] = [
    "hunter2-session-secret",
    "replica-secret-value",
    "sentinel-side-secret",
    "acl-user-secret-42",
    "tls-key-secret-9",
    "php-auth-pw",
    "laravel-env-pw",
    "django-url-pw",
    "php-userinfo-pw",
    "php-bad-port-pw",
    "php-tcp-user-pw",
];

fn secret_tree(dir: &Path) {
    write(
        dir,
        "redis.conf",
        "requirepass hunter2-session-secret\nmasterauth \"replica-secret-value\"\nuser app on >acl-user-secret-42 ~* +@all\ntls-key-file-pass tls-key-secret-9\nrequirepass \"hunter2-session-secret\" # trailing\n",
    );
    write(dir, "sentinel.conf", "sentinel monitor mymaster 10.0.0.1 6379 2\nsentinel auth-pass mymaster sentinel-side-secret\n");
    write(dir, "php.ini", "[Session]\nsession.save_handler = redis\nsession.save_path = \"tcp://10.0.0.9:6379?auth=php-auth-pw&database=1\"\n");
    // Entries phpredis misreads or refuses: their messages name them, never with a password.
    write(dir, "php2/php.ini", "[Session]\nsession.save_handler = redis\nsession.save_path = \"user:php-userinfo-pw@10.0.0.9:6379?auth=x\"\n");
    write(dir, "php3/php.ini", "[Session]\nsession.save_handler = redis\nsession.save_path = \"tcp://h:123456?auth=php-bad-port-pw\"\n");
    write(dir, "php4/php.ini", "[Session]\nsession.save_handler = redis\nsession.save_path = \"tcp://app:php-tcp-user-pw@10.0.0.9:6379?database=1\"\n");
    write(dir, "shop/artisan", "");
    write(dir, "shop/.env", "SESSION_DRIVER=redis\nREDIS_PASSWORD=laravel-env-pw\nREDIS_URL=redis://app:laravel-env-pw@10.0.0.5:6379/1\n");
    write(
        dir,
        "portal/settings.py",
        "CACHES = {'default': {'BACKEND': 'django_redis.cache.RedisCache', 'LOCATION': 'redis://:django-url-pw@10.0.0.5:6379/1', 'OPTIONS': {'PASSWORD': 'django-url-pw'}}}\nSESSION_ENGINE = 'django.contrib.sessions.backends.cache'\n",
    );
}

fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} leaks {secret}:\n{text}");
    }
}

#[test]
fn no_secret_in_any_output() {
    let dir = tempfile::tempdir().unwrap();
    secret_tree(dir.path());
    for format in ["text", "json", "sarif", "github", "gitlab", "junit"] {
        let out = run(dir.path(), &["check", "--no-config", "--format", format]);
        assert_no_secret(format, &(stdout(&out) + &stderr(&out)));
    }
    for format in ["text", "json", "dot", "mermaid"] {
        let out = run(dir.path(), &["stack", "--no-config", "--format", format]);
        assert_no_secret(&format!("stack {format}"), &(stdout(&out) + &stderr(&out)));
    }
    for extra in [&[][..], &["--unsafe-fixes"][..]] {
        let mut args = vec!["fix", "--no-config"];
        args.extend_from_slice(extra);
        let out = run(dir.path(), &args);
        let text = stdout(&out) + &stderr(&out);
        assert_no_secret("fix diff", &text);
        assert!(
            text.contains("********"),
            "the diff shows masked values:\n{text}"
        );
    }
    let out = run(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--show-secrets",
            "--select",
            "XS201",
        ],
    );
    assert!(
        stdout(&out).contains("hunter2-session-secret"),
        "--show-secrets shows the excerpt: {}",
        stdout(&out)
    );
    // Writing the fix still writes the real generated values, and the report after it is masked.
    let out = run(
        dir.path(),
        &["fix", "--no-config", "--write", "--unsafe-fixes"],
    );
    // Findings at or above --fail-on remain (exit 1), as for check.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_no_secret("fix --write output", &(stdout(&out) + &stderr(&out)));
    let written = std::fs::read_to_string(dir.path().join("redis.conf")).unwrap();
    assert!(
        !written.contains("hunter2-session-secret") && !written.contains("acl-user-secret-42"),
        "weak passwords rotated:\n{written}"
    );
    assert!(
        written
            .lines()
            .any(|l| l.starts_with("requirepass ") && l.len() == "requirepass ".len() + 64),
        "{written}"
    );
}

#[test]
fn dry_run_diff_applies_with_git_apply() {
    let Some(git) = oracle("git") else { return };
    let dir = tempfile::tempdir().unwrap();
    let original = "# sessions\r\nappendonly no\r\nmaxmemory-policy allkeys-lru\r\nappendfsync no";
    write(dir.path(), "redis.conf", original);
    let out = run(dir.path(), &["fix", "--no-config", "--select", "RD3,RD5"]);
    // A dry run that would change something exits 1.
    assert_eq!(out.status.code(), Some(1));
    let patch = stdout(&out);
    assert!(
        patch.starts_with("--- a/redis.conf\n+++ b/redis.conf\n"),
        "{patch}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("redis.conf")).unwrap(),
        original,
        "a dry run writes nothing"
    );
    let patched = tempfile::tempdir().unwrap();
    write(patched.path(), "redis.conf", original);
    write(patched.path(), "fix.patch", &patch);
    let applied = std::process::Command::new(git)
        .current_dir(patched.path())
        .args(["apply", "--unidiff-zero", "fix.patch"])
        .output()
        .unwrap();
    assert!(
        applied.status.success(),
        "git apply: {}\n{patch}",
        String::from_utf8_lossy(&applied.stderr)
    );
    let out = run(
        dir.path(),
        &["fix", "--no-config", "--write", "--select", "RD3,RD5"],
    );
    // Written; what no fix repairs remains (exit 1).
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let written = std::fs::read(dir.path().join("redis.conf")).unwrap();
    assert_eq!(
        std::fs::read(patched.path().join("redis.conf")).unwrap(),
        written,
        "the diff and --write agree"
    );
    let text = String::from_utf8(written).unwrap();
    assert!(
        text.contains("appendonly yes\r\n")
            && text.contains("maxmemory-policy noeviction\r\n")
            && text.ends_with("appendfsync everysec"),
        "line endings kept:\n{text:?}"
    );
}

#[test]
fn write_keeps_mode_backup_and_output_dir() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "redis.conf", "appendonly no\n");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = run(
        dir.path(),
        &[
            "fix",
            "--no-config",
            "--write",
            "--backup",
            "--select",
            "RD301",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "appendonly yes\n");
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o640
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("redis.conf.bak")).unwrap(),
        "appendonly no\n"
    );
    // A second backup never overwrites the first.
    std::fs::write(&file, "appendonly no\n").unwrap();
    run(
        dir.path(),
        &[
            "fix",
            "--no-config",
            "--write",
            "--backup",
            "--select",
            "RD301",
        ],
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("redis.conf.bak")).unwrap(),
        "appendonly no\n"
    );
    assert!(dir.path().join("redis.conf.bak.1").exists());
    // --output-dir leaves the originals.
    std::fs::write(&file, "appendonly no\n").unwrap();
    let out = run(
        dir.path(),
        &[
            "fix",
            "--no-config",
            "--output-dir",
            "out",
            "--select",
            "RD301",
            "redis.conf",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "appendonly no\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/redis.conf")).unwrap(),
        "appendonly yes\n"
    );
    // No temporary file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".redline-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn write_through_a_symlink_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "real/redis.conf", "appendonly no\n");
    std::os::unix::fs::symlink("real/redis.conf", dir.path().join("redis.conf")).unwrap();
    let out = run(
        dir.path(),
        &[
            "fix",
            "--no-config",
            "--write",
            "--select",
            "RD301",
            "redis.conf",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(std::fs::symlink_metadata(dir.path().join("redis.conf"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("real/redis.conf")).unwrap(),
        "appendonly yes\n"
    );
}

/// Run redline with a time limit: a hang is a failure, not a stuck CI job.
fn run_bounded(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut child = redline()
        .current_dir(dir)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("redline hung on {args:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn hostile_input_gives_findings_or_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "binary/redis.conf",
        (0..=255u8).cycle().take(4096).collect::<Vec<u8>>(),
    );
    let mut huge = b"requirepass ".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 3 * 1024 * 1024));
    huge.push(b'\n');
    write(root, "huge/redis.conf", huge);
    write(
        root,
        "quotes/redis.conf",
        "requirepass \"unbalanced\nbind '127.0.0.1\n",
    );
    write(root, "loop/redis.conf", "include a.conf\n");
    write(root, "loop/a.conf", "include b.conf\n");
    write(root, "loop/b.conf", "include a.conf\n");
    write(root, "self/redis.conf", "include redis.conf\n");
    write(
        root,
        "missing/redis.conf",
        "include nowhere.conf\ninclude /etc/redline-test-absent/x.conf\n",
    );
    write(root, "latin1/redis.conf", b"requirepass caf\xe9\xe9\xe9\n");
    std::fs::create_dir_all(root.join("links")).unwrap();
    std::os::unix::fs::symlink("../links", root.join("links/loop")).unwrap();
    std::os::unix::fs::symlink("nowhere.conf", root.join("links/redis-dangling.conf")).unwrap();
    let fifo = root.join("fifo/redis.conf");
    std::fs::create_dir_all(fifo.parent().unwrap()).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    // A Laravel app whose composer.json (read for the Laravel version) is a FIFO.
    write(root, "fifo-app/artisan", "");
    write(
        root,
        "fifo-app/.env",
        "SESSION_DRIVER=redis\nREDIS_PASSWORD=x\n",
    );
    let _ = std::process::Command::new("mkfifo")
        .arg(root.join("fifo-app/composer.json"))
        .status();

    let out = run_bounded(root, &["check", "--no-config", "--format", "json"]);
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    // Unreadable files fail the run (exit 2) after every readable file was audited.
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("links/redis-dangling.conf"), "{err}");
    if made {
        assert!(
            err.contains("fifo/redis.conf") && err.contains("never opened"),
            "{err}"
        );
    }
    let report = json(&out);
    let findings = report["findings"].as_array().unwrap();
    let has = |path: &str, rule: &str, needle: &str| {
        findings.iter().any(|f| {
            f["path"] == path
                && f["rule"] == rule
                && f["message"].as_str().unwrap().contains(needle)
        })
    };
    // Binary bytes named redis.conf are not a redis.conf: passed over, and said so.
    assert!(
        findings.iter().all(|f| f["path"] != "binary/redis.conf"),
        "binary file"
    );
    assert!(err.contains("Passed over"), "{err}");
    assert!(
        has("huge/redis.conf", "XS201", "")
            || has("huge/redis.conf", "RD101", "")
            || findings.iter().any(|f| f["path"] == "huge/redis.conf")
    );
    assert!(has("quotes/redis.conf", "RD001", "Unbalanced quotes"));
    assert!(
        has("loop/redis.conf", "RD001", "include loop")
            || has("loop/a.conf", "RD001", "include loop")
            || has("loop/b.conf", "RD001", "include loop"),
        "{findings:#?}"
    );
    assert!(has("self/redis.conf", "RD001", "include loop"));
    assert!(has("missing/redis.conf", "RD002", "does not exist"));
    assert!(has("missing/redis.conf", "RD002", "--root"));
    assert!(findings.iter().any(|f| f["path"] == "latin1/redis.conf"));
    // Fixing the same tree writes nothing partial and never hangs.
    let out = run_bounded(root, &["fix", "--no-config", "--write"]);
    assert!(!stderr(&out).contains("panicked"));
    assert!(
        std::fs::read(root.join("binary/redis.conf")).unwrap().len() == 4096,
        "a file with invalid lines gets no other edits"
    );
}

#[test]
fn refuses_to_write_a_file_changed_since_it_was_read() {
    use redline::fix::write::{write_all, PlannedWrite, RealFs};
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "redis.conf", "appendonly yes\n");
    let plan = PlannedWrite {
        path: file.clone(),
        contents: b"new\n".to_vec(),
        expected: Some(b"appendonly no\n".to_vec()),
        like: None,
    };
    let err = write_all(&[plan], &mut RealFs).unwrap_err();
    assert!(
        err.to_string().contains("redis.conf") && err.to_string().contains("changed"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "appendonly yes\n");
}

#[test]
fn root_maps_absolute_includes() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "etc/redis/redis.conf",
        "include /etc/redis/local.conf\n",
    );
    write(
        dir.path(),
        "etc/redis/local.conf",
        "maxmemory-policy allkeys-lru\n",
    );
    let without = json(&run(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "etc/redis/redis.conf",
        ],
    ));
    assert!(rules_of(&without).contains(&"RD002".into()));
    let with = json(&run(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "--root",
            ".",
            "etc/redis/redis.conf",
        ],
    ));
    assert!(!rules_of(&with).contains(&"RD002".into()), "{with:#}");
    assert!(with["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "RD501" && f["path"] == "etc/redis/local.conf"));
}

#[test]
fn rules_command_lists_the_catalogue() {
    let out = run(&manifest_dir(), &["rules", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), redline::rules::catalog().len());
    assert!(rows.iter().any(|r| r["id"] == "RD101"
        && r["name"] == "no-password"
        && r["severity"] == "error"
        && r["fix"] == "unsafe"));
    let text = stdout(&run(&manifest_dir(), &["rules"]));
    assert!(text
        .lines()
        .any(|l| l.starts_with("RD501") && l.contains("evicting-policy-on-session-store")));
}

#[test]
fn a_fifo_named_redline_toml_is_never_opened() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "redis.conf", "port 6379\n");
    let made = std::process::Command::new("mkfifo")
        .arg(dir.path().join("redline.toml"))
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        return;
    }
    // Looking for redline.toml skips what is not a regular file...
    let out = run_bounded(dir.path(), &["check", "redis.conf"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    // ...and one named on the command line is refused, not opened.
    let out = run_bounded(
        dir.path(),
        &["check", "--config", "redline.toml", "redis.conf"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("redline.toml") && err.contains("never opened"),
        "{err}"
    );
}
