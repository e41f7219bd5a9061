//! The layer picture of the README, enforced: every `crate::` path in src/ points to a module of
//! a lower layer (or the same module), never up; a rule family never reaches into another family;
//! nothing outside `rules` reaches into a rule family.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Layers, lowest first. A module may use modules of its own layer or lower ones, except that
/// modules of one layer may not use each other (no cycles).
const LAYERS: &[&[&str]] = &[
    &["syntax::document"],
    &["confine"],
    &["source", "secret", "environment"],
    &["fix"],
    &["syntax"],
    &["model"],
    &["discovery", "live"],
    &["stack"],
    &["fix::edits"],
    &["rules"],
    &["suppress", "config"],
    &["engine"],
    &["report"],
    &["baseline"],
    &["cli"],
    &["app"],
];

/// Modules of `rules` every family may use.
const RULES_SHARED: &[&str] = &["client_edits", "model_issues", "registry", "setting_names"];

/// The module a path names, at the granularity of `LAYERS` (`fix::edits`, `syntax::document`).
fn module_of(path: &str) -> Option<&'static str> {
    LAYERS
        .iter()
        .flat_map(|l| l.iter())
        .filter(|m| path == **m || path.starts_with(&format!("{m}::")))
        .max_by_key(|m| m.len())
        .copied()
}

fn layer(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| l.contains(&module))
        .expect("a module of LAYERS")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/rules/redis_server.rs` -> `rules::redis_server`; `src/fix/edits/mod.rs` -> `fix::edits`.
fn module_path(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts.join("::")
}

/// Every `crate::a::b` path in the code (comments left out), with `super::` resolved, and the
/// names brought in by a `use crate::a::{b, c}` group.
fn uses(text: &str, own: &str) -> Vec<String> {
    let mut out = Vec::new();
    let parent: Vec<&str> = own.split("::").collect();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        for (prefix, base) in [
            ("crate::", String::new()),
            (
                "super::",
                parent[..parent.len().saturating_sub(1)].join("::"),
            ),
        ] {
            let mut rest = code;
            while let Some(at) = rest.find(prefix) {
                let before = rest[..at].chars().last();
                let after = &rest[at + prefix.len()..];
                rest = after;
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                    continue;
                }
                let path: String = after
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                let path = path.trim_end_matches(':');
                let group_at = if path.is_empty() {
                    after.starts_with('{').then_some(1)
                } else {
                    after[path.len()..]
                        .starts_with("::{")
                        .then_some(path.len() + 3)
                };
                if path.is_empty() && group_at.is_none() {
                    continue; // `use super::*` of a test module: its own file
                }
                let full = match (base.is_empty(), prefix) {
                    (_, "crate::") => path.to_string(),
                    (false, _) if path.is_empty() => base.clone(),
                    (true, _) => path.to_string(),
                    (false, _) => format!("{base}::{path}"),
                };
                if !path.is_empty() {
                    out.push(full.clone());
                }
                // `use crate::rules::{a, b::c}`: each name of the group.
                if let Some(at) = group_at {
                    let group = &after[at..];
                    let group = &group[..group.find('}').unwrap_or(group.len())];
                    for name in group.split(',') {
                        let name = name.trim();
                        if !name.is_empty() && name != "self" {
                            out.push(if full.is_empty() {
                                name.to_string()
                            } else {
                                format!("{full}::{name}")
                            });
                        }
                    }
                }
            }
        }
    }
    out
}

#[test]
fn imports_point_down_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let families: BTreeSet<String> = std::fs::read_dir(src.join("rules"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|n| n != "mod" && !RULES_SHARED.contains(&n.as_str()))
        .collect();
    let mut wrong = Vec::new();
    for file in &files {
        let own = module_path(&src, file);
        let Some(own_module) = module_of(&own) else {
            continue; // lib.rs, main.rs
        };
        let text = std::fs::read_to_string(file).unwrap();
        for used in uses(&text, &own) {
            let Some(used_module) = module_of(&used) else {
                continue;
            };
            if used_module == own_module {
                // Inside a module: a rule family stays out of the others.
                let family = |path: &str| {
                    path.strip_prefix("rules::")
                        .map(|p| p.split("::").next().unwrap_or("").to_string())
                        .filter(|f| families.contains(f))
                };
                if let (Some(mine), Some(theirs)) = (family(&own), family(&used)) {
                    if mine != theirs {
                        wrong.push(format!(
                            "{}: the rule family `{mine}` uses the family `{theirs}` (`{used}`); shared code goes to rules/mod.rs or fix/edits",
                            file.display()
                        ));
                    }
                }
                continue;
            }
            if layer(used_module) >= layer(own_module) {
                wrong.push(format!(
                    "{}: `{own_module}` uses `{used}` of `{used_module}`, which is not below it",
                    file.display()
                ));
            }
            if own_module != "rules" {
                if let Some(family) = used
                    .strip_prefix("rules::")
                    .and_then(|p| p.split("::").next())
                    .filter(|f| families.contains(*f))
                {
                    wrong.push(format!(
                        "{}: `{own_module}` reaches into the rule family `{family}`",
                        file.display()
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layer picture (README, Layout):\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_scanner_sees_imports() {
    let found = uses(
        "use crate::rules::{self, Finding};\nuse super::redis_server::add_line; // crate::x\nuse super::{php::f, Context};\n",
        "rules::sentinel",
    );
    assert!(found.contains(&"rules::Finding".to_string()));
    assert!(found.contains(&"rules::redis_server::add_line".to_string()));
    assert!(found.contains(&"rules::php::f".to_string()));
    assert!(!found.iter().any(|f| f == "x"));
    assert_eq!(module_of("fix::edits::redis"), Some("fix::edits"));
    assert_eq!(module_of("fix::apply"), Some("fix"));
    assert_eq!(
        module_of("syntax::document::Document"),
        Some("syntax::document")
    );
}
