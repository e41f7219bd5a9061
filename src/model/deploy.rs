//! Redis as compose files and Kubernetes manifests start it: which service or container runs
//! redis-server, the arguments it runs with (compose interpolation, the command forms, the
//! image's entrypoint), the config file it names mapped back to a file of the repository (a bind
//! mount, or a ConfigMap key whose `|` block is read as a redis.conf in place), the image's own
//! defaults, and where the port is published. The redis.conf model is then built from these
//! pieces (`redis::load_deployed`), in redis-server's order: compiled defaults, config file,
//! command-line options; every value keeps the YAML span that set it.

use crate::source::{FileId, Sources};
use crate::syntax::document::Document;
use crate::syntax::redis::{Arg, Directive};
use crate::syntax::yaml::{self, Node, Style, YamlError};
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Compose,
    Kubernetes,
}

/// Whose entrypoint and compiled defaults the container has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    /// `redis`, `valkey/valkey`, `redis/redis-stack*`: built with `protected-mode no`, a first
    /// argument ending in `.conf` or starting with `-` is given to the server.
    Official,
    /// `bitnami/redis`: configured from `REDIS_*` variables by its own `run.sh`.
    Bitnami,
    /// Built from a Dockerfile of the repository, or another image: upstream defaults.
    Other,
}

/// One token of the command line, with where it is in the YAML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub value: String,
    pub span: Range<usize>,
    /// The token's bytes in the file are its value (no quoting, escape or interpolation in
    /// between): a fix may replace them.
    pub exact: bool,
}

/// The config file the server reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    /// A file of the repository (bind-mounted).
    File(FileId),
    /// A ConfigMap key holding a `|` block: these lines of the YAML file are the redis.conf.
    Block {
        file: FileId,
        lines: Range<usize>,
        indent: Vec<u8>,
    },
}

/// A compose `ports` entry that publishes the Redis port.
#[derive(Debug, Clone)]
pub struct PublishedPort {
    pub span: Range<usize>,
    /// Where `127.0.0.1:` (or `127.0.0.1::` for a bare container port) goes, when the entry's
    /// text is exactly in the file.
    pub insert_at: Option<(usize, &'static str)>,
    pub text: String,
}

/// A container or compose service that runs redis-server.
#[derive(Debug, Clone)]
pub struct Deployed {
    pub file: FileId,
    pub platform: Platform,
    /// The service name, or `workload/container`.
    pub name: String,
    /// Where findings about the whole service point: its name in the YAML.
    pub at: Range<usize>,
    pub image: ImageKind,
    /// The image's defaults, as directives (spans on the image or the variable that sets them).
    pub defaults: Vec<Directive>,
    pub config: Option<ConfigSource>,
    pub options: Vec<Directive>,
    /// The spans a fix may replace (exact tokens).
    pub editable: Vec<Range<usize>>,
    pub ports: Vec<PublishedPort>,
    /// Names clients reach it by: compose service name, container_name, network aliases.
    pub hosts: Vec<String>,
    /// The compose project's folder (clients under it see the service names).
    pub project: PathBuf,
    pub labels: Vec<(String, String)>,
    pub namespace: Option<String>,
    /// `--requirepass`/`--masterauth` with a literal value: (span of the value, option).
    pub password_options: Vec<(Range<usize>, String)>,
    /// ConfigMap a Kubernetes config file comes from, until resolved: (name, key).
    pub pending_config_map: Option<(String, String)>,
}

/// A Kubernetes Service.
#[derive(Debug, Clone)]
pub struct KubeService {
    pub file: FileId,
    pub name: String,
    pub namespace: Option<String>,
    pub selector: Vec<(String, String)>,
    /// What exposes it outside the cluster (type LoadBalancer/NodePort, externalIPs) and where.
    pub exposed: Option<(Range<usize>, String)>,
}

/// A ConfigMap key holding a `|` block.
#[derive(Debug, Clone)]
pub struct ConfigMapKey {
    pub name: String,
    pub namespace: Option<String>,
    pub key: String,
    pub source: ConfigSource,
}

/// A compose service that is not Redis but may hold a client: the folders of the repository it
/// runs (its `build` context, its bind mounts) and its `environment`, which wins over the app's
/// own `.env` (a variable set in the container is not overwritten by phpdotenv or
/// python-dotenv).
#[derive(Debug, Clone)]
pub struct AppService {
    pub name: String,
    pub folders: Vec<PathBuf>,
    /// name -> (value after interpolation, span of the value, whether the span is the value).
    pub env: HashMap<String, (String, Range<usize>, bool)>,
}

/// What one compose file or manifest holds.
#[derive(Debug, Clone)]
pub struct DeployFile {
    pub file: FileId,
    pub platform: Platform,
    pub error: Option<YamlError>,
    /// A command that cannot be split (DC001): span and message.
    pub problems: Vec<(Range<usize>, String)>,
    pub workloads: Vec<Deployed>,
    pub services: Vec<KubeService>,
    pub config_maps: Vec<ConfigMapKey>,
    /// Secret spans found (passwords on command lines and in variables).
    pub secrets: Vec<Range<usize>>,
    /// ConfigMaps a kustomization generates from files: (name, namespace, key, file path),
    /// read into `config_maps` by whoever can read files (`load_generated`).
    pub generated: Vec<(String, Option<String>, String, PathBuf)>,
    /// Compose services that may run an app (compose files only).
    pub apps: Vec<AppService>,
}

impl DeployFile {
    /// A file of `platform` as parsed, before its services and workloads are read.
    fn parsed(file: FileId, platform: Platform, bytes: &[u8], stream: &yaml::Stream) -> DeployFile {
        DeployFile {
            file,
            platform,
            error: stream.error.clone(),
            problems: Vec::new(),
            workloads: Vec::new(),
            services: Vec::new(),
            config_maps: Vec::new(),
            secrets: yaml_secrets(bytes, &stream.documents),
            generated: Vec::new(),
            apps: Vec::new(),
        }
    }
}

/// The image family by its reference (`registry/owner/name:tag@digest`).
pub fn image_kind(image: &str) -> Option<ImageKind> {
    let without_digest = image.split('@').next().unwrap_or(image);
    // The tag is after the last `:` that follows the last `/` (a registry port has a `/` after).
    let name = match without_digest.rfind(':') {
        Some(colon) if !without_digest[colon..].contains('/') => &without_digest[..colon],
        _ => without_digest,
    };
    let name = name.to_ascii_lowercase();
    let path: Vec<&str> = name.split('/').collect();
    let last = *path.last()?;
    let owner = if path.len() >= 2 {
        path[path.len() - 2]
    } else {
        "library"
    };
    match (owner, last) {
        ("library", "redis") | (_, "redis") if owner != "bitnami" => Some(ImageKind::Official),
        ("redis", l) if l.starts_with("redis-stack") => Some(ImageKind::Official),
        ("valkey", l) if l.starts_with("valkey") => Some(ImageKind::Official),
        ("library", "valkey") => Some(ImageKind::Official),
        ("bitnami", "redis") => Some(ImageKind::Bitnami),
        _ => None,
    }
}

/// Compose interpolation of one value: `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:?e}`,
/// `${VAR?e}`, `$VAR`, `$$`. A variable the project's `.env` does not hold is kept as written
/// (a placeholder: unknown). Returns the text and whether it differs from the input.
pub fn interpolate(text: &str, env: &HashMap<String, String>) -> String {
    if !text.contains('$') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            let next = text[i..].find('$').map_or(text.len(), |p| i + p);
            out.push_str(&text[i..next]);
            i = next;
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'$') => {
                out.push('$');
                i += 2;
            }
            Some(b'{') => {
                let Some(close) = text[i..].find('}').map(|p| i + p) else {
                    out.push_str(&text[i..]);
                    break;
                };
                let inner = &text[i + 2..close];
                let name_end = inner
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(inner.len());
                let (name, rest) = inner.split_at(name_end);
                let value = env.get(name);
                // A variable `.env` does not set takes its default, which is what runs when
                // the deployer sets nothing; an empty default means the deployer must set it:
                // unknown.
                let replaced = if let Some(default) = rest.strip_prefix(":-") {
                    match value {
                        Some(v) if !v.is_empty() => Some(v.clone()),
                        Some(_) => Some(interpolate(default, env)),
                        None if default.is_empty() => None,
                        None => Some(interpolate(default, env)),
                    }
                } else if let Some(default) = rest.strip_prefix('-') {
                    match value {
                        Some(v) => Some(v.clone()),
                        None if default.is_empty() => None,
                        None => Some(interpolate(default, env)),
                    }
                } else if rest.is_empty() || rest.starts_with(":?") || rest.starts_with('?') {
                    value.cloned()
                } else {
                    None
                };
                match replaced {
                    Some(v) => out.push_str(&v),
                    None => out.push_str(&text[i..=close]),
                }
                i = close + 1;
            }
            Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
                let end = text[i + 1..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map_or(text.len(), |p| i + 1 + p);
                match env.get(&text[i + 1..end]) {
                    Some(v) => out.push_str(v),
                    None => out.push_str(&text[i..end]),
                }
                i = end;
            }
            _ => {
                out.push('$');
                i += 1;
            }
        }
    }
    out
}

