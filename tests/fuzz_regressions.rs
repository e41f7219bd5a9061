//! Every input the fuzzers found a bug with (fixtures/fuzz/TARGET/*) is replayed through the same
//! invariants as the fuzz targets, together with the real-world corpus as a baseline.

#[path = "../fuzz/harness.rs"]
mod harness;

mod common;

use common::fixtures;

#[test]
fn every_fuzz_regression_input_keeps_the_invariants() {
    let mut replayed = 0;
    for target in harness::TARGETS {
        let dir = fixtures().join("fuzz").join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let result = std::panic::catch_unwind(|| harness::check(target, &data));
            assert!(
                result.is_ok(),
                "{target}: {} breaks an invariant",
                path.display()
            );
            replayed += 1;
        }
    }
    assert!(replayed > 0, "fixtures/fuzz holds the regression inputs");
}

#[test]
fn the_real_world_corpus_keeps_the_invariants() {
    let pairs = [
        ("redis", "redis"),
        ("sentinel", "sentinel"),
        ("php-ini", "php_ini"),
        ("laravel-env", "dotenv"),
        ("laravel-config", "php_array"),
        ("django-settings", "django"),
    ];
    // Express apps: every module of the node corpus, each read as an app of its own.
    let node = walkdir::WalkDir::new(fixtures().join("corpus/node"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_type().is_file()
                && e.path()
                    .extension()
                    .is_some_and(|x| ["js", "ts", "mjs", "cjs"].iter().any(|m| x == *m))
        });
    for entry in node {
        harness::check("javascript", &std::fs::read(entry.path()).unwrap());
    }
    for (folder, target) in pairs {
        for entry in std::fs::read_dir(fixtures().join("corpus").join(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                harness::check(target, &std::fs::read(&path).unwrap());
            }
        }
    }
}
