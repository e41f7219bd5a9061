//! SN202 `master-on-loopback`: sentinel monitor names a loopback address.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::SN202,
    name: "master-on-loopback",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    hardening: true,
    category: Category::Security,
    summary: r####"sentinel monitor names a loopback address"####,
    explanation: r####"Sentinel hands the master's address to clients and to the other Sentinels. 127.0.0.1 means
"this host" to each of them, so failover and discovery only work when everything runs on one
machine, which defeats the point of Sentinel."####,
    example: r####"sentinel monitor mymaster 127.0.0.1 6379 2"####,
    fix_description: r####"None: use the master's network address."####,
    references: &[
        r####"https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/"####,
    ],
    check: Check::Sentinel(master_on_loopback),
};

fn master_on_loopback(_ctx: &Context, sentinel: &SentinelModel, out: &mut Vec<Finding>) {
    for master in &sentinel.masters {
        let loopback = master.host.eq_ignore_ascii_case("localhost")
            || master
                .host
                .parse::<IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        if loopback {
            out.push(Finding::new(
                RuleId::SN202,
                master.monitor.file,
                master.monitor.span(),
                format!("`sentinel monitor {}` names loopback address {}: Sentinel hands it to clients and peers, so failover only works on one host", master.name, master.host),
            ));
        }
    }
}
