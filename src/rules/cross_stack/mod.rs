//! Rules across files: each client against the instance it is linked to (`XS1xx`), and each
//! Sentinel against the master it monitors (`SN101`, `SN102`, `SN104`). A finding goes where its
//! fix would go, with the other end as a related location.

pub mod auth_pass_mismatch;
pub mod client_password_mismatch;
pub mod client_target_unknown;
pub mod monitor_without_auth_pass;
pub mod rename_unknown_to_sentinel;
pub mod sessions_share_database;
pub mod sessions_share_instance_with_cache;
use super::registry::RuleId;
use super::{keep_only, Context, Finding, Related, Severity};
use crate::fix::{self, Applicability, Fix};
use crate::stack::passwords::{user_password, InstancePassword};
use crate::stack::{Client, ClientPassword, Link, Origin, Purpose};

fn instance_related(ctx: &Context, index: usize, message: &str) -> Related {
    let model = &ctx.stack.instances[index].model;
    let (file, span) = model
        .last("requirepass")
        .map_or((model.root, 0..0), |o| (o.file, o.span()));
    Related {
        file,
        span,
        message: message.to_string(),
    }
}

fn instance_name(ctx: &Context, index: usize) -> String {
    ctx.sources
        .display(ctx.stack.instances[index].model.root)
        .to_string()
}

/// The first three names, then how many more: a monorepo can hold hundreds of candidates, and a
/// message names a few.
fn first_few(names: impl ExactSizeIterator<Item = String>) -> String {
    const SHOWN: usize = 3;
    let total = names.len();
    let shown: Vec<String> = names.take(SHOWN).collect();
    match total.saturating_sub(SHOWN) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

fn sentinel_auth(ctx: &Context, out: &mut Vec<Finding>) {
    for (c, client) in ctx.stack.clients.iter().enumerate() {
        let Some((s, master)) = &client.sentinel else {
            continue;
        };
        let link = ctx.stack.links[c].instance();
        let expected =
            link.map(|i| user_password(&ctx.stack.instances[i].model, client.user.as_deref()));
        match (&client.password, &expected) {
            (ClientPassword::None, Some(InstancePassword::Open))
            | (ClientPassword::None, Some(InstancePassword::Unknown)) => {}
            (ClientPassword::None, _) => {
                let severity = if expected.as_ref().is_some_and(InstancePassword::needs_one) {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                let fix = expected
                    .as_ref()
                    .and_then(InstancePassword::plain)
                    .map(|p| {
                        let monitor = &ctx.stack.sentinels[*s]
                            .masters
                            .iter()
                            .find(|m| &m.name == master)
                            .unwrap()
                            .monitor;
                        let edit = fix::insert_line_after(
                            ctx.sources,
                            monitor.file,
                            monitor.line(),
                            format!("sentinel auth-pass {master} {p}").as_bytes(),
                        )
                        .with_secret_text(p.as_bytes());
                        Fix::new(
                            Applicability::Unsafe,
                            format!(
                                "add `sentinel auth-pass {master}` with the instance's password"
                            ),
                            vec![edit],
                        )
                    });
                let why = match link {
                    Some(i) => format!("the monitored instance {} needs a password, so Sentinel cannot talk to it", instance_name(ctx, i)),
                    None => "if the master needs a password, Sentinel cannot talk to it (the master is not in the audited stack)".into(),
                };
                push(out, [c], Finding::new(RuleId::SN101, client.file, client.span.clone(), format!("`sentinel monitor {master}` has no `sentinel auth-pass {master}`: {why}")).severity(severity).with_fix(fix));
            }
            (
                ClientPassword::Literal {
                    value, file, span, ..
                },
                Some(expected),
            ) if expected.accepts(value) == Some(false) => {
                let fix = expected.plain().map(|p| {
                    Fix::new(
                        Applicability::Unsafe,
                        "set `auth-pass` to the instance's password",
                        vec![fix::replace(*file, span.clone(), p.as_bytes().to_vec())],
                    )
                });
                let index = link.unwrap();
                push(out, [c],
                    Finding::new(RuleId::SN102, *file, span.clone(), format!("`sentinel auth-pass {master}` is not the password of {}: Sentinel cannot monitor or fail over the master", instance_name(ctx, index)))
                        .with_fix(fix)
                        .related(instance_related(ctx, index, "the monitored instance")),
                );
            }
            _ => {}
        }
    }
}

/// Commands Sentinel runs on a master and its replicas.
const SENTINEL_COMMANDS: [&str; 12] = [
    "config",
    "replicaof",
    "slaveof",
    "info",
    "ping",
    "client",
    "script",
    "publish",
    "subscribe",
    "exec",
    "multi",
    "role",
];

/// Push a finding about these stack clients.
fn push<const N: usize>(out: &mut Vec<Finding>, clients: [usize; N], finding: Finding) {
    out.push(finding.about_clients(clients));
}

#[cfg(test)]
mod tests {
    use super::first_few;

    #[test]
    fn first_few_names_three_then_counts() {
        let names = |n: usize| (0..n).map(|i| format!("r{i}.conf")).collect::<Vec<_>>();
        assert_eq!(first_few(names(2).into_iter()), "r0.conf, r1.conf");
        assert_eq!(first_few(names(3).into_iter()), "r0.conf, r1.conf, r2.conf");
        assert_eq!(
            first_few(names(131).into_iter()),
            "r0.conf, r1.conf, r2.conf and 128 more"
        );
    }
}
