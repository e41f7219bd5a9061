//! RD001 `invalid-line`: A line redis-server refuses at start.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::RD001,
    name: "invalid-line",
    severity: Severity::Error,
    fix: FixAvailability::Safe,
    hardening: false,
    category: Category::Syntax,
    summary: r####"A line redis-server refuses at start"####,
    explanation: r####"redis-server stops with `*** FATAL CONFIG FILE ERROR ***` on the first line it cannot read: an
unknown directive, the wrong number of arguments, an unbalanced quote, a value that is not `yes`
or `no` where one is required, an enum value it does not know, a memory size with a decimal point,
a bad octal number, a UTF-8 byte order mark, a duplicate `user`, a `rename-command` of a command
that does not exist (or was already renamed), an ACL rule it does not understand. redis.conf has
no inline comments: `port 6379 # main` is three arguments. A service that cannot start is an
outage, and the error often surfaces only at the next restart."####,
    example: r####"port 6379 # main instance        <- "wrong number of arguments"
maxmemory 1.5gb                  <- "argument must be a memory value"
appendonly true                  <- "argument must be 'yes' or 'no'""####,
    fix_description: r####"A trailing `# comment` is moved to its own line above the directive (safe). Other invalid lines need a person."####,
    references: &[
        r####"https://github.com/redis/redis/blob/7.2/src/config.c"####,
        r####"https://github.com/redis/redis/blob/7.2/src/sds.c"####,
    ],
    check: Check::Stack(invalid_lines),
};

/// Every instance's refused lines (a fix in a shared include names the other instances), and
/// those of standalone ACL files, which get their syntax checked and nothing else.
fn invalid_lines(ctx: &Context, out: &mut Vec<Finding>) {
    let manifests: std::collections::HashSet<FileId> =
        ctx.stack.deploy.files.iter().map(|f| f.file).collect();
    for (index, instance) in ctx.stack.instances.iter().enumerate() {
        let first = out.len();
        model_issues(ctx, &instance.model, RuleId::RD001, RuleId::RD001, out);
        // A ConfigMap block's lines: the moved comment keeps the block's indentation.
        if let Some(deployed) = ctx.stack.deploy.of_instance(index) {
            let mine = out.split_off(first);
            out.extend(on_deployment(ctx, instance, deployed, mine));
        }
        name_shared_includes(ctx, index, &manifests, &mut out[first..]);
    }
    for model in &ctx.stack.acl_files {
        model_issues(ctx, model, RuleId::RD001, RuleId::RD001, out);
    }
}
