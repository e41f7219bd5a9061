//! PHP102 `save-path-without-auth`: session.save_path sends no password.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::PHP102,
    name: "save-path-without-auth",
    severity: Severity::Warning,
    fix: FixAvailability::Unsafe,
    hardening: false,
    category: Category::Correctness,
    summary: r####"session.save_path sends no password"####,
    explanation: r####"With `session.save_handler = redis` and no `auth` in any save_path host, phpredis connects without
a password. If the instance needs one, every session start fails; if it does not, the instance is
open to anyone who reaches it. Error when the linked instance needs a password (once clients are
linked to instances), warning otherwise."####,
    example: r####"session.save_path = "tcp://10.0.0.5:6379?database=1""####,
    fix_description: r####"Unsafe, when the instance's password is known: add `auth=` with it."####,
    references: &[r####"https://github.com/phpredis/phpredis#php-session-handler"####],
    check: Check::Php(check),
};

fn check(ctx: &Context, php: &PhpConfig, _whole: bool, out: &mut Vec<Finding>) {
    let Some(site) = SavePathSite::of(ctx, php) else {
        return;
    };
    let (sp, file, span) = (site.save_path, site.file, site.span.clone());
    if !sp
        .hosts
        .iter()
        .any(|h| h.auth_password().is_some_and(|p| !p.value.is_empty()))
    {
        let origin = Origin::Php(php.root());
        let linked = ctx.stack.linked_from(&origin);
        let passwords: Vec<InstancePassword> = linked
            .iter()
            .map(|i| instance_password(&ctx.stack.instances[*i].model))
            .collect();
        let needed = passwords.iter().find(|p| p.needs_one());
        let (severity, message) = match needed {
            Some(_) => (Severity::Error, "`session.save_path` sends no `auth`, but the linked Redis instance needs a password: every request that starts a session fails".to_string()),
            None => (Severity::Warning, "`session.save_path` sends no `auth`: if the Redis instance needs a password, every session fails; if it does not, anyone who reaches it can read the sessions".to_string()),
        };
        // Only one known password for every host, so each host gets the same `auth`.
        let known = needed.and_then(InstancePassword::plain).filter(|p| {
            passwords.iter().all(|q| q.plain() == Some(p)) && linked.len() == sp.hosts.len()
        });
        let fix = known
            .and_then(|password| add_auth_edits(ctx, php, password))
            .map(|edits| {
                Fix::new(
                    Applicability::Unsafe,
                    "add `auth` with the linked instance's password",
                    edits,
                )
            });
        let message = format!("{message}{}", cut_note(php, "session.save_path"));
        out.push(
            Finding::new(RuleId::PHP102, file, span, message)
                .severity(severity)
                .with_fix(fix),
        );
    }
}
