//! RD502 `maxmemory-unset`: maxmemory is 0 or absent.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::RD502,
    name: "maxmemory-unset",
    severity: Severity::Warning,
    fix: FixAvailability::Display,
    hardening: true,
    category: Category::Reliability,
    summary: r####"maxmemory is 0 or absent"####,
    explanation: r####"Without a memory limit redis-server grows until the kernel's OOM killer ends it, losing every
session since the last save and taking the host's other services down with it."####,
    example: r####"maxmemory 0"####,
    fix_description: r####"Display: `maxmemory <size>`, sized for the sessions plus headroom."####,
    references: &[r####"https://redis.io/docs/latest/develop/reference/eviction/"####],
    check: Check::Instance(maxmemory_unset),
};

fn maxmemory_unset(ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    let value = model
        .last("maxmemory")
        .and_then(|o| crate::model::directives::parse_memory(&o.values[0].value));
    if value.is_some_and(|v| v > 0) {
        return;
    }
    let (file, span) = model
        .last("maxmemory")
        .map(at)
        .unwrap_or_else(|| root_start(model));
    let what = if model.last("maxmemory").is_some() {
        format!("`maxmemory 0`{}", overrode(ctx, model, "maxmemory"))
    } else {
        "no `maxmemory` line".into()
    };
    let fix = Fix::new(
        Applicability::Display,
        "set `maxmemory <size>`, sized for the sessions plus headroom",
        Vec::new(),
    );
    out.push(Finding::new(RuleId::RD502, file, span, format!("{what}: redis-server grows until the OOM killer ends it, losing every session since the last save")).with_fix(Some(fix)));
}