/// A compose project's `.env`: `KEY=VALUE` lines, `export` and quotes as compose's dotenv
/// reads them (enough for the values a Redis service uses).
pub fn read_dotenv(bytes: &[u8]) -> HashMap<String, String> {
    let mut env = HashMap::new();
    for line in String::from_utf8_lossy(bytes).lines() {
        let line = line.trim();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let value = if let Some(q) = value
            .strip_prefix('"')
            .and_then(|v| v.rfind('"').map(|e| &v[..e]))
        {
            q.replace("\\n", "\n").replace("\\\"", "\"")
        } else if let Some(q) = value
            .strip_prefix('\'')
            .and_then(|v| v.rfind('\'').map(|e| &v[..e]))
        {
            q.to_string()
        } else {
            value
                .split(" #")
                .next()
                .unwrap_or_default()
                .trim()
                .to_string()
        };
        env.insert(key.trim().to_string(), value);
    }
    env
}

/// Split a command string as a POSIX shell splits words (quotes, backslashes; no expansion):
/// tokens with their byte ranges in `text`. None for an unterminated quote.
pub fn shell_split(text: &str) -> Option<Vec<(String, Range<usize>, bool)>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() {
            return Some(out);
        }
        let start = i;
        let mut word: Vec<u8> = Vec::new();
        let mut quoted = false;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            match bytes[i] {
                b'\'' => {
                    quoted = true;
                    let end = i + 1 + bytes[i + 1..].iter().position(|&b| b == b'\'')?;
                    word.extend_from_slice(&bytes[i + 1..end]);
                    i = end + 1;
                }
                b'"' => {
                    quoted = true;
                    i += 1;
                    loop {
                        match bytes.get(i)? {
                            b'"' => break,
                            b'\\'
                                if matches!(bytes.get(i + 1), Some(b'"' | b'\\' | b'$' | b'`')) =>
                            {
                                word.push(bytes[i + 1]);
                                i += 2;
                            }
                            &b => {
                                word.push(b);
                                i += 1;
                            }
                        }
                    }
                    i += 1;
                }
                b'\\' if i + 1 < bytes.len() => {
                    quoted = true;
                    word.push(bytes[i + 1]);
                    i += 2;
                }
                b => {
                    word.push(b);
                    i += 1;
                }
            }
        }
        out.push((
            String::from_utf8_lossy(&word).into_owned(),
            start..i,
            !quoted,
        ));
    }
}

/// The tokens of one YAML value that is a command: a string (split as compose splits it) or a
/// list. A token is exact when its text is in the file at its span.
fn command_tokens(
    node: &Node,
    bytes: &[u8],
    env: &HashMap<String, String>,
    platform: Platform,
) -> Result<Vec<Token>, String> {
    let scalar_tokens = |n: &Node| -> Option<Token> {
        let text = n.as_str()?;
        let value = match platform {
            Platform::Compose => interpolate(text, env),
            Platform::Kubernetes => text.to_string(),
        };
        let exact = value == text && n.text_offset(bytes).is_some();
        let span = match n.text_offset(bytes) {
            Some(at) if exact => at..at + text.len(),
            _ => n.span.clone(),
        };
        Some(Token { value, span, exact })
    };
    if let Some(items) = node.as_seq() {
        return Ok(items.iter().filter_map(scalar_tokens).collect());
    }
    let Some(text) = node.as_str() else {
        return Ok(Vec::new());
    };
    if node.is_null() {
        return Ok(Vec::new());
    }
    let value = match platform {
        Platform::Compose => interpolate(text, env),
        Platform::Kubernetes => text.to_string(),
    };
    let offset = node.text_offset(bytes).filter(|_| value == text);
    let words = shell_split(&value)
        .ok_or_else(|| "the command has an unterminated quote: it cannot be split".to_string())?;
    Ok(words
        .into_iter()
        .map(|(word, range, plain)| match offset {
            Some(at) => Token {
                value: word,
                span: at + range.start..at + range.end,
                exact: plain,
            },
            None => Token {
                value: word,
                span: node.span.clone(),
                exact: false,
            },
        })
        .collect())
}

