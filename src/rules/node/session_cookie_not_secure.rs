//! NJ201 `session-cookie-not-secure`: The session cookie is sent over plain HTTP.

use super::*;
use crate::fix::{Applicability, Fix};
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::NJ201,
    name: "session-cookie-not-secure",
    severity: Severity::Warning,
    fix: FixAvailability::Unsafe,
    hardening: true,
    category: Category::Security,
    summary: r####"`cookie.secure` is not `true` or `'auto'`"####,
    explanation: r####"express-session's cookie defaults to `secure: false`: the browser sends the session cookie over
plain HTTP too, where anyone on the network can read it and take over the session."####,
    example: r####"session({ secret, store, cookie: { maxAge: 86400000 } })"####,
    fix_description: r####"Unsafe: `secure: true` (an app served over plain HTTP, or behind a proxy without `trust proxy`, then gets no session: see NJ204)."####,
    references: &["https://github.com/expressjs/session#cookiesecure"],
    check: Check::Stack(not_secure),
};

fn not_secure(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, session) in sessions(ctx) {
        let value = match &session.secure {
            Some(Value::Bool { value: true, .. }) => continue,
            Some(Value::Str { text, .. }) if text == "auto" => continue,
            Some(Value::Env(_) | Value::Unknown) => continue,
            None if session.options.is_none() => continue,
            other => other,
        };
        let (file, span, shown, fix) = match value {
            Some(v) => {
                let at = v.at().cloned();
                let direct = session
                    .cookie
                    .as_ref()
                    .and_then(|c| c.as_ref())
                    .and_then(|c| direct_bool(c, "secure"));
                let fix = direct.map(|(f, s)| fix::replace(f, s, b"true".to_vec()));
                let (file, span) =
                    at.map_or((session.file, session.span.clone()), |a| (a.file, a.span));
                (file, span, "is false".to_string(), fix)
            }
            None => {
                let fix = match (&session.cookie, &session.options) {
                    (Some(Some(cookie)), _) => insert_props(ctx, cookie, &[("secure", "true")]),
                    (None, Some(options)) => {
                        insert_props(ctx, options, &[("cookie", "{ secure: true }")])
                    }
                    _ => None,
                };
                (
                    session.file,
                    session.span.clone(),
                    "is not set (default false)".to_string(),
                    fix,
                )
            }
        };
        out.push(
            Finding::new(
                RuleId::NJ201,
                file,
                span,
                format!("the session cookie's `secure` {shown}: browsers send it over plain HTTP, where it can be read and the session taken over"),
            )
            .setting("session.cookie.secure")
            .with_fix(fix.map(|e| Fix::new(Applicability::Unsafe, "send the session cookie over HTTPS only (`secure: true`)", vec![e]))),
        );
    }
}
