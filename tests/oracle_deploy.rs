//! Oracle tests for compose files and Kubernetes manifests: for each case, the real redis-server
//! is started the way the container starts it (the image's compiled defaults first, then the
//! config file the service mounts, then the command-line options it passes), on a private unix
//! socket with no TCP port, and every verdict redline gives on the YAML is checked against the
//! running server: AUTH needed (RD101), appendonly (RD301), eviction policy (RD501),
//! protected-mode (RD203) and FLUSHALL callable (RD401). No container engine is used: the
//! argv each case lists is what the image's entrypoint runs (rules.md, "Deployments").

mod common;

use common::*;
use std::path::Path;

struct Case {
    name: &'static str,
    /// The repository: compose files, manifests, config files.
    files: &'static [(&'static str, &'static str)],
    /// What the image compiles in or its entrypoint writes before the config file.
    defaults: &'static str,
    /// The config file the server reads (its text as the container sees it), if any.
    config: Option<&'static str>,
    /// The options after the config file.
    args: &'static [&'static str],
    password: Option<&'static str>,
}

const STRONG: &str = "0f3c9d2b7a41e8c65d90b3f7e2a1c4d8b6e9f0a3c5d7e1b2";

const CASES: &[Case] = &[
    Case {
        name: "official image, string command",
        files: &[(
            "docker-compose.yml",
            "services:\n  redis:\n    image: redis:7\n    command: redis-server --appendonly no --maxmemory-policy allkeys-lru\n",
        )],
        defaults: "protected-mode no\n",
        config: None,
        args: &["--appendonly", "no", "--maxmemory-policy", "allkeys-lru"],
        password: None,
    },
    Case {
        name: "official image, config file through a volume, options after it",
        files: &[
            (
                "docker-compose.yml",
                "services:\n  redis:\n    image: redis:7-alpine\n    volumes:\n      - ./conf/redis.conf:/usr/local/etc/redis/redis.conf:ro\n    command: [\"redis-server\", \"/usr/local/etc/redis/redis.conf\", \"--requirepass\", \"0f3c9d2b7a41e8c65d90b3f7e2a1c4d8b6e9f0a3c5d7e1b2\", \"--appendonly\", \"yes\"]\n",
            ),
            (
                "conf/redis.conf",
                "appendonly no\nmaxmemory-policy noeviction\nrename-command FLUSHALL \"\"\nprotected-mode yes\n",
            ),
        ],
        defaults: "protected-mode no\n",
        config: Some("appendonly no\nmaxmemory-policy noeviction\nrename-command FLUSHALL \"\"\nprotected-mode yes\n"),
        args: &["--requirepass", STRONG, "--appendonly", "yes"],
        password: Some(STRONG),
    },
    Case {
        name: "official image, first argument an option (the entrypoint adds redis-server)",
        files: &[(
            "compose.yaml",
            "services:\n  redis:\n    image: docker.io/library/redis:7\n    command: [\"--save\", \"\", \"--maxmemory-policy\", \"volatile-lru\"]\n",
        )],
        defaults: "protected-mode no\n",
        config: None,
        args: &["--save", "", "--maxmemory-policy", "volatile-lru"],
        password: None,
    },
    Case {
        name: "an option and its value in one argument, a lone --save",
        files: &[(
            "docker-compose.yml",
            "services:\n  redis:\n    image: redis:7\n    command: [\"redis-server\", \"--maxmemory-policy allkeys-lru\", \"--save\", \"--appendonly\", \"yes\"]\n",
        )],
        defaults: "protected-mode no\n",
        config: None,
        args: &["--maxmemory-policy allkeys-lru", "--save", "--appendonly", "yes"],
        password: None,
    },
    Case {
        name: "sh -c wrapper",
        files: &[(
            "docker-compose.yml",
            "services:\n  redis:\n    image: redis:7\n    command:\n      - sh\n      - -c\n      - exec redis-server --appendonly yes --rename-command FLUSHALL '' --protected-mode yes\n",
        )],
        defaults: "protected-mode no\n",
        config: None,
        args: &[
            "--appendonly",
            "yes",
            "--rename-command",
            "FLUSHALL",
            "",
            "--protected-mode",
            "yes",
        ],
        password: None,
    },
    Case {
        name: "Kubernetes ConfigMap block and args",
        files: &[(
            "redis.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: redis-config\ndata:\n  redis.conf: |\n    appendonly yes\n    maxmemory 100mb\n    maxmemory-policy allkeys-lfu\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: redis\nspec:\n  template:\n    metadata:\n      labels:\n        app: redis\n    spec:\n      containers:\n        - name: redis\n          image: redis:7\n          command: [\"redis-server\", \"/etc/redis/redis.conf\"]\n          args: [\"--requirepass\", \"0f3c9d2b7a41e8c65d90b3f7e2a1c4d8b6e9f0a3c5d7e1b2\"]\n          volumeMounts:\n            - name: config\n              mountPath: /etc/redis\n      volumes:\n        - name: config\n          configMap:\n            name: redis-config\n",
        )],
        defaults: "protected-mode no\n",
        config: Some("appendonly yes\nmaxmemory 100mb\nmaxmemory-policy allkeys-lfu\n"),
        args: &["--requirepass", STRONG],
        password: Some(STRONG),
    },
    Case {
        name: "bitnami image: its run.sh from the variables",
        files: &[(
            "docker-compose.yml",
            "services:\n  redis:\n    image: bitnami/redis:7.2\n    environment:\n      - REDIS_PASSWORD=0f3c9d2b7a41e8c65d90b3f7e2a1c4d8b6e9f0a3c5d7e1b2\n      - REDIS_AOF_ENABLED=no\n      - REDIS_DISABLE_COMMANDS=FLUSHDB,FLUSHALL\n",
        )],
        defaults: "bind 0.0.0.0 ::\nsave \"\"\nappendonly no\nrequirepass 0f3c9d2b7a41e8c65d90b3f7e2a1c4d8b6e9f0a3c5d7e1b2\nrename-command FLUSHDB \"\"\nrename-command FLUSHALL \"\"\n",
        config: None,
        args: &[],
        password: Some(STRONG),
    },
    Case {
        name: "bitnami image with ALLOW_EMPTY_PASSWORD",
        files: &[(
            "docker-compose.yml",
            "services:\n  redis:\n    image: bitnami/redis:latest\n    environment:\n      ALLOW_EMPTY_PASSWORD: \"yes\"\n",
        )],
        defaults: "bind 0.0.0.0 ::\nsave \"\"\nappendonly yes\nprotected-mode no\n",
        config: None,
        args: &[],
        password: None,
    },
];

