//! PHP205 `session-id-in-url`: Session IDs may travel in URLs.

use super::*;
use crate::rules::registry::{Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::PHP205,
    name: "session-id-in-url",
    severity: Severity::Warning,
    fix: FixAvailability::Safe,
    hardening: true,
    summary: r####"Session IDs may travel in URLs"####,
    explanation: r####"`session.use_only_cookies = 0` or `session.use_trans_sid = 1` lets PHP take session IDs from, and
write them into, URLs, where server logs, Referer headers and shared links leak them."####,
    example: r####"session.use_trans_sid = 1"####,
    fix_description: r####"Safe: `session.use_only_cookies = 1` and `session.use_trans_sid = 0`."####,
    references: &[r####"https://wiki.php.net/rfc/deprecate-get-post-sessions"####],
    check: Check::Php(check),
};

/// `cookie_rules` judges the cookie and session-ID settings together: this rule keeps its own.
fn check(ctx: &Context, php: &PhpConfig, whole: bool, out: &mut Vec<Finding>) {
    let first = out.len();
    cookie_rules(ctx, php, whole, out);
    crate::rules::keep_only(out, first, RuleId::PHP205);
}
