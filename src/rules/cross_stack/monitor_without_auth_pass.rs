//! SN101 `monitor-without-auth-pass`: sentinel monitor M with no sentinel auth-pass M.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::SN101,
    name: "monitor-without-auth-pass",
    severity: Severity::Error,
    fix: FixAvailability::Unsafe,
    hardening: false,
    category: Category::Correctness,
    summary: r####"sentinel monitor M with no sentinel auth-pass M"####,
    explanation: r####"Sentinel authenticates to the master and its replicas with `sentinel auth-pass`. Without it,
Sentinel cannot talk to a master that needs a password: it marks it down, and it can never fail
over. Error when the linked instance in the stack needs a password; warning when the master is not
in the audited stack (redline cannot tell)."####,
    example: r####"sentinel monitor sessions 10.0.0.5 6379 2
# no "sentinel auth-pass sessions ...""####,
    fix_description: r####"Unsafe, when the linked instance's password is known: add `sentinel auth-pass M <that password>` after the monitor line."####,
    references: &[
        r####"https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#configuring-sentinel-instances-with-authentication"####,
    ],
    check: Check::Stack(check),
};

/// A Sentinel client without `auth-pass` where the monitored instance may need one.
fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for SentinelClient {
        index: c,
        client,
        sentinel: s,
        master,
        link,
        expected,
    } in sentinel_clients(ctx)
    {
        let s = &s;
        match (&client.password, &expected) {
            (ClientPassword::None, Some(InstancePassword::Open))
            | (ClientPassword::None, Some(InstancePassword::Unknown)) => {}
            (ClientPassword::None, _) => {
                let severity = if expected.as_ref().is_some_and(InstancePassword::needs_one) {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                let fix = expected
                    .as_ref()
                    .and_then(InstancePassword::plain)
                    .map(|p| {
                        let monitor = &ctx.stack.sentinels[*s]
                            .masters
                            .iter()
                            .find(|m| &m.name == master)
                            .unwrap()
                            .monitor;
                        let edit = fix::insert_line_after(
                            ctx.sources,
                            monitor.file,
                            monitor.line(),
                            format!("sentinel auth-pass {master} {p}").as_bytes(),
                        )
                        .with_secret_text(p.as_bytes());
                        Fix::new(
                            Applicability::Unsafe,
                            format!(
                                "add `sentinel auth-pass {master}` with the instance's password"
                            ),
                            vec![edit],
                        )
                    });
                let why = match link {
                    Some(i) => format!("the monitored instance {} needs a password, so Sentinel cannot talk to it", instance_name(ctx, i)),
                    None => "if the master needs a password, Sentinel cannot talk to it (the master is not in the audited stack)".into(),
                };
                push(out, [c], Finding::new(RuleId::SN101, client.file, client.span.clone(), format!("`sentinel monitor {master}` has no `sentinel auth-pass {master}`: {why}")).severity(severity).with_fix(fix));
            }
            _ => {}
        }
    }
}
