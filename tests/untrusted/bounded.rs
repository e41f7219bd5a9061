//! Bounded work, logs and terminals: run on the binary, so that an abort (a stack overflow) or a
//! panic is a failed exit status, never a crashed test harness.

use crate::common::*;
use std::path::Path;
use std::process::{Command, Output, Stdio};

// Bounded work, logs and terminals

/// The run ended by itself (no signal, no panic) with 0 or 1.
fn assert_ran(out: &Output, what: &str) {
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{what}: {:?}\n{}",
        out.status,
        stderr(out)
    );
    assert!(!stderr(out).contains("panicked"), "{what}: {}", stderr(out));
}

fn findings_of<'a>(report: &'a serde_json::Value, rule: &str) -> Vec<&'a serde_json::Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

#[test]
fn bounded_findings_are_capped_per_rule_and_file() {
    let dir = tempfile::tempdir().unwrap();
    // A "redis.conf" of junk lines: one RD001 each, before the cap.
    let junk: String = (0..5_000).map(|i| format!("junk{i}\n")).collect();
    write(dir.path(), "redis.conf", format!("port 6379\n{junk}"));
    // Named on the command line: found by walking, a file of junk is passed over as not a
    // redis.conf at all.
    let out = run(
        dir.path(),
        &["check", "--no-config", "--format", "json", "redis.conf"],
    );
    assert_ran(&out, "check");
    let report = json(&out);
    let rd001 = findings_of(&report, "RD001");
    assert_eq!(
        rd001.len(),
        101,
        "100 findings and one that counts the rest"
    );
    let closing = rd001.last().unwrap();
    assert_eq!(closing["line"], 102, "at the first finding not shown");
    let message = closing["message"].as_str().unwrap();
    assert!(
        message.contains("4900 more RD001 findings in this file not shown"),
        "{message}"
    );
    assert!(closing["fix"].is_null());
    // The text report is bounded as well.
    let text = run(dir.path(), &["check", "--no-config", "redis.conf"]);
    assert!(stdout(&text).lines().count() < 1_000);
    // A suppression of a finding past the cap is not reported as suppressing nothing.
    write(
        dir.path(),
        "redis.conf",
        format!("port 6379\n{junk}# redline: ignore RD001 -- legacy\nmore junk\n"),
    );
    let report = json(&run(
        dir.path(),
        &["check", "--no-config", "--format", "json", "redis.conf"],
    ));
    assert_eq!(findings_of(&report, "RD001").len(), 101);
    assert!(findings_of(&report, "RL001").is_empty(), "{report}");
}

#[test]
fn bounded_capped_findings_still_get_their_fixes() {
    let dir = tempfile::tempdir().unwrap();
    // 300 lines broken by a trailing comment: RD001 with a fix each, past the cap.
    let lines: String = (0..300)
        .map(|i| format!("tcp-keepalive {i} # note {i}\n"))
        .collect();
    let conf = write(dir.path(), "redis.conf", format!("port 6379\n{lines}"));
    let out = fix_everything(dir.path(), &["."]);
    let after = std::fs::read_to_string(&conf).unwrap();
    assert!(
        after.contains("# note 299\ntcp-keepalive 299\n"),
        "{}\n{after}",
        stderr(&out)
    );
    let report = json(&run(
        dir.path(),
        &["check", "--no-config", "--format", "json"],
    ));
    assert!(findings_of(&report, "RD001").is_empty());
}

