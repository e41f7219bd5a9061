//! `FL`: rules over Flask apps that use Flask-Session (rules.md, "Flask"), one config at a time:
//! an app's effective config, or a config class no audited app loads (judged in the environment
//! its name says).

pub mod cookie_flag_from_string;
pub mod module_syntax_error;
pub mod redis_cleartext_remote;
pub mod redis_url_password_encoding;
pub mod samesite_none;
pub mod secret_key_in_code;
pub mod session_cookie_not_httponly;
pub mod session_cookie_not_secure;
pub mod session_redis_not_a_client;
pub mod session_type_not_redis;
pub mod tls_without_verification;
pub mod unknown_session_key;

use super::registry::{Check, Rule};
use super::{Context, Finding};
use crate::fix::{self, Applicability, Fix};
use crate::model::flask::{FlaskConfig, FlaskSetting, RedisClient, SessionRedis};
use crate::syntax::python::PyExpr;

/// The `SESSION_REDIS` setting and the redis-py client it makes, unless the config stores
/// sessions elsewhere: what the rules about the session client judge.
fn session_client(config: &FlaskConfig) -> Option<(&FlaskSetting, RedisClient)> {
    if config.session_type().is_some_and(|t| t != "redis") {
        return None;
    }
    match (config.get("SESSION_REDIS"), config.session_redis()) {
        (Some(setting), Some(SessionRedis::Client(client))) => Some((setting, client)),
        _ => None,
    }
}

/// Run the enabled Flask rules over every Flask config. A finding about a config class named for
/// development or tests carries that environment (the engine holds hardening findings back
/// there). A base class's settings are judged with each class that extends it: one finding each,
/// kept in the environment that holds nothing back when one of them does.
pub(crate) fn run(ctx: &Context, rules: &[&Rule], out: &mut Vec<Finding>) {
    let mut found = Vec::new();
    for config in &ctx.stack.flask.configs {
        for rule in rules {
            if let Check::Flask(check) = rule.check {
                let first = found.len();
                check(ctx, config, &mut found);
                for f in &mut found[first..] {
                    f.environment = config.class_environment;
                }
            }
        }
    }
    found.sort_by_key(|f| f.environment.is_some_and(|e| e.holds_back_hardening()));
    let mut seen = std::collections::HashSet::new();
    out.extend(
        found
            .into_iter()
            .filter(|f| seen.insert((f.rule, f.file, f.span.clone(), f.message.clone()))),
    );
}

/// "the Flask app app.py" / "config class `ProductionConfig` in config.py", for messages.
pub(crate) fn subject(ctx: &Context, config: &FlaskConfig) -> String {
    format!(
        "{} ({})",
        config.label,
        ctx.place(config.file, config.span.start)
    )
}

/// Where a setting was set, for messages.
pub(crate) fn at(ctx: &Context, setting: &FlaskSetting) -> String {
    ctx.place(setting.file, setting.span.start)
}

/// A cookie flag whose value is an environment string: `os.getenv("X")`, `os.environ.get("X",
/// "False")` (whatever the default: once the variable is set, the value is its string), or such
/// a read first in an `or`.
pub(crate) fn from_env_string(expr: &PyExpr) -> Option<&str> {
    match expr {
        PyExpr::Env {
            var,
            converted: false,
            ..
        } => Some(var.as_str()),
        PyExpr::Or(terms) => terms.first().and_then(from_env_string),
        _ => None,
    }
}

/// Set a boolean setting where it is a literal `True`/`False`/`None`/`0`/`""` of its own line: the
/// value's bytes are replaced.
pub(crate) fn set_bool_fix(
    ctx: &Context,
    setting: &FlaskSetting,
    applicability: Applicability,
    title: &str,
) -> Option<Fix> {
    if setting.conditional {
        return None;
    }
    let bytes = ctx.sources.doc(setting.file).bytes();
    let text = std::str::from_utf8(bytes.get(setting.value_span.clone())?).ok()?;
    let literal = matches!(text.trim(), "False" | "None" | "0" | "''" | "\"\"");
    if !literal || text.trim() != text {
        return None;
    }
    Some(Fix::new(
        applicability,
        title,
        vec![fix::replace(
            setting.file,
            setting.value_span.clone(),
            "True",
        )],
    ))
}
