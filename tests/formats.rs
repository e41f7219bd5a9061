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
        insta::assert_snapshot!(format!("report_{format}"), text);
        // Same input, byte-identical output.
        assert_eq!(
            report(dir.path(), format),
            text,
            "{format} is not deterministic"
        );
    }
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    let dir = stack();
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(manifest_dir().join("tests/sarif/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft7::new(&schema).expect("the schema compiles");
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
        assert!(rule["properties"]["security-severity"].is_string());
    }
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
fn statistics_count_per_rule() {
    let dir = stack();
    let out = run(dir.path(), &["check", "--no-config", "--statistics"]);
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("1  RD501 ")),
        "{text}"
    );
    assert!(
        text.trim_end()
            .lines()
            .last()
            .unwrap()
            .starts_with("Found "),
        "{text}"
    );
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
        man.starts_with(".ie") || man.contains(".TH redline"),
        "{}",
        &man[..man.len().min(200)]
    );
}