#[test]
fn bounded_deep_python_is_read_without_overflowing() {
    let dir = tempfile::tempdir().unwrap();
    let head = "SESSION_ENGINE = \"django.contrib.sessions.backends.cache\"\n";
    let sum = vec!["1"; 25_000].join("+");
    let strings = vec!["\"a\""; 25_000].join(" + ");
    write(
        dir.path(),
        "sum/settings.py",
        format!("{head}CACHES = {sum}\n"),
    );
    write(
        dir.path(),
        "strings/settings.py",
        format!("{head}SECRET_KEY = {strings}\n"),
    );
    write(
        dir.path(),
        "parens/settings.py",
        format!(
            "{head}CACHES = {}1{}\n",
            "(".repeat(50_000),
            ")".repeat(50_000)
        ),
    );
    write(
        dir.path(),
        "subscripts/settings.py",
        format!("{head}CACHES{} = 1\n", "[\"a\"]".repeat(50_000)),
    );
    // Two 14 KB modules: read on rayon's worker threads, whose stacks are small. Nesting just
    // under CPython's limit is valid Python: read, no finding.
    let chain = vec!["1"; 7_000].join("+");
    let nested = format!("{}1{}", "[{'a': (".repeat(66), ")}]".repeat(66));
    for app in ["one", "two"] {
        write(
            dir.path(),
            &format!("workers/{app}/settings.py"),
            format!("{head}CACHES = {chain}\nSESSION_CACHE_ALIAS = {nested}\n"),
        );
    }
    for case in ["sum", "strings", "parens", "subscripts", "workers"] {
        let out = run(
            dir.path(),
            &["check", "--no-config", "--format", "json", case],
        );
        assert_ran(&out, case);
        let report = json(&out);
        let dj001 = findings_of(&report, "DJ001");
        match case {
            // CPython refuses more than 200 nested brackets: a syntax finding, as Django's import
            // fails.
            "parens" | "subscripts" => assert_eq!(dj001.len(), 1, "{case}: {report}"),
            _ => assert!(dj001.is_empty(), "{case}: {report}"),
        }
    }
}

#[test]
fn bounded_deep_php_ini_expression_is_a_syntax_finding() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "php.ini",
        format!(
            "session.save_handler = redis\nsession.gc_maxlifetime = {}1\n",
            "~".repeat(100_000)
        ),
    );
    write(
        dir.path(),
        "conf.d/20-redis.ini",
        format!(
            "session.gc_probability = {}1{}\n",
            "(".repeat(100_000),
            ")".repeat(100_000)
        ),
    );
    let out = run(dir.path(), &["check", "--no-config", "--format", "json"]);
    assert_ran(&out, "check");
    let report = json(&out);
    let php001 = findings_of(&report, "PHP001");
    assert_eq!(php001.len(), 2, "{report}");
    for f in php001 {
        // PHP's own words for a parser stack past its 10000 entries.
        assert!(f["message"].as_str().unwrap().contains("memory exhausted"));
    }
}

#[test]
fn bounded_deep_laravel_config_is_read_without_overflowing() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "artisan", "");
    write(
        dir.path(),
        "config/session.php",
        format!(
            "<?php\nreturn [\n'driver' => {}'redis'{},\n'lottery' => {}{},\n];\n",
            "env('SESSION_DRIVER', ".repeat(50_000),
            ")".repeat(50_000),
            "[".repeat(50_000),
            "]".repeat(50_000)
        ),
    );
    write(
        dir.path(),
        "config/database.php",
        format!(
            "<?php\nreturn ['redis' => {}{}];\n",
            "array(".repeat(50_000),
            ")".repeat(50_000)
        ),
    );
    let out = run(dir.path(), &["check", "--no-config", "--format", "json"]);
    assert_ran(&out, "check");
    json(&out);
}

