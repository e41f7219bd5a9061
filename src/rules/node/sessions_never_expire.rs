//! NJ301 `sessions-never-expire`: `disableTTL: true` on the connect-redis store.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::NJ301,
    name: "sessions-never-expire",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Reliability,
    summary: r####"`disableTTL: true`: sessions stay in Redis forever"####,
    explanation: r####"connect-redis sets a TTL on each session key (the cookie's `maxAge`, else 86400 s). With
`disableTTL: true` keys never expire: Redis fills with abandoned sessions until `maxmemory`, and
then an evicting policy removes sessions at random, live ones included (connect-redis' README:
"Only use if you know what you are doing")."####,
    example: r####"new RedisStore({ client, disableTTL: true })"####,
    fix_description: r####"None: remove `disableTTL` (and set `ttl` or `cookie.maxAge`)."####,
    references: &["https://github.com/tj/connect-redis#disablettl"],
    check: Check::Stack(never_expire),
};

fn never_expire(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, session) in sessions(ctx) {
        let Store::Redis(store) = &session.store else {
            continue;
        };
        let Value::Bool { value: true, at } = &store.disable_ttl else {
            continue;
        };
        out.push(
            Finding::new(
                RuleId::NJ301,
                at.file,
                at.span.clone(),
                "the session store has `disableTTL: true`: sessions never expire in Redis, which fills up until an evicting policy removes live sessions at random",
            )
            .setting("store.disableTTL"),
        );
    }
}
