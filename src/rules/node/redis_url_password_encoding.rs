//! NJ103 `redis-url-password-encoding`: A Redis URL password holds characters that break the URL.

use super::*;
use crate::fix::{Applicability, Fix};
use crate::model::node::{breaking_characters, encode_password, parse_redis_url};
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::NJ103,
    name: "redis-url-password-encoding",
    severity: Severity::Error,
    fix: FixAvailability::Safe,
    hardening: false,
    category: Category::Correctness,
    summary: r####"A Redis URL password holds `#`, `/`, `?` or a bare `%`"####,
    explanation: r####"ioredis and node-redis parse the connection URL with Node's URL parser. A password with `#`, `/`
or `?` ends the host part early ("Invalid URL"), and a `%` not followed by two hex digits breaks
the percent-decoding of the password. Current versions read `@`, `+` and `=` in a password
correctly. Percent-encoded, the password reads as meant."####,
    example: r####"createClient({ url: 'redis://:s3cr#t@redis-sessions:6379' })"####,
    fix_description: r####"Safe: percent-encode those characters in the URL (`#` as `%23`, `/` as `%2F`, `?` as `%3F`, `%` as `%25`); the client decodes them back."####,
    references: &["https://url.spec.whatwg.org/#userinfo-percent-encode-set"],
    check: Check::Stack(url_encoding),
};

fn url_encoding(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, _, client, index) in store_clients(ctx) {
        let Some(
            url @ Value::Str {
                text, at, literal, ..
            },
        ) = &client.url
        else {
            continue;
        };
        let Some(parsed) = parse_redis_url(text) else {
            continue;
        };
        let Some(password) = &parsed.password else {
            continue;
        };
        let bad = breaking_characters(password);
        if bad.is_empty() {
            continue;
        }
        // The password's bytes in the file: only a plain literal whose text reads as written.
        let bytes = ctx.sources.doc(at.file).bytes();
        let inner = at.span.start + 1 + parsed.password_span.start
            ..at.span.start + 1 + parsed.password_span.end;
        let fix = (*literal && bytes.get(inner.clone()) == Some(password.as_bytes())).then(|| {
            Fix::new(
                Applicability::Safe,
                "percent-encode the password in the URL",
                vec![fix::replace(
                    at.file,
                    inner.clone(),
                    encode_password(password).into_bytes(),
                )
                .with_secret_text(encode_password(password).as_bytes())],
            )
        });
        out.push(
            Finding::new(
                RuleId::NJ103,
                at.file,
                if *literal { inner } else { at.span.clone() },
                format!(
                    "the password in the Redis URL{} holds {} not percent-encoded: {}",
                    origin_note(url),
                    crate::rules::code_list(&bad),
                    consequence(client, &bad)
                ),
            )
            .setting("client.url")
            .with_fix(fix)
            .about_clients(index),
        );
    }
}

/// What the library does with the URL (checked with ioredis 5.9.2 and 6.0.0, node-redis 4.7.0).
fn consequence(client: &crate::model::node::NodeClient, bad: &[char]) -> String {
    use crate::model::node::Address;
    let cut = bad.iter().any(|c| matches!(c, '#' | '/' | '?'));
    match (cut, &client.address) {
        (true, Address::Tcp { host, port }) if client.url_cut => {
            format!("ioredis 5 cuts the URL there and connects to {host}:{port} without a password")
        }
        (false, _) => format!(
            "{} fails with \"URI malformed\" when it decodes the password",
            client.library.name()
        ),
        _ => format!(
            "{} refuses the URL (\"Invalid URL\")",
            client.library.name()
        ),
    }
}
