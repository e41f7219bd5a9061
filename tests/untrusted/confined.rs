//! Reads and writes confined to the audited tree.

use crate::common::{self, json, redline, stderr, stdout, write, FailingFs};
use std::fs;
use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

// Reads and writes confined

/// Run redline in `dir`, killed (and the test failed) after `limit`. Output goes to files, so a
/// large report cannot fill a pipe and pass for a hang.
pub(crate) fn run_within(dir: &Path, args: &[&str], limit: Duration) -> Output {
    let logs = tempfile::tempdir().unwrap();
    let out = fs::File::create(logs.path().join("out")).unwrap();
    let err = fs::File::create(logs.path().join("err")).unwrap();
    let started = Instant::now();
    let mut child = redline()
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("REDLINE_TEST_TOKEN", "ci-token-that-must-not-leak")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("redline {args:?} ran longer than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: fs::read(logs.path().join("out")).unwrap(),
        stderr: fs::read(logs.path().join("err")).unwrap(),
    }
}

fn run(dir: &Path, args: &[&str]) -> Output {
    run_within(dir, args, Duration::from_secs(60))
}

/// Everything a run printed, in every format, with its report files.
fn all_output(dir: &Path, args: &[&str]) -> String {
    let mut text = String::new();
    for format in ["text", "json", "sarif", "github", "gitlab", "junit"] {
        let mut full = args.to_vec();
        full.extend(["--format", format]);
        let out = run(dir, &full);
        text.push_str(&stdout(&out));
        text.push_str(&stderr(&out));
    }
    text
}

fn is_root() -> bool {
    unsafe { libc::geteuid() == 0 }
}

/// A repository and, next to it, a folder of the host the repository must not reach.
struct Setup {
    _dir: tempfile::TempDir,
    repo: PathBuf,
    host: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    let host = dir.path().join("host");
    fs::create_dir_all(&repo).unwrap();
    fs::create_dir_all(&host).unwrap();
    Setup {
        repo,
        host,
        _dir: dir,
    }
}

const SECRET: &str = "host-secret-4f1c9a";

fn outside_count(report: &serde_json::Value) -> usize {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["message"]
                .as_str()
                .unwrap()
                .contains("outside the audited tree: not read")
        })
        .count()
}

#[test]
fn confined_include_and_aclfile_of_host_files_are_not_read() {
    let s = setup();
    let shadow = write(&s.host, "shadow", format!("root:{SECRET}:19000::::::\n"));
    let key = write(
        &s.host,
        "id_rsa",
        format!("-----BEGIN KEY-----\n{SECRET}\n"),
    );
    fs::create_dir_all(s.host.join("secrets")).unwrap();
    write(&s.host, "secrets/db", format!("{SECRET}\n"));
    write(
        &s.repo,
        "redis.conf",
        format!(
            "include /proc/self/environ\ninclude {}\ninclude {}/secrets/*\naclfile {}\nrequirepass Str0ng-Passw0rd-For-Tests-1\n",
            shadow.display(),
            s.host.display(),
            key.display()
        ),
    );
    let text = all_output(&s.repo, &["check", "--no-config"]);
    assert!(!text.contains(SECRET), "{text}");
    assert!(!text.contains("ci-token-that-must-not-leak"), "{text}");
    let report = json(&run(&s.repo, &["check", "--no-config", "--format", "json"]));
    let rd002: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "RD002")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    for path in ["/proc/self/environ", "shadow", "secrets", "id_rsa"] {
        assert!(
            rd002
                .iter()
                .any(|m| m.contains(path) && m.contains("outside the audited tree: not read")),
            "{path}: {rd002:#?}"
        );
    }
}

