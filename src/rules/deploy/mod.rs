//! `DC`: rules over compose files and Kubernetes manifests (rules.md, "Deployments"). The
//! servers they start are instances like any other, so every `RD` rule runs on them too; these
//! rules judge what only the deployment says: a manifest that does not parse, a Redis port
//! published on every host interface, a Service that exposes Redis outside the cluster, a
//! password on the command line. One rule per file; `confine_fixes` keeps every other rule's
//! fixes to the edits a YAML file takes.

pub mod invalid_manifest;
pub mod password_on_command_line;
pub mod redis_port_published;
pub mod redis_service_exposed;

use super::{Context, Finding};
use crate::stack::Instance;

/// The instance's default user needs no password (RD101 holds).
fn needs_no_password(instance: &Instance) -> bool {
    instance
        .model
        .default_user
        .as_ref()
        .is_some_and(|u| u.state.open_without_password())
}

/// Drop the fixes (of any rule: password rotation, client edits) with an edit of a compose file
/// or manifest that the YAML does not take (`fix::edits::deploy::allowed`): the finding stays.
pub(crate) fn confine_fixes(ctx: &Context, findings: &mut [Finding]) {
    if ctx.stack.deploy.files.is_empty() {
        return;
    }
    let editable = crate::fix::edits::deploy::Editable::new(
        ctx.sources,
        ctx.stack
            .deploy
            .files
            .iter()
            .flat_map(|f| f.workloads.iter()),
    );
    // The DC rules' own edits are made for the YAML.
    for finding in findings.iter_mut().filter(|f| !f.rule.starts_with("DC")) {
        let Some(fix) = &finding.fix else { continue };
        if !fix.edits.iter().all(|edit| editable.allows(edit)) {
            finding.fix = None;
        }
    }
}
