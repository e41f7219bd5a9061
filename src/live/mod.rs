//! Live targets (`check --live`): reading a running server with read-only commands, and the
//! running configuration rendered as a redis.conf document, so that every `RD` rule judges it
//! as it judges a file. Secrets never enter that document: passwords are kept as SHA-256
//! hashes (ACL LIST shows them so), `requirepass` and `masterauth` only as hashes beside it.

pub mod resp;

use resp::{Connection, Reply};
use std::path::PathBuf;
use std::time::Duration;

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The settings read with CONFIG GET and rendered as directives: those the `RD` rules judge.
pub const RENDERED: [&str; 12] = [
    "bind",
    "port",
    "protected-mode",
    "appendonly",
    "appendfsync",
    "maxmemory",
    "maxmemory-policy",
    "save",
    "unixsocket",
    "unixsocketperm",
    "tls-port",
    "activedefrag",
];

/// Secret settings: read, hashed, dropped.
pub const SECRET: [&str; 2] = ["requirepass", "masterauth"];

/// Commands whose presence is read with COMMAND INFO (the `RD4xx` rules judge them).
pub const COMMANDS: [&str; 9] = [
    "flushall", "flushdb", "config", "debug", "keys", "shutdown", "module", "monitor", "save",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    Tcp { host: String, port: u16 },
    Unix(PathBuf),
}

/// A `--live` target, without credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub address: Address,
    pub tls: bool,
    pub user: Option<String>,
    pub db: u32,
    /// How the target is named in reports: the URL without user or password.
    pub display: String,
}

/// Parse a target URL: `redis://[user@]host[:port][/db]`, `rediss://...`, `unix:///path`. A
/// password in it is refused, and the error never repeats the URL.
pub fn parse_target(text: &str) -> Result<Target, String> {
    let (scheme, rest) = text
        .split_once("://")
        .ok_or("a live target is redis://host[:port], rediss://host[:port] or unix:///path")?;
    let scheme = scheme.to_ascii_lowercase();
    // User info is in the authority only (before the first `/`): a socket path may hold `@`.
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (userinfo, rest) = match rest[..authority_end].rsplit_once('@') {
        Some((u, _)) => (Some(u), &rest[u.len() + 1..]),
        None => (None, rest),
    };
    if userinfo.is_some_and(|u| u.contains(':')) {
        return Err("a live target holds a password: it would show in `ps` and CI logs; give it in REDISCLI_AUTH or --password-file".into());
    }
    let user = userinfo.filter(|u| !u.is_empty()).map(percent_decode);
    match scheme.as_str() {
        "unix" => {
            if rest.is_empty() || !rest.starts_with('/') {
                return Err("a unix target is unix:///absolute/path/to/redis.sock".into());
            }
            Ok(Target {
                address: Address::Unix(PathBuf::from(rest)),
                tls: false,
                user,
                db: 0,
                display: format!("unix://{rest}"),
            })
        }
        "redis" | "rediss" => {
            let (hostport, db) = match rest.split_once('/') {
                Some((h, d)) if !d.is_empty() => (
                    h,
                    d.parse::<u32>()
                        .map_err(|_| "the database of a live target is a number".to_string())?,
                ),
                Some((h, _)) => (h, 0),
                None => (rest, 0),
            };
            let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
                let (h, after) = v6.split_once(']').ok_or("an IPv6 host is written [::1]")?;
                (h.to_string(), after.strip_prefix(':'))
            } else {
                match hostport.rsplit_once(':') {
                    Some((h, p)) => (h.to_string(), Some(p)),
                    None => (hostport.to_string(), None),
                }
            };
            if host.is_empty() {
                return Err("a live target names no host".into());
            }
            let port = match port {
                Some(p) => p
                    .parse::<u16>()
                    .map_err(|_| "the port of a live target is a number".to_string())?,
                None => 6379,
            };
            let shown_host = if host.contains(':') {
                format!("[{host}]")
            } else {
                host.clone()
            };
            Ok(Target {
                address: Address::Tcp { host, port },
                tls: scheme == "rediss",
                user,
                db,
                display: format!("{scheme}://{shown_host}:{port}"),
            })
        }
        _ => {
            Err("a live target is redis://host[:port], rediss://host[:port] or unix:///path".into())
        }
    }
}

