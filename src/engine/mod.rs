//! The engine: build the stack, run the rules, then selection, `[per-file-ignores]`, inline
//! suppressions, environments and severity overrides; the guard that keeps fixes out of lines the
//! software refuses; and (`fix_loop`) fixing until the files stabilise. No printing, no CLI.

mod fix_loop;

pub use fix_loop::{fix_until_stable, fix_until_stable_with_skips, SkippedFix};

use crate::config::FailOn;
use crate::discovery::DiscoveryOptions;
use crate::discovery::Root;
use crate::fix::apply::{self, Guard};
use crate::fix::Applicability;
use crate::model::redis::{IssueKind, LoadOptions, RedisModel};
use crate::rules::{self, Context, Finding, RuleId, Selection, Severity};
use crate::source::{FileId, Sources};
use crate::stack::{self, DeclaredRole, Stack};
use glob::Pattern;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

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
    /// Running servers read for `check --live`, their configurations already in `Sources`.
    pub live: Vec<crate::live::LiveTarget>,
    /// `live = "TARGET"` of redline.toml's `[[instance]]`s: the target and its config.
    pub live_links: Vec<(String, PathBuf)>,
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
            live: Vec::new(),
            live_links: Vec::new(),
        }
    }
}
/// Drop findings that `[per-file-ignores]` covers; report entries that covered nothing (RL001,
/// pointing into redline.toml).
pub fn apply_per_file_ignores(
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
                crate::rules::RuleId::RL001,
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
        let of_file = *environments.entry(f.file).or_insert_with(|| {
            crate::environment::of_path(sources.display(f.file), &settings.environments)
        });
        // A finding about a development or test config class is held back like its file would be;
        // a held-back file holds back everything in it.
        !of_file.holds_back_hardening() && !f.environment.is_some_and(|e| e.holds_back_hardening())
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
pub(crate) fn audit_uncapped(
    sources: &mut Sources,
    roots: &[Root],
    settings: &Settings,
) -> (Stack, Vec<Finding>, usize) {
    let mut stack = stack::build(
        sources,
        roots,
        &settings.load,
        &settings.declared,
        &settings.hosts,
    );
    stack.live = link_live_targets(&settings.live, &stack, sources);
    // A linked server has its file's role (declared, or from the clients linked to the file).
    for live in &stack.live {
        let role = live.linked.and_then(|file| {
            let i = stack.instances.iter().find(|i| i.model.root == file)?;
            Some((i.role, i.role_source))
        });
        if let Some((role, source)) = role {
            if let Some(i) = stack
                .instances
                .iter_mut()
                .find(|i| i.model.root == live.file)
            {
                i.role = role;
                i.role_source = source;
            }
        }
    }
    let ctx = Context {
        sources,
        stack: &stack,
        redis_version: settings.load.version,
    };
    let runs = |id: RuleId| rule_runs(id, sources, settings);
    let mut findings = rules::run(&ctx, &runs);
    findings.retain(|f| settings.selection.enabled(f.rule));
    live_findings(&mut findings, &stack, sources);
    findings = apply_per_file_ignores(findings, sources, settings);
    if settings.inline_ignores {
        let files = suppressible_files(&stack);
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

/// Each live target with its linked file resolved to the root of an instance of the stack.
fn link_live_targets(
    live: &[crate::live::LiveTarget],
    stack: &Stack,
    sources: &Sources,
) -> Vec<crate::live::LiveTarget> {
    live.iter()
        .map(|t| {
            let mut t = t.clone();
            t.linked = t
                .linked_path
                .as_ref()
                .and_then(|p| sources.id_of(p))
                .filter(|id| stack.instances.iter().any(|i| i.model.root == *id));
            t
        })
        .collect()
}

/// The `RD` rules whose verdict rests on each setting a live target may fail to give.
const RULES_NEEDING: [(&str, &[&str]); 16] = [
    ("bind", &["RD201", "RD202", "RD203", "RD204"]),
    ("port", &["RD204"]),
    ("protected-mode", &["RD203"]),
    ("appendonly", &["RD301"]),
    ("appendfsync", &["RD302"]),
    ("maxmemory", &["RD502"]),
    ("maxmemory-policy", &["RD501"]),
    // RD301 fires on `appendonly no` whatever `save` says (which only makes it an error).
    ("save", &[]),
    ("unixsocket", &["RD205"]),
    ("unixsocketperm", &["RD205"]),
    ("tls-port", &["RD204"]),
    ("activedefrag", &["RD503"]),
    ("requirepass", &["RD101", "RD203"]),
    ("masterauth", &[]),
    (
        "ACL LIST",
        &["RD101", "RD203", "RD401", "RD402", "XS201", "XS101"],
    ),
    ("COMMAND INFO", &["RD401", "RD402", "RD403"]),
];

/// Findings on a live target's configuration: no fixes (nothing is written to a server), and
/// none from a rule that needs a setting the server would not give (rules.md: they stay silent).
/// `RD001`/`RD002` never apply: the text is redline's rendering, not a file someone wrote.
fn live_findings(findings: &mut Vec<Finding>, stack: &Stack, sources: &Sources) {
    if stack.live.is_empty() {
        return;
    }
    findings.retain(|f| {
        let Some(live) = stack.live.iter().find(|l| l.file == f.file) else {
            return true;
        };
        if matches!(f.rule, "RD001" | "RD002" | "RD102" | "RD403") {
            return false;
        }
        !live.snapshot.unread.iter().any(|(name, _)| {
            RULES_NEEDING
                .iter()
                .any(|(setting, rules)| setting == name && rules.contains(&f.rule))
        })
    });
    for f in findings.iter_mut() {
        if sources.is_live(f.file) {
            f.fix = None;
        }
    }
}

/// Whether a rule runs at all: not when the selection (`--select`, `--ignore`) disables it, nor
/// when `[per-file-ignores]` covers it in every file of the run, unless RL001 must then tell
/// whether those entries suppress anything (which takes the rule's findings).
fn rule_runs(id: RuleId, sources: &Sources, settings: &Settings) -> bool {
    let id = id.as_str();
    if !settings.selection.enabled(id) {
        return false;
    }
    if settings.per_file_ignores.is_empty() || settings.selection.enabled("RL001") {
        return true;
    }
    !sources.ids().all(|file| {
        let path = sources.display(file);
        settings
            .per_file_ignores
            .iter()
            .any(|e| e.pattern.matches(path) && e.ids.iter().any(|p| id.starts_with(p.as_str())))
    })
}

/// Every file of the stack that takes inline suppressions: instance and Sentinel configs with
/// their includes, php.ini files, Laravel `.env` and `config/*.php` files, Django settings.
fn suppressible_files(stack: &Stack) -> Vec<FileId> {
    let laravel = stack.laravel.iter().flat_map(|app| {
        app.envs.iter().map(|e| e.file).chain(
            [&app.database, &app.session, &app.cache]
                .into_iter()
                .filter_map(|c| c.file),
        )
    });
    let mut files: Vec<FileId> = stack
        .instances
        .iter()
        .flat_map(|i| i.model.files.iter().copied())
        .chain(
            stack
                .sentinels
                .iter()
                .flat_map(|s| s.config.files.iter().copied()),
        )
        .chain(stack.php.iter().flat_map(|p| p.files.iter().copied()))
        .chain(laravel)
        .chain(stack.django.iter().map(|d| d.file))
        .collect();
    files.sort_unstable();
    files.dedup();
    files
}

/// The whole lines a span of `doc` touches, as a byte range (None for an empty document).
fn line_range(
    doc: &crate::syntax::document::Document,
    span: &std::ops::Range<usize>,
) -> Option<std::ops::Range<usize>> {
    if doc.line_count() == 0 {
        return None;
    }
    let len = doc.bytes().len();
    let start = span.start.min(len);
    let first = doc.line_index(start);
    let last = doc.line_index(
        span.end
            .saturating_sub(1)
            .max(start)
            .min(len.saturating_sub(1)),
    );
    Some(doc.line(first).start()..doc.line(last).end())
}

pub(crate) fn guard_of(stack: &Stack, sources: &Sources) -> Guard {
    let mut guard = Guard::default();
    let mut invalid = |file: FileId, span: &std::ops::Range<usize>| {
        if let Some(range) = line_range(sources.doc(file), span) {
            guard.invalid_lines.entry(file).or_default().push(range);
        }
    };
    let models: Vec<&RedisModel> = stack
        .instances
        .iter()
        .map(|i| &i.model)
        .chain(stack.sentinels.iter().map(|s| &s.config))
        .collect();
    for model in &models {
        for issue in model.issues.iter().filter(|i| i.kind == IssueKind::Invalid) {
            invalid(issue.file, &issue.span);
        }
    }
    // PHP stops reading a php.ini at its first syntax error: a line added after it would never
    // be read, so such a file gets edits on the error's lines only. The errors PHP stops at once
    // the first is quoted count too (the PHP001 fix quotes them in the same pass).
    for php in &stack.php {
        for (file, error) in php.errors.iter().chain(&php.quotable_after) {
            invalid(*file, &error.span);
        }
    }
    // phpdotenv refuses a whole `.env` with an error in it, and a line appended after an
    // unterminated quote would land inside that value: such a file gets edits on the error's
    // lines only (an LV002 quoting fix), never a new line.
    for app in &stack.laravel {
        for env in &app.envs {
            for error in &env.env.errors {
                invalid(env.file, &error.span);
            }
        }
    }
    for model in models {
        for (file, offset) in &model.generated_at {
            guard.generated_from.insert(*file, *offset);
        }
    }
    guard
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discovery::FileKind;
    use std::cell::RefCell;
    use std::path::Path;

    fn instance(sources: &mut Sources) -> (Stack, Vec<Root>) {
        // AOF off (RD301) and no password (RD101).
        let file = sources.insert(Path::new("/t/redis.conf"), b"appendonly no\n".to_vec());
        let roots = vec![Root {
            file,
            kind: FileKind::Redis,
        }];
        let stack = stack::build(sources, &roots, &LoadOptions::default(), &[], &[]);
        (stack, roots)
    }

    #[test]
    fn only_enabled_rules_run() {
        let mut sources = Sources::new();
        let (stack, _) = instance(&mut sources);
        let ctx = Context {
            sources: &sources,
            stack: &stack,
            redis_version: None,
        };
        let asked = RefCell::new(Vec::new());
        let enabled = |id: RuleId| {
            asked.borrow_mut().push(id);
            id == RuleId::RD101
        };
        let findings = rules::run(&ctx, &enabled);
        assert!(!findings.is_empty());
        assert!(findings.iter().all(|f| f.rule == "RD101"), "{findings:?}");
        // Each rule is asked once, before anything runs.
        assert_eq!(asked.borrow().len(), rules::RULES.len());
    }

    #[test]
    fn selection_and_whole_file_ignores_decide_before_rules_run() {
        let mut sources = Sources::new();
        let _ = instance(&mut sources);
        let mut settings = Settings::defaults();
        settings.selection.ignore = vec!["RD1".into()];
        assert!(!rule_runs(RuleId::RD101, &sources, &settings));
        assert!(rule_runs(RuleId::RD301, &sources, &settings));
        settings.per_file_ignores.push(FileIgnore {
            pattern: Pattern::new("**/*.conf").unwrap(),
            ids: vec!["RD3".into()],
            line: 1,
        });
        // RL001 must still learn whether the entry suppresses anything: the rule runs.
        assert!(rule_runs(RuleId::RD301, &sources, &settings));
        settings.selection.ignore.push("RL".into());
        assert!(!rule_runs(RuleId::RD301, &sources, &settings));
        assert!(rule_runs(RuleId::RD201, &sources, &settings));
    }
}
