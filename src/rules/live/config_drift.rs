//! LI101 `config-drift`: a running server's setting differs from the effective value of the file
//! it runs from.

use super::{instances, password_hashes, target_related};
use crate::fix::{Applicability, Fix};
use crate::live::{LiveTarget, COMMANDS};
use crate::model::redis::{Occurrence, RedisModel};
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::{Context, Finding, Severity};

pub static RULE: Rule = Rule {
    id: RuleId::LI101,
    name: "config-drift",
    severity: Severity::Warning,
    fix: FixAvailability::Display,
    hardening: false,
    category: Category::Reliability,
    summary: r####"A running server's setting differs from the effective value in its file"####,
    explanation: r####"A `CONFIG SET` made in an incident and never written back is undone by the next restart; a file
edit never applied is not what runs. Either way the audit of the file is true of nothing that
runs. Values are compared as redis-server reads them (includes, `rename-command`, `user` lines,
memory units: `64mb` is `67108864`); passwords are compared by SHA-256 and never shown. Error when
the running server is weaker than its file (password removed or changed, `appendonly` off,
`protected-mode` off, an evicting policy, a dangerous command restored); otherwise a warning."####,
    example: r####"# redis.conf: maxmemory-policy noeviction
# running:     CONFIG SET maxmemory-policy allkeys-lru"####,
    fix_description: r####"Display: change the file or the server so that they agree. `CONFIG REWRITE` is not offered: Redis 7.0 rewrites drop `include` and `rename-command` lines."####,
    references: &[r####"https://redis.io/docs/latest/commands/config-set/"####],
    check: Check::Stack(config_drift),
};

/// The compiled defaults of the settings compared, for a file that does not set them (7.0).
fn default_of(name: &str) -> &'static str {
    match name {
        "bind" => "* -::*",
        "port" => "6379",
        "protected-mode" => "yes",
        "appendonly" => "no",
        "appendfsync" => "everysec",
        "maxmemory" => "0",
        "maxmemory-policy" => "noeviction",
        "save" => "3600 1 300 100 60 10000",
        "unixsocket" => "",
        "unixsocketperm" => "0",
        "tls-port" => "0",
        "activedefrag" => "no",
        _ => "",
    }
}

/// `memtoll` of redis-server: `k`/`m`/`g` are powers of 1000, `kb`/`mb`/`gb` of 1024.
fn memory_bytes(text: &str) -> Option<u128> {
    let t = text.trim().to_ascii_lowercase();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(digits);
    let n: u128 = n.parse().ok()?;
    let mul: u128 = match unit {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1_000_000,
        "mb" => 1 << 20,
        "g" => 1_000_000_000,
        "gb" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(mul)
}

/// A value in one form for comparison.
fn normalized(name: &str, value: &str) -> String {
    let lower = value.trim().to_ascii_lowercase();
    match name {
        "maxmemory" => memory_bytes(&lower).map_or(lower, |n| n.to_string()),
        "bind" | "save" => lower.split_whitespace().collect::<Vec<_>>().join(" "),
        // Octal on both sides (CONFIG GET shows `700`), with or without a leading 0.
        "unixsocketperm" => u32::from_str_radix(&lower, 8).map_or(lower, |m| format!("{m:o}")),
        _ => lower,
    }
}

/// The file's effective value of `name`, as CONFIG GET would show it, and the line that set it.
fn file_value<'a>(model: &'a RedisModel, name: &str) -> (String, Option<&'a Occurrence>) {
    match name {
        // Each `save` line after the first adds points; `save ""` clears them.
        "save" => {
            let mut points: Option<Vec<String>> = None;
            let mut last = None;
            for o in model.all("save") {
                let list = points.get_or_insert_with(Vec::new);
                if o.values.len() == 1 && o.values[0].value.is_empty() {
                    list.clear();
                } else {
                    list.extend(o.values.iter().map(|a| a.text()));
                }
                last = Some(o);
            }
            match points {
                Some(p) => (p.join(" "), last),
                None => (default_of(name).into(), None),
            }
        }
        "bind" => match model.last("bind") {
            Some(o) => (
                o.values
                    .iter()
                    .map(|a| a.text())
                    .collect::<Vec<_>>()
                    .join(" "),
                Some(o),
            ),
            None => (default_of(name).into(), None),
        },
        _ => match model.last(name) {
            Some(o) => (o.value_text(), Some(o)),
            None => (default_of(name).into(), None),
        },
    }
}