use crate::syntax::url::percent_decode;

/// What one server told redline.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Settings read (CONFIG GET or INFO), in `RENDERED` order.
    pub settings: Vec<(String, String)>,
    /// SHA-256 of `requirepass` and `masterauth` (`None` when unset), when CONFIG could be read.
    pub secret_hashes: Vec<(String, Option<String>)>,
    /// ACL LIST, when it could be read.
    pub acl: Option<Vec<String>>,
    /// Dangerous commands the server does not know (renamed to "" or never there).
    pub commands_absent: Vec<String>,
    /// Dangerous commands COMMAND INFO answered for (available, perhaps under another name).
    pub commands_present: Vec<String>,
    /// INFO server `redis_version`.
    pub version: Option<String>,
    /// INFO server `config_file`.
    pub config_file: Option<String>,
    /// What could not be read (settings, ACL LIST, COMMAND INFO), each with why.
    pub unread: Vec<(String, String)>,
}

/// A target read for this run: its configuration registered in `Sources` as `file`, and the file
/// of the instance it runs from, when linked.
#[derive(Debug, Clone)]
pub struct LiveTarget {
    pub file: crate::source::FileId,
    pub display: String,
    /// The linked config's path (`live = ...` in redline.toml, `--live TARGET=PATH`).
    pub linked_path: Option<PathBuf>,
    /// The linked config, once the stack is built (the root of an instance).
    pub linked: Option<crate::source::FileId>,
    pub snapshot: Snapshot,
}

pub struct Credentials {
    pub password: Option<Vec<u8>>,
    /// For `rediss://` targets.
    pub tls: Option<std::sync::Arc<rustls::ClientConfig>>,
}

/// A TLS client configuration with ring as its explicitly chosen crypto provider: the server's
/// certificate is checked against the CA certificates of `ca` (PEM), and `cert`+`key` (PEM) are
/// presented when given (redis-server asks for a client certificate by default).
pub fn tls_config(
    ca: &[u8],
    cert: Option<&[u8]>,
    key: Option<&[u8]>,
) -> Result<std::sync::Arc<rustls::ClientConfig>, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let mut roots = rustls::RootCertStore::empty();
    for found in CertificateDer::pem_slice_iter(ca) {
        let der = found.map_err(|e| format!("the CA certificates: {e}"))?;
        roots
            .add(der)
            .map_err(|e| format!("a CA certificate: {e}"))?;
    }
    if roots.is_empty() {
        return Err("no CA certificate found (PEM `BEGIN CERTIFICATE` blocks)".into());
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots);
    let config = match (cert, key) {
        (Some(cert), Some(key)) => {
            let chain = CertificateDer::pem_slice_iter(cert)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("--tls-cert: {e}"))?;
            if chain.is_empty() {
                return Err("--tls-cert: no certificate found".into());
            }
            let key = PrivateKeyDer::from_pem_slice(key).map_err(|e| format!("--tls-key: {e}"))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| format!("--tls-cert/--tls-key: {e}"))?
        }
        (None, None) => builder.with_no_client_auth(),
        _ => return Err("--tls-cert and --tls-key go together".into()),
    };
    Ok(std::sync::Arc::new(config))
}

