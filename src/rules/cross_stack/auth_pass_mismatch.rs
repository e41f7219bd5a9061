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

/// `sentinel_auth` judges both SN101 and SN102 from one comparison: this rule keeps its own.
fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let first = out.len();
    sentinel_auth(ctx, out);
    keep_only(out, first, RuleId::SN102);
}
