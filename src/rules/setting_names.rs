//! The setting each finding is about, named from the models: what baselines and fingerprints are
//! built from (with the rule and the path), so they never hold source text that may be a value.
//! A rule that knows its setting names it (`Finding::setting`); the rest are named here by where
//! they point: the directive, ini key, `.env` variable, config item or Django setting whose
//! source holds the finding's start.

use super::{Context, Finding};
use crate::model::directives::tables;
use crate::model::redis::{safe_text, Occurrence, RedisModel};
use crate::source::FileId;
use crate::syntax::php_array::PhpValue;
use std::collections::HashMap;
use std::ops::Range;

/// `sentinel` subcommands whose second argument is a master name (the name is shown; the
/// arguments of any other subcommand, `sentinel-pass` among them, never are).
const MASTER_SUBCOMMANDS: [&str; 15] = [
    "monitor",
    "auth-pass",
    "auth-user",
    "down-after-milliseconds",
    "failover-timeout",
    "parallel-syncs",
    "notification-script",
    "client-reconfig-script",
    "rename-command",
    "known-replica",
    "known-slave",
    "known-sentinel",
    "config-epoch",
    "leader-epoch",
    "master-reboot-down-after-period",
];

/// The name of a redis.conf or sentinel.conf setting: the directive, with the subcommand (and
/// master) of `sentinel`, the user of `user` and the command of `rename-command`.
pub fn occurrence_name(o: &Occurrence) -> String {
    let arg = |i: usize| o.values.get(i).map(|a| safe_text(&a.text()));
    match o.name.as_str() {
        "user" => format!("user {}", arg(0).unwrap_or_default()),
        "rename-command" => format!(
            "rename-command {}",
            arg(0).unwrap_or_default().to_ascii_lowercase()
        ),
        "sentinel" => {
            let sub = arg(0).unwrap_or_default().to_ascii_lowercase();
            // Only a line long enough to hold a value after the master names one: in a short
            // line (`sentinel auth-pass PW`) the second argument may be the secret.
            match arg(1) {
                Some(master)
                    if MASTER_SUBCOMMANDS.contains(&sub.as_str()) && o.values.len() >= 3 =>
                {
                    format!("sentinel {sub} {master}")
                }
                _ => format!("sentinel {sub}"),
            }
        }
        name => name.to_string(),
    }
}

/// Named ranges of one file, sorted by start.
type Index = HashMap<FileId, Vec<(Range<usize>, String)>>;

fn add(index: &mut Index, file: FileId, span: Range<usize>, name: String) {
    index.entry(file).or_default().push((span, name));
}

fn add_redis(index: &mut Index, model: &RedisModel) {
    let occurrences = model
        .directives
        .iter()
        .chain(&model.users)
        .chain(&model.renames)
        .chain(&model.sentinel_lines);
    for o in occurrences {
        add(index, o.file, o.span(), occurrence_name(o));
    }
    for include in &model.includes {
        // The path names the setting (a path is shown, never what the file holds).
        let target = include
            .directive
            .args
            .get(1)
            .map(|a| safe_text(&a.text()).to_ascii_lowercase())
            .unwrap_or_default();
        let span = include.directive.span.clone();
        add(index, include.file, span, format!("include {target}"));
    }
    if let Some(acl) = &model.acl_file {
        for line in &acl.users {
            let name = line
                .args
                .get(1)
                .map(|a| safe_text(&a.text()))
                .unwrap_or_default();
            add(index, line.file, line.span.clone(), format!("user {name}"));
        }
    }
}

/// The items of a Laravel config file, by dotted path under the file's name.
fn add_php_items(index: &mut Index, file: FileId, root: &str, value: &PhpValue) {
    let mut pending: Vec<(&PhpValue, String)> = vec![(value, root.to_string())];
    while let Some((value, path)) = pending.pop() {
        let PhpValue::Array(items) = value else {
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            let key = item.key.clone().unwrap_or_else(|| i.to_string());
            let path = format!("{path}.{}", safe_text(&key));
            add(index, file, item.span.clone(), path.clone());
            pending.push((&item.value, path));
        }
    }
}

