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

/// Express modules cut, spliced and repeated at pseudo-random places (a fixed seed): the reader
/// and the whole pipeline keep the invariants on broken JavaScript too. Cheap enough for every
/// run; the cargo-fuzz target goes further.
#[test]
fn mutated_express_modules_keep_the_invariants() {
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    for root in [fixtures().join("rules"), fixtures().join("corpus/node")] {
        for entry in walkdir::WalkDir::new(root)
            .into_iter()
            .filter_map(Result::ok)
        {
            let path = entry.path();
            let module = path
                .extension()
                .is_some_and(|x| ["js", "ts", "mjs"].iter().any(|m| x == *m));
            let express =
                path.to_string_lossy().contains("NJ") || path.to_string_lossy().contains("node");
            if entry.file_type().is_file() && module && express {
                seeds.push(std::fs::read(path).unwrap());
            }
        }
    }
    assert!(seeds.len() > 20, "{} seeds", seeds.len());
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound.max(1) as u64) as usize
    };
    const TOKENS: [&[u8]; 12] = [
        b"{",
        b"}",
        b"(",
        b")",
        b",",
        b"'",
        b"`${",
        b"session({",
        b"secure: false",
        b"\n",
        b"resave: true",
        b"store: new RedisStore({ client })",
    ];
    for round in 0..400 {
        let seed = &seeds[round % seeds.len()];
        let mut data = seed.clone();
        for _ in 0..1 + next(3) {
            let at = next(data.len() + 1);
            match next(4) {
                0 => data.truncate(at),
                1 => {
                    let end = (at + next(40)).min(data.len());
                    data.drain(at..end);
                }
                2 => {
                    let token = TOKENS[next(TOKENS.len())];
                    data.splice(at..at, token.iter().copied());
                }
                _ => {
                    let end = (at + next(60)).min(data.len());
                    let copy = data[at..end].to_vec();
                    data.splice(at..at, copy);
                }
            }
        }
        let result = std::panic::catch_unwind(|| harness::check("javascript", &data));
        assert!(
            result.is_ok(),
            "round {round}: {}",
            String::from_utf8_lossy(&data)
        );
    }
}
