//! Running a command: settings from the command line and redline.toml, discovery, the audit (and
//! for `fix`, the fix loop and the writes), then the reports and the exit code.

use crate::baseline;
use crate::cli::{
    CatalogFormat, Cli, ColorChoice, Command, CommonArgs, FailOnArg, FixArgs, OutputFormat,
};
use crate::config::{self, FailOn, FileConfig};
use crate::discovery::{self, DiscoveryOptions, FileKind};
use crate::fix::apply::{self, Guard};
use crate::fix::write::{self, PlannedWrite, RealFs};
use crate::fix::Applicability;
use crate::model::redis::{IssueKind, LoadOptions, RedisModel};
use crate::report::{self, diff, Resolved};
use crate::rules::{self, Context, Finding, Selection, Severity};
use crate::source::{FileId, Sources};
use crate::stack::{self, DeclaredRole, Root, Stack};
use clap::{CommandFactory, ValueEnum};
use glob::Pattern;
use std::collections::{BTreeMap, HashMap};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

pub const EXIT_OK: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_FAILURE: i32 = 2;

/// A failure of the run itself (exit 2), with a message that names the file and why.
#[derive(Debug)]
pub struct RunError(pub String);

/// Fixing stops after this many passes (plus one per line) even if fixes keep appearing (they
/// should not).
const MAX_FIX_PASSES: usize = 8;

/// A `[per-file-ignores]` entry of redline.toml.
pub struct FileIgnore {
    pub pattern: Pattern,
    pub ids: Vec<String>,
    /// Line of the entry in redline.toml.
    pub line: usize,
}

pub struct Settings {
    pub fail_on: FailOn,
    pub selection: Selection,
    pub severity: BTreeMap<String, Severity>,
    pub per_file_ignores: Vec<FileIgnore>,
    /// redline.toml's path and text, when one was read (unused entries are reported in it).
    pub config_file: Option<(PathBuf, String)>,
    pub inline_ignores: bool,
    pub discovery: DiscoveryOptions,
    pub load: LoadOptions,
    pub declared: Vec<DeclaredRole>,
    /// `[hosts]`: host names mapped to instance configs.
    pub hosts: Vec<stack::HostMap>,
    pub show_secrets: bool,
}

impl Settings {
    /// Settings with nothing from a command line or redline.toml.
    pub fn defaults() -> Settings {
        Settings {
            fail_on: FailOn::Level(Severity::Warning),
            selection: Selection::default(),
            severity: BTreeMap::new(),
            per_file_ignores: Vec::new(),
            config_file: None,
            inline_ignores: true,
            discovery: DiscoveryOptions::default(),
            load: LoadOptions::default(),
            declared: Vec::new(),
            hosts: Vec::new(),
            show_secrets: false,
        }
    }
}

fn settings(args: &CommonArgs) -> Result<Settings, RunError> {
    let file = if args.input.no_config {
        FileConfig::default()
    } else if let Some(path) = &args.input.config {
        config::load(path).map_err(RunError)?
    } else {
        let cwd = std::env::current_dir()
            .map_err(|e| RunError(format!("cannot read the current folder: {e}")))?;
        match config::find(&cwd) {
            Some(path) => config::load(&path).map_err(RunError)?,
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
                "--type {spec}: unknown kind `{kind}` (this release reads: redis, sentinel)"
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
        discovery: DiscoveryOptions { exclude, types },
        load: LoadOptions {
            root_dir: args.input.root.clone(),
            version: redis_version,
        },
        declared: file.instances.clone(),
        hosts: file.hosts.clone(),
        show_secrets: args.show_secrets,
    })
}

