//! SN104 `rename-unknown-to-sentinel`: The monitored instance renames a command Sentinel needs, without a matching sentinel rename-command.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::SN104,
    name: "rename-unknown-to-sentinel",
    severity: Severity::Error,
    fix: FixAvailability::Safe,
    hardening: false,
    category: Category::Correctness,
    summary: r####"The monitored instance renames a command Sentinel needs, without a matching sentinel rename-command"####,
    explanation: r####"Sentinel sends CONFIG, REPLICAOF/SLAVEOF, INFO, PING, CLIENT, SCRIPT, PUBLISH, SUBSCRIBE, EXEC,
MULTI and ROLE to the master and replicas. When the instance renames one (`rename-command CONFIG
x9f`) Sentinel must be told with `sentinel rename-command M CONFIG x9f`, or failover fails half way.
A command renamed to "" cannot be used by Sentinel at all."####,
    example: r####"# redis.conf:    rename-command CONFIG x9f
# sentinel.conf: sentinel monitor sessions 10.0.0.5 6379 2   <- no rename-command for CONFIG"####,
    fix_description: r####"Safe: add `sentinel rename-command M OLD NEW` after the monitor line. None when the command is renamed to ""."####,
    references: &[
        r####"https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#sentinel-rename-command"####,
    ],
    check: Check::Stack(sentinel_renames),
};

fn sentinel_renames(ctx: &Context, out: &mut Vec<Finding>) {
    for (c, client) in ctx.stack.clients.iter().enumerate() {
        let (Some((s, master)), Some(index)) = (&client.sentinel, ctx.stack.links[c].instance())
        else {
            continue;
        };
        let model = &ctx.stack.instances[index].model;
        let sentinel = &ctx.stack.sentinels[*s];
        let Some(m) = sentinel.masters.iter().find(|m| &m.name == master) else {
            continue;
        };
        for command in SENTINEL_COMMANDS {
            let Some((rename, target)) = model.rename_of(command) else {
                continue;
            };
            let covered = m
                .renames
                .iter()
                .any(|r| r.values[2].lower() == command && r.values[3].text() == target);
            if covered {
                continue;
            }
            let related = Related {
                file: rename.file,
                span: rename.span(),
                message: format!(
                    "{} renames {}",
                    instance_name(ctx, index),
                    command.to_ascii_uppercase()
                ),
            };
            let (fix, why) = if target.is_empty() {
                (
                    None,
                    format!(
                        "{} removes {} (renamed to \"\"), which Sentinel needs: failover fails",
                        instance_name(ctx, index),
                        command.to_ascii_uppercase()
                    ),
                )
            } else {
                let line = format!(
                    "sentinel rename-command {master} {} {target}",
                    command.to_ascii_uppercase()
                );
                let edit = fix::insert_line_after(
                    ctx.sources,
                    m.monitor.file,
                    m.monitor.line(),
                    line.as_bytes(),
                )
                // The new name is what lets a caller run the command.
                .with_secret_text(target.as_bytes());
                (Some(Fix::new(Applicability::Safe, "add the matching `sentinel rename-command`", vec![edit])), format!("{} renames {}, and this Sentinel has no matching `sentinel rename-command`: failover fails", instance_name(ctx, index), command.to_ascii_uppercase()))
            };
            push(
                out,
                [c],
                Finding::new(
                    RuleId::SN104,
                    m.monitor.file,
                    m.monitor.span(),
                    format!("`sentinel monitor {master}`: {why}"),
                )
                .with_fix(fix)
                .related(related),
            );
        }
    }
}
