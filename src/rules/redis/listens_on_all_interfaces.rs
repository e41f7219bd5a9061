//! RD201 `listens-on-all-interfaces`: redis-server listens on every interface.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::RD201,
    name: "listens-on-all-interfaces",
    severity: Severity::Warning,
    fix: FixAvailability::UnsafeOrSafe {
        safe_when: "every linked client uses loopback or the unix socket (rules.md)",
    },
    hardening: true,
    category: Category::Security,
    summary: r####"redis-server listens on every interface"####,
    explanation: r####"With no `bind` line the compiled default is `* -::*`: every interface, IPv4 and IPv6. `0.0.0.0`,
`*`, `::` and `::*` do the same. Redis is meant for trusted clients in a trusted network; listening
everywhere exposes it to anything that can route to the host. Error when the default user also needs
no password (RD101)."####,
    example: r####"bind 0.0.0.0"####,
    fix_description: r####"Unsafe: `bind 127.0.0.1 -::1`, which cuts off remote clients."####,
    references: &[r####"https://github.com/redis/redis/blob/7.2/redis.conf"####],
    check: Check::Instance(listens_on_all_interfaces),
};

fn listens_on_all_interfaces(ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    let bind = model.last("bind");
    let addresses = model.bind_addresses();
    if !addresses.iter().any(|a| is_wildcard(a)) {
        return;
    }
    let severity = if open_without_password(model) {
        Severity::Error
    } else {
        Severity::Warning
    };
    let (file, span, what) = match bind {
        Some(o) => (
            o.file,
            o.span(),
            format!(
                "`bind` lists {}{}: redis-server listens on every interface",
                addresses
                    .iter()
                    .filter(|a| is_wildcard(a))
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" "),
                overrode(ctx, model, "bind")
            ),
        ),
        None => {
            let (f, s) = root_start(model);
            (f, s, "no `bind` line: redis-server listens on every interface (compiled default `* -::*`)".to_string())
        }
    };
    let and_open = if severity == Severity::Error {
        "; with no password, anyone who can reach it has the data"
    } else {
        ""
    };
    let edit = set_directive(
        ctx.sources,
        model,
        "bind",
        "127.0.0.1 -::1",
        &["port", "protected-mode"],
    );
    let fix = if all_clients_local(ctx, instance) {
        Fix::new(
            Applicability::Safe,
            "listen on loopback only: `bind 127.0.0.1 -::1` (every linked client is local)",
            vec![edit],
        )
    } else {
        Fix::new(
            Applicability::Unsafe,
            "listen on loopback only: `bind 127.0.0.1 -::1` (remote clients are cut off)",
            vec![edit],
        )
    };
    out.push(
        Finding::new(RuleId::RD201, file, span, format!("{what}{and_open}"))
            .severity(severity)
            .with_fix(Some(fix)),
    );
}
