//! `check --live` against real redis-server instances on private unix sockets (started and
//! stopped by `common::Server`), and against a hostile fake server run by the test itself.

mod common;

use common::{json, oracle, rules_of, stderr, stdout, write, Reply, Server, Started};
use std::io::{Read, Write};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

const STRONG: &str = "5f0c9e3a7d1b4c2e8a6f9d0b3e7c1a4f5f0c9e3a7d1b4c2e8a6f9d0b3e7c1a4f";
const OTHER: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";

fn start(config: &Path) -> Option<Server> {
    let binary = oracle("redis-server")?;
    match Server::start(&binary, config, false) {
        Started::Running(server) => Some(server),
        Started::Refused(why) => panic!("redis-server refused the test config: {why}"),
    }
}

fn target(server: &Server) -> String {
    format!("unix://{}", server.socket.display())
}

/// `redline check ARGS` in `dir` with `REDISCLI_AUTH` set (or not).
fn check(dir: &Path, password: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = common::redline();
    cmd.current_dir(dir)
        .arg("check")
        .arg("--no-config")
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("REDISCLI_AUTH");
    if let Some(p) = password {
        cmd.env("REDISCLI_AUTH", p);
    }
    cmd.output().expect("redline runs")
}

fn authed(server: &Server, password: &str) -> common::Connection {
    let mut c = server.connect();
    assert_eq!(c.call(&["AUTH", password]), Reply::Status("OK".into()));
    c
}

/// The command names INFO commandstats lists, with their call counts.
fn commandstats(c: &mut common::Connection) -> Vec<(String, u64)> {
    let text = c.call(&["INFO", "commandstats"]).text();
    text.lines()
        .filter_map(|l| l.strip_prefix("cmdstat_"))
        .filter_map(|l| {
            let (name, rest) = l.split_once(':')?;
            let calls = rest
                .strip_prefix("calls=")?
                .split(',')
                .next()?
                .parse()
                .ok()?;
            Some((name.to_string(), calls))
        })
        .collect()
}

fn findings_of<'a>(report: &'a serde_json::Value, rule: &str) -> Vec<&'a serde_json::Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

fn drift_about<'a>(report: &'a serde_json::Value, setting: &str) -> Option<&'a serde_json::Value> {
    findings_of(report, "LI101")
        .into_iter()
        .find(|f| f["message"].as_str().unwrap().contains(setting))
}

