//! LV104 `session-cookie-not-secure`: The session cookie may be sent over plain HTTP.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::LV104,
    name: "session-cookie-not-secure",
    severity: Severity::Warning,
    fix: FixAvailability::Unsafe,
    hardening: true,
    category: Category::Security,
    summary: r####"The session cookie may be sent over plain HTTP"####,
    explanation: r####"`SESSION_SECURE_COOKIE=false` lets the browser send the session cookie over HTTP (warning). Unset
(info): Laravel 11 then follows the request's scheme, which is HTTP behind a TLS-terminating proxy
unless trusted proxies are configured."####,
    example: r####"SESSION_SECURE_COOKIE=false"####,
    fix_description: r####"Unsafe: `SESSION_SECURE_COOKIE=true` (a site served over plain HTTP loses its sessions)."####,
    references: &[r####"https://github.com/laravel/framework/pull/52422"####],
    check: Check::LaravelVariant(cookie_secure),
};

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
        Finding::new(RuleId::LV104, file, span, format!("{what}{}: the session cookie may be sent over plain HTTP (Laravel 11 follows the request's scheme, which needs trusted proxies behind TLS)", template_note(ctx, env)))
            .severity(severity)
            .with_fix(fix),
    );
}
