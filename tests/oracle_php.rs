//! Oracle tests: redline's reading of php.ini against PHP itself (`php -n -c FILE`, values from
//! `get_cfg_var`, errors from PHP's own syntax-error message).

mod common;

use common::*;
use redline::syntax::document::Document;
use redline::syntax::ini::{self, IniValue};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn ini_files() -> Vec<PathBuf> {
    files_in(&[
        fixtures().join("oracle/php"),
        manifest_dir().join("../shared/corpus/php-ini"),
        fixtures().join("corpus/php-ini"),
    ])
}

/// What PHP reports for `keys`: value or null, and whether it printed a syntax error.
fn php_reads(php: &Path, file: &Path, keys: &[String]) -> (BTreeMap<String, Option<String>>, bool) {
    let script = "$keys = json_decode($argv[1]); $out = []; foreach ($keys as $k) { $v = get_cfg_var($k); $out[$k] = $v === false ? null : $v; } echo json_encode($out);";
    let out = Command::new(php)
        .arg("-n")
        .arg("-c")
        .arg(file)
        .args(["-r", script])
        .arg(serde_json::to_string(keys).unwrap())
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("php runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let all = stdout.clone() + &String::from_utf8_lossy(&out.stderr);
    let syntax_error = all.contains("syntax error");
    // The JSON is the last line of standard output; warnings may come before it.
    let json_line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{') || l.starts_with('['))
        .unwrap_or_else(|| panic!("{}: no JSON from php: {all}", file.display()));
    let json_line = &json_line[..json_line.rfind('}').map_or(json_line.len(), |p| p + 1)];
    let values: BTreeMap<String, Option<String>> = if json_line.starts_with('[') {
        BTreeMap::new()
    } else {
        serde_json::from_str(json_line).unwrap_or_else(|e| panic!("{}: {e}: {all}", file.display()))
    };
    (values, syntax_error)
}

/// Keys the CLI SAPI sets over php.ini (`sapi/cli` INI_DEFAULT), and keys PHP loads instead of
/// storing (`extension`, `zend_extension`): get_cfg_var cannot show the file's value for them.
const NOT_COMPARABLE: [&str; 9] = [
    "display_errors",
    "display_startup_errors",
    "html_errors",
    "implicit_flush",
    "max_execution_time",
    "max_input_time",
    "output_buffering",
    "register_argc_argv",
    "extension",
];

/// Global values as redline reads them (last wins), and whether redline found a syntax error.
fn redline_reads(file: &Path) -> (BTreeMap<String, IniValue>, bool) {
    let doc = Document::parse(std::fs::read(file).unwrap());
    let mut seen: BTreeMap<String, IniValue> = BTreeMap::new();
    let parsed = {
        // `${name}` sees directives read before; the environment is empty, as in the php run.
        let lookup = |_name: &str| None;
        ini::parse(&doc, &lookup)
    };
    for e in &parsed.entries {
        if !e.scoped && e.offset.is_none() {
            seen.insert(e.key.clone(), e.value.clone());
        }
    }
    (seen, parsed.error.is_some())
}

#[test]
fn values_and_syntax_errors_match_php() {
    let Some(php) = oracle("php") else { return };
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for file in ini_files() {
        compared += compare_with_php(&php, &file, &mut mismatches);
    }
    assert!(compared > 100, "only {compared} values compared");
    assert!(
        mismatches.is_empty(),
        "redline and PHP disagree:\n{}",
        mismatches.join("\n")
    );
}

/// Compare redline's reading of `file` with PHP's: the syntax error, and every value redline
/// reads plus the session keys. Pushes a line for each difference; returns the values compared.
fn compare_with_php(php: &Path, file: &Path, mismatches: &mut Vec<String>) -> usize {
    let mut compared = 0;
    let (ours, our_error) = redline_reads(file);
    let mut keys: Vec<String> = ours.keys().cloned().collect();
    for k in [
        "session.save_handler",
        "session.save_path",
        "session.name",
        "session.cookie_secure",
        "redis.session.locking_enabled",
    ] {
        if !keys.iter().any(|x| x == k) {
            keys.push(k.to_string());
        }
    }
    let (theirs, their_error) = php_reads(php, file, &keys);
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    if our_error != their_error {
        mismatches.push(format!(
            "{name}: redline syntax error={our_error}, php={their_error}"
        ));
        return 0;
    }
    // At an error PHP keeps what it read before it, a partial value included: compared too.
    for key in keys
        .iter()
        .filter(|k| !NOT_COMPARABLE.contains(&k.as_str()) && *k != "zend_extension")
    {
        let want = theirs.get(key).cloned().flatten();
        match ours.get(key) {
            Some(IniValue::Unknown(_)) => continue,
            Some(IniValue::Text(t)) => {
                let got = String::from_utf8_lossy(t).into_owned();
                if want.as_deref() != Some(got.as_str()) {
                    mismatches.push(format!("{name}: {key}: redline {got:?}, php {want:?}"));
                }
            }
            None => {
                if want.is_some() {
                    mismatches.push(format!("{name}: {key}: redline unset, php {want:?}"));
                }
            }
        }
        compared += 1;
    }
    compared
}

/// Every fix redline offers (safe and unsafe) on the real-world php.ini files leaves a file PHP
/// reads without a syntax error (when it read the original without one), and redline's
/// reading of the fixed file still matches PHP's.
#[test]
fn fixed_corpus_php_ini_files_still_read_the_same_as_php() {
    let Some(php) = oracle("php") else { return };
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for src in files_in(&[fixtures().join("corpus/php-ini")]) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("php.ini");
        std::fs::copy(&src, &file).unwrap();
        if php_reads(&php, &file, &[]).1 {
            continue;
        }
        fix_everything(dir.path(), &["php.ini"]);
        let before = mismatches.len();
        compared += compare_with_php(&php, &file, &mut mismatches);
        if mismatches.len() > before {
            mismatches.push(format!("  (in the fixed {})", src.display()));
        }
    }
    assert!(compared > 50, "only {compared} values compared");
    assert!(
        mismatches.is_empty(),
        "after the fixes, redline and PHP disagree:\n{}",
        mismatches.join("\n")
    );
}

/// PHP001's safe fix, checked by PHP: before it PHP stops at the `=` in the unquoted value and
/// ignores the rest of the file; after `redline fix --write` it reads the whole value and the
/// settings after it.
#[test]
fn php001_fix_makes_php_read_the_value_and_the_rest() {
    let Some(php) = oracle("php") else { return };
    let dir = tempfile::tempdir().unwrap();
    let ini = write(
        dir.path(),
        "php.ini",
        "[Session]\nsession.save_handler = redis\nsession.save_path = tcp://10.0.0.5:6379?auth=0123456789abcdef0123456789abcdef\nsession.name = SHOP\n",
    );
    let keys = ["session.save_path".to_string(), "session.name".to_string()];
    let (before, error) = php_reads(&php, &ini, &keys);
    assert!(error, "PHP reads the unquoted `=` without error");
    assert_eq!(before["session.name"], None);
    let out = run(
        dir.path(),
        &[
            "fix",
            "--no-config",
            "--write",
            "--select",
            "PHP001",
            "php.ini",
        ],
    );
    assert!(out.status.code().is_some_and(|c| c < 2), "{}", stderr(&out));
    let (after, error) = php_reads(&php, &ini, &keys);
    assert!(
        !error,
        "after the fix: {}",
        std::fs::read_to_string(&ini).unwrap()
    );
    assert_eq!(
        after["session.save_path"].as_deref(),
        Some("tcp://10.0.0.5:6379?auth=0123456789abcdef0123456789abcdef")
    );
    assert_eq!(after["session.name"].as_deref(), Some("SHOP"));
}

/// Each session.save_path host is read with PHP's own `parse_url` algorithm: redline's host,
/// port and socket path must be what `parse_url` gives (host; else the path, which phpredis
/// takes for a unix socket), and an entry PHP cannot parse must be refused.
#[test]
fn save_path_hosts_split_like_parse_url() {
    let Some(php) = oracle("php") else { return };
    let entries = [
        "tcp://10.0.0.5:6379?auth=x",
        "10.0.0.5:6379",
        "10.0.0.5:6379?auth=x",
        "10.0.0.5:6379/?auth=x",
        "localhost:6379#frag",
        "redis_master:6379",
        "redis_master:6379?auth=x",
        "redis-master:6379",
        "[::1]:6379",
        "tcp://[::1]:6379?auth=x",
        "tcp://[fe80::1]/x",
        "tcp://h:80x",
        "tcp://h:123456",
        "tcp://user:pw@h:6380/db?auth=x",
        "tcp://h:6379#x?auth=y",
        "/var/run/redis.sock?database=2",
        "file:///var/run/redis.sock",
        "unix:///var/run/redis.sock?auth=x",
        "h",
        "h?auth=x",
        ":6379",
        "tcp://:6379",
        "tcp://h:",
        "tcp:",
        "//h:6379/x",
        "a.b.c:65535",
        "a.b.c:65536",
        "h:0",
        "h:007",
        "tls://cache.example.com:6380?auth=x",
    ];
    let script = "foreach (json_decode($argv[1]) as $u) { $p = parse_url(str_starts_with($u, 'unix:') ? 'file:' . substr($u, 5) : $u); \
                  echo json_encode($p === false ? false : ['host' => $p['host'] ?? null, 'port' => $p['port'] ?? null, 'path' => $p['path'] ?? null]), \"\\n\"; }";
    let out = Command::new(&php)
        .args(["-n", "-r", script])
        .arg(serde_json::to_string(&entries).unwrap())
        .output()
        .expect("php runs");
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        entries.len(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut mismatches = Vec::new();
    for (entry, theirs) in entries.iter().zip(&lines) {
        let parsed = redline::model::save_path::parse_redis(entry);
        let refused = parsed
            .error
            .as_deref()
            .is_some_and(|e| e.starts_with("Failed to parse"));
        // Nothing to connect to (`tcp:` is a scheme alone): phpredis cannot use it either.
        let nothing = theirs["host"].is_null() && theirs["path"].as_str().is_none_or(str::is_empty);
        if theirs == &serde_json::Value::Bool(false) || nothing {
            if !refused {
                mismatches.push(format!(
                    "{entry}: PHP cannot parse it, redline reads {:?}",
                    parsed.hosts
                ));
            }
            continue;
        }
        let Some(host) = parsed.hosts.first().filter(|_| !refused) else {
            mismatches.push(format!(
                "{entry}: PHP parses it ({theirs}), redline refuses it"
            ));
            continue;
        };
        let their_host = theirs["host"]
            .as_str()
            .map(|h| h.trim_start_matches('[').trim_end_matches(']').to_string());
        let their_port = theirs["port"].as_u64().map(|p| p as u16);
        let their_socket = match (&their_host, theirs["path"].as_str()) {
            (None, Some(p)) if !p.is_empty() => Some(p.to_string()),
            _ => None,
        };
        let ours = (host.host.clone(), host.port, host.socket.clone());
        let want = (their_host, their_port, their_socket);
        if ours != want {
            mismatches.push(format!("{entry}: redline {ours:?}, PHP {want:?}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "redline and parse_url disagree:\n{}",
        mismatches.join("\n")
    );
}
