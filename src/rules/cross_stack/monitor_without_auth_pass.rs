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

/// `sentinel_auth` judges both SN101 and SN102 from one comparison: this rule keeps its own.
fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let first = out.len();
    sentinel_auth(ctx, out);
    keep_only(out, first, RuleId::SN101);
}
