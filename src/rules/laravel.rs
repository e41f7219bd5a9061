//! `LV`: rules over Laravel applications. Syntax rules run on every `.env*`; the rules that
//! resolve configuration run on the real `.env`, or, when a repository has none (as in CI), on
//! each template (`.env.example`, ...), whose messages then say so.

use super::client_edits::set_env;
use super::{Context, Finding, Related, Severity};
use crate::fix::{self, Applicability, Fix};
use crate::model::laravel::{EnvSource, LaravelApp, Resolved};
use crate::source::FileId;
use crate::stack::passwords::{instance_password, InstancePassword};
use crate::stack::Origin;
use crate::syntax::dotenv::LaravelValue;
use std::ops::Range;

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for app in &ctx.stack.laravel {
        for env in &app.envs {
            env_syntax(ctx, env, out);
        }
        let real: Vec<&EnvSource> = app.envs.iter().filter(|e| !e.template).collect();
        let variants: Vec<EnvSource> = if !real.is_empty() {
            real.into_iter().cloned().collect()
        } else if !app.envs.is_empty() {
            app.envs.clone()
        } else {
            // No .env at all: the configuration's defaults, reported in the first config file.
            let file = [&app.session, &app.cache, &app.database]
                .iter()
                .find_map(|c| c.file);
            file.map(|file| EnvSource {
                file,
                env: Default::default(),
                template: false,
            })
            .into_iter()
            .collect()
        };
        // Each variant is judged; a finding that several variants share is reported once, at
        // the variant the app loads, with the others as related locations.
        let primary = primary_variant(ctx, &variants);
        let mut per_variant: Vec<Vec<Finding>> = Vec::new();
        for env in &variants {
            let mut found = Vec::new();
            driver_not_shared(ctx, app, env, &mut found);
            password_missing(ctx, app, env, &mut found);
            shares_cache_database(ctx, app, env, &mut found);
            cookie_secure(ctx, app, env, &mut found);
            cookie_httponly(ctx, app, env, &mut found);
            per_variant.push(found);
        }
        let mut kept = std::mem::take(&mut per_variant[primary]);
        for (index, found) in per_variant.into_iter().enumerate() {
            if index == primary {
                continue;
            }
            for finding in found {
                // The same place (a config file item every variant reads): one finding.
                if kept.iter().any(|k| {
                    k.rule == finding.rule && k.file == finding.file && k.span == finding.span
                }) {
                    continue;
                }
                match kept.iter_mut().find(|k| k.rule == finding.rule) {
                    Some(same) => {
                        same.related.push(Related {
                            file: finding.file,
                            span: finding.span.clone(),
                            message: format!("also in {}", ctx.sources.display(finding.file)),
                        });
                    }
                    None => kept.push(finding),
                }
            }
        }
        out.extend(kept);
    }
}

/// The variant an app loads: `.env`, else the template deployments copy (`.env.example`,
/// `.env.dist`, `.env.sample`), else a production variant, else the first.
fn primary_variant(ctx: &Context, variants: &[EnvSource]) -> usize {
    let name = |env: &EnvSource| {
        ctx.sources
            .get(env.file)
            .path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default()
    };
    let rank = |env: &EnvSource| match name(env).as_str() {
        ".env" => 0,
        ".env.example" => 1,
        ".env.dist" => 2,
        ".env.sample" => 3,
        _ => match crate::environment::of_path(ctx.sources.display(env.file), &[]) {
            crate::environment::Environment::Production => 4,
            crate::environment::Environment::Example => 5,
            _ => 6,
        },
    };
    (0..variants.len())
        .min_by_key(|&i| (rank(&variants[i]), i))
        .unwrap_or(0)
}

/// " in the template .env.example (deployments copy it)" for templates.
fn template_note(ctx: &Context, env: &EnvSource) -> String {
    if env.template {
        format!(
            " in the template {} (deployments copy it)",
            ctx.sources.display(env.file)
        )
    } else {
        String::new()
    }
}

