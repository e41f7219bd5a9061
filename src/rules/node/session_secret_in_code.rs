//! NJ205 `session-secret-in-code`: The session secret is written in the code.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::NJ205,
    name: "session-secret-in-code",
    severity: Severity::Error,
    fix: FixAvailability::None,
    hardening: true,
    category: Category::Security,
    summary: r####"The session `secret` is a literal in the code (or the fallback of an env lookup)"####,
    explanation: r####"express-session signs the session ID cookie with `secret`. Written in the code, it is in every
clone of the repository and often the same in every deployment (`'keyboard cat'` from the README):
whoever knows it can forge signed cookies. A literal fallback (`process.env.SESSION_SECRET ||
'dev'`) is what runs whenever the variable is missing."####,
    example: r####"session({ secret: process.env.SESSION_SECRET || 'keyboard cat', ... })"####,
    fix_description: r####"None: read it from the environment or a secret store, with no literal fallback; fail at start-up when it is missing."####,
    references: &["https://github.com/expressjs/session#secret"],
    check: Check::Stack(secret_in_code),
};

fn secret_in_code(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, session) in sessions(ctx) {
        let value = &session.secret;
        let Value::Str {
            from_env_file: false,
            at,
            ..
        } = value
        else {
            continue;
        };
        out.push(
            Finding::new(
                RuleId::NJ205,
                at.file,
                at.span.clone(),
                format!(
                    "the session `secret` is written in the code{}: anyone with the source can forge signed session cookies",
                    origin_note(value)
                ),
            )
            .setting("session.secret"),
        );
    }
}