#[test]
fn confined_symlinked_configs_pointing_out_of_the_tree_are_not_read() {
    let s = setup();
    let junk = format!("{SECRET} is a line\n");
    let target = write(&s.host, "target", &junk);
    write(&s.repo, "app/artisan", "");
    symlink(&target, s.repo.join("sentinel.conf")).unwrap();
    symlink(&target, s.repo.join("php.ini")).unwrap();
    symlink(&target, s.repo.join("app/.env")).unwrap();
    symlink(&target, s.repo.join("redis.conf")).unwrap();
    let text = all_output(&s.repo, &["check", "--no-config"]);
    assert!(!text.contains(SECRET), "{text}");
    let out = run(&s.repo, &["check", "--no-config"]);
    let err = stderr(&out);
    for name in ["sentinel.conf", "php.ini", "app/.env", "redis.conf"] {
        assert!(
            err.lines()
                .any(|l| l.contains(name) && l.contains("outside the audited tree: not read")),
            "{name}: {err}"
        );
    }
    assert_eq!(out.status.code(), Some(2), "{err}");
}

#[test]
fn confined_a_linked_redline_toml_is_not_followed() {
    let s = setup();
    write(&s.host, "settings", format!("{SECRET} = 1\n"));
    symlink(s.host.join("settings"), s.repo.join("redline.toml")).unwrap();
    write(&s.repo, "redis.conf", "port 6379\n");
    let out = run(&s.repo, &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out) + &stderr(&out);
    assert!(
        text.contains("symbolic link") && !text.contains(SECRET),
        "{text}"
    );
}

#[test]
fn confined_root_joins_that_escape_are_refused() {
    let s = setup();
    let etc = s.repo.join("etc");
    write(&s.host, "escape.conf", format!("{SECRET}\n"));
    write(&s.host, "relative.conf", format!("{SECRET}\n"));
    write(&s.host, "acl", format!("user {SECRET} on nopass +@all\n"));
    fs::create_dir_all(etc.join("redis")).unwrap();
    symlink(s.host.join("escape.conf"), etc.join("redis/linked.conf")).unwrap();
    write(
        &etc,
        "redis/redis.conf",
        "include /../../../host/escape.conf\ninclude ../../../host/relative.conf\ninclude /redis/linked.conf\naclfile /../../host/acl\n",
    );
    let args = ["check", "--no-config", "--root", "etc", "etc"];
    let text = all_output(&s.repo, &args);
    assert!(!text.contains(SECRET), "{text}");
    let report = json(&run(&s.repo, &[&args[..], &["--format", "json"]].concat()));
    assert_eq!(outside_count(&report), 4, "{report:#}");
}

#[test]
fn confined_include_of_proc_kmsg_does_not_block() {
    let s = setup();
    write(
        &s.repo,
        "redis.conf",
        "include /proc/kmsg\ninclude /dev/tty\nport 6379\n",
    );
    let out = run_within(
        &s.repo,
        &["check", "--no-config", "--format", "json"],
        Duration::from_secs(20),
    );
    assert_eq!(outside_count(&json(&out)), 2, "{}", stdout(&out));
    // --allow-read / puts everything inside the tree but /proc, /sys and /dev.
    let out = run_within(
        &s.repo,
        &[
            "check",
            "--no-config",
            "--allow-read",
            "/",
            "--format",
            "json",
        ],
        Duration::from_secs(20),
    );
    assert_eq!(outside_count(&json(&out)), 2, "{}", stdout(&out));
}

#[test]
fn confined_glob_includes_match_one_level_and_never_follow_links() {
    let s = setup();
    // Two self-links: a walk that follows them (or recurses on `**`) never ends.
    fs::create_dir_all(s.repo.join("conf.d/sub")).unwrap();
    symlink(".", s.repo.join("conf.d/self")).unwrap();
    symlink("..", s.repo.join("conf.d/sub/up")).unwrap();
    write(&s.repo, "conf.d/sub/deep.conf", "maxmemory 1mb\n");
    write(&s.repo, "conf.d/a.conf", "maxmemory 2mb\n");
    write(&s.host, "leak.conf", format!("{SECRET}\n"));
    symlink(s.host.join("leak.conf"), s.repo.join("conf.d/b.conf")).unwrap();
    fs::create_dir_all(s.repo.join("linked")).unwrap();
    symlink(&s.host, s.repo.join("linked/host")).unwrap();
    write(
        &s.repo,
        "redis.conf",
        "include conf.d/**/nothing.conf\ninclude /**/x.conf\ninclude conf.d/*.conf\ninclude linked/*/*.conf\nrequirepass Str0ng-Passw0rd-For-Tests-1\n",
    );
    let out = run_within(
        &s.repo,
        &["check", "--no-config", "--format", "json"],
        Duration::from_secs(20),
    );
    let text = stdout(&out) + &stderr(&out);
    assert!(!text.contains(SECRET), "{text}");
    let report = json(&out);
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    // `/**/x.conf` lists `/`, outside the tree; `conf.d/b.conf` links out of it.
    assert!(
        messages
            .iter()
            .any(|m| m.contains("/**/x.conf") && m.contains("outside the audited tree")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("b.conf") && m.contains("outside the audited tree")),
        "{messages:#?}"
    );
    // `linked/host` is a link to a folder: never entered, so the glob matches nothing.
    assert!(
        messages
            .iter()
            .any(|m| m.contains("linked/*/*.conf") && m.contains("matches no file")),
        "{messages:#?}"
    );
}

