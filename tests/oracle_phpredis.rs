//! Oracle test: redline's reading of `session.save_path` against phpredis itself. A real
//! redis-server (private unix socket, and a private TCP port on 127.0.0.1) needs a password with
//! the characters URL encoding trips on; for each save_path, PHP with Debian's phpredis
//! (php-redis) starts a session and writes it. redline's reading of the same save_path must
//! predict what happened: whether phpredis authenticated (its password is the server's), the
//! database the session landed in and the key prefix.

mod common;

use common::*;
use redline::model::save_path::parse_redis;
use std::path::{Path, PathBuf};
use std::process::Command;

const PASSWORD: &str = "p+w#1&x";
const SESSION_ID: &str = "oracletest";
/// An ACL user of the server besides `default`.
const APP_USER: &str = "app";
const APP_PASSWORD: &str = "app-pw";

/// `php -n` with Debian's phpredis (which needs igbinary loaded first).
const PHPREDIS: [&str; 5] = ["-n", "-d", "extension=igbinary", "-d", "extension=redis"];

/// Save paths, `{sock}` and `{port}` filled in per run.
const SAVE_PATHS: &[&str] = &[
    "tcp://127.0.0.1:{port}?auth=p%2Bw%231%26x",
    "tcp://127.0.0.1:{port}?auth=p%2Bw%231%26x&database=3",
    "tcp://127.0.0.1:{port}?database=2&auth=p%2Bw%231%26x&timeout=2.5&persistent=0",
    "127.0.0.1:{port}?auth=p%2Bw%231%26x&database=1",
    "tcp://localhost:{port}?auth=p%2Bw%231%26x&database=4",
    "tcp://127.0.0.1:{port}?auth=p+w%231%26x",
    "tcp://127.0.0.1:{port}?auth=p%2Bw#1&x",
    "tcp://127.0.0.1:{port}?auth=wrong",
    "tcp://127.0.0.1:{port}",
    "tcp://127.0.0.1:{port}?auth[]=p%2Bw%231%26x&database=5",
    "tcp://127.0.0.1:{port}?auth[]=default&auth[]=p%2Bw%231%26x&database=6",
    "tcp://127.0.0.1:{port}?auth[user]=default&auth[pass]=p%2Bw%231%26x&database=7",
    "tcp://127.0.0.1:{port}?auth=p%2Bw%231%26x&prefix=shop:",
    "tcp://127.0.0.1:{port}?auth=p%2Bw%231%26x&database=x",
    "tcp://127.0.0.1:{port}?auth=p%2Bw%231%26x&database=%208",
    "tcp://127.0.0.1:{port}?auth=p%2Bw%231%26x&database=3&database=9",
    "tcp://127.0.0.1:{port}?auth=wrong&auth=p%2Bw%231%26x",
    "unix://{sock}?auth=p%2Bw%231%26x&database=2",
    "unix:{sock}?auth=p%2Bw%231%26x&database=3",
    "{sock}?auth=p%2Bw%231%26x&database=4",
    "file://{sock}?auth=p%2Bw%231%26x&database=5",
    "unix://{sock}?auth=nope",
    "tcp://127.0.0.1:{port}/?auth=p%2Bw%231%26x&database=2",
    "tcp://127.0.0.1:{port}/some/path?auth=p%2Bw%231%26x&database=3",
    "tcp://127.0.0.1:{port}#x?auth=p%2Bw%231%26x",
    "tcp://127.0.0.1:{port}?auth=p%2Bw%231%26x#frag&database=3",
    "tcp://127.0.0.1:{port}?database=3#frag&auth=p%2Bw%231%26x",
    "tcp://127.0.0.1:{port}x?auth=p%2Bw%231%26x",
    "tcp://[127.0.0.1]:{port}?auth=p%2Bw%231%26x",
    "localhost:{port}?auth=p%2Bw%231%26x",
    "tcp://user@127.0.0.1:{port}?auth=p%2Bw%231%26x&database=1",
    "tcp://127.0.0.1:{port}?auth=p%2Bw%231%26x&database=1e1",
    "tcp://127.0.0.1:{port}?auth=p%2Bw%231%26x&database=2.9x",
    "tcp://127.0.0.1:{port}?auth=p%2Bw%231%26x&database=%2B7",
    "tcp://127.0.0.1:{port}?auth[]=app&auth[]=app-pw&database=2",
    "tcp://127.0.0.1:{port}?%20auth=p%2Bw%231%26x&database=2",
    "tcp://127.0.0.1:{port}?+auth=p%2Bw%231%26x&database=3",
    "tcp://127.0.0.1:{port}?auth%00x=p%2Bw%231%26x&database=4",
    "tcp://127.0.0.1:{port}?auth[user]=app&auth[pass]=app-pw&database=3",
    "tcp://127.0.0.1:{port}?auth[]=app&auth[]=p%2Bw%231%26x",
    "tcp://127.0.0.1:{port}?auth[]=nobody&auth[]=app-pw",
    "tcp://127.0.0.1:{port}?auth[pass]=app-pw&auth[user]=app&database=4",
    "tcp://127.0.0.1:{port}?auth[]=app-pw",
];

