//! What a team adopting redline pastes into its pipeline: the pre-commit hooks, the composite
//! action and the image, checked against the binary.

mod common;

use common::*;
use std::path::Path;

/// The hooks of .pre-commit-hooks.yaml as (id, entry, pass_filenames, always_run): a flat list of
/// mappings, read line by line (the file is ours and stays that simple).
fn hooks() -> Vec<(String, String, Option<bool>, Option<bool>)> {
    let text = std::fs::read_to_string(manifest_dir().join(".pre-commit-hooks.yaml")).unwrap();
    let mut out: Vec<(String, String, Option<bool>, Option<bool>)> = Vec::new();
    for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        let (key, value) = match line.trim_start_matches("- ").split_once(':') {
            Some((k, v)) => (k.trim(), v.trim().to_string()),
            None => continue,
        };
        if line.starts_with("- ") {
            out.push((String::new(), String::new(), None, None));
        }
        let Some(hook) = out.last_mut() else { continue };
        match key {
            "id" => hook.0 = value,
            "entry" => hook.1 = value,
            "pass_filenames" => hook.2 = Some(value == "true"),
            "always_run" => hook.3 = Some(value == "true"),
            _ => {}
        }
    }
    out
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).min_depth(1) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn pre_commit_hooks_audit_the_whole_repository() {
    let hooks = hooks();
    assert_eq!(
        hooks.iter().map(|h| h.0.as_str()).collect::<Vec<_>>(),
        ["redline", "redline-fix"]
    );
    for (id, entry, pass_filenames, always_run) in &hooks {
        // Changed files alone would break the cross-file checks.
        assert_eq!(*pass_filenames, Some(false), "{id}");
        assert_eq!(*always_run, Some(true), "{id}");
        // pre-commit runs the entry at the repository root with no file arguments.
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&manifest_dir().join("examples/stack"), dir.path());
        let words: Vec<&str> = entry.split_whitespace().collect();
        assert_eq!(words[0], "redline", "{id}");
        let out = run(dir.path(), &words[1..]);
        assert_eq!(out.status.code(), Some(1), "{id}: {}", stderr(&out));
        if id == "redline" {
            // Every kind of file is audited, not just files named redis*.conf.
            let text = stdout(&out);
            for path in [
                "php.ini",
                ".env",
                "settings.py",
                "sessions.conf",
                "sentinel.conf",
            ] {
                assert!(text.contains(path), "{id}: {path} not audited:\n{text}");
            }
        }
    }
}

#[test]
fn the_action_and_the_image_run_the_binary_they_build() {
    let action = std::fs::read_to_string(manifest_dir().join("action.yml")).unwrap();
    assert!(action.contains("using: composite"));
    assert!(action.contains("cargo install --locked --path \"$GITHUB_ACTION_PATH\""));
    // Inputs reach the script through env only: no `${{ inputs.` inside a `run:` block.
    let mut in_run = false;
    for line in action.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("run:") {
            in_run = true;
        } else if !line.starts_with("        ") {
            in_run = false;
        }
        assert!(
            !(in_run && line.contains("${{ inputs.")),
            "an input interpolated into a script: {line}"
        );
    }
    let dockerfile = std::fs::read_to_string(manifest_dir().join("Dockerfile")).unwrap();
    assert!(dockerfile.contains("ENTRYPOINT [\"redline\"]"));
    assert!(dockerfile.matches("FROM ").count() >= 2, "multi-stage");
}