#[test]
fn bounded_php_ini_syntax_errors_are_quoted_in_one_fix() {
    let dir = tempfile::tempdir().unwrap();
    // PHP stops at the first unquoted `=`: each quote reveals the next error. One fix quotes all
    // of them (a pass per line made `fix` quadratic in the file).
    let lines: String = (0..2_000).map(|i| format!("x.k{i} = a=b{i}\n")).collect();
    let ini = write(
        dir.path(),
        "php.ini",
        format!("session.save_handler = redis\n{lines}session.use_strict_mode = 1\n"),
    );
    let report = json(&run(
        dir.path(),
        &["check", "--no-config", "--format", "json"],
    ));
    let php001 = findings_of(&report, "PHP001");
    assert_eq!(php001.len(), 1);
    assert_eq!(
        php001[0]["fix"]["description"],
        "quote the value, and the 1999 values after it PHP would stop at next"
    );
    let out = fix_everything(dir.path(), &["."]);
    assert!(stderr(&out).contains("Applied "), "{}", stderr(&out));
    let after = std::fs::read_to_string(&ini).unwrap();
    assert!(after.contains("x.k0 = \"a=b0\"\n") && after.contains("x.k1999 = \"a=b1999\"\n"));
    let report = json(&run(
        dir.path(),
        &["check", "--no-config", "--format", "json"],
    ));
    assert!(findings_of(&report, "PHP001").is_empty(), "{report}");
}

