//! RD501 `evicting-policy-on-session-store`: maxmemory-policy evicts keys on an instance that stores sessions.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::RD501,
    name: "evicting-policy-on-session-store",
    severity: Severity::Error,
    fix: FixAvailability::Safe,
    hardening: true,
    category: Category::Reliability,
    summary: r####"maxmemory-policy evicts keys on an instance that stores sessions"####,
    explanation: r####"When memory is full, `allkeys-*` policies delete any key, sessions included: users are logged out
at random under load. `volatile-*` policies delete keys with a TTL, and session keys always carry
one, so they are evicted too (warning). A session store should use `noeviction` and a `maxmemory`
sized for its sessions: writes then fail loudly instead of sessions vanishing silently."####,
    example: r####"maxmemory-policy allkeys-lru"####,
    fix_description: r####"Safe: `maxmemory-policy noeviction`."####,
    references: &[r####"https://redis.io/docs/latest/develop/reference/eviction/"####],
    check: Check::Instance(evicting_policy),
};

fn evicting_policy(ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    if !instance.may_store_sessions() {
        return;
    }
    let Some(policy) = model.value_lower("maxmemory-policy") else {
        return;
    };
    let severity = if policy.starts_with("allkeys-") {
        Severity::Error
    } else if policy.starts_with("volatile-") {
        Severity::Warning
    } else {
        return;
    };
    let o = model.last("maxmemory-policy").unwrap();
    let why = if severity == Severity::Error {
        "any key, sessions included, is deleted when memory is full"
    } else {
        "session keys carry a TTL, so they are evicted when memory is full"
    };
    let edit = set_directive(ctx.sources, model, "maxmemory-policy", "noeviction", &[]);
    out.push(
        Finding::new(
            RuleId::RD501,
            o.file,
            o.span(),
            format!(
                "`maxmemory-policy {policy}`{} {}: {why}",
                overrode(ctx, model, "maxmemory-policy"),
                instance.session_clause()
            ),
        )
        .severity(severity)
        .with_fix(Some(Fix::new(
            Applicability::Safe,
            "set `maxmemory-policy noeviction`",
            vec![edit],
        ))),
    );
}