fn is_shell(program: &str) -> bool {
    matches!(
        program.rsplit('/').next().unwrap_or(program),
        "sh" | "bash" | "ash" | "dash" | "zsh"
    )
}

fn is_server(program: &str) -> bool {
    matches!(
        program.rsplit('/').next().unwrap_or(program),
        "redis-server" | "valkey-server" | "redis-stack-server"
    )
}

/// The argv the container runs, unwrapped from `sh -c "..."`: the tokens from redis-server on
/// (the program first), or None when it does not run redis-server.
fn server_argv(argv: Vec<Token>) -> Result<Option<Vec<Token>>, String> {
    if argv.len() >= 3
        && is_shell(&argv[0].value)
        && argv[1].value.starts_with('-')
        && argv[1].value.contains('c')
    {
        let script = &argv[2];
        // The statement of the script that starts redis-server (after `exec`, `&&`, `;`).
        let text = script.value.as_str();
        for statement in text.split(['\n', ';', '&', '|']) {
            let Some(words) = shell_split(statement.trim()) else {
                continue;
            };
            let Some(at) = words.iter().position(|(w, _, _)| is_server(w)) else {
                continue;
            };
            let base = statement.as_ptr() as usize - text.as_ptr() as usize
                + (statement.len() - statement.trim_start().len());
            let tokens = words[at..]
                .iter()
                .map(|(w, r, plain)| {
                    if script.exact {
                        Token {
                            value: w.clone(),
                            span: script.span.start + base + r.start
                                ..script.span.start + base + r.end,
                            exact: *plain,
                        }
                    } else {
                        Token {
                            value: w.clone(),
                            span: script.span.clone(),
                            exact: false,
                        }
                    }
                })
                .collect();
            return Ok(Some(tokens));
        }
        return Ok(None);
    }
    Ok(argv
        .iter()
        .position(|t| is_server(&t.value))
        .filter(|&at| at == 0 || argv[..at].iter().all(|t| !t.value.contains("sentinel")))
        .map(|at| argv[at..].to_vec()))
}

/// The command-line options after the config file, as redis-server turns them into config
/// lines (`main()` in server.c): each `--name` starts a line, the arguments after it are its
/// values; a lone `--save` is `save ""`.
fn option_directives(doc: &Document, tokens: &[Token]) -> Vec<Directive> {
    let mut out: Vec<Directive> = Vec::new();
    let line_of = |offset: usize| doc.line_index(offset);
    for (i, t) in tokens.iter().enumerate() {
        let starts =
            t.value.starts_with("--") && out.last().is_none_or(|d: &Directive| d.args.len() > 1);
        if starts || out.is_empty() {
            let name = t.value.trim_start_matches("--");
            let name_span = if t.exact {
                t.span.start + (t.value.len() - name.len())..t.span.end
            } else {
                t.span.clone()
            };
            // `"--port 6380"` in one argument: its words.
            let mut words = name.split_ascii_whitespace();
            let first = words.next().unwrap_or_default().to_string();
            let mut args = vec![Arg {
                value: first.into_bytes(),
                span: name_span.clone(),
            }];
            args.extend(words.map(|w| Arg {
                value: w.as_bytes().to_vec(),
                span: name_span.clone(),
            }));
            let lone_save = args.len() == 1
                && args[0].value.eq_ignore_ascii_case(b"save")
                && tokens.get(i + 1).is_none_or(|n| n.value.starts_with("--"));
            if lone_save {
                args.push(Arg {
                    value: Vec::new(),
                    span: name_span.clone(),
                });
            }
            out.push(Directive {
                line: line_of(t.span.start),
                span: t.span.clone(),
                args,
            });
        } else if let Some(d) = out.last_mut() {
            d.args.push(Arg {
                value: t.value.clone().into_bytes(),
                span: t.span.clone(),
            });
            if line_of(t.span.start) == d.line {
                d.span.end = d.span.end.max(t.span.end);
            }
        }
    }
    out
}

fn directive(doc: &Document, span: &Range<usize>, words: &[&str]) -> Directive {
    directive_at(
        doc,
        words
            .iter()
            .map(|w| (w.to_string(), span.clone()))
            .collect(),
    )
}

fn directive_at(doc: &Document, args: Vec<(String, Range<usize>)>) -> Directive {
    let start = args.first().map_or(0, |a| a.1.start);
    let end = args.iter().map(|a| a.1.end).max().unwrap_or(start);
    Directive {
        line: doc.line_index(start),
        span: start..end,
        args: args
            .into_iter()
            .map(|(v, span)| Arg {
                value: v.into_bytes(),
                span,
            })
            .collect(),
    }
}

/// `environment:` as a map or a `KEY=VALUE` list: name -> (value, span of the value, exact).
fn environment(
    node: Option<&Node>,
    bytes: &[u8],
    env: &HashMap<String, String>,
) -> HashMap<String, (String, Range<usize>, bool)> {
    let mut out = HashMap::new();
    let Some(node) = node else { return out };
    if let Some(entries) = node.as_map() {
        for (k, v) in entries {
            let (Some(key), Some(text)) = (k.as_str(), v.as_str()) else {
                continue;
            };
            let value = interpolate(text, env);
            let exact = value == text && v.text_offset(bytes).is_some();
            let span = match v.text_offset(bytes) {
                Some(at) if exact => at..at + text.len(),
                _ => v.span.clone(),
            };
            out.insert(key.to_string(), (value, span, exact));
        }
    } else if let Some(items) = node.as_seq() {
        for item in items {
            let Some(text) = item.as_str() else { continue };
            let Some((key, raw)) = text.split_once('=') else {
                continue;
            };
            let value = interpolate(raw, env);
            let exact = value == raw && item.text_offset(bytes).is_some();
            let span = match item.text_offset(bytes) {
                Some(at) if exact => at + key.len() + 1..at + text.len(),
                _ => item.span.clone(),
            };
            out.insert(key.to_string(), (value, span, exact));
        }
    }
    out
}

