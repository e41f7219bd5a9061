//! `NJ`: rules over Express apps (express-session with connect-redis, and the ioredis or
//! node-redis client of the store). Every rule runs once over the stack's apps; the helpers here
//! find the sessions and clients, word fallbacks, and write fixes into object literals in the
//! file's own style.

pub mod client_option_ignored;
pub mod module_syntax_error;
pub mod no_error_listener;
pub mod redis_cleartext_remote;
pub mod redis_url_password_encoding;
pub mod resave_or_save_uninitialized_unset;
pub mod samesite_none_without_secure;
pub mod secure_cookie_without_trust_proxy;
pub mod session_cookie_not_httponly;
pub mod session_cookie_not_secure;
pub mod session_secret_in_code;
pub mod session_store_memory;
pub mod sessions_never_expire;

use super::{Context, Finding};
use crate::fix::{self, Edit};
use crate::model::node::{NodeApp, NodeClient, RedisStore, Session, Store, Value, WrittenObject};
use crate::stack::Origin;

/// Every session of every app.
pub(crate) fn sessions<'a>(ctx: &'a Context) -> impl Iterator<Item = (&'a NodeApp, &'a Session)> {
    ctx.stack
        .node
        .iter()
        .flat_map(|app| app.sessions.iter().map(move |s| (app, s)))
}

/// Every session's Redis store with its client, and the stack client it became.
pub(crate) fn store_clients<'a>(
    ctx: &'a Context,
) -> impl Iterator<Item = (&'a Session, &'a RedisStore, &'a NodeClient, Option<usize>)> {
    sessions(ctx).filter_map(move |(_, s)| {
        let Store::Redis(store) = &s.store else {
            return None;
        };
        let client = store.client.as_ref()?;
        let index = ctx.stack.clients.iter().position(|c| {
            c.origin
                == Origin::Node {
                    file: s.file,
                    at: s.span.start,
                }
        });
        Some((s, store.as_ref(), client, index))
    })
}

/// " (the fallback used when `VAR` is unset)" or " (from .env)" for a message.
pub(crate) fn origin_note(value: &Value) -> String {
    match value {
        Value::Str {
            fallback_of: Some(var),
            ..
        } => format!(" (the fallback used when `{var}` is unset)"),
        Value::Str {
            from_env_file: true,
            ..
        } => " (from .env)".to_string(),
        _ => String::new(),
    }
}

/// The direct literal value of `key` in an object literal, when it is one of `Bool`: the span a
/// fix may rewrite without touching a value shared elsewhere.
pub(crate) fn direct_bool(
    object: &WrittenObject,
    key: &str,
) -> Option<(crate::source::FileId, std::ops::Range<usize>)> {
    match &object.expr.prop(key)?.value {
        crate::syntax::javascript::Expr::Bool { span, .. } => Some((object.file, span.clone())),
        _ => None,
    }
}

/// Insert `key: value` properties at the end of an object literal, in the file's style: one
/// line per property with the last property's indentation when the object spans lines (a
/// trailing comma kept when the object has one), `, key: value` when it is on one line.
pub(crate) fn insert_props(
    ctx: &Context,
    object: &WrittenObject,
    props: &[(&str, &str)],
) -> Option<Edit> {
    use crate::syntax::javascript::Expr;
    let bytes = ctx.sources.doc(object.file).bytes();
    let Expr::Object {
        props: written,
        span,
    } = &object.expr
    else {
        return None;
    };
    if span.end > bytes.len() || span.is_empty() || bytes[span.start] != b'{' {
        return None;
    }
    let Some(last) = written.last() else {
        // `{}`: `{ key: value }`.
        let inner = props
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(", ");
        return Some(fix::replace(
            object.file,
            span.clone(),
            format!("{{ {inner} }}").into_bytes(),
        ));
    };
    let multiline = bytes[span.start..last.span.start].contains(&b'\n');
    // What follows the last property up to the closing brace: a trailing comma?
    let after = &bytes[last.span.end..span.end - 1];
    let comma = after
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .filter(|&p| after[p] == b',');
    if multiline {
        let line_start = bytes[..last.span.start]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let indent: String = bytes[line_start..last.span.start]
            .iter()
            .take_while(|b| **b == b' ' || **b == b'\t')
            .map(|&b| b as char)
            .collect();
        let ending = if bytes.contains(&b'\r') { "\r\n" } else { "\n" };
        let mut text = String::new();
        match comma {
            Some(p) => {
                for (k, v) in props {
                    text.push_str(&format!("{ending}{indent}{k}: {v},"));
                }
                let at = last.span.end + p + 1;
                return Some(fix::replace(object.file, at..at, text.into_bytes()));
            }
            None => {
                for (k, v) in props {
                    text.push_str(&format!(",{ending}{indent}{k}: {v}"));
                }
            }
        }
        let at = last.span.end;
        Some(fix::replace(object.file, at..at, text.into_bytes()))
    } else {
        let text: String = props.iter().map(|(k, v)| format!(", {k}: {v}")).collect();
        let at = last.span.end;
        Some(fix::replace(object.file, at..at, text.into_bytes()))
    }
}
