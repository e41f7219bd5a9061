//! Rules across files: each client against the instance it is linked to (`XS1xx`), and each
//! Sentinel against the master it monitors (`SN101`, `SN102`, `SN104`). A finding goes where its
//! fix would go, with the other end as a related location.

use super::{Context, Finding, Related, Severity};
use crate::fix::{self, Applicability, Fix};
use crate::stack::passwords::{user_password, InstancePassword};
use crate::stack::{Client, ClientPassword, Link, Origin, Purpose};

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    password_mismatch(ctx, out);
    shared_databases(ctx, out);
    shared_instances(ctx, out);
    unknown_targets(ctx, out);
    sentinel_auth(ctx, out);
    sentinel_renames(ctx, out);
}

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

fn password_mismatch(ctx: &Context, out: &mut Vec<Finding>) {
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
        // PHP102 and LV102 report a missing password of PHP and Laravel clients; Django has no
        // rule of its own for it.
        if client.password == ClientPassword::None
            && matches!(client.origin, Origin::Django { .. })
            && expected.needs_one()
        {
            push(
                out,
                [c],
                Finding::new(
                    "XS101",
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
                vec![fix::replace(*file, span.clone(), p.as_bytes().to_vec())],
            )),
            _ => None,
        };
        // Two connections reading one password line make one finding, with one edit.
        if let Some(same) = out
            .iter_mut()
            .find(|f| f.rule == "XS101" && f.file == *file && f.span == *span)
        {
            same.clients.push(c);
            continue;
        }
        push(
            out,
            [c],
            Finding::new(
                "XS101",
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

fn shared_databases(ctx: &Context, out: &mut Vec<Finding>) {
    let clients = &ctx.stack.clients;
    // Only clients of one instance and one database can share it: pairs are looked for within
    // those groups, not among every two clients of the tree.
    let mut groups: std::collections::BTreeMap<(usize, &str), Vec<usize>> = Default::default();
    for (c, client) in clients.iter().enumerate() {
        if let (Some(i), Some(db)) = (ctx.stack.links[c].instance(), client.database.as_deref()) {
            groups.entry((i, db)).or_default().push(c);
        }
    }
    let mut pairs: Vec<(usize, usize)> = groups
        .values()
        .flat_map(|members| {
            members
                .iter()
                .enumerate()
                .flat_map(move |(k, &b)| members[..k].iter().map(move |&a| (b, a)))
        })
        .collect();
    // In the order the loop over every two clients had.
    pairs.sort_unstable();
    for (b, a) in pairs {
        {
            let (Some(ia), Some(ib)) =
                (ctx.stack.links[a].instance(), ctx.stack.links[b].instance())
            else {
                continue;
            };
            let (ca, cb) = (&clients[a], &clients[b]);
            // Within one app, LV103 and DJ102 say it at the setting to change.
            if ia != ib || ca.app == cb.app || ca.database.is_none() || ca.database != cb.database {
                continue;
            }
            let sessions_and_cache = matches!(
                (ca.purpose, cb.purpose),
                (Purpose::Sessions, Purpose::Cache) | (Purpose::Cache, Purpose::Sessions)
            );
            let two_apps = ca.purpose == Purpose::Sessions
                && cb.purpose == Purpose::Sessions
                && ca.app != cb.app
                && ca.prefix.is_some()
                && ca.prefix == cb.prefix;
            if !(sessions_and_cache || two_apps) {
                continue;
            }
            let why = if sessions_and_cache {
                "clearing the cache (FLUSHDB) deletes every session"
            } else {
                "the two applications read and overwrite each other's sessions"
            };
            // Said at the session client, whose sessions are at risk and which moves to another
            // database; between two session clients, at the later one.
            let (at, other) = if ca.purpose == Purpose::Sessions && cb.purpose == Purpose::Cache {
                (ca, cb)
            } else {
                (cb, ca)
            };
            push(
                out,
                [a, b],
                Finding::new(
                    "XS102",
                    at.file,
                    at.span.clone(),
                    format!(
                        "{} and {} use database {} of {}: {why}",
                        at.label,
                        other.label,
                        at.database.as_deref().unwrap_or("?"),
                        instance_name(ctx, ib)
                    ),
                )
                .related(Related {
                    file: other.file,
                    span: other.span.clone(),
                    message: format!("{} uses the same database", other.label),
                }),
            );
        }
    }
}

fn shared_instances(ctx: &Context, out: &mut Vec<Finding>) {
    for index in 0..ctx.stack.instances.len() {
        let linked: Vec<&Client> = ctx.stack.clients_of(index).map(|(_, c)| c).collect();
        let sessions: Vec<&&Client> = linked
            .iter()
            .filter(|c| c.purpose == Purpose::Sessions)
            .collect();
        let caches: Vec<&&Client> = linked
            .iter()
            .filter(|c| c.purpose == Purpose::Cache)
            .collect();
        if sessions.is_empty() || caches.is_empty() {
            continue;
        }
        let model = &ctx.stack.instances[index].model;
        let (file, span) = model
            .last("maxmemory-policy")
            .map_or((model.root, 0..0), |o| (o.file, o.span()));
        let mut finding = Finding::new(
            "XS103",
            file,
            span,
            format!("sessions and a cache share this instance: they share `maxmemory` and its eviction policy, so cache growth can evict or block sessions ({} session and {} cache client{})", sessions.len(), caches.len(), if caches.len() == 1 { "" } else { "s" }),
        );
        for c in sessions.iter().chain(caches.iter()) {
            finding = finding.related(Related {
                file: c.file,
                span: c.span.clone(),
                // A label may already name the purpose (`Laravel connection `x` (sessions)`).
                message: if c.label.ends_with(&format!("({})", c.purpose.as_str())) {
                    c.label.clone()
                } else {
                    format!("{} ({})", c.label, c.purpose.as_str())
                },
            });
        }
        out.push(finding);
    }
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

fn unknown_targets(ctx: &Context, out: &mut Vec<Finding>) {
    if ctx.stack.instances.is_empty() {
        return;
    }
    for (c, client) in ctx.stack.clients.iter().enumerate() {
        let Some(where_) = client.target.shown() else {
            continue;
        };
        let message = match &ctx.stack.links[c] {
            Link::Nowhere => format!("{} points at {where_}, where no audited instance listens (map a host name with `[hosts]` in redline.toml)", client.label),
            Link::Ambiguous(candidates) => format!(
                "{} points at {where_}, where {} audited instances could listen ({}): none is linked",
                client.label,
                candidates.len(),
                first_few(candidates.iter().map(|i| instance_name(ctx, *i)))
            ),
            _ => continue,
        };
        push(
            out,
            [c],
            Finding::new("XS104", client.file, client.span.clone(), message),
        );
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
                push(out, [c], Finding::new("SN101", client.file, client.span.clone(), format!("`sentinel monitor {master}` has no `sentinel auth-pass {master}`: {why}")).severity(severity).with_fix(fix));
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
                    Finding::new("SN102", *file, span.clone(), format!("`sentinel auth-pass {master}` is not the password of {}: Sentinel cannot monitor or fail over the master", instance_name(ctx, index)))
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

fn sentinel_renames(ctx: &Context, out: &mut Vec<Finding>) {
    for (c, client) in ctx.stack.clients.iter().enumerate() {
        let (Some((s, master)), Some(index)) = (&client.sentinel, ctx.stack.links[c].instance())
        else {
            continue;
        };
        let model = &ctx.stack.instances[index].model;
        let sentinel = &ctx.stack.sentinels[*s];
        let Some(m) = sentinel.masters.iter().find(|m| &m.name == master) else {
            continue;
        };
        for command in SENTINEL_COMMANDS {
            let Some((rename, target)) = model.rename_of(command) else {
                continue;
            };
            let covered = m
                .renames
                .iter()
                .any(|r| r.values[2].lower() == command && r.values[3].text() == target);
            if covered {
                continue;
            }
            let related = Related {
                file: rename.file,
                span: rename.span(),
                message: format!(
                    "{} renames {}",
                    instance_name(ctx, index),
                    command.to_ascii_uppercase()
                ),
            };
            let (fix, why) = if target.is_empty() {
                (
                    None,
                    format!(
                        "{} removes {} (renamed to \"\"), which Sentinel needs: failover fails",
                        instance_name(ctx, index),
                        command.to_ascii_uppercase()
                    ),
                )
            } else {
                let line = format!(
                    "sentinel rename-command {master} {} {target}",
                    command.to_ascii_uppercase()
                );
                let edit = fix::insert_line_after(
                    ctx.sources,
                    m.monitor.file,
                    m.monitor.line(),
                    line.as_bytes(),
                );
                (Some(Fix::new(Applicability::Safe, "add the matching `sentinel rename-command`", vec![edit])), format!("{} renames {}, and this Sentinel has no matching `sentinel rename-command`: failover fails", instance_name(ctx, index), command.to_ascii_uppercase()))
            };
            push(
                out,
                [c],
                Finding::new(
                    "SN104",
                    m.monitor.file,
                    m.monitor.span(),
                    format!("`sentinel monitor {master}`: {why}"),
                )
                .with_fix(fix)
                .related(related),
            );
        }
    }
}

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
