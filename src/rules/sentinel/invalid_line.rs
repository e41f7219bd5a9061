//! SN001 `invalid-line`: A line Sentinel refuses.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::SN001,
    name: "invalid-line",
    severity: Severity::Error,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Syntax,
    summary: r####"A line Sentinel refuses"####,
    explanation: r####"Sentinel reads its file with redis-server's loader, then handles the `sentinel` lines: first the
global ones (`resolve-hostnames`, `myid`, ...), then every `monitor`, then the rest. It refuses an
unknown subcommand, a per-master line (`auth-pass`, `down-after-milliseconds`, ...) for a master
no `sentinel monitor` defines, a quorum below 1, a duplicate master name, a host name while
`resolve-hostnames` is off, time values <= 0, a malformed `myid`, and every line redis-server
itself would refuse. (A per-master line above its `monitor` line is fine: Sentinel reads all
`monitor` lines first.)"####,
    example: r####"sentinel auth-pass mymastr s3cret         <- no "sentinel monitor mymastr ..."
sentinel monitor mymaster 10.0.0.1 6379 0 <- quorum must be 1 or greater"####,
    fix_description: r####"None."####,
    references: &[r####"https://github.com/redis/redis/blob/7.2/src/sentinel.c"####],
    check: Check::Sentinel(invalid_lines),
};

fn invalid_lines(ctx: &Context, sentinel: &SentinelModel, out: &mut Vec<Finding>) {
    model_issues(ctx, &sentinel.config, RuleId::SN001, RuleId::SN001, out);
}
