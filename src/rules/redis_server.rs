//! `RD`: rules over one redis-server's effective configuration (redis.conf, its includes and its
//! aclfile). Each rule is one function; `check` runs them over every instance of the stack.

use super::model_issues::load_issues;
use super::{Context, Finding, Related, Severity};
use crate::fix::edits::redis::{add_line, set_directive};
use crate::fix::{self, Applicability, Edit, Fix};
use crate::model::redis::{DefaultUserSource, Occurrence, RedisModel};
use crate::secret;
use crate::source::FileId;
use crate::stack::{Instance, Purpose, Role, Target};
use std::net::IpAddr;

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (index, instance) in ctx.stack.instances.iter().enumerate() {
        let first = out.len();
        check_instance(ctx, instance, out);
        name_shared_includes(ctx, index, &mut out[first..]);
    }
    // A standalone ACL file gets its syntax checked, and nothing else: no redis.conf directive
    // is ever proposed for it.
    for model in &ctx.stack.acl_files {
        load_issues(ctx, model, "RD001", out);
    }
}

/// A fix that edits a file other instances include changes those instances too: its
/// description names them.
fn name_shared_includes(ctx: &Context, index: usize, findings: &mut [Finding]) {
    for finding in findings {
        let Some(fix) = finding.fix.as_mut() else {
            continue;
        };
        let mut files: Vec<FileId> = fix.edits.iter().map(|e| e.file).collect();
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

fn check_instance(ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    load_issues(ctx, &instance.model, "RD001", out);
    no_password(ctx, instance, out);
    requirepass_ignored(ctx, instance, out);
    listens_on_all_interfaces(ctx, instance, out);
    listens_on_public_address(ctx, instance, out);
    protected_mode_off(ctx, instance, out);
    cleartext_on_network(ctx, instance, out);
    unix_socket_world_accessible(ctx, instance, out);
    aof_disabled(ctx, instance, out);
    aof_fsync_off(ctx, instance, out);
    dangerous_commands_enabled(ctx, instance, out);
    config_command_enabled(ctx, instance, out);
    guessable_rename(ctx, instance, out);
    evicting_policy(ctx, instance, out);
    maxmemory_unset(ctx, instance, out);
    activedefrag(ctx, instance, out);
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

fn no_password(ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    let Some(user) = model
        .default_user
        .as_ref()
        .filter(|u| u.state.open_without_password())
    else {
        return;
    };
    let secret = secret::generate();
    let rotate =
        "add a generated 64-hex password (clients outside the audited files must then be given it)";
    let (file, span, message, edit) = match &user.source {
        DefaultUserSource::Compiled => {
            let (file, span) = root_start(model);
            let edit = add_line(
                ctx.sources,
                model,
                format!("requirepass {secret}").as_bytes(),
                &["requirepass", "masterauth", "masteruser"],
            );
            (file, span, "no `requirepass` and no `user default` line: every client is authenticated as `default` without a password".to_string(), Some(edit))
        }
        DefaultUserSource::Requirepass(o) => {
            let edit = set_directive(ctx.sources, model, "requirepass", &secret, &[]);
            let msg = format!("`requirepass \"\"` is the last word on the password{}: every client is authenticated as `default` without one", overrode(ctx, model, "requirepass"));
            (o.file, o.span(), msg, Some(edit))
        }
        DefaultUserSource::UserLine(o) => {
            let beats = model
                .last("requirepass")
                .map(|r| {
                    format!(
                        "; it beats `requirepass` at {} whatever the order",
                        ctx.place(r.file, r.span().start)
                    )
                })
                .unwrap_or_default();
            let edit = user
                .state
                .nopass_arg
                .as_ref()
                .map(|a| fix::replace(o.file, a.span.clone(), format!(">{secret}")));
            (o.file, o.span(), format!("`user default` is `on` and `nopass`: every client is authenticated without a password{beats}"), edit)
        }
        DefaultUserSource::AclLine(line) => {
            let edit = user
                .state
                .nopass_arg
                .as_ref()
                .map(|a| fix::replace(line.file, a.span.clone(), format!(">{secret}")));
            (line.file, line.span.clone(), "the aclfile's `user default` is `on` and `nopass`: every client is authenticated without a password".to_string(), edit)
        }
        DefaultUserSource::AclFileWithoutDefault(o) => {
            let acl = model.acl_file.as_ref().and_then(|a| a.file);
            let edit = acl.map(|f| {
                fix::append_line(
                    ctx.sources,
                    f,
                    None,
                    format!("user default on >{secret} ~* &* +@all").as_bytes(),
                )
            });
            (o.file, o.span(), "the aclfile has no `default` user, so redis-server creates it as `on nopass ~* &* +@all`: every client is authenticated without a password".to_string(), edit)
        }
    };
    let fix = edit.map(|e| {
        let (mut edits, description) = with_linked_clients(ctx, instance, &secret, rotate, true);
        edits.insert(0, e.with_secret_text(secret.as_bytes()));
        Fix::new(Applicability::Unsafe, description, edits)
    });
    out.push(Finding::new("RD101", file, span, message).with_fix(fix));
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

fn requirepass_ignored(ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    let Some(requirepass) = model.last("requirepass") else {
        return;
    };
    let overrider = match model.default_user.as_ref().map(|u| &u.source) {
        Some(DefaultUserSource::UserLine(o)) => {
            Some(("a `user default` line".to_string(), o.file, o.span()))
        }
        _ => model.acl_file.as_ref().map(|a| {
            (
                "`aclfile`".to_string(),
                a.directive.file,
                a.directive.span(),
            )
        }),
    };
    let Some((what, file, span)) = overrider else {
        return;
    };
    let line = ctx
        .sources
        .doc(requirepass.file)
        .line_index(requirepass.span().start);
    let whole_line = ctx.sources.doc(requirepass.file).line(line).start()
        ..ctx.sources.doc(requirepass.file).line(line).end();
    let fix = Fix::new(
        Applicability::Display,
        "delete `requirepass` and set passwords on the `user default` line (or in the aclfile) only",
        vec![fix::replace(requirepass.file, whole_line, Vec::new())],
    );
    out.push(
        Finding::new(
            "RD102",
            requirepass.file,
            requirepass.span(),
            format!("`requirepass` has no effect: {what} at {} defines the default user, so editing `requirepass` later changes nothing", ctx.place(file, span.start)),
        )
        .with_fix(Some(fix))
        .related(Related { file, span, message: "this defines the default user".into() }),
    );
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

fn listens_on_all_interfaces(ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    let bind = model.last("bind");
    let addresses = model.bind_addresses();
    if !addresses.iter().any(|a| is_wildcard(a)) {
        return;
    }
    let severity = if open_without_password(model) {
        Severity::Error
    } else {
        Severity::Warning
    };
    let (file, span, what) = match bind {
        Some(o) => (
            o.file,
            o.span(),
            format!(
                "`bind` lists {}{}: redis-server listens on every interface",
                addresses
                    .iter()
                    .filter(|a| is_wildcard(a))
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" "),
                overrode(ctx, model, "bind")
            ),
        ),
        None => {
            let (f, s) = root_start(model);
            (f, s, "no `bind` line: redis-server listens on every interface (compiled default `* -::*`)".to_string())
        }
    };
    let and_open = if severity == Severity::Error {
        "; with no password, anyone who can reach it has the data"
    } else {
        ""
    };
    let edit = set_directive(
        ctx.sources,
        model,
        "bind",
        "127.0.0.1 -::1",
        &["port", "protected-mode"],
    );
    let fix = if all_clients_local(ctx, instance) {
        Fix::new(
            Applicability::Safe,
            "listen on loopback only: `bind 127.0.0.1 -::1` (every linked client is local)",
            vec![edit],
        )
    } else {
        Fix::new(
            Applicability::Unsafe,
            "listen on loopback only: `bind 127.0.0.1 -::1` (remote clients are cut off)",
            vec![edit],
        )
    };
    out.push(
        Finding::new("RD201", file, span, format!("{what}{and_open}"))
            .severity(severity)
            .with_fix(Some(fix)),
    );
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
        "RD202",
        bind.file,
        bind.span(),
        format!(
            "`bind` lists public address{} {}: reachable from outside the private network",
            if public.len() > 1 { "es" } else { "" },
            public.join(", ")
        ),
    ));
}

fn protected_mode_off(ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    if model.is_yes("protected-mode") != Some(false) || !open_without_password(model) {
        return;
    }
    let o = model.last("protected-mode").unwrap();
    let edit = set_directive(ctx.sources, model, "protected-mode", "yes", &[]);
    out.push(
        Finding::new("RD203", o.file, o.span(), format!("`protected-mode no`{} while the default user needs no password: non-local clients get full access", overrode(ctx, model, "protected-mode")))
            .with_fix(Some(Fix::new(Applicability::Safe, "set `protected-mode yes`", vec![edit]))),
    );
}

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
    out.push(Finding::new("RD204", file, span, message));
}

fn unix_socket_world_accessible(ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    if model
        .last("unixsocket")
        .is_none_or(|o| o.value_text().is_empty())
    {
        return;
    }
    let Some(perm) = model.last("unixsocketperm") else {
        return;
    };
    let Some(mode) = crate::model::directives::parse_octal(&perm.values[0].value) else {
        return;
    };
    // Connecting to a unix socket needs write permission on it: only others' write bit lets
    // every local user in (775 and 755 do not; 766, 722 and 777 do).
    if mode & 0o002 == 0 {
        return;
    }
    let edit = set_directive(ctx.sources, model, "unixsocketperm", "770", &[]);
    out.push(
        Finding::new(
            "RD205",
            perm.file,
            perm.span(),
            format!(
                "`unixsocketperm {:o}` lets every local user connect to the socket",
                mode
            ),
        )
        .with_fix(Some(Fix::new(
            Applicability::Safe,
            "set `unixsocketperm 770` (owner and group only)",
            vec![edit],
        ))),
    );
}

fn aof_disabled(ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    if instance.role == Role::Cache || model.is_yes("appendonly") == Some(true) {
        return;
    }
    let no_rdb = !model.save_enabled();
    let severity = if no_rdb {
        Severity::Error
    } else {
        Severity::Warning
    };
    let (file, span) = model
        .last("appendonly")
        .map(at)
        .unwrap_or_else(|| root_start(model));
    let what = match model.last("appendonly") {
        Some(_) => format!("`appendonly no`{}", overrode(ctx, model, "appendonly")),
        None => "no `appendonly` line (default `no`)".into(),
    };
    let consequence = if no_rdb {
        "and `save \"\"` disables snapshots too: every restart logs everyone out"
    } else {
        "a restart loses every session written since the last snapshot"
    };
    let edit = set_directive(
        ctx.sources,
        model,
        "appendonly",
        "yes",
        &["appendfsync", "appendfilename", "save"],
    );
    let fix = Fix::new(Applicability::Safe, "set `appendonly yes` (before Redis 7.0, run `CONFIG SET appendonly yes` on the live server first so the AOF is built from its data)", vec![edit]);
    out.push(
        Finding::new(
            "RD301",
            file,
            span,
            format!("{what} {}: {consequence}", instance.session_clause()),
        )
        .severity(severity)
        .with_fix(Some(fix)),
    );
}

fn aof_fsync_off(ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    if instance.role == Role::Cache || model.value_lower("appendfsync").as_deref() != Some("no") {
        return;
    }
    let o = model.last("appendfsync").unwrap();
    let edit = set_directive(ctx.sources, model, "appendfsync", "everysec", &[]);
    out.push(
        Finding::new(
            "RD302",
            o.file,
            o.span(),
            format!(
                "`appendfsync no`{} {}: a crash can lose the last ~30 seconds of session writes",
                overrode(ctx, model, "appendfsync"),
                instance.session_clause()
            ),
        )
        .with_fix(Some(Fix::new(
            Applicability::Safe,
            "set `appendfsync everysec`",
            vec![edit],
        ))),
    );
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

fn dangerous_commands_enabled(ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    let lists = &crate::model::directives::tables().dangerous;
    let mut wanted: Vec<&str> = lists
        .wipe
        .iter()
        .filter(|c| instance.role != Role::Cache || !lists.allowed_on_cache.contains(c))
        .map(String::as_str)
        .collect();
    let before_7 =
        ctx.effective_version() < crate::model::directives::RedisVersion { major: 7, minor: 0 };
    let debug_enabled = match model.value_lower("enable-debug-command") {
        Some(v) => v == "yes" || v == "local",
        None => before_7,
    };
    if debug_enabled {
        wanted.extend(lists.debug.iter().map(String::as_str));
    }
    let found = callable(model, &wanted);
    if found.is_empty() {
        return;
    }
    let names: Vec<String> = found.iter().map(|(c, _)| c.to_ascii_uppercase()).collect();
    let renamed = found.iter().filter(|(_, r)| r.is_some()).count();
    let note = if renamed > 0 {
        " (a non-empty rename only hides a command; it stays callable)"
    } else {
        ""
    };
    let (file, span) = command_location(model);
    let edits = removal_edits(ctx, model, &found);
    let fix = Fix::new(
        Applicability::Safe,
        format!(
            "remove {} with `rename-command NAME \"\"`",
            names.join(", ")
        ),
        edits,
    );
    out.push(
        Finding::new(
            "RD401",
            file,
            span,
            format!(
                "{} callable by the default user{note}: one call wipes every session",
                names.join(", ") + if names.len() > 1 { " are" } else { " is" }
            ),
        )
        .with_fix(Some(fix)),
    );
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

fn config_command_enabled(ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    let found = callable(model, &["config"]);
    if found.is_empty() {
        return;
    }
    let (file, span) = command_location(model);
    let fix = (!monitored_by_sentinel(ctx, instance)).then(|| {
        Fix::new(
            Applicability::Unsafe,
            "remove CONFIG with `rename-command CONFIG \"\"` (tools that run CONFIG stop working)",
            removal_edits(ctx, model, &found),
        )
    });
    out.push(Finding::new("RD402", file, span, "CONFIG is callable by the default user: CONFIG SET can write files where redis-server can, and CONFIG GET reveals passwords").with_fix(fix));
}

const PUBLISHED_RENAME: &str = "b840fc02d524045429941cc15f59e41cb7be6c52";

fn guessable_rename(_ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    for r in &instance.model.renames {
        let target = r.values[1].text();
        if target.is_empty() {
            continue;
        }
        let why = if target.eq_ignore_ascii_case(PUBLISHED_RENAME) {
            "to the example name printed in redis.conf's own comments".to_string()
        } else if target.chars().count() < 16 {
            format!("to a name of {} characters", target.chars().count())
        } else {
            continue;
        };
        out.push(Finding::new(
            "RD403",
            r.file,
            r.span(),
            format!(
                "`{}` is renamed {why}: easy to guess; remove it (`\"\"`) or deny it by ACL",
                r.values[0].text().to_ascii_uppercase()
            ),
        ));
    }
}

fn evicting_policy(ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    if !instance.may_store_sessions() {
        return;
    }
    let Some(policy) = model.value_lower("maxmemory-policy") else {
        return;
    };
    let severity = if policy.starts_with("allkeys-") {
        Severity::Error
    } else if policy.starts_with("volatile-") {
        Severity::Warning
    } else {
        return;
    };
    let o = model.last("maxmemory-policy").unwrap();
    let why = if severity == Severity::Error {
        "any key, sessions included, is deleted when memory is full"
    } else {
        "session keys carry a TTL, so they are evicted when memory is full"
    };
    let edit = set_directive(ctx.sources, model, "maxmemory-policy", "noeviction", &[]);
    out.push(
        Finding::new(
            "RD501",
            o.file,
            o.span(),
            format!(
                "`maxmemory-policy {policy}`{} {}: {why}",
                overrode(ctx, model, "maxmemory-policy"),
                instance.session_clause()
            ),
        )
        .severity(severity)
        .with_fix(Some(Fix::new(
            Applicability::Safe,
            "set `maxmemory-policy noeviction`",
            vec![edit],
        ))),
    );
}

fn maxmemory_unset(ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    let value = model
        .last("maxmemory")
        .and_then(|o| crate::model::directives::parse_memory(&o.values[0].value));
    if value.is_some_and(|v| v > 0) {
        return;
    }
    let (file, span) = model
        .last("maxmemory")
        .map(at)
        .unwrap_or_else(|| root_start(model));
    let what = if model.last("maxmemory").is_some() {
        format!("`maxmemory 0`{}", overrode(ctx, model, "maxmemory"))
    } else {
        "no `maxmemory` line".into()
    };
    let fix = Fix::new(
        Applicability::Display,
        "set `maxmemory <size>`, sized for the sessions plus headroom",
        Vec::new(),
    );
    out.push(Finding::new("RD502", file, span, format!("{what}: redis-server grows until the OOM killer ends it, losing every session since the last save")).with_fix(Some(fix)));
}

fn activedefrag(_ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    if model.is_yes("activedefrag") != Some(true) {
        return;
    }
    let o = model.last("activedefrag").unwrap();
    out.push(Finding::new("RD503", o.file, o.span(), "`activedefrag yes`: redis-server packaged by Debian and Ubuntu (system jemalloc) refuses to start with it"));
}
