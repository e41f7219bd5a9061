//! RD402 `config-command-enabled`: CONFIG is callable by the default user.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::RD402,
    name: "config-command-enabled",
    severity: Severity::Info,
    fix: FixAvailability::Unsafe,
    hardening: true,
    category: Category::Security,
    summary: r####"CONFIG is callable by the default user"####,
    explanation: r####"CONFIG SET dir/dbfilename lets a client write files where redis-server can, a known path to remote
code execution; CONFIG GET reveals requirepass and masterauth. Removing CONFIG breaks Sentinel
(which needs CONFIG REWRITE) and some tooling, hence info and an unsafe fix."####,
    example: r####"# no rename-command CONFIG and a default user with +@all"####,
    fix_description: r####"Unsafe: `rename-command CONFIG ""`. Never offered when a Sentinel in the stack monitors the instance."####,
    references: &[
        r####"https://redis.io/docs/latest/operate/oss_and_stack/management/security/"####,
    ],
    check: Check::Instance(config_command_enabled),
};

fn config_command_enabled(ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    let found = callable(model, &["config"]);
    if found.is_empty() {
        return;
    }
    let (file, span) = command_location(model);
    let fix = (!monitored_by_sentinel(ctx, instance)).then(|| {
        Fix::new(
            Applicability::Unsafe,
            "remove CONFIG with `rename-command CONFIG \"\"` (tools that run CONFIG stop working)",
            removal_edits(ctx, model, &found),
        )
    });
    out.push(Finding::new(RuleId::RD402, file, span, "CONFIG is callable by the default user: CONFIG SET can write files where redis-server can, and CONFIG GET reveals passwords").with_fix(fix));
}
