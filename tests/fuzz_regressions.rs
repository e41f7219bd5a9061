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
    for (folder, target) in pairs {
        for entry in std::fs::read_dir(fixtures().join("corpus").join(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                harness::check(target, &std::fs::read(&path).unwrap());
            }
        }
    }
}
