//! Running a command: settings from the command line and redline.toml, discovery, the audit (and
//! for `fix`, the fix loop and the writes), then the reports and the exit code.

use crate::baseline;
use crate::cli::{
    CatalogFormat, Cli, ColorChoice, Command, CommonArgs, FailOnArg, FixArgs, InputArgs,
    OutputFormat,
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
use std::collections::{BTreeMap, HashMap, HashSet};
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
    /// `[environments]` of redline.toml.
    pub environments: Vec<crate::environment::EnvironmentGlob>,
    /// `--all-environments`: hardening rules on development and test files too.
    pub all_environments: bool,
    /// The audited tree: reads and writes stay inside it.
    pub tree: crate::confine::Tree,
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
            environments: Vec::new(),
            all_environments: false,
            tree: crate::confine::Tree::unrestricted(),
        }
    }
}

fn settings(args: &CommonArgs) -> Result<Settings, RunError> {
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
    })
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
                Some(name) if path.as_path() == Path::new("-") => name.clone(),
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

/// Build the stack and run the rules, then apply selection, suppressions and severity overrides;
/// findings are capped per rule and file (`rules::cap_per_rule_and_file`).
pub fn audit(sources: &mut Sources, roots: &[Root], settings: &Settings) -> (Stack, Vec<Finding>) {
    let (stack, findings, _) = audit_counted(sources, roots, settings);
    (stack, findings)
}

/// Hardening findings on development and test files are held back (rules.md, Environments)
/// unless `--all-environments`: returns how many were.
fn hold_back_by_environment(
    findings: &mut Vec<Finding>,
    sources: &Sources,
    settings: &Settings,
) -> usize {
    if settings.all_environments {
        return 0;
    }
    let mut environments: HashMap<FileId, crate::environment::Environment> = HashMap::new();
    let before = findings.len();
    findings.retain(|f| {
        if !rules::is_hardening(f.rule) {
            return true;
        }
        let environment = *environments.entry(f.file).or_insert_with(|| {
            crate::environment::of_path(sources.display(f.file), &settings.environments)
        });
        !environment.holds_back_hardening()
    });
    before - findings.len()
}

/// `audit`, and how many findings the environments held back.
pub fn audit_counted(
    sources: &mut Sources,
    roots: &[Root],
    settings: &Settings,
) -> (Stack, Vec<Finding>, usize) {
    let (stack, mut findings, held_back) = audit_uncapped(sources, roots, settings);
    mark_blocked_fixes(&mut findings, &stack, sources);
    (stack, rules::cap_per_rule_and_file(findings), held_back)
}

/// Show as suggestions the fixes `fix` would not apply, so that what a report counts as fixable
/// is what `fix` does: a fix with an edit the guard refuses (in a block the software writes
/// itself, or in a file with a line the software refuses that no fix repairs). A file whose
/// refused lines all have a repair gets its other fixes once they are repaired.
fn mark_blocked_fixes(findings: &mut [Finding], stack: &Stack, sources: &Sources) {
    if !findings.iter().any(|f| {
        f.fix
            .as_ref()
            .is_some_and(|x| x.applicability != Applicability::Display)
    }) {
        return;
    }
    let guard = guard_of(stack, sources);
    let allows = apply::guard_allows(&guard);
    let none = HashSet::new();
    // The files whose every refused line has a repair that `fix` (or `fix --unsafe-fixes`)
    // applies: once repaired, their lines no longer restrict the other fixes.
    let repaired = |unsafe_fixes: bool| -> HashSet<FileId> {
        let mut repairs: HashMap<FileId, Vec<usize>> = HashMap::new();
        for f in findings.iter().filter(|f| rules::is_syntax_rule(f.rule)) {
            if let Some(fix) = &f.fix {
                if apply::wanted(fix, unsafe_fixes) && allows(fix, true, &none) {
                    let starts = repairs.entry(f.file).or_default();
                    starts.push(f.span.start);
                    starts.extend(
                        fix.edits
                            .iter()
                            .filter(|e| e.file == f.file)
                            .map(|e| e.range.start),
                    );
                }
            }
        }
        guard
            .invalid_lines
            .iter()
            .filter(|(file, lines)| {
                let Some(starts) = repairs.get_mut(file) else {
                    return false;
                };
                starts.sort_unstable();
                lines.iter().all(|l| {
                    let at = starts.partition_point(|&s| s < l.start);
                    starts.get(at).is_some_and(|&s| s < l.end)
                })
            })
            .map(|(file, _)| *file)
            .collect()
    };
    let (after_safe, after_unsafe) = (repaired(false), repaired(true));
    for f in findings.iter_mut() {
        let repairs_syntax = rules::is_syntax_rule(f.rule);
        let Some(fix) = &mut f.fix else { continue };
        let allowed = match fix.applicability {
            Applicability::Safe => allows(fix, repairs_syntax, &after_safe),
            Applicability::Unsafe => allows(fix, repairs_syntax, &after_unsafe),
            Applicability::Display => true,
        };
        if !allowed {
            fix.applicability = Applicability::Display;
            fix.description.push_str(" (not applied by `redline fix` while the file has a line the software refuses and no fix repairs, or in a block it writes itself)");
        }
    }
}

