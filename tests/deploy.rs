//! Compose files and manifests end to end: which files are read as what (names, content,
//! `--type`), `redline stack` on them, and links by service name.

mod common;

use common::*;

fn rules_in(dir: &std::path::Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["check", "--no-config", "--format", "json"];
    all.extend_from_slice(args);
    let out = run(dir, &all);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    json(&out)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["rule"].as_str().unwrap(),
                f["path"].as_str().unwrap()
            )
        })
        .collect()
}

const PUBLISHED: &str =
    "services:\n  redis:\n    image: redis:7\n    ports:\n      - \"6379:6379\"\n";
const MANIFEST: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: redis\nspec:\n  type: NodePort\n  selector:\n    app: redis\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: redis\n  labels:\n    app: redis\nspec:\n  containers:\n    - name: redis\n      image: redis:7\n";

#[test]
fn compose_by_name_manifests_by_content_others_by_type() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "docker-compose.prod.yml", PUBLISHED);
    write(dir.path(), "compose.yaml", PUBLISHED);
    write(dir.path(), "deploy/anything.yaml", MANIFEST);
    // Neither a compose name nor a manifest: not read, unless `--type` says what it is.
    write(dir.path(), "stack.yml", PUBLISHED);
    write(dir.path(), "values.yaml", "replicas: 1\nimage: redis\n");
    let found = rules_in(dir.path(), &[]);
    assert!(
        found.contains(&"DC101 docker-compose.prod.yml".to_string()),
        "{found:?}"
    );
    assert!(
        found.contains(&"DC101 compose.yaml".to_string()),
        "{found:?}"
    );
    assert!(
        found.contains(&"DC102 deploy/anything.yaml".to_string()),
        "{found:?}"
    );
    assert!(
        !found
            .iter()
            .any(|f| f.ends_with("stack.yml") || f.ends_with("values.yaml")),
        "{found:?}"
    );
    let forced = rules_in(dir.path(), &["--type", "compose=stack.yml"]);
    assert!(
        forced.contains(&"DC101 stack.yml".to_string()),
        "{forced:?}"
    );
    // A file named on the command line: a manifest by its content, else a compose file.
    let named = rules_in(dir.path(), &["stack.yml", "deploy/anything.yaml"]);
    assert!(named.contains(&"DC101 stack.yml".to_string()), "{named:?}");
    assert!(
        named.contains(&"DC102 deploy/anything.yaml".to_string()),
        "{named:?}"
    );
}

#[test]
fn apps_link_to_compose_services_and_kubernetes_services_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let password = "9d1f0c2b7e4a6f8d3c5b1a0e9f7d2c4b6a8e0f1d3c5b7a9e";
    write(
        dir.path(),
        "docker-compose.yml",
        format!("services:\n  sessions-store:\n    image: redis:7\n    command: redis-server --requirepass {password} --appendonly yes\n"),
    );
    // A Laravel app of the compose project that reaches it as `sessions-store`, with another
    // password: XS101 across the compose file.
    write(dir.path(), "shop/artisan", "");
    write(
        dir.path(),
        "shop/.env",
        "SESSION_DRIVER=redis\nREDIS_HOST=sessions-store\nREDIS_PASSWORD=another-password-that-is-long-enough-000\nREDIS_PORT=6379\n",
    );
    let found = rules_in(dir.path(), &[]);
    assert!(found.contains(&"XS101 shop/.env".to_string()), "{found:?}");
    assert!(!found.iter().any(|f| f.starts_with("XS104")), "{found:?}");
    let out = run(dir.path(), &["stack", "--no-config"]);
    let text = stdout(&out);
    assert!(
        text.contains("docker-compose.yml:2 (compose service `sessions-store`)"),
        "{text}"
    );
    assert!(text.contains("-> instance0"), "{text}");
    // Kubernetes: a Django app pointing at the Service's cluster name.
    let k8s = tempfile::tempdir().unwrap();
    write(k8s.path(), "redis.yaml", MANIFEST);
    write(
        k8s.path(),
        "portal/settings.py",
        "SESSION_ENGINE = \"django.contrib.sessions.backends.cache\"\nCACHES = {\"default\": {\"BACKEND\": \"django.core.cache.backends.redis.RedisCache\", \"LOCATION\": \"redis://redis.default.svc.cluster.local:6379/0\"}}\n",
    );
    let out = run(k8s.path(), &["stack", "--no-config"]);
    let text = stdout(&out);
    assert!(
        text.contains("Kubernetes container `redis/redis`"),
        "{text}"
    );
    assert!(text.contains("-> instance0"), "{text}");
}

#[test]
fn a_compose_service_environment_wins_over_the_app_env_file() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "docker-compose.yml",
        "services:\n  app:\n    build: ./shop\n    environment:\n      REDIS_HOST: redis\n      REDIS_PASSWORD: \"wrong-password-that-is-long-enough-00000\"\n  worker:\n    build: ./other\n    environment:\n      REDIS_HOST: elsewhere\n  redis:\n    image: redis:7\n    command: redis-server --requirepass 9d1f0c2b7e4a6f8d3c5b1a0e9f7d2c4b6a8e0f1d3c5b7a9e --appendonly yes\n",
    );
    write(dir.path(), "shop/artisan", "");
    // The .env says loopback and the right password; the container's environment says `redis`
    // and another password, and the container's wins.
    write(
        dir.path(),
        "shop/.env",
        "SESSION_DRIVER=redis\nREDIS_HOST=127.0.0.1\nREDIS_PASSWORD=9d1f0c2b7e4a6f8d3c5b1a0e9f7d2c4b6a8e0f1d3c5b7a9e\nREDIS_PORT=6379\n",
    );
    let found = rules_in(dir.path(), &[]);
    assert!(
        found.contains(&"XS101 docker-compose.yml".to_string()),
        "{found:?}"
    );
    let out = run(dir.path(), &["stack", "--no-config"]);
    let text = stdout(&out);
    assert!(
        text.contains("(with the `environment` of compose service `app`)"),
        "{text}"
    );
    assert!(text.contains("sessions redis:6379"), "{text}");
    assert!(!text.contains("9d1f0c2b"), "a password printed: {text}");
}
