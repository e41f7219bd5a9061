//! LV105 `session-cookie-not-httponly`: The session cookie is readable by JavaScript.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::LV105,
    name: "session-cookie-not-httponly",
    severity: Severity::Warning,
    fix: FixAvailability::Safe,
    hardening: true,
    category: Category::Security,
    summary: r####"The session cookie is readable by JavaScript"####,
    explanation: r####"`SESSION_HTTP_ONLY=false` or `'http_only' => false` in config/session.php lets any script in the
page read the session cookie: one XSS bug steals every session."####,
    example: r####"SESSION_HTTP_ONLY=false"####,
    fix_description: r####"Safe: `SESSION_HTTP_ONLY=true`, or `'http_only' => true`."####,
    references: &[r####"https://laravel.com/docs/session#configuration"####],
    check: Check::LaravelVariant(cookie_httponly),
};

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
    out.push(Finding::new(RuleId::LV105, file, span, format!("the session cookie is not HttpOnly{}: one XSS bug lets JavaScript steal every session", template_note(ctx, env))).with_fix(fix));
}