fn is_evicting(policy: &str) -> bool {
    policy != "noeviction"
}

/// Whether the running value is weaker than the file's (rules.md: error).
fn weakens(name: &str, file: &str, running: &str) -> bool {
    match name {
        "appendonly" | "protected-mode" => file == "yes" && running == "no",
        "maxmemory-policy" => !is_evicting(file) && is_evicting(running),
        _ => false,
    }
}

fn shown(value: &str) -> String {
    if value.is_empty() {
        "\"\"".into()
    } else {
        crate::syntax::safe_text(value)
    }
}

struct Drift<'a> {
    setting: String,
    at: Option<&'a Occurrence>,
    message: String,
    error: bool,
}

fn config_drift(ctx: &Context, out: &mut Vec<Finding>) {
    for live in &ctx.stack.live {
        let (Some(running), Some(file)) = instances(ctx, live) else {
            continue;
        };
        let file_model = &file.model;
        let mut drifts: Vec<Drift> = Vec::new();
        for (name, value) in &live.snapshot.settings {
            let (in_file, at) = file_value(file_model, name);
            let (f, r) = (normalized(name, &in_file), normalized(name, value));
            if f == r {
                continue;
            }
            drifts.push(Drift {
                setting: name.clone(),
                at,
                message: format!(
                    "`{name}`: {} runs with {}, the file says {}",
                    live.display,
                    shown(value),
                    shown(&in_file)
                ),
                error: weakens(name, &f, &r),
            });
        }
        default_user_drift(live, running, file_model, &mut drifts);
        named_user_drift(live, running, file_model, &mut drifts);
        masterauth_drift(live, file_model, &mut drifts);
        command_drift(live, file_model, &mut drifts);
        for d in drifts {
            let (span, line) = match d.at {
                Some(o) => (o.span(), format!(" (line {})", o.line() + 1)),
                None => (0..0, " (not set in the file: the compiled default)".into()),
            };
            let file_id = d.at.map_or(file_model.root, |o| o.file);
            let fix = Fix::new(
                Applicability::Display,
                format!("make the file and {} agree: write the running value into the file, or set the server back to the file's value (CONFIG SET, or a restart); CONFIG REWRITE is not offered, it drops `include` and `rename-command` lines", live.display),
                Vec::new(),
            );
            out.push(
                Finding::new(
                    RuleId::LI101,
                    file_id,
                    span,
                    format!(
                        "{}{line}: a CONFIG SET that the next restart undoes, or a file edit never applied",
                        d.message
                    ),
                )
                .severity(if d.error { Severity::Error } else { Severity::Warning })
                .setting(d.setting)
                .related(target_related(live, "the running server".to_string()))
                .with_fix(Some(fix)),
            );
        }
    }
}

/// The default user's password, compared by hash: the running server from ACL LIST.
fn default_user_drift<'a>(
    live: &LiveTarget,
    running: &crate::stack::Instance,
    file: &'a RedisModel,
    out: &mut Vec<Drift<'a>>,
) {
    if live.snapshot.acl.is_none() {
        return;
    }
    let (Some(run), Some(in_file)) = (&running.model.default_user, &file.default_user) else {
        return;
    };
    let at = match &in_file.source {
        crate::model::redis::DefaultUserSource::Requirepass(o)
        | crate::model::redis::DefaultUserSource::UserLine(o) => Some(o),
        _ => None,
    };
    let (run_open, file_open) = (
        run.state.open_without_password(),
        in_file.state.open_without_password(),
    );
    let (message, error) = if run_open && !file_open {
        ("the default user: the running server needs no password, the file sets one (password removed)", true)
    } else if !run_open && file_open {
        (
            "the default user: the running server needs a password, the file sets none",
            false,
        )
    } else if !run_open && password_hashes(&run.state) != password_hashes(&in_file.state) {
        (
            "the default user: the running password differs from the file's (compared by SHA-256)",
            true,
        )
    } else {
        return;
    };
    out.push(Drift {
        setting: "user default".into(),
        at,
        message: format!("{message} on {}", live.display),
        error,
    });
}