#[test]
fn drift_after_config_set_is_reported_and_the_audit_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let conf_text = format!(
        "port 0\nsave \"\"\nappendonly yes\nmaxmemory 64mb\nmaxmemory-policy noeviction\nrequirepass {STRONG}\n"
    );
    let conf = write(dir.path(), "redis.conf", &conf_text);
    let Some(server) = start(&conf) else { return };
    let mut c = authed(&server, STRONG);
    for (name, value) in [
        ("maxmemory-policy", "allkeys-lru"),
        ("appendonly", "no"),
        ("requirepass", OTHER),
    ] {
        assert_eq!(
            c.call(&["CONFIG", "SET", name, value]),
            Reply::Status("OK".into())
        );
    }
    // The file is edited and the server never restarted: FLUSHALL removed in the file only.
    let conf_text = format!("{conf_text}rename-command FLUSHALL \"\"\n");
    std::fs::write(&conf, &conf_text).unwrap();

    let mut c = authed(&server, OTHER);
    let config_before = c.call(&["CONFIG", "GET", "*"]);
    let stats_before = commandstats(&mut c);
    let live = format!("{}=redis.conf", target(&server));
    let out = check(
        dir.path(),
        Some(OTHER),
        &["--format", "json", "--live", &live, "."],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);

    let policy = drift_about(&report, "`maxmemory-policy`").expect("policy drift");
    assert_eq!(policy["severity"], "error");
    assert_eq!(policy["path"], "redis.conf");
    assert_eq!(policy["line"], 5);
    assert_eq!(policy["related"][0]["path"], target(&server));
    assert!(policy["related"][0]["line"].is_null());
    let aof = drift_about(&report, "`appendonly`").expect("appendonly drift");
    assert_eq!(aof["severity"], "error");
    let password = drift_about(&report, "default user").expect("password drift");
    assert_eq!(password["severity"], "error");
    let flushall = drift_about(&report, "`FLUSHALL`").expect("restored command");
    assert_eq!(flushall["severity"], "error");
    assert_eq!(flushall["line"], 7);
    // 64mb is 67108864: no drift; `port 0` is what runs.
    assert!(drift_about(&report, "`maxmemory`").is_none(), "{report}");
    assert!(drift_about(&report, "`port`").is_none(), "{report}");

    // The RD rules judged the running values, located at the target without a line.
    let on_target: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == target(&server))
        .collect();
    let rules: Vec<&str> = on_target
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"RD501"), "{rules:?}");
    assert!(rules.contains(&"RD301"), "{rules:?}");
    assert!(!rules.contains(&"RD101"), "{rules:?}");
    for f in &on_target {
        assert!(f["line"].is_null() && f["column"].is_null(), "{f}");
        assert!(f["fix"].is_null(), "no fix is offered on a server: {f}");
    }

    // Read-only: the running configuration, the commands run and the file are unchanged.
    let config_after = c.call(&["CONFIG", "GET", "*"]);
    assert_eq!(config_before, config_after);
    let stats_after = commandstats(&mut c);
    let read_only = ["auth", "info", "config|get", "acl|list", "command|info"];
    for (name, calls) in &stats_after {
        let before = stats_before
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0, |(_, c)| *c);
        if *calls > before {
            assert!(
                read_only.contains(&name.as_str()),
                "the audit ran `{name}` ({before} -> {calls} calls)"
            );
        }
    }
    assert_eq!(std::fs::read_to_string(&conf).unwrap(), conf_text);

    // No password nor hash of the server in any format, not even with --show-secrets.
    let hashes = [sha256_hex(STRONG.as_bytes()), sha256_hex(OTHER.as_bytes())];
    for format in ["text", "json", "sarif", "github", "gitlab", "junit"] {
        for extra in [&[][..], &["--show-secrets"][..]] {
            let mut args = vec!["--format", format, "--live", &live];
            args.extend_from_slice(extra);
            args.push(".");
            let out = check(dir.path(), Some(OTHER), &args);
            if format == "sarif" {
                // Findings on a server are logical locations: still valid SARIF 2.1.0.
                let schema: serde_json::Value = serde_json::from_slice(
                    &std::fs::read(
                        common::manifest_dir().join("tests/sarif/sarif-schema-2.1.0.json"),
                    )
                    .unwrap(),
                )
                .unwrap();
                let validator = jsonschema::draft7::options()
                    .should_validate_formats(true)
                    .build(&schema)
                    .unwrap();
                let sarif = json(&out);
                let errors: Vec<String> = validator
                    .iter_errors(&sarif)
                    .map(|e| e.to_string())
                    .collect();
                assert!(errors.is_empty(), "{errors:?}");
                let logical = sarif.to_string().contains("logicalLocations");
                assert!(logical, "a finding on the server has a logical location");
            }
            let all = format!("{}{}", stdout(&out), stderr(&out));
            // A server is named by its target, never given a line 0.
            let named = match format {
                "text" => format!("{}: RD501", target(&server)),
                "junit" => format!("{}: RD501 [error]", target(&server)),
                _ => target(&server),
            };
            assert!(all.contains(&named), "{format}: {all}");
            assert!(
                !all.contains(":0:0") && !all.contains("\"line\": 0"),
                "{format}: {all}"
            );
            assert!(!all.contains(OTHER), "{format} {extra:?}: {all}");
            for h in &hashes {
                assert!(!all.contains(h.as_str()), "{format} {extra:?} shows a hash");
            }
            // ACL LIST of Redis 7 says `sanitize-payload`; no documentation of redline does.
            assert!(
                !all.contains("sanitize-payload"),
                "{format}: an ACL rule is shown"
            );
        }
    }
    drop(server);
}

