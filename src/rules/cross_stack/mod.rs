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
use super::{Context, Finding, Related};
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

/// A Sentinel client (a `sentinel monitor` line) with the instance it monitors, if linked, and
/// the password that instance expects of it.
pub(crate) struct SentinelClient<'a> {
    pub index: usize,
    pub client: &'a Client,
    /// The Sentinel's index in the stack.
    pub sentinel: usize,
    pub master: &'a String,
    pub link: Option<usize>,
    pub expected: Option<InstancePassword>,
}

pub(crate) fn sentinel_clients<'a>(
    ctx: &'a Context<'a>,
) -> impl Iterator<Item = SentinelClient<'a>> + 'a {
    ctx.stack
        .clients
        .iter()
        .enumerate()
        .filter_map(move |(index, client)| {
            let (sentinel, master) = client.sentinel.as_ref().map(|(s, m)| (*s, m))?;
            let link = ctx.stack.links[index].instance();
            let expected =
                link.map(|i| user_password(&ctx.stack.instances[i].model, client.user.as_deref()));
            Some(SentinelClient {
                index,
                client,
                sentinel,
                master,
                link,
                expected,
            })
        })
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
