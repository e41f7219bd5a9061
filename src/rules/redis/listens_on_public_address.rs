//! RD202 `listens-on-public-address`: bind lists a public address.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::RD202,
    name: "listens-on-public-address",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    hardening: true,
    category: Category::Security,
    summary: r####"bind lists a public address"####,
    explanation: r####"A `bind` address that is not loopback, RFC 1918 private, IPv6 unique-local or link-local is
reachable from outside the private network. Sessions should never cross the internet in the
clear."####,
    example: r####"bind 203.0.113.10"####,
    fix_description: r####"None: bind a private address and put the clients on the private network."####,
    references: &[r####"https://www.rfc-editor.org/rfc/rfc1918"####],
    check: Check::Instance(listens_on_public_address),
};

fn listens_on_public_address(_ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let Some(bind) = instance.model.last("bind") else {
        return;
    };
    let public: Vec<String> = bind
        .values
        .iter()
        .map(|a| a.text())
        .filter(|a| is_public(a))
        .collect();
    if public.is_empty() {
        return;
    }
    out.push(Finding::new(
        RuleId::RD202,
        bind.file,
        bind.span(),
        format!(
            "`bind` lists public address{} {}: reachable from outside the private network",
            if public.len() > 1 { "es" } else { "" },
            public.join(", ")
        ),
    ));
}
