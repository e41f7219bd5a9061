//! LV102 `redis-password-missing`: The session connection has no Redis password.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::LV102,
    name: "redis-password-missing",
    severity: Severity::Warning,
    fix: FixAvailability::Unsafe,
    hardening: false,
    category: Category::Correctness,
    summary: r####"The session connection has no Redis password"####,
    explanation: r####"With `SESSION_DRIVER=redis` the session connection (`SESSION_CONNECTION` or `default`) resolves to
no password (`REDIS_PASSWORD` null, empty or unset, and none in `REDIS_URL`). A template's `null`
placeholder is not reported."####,
    example: r####"SESSION_DRIVER=redis
REDIS_PASSWORD=null"####,
    fix_description: r####"Unsafe, when the instance's password is known: set `REDIS_PASSWORD`."####,
    references: &[r####"https://laravel.com/docs/redis#configuration"####],
    check: Check::LaravelVariant(password_missing),
};

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
            Finding::new(RuleId::LV102, file, span, message)
                .severity(severity)
                .with_fix(fix),
        );
    }
}
