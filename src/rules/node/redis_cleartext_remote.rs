//! NJ104 `redis-cleartext-remote`: The session store's client reaches a remote host without TLS.

use super::*;
use crate::model::node::Address;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::NJ104,
    name: "redis-cleartext-remote",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    hardening: true,
    category: Category::Security,
    summary: r####"The Redis client reaches a remote host in clear text"####,
    explanation: r####"A `redis://` URL, or options without `tls`, to a host that is not loopback sends the password
and every session across the network unencrypted: anyone on the path reads them, and can take
over sessions."####,
    example: r####"new Redis('redis://:pw@10.0.3.7:6379')"####,
    fix_description: r####"None: use `rediss://` or `tls: {}` (ioredis) / `socket: { tls: true }` (node-redis), with a TLS port on the server."####,
    references: &[
        "https://redis.io/docs/latest/operate/oss_and_stack/management/security/encryption/",
    ],
    check: Check::Stack(cleartext),
};

fn cleartext(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, _, client, index) in store_clients(ctx) {
        let Address::Tcp { host, port } = &client.address else {
            continue;
        };
        if crate::stack::links::is_loopback(host) || client.tls == Some(true) {
            continue;
        }
        let at = client.address_at.clone().unwrap_or(client.at.clone());
        out.push(
            Finding::new(
                RuleId::NJ104,
                at.file,
                at.span,
                format!(
                    "the {} client reaches {host}:{port}{} without TLS: the password and the sessions cross the network in clear text",
                    client.library.name(),
                    client.url.as_ref().map_or(String::new(), origin_note)
                ),
            )
            .setting("client.tls")
            .about_clients(index),
        );
    }
}
