//! PHP103 `save-path-default-database`: Sessions go to database 0.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::PHP103,
    name: "save-path-default-database",
    severity: Severity::Warning,
    fix: FixAvailability::Unsafe,
    hardening: false,
    category: Category::Correctness,
    summary: r####"Sessions go to database 0"####,
    explanation: r####"Without `database=N` phpredis sends no SELECT, so sessions land in database 0: the database
caches, queues and other apps use by default, and the one a cache clear (FLUSHDB) or a careless
FLUSHALL empties."####,
    example: r####"session.save_path = "tcp://127.0.0.1:6379?auth=...""####,
    fix_description: r####"Unsafe: add `database=N`, the lowest N >= 1 no other client of the instance uses (sessions written before move out of sight once)."####,
    references: &[r####"https://github.com/phpredis/phpredis#php-session-handler"####],
    check: Check::Php(check),
};

fn check(ctx: &Context, php: &PhpConfig, _whole: bool, out: &mut Vec<Finding>) {
    let Some(site) = SavePathSite::of(ctx, php) else {
        return;
    };
    let (sp, file, span, base) = (site.save_path, site.file, site.span.clone(), site.base);
    if site.handler == "redis" {
        let missing: Vec<&Host> = sp
            .hosts
            .iter()
            .filter(|h| h.param("database").is_none())
            .collect();
        if !missing.is_empty() {
            let fix = base.map(|base| {
                // The lowest database no other client of the linked instance uses.
                let origin = Origin::Php(php.root());
                let n = ctx
                    .stack
                    .linked_from(&origin)
                    .iter()
                    .map(|i| ctx.stack.free_database(*i, 1, &origin))
                    .max()
                    .unwrap_or(1);
                let edits = missing.iter().map(|h| {
                    let (at, sep) = h.new_param_at();
                    fix::replace(file, base + at..base + at, format!("{sep}database={n}"))
                });
                Fix::new(Applicability::Unsafe, format!("add `database={n}` (sessions move to an empty database: existing sessions are lost once)"), edits.collect())
            });
            out.push(Finding::new(RuleId::PHP103, file, span, format!("`session.save_path` has no `database`{}: sessions land in database 0, where caches and other apps usually write and flush", cut_note(php, "session.save_path"))).with_fix(fix));
        }
    }
}
