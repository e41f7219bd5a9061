//! FL102 `session-redis-not-a-client`: `SESSION_REDIS` is not a Redis client.

use super::*;
use crate::model::flask::SessionRedis;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::FL102,
    name: "session-redis-not-a-client",
    severity: Severity::Error,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Correctness,
    summary: r####"`SESSION_REDIS` is not a Redis client"####,
    explanation: r####"Flask-Session 0.8 needs a `redis.Redis` instance in `SESSION_REDIS`. Anything else (a URL string is
the usual mistake) makes it warn `No valid Redis instance provided` and use `Redis()`: localhost:6379,
database 0, no password. Unset with `SESSION_TYPE = 'redis'`, it does the same (info)."####,
    example: r####"app.config['SESSION_REDIS'] = 'redis://10.0.0.5:6379/1'"####,
    fix_description: r####"None."####,
    references: &[r####"https://flask-session.readthedocs.io/en/latest/config.html"####],
    check: Check::Flask(check),
};

fn check(ctx: &Context, config: &FlaskConfig, out: &mut Vec<Finding>) {
    if config.session_type().is_some_and(|t| t != "redis") {
        return;
    }
    match (config.get("SESSION_REDIS"), config.session_redis()) {
        (Some(s), Some(SessionRedis::NotAClient(what))) => out.push(
            Finding::new(
                RuleId::FL102,
                s.file,
                s.span.clone(),
                format!("`SESSION_REDIS` is {what}, not a `redis.Redis` client ({}): Flask-Session warns and connects to `Redis()` on localhost:6379 database 0 instead; build the client with `redis.from_url(...)`", at(ctx, s)),
            )
            .setting("SESSION_REDIS"),
        ),
        (None, _)
            if config.session_type().as_deref() == Some("redis")
                && config.initialises_session
                && !config.partial =>
        {
            out.push(
                Finding::new(
                    RuleId::FL102,
                    config.file,
                    config.span.clone(),
                    format!("`SESSION_REDIS` is unset for the {}: Flask-Session connects to `Redis()` on localhost:6379 database 0", subject(ctx, config)),
                )
                .severity(Severity::Info)
                .setting("SESSION_REDIS"),
            )
        }
        _ => {}
    }
}