/// Where a file inside the container comes from, through compose `volumes`: the repository
/// path, or None (a named volume, a path outside the tree, no mount at all).
fn compose_mount(service: &Node, container_path: &str, folder: &Path) -> Option<PathBuf> {
    for volume in service.get("volumes")?.as_seq()? {
        let (source, target) = if let Some(text) = volume.as_str() {
            let mut parts = text.splitn(3, ':');
            let source = parts.next()?;
            let Some(target) = parts.next() else { continue };
            (source.to_string(), target.to_string())
        } else {
            let source = volume.get("source").and_then(Node::as_str);
            let target = volume.get("target").and_then(Node::as_str);
            match (source, target) {
                (Some(s), Some(t)) => (s.to_string(), t.to_string()),
                _ => continue,
            }
        };
        if !(source.starts_with('.') || source.starts_with('/') || source.starts_with('~')) {
            continue; // a named volume
        }
        let target = target.trim_end_matches('/');
        let rest = if container_path == target {
            Some("")
        } else {
            container_path
                .strip_prefix(target)
                .and_then(|r| r.strip_prefix('/'))
        };
        if let Some(rest) = rest {
            let base = if Path::new(&source).is_absolute() {
                PathBuf::from(&source)
            } else {
                folder.join(&source)
            };
            return Some(if rest.is_empty() {
                base
            } else {
                base.join(rest)
            });
        }
    }
    None
}

/// Read a compose file: every service that runs redis-server.
pub fn read_compose(sources: &mut Sources, file: FileId) -> DeployFile {
    let path = sources.get(file).path.clone();
    let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let env = sources
        .load(&folder.join(".env"))
        .ok()
        .map(|id| read_dotenv(sources.doc(id).bytes()))
        .unwrap_or_default();
    let bytes = sources.doc(file).bytes().to_vec();
    let stream = yaml::parse(&bytes);
    let mut out = DeployFile::parsed(file, Platform::Compose, &bytes, &stream);
    let Some(services) = stream
        .documents
        .first()
        .and_then(|d| d.get("services"))
        .and_then(Node::as_map)
    else {
        return out;
    };
    for (key, service) in services {
        let Some(name) = key.as_str() else { continue };
        if service.as_map().is_none() {
            continue;
        }
        let image_node = service.get("image");
        let image_text = image_node
            .and_then(Node::as_str)
            .map(|i| interpolate(i, &env));
        let built = service.get("build").is_some();
        let kind = match image_text.as_deref().and_then(image_kind) {
            Some(kind) if !built => Some(kind),
            _ => None,
        };
        let entrypoint = service
            .get("entrypoint")
            .map(|n| command_tokens(n, &bytes, &env, Platform::Compose));
        let command = service
            .get("command")
            .map(|n| command_tokens(n, &bytes, &env, Platform::Compose));
        let (entrypoint, command) = match (entrypoint.transpose(), command.transpose()) {
            (Ok(e), Ok(c)) => (e, c),
            (Err(m), _) | (_, Err(m)) => {
                if kind.is_some() {
                    let span = service
                        .get("command")
                        .or(service.get("entrypoint"))
                        .map_or(key.span.clone(), |n| n.span.clone());
                    out.problems.push((span, m));
                }
                continue;
            }
        };
        let env_vars = environment(service.get("environment"), &bytes, &env);
        if kind.is_none() && !env_vars.is_empty() {
            out.apps.push(AppService {
                name: name.to_string(),
                folders: app_folders(service, &folder, &env),
                env: env_vars.clone(),
            });
        }
        let mut hosts = vec![name.to_string()];
        if let Some(c) = service.get("container_name").and_then(Node::as_str) {
            hosts.push(interpolate(c, &env));
        }
        if let Some(networks) = service.get("networks").and_then(Node::as_map) {
            for (_, network) in networks {
                for alias in network
                    .get("aliases")
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                {
                    if let Some(a) = alias.as_str() {
                        hosts.push(a.to_string());
                    }
                }
            }
        }
        let image_span = image_node.map_or(key.span.clone(), |n| n.span.clone());
        let spec = Launch {
            name: name.to_string(),
            at: key.span.clone(),
            image: kind,
            image_span,
            entrypoint,
            command,
            env: env_vars,
            has_env_file: service.get("env_file").is_some(),
        };
        let Some(mut deployed) = launch(sources, file, &spec, Platform::Compose, &mut out) else {
            continue;
        };
        // The config file through a bind mount.
        if let Some(container_path) = deployed.pending_config_map.take().map(|(_, p)| p) {
            match compose_mount(service, &container_path, &folder).map(|p| sources.load(&p)) {
                Some(Ok(id)) => deployed.config = Some(ConfigSource::File(id)),
                // A config the repository does not hold (baked into the image, a named
                // volume): its settings are unknown, so this service is not judged.
                _ => continue,
            }
        }
        deployed.hosts = hosts;
        deployed.project = folder.clone();
        deployed.ports = published_ports(service, &bytes, &env);
        out.workloads.push(deployed);
    }
    out
}

/// The folders of the repository a compose service runs: its `build` context and the sources
/// of its bind mounts.
fn app_folders(service: &Node, folder: &Path, env: &HashMap<String, String>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let context = match service.get("build") {
        Some(b) => b
            .as_str()
            .or_else(|| b.get("context").and_then(Node::as_str)),
        None => None,
    };
    if let Some(context) = context {
        out.push(folder.join(interpolate(context, env)));
    }
    for volume in service
        .get("volumes")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let source = match volume.as_str() {
            Some(text) => text.split(':').next().map(str::to_string),
            None => volume
                .get("source")
                .and_then(Node::as_str)
                .map(str::to_string),
        };
        if let Some(source) = source.filter(|s| s.starts_with('.')) {
            out.push(folder.join(interpolate(&source, env)));
        }
    }
    out
}

/// `ports:` entries of a compose service, as (container port, entry).
fn published_ports(
    service: &Node,
    bytes: &[u8],
    env: &HashMap<String, String>,
) -> Vec<PublishedPort> {
    let mut out = Vec::new();
    for entry in service
        .get("ports")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        if let Some(text) = entry.as_str() {
            let value = interpolate(text, env);
            let offset = entry.text_offset(bytes).filter(|_| value == text);
            let parts: Vec<&str> = value.split(':').collect();
            // "C", "H:C", "IP:H:C" (IPv6 hosts are bracketed or have more colons).
            let (host_ip, insert) = match parts.len() {
                1 => (None, "127.0.0.1::"),
                2 => (None, "127.0.0.1:"),
                _ => (Some(parts[..parts.len() - 2].join(":")), ""),
            };
            out.push(PublishedPort {
                span: entry.span.clone(),
                insert_at: match (&host_ip, offset, entry.style()) {
                    (
                        None,
                        Some(at),
                        Some(Style::Plain | Style::DoubleQuoted | Style::SingleQuoted),
                    ) => Some((at, insert)),
                    _ => None,
                },
                text: value.clone(),
            });
            let _ = host_ip;
        } else if entry.as_map().is_some() {
            let host_ip = entry.get("host_ip").and_then(Node::as_str).unwrap_or("");
            let target = entry.get("target").and_then(Node::as_str).unwrap_or("");
            let published = entry.get("published").and_then(Node::as_str).unwrap_or("");
            let text = if host_ip.is_empty() {
                format!("{published}:{target}")
            } else {
                format!("{host_ip}:{published}:{target}")
            };
            out.push(PublishedPort {
                span: entry.span.clone(),
                insert_at: None,
                text,
            });
        }
    }
    out
}

