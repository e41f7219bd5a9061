//! Fixing until the files stabilise: bounded passes, a pass that makes a file unreadable undone
//! and its suspect fixes tried half by half.

use super::{audit, audit_uncapped, guard_of, Settings};
use crate::discovery::Root;
use crate::fix::apply;
use crate::rules::{self, Finding};
use crate::source::{FileId, Sources};
use std::collections::{HashMap, HashSet};

/// Fixing stops after this many passes (plus one per line) even if fixes keep appearing (they
/// should not).
const MAX_FIX_PASSES: usize = 8;
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
    let mut budget = MAX_FIX_PASSES + lines;
    let mut passes = 0;
    // The audit of the files as they end, when the loop stopped on one (no fix left to apply):
    // reported as it is instead of audited again.
    let mut stable: Option<(crate::stack::Stack, Vec<Finding>)> = None;
    loop {
        if passes >= budget {
            break;
        }
        passes += 1;
        let (stack, findings, _) = audit_uncapped(sources, roots, settings);
        if passes == 1 {
            // Leaving bad fixes out half by half costs a pass and an undo per level for each:
            // the bound grows with the fixes offered, so bisecting never runs out of passes.
            let fixes = findings.iter().filter(|f| f.fix.is_some()).count();
            let levels = usize::BITS as usize - fixes.leading_zeros() as usize + 1;
            budget += 2 * fixes * levels;
        }
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
            stable = Some((stack, findings));
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
    let findings = match stable {
        Some((stack, mut findings)) => {
            super::mark_blocked_fixes(&mut findings, &stack, sources);
            rules::cap_per_rule_and_file(findings)
        }
        None => audit(sources, roots, settings).1,
    };
    (findings, applied, skipped)
}
