//! FL104 `redis-cleartext-remote`: the session client reaches a remote Redis without TLS.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::FL104,
    name: "redis-cleartext-remote",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    hardening: true,
    category: Category::Security,
    summary: r####"The session client reaches a remote Redis without TLS"####,
    explanation: r####"Session data, and the password when one is sent, cross the network in clear text when the client
reaches a host that is not loopback over `redis://` or without `ssl=True`."####,
    example: r####"SESSION_REDIS = redis.Redis(host='10.0.0.5', password=PW)"####,
    fix_description: r####"None."####,
    references: &[
        r####"https://redis.readthedocs.io/en/stable/examples/ssl_connection_examples.html"####,
    ],
    check: Check::Flask(check),
};

fn check(ctx: &Context, config: &FlaskConfig, out: &mut Vec<Finding>) {
    let Some((s, client)) = session_client(config) else {
        return;
    };
    let Some(host) = client.host.as_deref() else {
        return;
    };
    if client.socket.is_some()
        || client.ssl != Some(false)
        || crate::stack::links::is_loopback(host)
    {
        return;
    }
    let how = if client.url.is_some() {
        "over `redis://`"
    } else {
        "without `ssl=True`"
    };
    let password = if matches!(client.password, Some(Some(_)) | None) {
        " and its password"
    } else {
        ""
    };
    out.push(
        Finding::new(
            RuleId::FL104,
            s.file,
            s.span.clone(),
            format!("the Flask-Session client ({}) reaches {host} {how}: session data{password} cross the network in clear text", at(ctx, s)),
        )
        .setting("SESSION_REDIS"),
    );
}