/// Drop findings that `[per-file-ignores]` covers; report entries that covered nothing (RL001,
/// pointing into redline.toml).
fn apply_per_file_ignores(
    findings: Vec<Finding>,
    sources: &mut Sources,
    settings: &Settings,
) -> Vec<Finding> {
    let mut used = vec![false; settings.per_file_ignores.len()];
    let mut kept: Vec<Finding> = findings
        .into_iter()
        .filter(|f| {
            let path = sources.display(f.file);
            let mut hit = false;
            for (i, entry) in settings.per_file_ignores.iter().enumerate() {
                if entry.pattern.matches(path)
                    && entry.ids.iter().any(|id| f.rule.starts_with(id.as_str()))
                {
                    used[i] = true;
                    hit = true;
                }
            }
            !hit
        })
        .collect();
    if let Some((path, text)) = &settings.config_file {
        for (entry, used) in settings.per_file_ignores.iter().zip(used) {
            if used || !entry.ids.iter().any(|id| settings.selection.enabled(id)) {
                continue;
            }
            let file = sources.insert(path, text.clone().into_bytes());
            let span = match sources.doc(file).get_line(entry.line.saturating_sub(1)) {
                Some(line) => line.start()..line.content_end(),
                None => 0..0,
            };
            kept.push(Finding::new(
                "RL001",
                file,
                span,
                format!(
                    "`[per-file-ignores]` entry `{}` = {:?} suppresses nothing",
                    entry.pattern.as_str(),
                    entry.ids
                ),
            ));
        }
    }
    kept
}

/// Build the stack and run the rules, then apply selection, suppressions and severity overrides.
pub fn audit(sources: &mut Sources, roots: &[Root], settings: &Settings) -> (Stack, Vec<Finding>) {
    let stack = stack::build(
        sources,
        roots,
        &settings.load,
        &settings.declared,
        &settings.hosts,
    );
    let ctx = Context {
        sources,
        stack: &stack,
        redis_version: settings.load.version,
    };
    let mut findings = rules::run(&ctx);
    findings.retain(|f| settings.selection.enabled(f.rule));
    findings = apply_per_file_ignores(findings, sources, settings);
    if settings.inline_ignores {
        let mut files: Vec<FileId> = stack
            .instances
            .iter()
            .flat_map(|i| i.model.files.clone())
            .chain(stack.sentinels.iter().flat_map(|s| s.config.files.clone()))
            .chain(stack.php.iter().flat_map(|p| p.files.clone()))
            .collect();
        files.sort_unstable();
        files.dedup();
        findings = crate::suppress::apply(findings, sources, &files, &settings.selection);
    }
    findings.retain(|f| settings.selection.enabled(f.rule));
    for f in &mut findings {
        if let Some(s) = settings.severity.get(f.rule) {
            f.severity = *s;
        }
    }
    findings.sort_by(|a, b| {
        (sources.display(a.file), a.span.start, a.rule).cmp(&(
            sources.display(b.file),
            b.span.start,
            b.rule,
        ))
    });
    (stack, findings)
}

fn guard_of(stack: &Stack, sources: &Sources) -> Guard {
    let mut guard = Guard::default();
    let models: Vec<&RedisModel> = stack
        .instances
        .iter()
        .map(|i| &i.model)
        .chain(stack.sentinels.iter().map(|s| &s.config))
        .collect();
    for model in models {
        for issue in model.issues.iter().filter(|i| i.kind == IssueKind::Invalid) {
            let doc = sources.doc(issue.file);
            if doc.line_count() == 0 {
                continue;
            }
            let first = doc.line_index(issue.span.start);
            let last = doc.line_index(issue.span.end.saturating_sub(1).max(issue.span.start));
            let range = doc.line(first).start()..doc.line(last).end();
            guard
                .invalid_lines
                .entry(issue.file)
                .or_default()
                .push(range);
        }
        for (file, offset) in &model.generated_at {
            guard.generated_from.insert(*file, *offset);
        }
    }
    // PHP stops reading a php.ini at its first syntax error: a line added after it would never
    // be read, so such a file gets edits on the error's lines only.
    for php in &stack.php {
        for (file, error) in &php.errors {
            let doc = sources.doc(*file);
            if doc.line_count() == 0 {
                continue;
            }
            let first = doc.line_index(error.span.start);
            let last = doc.line_index(error.span.end.saturating_sub(1).max(error.span.start));
            let range = doc.line(first).start()..doc.line(last).end();
            guard.invalid_lines.entry(*file).or_default().push(range);
        }
    }
    guard
}

fn discover(
    args: &CommonArgs,
    settings: &Settings,
    sources: &mut Sources,
) -> Result<discovery::Discovered, RunError> {
    let paths = if args.input.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.input.paths.clone()
    };
    discovery::discover(&paths, &settings.discovery, sources).map_err(RunError)
}