/// Connect, authenticate and read. `Err` when the server cannot be reached, refuses the
/// password, or answers with something that is not RESP: the message never holds a secret.
/// `config_command` is the name CONFIG answers to (the linked file may rename it).
pub fn read(
    target: &Target,
    credentials: &Credentials,
    timeout: Duration,
    config_command: &str,
) -> Result<Snapshot, String> {
    let mut conn = match (&target.address, target.tls) {
        (Address::Tcp { host, port }, true) => {
            let config = credentials
                .tls
                .clone()
                .ok_or("a rediss:// target needs the CA certificates (--tls-ca)")?;
            Connection::tls(host, *port, timeout, config)?
        }
        (Address::Tcp { host, port }, false) => Connection::tcp(host, *port, timeout)?,
        (Address::Unix(path), _) => Connection::unix(path, timeout)?,
    };
    if let Some(password) = &credentials.password {
        let reply = match &target.user {
            Some(user) => conn.command(&[b"AUTH", user.as_bytes(), password])?,
            None => conn.command(&[b"AUTH", password])?,
        };
        if let Reply::Error(e) = reply {
            // The server's words, cut to their first one: WRONGPASS, ERR, NOAUTH.
            let code = e.split_whitespace().next().unwrap_or("ERR").to_string();
            return Err(format!("authentication refused ({code})"));
        }
    }
    let mut snap = Snapshot::default();
    let info = match conn.command(&[b"INFO", b"server"])? {
        Reply::Bulk(Some(b)) => parse_info(&b),
        Reply::Error(e) if e.starts_with("NOAUTH") => {
            return Err("authentication required (set REDISCLI_AUTH or --password-file)".into())
        }
        Reply::Error(e) => {
            snap.unread.push(("INFO".into(), first_word(&e)));
            Vec::new()
        }
        _ => return Err("INFO answered with something that is not a bulk string".into()),
    };
    let info_value = |info: &[(String, String)], key: &str| {
        info.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    };
    snap.version = info_value(&info, "redis_version");
    snap.config_file = info_value(&info, "config_file").filter(|f| !f.is_empty());
    let mut refused: Option<String> = None;
    for name in RENDERED.iter().chain(SECRET.iter()) {
        if refused.is_some() {
            break;
        }
        match conn.command(&[config_command.as_bytes(), b"GET", name.as_bytes()])? {
            Reply::Array(Some(items)) => {
                let value = items
                    .chunks(2)
                    .find(|pair| pair[0].text().as_deref() == Some(name))
                    .and_then(|pair| pair.get(1))
                    .and_then(Reply::text);
                if SECRET.contains(name) {
                    let hash = value
                        .filter(|v| !v.is_empty())
                        .map(|v| crate::secret::sha256_hex(v.as_bytes()));
                    snap.secret_hashes.push((name.to_string(), hash));
                } else if let Some(v) = value {
                    snap.settings.push((name.to_string(), v));
                }
            }
            Reply::Error(e) => refused = Some(first_word(&e)),
            _ => return Err("CONFIG GET answered with something that is not an array".into()),
        }
    }
    if let Some(why) = refused {
        snap.settings.clear();
        snap.secret_hashes.clear();
        // Managed services refuse CONFIG: INFO still says a few of the settings.
        let mut more = info;
        for section in ["persistence", "memory"] {
            if let Reply::Bulk(Some(b)) = conn.command(&[b"INFO", section.as_bytes()])? {
                more.extend(parse_info(&b));
            }
        }
        for (setting, key) in [
            ("port", "tcp_port"),
            ("appendonly", "aof_enabled"),
            ("maxmemory", "maxmemory"),
            ("maxmemory-policy", "maxmemory_policy"),
        ] {
            if let Some(v) = info_value(&more, key) {
                let v = match (setting, v.as_str()) {
                    ("appendonly", "1") => "yes".to_string(),
                    ("appendonly", "0") => "no".to_string(),
                    _ => v,
                };
                snap.settings.push((setting.to_string(), v));
            }
        }
        for name in RENDERED.iter().chain(SECRET.iter()) {
            if !snap.settings.iter().any(|(n, _)| n == name) {
                snap.unread
                    .push((name.to_string(), format!("CONFIG GET refused: {why}")));
            }
        }
        // Keep RENDERED order.
        snap.settings.sort_by_key(|(n, _)| {
            RENDERED
                .iter()
                .position(|r| r == n)
                .unwrap_or(RENDERED.len())
        });
    }
    match conn.command(&[b"ACL", b"LIST"])? {
        Reply::Array(Some(items)) => {
            snap.acl = Some(items.iter().filter_map(Reply::text).collect());
        }
        Reply::Error(e) => snap.unread.push(("ACL LIST".into(), first_word(&e))),
        _ => return Err("ACL LIST answered with something that is not an array".into()),
    }
    let mut args: Vec<&[u8]> = vec![b"COMMAND", b"INFO"];
    args.extend(COMMANDS.iter().map(|c| c.as_bytes()));
    match conn.command(&args)? {
        Reply::Array(Some(items)) if items.len() == COMMANDS.len() => {
            for (name, item) in COMMANDS.iter().zip(items) {
                match item {
                    Reply::Array(None) | Reply::Bulk(None) => {
                        snap.commands_absent.push(name.to_string())
                    }
                    _ => snap.commands_present.push(name.to_string()),
                }
            }
        }
        Reply::Error(e) => snap.unread.push(("COMMAND INFO".into(), first_word(&e))),
        _ => {
            return Err(
                "COMMAND INFO answered with something that is not one entry per command".into(),
            )
        }
    }
    Ok(snap)
}

