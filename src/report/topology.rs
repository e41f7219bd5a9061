//! `redline stack`: the discovered topology (instances, Sentinels, clients, the links between
//! them and the cross-file findings on each link) as text, JSON, Graphviz DOT or Mermaid.
//! Passwords never appear: only whether a client sends one and where it comes from.

use crate::rules::{Finding, Severity};
use crate::source::{FileId, Sources};
use crate::stack::{ClientPassword, Link, Stack, Target};
use serde_json::{json, Value};

/// Single-file rules whose findings are about a client's connection settings.
const EDGE_RULES: [&str; 5] = ["PHP102", "PHP103", "LV102", "LV103", "DJ104"];

/// One finding on a link, ready to print.
#[derive(Debug, Clone)]
struct EdgeFinding {
    rule: &'static str,
    severity: Severity,
    message: String,
}

/// Everything the renderers print, computed once.
struct Topology {
    instances: Vec<Value>,
    sentinels: Vec<Value>,
    clients: Vec<Value>,
    edges: Vec<Vec<EdgeFinding>>,
}

fn line_of(sources: &Sources, file: FileId, offset: usize) -> usize {
    sources.doc(file).line_col(offset).0
}

fn target_text(target: &Target) -> String {
    match target {
        Target::Tcp { host, port } => format!("{host}:{port}"),
        Target::Unix(path) => format!("unix:{path}"),
        Target::RunTime => "(set at run time)".into(),
    }
}

fn password_text(password: &ClientPassword) -> String {
    match password {
        ClientPassword::None => "none".into(),
        ClientPassword::Literal { .. } => "literal".into(),
        ClientPassword::Env(var) => format!("env {var}"),
        ClientPassword::Unknown => "unknown".into(),
    }
}

fn instance_password_text(stack: &Stack, index: usize) -> &'static str {
    use crate::rules::stack::InstancePassword;
    match crate::rules::stack::instance_password(&stack.instances[index].model) {
        InstancePassword::Open => "none",
        InstancePassword::Plain(..) | InstancePassword::Hashes(_) => "required",
        InstancePassword::Unknown => "unknown",
    }
}

