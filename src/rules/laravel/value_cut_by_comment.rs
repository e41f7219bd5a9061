//! LV002 `value-cut-by-comment`: An unquoted value holds `#`: phpdotenv cuts it there.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::LV002,
    name: "value-cut-by-comment",
    severity: Severity::Error,
    fix: FixAvailability::Safe,
    hardening: false,
    category: Category::Correctness,
    summary: r####"An unquoted value holds `#`: phpdotenv cuts it there"####,
    explanation: r####"In an unquoted `.env` value `#` starts a comment even with no space before it, so
`REDIS_PASSWORD=ab#cd` sets `ab`. The application then authenticates with the wrong password, or
a shorter secret than intended."####,
    example: r####"REDIS_PASSWORD=ab#cd"####,
    fix_description: r####"Safe: put the value in single quotes (`'ab#cd'`), which phpdotenv reads literally."####,
    references: &[
        r####"https://github.com/vlucas/phpdotenv/blob/master/tests/fixtures/env/commented.env"####,
    ],
    check: Check::LaravelEnv(check),
};

/// `env_syntax` reads each line once for LV001 and LV002: this rule keeps its own.
fn check(ctx: &Context, env: &EnvSource, out: &mut Vec<Finding>) {
    let first = out.len();
    env_syntax(ctx, env, out);
    crate::rules::keep_only(out, first, RuleId::LV002);
}