/// Container port and host address of a `ports` entry text (`[IP:][HOST:]CONTAINER[/proto]`).
pub fn port_parts(text: &str) -> (Option<String>, String) {
    let text = text.split('/').next().unwrap_or(text);
    let (host, container) = match text.rfind(':') {
        Some(p) => (Some(&text[..p]), &text[p + 1..]),
        None => (None, text),
    };
    let ip = host.and_then(|h| {
        h.rfind(':')
            .map(|p| h[..p].trim_matches(['[', ']']).to_string())
    });
    (ip, container.to_string())
}

struct Launch {
    name: String,
    at: Range<usize>,
    image: Option<ImageKind>,
    image_span: Range<usize>,
    entrypoint: Option<Vec<Token>>,
    command: Option<Vec<Token>>,
    env: HashMap<String, (String, Range<usize>, bool)>,
    has_env_file: bool,
}

/// The server a container starts, from its image, entrypoint, command and variables; None when
/// it does not run redis-server (a client, Sentinel, an exporter) or cannot be known.
fn launch(
    sources: &Sources,
    file: FileId,
    spec: &Launch,
    platform: Platform,
    out: &mut DeployFile,
) -> Option<Deployed> {
    let doc = sources.doc(file);
    let image_token = |v: &str| Token {
        value: v.to_string(),
        span: spec.image_span.clone(),
        exact: false,
    };
    // The argv: entrypoint + command (an entrypoint set here drops the image's CMD).
    let mut argv: Vec<Token> = Vec::new();
    let custom_entrypoint = spec.entrypoint.is_some();
    if let Some(e) = &spec.entrypoint {
        argv.extend(e.iter().cloned());
    }
    match (&spec.command, custom_entrypoint, spec.image) {
        (Some(c), _, _) => argv.extend(c.iter().cloned()),
        (None, false, Some(ImageKind::Official | ImageKind::Other)) => {
            argv.push(image_token("redis-server"))
        }
        (None, false, Some(ImageKind::Bitnami)) => {
            argv.push(image_token("/opt/bitnami/scripts/redis/run.sh"))
        }
        _ => {}
    }
    let image = spec.image.unwrap_or(ImageKind::Other);
    // Bitnami's default command: its run.sh writes the config from the variables.
    let bitnami_run = image == ImageKind::Bitnami
        && argv
            .iter()
            .any(|t| t.value.ends_with("/run.sh") || t.value == "run.sh");
    let mut defaults = Vec::new();
    let mut editable = Vec::new();
    let mut password_options = Vec::new();
    let options: Vec<Directive>;
    let mut config_path = None;
    if bitnami_run {
        let env = &spec.env;
        let password = env.get("REDIS_PASSWORD");
        let allow_empty = env
            .get("ALLOW_EMPTY_PASSWORD")
            .is_some_and(|(v, _, _)| v.eq_ignore_ascii_case("yes"));
        if password.is_none_or(|(v, _, _)| v.is_empty())
            && !allow_empty
            && !spec.has_env_file
            && !env.contains_key("REDIS_PASSWORD_FILE")
        {
            // run.sh refuses to start: nothing listens.
            return None;
        }
        defaults.push(directive(doc, &spec.image_span, &["bind", "0.0.0.0", "::"]));
        defaults.push(directive(doc, &spec.image_span, &["save", ""]));
        let aof = env.get("REDIS_AOF_ENABLED");
        match aof {
            Some((v, span, exact)) => {
                if *exact {
                    editable.push(span.clone());
                }
                defaults.push(directive_at(
                    doc,
                    vec![
                        ("appendonly".into(), span.clone()),
                        (v.to_ascii_lowercase(), span.clone()),
                    ],
                ))
            }
            None => defaults.push(directive(doc, &spec.image_span, &["appendonly", "yes"])),
        }
        match (password, env.get("REDIS_PASSWORD_FILE")) {
            (Some((v, span, _)), _) if !v.is_empty() => {
                out.secrets.push(span.clone());
                defaults.push(directive_at(
                    doc,
                    vec![
                        ("requirepass".into(), span.clone()),
                        (v.clone(), span.clone()),
                    ],
                ));
            }
            (_, Some((_, span, _))) => defaults.push(directive_at(
                doc,
                vec![
                    ("requirepass".into(), span.clone()),
                    ("${REDIS_PASSWORD_FILE}".into(), span.clone()),
                ],
            )),
            _ if spec.has_env_file && !allow_empty => defaults.push(directive_at(
                doc,
                vec![
                    ("requirepass".into(), spec.image_span.clone()),
                    ("${REDIS_PASSWORD}".into(), spec.image_span.clone()),
                ],
            )),
            _ => defaults.push(directive(doc, &spec.image_span, &["protected-mode", "no"])),
        }
        if let Some((v, span, _)) = env.get("REDIS_DISABLE_COMMANDS") {
            for command in v.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                defaults.push(directive_at(
                    doc,
                    vec![
                        ("rename-command".into(), span.clone()),
                        (command.to_string(), span.clone()),
                        (String::new(), span.clone()),
                    ],
                ));
            }
        }
        options = Vec::new();
    } else {
        // The official entrypoint gives the server an argv that starts with an option or a
        // `.conf` file.
        let first_is_server_arg = argv
            .first()
            .is_some_and(|t| t.value.starts_with('-') || t.value.ends_with(".conf"));
        let argv = if image == ImageKind::Official && !custom_entrypoint && first_is_server_arg {
            let mut v = vec![image_token("redis-server")];
            v.extend(argv);
            v
        } else {
            argv
        };
        let server = match server_argv(argv) {
            Ok(Some(server)) => server,
            _ => return None,
        };
        if spec.image.is_none() && !is_server(&server[0].value) {
            return None;
        }
        if server
            .iter()
            .any(|t| t.value == "--sentinel" || t.value.ends_with("sentinel.conf"))
        {
            return None;
        }
        let mut rest = &server[1..];
        if let Some(first) = rest.first() {
            if !first.value.starts_with('-') {
                config_path = Some(first.value.clone());
                rest = &rest[1..];
            }
        }
        if image == ImageKind::Official {
            defaults.push(directive(doc, &spec.image_span, &["protected-mode", "no"]));
        }
        options = option_directives(doc, rest);
        for t in rest {
            if t.exact {
                editable.push(t.span.clone());
            }
        }
        for d in &options {
            let name = d.args[0].value.to_ascii_lowercase();
            if name == b"requirepass" || name == b"masterauth" {
                for value in &d.args[1..] {
                    out.secrets.push(value.span.clone());
                    let text = String::from_utf8_lossy(&value.value);
                    if !value.value.is_empty()
                        && !crate::secret::is_placeholder(&value.value)
                        && !text.contains("$(")
                    {
                        password_options.push((
                            value.span.clone(),
                            String::from_utf8_lossy(&name).into_owned(),
                        ));
                    }
                }
            }
        }
    }
    let _ = platform;
    Some(Deployed {
        file,
        platform,
        name: spec.name.clone(),
        at: spec.at.clone(),
        image,
        defaults,
        config: None,
        options,
        editable,
        ports: Vec::new(),
        hosts: Vec::new(),
        project: PathBuf::new(),
        labels: Vec::new(),
        namespace: None,
        password_options,
        pending_config_map: config_path.map(|p| (String::new(), p)),
    })
}

