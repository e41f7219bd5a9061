//! `PHP`: rules over PHP configurations (php.ini with its conf.d files, or a standalone .ini).
//! A conf.d fragment is not judged for settings a stock php.ini sets (cookie flags, strict mode):
//! it does not show what the main file sets. It is judged for the settings of the handler it
//! switches on (no stock php.ini sets `redis.session.locking_enabled`).

pub mod cookie_not_httponly;
pub mod cookie_not_secure;
pub mod invalid_ini_line;
pub mod samesite_unset;
pub mod save_path_cleartext_remote;
pub mod save_path_default_database;
pub mod save_path_password_encoding;
pub mod save_path_unparseable;
pub mod save_path_without_auth;
pub mod session_id_in_url;
pub mod session_locking_off;
pub mod sessions_on_local_files;
pub mod strict_mode_off;
use super::client_edits::add_auth_edits;
pub(crate) use super::client_edits::direct_value_offset;
use super::registry::{Check, Rule, RuleId};
use super::{Context, Finding};
use crate::fix::{self, Applicability, Edit, Fix};
use crate::model::php::PhpConfig;
use crate::model::save_path::{unencoded_characters, url_encode, Host, SavePath};
use crate::source::FileId;
use crate::stack::links::is_loopback;
use crate::stack::passwords::{instance_password, InstancePassword};
use crate::stack::Origin;
use std::ops::Range;

/// Run the enabled PHP rules over every PHP configuration. A conf.d fragment alone (`whole` false)
/// is not judged for settings a stock php.ini sets.
pub(crate) fn run(ctx: &Context, rules: &[&Rule], out: &mut Vec<Finding>) {
    for php in &ctx.stack.php {
        let whole = is_whole_php_ini(ctx, php);
        for rule in rules {
            if let Check::Php(check) = rule.check {
                check(ctx, php, whole, out);
            }
        }
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

/// Characters phpredis mis-reads in an `auth` value that is not percent-encoded.
fn misread_characters(raw: &str) -> Vec<char> {
    let mut found = unencoded_characters(raw, &['+', '#', '?', '=', '/', ',', '&']);
    // An encoded comma still splits the host list in phpredis up to 6.3.
    if raw.to_ascii_lowercase().contains("%2c") && !found.contains(&',') {
        found.push(',');
    }
    found
}

/// What the `session.save_path` rules share: a save path phpredis can use (one it cannot is
/// PHP105, and the other save-path rules say nothing about it), where findings point, and where
/// its value starts when edits can reach it.
pub(crate) struct SavePathSite<'a> {
    pub save_path: &'a SavePath,
    pub handler: String,
    pub file: FileId,
    pub span: Range<usize>,
    pub base: Option<usize>,
}

impl<'a> SavePathSite<'a> {
    pub fn of(ctx: &Context, php: &'a PhpConfig) -> Option<SavePathSite<'a>> {
        let save_path = php.save_path()?;
        if save_path.error.is_some() || save_path.hosts.is_empty() {
            return None;
        }
        let (file, span) = location(php, "session.save_path");
        let base = php
            .last("session.save_path")
            .and_then(|(_, e)| direct_value_offset(ctx, file, &e.value_span));
        Some(SavePathSite {
            save_path,
            handler: php.handler().unwrap_or_default(),
            file,
            span,
            base,
        })
    }
}

/// (rule, key, wanted, default when unset, fix value, applicability, why)
const COOKIE_FLAGS: [(RuleId, &str, bool, bool, &str, Applicability, &str); 3] = [
    (RuleId::PHP201, "session.cookie_secure", true, false, "1", Applicability::Unsafe, "the session cookie is also sent over plain HTTP, where anyone on the path can steal the session"),
    (RuleId::PHP202, "session.cookie_httponly", true, false, "1", Applicability::Safe, "JavaScript can read the session cookie, so one XSS bug steals every session"),
    (RuleId::PHP203, "session.use_strict_mode", true, false, "1", Applicability::Safe, "PHP accepts session IDs it never issued, which allows session fixation"),
];

/// One of the `COOKIE_FLAGS` rules (PHP201, PHP202, PHP203): the flag off, or unset in a whole
/// php.ini (default off).
pub(crate) fn cookie_flag(
    ctx: &Context,
    php: &PhpConfig,
    whole: bool,
    only: RuleId,
    out: &mut Vec<Finding>,
) {
    for (rule, key, wanted, default, fix_value, applicability, why) in COOKIE_FLAGS {
        if rule != only {
            continue;
        }
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
}
