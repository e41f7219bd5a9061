//! Every report format on one fixture stack: committed snapshots (insta), the SARIF schema, no
//! secret anywhere, and the CI plumbing around them (--report, --statistics, baselines).

mod common;

use common::*;
use std::path::Path;

const SECRET: &str = "zq9-never-print, with: commas%";

fn stack() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in walkdir::WalkDir::new(fixtures().join("formats")).min_depth(1) {
        let entry = entry.unwrap();
        let target = dir.path().join(
            entry
                .path()
                .strip_prefix(fixtures().join("formats"))
                .unwrap(),
        );
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    dir
}

fn report(dir: &Path, format: &str) -> String {
    let out = run(dir, &["check", "--no-config", "--format", format]);
    assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
    let text = stdout(&out);
    assert!(
        !text.contains(SECRET) && !text.contains("zq9-never-print"),
        "{format} leaks the password:\n{text}"
    );
    text
}

#[test]
fn snapshots_of_every_format() {
    let dir = stack();
    for format in ["text", "json", "sarif", "github", "gitlab", "junit"] {
        let text = report(dir.path(), format);
        // SARIF names the audited folder (`originalUriBaseIds`): a temp folder here.
        let root = format!("file://{}/", dir.path().canonicalize().unwrap().display());
        let shown = text.replace(&root, "file:///[ROOT]/");
        insta::assert_snapshot!(format!("report_{format}"), shown);
        // Same input, byte-identical output.
        assert_eq!(
            report(dir.path(), format),
            text,
            "{format} is not deterministic"
        );
    }
}

/// The SARIF 2.1.0 schema with its formats checked (`uri`, `uri-reference`), as the SARIF
/// multitool and GitHub check them.
fn sarif_validator(schema: &serde_json::Value) -> jsonschema::Validator {
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("the schema compiles")
}

