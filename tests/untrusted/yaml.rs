//! Hostile compose files and manifests: alias bombs, huge documents, 10,000-document streams,
//! deep nesting and invalid YAML end in a DC001 finding (or plain reading) in bounded time, never
//! a panic or an abort.

use crate::common::*;
use std::path::Path;
use std::time::{Duration, Instant};

fn check_json(dir: &Path) -> (serde_json::Value, Duration) {
    let started = Instant::now();
    let out = run(dir, &["check", "--no-config", "--format", "json"]);
    let took = started.elapsed();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{:?}\n{}",
        out.status,
        stderr(&out)
    );
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    (json(&out), took)
}

fn rules_of(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn an_alias_bomb_is_a_dc001_finding_in_bounded_time() {
    let dir = tempfile::tempdir().unwrap();
    // Each anchor holds ten aliases of the one before: 10^20 nodes once expanded.
    let mut text = String::from("x-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..20 {
        let p = i - 1;
        text.push_str(&format!(
            "x-a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    text.push_str("services:\n  redis:\n    image: redis:7\n    command: *a19\n");
    write(dir.path(), "docker-compose.yml", text);
    let (report, took) = check_json(dir.path());
    assert!(rules_of(&report).contains(&"DC001".to_string()), "{report}");
    assert!(took < Duration::from_secs(20), "{took:?}");
}

#[test]
fn a_stream_of_ten_thousand_documents_is_read_linearly() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..10_000 {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\ndata:\n  k: v\n"
        ));
    }
    text.push_str("---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: redis\nspec:\n  template:\n    spec:\n      containers:\n        - name: redis\n          image: redis:7\n          args: [\"--appendonly\", \"no\"]\n");
    write(dir.path(), "all.yaml", text);
    let (report, took) = check_json(dir.path());
    // The Deployment after the 10,000 ConfigMaps is still read.
    assert!(rules_of(&report).contains(&"RD301".to_string()), "{report}");
    assert!(took < Duration::from_secs(20), "{took:?}");
}

#[test]
fn a_huge_document_and_deep_nesting_stay_bounded() {
    let dir = tempfile::tempdir().unwrap();
    // 200,000 services in one document, none of them Redis.
    let mut text = String::from("services:\n");
    for i in 0..200_000 {
        text.push_str(&format!("  s{i}:\n    image: nginx\n"));
    }
    write(dir.path(), "docker-compose.yml", text);
    // 100,000 nested flow sequences: past the depth cap.
    write(
        dir.path(),
        "deep/docker-compose.yml",
        "[".repeat(100_000) + &"]".repeat(100_000),
    );
    // 2,000 nested block mappings.
    let nested: String = (0..2_000)
        .map(|i| format!("{}k:\n", " ".repeat(i)))
        .collect();
    write(dir.path(), "nested/compose.yaml", nested);
    let (report, took) = check_json(dir.path());
    let dc001 = rules_of(&report).iter().filter(|r| *r == "DC001").count();
    assert_eq!(dc001, 2, "{report}");
    assert!(took < Duration::from_secs(30), "{took:?}");
}

#[test]
fn invalid_yaml_and_binary_junk_are_dc001_never_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [&[u8]; 6] = [
        b"services:\n  redis:\n    image: redis\n   command: x\n",
        b"services: [\n",
        b"\xff\xfe\x00binary",
        b"services:\n  redis: *undefined\n",
        b"services:\n  redis:\n    image: redis\n    command: \"redis-server --port 'x\n",
        b"apiVersion: v1\nkind: Pod\nspec: {containers: [{name: r, image: redis, args: [\"--x\"",
    ];
    for (i, bytes) in cases.iter().enumerate() {
        write(dir.path(), &format!("c{i}/docker-compose.yml"), bytes);
    }
    let (report, _) = check_json(dir.path());
    let dc001 = rules_of(&report).iter().filter(|r| *r == "DC001").count();
    assert_eq!(dc001, cases.len(), "{report}");
}

#[test]
fn thousands_of_redis_services_and_services_selecting_them_stay_linear() {
    let dir = tempfile::tempdir().unwrap();
    let mut compose = String::from("services:\n");
    for i in 0..3_000 {
        compose.push_str(&format!(
            "  r{i}:\n    image: redis:7\n    command: redis-server --appendonly no --requirepass pw{i}\n    ports:\n      - \"{}:6379\"\n",
            6000 + i % 1000
        ));
    }
    write(dir.path(), "docker-compose.yml", compose);
    let mut manifests = String::new();
    for i in 0..2_000 {
        manifests.push_str(&format!(
            "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s{i}\nspec:\n  type: LoadBalancer\n  selector:\n    app: redis\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d{i}\nspec:\n  template:\n    metadata:\n      labels:\n        app: redis\n    spec:\n      containers:\n        - name: redis\n          image: redis:7\n"
        ));
    }
    write(dir.path(), "k8s/all.yaml", manifests);
    let (report, took) = check_json(dir.path());
    let rules = rules_of(&report);
    assert!(rules.contains(&"DC101".to_string()) && rules.contains(&"DC102".to_string()));
    assert!(took < Duration::from_secs(60), "{took:?}");
}

#[test]
fn anchors_nested_around_a_large_node_count_against_the_cap() {
    // 120 anchors, each around the next, around 20,000 scalars: each anchor keeps a copy, 2.4
    // million nodes without a single alias. The copies are counted: DC001, not gigabytes.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("x: ");
    for i in 0..120 {
        text.push_str(&format!("&a{i} ["));
    }
    text.push_str(&vec!["s"; 20_000].join(", "));
    text.push_str(&"]".repeat(120));
    text.push_str("\nservices:\n  redis:\n    image: redis:7\n");
    write(dir.path(), "docker-compose.yml", text);
    let (report, took) = check_json(dir.path());
    let dc001: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "DC001")
        .collect();
    assert!(
        dc001.iter().any(|f| f["message"]
            .as_str()
            .unwrap()
            .contains("anchors and their aliases hold more than")),
        "{report}"
    );
    assert!(took < Duration::from_secs(20), "{took:?}");
}
