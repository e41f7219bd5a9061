//! LI102 `running-version-unknown-to-file`: the server runs another version than the one the
//! files were judged for.

use super::on_target;
use crate::model::directives::RedisVersion;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::{Context, Finding, Severity};

pub static RULE: Rule = Rule {
    id: RuleId::LI102,
    name: "running-version-unknown-to-file",
    severity: Severity::Info,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Maintainability,
    summary: r####"The running server's version differs from `--redis-version` / `[target]`"####,
    explanation: r####"Which directives exist and which values they take depend on the version: the files were judged
for the version of `--redis-version` (or `[target] redis-version` in redline.toml), and the
server runs another (INFO `redis_version`)."####,
    example: r####"redline check --redis-version 6.2 --live redis://cache:6379   # the server runs 7.2.4"####,
    fix_description: r####"None: set `--redis-version` to the version the servers run."####,
    references: &[r####"https://redis.io/docs/latest/commands/info/"####],
    check: Check::Stack(running_version),
};

fn running_version(ctx: &Context, out: &mut Vec<Finding>) {
    let Some(declared) = ctx.redis_version else {
        return;
    };
    for live in &ctx.stack.live {
        let Some(running) = &live.snapshot.version else {
            continue;
        };
        let Some(parsed) = RedisVersion::parse(running) else {
            continue;
        };
        if (parsed.major, parsed.minor) == (declared.major, declared.minor) {
            continue;
        }
        let shown: String = running
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
            .take(32)
            .collect();
        out.push(
            on_target(
                RuleId::LI102,
                live,
                format!(
                    "{} runs Redis {shown}, and the files were judged for {}.{}: verdicts about directives and values may not hold for the running version",
                    live.display, declared.major, declared.minor
                ),
            )
            .setting("redis_version"),
        );
    }
}
