//! SN102 `auth-pass-mismatch`: auth-pass differs from the linked instance's password.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::SN102,
    name: "auth-pass-mismatch",
    severity: Severity::Error,
    fix: FixAvailability::Unsafe,
    hardening: false,
    category: Category::Correctness,
    summary: r####"auth-pass differs from the linked instance's password"####,
    explanation: r####"The master this Sentinel monitors (linked by address) does not accept the `auth-pass`: Sentinel's
pings fail with WRONGPASS, so it cannot monitor the master or fail it over. This is what happens
when the server's password is rotated and the Sentinels are forgotten."####,
    example: r####"sentinel monitor sessions 10.0.0.5 6379 2
sentinel auth-pass sessions old-password   <- sessions.conf now says requirepass new-password"####,
    fix_description: r####"Unsafe: set auth-pass to the instance's password (any client outside the audited files must change too)."####,
    references: &[
        r####"https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#configuring-sentinel-instances-with-authentication"####,
    ],
    check: Check::Stack(check),
};

/// A Sentinel `auth-pass` the monitored instance does not accept.
fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for SentinelClient {
        index: c,
        client,
        master,
        link,
        expected,
        ..
    } in sentinel_clients(ctx)
    {
        match (&client.password, &expected) {
            (
                ClientPassword::Literal {
                    value, file, span, ..
                },
                Some(expected),
            ) if expected.accepts(value) == Some(false) => {
                let fix = expected.plain().map(|p| {
                    Fix::new(
                        Applicability::Unsafe,
                        "set `auth-pass` to the instance's password",
                        // The inserted text is a password whatever the reader marked.
                        vec![fix::replace(*file, span.clone(), p.as_bytes().to_vec())
                            .with_secret_text(p.as_bytes())],
                    )
                });
                let index = link.unwrap();
                push(out, [c],
                    Finding::new(RuleId::SN102, *file, span.clone(), format!("`sentinel auth-pass {master}` is not the password of {}: Sentinel cannot monitor or fail over the master", instance_name(ctx, index)))
                        .with_fix(fix)
                        .related(instance_related(ctx, index, "the monitored instance")),
                );
            }
            _ => {}
        }
    }
}