/// PHP with phpredis, and a redis-server needing `password` on a unix socket and a private
/// TCP port; None (said loudly) when an oracle is missing.
fn php_and_server(password: &str) -> Option<(PathBuf, Server, u16, tempfile::TempDir)> {
    let (Some(php), Some(redis)) = (oracle("php"), oracle("redis-server")) else {
        return None;
    };
    if !phpredis_loaded(&php) {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "redis.conf",
        format!("requirepass \"{password}\"\nuser {APP_USER} on >{APP_PASSWORD} ~* &* +@all\nsave \"\"\nappendonly no\ndatabases 16\n"),
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    match Server::start_on(&redis, &config, false, port) {
        Started::Running(server) => Some((php, server, port, dir)),
        Started::Refused(why) => panic!("redis-server refused the test config: {why}"),
    }
}

/// The session key the server holds and its database (then the server is emptied).
fn take_session(server: &Server, password: &str) -> Option<(i64, String)> {
    let mut c = server.connect();
    assert!(!c.call(&["AUTH", password]).is_error());
    let mut found = None;
    for db in 0..16 {
        assert!(!c.call(&["SELECT", &db.to_string()]).is_error());
        if let Reply::Array(Some(keys)) = c.call(&["KEYS", "*"]) {
            if let Some(key) = keys.first() {
                found = Some((db, key.text()));
            }
        }
    }
    assert!(!c.call(&["FLUSHALL"]).is_error());
    found
}

/// Whether `php -n` loads phpredis; if not, says so (or fails under REDLINE_REQUIRE_ORACLES).
fn phpredis_loaded(php: &Path) -> bool {
    let loaded = Command::new(php)
        .args(PHPREDIS)
        .args(["-r", "echo extension_loaded('redis') ? 'yes' : 'no';"])
        .output()
        .expect("php runs");
    let yes = String::from_utf8_lossy(&loaded.stdout) == "yes";
    if !yes {
        oracle_missing("phpredis (apt-get install php-redis)");
    }
    yes
}

/// What phpredis did: None when the session could not be opened or written, else the database
/// and the key it wrote.
fn phpredis_writes(php: &Path, save_path: &str, server: &Server) -> Option<(i64, String)> {
    let script = format!(
        "ini_set('session.save_path', $argv[1]); session_id('{SESSION_ID}'); \
         try {{ if (!@session_start()) {{ echo 'FAIL'; exit; }} $_SESSION['k'] = 'v'; \
         echo @session_write_close() ? 'OK' : 'FAIL'; }} \
         catch (Throwable $e) {{ echo 'FAIL'; }}"
    );
    let out = Command::new(php)
        .args(PHPREDIS)
        .args(["-d", "session.save_handler=redis", "-r", &script])
        .arg(save_path)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("php runs");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.ends_with("OK") || said.ends_with("FAIL"),
        "{save_path}: php said {said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let found = take_session(server, PASSWORD);
    match (said.ends_with("OK"), &found) {
        (true, Some(_)) => found,
        (false, None) => None,
        _ => panic!("{save_path}: php said {said} but the server holds {found:?}"),
    }
}

/// What redline reads: phpredis reaches the server when the host is where it listens (this
/// socket, or 127.0.0.1 / localhost on this port) and authenticates when the password it sends
/// is the server's; the session goes to `database` (0 when absent or not a number) under
/// `prefix`. A save_path redline reports as refused (PHP105) fails.
fn redline_predicts(save_path: &str, socket: &str, port: u16) -> Option<(i64, String)> {
    let parsed = parse_redis(save_path);
    if parsed.error.is_some() {
        return None;
    }
    let host = parsed.hosts.first()?;
    let reaches = match (&host.socket, &host.host) {
        (Some(path), _) => path == socket,
        (None, Some(name)) => {
            ["127.0.0.1", "localhost"].contains(&name.as_str()) && host.port == Some(port)
        }
        (None, None) => false,
    };
    if !reaches {
        return None;
    }
    let user = host.auth_user().map(|u| u.value.as_str());
    let expected = match user {
        None | Some("default") => PASSWORD,
        Some(APP_USER) => APP_PASSWORD,
        Some(_) => return None,
    };
    if host.auth_password().map(|p| p.value.as_str()) != Some(expected) {
        return None;
    }
    let prefix = host
        .param("prefix")
        .map_or("PHPREDIS_SESSION:".to_string(), |p| p.value.clone());
    Some((
        host.database().unwrap_or(0),
        format!("{prefix}{SESSION_ID}"),
    ))
}

#[test]
fn save_paths_match_phpredis() {
    let Some((php, server, port, _dir)) = php_and_server(PASSWORD) else {
        return;
    };
    let sock = server.socket.to_string_lossy().into_owned();
    let mut mismatches = Vec::new();
    for template in SAVE_PATHS {
        let save_path = template
            .replace("{sock}", &sock)
            .replace("{port}", &port.to_string());
        let theirs = phpredis_writes(&php, &save_path, &server);
        let ours = redline_predicts(&save_path, &sock, port);
        if ours != theirs {
            mismatches.push(format!(
                "{template}: redline predicts {ours:?}, phpredis did {theirs:?}"
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "redline and phpredis disagree:\n{}",
        mismatches.join("\n")
    );
}

/// Whether PHP, reading `ini` (`php -n -c`), opens and writes a session, and where it landed.
fn session_from_ini(php: &Path, ini: &Path, server: &Server) -> Option<(i64, String)> {
    let script = format!(
        "session_id('{SESSION_ID}'); try {{ if (!@session_start()) {{ echo 'FAIL'; exit; }} \
         $_SESSION['k'] = 'v'; echo @session_write_close() ? 'OK' : 'FAIL'; }} \
         catch (Throwable $e) {{ echo 'FAIL'; }}"
    );
    let out = Command::new(php)
        .args(PHPREDIS)
        .arg("-c")
        .arg(ini)
        .args(["-r", &script])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("php runs");
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    let found = take_session(server, FIX_PASSWORD);
    assert_eq!(
        said == "OK",
        found.is_some(),
        "php said {said}, server holds {found:?}"
    );
    found
}

/// A password with `+` and `#` but no `&`: what the user meant is known, so PHP106's fix is safe.
const FIX_PASSWORD: &str = "p+w#1";

/// PHP106's safe fix, checked by phpredis: before it PHP sends the wrong password (`+` is a
/// space, `#` starts the fragment) and no session is written; after `redline fix --write` the
/// session lands in the configured database.
#[test]
fn php106_fix_makes_phpredis_authenticate() {
    let Some((php, server, port, _dir)) = php_and_server(FIX_PASSWORD) else {
        return;
    };
    let app = tempfile::tempdir().unwrap();
    let ini = write(
        app.path(),
        "php.ini",
        format!("[Session]\nsession.save_handler = redis\nsession.save_path = \"tcp://127.0.0.1:{port}?auth={FIX_PASSWORD}&database=3\"\n"),
    );
    assert_eq!(
        session_from_ini(&php, &ini, &server),
        None,
        "the unencoded password works"
    );
    let out = run(
        app.path(),
        &[
            "fix",
            "--no-config",
            "--write",
            "--select",
            "PHP106",
            "php.ini",
        ],
    );
    assert!(
        out.status.success() || out.status.code() == Some(1),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        session_from_ini(&php, &ini, &server),
        Some((3, format!("PHPREDIS_SESSION:{SESSION_ID}"))),
        "after the fix: {}",
        std::fs::read_to_string(&ini).unwrap()
    );
}
