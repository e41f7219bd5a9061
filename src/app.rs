//! Running a command: settings from the command line and redline.toml, discovery, the audit (and
//! for `fix`, the fix loop and the writes), then the report and the exit code.

use crate::cli::{
    CatalogFormat, Cli, ColorChoice, Command, CommonArgs, FailOnArg, FixArgs, OutputFormat,
};
use crate::config::{self, FailOn, FileConfig};
use crate::discovery::{self, DiscoveryOptions, FileKind};
use crate::fix::apply::{self, Guard};
use crate::fix::write::{self, PlannedWrite, RealFs};
use crate::model::redis::{IssueKind, LoadOptions, RedisModel};
use crate::report::{self, diff};
use crate::rules::{self, Context, Finding, Selection, Severity};
use crate::source::Sources;
use crate::stack::{self, DeclaredRole, Root, Stack};
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

/// Fixing stops after this many passes even if fixes keep appearing (they should not).
const MAX_FIX_PASSES: usize = 8;

pub struct Settings {
    pub fail_on: FailOn,
    pub selection: Selection,
    pub severity: BTreeMap<String, Severity>,
    pub per_file_ignores: Vec<(Pattern, Vec<String>)>,
    pub discovery: DiscoveryOptions,
    pub load: LoadOptions,
    pub declared: Vec<DeclaredRole>,
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
            discovery: DiscoveryOptions::default(),
            load: LoadOptions::default(),
            declared: Vec::new(),
            show_secrets: false,
        }
    }
}

fn settings(args: &CommonArgs) -> Result<Settings, RunError> {
    let file = if args.no_config {
        FileConfig::default()
    } else if let Some(path) = &args.config {
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
    for text in file.exclude.iter().chain(&args.exclude) {
        exclude.push(pattern(text, "--exclude")?);
    }
    let mut types = Vec::new();
    for spec in &args.types {
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
    for (glob, ids) in &file.per_file_ignores {
        per_file_ignores.push((pattern(glob, "per-file-ignores")?, ids.clone()));
    }
    let redis_version = match &args.redis_version {
        Some(v) => Some(
            config::parse_redis_version(v)
                .map_err(|m| RunError(format!("--redis-version: {m}")))?,
        ),
        None => file.redis_version,
    };
    if let Some(root) = &args.root {
        if !root.is_dir() {
            return Err(RunError(format!("--root {}: not a folder", root.display())));
        }
    }
    Ok(Settings {
        fail_on,
        selection,
        severity: file.severity.clone(),
        per_file_ignores,
        discovery: DiscoveryOptions { exclude, types },
        load: LoadOptions {
            root_dir: args.root.clone(),
            version: redis_version,
        },
        declared: file.instances.clone(),
        show_secrets: args.show_secrets,
    })
}

/// Build the stack and run the rules, then apply selection, per-file ignores and severity
/// overrides.
pub fn audit(sources: &mut Sources, roots: &[Root], settings: &Settings) -> (Stack, Vec<Finding>) {
    let stack = stack::build(sources, roots, &settings.load, &settings.declared);
    let ctx = Context {
        sources,
        stack: &stack,
        redis_version: settings.load.version,
    };
    let mut findings = rules::run(&ctx);
    findings.retain(|f| settings.selection.enabled(f.rule));
    findings.retain(|f| {
        let path = sources.display(f.file);
        !settings
            .per_file_ignores
            .iter()
            .any(|(p, ids)| p.matches(path) && ids.iter().any(|id| f.rule.starts_with(id.as_str())))
    });
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
            if doc.lines().is_empty() {
                continue;
            }
            let first = doc.line_index(issue.span.start);
            let last = doc.line_index(issue.span.end.saturating_sub(1).max(issue.span.start));
            let range = doc.lines()[first].start..doc.lines()[last].end();
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
    guard
}

fn discover(
    args: &CommonArgs,
    settings: &Settings,
    sources: &mut Sources,
) -> Result<discovery::Discovered, RunError> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    discovery::discover(&paths, &settings.discovery, sources).map_err(RunError)
}

fn fails(findings: &[Finding], fail_on: FailOn) -> bool {
    match fail_on {
        FailOn::Never => false,
        FailOn::Level(level) => findings.iter().any(|f| f.severity >= level),
    }
}

fn render(
    format: OutputFormat,
    findings: &[Finding],
    sources: &Sources,
    show_secrets: bool,
) -> (String, String) {
    let resolved = report::resolve(findings, sources, show_secrets);
    let summary = report::summarize(&resolved, sources.len());
    let line = report::text::summary_line(resolved.len(), &summary);
    let body = match format {
        OutputFormat::Text => report::text::render(&resolved, &summary),
        OutputFormat::Json => report::json::render(&resolved, &summary),
    };
    (body, line)
}

/// Print the report to stdout, or write it to `--output` (then the summary goes to stderr).
fn emit(args: &CommonArgs, body: &str, summary: &str) -> Result<(), RunError> {
    match &args.output {
        Some(path) => {
            std::fs::write(path, body).map_err(|e| {
                RunError(format!("{}: cannot write the report: {e}", path.display()))
            })?;
            eprintln!("{summary}");
        }
        None => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(body.as_bytes());
        }
    }
    Ok(())
}

