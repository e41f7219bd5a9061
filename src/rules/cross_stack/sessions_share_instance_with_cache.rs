//! XS103 `sessions-share-instance-with-cache`: Sessions and a cache use one instance.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::XS103,
    name: "sessions-share-instance-with-cache",
    severity: Severity::Info,
    fix: FixAvailability::None,
    hardening: true,
    category: Category::Security,
    summary: r####"Sessions and a cache use one instance"####,
    explanation: r####"Databases of one instance share `maxmemory` and its eviction policy: a cache that grows evicts
sessions (with an allkeys policy) or makes session writes fail (with noeviction). Sessions are best
kept on their own instance with `noeviction` and AOF."####,
    example: r####"# php.ini and the Django cache both point at 127.0.0.1:6379"####,
    fix_description: r####"None."####,
    references: &[r####"https://redis.io/docs/latest/develop/reference/eviction/"####],
    check: Check::Stack(shared_instances),
};

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
            RuleId::XS103,
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
