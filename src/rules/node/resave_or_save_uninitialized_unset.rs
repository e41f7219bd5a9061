//! NJ203 `resave-or-save-uninitialized-unset`: `resave` or `saveUninitialized` left to default.

use super::*;
use crate::fix::{Applicability, Fix};
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::NJ203,
    name: "resave-or-save-uninitialized-unset",
    severity: Severity::Warning,
    fix: FixAvailability::Safe,
    hardening: false,
    category: Category::Reliability,
    summary: r####"`resave` or `saveUninitialized` is not given (both default to true)"####,
    explanation: r####"Left out, both default to `true` (a default express-session calls deprecated). `resave: true`
writes the session back on every request, so two concurrent requests overwrite each other's
changes; connect-redis implements `touch`, so `false` is right for it. `saveUninitialized: true`
stores a session for every visitor, bots included, filling Redis with empty sessions."####,
    example: r####"session({ store: new RedisStore({ client }), secret: process.env.SESSION_SECRET })"####,
    fix_description: r####"Safe: add `resave: false` and `saveUninitialized: false`, as connect-redis' README does."####,
    references: &[
        "https://github.com/expressjs/session#resave",
        "https://github.com/expressjs/session#saveuninitialized",
    ],
    check: Check::Stack(unset),
};

fn unset(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, session) in sessions(ctx) {
        let mut missing = Vec::new();
        if session.resave.is_none() {
            missing.push(("resave", "false"));
        }
        if session.save_uninitialized.is_none() {
            missing.push(("saveUninitialized", "false"));
        }
        if missing.is_empty() {
            continue;
        }
        let Some(options) = &session.options else {
            continue;
        };
        let names = missing
            .iter()
            .map(|(k, _)| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(" and ");
        let fix = insert_props(ctx, options, &missing).map(|e| {
            Fix::new(
                Applicability::Safe,
                format!(
                    "set {}",
                    missing
                        .iter()
                        .map(|(k, v)| format!("`{k}: {v}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                vec![e],
            )
        });
        out.push(
            Finding::new(
                RuleId::NJ203,
                session.file,
                session.span.clone(),
                format!(
                    "`session()` does not set {names}: {} to true (deprecated), so concurrent requests overwrite each other's sessions and every visit by a bot stores one",
                    if missing.len() == 2 { "both default" } else { "it defaults" }
                ),
            )
            .setting(format!("session.{}", missing[0].0))
            .with_fix(fix),
        );
    }
}
