//! NJ101 `session-store-memory`: `session()` has no store, so express-session uses MemoryStore.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::NJ101,
    name: "session-store-memory",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    hardening: true,
    category: Category::Reliability,
    summary: r####"`session()` without a `store`: sessions live in MemoryStore"####,
    explanation: r####"Without a `store` option express-session keeps sessions in MemoryStore, which its README says is
"purposely not designed for a production environment": it leaks memory, loses every session on
restart, and is not shared between processes, so behind a load balancer or in a cluster a user is
logged out whenever a request reaches another process."####,
    example: r####"app.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false }))"####,
    fix_description: r####"None: give `session()` a shared store, e.g. `store: new RedisStore({ client })`."####,
    references: &["https://github.com/expressjs/session#store"],
    check: Check::Stack(memory_store),
};

fn memory_store(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, session) in sessions(ctx) {
        if !matches!(session.store, Store::Memory) {
            continue;
        }
        out.push(
            Finding::new(
                RuleId::NJ101,
                session.file,
                session.span.clone(),
                "`session()` has no `store`: express-session keeps sessions in MemoryStore, which leaks memory, loses them on restart and is not shared between processes",
            )
            .setting("session.store"),
        );
    }
}
