//! `redline stack`: the discovered topology (instances, Sentinels, clients, the links between
//! them and the cross-file findings on each link) as text, JSON, Graphviz DOT or Mermaid.
//! Passwords never appear: only whether a client sends one and where it comes from.

use crate::rules::{Finding, Severity};
use crate::source::{FileId, Sources};
use crate::stack::{ClientPassword, Link, Stack, Target};
use serde::Serialize;

/// Single-file rules whose findings are about a client's connection settings.
const EDGE_RULES: [&str; 5] = ["PHP102", "PHP103", "LV102", "LV103", "DJ104"];

/// One finding on a link.
#[derive(Debug, Clone, Serialize)]
struct EdgeFinding {
    message: String,
    rule: &'static str,
    severity: Severity,
}

// Fields are in alphabetical order: the JSON output lists keys sorted.

#[derive(Serialize)]
struct InstanceView {
    databases: u64,
    file: String,
    id: String,
    listen: Vec<String>,
    maxmemory_policy: String,
    monitored_by_sentinel: bool,
    password: &'static str,
    persistence: &'static str,
    role: &'static str,
    role_from: &'static str,
    /// `check --live`: the running server read for this file's instance.
    #[serde(skip_serializing_if = "Option::is_none")]
    running_as: Option<String>,
    /// `check --live`: this instance is a running server, and the file it runs from (when
    /// linked; `""` when not).
    #[serde(skip_serializing_if = "Option::is_none")]
    live_of: Option<String>,
}

#[derive(Serialize)]
struct MasterView {
    address: String,
    auth_pass: bool,
    name: String,
    quorum: i64,
}

#[derive(Serialize)]
struct SentinelView {
    file: String,
    id: String,
    masters: Vec<MasterView>,
}

#[derive(Serialize)]
struct ClientView {
    app: String,
    candidates: Vec<String>,
    database: Option<String>,
    file: String,
    findings: Vec<EdgeFinding>,
    /// The node the edge starts at: the client, or the Sentinel of a `sentinel monitor`.
    from: String,
    id: String,
    instance: Option<String>,
    label: String,
    line: usize,
    link: &'static str,
    password: String,
    prefix: Option<String>,
    purpose: &'static str,
    target: String,
}

/// Everything the renderers print, computed once.
#[derive(Serialize)]
struct Topology {
    clients: Vec<ClientView>,
    instances: Vec<InstanceView>,
    sentinels: Vec<SentinelView>,
}

fn line_of(sources: &Sources, file: FileId, offset: usize) -> usize {
    sources.doc(file).line_col(offset).0
}

