//! FL106 `tls-without-verification`: the session client's TLS does not verify the server.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::FL106,
    name: "tls-without-verification",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    hardening: true,
    category: Category::Security,
    summary: r####"The session client's TLS does not verify the server"####,
    explanation: r####"`ssl_cert_reqs=None`, `'none'` or `ssl.CERT_NONE` turns certificate verification off: anyone on the
path can pose as the Redis server and read every session."####,
    example: r####"SESSION_REDIS = redis.Redis(host=H, ssl=True, ssl_cert_reqs=None)"####,
    fix_description: r####"None."####,
    references: &[r####"https://redis.readthedocs.io/en/stable/connections.html"####],
    check: Check::Flask(check),
};

fn check(ctx: &Context, config: &FlaskConfig, out: &mut Vec<Finding>) {
    let Some((s, client)) = session_client(config) else {
        return;
    };
    let Some(span) = client.no_verification else {
        return;
    };
    out.push(
        Finding::new(
            RuleId::FL106,
            s.file,
            span,
            format!("the Flask-Session client ({}) turns TLS certificate verification off (`ssl_cert_reqs`): anyone on the path can pose as the Redis server", at(ctx, s)),
        )
        .setting("SESSION_REDIS"),
    );
}
