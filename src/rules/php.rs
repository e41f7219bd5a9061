//! `PHP`: rules over PHP configurations (php.ini with its conf.d files, or a standalone .ini).
//! A conf.d fragment is not judged for settings a stock php.ini sets (cookie flags, strict mode):
//! it does not show what the main file sets. It is judged for the settings of the handler it
//! switches on (no stock php.ini sets `redis.session.locking_enabled`).

use super::client_edits::add_auth_edits;
pub(crate) use super::client_edits::direct_value_offset;
use super::{Context, Finding, Severity};
use crate::fix::{self, Applicability, Edit, Fix};
use crate::model::php::PhpConfig;
use crate::model::save_path::{unencoded_characters, url_encode, Host, SavePath};
use crate::source::FileId;
use crate::stack::links::is_loopback;
use crate::stack::passwords::{instance_password, InstancePassword};
use crate::stack::Origin;
use std::ops::Range;

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for php in &ctx.stack.php {
        syntax_errors(ctx, php, out);
        let whole = is_whole_php_ini(ctx, php);
        local_files(ctx, php, whole, out);
        if let Some(save_path) = php.save_path() {
            save_path_rules(ctx, php, save_path, out);
        }
        cookie_rules(ctx, php, whole, out);
        locking(ctx, php, out);
    }
}

/// Settings of the engine itself that every stock php.ini (production and development) sets and
/// that a conf.d fragment rarely repeats.
const ENGINE_SETTINGS: [&str; 16] = [
    "engine",
    "short_open_tag",
    "precision",
    "output_buffering",
    "zend.enable_gc",
    "expose_php",
    "max_execution_time",
    "max_input_time",
    "error_reporting",
    "display_errors",
    "log_errors",
    "variables_order",
    "request_order",
    "register_argc_argv",
    "auto_globals_jit",
    "default_mimetype",
];

/// A whole php.ini, whatever its name (laradock's `php8.2.ini`): named `php.ini*`, or holding a
/// `[PHP]` section, or most of the engine settings every stock php.ini sets.
fn is_whole_php_ini(ctx: &Context, php: &PhpConfig) -> bool {
    let root = php.root();
    let name = ctx
        .sources
        .get(root)
        .path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.contains("php.ini") || php.php_sections.contains(&root) {
        return true;
    }
    let engine = ENGINE_SETTINGS
        .iter()
        .filter(|key| {
            php.entries
                .iter()
                .any(|(f, e)| *f == root && e.key == **key)
        })
        .count();
    engine >= 8
}

/// For a value PHP cut at a syntax error on its line: why the value is not what the line says.
fn cut_note(php: &PhpConfig, key: &str) -> String {
    let Some((file, entry)) = php.last(key) else {
        return String::new();
    };
    match php
        .errors
        .iter()
        .find(|(f, e)| f == file && e.span.start >= entry.key_span.start && e.span.start <= entry.value_span.end.max(entry.key_span.end))
    {
        Some(_) => " (PHP stops at the syntax error on this line (PHP001) and keeps only the text before it)".to_string(),
        None => String::new(),
    }
}

/// Where a finding about `key` points: its effective line, else line 1 of the root file.
fn location(php: &PhpConfig, key: &str) -> (FileId, Range<usize>) {
    match php.last(key) {
        Some((file, e)) => {
            let end = e.value_span.end.max(e.key_span.end);
            // On a line PHP cut at a syntax error, the finding starts where PHP001 does, so it
            // is listed after the error that explains it.
            let cut = php
                .errors
                .iter()
                .find(|(f, err)| {
                    f == file && err.span.start >= e.key_span.start && err.span.start <= end
                })
                .map(|(_, err)| err.span.start);
            (
                *file,
                cut.unwrap_or(e.key_span.start)..end.max(cut.unwrap_or(0)),
            )
        }
        None => (php.root(), 0..0),
    }
}

