//! NJ202 `session-cookie-not-httponly`: The session cookie is readable by JavaScript.

use super::*;
use crate::fix::{Applicability, Fix};
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::NJ202,
    name: "session-cookie-not-httponly",
    severity: Severity::Warning,
    fix: FixAvailability::Safe,
    hardening: true,
    category: Category::Security,
    summary: r####"`cookie.httpOnly: false`: scripts can read the session cookie"####,
    explanation: r####"express-session sets `HttpOnly` by default; `httpOnly: false` lets any script in the page read the
session cookie, so one XSS bug steals every session."####,
    example: r####"session({ secret, store, cookie: { httpOnly: false } })"####,
    fix_description: r####"Safe: `httpOnly: true`."####,
    references: &["https://github.com/expressjs/session#cookiehttponly"],
    check: Check::Stack(not_httponly),
};

fn not_httponly(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, session) in sessions(ctx) {
        let Some(Value::Bool { value: false, at }) = &session.http_only else {
            continue;
        };
        let direct = session
            .cookie
            .as_ref()
            .and_then(|c| c.as_ref())
            .and_then(|c| direct_bool(c, "httpOnly"));
        let fix = direct.map(|(f, s)| {
            Fix::new(
                Applicability::Safe,
                "let the session cookie be HttpOnly",
                vec![fix::replace(f, s, b"true".to_vec())],
            )
        });
        out.push(
            Finding::new(
                RuleId::NJ202,
                at.file,
                at.span.clone(),
                "the session cookie has `httpOnly: false`: any script in the page can read it, so one XSS bug steals the session",
            )
            .setting("session.cookie.httpOnly")
            .with_fix(fix),
        );
    }
}
