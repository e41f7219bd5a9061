//! Compose files and Kubernetes manifests from real repositories (fixtures/corpus/compose and
//! fixtures/corpus/kubernetes, origins in fixtures/corpus/SOURCES.md): what redline reports on
//! each, and above all what it must not report (a password from a variable or a secret, a
//! config the repository does not hold, a port published on loopback only).

mod common;

use common::*;
use std::collections::BTreeSet;

/// `RULE path:line` of every finding on one repository's folder.
fn findings(repo: &str) -> BTreeSet<String> {
    let dir = fixtures().join("corpus").join(repo);
    let out = run(&dir, &["check", "--no-config", "--format", "json"]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{repo}: {}",
        stderr(&out)
    );
    json(&out)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}",
                f["rule"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
                f["line"]
            )
        })
        .collect()
}

fn has(found: &BTreeSet<String>, rule: &str) -> bool {
    found.iter().any(|f| f.starts_with(&format!("{rule} ")))
}

#[test]
fn a_published_port_on_every_interface_is_dc101_and_loopback_is_not() {
    // saleor-platform: valkey published as "6379:6379", no password.
    let saleor = findings("compose/saleor__saleor-platform");
    assert!(saleor.contains("DC101 docker-compose.yml:48"), "{saleor:?}");
    assert!(saleor.contains("RD101 docker-compose.yml:45"), "{saleor:?}");
    // langfuse: 127.0.0.1:6379:6379, and `--requirepass ${REDIS_AUTH:-myredissecret}`: the
    // shipped default is what runs when the deployer sets nothing.
    let langfuse = findings("compose/langfuse__langfuse");
    assert!(!has(&langfuse, "DC101"), "{langfuse:?}");
    assert!(!has(&langfuse, "RD101"), "{langfuse:?}");
    assert!(
        langfuse.contains("DC103 docker-compose.yml:169"),
        "{langfuse:?}"
    );
    assert!(
        langfuse.contains("XS201 docker-compose.yml:169"),
        "{langfuse:?}"
    );
}

#[test]
fn passwords_from_variables_and_secrets_are_unknown_not_missing() {
    // netbox-docker: `sh -c 'valkey-server --appendonly yes --requirepass $$REDIS_PASSWORD'`.
    let netbox = findings("compose/netbox-community__netbox-docker");
    for rule in ["RD101", "DC103", "XS201", "RD203"] {
        assert!(!has(&netbox, rule), "{rule}: {netbox:?}");
    }
    // The `redis-cache` service is a cache by its name: no AOF finding on it.
    assert!(
        !netbox.contains("RD301 docker-compose.yml:76"),
        "{netbox:?}"
    );
    // LinkAce: bitnami/redis with REDIS_PASSWORD=${REDIS_PASSWORD}.
    let linkace = findings("compose/Kovah__LinkAce");
    assert!(
        !has(&linkace, "RD101") && !has(&linkace, "RD203"),
        "{linkace:?}"
    );
    // argo-cd: `--requirepass $(REDIS_PASSWORD)` from a secretKeyRef.
    let argo = findings("kubernetes/argoproj__argo-cd");
    assert!(!has(&argo, "RD101") && !has(&argo, "DC103"), "{argo:?}");
    assert!(
        argo.contains("RD301 manifests/base/redis/argocd-redis-deployment.yaml:49"),
        "`--appendonly no` with `--save \"\"`: {argo:?}"
    );
}

#[test]
fn services_whose_settings_are_not_in_the_repository_are_not_judged() {
    // pixelfed: the config file and the password come from variables the repository does not
    // set; zulip: the password from a compose secret through the image's entrypoint; mailcow: an
    // entrypoint script of its own writes the config.
    for repo in [
        "compose/pixelfed__pixelfed",
        "compose/zulip__docker-zulip",
        "compose/mailcow__mailcow-dockerized",
    ] {
        let found = findings(repo);
        assert!(found.is_empty(), "{repo}: {found:?}");
    }
}

