//! NJ105 `no-error-listener`: A node-redis client without an `'error'` listener.

use super::*;
use crate::model::node::Library;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::NJ105,
    name: "no-error-listener",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Reliability,
    summary: r####"A node-redis client has no `'error'` listener"####,
    explanation: r####"node-redis emits `'error'` when a connection it had is lost (Redis restarts, a network blip). An
`EventEmitter` with no `'error'` listener throws it: the whole process exits, and every request
in flight fails. ioredis only logs such errors."####,
    example: r####"const client = createClient({ url }); client.connect()   // no client.on('error', ...)"####,
    fix_description: r####"None: add `client.on('error', (err) => log(err))`."####,
    references: &["https://github.com/redis/node-redis#events"],
    check: Check::Stack(no_listener),
};

fn no_listener(ctx: &Context, out: &mut Vec<Finding>) {
    let mut seen = std::collections::HashSet::new();
    for (_, _, client, index) in store_clients(ctx) {
        if !matches!(client.library, Library::NodeRedis(_)) || client.error_listener {
            continue;
        }
        if !seen.insert((client.at.file, client.at.span.start)) {
            continue;
        }
        let name = client
            .bound_to
            .as_deref()
            .map_or("the client".to_string(), |n| format!("`{n}`"));
        out.push(
            Finding::new(
                RuleId::NJ105,
                client.at.file,
                client.at.span.clone(),
                format!("the node-redis client {name} of the session store has no `.on('error', ...)` listener: a lost connection emits an unhandled 'error' and ends the process"),
            )
            .setting("client.on('error')")
            .about_clients(index),
        );
    }
}
