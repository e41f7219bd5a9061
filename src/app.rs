//! Running a command: settings from the command line and redline.toml, discovery, the audit (and
//! for `fix`, the fix loop and the writes), then the reports and the exit code.

mod catalog;
mod live;
mod output;
mod output_dir;
mod settings;

pub use crate::engine::{
    audit, audit_counted, fix_until_stable, fix_until_stable_with_skips, FileIgnore, Settings,
    SkippedFix,
};

use crate::cli::{Cli, ColorChoice, Command, CommonArgs, FixArgs, InputArgs};
use crate::discovery;
use crate::fix::write::{self, PlannedWrite, RealFs};
use crate::fix::Applicability;
use crate::report::{self, diff};
use crate::source::{FileId, Sources};
use catalog::{explain, rules_command};
use clap::CommandFactory;
use output::{
    audited_files, emit, fails, print_stdout, report_file_errors, report_passed_over,
    resolve_for_output, run_info, write_failure_reports,
};
use output_dir::{mark_output_dir, output_copy_path, prepare_output_folders};
use settings::settings;
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

pub const EXIT_OK: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_FAILURE: i32 = 2;

/// A failure of the run itself (exit 2), with a message that names the file and why.
#[derive(Debug)]
pub struct RunError(pub String);

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

fn stack_command(args: &crate::cli::StackArgs) -> Result<i32, RunError> {
    use crate::cli::StackFormat;
    let common = args.as_common();
    let mut settings = settings(&common)?;
    let mut sources = Sources::confined(settings.tree.clone());
    let mut found = discover(&common, &settings, &mut sources)?;
    live::read_targets(
        &common.live,
        &mut settings,
        &mut sources,
        &mut found.roots,
        &mut found.errors,
    )?;
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
    let mut settings = settings(args)?;
    let mut sources = Sources::confined(settings.tree.clone());
    let mut found = discover(args, &settings, &mut sources)?;
    live::read_targets(
        &args.live,
        &mut settings,
        &mut sources,
        &mut found.roots,
        &mut found.errors,
    )?;
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

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn fix(args: &FixArgs) -> Result<i32, RunError> {
    let common = &args.common;
    if !common.live.live.is_empty() {
        return Err(RunError(
            "--live is for `check` and `stack`: redline never changes a running server".into(),
        ));
    }
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