fn fails(findings: &[Resolved], fail_on: FailOn) -> bool {
    match fail_on {
        FailOn::Never => false,
        FailOn::Level(level) => findings.iter().any(|f| f.severity >= level),
    }
}

fn statistics(format: OutputFormat, findings: &[Resolved]) -> String {
    let mut counts: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    for f in findings {
        counts.entry(f.rule).or_insert((0, f.name.as_str())).0 += 1;
    }
    let mut rows: Vec<(&str, usize, &str)> = counts
        .into_iter()
        .map(|(rule, (n, name))| (rule, n, name))
        .collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    match format {
        OutputFormat::Json => {
            let items: Vec<_> = rows
                .iter()
                .map(|(rule, n, name)| serde_json::json!({"rule": rule, "name": name, "count": n}))
                .collect();
            serde_json::to_string_pretty(&items).expect("serialises") + "\n"
        }
        _ => rows
            .iter()
            .map(|(rule, n, name)| format!("{n:>5}  {rule:<6} {name}\n"))
            .collect(),
    }
}

/// The paths of the files audited, as shown: all a report needs of the sources, so that the
/// sources can be freed before the report is rendered.
fn audited_files(sources: &Sources) -> Vec<String> {
    sources
        .ids()
        .map(|id| sources.display(id).to_string())
        .collect()
}

fn render(format: OutputFormat, findings: &[Resolved], files: &[String]) -> String {
    let summary = report::summarize(findings, files.len());
    match format {
        OutputFormat::Text => report::text::render(findings, &summary),
        OutputFormat::Json => report::json::render(findings, &summary),
        OutputFormat::Sarif => report::sarif::render(findings),
        OutputFormat::Github => report::github::render(findings),
        OutputFormat::Gitlab => report::gitlab::render(findings),
        OutputFormat::Junit => report::junit::render(findings, files),
    }
}

/// `--report FORMAT=FILE` entries.
fn extra_reports(args: &CommonArgs) -> Result<Vec<(OutputFormat, PathBuf)>, RunError> {
    args.report
        .iter()
        .map(|spec| {
            let (format, file) = spec.split_once('=').ok_or_else(|| RunError(format!("--report {spec}: expected FORMAT=FILE")))?;
            let format = OutputFormat::from_str(format, true).map_err(|_| RunError(format!("--report {spec}: unknown format `{format}` (text, json, sarif, github, gitlab, junit)")))?;
            Ok((format, PathBuf::from(file)))
        })
        .collect()
}

/// Print the report (or write it to `--output`, the summary then going to stderr), and write
/// every `--report`. Each file is written even when the run fails.
fn emit(args: &CommonArgs, findings: &[Resolved], files: &[String]) -> Result<(), RunError> {
    let reports = extra_reports(args)?;
    let colored_before = colored::control::SHOULD_COLORIZE.should_colorize();
    colored::control::set_override(false);
    for (format, path) in &reports {
        std::fs::write(path, render(*format, findings, files))
            .map_err(|e| RunError(format!("{}: cannot write the report: {e}", path.display())))?;
    }
    let summary =
        report::text::summary_line(findings.len(), &report::summarize(findings, files.len()));
    let body = |format| {
        if args.statistics {
            statistics(format, findings)
        } else {
            render(format, findings, files)
        }
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, body(args.format)).map_err(|e| {
                RunError(format!("{}: cannot write the report: {e}", path.display()))
            })?;
            eprintln!("{summary}");
        }
        None => {
            colored::control::set_override(colored_before);
            let text = body(args.format);
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            if args.statistics && args.format == OutputFormat::Text {
                println!("{summary}");
            }
        }
    }
    Ok(())
}

fn report_file_errors(errors: &[discovery::FileError]) {
    for e in errors {
        eprintln!("redline: error: {e}");
    }
}

