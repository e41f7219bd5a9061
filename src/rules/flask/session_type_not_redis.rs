//! FL101 `session-type-not-redis`: flask-Session is not set up to store sessions in Redis.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::FL101,
    name: "session-type-not-redis",
    severity: Severity::Error,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Correctness,
    summary: r####"Flask-Session is not set up to store sessions in Redis"####,
    explanation: r####"Flask-Session 0.8 reads `SESSION_TYPE` lower-cased (`'REDIS'` works). Unset, `null` or a value it does
not know, `Session(app)` raises `ValueError: Unrecognized value for SESSION_TYPE` and the app does
not start. Another backend (`filesystem`, `cachelib`...) keeps sessions out of the Redis instance the
stack has (info)."####,
    example: r####"app.config['SESSION_TYPE'] = 'null'"####,
    fix_description: r####"None."####,
    references: &[r####"https://flask-session.readthedocs.io/en/latest/config.html"####],
    check: Check::Flask(check),
};

/// The `SESSION_TYPE` values Flask-Session 0.8 knows.
const BACKENDS: [&str; 7] = [
    "redis",
    "memcached",
    "filesystem",
    "cachelib",
    "mongodb",
    "sqlalchemy",
    "dynamodb",
];

fn check(ctx: &Context, config: &FlaskConfig, out: &mut Vec<Finding>) {
    let setting = config.get("SESSION_TYPE");
    let Some(value) = config.session_type() else {
        return;
    };
    // A config judged alone is not known to be loaded by `Session(app)`: only what it sets.
    if value == "redis" || (setting.is_none() && !config.initialises_session) {
        return;
    }
    let (file, span, place) = match setting {
        Some(s) => (s.file, s.span.clone(), at(ctx, s)),
        None => (config.file, config.span.clone(), subject(ctx, config)),
    };
    let finding = if value == "null" || !BACKENDS.contains(&value.as_str()) {
        // Only an app that calls `Session(app)` fails to start; a class no audited app loads
        // (Flask-Session's own `Defaults` in a vendored copy) breaks nothing.
        if !config.initialises_session {
            return;
        }
        let what = match setting {
            Some(_) => format!("`SESSION_TYPE` is `{value}` ({place})"),
            None => format!("`SESSION_TYPE` is unset for the {place}"),
        };
        Finding::new(
            RuleId::FL101,
            file,
            span,
            format!("{what}: Flask-Session 0.8 raises `ValueError: Unrecognized value for SESSION_TYPE: {value}` in `Session(app)` and the app does not start"),
        )
    } else if !ctx.stack.instances.is_empty() {
        Finding::new(
            RuleId::FL101,
            file,
            span,
            format!("`SESSION_TYPE` is `{value}` ({place}): sessions are not stored in the Redis instance of this stack"),
        )
        .severity(Severity::Info)
    } else {
        return;
    };
    out.push(finding.setting("SESSION_TYPE"));
}
