//! `RD`: rules over one redis-server's effective configuration (redis.conf, its includes and its
//! aclfile). One rule per file (`rules/redis/<rule_name>.rs`); helpers shared by them stay here.

pub mod activedefrag_needs_bundled_jemalloc;
pub mod aof_disabled;
pub mod aof_fsync_off;
pub mod cleartext_on_network;
pub mod config_command_enabled;
pub mod dangerous_commands_enabled;
pub mod evicting_policy_on_session_store;
pub mod guessable_rename;
pub mod include_not_found;
pub mod invalid_line;
pub mod listens_on_all_interfaces;
pub mod listens_on_public_address;
pub mod maxmemory_unset;
pub mod no_password;
pub mod protected_mode_off;
pub mod requirepass_ignored;
pub mod unix_socket_world_accessible;
use super::model_issues::model_issues;
use super::registry::{Check, Rule};
use super::{Context, Finding, Related};
use crate::fix::edits::redis::{add_line, set_directive};
use crate::fix::{self, Applicability, Edit, Fix};
use crate::model::redis::{DefaultUserSource, Occurrence, RedisModel};
use crate::secret;
use crate::source::FileId;
use crate::stack::{Instance, Purpose, Role, Target};
use std::net::IpAddr;

/// Run the enabled per-instance rules over every instance; a fix that edits a file other
/// instances include names them.
pub(crate) fn run(ctx: &Context, rules: &[&Rule], out: &mut Vec<Finding>) {
    // Compose files and manifests are not shared the way an included file is: the edits a fix
    // makes there are one service's own tokens (`fix::edits::deploy`).
    let manifests: std::collections::HashSet<FileId> =
        ctx.stack.deploy.files.iter().map(|f| f.file).collect();
    for (index, instance) in ctx.stack.instances.iter().enumerate() {
        let first = out.len();
        for rule in rules {
            if let Check::Instance(check) = rule.check {
                check(ctx, instance, out);
            }
        }
        if let Some(deployed) = ctx.stack.deploy.of_instance(index) {
            let mine = out.split_off(first);
            out.extend(on_deployment(ctx, instance, deployed, mine));
        }
        name_shared_includes(ctx, index, &manifests, &mut out[first..]);
    }
}

/// The findings on a server that a compose service or Kubernetes container starts: those about
/// a setting nothing sets point at the service, fixes keep only the edits the YAML takes (see
/// `fix::edits::deploy`), and a password-protected container is not blamed for listening on
/// its own interfaces (its network namespace is the boundary: the published port, DC101, or the
/// Service, DC102, is what reaches it from outside; with no password, every container on its
/// network has the data, and RD201 stays).
fn on_deployment(
    ctx: &Context,
    instance: &Instance,
    deployed: &crate::model::deploy::Deployed,
    findings: Vec<Finding>,
) -> Vec<Finding> {
    let open = open_without_password(&instance.model);
    findings
        .into_iter()
        .filter(|f| open || f.rule != "RD201")
        .filter(|f| {
            f.rule != "RD204" || deployed.platform != crate::model::deploy::Platform::Compose
        })
        .map(|mut f| {
            if f.file == deployed.file && f.span == (0..0) {
                f.span = deployed.at.clone();
            }
            // A value the image sets (its compiled defaults, bitnami's run.sh) is reported at
            // the `image:` line: say so.
            let from_image = f.file == deployed.file
                && deployed
                    .defaults
                    .iter()
                    .any(|d| d.span == f.span && d.args.iter().all(|a| a.span == f.span));
            if from_image {
                f.message.push_str(match deployed.image {
                    crate::model::deploy::ImageKind::Bitnami => {
                        " (written by the bitnami image's run.sh)"
                    }
                    _ => " (the official image is built with `protected-mode no`)",
                });
            }
            f.fix = f
                .fix
                .take()
                .and_then(|fix| crate::fix::edits::deploy::confine(ctx.sources, deployed, fix));
            f
        })
        .collect()
}

/// A fix that edits a file other instances include changes those instances too: its
/// description names them.
fn name_shared_includes(
    ctx: &Context,
    index: usize,
    manifests: &std::collections::HashSet<FileId>,
    findings: &mut [Finding],
) {
    for finding in findings {
        let Some(fix) = finding.fix.as_mut() else {
            continue;
        };
        let mut files: Vec<FileId> = fix
            .edits
            .iter()
            .map(|e| e.file)
            .filter(|f| !manifests.contains(f))
            .collect();
        files.sort_unstable();
        files.dedup();
        let mut notes = Vec::new();
        for file in files {
            let others: Vec<&str> = ctx
                .stack
                .instances
                .iter()
                .enumerate()
                .filter(|(j, other)| *j != index && other.model.files.contains(&file))
                .map(|(_, other)| ctx.sources.display(other.model.root))
                .collect();
            if !others.is_empty() {
                notes.push(format!(
                    "`{}` is shared: this also changes {}",
                    ctx.sources.display(file),
                    others.join(", ")
                ));
            }
        }
        if !notes.is_empty() {
            fix.description = format!("{} ({})", fix.description, notes.join("; "));
        }
    }
}

/// Where "absent" findings point and new lines go: line 1 of the instance's root file.
fn root_start(model: &RedisModel) -> (FileId, std::ops::Range<usize>) {
    (model.root, 0..0)
}

fn at(o: &Occurrence) -> (FileId, std::ops::Range<usize>) {
    (o.file, o.span())
}

