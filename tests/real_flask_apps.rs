//! Flask apps from real repositories (the shared corpus beside the repository,
//! `../shared/corpus/flask`, origins in its `SOURCES.md`): every finding is one the app's
//! maintainers would agree with, and nothing else fires.

mod common;

use common::*;
use std::collections::BTreeSet;

#[test]
fn the_flask_corpus_gets_only_defensible_findings() {
    let corpus = manifest_dir().join("../shared/corpus/flask");
    if !corpus.is_dir() {
        eprintln!(
            "\n!!! SKIPPED: no shared Flask corpus at {} !!!\n",
            corpus.display()
        );
        return;
    }
    let out = run(&corpus, &["check", "--no-config", "--format", "json", "."]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let report = json(&out);
    let got: BTreeSet<String> = report["findings"]
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
        .collect();
    let want: BTreeSet<String> = [
        // create_app() builds its whole config in the module and never sets
        // SESSION_COOKIE_SECURE: Flask's default `False` sends the session cookie over HTTP.
        "FL201 openzim__wp1/wp1/web/app.py:81",
        // `os.environ.get("SECRET_KEY", "Optional default value")`: a deployment that forgets
        // the variable signs cookies with a key published in the repository.
        "FL205 redis-developer__basic-redis-chat-app-demo-python/chat/config.py:12",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(got, want, "{report}");
    // The clients redline could read are drawn, and none of them is guessed.
    let stack = run(&corpus, &["stack", "--no-config", "."]);
    assert!(stack.status.success(), "{}", stderr(&stack));
    let text = stdout(&stack);
    assert!(
        text.contains("fedora-copr__copr/frontend/coprs_frontend/coprs/__init__.py:41"),
        "{text}"
    );
    assert!(
        !text.contains("Flask app) \n    sessions localhost"),
        "{text}"
    );
}

/// A development config class is held back like a development file: counted in the summary,
/// shown with `--all-environments`.
#[test]
fn a_development_config_class_is_held_back_like_a_development_file() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "config.py",
        "import redis\n\n\nclass Config:\n    SESSION_TYPE = 'redis'\n    SESSION_REDIS = redis.Redis()\n\n\nclass ProductionConfig(Config):\n    SESSION_COOKIE_SECURE = True\n\n\nclass DevelopmentConfig(Config):\n    SESSION_COOKIE_SECURE = False\n",
    );
    let fl201 = |extra: &[&str]| {
        let mut args = vec!["check", "--no-config", "--format", "json"];
        args.extend(extra);
        let report = json(&run(dir.path(), &args));
        rules_of(&report).iter().filter(|r| *r == "FL201").count()
    };
    assert_eq!(fl201(&[]), 0);
    assert_eq!(fl201(&["--all-environments"]), 1);
}

/// The passwords and signing keys of a Flask app never show in any output: the client's
/// `password=`, a URL's user info, `SECRET_KEY` (also through `app.config.update`), and the
/// fallback of an environment read.
#[test]
fn flask_secrets_are_masked_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app.py",
        "import os\nimport redis\nfrom flask import Flask\nfrom flask_session import Session\n\napp = Flask(__name__)\napp.config.update(SESSION_TYPE='redis', SECRET_KEY='sk-update-7f3a')\napp.config['SESSION_REDIS'] = redis.Redis(host='10.0.0.9', password='pw-kwarg-91c2')\ncache = redis.from_url('redis://:pw-url-4d8e@10.0.0.9:6379/2')\napp.secret_key = os.environ.get('SECRET_KEY', 'sk-fallback-2b6c')\nSession(app)\n",
    );
    for format in ["text", "json", "sarif", "github"] {
        let out = run(
            dir.path(),
            &[
                "check",
                "--no-config",
                "--all-environments",
                "--format",
                format,
            ],
        );
        let text = stdout(&out);
        for secret in [
            "sk-update-7f3a",
            "pw-kwarg-91c2",
            "pw-url-4d8e",
            "sk-fallback-2b6c",
        ] {
            assert!(!text.contains(secret), "{format} shows {secret}:\n{text}");
        }
    }
    let stack = stdout(&run(
        dir.path(),
        &["stack", "--no-config", "--format", "json"],
    ));
    assert!(!stack.contains("pw-kwarg-91c2"), "{stack}");
}