/// Where a finding about a resolved value points: the `.env` line that set it, the config item,
/// else line 1 of the `.env` (where a fix would add the variable).
fn location(ctx: &Context, env: &EnvSource, r: &Resolved) -> (FileId, Range<usize>) {
    if let Some((_, Some((file, line)))) = &r.env_var {
        let l = &ctx.sources.doc(*file).line(*line);
        return (*file, l.start()..l.content_end());
    }
    if let Some((file, span)) = &r.config {
        return (*file, span.clone());
    }
    (env.file, 0..0)
}

fn env_syntax(ctx: &Context, env: &EnvSource, out: &mut Vec<Finding>) {
    for error in &env.env.errors {
        out.push(Finding::new(
            "LV001",
            env.file,
            error.span.clone(),
            format!(
                "phpdotenv rejects this line: {}; Laravel throws while loading the file{}",
                error.message,
                template_note(ctx, env)
            ),
        ));
    }
    for entry in env.env.entries.iter().filter(|e| e.cut_by_hash) {
        let raw =
            String::from_utf8_lossy(&ctx.sources.doc(env.file).bytes()[entry.value_span.clone()])
                .into_owned();
        // Lossy text would rewrite bytes that are not UTF-8: no fix then.
        let utf8 =
            std::str::from_utf8(&ctx.sources.doc(env.file).bytes()[entry.value_span.clone()])
                .is_ok();
        let fix = (utf8 && !raw.contains('\'') && !raw.contains(char::is_whitespace)).then(|| {
            Fix::new(
                Applicability::Safe,
                "put the value in single quotes",
                vec![fix::replace(
                    env.file,
                    entry.value_span.clone(),
                    format!("'{raw}'"),
                )],
            )
        });
        out.push(
            Finding::new(
                "LV002",
                env.file,
                entry.span.clone(),
                format!("`{}`: phpdotenv reads an unquoted `#` as the start of a comment, so the value is cut there{}", entry.name, template_note(ctx, env)),
            )
            .with_fix(fix),
        );
    }
}

fn driver(app: &LaravelApp, env: &EnvSource) -> (Resolved, Option<String>) {
    let r = app.session_driver(env);
    let d = r.text().map(|t| t.to_ascii_lowercase());
    (r, d)
}

fn driver_not_shared(ctx: &Context, app: &LaravelApp, env: &EnvSource, out: &mut Vec<Finding>) {
    if ctx.stack.instances.is_empty() {
        return;
    }
    let (r, Some(d)) = driver(app, env) else {
        return;
    };
    let severity = match d.as_str() {
        "redis" => return,
        "array" => Severity::Warning,
        _ => Severity::Info,
    };
    let (file, span) = location(ctx, env, &r);
    let why = if d == "array" {
        "sessions live in memory for one request only: every user is logged out on each request"
    } else {
        "sessions are not kept in the stack's Redis"
    };
    out.push(
        Finding::new(
            "LV101",
            file,
            span,
            format!(
                "`SESSION_DRIVER` resolves to `{d}`{}: {why}",
                template_note(ctx, env)
            ),
        )
        .severity(severity),
    );
}