/// `n` files where each includes the next twice: redis-server reads the last one 2^n times.
fn doubling_chain(dir: &Path, n: usize) {
    for i in 0..n {
        let next = format!("c{}.conf", i + 1);
        write(
            dir,
            &format!("c{i}.conf"),
            format!("include {next}\nmaxmemory {i}mb\ninclude {next}\n"),
        );
    }
    write(dir, &format!("c{n}.conf"), "maxmemory-policy noeviction\n");
}

#[test]
fn confined_a_doubling_include_chain_is_expanded_once() {
    let s = setup();
    let conf = s.repo.join("conf");
    fs::create_dir_all(&conf).unwrap();
    doubling_chain(&conf, 26);
    // Last occurrence wins as in redis-server, which reads `common.conf` twice: the empty
    // password it sets the second time is the one in effect.
    write(&conf, "common.conf", "requirepass \"\"\n");
    write(
        &s.repo,
        "redis.conf",
        "include conf/c0.conf\ninclude conf/common.conf\nrequirepass Str0ng-Passw0rd-For-Tests-1\ninclude conf/common.conf\n",
    );
    let out = run_within(
        &s.repo,
        &["check", "--no-config", "--format", "json", "redis.conf"],
        Duration::from_secs(20),
    );
    let report = json(&out);
    let rules = common::rules_of(&report);
    assert!(rules.contains(&"RD101".to_string()), "{report:#}");
}

#[test]
fn confined_files_that_all_include_every_file_are_bounded() {
    let s = setup();
    for i in 0..12 {
        write(
            &s.repo,
            &format!("redis-{i}.conf"),
            format!("include *.conf\nmaxmemory {i}mb\n"),
        );
    }
    let out = run_within(
        &s.repo,
        &["check", "--no-config", "--format", "json"],
        Duration::from_secs(20),
    );
    assert!(
        common::rules_of(&json(&out)).contains(&"RD001".to_string()),
        "include loops are reported"
    );
    // Configs that include each other are one instance, not one per file (N instances of N
    // files, each listing N globbed names, was cubic work and a quadratic report).
    let n = 150;
    for i in 12..n {
        write(
            &s.repo,
            &format!("redis-{i}.conf"),
            format!(
                "include *.conf
maxmemory {i}mb
"
            ),
        );
    }
    let stack = json(&run_within(
        &s.repo,
        &["stack", "--no-config", "--format", "json"],
        Duration::from_secs(20),
    ));
    assert_eq!(stack["instances"].as_array().unwrap().len(), 1, "{stack:#}");
    let out = run_within(
        &s.repo,
        &["check", "--no-config", "--format", "json"],
        Duration::from_secs(20),
    );
    let findings = json(&out)["findings"].as_array().unwrap().len();
    assert!(findings <= 3 * n, "{findings} findings for {n} files");
}

