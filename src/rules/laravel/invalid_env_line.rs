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

/// Each line phpdotenv rejects, on every `.env*`.
fn check(ctx: &Context, env: &EnvSource, out: &mut Vec<Finding>) {
    for error in &env.env.errors {
        out.push(Finding::new(
            RuleId::LV001,
            env.file,
            error.span.clone(),
            format!(
                "phpdotenv rejects this line: {}; Laravel throws while loading the file{}",
                error.message,
                template_note(ctx, env)
            ),
        ));
    }
}