/// The lines of a `|` block scalar: from the line after its indicator to its last content
/// line, and their indentation.
fn block_lines(doc: &Document, key: &Node, node: &Node) -> Option<(Range<usize>, Vec<u8>)> {
    if node.style() != Some(Style::Literal) {
        return None;
    }
    // The content starts on the line after the `|` indicator (the parser's span may start at
    // the indicator or at the content).
    let between = doc
        .bytes()
        .get(key.span.end..node.span.start.max(key.span.end))?;
    let indicator = match between.iter().rposition(|&b| b == b'|') {
        Some(p) => key.span.end + p,
        None => {
            doc.bytes()[node.span.clone()]
                .iter()
                .position(|&b| b == b'|')?
                + node.span.start
        }
    };
    let first = doc.line_index(indicator) + 1;
    let last = doc.line_index(node.span.end.max(node.span.start + 1) - 1) + 1;
    let blank = |i: usize| doc.line_bytes(i).iter().all(|b| b.is_ascii_whitespace());
    let indent: Vec<u8> = (first..last.min(doc.line_count()))
        .find(|&i| !blank(i))
        .map(|i| doc.line_bytes(i))?
        .iter()
        .take_while(|&&b| b == b' ')
        .copied()
        .collect();
    if indent.is_empty() {
        return None;
    }
    // The block ends at its span, or before the first line indented less than it (a comment
    // there is a YAML comment, not a line of the block).
    let mut end = first;
    while end < last.min(doc.line_count())
        && (blank(end) || doc.line_bytes(end).starts_with(&indent))
    {
        end += 1;
    }
    while end > first && blank(end - 1) {
        end -= 1;
    }
    if end <= first {
        return None;
    }
    Some((first..end, indent))
}

fn pairs(node: Option<&Node>) -> Vec<(String, String)> {
    node.and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
        .collect()
}