fn target_text(target: &Target) -> String {
    match (target, target.shown()) {
        (Target::Unix(_), Some(path)) => format!("unix:{path}"),
        (_, Some(address)) => address,
        (_, None) => "(set at run time)".into(),
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
    use crate::stack::passwords::InstancePassword;
    match crate::stack::passwords::instance_password(&stack.instances[index].model) {
        InstancePassword::Open => "none",
        InstancePassword::Plain(..) | InstancePassword::Hashes(_) => "required",
        InstancePassword::Unknown => "unknown",
    }
}

fn instance_view(stack: &Stack, sources: &Sources, i: usize) -> InstanceView {
    let instance = &stack.instances[i];
    let model = &instance.model;
    // A running server beside its file is kept out of client linking: show where it listens.
    let own;
    let listen = if sources.is_live(model.root) {
        own = crate::stack::links::listen(instance);
        &own
    } else {
        &stack.listens[i]
    };
    let mut addresses: Vec<String> = listen
        .addresses
        .iter()
        .map(|a| a.trim_start_matches('-'))
        .map(|a| {
            if a.contains(':') {
                format!("[{a}]")
            } else {
                a.to_string()
            }
        })
        .flat_map(|a| listen.ports.iter().map(move |p| format!("{a}:{p}")))
        .collect();
    if let Some(unix) = &listen.unix {
        addresses.push(format!("unix:{unix}"));
    }
    let role_from = match instance.role_source {
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
    InstanceView {
        databases: model
            .last("databases")
            .map_or(16, |o| o.value_text().parse::<u64>().unwrap_or(16)),
        file: match stack.deploy.of_instance(i) {
            Some(deployed) => crate::stack::deploy::describe(deployed, sources),
            None => sources.display(model.root).to_string(),
        },
        id: format!("instance{i}"),
        listen: addresses,
        maxmemory_policy: model
            .value_lower("maxmemory-policy")
            .unwrap_or_else(|| "noeviction".into()),
        monitored_by_sentinel: stack.monitored(i),
        password: instance_password_text(stack, i),
        persistence,
        role: instance.role.as_str(),
        role_from,
        running_as: stack
            .live
            .iter()
            .find(|l| l.linked == Some(model.root))
            .map(|l| l.display.clone()),
        live_of: stack.live.iter().find(|l| l.file == model.root).map(|l| {
            l.linked
                .map(|f| sources.display(f).to_string())
                .unwrap_or_default()
        }),
    }
}

fn build(stack: &Stack, sources: &Sources, findings: &[Finding]) -> Topology {
    let instances = (0..stack.instances.len())
        .map(|i| instance_view(stack, sources, i))
        .collect();
    let sentinels = stack
        .sentinels
        .iter()
        .enumerate()
        .map(|(s, sentinel)| SentinelView {
            file: sources.display(sentinel.config.root).to_string(),
            id: format!("sentinel{s}"),
            masters: sentinel
                .masters
                .iter()
                .map(|m| MasterView {
                    address: format!("{}:{}", m.host, m.port),
                    auth_pass: m.auth_pass.is_some(),
                    name: m.name.clone(),
                    quorum: m.quorum,
                })
                .collect(),
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
    // The findings about each client, in report order: one pass over the findings with the
    // clients of each line looked up (a scan of every finding per client was quadratic).
    let mut clients_at: std::collections::HashMap<(FileId, usize), Vec<usize>> =
        std::collections::HashMap::new();
    for (c, (file, lines)) in client_lines.iter().enumerate() {
        for &line in lines {
            let at = clients_at.entry((*file, line)).or_default();
            if at.last() != Some(&c) {
                at.push(c);
            }
        }
    }
    let mut about: std::collections::HashMap<usize, Vec<&Finding>> =
        std::collections::HashMap::new();
    for f in findings {
        if !f.clients.is_empty() {
            for &c in &f.clients {
                about.entry(c).or_default().push(f);
            }
        } else if EDGE_RULES.contains(&f.rule) {
            let line = line_of(sources, f.file, f.span.start);
            if let Some([c]) = clients_at.get(&(f.file, line)).map(Vec::as_slice) {
                about.entry(*c).or_default().push(f);
            }
        }
    }
    // Stack views have no --show-secrets: what the readers marked stays masked.
    let mut values = super::SecretValuesByFile::default();
    let clients = stack
        .clients
        .iter()
        .enumerate()
        .map(|(c, client)| {
            let lines = &client_lines[c].1;
            let (link, instance, candidates) = match &stack.links[c] {
                Link::Linked(i) => ("linked", Some(format!("instance{i}")), Vec::new()),
                Link::Nowhere => ("nowhere", None, Vec::new()),
                Link::Ambiguous(list) => (
                    "ambiguous",
                    None,
                    list.iter().map(|i| format!("instance{i}")).collect(),
                ),
                Link::RunTime => ("run-time", None, Vec::new()),
            };
            ClientView {
                app: client.app.clone(),
                candidates,
                database: client.database.clone(),
                file: sources.display(client.file).to_string(),
                findings: about
                    .get(&c)
                    .into_iter()
                    .flatten()
                    .map(|f| EdgeFinding {
                        message: values.shown(sources, f.file, &f.message, false),
                        rule: f.rule,
                        severity: f.severity,
                    })
                    .collect(),
                from: match &client.sentinel {
                    Some((s, _)) => format!("sentinel{s}"),
                    None => format!("client{c}"),
                },
                id: format!("client{c}"),
                instance,
                label: values.shown(sources, client.file, &client.label, false),
                line: lines[0],
                link,
                password: password_text(&client.password),
                prefix: client
                    .prefix
                    .as_deref()
                    .map(|p| values.shown(sources, client.file, p, false)),
                purpose: client.purpose.as_str(),
                target: values.shown(sources, client.file, &target_text(&client.target), false),
            }
        })
        .collect();
    let mut topology = Topology {
        clients,
        instances,
        sentinels,
    };
    escape_topology(&mut topology);
    topology
}

/// Escape the control characters of every text that comes from input, for every view.
fn escape_topology(t: &mut Topology) {
    use super::escape_in_place as esc;
    for i in &mut t.instances {
        esc(&mut i.file);
        esc(&mut i.maxmemory_policy);
        i.listen.iter_mut().for_each(esc);
    }
    for sn in &mut t.sentinels {
        esc(&mut sn.file);
        for m in &mut sn.masters {
            esc(&mut m.address);
            esc(&mut m.name);
        }
    }
    for c in &mut t.clients {
        for text in [
            &mut c.app,
            &mut c.file,
            &mut c.label,
            &mut c.password,
            &mut c.target,
        ] {
            esc(text);
        }
        c.database.iter_mut().for_each(esc);
        c.prefix.iter_mut().for_each(esc);
        c.findings.iter_mut().for_each(|f| esc(&mut f.message));
    }
}

pub fn json(stack: &Stack, sources: &Sources, findings: &[Finding]) -> String {
    let t = build(stack, sources, findings);
    serde_json::to_string_pretty(&t).unwrap_or_default() + "\n"
}

pub fn text(stack: &Stack, sources: &Sources, findings: &[Finding]) -> String {
    let t = build(stack, sources, findings);
    let mut out = String::new();
    out.push_str(&format!("Instances ({})\n", t.instances.len()));
    for i in &t.instances {
        out.push_str(&format!(
            "  {}  {}\n    listens {}, {} databases\n    role {} (from {}), password {}, persistence {}, maxmemory-policy {}{}\n",
            i.id,
            i.file,
            if i.listen.is_empty() { "nowhere (port 0)".into() } else { i.listen.join(" ") },
            i.databases,
            i.role,
            i.role_from,
            i.password,
            i.persistence,
            i.maxmemory_policy,
            if i.monitored_by_sentinel { ", monitored by a Sentinel" } else { "" },
        ));
        if let Some(target) = &i.running_as {
            out.push_str(&format!(
                "    running server {target} (--live)
"
            ));
        }
        match i.live_of.as_deref() {
            Some("") => out.push_str(
                "    running server (--live), linked to no file
",
            ),
            Some(file) => out.push_str(&format!(
                "    running server (--live) of {file}
"
            )),
            None => {}
        }
    }
    out.push_str(&format!("Sentinels ({})\n", t.sentinels.len()));
    for sn in &t.sentinels {
        out.push_str(&format!("  {}  {}\n", sn.id, sn.file));
        for m in &sn.masters {
            out.push_str(&format!(
                "    master {} at {}, quorum {}, auth-pass {}\n",
                m.name,
                m.address,
                m.quorum,
                if m.auth_pass { "set" } else { "missing" }
            ));
        }
    }
    out.push_str(&format!("Clients ({})\n", t.clients.len()));
    for client in &t.clients {
        let link = match (client.link, &client.instance) {
            ("linked", Some(instance)) => format!("-> {instance}"),
            ("ambiguous", _) => format!("-> ambiguous ({})", client.candidates.join(", ")),
            (other, _) => format!("-> {other}"),
        };
        out.push_str(&format!(
            "  {}  {}:{}  {}\n    {} {}, database {}, password {}, {}\n",
            client.id,
            client.file,
            client.line,
            client.label,
            client.purpose,
            client.target,
            client.database.as_deref().unwrap_or("-"),
            client.password,
            link
        ));
        for f in &client.findings {
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
            id: i.id.clone(),
            lines: vec![
                i.file.clone(),
                format!("role: {}", i.role),
                format!("password: {}", i.password),
                format!("{} / {}", i.persistence, i.maxmemory_policy),
            ],
            shape: "box",
        });
    }
    for sn in &t.sentinels {
        let mut lines = vec![format!("Sentinel {}", sn.file)];
        for m in &sn.masters {
            lines.push(format!("{} quorum {}", m.name, m.quorum));
        }
        out.push(Node {
            id: sn.id.clone(),
            lines,
            shape: "hexagon",
        });
    }
    for c in &t.clients {
        if c.from != c.id {
            continue; // a Sentinel monitor is drawn from the Sentinel's node
        }
        out.push(Node {
            id: c.id.clone(),
            lines: vec![c.label.clone(), format!("{}:{}", c.file, c.line)],
            shape: "ellipse",
        });
    }
    out
}

/// Target node of a client's edge: the instance, or a node for where it points.
fn edge_target(c: &ClientView) -> (String, Option<Node>) {
    match (c.link, &c.instance) {
        ("linked", Some(instance)) => (instance.clone(), None),
        (kind, _) => {
            let id = format!("{}_target", c.id);
            let what = match kind {
                "ambiguous" => "ambiguous",
                "run-time" => "known at run time",
                _ => "not audited",
            };
            (
                id.clone(),
                Some(Node {
                    id,
                    lines: vec![c.target.clone(), what.to_string()],
                    shape: "note",
                }),
            )
        }
    }
}

fn edge_lines(c: &ClientView) -> Vec<String> {
    let mut lines = vec![match &c.database {
        None => c.purpose.to_string(),
        Some(db) => format!("{} db {db}", c.purpose),
    }];
    lines.extend(c.findings.iter().map(|f| f.rule.to_string()));
    lines
}

pub fn dot(stack: &Stack, sources: &Sources, findings: &[Finding]) -> String {
    let t = build(stack, sources, findings);
    let mut out = String::from("digraph redline {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\"];\n");
    let mut extra = Vec::new();
    let mut edges = String::new();
    for c in &t.clients {
        let (to, node) = edge_target(c);
        extra.extend(node);
        edges.push_str(&format!(
            "  {} -> {} [label=\"{}\", color={}{}];\n",
            c.from,
            to,
            label(&edge_lines(c), "\\n"),
            edge_color(&c.findings),
            if c.link == "linked" {
                ""
            } else {
                ", style=dashed"
            }
        ));
    }
    for (file, running) in live_pairs(&t) {
        edges.push_str(&format!(
            "  {file} -> {running} [label=\"running (--live)\", style=dotted];\n"
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
        let arrow = if c.link == "linked" { "-->" } else { "-.->" };
        edges.push_str(&format!(
            "  {} {arrow}|\"{}\"| {}\n",
            c.from,
            label(&edge_lines(c), "<br/>"),
            to
        ));
        if !c.findings.is_empty() {
            styles.push_str(&format!(
                "  linkStyle {index} stroke:{}\n",
                edge_color(&c.findings)
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
    // After the client edges: `linkStyle` counts edges in order.
    for (file, running) in live_pairs(&t) {
        edges.push_str(&format!("  {file} -.-|\"running (--live)\"| {running}\n"));
    }
    out.push_str(&edges);
    out.push_str(&styles);
    out
}

/// Each file's instance and the running server read for it (`check --live`), by node id.
fn live_pairs(t: &Topology) -> Vec<(String, String)> {
    t.instances
        .iter()
        .filter_map(|file| {
            let target = file.running_as.as_ref()?;
            let running = t
                .instances
                .iter()
                .find(|i| i.live_of.is_some() && &i.file == target)?;
            Some((file.id.clone(), running.id.clone()))
        })
        .collect()
}
