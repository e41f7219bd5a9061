//! NJ102 `client-option-ignored`: An option the Redis client library does not read.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::NJ102,
    name: "client-option-ignored",
    severity: Severity::Error,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Correctness,
    summary: r####"The Redis client ignores an option, so it connects elsewhere"####,
    explanation: r####"node-redis 4 and later read the address from `socket: { host, port }` (or `url`) and the database
from `database`: a top-level `host`, `port` or `db` (the node-redis 3 and ioredis spelling) is
ignored without a word, and the client connects to localhost:6379, database 0. ioredis, the other
way round, ignores `socket: {...}` and `database`. node-redis does not read `?password=` or `?db=`
in a URL either (ioredis does). The app then works on a developer's machine and, in production,
talks to a different instance or fails."####,
    example: r####"createClient({ host: 'redis-sessions', port: 6379 })   // node-redis 4: connects to localhost:6379"####,
    fix_description: r####"None: write the option the library reads (`socket: { host, port }`, `database`, the URL's user info or path)."####,
    references: &[
        "https://github.com/redis/node-redis/blob/master/docs/client-configuration.md",
        "https://github.com/redis/ioredis#connect-to-redis",
    ],
    check: Check::Stack(ignored_options),
};

fn ignored_options(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, _, client, index) in store_clients(ctx) {
        for option in &client.ignored {
            let target = match (option.name.as_str(), &client.address) {
                ("db" | "database" | "?db=", _) => format!(
                    ": the client uses database {}",
                    client.database.as_deref().unwrap_or("0")
                ),
                (_, crate::model::node::Address::Tcp { host, port }) => {
                    format!(": the client connects to {host}:{port}")
                }
                _ => String::new(),
            };
            out.push(
                Finding::new(
                    RuleId::NJ102,
                    option.at.file,
                    option.at.span.clone(),
                    format!("{}{target}", option.why),
                )
                .setting(format!("client.{}", option.name))
                .about_clients(index),
            );
        }
    }
}
