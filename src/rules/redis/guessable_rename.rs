//! RD403 `guessable-rename`: A command renamed to a short or published name.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::RD403,
    name: "guessable-rename",
    severity: Severity::Info,
    fix: FixAvailability::None,
    hardening: true,
    category: Category::Security,
    summary: r####"A command renamed to a short or published name"####,
    explanation: r####"Renaming a command to a short word, or to the example name printed in redis.conf's own comments
(`b840fc02d524045429941cc15f59e41cb7be6c52`), hides nothing: short names are guessed and the
example is the first thing tried. Remove the command (`""`) or deny it by ACL instead."####,
    example: r####"rename-command CONFIG cfg"####,
    fix_description: r####"None: choose `""`, or an ACL rule."####,
    references: &[r####"https://github.com/redis/redis/blob/7.2/redis.conf"####],
    check: Check::Instance(guessable_rename),
};

fn guessable_rename(_ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    for r in &instance.model.renames {
        let target = r.values[1].text();
        if target.is_empty() {
            continue;
        }
        let why = if target.eq_ignore_ascii_case(PUBLISHED_RENAME) {
            "to the example name printed in redis.conf's own comments".to_string()
        } else if target.chars().count() < 16 {
            format!("to a name of {} characters", target.chars().count())
        } else {
            continue;
        };
        out.push(Finding::new(
            RuleId::RD403,
            r.file,
            r.span(),
            format!(
                "`{}` is renamed {why}: easy to guess; remove it (`\"\"`) or deny it by ACL",
                r.values[0].text().to_ascii_uppercase()
            ),
        ));
    }
}
