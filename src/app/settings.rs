//! Settings from the command line and redline.toml.

use super::RunError;
use crate::cli::{CommonArgs, FailOnArg, OutputFormat};
use crate::config::{self, FailOn, FileConfig};
use crate::discovery::{self, DiscoveryOptions, FileKind};
use crate::engine::{FileIgnore, Settings};
use crate::model::redis::LoadOptions;
use crate::rules::{Selection, Severity};
use clap::ValueEnum;
use glob::Pattern;
use std::path::PathBuf;

pub(super) fn settings(args: &CommonArgs) -> Result<Settings, RunError> {
    if args.statistics && !matches!(args.format, OutputFormat::Text | OutputFormat::Json) {
        return Err(RunError(format!(
            "--statistics prints a count per rule as text or json; `--format {}` has no such form",
            args.format
                .to_possible_value()
                .map_or_else(String::new, |v| v.get_name().to_string())
        )));
    }
    let file = if args.input.no_config {
        FileConfig::default()
    } else if let Some(path) = &args.input.config {
        config::load(path).map_err(RunError)?
    } else {
        let cwd = std::env::current_dir()
            .map_err(|e| RunError(format!("cannot read the current folder: {e}")))?;
        match config::find(&cwd) {
            // Found, not chosen: in a pull request's checkout a link could point anywhere.
            Some(path) if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_symlink()) => {
                return Err(RunError(format!(
                    "{}: a symbolic link; redline does not follow it to find its settings (pass --config FILE or --no-config)",
                    path.display()
                )))
            }
            Some(path) => {
                let mut file = config::load(&path).map_err(RunError)?;
                confine_found_allow_read(&path, &mut file);
                file
            }
            None => FileConfig::default(),
        }
    };
    let fail_on = if args.exit_zero {
        FailOn::Never
    } else {
        match args.fail_on {
            Some(FailOnArg::Error) => FailOn::Level(Severity::Error),
            Some(FailOnArg::Warning) => FailOn::Level(Severity::Warning),
            Some(FailOnArg::Info) => FailOn::Level(Severity::Info),
            Some(FailOnArg::Never) => FailOn::Never,
            None => file.fail_on.unwrap_or(FailOn::Level(Severity::Warning)),
        }
    };
    let upper = |list: &[String]| {
        list.iter()
            .map(|s| s.trim().to_ascii_uppercase())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
    };
    let selection = Selection {
        select: if args.select.is_empty() {
            file.select.clone()
        } else {
            upper(&args.select)
        },
        ignore: file
            .ignore
            .iter()
            .cloned()
            .chain(upper(&args.ignore))
            .collect(),
    };
    let unknown = selection.unknown_entries();
    if !unknown.is_empty() {
        return Err(RunError(format!(
            "--select/--ignore: `{}` is not a rule ID or family prefix",
            unknown.join("`, `")
        )));
    }
    let pattern = |text: &str, what: &str| {
        Pattern::new(text).map_err(|e| RunError(format!("{what}: bad glob `{text}`: {e}")))
    };
    let mut exclude = Vec::new();
    for text in file.exclude.iter().chain(&args.input.exclude) {
        exclude.push(pattern(text, "--exclude")?);
    }
    let mut types = Vec::new();
    for spec in &args.input.types {
        let (kind, glob) = spec
            .split_once('=')
            .ok_or_else(|| RunError(format!("--type {spec}: expected KIND=GLOB")))?;
        let kind = FileKind::parse(kind).ok_or_else(|| {
            RunError(format!(
                "--type {spec}: unknown kind `{kind}` (this release reads: {})",
                discovery::FileKind::ALL.map(|k| k.as_str()).join(", ")
            ))
        })?;
        types.push((kind, pattern(glob, "--type")?));
    }
    let mut per_file_ignores = Vec::new();
    for (glob, ids, line) in &file.per_file_ignores {
        per_file_ignores.push(FileIgnore {
            pattern: pattern(glob, "per-file-ignores")?,
            ids: ids.clone(),
            line: *line,
        });
    }
    let redis_version = match &args.redis_version {
        Some(v) => Some(
            config::parse_redis_version(v)
                .map_err(|m| RunError(format!("--redis-version: {m}")))?,
        ),
        None => file.redis_version,
    };
    if let Some(root) = &args.input.root {
        if !root.is_dir() {
            return Err(RunError(format!("--root {}: not a folder", root.display())));
        }
    }
    Ok(Settings {
        fail_on,
        selection,
        severity: file.severity.clone(),
        per_file_ignores,
        config_file: file.path.clone().map(|p| (p, file.text.clone())),
        inline_ignores: !args.no_inline_ignores,
        discovery: DiscoveryOptions {
            exclude,
            types,
            no_ignore: args.input.no_ignore,
        },
        load: LoadOptions {
            root_dir: args.input.root.clone(),
            version: redis_version,
        },
        declared: file.instances.clone(),
        hosts: file.hosts.clone(),
        show_secrets: args.show_secrets,
        environments: file.environments.clone(),
        all_environments: args.input.all_environments,
        tree: audited_tree(args, &file),
        live: Vec::new(),
        live_links: file.live.clone(),
    })
}

/// A redline.toml that was found (not named with `--config`) may be the pull request's own: its
/// `allow-read` cannot take the audited tree out of the folder that holds it, lexically or
/// through a symbolic link. Such a folder is dropped, and the run says so on stderr.
fn confine_found_allow_read(config: &std::path::Path, file: &mut FileConfig) {
    let base = crate::confine::normalize(config.parent().unwrap_or(std::path::Path::new(".")));
    let real_base = std::fs::canonicalize(&base).unwrap_or_else(|_| base.clone());
    file.allow_read.retain(|folder| {
        let lexical = crate::confine::normalize(folder);
        let inside = lexical.starts_with(&base)
            && std::fs::canonicalize(&lexical).map_or(true, |real| real.starts_with(&real_base));
        if !inside {
            eprintln!(
                "redline: {}: `allow-read` {} leaves the folder of this redline.toml, which was found, not named: not read (name the file with --config, or pass --allow-read DIR, to read it)",
                crate::report::escape_controls(&config.display().to_string()),
                crate::report::escape_controls(&folder.display().to_string()),
            );
        }
        inside
    });
}

/// The audited tree of cli.md: each PATH (a file's folder), `--root`, `--allow-read` and
/// redline.toml's `allow-read`.
fn audited_tree(args: &CommonArgs, file: &FileConfig) -> crate::confine::Tree {
    let paths = if args.input.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.input.paths.clone()
    };
    let folders = paths
        .into_iter()
        .map(|path| {
            // Standard input stands for the file it is named as: its folder is in the tree.
            let path = match &args.input.stdin_filename {
                Some(name) if path.as_path() == std::path::Path::new("-") => name.clone(),
                _ => path,
            };
            // A file's folder, taken lexically: a PATH that is a link to a file elsewhere does
            // not bring that file's folder into the tree.
            if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) || path.is_dir() {
                path
            } else {
                match path.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
                    _ => PathBuf::from("."),
                }
            }
        })
        .chain(args.input.root.clone())
        .chain(args.input.allow_read.iter().cloned())
        .chain(file.allow_read.iter().cloned());
    crate::confine::Tree::new(folders)
}
