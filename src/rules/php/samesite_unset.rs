//! PHP204 `samesite-unset`: The session cookie has no SameSite attribute.

use super::*;
use crate::rules::registry::{Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::PHP204,
    name: "samesite-unset",
    severity: Severity::Info,
    fix: FixAvailability::Safe,
    hardening: true,
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

/// `cookie_rules` judges the cookie and session-ID settings together: this rule keeps its own.
fn check(ctx: &Context, php: &PhpConfig, whole: bool, out: &mut Vec<Finding>) {
    let first = out.len();
    cookie_rules(ctx, php, whole, out);
    crate::rules::keep_only(out, first, RuleId::PHP204);
}