/// Read a Kubernetes manifest: workloads whose containers run redis-server, Services and
/// ConfigMaps (resolved across the run's manifests by `resolve_config_maps`).
pub fn read_kubernetes(sources: &Sources, file: FileId) -> DeployFile {
    let bytes = sources.doc(file).bytes().to_vec();
    let doc = sources.doc(file);
    let stream = yaml::parse(&bytes);
    let mut out = DeployFile::parsed(file, Platform::Kubernetes, &bytes, &stream);
    let none = HashMap::new();
    // A `List` holds its objects under `items`.
    let mut objects: Vec<&Node> = Vec::new();
    for document in &stream.documents {
        match document.get("items").and_then(Node::as_seq) {
            Some(items) if document.get("kind").and_then(Node::as_str) == Some("List") => {
                objects.extend(items)
            }
            _ => objects.push(document),
        }
    }
    for object in objects {
        let kind = object.get("kind").and_then(Node::as_str).unwrap_or("");
        let metadata = object.get("metadata");
        let name = metadata
            .and_then(|m| m.get("name"))
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        let namespace = metadata
            .and_then(|m| m.get("namespace"))
            .and_then(Node::as_str)
            .map(str::to_string);
        match kind {
            "Kustomization" => {
                // `configMapGenerator: [{name, files: [redis.conf, key=path]}]`: kustomize
                // makes a ConfigMap of each file (the name's hash suffix is rewritten in the
                // references too).
                let folder = sources
                    .get(file)
                    .path
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                for generator in object
                    .get("configMapGenerator")
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                {
                    let Some(map_name) = generator.get("name").and_then(Node::as_str) else {
                        continue;
                    };
                    let map_namespace = generator
                        .get("namespace")
                        .and_then(Node::as_str)
                        .map(str::to_string)
                        .or(namespace.clone());
                    for entry in generator
                        .get("files")
                        .and_then(Node::as_seq)
                        .unwrap_or_default()
                    {
                        let Some(text) = entry.as_str() else { continue };
                        let (key, path) = match text.split_once('=') {
                            Some((k, p)) => (k.to_string(), p),
                            None => (
                                Path::new(text)
                                    .file_name()
                                    .map(|n| n.to_string_lossy().into_owned())
                                    .unwrap_or_default(),
                                text,
                            ),
                        };
                        out.generated.push((
                            map_name.to_string(),
                            map_namespace.clone(),
                            key,
                            folder.join(path),
                        ));
                    }
                }
            }
            "ConfigMap" => {
                for (k, v) in object
                    .get("data")
                    .and_then(Node::as_map)
                    .unwrap_or_default()
                {
                    let (Some(key), Some((lines, indent))) = (k.as_str(), block_lines(doc, k, v))
                    else {
                        continue;
                    };
                    out.config_maps.push(ConfigMapKey {
                        name: name.clone(),
                        namespace: namespace.clone(),
                        key: key.to_string(),
                        source: ConfigSource::Block {
                            file,
                            lines,
                            indent,
                        },
                    });
                }
            }
            "Service" => {
                let spec = object.get("spec");
                let kind_node = spec.and_then(|s| s.get("type"));
                let exposed = match kind_node.and_then(Node::as_str) {
                    Some(t @ ("LoadBalancer" | "NodePort")) => {
                        Some((kind_node.unwrap().span.clone(), format!("type `{t}`")))
                    }
                    _ => spec
                        .and_then(|s| s.get("externalIPs"))
                        .filter(|n| n.as_seq().is_some_and(|s| !s.is_empty()))
                        .map(|n| (n.span.clone(), "`externalIPs`".to_string())),
                };
                out.services.push(KubeService {
                    file,
                    name: name.clone(),
                    namespace: namespace.clone(),
                    selector: pairs(spec.and_then(|s| s.get("selector"))),
                    exposed,
                });
            }
            "Pod"
            | "Deployment"
            | "StatefulSet"
            | "DaemonSet"
            | "ReplicaSet"
            | "ReplicationController"
            | "Job"
            | "CronJob" => {
                let template = match kind {
                    "Pod" => Some(object),
                    "CronJob" => object
                        .get("spec")
                        .and_then(|s| s.get("jobTemplate"))
                        .and_then(|j| j.get("spec"))
                        .and_then(|s| s.get("template")),
                    _ => object.get("spec").and_then(|s| s.get("template")),
                };
                let Some(template) = template else { continue };
                let labels = pairs(template.get("metadata").and_then(|m| m.get("labels")));
                let Some(pod) = template.get("spec") else {
                    continue;
                };
                let volumes = pod
                    .get("volumes")
                    .and_then(Node::as_seq)
                    .unwrap_or_default();
                for container in pod
                    .get("containers")
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                {
                    let cname = container
                        .get("name")
                        .and_then(Node::as_str)
                        .unwrap_or("")
                        .to_string();
                    let image_node = container.get("image");
                    let image = image_node.and_then(Node::as_str).and_then(image_kind);
                    let tokens = |key: &str| {
                        container
                            .get(key)
                            .map(|n| command_tokens(n, &bytes, &none, Platform::Kubernetes))
                            .transpose()
                    };
                    let (command, args) = match (tokens("command"), tokens("args")) {
                        (Ok(c), Ok(a)) => (c, a),
                        _ => continue,
                    };
                    let env_vars = environment_k8s(container.get("env"), &bytes);
                    let at = container
                        .get("name")
                        .map_or(object.span.clone(), |n| n.span.clone());
                    // Kubernetes: `command` replaces the entrypoint, `args` the CMD.
                    let spec = Launch {
                        name: format!("{name}/{cname}"),
                        at,
                        image,
                        image_span: image_node.map_or(object.span.clone(), |n| n.span.clone()),
                        entrypoint: command,
                        command: args,
                        env: env_vars,
                        has_env_file: container.get("envFrom").is_some(),
                    };
                    let Some(mut deployed) =
                        launch(sources, file, &spec, Platform::Kubernetes, &mut out)
                    else {
                        continue;
                    };
                    if let Some((_, path)) = deployed.pending_config_map.take() {
                        match config_map_of(container, volumes, &path) {
                            Some(reference) => deployed.pending_config_map = Some(reference),
                            None => continue,
                        }
                    }
                    deployed.labels = labels.clone();
                    deployed.namespace = namespace.clone();
                    deployed.hosts = vec![name.clone()];
                    out.workloads.push(deployed);
                }
            }
            _ => {}
        }
    }
    out
}

/// Container `env`: literal values only (`valueFrom` is unknown: a placeholder).
fn environment_k8s(
    node: Option<&Node>,
    bytes: &[u8],
) -> HashMap<String, (String, Range<usize>, bool)> {
    let mut out = HashMap::new();
    for item in node.and_then(Node::as_seq).unwrap_or_default() {
        let Some(name) = item.get("name").and_then(Node::as_str) else {
            continue;
        };
        match item.get("value") {
            Some(v) => {
                let text = v.as_str().unwrap_or("").to_string();
                let exact = v.text_offset(bytes).is_some();
                let span = v
                    .text_offset(bytes)
                    .map_or(v.span.clone(), |at| at..at + text.len());
                out.insert(name.to_string(), (text, span, exact));
            }
            None => {
                out.insert(
                    name.to_string(),
                    (format!("$({name})"), item.span.clone(), false),
                );
            }
        }
    }
    out
}

/// The ConfigMap (name, key) mounted at `path` in this container.
fn config_map_of(container: &Node, volumes: &[Node], path: &str) -> Option<(String, String)> {
    for mount in container.get("volumeMounts")?.as_seq()? {
        let mount_path = mount.get("mountPath")?.as_str()?.trim_end_matches('/');
        let volume_name = mount.get("name")?.as_str()?;
        let sub_path = mount.get("subPath").and_then(Node::as_str);
        let file_in_volume = match sub_path {
            Some(sub) if path == mount_path => sub.to_string(),
            None => match path
                .strip_prefix(mount_path)
                .and_then(|r| r.strip_prefix('/'))
            {
                Some(rest) => rest.to_string(),
                None => continue,
            },
            _ => continue,
        };
        let volume = volumes
            .iter()
            .find(|v| v.get("name").and_then(Node::as_str) == Some(volume_name))?;
        let config_map = volume.get("configMap")?;
        let map_name = config_map.get("name")?.as_str()?;
        // `items` map keys to paths.
        let key = config_map
            .get("items")
            .and_then(Node::as_seq)
            .and_then(|items| {
                items.iter().find_map(|i| {
                    (i.get("path")?.as_str()? == file_in_volume)
                        .then(|| i.get("key")?.as_str().map(str::to_string))?
                })
            })
            .unwrap_or(file_in_volume);
        return Some((map_name.to_string(), key));
    }
    None
}

/// Read the files kustomizations generate ConfigMaps from (inside the audited tree only).
pub fn load_generated(sources: &mut Sources, files: &mut [DeployFile]) {
    for f in files.iter_mut() {
        for (name, namespace, key, path) in std::mem::take(&mut f.generated) {
            if let Ok(id) = sources.load(&path) {
                f.config_maps.push(ConfigMapKey {
                    name,
                    namespace,
                    key,
                    source: ConfigSource::File(id),
                });
            }
        }
    }
}