/// The other ACL users: added or removed on the server, or with other passwords (by hash).
fn named_user_drift<'a>(
    live: &LiveTarget,
    running: &crate::stack::Instance,
    file: &'a RedisModel,
    out: &mut Vec<Drift<'a>>,
) {
    if live.snapshot.acl.is_none() || file.acl_file.is_some() && file.named_users.is_empty() {
        // An aclfile redline could not read says nothing about the file's users.
        return;
    }
    let line_of = |name: &[u8]| {
        file.users
            .iter()
            .rev()
            .find(|u| u.values.first().is_some_and(|a| a.value == name))
    };
    for (name, run) in &running.model.named_users {
        let shown = crate::syntax::safe_text(&String::from_utf8_lossy(name));
        let in_file = file.named_users.iter().find(|(n, _)| n == name);
        let (message, error) = match in_file {
            None => (
                format!("ACL user `{shown}`: {} has it, the file does not", live.display),
                run.enabled,
            ),
            Some((_, f)) if run.open_without_password() && !f.open_without_password() => (
                format!("ACL user `{shown}`: needs no password on {}, the file sets one", live.display),
                true,
            ),
            Some((_, f)) if password_hashes(run) != password_hashes(f) => (
                format!("ACL user `{shown}`: its passwords on {} differ from the file's (compared by SHA-256)", live.display),
                true,
            ),
            _ => continue,
        };
        out.push(Drift {
            setting: format!("user {shown}"),
            at: line_of(name),
            message,
            error,
        });
    }
    for (name, _) in &file.named_users {
        if running.model.named_users.iter().any(|(n, _)| n == name) {
            continue;
        }
        let shown = crate::syntax::safe_text(&String::from_utf8_lossy(name));
        out.push(Drift {
            setting: format!("user {shown}"),
            at: line_of(name),
            message: format!(
                "ACL user `{shown}`: the file defines it, {} does not",
                live.display
            ),
            error: false,
        });
    }
}

fn masterauth_drift<'a>(live: &LiveTarget, file: &'a RedisModel, out: &mut Vec<Drift<'a>>) {
    let Some((_, running)) = live
        .snapshot
        .secret_hashes
        .iter()
        .find(|(n, _)| n == "masterauth")
    else {
        return;
    };
    let at = file.last("masterauth");
    let in_file = at
        .map(|o| o.value_text())
        .filter(|v| !v.is_empty())
        .map(|v| crate::secret::sha256_hex(v.as_bytes()));
    if *running == in_file {
        return;
    }
    out.push(Drift {
        setting: "masterauth".into(),
        at,
        message: format!(
            "`masterauth`: {} runs with {} than the file (compared by SHA-256)",
            live.display,
            if running.is_none() {
                "none, another"
            } else {
                "another value"
            }
        ),
        error: true,
    });
}

/// A dangerous command the file renames away (`rename-command X ""`) that the server knows.
fn command_drift<'a>(live: &LiveTarget, file: &'a RedisModel, out: &mut Vec<Drift<'a>>) {
    for command in COMMANDS {
        let renamed = file.rename_of(command);
        let present = live.snapshot.commands_present.iter().any(|c| c == command);
        let absent = live.snapshot.commands_absent.iter().any(|c| c == command);
        match renamed {
            Some((o, to)) if to.is_empty() && present => out.push(Drift {
                setting: format!("rename-command {command}"),
                at: Some(o),
                message: format!(
                    "`{}`: the file removes it, and {} still runs it (restored)",
                    command.to_ascii_uppercase(),
                    live.display
                ),
                error: true,
            }),
            None if absent => out.push(Drift {
                setting: format!("rename-command {command}"),
                at: None,
                message: format!(
                    "`{}`: {} does not know it, and the file keeps it",
                    command.to_ascii_uppercase(),
                    live.display
                ),
                error: false,
            }),
            _ => {}
        }
    }
}