/// `audit` with every finding: the fix loop offers the fixes of all of them (a cap there would
/// apply a hundred per rule and file per pass), and caps only what it returns for the report.
fn audit_uncapped(
    sources: &mut Sources,
    roots: &[Root],
    settings: &Settings,
) -> (Stack, Vec<Finding>, usize) {
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
    // After suppressions, so that a suppression of a held-back finding is not reported unused.
    let held_back = hold_back_by_environment(&mut findings, sources, settings);
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
    (stack, findings, held_back)
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
        // The errors PHP stops at once the first is quoted: their lines too (the PHP001 fix
        // quotes them in the same pass).
        for (file, error) in php.errors.iter().chain(&php.quotable_after) {
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
    let (paths, stdin) = stdin_input(&args.input)?;
    let found = discovery::discover_with_stdin(&paths, stdin, &settings.discovery, sources)
        .map_err(RunError)?;
    for dir in &found.skipped_output_dirs {
        eprintln!(
            "redline: note: {dir} not audited: it holds `{}`, redline's mark of an --output-dir",
            discovery::OUTPUT_MARKER
        );
    }
    for unread in &found.unread_ignore_files {
        eprintln!(
            "redline: note: {} not honoured: {}",
            report::escape_controls(&unread.path),
            report::escape_controls(&unread.error)
        );
    }
    Ok(found)
}

/// Whether `-` (standard input) is among the PATHs.
fn reads_stdin(input: &InputArgs) -> bool {
    input.paths.iter().any(|p| p.as_path() == Path::new("-"))
}

/// The PATHs to walk, and the file read from standard input when `-` is one of them (read whole,
/// bounded like a file, named by `--stdin-filename`). Without PATHs the current folder is walked;
/// with `-` alone, nothing else is.
fn stdin_input(
    input: &InputArgs,
) -> Result<(Vec<PathBuf>, Option<discovery::StdinFile>), RunError> {
    let dash = Path::new("-");
    if !reads_stdin(input) {
        if input.stdin_filename.is_some() {
            return Err(RunError(
                "--stdin-filename names the file read from standard input: pass `-` among the paths"
                    .into(),
            ));
        }
        let paths = if input.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            input.paths.clone()
        };
        return Ok((paths, None));
    }
    if input.paths.iter().filter(|p| p.as_path() == dash).count() > 1 {
        return Err(RunError(
            "`-` (standard input) is given more than once".into(),
        ));
    }
    let bytes =
        crate::source::read_stdin().map_err(|e| RunError(format!("standard input: {e}")))?;
    let name = input
        .stdin_filename
        .clone()
        .unwrap_or_else(|| PathBuf::from("-"));
    let paths = input
        .paths
        .iter()
        .filter(|p| p.as_path() != dash)
        .cloned()
        .collect();
    Ok((paths, Some(discovery::StdinFile { name, bytes })))
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
        .map(|id| report::escape_controls(sources.display(id)).into_owned())
        .collect()
}

