//! RD302 `aof-fsync-off`: appendfsync no on a session store.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::RD302,
    name: "aof-fsync-off",
    severity: Severity::Warning,
    fix: FixAvailability::Safe,
    hardening: true,
    category: Category::Reliability,
    summary: r####"appendfsync no on a session store"####,
    explanation: r####"With `appendfsync no` the kernel decides when the AOF reaches the disk, typically up to 30 seconds:
a power loss or kernel crash drops that window of session writes. `everysec` bounds the loss to one
second at a negligible cost."####,
    example: r####"appendfsync no"####,
    fix_description: r####"Safe: `appendfsync everysec`."####,
    references: &[
        r####"https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/"####,
    ],
    check: Check::Instance(aof_fsync_off),
};

fn aof_fsync_off(ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    if instance.role == Role::Cache || model.value_lower("appendfsync").as_deref() != Some("no") {
        return;
    }
    let o = model.last("appendfsync").unwrap();
    let edit = set_directive(ctx.sources, model, "appendfsync", "everysec", &[]);
    out.push(
        Finding::new(
            RuleId::RD302,
            o.file,
            o.span(),
            format!(
                "`appendfsync no`{} {}: a crash can lose the last ~30 seconds of session writes",
                overrode(ctx, model, "appendfsync"),
                instance.session_clause()
            ),
        )
        .with_fix(Some(Fix::new(
            Applicability::Safe,
            "set `appendfsync everysec`",
            vec![edit],
        ))),
    );
}
