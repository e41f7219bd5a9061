//! Oracle tests: redline's reading of redis.conf and sentinel.conf against a real redis-server
//! (Debian's 7.0), started on a private unix socket with the fixture copied to a temp folder.

mod common;

use common::*;
use redline::model::directives::RedisVersion;
use redline::model::redis::{self, LoadOptions, Mode, RedisModel};
use redline::model::sentinel;
use redline::source::Sources;
use std::path::{Path, PathBuf};

const ORACLE_VERSION: &str = "7.0";

/// Copy a fixture folder to a temp folder (servers write next to their config).
fn copy_dir(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

fn conf_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "conf"))
        .collect();
    files.sort();
    files
}

/// The rule IDs redline reports for one file, judged as Redis 7.0 reads it.
fn syntax_findings(file: &Path) -> Vec<String> {
    let dir = file.parent().unwrap();
    let name = file.file_name().unwrap().to_str().unwrap();
    let out = run(
        dir,
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "--redis-version",
            ORACLE_VERSION,
            "--select",
            "RD001,RD002,SN001",
            name,
        ],
    );
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{name}: {}",
        stderr(&out)
    );
    rules_of(&json(&out))
}

fn model_of(file: &Path, mode: Mode) -> RedisModel {
    let mut sources = Sources::new();
    let id = sources.load(file).unwrap();
    let options = LoadOptions {
        root_dir: None,
        version: RedisVersion::parse(ORACLE_VERSION),
    };
    redis::load(&mut sources, id, mode, &options)
}

