//! PHP105 `save-path-unparseable`: phpredis refuses the save_path.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::PHP105,
    name: "save-path-unparseable",
    severity: Severity::Error,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Correctness,
    summary: r####"phpredis refuses the save_path"####,
    explanation: r####"phpredis fails to open the session store ("Failed to parse session.save_path") when a host is not
a URL it can parse, when `weight` or `timeout` is not above 0, when the value is empty, or when the
`rediscluster` handler gets no `seed[]`. A host without `tcp://` followed by a query
(`127.0.0.1:6379?auth=...`) is worse: PHP's parse_url reads `127.0.0.1` as a scheme and `6379` as
a path, and phpredis connects to a unix socket named `6379`. Every request that starts a session
then fails."####,
    example: r####"session.save_path = "tcp://10.0.0.5:6379?timeout=0""####,
    fix_description: r####"None: correct the value."####,
    references: &[
        r####"https://github.com/phpredis/phpredis/blob/develop/redis_session.c"####,
        r####"https://github.com/phpredis/phpredis/blob/develop/cluster.md"####,
    ],
    check: Check::Php(check),
};

/// A `session.save_path` phpredis cannot parse, or one with no host.
fn check(_ctx: &Context, php: &PhpConfig, _whole: bool, out: &mut Vec<Finding>) {
    let Some(sp) = php.save_path() else {
        return;
    };
    let handler = php.handler().unwrap_or_default();
    let (file, span) = location(php, "session.save_path");
    if let Some(error) = &sp.error {
        out.push(Finding::new(RuleId::PHP105, file, span, format!("phpredis cannot use this `session.save_path`: {error}; every request that starts a session fails")));
    } else if sp.hosts.is_empty() {
        out.push(Finding::new(RuleId::PHP105, file, span, format!("`session.save_handler = {handler}` with an empty `session.save_path`: phpredis has no server to connect to")));
    }
}
