//! SN103 `auth-pass-unsafe-characters`: auth-pass or sentinel-pass contains white space, a quote or a backslash.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::SN103,
    name: "auth-pass-unsafe-characters",
    severity: Severity::Error,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Correctness,
    summary: r####"auth-pass or sentinel-pass contains white space, a quote or a backslash"####,
    explanation: r####"Sentinel rewrites its own config file (on start and after every failover) and writes `auth-pass`
and `sentinel-pass` unquoted. A password with white space, a quote or a backslash is then split or
mangled, and the next start fails with "Unrecognized sentinel configuration statement"."####,
    example: r####"sentinel auth-pass mymaster "p@ss word""####,
    fix_description: r####"None: rotate to a password without those characters (a generated 64-hex secret has none)."####,
    references: &[r####"https://github.com/redis/redis/issues/10085"####],
    check: Check::Sentinel(unsafe_characters),
};

fn unsafe_characters(_ctx: &Context, sentinel: &SentinelModel, out: &mut Vec<Finding>) {
    let auth_passes = sentinel.masters.iter().filter_map(|m| {
        m.auth_pass
            .as_ref()
            .map(|o| (format!("`sentinel auth-pass {}`", m.name), o, 2))
    });
    let own = sentinel
        .sentinel_pass
        .iter()
        .map(|o| ("`sentinel sentinel-pass`".to_string(), o, 1));
    for (what, o, index) in auth_passes.chain(own) {
        let value = &o.values[index].value;
        if value
            .iter()
            .any(|b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'\\'))
        {
            out.push(Finding::new(
                RuleId::SN103,
                o.file,
                o.span(),
                format!("{what} holds white space, a quote or a backslash: Sentinel rewrites it unquoted into its file and then cannot restart"),
            ));
        }
    }
}
