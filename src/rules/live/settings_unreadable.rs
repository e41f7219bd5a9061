//! LI001 `settings-unreadable`: the server refused some of the reads the rules need.

use super::on_target;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::{Context, Finding, Severity};

pub static RULE: Rule = Rule {
    id: RuleId::LI001,
    name: "settings-unreadable",
    severity: Severity::Info,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Maintainability,
    summary: r####"A live server refused some reads: the rules that need them stay silent"####,
    explanation: r####"Managed services and locked-down servers refuse `CONFIG GET` (renamed away, ACL-denied) or
`ACL LIST`. redline then reads what INFO says (`aof_enabled`, `maxmemory_policy`, `maxmemory`,
`tcp_port`) and names here every setting it could not read: the rules that judge those settings
say nothing about this server, which is not the same as the server being right."####,
    example: r####"rename-command CONFIG """####,
    fix_description: r####"None: grant the auditing user `+config|get +acl|list +info +command|info`, or link the target to its file so that the renamed CONFIG is used."####,
    references: &[
        r####"https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/"####,
    ],
    check: Check::Stack(settings_unreadable),
};

fn settings_unreadable(ctx: &Context, out: &mut Vec<Finding>) {
    for live in &ctx.stack.live {
        if live.snapshot.unread.is_empty() {
            continue;
        }
        let mut reasons: Vec<String> = Vec::new();
        for (_, why) in &live.snapshot.unread {
            if !reasons.contains(why) {
                reasons.push(why.clone());
            }
        }
        let names: Vec<&str> = live
            .snapshot
            .unread
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        out.push(
            on_target(
                RuleId::LI001,
                live,
                format!(
                    "{} could not be read from {} ({}): the rules that need them stay silent on this server",
                    names.join(", "),
                    live.display,
                    reasons.join("; ")
                ),
            )
            .setting("(live reads)"),
        );
    }
}
