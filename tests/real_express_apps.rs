//! Express apps from real repositories (fixtures/corpus/node, one folder per repository, copied
//! from the shared corpus): every NJ finding on them, reviewed one by one, and nothing else. A new
//! finding there, or one gone, shows up here to be judged.

mod common;

use common::*;
use std::collections::BTreeSet;

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in walkdir::WalkDir::new(from).min_depth(1) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Each finding with why a maintainer of the repository would agree.
const REVIEWED: &[(&str, &str)] = &[
    // `secret: "aslkdfjoiq12312"`: a literal secret anyone with the tutorial can sign cookies with.
    ("NJ205", "benawad__type-graphql-series/src/index.ts:69"),
    // No `cookie` option: express-session's default `secure: false`.
    ("NJ201", "cnodejs__nodeclub/app.js:95"),
    // The example app sends the cookie over HTTP and signs with `'keyboard cat'`: the lines
    // people copy into production.
    ("NJ201", "expressjs__express/examples/session/redis.js:20"),
    ("NJ205", "expressjs__express/examples/session/redis.js:23"),
    // The chat demo: no cookie options, `'keyboard cat'`, and its node-redis 3 client (made in
    // server/redis.js, given to the store in server/index.js) has no 'error' listener anywhere.
    (
        "NJ201",
        "redis-developer__basic-redis-chat-app-demo-nodejs/server/index.js:45",
    ),
    (
        "NJ205",
        "redis-developer__basic-redis-chat-app-demo-nodejs/server/index.js:47",
    ),
    (
        "NJ105",
        "redis-developer__basic-redis-chat-app-demo-nodejs/server/redis.js:28",
    ),
];

#[test]
fn every_finding_on_the_express_corpus_is_a_reviewed_one() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("corpus/node"), dir.path());
    let out = run(
        dir.path(),
        &["check", "--no-config", "--format", "json", "."],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let report = json(&out);
    let got: BTreeSet<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                format!("{}:{}", f["path"].as_str().unwrap(), f["line"]),
            )
        })
        .collect();
    let want: BTreeSet<(String, String)> = REVIEWED
        .iter()
        .map(|(r, p)| (r.to_string(), p.to_string()))
        .collect();
    assert_eq!(got, want);
    // Every app that keeps its session set-up beside its package.json is read, and each store
    // client that the app builds in a way redline follows is in the stack.
    let stack = json(&run(
        dir.path(),
        &["stack", "--no-config", "--format", "json", "."],
    ));
    let clients: BTreeSet<String> = stack["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["file"].as_str().unwrap().to_string())
        .collect();
    for file in [
        "benawad__lireddit/server/src/index.ts",
        "benawad__type-graphql-series/src/redis.ts",
        "cnodejs__nodeclub/app.js",
        "hmcts__pcs-frontend/src/main/modules/session/index.ts",
        // Made inside `getSessionStore()`, the function `store:` calls.
        "ministryofjustice__digital-prison-services/backend/setupWebSession.ts",
        "redis-developer__basic-redis-chat-app-demo-nodejs/server/redis.js",
    ] {
        assert!(clients.contains(file), "{file}: {clients:?}");
    }
}
