//! PHP, Laravel and Django files from real repositories: what made the report wrong or noisy.

mod common;

use common::*;

#[test]
fn findings_on_a_value_php_cut_say_why_and_come_after_php001() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "php.ini",
        "[Session]\nsession.save_handler = redis\nsession.save_path = tcp://127.0.0.1:6379?auth=0123456789abcdef0123456789abcdef&database=2\n",
    );
    let out = run(dir.path(), &["check", "--no-config", "--format", "json"]);
    let report = json(&out);
    let on_line_3: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["line"] == 3)
        .collect();
    let rules: Vec<&str> = on_line_3
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules.first(), Some(&"PHP001"), "{rules:?}");
    for f in &on_line_3[1..] {
        let message = f["message"].as_str().unwrap();
        assert!(
            message.contains("PHP stops at the syntax error on this line"),
            "{message}"
        );
    }
    assert!(rules.contains(&"PHP102"), "{rules:?}");
}

#[test]
fn xs103_names_each_client_role_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "redis.conf", "bind 127.0.0.1\nappendonly yes\n");
    write(dir.path(), "shop/artisan", "");
    write(
        dir.path(),
        "shop/.env",
        "SESSION_DRIVER=redis\nCACHE_STORE=redis\nCACHE_DRIVER=redis\nREDIS_HOST=127.0.0.1\nREDIS_DB=1\nREDIS_CACHE_DB=2\n",
    );
    let out = run(dir.path(), &["check", "--no-config", "--format", "json"]);
    let report = json(&out);
    let xs103 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "XS103")
        .expect("XS103");
    for r in xs103["related"].as_array().unwrap() {
        let m = r["message"].as_str().unwrap();
        assert!(
            !m.contains("(sessions) (sessions)") && !m.contains("(cache) (cache)"),
            "{m}"
        );
    }
}
