//! RD503 `activedefrag-needs-bundled-jemalloc`: activedefrag yes: Debian and Ubuntu packages refuse to start with it.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::RD503,
    name: "activedefrag-needs-bundled-jemalloc",
    severity: Severity::Info,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Reliability,
    summary: r####"activedefrag yes: Debian and Ubuntu packages refuse to start with it"####,
    explanation: r####"Active defragmentation needs the jemalloc bundled with Redis. Debian and Ubuntu build redis-server
against the system libjemalloc, and such a server exits with "Active defragmentation cannot be
enabled: it requires a Redis server compiled with a modified Jemalloc"."####,
    example: r####"activedefrag yes"####,
    fix_description: r####"None: remove the line on distribution packages, or run an upstream build."####,
    references: &[r####"https://github.com/redis/redis/blob/7.2/src/config.c"####],
    check: Check::Instance(activedefrag),
};

fn activedefrag(_ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    if model.is_yes("activedefrag") != Some(true) {
        return;
    }
    let o = model.last("activedefrag").unwrap();
    out.push(Finding::new(RuleId::RD503, o.file, o.span(), "`activedefrag yes`: redis-server packaged by Debian and Ubuntu (system jemalloc) refuses to start with it"));
}
