//! XS104 `client-target-unknown`: A client points at an address no audited instance listens on.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::XS104,
    name: "client-target-unknown",
    severity: Severity::Info,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Correctness,
    summary: r####"A client points at an address no audited instance listens on"####,
    explanation: r####"redline links a client to an instance by address: a loopback name matches an instance on loopback
or on all interfaces, a private address an instance that binds it, and a host name only what
`[hosts]` in redline.toml maps. When nothing (or more than one instance) matches, the cross-file
checks for that client are skipped, and this says so. Addresses known only at run time (environment
variables) are not reported."####,
    example: r####"SESSION_REDIS_URL=redis://redis-sessions:6379/0   <- map it: [hosts] redis-sessions = "deploy/redis/sessions.conf""####,
    fix_description: r####"None: map the host name in redline.toml, or audit the instance's config too."####,
    references: &[],
    check: Check::Stack(unknown_targets),
};

fn unknown_targets(ctx: &Context, out: &mut Vec<Finding>) {
    if ctx.stack.instances.is_empty() {
        return;
    }
    for (c, client) in ctx.stack.clients.iter().enumerate() {
        let Some(where_) = client.target.shown() else {
            continue;
        };
        let message = match &ctx.stack.links[c] {
            Link::Nowhere => format!("{} points at {where_}, where no audited instance listens (map a host name with `[hosts]` in redline.toml)", client.label),
            Link::Ambiguous(candidates) => format!(
                "{} points at {where_}, where {} audited instances could listen ({}): none is linked",
                client.label,
                candidates.len(),
                first_few(candidates.iter().map(|i| instance_name(ctx, *i)))
            ),
            _ => continue,
        };
        push(
            out,
            [c],
            Finding::new(RuleId::XS104, client.file, client.span.clone(), message),
        );
    }
}