fn render(
    format: OutputFormat,
    findings: &[Resolved],
    files: &[String],
    held_back: usize,
    info: &report::sarif::RunInfo,
) -> String {
    let mut summary = report::summarize(findings, files.len());
    summary.held_back = held_back;
    match format {
        OutputFormat::Text => report::text::render(findings, &summary),
        OutputFormat::Json => report::json::render(findings, &summary),
        OutputFormat::Sarif => report::sarif::render(findings, info),
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
fn emit(
    args: &CommonArgs,
    findings: &[Resolved],
    files: &[String],
    held_back: usize,
    info: &report::sarif::RunInfo,
) -> Result<(), RunError> {
    let reports = extra_reports(args)?;
    let colored_before = colored::control::SHOULD_COLORIZE.should_colorize();
    colored::control::set_override(false);
    for (format, path) in &reports {
        crate::confine::create_file(
            path,
            render(*format, findings, files, held_back, info).as_bytes(),
        )
        .map_err(|e| RunError(format!("{}: cannot write the report: {e}", path.display())))?;
    }
    let summary = report::text::summary_line(findings.len(), &{
        let mut s = report::summarize(findings, files.len());
        s.held_back = held_back;
        s
    });
    let body = |format| {
        if args.statistics {
            statistics(format, findings)
        } else if args.quiet && format == OutputFormat::Text {
            report::text::render_findings(findings)
        } else {
            render(format, findings, files, held_back, info)
        }
    };
    match &args.output {
        Some(path) => {
            crate::confine::create_file(path, body(args.format).as_bytes()).map_err(|e| {
                RunError(format!("{}: cannot write the report: {e}", path.display()))
            })?;
            if !args.quiet {
                eprintln!("{summary}");
            }
        }
        None => {
            colored::control::set_override(colored_before);
            let mut text = body(args.format);
            if args.statistics && args.format == OutputFormat::Text && !args.quiet {
                text.push_str(&summary);
                text.push('\n');
            }
            print_stdout(text.as_bytes())?;
        }
    }
    Ok(())
}

/// What ignore files kept out of the walk: counted, and listed with `--verbose`. A pull request
/// can add a `.gitignore`, so what it hides from the audit is never silent.
fn report_ignored(found: &discovery::Discovered, verbose: bool) {
    let n = found.ignored.len();
    if n == 0 {
        return;
    }
    eprintln!(
        "Ignore files (.gitignore, .ignore, .redlineignore) kept out {} (--no-ignore audits them{}",
        plural(n, "path", "paths"),
        if verbose {
            "):"
        } else {
            "; --verbose lists them)."
        }
    );
    if verbose {
        for path in &found.ignored {
            eprintln!("  {}", report::printable(path.as_bytes(), 400));
        }
    }
}

/// Files named like a config that hold something else: counted, and listed with `--verbose`;
/// then what ignore files kept out.
fn report_passed_over(found: &discovery::Discovered, verbose: bool) {
    report_ignored(found, verbose);
    let n = found.passed_over.len();
    if n == 0 {
        return;
    }
    eprintln!(
        "Passed over {} named like a Redis config whose content is not one{}.",
        plural(n, "file", "files"),
        if verbose {
            ":"
        } else {
            " (--verbose lists them)"
        }
    );
    if verbose {
        for path in &found.passed_over {
            eprintln!("  {}", report::printable(path.as_bytes(), 400));
        }
    }
}

fn report_file_errors(errors: &[discovery::FileError]) {
    for e in errors {
        eprintln!(
            "redline: error: {}",
            report::escape_controls(&e.to_string())
        );
    }
}

/// Write to the standard output. A closed one (`redline rules | head -1`) ends the output
/// quietly, as ripgrep does; any other failure is a failure of the run.
fn print_stdout(bytes: &[u8]) -> Result<(), RunError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(RunError(format!(
            "cannot write to the standard output: {e}"
        ))),
        _ => Ok(()),
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
            report::escape_controls(&entry.rule),
            report::escape_controls(&entry.path),
            report::escape_controls(&entry.setting),
            entry.count
        );
    }
    Ok(kept)
}

/// `redline stack`: the topology, not a lint run, so it exits 0 unless a file cannot be read.
fn stack_command(args: &crate::cli::StackArgs) -> Result<i32, RunError> {
    use crate::cli::StackFormat;
    let common = args.as_common();
    let settings = settings(&common)?;
    let mut sources = Sources::confined(settings.tree.clone());
    let found = discover(&common, &settings, &mut sources)?;
    let (stack, findings) = audit(&mut sources, &found.roots, &settings);
    let text = match args.format {
        StackFormat::Text => report::topology::text(&stack, &sources, &findings),
        StackFormat::Json => report::topology::json(&stack, &sources, &findings),
        StackFormat::Dot => report::topology::dot(&stack, &sources, &findings),
        StackFormat::Mermaid => report::topology::mermaid(&stack, &sources, &findings),
    };
    print_stdout(text.as_bytes())?;
    report_file_errors(&found.errors);
    if !common.quiet {
        report_passed_over(&found, common.input.verbose);
    }
    Ok(if found.errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_FAILURE
    })
}

