//! PHP301 `session-locking-off`: phpredis session locking is off.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::PHP301,
    name: "session-locking-off",
    severity: Severity::Info,
    fix: FixAvailability::Unsafe,
    hardening: true,
    category: Category::Reliability,
    summary: r####"phpredis session locking is off"####,
    explanation: r####"phpredis does not lock sessions by default: two concurrent requests of one user read the same
session and the last write wins, silently dropping the other's changes (a cart item, a CSRF token)."####,
    example: r####"redis.session.locking_enabled = 0"####,
    fix_description: r####"Unsafe: `redis.session.locking_enabled = 1` (requests of one session then wait for each other; old phpredis builds ignore the key)."####,
    references: &[r####"https://github.com/phpredis/phpredis#session-locking"####],
    check: Check::Php(locking),
};

fn locking(ctx: &Context, php: &PhpConfig, _whole: bool, out: &mut Vec<Finding>) {
    if php.handler().as_deref() != Some("redis") {
        return;
    }
    let key = "redis.session.locking_enabled";
    if php.flag(key, false) != Some(false) {
        return;
    }
    let (file, span) = match php.last(key) {
        Some(_) => location(php, key),
        None => location(php, "session.save_handler"),
    };
    let fix = Fix::new(
        Applicability::Unsafe,
        format!("set `{key} = 1` (requests of one session then wait for each other)"),
        vec![set_ini(ctx, php, key, "1")],
    );
    out.push(
        Finding::new(RuleId::PHP301, file, span, format!("`{key}` is off: concurrent requests of one user overwrite each other's session writes"))
            .severity(Severity::Info)
            .with_fix(Some(fix)),
    );
}