/// Set `key` to `value` (php.ini source text): on its effective line, else in `[Session]`, else
/// at the end of the root file.
fn set_ini(ctx: &Context, php: &PhpConfig, key: &str, value: &str) -> Edit {
    if let Some((file, e)) = php.last(key) {
        return fix::replace(*file, e.value_span.clone(), value.as_bytes().to_vec());
    }
    let line = format!("{key} = {value}");
    match php.session_sections.iter().find(|(f, _)| *f == php.root()) {
        Some((file, offset)) => {
            let index = ctx.sources.doc(*file).line_index(*offset);
            fix::insert_line_after(ctx.sources, *file, index, line.as_bytes())
        }
        None => fix::append_line(ctx.sources, php.root(), None, line.as_bytes()),
    }
}

fn syntax_errors(ctx: &Context, php: &PhpConfig, out: &mut Vec<Finding>) {
    for (file, error) in &php.errors {
        let quote = |range: Range<usize>| {
            // Quoting lossy text would rewrite the bytes that are not UTF-8: no fix then.
            let text = std::str::from_utf8(&ctx.sources.doc(*file).bytes()[range.clone()]).ok()?;
            crate::syntax::ini::quote(text).map(|quoted| fix::replace(*file, range, quoted))
        };
        let fix = error.quotable.clone().and_then(quote).map(|first| {
            // The errors PHP would stop at next are quoted by the same fix, up to the first
            // that cannot be: one pass repairs them all.
            let mut edits = vec![first];
            edits.extend(
                php.quotable_after
                    .iter()
                    .filter(|(f, _)| f == file)
                    .map_while(|(_, next)| next.quotable.clone().and_then(quote)),
            );
            let description = match edits.len() - 1 {
                0 => "quote the value".to_string(),
                more => format!(
                    "quote the value, and the {more} value{} after it PHP would stop at next",
                    if more == 1 { "" } else { "s" }
                ),
            };
            Fix::new(Applicability::Safe, description, edits)
        });
        let message = format!(
            "{}: PHP stops reading this file here, so every setting after this line is ignored",
            error.message
        );
        out.push(Finding::new("PHP001", *file, error.span.clone(), message).with_fix(fix));
    }
}

fn local_files(ctx: &Context, php: &PhpConfig, whole: bool, out: &mut Vec<Finding>) {
    if ctx.stack.instances.is_empty() || (!whole && php.last("session.save_handler").is_none()) {
        return;
    }
    if php.handler().as_deref() != Some("files") {
        return;
    }
    let (file, span) = location(php, "session.save_handler");
    let what = if php.last("session.save_handler").is_some() {
        "`session.save_handler = files`"
    } else {
        "no `session.save_handler` (default `files`)"
    };
    out.push(Finding::new(
        "PHP101",
        file,
        span,
        format!("{what}: sessions stay on this server's disk although the stack has a Redis instance; they are lost when the host is replaced and not shared between app servers"),
    ));
}

/// Characters phpredis mis-reads in an `auth` value that is not percent-encoded.
fn misread_characters(raw: &str) -> Vec<char> {
    let mut found = unencoded_characters(raw, &['+', '#', '?', '=', '/', ',', '&']);
    // An encoded comma still splits the host list in phpredis up to 6.3.
    if raw.to_ascii_lowercase().contains("%2c") && !found.contains(&',') {
        found.push(',');
    }
    found
}