fn check(args: &CommonArgs) -> Result<i32, RunError> {
    let settings = settings(args)?;
    let mut sources = Sources::confined(settings.tree.clone());
    let found = discover(args, &settings, &mut sources)?;
    let (stack, findings, held_back) = audit_counted(&mut sources, &found.roots, &settings);
    drop(stack);
    let resolved = resolve_for_output(args, &findings, &sources, &settings)?;
    // The report needs only the resolved findings and the file names: free the rest first (on a
    // large tree the configs and their models are most of the memory used).
    drop(findings);
    let files = audited_files(&sources);
    drop(sources);
    let code = if !found.errors.is_empty() {
        EXIT_FAILURE
    } else if fails(&resolved, settings.fail_on) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    };
    let info = run_info(code, &found.errors, &settings);
    emit(args, &resolved, &files, held_back, &info)?;
    report_file_errors(&found.errors);
    if !args.quiet {
        report_passed_over(&found, args.input.verbose);
    }
    Ok(code)
}

/// What the SARIF report records about the run.
fn run_info(
    code: i32,
    errors: &[discovery::FileError],
    settings: &Settings,
) -> report::sarif::RunInfo {
    report::sarif::RunInfo {
        exit_code: code,
        errors: errors.iter().map(|e| e.to_string()).collect(),
        severity: settings.severity.clone(),
        root: std::env::current_dir().ok(),
    }
}

/// A run that failed before it could audit (a bad redline.toml, a missing path) still writes
/// every `--report` it was asked for, recording the failure: CI's `if: always()` upload steps
/// then find their file.
fn write_failure_reports(args: &CommonArgs, message: &str) {
    let Ok(reports) = extra_reports(args) else {
        return;
    };
    let info = report::sarif::RunInfo {
        exit_code: EXIT_FAILURE,
        errors: vec![message.to_string()],
        severity: BTreeMap::new(),
        root: std::env::current_dir().ok(),
    };
    colored::control::set_override(false);
    for (format, path) in reports {
        let text = match format {
            OutputFormat::Junit => report::junit::render_failure(message),
            _ => render(format, &[], &[], 0, &info),
        };
        if let Err(e) = crate::confine::create_file(&path, text.as_bytes()) {
            eprintln!(
                "redline: error: {}: cannot write the report: {e}",
                path.display()
            );
        }
    }
}