fn build(ctx: &Context) -> Index {
    let mut index = Index::new();
    let stack = ctx.stack;
    for instance in &stack.instances {
        add_redis(&mut index, &instance.model);
    }
    for sentinel in &stack.sentinels {
        add_redis(&mut index, &sentinel.config);
    }
    for php in &stack.php {
        for (file, entry) in &php.entries {
            add(
                &mut index,
                *file,
                entry.key_span.start..entry.value_span.end,
                safe_text(&entry.key),
            );
        }
    }
    for app in &stack.laravel {
        for env in &app.envs {
            for entry in &env.env.entries {
                add(
                    &mut index,
                    env.file,
                    entry.span.clone(),
                    safe_text(&entry.name),
                );
            }
        }
        for (name, config) in [
            ("database", &app.database),
            ("session", &app.session),
            ("cache", &app.cache),
        ] {
            if let Some(file) = config.file {
                add_php_items(&mut index, file, name, &config.value);
            }
        }
    }
    for django in &stack.django {
        for setting in django.settings.values() {
            let path: Vec<String> = setting.last.target.iter().map(|t| safe_text(t)).collect();
            add(
                &mut index,
                django.file,
                setting.last.span.clone(),
                path.join("."),
            );
        }
        for (path, source) in &django.sources {
            if let crate::model::django::ValueSource::Literal(span) = source {
                add(&mut index, django.file, span.clone(), safe_text(path));
            }
        }
    }
    for ranges in index.values_mut() {
        // By start; among ranges starting together, the widest first, so the innermost that
        // holds an offset is found last.
        ranges.sort_by(|a, b| (a.0.start, b.0.end).cmp(&(b.0.start, a.0.end)));
    }
    index
}

/// The innermost named range holding `offset`: ranges are sorted by start, so the candidates are
/// those starting at or before it, latest first (a bounded look back: nesting is shallow).
fn lookup(ranges: &[(Range<usize>, String)], offset: usize) -> Option<&str> {
    let upto = ranges.partition_point(|(r, _)| r.start <= offset);
    ranges[..upto]
        .iter()
        .rev()
        .take(64)
        .find(|(r, _)| offset < r.end.max(r.start + 1))
        .map(|(_, name)| name.as_str())
}

/// A line the model rejected still names its setting when its first word is a directive
/// redis-server knows (a name from the table, never the line's text otherwise).
fn known_directive(ctx: &Context, file: FileId, offset: usize) -> Option<String> {
    let doc = ctx.sources.doc(file);
    if doc.line_count() == 0 || ctx.sources.syntax(file) != crate::source::Syntax::Redis {
        return None;
    }
    let index = doc.line_index(offset);
    let crate::syntax::redis::RedisLine::Directive(d) =
        crate::syntax::redis::parse_line(doc, index)
    else {
        return None;
    };
    let name = d.name();
    let known = tables().directive(&name).is_some()
        || [
            "include",
            "rename-command",
            "user",
            "sentinel",
            "loadmodule",
        ]
        .contains(&name.as_str());
    known.then_some(name)
}

/// Name the setting of every finding that does not name one yet.
pub fn name_settings(ctx: &Context, findings: &mut [Finding]) {
    if findings.iter().all(|f| f.setting.is_some()) {
        return;
    }
    let index = build(ctx);
    for f in findings.iter_mut().filter(|f| f.setting.is_none()) {
        if f.span.is_empty() && f.span.start == 0 {
            continue;
        }
        let named = index
            .get(&f.file)
            .and_then(|ranges| lookup(ranges, f.span.start))
            .map(str::to_string)
            .or_else(|| known_directive(ctx, f.file, f.span.start));
        f.setting = named;
    }
}