#[test]
fn rd001_exactly_when_redis_server_refuses_to_start() {
    let Some(server) = oracle("redis-server") else {
        return;
    };
    let mut mismatches = Vec::new();
    let mut checked = 0;
    for group in ["refused", "valid"] {
        let dir = copy_dir(&fixtures().join("oracle").join(group));
        for file in conf_files(dir.path()) {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let flagged = syntax_findings(&file)
                .iter()
                .any(|r| r == "RD001" || r == "RD002");
            let refused = match Server::start(&server, &file, false) {
                Started::Running(_) => None,
                Started::Refused(why) => Some(why),
            };
            checked += 1;
            if flagged != refused.is_some() {
                mismatches.push(format!(
                    "{group}/{name}: redline RD001={flagged}, redis-server refused={:?}",
                    refused.map(|w| w.lines().take(6).collect::<Vec<_>>().join(" | "))
                ));
            }
            assert_eq!(
                group == "refused",
                flagged,
                "{group}/{name} is in the wrong fixture folder, or redline misreads it"
            );
        }
    }
    assert!(checked >= 40, "only {checked} fixtures checked");
    assert!(
        mismatches.is_empty(),
        "redline and redis-server disagree:\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn sn001_exactly_when_sentinel_refuses_to_start() {
    let Some(server) = oracle("redis-server") else {
        return;
    };
    let dir = copy_dir(&fixtures().join("oracle").join("sentinel"));
    let mut mismatches = Vec::new();
    for file in conf_files(dir.path()) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let flagged = syntax_findings(&file)
            .iter()
            .any(|r| r == "SN001" || r == "RD002");
        // Sentinel rewrites its file, so it runs on a copy of the copy.
        let scratch = tempfile::tempdir().unwrap();
        let config = scratch.path().join(&name);
        std::fs::copy(&file, &config).unwrap();
        let refused = match Server::start(&server, &config, true) {
            Started::Running(_) => None,
            Started::Refused(why) => Some(why),
        };
        assert_eq!(
            name.starts_with("refused-"),
            flagged,
            "{name}: redline misreads it"
        );
        if flagged != refused.is_some() {
            mismatches.push(format!(
                "{name}: redline SN001={flagged}, Sentinel refused={refused:?}"
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "redline and Sentinel disagree:\n{}",
        mismatches.join("\n")
    );
}

/// The clear-text password of the default user, when the model has one.
fn default_password(model: &RedisModel) -> Option<String> {
    let user = model.default_user.as_ref()?;
    user.state.passwords.iter().find_map(|p| match p {
        redline::model::acl::PasswordRule::Plain(a) => {
            Some(String::from_utf8_lossy(&a.value[1..]).into_owned())
        }
        _ => None,
    })
}

#[test]
fn effective_values_match_config_get() {
    let Some(server) = oracle("redis-server") else {
        return;
    };
    let dir = copy_dir(&fixtures().join("oracle").join("valid"));
    let mut compared = 0;
    for file in conf_files(dir.path()) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let model = model_of(&file, Mode::Server);
        assert!(!model.has_invalid_lines(), "{name}: {:?}", model.issues);
        let running = match Server::start(&server, &file, false) {
            Started::Running(s) => s,
            Started::Refused(why) => panic!("{name}: redis-server refused a valid fixture: {why}"),
        };
        let mut conn = running.connect();
        let open = model
            .default_user
            .as_ref()
            .unwrap()
            .state
            .open_without_password();
        let ping = conn.call(&["PING"]);
        assert_eq!(
            open,
            !ping.is_error(),
            "{name}: redline says open={open}, unauthenticated PING gave {ping:?}"
        );
        if !open {
            let Some(password) = default_password(&model) else {
                continue;
            };
            let auth = conn.call(&["AUTH", &password]);
            assert!(
                !auth.is_error(),
                "{name}: AUTH with the password redline computed failed: {auth:?}"
            );
        }
        // Renamed or removed commands, as COMMAND INFO sees them.
        for command in ["flushall", "flushdb", "config", "debug"] {
            let (expected_name, present) = match model.rename_of(command) {
                None => (command.to_string(), true),
                Some((_, target)) if target.is_empty() => (command.to_string(), false),
                Some((_, target)) => (target, true),
            };
            let info = conn.call(&["COMMAND", "INFO", &expected_name]);
            let found = matches!(&info, common::Reply::Array(Some(items)) if items.first().is_some_and(|i| !matches!(i, common::Reply::Array(None) | common::Reply::Bulk(None))));
            assert_eq!(
                present, found,
                "{name}: redline says `{expected_name}` present={present}, COMMAND INFO: {info:?}"
            );
        }
        // ACL: what the default user may run.
        if let Some(user) = &model.default_user {
            for command in ["flushall", "flushdb"] {
                if model.rename_of(command).is_some() {
                    continue;
                }
                let dry = conn.call(&["ACL", "DRYRUN", "default", command]);
                if dry.is_error() && dry.text().contains("NOPERM") {
                    continue; // ACL itself denied to this user: nothing to compare.
                }
                let allowed = dry == common::Reply::Status("OK".into());
                assert_eq!(
                    user.state.can_call(command),
                    allowed,
                    "{name}: default may call {command}? redline={}, ACL DRYRUN={dry:?}",
                    user.state.can_call(command)
                );
            }
        }
        let config = match model.rename_of("config") {
            None => "CONFIG".to_string(),
            Some((_, t)) if t.is_empty() => continue,
            Some((_, t)) => t,
        };
        let probe = conn.call(&[&config, "GET", "appendonly"]);
        if probe.is_error() {
            continue; // CONFIG denied to the default user by ACL.
        }
        let get = |conn: &mut Connection, key: &str| match conn.call(&[&config, "GET", key]) {
            common::Reply::Array(Some(items)) => items[1].text(),
            other => panic!("{name}: CONFIG GET {key}: {other:?}"),
        };
        let appendonly = model.is_yes("appendonly").unwrap_or(false);
        assert_eq!(
            get(&mut conn, "appendonly") == "yes",
            appendonly,
            "{name}: appendonly"
        );
        let policy = model
            .value_lower("maxmemory-policy")
            .unwrap_or_else(|| "noeviction".into());
        assert_eq!(
            get(&mut conn, "maxmemory-policy"),
            policy,
            "{name}: maxmemory-policy"
        );
        assert_eq!(
            get(&mut conn, "bind"),
            model.bind_addresses().join(" "),
            "{name}: bind"
        );
        let protected = model.is_yes("protected-mode").unwrap_or(true);
        assert_eq!(
            get(&mut conn, "protected-mode") == "yes",
            protected,
            "{name}: protected-mode"
        );
        let requirepass_set = !get(&mut conn, "requirepass").is_empty();
        let model_requirepass = model
            .last("requirepass")
            .is_some_and(|o| !o.values[0].value.is_empty());
        assert_eq!(
            requirepass_set, model_requirepass,
            "{name}: requirepass presence"
        );
        if let Some(o) = model.last("maxmemory") {
            let bytes = redline::model::directives::parse_memory(&o.values[0].value).unwrap();
            assert_eq!(
                get(&mut conn, "maxmemory"),
                bytes.to_string(),
                "{name}: maxmemory"
            );
        }
        let save = get(&mut conn, "save");
        assert_eq!(
            !save.is_empty(),
            model.save_enabled(),
            "{name}: save `{save}`"
        );
        compared += 1;
    }
    assert!(compared >= 12, "only {compared} fixtures compared");
}

#[test]
fn sentinel_masters_match_sentinel_masters_command() {
    let Some(server) = oracle("redis-server") else {
        return;
    };
    let dir = copy_dir(&fixtures().join("oracle").join("sentinel"));
    for file in conf_files(dir.path()).into_iter().filter(|f| {
        f.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("valid-")
    }) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let model = sentinel::build(model_of(&file, Mode::Sentinel));
        let scratch = tempfile::tempdir().unwrap();
        let config = scratch.path().join(&name);
        std::fs::copy(&file, &config).unwrap();
        let Started::Running(running) = Server::start(&server, &config, true) else {
            panic!("{name}: Sentinel refused a valid fixture")
        };
        let mut conn = running.connect();
        if let Some(o) = model.config.last("requirepass") {
            assert!(!conn.call(&["AUTH", &o.value_text()]).is_error());
        }
        let masters = conn.call(&["SENTINEL", "MASTERS"]).text();
        for m in &model.masters {
            assert!(
                masters.contains(&m.name),
                "{name}: Sentinel does not monitor {}: {masters}",
                m.name
            );
            assert!(
                masters.contains(&format!("quorum {}", m.quorum)),
                "{name}: quorum of {}: {masters}",
                m.name
            );
        }
    }
}

#[test]
fn fix_write_hardens_a_real_server() {
    let Some(server) = oracle("redis-server") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "redis.conf", "# a session store as a tutorial leaves it\nport 6379\nappendonly no\nmaxmemory-policy allkeys-lru\n");
    let out = run(
        dir.path(),
        &[
            "fix",
            "--no-config",
            "--write",
            "--unsafe-fixes",
            "redis.conf",
        ],
    );
    // Written; findings no fix can repair remain (exit 1).
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let fixed = std::fs::read_to_string(&file).unwrap();
    assert!(
        fixed.starts_with("# a session store as a tutorial leaves it\nport 6379\n"),
        "untouched lines changed:\n{fixed}"
    );
    let model = model_of(&file, Mode::Server);
    assert!(!model.has_invalid_lines(), "{:?}", model.issues);
    let password = default_password(&model).expect("a password was written");
    assert_eq!(password.len(), 64);
    assert!(password.bytes().all(|b| b.is_ascii_hexdigit()));
    let Started::Running(running) = Server::start(&server, &file, false) else {
        panic!("the fixed file does not start:\n{fixed}")
    };
    let mut conn = running.connect();
    let ping = conn.call(&["PING"]);
    assert!(
        ping.text().starts_with("NOAUTH"),
        "unauthenticated PING: {ping:?}"
    );
    assert!(conn.call(&["AUTH", "not-the-password"]).is_error());
    assert_eq!(
        conn.call(&["AUTH", &password]),
        common::Reply::Status("OK".into())
    );
    assert!(
        conn.call(&["INFO", "persistence"])
            .text()
            .contains("aof_enabled:1"),
        "AOF is not on"
    );
    let info = conn.call(&["COMMAND", "INFO", "flushall"]);
    assert!(
        matches!(&info, common::Reply::Array(Some(items)) if matches!(items[0], common::Reply::Array(None) | common::Reply::Bulk(None))),
        "FLUSHALL still known: {info:?}"
    );
    assert!(conn.call(&["FLUSHALL"]).is_error());
}