fn password_missing(ctx: &Context, app: &LaravelApp, env: &EnvSource, out: &mut Vec<Finding>) {
    // A template's `REDIS_PASSWORD=null` is a placeholder, not a missing password.
    if env.template {
        return;
    }
    let (_, Some(d)) = driver(app, env) else {
        return;
    };
    if d != "redis" {
        return;
    }
    let Some(name) = app.session_connection_name(env) else {
        return;
    };
    let Some(conn) = app.connection(&name, env) else {
        return;
    };
    let missing = match &conn.password.value {
        Some(LaravelValue::Null) => true,
        Some(LaravelValue::Str(s)) => s.is_empty(),
        _ => false,
    };
    if missing {
        let (file, span) = location(ctx, env, &conn.password);
        let origin = Origin::Laravel {
            env: env.file,
            connection: name.clone(),
        };
        let needed = ctx
            .stack
            .linked_from(&origin)
            .first()
            .map(|i| instance_password(&ctx.stack.instances[*i].model))
            .filter(InstancePassword::needs_one);
        let (severity, message) = match &needed {
            Some(_) => (Severity::Error, format!("sessions use the Redis connection `{name}`, which has no password, but the linked instance needs one: every request that starts a session fails")),
            None => (Severity::Warning, format!("sessions use the Redis connection `{name}`, which has no password: if the instance needs one every request fails, if not anyone who reaches it reads the sessions")),
        };
        let fix = match (
            &conn.password.env_var,
            needed.as_ref().and_then(InstancePassword::plain),
        ) {
            (Some((var, _)), Some(password)) => set_env(ctx, env, var, password).map(|e| {
                Fix::new(
                    Applicability::Unsafe,
                    format!("set `{var}` to the linked instance's password"),
                    vec![e.with_secret_text(password.as_bytes())],
                )
            }),
            _ => None,
        };
        out.push(
            Finding::new("LV102", file, span, message)
                .severity(severity)
                .with_fix(fix),
        );
    }
}

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
        (Some((var, _)), Some(db)) if session_name != cache_name => {
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
            "LV103",
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

fn cookie_secure(ctx: &Context, app: &LaravelApp, env: &EnvSource, out: &mut Vec<Finding>) {
    let r = app.resolve(&app.session, &["secure"], env);
    let severity = match &r.value {
        Some(LaravelValue::Bool(false)) => Severity::Warning,
        Some(LaravelValue::Null) => Severity::Info,
        _ => return,
    };
    let (file, span) = location(ctx, env, &r);
    // Name what the app really reads: apps rename the variable (`SECURE_COOKIES`,
    // `COOKIE_SECURE`) or hard-code the value in config/session.php.
    let state = if severity == Severity::Warning {
        "is false"
    } else {
        "is not set"
    };
    let what = match (&r.env_var, &r.config) {
        (Some((var, _)), _) => format!("`{var}` {state}"),
        (None, Some((file, _))) => format!("`secure` in {} {state}", ctx.sources.display(*file)),
        (None, None) => format!("the session cookie's `secure` option {state}"),
    };
    let fix = match &r.env_var {
        Some((var, _)) => set_env(ctx, env, var, "true").map(|e| {
            Fix::new(
                Applicability::Unsafe,
                format!(
                    "set `{var}=true` (a site still served over plain HTTP loses its sessions)"
                ),
                vec![e],
            )
        }),
        _ => None,
    };
    out.push(
        Finding::new("LV104", file, span, format!("{what}{}: the session cookie may be sent over plain HTTP (Laravel 11 follows the request's scheme, which needs trusted proxies behind TLS)", template_note(ctx, env)))
            .severity(severity)
            .with_fix(fix),
    );
}

fn cookie_httponly(ctx: &Context, app: &LaravelApp, env: &EnvSource, out: &mut Vec<Finding>) {
    let r = app.resolve(&app.session, &["http_only"], env);
    if r.value != Some(LaravelValue::Bool(false)) {
        return;
    }
    let (file, span) = location(ctx, env, &r);
    let fix = match (&r.env_var, &r.config) {
        (Some((var, Some(_))), _) => set_env(ctx, env, var, "true"),
        (None, Some((cfg, span))) => Some(fix::replace(*cfg, span.clone(), b"true".to_vec())),
        _ => None,
    };
    let fix = fix.map(|e| {
        Fix::new(
            Applicability::Safe,
            "let the session cookie be HttpOnly",
            vec![e],
        )
    });
    out.push(Finding::new("LV105", file, span, format!("the session cookie is not HttpOnly{}: one XSS bug lets JavaScript steal every session", template_note(ctx, env))).with_fix(fix));
}
