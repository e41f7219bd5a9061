//! RD204 `cleartext-on-network`: Listens on a network address without TLS.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::RD204,
    name: "cleartext-on-network",
    severity: Severity::Info,
    fix: FixAvailability::None,
    hardening: true,
    category: Category::Security,
    summary: r####"Listens on a network address without TLS"####,
    explanation: r####"AUTH and every session travel unencrypted when clients connect over TCP without TLS. On a shared
or cloud network that exposes passwords and session contents to anyone who can capture traffic.
A `tls-port` does not close the plain `port`: both listen until `port 0`, and a client left on the
plain port still sends everything in clear text."####,
    example: r####"bind 10.0.0.5
port 6379"####,
    fix_description: r####"None: configure `tls-port` with certificates and set `port 0`, or keep Redis on loopback or a unix socket."####,
    references: &[
        r####"https://redis.io/docs/latest/operate/oss_and_stack/management/security/encryption/"####,
    ],
    check: Check::Instance(cleartext_on_network),
};

fn cleartext_on_network(_ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    let port = model
        .last("port")
        .map(|o| o.value_text())
        .unwrap_or_else(|| "6379".into());
    let tls = model
        .last("tls-port")
        .map(|o| o.value_text())
        .unwrap_or_else(|| "0".into());
    // A `tls-port` adds a TLS listener; the plain `port` keeps accepting clear text beside it.
    if port == "0" {
        return;
    }
    let addresses = model.bind_addresses();
    let network: Vec<&String> = addresses.iter().filter(|a| !is_loopback(a)).collect();
    if network.is_empty() {
        return;
    }
    let (file, span) = model
        .last("bind")
        .map(at)
        .unwrap_or_else(|| root_start(model));
    let addresses = network
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let message = if tls != "0" {
        format!("listens on {addresses} port {port} in clear text beside `tls-port {tls}`: clients that use the plain port send passwords and sessions unencrypted (set `port 0` to accept TLS only)")
    } else {
        format!("listens on {addresses} port {port} without TLS: passwords and sessions cross the network in clear text")
    };
    out.push(Finding::new(RuleId::RD204, file, span, message));
}