/// Resolve findings for output, apply `--baseline`, and write `--write-baseline`.
fn resolve_for_output(
    args: &CommonArgs,
    findings: &[Finding],
    sources: &Sources,
    settings: &Settings,
) -> Result<Vec<Resolved>, RunError> {
    let resolved = report::resolve(findings, sources, settings.show_secrets);
    if let Some(path) = &args.write_baseline {
        baseline::write(path, &resolved).map_err(RunError)?;
        eprintln!(
            "Wrote {} finding{} to the baseline {}.",
            resolved.len(),
            if resolved.len() == 1 { "" } else { "s" },
            path.display()
        );
    }
    let Some(path) = &args.baseline else {
        return Ok(resolved);
    };
    let entries = baseline::load(path).map_err(RunError)?;
    let before = resolved.len();
    let (kept, stale) = baseline::filter(resolved, &entries);
    if before > kept.len() {
        eprintln!(
            "{} finding{} in the baseline {} not shown.",
            before - kept.len(),
            if before - kept.len() == 1 {
                " is"
            } else {
                "s are"
            },
            path.display()
        );
    }
    for entry in &stale {
        eprintln!(
            "redline: baseline: stale entry (fixed or moved; remove it): {} {} `{}` x{}",
            entry.rule, entry.path, entry.setting, entry.count
        );
    }
    Ok(kept)
}

/// `redline stack`: the topology, not a lint run, so it exits 0 unless a file cannot be read.
fn stack_command(args: &crate::cli::StackArgs) -> Result<i32, RunError> {
    use crate::cli::StackFormat;
    let common = args.as_common();
    let settings = settings(&common)?;
    let mut sources = Sources::new();
    let found = discover(&common, &settings, &mut sources)?;
    let (stack, findings) = audit(&mut sources, &found.roots, &settings);
    let text = match args.format {
        StackFormat::Text => report::topology::text(&stack, &sources, &findings),
        StackFormat::Json => report::topology::json(&stack, &sources, &findings),
        StackFormat::Dot => report::topology::dot(&stack, &sources, &findings),
        StackFormat::Mermaid => report::topology::mermaid(&stack, &sources, &findings),
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    report_file_errors(&found.errors);
    Ok(if found.errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_FAILURE
    })
}