#[test]
fn fix_exit_codes_follow_the_formatter_convention() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "redis.conf", "bind 127.0.0.1\nappendonly no\n");
    // A dry run that would change something: 1; nothing left to change: 0.
    let out = run(dir.path(), &["fix", "--no-config", "--select", "RD301"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = run(
        dir.path(),
        &["fix", "--no-config", "--select", "RD301", "--write"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(dir.path(), &["fix", "--no-config", "--select", "RD301"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // fix --write: 1 while findings at or above --fail-on remain.
    let out = run(dir.path(), &["fix", "--no-config", "--write"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = run(
        dir.path(),
        &["fix", "--no-config", "--write", "--fail-on", "never"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn quiet_statistics_and_forced_colour() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "redis.conf", "appendonly no\nbind 127.0.0.1\n");
    let out = run(dir.path(), &["check", "--no-config", "--quiet"]);
    let text = stdout(&out);
    assert!(text.contains("RD301"), "{text}");
    assert!(!text.contains("Found "), "{text}");
    // --statistics honours json and refuses formats it has no form for.
    let out = run(
        dir.path(),
        &["check", "--no-config", "--statistics", "--format", "json"],
    );
    let counts: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(counts
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["rule"] == "RD301"));
    let out = run(
        dir.path(),
        &["check", "--no-config", "--statistics", "--format", "sarif"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--statistics"), "{}", stderr(&out));
    // FORCE_COLOR colours output that is not a terminal; NO_COLOR alone does not stop it.
    let out = redline()
        .current_dir(dir.path())
        .args(["check", "--no-config"])
        .env("FORCE_COLOR", "1")
        .output()
        .unwrap();
    assert!(stdout(&out).contains("\u{1b}["), "{}", stdout(&out));
    let out = redline()
        .current_dir(dir.path())
        .args(["check", "--no-config"])
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .unwrap();
    assert!(!stdout(&out).contains("\u{1b}["));
}

/// Run redline with `input` on its standard input.
fn run_with_stdin(dir: &Path, args: &[&str], input: &[u8]) -> std::process::Output {
    use std::io::Write;
    let mut child = redline()
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // A writer thread: redline may stop reading (a refused size) before the end.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

#[test]
fn check_dash_reads_standard_input_named_by_stdin_filename() {
    let dir = tempfile::tempdir().unwrap();
    let php =
        b"[Session]\nsession.save_handler = redis\nsession.save_path = \"tcp://10.0.0.5:6379\"\n";
    // The name decides the kind: read as php.ini, the file has PHP findings and a path.
    let out = run_with_stdin(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "-",
            "--stdin-filename",
            "app/php.ini",
        ],
        php,
    );
    let report = json(&out);
    let rules = rules_of(&report);
    assert!(rules.iter().any(|r| r.starts_with("PHP")), "{rules:?}");
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["path"] == "app/php.ini"));
    // Unnamed, the same bytes are `-`, read as what they look like (not php.ini).
    let out = run_with_stdin(
        dir.path(),
        &["check", "--no-config", "--format", "json", "-"],
        php,
    );
    let report = json(&out);
    assert!(!rules_of(&report).iter().any(|r| r.starts_with("PHP")));
    assert_eq!(report["summary"]["files"], 1);
    // The name decides the environment: hardening findings are held back on a test file.
    let conf = b"port 6379\nappendonly yes\n";
    let production = json(&run_with_stdin(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "-",
            "--stdin-filename",
            "deploy/redis.conf",
        ],
        conf,
    ));
    let test = json(&run_with_stdin(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "-",
            "--stdin-filename",
            "tests/redis.conf",
        ],
        conf,
    ));
    assert!(rules_of(&production).contains(&"RD201".to_string()));
    assert!(!rules_of(&test).contains(&"RD201".to_string()));
    assert!(test["summary"]["held_back"].as_u64().unwrap() > 0);
    // Standard input is read with the file bound: past it, a failure, not a stall.
    let huge = vec![b'#'; 64 * 1024 * 1024 + 1];
    let out = run_with_stdin(dir.path(), &["check", "--no-config", "-"], &huge);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("standard input"), "{}", stderr(&out));
    // --stdin-filename without `-` is a usage error.
    let out = run(
        dir.path(),
        &["check", "--no-config", "--stdin-filename", "redis.conf"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn fix_dash_prints_the_fixed_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let conf = b"bind 127.0.0.1\nappendonly no\n";
    let args = [
        "fix",
        "--no-config",
        "--select",
        "RD301",
        "-",
        "--stdin-filename",
        "redis.conf",
    ];
    let out = run_with_stdin(dir.path(), &args, conf);
    assert_eq!(stdout(&out), "bind 127.0.0.1\nappendonly yes\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Nothing to fix: the same bytes.
    let fixed = b"bind 127.0.0.1\nappendonly yes\n";
    let out = run_with_stdin(dir.path(), &args, fixed);
    assert_eq!(out.stdout, fixed);
    // Findings left at or above --fail-on: exit 1, listed on stderr.
    let out = run_with_stdin(
        dir.path(),
        &["fix", "--no-config", "-", "--stdin-filename", "redis.conf"],
        conf,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("RD101"), "{}", stderr(&out));
    assert!(stdout(&out).contains("appendonly yes"));
    // Nothing on disk is written: --write and other PATHs are refused.
    for extra in [&["--write"][..], &["."][..]] {
        let mut args = vec!["fix", "--no-config", "-"];
        args.extend(extra);
        let out = run_with_stdin(dir.path(), &args, conf);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// The paths of a JSON report's findings, each once.
fn paths_of(out: &std::process::Output) -> Vec<String> {
    let mut paths: Vec<String> = json(out)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    paths.dedup();
    paths
}

#[test]
fn ignore_files_are_honoured_while_walking_and_what_they_keep_out_is_counted() {
    let dir = tempfile::tempdir().unwrap();
    let conf = "port 6379\n";
    for path in [
        "redis.conf",
        "build/redis.conf",
        "app/redis-a.conf",
        "app/local/redis-b.conf",
        "ops/redis.conf",
        "ops/keep/redis.conf",
    ] {
        std::fs::create_dir_all(dir.path().join(path).parent().unwrap()).unwrap();
        write(dir.path(), path, conf);
    }
    write(dir.path(), ".gitignore", "build/\n*.log\n");
    write(dir.path(), "app/.ignore", "local\n");
    // In one folder, .redlineignore wins over .gitignore; a nested one over its parents.
    write(dir.path(), "ops/.gitignore", "redis.conf\n");
    write(dir.path(), "ops/.redlineignore", "!keep/redis.conf\n");
    let args = ["check", "--no-config", "--exit-zero", "--format", "json"];
    let out = run(dir.path(), &args);
    assert_eq!(
        paths_of(&out),
        ["app/redis-a.conf", "ops/keep/redis.conf", "redis.conf"],
        "{}",
        stderr(&out)
    );
    // What was kept out is said on stderr, and listed with --verbose.
    assert!(
        stderr(&out).contains("kept out 3 paths"),
        "{}",
        stderr(&out)
    );
    let mut verbose = args.to_vec();
    verbose.push("--verbose");
    let out = run(dir.path(), &verbose);
    for path in ["build", "app/local", "ops/redis.conf"] {
        assert!(
            stderr(&out).lines().any(|l| l.trim() == path),
            "{path}: {}",
            stderr(&out)
        );
    }
    // --no-ignore audits everything; a file named on the command line is always audited.
    let mut all = args.to_vec();
    all.push("--no-ignore");
    assert_eq!(paths_of(&run(dir.path(), &all)).len(), 6);
    let mut named = args.to_vec();
    named.push("build/redis.conf");
    assert_eq!(paths_of(&run(dir.path(), &named)), ["build/redis.conf"]);
}

#[test]
fn ignore_files_are_read_like_configs() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let tree = dir.path().join("repo");
    std::fs::create_dir_all(tree.join("fifo")).unwrap();
    std::fs::create_dir_all(tree.join("link")).unwrap();
    write(&tree, "fifo/redis.conf", "port 6379\n");
    write(&tree, "link/redis.conf", "port 6379\n");
    // A FIFO is never opened (the walk would block on it); a link out of the tree is not read.
    let fifo = tree.join("fifo/.gitignore");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    write(outside.path(), "patterns", "redis.conf\n");
    std::os::unix::fs::symlink(
        outside.path().join("patterns"),
        tree.join("link/.gitignore"),
    )
    .unwrap();
    let mut child = redline()
        .current_dir(&tree)
        .args(["check", "--no-config", "--exit-zero", "--format", "json"])
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the walk blocked on a FIFO named .gitignore");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        paths_of(&out),
        ["fifo/redis.conf", "link/redis.conf"],
        "{}",
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(err.contains("fifo/.gitignore not honoured"), "{err}");
    assert!(err.contains("link/.gitignore not honoured"), "{err}");
}

#[test]
fn man_is_one_page_with_every_option_and_the_exit_codes() {
    use clap::CommandFactory;
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["man"]);
    assert_eq!(out.status.code(), Some(0));
    let page = stdout(&out);
    let command = redline::cli::Cli::command();
    for name in ["check", "fix", "stack"] {
        let sub = command.find_subcommand(name).unwrap();
        assert!(page.contains(&format!(".SS \"redline {name}\"")), "{name}");
        for arg in sub.get_arguments() {
            if let Some(long) = arg.get_long() {
                let roff = format!("\\fB\\-\\-{}\\fR", long.replace('-', "\\-"));
                assert!(page.contains(&roff), "`{name} --{long}` missing");
            }
        }
    }
    assert!(page.contains(".SH EXIT STATUS"));
    for code in ["0", "1", "2"] {
        assert!(
            page.contains(&format!(".TP\n\\fB{code}\\fR\n")),
            "exit {code}"
        );
    }
    for file in ["redline.toml", ".gitignore, .ignore, .redlineignore"] {
        assert!(page.contains(file), "{file}");
    }
    // No page of its own for a subcommand: none may be named.
    assert!(!page.contains("(1)"), "a reference to another page");
    assert!(!page.contains("redline\\-check"));
    // Valid man(7) for groff, when installed.
    if let Some(groff) = oracle("groff") {
        let page_file = dir.path().join("redline.1");
        std::fs::write(&page_file, &page).unwrap();
        let check = std::process::Command::new(groff)
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(&page_file)
            .output()
            .unwrap();
        assert!(check.status.success());
        assert!(
            check.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&check.stderr)
        );
    }
}

#[test]
fn completions_offer_rule_ids_and_versions() {
    let dir = tempfile::tempdir().unwrap();
    let script = stdout(&run(dir.path(), &["completions", "bash"]));
    // The case block of an option or subcommand, up to its `;;`.
    let block = |label: &str| -> String {
        let start = script
            .find(label)
            .unwrap_or_else(|| panic!("{label} not in the script"));
        script[start..].split(";;").next().unwrap().to_string()
    };
    for option in ["--select)", "--ignore)"] {
        let offered = block(option);
        assert!(
            offered.contains("RD301") && offered.contains(" SN "),
            "{offered}"
        );
    }
    assert!(block("redline__subcmd__explain)").contains("RD301"));
    assert!(block("--redis-version)").contains("7.0"));
    // Offering the IDs does not narrow what is accepted: lower case and family prefixes.
    write(dir.path(), "redis.conf", "appendonly no\nbind 127.0.0.1\n");
    let out = run(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "--select",
            "rd301,RD3",
        ],
    );
    assert_eq!(rules_of(&json(&out)), ["RD301"]);
    let out = run(dir.path(), &["check", "--no-config", "--select", "XX1"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        run(dir.path(), &["explain", "rd301"]).status.code(),
        Some(0)
    );
    // A version redline does not list is still read as the newest it knows below it.
    let out = run(
        dir.path(),
        &["check", "--no-config", "--redis-version", "9.1"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // --help does not list every rule ID.
    let help = stdout(&run(dir.path(), &["check", "--help"]));
    assert!(!help.contains("RD301"), "{help}");
}
