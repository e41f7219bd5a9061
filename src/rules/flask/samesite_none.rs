//! FL204 `samesite-none`: the session cookie is sent on cross-site requests.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::FL204,
    name: "samesite-none",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    hardening: true,
    category: Category::Security,
    summary: r####"The session cookie is sent on cross-site requests"####,
    explanation: r####"`SESSION_COOKIE_SAMESITE = 'None'` (the string) sends `SameSite=None`: browsers attach the session
cookie to requests from any site, which opens the app to cross-site request forgery. Python's `None`
sends no attribute, which browsers read as `Lax`."####,
    example: r####"app.config['SESSION_COOKIE_SAMESITE'] = 'None'"####,
    fix_description: r####"None."####,
    references: &[r####"https://flask.palletsprojects.com/en/stable/config/"####],
    check: Check::Flask(check),
};

fn check(ctx: &Context, config: &FlaskConfig, out: &mut Vec<Finding>) {
    let Some(s) = config.get("SESSION_COOKIE_SAMESITE") else {
        return;
    };
    let none = s
        .certain()
        .and_then(crate::model::django::Val::as_str)
        .is_some_and(|v| v.eq_ignore_ascii_case("none"));
    if !none {
        return;
    }
    out.push(
        Finding::new(
            RuleId::FL204,
            s.file,
            s.span.clone(),
            format!("`SESSION_COOKIE_SAMESITE` is the string `\"None\"` ({}): the session cookie is sent with `SameSite=None`, on requests from any site", at(ctx, s)),
        )
        .setting("SESSION_COOKIE_SAMESITE"),
    );
}