/// A fix by the finding that offers it: rule, file and where the finding starts.
type FixKey = (&'static str, FileId, usize);

/// A file changed by a fix pass: its bytes before the pass and its syntax findings then.
type FileBefore = (FileId, Vec<u8>, usize);

/// A fix that `fix` left out because applying it made a file unreadable (a new syntax finding):
/// the finding stays, and the run says so.
#[derive(Debug, Clone)]
pub struct SkippedFix {
    pub rule: &'static str,
    pub description: String,
    /// The file of the finding that offered it.
    pub file: FileId,
    /// The files the fix made unreadable.
    pub broke: Vec<FileId>,
}

/// A fix applied in the last pass: its key, its description and the files it edits.
struct PassFix {
    key: FixKey,
    description: String,
    files: Vec<FileId>,
}

/// Apply fixes in memory until none is left to apply. Returns the final findings and how many
/// fixes were applied.
pub fn fix_until_stable(
    sources: &mut Sources,
    roots: &[Root],
    settings: &Settings,
    unsafe_fixes: bool,
) -> (Vec<Finding>, usize) {
    let (findings, applied, _) =
        fix_until_stable_with_skips(sources, roots, settings, unsafe_fixes);
    (findings, applied)
}

/// `fix_until_stable`, also returning the fixes left out because they made a file unreadable.
///
/// A pass applies every fix that fits. When it adds a syntax finding to a file, the pass is
/// undone and only the fixes that edited such a file are suspects: one alone is left out; more
/// are tried half by half (each half alone in a pass), so one bad fix costs a few passes and
/// never the fixes of other files. The findings returned are capped for the report; the loop
/// itself sees all of them.
pub fn fix_until_stable_with_skips(
    sources: &mut Sources,
    roots: &[Root],
    settings: &Settings,
    unsafe_fixes: bool,
) -> (Vec<Finding>, usize, Vec<SkippedFix>) {
    let mut applied: usize = 0;
    // Fixes whose edits made a file worse (a new syntax finding): never applied again.
    let mut rejected: HashSet<FixKey> = HashSet::new();
    let mut skipped: Vec<SkippedFix> = Vec::new();
    // Groups of suspect fixes, each to be tried alone in a pass (the last one next).
    let mut trials: Vec<HashSet<FixKey>> = Vec::new();
    // The last pass: each changed file's bytes before it and its syntax findings then, and the
    // fixes it applied.
    let mut last_pass: Option<(Vec<FileBefore>, Vec<PassFix>)> = None;
    let syntax_counts = |findings: &[Finding]| {
        let mut counts: HashMap<FileId, usize> = HashMap::new();
        for f in findings.iter().filter(|f| rules::is_syntax_rule(f.rule)) {
            *counts.entry(f.file).or_default() += 1;
        }
        counts
    };
    // A pass either applies fixes or leaves one out, so the fixes bound the passes; a file that
    // reveals one more fix per pass (none should, since php.ini's syntax errors are all quoted
    // in one) is bounded by its lines.
    let lines: usize = sources.ids().map(|id| sources.doc(id).line_count()).sum();
    for _ in 0..MAX_FIX_PASSES + lines {
        let (stack, findings, _) = audit_uncapped(sources, roots, settings);
        let counts = syntax_counts(&findings);
        if let Some((before, fixes)) = last_pass.take() {
            let broke: Vec<FileId> = before
                .iter()
                .filter(|(file, _, count)| counts.get(file).copied().unwrap_or(0) > *count)
                .map(|(file, _, _)| *file)
                .collect();
            if !broke.is_empty() {
                for (file, bytes, _) in before {
                    sources.replace(file, bytes);
                }
                applied = applied.saturating_sub(fixes.len());
                let suspects: Vec<PassFix> = fixes
                    .into_iter()
                    .filter(|f| f.files.iter().any(|file| broke.contains(file)))
                    .collect();
                if let [culprit] = suspects.as_slice() {
                    rejected.insert(culprit.key);
                    skipped.push(SkippedFix {
                        rule: culprit.key.0,
                        description: culprit.description.clone(),
                        file: culprit.key.1,
                        broke: culprit
                            .files
                            .iter()
                            .copied()
                            .filter(|f| broke.contains(f))
                            .collect(),
                    });
                } else {
                    let keys: Vec<FixKey> = suspects.iter().map(|f| f.key).collect();
                    let (first, second) = keys.split_at(keys.len() / 2);
                    trials.push(second.iter().copied().collect());
                    trials.push(first.iter().copied().collect());
                }
                // The files are back as they were: audit them again.
                continue;
            }
        }
        let guard = guard_of(&stack, sources);
        let trial = trials.pop();
        let key = |f: &Finding| -> FixKey { (f.rule, f.file, f.span.start) };
        let offered: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.fix.is_some())
            .filter(|f| !rejected.contains(&key(f)))
            .filter(|f| trial.as_ref().is_none_or(|t| t.contains(&key(f))))
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
            if trial.is_some() {
                // The group's fixes are gone (applied with another, or moved): go on.
                last_pass = None;
                continue;
            }
            break;
        }
        let chosen_at: HashSet<*const crate::fix::Fix> =
            chosen.iter().map(|c| *c as *const _).collect();
        let pass_fixes: Vec<PassFix> = offered
            .iter()
            .filter_map(|f| {
                let fix = f.fix.as_ref()?;
                chosen_at.contains(&(fix as *const _)).then(|| {
                    let mut files: Vec<FileId> = fix.edits.iter().map(|e| e.file).collect();
                    files.sort_unstable();
                    files.dedup();
                    PassFix {
                        key: key(f),
                        description: fix.description.clone(),
                        files,
                    }
                })
            })
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
                before.push((file, old.to_vec(), counts.get(&file).copied().unwrap_or(0)));
                sources.replace(file, after);
            }
        }
        applied += chosen.len();
        if before.is_empty() {
            break;
        }
        last_pass = Some((before, pass_fixes));
    }
    // The pass bound was reached right after a pass that made a file worse: undo it.
    if let Some((before, fixes)) = last_pass {
        let counts = syntax_counts(&audit_uncapped(sources, roots, settings).1);
        if before
            .iter()
            .any(|(file, _, count)| counts.get(file).copied().unwrap_or(0) > *count)
        {
            for (file, bytes, _) in before {
                sources.replace(file, bytes);
            }
            applied = applied.saturating_sub(fixes.len());
        }
    }
    let (_, findings) = audit(sources, roots, settings);
    (findings, applied, skipped)
}

