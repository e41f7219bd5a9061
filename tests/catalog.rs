//! The rule registry is the source of truth: `rules/catalog.toml` and the README's rule table are
//! made from it, and these tests fail (with the lines that differ) when a file drifts.
//! `REDLINE_BLESS=1 cargo test --test catalog` rewrites both files from the registry.

use redline::rules::{Check, FixAvailability, RuleId, RULES};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bless() -> bool {
    std::env::var_os("REDLINE_BLESS").is_some_and(|v| v != "0")
}

/// The first lines where `have` and `want` differ, for the failure message.
fn line_diff(have: &str, want: &str) -> String {
    let (h, w): (Vec<&str>, Vec<&str>) = (have.lines().collect(), want.lines().collect());
    let mut out = Vec::new();
    for i in 0..h.len().max(w.len()) {
        let (a, b) = (h.get(i), w.get(i));
        if a != b {
            out.push(format!(
                "line {}:\n- {}\n+ {}",
                i + 1,
                a.unwrap_or(&"(none)"),
                b.unwrap_or(&"(none)")
            ));
            if out.len() == 8 {
                break;
            }
        }
    }
    out.join("\n")
}

#[test]
fn catalog_toml_is_made_from_the_registry() {
    let path = manifest().join("rules/catalog.toml");
    let want = redline::rules::catalog_toml();
    if bless() {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap();
    // The file reads back as the registry's catalogue.
    let parsed: redline::rules::CatalogFile = toml::from_str(&have).unwrap();
    assert_eq!(
        serde_json::to_value(&parsed.rule).unwrap(),
        serde_json::to_value(redline::rules::catalog()).unwrap()
    );
    assert!(
        have == want,
        "rules/catalog.toml differs from the registry (run `REDLINE_BLESS=1 cargo test --test catalog`):\n{}",
        line_diff(&have, &want)
    );
}

fn table_row(rule: &redline::rules::Rule) -> String {
    format!(
        "| {} | {} | {} | {} |",
        rule.id.as_str(),
        rule.name,
        rule.severity.as_str(),
        rule.fix.as_str()
    )
}

#[test]
fn readme_rule_table_is_made_from_the_registry() {
    let path = manifest().join("README.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let header = lines
        .iter()
        .position(|l| *l == "| ID | name | severity | fix |")
        .expect("the README's rule table");
    let first = header + 2;
    let end = lines[first..]
        .iter()
        .position(|l| !l.starts_with("| "))
        .map_or(lines.len(), |n| first + n);
    let have = lines[first..end].join("\n");
    let want = RULES
        .iter()
        .map(|r| table_row(r))
        .collect::<Vec<_>>()
        .join("\n");
    if bless() {
        let mut out: Vec<String> = lines[..first].iter().map(|l| l.to_string()).collect();
        out.push(want);
        out.extend(lines[end..].iter().map(|l| l.to_string()));
        std::fs::write(&path, out.join("\n") + "\n").unwrap();
        return;
    }
    assert!(
        have == want,
        "README's rule table differs from the registry (run `REDLINE_BLESS=1 cargo test --test catalog`):\n{}",
        line_diff(&have, &want)
    );
}

#[test]
fn every_id_has_exactly_one_rule() {
    let ids: Vec<RuleId> = RULES.iter().map(|r| r.id).collect();
    let unique: BTreeSet<RuleId> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "an ID twice in RULES");
    assert_eq!(
        unique,
        RuleId::ALL.into_iter().collect::<BTreeSet<_>>(),
        "RULES and RuleId::ALL list different IDs"
    );
    for id in RuleId::ALL {
        assert_eq!(id.rule().id, id);
        assert_eq!(RuleId::parse(&id.as_str().to_lowercase()), Some(id));
    }
    assert_eq!(RuleId::parse("RD999"), None);
}

#[test]
fn rule_values_are_complete() {
    for rule in RULES {
        let id = rule.id.as_str();
        assert!(
            rule.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{id}: name `{}`",
            rule.name
        );
        for (what, text) in [
            ("summary", rule.summary),
            ("explanation", rule.explanation),
            ("example", rule.example),
            ("fix_description", rule.fix_description),
        ] {
            assert!(!text.trim().is_empty(), "{id}: empty {what}");
        }
        // Only the suppression pass makes RL findings; every other rule has a check that runs.
        assert_eq!(
            matches!(rule.check, Check::Engine),
            id.starts_with("RL"),
            "{id}: check"
        );
        assert_eq!(
            redline::rules::is_syntax_rule(id),
            rule.category == redline::rules::Category::Syntax,
            "{id}: is_syntax_rule and the category disagree"
        );
        if rule.fix == FixAvailability::None {
            assert!(!rule.fix_description.is_empty(), "{id}");
        }
    }
}
