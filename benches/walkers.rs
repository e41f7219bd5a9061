//! Which walker discovery should use (issue 6: "rayon or the `ignore` crate's parallel walker,
//! whichever measures faster; keep walkdir if it wins"). On a generated 20,000-file tree (2% of
//! the names configs), each walker lists the files whose names can be configs:
//! - `walkdir+rayon`: redline's strategy (top-level folders walked in parallel with walkdir);
//! - `ignore-parallel`: the `ignore` crate's `WalkParallel`, filters off (like `rg -uu`);
//! - `walkdir-serial`: one walkdir pass, for scale;
//! - `redline-discover`: redline's real discovery (walk, classification, reading the configs).
//!
//! `cargo bench --bench walkers`.

use criterion::{criterion_group, criterion_main, Criterion};
use rayon::prelude::*;
use redline::discovery::{discover, DiscoveryOptions};
use redline::source::Sources;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const FILES: usize = 20_000;

/// 200 packages of nested folders, ten files a folder; every 50th file a redis.conf-named one.
fn make_tree(root: &Path) {
    for i in 0..FILES {
        let folder = root.join(format!("pkg{:03}/src{:02}", (i / 10) % 200, i / 2000));
        std::fs::create_dir_all(&folder).unwrap();
        let name = if i % 50 == 0 {
            format!("redis-{i}.conf")
        } else {
            format!("file{i}.js")
        };
        let body: &[u8] = if i % 50 == 0 {
            b"port 6379\nappendonly yes\n"
        } else {
            b"const value = compute(input);\n"
        };
        std::fs::write(folder.join(name), body).unwrap();
    }
}

fn may_be_config(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.ends_with(".conf") || name.ends_with(".ini") || name.starts_with(".env")
}

fn walkdir_files(root: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| !e.file_type().is_dir() && may_be_config(e.path()))
        .map(|e| e.into_path())
        .collect()
}

fn walkdir_rayon(root: &Path) -> Vec<PathBuf> {
    let mut top: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    top.sort();
    let found: Vec<Vec<PathBuf>> = top.par_iter().map(|p| walkdir_files(p)).collect();
    found.into_iter().flatten().collect()
}

fn ignore_parallel(root: &Path) -> Vec<PathBuf> {
    let found = Mutex::new(Vec::new());
    ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .hidden(false)
        .build_parallel()
        .run(|| {
            let found = &found;
            Box::new(move |entry| {
                if let Ok(e) = entry {
                    if !e.file_type().is_some_and(|t| t.is_dir()) && may_be_config(e.path()) {
                        found.lock().unwrap().push(e.into_path());
                    }
                }
                ignore::WalkState::Continue
            })
        });
    // Same output as the others: sorted.
    let mut found = found.into_inner().unwrap();
    found.sort();
    found
}

fn walkers(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    make_tree(dir.path());
    let root = dir.path().to_path_buf();
    let expected = FILES / 50;
    assert_eq!(walkdir_rayon(&root).len(), expected);
    assert_eq!(ignore_parallel(&root).len(), expected);
    let mut group = c.benchmark_group("walk-20k-files");
    group.sample_size(30);
    group.bench_function("walkdir+rayon", |b| b.iter(|| walkdir_rayon(&root)));
    group.bench_function("ignore-parallel", |b| b.iter(|| ignore_parallel(&root)));
    group.bench_function("walkdir-serial", |b| b.iter(|| walkdir_files(&root)));
    group.bench_function("redline-discover", |b| {
        b.iter(|| {
            let mut sources = Sources::new();
            let found = discover(
                std::slice::from_ref(&root),
                &DiscoveryOptions::default(),
                &mut sources,
            )
            .unwrap();
            assert_eq!(found.roots.len(), expected);
        })
    });
    group.finish();
}

criterion_group!(benches, walkers);
criterion_main!(benches);