#[test]
fn confined_includes_past_the_cap_are_reported_not_read() {
    let s = setup();
    let many = s.repo.join("many");
    fs::create_dir_all(&many).unwrap();
    for i in 0..10_050 {
        fs::write(many.join(format!("f{i:05}.inc")), "maxmemory 1mb\n").unwrap();
    }
    write(&s.repo, "redis.conf", "include many/*.inc\n");
    let out = run_within(
        &s.repo,
        &["check", "--no-config", "--format", "json", "redis.conf"],
        Duration::from_secs(60),
    );
    let report = json(&out);
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "RD002"
                && f["message"]
                    .as_str()
                    .unwrap()
                    .contains("includes more than 10000 files")),
        "{}",
        stdout(&out)
    );
}

#[test]
fn confined_allow_read_brings_a_host_folder_into_the_tree() {
    let s = setup();
    write(&s.host, "redis/common.conf", "requirepass \"\"\n");
    write(
        &s.repo,
        "redis.conf",
        format!(
            "requirepass Str0ng-Passw0rd-For-Tests-1\ninclude {}/redis/common.conf\n",
            s.host.display()
        ),
    );
    let host = s.host.to_string_lossy().into_owned();
    let out = run(
        &s.repo,
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "--allow-read",
            &host,
        ],
    );
    let report = json(&out);
    assert_eq!(outside_count(&report), 0, "{report:#}");
    assert!(common::rules_of(&report).contains(&"RD101".to_string()));
    // The same from redline.toml, relative to its folder, when the file is named: whoever
    // names it trusts it.
    write(&s.repo, "redline.toml", "allow-read = [\"../host\"]\n");
    let report = json(&run(
        &s.repo,
        &["check", "--config", "redline.toml", "--format", "json"],
    ));
    assert_eq!(outside_count(&report), 0, "{report:#}");
    // Found, not named, it may be the pull request's own: it cannot take the tree out of its
    // folder, directly or through a link in the checkout, and the run says so.
    symlink(&s.host, s.repo.join("host-link")).unwrap();
    for folder in ["../host", "host-link", "/"] {
        write(
            &s.repo,
            "redline.toml",
            format!("allow-read = [\"{folder}\"]\n"),
        );
        let out = run(&s.repo, &["check", "--format", "json"]);
        assert_eq!(outside_count(&json(&out)), 1, "{folder}");
        assert!(
            stderr(&out).contains("leaves the folder of this redline.toml"),
            "{}",
            stderr(&out)
        );
    }
    // A folder inside the checkout is still allowed.
    write(&s.repo, "redline.toml", "allow-read = [\"sub\"]\n");
    let out = run(&s.repo, &["check", "--format", "json"]);
    assert!(
        !stderr(&out).contains("leaves the folder"),
        "{}",
        stderr(&out)
    );
}

/// A line `fix` changes: the trailing comment moves to a line of its own.
const FIXABLE: &str = "appendonly yes # keep\n";