fn report_file_errors(errors: &[discovery::FileError]) {
    for e in errors {
        eprintln!("redline: error: {e}");
    }
}

fn check(args: &CommonArgs) -> Result<i32, RunError> {
    let settings = settings(args)?;
    let mut sources = Sources::new();
    let found = discover(args, &settings, &mut sources)?;
    let (_, findings) = audit(&mut sources, &found.roots, &settings);
    // The report is plain when it goes to a file.
    if args.output.is_some() {
        colored::control::set_override(false);
    }
    let (body, summary) = render(args.format, &findings, &sources, settings.show_secrets);
    emit(args, &body, &summary)?;
    report_file_errors(&found.errors);
    Ok(if !found.errors.is_empty() {
        EXIT_FAILURE
    } else if fails(&findings, settings.fail_on) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// Apply fixes in memory until none is left to apply. Returns the final findings and how many
/// fixes were applied.
pub fn fix_until_stable(
    sources: &mut Sources,
    roots: &[Root],
    settings: &Settings,
    unsafe_fixes: bool,
) -> (Vec<Finding>, usize) {
    let mut applied = 0;
    for _ in 0..MAX_FIX_PASSES {
        let (stack, findings) = audit(sources, roots, settings);
        let guard = guard_of(&stack, sources);
        let chosen = apply::select(
            findings.iter().filter_map(|f| f.fix.as_ref()),
            unsafe_fixes,
            &guard,
        );
        if chosen.is_empty() {
            return (findings, applied);
        }
        let mut per_file: HashMap<usize, Vec<&crate::fix::Edit>> = HashMap::new();
        for fix in &chosen {
            for edit in &fix.edits {
                per_file.entry(edit.file).or_default().push(edit);
            }
        }
        let mut changed = false;
        for (file, edits) in per_file {
            let before = sources.doc(file).bytes();
            let after = apply::apply_edits(before, &edits);
            if after != before {
                sources.replace(file, after);
                changed = true;
            }
        }
        applied += chosen.len();
        if !changed {
            break;
        }
    }
    let (_, findings) = audit(sources, roots, settings);
    (findings, applied)
}

fn output_copy_path(dir: &Path, shown: &str) -> PathBuf {
    dir.join(shown.trim_start_matches('/'))
}

fn fix(args: &FixArgs) -> Result<i32, RunError> {
    let common = &args.common;
    let settings = settings(common)?;
    let mut sources = Sources::new();
    let found = discover(common, &settings, &mut sources)?;
    let (remaining, applied) =
        fix_until_stable(&mut sources, &found.roots, &settings, args.unsafe_fixes);
    let changed = sources.changed();
    let unsafe_left = remaining
        .iter()
        .filter(|f| {
            f.fix
                .as_ref()
                .is_some_and(|x| x.applicability == crate::fix::Applicability::Unsafe)
        })
        .count();
    let hint = if !args.unsafe_fixes && unsafe_left > 0 {
        format!(" ({unsafe_left} more with --unsafe-fixes)")
    } else {
        String::new()
    };
    if common.output.is_some() {
        colored::control::set_override(false);
    }

    if !args.write && args.output_dir.is_none() {
        let show = settings.show_secrets;
        let redact = move |line: &[u8]| {
            if show {
                line.to_vec()
            } else {
                crate::secret::redact_line(line)
            }
        };
        let mut body = String::new();
        for id in &changed {
            let file = sources.get(*id);
            body.push_str(&diff::unified(
                &file.display,
                &file.original,
                file.doc.bytes(),
                &redact,
            ));
        }
        let summary = format!(
            "Would apply {applied} fix{} to {} file{}{hint}. Run with --write to apply.",
            if applied == 1 { "" } else { "es" },
            changed.len(),
            if changed.len() == 1 { "" } else { "s" }
        );
        match &common.output {
            Some(_) => emit(common, &body, &summary)?,
            None => {
                print!("{body}");
                eprintln!("{summary}");
            }
        }
        report_file_errors(&found.errors);
        return Ok(if found.errors.is_empty() {
            EXIT_OK
        } else {
            EXIT_FAILURE
        });
    }

    let mut plans = Vec::new();
    if let Some(dir) = &args.output_dir {
        for id in sources.ids() {
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
                    contents: file.original.clone(),
                    expected: None,
                });
            }
            plans.push(PlannedWrite {
                path: file.path.clone(),
                contents: file.doc.bytes().to_vec(),
                expected: Some(file.original.clone()),
            });
        }
    }
    write::write_all(&plans, &mut RealFs)
        .map_err(|e| RunError(format!("nothing was written: {e}")))?;
    let where_ = match &args.output_dir {
        Some(dir) => format!(" (patched copies under {})", dir.display()),
        None => String::new(),
    };
    let (body, summary) = render(common.format, &remaining, &sources, settings.show_secrets);
    emit(common, &body, &summary)?;
    eprintln!(
        "Applied {applied} fix{} to {} file{}{where_}{hint}.",
        if applied == 1 { "" } else { "es" },
        changed.len(),
        if changed.len() == 1 { "" } else { "s" }
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
        Command::Rules { format } => Ok(rules_command(*format)),
        Command::Explain { id } => explain(id),
    };
    match result {
        Ok(code) => code,
        Err(RunError(message)) => {
            eprintln!("redline: error: {message}");
            EXIT_FAILURE
        }
    }
}