/// " (it overrides line N)" when the effective line replaced an earlier one.
fn overrode(ctx: &Context, model: &RedisModel, name: &str) -> String {
    match model.overridden(name) {
        Some(o) => format!(" (overriding {})", ctx.place(o.file, o.span().start)),
        None => String::new(),
    }
}

/// The default user is `on` and `nopass` (RD101 holds).
fn open_without_password(model: &RedisModel) -> bool {
    model
        .default_user
        .as_ref()
        .is_some_and(|u| u.state.open_without_password())
}

/// The edits that give `secret` to every client linked to this instance too, and the fix's
/// description (what is left to do by hand, never with the secret).
pub fn with_linked_clients(
    ctx: &Context,
    instance: &Instance,
    secret: &str,
    description: &str,
    add_missing: bool,
) -> (Vec<Edit>, String) {
    let Some(index) = ctx.stack.index_of(instance) else {
        return (Vec::new(), description.to_string());
    };
    let rotation = super::client_edits::rotate_linked_clients(ctx, index, secret, add_missing);
    let mut text = description.to_string();
    if !rotation.edits.is_empty() {
        text.push_str(&format!(
            "; the linked clients in the audited files get it too ({} edit{})",
            rotation.edits.len(),
            if rotation.edits.len() == 1 { "" } else { "s" }
        ));
    }
    if !rotation.by_hand.is_empty() {
        text.push_str("; by hand: ");
        text.push_str(&rotation.by_hand.join(", "));
    }
    (rotation.edits, text)
}

fn strip_optional(addr: &str) -> &str {
    addr.strip_prefix('-').unwrap_or(addr)
}

fn is_wildcard(addr: &str) -> bool {
    matches!(strip_optional(addr), "*" | "0.0.0.0" | "::" | "::*")
}

fn is_loopback(addr: &str) -> bool {
    crate::stack::links::is_loopback(strip_optional(addr))
}

/// Not loopback, RFC 1918, IPv6 unique-local or link-local (or a wildcard, handled by RD201).
fn is_public(addr: &str) -> bool {
    match strip_optional(addr).parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => {
            !(v4.is_loopback() || v4.is_private() || v4.is_link_local() || v4.is_unspecified())
        }
        Ok(IpAddr::V6(v6)) => {
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
        Err(_) => false,
    }
}

/// Whether the stack links at least one client to this instance, and every one of them connects
/// over loopback or the unix socket: binding to loopback then cuts nobody off.
fn all_clients_local(ctx: &Context, instance: &Instance) -> bool {
    let Some(index) = ctx.stack.index_of(instance) else {
        return false;
    };
    let mut any = false;
    for (_, client) in ctx.stack.clients_of(index) {
        any = true;
        let local = match &client.target {
            Target::Tcp { host, .. } => crate::stack::links::is_loopback(host),
            Target::Unix(_) => true,
            Target::RunTime => false,
        };
        if !local {
            return false;
        }
    }
    any
}

/// The commands of `wanted` the default user can still call, with the line that renamed each one
/// to a non-empty name (if any).
fn callable<'a>(
    model: &'a RedisModel,
    wanted: &[&'static str],
) -> Vec<(&'static str, Option<&'a Occurrence>)> {
    wanted
        .iter()
        .filter(|c| model.default_can_call(c) == Some(true))
        .map(|c| (*c, model.rename_of(c).map(|(o, _)| o)))
        .collect()
}

/// Edits that remove `commands`: an existing rename gets target `""`, others a new line.
fn removal_edits(
    ctx: &Context,
    model: &RedisModel,
    commands: &[(&'static str, Option<&Occurrence>)],
) -> Vec<Edit> {
    let mut edits = Vec::new();
    let mut new_lines = Vec::new();
    for (command, renamed) in commands {
        match renamed {
            Some(o) => edits.push(fix::replace(
                o.file,
                o.values[1].span.clone(),
                b"\"\"".to_vec(),
            )),
            None => new_lines.push(format!(
                "rename-command {} \"\"",
                command.to_ascii_uppercase()
            )),
        }
    }
    if !new_lines.is_empty() {
        let ending = ctx.sources.doc(model.root).preferred_ending();
        let text = new_lines.join(std::str::from_utf8(ending.as_bytes()).unwrap_or("\n"));
        edits.push(add_line(
            ctx.sources,
            model,
            text.as_bytes(),
            &["rename-command"],
        ));
    }
    edits
}

fn command_location(model: &RedisModel) -> (FileId, std::ops::Range<usize>) {
    model
        .renames
        .last()
        .map(at)
        .unwrap_or_else(|| root_start(model))
}

/// Whether a Sentinel of the stack monitors this instance: Sentinel then needs CONFIG (REWRITE)
/// on it. A Sentinel master that links to no single instance but names this port counts too, so no
/// fix that would break a failover is offered on a guess.
fn monitored_by_sentinel(ctx: &Context, instance: &Instance) -> bool {
    if let Some(index) = ctx.stack.index_of(instance) {
        if ctx.stack.monitored(index) {
            return true;
        }
    }
    let port: u16 = instance
        .model
        .last("port")
        .map(|o| o.value_text())
        .unwrap_or_else(|| "6379".into())
        .parse()
        .unwrap_or(6379);
    ctx.stack
        .clients
        .iter()
        .zip(&ctx.stack.links)
        .any(|(client, link)| {
            client.purpose == Purpose::Monitor
                && link.instance().is_none()
                && matches!(client.target, Target::Tcp { port: p, .. } if p == port)
        })
}

const PUBLISHED_RENAME: &str = "b840fc02d524045429941cc15f59e41cb7be6c52";
