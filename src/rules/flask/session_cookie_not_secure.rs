//! FL201 `session-cookie-not-secure`: the session cookie is sent over plain HTTP.

use super::*;
use crate::model::django::Val;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::FL201,
    name: "session-cookie-not-secure",
    severity: Severity::Warning,
    fix: FixAvailability::Unsafe,
    hardening: true,
    category: Category::Security,
    summary: r####"The session cookie is sent over plain HTTP"####,
    explanation: r####"Flask's `SESSION_COOKIE_SECURE` defaults to `False`: the browser sends the session cookie over plain
HTTP too, where anyone on the path can read it."####,
    example: r####"app.config['SESSION_COOKIE_SECURE'] = False"####,
    fix_description: r####"Unsafe: set it to `True` (a site or a development server on plain HTTP then loses its sessions)."####,
    references: &[r####"https://flask.palletsprojects.com/en/stable/config/"####],
    check: Check::Flask(check),
};

fn check(ctx: &Context, config: &FlaskConfig, out: &mut Vec<Finding>) {
    cookie_flag(ctx, config, "SESSION_COOKIE_SECURE", RuleId::FL201, out);
}

/// FL201 and FL202: a cookie flag that is certainly false (or, for `Secure`, left unset in an app
/// read whole). A string from the environment is FL203's.
pub(crate) fn cookie_flag(
    ctx: &Context,
    config: &FlaskConfig,
    key: &str,
    rule: RuleId,
    out: &mut Vec<Finding>,
) {
    let secure = rule == RuleId::FL201;
    let (what, consequence, applicability) = if secure {
        (
            "`Secure`",
            "the browser also sends it over plain HTTP, where anyone on the path can read it",
            Applicability::Unsafe,
        )
    } else {
        (
            "`HttpOnly`",
            "any script in the page (one XSS bug is enough) can read it",
            Applicability::Safe,
        )
    };
    match config.get(key) {
        Some(s) => {
            if from_env_string(&s.expr).is_some() {
                return;
            }
            let Some(value) = s.certain() else {
                return;
            };
            if matches!(value, Val::Str(_)) || crate::model::django::truthy(value) != Some(false) {
                return;
            }
            out.push(
                Finding::new(
                    rule,
                    s.file,
                    s.span.clone(),
                    format!("`{key}` is false ({}): the session cookie has no {what} attribute, so {consequence}", at(ctx, s)),
                )
                .setting(key)
                .with_fix(set_bool_fix(ctx, s, applicability, &format!("set `{key}` to `True`"))),
            );
        }
        None if secure && config.initialises_session && !config.partial => out.push(
            Finding::new(
                rule,
                config.file,
                config.span.clone(),
                format!("`{key}` is unset for the {} (Flask's default is `False`): the session cookie has no {what} attribute, so {consequence}", subject(ctx, config)),
            )
            .setting(key),
        ),
        None => {}
    }
}
