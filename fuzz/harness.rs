//! The invariants every reader keeps on any input, shared by the cargo-fuzz targets (fuzz/) and
//! by `tests/fuzz_regressions.rs`, which replays every input the fuzzers ever found.
//!
//! - no reader panics;
//! - parse -> render of the lossless document is the identity;
//! - spans stay inside the input;
//! - for configs with fixes (redis, sentinel, php.ini): applying every fix (safe and unsafe)
//!   converges, a second fix run changes nothing, and no new syntax finding appears.

use redline::app::{audit, fix_until_stable, Settings};
use redline::discovery::FileKind;
use redline::discovery::Root;
use redline::source::{Sources, Syntax};
use redline::syntax::document::Document;
use std::path::Path;

/// The readers, by fuzz target name.
#[allow(dead_code)] // used by the regression test, not by the targets
pub const TARGETS: [&str; 13] = [
    "redis",
    "sentinel",
    "php_ini",
    "save_path",
    "dotenv",
    "php_array",
    "django",
    "redis_url",
    "compose",
    "kubernetes",
    "flask",
    "live_reply",
    "javascript",
];

pub fn check(target: &str, data: &[u8]) {
    let doc = Document::parse(data.to_vec());
    assert_eq!(doc.render(), data, "parse -> render is the identity");
    match target {
        "redis" => fixes_converge(
            data,
            FileKind::Redis,
            "redis.conf",
            Syntax::Redis,
            &["RD001"],
        ),
        "sentinel" => fixes_converge(
            data,
            FileKind::Sentinel,
            "sentinel.conf",
            Syntax::Redis,
            &["SN001"],
        ),
        "php_ini" => fixes_converge(data, FileKind::PhpIni, "php.ini", Syntax::Ini, &["PHP001"]),
        "save_path" => {
            let text = String::from_utf8_lossy(data);
            for sp in [
                redline::model::save_path::parse_redis(&text),
                redline::model::save_path::parse_cluster(&text),
            ] {
                for host in &sp.hosts {
                    assert!(host.span.end <= text.len(), "host span inside the value");
                }
            }
        }
        "dotenv" => {
            let env = redline::syntax::dotenv::parse(&doc);
            for error in &env.errors {
                assert!(error.span.end <= data.len(), "error span inside the file");
            }
        }
        "php_array" => {
            let _ = redline::syntax::php_array::parse_return_array(data);
        }
        "django" => {
            let mut sources = Sources::new();
            let file = sources.insert(Path::new("settings.py"), data.to_vec());
            let _ = redline::model::django::load(file, data);
        }
        "flask" => fixes_converge(data, FileKind::Flask, "app.py", Syntax::Python, &["FL001"]),
        "redis_url" => {
            let _ = redline::model::django::parse_location(&String::from_utf8_lossy(data));
        }
        "compose" | "kubernetes" => {
            let stream = redline::syntax::yaml::parse(data);
            for node in &stream.documents {
                assert!(node.span.end <= data.len(), "node span inside the input");
            }
            if let Some(error) = &stream.error {
                assert!(error.offset <= data.len(), "error offset inside the input");
            }
            let (kind, name) = if target == "compose" {
                (FileKind::Compose, "docker-compose.yml")
            } else {
                (FileKind::Kubernetes, "manifest.yaml")
            };
            fixes_converge(data, kind, name, Syntax::Yaml, &["DC001", "RD001"]);
            // Fixes keep a YAML file that parsed parsing.
            if stream.error.is_none() {
                let settings = Settings::defaults();
                let mut sources = Sources::new();
                let file = sources.insert(Path::new(name), data.to_vec());
                sources.set_syntax(file, Syntax::Yaml);
                let roots = [Root { file, kind }];
                fix_until_stable(&mut sources, &roots, &settings, true);
                let fixed = redline::syntax::yaml::parse(sources.doc(file).bytes());
                assert!(fixed.error.is_none(), "a fix broke the YAML");
            }
        }
        "live_reply" => {
            // A server's reply: read within the limits, and whatever it holds, its strings
            // rendered as settings and ACL users never make more lines than they are items.
            if let Ok(reply) = redline::live::resp::parse_reply(data) {
                let texts: Vec<String> = match &reply {
                    redline::live::resp::Reply::Array(Some(items)) => {
                        items.iter().filter_map(|r| r.text()).collect()
                    }
                    other => other.text().into_iter().collect(),
                };
                let snapshot = redline::live::Snapshot {
                    settings: texts
                        .iter()
                        .map(|t| ("maxmemory-policy".to_string(), t.clone()))
                        .collect(),
                    acl: Some(texts.iter().map(|t| format!("user {t}")).collect()),
                    ..Default::default()
                };
                let rendered = redline::live::render(&snapshot);
                assert!(
                    rendered.lines().count() <= 2 * texts.len(),
                    "a value became more than one line"
                );
            }
        }
        "javascript" => {
            for name in ["app.js", "app.ts"] {
                let module = redline::syntax::javascript::parse(data, name);
                if let Some(error) = &module.error {
                    assert!(error.span.end <= data.len(), "error span inside the file");
                }
                for b in &module.bindings {
                    assert!(
                        b.value.span().end <= data.len(),
                        "binding span inside the file"
                    );
                }
            }
            // The whole Express pipeline, fixes included, on the module as an app of its own.
            fixes_converge(
                data,
                FileKind::NodeModule,
                "app.js",
                Syntax::JavaScript,
                &["NJ001"],
            );
        }
        other => panic!("unknown fuzz target {other}"),
    }
}

fn syntax_findings(findings: &[redline::rules::Finding], rules: &[&str]) -> usize {
    findings.iter().filter(|f| rules.contains(&f.rule)).count()
}

fn fixes_converge(data: &[u8], kind: FileKind, name: &str, syntax: Syntax, syntax_rules: &[&str]) {
    let settings = Settings::defaults();
    let mut sources = Sources::new();
    let file = sources.insert(Path::new(name), data.to_vec());
    sources.set_syntax(file, syntax);
    let roots = [Root { file, kind }];
    let (_, before) = audit(&mut sources, &roots, &settings);
    for f in &before {
        assert!(
            f.span.end <= sources.doc(f.file).bytes().len(),
            "{} span inside the file",
            f.rule
        );
    }
    let (after, _) = fix_until_stable(&mut sources, &roots, &settings, true);
    assert!(
        syntax_findings(&after, syntax_rules) <= syntax_findings(&before, syntax_rules),
        "fixing added a syntax finding"
    );
    let fixed = sources.doc(file).bytes().to_vec();
    let (_, applied_again) = fix_until_stable(&mut sources, &roots, &settings, true);
    assert_eq!(
        sources.doc(file).bytes(),
        &fixed[..],
        "a second fix run changes nothing"
    );
    let _ = applied_again;
}
