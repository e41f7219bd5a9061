//! RD205 `unix-socket-world-accessible`: unixsocketperm grants access to other users.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::RD205,
    name: "unix-socket-world-accessible",
    severity: Severity::Warning,
    fix: FixAvailability::Safe,
    hardening: true,
    category: Category::Security,
    summary: r####"unixsocketperm grants access to other users"####,
    explanation: r####"Connecting to a unix socket needs write permission on it, so the "others" write bit (777, 766,
722) lets every local user connect: another site's PHP-FPM pool, a compromised service account.
775 and 755 do not let them in. Group access (770) is enough for the web server's group."####,
    example: r####"unixsocketperm 777"####,
    fix_description: r####"Safe: `unixsocketperm 770`."####,
    references: &[r####"https://github.com/redis/redis/blob/7.2/redis.conf"####],
    check: Check::Instance(unix_socket_world_accessible),
};

fn unix_socket_world_accessible(ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    if model
        .last("unixsocket")
        .is_none_or(|o| o.value_text().is_empty())
    {
        return;
    }
    let Some(perm) = model.last("unixsocketperm") else {
        return;
    };
    let Some(mode) = crate::model::directives::parse_octal(&perm.values[0].value) else {
        return;
    };
    // Connecting to a unix socket needs write permission on it: only others' write bit lets
    // every local user in (775 and 755 do not; 766, 722 and 777 do).
    if mode & 0o002 == 0 {
        return;
    }
    let edit = set_directive(ctx.sources, model, "unixsocketperm", "770", &[]);
    out.push(
        Finding::new(
            RuleId::RD205,
            perm.file,
            perm.span(),
            format!(
                "`unixsocketperm {:o}` lets every local user connect to the socket",
                mode
            ),
        )
        .with_fix(Some(Fix::new(
            Applicability::Safe,
            "set `unixsocketperm 770` (owner and group only)",
            vec![edit],
        ))),
    );
}
