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

/// Each unquoted value phpdotenv cuts at a `#`, on every `.env*`.
fn check(ctx: &Context, env: &EnvSource, out: &mut Vec<Finding>) {
    for entry in env.env.entries.iter().filter(|e| e.cut_by_hash) {
        let raw =
            String::from_utf8_lossy(&ctx.sources.doc(env.file).bytes()[entry.value_span.clone()])
                .into_owned();
        // Lossy text would rewrite bytes that are not UTF-8: no fix then.
        let utf8 =
            std::str::from_utf8(&ctx.sources.doc(env.file).bytes()[entry.value_span.clone()])
                .is_ok();
        let fix = (utf8 && !raw.contains('\'') && !raw.contains(char::is_whitespace)).then(|| {
            Fix::new(
                Applicability::Safe,
                "put the value in single quotes",
                vec![fix::replace(
                    env.file,
                    entry.value_span.clone(),
                    format!("'{raw}'"),
                )],
            )
        });
        out.push(
            Finding::new(
                RuleId::LV002,
                env.file,
                entry.span.clone(),
                format!("`{}`: phpdotenv reads an unquoted `#` as the start of a comment, so the value is cut there{}", entry.name, template_note(ctx, env)),
            )
            .with_fix(fix),
        );
    }
}
