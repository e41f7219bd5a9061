//! RD301 `aof-disabled`: No append-only file on an instance that stores sessions.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::RD301,
    name: "aof-disabled",
    severity: Severity::Warning,
    fix: FixAvailability::Safe,
    hardening: true,
    category: Category::Reliability,
    summary: r####"No append-only file on an instance that stores sessions"####,
    explanation: r####"Without AOF, a restart loses every write since the last RDB snapshot (minutes by default), so a
deploy or crash logs users out. With `save ""` too there is no persistence at all: every restart
logs everyone out (error). Instances whose role is `cache` are not checked."####,
    example: r####"appendonly no"####,
    fix_description: r####"Safe: `appendonly yes` (redis-server rewrites the AOF from memory on first start)."####,
    references: &[
        r####"https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/"####,
    ],
    check: Check::Instance(aof_disabled),
};

fn aof_disabled(ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    if instance.role == Role::Cache || model.is_yes("appendonly") == Some(true) {
        return;
    }
    let no_rdb = !model.save_enabled();
    let severity = if no_rdb {
        Severity::Error
    } else {
        Severity::Warning
    };
    let (file, span) = model
        .last("appendonly")
        .map(at)
        .unwrap_or_else(|| root_start(model));
    let what = match model.last("appendonly") {
        Some(_) => format!("`appendonly no`{}", overrode(ctx, model, "appendonly")),
        None => "no `appendonly` line (default `no`)".into(),
    };
    let consequence = if no_rdb {
        "and `save \"\"` disables snapshots too: every restart logs everyone out"
    } else {
        "a restart loses every session written since the last snapshot"
    };
    let edit = set_directive(
        ctx.sources,
        model,
        "appendonly",
        "yes",
        &["appendfsync", "appendfilename", "save"],
    );
    let fix = Fix::new(Applicability::Safe, "set `appendonly yes` (before Redis 7.0, run `CONFIG SET appendonly yes` on the live server first so the AOF is built from its data)", vec![edit]);
    out.push(
        Finding::new(
            RuleId::RD301,
            file,
            span,
            format!("{what} {}: {consequence}", instance.session_clause()),
        )
        .severity(severity)
        .with_fix(Some(fix)),
    );
}
