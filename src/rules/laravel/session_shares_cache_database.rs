//! LV103 `session-shares-cache-database`: Sessions and the cache share one Redis database.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::LV103,
    name: "session-shares-cache-database",
    severity: Severity::Error,
    fix: FixAvailability::Unsafe,
    hardening: false,
    category: Category::Correctness,
    summary: r####"Sessions and the cache share one Redis database"####,
    explanation: r####"`php artisan cache:clear` runs FLUSHDB on the cache's database. When the session connection
resolves to the same host, port and database (`SESSION_CONNECTION=cache`, `REDIS_DB` equal to
`REDIS_CACHE_DB`, one `REDIS_URL` with a `/N` path for both), every deploy that clears the cache
logs every user out. Reported many times to Laravel itself (#10288, #14582, #20655)."####,
    example: r####"SESSION_DRIVER=redis
CACHE_STORE=redis
REDIS_DB=0
REDIS_CACHE_DB=0"####,
    fix_description: r####"Unsafe: give the cache its own database in `.env` (`REDIS_CACHE_DB`), which starts the cache cold."####,
    references: &[
        r####"https://github.com/laravel/framework/issues/10288"####,
        r####"https://github.com/laravel/laravel/pull/4665"####,
    ],
    check: Check::LaravelVariant(shares_cache_database),
};

fn shares_cache_database(ctx: &Context, app: &LaravelApp, env: &EnvSource, out: &mut Vec<Finding>) {
    let (_, Some(d)) = driver(app, env) else {
        return;
    };
    if d != "redis" || app.cache_store(env).as_deref() != Some("redis") {
        return;
    }
    let (Some(session_name), Some(cache_name)) = (
        app.session_connection_name(env),
        app.cache_connection_name(env),
    ) else {
        return;
    };
    let (Some(session), Some(cache)) = (
        app.connection(&session_name, env),
        app.connection(&cache_name, env),
    ) else {
        return;
    };
    let same = session_name == cache_name
        || matches!((session.identity(), cache.identity()), (Some(a), Some(b)) if a == b);
    if !same {
        return;
    }
    let why = if session_name == cache_name {
        format!("sessions and the cache use the same connection `{session_name}`")
    } else {
        let (h, p, db) = session.identity().unwrap_or_default();
        format!("sessions (connection `{session_name}`) and the cache (connection `{cache_name}`) resolve to the same {h}:{p} database {db}")
    };
    // The cache's database comes from REDIS_CACHE_DB: give it one the sessions do not use.
    let fix = match (
        &cache.database.env_var,
        session.database.text().and_then(|t| t.parse::<u32>().ok()),
    ) {
        // Only a variable that holds the database number: one that holds a URL
        // (`REDIS_URL=redis://h:6379/3`) would be replaced by a bare number.
        (Some((var, _)), Some(db))
            if session_name != cache_name
                && cache
                    .url
                    .as_ref()
                    .and_then(|u| u.env_var.as_ref())
                    .is_none_or(|(url_var, _)| url_var != var) =>
        {
            // A database neither the sessions nor any other client of the instance uses.
            let origin = Origin::Laravel {
                env: env.file,
                connection: cache_name.clone(),
            };
            let n = match ctx.stack.linked_from(&origin).first() {
                Some(i) => ctx.stack.free_database(*i, db + 1, &origin),
                None => db + 1,
            };
            set_env(ctx, env, var, &n.to_string()).map(|e| {
                Fix::new(
                    Applicability::Unsafe,
                    format!(
                        "give the cache its own database: `{var}={n}` (cached entries start cold)"
                    ),
                    vec![e],
                )
            })
        }
        _ => None,
    };
    let session_connection = app.resolve(&app.session, &["connection"], env);
    let decided_by = if session_name == cache_name {
        &session_connection
    } else {
        &cache.database
    };
    let (file, span) = location(ctx, env, decided_by);
    out.push(
        Finding::new(
            RuleId::LV103,
            file,
            span,
            format!(
                "{why}{}: `php artisan cache:clear` runs FLUSHDB and logs every user out",
                template_note(ctx, env)
            ),
        )
        .with_fix(fix),
    );
}