/// The verdicts redline gives on the case's YAML.
struct Verdicts {
    no_password: bool,
    aof_off: bool,
    evicting: bool,
    protected_mode_off_open: bool,
    flushall_callable: bool,
}

fn redline_verdicts(dir: &Path) -> Verdicts {
    let out = run(
        dir,
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "--select",
            "RD101,RD203,RD301,RD401,RD501",
        ],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let report = json(&out);
    let findings = report["findings"].as_array().unwrap();
    let has = |rule: &str| findings.iter().any(|f| f["rule"] == rule);
    Verdicts {
        no_password: has("RD101"),
        aof_off: has("RD301"),
        evicting: has("RD501"),
        protected_mode_off_open: has("RD203"),
        flushall_callable: findings.iter().any(|f| {
            f["rule"] == "RD401" && f["message"].as_str().unwrap_or("").contains("FLUSHALL")
        }),
    }
}

#[test]
fn verdicts_on_deployments_match_the_started_server() {
    let Some(server) = oracle("redis-server") else {
        return;
    };
    let mut mismatches = Vec::new();
    for case in CASES {
        let repo = tempfile::tempdir().unwrap();
        for (path, text) in case.files {
            write(repo.path(), path, text);
        }
        let verdicts = redline_verdicts(repo.path());
        // The server: compiled defaults, then `include` of the config file, then the options.
        let run_dir = tempfile::tempdir().unwrap();
        let mut start = case.defaults.to_string();
        if let Some(config) = case.config {
            let path = write(run_dir.path(), "mounted.conf", config);
            start.push_str(&format!("include {}\n", path.display()));
        }
        let wrapper = write(run_dir.path(), "container.conf", start);
        let args: Vec<String> = case.args.iter().map(|a| a.to_string()).collect();
        let running = match Server::start_with_args(&server, &wrapper, false, 0, &args) {
            Started::Running(s) => s,
            Started::Refused(why) => panic!("{}: redis-server refused to start: {why}", case.name),
        };
        let mut conn = running.connect();
        let auth_needed = conn
            .call(&["PING"])
            .text()
            .to_ascii_uppercase()
            .starts_with("NOAUTH");
        if let Some(password) = case.password {
            assert!(
                !conn.call(&["AUTH", password]).is_error(),
                "{}: AUTH",
                case.name
            );
        }
        let appendonly = conn.config_get("appendonly");
        let policy = conn.config_get("maxmemory-policy");
        let protected = conn.config_get("protected-mode");
        let flushall = !conn.call(&["FLUSHALL"]).is_error();
        let mut check = |what: &str, redline: bool, server: bool| {
            if redline != server {
                mismatches.push(format!(
                    "{}: {what}: redline says {redline}, redis-server says {server}",
                    case.name
                ));
            }
        };
        check("no password (RD101)", verdicts.no_password, !auth_needed);
        check(
            "appendonly off (RD301)",
            verdicts.aof_off,
            appendonly != "yes",
        );
        check(
            "evicting policy (RD501)",
            verdicts.evicting,
            policy != "noeviction",
        );
        check(
            "protected-mode off with no password (RD203)",
            verdicts.protected_mode_off_open,
            protected == "no" && !auth_needed,
        );
        check(
            "FLUSHALL callable (RD401)",
            verdicts.flushall_callable,
            flushall,
        );
    }
    assert!(mismatches.is_empty(), "\n{}", mismatches.join("\n"));
}