fn sha256_hex(bytes: &[u8]) -> String {
    redline::secret::sha256_hex(bytes)
}

#[test]
fn config_renamed_away_falls_back_to_info_and_says_what_it_could_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let conf = write(
        dir.path(),
        "redis.conf",
        format!("port 0\nappendonly no\nrequirepass {STRONG}\nrename-command CONFIG \"\"\n"),
    );
    let Some(server) = start(&conf) else { return };
    let empty = tempfile::tempdir().unwrap();
    let out = check(
        empty.path(),
        Some(STRONG),
        &["--format", "json", "--live", &target(&server), "."],
    );
    let report = json(&out);
    let li001 = findings_of(&report, "LI001");
    assert_eq!(li001.len(), 1, "{report}");
    let message = li001[0]["message"].as_str().unwrap();
    assert!(
        message.contains("bind") && message.contains("protected-mode"),
        "{message}"
    );
    assert!(
        !message.contains("appendonly"),
        "INFO gives aof_enabled: {message}"
    );
    let rules = rules_of(&report);
    // INFO says AOF is off: RD301 still judges it; bind is unknown: RD201 stays silent.
    assert!(rules.contains(&"RD301".to_string()), "{rules:?}");
    assert!(!rules.contains(&"RD201".to_string()), "{rules:?}");

    // Linked to its file, CONFIG is read under the name the file gives it.
    let renamed = write(
        dir.path(),
        "renamed.conf",
        format!("port 0\nrequirepass {STRONG}\nrename-command CONFIG cfg-9f2a7c\n"),
    );
    let Some(server) = start(&renamed) else {
        return;
    };
    let live = format!("{}=renamed.conf", target(&server));
    let out = check(
        dir.path(),
        Some(STRONG),
        &["--format", "json", "--live", &live, "renamed.conf"],
    );
    let report = json(&out);
    assert!(findings_of(&report, "LI001").is_empty(), "{report}");
}

#[test]
fn an_acl_user_with_a_published_example_password_is_xs201() {
    let dir = tempfile::tempdir().unwrap();
    let conf = write(
        dir.path(),
        "redis.conf",
        "port 0\nuser default on >foobared ~* &* +@all\n",
    );
    let Some(server) = start(&conf) else { return };
    let empty = tempfile::tempdir().unwrap();
    let out = check(
        empty.path(),
        Some("foobared"),
        &["--format", "json", "--live", &target(&server), "."],
    );
    let report = json(&out);
    let weak = findings_of(&report, "XS201");
    assert_eq!(weak.len(), 1, "{report}");
    assert_eq!(weak[0]["path"], target(&server));
    let all = stdout(&out);
    assert!(!all.contains("foobared") && !all.contains(&sha256_hex(b"foobared")));
    let info = authed(&server, "foobared").call(&["INFO", "server"]).text();
    let running = info
        .lines()
        .find_map(|l| l.strip_prefix("redis_version:"))
        .unwrap()
        .trim()
        .to_string();
    let same: String = running.split('.').take(2).collect::<Vec<_>>().join(".");
    let other = if same == "6.2" { "7.0" } else { "6.2" };
    // Nothing linked: no drift; the version is that of --redis-version or LI102 says so.
    assert!(findings_of(&report, "LI101").is_empty(), "{report}");
    assert!(findings_of(&report, "LI102").is_empty(), "{report}");
    let out = check(
        empty.path(),
        Some("foobared"),
        &[
            "--format",
            "json",
            "--redis-version",
            other,
            "--live",
            &target(&server),
            ".",
        ],
    );
    let report = json(&out);
    let version = findings_of(&report, "LI102");
    assert_eq!(version.len(), 1, "{report}");
    assert!(version[0]["message"]
        .as_str()
        .unwrap()
        .contains(&format!("judged for {other}")));
    let out = check(
        empty.path(),
        Some("foobared"),
        &[
            "--format",
            "json",
            "--redis-version",
            &same,
            "--live",
            &target(&server),
            ".",
        ],
    );
    assert!(findings_of(&json(&out), "LI102").is_empty());
}

