//! Per-reader throughput (MB/s) on the real-world corpus, and one whole audit of the example
//! stack. `cargo bench`; the end-to-end comparison with ripgrep is bench/run.sh.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use redline::app::{audit, Settings};
use redline::source::Sources;
use redline::syntax::document::Document;
use std::hint::black_box;
use std::path::{Path, PathBuf};

fn corpus(folder: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/corpus")
        .join(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

fn bench_reader(c: &mut Criterion, name: &str, folder: &str, read: impl Fn(&[u8])) {
    let files = corpus(folder);
    let bytes: usize = files.iter().map(Vec::len).sum();
    let mut group = c.benchmark_group("readers");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(name, |b| {
        b.iter(|| {
            for f in &files {
                read(black_box(f));
            }
        })
    });
    group.finish();
}

fn readers(c: &mut Criterion) {
    bench_reader(c, "redis.conf", "redis", |data| {
        let doc = Document::parse(data.to_vec());
        for i in 0..doc.line_count() {
            black_box(redline::syntax::redis::parse_line(&doc, i));
        }
    });
    bench_reader(c, "php.ini", "php-ini", |data| {
        let doc = Document::parse(data.to_vec());
        black_box(redline::syntax::ini::parse(&doc, &|_| None));
    });
    bench_reader(c, ".env", "laravel-env", |data| {
        let doc = Document::parse(data.to_vec());
        black_box(redline::syntax::dotenv::parse(&doc));
    });
    bench_reader(c, "config/*.php", "laravel-config", |data| {
        black_box(redline::syntax::php_array::parse_return_array(data));
    });
    bench_reader(c, "settings.py", "django-settings", |data| {
        black_box(redline::syntax::python::parse(data));
    });
}

/// The JavaScript/TypeScript reader (oxc's parser and the reduction the Express model needs) on
/// the modules of the node corpus.
fn javascript(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/corpus/node");
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "js" || x == "ts")
        })
        .map(|e| {
            let name = e.path().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let mut group = c.benchmark_group("readers");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("express modules (oxc)", |b| {
        b.iter(|| {
            for (name, data) in &files {
                black_box(redline::syntax::javascript::parse(black_box(data), name));
            }
        })
    });
    group.finish();
}

fn whole_audit(c: &mut Criterion) {
    let stack = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/stack");
    c.bench_function("audit examples/stack", |b| {
        b.iter(|| {
            let settings = Settings::defaults();
            let mut sources = Sources::new();
            let found = redline::discovery::discover(
                std::slice::from_ref(&stack),
                &settings.discovery,
                &mut sources,
            )
            .unwrap();
            black_box(audit(&mut sources, &found.roots, &settings));
        })
    });
}

criterion_group!(benches, readers, javascript, whole_audit);
criterion_main!(benches);