#[test]
fn a_mounted_config_belongs_to_the_service() {
    // ddev-redis: `command: /etc/redis/conf/redis.conf` with ./redis mounted there. One instance:
    // the official image's `protected-mode no` at the image, the file's settings in the file.
    let ddev = findings("compose/ddev__ddev-redis");
    let rd101: Vec<&String> = ddev.iter().filter(|f| f.starts_with("RD101 ")).collect();
    assert_eq!(rd101, ["RD101 redis/redis.conf:1"], "{ddev:?}");
    assert!(
        ddev.contains("RD203 docker-compose.redis.yaml:5"),
        "{ddev:?}"
    );
    assert!(ddev.contains("RD501 redis/redis.conf:8"), "{ddev:?}");
}

#[test]
fn kubernetes_containers_and_configmap_blocks() {
    // A ConfigMap `redis.conf: |+` block with `protected-mode no`, run through a wrapper script.
    let cluster = findings("kubernetes/sanderploegsma__redis-cluster");
    assert!(
        cluster.contains("RD203 redis-cluster.yml:28"),
        "{cluster:?}"
    );
    assert!(
        cluster.contains("RD101 redis-cluster.yml:66"),
        "{cluster:?}"
    );
    // bitnami/redis with ALLOW_EMPTY_PASSWORD=yes: no password, protected-mode off, 0.0.0.0 ::.
    let azure = findings("kubernetes/Azure-Samples__azure-voting-app-redis");
    for f in [
        "RD101 azure-vote-all-in-one-redis.yaml:18",
        "RD201 azure-vote-all-in-one-redis.yaml:19",
        "RD203 azure-vote-all-in-one-redis.yaml:19",
    ] {
        assert!(azure.contains(f), "{f}: {azure:?}");
    }
    // podinfo: kustomize's configMapGenerator makes the ConfigMap from redis.conf, which then
    // belongs to the Deployment (the official image's protected-mode no at its image line); the
    // workload is named `cache`, so the cache-only rules stay quiet.
    let podinfo = findings("kubernetes/stefanprodan__podinfo");
    for f in [
        "RD101 deploy/bases/cache/redis.conf:1",
        "RD203 deploy/bases/cache/deployment.yaml:16",
    ] {
        assert!(podinfo.contains(f), "{f}: {podinfo:?}");
    }
    assert!(
        !has(&podinfo, "RD501") && !has(&podinfo, "RD301"),
        "{podinfo:?}"
    );
    // The guestbook's Services are ClusterIP: no DC102.
    let guestbook = findings("kubernetes/kubernetes__examples");
    assert!(!has(&guestbook, "DC102"), "{guestbook:?}");
    assert!(has(&guestbook, "RD101"), "{guestbook:?}");
}

#[test]
fn nothing_in_the_corpus_is_dc001_and_every_fix_keeps_the_yaml() {
    for kind in ["compose", "kubernetes"] {
        for entry in std::fs::read_dir(fixtures().join("corpus").join(kind)).unwrap() {
            let repo = entry.unwrap().path();
            let name = format!("{kind}/{}", repo.file_name().unwrap().to_string_lossy());
            assert!(!has(&findings(&name), "DC001"), "{name}");
            let dir = tempfile::tempdir().unwrap();
            let all = |root: &std::path::Path| -> Vec<std::path::PathBuf> {
                walkdir::WalkDir::new(root)
                    .into_iter()
                    .map(|e| e.unwrap())
                    .filter(|e| e.file_type().is_file())
                    .map(|e| e.into_path())
                    .collect()
            };
            let mut yaml = 0;
            for file in all(&repo) {
                let rel = file.strip_prefix(&repo).unwrap();
                write(
                    dir.path(),
                    rel.to_str().unwrap(),
                    std::fs::read(&file).unwrap(),
                );
            }
            let out = run(
                dir.path(),
                &["fix", "--no-config", "--write", "--unsafe-fixes"],
            );
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "{name}: {}",
                stderr(&out)
            );
            for file in all(dir.path()) {
                let ext = file.extension().map(|e| e.to_string_lossy().into_owned());
                if matches!(ext.as_deref(), Some("yml" | "yaml")) {
                    yaml += 1;
                    let stream = redline::syntax::yaml::parse(&std::fs::read(&file).unwrap());
                    assert!(
                        stream.error.is_none(),
                        "{name}: {} no longer parses",
                        file.display()
                    );
                }
            }
            assert!(yaml > 0, "{name}");
        }
    }
}
