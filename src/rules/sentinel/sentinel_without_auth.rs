//! SN301 `sentinel-without-auth`: The Sentinel itself accepts unauthenticated clients.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::SN301,
    name: "sentinel-without-auth",
    severity: Severity::Warning,
    fix: FixAvailability::Unsafe,
    hardening: true,
    category: Category::Security,
    summary: r####"The Sentinel itself accepts unauthenticated clients"####,
    explanation: r####"Anyone who reaches a Sentinel without a password can `SENTINEL SET` a master's address or force a
failover, redirecting every client to a server they control. Set `requirepass` (the same on every
Sentinel, since it is also used towards peers) or ACL users with passwords."####,
    example: r####"# sentinel.conf with no requirepass"####,
    fix_description: r####"Unsafe: add `requirepass` with a generated secret; clients and peer Sentinels need it too."####,
    references: &[
        r####"https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#configuring-sentinel-instances-with-authentication"####,
    ],
    check: Check::Sentinel(without_auth),
};

fn without_auth(ctx: &Context, sentinel: &SentinelModel, out: &mut Vec<Finding>) {
    let model = &sentinel.config;
    let Some(user) = model.default_user.as_ref() else {
        return;
    };
    if !user.state.open_without_password() {
        return;
    }
    // A `user default ... nopass` line (which Sentinel writes into its generated block) beats any
    // requirepass that a fix could add, so a fix is offered only when none exists.
    let fix = matches!(user.source, DefaultUserSource::Compiled | DefaultUserSource::Requirepass(_)).then(|| {
        let secret = secret::generate();
        let edit = match model.last("requirepass") {
            Some(o) => fix::replace(o.file, o.values[0].span.clone(), secret.as_bytes()),
            None => add_line(ctx.sources, model, format!("requirepass {secret}").as_bytes(), &["port", "requirepass"]),
        }
        .with_secret_text(secret.as_bytes());
        Fix::new(Applicability::Unsafe, "add `requirepass` with a generated secret (use the same on every Sentinel; clients need it too)", vec![edit])
    });
    out.push(
        Finding::new(RuleId::SN301, model.root, 0..0, "this Sentinel has no `requirepass` and no user with a password: anyone who reaches it can reconfigure or fail over the masters it monitors")
            .with_fix(fix),
    );
}
