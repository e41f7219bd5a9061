//! RL002 `unknown-rule-in-suppression`: A suppression names a rule that does not exist. Made by the suppression pass (`crate::suppress`,
//! `crate::engine`), which knows every suppression of the run.

use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::RL002,
    name: "unknown-rule-in-suppression",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Maintainability,
    summary: r####"A suppression names a rule that does not exist"####,
    explanation: r####"A `redline: ignore` comment names an ID this version of redline does not have: a typo
(`RD310` for `RD301`), or a rule of a newer version. The suppression silently does nothing for
that ID."####,
    example: r####"# redline: ignore RD310 -- meant RD301"####,
    fix_description: r####"None: correct the ID (`redline rules` lists them)."####,
    references: &[r####"https://github.com/hadolint/hadolint/issues/747"####],
    check: Check::Engine,
};