#[test]
fn a_wrong_password_an_unreachable_target_and_a_password_in_the_url_are_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let conf = write(
        dir.path(),
        "redis.conf",
        format!("port 0\nrequirepass {STRONG}\n"),
    );
    let Some(server) = start(&conf) else { return };
    let files = tempfile::tempdir().unwrap();
    write(files.path(), "redis.conf", "appendonly no\n");
    let out = check(
        files.path(),
        Some("wrong-password-1"),
        &["--live", &target(&server), "."],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&target(&server)) && err.contains("authentication refused"),
        "{err}"
    );
    assert!(!err.contains("wrong-password-1"), "{err}");
    // The files are still reported.
    assert!(stdout(&out).contains("RD301"), "{}", stdout(&out));

    // No password at all: the server asks for one.
    let out = check(files.path(), None, &["--live", &target(&server), "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("authentication required"),
        "{}",
        stderr(&out)
    );
    // --password-file: its first line is the password.
    let secret = write(
        files.path(),
        "secret/pw",
        format!("{STRONG}\nnot this line\n"),
    );
    let out = check(
        files.path(),
        None,
        &[
            "--password-file",
            secret.to_str().unwrap(),
            "--live",
            &target(&server),
            "redis.conf",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    let gone = format!("unix://{}/nothing.sock", files.path().display());
    let out = check(
        files.path(),
        None,
        &["--live", &gone, "--live", &target(&server), "."],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&gone) && err.contains("cannot connect"),
        "{err}"
    );
    let closed = format!("redis://127.0.0.1:{}", free_port());
    let out = check(files.path(), None, &["--live", &closed, "."]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&closed) && err.contains("cannot connect"),
        "{err}"
    );

    let out = check(
        files.path(),
        None,
        &["--live", "redis://:s3cr3t-in-url@127.0.0.1:1", "."],
    );
    assert_eq!(out.status.code(), Some(2));
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!all.contains("s3cr3t-in-url"), "{all}");
    assert!(all.contains("REDISCLI_AUTH"), "{all}");
}

/// How a fake server answers the nth command of a connection.
type Answer = fn(usize, &mut std::os::unix::net::UnixStream);

/// A fake server: answers each command of a connection with `reply(n)` (n: the command's index),
/// or not at all (`None`). Returns its socket.
fn hostile(
    dir: &Path,
    name: &str,
    reply: fn(usize, &mut std::os::unix::net::UnixStream),
) -> PathBuf {
    let socket = dir.join(name);
    let listener = UnixListener::bind(&socket).unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let mut n = 0;
                // One read per command is enough for the small commands redline sends.
                while let Ok(k) = stream.read(&mut buf) {
                    if k == 0 {
                        return;
                    }
                    reply(n, &mut stream);
                    n += 1;
                }
            });
        }
    });
    socket
}

/// An array of bulk strings that never ends.
fn endless(stream: &mut std::os::unix::net::UnixStream) {
    let mut bulk = b"$4000000\r\n".to_vec();
    bulk.extend(std::iter::repeat_n(b'a', 4_000_000));
    bulk.extend_from_slice(b"\r\n");
    let _ = stream.write_all(b"*100000\r\n");
    while stream.write_all(&bulk).is_ok() {}
}

