//! PHP101 `sessions-on-local-files`: PHP keeps sessions in local files while the stack has Redis.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::PHP101,
    name: "sessions-on-local-files",
    severity: Severity::Info,
    fix: FixAvailability::None,
    hardening: true,
    category: Category::Security,
    summary: r####"PHP keeps sessions in local files while the stack has Redis"####,
    explanation: r####"With `session.save_handler = files` (the default) sessions live on one web server's disk: they
are not shared between servers behind a load balancer and vanish when the host is replaced, though
the stack has a Redis instance meant for them."####,
    example: r####"session.save_handler = files"####,
    fix_description: r####"None: set `session.save_handler = redis` and a `session.save_path` to the session instance."####,
    references: &[r####"https://github.com/phpredis/phpredis#php-session-handler"####],
    check: Check::Php(local_files),
};

fn local_files(ctx: &Context, php: &PhpConfig, whole: bool, out: &mut Vec<Finding>) {
    if ctx.stack.instances.is_empty() || (!whole && php.last("session.save_handler").is_none()) {
        return;
    }
    if php.handler().as_deref() != Some("files") {
        return;
    }
    let (file, span) = location(php, "session.save_handler");
    let what = if php.last("session.save_handler").is_some() {
        "`session.save_handler = files`"
    } else {
        "no `session.save_handler` (default `files`)"
    };
    out.push(Finding::new(
        RuleId::PHP101,
        file,
        span,
        format!("{what}: sessions stay on this server's disk although the stack has a Redis instance; they are lost when the host is replaced and not shared between app servers"),
    ));
}
