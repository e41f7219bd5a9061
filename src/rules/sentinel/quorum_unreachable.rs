//! SN201 `quorum-unreachable`: A quorum the Sentinels cannot reach, or a Sentinel set too small to fail over safely.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::SN201,
    name: "quorum-unreachable",
    severity: Severity::Error,
    fix: FixAvailability::None,
    hardening: true,
    category: Category::Reliability,
    summary: r####"A quorum the Sentinels cannot reach, or a Sentinel set too small to fail over safely"####,
    explanation: r####"The quorum marks a master as down; the failover itself needs a majority of all Sentinels. A
quorum of 1 lets one Sentinel with a network problem start failovers (warning). When two or more
Sentinel files in the stack monitor the same master, a quorum above their number can never be
reached (error), and an even number or fewer than three cannot survive a partition (warning)."####,
    example: r####"sentinel monitor mymaster 10.0.0.1 6379 1"####,
    fix_description: r####"None: run at least three Sentinels on independent hosts, quorum 2."####,
    references: &[
        r####"https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/"####,
    ],
    check: Check::Sentinel(quorum),
};

fn quorum(ctx: &Context, sentinel: &SentinelModel, out: &mut Vec<Finding>) {
    for master in &sentinel.masters {
        // Sentinel files of the stack that monitor the same master: the same name at the same
        // address, which is how Sentinels find each other (hello messages on that master). Two
        // projects that both call their master `mymaster` are two groups.
        let peers: Vec<&SentinelModel> = ctx
            .stack
            .sentinels
            .iter()
            .filter(|s| {
                s.master(&master.name)
                    .is_some_and(|m| m.same_address(master))
            })
            .collect();
        let count = peers.len() as i64;
        let (severity, why) = if count >= 2 && master.quorum > count {
            (Severity::Error, format!("quorum {} can never be reached: only {count} Sentinel files in the stack monitor `{}`", master.quorum, master.name))
        } else if master.quorum == 1 {
            (Severity::Warning, format!("quorum 1 for `{}`: one Sentinel with a network problem can declare the master down", master.name))
        } else if count >= 2 && (count % 2 == 0 || count < 3) {
            (Severity::Warning, format!("{count} Sentinels monitor `{}`: an even number, or fewer than three, cannot always form a majority to fail over", master.name))
        } else {
            continue;
        };
        let mut finding = Finding::new(
            RuleId::SN201,
            master.monitor.file,
            master.monitor.span(),
            why,
        )
        .severity(severity);
        for peer in peers
            .iter()
            .filter(|p| p.config.root != sentinel.config.root)
        {
            let m = peer.master(&master.name).unwrap();
            finding = finding.related(Related {
                file: m.monitor.file,
                span: m.monitor.span(),
                message: "another Sentinel monitoring this master".into(),
            });
        }
        out.push(finding);
    }
}