/// Where `--output-dir` puts the copy of `source`: its path relative to the current folder (an
/// absolute one without its leading `/`), from the path's bytes, never from the display string,
/// which is lossy for names that are not UTF-8.
fn output_copy_path(dir: &Path, source: &Path, cwd: Option<&Path>) -> PathBuf {
    let normalized = crate::source::normalize(source);
    let relative = cwd
        .map(crate::source::normalize)
        .and_then(|cwd| normalized.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or(normalized);
    let relative: PathBuf = relative
        .components()
        .filter(|c| matches!(c, std::path::Component::Normal(_)))
        .collect();
    dir.join(relative)
}

fn output_dir_error(path: &Path, why: String) -> RunError {
    RunError(format!(
        "--output-dir: {}: {why}; nothing was written",
        path.display()
    ))
}

/// Create the output folder and the folders of every copy, never through a symbolic link under
/// it: a link planted at a copy's folder would make redline write wherever it points.
fn prepare_output_folders(dir: &Path, plans: &[PlannedWrite]) -> Result<(), RunError> {
    let fail = output_dir_error;
    // A link a pull request planted where CI's output folder goes would send every copy there.
    if std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(fail(
            dir,
            "a symbolic link is at this path; pass the folder's real path".into(),
        ));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| fail(dir, format!("cannot create the folder: {e}")))?;
    for plan in plans {
        let Ok(relative) = plan.path.strip_prefix(dir) else {
            continue;
        };
        let mut folder = dir.to_path_buf();
        let parts: Vec<_> = relative.components().collect();
        for part in &parts[..parts.len().saturating_sub(1)] {
            folder.push(part);
            match std::fs::symlink_metadata(&folder) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(fail(
                        &folder,
                        "a symbolic link is at this path; redline does not write through it".into(),
                    ))
                }
                Ok(m) if m.is_dir() => {}
                Ok(_) => return Err(fail(&folder, "not a folder".into())),
                Err(_) => std::fs::create_dir(&folder)
                    .map_err(|e| fail(&folder, format!("cannot create the folder: {e}")))?,
            }
        }
    }
    Ok(())
}

