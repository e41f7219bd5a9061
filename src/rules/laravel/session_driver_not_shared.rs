//! LV101 `session-driver-not-shared`: Laravel keeps sessions outside the stack's Redis.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::LV101,
    name: "session-driver-not-shared",
    severity: Severity::Info,
    fix: FixAvailability::None,
    hardening: true,
    category: Category::Security,
    summary: r####"Laravel keeps sessions outside the stack's Redis"####,
    explanation: r####"`SESSION_DRIVER` is `file`, `database` or `cookie` while the stack has a Redis instance (info), or
`array`, which keeps sessions for one request only (warning)."####,
    example: r####"SESSION_DRIVER=file"####,
    fix_description: r####"None: set `SESSION_DRIVER=redis` when sessions belong in Redis."####,
    references: &[r####"https://laravel.com/docs/session#configuration"####],
    check: Check::LaravelVariant(driver_not_shared),
};

fn driver_not_shared(ctx: &Context, app: &LaravelApp, env: &EnvSource, out: &mut Vec<Finding>) {
    if ctx.stack.instances.is_empty() {
        return;
    }
    let (r, Some(d)) = driver(app, env) else {
        return;
    };
    let severity = match d.as_str() {
        "redis" => return,
        "array" => Severity::Warning,
        _ => Severity::Info,
    };
    let (file, span) = location(ctx, env, &r);
    let why = if d == "array" {
        "sessions live in memory for one request only: every user is logged out on each request"
    } else {
        "sessions are not kept in the stack's Redis"
    };
    out.push(
        Finding::new(
            RuleId::LV101,
            file,
            span,
            format!(
                "`SESSION_DRIVER` resolves to `{d}`{}: {why}",
                template_note(ctx, env)
            ),
        )
        .severity(severity),
    );
}
