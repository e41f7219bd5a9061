//! PHP203 `strict-mode-off`: PHP accepts session IDs it never issued.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::PHP203,
    name: "strict-mode-off",
    severity: Severity::Warning,
    fix: FixAvailability::Safe,
    hardening: true,
    category: Category::Security,
    summary: r####"PHP accepts session IDs it never issued"####,
    explanation: r####"With `session.use_strict_mode` off, PHP adopts any session ID a client presents, which makes
session fixation possible. php.ini-production itself says enabling it is encouraged."####,
    example: r####"session.use_strict_mode = 0"####,
    fix_description: r####"Safe: `session.use_strict_mode = 1`."####,
    references: &[
        r####"https://www.php.net/manual/en/session.configuration.php#ini.session.use-strict-mode"####,
    ],
    check: Check::Php(check),
};

fn check(ctx: &Context, php: &PhpConfig, whole: bool, out: &mut Vec<Finding>) {
    cookie_flag(ctx, php, whole, RuleId::PHP203, out);
}
