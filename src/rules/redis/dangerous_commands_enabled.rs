//! RD401 `dangerous-commands-enabled`: FLUSHALL / FLUSHDB (or DEBUG) are callable by the default user.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::RD401,
    name: "dangerous-commands-enabled",
    severity: Severity::Warning,
    fix: FixAvailability::Safe,
    hardening: true,
    category: Category::Security,
    summary: r####"FLUSHALL / FLUSHDB (or DEBUG) are callable by the default user"####,
    explanation: r####"One FLUSHALL from any client (a mistyped redis-cli, a test suite pointed at production, an
attacker) wipes every session. Commands removed with `rename-command NAME ""` or denied to the
default user by its ACL (`-@dangerous`, `-flushall`) are fine. DEBUG is reported when
`enable-debug-command` is `yes` or `local` (or before Redis 7, where it is always enabled). On a
`cache` instance FLUSHDB is left alone: cache clears run it."####,
    example: r####"# no rename-command and a default user with +@all"####,
    fix_description: r####"Safe: append `rename-command NAME ""` for each listed command (an existing non-empty rename is changed to "")."####,
    references: &[
        r####"https://redis.io/docs/latest/operate/oss_and_stack/management/security/"####,
    ],
    check: Check::Instance(dangerous_commands_enabled),
};

fn dangerous_commands_enabled(ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    let lists = &crate::model::directives::tables().dangerous;
    let mut wanted: Vec<&str> = lists
        .wipe
        .iter()
        .filter(|c| instance.role != Role::Cache || !lists.allowed_on_cache.contains(c))
        .map(String::as_str)
        .collect();
    let before_7 =
        ctx.effective_version() < crate::model::directives::RedisVersion { major: 7, minor: 0 };
    let debug_enabled = match model.value_lower("enable-debug-command") {
        Some(v) => v == "yes" || v == "local",
        None => before_7,
    };
    if debug_enabled {
        wanted.extend(lists.debug.iter().map(String::as_str));
    }
    let found = callable(model, &wanted);
    if found.is_empty() {
        return;
    }
    let names: Vec<String> = found.iter().map(|(c, _)| c.to_ascii_uppercase()).collect();
    let renamed = found.iter().filter(|(_, r)| r.is_some()).count();
    let note = if renamed > 0 {
        " (a non-empty rename only hides a command; it stays callable)"
    } else {
        ""
    };
    let (file, span) = command_location(model);
    let edits = removal_edits(ctx, model, &found);
    let fix = Fix::new(
        Applicability::Safe,
        format!(
            "remove {} with `rename-command NAME \"\"`",
            names.join(", ")
        ),
        edits,
    );
    out.push(
        Finding::new(
            RuleId::RD401,
            file,
            span,
            format!(
                "{} callable by the default user{note}: one call wipes every session",
                names.join(", ") + if names.len() > 1 { " are" } else { " is" }
            ),
        )
        .with_fix(Some(fix)),
    );
}
