//! Edits to a client's connection settings, shared by the rules that fix a client (PHP102,
//! LV102, XS101) and by password rotation (XS201, RD101): one secret written to an instance and
//! to every client linked to it, in one fix.

use super::Context;
use crate::fix::{self, Edit};
use crate::model::laravel::EnvSource;
use crate::model::php::PhpConfig;
use crate::model::save_path::url_encode;
use crate::source::FileId;
use crate::stack::{ClientPassword, Origin};
use std::ops::Range;

/// The source bytes of a value map one to one onto the value PHP reads (unquoted, or in double
/// quotes without escapes): an offset in the value is then an offset in the file.
pub(crate) fn direct_value_offset(
    ctx: &Context,
    file: FileId,
    span: &Range<usize>,
) -> Option<usize> {
    crate::model::php::direct_value_start(ctx.sources.doc(file).bytes(), span)
}

/// Set `NAME=value` in an `.env`: on its last line, else appended.
pub fn set_env(ctx: &Context, env: &EnvSource, name: &str, value: &str) -> Option<Edit> {
    if ctx.sources.syntax(env.file) != crate::source::Syntax::Env {
        return None;
    }
    Some(match env.env.get(name) {
        Some(entry) if entry.value.is_some() => fix::replace(
            env.file,
            entry.value_span.clone(),
            value.as_bytes().to_vec(),
        ),
        _ => fix::append_line(
            ctx.sources,
            env.file,
            None,
            format!("{name}={value}").as_bytes(),
        ),
    })
}

/// Add `auth=<password>` to every host of `session.save_path` that has none, when the value's
/// bytes map onto what PHP reads.
pub fn add_auth_edits(ctx: &Context, php: &PhpConfig, password: &str) -> Option<Vec<Edit>> {
    let (file, entry) = php.last("session.save_path")?;
    let sp = php.save_path()?;
    let base = direct_value_offset(ctx, *file, &entry.value_span)?;
    let encoded = url_encode(password);
    let edits: Vec<Edit> = sp
        .hosts
        .iter()
        .filter(|h| h.auth_password().is_none_or(|p| p.value.is_empty()))
        .map(|h| {
            let (at, sep) = h.new_param_at();
            fix::replace(*file, base + at..base + at, format!("{sep}auth={encoded}"))
                .with_secret_text(encoded.as_bytes())
        })
        .collect();
    (!edits.is_empty()).then_some(edits)
}

/// A new password for every client linked to an instance: the edits, and what a person must do
/// for the clients redline cannot edit (never with the secret in it).
#[derive(Debug, Default)]
pub struct ClientRotation {
    pub edits: Vec<Edit>,
    pub by_hand: Vec<String>,
}

/// Write `secret` into every client linked to instance `index`. A client that sends no password
/// gets one only when `add_missing` (the instance had none: RD101); otherwise it is already
/// broken and XS101, PHP102 or LV102 says so.
pub fn rotate_linked_clients(
    ctx: &Context,
    index: usize,
    secret: &str,
    add_missing: bool,
) -> ClientRotation {
    let mut out = ClientRotation::default();
    let mut seen: Vec<(FileId, Range<usize>)> = Vec::new();
    let mut push = |out: &mut ClientRotation, edit: Edit| {
        let key = (edit.file, edit.range.clone());
        if !seen.contains(&key) {
            seen.push(key);
            out.edits.push(edit);
        }
    };
    for (_, client) in ctx.stack.clients_of(index) {
        // A client that authenticates as another ACL user does not send the default user's
        // password: rotating it would break that client.
        if client.user.as_deref().is_some_and(|u| u != "default") {
            continue;
        }
        match &client.password {
            ClientPassword::Literal {
                file,
                span,
                editable: true,
                ..
            } => push(
                &mut out,
                fix::replace(*file, span.clone(), secret.as_bytes().to_vec())
                    .with_secret_text(secret.as_bytes()),
            ),
            ClientPassword::Literal { .. } | ClientPassword::Unknown => out
                .by_hand
                .push(format!("set the new password in {} by hand", client.label)),
            ClientPassword::Env(var) => out.by_hand.push(format!(
                "update the environment variable `{var}` ({})",
                client.label
            )),
            ClientPassword::None if add_missing => {
                let edits = missing_password_edits(ctx, client, secret);
                match edits {
                    Some(edits) => edits.into_iter().for_each(|e| push(&mut out, e)),
                    None => out
                        .by_hand
                        .push(format!("give {} the new password", client.label)),
                }
            }
            ClientPassword::None => {}
        }
    }
    out
}

/// Give a client that sends no password this one.
fn missing_password_edits(
    ctx: &Context,
    client: &crate::stack::Client,
    secret: &str,
) -> Option<Vec<Edit>> {
    match &client.origin {
        Origin::Php(root) => {
            let php = ctx.stack.php.iter().find(|p| p.root() == *root)?;
            add_auth_edits(ctx, php, secret)
        }
        Origin::Laravel { env, connection } => {
            let (app, env) = ctx
                .stack
                .laravel
                .iter()
                .find_map(|app| app.envs.iter().find(|e| e.file == *env).map(|e| (app, e)))?;
            let conn = app.connection(connection, env)?;
            let (var, _) = conn.password.env_var.as_ref()?;
            set_env(ctx, env, var, secret).map(|e| vec![e.with_secret_text(secret.as_bytes())])
        }
        Origin::Sentinel => {
            let (s, master) = client.sentinel.as_ref()?;
            let m = ctx.stack.sentinels[*s]
                .masters
                .iter()
                .find(|m| &m.name == master)?;
            Some(vec![fix::insert_line_after(
                ctx.sources,
                m.monitor.file,
                m.monitor.line(),
                format!("sentinel auth-pass {master} {secret}").as_bytes(),
            )
            .with_secret_text(secret.as_bytes())])
        }
        Origin::Django { .. } | Origin::Flask { .. } | Origin::Node { .. } => None,
    }
}