#[test]
fn a_hostile_server_gets_a_clear_error_within_the_time_out() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, Answer, &str); 6] = [
        (
            "oversized",
            |_, s| {
                let _ = s.write_all(b"$99999999999\r\n");
            },
            "limit",
        ),
        (
            "wrong-type",
            |_, s| {
                let _ = s.write_all(b":12\r\n");
            },
            "not a bulk string",
        ),
        (
            "never-ends",
            |_, s| {
                let _ = s.write_all(b"$10\r\nabc");
            },
            "no complete reply",
        ),
        ("silent", |_, _| {}, "no complete reply"),
        ("endless", |_, s| endless(s), "longer than"),
        (
            "deep",
            |_, s| {
                let _ = s.write_all("*1\r\n".repeat(100).as_bytes());
            },
            "nested",
        ),
    ];
    for (name, reply, expected) in cases {
        let socket = hostile(dir.path(), name, reply);
        let target = format!("unix://{}", socket.display());
        let started = Instant::now();
        let out = check(
            dir.path(),
            None,
            &["--live-timeout", "1", "--live", &target, "--select", "LI"],
        );
        let took = started.elapsed();
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&target) && err.contains(expected),
            "{name}: {err}"
        );
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert!(took < Duration::from_secs(4), "{name}: {took:?}");
    }
}

#[test]
fn redline_toml_links_a_target_to_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let conf = write(
        dir.path(),
        "redis.conf",
        format!("port 0\nrequirepass {STRONG}\nmaxmemory-policy noeviction\n"),
    );
    let Some(server) = start(&conf) else { return };
    authed(&server, STRONG).call(&["CONFIG", "SET", "maxmemory-policy", "volatile-lru"]);
    write(
        dir.path(),
        "redline.toml",
        format!(
            "[[instance]]\npath = \"redis.conf\"\nrole = \"sessions\"\nlive = \"{}\"\n",
            target(&server)
        ),
    );
    // redline.toml alone connects nowhere: the target must be named.
    let out = run_with_auth(dir.path(), &["check", "--format", "json", "."]);
    let report = json(&out);
    assert!(findings_of(&report, "LI101").is_empty(), "{report}");
    let out = run_with_auth(
        dir.path(),
        &["check", "--format", "json", "--live", &target(&server), "."],
    );
    let report = json(&out);
    assert!(
        drift_about(&report, "`maxmemory-policy`").is_some(),
        "{report}"
    );

    // `redline stack` shows the server beside its file, and a client that points at the socket
    // links to the file's instance alone (not ambiguously to the running server too). The test
    // server's socket comes from its command line: the file says it too.
    let text = std::fs::read_to_string(&conf).unwrap();
    std::fs::write(
        &conf,
        format!("{text}unixsocket {}\n", server.socket.display()),
    )
    .unwrap();
    write(
        dir.path(),
        "php.ini",
        format!(
            "session.save_handler = redis\nsession.save_path = \"unix://{}?auth={STRONG}&database=2\"\n",
            server.socket.display()
        ),
    );
    let out = run_with_auth(dir.path(), &["stack", "--live", &target(&server), "."]);
    let text = stdout(&out);
    assert!(
        text.contains(&format!("running server {} (--live)", target(&server))),
        "{text}"
    );
    assert!(
        text.contains("running server (--live) of redis.conf"),
        "{text}"
    );
    assert!(text.contains("-> instance0"), "{text}");
    assert!(!text.contains("ambiguous"), "{text}");
    let out = run_with_auth(
        dir.path(),
        &["stack", "--format", "dot", "--live", &target(&server), "."],
    );
    assert!(
        stdout(&out).contains("instance0 -> instance1 [label=\"running (--live)\""),
        "{}",
        stdout(&out)
    );
    let out = run_with_auth(
        dir.path(),
        &[
            "stack",
            "--format",
            "mermaid",
            "--live",
            &target(&server),
            ".",
        ],
    );
    assert!(
        stdout(&out).contains("instance0 -.-|\"running (--live)\"| instance1"),
        "{}",
        stdout(&out)
    );
}

fn run_with_auth(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = common::redline();
    cmd.current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("REDISCLI_AUTH", STRONG);
    cmd.output().unwrap()
}