fn build(stack: &Stack, sources: &Sources, findings: &[Finding]) -> Topology {
    let instances = stack
        .instances
        .iter()
        .enumerate()
        .map(|(i, instance)| {
            let model = &instance.model;
            let listen = &stack.listens[i];
            let mut addresses: Vec<String> = listen
                .addresses
                .iter()
                .map(|a| a.trim_start_matches('-'))
                .map(|a| if a.contains(':') { format!("[{a}]") } else { a.to_string() })
                .flat_map(|a| listen.ports.iter().map(move |p| format!("{a}:{p}")))
                .collect();
            if let Some(unix) = &listen.unix {
                addresses.push(format!("unix:{unix}"));
            }
            let role_source = match instance.role_source {
                crate::stack::RoleSource::Declared => "redline.toml",
                crate::stack::RoleSource::Clients => "linked clients",
                crate::stack::RoleSource::FileName => "file name",
                crate::stack::RoleSource::None => "none",
            };
            let save = model.last("save").map(|o| o.value_text());
            let persistence = match (model.value_lower("appendonly").as_deref(), save.as_deref()) {
                (Some("yes"), _) => "aof",
                (_, Some("")) => "none",
                _ => "rdb",
            };
            json!({
                "id": format!("instance{i}"),
                "file": sources.display(model.root),
                "listen": addresses,
                "role": instance.role.as_str(),
                "role_from": role_source,
                "password": instance_password_text(stack, i),
                "persistence": persistence,
                "databases": model.last("databases").map_or(16, |o| o.value_text().parse::<u64>().unwrap_or(16)),
                "maxmemory_policy": model.value_lower("maxmemory-policy").unwrap_or_else(|| "noeviction".into()),
                "monitored_by_sentinel": stack.monitored(i),
            })
        })
        .collect();
    let sentinels = stack
        .sentinels
        .iter()
        .enumerate()
        .map(|(s, sentinel)| {
            json!({
                "id": format!("sentinel{s}"),
                "file": sources.display(sentinel.config.root),
                "masters": sentinel.masters.iter().map(|m| json!({
                    "name": m.name,
                    "address": format!("{}:{}", m.host, m.port),
                    "quorum": m.quorum,
                    "auth_pass": m.auth_pass.is_some(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    // Cross-file rules name their clients; single-file rules about a client's setting are matched
    // by line, when only one client comes from that line.
    let client_lines: Vec<(FileId, Vec<usize>)> = stack
        .clients
        .iter()
        .map(|client| {
            let mut lines = vec![line_of(sources, client.file, client.span.start)];
            if let ClientPassword::Literal { file, span, .. } = &client.password {
                if *file == client.file {
                    lines.push(line_of(sources, *file, span.start));
                }
            }
            (client.file, lines)
        })
        .collect();
    let about = |f: &Finding, c: usize, lines: &[usize]| -> bool {
        if !f.clients.is_empty() {
            return f.clients.contains(&c);
        }
        if !EDGE_RULES.contains(&f.rule) || f.file != client_lines[c].0 {
            return false;
        }
        let line = line_of(sources, f.file, f.span.start);
        lines.contains(&line)
            && client_lines
                .iter()
                .filter(|(file, l)| *file == f.file && l.contains(&line))
                .count()
                == 1
    };
    let mut edges = Vec::new();
    let clients = stack
        .clients
        .iter()
        .enumerate()
        .map(|(c, client)| {
            let lines = &client_lines[c].1;
            let on_edge: Vec<EdgeFinding> = findings
                .iter()
                .filter(|f| about(f, c, lines))
                .map(|f| EdgeFinding {
                    rule: f.rule,
                    severity: f.severity,
                    message: f.message.clone(),
                })
                .collect();
            let (link, linked_to, candidates) = match &stack.links[c] {
                Link::Linked(i) => ("linked", Some(format!("instance{i}")), Vec::new()),
                Link::Nowhere => ("nowhere", None, Vec::new()),
                Link::Ambiguous(list) => (
                    "ambiguous",
                    None,
                    list.iter().map(|i| format!("instance{i}")).collect(),
                ),
                Link::RunTime => ("run-time", None, Vec::new()),
            };
            let from = match &client.sentinel {
                Some((s, _)) => format!("sentinel{s}"),
                None => format!("client{c}"),
            };
            let value = json!({
                "id": format!("client{c}"),
                "label": client.label,
                "app": client.app,
                "file": sources.display(client.file),
                "line": lines[0],
                "purpose": client.purpose.as_str(),
                "target": target_text(&client.target),
                "database": client.database,
                "prefix": client.prefix,
                "password": password_text(&client.password),
                "link": link,
                "instance": linked_to,
                "candidates": candidates,
                "from": from,
                "findings": on_edge.iter().map(|f| json!({
                    "rule": f.rule,
                    "severity": f.severity.as_str(),
                    "message": f.message,
                })).collect::<Vec<_>>(),
            });
            edges.push(on_edge);
            value
        })
        .collect();
    Topology {
        instances,
        sentinels,
        clients,
        edges,
    }
}

pub fn json(stack: &Stack, sources: &Sources, findings: &[Finding]) -> String {
    let t = build(stack, sources, findings);
    let value = json!({
        "instances": t.instances,
        "sentinels": t.sentinels,
        "clients": t.clients,
    });
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

pub fn text(stack: &Stack, sources: &Sources, findings: &[Finding]) -> String {
    let t = build(stack, sources, findings);
    let mut out = String::new();
    out.push_str(&format!("Instances ({})\n", t.instances.len()));
    for i in &t.instances {
        let listen: Vec<String> = i["listen"]
            .as_array()
            .into_iter()
            .flatten()
            .map(s)
            .collect();
        out.push_str(&format!(
            "  {}  {}\n    listens {}, {} databases\n    role {} (from {}), password {}, persistence {}, maxmemory-policy {}{}\n",
            s(&i["id"]),
            s(&i["file"]),
            if listen.is_empty() { "nowhere (port 0)".into() } else { listen.join(" ") },
            s(&i["databases"]),
            s(&i["role"]),
            s(&i["role_from"]),
            s(&i["password"]),
            s(&i["persistence"]),
            s(&i["maxmemory_policy"]),
            if i["monitored_by_sentinel"] == true { ", monitored by a Sentinel" } else { "" },
        ));
    }
    out.push_str(&format!("Sentinels ({})\n", t.sentinels.len()));
    for sn in &t.sentinels {
        out.push_str(&format!("  {}  {}\n", s(&sn["id"]), s(&sn["file"])));
        for m in sn["masters"].as_array().into_iter().flatten() {
            out.push_str(&format!(
                "    master {} at {}, quorum {}, auth-pass {}\n",
                s(&m["name"]),
                s(&m["address"]),
                s(&m["quorum"]),
                if m["auth_pass"] == true {
                    "set"
                } else {
                    "missing"
                }
            ));
        }
    }
    out.push_str(&format!("Clients ({})\n", t.clients.len()));
    for (c, client) in t.clients.iter().enumerate() {
        let link = match s(&client["link"]).as_str() {
            "linked" => format!("-> {}", s(&client["instance"])),
            "ambiguous" => format!(
                "-> ambiguous ({})",
                client["candidates"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(s)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            other => format!("-> {other}"),
        };
        out.push_str(&format!(
            "  {}  {}:{}  {}\n    {} {}, database {}, password {}, {}\n",
            s(&client["id"]),
            s(&client["file"]),
            s(&client["line"]),
            s(&client["label"]),
            s(&client["purpose"]),
            s(&client["target"]),
            s(&client["database"]),
            s(&client["password"]),
            link
        ));
        for f in &t.edges[c] {
            out.push_str(&format!(
                "    {} [{}] {}\n",
                f.rule,
                f.severity.as_str(),
                f.message
            ));
        }
    }
    out
}

/// A DOT or Mermaid label: one line per entry, quotes and brackets made harmless.
fn label(lines: &[String], newline: &str) -> String {
    lines
        .iter()
        .map(|l| {
            l.replace('\\', "/")
                .replace('"', "'")
                .replace(['[', ']', '{', '}', '<', '>', '|'], " ")
        })
        .collect::<Vec<_>>()
        .join(newline)
}

fn worst(edge: &[EdgeFinding]) -> Option<Severity> {
    edge.iter().map(|f| f.severity).max_by_key(|s| match s {
        Severity::Error => 2,
        Severity::Warning => 1,
        Severity::Info => 0,
    })
}

fn edge_color(edge: &[EdgeFinding]) -> &'static str {
    match worst(edge) {
        Some(Severity::Error) => "red",
        Some(Severity::Warning) => "orange",
        Some(Severity::Info) => "blue",
        None => "black",
    }
}

struct Node {
    id: String,
    lines: Vec<String>,
    shape: &'static str,
}

fn nodes(t: &Topology) -> Vec<Node> {
    let mut out = Vec::new();
    for i in &t.instances {
        out.push(Node {
            id: s(&i["id"]),
            lines: vec![
                s(&i["file"]),
                format!("role: {}", s(&i["role"])),
                format!("password: {}", s(&i["password"])),
                format!("{} / {}", s(&i["persistence"]), s(&i["maxmemory_policy"])),
            ],
            shape: "box",
        });
    }
    for sn in &t.sentinels {
        let mut lines = vec![format!("Sentinel {}", s(&sn["file"]))];
        for m in sn["masters"].as_array().into_iter().flatten() {
            lines.push(format!("{} quorum {}", s(&m["name"]), s(&m["quorum"])));
        }
        out.push(Node {
            id: s(&sn["id"]),
            lines,
            shape: "hexagon",
        });
    }
    for c in &t.clients {
        if c["from"] != c["id"] {
            continue; // a Sentinel monitor is drawn from the Sentinel's node
        }
        out.push(Node {
            id: s(&c["id"]),
            lines: vec![
                s(&c["label"]),
                format!("{}:{}", s(&c["file"]), s(&c["line"])),
            ],
            shape: "ellipse",
        });
    }
    out
}

/// Target node of a client's edge: the instance, or a node for where it points.
fn edge_target(c: &Value) -> (String, Option<Node>) {
    match s(&c["link"]).as_str() {
        "linked" => (s(&c["instance"]), None),
        kind => {
            let id = format!("{}_target", s(&c["id"]));
            let what = match kind {
                "ambiguous" => "ambiguous",
                "run-time" => "known at run time",
                _ => "not audited",
            };
            (
                id.clone(),
                Some(Node {
                    id,
                    lines: vec![s(&c["target"]), what.to_string()],
                    shape: "note",
                }),
            )
        }
    }
}

fn edge_lines(c: &Value, edge: &[EdgeFinding]) -> Vec<String> {
    let mut lines = vec![match &c["database"] {
        Value::Null => s(&c["purpose"]),
        db => format!("{} db {}", s(&c["purpose"]), s(db)),
    }];
    lines.extend(edge.iter().map(|f| f.rule.to_string()));
    lines
}

pub fn dot(stack: &Stack, sources: &Sources, findings: &[Finding]) -> String {
    let t = build(stack, sources, findings);
    let mut out = String::from("digraph redline {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\"];\n");
    let mut extra = Vec::new();
    let mut edges = String::new();
    for (index, c) in t.clients.iter().enumerate() {
        let (to, node) = edge_target(c);
        extra.extend(node);
        let edge = &t.edges[index];
        edges.push_str(&format!(
            "  {} -> {} [label=\"{}\", color={}{}];\n",
            s(&c["from"]),
            to,
            label(&edge_lines(c, edge), "\\n"),
            edge_color(edge),
            if c["link"] == "linked" {
                ""
            } else {
                ", style=dashed"
            }
        ));
    }
    for n in nodes(&t).into_iter().chain(extra) {
        out.push_str(&format!(
            "  {} [shape={}, label=\"{}\"];\n",
            n.id,
            n.shape,
            label(&n.lines, "\\n")
        ));
    }
    out.push_str(&edges);
    out.push_str("}\n");
    out
}

pub fn mermaid(stack: &Stack, sources: &Sources, findings: &[Finding]) -> String {
    let t = build(stack, sources, findings);
    let mut out = String::from("flowchart LR\n");
    let mut extra = Vec::new();
    let mut edges = String::new();
    let mut styles = String::new();
    for (index, c) in t.clients.iter().enumerate() {
        let (to, node) = edge_target(c);
        extra.extend(node);
        let edge = &t.edges[index];
        let arrow = if c["link"] == "linked" { "-->" } else { "-.->" };
        edges.push_str(&format!(
            "  {} {arrow}|\"{}\"| {}\n",
            s(&c["from"]),
            label(&edge_lines(c, edge), "<br/>"),
            to
        ));
        if !edge.is_empty() {
            styles.push_str(&format!(
                "  linkStyle {index} stroke:{}\n",
                edge_color(edge)
            ));
        }
    }
    for n in nodes(&t).into_iter().chain(extra) {
        let text = label(&n.lines, "<br/>");
        let shape = match n.shape {
            "box" => format!("[\"{text}\"]"),
            "hexagon" => format!("{{{{\"{text}\"}}}}"),
            "note" => format!(">\"{text}\"]"),
            _ => format!("([\"{text}\"])"),
        };
        out.push_str(&format!("  {}{shape}\n", n.id));
    }
    out.push_str(&edges);
    out.push_str(&styles);
    out
}
