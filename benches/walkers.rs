//! Which walker discovery should use (issue 6: "rayon or the `ignore` crate's parallel walker,
//! whichever measures faster; keep walkdir if it wins"). On a generated 20,000-file tree (2% of
//! the names configs), each walker lists the files whose names can be configs:
//! - `walkdir+rayon`: redline's strategy (top-level folders walked in parallel with walkdir);
//! - `ignore-parallel`: the `ignore` crate's `WalkParallel`, filters off (like `rg -uu`);
//! - `walkdir-serial`: one walkdir pass, for scale;
//! - `redline-discover`: redline's real discovery (walk, classification, reading the configs).
//!
//! Issue 17 (honour .gitignore, .ignore and .redlineignore): the tree also has ignore files, and
//! - `ignore-parallel-honouring`: `WalkParallel` honouring the three (like `rg` with the custom
//!   `.redlineignore`, no parents, no git requirement);
//! - `redline-walk-honouring`: discovery's walk (walkdir+rayon, ignore files read like configs
//!   and matched with `ignore::gitignore`), before any file is read;
//! - `redline-walk-no-ignore`: the same walk with `--no-ignore` (the walk before issue 17).
//!
//! `cargo bench --bench walkers` (`-- --warm-up-time 1 --measurement-time 3` for a short run).

use criterion::{criterion_group, criterion_main, Criterion};
use rayon::prelude::*;
use redline::discovery::{discover, walk_candidates, DiscoveryOptions};
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
    // Ignore files as a repository has them: one per package (a tenth of them keep a folder
    // out), and one at the top keeping ten packages out.
    for pkg in 0..200 {
        let mut patterns = String::from("*.log\nnode_cache/\n");
        if pkg % 10 == 0 {
            patterns.push_str("src05/\n");
        }
        std::fs::write(root.join(format!("pkg{pkg:03}/.gitignore")), patterns).unwrap();
    }
    std::fs::write(root.join(".redlineignore"), "pkg19*/\n").unwrap();
}

fn ignore_parallel_honouring(root: &Path) -> Vec<PathBuf> {
    let found = Mutex::new(Vec::new());
    ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .hidden(false)
        .git_ignore(true)
        .ignore(true)
        .parents(false)
        .require_git(false)
        .add_custom_ignore_filename(".redlineignore")
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
    let mut found = found.into_inner().unwrap();
    found.sort();
    found
}

fn redline_walk(root: &Path, no_ignore: bool) -> Vec<PathBuf> {
    let options = DiscoveryOptions {
        no_ignore,
        ..DiscoveryOptions::default()
    };
    let mut found = walk_candidates(root, &options);
    found.sort();
    found
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
    assert_eq!(redline_walk(&root, true).len(), expected);
    // Both honouring walkers keep the same files out.
    let honoured = redline_walk(&root, false);
    assert!(honoured.len() < expected);
    assert_eq!(ignore_parallel_honouring(&root), honoured);
    let mut group = c.benchmark_group("walk-20k-files");
    group.sample_size(30);
    group.bench_function("walkdir+rayon", |b| b.iter(|| walkdir_rayon(&root)));
    group.bench_function("ignore-parallel", |b| b.iter(|| ignore_parallel(&root)));
    group.bench_function("walkdir-serial", |b| b.iter(|| walkdir_files(&root)));
    group.bench_function("ignore-parallel-honouring", |b| {
        b.iter(|| ignore_parallel_honouring(&root))
    });
    group.bench_function("redline-walk-honouring", |b| {
        b.iter(|| redline_walk(&root, false))
    });
    group.bench_function("redline-walk-no-ignore", |b| {
        b.iter(|| redline_walk(&root, true))
    });
    group.bench_function("redline-discover", |b| {
        b.iter(|| {
            let mut sources = Sources::new();
            let found = discover(
                std::slice::from_ref(&root),
                &DiscoveryOptions::default(),
                &mut sources,
            )
            .unwrap();
            assert_eq!(found.roots.len(), honoured.len());
        })
    });
    group.finish();
}

criterion_group!(benches, walkers);
criterion_main!(benches);