/// Give each Kubernetes workload the ConfigMap block its config file comes from; a workload
/// whose config is not in the audited manifests is dropped (its settings are unknown).
pub fn resolve_config_maps(files: &mut [DeployFile]) {
    // By (name, key): a look-up per workload, not a scan of every ConfigMap.
    let mut maps: HashMap<(String, String), Vec<ConfigMapKey>> = HashMap::new();
    for m in files.iter().flat_map(|f| f.config_maps.iter()) {
        maps.entry((m.name.clone(), m.key.clone()))
            .or_default()
            .push(m.clone());
    }
    for f in files.iter_mut() {
        f.workloads
            .retain_mut(|w| match w.pending_config_map.take() {
                None => true,
                Some(reference) => {
                    let found = maps.get(&reference).and_then(|candidates| {
                        candidates.iter().find(|m| {
                            m.namespace.is_none()
                                || w.namespace.is_none()
                                || m.namespace == w.namespace
                        })
                    });
                    match found {
                        Some(m) => {
                            w.config = Some(m.source.clone());
                            true
                        }
                        None => false,
                    }
                }
            });
    }
}

/// The secret spans of a YAML stream, whatever it deploys: values of keys that name a secret
/// (`POSTGRES_PASSWORD: ...`, `- REDIS_PASSWORD=...`), every value of a Kubernetes Secret's
/// `data`/`stringData`, and the user info and password parameters of URLs.
pub fn yaml_secrets(bytes: &[u8], documents: &[Node]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let scalar_secret = |node: &Node, out: &mut Vec<Range<usize>>| {
        let Some(text) = node.as_str() else { return };
        if text.is_empty() || crate::secret::is_placeholder(text.as_bytes()) {
            return;
        }
        match node.text_offset(bytes) {
            Some(at) => out.push(at..at + text.len()),
            None => out.push(node.span.clone()),
        }
    };
    for document in documents {
        // (node, every scalar under it is a secret)
        let mut todo: Vec<(&Node, bool)> = vec![(document, false)];
        while let Some((node, all)) = todo.pop() {
            match &node.value {
                yaml::Value::Scalar(text, _) => {
                    if all {
                        scalar_secret(node, &mut out);
                        continue;
                    }
                    if let Some((key, _)) = text.split_once('=') {
                        if crate::syntax::url::is_secret_key(key.trim()) {
                            match node.text_offset(bytes) {
                                Some(at) if text.len() > key.len() + 1 => {
                                    out.push(at + key.len() + 1..at + text.len())
                                }
                                Some(_) => {}
                                None => out.push(node.span.clone()),
                            }
                        }
                    }
                    if text.contains("://") {
                        match node.text_offset(bytes) {
                            Some(at) => {
                                out.extend(crate::syntax::url::secret_ranges(text.as_bytes(), at))
                            }
                            None if text.contains('@') => out.push(node.span.clone()),
                            None => {}
                        }
                    }
                }
                yaml::Value::Seq(items) => todo.extend(items.iter().map(|i| (i, all))),
                yaml::Value::Map(entries) => {
                    // A Secret object at any level (a `List`'s items too), and a Kubernetes
                    // `env` entry whose `name` says password: `{name: REDIS_PASSWORD, value: x}`.
                    let secret_object = node.get("kind").and_then(Node::as_str) == Some("Secret");
                    let secret_env = node
                        .get("name")
                        .and_then(Node::as_str)
                        .is_some_and(crate::syntax::url::is_secret_key);
                    for (k, v) in entries {
                        let key = k.as_str().unwrap_or("");
                        let under_secret = all
                            || (secret_object && matches!(key, "data" | "stringData"))
                            || (secret_env && key == "value" && v.as_str().is_some())
                            || (crate::syntax::url::is_secret_key(key) && v.as_str().is_some());
                        todo.push((v, under_secret));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images() {
        assert_eq!(image_kind("redis"), Some(ImageKind::Official));
        assert_eq!(image_kind("redis:7-alpine"), Some(ImageKind::Official));
        assert_eq!(
            image_kind("docker.io/library/redis:7"),
            Some(ImageKind::Official)
        );
        assert_eq!(image_kind("bitnami/redis:7.2"), Some(ImageKind::Bitnami));
        assert_eq!(image_kind("valkey/valkey:8"), Some(ImageKind::Official));
        assert_eq!(
            image_kind("redis/redis-stack-server:latest"),
            Some(ImageKind::Official)
        );
        assert_eq!(image_kind("oliver006/redis_exporter"), None);
        assert_eq!(image_kind("bitnami/redis-sentinel"), None);
        assert_eq!(
            image_kind("localhost:5000/redis:7"),
            Some(ImageKind::Official)
        );
    }

    #[test]
    fn compose_interpolation() {
        let env: HashMap<String, String> = [
            ("A".to_string(), "x".to_string()),
            ("E".to_string(), String::new()),
        ]
        .into();
        assert_eq!(interpolate("${A}-$A-$$A", &env), "x-x-$A");
        assert_eq!(interpolate("${B:-d}|${E:-d}|${E-d}|${B-d}", &env), "d|d||d");
        assert_eq!(interpolate("${B:-}", &env), "${B:-}");
        assert_eq!(interpolate("${B}", &env), "${B}");
        assert_eq!(interpolate("${A:?need}", &env), "x");
    }

    #[test]
    fn splitting() {
        let words = shell_split(r#"redis-server --requirepass "a b" --save '' x\ y"#).unwrap();
        let values: Vec<&str> = words.iter().map(|w| w.0.as_str()).collect();
        assert_eq!(
            values,
            ["redis-server", "--requirepass", "a b", "--save", "", "x y"]
        );
        assert!(shell_split("redis-server 'open").is_none());
    }

    #[test]
    fn secrets_of_any_service() {
        let text = "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: hunter2\n      X: 1\n  app:\n    environment:\n      - REDIS_PASSWORD=abc\n      - REDIS_URL=redis://:pw@redis:6379/0\n---\nkind: Secret\nstringData:\n  anything: s3\n";
        let stream = yaml::parse(text.as_bytes());
        let secrets: Vec<&str> = yaml_secrets(text.as_bytes(), &stream.documents)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        for want in ["hunter2", "abc", "pw", "s3"] {
            assert!(secrets.contains(&want), "{want}: {secrets:?}");
        }
    }

    #[test]
    fn ports() {
        assert_eq!(port_parts("6379:6379"), (None, "6379".into()));
        assert_eq!(
            port_parts("127.0.0.1:6380:6379/tcp"),
            (Some("127.0.0.1".into()), "6379".into())
        );
        assert_eq!(port_parts("6379"), (None, "6379".into()));
    }
}