#[test]
fn confined_fix_write_edits_nothing_outside_the_tree() {
    let s = setup();
    let linked = write(&s.host, "linked.conf", FIXABLE);
    let included = write(&s.host, "included.conf", FIXABLE);
    let escaped = write(&s.host, "escaped.conf", FIXABLE);
    symlink(&linked, s.repo.join("redis.conf")).unwrap();
    let absolute = format!("include {}\n{FIXABLE}", included.display());
    write(&s.repo, "redis-abs.conf", &absolute);
    // A link to a file inside the tree is written through, and stays a link.
    write(&s.repo, "real/redis-inside.conf", FIXABLE);
    symlink("real/redis-inside.conf", s.repo.join("redis-link.conf")).unwrap();
    let linked_out = run(&s.repo, &["fix", "--no-config", "--write", "redis.conf"]);
    assert_eq!(linked_out.status.code(), Some(2));
    assert!(stderr(&linked_out).contains("outside the audited tree"));
    let out = run(
        &s.repo,
        &[
            "fix",
            "--no-config",
            "--write",
            "redis-abs.conf",
            "redis-link.conf",
        ],
    );
    // `--root` joins that leave the tree are not followed either.
    let escaping = format!("include /../../host/escaped.conf\n{FIXABLE}");
    write(&s.repo, "etc/redis.conf", &escaping);
    let out_root = run(
        &s.repo,
        &["fix", "--no-config", "--write", "--root", "etc", "etc"],
    );
    for file in [&linked, &included, &escaped] {
        assert_eq!(
            fs::read_to_string(file).unwrap(),
            FIXABLE,
            "{file:?}: {}{}",
            stderr(&out),
            stderr(&out_root)
        );
    }
    // The files inside the tree were fixed.
    assert_ne!(
        fs::read_to_string(s.repo.join("redis-abs.conf")).unwrap(),
        absolute
    );
    assert_ne!(
        fs::read_to_string(s.repo.join("etc/redis.conf")).unwrap(),
        escaping
    );
    assert!(fs::symlink_metadata(s.repo.join("redis-link.conf"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_ne!(
        fs::read_to_string(s.repo.join("real/redis-inside.conf")).unwrap(),
        FIXABLE
    );
}

#[test]
fn confined_output_dir_never_writes_through_a_planted_link() {
    for planted in ["redis.conf", "deploy", "fixed"] {
        let s = setup();
        let victim = write(&s.host, "victim.conf", "untouched\n");
        write(&s.repo, "deploy/redis.conf", FIXABLE);
        // A link at the output folder itself, at a copy's folder, or at a copy.
        fs::create_dir_all(s.host.join("deploy")).unwrap();
        match planted {
            "fixed" => symlink(&s.host, s.repo.join("fixed")).unwrap(),
            "deploy" => {
                fs::create_dir_all(s.repo.join("fixed")).unwrap();
                symlink(s.host.join("deploy"), s.repo.join("fixed/deploy")).unwrap();
            }
            _ => {
                fs::create_dir_all(s.repo.join("fixed/deploy")).unwrap();
                symlink(&victim, s.repo.join("fixed/deploy/redis.conf")).unwrap();
            }
        }
        let out = run(
            &s.repo,
            &["fix", "--no-config", "--output-dir", "fixed", "deploy"],
        );
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
        assert_eq!(fs::read_to_string(&victim).unwrap(), "untouched\n");
        assert!(!s.host.join("deploy/redis.conf").exists());
    }
}

#[test]
fn confined_output_dir_keeps_sources_apart_by_their_bytes_and_refuses_collisions() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let s = setup();
    // Two names that differ only in bytes that are not UTF-8 (both display as `redis-\u{fffd}`).
    let a = s.repo.join(OsStr::from_bytes(b"redis-\xff.conf"));
    let b = s.repo.join(OsStr::from_bytes(b"redis-\xfe.conf"));
    fs::write(&a, "appendonly yes # a\n").unwrap();
    fs::write(&b, "appendonly yes # b\n").unwrap();
    let out = run(
        &s.repo,
        &["fix", "--no-config", "--output-dir", "fixed", "."],
    );
    // Written; findings no fix repairs remain (exit 1).
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let copy_a = fs::read_to_string(s.repo.join("fixed").join(a.file_name().unwrap())).unwrap();
    let copy_b = fs::read_to_string(s.repo.join("fixed").join(b.file_name().unwrap())).unwrap();
    assert!(
        copy_a.contains("# a") && copy_b.contains("# b"),
        "{copy_a}{copy_b}"
    );

    // A file outside the current folder maps to its absolute path under the output folder: one
    // inside it at that relative path maps to the same copy.
    let outside = write(&s.host, "redis.conf", FIXABLE);
    let relative = outside.strip_prefix("/").unwrap();
    write(&s.repo, &relative.to_string_lossy(), FIXABLE);
    let first = outside.to_string_lossy().into_owned();
    let second = relative.to_string_lossy().into_owned();
    let out = run(
        &s.repo,
        &["fix", "--no-config", "--output-dir", "out", &first, &second],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("would both be copied"),
        "{}",
        stderr(&out)
    );
    assert!(!s.repo.join("out").join(relative).exists());
}

#[test]
fn confined_output_dir_is_not_audited_on_the_next_run() {
    let s = setup();
    write(&s.repo, "redis.conf", FIXABLE);
    for _ in 0..2 {
        let out = run(&s.repo, &["fix", "--no-config", "--output-dir", "fixed"]);
        // Written; findings no fix repairs remain (exit 1).
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    }
    assert!(s.repo.join("fixed/redis.conf").exists());
    assert!(!s.repo.join("fixed/fixed").exists());
    let report = json(&run(&s.repo, &["check", "--no-config", "--format", "json"]));
    assert_eq!(report["summary"]["files"], 1, "{report:#}");
}

#[test]
fn confined_reports_and_baselines_are_not_written_through_a_planted_link() {
    let s = setup();
    write(&s.repo, "redis.conf", FIXABLE);
    let victim = write(&s.host, "victim", "untouched\n");
    for name in ["r.sarif", "out.json", "base.json", "diff.patch"] {
        symlink(&victim, s.repo.join(name)).unwrap();
    }
    for args in [
        &["check", "--no-config", "--report", "sarif=r.sarif"][..],
        &["check", "--no-config", "--output", "out.json"],
        &["check", "--no-config", "--write-baseline", "base.json"],
        &["fix", "--no-config", "--output", "diff.patch"],
    ] {
        let out = run(&s.repo, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_eq!(
            fs::read_to_string(&victim).unwrap(),
            "untouched\n",
            "{args:?}"
        );
    }
}

#[test]
fn confined_backups_and_copies_keep_mode_and_owner() {
    if !is_root() {
        eprintln!("SKIPPED: needs root to give a file to nobody");
        return;
    }
    let s = setup();
    let conf = write(&s.repo, "redis.conf", FIXABLE);
    fs::set_permissions(&conf, fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::chown(&conf, Some(65534), Some(65534)).unwrap();
    let out = run(&s.repo, &["fix", "--no-config", "--output-dir", "fixed"]);
    // Written; findings no fix repairs remain (exit 1).
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let out = run(
        &s.repo,
        &["fix", "--no-config", "--write", "--backup", "redis.conf"],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    for path in ["redis.conf.bak", "fixed/redis.conf", "redis.conf"] {
        let meta = fs::metadata(s.repo.join(path)).unwrap();
        assert_eq!(meta.mode() & 0o7777, 0o600, "{path}");
        assert_eq!((meta.uid(), meta.gid()), (65534, 65534), "{path}");
    }
}

#[test]
fn confined_a_rolled_back_write_restores_mode_and_owner() {
    use redline::fix::write::{write_all, PlannedWrite};
    if !is_root() {
        eprintln!("SKIPPED: needs root to give a file to nobody");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut plans = Vec::new();
    for name in ["a.conf", "b.conf"] {
        let path = write(dir.path(), name, "old\n");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
        plans.push(PlannedWrite {
            path,
            contents: b"new\n".to_vec(),
            expected: Some(b"old\n".to_vec()),
            like: None,
        });
    }
    let mut fs_ops = FailingFs {
        fail_write_at: None,
        fail_rename_at: Some(2),
        writes: 0,
        renames: 0,
    };
    assert!(write_all(&plans, &mut fs_ops).is_err());
    let meta = fs::metadata(dir.path().join("a.conf")).unwrap();
    assert_eq!(
        fs::read_to_string(dir.path().join("a.conf")).unwrap(),
        "old\n"
    );
    assert_eq!(meta.mode() & 0o7777, 0o640);
    assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
}

/// Real file operations; staging the second file edits the first one, as a person (or another
/// job) saving it at that moment would.
struct EditWhileStaging {
    first: PathBuf,
    writes: usize,
}

impl redline::fix::write::FileOps for EditWhileStaging {
    fn write_temp(
        &mut self,
        temp: &Path,
        contents: &[u8],
        mode: Option<u32>,
    ) -> std::io::Result<()> {
        self.writes += 1;
        if self.writes == 2 {
            fs::write(&self.first, "edited meanwhile\n")?;
        }
        redline::fix::write::RealFs.write_temp(temp, contents, mode)
    }
    fn rename(&mut self, from: &Path, to: &Path) -> std::io::Result<()> {
        redline::fix::write::RealFs.rename(from, to)
    }
}

#[test]
fn confined_an_edit_made_while_fix_write_stages_is_never_overwritten() {
    use redline::fix::write::{write_all, PlannedWrite};
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.conf", "old a\n");
    let b = write(dir.path(), "b.conf", "old b\n");
    let plans: Vec<PlannedWrite> = [(&a, "a"), (&b, "b")]
        .into_iter()
        .map(|(path, name)| PlannedWrite {
            path: path.clone(),
            contents: format!("new {name}\n").into_bytes(),
            expected: Some(format!("old {name}\n").into_bytes()),
            like: None,
        })
        .collect();
    let mut ops = EditWhileStaging {
        first: a.clone(),
        writes: 0,
    };
    let err = write_all(&plans, &mut ops).unwrap_err();
    assert!(err.to_string().contains("changed"), "{err}");
    assert_eq!(fs::read_to_string(&a).unwrap(), "edited meanwhile\n");
    assert_eq!(fs::read_to_string(&b).unwrap(), "old b\n");
}

#[test]
fn confined_a_hard_linked_file_is_replaced_and_the_run_says_so() {
    let s = setup();
    let conf = write(&s.repo, "redis.conf", FIXABLE);
    fs::hard_link(&conf, s.repo.join("other-name")).unwrap();
    let out = run(&s.repo, &["fix", "--no-config", "--write", "redis.conf"]);
    // Written; findings no fix repairs remain (exit 1).
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert!(stderr(&out).contains("hard links"), "{}", stderr(&out));
    // The atomic write gave `redis.conf` a new file; the other link keeps the old content.
    assert_ne!(fs::read_to_string(&conf).unwrap(), FIXABLE);
    assert_eq!(
        fs::read_to_string(s.repo.join("other-name")).unwrap(),
        FIXABLE
    );
}

#[test]
fn confined_includes_through_self_links_are_one_file_and_a_loop() {
    let s = setup();
    // Every path `d1/d2/d1/.../x.conf` names the same file: a file per path would double per level.
    symlink(".", s.repo.join("d1")).unwrap();
    symlink(".", s.repo.join("d2")).unwrap();
    write(&s.repo, "x.conf", "include d1/x.conf\ninclude d2/x.conf\n");
    write(&s.repo, "redis.conf", "include x.conf\n");
    let out = run_within(
        &s.repo,
        &["check", "--no-config", "--format", "json", "redis.conf"],
        Duration::from_secs(20),
    );
    let report = json(&out);
    let loops = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["message"].as_str().unwrap().starts_with("include loop"))
        .count();
    assert_eq!(loops, 2, "{report:#}");
}

#[test]
fn confined_whether_a_file_outside_exists_is_not_learnt() {
    // A link out of the tree, then a name under it: present or absent, the answer is the same.
    let s = setup();
    write(&s.host, "present.conf", "port 1\n");
    symlink(&s.host, s.repo.join("up")).unwrap();
    write(
        &s.repo,
        "redis.conf",
        "include up/present.conf\ninclude up/absent.conf\nbind 127.0.0.1\n",
    );
    let out = run(&s.repo, &["check", "--no-config", "--format", "json"]);
    let report = json(&out);
    let rd002: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "RD002")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(rd002.len(), 2, "{rd002:?}");
    for message in &rd002 {
        assert!(message.contains("outside the audited tree"), "{message}");
        assert!(!message.contains("does not exist"), "{message}");
    }
}

#[test]
fn confined_type_of_a_linked_file_outside_is_not_learnt() {
    // A config-named link to a FIFO outside says the same as a link to a regular file outside:
    // "outside the audited tree", never "not a regular file".
    let s = setup();
    let fifo = s.host.join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|st| st.success());
    assert!(made, "mkfifo");
    write(&s.host, "plain", "port 1\n");
    symlink(&fifo, s.repo.join("redis.conf")).unwrap();
    symlink(s.host.join("plain"), s.repo.join("sentinel.conf")).unwrap();
    let out = run(&s.repo, &["check", "--no-config", "--format", "json"]);
    let err = stderr(&out);
    let line_of = |name: &str| {
        err.lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} not named: {err}"))
            .replace(name, "NAME")
    };
    assert_eq!(line_of("redis.conf"), line_of("sentinel.conf"), "{err}");
    assert!(!err.contains("regular file"), "{err}");
}
