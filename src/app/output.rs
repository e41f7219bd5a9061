//! Reports: rendering, `--output`, `--report`, baselines, statistics and the notes on stderr.

use super::{plural, RunError, Settings, EXIT_FAILURE};
use crate::baseline;
use crate::cli::{CommonArgs, OutputFormat};
use crate::config::FailOn;
use crate::discovery;
use crate::report::{self, Resolved};
use crate::rules::Finding;
use crate::source::Sources;
use clap::ValueEnum;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

pub(super) fn fails(findings: &[Resolved], fail_on: FailOn) -> bool {
    match fail_on {
        FailOn::Never => false,
        FailOn::Level(level) => findings.iter().any(|f| f.severity >= level),
    }
}

pub(super) fn statistics(format: OutputFormat, findings: &[Resolved]) -> String {
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
pub(super) fn audited_files(sources: &Sources) -> Vec<String> {
    sources
        .ids()
        .map(|id| report::escape_controls(sources.display(id)).into_owned())
        .collect()
}

pub(super) fn render(
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
pub(super) fn extra_reports(args: &CommonArgs) -> Result<Vec<(OutputFormat, PathBuf)>, RunError> {
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
pub(super) fn emit(
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
        super::plural(n, "path", "paths"),
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

/// Files named like a config that hold something else: counted, and listed with `--verbose`.
pub(super) fn report_passed_over(found: &discovery::Discovered, verbose: bool) {
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

pub(super) fn report_file_errors(errors: &[discovery::FileError]) {
    for e in errors {
        eprintln!(
            "redline: error: {}",
            report::escape_controls(&e.to_string())
        );
    }
}

/// Write to the standard output. A closed one (`redline rules | head -1`) ends the output
/// quietly, as ripgrep does; any other failure is a failure of the run.
pub(super) fn print_stdout(bytes: &[u8]) -> Result<(), RunError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(RunError(format!(
            "cannot write to the standard output: {e}"
        ))),
        _ => Ok(()),
    }
}

/// Resolve findings for output, apply `--baseline`, and write `--write-baseline`.
pub(super) fn resolve_for_output(
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
/// What the SARIF report records about the run.
pub(super) fn run_info(
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
pub(super) fn write_failure_reports(args: &CommonArgs, message: &str) {
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
