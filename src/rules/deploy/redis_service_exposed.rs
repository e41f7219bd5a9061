//! DC102 `redis-service-exposed`: A Kubernetes Service exposes a Redis workload outside the
//! cluster.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::DC102,
    name: "redis-service-exposed",
    severity: Severity::Error,
    fix: FixAvailability::None,
    hardening: true,
    category: Category::Security,
    summary: r####"A Kubernetes Service of type LoadBalancer or NodePort, or with externalIPs, selects a Redis workload"####,
    explanation: r####"A `LoadBalancer` Service gets an address reachable from outside the cluster (often the internet), a
`NodePort` Service opens the port on every node, and `externalIPs` routes outside addresses to
it. Applications in the cluster need none of these: a `ClusterIP` Service (the default) reaches
Redis by name. Error when the workload needs no password, warning otherwise."####,
    example: r####"kind: Service
spec:
  type: LoadBalancer
  selector:
    app: redis"####,
    fix_description: r####"None: use a ClusterIP Service (remove `type` and `externalIPs`), or restrict it with `loadBalancerSourceRanges` and a NetworkPolicy."####,
    references: &[
        r####"https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types"####,
    ],
    check: Check::Stack(exposed_services),
};

fn exposed_services(ctx: &Context, out: &mut Vec<Finding>) {
    for file in &ctx.stack.deploy.files {
        for service in &file.services {
            let Some((span, how)) = &service.exposed else {
                continue;
            };
            let selected = ctx.stack.deploy.selected_by(service);
            if selected.is_empty() {
                continue;
            }
            let open = selected
                .iter()
                .any(|&i| needs_no_password(&ctx.stack.instances[i]));
            // A few names, then how many more: a hostile manifest can select thousands.
            let mut names: Vec<String> = selected
                .iter()
                .take(3)
                .filter_map(|&i| ctx.stack.deploy.of_instance(i))
                .map(|d| format!("`{}`", crate::syntax::safe_text(&d.name)))
                .collect();
            if selected.len() > 3 {
                names.push(format!("{} more", selected.len() - 3));
            }
            let consequence = if open {
                "and it needs no password: anyone who reaches the address has the data"
            } else {
                "where anyone who reaches the address can try passwords"
            };
            out.push(
                Finding::new(
                    RuleId::DC102,
                    service.file,
                    span.clone(),
                    format!(
                        "Service `{}` ({how}) exposes Redis ({}) outside the cluster, {consequence}",
                        crate::syntax::safe_text(&service.name),
                        names.join(", ")
                    ),
                )
                .severity(if open { Severity::Error } else { Severity::Warning })
                .setting("spec.type"),
            );
        }
    }
}
