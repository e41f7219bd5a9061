//! NJ206 `samesite-none-without-secure`: `sameSite: 'none'` on a cookie that is not Secure.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::NJ206,
    name: "samesite-none-without-secure",
    severity: Severity::Error,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Correctness,
    summary: r####"`sameSite: 'none'` without `secure: true`: browsers reject the cookie"####,
    explanation: r####"Browsers refuse a `SameSite=None` cookie that is not `Secure` (Chrome since version 80, Firefox,
Safari): the session cookie is dropped and no one stays logged in."####,
    example: r####"session({ secret, store, cookie: { sameSite: 'none' } })"####,
    fix_description: r####"None: add `secure: true` (and serve over HTTPS), or use `sameSite: 'lax'`."####,
    references: &[
        "https://github.com/expressjs/session#cookiesamesite",
        "https://web.dev/articles/samesite-cookies-explained",
    ],
    check: Check::Stack(none_without_secure),
};

fn none_without_secure(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, session) in sessions(ctx) {
        let Some(Value::Str { text, at, .. }) = &session.same_site else {
            continue;
        };
        if !text.eq_ignore_ascii_case("none") {
            continue;
        }
        // `'auto'` sets Secure on HTTPS requests, where the cookie is accepted.
        match &session.secure {
            Some(Value::Bool { value: true, .. }) => continue,
            Some(Value::Str { text, .. }) if text == "auto" => continue,
            Some(Value::Env(_) | Value::Unknown) => continue,
            _ => {}
        }
        out.push(
            Finding::new(
                RuleId::NJ206,
                at.file,
                at.span.clone(),
                "the session cookie has `sameSite: 'none'` without `secure: true`: browsers reject it, so the session is never kept",
            )
            .setting("session.cookie.sameSite"),
        );
    }
}