/// Run openssl in `dir`; false (with the reason printed) when it fails.
fn openssl(dir: &Path, args: &[&str]) -> bool {
    let out = std::process::Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl runs");
    if !out.status.success() {
        eprintln!("openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    out.status.success()
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate, all made here.
fn make_certificates(dir: &Path) -> bool {
    write(
        dir,
        "san.ext",
        "subjectAltName = IP:127.0.0.1, DNS:localhost\n",
    );
    // Extensions make the certificates X.509 v3, the only version webpki accepts.
    write(dir, "client.ext", "extendedKeyUsage = clientAuth\n");
    let steps: [&[&str]; 7] = [
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "2",
            "-subj",
            "/CN=redline test CA",
        ],
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "2",
            "-extfile",
            "san.ext",
        ],
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "client.key",
            "-out",
            "client.csr",
            "-subj",
            "/CN=redline",
        ],
        &[
            "x509",
            "-req",
            "-in",
            "client.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "client.crt",
            "-days",
            "2",
            "-extfile",
            "client.ext",
        ],
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "other.key",
            "-out",
            "other.crt",
            "-days",
            "2",
            "-subj",
            "/CN=another CA",
        ],
        &["version"],
    ];
    steps.iter().all(|args| openssl(dir, args))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn a_tls_target_is_read_with_the_certificates_the_test_makes() {
    if oracle("openssl").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let certs = dir.path().join("certs");
    std::fs::create_dir(&certs).unwrap();
    assert!(
        make_certificates(&certs),
        "openssl could not make the test certificates"
    );
    let port = free_port();
    let c = |name: &str| certs.join(name).display().to_string();
    let conf = write(
        dir.path(),
        "redis.conf",
        format!(
            "port 0\nbind 127.0.0.1\ntls-port {port}\ntls-cert-file {}\ntls-key-file {}\ntls-ca-cert-file {}\nrequirepass {STRONG}\nmaxmemory-policy noeviction\n",
            c("server.crt"),
            c("server.key"),
            c("ca.crt")
        ),
    );
    let Some(binary) = oracle("redis-server") else {
        return;
    };
    let server = match Server::start(&binary, &conf, false) {
        Started::Running(server) => server,
        Started::Refused(why) if why.contains("TLS") || why.contains("tls") => {
            common::oracle_missing(&format!("redis-server built with TLS ({why})"));
            return;
        }
        Started::Refused(why) => panic!("{why}"),
    };
    authed(&server, STRONG).call(&["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"]);
    let target = format!("rediss://127.0.0.1:{port}");
    let live = format!("{target}=redis.conf");
    let args = |ca: &str| {
        vec![
            "--format".to_string(),
            "json".into(),
            "--tls-ca".into(),
            c(ca),
            "--tls-cert".into(),
            c("client.crt"),
            "--tls-key".into(),
            c("client.key"),
            "--live".into(),
            live.clone(),
            "redis.conf".into(),
        ]
    };
    let trusted: Vec<String> = args("ca.crt");
    let trusted: Vec<&str> = trusted.iter().map(String::as_str).collect();
    let out = check(dir.path(), Some(STRONG), &trusted);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    let drift = drift_about(&report, "`maxmemory-policy`").expect("drift read over TLS");
    assert_eq!(drift["related"][0]["path"], target);

    // A certificate from another CA is refused: exit 2, naming the target.
    let untrusted: Vec<String> = args("other.crt");
    let untrusted: Vec<&str> = untrusted.iter().map(String::as_str).collect();
    let out = check(dir.path(), Some(STRONG), &untrusted);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&target) && err.contains("certificate"),
        "{err}"
    );
}

