//! SN302 `scripts-reconfig-allowed`: sentinel deny-scripts-reconfig no.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::SN302,
    name: "scripts-reconfig-allowed",
    severity: Severity::Warning,
    fix: FixAvailability::Safe,
    hardening: true,
    category: Category::Security,
    summary: r####"sentinel deny-scripts-reconfig no"####,
    explanation: r####"With `deny-scripts-reconfig no`, any client can `SENTINEL SET` a notification or reconfig script:
a path Sentinel will execute. The default (`yes`) refuses it."####,
    example: r####"sentinel deny-scripts-reconfig no"####,
    fix_description: r####"Safe: `sentinel deny-scripts-reconfig yes`."####,
    references: &[r####"https://github.com/redis/redis/blob/7.2/sentinel.conf"####],
    check: Check::Sentinel(scripts_reconfig),
};

fn scripts_reconfig(ctx: &Context, sentinel: &SentinelModel, out: &mut Vec<Finding>) {
    let Some(o) = &sentinel.deny_scripts_reconfig else {
        return;
    };
    if o.values[1].lower() != "no" {
        return;
    }
    let edit = fix::replace(o.file, o.values[1].span.clone(), b"yes".to_vec());
    let _ = ctx;
    out.push(
        Finding::new(RuleId::SN302, o.file, o.span(), "`sentinel deny-scripts-reconfig no`: any client can make Sentinel run a script of its choosing")
            .with_fix(Some(Fix::new(Applicability::Safe, "set `sentinel deny-scripts-reconfig yes`", vec![edit]))),
    );
}
