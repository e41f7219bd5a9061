//! PHP205 `session-id-in-url`: Session IDs may travel in URLs.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::PHP205,
    name: "session-id-in-url",
    severity: Severity::Warning,
    fix: FixAvailability::Safe,
    hardening: true,
    category: Category::Security,
    summary: r####"Session IDs may travel in URLs"####,
    explanation: r####"`session.use_only_cookies = 0` or `session.use_trans_sid = 1` lets PHP take session IDs from, and
write them into, URLs, where server logs, Referer headers and shared links leak them."####,
    example: r####"session.use_trans_sid = 1"####,
    fix_description: r####"Safe: `session.use_only_cookies = 1` and `session.use_trans_sid = 0`."####,
    references: &[r####"https://wiki.php.net/rfc/deprecate-get-post-sessions"####],
    check: Check::Php(check),
};

/// Session IDs accepted from URLs: `session.use_only_cookies` off or `session.use_trans_sid` on,
/// one finding with one fix for both.
fn check(ctx: &Context, php: &PhpConfig, _whole: bool, out: &mut Vec<Finding>) {
    let only_cookies = php.flag("session.use_only_cookies", true);
    let trans_sid = php.flag("session.use_trans_sid", false);
    let mut edits = Vec::new();
    let mut what = Vec::new();
    let mut at = None;
    if only_cookies == Some(false) {
        what.push("`session.use_only_cookies` is off");
        edits.push(set_ini(ctx, php, "session.use_only_cookies", "1"));
        at = Some(location(php, "session.use_only_cookies"));
    }
    if trans_sid == Some(true) {
        what.push("`session.use_trans_sid` is on");
        edits.push(set_ini(ctx, php, "session.use_trans_sid", "0"));
        at = at.or(Some(location(php, "session.use_trans_sid")));
    }
    if let Some((file, span)) = at {
        let fix = Fix::new(
            Applicability::Safe,
            "accept session IDs from cookies only",
            edits,
        );
        out.push(Finding::new(RuleId::PHP205, file, span, format!("{}: session IDs travel in URLs, where logs, referrers and shared links leak them", what.join(" and "))).with_fix(Some(fix)));
    }
}
