//! FL105 `redis-url-password-encoding`: the session client's URL password holds characters that split the URL.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::FL105,
    name: "redis-url-password-encoding",
    severity: Severity::Error,
    fix: FixAvailability::Safe,
    hardening: false,
    category: Category::Correctness,
    summary: r####"The session client's URL password holds characters that split the URL"####,
    explanation: r####"redis-py's `from_url` parses the URL with `urlparse`: an unencoded `#` starts a fragment, `/` and `?`
end the host part, and a bare `%` is decoded, so the client connects with a wrong password or to a
wrong host. An `@` is read correctly: the user info ends at the last `@`."####,
    example: r####"SESSION_REDIS = redis.from_url('redis://:p#ss/word@10.0.0.5:6379/1')"####,
    fix_description: r####"Safe: percent-encode the password."####,
    references: &[r####"https://github.com/redis/redis-py/blob/master/redis/connection.py"####],
    check: Check::Flask(check),
};

fn check(ctx: &Context, config: &FlaskConfig, out: &mut Vec<Finding>) {
    let Some(s) = config.get("SESSION_REDIS") else {
        return;
    };
    let Some((url, literal)) = crate::model::flask::from_url_argument(&s.expr) else {
        return;
    };
    let Some(range) = crate::model::django::url_password_range(&url) else {
        return;
    };
    let (password, start, end) = (&url[range.clone()], range.start, range.end);
    let bad = crate::model::save_path::unencoded_characters(password, &['#', '/', '?']);
    if bad.is_empty() {
        return;
    }
    let list = crate::rules::code_list(&bad);
    let span = literal.clone().unwrap_or_else(|| s.span.clone());
    let fix = literal.and_then(|lit| {
        // Only a literal that reads as written: its body is the URL.
        let bytes = ctx.sources.doc(s.file).bytes();
        let body = crate::syntax::python::string_body(bytes, &lit)?;
        (bytes.get(body.clone())? == url.as_bytes()).then_some(())?;
        let encoded = crate::model::save_path::url_encode(password);
        Some(Fix::new(
            Applicability::Safe,
            "percent-encode the password",
            vec![fix::replace(
                s.file,
                body.start + start..body.start + end,
                encoded.clone(),
            )
            .with_secret_text(encoded.as_bytes())],
        ))
    });
    out.push(
        Finding::new(
            RuleId::FL105,
            s.file,
            span,
            format!("the password in the Flask-Session client's URL ({}) holds {list} unencoded: redis-py splits the URL there and connects with a wrong password or host", at(ctx, s)),
        )
        .setting("SESSION_REDIS")
        .with_fix(fix),
    );
}
