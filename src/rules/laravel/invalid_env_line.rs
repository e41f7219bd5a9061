//! LV001 `invalid-env-line`: A .env line phpdotenv rejects.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::LV001,
    name: "invalid-env-line",
    severity: Severity::Error,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Syntax,
    summary: r####"A .env line phpdotenv rejects"####,
    explanation: r####"phpdotenv throws on white space inside an unquoted value (`APP_NAME=My App`), an escape it does
not know inside double quotes (`\q`), a missing closing quote, an invalid variable name or a line
starting with `=`. Laravel then fails to boot: every request is an error page."####,
    example: r####"APP_NAME=My App"####,
    fix_description: r####"None: quote the value or fix the line."####,
    references: &[
        r####"https://github.com/vlucas/phpdotenv/blob/master/src/Parser/EntryParser.php"####,
    ],
    check: Check::LaravelEnv(check),
};

/// `env_syntax` reads each line once for LV001 and LV002: this rule keeps its own.
fn check(ctx: &Context, env: &EnvSource, out: &mut Vec<Finding>) {
    let first = out.len();
    env_syntax(ctx, env, out);
    crate::rules::keep_only(out, first, RuleId::LV001);
}