#[test]
fn official_redis_conf_files_start_and_have_no_rd001() {
    let Some(server) = oracle("redis-server") else {
        return;
    };
    for version in ["6.2.16", "7.0.15"] {
        let src = fixtures()
            .join("corpus/redis")
            .join(format!("redis__redis__{version}__redis.conf"));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("redis.conf");
        std::fs::copy(&src, &file).unwrap();
        assert!(
            !syntax_findings(&file).iter().any(|r| r == "RD001"),
            "{version}"
        );
        assert!(
            matches!(Server::start(&server, &file, false), Started::Running(_)),
            "{version} does not start"
        );
    }
}

/// Every fix redline offers (safe and unsafe) on the real-world configs keeps a config the real
/// server starts from: each corpus redis.conf and sentinel.conf that redis-server (or Sentinel)
/// starts from as it is still starts after `redline fix --write --unsafe-fixes`.
#[test]
fn fixed_corpus_configs_still_start() {
    let Some(server) = oracle("redis-server") else {
        return;
    };
    let mut checked = 0;
    for (folder, sentinel) in [("redis", false), ("sentinel", true)] {
        for src in files_in(&[fixtures().join("corpus").join(folder)]) {
            let name = src.file_name().unwrap().to_string_lossy().into_owned();
            let starts =
                |file: &Path| matches!(Server::start(&server, file, sentinel), Started::Running(_));
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join(if sentinel {
                "sentinel.conf"
            } else {
                "redis.conf"
            });
            std::fs::copy(&src, &file).unwrap();
            // Sentinel rewrites its file when it starts: the check runs on a copy.
            let probe = dir.path().join("probe.conf");
            std::fs::copy(&file, &probe).unwrap();
            if !starts(&probe) {
                continue;
            }
            let target = file.file_name().unwrap().to_str().unwrap();
            let diff = stdout(&run(
                dir.path(),
                &[
                    "fix",
                    "--no-config",
                    "--unsafe-fixes",
                    "--show-secrets",
                    target,
                ],
            ));
            fix_everything(dir.path(), &[target]);
            std::fs::copy(&file, &probe).unwrap();
            assert!(
                starts(&probe),
                "{name}: the server no longer starts after the fixes:\n{diff}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} corpus configs checked");
}

/// `port 0` with no TLS port and no unix socket: the harness's own socket would hide it, so the
/// server runs on the file alone (it exits before it listens anywhere).
#[test]
fn rd001_when_redis_server_listens_nowhere() {
    let Some(server) = oracle("redis-server") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for (name, text, refused) in [
        ("nowhere.conf", "port 0\nlogfile \"\"\n", true),
        (
            "socket-only.conf",
            "port 0\nunixsocket redis.sock\nlogfile \"\"\n",
            false,
        ),
    ] {
        let file = write(dir.path(), name, text);
        let flagged = syntax_findings(&file).iter().any(|r| r == "RD001");
        assert_eq!(flagged, refused, "{name}: redline RD001={flagged}");
        if !refused {
            continue;
        }
        let out = std::process::Command::new(&server)
            .arg(&file)
            .args(["--daemonize", "no", "--pidfile", ""])
            .current_dir(dir.path())
            .stdin(std::process::Stdio::null())
            .output()
            .expect("redis-server runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name}: redis-server started");
        assert!(text.contains("not listen anywhere"), "{name}: {text}");
    }
}
