//! XS101 `client-password-mismatch`: A linked client's password differs from the instance's.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::XS101,
    name: "client-password-mismatch",
    severity: Severity::Error,
    fix: FixAvailability::Unsafe,
    hardening: false,
    category: Category::Correctness,
    summary: r####"A linked client's password differs from the instance's"####,
    explanation: r####"A client (php.ini save_path `auth`, a Laravel connection, a Django URL or OPTIONS, a Sentinel)
linked to an instance of the stack sends a password that instance does not accept, or a password to
an instance whose default user has none: every connection fails with WRONGPASS, so logins fail
(PHP, Laravel) or sessions are silently lost. Reported at the client, with the instance's password
line as a related location."####,
    example: r####"# redis.conf: requirepass 3f9a...
session.save_path = "tcp://127.0.0.1:6379?auth=old-password""####,
    fix_description: r####"Unsafe: write the instance's password into the client (when the client's password is a literal in an audited file)."####,
    references: &[r####"https://github.com/phpredis/phpredis#session-handler"####],
    check: Check::Stack(password_mismatch),
};

fn password_mismatch(ctx: &Context, out: &mut Vec<Finding>) {
    // The finding made for each password literal (file, start, end): looked up, not searched
    // for among every finding so far.
    let mut by_literal: std::collections::HashMap<(crate::source::FileId, usize, usize), usize> =
        std::collections::HashMap::new();
    for (c, client) in ctx.stack.clients.iter().enumerate() {
        if client.purpose == Purpose::Monitor {
            continue; // SN102
        }
        let Some(index) = ctx.stack.links[c].instance() else {
            continue;
        };
        let model = &ctx.stack.instances[index].model;
        let expected = user_password(model, client.user.as_deref());
        let named_user = client.user.as_deref().is_some_and(|u| u != "default");
        // `AUTH user anything` passes a `nopass` user (only the default user's one-argument
        // AUTH is refused without a password).
        if named_user && expected == InstancePassword::Open {
            continue;
        }
        // PHP102 and LV102 report a missing password of PHP and Laravel clients; Django and
        // Express have no rule of their own for it.
        if client.password == ClientPassword::None
            && matches!(
                client.origin,
                Origin::Django { .. } | Origin::Flask { .. } | Origin::Node { .. }
            )
            && expected.needs_one()
        {
            push(
                out,
                [c],
                Finding::new(
                    RuleId::XS101,
                    client.file,
                    client.span.clone(),
                    format!(
                        "{} sends no password, but {} needs one: every connection fails with NOAUTH",
                        client.label,
                        instance_name(ctx, index)
                    ),
                )
                .related(instance_related(ctx, index, "the instance this client is linked to")),
            );
            continue;
        }
        let ClientPassword::Literal {
            value,
            file,
            span,
            editable,
        } = &client.password
        else {
            continue;
        };
        if expected.accepts(value) != Some(false) {
            continue;
        }
        let why = if expected == InstancePassword::Open {
            "sends a password, but the instance's default user has none: Redis refuses the AUTH and every connection fails".to_string()
        } else {
            match client.user.as_deref().filter(|_| named_user) {
                Some(user) => format!("sends a password the instance's user `{user}` does not accept: every connection fails with WRONGPASS"),
                None => "sends a password the instance does not accept: every connection fails with WRONGPASS".to_string(),
            }
        };
        let fix = match (expected.plain(), editable) {
            (Some(p), true) => Some(Fix::new(
                Applicability::Unsafe,
                "set the client's password to the instance's",
                // The inserted text is a password whatever the reader marked.
                vec![fix::replace(*file, span.clone(), p.as_bytes().to_vec())
                    .with_secret_text(p.as_bytes())],
            )),
            _ => None,
        };
        // Two connections reading one password line make one finding, with one edit.
        let literal = (*file, span.start, span.end);
        if let Some(&same) = by_literal.get(&literal) {
            out[same].clients.push(c);
            continue;
        }
        by_literal.insert(literal, out.len());
        push(
            out,
            [c],
            Finding::new(
                RuleId::XS101,
                *file,
                span.clone(),
                format!("{} {why} ({})", client.label, instance_name(ctx, index)),
            )
            .with_fix(fix)
            .related(instance_related(
                ctx,
                index,
                "the instance this client is linked to",
            )),
        );
    }
}