fn check(args: &CommonArgs) -> Result<i32, RunError> {
    let settings = settings(args)?;
    let mut sources = Sources::new();
    let found = discover(args, &settings, &mut sources)?;
    let (stack, findings) = audit(&mut sources, &found.roots, &settings);
    drop(stack);
    let resolved = resolve_for_output(args, &findings, &sources, &settings)?;
    // The report needs only the resolved findings and the file names: free the rest first (on a
    // large tree the configs and their models are most of the memory used).
    drop(findings);
    let files = audited_files(&sources);
    drop(sources);
    emit(args, &resolved, &files)?;
    report_file_errors(&found.errors);
    Ok(if !found.errors.is_empty() {
        EXIT_FAILURE
    } else if fails(&resolved, settings.fail_on) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// A fix by the finding that offers it: rule, file and where the finding starts.
type FixKey = (&'static str, FileId, usize);

/// A file changed by a fix pass: its bytes before the pass and its syntax findings then.
type FileBefore = (FileId, Vec<u8>, usize);

/// Apply fixes in memory until none is left to apply. Returns the final findings and how many
/// fixes were applied.
pub fn fix_until_stable(
    sources: &mut Sources,
    roots: &[Root],
    settings: &Settings,
    unsafe_fixes: bool,
) -> (Vec<Finding>, usize) {
    let mut applied: usize = 0;
    // Fixes whose edits made a file worse (a new syntax finding): never applied again.
    let mut rejected: Vec<FixKey> = Vec::new();
    // The last pass: each changed file's bytes before it and its syntax findings then, and the
    // fixes it applied.
    let mut last_pass: Option<(Vec<FileBefore>, Vec<FixKey>)> = None;
    let syntax_count = |findings: &[Finding], file: FileId| {
        findings
            .iter()
            .filter(|f| f.file == file && rules::is_syntax_rule(f.rule))
            .count()
    };
    // PHP stops reading a php.ini at its first syntax error, so each pass can reveal (and quote)
    // only the next one: a file may need a pass per line. Beyond that, fixes that keep
    // appearing are a bug, and the bound keeps it from hanging.
    let lines: usize = sources.ids().map(|id| sources.doc(id).line_count()).sum();
    for _ in 0..MAX_FIX_PASSES + lines {
        let (stack, findings) = audit(sources, roots, settings);
        if let Some((before, keys)) = last_pass.take() {
            // A pass that added a syntax finding to any file is undone whole (its edits may span
            // files, as a password rotation does), and its fixes are not offered again.
            let worse = before
                .iter()
                .any(|(file, _, count)| syntax_count(&findings, *file) > *count);
            if worse {
                for (file, bytes, _) in before {
                    sources.replace(file, bytes);
                }
                applied = applied.saturating_sub(keys.len());
                rejected.extend(keys);
                continue;
            }
        }
        let guard = guard_of(&stack, sources);
        let offered: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.fix.is_some())
            .filter(|f| !rejected.contains(&(f.rule, f.file, f.span.start)))
            .collect();
        let chosen = apply::select(
            offered.iter().filter_map(|f| {
                f.fix
                    .as_ref()
                    .map(|fix| (rules::is_syntax_rule(f.rule), fix))
            }),
            unsafe_fixes,
            &guard,
        );
        if chosen.is_empty() {
            return (findings, applied);
        }
        let keys: Vec<FixKey> = offered
            .iter()
            .filter(|f| {
                f.fix
                    .as_ref()
                    .is_some_and(|fix| chosen.iter().any(|c| std::ptr::eq(*c, fix)))
            })
            .map(|f| (f.rule, f.file, f.span.start))
            .collect();
        let mut per_file: HashMap<usize, Vec<&crate::fix::Edit>> = HashMap::new();
        for fix in &chosen {
            for edit in &fix.edits {
                per_file.entry(edit.file).or_default().push(edit);
            }
        }
        let mut before = Vec::new();
        for (file, edits) in per_file {
            let old = sources.doc(file).bytes();
            let after = apply::apply_edits(old, &edits);
            if after != old {
                before.push((file, old.to_vec(), syntax_count(&findings, file)));
                sources.replace(file, after);
            }
        }
        applied += chosen.len();
        if before.is_empty() {
            break;
        }
        last_pass = Some((before, keys));
    }
    let (_, findings) = audit(sources, roots, settings);
    // The pass bound was reached right after a pass that made a file worse: undo it.
    if let Some((before, keys)) = last_pass {
        if before
            .iter()
            .any(|(file, _, count)| syntax_count(&findings, *file) > *count)
        {
            for (file, bytes, _) in before {
                sources.replace(file, bytes);
            }
            applied = applied.saturating_sub(keys.len());
            return (audit(sources, roots, settings).1, applied);
        }
    }
    (findings, applied)
}

fn output_copy_path(dir: &Path, shown: &str) -> PathBuf {
    dir.join(shown.trim_start_matches('/'))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn fix(args: &FixArgs) -> Result<i32, RunError> {
    let common = &args.common;
    let settings = settings(common)?;
    let mut sources = Sources::new();
    let found = discover(common, &settings, &mut sources)?;
    let config_file = settings.config_file.as_ref().map(|(p, _)| p.clone());
    let (remaining, applied) =
        fix_until_stable(&mut sources, &found.roots, &settings, args.unsafe_fixes);
    // redline.toml is read for reporting only; fixes never rewrite it.
    let changed: Vec<FileId> = sources
        .changed()
        .into_iter()
        .filter(|id| Some(&sources.get(*id).path) != config_file.as_ref())
        .collect();
    let unsafe_left = remaining
        .iter()
        .filter(|f| {
            f.fix
                .as_ref()
                .is_some_and(|x| x.applicability == Applicability::Unsafe)
        })
        .count();
    let hint = if !args.unsafe_fixes && unsafe_left > 0 {
        format!(" ({unsafe_left} more with --unsafe-fixes)")
    } else {
        String::new()
    };

    if !args.write && args.output_dir.is_none() {
        let show = settings.show_secrets;
        let mut body = String::new();
        for id in &changed {
            let file = sources.get(*id);
            // Each side masks the secrets its own reading marked: the original's for removed
            // and context lines, the patched file's (read again by the last audit) for added.
            let (old, new) = (file.original_doc(), &file.doc);
            body.push_str(&diff::unified(
                &file.display,
                old.bytes(),
                new.bytes(),
                &|r| report::shown_bytes(old, r, show),
                &|r| report::shown_bytes(new, r, show),
            ));
        }
        let summary = format!(
            "Would apply {} to {}{hint}. Run with --write to apply.",
            plural(applied, "fix", "fixes"),
            plural(changed.len(), "file", "files")
        );
        match &common.output {
            Some(path) => {
                std::fs::write(path, &body).map_err(|e| {
                    RunError(format!("{}: cannot write the diff: {e}", path.display()))
                })?;
            }
            None => print!("{body}"),
        }
        eprintln!("{summary}");
        report_file_errors(&found.errors);
        return Ok(if found.errors.is_empty() {
            EXIT_OK
        } else {
            EXIT_FAILURE
        });
    }

    let mut plans = Vec::new();
    if let Some(dir) = &args.output_dir {
        for id in sources
            .ids()
            .filter(|id| Some(&sources.get(*id).path) != config_file.as_ref())
        {
            let file = sources.get(id);
            plans.push(PlannedWrite {
                path: output_copy_path(dir, &file.display),
                contents: file.doc.bytes().to_vec(),
                expected: None,
            });
        }
    } else {
        for id in &changed {
            let file = sources.get(*id);
            if args.backup {
                plans.push(PlannedWrite {
                    path: write::backup_path(&file.path),
                    contents: file.original().to_vec(),
                    expected: None,
                });
            }
            plans.push(PlannedWrite {
                path: file.path.clone(),
                contents: file.doc.bytes().to_vec(),
                expected: Some(file.original().to_vec()),
            });
        }
    }
    write::write_all(&plans, &mut RealFs)
        .map_err(|e| RunError(format!("nothing was written: {e}")))?;
    let where_ = match &args.output_dir {
        Some(dir) => format!(" (patched copies under {})", dir.display()),
        None => String::new(),
    };
    let resolved = resolve_for_output(common, &remaining, &sources, &settings)?;
    emit(common, &resolved, &audited_files(&sources))?;
    eprintln!(
        "Applied {} to {}{where_}{hint}.",
        plural(applied, "fix", "fixes"),
        plural(changed.len(), "file", "files")
    );
    report_file_errors(&found.errors);
    Ok(if found.errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_FAILURE
    })
}

fn rules_command(format: CatalogFormat) -> i32 {
    let catalog = rules::catalog();
    match format {
        CatalogFormat::Json => {
            let rows: Vec<_> = catalog
                .iter()
                .map(|r| serde_json::json!({"id": r.id, "name": r.name, "severity": r.severity.as_str(), "fix": r.fix, "summary": r.summary}))
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&rows).expect("serialises")
            );
        }
        CatalogFormat::Text => {
            for r in catalog {
                println!(
                    "{:<7} {:<38} {:<8} {:<8} {}",
                    r.id,
                    r.name,
                    r.severity.as_str(),
                    r.fix,
                    r.summary
                );
            }
        }
    }
    EXIT_OK
}

