//! Environments (rules.md): hardening rules are held back on development and test files unless
//! `--all-environments`; rules about things that break the app fire everywhere.

mod common;

use common::*;

fn report(dir: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["check", "--no-config", "--format", "json"];
    all.extend_from_slice(args);
    let out = run(dir, &all);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    json(&out)
}

fn at(report: &serde_json::Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn laravel_app(dir: &std::path::Path) {
    write(dir, "shop/artisan", "");
    let env = "SESSION_DRIVER=redis\nCACHE_STORE=redis\nCACHE_DRIVER=redis\nREDIS_HOST=127.0.0.1\nREDIS_PASSWORD=null\nREDIS_DB=0\nREDIS_CACHE_DB=0\nSESSION_SECURE_COOKIE=false\n";
    write(dir, "shop/.env.example", env);
    write(dir, "shop/.env.testing", env);
    write(dir, "shop/.env.dusk.ci", env);
}

#[test]
fn hardening_rules_are_held_back_on_test_and_development_files() {
    let dir = tempfile::tempdir().unwrap();
    laravel_app(dir.path());
    write(dir.path(), "tests/redis.conf", "appendonly no\n");
    write(dir.path(), "deploy/redis.conf", "appendonly no\n");
    let r = report(dir.path(), &[]);
    let found = at(&r);
    assert!(
        found.contains(&("deploy/redis.conf".into(), "RD301".into())),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|(p, _)| p == "tests/redis.conf"),
        "{found:?}"
    );
    // LV104 once, on the template deployments copy; not on .env.testing or .env.dusk.ci.
    let lv104: Vec<_> = found.iter().filter(|(_, r)| r == "LV104").collect();
    assert_eq!(
        lv104,
        vec![&("shop/.env.example".to_string(), "LV104".to_string())]
    );
    assert!(r["summary"]["held_back"].as_u64().unwrap() > 0, "{r:#}");

    let all = at(&report(dir.path(), &["--all-environments"]));
    assert!(
        all.contains(&("tests/redis.conf".into(), "RD301".into())),
        "{all:?}"
    );
}

#[test]
fn rules_about_breakage_fire_everywhere_and_once_per_app() {
    let dir = tempfile::tempdir().unwrap();
    laravel_app(dir.path());
    write(dir.path(), "tests/redis.conf", "appendonly true\n");
    let r = report(dir.path(), &[]);
    let found = at(&r);
    assert!(
        found.contains(&("tests/redis.conf".into(), "RD001".into())),
        "{found:?}"
    );
    // One setting read by three variants: reported once, with the others as related.
    let lv103: Vec<&serde_json::Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "LV103")
        .collect();
    assert_eq!(lv103.len(), 1, "{r:#}");
    assert_eq!(lv103[0]["path"], "shop/.env.example");
    let related: Vec<&str> = lv103[0]["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["path"].as_str().unwrap())
        .collect();
    assert!(related.contains(&"shop/.env.testing"), "{related:?}");
    assert!(related.contains(&"shop/.env.dusk.ci"), "{related:?}");
}

#[test]
fn the_unsafe_fix_leaves_browser_test_env_files_alone() {
    let dir = tempfile::tempdir().unwrap();
    laravel_app(dir.path());
    let out = run(
        dir.path(),
        &["fix", "--no-config", "--write", "--unsafe-fixes"],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let dusk = std::fs::read_to_string(dir.path().join("shop/.env.dusk.ci")).unwrap();
    assert!(dusk.contains("SESSION_SECURE_COOKIE=false"), "{dusk}");
}

#[test]
fn environments_globs_in_redline_toml_decide() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ci/redis.conf", "appendonly no\n");
    write(dir.path(), "tests/redis.conf", "appendonly no\n");
    write(
        dir.path(),
        "redline.toml",
        "[environments]\n\"ci/**\" = \"test\"\n\"tests/**\" = \"production\"\n",
    );
    let out = run(dir.path(), &["check", "--format", "json"]);
    let found = at(&json(&out));
    assert!(
        !found.iter().any(|(p, _)| p == "ci/redis.conf"),
        "{found:?}"
    );
    assert!(
        found.contains(&("tests/redis.conf".into(), "RD301".into())),
        "{found:?}"
    );
    write(
        dir.path(),
        "redline.toml",
        "[environments]\n\"ci/**\" = \"staging\"\n",
    );
    let out = run(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("staging"), "{}", stderr(&out));
}

#[test]
fn the_text_summary_says_how_many_were_held_back() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "tests/redis.conf",
        "appendonly no\nbind 127.0.0.1\n",
    );
    let out = run(dir.path(), &["check", "--no-config"]);
    let text = stdout(&out);
    assert!(
        text.contains("held back on development and test files"),
        "{text}"
    );
}
