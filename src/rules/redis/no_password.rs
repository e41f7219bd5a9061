//! RD101 `no-password`: The default user needs no password.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::RD101,
    name: "no-password",
    severity: Severity::Error,
    fix: FixAvailability::Unsafe,
    hardening: true,
    category: Category::Security,
    summary: r####"The default user needs no password"####,
    explanation: r####"Every connection is authenticated as the `default` user automatically while it is `nopass`: no
`requirepass`, `requirepass ""` as the last word, `user default ... nopass`, or an aclfile without
a `default` user (redis-server then creates it as `on nopass ~* &* +@all`). Anyone who can reach the
port can read every session, forge one, or FLUSHALL. A `user default` line beats `requirepass`
whatever the order, so redline evaluates them together, as redis-server does."####,
    example: r####"# no requirepass anywhere, or:
user default on nopass ~* &* +@all"####,
    fix_description: r####"Unsafe: add `requirepass` with a generated 64-hex secret (or set it on the `user default` line), and write the same secret into every client linked to the instance in the audited files (save_path `auth`, `.env` REDIS_PASSWORD, `sentinel auth-pass`). Clients redline cannot edit are named in the fix; every other client must be given the new password, or it will be refused."####,
    references: &[
        r####"https://redis.io/docs/latest/operate/oss_and_stack/management/security/"####,
        r####"https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/"####,
    ],
    check: Check::Instance(no_password),
};

fn no_password(ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    let Some(user) = model
        .default_user
        .as_ref()
        .filter(|u| u.state.open_without_password())
    else {
        return;
    };
    let secret = secret::generate();
    let rotate =
        "add a generated 64-hex password (clients outside the audited files must then be given it)";
    let (file, span, message, edit) = match &user.source {
        DefaultUserSource::Compiled => {
            let (file, span) = root_start(model);
            let edit = add_line(
                ctx.sources,
                model,
                format!("requirepass {secret}").as_bytes(),
                &["requirepass", "masterauth", "masteruser"],
            );
            (file, span, "no `requirepass` and no `user default` line: every client is authenticated as `default` without a password".to_string(), Some(edit))
        }
        DefaultUserSource::Requirepass(o) => {
            let edit = set_directive(ctx.sources, model, "requirepass", &secret, &[]);
            let msg = format!("`requirepass \"\"` is the last word on the password{}: every client is authenticated as `default` without one", overrode(ctx, model, "requirepass"));
            (o.file, o.span(), msg, Some(edit))
        }
        DefaultUserSource::UserLine(o) => {
            let beats = model
                .last("requirepass")
                .map(|r| {
                    format!(
                        "; it beats `requirepass` at {} whatever the order",
                        ctx.place(r.file, r.span().start)
                    )
                })
                .unwrap_or_default();
            let edit = user
                .state
                .nopass_arg
                .as_ref()
                .map(|a| fix::replace(o.file, a.span.clone(), format!(">{secret}")));
            (o.file, o.span(), format!("`user default` is `on` and `nopass`: every client is authenticated without a password{beats}"), edit)
        }
        DefaultUserSource::AclLine(line) => {
            let edit = user
                .state
                .nopass_arg
                .as_ref()
                .map(|a| fix::replace(line.file, a.span.clone(), format!(">{secret}")));
            (line.file, line.span.clone(), "the aclfile's `user default` is `on` and `nopass`: every client is authenticated without a password".to_string(), edit)
        }
        DefaultUserSource::AclFileWithoutDefault(o) => {
            let acl = model.acl_file.as_ref().and_then(|a| a.file);
            let edit = acl.map(|f| {
                fix::append_line(
                    ctx.sources,
                    f,
                    None,
                    format!("user default on >{secret} ~* &* +@all").as_bytes(),
                )
            });
            (o.file, o.span(), "the aclfile has no `default` user, so redis-server creates it as `on nopass ~* &* +@all`: every client is authenticated without a password".to_string(), edit)
        }
    };
    let fix = edit.map(|e| {
        let (mut edits, description) = with_linked_clients(ctx, instance, &secret, rotate, true);
        edits.insert(0, e.with_secret_text(secret.as_bytes()));
        Fix::new(Applicability::Unsafe, description, edits)
    });
    out.push(Finding::new(RuleId::RD101, file, span, message).with_fix(fix));
}
