//! NJ204 `secure-cookie-without-trust-proxy`: A Secure cookie while the app does not trust a proxy.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::NJ204,
    name: "secure-cookie-without-trust-proxy",
    severity: Severity::Info,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Correctness,
    summary: r####"`cookie.secure` while the app never sets `trust proxy`"####,
    explanation: r####"express-session sets a Secure cookie only on a request it sees as HTTPS. Behind a proxy that
terminates TLS (nginx, a load balancer, Heroku) the request reaches Node over HTTP, and without
`app.set('trust proxy', ...)` or `session({ proxy: true })` express-session never sends the cookie
(with `secure: 'auto'` it sends it without `Secure`): users are logged out on every request."####,
    example: r####"session({ secret, store, cookie: { secure: true } })   // and no app.set('trust proxy', 1)"####,
    fix_description: r####"None: behind a proxy, `app.set('trust proxy', 1)` (the number of proxies) or `proxy: true`; served directly over HTTPS, nothing."####,
    references: &[
        "https://github.com/expressjs/session#cookiesecure",
        "https://expressjs.com/en/guide/behind-proxies.html",
    ],
    check: Check::Stack(no_trust_proxy),
};

fn no_trust_proxy(ctx: &Context, out: &mut Vec<Finding>) {
    for (app, session) in sessions(ctx) {
        let auto = match &session.secure {
            Some(Value::Bool { value: true, .. }) => false,
            Some(Value::Str { text, .. }) if text == "auto" => true,
            _ => continue,
        };
        if app.trust_proxy || session.proxy.is_true() || !session.proxy.is_known() {
            continue;
        }
        let at = session
            .secure
            .as_ref()
            .and_then(|v| v.at().cloned())
            .unwrap_or(crate::model::node::Located {
                file: session.file,
                span: session.span.clone(),
            });
        out.push(
            Finding::new(
                RuleId::NJ204,
                at.file,
                at.span,
                format!(
                    "the session cookie has `secure: {}` but the app never calls `app.set('trust proxy', ...)` and `session()` has no `proxy: true`: behind a TLS-terminating proxy the cookie is {}",
                    if auto { "'auto'" } else { "true" },
                    if auto { "sent without `Secure`" } else { "never sent, and every request starts a new session" }
                ),
            )
            .setting("session.cookie.secure"),
        );
    }
}
