//! RL001 `unused-suppression`: A suppression that suppresses nothing. Made by the suppression pass (`crate::suppress`,
//! `crate::engine`), which knows every suppression of the run.

use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::RL001,
    name: "unused-suppression",
    severity: Severity::Info,
    fix: FixAvailability::Safe,
    hardening: false,
    category: Category::Maintainability,
    summary: r####"A suppression that suppresses nothing"####,
    explanation: r####"A `# redline: ignore ID` comment (or `ignore-file`, or a `[per-file-ignores]` entry in
redline.toml) that covers no finding of that rule: the problem was fixed, or the comment moved
away from its directive. Stale suppressions hide the next real problem on that line, so they are
reported to be cleaned up. Only rules that ran count: with `--select RD5` an `ignore RD301` is not
judged."####,
    example: r####"# redline: ignore RD301 -- cache only
appendonly yes"####,
    fix_description: r####"Safe: remove the unused IDs, or the whole comment when none is used (config entries are reported, not edited)."####,
    references: &[r####"https://docs.astral.sh/ruff/rules/unused-noqa/"####],
    check: Check::Engine,
};
