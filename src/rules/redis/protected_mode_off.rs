//! RD203 `protected-mode-off`: protected-mode is off while the default user needs no password.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::RD203,
    name: "protected-mode-off",
    severity: Severity::Error,
    fix: FixAvailability::Safe,
    hardening: true,
    category: Category::Security,
    summary: r####"protected-mode is off while the default user needs no password"####,
    explanation: r####"protected-mode is the last guard of a passwordless instance: with it on, redis-server answers
non-local clients with a DENIED error while the default user is `nopass` (in 7.x whatever `bind`
says; in 6.2 only while no `bind` is set). Turning it off while RD101 holds opens the data to the
network."####,
    example: r####"protected-mode no"####,
    fix_description: r####"Safe: `protected-mode yes`. Local clients and clients that authenticate are not affected."####,
    references: &[r####"https://github.com/redis/redis/blob/7.2/redis.conf"####],
    check: Check::Instance(protected_mode_off),
};

fn protected_mode_off(ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    if model.is_yes("protected-mode") != Some(false) || !open_without_password(model) {
        return;
    }
    let o = model.last("protected-mode").unwrap();
    let edit = set_directive(ctx.sources, model, "protected-mode", "yes", &[]);
    out.push(
        Finding::new(RuleId::RD203, o.file, o.span(), format!("`protected-mode no`{} while the default user needs no password: non-local clients get full access", overrode(ctx, model, "protected-mode")))
            .with_fix(Some(Fix::new(Applicability::Safe, "set `protected-mode yes`", vec![edit]))),
    );
}