fn sarif_schema() -> serde_json::Value {
    serde_json::from_slice(
        &std::fs::read(manifest_dir().join("tests/sarif/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap()
}

#[test]
fn sarif_uris_are_percent_encoded_and_runs_record_their_outcome() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Redis Configs/redis#1.conf",
        "appendonly no
bind 127.0.0.1
",
    );
    write(
        dir.path(),
        "redline.toml",
        "[severity]\nRD301 = \"error\"\n",
    );
    let out = run(
        dir.path(),
        &["check", "--format", "sarif", "Redis Configs/redis#1.conf"],
    );
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let validator = sarif_validator(&sarif_schema());
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let sarif_run = &sarif["runs"][0];
    let location = &sarif_run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(location["uri"], "Redis%20Configs/redis%231.conf");
    assert!(sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap()
        .starts_with("file:///"));
    let rule = |id: &str| {
        sarif_run["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()
            .clone()
    };
    // The [severity] override reaches the rule's level.
    assert_eq!(rule("RD301")["defaultConfiguration"]["level"], "error");
    assert!(!rule("RL001")["properties"]["tags"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("security")));
    assert!(!rule("RD001")["properties"]["tags"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("security")));
    // A path that does not exist fails the run (exit 2), and the SARIF file is still written,
    // recording the failure.
    let out = run(
        dir.path(),
        &[
            "check",
            "--report",
            "sarif=out.sarif",
            "--report",
            "junit=out.xml",
            "missing/",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let failed: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out.sarif")).unwrap()).unwrap();
    assert!(validator.is_valid(&failed));
    let invocation = &failed["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(invocation["exitCode"], 2);
    assert!(
        invocation["toolExecutionNotifications"][0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("missing")
    );
    let junit = std::fs::read_to_string(dir.path().join("out.xml")).unwrap();
    assert!(junit.contains("<error"), "{junit}");
}

#[test]
fn junit_reports_validate_against_junit_10_xsd() {
    let Some(xmllint) = oracle("xmllint") else {
        return;
    };
    let dir = stack();
    // A file name with a newline and a message with one: attributes must escape them.
    write(dir.path(), "odd\nname/redis.conf", "appendonly no\n");
    let out = run(dir.path(), &["check", "--no-config", "--format", "junit"]);
    let file = dir.path().join("report.xml");
    std::fs::write(&file, &out.stdout).unwrap();
    let schema = manifest_dir().join("tests/junit/junit-10.xsd");
    let checked = std::process::Command::new(&xmllint)
        .args(["--noout", "--schema"])
        .arg(&schema)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        checked.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&checked.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    // The schema catches what it forbids: the test can fail.
    std::fs::write(
        &file,
        "<testsuites><testsuite name=\"a\" tests=\"1\" failures=\"0\" errors=\"0\"><testcase name=\"x\" line=\"3\"/></testsuite></testsuites>",
    )
    .unwrap();
    let checked = std::process::Command::new(&xmllint)
        .args(["--noout", "--schema"])
        .arg(&schema)
        .arg(&file)
        .output()
        .unwrap();
    assert!(!checked.status.success());
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    let dir = stack();
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(manifest_dir().join("tests/sarif/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = sarif_validator(&schema);
    let sarif: serde_json::Value = serde_json::from_str(&report(dir.path(), "sarif")).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // What GitHub code scanning needs beyond the schema.
    let run = &sarif["runs"][0];
    for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
        for key in [
            "id",
            "name",
            "shortDescription",
            "fullDescription",
            "help",
            "defaultConfiguration",
            "properties",
        ] {
            assert!(!rule[key].is_null(), "rule {} lacks {key}", rule["id"]);
        }
        assert!(
            rule["fullDescription"]["text"]
                .as_str()
                .unwrap()
                .chars()
                .count()
                <= 1024
        );
        assert!(rule["help"]["markdown"].is_string());
        // GitHub ranks security alerts by it: security rules carry it, and only they.
        let tags = rule["properties"]["tags"].as_array().unwrap();
        assert_eq!(
            rule["properties"]["security-severity"].is_string(),
            tags.contains(&serde_json::json!("security")),
            "{}",
            rule["id"]
        );
    }
    assert_eq!(run["invocations"][0]["exitCode"], 1);
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    let results = run["results"].as_array().unwrap();
    assert!(
        results.iter().any(|r| r["fixes"].is_array()),
        "safe fixes are carried"
    );
    for r in results {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(!uri.starts_with('/') && !uri.starts_with("./"), "{uri}");
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
            "%SRCROOT%"
        );
        assert!(r["partialFingerprints"]["redline/v1"].is_string());
    }
    // A schema violation is caught: the test can fail.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn gitlab_fingerprints_are_unique_and_junit_names_clean_files() {
    let dir = stack();
    let items: serde_json::Value = serde_json::from_str(&report(dir.path(), "gitlab")).unwrap();
    let mut prints: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    let total = prints.len();
    prints.sort();
    prints.dedup();
    assert_eq!(prints.len(), total);
    let junit = report(dir.path(), "junit");
    assert!(
        junit.contains("name=\"deploy/redis/clean.conf: no findings\""),
        "{junit}"
    );
    assert!(junit.contains("<testsuite name=\"deploy/redis/sessions.conf\""));
}

#[test]
fn fingerprints_survive_line_moves() {
    let dir = stack();
    let before: serde_json::Value = serde_json::from_str(&report(dir.path(), "gitlab")).unwrap();
    let file = dir.path().join("deploy/redis/sessions.conf");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("# a new comment line\n\n{text}")).unwrap();
    let after: serde_json::Value = serde_json::from_str(&report(dir.path(), "gitlab")).unwrap();
    let prints = |v: &serde_json::Value| {
        let mut p: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap().to_string())
            .collect();
        p.sort();
        p
    };
    assert_eq!(prints(&before), prints(&after));
}

#[test]
fn github_annotations_come_errors_first_and_escaped() {
    let dir = stack();
    let text = report(dir.path(), "github");
    let kinds: Vec<&str> = text.lines().map(|l| l.split(' ').next().unwrap()).collect();
    let rank = |k: &str| match k {
        "::error" => 0,
        "::warning" => 1,
        _ => 2,
    };
    assert!(
        kinds.windows(2).all(|w| rank(w[0]) <= rank(w[1])),
        "{kinds:?}"
    );
    assert!(text.lines().all(|l| l.starts_with("::error file=")
        || l.starts_with("::warning file=")
        || l.starts_with("::notice file=")));
}

#[test]
fn one_run_writes_several_reports_even_when_it_fails() {
    let dir = stack();
    // A report that cannot be written fails the run and names the file.
    let out = run(
        dir.path(),
        &["check", "--no-config", "--report", "sarif=out/r.sarif"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("out/r.sarif"), "{}", stderr(&out));
    std::fs::create_dir_all(dir.path().join("out")).unwrap();
    let out = run(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--report",
            "sarif=out/r.sarif",
            "--report",
            "junit=r.xml",
            "--report",
            "gitlab=cq.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("RD201"), "text still on the terminal");
    for file in ["out/r.sarif", "r.xml", "cq.json"] {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert!(
            !text.is_empty() && !text.contains("zq9-never-print"),
            "{file}"
        );
    }
    assert_eq!(
        run(
            dir.path(),
            &["check", "--no-config", "--report", "pdf=x.pdf"]
        )
        .status
        .code(),
        Some(2)
    );
}

#[test]
fn text_fits_100_columns_with_a_caret_line_under_each_excerpt() {
    let out = run(
        &manifest_dir(),
        &[
            "check",
            "--config",
            "examples/stack/redline.toml",
            "examples/stack",
        ],
    );
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    let is_excerpt = |l: &str| {
        l.trim_start()
            .split_once(" | ")
            .is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit()))
    };
    let mut excerpts = 0;
    for (i, line) in lines.iter().enumerate() {
        if is_excerpt(line) {
            excerpts += 1;
            // The caret line: the excerpt's gutter, then spaces and carets.
            let gutter = line.find(" | ").unwrap() + 3;
            let caret = lines[i + 1];
            assert_eq!(&caret[..gutter].trim(), &"|", "{caret}");
            let marks = &caret[gutter..];
            assert!(
                marks.trim_start().chars().all(|c| c == '^') && marks.contains('^'),
                "{caret}"
            );
            // Under the finding's column: these excerpts hold no mask or escape before the span.
            let column: usize = lines[..i]
                .iter()
                .rev()
                .find(|l| l.starts_with("examples/"))
                .and_then(|l| l.split(':').nth(2))
                .and_then(|c| c.parse().ok())
                .unwrap();
            if !line[..gutter + column - 1].contains('*') {
                assert_eq!(
                    marks.len() - marks.trim_start().len(),
                    column - 1,
                    "{caret}"
                );
            }
        } else {
            assert!(
                line.chars().count() <= 100,
                "{} columns: {line}",
                line.len()
            );
        }
    }
    assert!(excerpts > 10);
    // A blank line between findings, and before the summary.
    let findings = lines.iter().filter(|l| l.starts_with("examples/")).count();
    assert_eq!(lines.iter().filter(|l| l.is_empty()).count(), findings);
}

#[test]
fn statistics_count_per_rule() {
    let dir = stack();
    let out = run(dir.path(), &["check", "--no-config", "--statistics"]);
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("1  RD501 ")),
        "{text}"
    );
    // The summary follows the counts (its sentences on as many lines as fit 100 columns).
    let counts = text
        .lines()
        .position(|l| l.trim_start().starts_with("1  RD501 "));
    let summary = text.lines().position(|l| l.starts_with("Found "));
    assert!(summary > counts, "{text}");
    let json: serde_json::Value = serde_json::from_slice(
        &run(
            dir.path(),
            &["check", "--no-config", "--statistics", "--format", "json"],
        )
        .stdout,
    )
    .unwrap();
    assert!(json
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["rule"] == "RD501" && r["count"] == 1));
}

#[test]
fn baseline_reports_only_new_findings() {
    let dir = stack();
    let out = run(
        dir.path(),
        &["check", "--no-config", "--write-baseline", "baseline.json"],
    );
    assert_eq!(out.status.code(), Some(1));
    let out = run(
        dir.path(),
        &["check", "--no-config", "--baseline", "baseline.json"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "everything is in the baseline: {}",
        stdout(&out)
    );
    // Moving lines does not resurrect old findings.
    let file = dir.path().join("deploy/redis/sessions.conf");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("\n\n# moved\n{text}appendfsync no\n")).unwrap();
    let out = run(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "--baseline",
            "baseline.json",
        ],
    );
    assert_eq!(
        rules_of(&json(&out)),
        ["RD302"],
        "only the new finding: {}",
        stdout(&out)
    );
    // Fixing an old finding makes its entry stale.
    std::fs::write(
        &file,
        text.replace(
            "maxmemory-policy allkeys-lru",
            "maxmemory-policy noeviction",
        ),
    )
    .unwrap();
    let out = run(
        dir.path(),
        &["check", "--no-config", "--baseline", "baseline.json"],
    );
    assert!(
        stderr(&out).contains("stale entry") && stderr(&out).contains("RD501"),
        "{}",
        stderr(&out)
    );
    std::fs::write(
        dir.path().join("bad.json"),
        "{\"version\": 2, \"findings\": []}",
    )
    .unwrap();
    assert_eq!(
        run(
            dir.path(),
            &["check", "--no-config", "--baseline", "bad.json"]
        )
        .status
        .code(),
        Some(2)
    );
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish"] {
        let out = run(&manifest_dir(), &["completions", shell]);
        assert_eq!(out.status.code(), Some(0));
        assert!(
            stdout(&out).contains("redline") && stdout(&out).contains("unsafe-fixes"),
            "{shell}"
        );
    }
    let man = stdout(&run(&manifest_dir(), &["man"]));
    assert!(
        man.contains(".TH REDLINE 1 "),
        "{}",
        &man[..man.len().min(200)]
    );
}

/// A safe fix whose inserted text holds a secret (LV002 quotes a password) is not carried in
/// SARIF: applied as carried, its masked text would write `********` into the file.
#[test]
fn sarif_carries_no_fix_whose_text_was_masked() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "shop/artisan", "");
    write(
        dir.path(),
        "shop/.env",
        "SESSION_DRIVER=redis\nREDIS_PASSWORD=ab#cd-0123456789abcdef0123456789\n",
    );
    let out = run(dir.path(), &["check", "--no-config", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lv002 = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "LV002")
        .expect("LV002");
    assert!(lv002["fixes"].is_null(), "{lv002:#}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains("0123456789abcdef0123456789"),
        "the password leaked"
    );
    // With --show-secrets the real text is there, and the fix is carried.
    let out = run(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--format",
            "sarif",
            "--show-secrets",
        ],
    );
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lv002 = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "LV002")
        .expect("LV002");
    assert!(lv002["fixes"].is_array(), "{lv002:#}");
}
