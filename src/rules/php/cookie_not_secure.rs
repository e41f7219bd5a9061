//! PHP201 `cookie-not-secure`: The session cookie is sent over plain HTTP.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::PHP201,
    name: "cookie-not-secure",
    severity: Severity::Warning,
    fix: FixAvailability::Unsafe,
    hardening: true,
    category: Category::Security,
    summary: r####"The session cookie is sent over plain HTTP"####,
    explanation: r####"Without `session.cookie_secure` the browser also sends the session cookie over HTTP, where anyone
on the network path can read it and take over the session. php.ini-production leaves it off."####,
    example: r####"session.cookie_secure = 0"####,
    fix_description: r####"Unsafe: `session.cookie_secure = 1` (a site still served over plain HTTP loses its sessions)."####,
    references: &[
        r####"https://www.php.net/manual/en/session.configuration.php#ini.session.cookie-secure"####,
    ],
    check: Check::Php(check),
};

fn check(ctx: &Context, php: &PhpConfig, whole: bool, out: &mut Vec<Finding>) {
    cookie_flag(ctx, php, whole, RuleId::PHP201, out);
}