fn save_path_rules(ctx: &Context, php: &PhpConfig, sp: &SavePath, out: &mut Vec<Finding>) {
    let handler = php.handler().unwrap_or_default();
    let (file, span) = location(php, "session.save_path");
    let value_span = php
        .last("session.save_path")
        .map(|(_, e)| e.value_span.clone());
    let base = value_span
        .as_ref()
        .and_then(|s| direct_value_offset(ctx, file, s));
    if let Some(error) = &sp.error {
        out.push(Finding::new("PHP105", file, span.clone(), format!("phpredis cannot use this `session.save_path`: {error}; every request that starts a session fails")));
        return;
    }
    if sp.hosts.is_empty() {
        out.push(Finding::new("PHP105", file, span.clone(), format!("`session.save_handler = {handler}` with an empty `session.save_path`: phpredis has no server to connect to")));
        return;
    }
    if !sp
        .hosts
        .iter()
        .any(|h| h.auth_password().is_some_and(|p| !p.value.is_empty()))
    {
        let origin = Origin::Php(php.root());
        let linked = ctx.stack.linked_from(&origin);
        let passwords: Vec<InstancePassword> = linked
            .iter()
            .map(|i| instance_password(&ctx.stack.instances[*i].model))
            .collect();
        let needed = passwords.iter().find(|p| p.needs_one());
        let (severity, message) = match needed {
            Some(_) => (Severity::Error, "`session.save_path` sends no `auth`, but the linked Redis instance needs a password: every request that starts a session fails".to_string()),
            None => (Severity::Warning, "`session.save_path` sends no `auth`: if the Redis instance needs a password, every session fails; if it does not, anyone who reaches it can read the sessions".to_string()),
        };
        // Only one known password for every host, so each host gets the same `auth`.
        let known = needed.and_then(InstancePassword::plain).filter(|p| {
            passwords.iter().all(|q| q.plain() == Some(p)) && linked.len() == sp.hosts.len()
        });
        let fix = known
            .and_then(|password| add_auth_edits(ctx, php, password))
            .map(|edits| {
                Fix::new(
                    Applicability::Unsafe,
                    "add `auth` with the linked instance's password",
                    edits,
                )
            });
        let message = format!("{message}{}", cut_note(php, "session.save_path"));
        out.push(
            Finding::new("PHP102", file, span.clone(), message)
                .severity(severity)
                .with_fix(fix),
        );
    }
    if handler == "redis" {
        let missing: Vec<&Host> = sp
            .hosts
            .iter()
            .filter(|h| h.param("database").is_none())
            .collect();
        if !missing.is_empty() {
            let fix = base.map(|base| {
                // The lowest database no other client of the linked instance uses.
                let origin = Origin::Php(php.root());
                let n = ctx
                    .stack
                    .linked_from(&origin)
                    .iter()
                    .map(|i| ctx.stack.free_database(*i, 1, &origin))
                    .max()
                    .unwrap_or(1);
                let edits = missing.iter().map(|h| {
                    let (at, sep) = h.new_param_at();
                    fix::replace(file, base + at..base + at, format!("{sep}database={n}"))
                });
                Fix::new(Applicability::Unsafe, format!("add `database={n}` (sessions move to an empty database: existing sessions are lost once)"), edits.collect())
            });
            out.push(Finding::new("PHP103", file, span.clone(), format!("`session.save_path` has no `database`{}: sessions land in database 0, where caches and other apps usually write and flush", cut_note(php, "session.save_path"))).with_fix(fix));
        }
    }
    // The fragment holds part of a password: it is never printed.
    if sp.split_fragment.is_some() {
        out.push(Finding::new(
            "PHP106",
            file,
            span.clone(),
            "a comma inside `session.save_path` (in the password?) splits the host list: phpredis reads the rest as another host and sends a cut password; rotate to a password without commas",
        ));
    }
    for host in &sp.hosts {
        let plain_tcp = matches!(host.scheme.as_deref(), None | Some("tcp"));
        if let (true, Some(name)) = (plain_tcp, host.host.as_deref()) {
            if !is_loopback(name) {
                out.push(Finding::new(
                    "PHP104",
                    file,
                    span.clone(),
                    format!("`session.save_path` reaches {name} over plain TCP: the password and every session cross the network in clear text (use `tls://`)"),
                ));
            }
        }
        if let Some(auth) = host.auth_password() {
            let bad = misread_characters(&auth.raw_value);
            if !bad.is_empty() {
                let list = super::code_list(&bad);
                let fix = match (base, bad.contains(&',')) {
                    (Some(base), false) => {
                        let encoded = url_encode(&crate::model::save_path::url_decode(
                            &auth.raw_value.replace('+', "%2B"),
                        ));
                        Some(Fix::new(
                            Applicability::Safe,
                            "percent-encode the password",
                            vec![fix::replace(
                                file,
                                base + auth.raw_span.start..base + auth.raw_span.end,
                                encoded,
                            )],
                        ))
                    }
                    _ => None,
                };
                let why = if bad.contains(&',') {
                    " (a comma splits the host list even when encoded: rotate the password)"
                } else {
                    ""
                };
                out.push(
                    Finding::new("PHP106", file, span.clone(), format!("the `auth` password in `session.save_path` holds {list}, which phpredis mis-reads unless percent-encoded{why}"))
                        .with_fix(fix),
                );
            }
        }
    }
}

