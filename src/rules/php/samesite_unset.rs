//! PHP204 `samesite-unset`: The session cookie has no SameSite attribute.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::PHP204,
    name: "samesite-unset",
    severity: Severity::Info,
    fix: FixAvailability::Safe,
    hardening: true,
    category: Category::Security,
    summary: r####"The session cookie has no SameSite attribute"####,
    explanation: r####"An empty `session.cookie_samesite` leaves the choice to the browser; `Lax` keeps the cookie off
cross-site POSTs, a cheap defence against CSRF. Note that an unquoted `None` is read as false
(empty): write `"None"` to mean the SameSite value None."####,
    example: r####"session.cookie_samesite ="####,
    fix_description: r####"Safe: `session.cookie_samesite = "Lax"`."####,
    references: &[
        r####"https://www.php.net/manual/en/session.configuration.php#ini.session.cookie-samesite"####,
    ],
    check: Check::Php(check),
};

fn check(ctx: &Context, php: &PhpConfig, whole: bool, out: &mut Vec<Finding>) {
    let samesite_set = php.last("session.cookie_samesite").is_some();
    if samesite_set || whole {
        if let Some(v) = php.text_or("session.cookie_samesite", "") {
            if v.trim().is_empty() {
                let (file, span) = location(php, "session.cookie_samesite");
                let fix = Fix::new(
                    Applicability::Safe,
                    "set `session.cookie_samesite = \"Lax\"`",
                    vec![set_ini(ctx, php, "session.cookie_samesite", "\"Lax\"")],
                );
                out.push(Finding::new(RuleId::PHP204, file, span, "`session.cookie_samesite` is empty: the session cookie rides along on cross-site requests (CSRF)").with_fix(Some(fix)));
            }
        }
    }
}
