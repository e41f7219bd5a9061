//! RD002 `include-not-found`: An include (or aclfile) target that does not exist.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::RD002,
    name: "include-not-found",
    severity: Severity::Error,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Correctness,
    summary: r####"An include (or aclfile) target that does not exist"####,
    explanation: r####"redis-server exits with `Fatal error, can't open config file` when an `include` names a file that
does not exist, and refuses to start when the `aclfile` is missing. A glob that matches nothing is
skipped silently (reported as info). Relative paths are resolved by redis-server against its
working directory, not against the including file: redline resolves them against the including
file's folder, which is what the author almost always meant, and says so. Absolute paths are read
under `--root DIR` when given, so a checkout of /etc can be audited in CI."####,
    example: r####"include /etc/redis/sessions-local.conf     <- does not exist"####,
    fix_description: r####"None: create the file or fix the path."####,
    references: &[r####"https://github.com/redis/redis/blob/7.2/redis.conf"####],
    check: Check::Stack(includes_not_found),
};

/// Includes and aclfiles that resolve to nothing, in instances, Sentinels and ACL files.
fn includes_not_found(ctx: &Context, out: &mut Vec<Finding>) {
    for instance in &ctx.stack.instances {
        model_issues(ctx, &instance.model, RuleId::RD001, RuleId::RD002, out);
    }
    for sentinel in &ctx.stack.sentinels {
        model_issues(ctx, &sentinel.config, RuleId::SN001, RuleId::RD002, out);
    }
    for model in &ctx.stack.acl_files {
        model_issues(ctx, model, RuleId::RD001, RuleId::RD002, out);
    }
}
