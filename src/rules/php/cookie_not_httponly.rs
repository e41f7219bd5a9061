//! PHP202 `cookie-not-httponly`: JavaScript can read the session cookie.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::PHP202,
    name: "cookie-not-httponly",
    severity: Severity::Warning,
    fix: FixAvailability::Safe,
    hardening: true,
    category: Category::Security,
    summary: r####"JavaScript can read the session cookie"####,
    explanation: r####"Without `session.cookie_httponly`, any script running in the page (one XSS bug is enough) can read
the session cookie and send it away."####,
    example: r####"session.cookie_httponly ="####,
    fix_description: r####"Safe: `session.cookie_httponly = 1`."####,
    references: &[
        r####"https://www.php.net/manual/en/session.configuration.php#ini.session.cookie-httponly"####,
    ],
    check: Check::Php(check),
};

fn check(ctx: &Context, php: &PhpConfig, whole: bool, out: &mut Vec<Finding>) {
    cookie_flag(ctx, php, whole, RuleId::PHP202, out);
}
