//! PHP104 `save-path-cleartext-remote`: Sessions travel to a remote Redis over plain TCP.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::PHP104,
    name: "save-path-cleartext-remote",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    hardening: true,
    category: Category::Security,
    summary: r####"Sessions travel to a remote Redis over plain TCP"####,
    explanation: r####"A `tcp://` (or scheme-less) save_path host that is not loopback sends the password and every
session in clear text across the network."####,
    example: r####"session.save_path = "tcp://10.0.0.5:6379?auth=...""####,
    fix_description: r####"None: use `tls://` with a TLS-enabled Redis, a private link, or a unix socket."####,
    references: &[r####"https://github.com/phpredis/phpredis#php-session-handler"####],
    check: Check::Php(check),
};

fn check(ctx: &Context, php: &PhpConfig, _whole: bool, out: &mut Vec<Finding>) {
    let Some(site) = SavePathSite::of(ctx, php) else {
        return;
    };
    for host in &site.save_path.hosts {
        let plain_tcp = matches!(host.scheme.as_deref(), None | Some("tcp"));
        if let (true, Some(name)) = (plain_tcp, host.host.as_deref()) {
            if !is_loopback(name) {
                out.push(Finding::new(
                    RuleId::PHP104,
                    site.file,
                    site.span.clone(),
                    format!("`session.save_path` reaches {name} over plain TCP: the password and every session cross the network in clear text (use `tls://`)"),
                ));
            }
        }
    }
}