#[test]
fn drift_is_reported_where_the_file_sets_the_value_through_includes() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "conf.d/memory.conf",
        "maxmemory 100mb\nmaxmemory-policy noeviction\n",
    );
    // redis-server resolves `include` against its working folder: the test starts it in the
    // config's folder, where redline resolves it too.
    let conf = write(
        dir.path(),
        "redis.conf",
        format!("port 0\nrequirepass {STRONG}\ninclude conf.d/memory.conf\n"),
    );
    let Some(server) = start(&conf) else { return };
    let mut c = authed(&server, STRONG);
    c.call(&["CONFIG", "SET", "maxmemory-policy", "allkeys-random"]);
    // 100mb written in bytes: the same value, no drift.
    c.call(&["CONFIG", "SET", "maxmemory", "104857600"]);
    let live = format!("{}=redis.conf", target(&server));
    let out = check(
        dir.path(),
        Some(STRONG),
        &["--format", "json", "--live", &live, "."],
    );
    let report = json(&out);
    let policy = drift_about(&report, "`maxmemory-policy`").expect("drift");
    assert_eq!(policy["path"], "conf.d/memory.conf");
    assert_eq!(policy["line"], 2);
    assert!(drift_about(&report, "`maxmemory`").is_none(), "{report}");
}

#[test]
fn acl_users_added_or_changed_on_the_server_are_drift() {
    let dir = tempfile::tempdir().unwrap();
    let conf = write(
        dir.path(),
        "redis.conf",
        format!(
            "port 0\nrequirepass {STRONG}\nuser app on >{STRONG} ~app:* +get +set\nuser report on >{OTHER} ~* +@read\n"
        ),
    );
    let Some(server) = start(&conf) else { return };
    let mut c = authed(&server, STRONG);
    for args in [
        &["ACL", "SETUSER", "intruder", "on", "nopass", "+@all", "~*"][..],
        &["ACL", "SETUSER", "app", "resetpass", &format!(">{OTHER}")],
    ] {
        assert_eq!(c.call(args), Reply::Status("OK".into()));
    }
    let live = format!("{}=redis.conf", target(&server));
    let out = check(
        dir.path(),
        Some(STRONG),
        &["--format", "json", "--live", &live, "."],
    );
    let report = json(&out);
    let intruder = drift_about(&report, "`intruder`").expect("added user");
    assert_eq!(intruder["severity"], "error");
    let app = drift_about(&report, "`app`").expect("changed password");
    assert_eq!(app["severity"], "error");
    assert_eq!(app["line"], 3);
    assert!(drift_about(&report, "`report`").is_none(), "{report}");
    assert!(drift_about(&report, "default user").is_none(), "{report}");
    let all = stdout(&out);
    assert!(!all.contains(OTHER) && !all.contains(&sha256_hex(OTHER.as_bytes())));
}

#[test]
fn an_acl_user_of_the_url_reads_what_it_may_and_the_rest_is_li001() {
    let dir = tempfile::tempdir().unwrap();
    let conf = write(
        dir.path(),
        "redis.conf",
        format!(
            "port 0\nappendonly no\nrequirepass {STRONG}\nuser auditor on >{OTHER} +info +config|get +command|info\n"
        ),
    );
    let Some(server) = start(&conf) else { return };
    let as_auditor = format!("unix://auditor@{}", server.socket.display());
    let out = check(
        dir.path(),
        Some(OTHER),
        &["--format", "json", "--live", &as_auditor, "redis.conf"],
    );
    let report = json(&out);
    // Reported under the target without the user.
    let li001 = findings_of(&report, "LI001");
    assert_eq!(li001.len(), 1, "{report}");
    assert_eq!(li001[0]["path"], target(&server));
    assert!(
        li001[0]["message"].as_str().unwrap().contains("ACL LIST"),
        "{report}"
    );
    // CONFIG GET was allowed: RD301 judged the running value.
    let rd301 = findings_of(&report, "RD301");
    assert!(
        rd301.iter().any(|f| f["path"] == target(&server)),
        "{report}"
    );
    // Without ACL LIST the default user is unknown: no RD101 on the server.
    assert!(
        !findings_of(&report, "RD101")
            .iter()
            .any(|f| f["path"] == target(&server)),
        "{report}"
    );
}