#[test]
fn bounded_bom_fixable_count_is_what_fix_applies() {
    let dir = tempfile::tempdir().unwrap();
    let conf = write(
        dir.path(),
        "redis.conf",
        b"\xEF\xBB\xBFport 6379\nbind 0.0.0.0\nprotected-mode no\n",
    );
    let check = stderr(&run(
        dir.path(),
        &["check", "--no-config", "--output", "/dev/null"],
    ));
    let fixable: usize = check
        .split(" fixable with `redline fix`")
        .next()
        .and_then(|s| s.rsplit(char::is_whitespace).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a fixable count: {check}"));
    let out = run(dir.path(), &["fix", "--no-config", "--write"]);
    assert_ran(&out, "fix");
    assert!(
        stderr(&out).contains(&format!("Applied {fixable} fix")),
        "check counted {fixable}: {}",
        stderr(&out)
    );
    let after = std::fs::read(&conf).unwrap();
    assert!(after.starts_with(b"port 6379\n"), "the BOM is removed");
    assert!(String::from_utf8_lossy(&after).contains("protected-mode yes"));
}

#[test]
fn bounded_fix_applies_what_it_can_and_names_what_it_skipped() {
    let dir = tempfile::tempdir().unwrap();
    // Adding `auth=` (and `database=`) to an unquoted save_path would make php.ini unreadable
    // (PHP refuses `=` in an unquoted value): those fixes are skipped, every other is made.
    let ini = write(
        dir.path(),
        "app/php.ini",
        "session.save_handler = redis\nsession.save_path = tcp://127.0.0.1:6379\n",
    );
    let conf = write(
        dir.path(),
        "redis/redis.conf",
        "port 6379\nbind 0.0.0.0\nprotected-mode no\n",
    );
    let out = run(
        dir.path(),
        &["fix", "--no-config", "--write", "--unsafe-fixes"],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let conf = std::fs::read_to_string(&conf).unwrap();
    assert!(conf.contains("protected-mode yes"), "{conf}");
    let ini = std::fs::read_to_string(&ini).unwrap();
    assert!(ini.contains("session.cookie_httponly = 1"), "{ini}");
    assert!(
        ini.contains("session.save_path = tcp://127.0.0.1:6379\n"),
        "{ini}"
    );
    assert!(
        err.contains("skipped the RD101 fix") && err.contains("would make app/php.ini unreadable"),
        "{err}"
    );
}

/// A file name a PR can choose: a newline, then a line GitHub would run as a workflow command,
/// and an ESC sequence that hides text on a terminal.
const HOSTILE_NAME: &str = "redis-\n::warning file=pwned::owned\x1b[8m.conf";

fn assert_clean(text: &str, what: &str) {
    assert!(!text.contains('\x1b'), "{what}: raw ESC in {text:?}");
    for line in text.lines() {
        assert!(
            !line.starts_with("::warning file=pwned"),
            "{what}: an injected workflow command: {text}"
        );
    }
}

#[test]
fn terminal_control_characters_are_escaped_in_every_output() {
    let dir = tempfile::tempdir().unwrap();
    // A value with an ESC (the diff shows it as context), and a junk line whose finding quotes
    // one.
    write(
        dir.path(),
        HOSTILE_NAME,
        "port 6379\nlogfile \x1b[8mx.log\n",
    );
    write(
        dir.path(),
        "redis-junk.conf",
        "port 6380\n\x1b[8mjunk\rline\n",
    );
    write(
        dir.path(),
        "app/php.ini",
        "session.save_handler = redis\nsession.save_path = \"tcp://127.0.0.1:6379\"\n",
    );
    for format in ["text", "json", "sarif", "github", "gitlab", "junit"] {
        let out = run(dir.path(), &["check", "--no-config", "--format", format]);
        assert_ran(&out, format);
        assert!(
            stdout(&out).contains("owned"),
            "{format}: the file is audited"
        );
        assert_clean(&stdout(&out), format);
        assert_clean(&stderr(&out), format);
    }
    for format in ["text", "json", "dot", "mermaid"] {
        let out = run(dir.path(), &["stack", "--no-config", "--format", format]);
        assert_ran(&out, format);
        assert_clean(&stdout(&out), format);
    }
    // The diff: the header names the file, a body line holds the ESC.
    let out = run(dir.path(), &["fix", "--no-config"]);
    assert_ran(&out, "fix");
    assert!(
        stdout(&out).contains("--- a/redis-\\n::warning"),
        "{}",
        stdout(&out)
    );
    assert_clean(&stdout(&out), "diff");
    assert_clean(&stderr(&out), "fix");
    // An error naming a path.
    let out = run(
        dir.path(),
        &["check", "--no-config", "nothing\n::warning file=pwned::x"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_clean(&stderr(&out), "error");
}

/// Run redline with a standard output whose reading end is already closed.
fn run_into_closed_pipe(dir: &Path, args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_redline"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("redline runs")
}

#[test]
fn terminal_closed_stdout_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "redis.conf", "port 6379\nbind 0.0.0.0\n");
    let cases: [&[&str]; 8] = [
        &["rules"],
        &["rules", "--format", "json"],
        &["explain", "RD101"],
        &["completions", "bash"],
        &["man"],
        &["check", "--no-config", "--statistics"],
        &["stack", "--no-config"],
        &["fix", "--no-config"],
    ];
    for args in cases {
        let out = run_into_closed_pipe(dir.path(), args);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{args:?}: {:?} {}",
            out.status,
            stderr(&out)
        );
        assert!(
            !stderr(&out).contains("panicked"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

/// Flask apps built to make the reader loop or recurse: a 5,000-class hierarchy, an
/// inheritance cycle, a 100,000-call chain, a config module that imports itself, and a ring of
/// modules importing each other. Each run ends, with no panic, in bounded time.
#[test]
fn bounded_hostile_flask_apps_end() {
    let dir = tempfile::tempdir().unwrap();
    let head = "import redis\nfrom flask import Flask\nfrom flask_session import Session\n";
    // A deep hierarchy: C0(C1), C1(C2)... each class one level deeper than the last.
    let mut deep = String::from(head);
    for i in 0..5_000 {
        deep.push_str(&format!(
            "class C{i}(C{}):\n    SESSION_TYPE = 'redis'\n",
            i + 1
        ));
    }
    deep.push_str("app = Flask(__name__)\napp.config.from_object(C0)\nSession(app)\n");
    write(dir.path(), "deep/app.py", deep);
    write(
        dir.path(),
        "cycle/app.py",
        format!("{head}class A(B):\n    SESSION_TYPE = 'redis'\nclass B(A):\n    SESSION_REDIS = redis.Redis()\napp = Flask(__name__)\napp.config.from_object(A)\nSession(app)\n"),
    );
    write(
        dir.path(),
        "chain/app.py",
        format!(
            "{head}app = Flask(__name__)\napp.config['SESSION_REDIS'] = redis.Redis(){}\napp.config['SESSION_TYPE'] = {}'redis'\nSession(app)\n",
            ".pipeline()".repeat(100_000),
            "x or ".repeat(100_000)
        ),
    );
    write(
        dir.path(),
        "itself/app.py",
        format!("{head}from app import Config\nimport app\nclass Config(app.Config):\n    SESSION_REDIS = app.SESSION_REDIS\nSESSION_REDIS = SESSION_REDIS\napp = Flask(__name__)\napp.config.from_object('app.Config')\napp.config.from_object(app)\nSession(app)\n"),
    );
    // A ring: m0 loads m1's class, m1 loads m2's... and the last loads m0's.
    for i in 0..200 {
        write(
            dir.path(),
            &format!("ring/m{i}.py"),
            format!("{head}from m{next} import Config as Base\nclass Config(Base):\n    SESSION_TYPE = 'redis'\napp = Flask(__name__)\napp.config.from_object('m{next}.Config')\nSession(app)\n", next = (i + 1) % 200),
        );
    }
    // Wide: 20,000 names each given the one before, and 5,000 leaf classes over a 32-class chain
    // with large bodies (look-ups by index, each class's settings read once).
    let mut wide = String::from(head);
    wide.push_str("SESSION_TYPE = 'redis'\nX0 = 'a'\n");
    for i in 1..20_000 {
        wide.push_str(&format!("X{i} = X{}\n", i - 1));
    }
    for level in 0..32 {
        wide.push_str(&format!("class B{level}(B{}):\n", level + 1));
        for k in 0..200 {
            wide.push_str(&format!("    K{k} = X19999\n"));
        }
    }
    for leaf in 0..5_000 {
        wide.push_str(&format!(
            "class L{leaf}(B0):\n    SESSION_REDIS = redis.Redis()\n"
        ));
    }
    wide.push_str("app = Flask(__name__)\napp.config.from_object(__name__)\nSession(app)\n");
    write(dir.path(), "wide/app.py", wide);
    for case in ["deep", "cycle", "chain", "itself", "ring", "wide"] {
        let started = std::time::Instant::now();
        let out = run(
            dir.path(),
            &["check", "--no-config", "--format", "json", case],
        );
        assert_ran(&out, case);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "{case} took {:?}",
            started.elapsed()
        );
        json(&out);
    }
}

#[test]
fn bounded_flask_names_that_multiply_stay_linear() {
    // Each name holds eight of the one before: resolving the last in full is 8^20 steps. The
    // reader's work allowance makes the rest unknown instead.
    let dir = tempfile::tempdir().unwrap();
    let mut module = String::from(
        "from flask import Flask\nfrom flask_session import Session\nimport redis\nL0 = 'x'\n",
    );
    for i in 1..=20 {
        let prev = format!("L{}", i - 1);
        module.push_str(&format!("L{i} = [{}]\n", [prev.as_str(); 8].join(", ")));
    }
    // A diamond of classes over a base that cannot be resolved: every path, twice per level.
    module.push_str(
        "class A0(Unknown):\n    SESSION_TYPE = 'redis'\nclass B0(Unknown):\n    X = 1\n",
    );
    for i in 1..=30 {
        module.push_str(&format!(
            "class A{i}(A{p}, B{p}):\n    Y = L20\nclass B{i}(A{p}, B{p}):\n    Z = 1\n",
            p = i - 1
        ));
    }
    module.push_str("app = Flask(__name__)\napp.config.from_object(A30)\napp.config['SESSION_REDIS'] = redis.Redis(password=L20)\nSession(app)\n");
    write(dir.path(), "app.py", module);
    let out = crate::confined::run_within(
        dir.path(),
        &["check", "--no-config", "--format", "json", "."],
        std::time::Duration::from_secs(60),
    );
    assert_ran(&out, "check");
}
