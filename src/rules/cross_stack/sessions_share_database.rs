//! XS102 `sessions-share-database`: Sessions share an instance and database with a cache, or with another app's sessions.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::XS102,
    name: "sessions-share-database",
    severity: Severity::Error,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Correctness,
    summary: r####"Sessions share an instance and database with a cache, or with another app's sessions"####,
    explanation: r####"A session client and a cache client on the same instance and database: `php artisan cache:clear`
and Django's `cache.clear()` run FLUSHDB, which logs everyone out. Two applications storing sessions
in the same database with the same key prefix read and overwrite each other's sessions."####,
    example: r####"# .env: SESSION_DRIVER=redis, CACHE_STORE=redis, REDIS_DB=0 and REDIS_CACHE_DB=0"####,
    fix_description: r####"None: give each its own database (or instance); moving data is a deploy decision."####,
    references: &[r####"https://laravel.com/docs/11.x/cache#clearing-the-cache"####],
    check: Check::Stack(shared_databases),
};

fn shared_databases(ctx: &Context, out: &mut Vec<Finding>) {
    let clients = &ctx.stack.clients;
    // Only clients of one instance and one database can share it: pairs are looked for within
    // those groups, not among every two clients of the tree.
    let mut groups: std::collections::BTreeMap<(usize, &str), Vec<usize>> = Default::default();
    for (c, client) in clients.iter().enumerate() {
        if let (Some(i), Some(db)) = (ctx.stack.links[c].instance(), client.database.as_deref()) {
            groups.entry((i, db)).or_default().push(c);
        }
    }
    let mut pairs: Vec<(usize, usize)> = groups
        .values()
        .flat_map(|members| {
            members
                .iter()
                .enumerate()
                .flat_map(move |(k, &b)| members[..k].iter().map(move |&a| (b, a)))
        })
        .collect();
    // In the order the loop over every two clients had.
    pairs.sort_unstable();
    for (b, a) in pairs {
        {
            let (Some(ia), Some(ib)) =
                (ctx.stack.links[a].instance(), ctx.stack.links[b].instance())
            else {
                continue;
            };
            let (ca, cb) = (&clients[a], &clients[b]);
            // Within one app, LV103 and DJ102 say it at the setting to change.
            if ia != ib || ca.app == cb.app || ca.database.is_none() || ca.database != cb.database {
                continue;
            }
            let sessions_and_cache = matches!(
                (ca.purpose, cb.purpose),
                (Purpose::Sessions, Purpose::Cache) | (Purpose::Cache, Purpose::Sessions)
            );
            let two_apps = ca.purpose == Purpose::Sessions
                && cb.purpose == Purpose::Sessions
                && ca.app != cb.app
                && ca.prefix.is_some()
                && ca.prefix == cb.prefix;
            if !(sessions_and_cache || two_apps) {
                continue;
            }
            let why = if sessions_and_cache {
                "clearing the cache (FLUSHDB) deletes every session"
            } else {
                "the two applications read and overwrite each other's sessions"
            };
            // Said at the session client, whose sessions are at risk and which moves to another
            // database; between two session clients, at the later one.
            let (at, other) = if ca.purpose == Purpose::Sessions && cb.purpose == Purpose::Cache {
                (ca, cb)
            } else {
                (cb, ca)
            };
            push(
                out,
                [a, b],
                Finding::new(
                    RuleId::XS102,
                    at.file,
                    at.span.clone(),
                    format!(
                        "{} and {} use database {} of {}: {why}",
                        at.label,
                        other.label,
                        at.database.as_deref().unwrap_or("?"),
                        instance_name(ctx, ib)
                    ),
                )
                .related(Related {
                    file: other.file,
                    span: other.span.clone(),
                    message: format!("{} uses the same database", other.label),
                }),
            );
        }
    }
}
