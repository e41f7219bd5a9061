//! PHP106 `save-path-password-encoding`: The save_path password holds characters phpredis mis-reads.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::PHP106,
    name: "save-path-password-encoding",
    severity: Severity::Error,
    fix: FixAvailability::Safe,
    hardening: false,
    category: Category::Correctness,
    summary: r####"The save_path password holds characters phpredis mis-reads"####,
    explanation: r####"The save_path query is decoded like `parse_str`: `+` becomes a space, `&` starts another parameter,
`=` `/` `?` `#` and a bare `%` break the URL, and a comma splits the host list (even encoded, in
phpredis up to 6.3). The password phpredis sends is then not the one configured, and sessions
fail with an authentication error."####,
    example: r####"session.save_path = "tcp://127.0.0.1:6379?auth=p+ss/word""####,
    fix_description: r####"Safe: percent-encode the password; none for a comma (rotate the password)."####,
    references: &[
        r####"https://github.com/phpredis/phpredis/issues/768"####,
        r####"https://github.com/phpredis/phpredis/issues/1631"####,
    ],
    check: Check::Php(check),
};

fn check(ctx: &Context, php: &PhpConfig, _whole: bool, out: &mut Vec<Finding>) {
    let Some(site) = SavePathSite::of(ctx, php) else {
        return;
    };
    let (sp, file, span, base) = (site.save_path, site.file, site.span.clone(), site.base);
    // The fragment holds part of a password: it is never printed.
    if sp.split_fragment.is_some() {
        out.push(Finding::new(
            RuleId::PHP106,
            file,
            span.clone(),
            "a comma inside `session.save_path` (in the password?) splits the host list: phpredis reads the rest as another host and sends a cut password; rotate to a password without commas",
        ));
    }
    for host in &sp.hosts {
        if let Some(auth) = host.auth_password() {
            let bad = misread_characters(&auth.raw_value);
            if !bad.is_empty() {
                let list = crate::rules::code_list(&bad);
                let fix = match (base, bad.contains(&',')) {
                    (Some(base), false) => {
                        let encoded = url_encode(&crate::model::save_path::url_decode(
                            &auth.raw_value.replace('+', "%2B"),
                        ));
                        Some(Fix::new(
                            Applicability::Safe,
                            "percent-encode the password",
                            vec![fix::replace(
                                file,
                                base + auth.raw_span.start..base + auth.raw_span.end,
                                encoded.clone(),
                            )
                            .with_secret_text(encoded.as_bytes())],
                        ))
                    }
                    _ => None,
                };
                let why = if bad.contains(&',') {
                    " (a comma splits the host list even when encoded: rotate the password)"
                } else {
                    ""
                };
                out.push(
                    Finding::new(RuleId::PHP106, file, span.clone(), format!("the `auth` password in `session.save_path` holds {list}, which phpredis mis-reads unless percent-encoded{why}"))
                        .with_fix(fix),
                );
            }
        }
    }
}
