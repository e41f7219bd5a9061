//! FL202 `session-cookie-not-httponly`: javaScript can read the session cookie.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::FL202,
    name: "session-cookie-not-httponly",
    severity: Severity::Warning,
    fix: FixAvailability::Safe,
    hardening: true,
    category: Category::Security,
    summary: r####"JavaScript can read the session cookie"####,
    explanation: r####"`SESSION_COOKIE_HTTPONLY = False` drops the `HttpOnly` attribute Flask sets by default: any script
running in the page (one XSS bug is enough) can read the session cookie and send it away."####,
    example: r####"app.config['SESSION_COOKIE_HTTPONLY'] = False"####,
    fix_description: r####"Safe: set it to `True`."####,
    references: &[r####"https://flask.palletsprojects.com/en/stable/config/"####],
    check: Check::Flask(check),
};

fn check(ctx: &Context, config: &FlaskConfig, out: &mut Vec<Finding>) {
    super::session_cookie_not_secure::cookie_flag(
        ctx,
        config,
        "SESSION_COOKIE_HTTPONLY",
        RuleId::FL202,
        out,
    );
}
