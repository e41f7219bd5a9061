//! Express apps in the stack: the apps (package.json and entry modules grouped by folder) and
//! the client of each session store, linked like any other client.

use super::clients::{Client, ClientPassword, Origin, Purpose, Target};
use crate::discovery::{FileKind, Root};
use crate::model::node::{self, Address, NodeApp, Store, Value};
use crate::source::{normalize, FileId, Sources};
use std::collections::HashMap;
use std::path::PathBuf;

/// Group the Express roots by app folder (the folder of the package.json; a module forced with
/// `--type node=...` outside any app is an app of its own) and read each app.
pub fn node_apps(sources: &mut Sources, roots: &[Root]) -> Vec<NodeApp> {
    let mut order: Vec<PathBuf> = Vec::new();
    let mut apps: HashMap<PathBuf, (Option<FileId>, Vec<FileId>)> = HashMap::new();
    let packages: Vec<(PathBuf, FileId)> = roots
        .iter()
        .filter(|r| r.kind == FileKind::NodePackage)
        .filter_map(|r| {
            let path = normalize(&sources.get(r.file).path);
            Some((path.parent()?.to_path_buf(), r.file))
        })
        .collect();
    for (dir, file) in &packages {
        order.push(dir.clone());
        apps.insert(dir.clone(), (Some(*file), Vec::new()));
    }
    for root in roots.iter().filter(|r| r.kind == FileKind::NodeModule) {
        let path = normalize(&sources.get(root.file).path);
        // The nearest app folder above the module.
        let dir = path
            .ancestors()
            .skip(1)
            .find(|d| apps.get(*d).is_some_and(|a| a.0.is_some()))
            .map(PathBuf::from)
            .or_else(|| path.parent().map(PathBuf::from));
        let Some(dir) = dir else { continue };
        if !apps.contains_key(&dir) {
            order.push(dir.clone());
        }
        apps.entry(dir).or_default().1.push(root.file);
    }
    order
        .into_iter()
        .filter_map(|dir| {
            let (package, entries) = apps.remove(&dir)?;
            Some(node::load(sources, dir, package, &entries))
        })
        .collect()
}

/// The span of a string literal's text, without its quotes.
fn inside_quotes(
    sources: &Sources,
    file: FileId,
    span: &std::ops::Range<usize>,
) -> std::ops::Range<usize> {
    let bytes = sources.doc(file).bytes();
    match (
        bytes.get(span.start),
        span.end.checked_sub(1).and_then(|e| bytes.get(e)),
    ) {
        (Some(&q @ (b'"' | b'\'' | b'`')), Some(&e)) if q == e && span.len() >= 2 => {
            span.start + 1..span.end - 1
        }
        _ => span.clone(),
    }
}

fn password(sources: &Sources, value: &Value) -> ClientPassword {
    match value {
        Value::Str {
            text, at, literal, ..
        } if !text.is_empty() => ClientPassword::Literal {
            value: text.clone(),
            file: at.file,
            span: if *literal {
                inside_quotes(sources, at.file, &at.span)
            } else {
                at.span.clone()
            },
            editable: *literal,
        },
        Value::Str { .. } | Value::Nullish => ClientPassword::None,
        Value::Env(var) => ClientPassword::Env(var.clone()),
        _ => ClientPassword::Unknown,
    }
}

/// The client of each session store that uses Redis.
pub fn node_clients(sources: &Sources, apps: &[NodeApp], out: &mut Vec<Client>) {
    for app in apps {
        let name = app.name(sources);
        for session in &app.sessions {
            let Store::Redis(store) = &session.store else {
                continue;
            };
            let Some(client) = &store.client else {
                continue;
            };
            let target = match &client.address {
                Address::Tcp { host, port } => Target::Tcp {
                    host: host.clone(),
                    port: *port,
                },
                Address::Unix(path) => Target::Unix(path.clone()),
                Address::RunTime => Target::RunTime,
            };
            out.push(Client {
                label: format!("Express session store ({})", client.library.name()),
                app: name.clone(),
                purpose: Purpose::Sessions,
                file: client.at.file,
                span: client.at.span.clone(),
                target,
                database: if client.cluster {
                    Some("0".into())
                } else {
                    client.database.clone()
                },
                prefix: Some(store.prefix.clone()),
                password: password(sources, &client.password),
                user: client.username.clone(),
                sentinel: None,
                origin: Origin::Node {
                    file: session.file,
                    at: session.span.start,
                },
            });
        }
    }
}