/// (rule, key, wanted, default when unset, fix value, applicability, why)
const COOKIE_FLAGS: [(&str, &str, bool, bool, &str, Applicability, &str); 3] = [
    ("PHP201", "session.cookie_secure", true, false, "1", Applicability::Unsafe, "the session cookie is also sent over plain HTTP, where anyone on the path can steal the session"),
    ("PHP202", "session.cookie_httponly", true, false, "1", Applicability::Safe, "JavaScript can read the session cookie, so one XSS bug steals every session"),
    ("PHP203", "session.use_strict_mode", true, false, "1", Applicability::Safe, "PHP accepts session IDs it never issued, which allows session fixation"),
];

fn cookie_rules(ctx: &Context, php: &PhpConfig, whole: bool, out: &mut Vec<Finding>) {
    for (rule, key, wanted, default, fix_value, applicability, why) in COOKIE_FLAGS {
        let set = php.last(key).is_some();
        if !set && !whole {
            continue;
        }
        let Some(value) = php.flag(key, default) else {
            continue;
        };
        if value == wanted {
            continue;
        }
        let (file, span) = location(php, key);
        let what = if set {
            format!("`{key}` is off")
        } else {
            format!("`{key}` is not set (default off)")
        };
        let fix = Fix::new(
            applicability,
            format!("set `{key} = {fix_value}`"),
            vec![set_ini(ctx, php, key, fix_value)],
        );
        out.push(
            Finding::new(
                rule,
                file,
                span,
                format!("{what}{}: {why}", cut_note(php, key)),
            )
            .with_fix(Some(fix)),
        );
    }
    let samesite_set = php.last("session.cookie_samesite").is_some();
    if samesite_set || whole {
        if let Some(v) = php.text_or("session.cookie_samesite", "") {
            if v.trim().is_empty() {
                let (file, span) = location(php, "session.cookie_samesite");
                let fix = Fix::new(
                    Applicability::Safe,
                    "set `session.cookie_samesite = \"Lax\"`",
                    vec![set_ini(ctx, php, "session.cookie_samesite", "\"Lax\"")],
                );
                out.push(Finding::new("PHP204", file, span, "`session.cookie_samesite` is empty: the session cookie rides along on cross-site requests (CSRF)").with_fix(Some(fix)));
            }
        }
    }
    let only_cookies = php.flag("session.use_only_cookies", true);
    let trans_sid = php.flag("session.use_trans_sid", false);
    let mut edits = Vec::new();
    let mut what = Vec::new();
    let mut at = None;
    if only_cookies == Some(false) {
        what.push("`session.use_only_cookies` is off");
        edits.push(set_ini(ctx, php, "session.use_only_cookies", "1"));
        at = Some(location(php, "session.use_only_cookies"));
    }
    if trans_sid == Some(true) {
        what.push("`session.use_trans_sid` is on");
        edits.push(set_ini(ctx, php, "session.use_trans_sid", "0"));
        at = at.or(Some(location(php, "session.use_trans_sid")));
    }
    if let Some((file, span)) = at {
        let fix = Fix::new(
            Applicability::Safe,
            "accept session IDs from cookies only",
            edits,
        );
        out.push(Finding::new("PHP205", file, span, format!("{}: session IDs travel in URLs, where logs, referrers and shared links leak them", what.join(" and "))).with_fix(Some(fix)));
    }
}

fn locking(ctx: &Context, php: &PhpConfig, out: &mut Vec<Finding>) {
    if php.handler().as_deref() != Some("redis") {
        return;
    }
    let key = "redis.session.locking_enabled";
    if php.flag(key, false) != Some(false) {
        return;
    }
    let (file, span) = match php.last(key) {
        Some(_) => location(php, key),
        None => location(php, "session.save_handler"),
    };
    let fix = Fix::new(
        Applicability::Unsafe,
        format!("set `{key} = 1` (requests of one session then wait for each other)"),
        vec![set_ini(ctx, php, key, "1")],
    );
    out.push(
        Finding::new("PHP301", file, span, format!("`{key}` is off: concurrent requests of one user overwrite each other's session writes"))
            .severity(Severity::Info)
            .with_fix(Some(fix)),
    );
}