fn first_word(error: &str) -> String {
    let word: String = error
        .split_whitespace()
        .next()
        .unwrap_or("ERR")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(40)
        .collect();
    word
}

fn parse_info(bytes: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(bytes)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// A value as redis.conf writes it, quoted for `sdssplitargs` when it must be: a value from a
/// hostile server can never become a second line or directive.
fn quoted(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._:/-@*~&+%#,=!^$<>|?[]()".contains(&b));
    if plain {
        return value.to_string();
    }
    let mut out = String::from("\"");
    for b in value.bytes() {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            other => out.push_str(&format!("\\x{other:02x}")),
        }
    }
    out.push('"');
    out
}

/// The running configuration as redis.conf text: the settings read, one `user` line per ACL
/// user (passwords only as `#<sha256>`, as ACL LIST gives them), and `rename-command X ""` for
/// each dangerous command the server does not know.
pub fn render(snap: &Snapshot) -> String {
    let mut out = String::new();
    for (name, value) in &snap.settings {
        let line = match name.as_str() {
            // CONFIG GET joins the lists with spaces; redis.conf takes them as arguments.
            "bind" | "save" if !value.is_empty() => value
                .split_whitespace()
                .map(quoted)
                .collect::<Vec<_>>()
                .join(" "),
            "unixsocket" if value.is_empty() => continue,
            // CONFIG GET shows the mode in octal, as redis.conf writes it; 0 is unset.
            "unixsocketperm" if value.trim_start_matches('0').is_empty() => continue,
            _ => quoted(value),
        };
        out.push_str(&format!("{name} {line}\n"));
    }
    for line in snap.acl.iter().flatten() {
        let mut words = line.split_whitespace();
        if words.next() != Some("user") {
            continue;
        }
        let rest: Vec<String> = words
            // A clear-text password never comes from ACL LIST; one that did is dropped.
            .filter(|w| !w.starts_with('>') && !w.starts_with('<'))
            .map(quoted)
            .collect();
        out.push_str(&format!("user {}\n", rest.join(" ")));
    }
    for command in &snap.commands_absent {
        out.push_str(&format!("rename-command {command} \"\"\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_without_credentials() {
        let t = parse_target("redis://app@cache.internal:6380/2").unwrap();
        assert_eq!(t.display, "redis://cache.internal:6380");
        assert_eq!(t.user.as_deref(), Some("app"));
        assert_eq!(t.db, 2);
        let t = parse_target("unix://auditor@/run/a@b/redis.sock").unwrap();
        assert_eq!(t.user.as_deref(), Some("auditor"));
        assert_eq!(t.address, Address::Unix("/run/a@b/redis.sock".into()));
        let t = parse_target("unix:///run/redis.sock").unwrap();
        assert_eq!(t.address, Address::Unix("/run/redis.sock".into()));
        assert_eq!(t.display, "unix:///run/redis.sock");
        let t = parse_target("rediss://[::1]").unwrap();
        assert_eq!(t.display, "rediss://[::1]:6379");
        assert!(t.tls);
        let err = parse_target("redis://:hunter2hunter2@h").unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
        assert!(parse_target("redis://u:pw@h:1").is_err());
        assert!(parse_target("http://h").is_err());
        assert!(parse_target("redis://h:port").is_err());
    }

    #[test]
    fn a_hostile_value_stays_on_its_line() {
        let snap = Snapshot {
            settings: vec![("maxmemory-policy".into(), "x\ninclude /etc/shadow".into())],
            acl: Some(vec!["user evil on >clear \"\n#abc".into()]),
            ..Default::default()
        };
        let text = render(&snap);
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(!text.contains("clear"), "{text}");
    }
}