/// Mark the output folder: discovery never walks a folder holding the marker, so the copies are
/// not audited (or copied into themselves) by the next run.
fn mark_output_dir(dir: &Path) -> Result<(), RunError> {
    let fail = output_dir_error;
    let marker = dir.join(discovery::OUTPUT_MARKER);
    crate::confine::create_file(
        &marker,
        b"Patched copies written by `redline fix --output-dir`. redline does not audit a folder holding this file.\n",
    )
    .map_err(|e| fail(&marker, format!("cannot write the marker: {e}")))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn fix(args: &FixArgs) -> Result<i32, RunError> {
    let common = &args.common;
    if reads_stdin(&common.input) {
        return fix_stdin(args);
    }
    let settings = settings(common)?;
    let mut sources = Sources::confined(settings.tree.clone());
    let found = discover(common, &settings, &mut sources)?;
    let config_file = settings.config_file.as_ref().map(|(p, _)| p.clone());
    let (remaining, applied, skipped) =
        fix_until_stable_with_skips(&mut sources, &found.roots, &settings, args.unsafe_fixes);
    // A fix that could not be made leaves its finding: exit 1, as for findings left after a
    // write (the run itself did not fail: every other fix was made).
    let done = |sources: &Sources| {
        report_skipped_fixes(&skipped, sources);
        report_file_errors(&found.errors);
        if !found.errors.is_empty() {
            EXIT_FAILURE
        } else if !skipped.is_empty() {
            EXIT_FINDINGS
        } else {
            EXIT_OK
        }
    };
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
                crate::confine::create_file(path, body.as_bytes()).map_err(|e| {
                    RunError(format!("{}: cannot write the diff: {e}", path.display()))
                })?;
            }
            None => print_stdout(body.as_bytes())?,
        }
        if !common.quiet {
            eprintln!("{summary}");
        }
        let code = done(&sources);
        if !common.quiet {
            report_passed_over(&found, common.input.verbose);
        }
        // Like a formatter's --check: a dry run that would change something exits 1.
        return Ok(if code != EXIT_OK {
            code
        } else if !changed.is_empty() {
            EXIT_FINDINGS
        } else {
            EXIT_OK
        });
    }

    let mut plans = Vec::new();
    if let Some(dir) = &args.output_dir {
        let cwd = std::env::current_dir().ok();
        let mut copies: HashMap<PathBuf, &str> = HashMap::new();
        for id in sources
            .ids()
            .filter(|id| Some(&sources.get(*id).path) != config_file.as_ref())
        {
            let file = sources.get(id);
            let copy = output_copy_path(dir, &file.path, cwd.as_deref());
            if let Some(other) = copies.insert(copy.clone(), &file.display) {
                return Err(RunError(format!(
                    "--output-dir: `{}` and `{other}` would both be copied to `{}`; nothing was written",
                    file.display,
                    copy.display()
                )));
            }
            plans.push(PlannedWrite {
                path: copy,
                contents: file.doc.bytes().to_vec(),
                expected: None,
                like: Some(file.path.clone()),
            });
        }
        prepare_output_folders(dir, &plans)?;
    } else {
        for id in &changed {
            let file = sources.get(*id);
            if args.backup {
                plans.push(PlannedWrite {
                    path: write::backup_path(&file.path),
                    contents: file.original().to_vec(),
                    expected: None,
                    like: Some(file.path.clone()),
                });
            }
            plans.push(PlannedWrite {
                path: file.path.clone(),
                contents: file.doc.bytes().to_vec(),
                expected: Some(file.original().to_vec()),
                like: None,
            });
        }
    }
    let hard_linked = write::hard_linked(&plans);
    write::write_all_in(&plans, &mut RealFs, &settings.tree)
        .map_err(|e| RunError(format!("nothing was written: {e}")))?;
    if let Some(dir) = &args.output_dir {
        mark_output_dir(dir)?;
    }
    for (path, links) in hard_linked {
        eprintln!(
            "redline: note: {} had {links} hard links; the atomic write gave this name a new file, and the other links keep the old content",
            crate::source::display_path(&path, std::env::current_dir().ok().as_deref())
        );
    }
    let where_ = match &args.output_dir {
        Some(dir) => format!(" (patched copies under {})", dir.display()),
        None => String::new(),
    };
    let resolved = resolve_for_output(common, &remaining, &sources, &settings)?;
    let info = run_info(
        if found.errors.is_empty() {
            EXIT_OK
        } else {
            EXIT_FAILURE
        },
        &found.errors,
        &settings,
    );
    emit(common, &resolved, &audited_files(&sources), 0, &info)?;
    eprintln!(
        "Applied {} to {}{where_}{hint}.",
        plural(applied, "fix", "fixes"),
        plural(changed.len(), "file", "files")
    );
    let code = done(&sources);
    if !common.quiet {
        report_passed_over(&found, common.input.verbose);
    }
    Ok(if code != EXIT_OK {
        code
    } else if fails(&resolved, settings.fail_on) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// `fix -`, as formatters do: the file read from standard input, fixed, goes to standard output
/// (or `--output`); what is left is listed on standard error. Exit 1 when findings at or above
/// `--fail-on` remain, as after `fix --write`.
fn fix_stdin(args: &FixArgs) -> Result<i32, RunError> {
    let common = &args.common;
    if args.write || args.output_dir.is_some() {
        return Err(RunError(
            "`fix -` prints the fixed standard input; --write and --output-dir write files on disk"
                .into(),
        ));
    }
    if common.input.paths.len() > 1 {
        return Err(RunError(
            "`fix -` prints the fixed standard input and takes no other PATH".into(),
        ));
    }
    let settings = settings(common)?;
    let mut sources = Sources::confined(settings.tree.clone());
    let found = discover(common, &settings, &mut sources)?;
    let name = common
        .input
        .stdin_filename
        .clone()
        .unwrap_or_else(|| PathBuf::from("-"));
    let (remaining, applied, skipped) =
        fix_until_stable_with_skips(&mut sources, &found.roots, &settings, args.unsafe_fixes);
    let fixed = sources
        .id_of(&name)
        .map(|id| sources.doc(id).bytes().to_vec())
        .ok_or_else(|| RunError("standard input: not read".into()))?;
    match &common.output {
        Some(path) => crate::confine::create_file(path, &fixed).map_err(|e| {
            RunError(format!(
                "{}: cannot write the fixed file: {e}",
                path.display()
            ))
        })?,
        None => print_stdout(&fixed)?,
    }
    report_skipped_fixes(&skipped, &sources);
    let resolved = resolve_for_output(common, &remaining, &sources, &settings)?;
    if !common.quiet {
        let left = report::text::render_findings(&resolved);
        eprint!("{left}");
        eprintln!(
            "Applied {} to {}; {} left.",
            plural(applied, "fix", "fixes"),
            report::escape_controls(&crate::source::display_path(
                &name,
                std::env::current_dir().ok().as_deref()
            )),
            plural(resolved.len(), "finding", "findings")
        );
    }
    report_file_errors(&found.errors);
    Ok(if !found.errors.is_empty() {
        EXIT_FAILURE
    } else if !skipped.is_empty() || fails(&resolved, settings.fail_on) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// Name each fix left out, the file it was for and the files it would have made unreadable.
fn report_skipped_fixes(skipped: &[SkippedFix], sources: &Sources) {
    for s in skipped {
        let broke: Vec<String> = s
            .broke
            .iter()
            .map(|f| report::escape_controls(sources.display(*f)).into_owned())
            .collect();
        eprintln!(
            "redline: {}: skipped the {} fix `{}`: it would make {} unreadable (a new syntax error); the finding stays",
            report::escape_controls(sources.display(s.file)),
            s.rule,
            report::escape_controls(&s.description),
            broke.join(", ")
        );
    }
}

fn rules_command(format: CatalogFormat) -> Result<i32, RunError> {
    use std::fmt::Write as _;
    let catalog = rules::catalog();
    let mut out = String::new();
    match format {
        CatalogFormat::Json => {
            let rows: Vec<_> = catalog
                .iter()
                .map(|r| serde_json::json!({"id": r.id, "name": r.name, "severity": r.severity.as_str(), "fix": r.fix, "summary": r.summary}))
                .collect();
            out = serde_json::to_string_pretty(&rows).expect("serialises") + "\n";
        }
        CatalogFormat::Text => {
            for r in catalog {
                let _ = writeln!(
                    out,
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
    print_stdout(out.as_bytes())?;
    Ok(EXIT_OK)
}

fn explain(id: &str) -> Result<i32, RunError> {
    use std::fmt::Write as _;
    let r = rules::rule(id).ok_or_else(|| {
        RunError(format!(
            "unknown rule `{}`; `redline rules` lists them",
            report::escape_controls(id)
        ))
    })?;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} ({}, fix: {})\n",
        r.id,
        r.name,
        r.severity.as_str(),
        r.fix
    );
    let _ = writeln!(out, "{}\n", r.summary);
    let _ = writeln!(out, "{}\n", r.explanation.trim());
    let _ = writeln!(out, "Example:\n");
    for line in r.example.trim().lines() {
        let _ = writeln!(out, "    {line}");
    }
    let _ = writeln!(out, "\nFix: {}\n", r.fix_description);
    if !r.references.is_empty() {
        let _ = writeln!(out, "References:");
        for reference in &r.references {
            let _ = writeln!(out, "  - {reference}");
        }
    }
    print_stdout(out.as_bytes())?;
    Ok(EXIT_OK)
}

fn set_color(choice: ColorChoice) {
    // FORCE_COLOR and CLICOLOR_FORCE (set and not `0`) force colour like --color always, as CI
    // runners that render ANSI set them; NO_COLOR still wins over a terminal.
    let forced = ["FORCE_COLOR", "CLICOLOR_FORCE"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0"));
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if forced => true,
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
        Command::Rules { format } => rules_command(*format),
        Command::Explain { id } => explain(id),
        Command::Completions { shell } => {
            // Rendered first: clap_complete panics on a failed write (a closed stdout).
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "redline", &mut script);
            print_stdout(&script).map(|()| EXIT_OK)
        }
        Command::Man => {
            print_stdout(crate::manual::render(&Cli::command()).as_bytes()).map(|()| EXIT_OK)
        }
    };
    match result {
        Ok(code) => code,
        Err(RunError(message)) => {
            match &cli.command {
                Command::Check(args) => write_failure_reports(&args.common, &message),
                Command::Fix(args) => write_failure_reports(&args.common, &message),
                _ => {}
            }
            eprintln!("redline: error: {}", report::escape_controls(&message));
            EXIT_FAILURE
        }
    }
}
