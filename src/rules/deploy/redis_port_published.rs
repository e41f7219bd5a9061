//! DC101 `redis-port-published`: A compose `ports` entry publishes the Redis port on every host
//! interface.

use super::*;
use crate::fix::{Applicability, Fix};
use crate::model::deploy::{port_parts, Platform};
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::DC101,
    name: "redis-port-published",
    severity: Severity::Error,
    fix: FixAvailability::Unsafe,
    hardening: true,
    category: Category::Security,
    summary: r####"A compose `ports` entry publishes the Redis port on every host interface"####,
    explanation: r####"`ports: ["6379:6379"]` (or `"6379"` alone, which maps an ephemeral host port) with no host address
makes Docker listen on every interface of the host and forward to Redis, past the host's
firewall rules (Docker writes its own iptables rules ahead of ufw and firewalld). The app
containers of the same compose project reach Redis by its service name without any published
port. Error when the instance needs no password (anyone who can reach the host has the data),
warning otherwise."####,
    example: r####"services:
  redis:
    image: redis:7
    ports:
      - "6379:6379""####,
    fix_description: r####"Unsafe: publish on loopback only (`127.0.0.1:6379:6379`); tools on other hosts that used the port are cut off. Or remove the entry when only containers use Redis."####,
    references: &[
        r####"https://docs.docker.com/engine/network/packet-filtering-firewalls/"####,
        r####"https://docs.docker.com/reference/compose-file/services/#ports"####,
    ],
    check: Check::Stack(published_ports),
};

fn published_ports(ctx: &Context, out: &mut Vec<Finding>) {
    for &(index, f, w) in &ctx.stack.deploy.instances {
        let deployed = &ctx.stack.deploy.files[f].workloads[w];
        if deployed.platform != Platform::Compose {
            continue;
        }
        let instance = &ctx.stack.instances[index];
        let Some(&port) = ctx.stack.listens[index].ports.first() else {
            continue;
        };
        let open = needs_no_password(instance);
        for entry in &deployed.ports {
            let (host_ip, container) = port_parts(&entry.text);
            let everywhere = host_ip
                .as_deref()
                .is_none_or(|ip| matches!(ip, "0.0.0.0" | "::" | ""));
            if !everywhere || container.trim().parse::<u16>() != Ok(port) {
                continue;
            }
            let fix = match (&host_ip, entry.insert_at) {
                (None, Some((at, text))) => Some(Fix::new(
                    Applicability::Unsafe,
                    "publish on loopback only (tools on other hosts that used the port are cut off; containers of the project still reach the service by name)",
                    vec![crate::fix::replace(deployed.file, at..at, text.as_bytes())],
                )),
                _ => None,
            };
            let consequence = if open {
                "and the instance needs no password: anyone who can reach the host has the data"
            } else {
                "where anyone who can reach the host can try passwords"
            };
            out.push(
                Finding::new(
                    RuleId::DC101,
                    deployed.file,
                    entry.span.clone(),
                    format!(
                        "`ports` entry `{}` of service `{}` publishes Redis port {port} on every interface of the host (past its firewall), {consequence}",
                        crate::syntax::safe_text(&entry.text),
                        crate::syntax::safe_text(&deployed.name)
                    ),
                )
                .severity(if open { Severity::Error } else { Severity::Warning })
                .setting("ports")
                .with_fix(fix),
            );
        }
    }
}