fn explain(id: &str) -> Result<i32, RunError> {
    let r = rules::rule(id)
        .ok_or_else(|| RunError(format!("unknown rule `{id}`; `redline rules` lists them")))?;
    println!(
        "{} {} ({}, fix: {})\n",
        r.id,
        r.name,
        r.severity.as_str(),
        r.fix
    );
    println!("{}\n", r.summary);
    println!("{}\n", r.explanation.trim());
    println!("Example:\n");
    for line in r.example.trim().lines() {
        println!("    {line}");
    }
    println!("\nFix: {}\n", r.fix_description);
    if !r.references.is_empty() {
        println!("References:");
        for reference in &r.references {
            println!("  - {reference}");
        }
    }
    Ok(EXIT_OK)
}

fn set_color(choice: ColorChoice) {
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    colored::control::set_override(on);
}

pub fn run(cli: Cli) -> i32 {
    set_color(cli.color);
    let result = match &cli.command {
        Command::Check(args) => check(&args.common),
        Command::Fix(args) => fix(args),
        Command::Stack(args) => stack_command(args),
        Command::Rules { format } => Ok(rules_command(*format)),
        Command::Explain { id } => explain(id),
        Command::Completions { shell } => {
            clap_complete::generate(
                *shell,
                &mut Cli::command(),
                "redline",
                &mut std::io::stdout(),
            );
            Ok(EXIT_OK)
        }
        Command::Man => clap_mangen::Man::new(Cli::command())
            .render(&mut std::io::stdout())
            .map(|()| EXIT_OK)
            .map_err(|e| RunError(format!("cannot write the manual page: {e}"))),
    };
    match result {
        Ok(code) => code,
        Err(RunError(message)) => {
            eprintln!("redline: error: {message}");
            EXIT_FAILURE
        }
    }
}
