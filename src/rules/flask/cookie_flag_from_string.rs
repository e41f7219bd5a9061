//! FL203 `cookie-flag-from-string`: a cookie flag is set from an environment string.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::FL203,
    name: "cookie-flag-from-string",
    severity: Severity::Error,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Correctness,
    summary: r####"A cookie flag is set from an environment string"####,
    explanation: r####"`os.getenv('X')` and `os.environ.get('X', 'False')` give a string. Werkzeug 3.1 writes the cookie
attribute for any such value: `SESSION_COOKIE_SECURE = 'False'` sends `Secure=False`, which browsers
read as `Secure` (the attribute's value is ignored), and `'0'` and `''` do the same. Turning the flag
off through the environment does not work; convert the string to a boolean."####,
    example: r####"SESSION_COOKIE_SECURE = os.environ.get('SESSION_COOKIE_SECURE', 'True')"####,
    fix_description: r####"None."####,
    references: &[r####"https://flask.palletsprojects.com/en/stable/config/"####],
    check: Check::Flask(check),
};

const FLAGS: [&str; 3] = [
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_PARTITIONED",
];

fn check(ctx: &Context, config: &FlaskConfig, out: &mut Vec<Finding>) {
    for key in FLAGS {
        let Some(s) = config.get(key) else {
            continue;
        };
        let Some(var) = from_env_string(&s.expr) else {
            continue;
        };
        out.push(
            Finding::new(
                RuleId::FL203,
                s.file,
                s.span.clone(),
                format!("`{key}` is the string read from the environment variable `{var}` ({}): Werkzeug writes the cookie attribute for any such value, so `\"False\"`, `\"0\"` and `\"\"` leave the flag on; convert it to a boolean", at(ctx, s)),
            )
            .setting(key),
        );
    }
}
