//! Secrets: generating them, recognising published ones, and keeping them out of output. Messages
//! are written never to contain a secret; source excerpts and diff lines pass through `redact_line`.

use crate::syntax::redis::split_args;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

pub const MASK: &str = "********";

/// 32 bytes from the operating system's secure random source, as 64 lowercase hex characters:
/// the strength of `ACL GENPASS`, and nothing that needs quoting in any config format.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).expect("the operating system's random source is available");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Deserialize)]
struct ExampleFile {
    passwords: Vec<String>,
}

fn examples() -> &'static [String] {
    static LIST: OnceLock<Vec<String>> = OnceLock::new();
    LIST.get_or_init(|| {
        toml::from_str::<ExampleFile>(include_str!("../rules/example-passwords.toml"))
            .expect("rules/example-passwords.toml is valid (checked by tests)")
            .passwords
    })
}

pub fn is_published_example(password: &[u8]) -> bool {
    examples()
        .iter()
        .any(|e| e.as_bytes().eq_ignore_ascii_case(password))
}

/// Whether an ACL `#<sha256>` is the hash of a published example.
pub fn is_published_example_hash(hex: &[u8]) -> bool {
    examples()
        .iter()
        .any(|e| sha256_hex(e.as_bytes()).as_bytes() == hex)
}

pub fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a value is a deployment-time placeholder (rules.md: `$VAR`, `${VAR}`, `$(VAR)`,
/// `%VAR%`, `@VAR@`, `{{ ... }}`, `{% ... %}`, `<%= ... %>`, `__VAR__`): the real value is set
/// when the file is deployed (envsubst, Jinja, ERB, autoconf, Ansible, Helm), so it is unknown.
/// The whole value must be one placeholder, or hold a template expression: `pa$$word` is a
/// password, `{{ vault_prefix }}-sessions` is not known.
pub fn is_placeholder(value: &[u8]) -> bool {
    let text = match std::str::from_utf8(value) {
        Ok(t) => t.trim(),
        Err(_) => return false,
    };
    let name = |s: &str| {
        !s.is_empty()
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !s.as_bytes()[0].is_ascii_digit()
    };
    // Template expressions anywhere: Jinja/Go/Helm, Jinja statements, ERB.
    let pairs = [("{{", "}}"), ("{%", "%}"), ("<%", "%>")];
    if pairs.iter().any(|(open, close)| {
        text.find(open)
            .is_some_and(|at| text[at + open.len()..].contains(close))
    }) {
        return true;
    }
    if let Some(rest) = text.strip_prefix("${") {
        // `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`.
        return rest.ends_with('}')
            && rest[..rest.len() - 1]
                .split([':', '-', '?', '+', '='])
                .next()
                .is_some_and(name);
    }
    if let Some(rest) = text.strip_prefix("$(") {
        return rest.strip_suffix(')').is_some_and(name);
    }
    if let Some(rest) = text.strip_prefix('$') {
        return name(rest);
    }
    for delimiter in ["%", "@", "__"] {
        if let Some(inner) = text
            .strip_prefix(delimiter)
            .and_then(|r| r.strip_suffix(delimiter))
        {
            if name(inner) && inner.bytes().any(|b| b.is_ascii_alphabetic()) {
                return true;
            }
        }
    }
    false
}

/// Minimum length of a password that is not reported as weak.
pub const MIN_LENGTH: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weakness {
    Published,
    Short,
}

pub fn weakness(password: &[u8]) -> Option<Weakness> {
    if is_placeholder(password) {
        None
    } else if is_published_example(password) {
        Some(Weakness::Published)
    } else if password.chars_count() < MIN_LENGTH {
        Some(Weakness::Short)
    } else {
        None
    }
}

trait CharsCount {
    fn chars_count(&self) -> usize;
}

impl CharsCount for [u8] {
    fn chars_count(&self) -> usize {
        String::from_utf8_lossy(self).chars().count()
    }
}

/// Directives whose values are secrets, in redis.conf and sentinel.conf.
const SECRET_DIRECTIVES: [&str; 4] = [
    "requirepass",
    "masterauth",
    "tls-key-file-pass",
    "tls-client-key-file-pass",
];
const SECRET_SENTINEL: [&str; 2] = ["auth-pass", "sentinel-pass"];

/// Mask the secrets in one line of a redis.conf, sentinel.conf or ACL file. A line that cannot be
/// tokenised but names a secret directive is masked after its first word.
pub fn redact_line(line: &[u8]) -> Vec<u8> {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let lowered = String::from_utf8_lossy(line).to_ascii_lowercase();
    match split_args(line, 0) {
        Ok(args) if !args.is_empty() => {
            let name = args[0].lower();
            if SECRET_DIRECTIVES.contains(&name.as_str()) {
                spans.extend(args[1..].iter().map(|a| (a.span.start, a.span.end)));
            } else if name == "user" {
                for a in args.iter().skip(2) {
                    let raw = &line[a.span.clone()];
                    let first = raw
                        .iter()
                        .position(|b| !matches!(b, b'"' | b'\''))
                        .unwrap_or(0);
                    if matches!(raw.get(first), Some(b'>' | b'<' | b'#' | b'!')) {
                        spans.push((a.span.start + first + 1, a.span.end));
                    } else if a.value.first() == Some(&b'(') || raw.contains(&b'>') {
                        spans.push((a.span.start, a.span.end));
                    }
                }
            } else if name == "sentinel" && args.len() >= 2 {
                let sub = args[1].lower();
                if sub == "auth-pass" && args.len() >= 4 {
                    spans.extend(args[3..].iter().map(|a| (a.span.start, a.span.end)));
                } else if sub == "sentinel-pass" {
                    spans.extend(args[2..].iter().map(|a| (a.span.start, a.span.end)));
                }
            }
        }
        _ => {
            let names_secret = SECRET_DIRECTIVES
                .iter()
                .chain(&SECRET_SENTINEL)
                .any(|d| lowered.contains(d))
                || lowered.trim_start().starts_with("user");
            if names_secret {
                let start = line
                    .iter()
                    .position(|b| !b.is_ascii_whitespace())
                    .unwrap_or(0);
                let word_end = line[start..]
                    .iter()
                    .position(|b| b.is_ascii_whitespace())
                    .map_or(line.len(), |p| start + p);
                if word_end < line.len() {
                    spans.push((word_end + 1, line.len()));
                }
            }
        }
    }
    if spans.is_empty() {
        return line.to_vec();
    }
    spans.sort();
    let mut out = Vec::with_capacity(line.len());
    let mut pos = 0;
    for (start, end) in spans {
        if start < pos || start > end {
            continue;
        }
        out.extend_from_slice(&line[pos..start]);
        out.extend_from_slice(MASK.as_bytes());
        pos = end;
    }
    out.extend_from_slice(&line[pos..]);
    out
}

/// Mask the secrets of one line of a file of the given syntax.
pub fn redact(syntax: crate::source::Syntax, line: &[u8]) -> Vec<u8> {
    match syntax {
        crate::source::Syntax::Redis => redact_line(line),
        crate::source::Syntax::Ini => redact_ini_line(line),
        crate::source::Syntax::Env => redact_env_line(line),
        crate::source::Syntax::Php => redact_php_line(line),
        crate::source::Syntax::Python => redact_python_line(line),
        crate::source::Syntax::Other => line.to_vec(),
    }
}

/// php.ini: the `auth` parameters of a session.save_path (`auth=`, `auth[]=`, `auth[pass]=`).
pub fn redact_ini_line(line: &[u8]) -> Vec<u8> {
    // A password in a host's userinfo (`tcp://user:pass@host`) too; only valid UTF-8 is
    // rewritten as text.
    let userinfo_masked;
    let line = match std::str::from_utf8(line) {
        Ok(text) if text.contains('@') => {
            userinfo_masked = redact_host_userinfo(text);
            userinfo_masked.as_bytes()
        }
        _ => line,
    };
    let mut out = Vec::with_capacity(line.len());
    let mut i = 0;
    while i < line.len() {
        let starts_param = i == 0 || matches!(line[i - 1], b'?' | b'&' | b'"' | b' ' | b'\t');
        if starts_param && line[i..].starts_with(b"auth") {
            let mut j = i + 4;
            if line.get(j) == Some(&b'[') {
                while j < line.len() && line[j] != b']' {
                    j += 1;
                }
                j += 1;
            }
            if line.get(j) == Some(&b'=') {
                out.extend_from_slice(&line[i..=j]);
                let mut k = j + 1;
                while k < line.len()
                    && !matches!(line[k], b'&' | b'"' | b'\'' | b' ' | b'\t' | b',' | b';')
                {
                    k += 1;
                }
                if k > j + 1 {
                    out.extend_from_slice(MASK.as_bytes());
                }
                i = k;
                continue;
            }
        }
        out.push(line[i]);
        i += 1;
    }
    out
}

/// Mask what stands before an `@` in each host entry of a php.ini line (entries split on white
/// space, commas and quotes; the part before a `?`), keeping a `scheme://`: phpredis may read
/// `user:pass@host` without a scheme as a socket path, but it is still a password.
fn redact_host_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, ',' | '"' | '\''))
            .unwrap_or(rest.len());
        let token = &rest[..end];
        let before_query = token.split('?').next().unwrap_or(token);
        match before_query.rfind('@') {
            Some(at) => {
                let keep = before_query[..at].find("://").map_or(0, |i| i + 3);
                out.push_str(&token[..keep]);
                out.push_str(MASK);
                out.push_str(&token[at..]);
            }
            None => out.push_str(token),
        }
        let sep = rest[end..].chars().next().map_or(0, char::len_utf8);
        out.push_str(&rest[end..end + sep]);
        rest = &rest[end + sep..];
    }
    out
}

/// Mask the password of a URL's userinfo (`scheme://user:pass@host`) anywhere in `text`.
fn redact_userinfo(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        out.push_str(&rest[..at + 3]);
        rest = &rest[at + 3..];
        let end = rest
            .find(|c: char| {
                c == '/' || c == '?' || c == '#' || c == '"' || c == '\'' || c.is_whitespace()
            })
            .unwrap_or(rest.len());
        if let Some(amp) = rest[..end].rfind('@') {
            let userinfo = &rest[..amp];
            match userinfo.split_once(':') {
                Some((user, _)) => out.push_str(&format!("{user}:{MASK}")),
                None => out.push_str(MASK),
            }
            rest = &rest[amp..];
        }
    }
    out.push_str(rest);
    out
}

/// A `.env` line: the value of a variable named like a secret, and URL passwords.
pub fn redact_env_line(line: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(line);
    let Some((name, value)) = text.split_once('=') else {
        return line.to_vec();
    };
    let upper = name.trim().to_ascii_uppercase();
    let secret = ["PASSWORD", "PASS", "SECRET", "_KEY", "TOKEN", "AUTH"]
        .iter()
        .any(|w| upper.contains(w));
    let masked = if secret && !value.trim().is_empty() {
        let lead = &value[..value.len() - value.trim_start().len()];
        format!("{name}={lead}{MASK}")
    } else {
        format!("{name}={}", redact_userinfo(value))
    };
    masked.into_bytes()
}

/// A settings line: a string given to a `PASSWORD` key or setting, and URL passwords.
pub fn redact_python_line(line: &[u8]) -> Vec<u8> {
    let text = redact_userinfo(&String::from_utf8_lossy(line));
    let lower = text.to_ascii_lowercase();
    if let Some(at) = lower.find("password") {
        let after_key = &text[at + 8..];
        let sep = after_key.find([':', '=']).filter(|&i| {
            after_key[..i]
                .trim_matches(|c: char| c == '"' || c == '\'' || c == ']' || c.is_whitespace())
                .is_empty()
        });
        if let Some(sep) = sep {
            let rest = &after_key[sep + 1..];
            let trimmed = rest.trim_start();
            if let Some(q) = trimmed.chars().next().filter(|c| *c == '\'' || *c == '"') {
                let start = at + 8 + sep + 1 + (rest.len() - trimmed.len()) + 1;
                if let Some(len) = text[start..].find(q) {
                    return format!("{}{MASK}{}", &text[..start], &text[start + len..])
                        .into_bytes();
                }
            }
        }
    }
    text.into_bytes()
}

/// A PHP config line: a string given to a `password` key, and URL passwords.
pub fn redact_php_line(line: &[u8]) -> Vec<u8> {
    let text = redact_userinfo(&String::from_utf8_lossy(line));
    let lower = text.to_ascii_lowercase();
    if let Some(at) = lower.find("password") {
        if let Some(arrow) = lower[at..].find("=>") {
            let after = at + arrow + 2;
            let rest = &text[after..];
            let trimmed = rest.trim_start();
            if let Some(q) = trimmed.chars().next().filter(|c| *c == '\'' || *c == '"') {
                let start = after + (rest.len() - trimmed.len()) + 1;
                if let Some(len) = text[start..].find(q) {
                    return format!("{}{MASK}{}", &text[..start], &text[start + len..])
                        .into_bytes();
                }
            }
        }
    }
    text.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_are_64_hex() {
        let a = generate();
        assert_eq!(a.len(), 64);
        assert!(a
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_ne!(a, generate());
    }

    #[test]
    fn redaction() {
        assert_eq!(
            redact_line(b"requirepass foobared"),
            b"requirepass ********"
        );
        assert_eq!(
            redact_line(b"  masterauth \"a b\""),
            b"  masterauth ********"
        );
        assert_eq!(
            redact_line(b"user app on >s3cret ~* +@all"),
            b"user app on >******** ~* +@all"
        );
        assert_eq!(
            redact_line(b"sentinel auth-pass mymaster pw"),
            b"sentinel auth-pass mymaster ********"
        );
        assert_eq!(
            redact_line(b"requirepass \"unterminated"),
            b"requirepass ********"
        );
        assert_eq!(redact_line(b"port 6379"), b"port 6379");
        assert_eq!(
            redact_env_line(b"REDIS_PASSWORD=hunter2"),
            b"REDIS_PASSWORD=********"
        );
        assert_eq!(
            redact_env_line(b"REDIS_URL=redis://app:hunter2@10.0.0.5:6379/1"),
            b"REDIS_URL=redis://app:********@10.0.0.5:6379/1"
        );
        assert_eq!(
            redact_php_line(b"    'password' => 'hunter2',"),
            b"    'password' => '********',"
        );
        assert_eq!(
            redact_python_line(b"        'PASSWORD': 'hunter2',"),
            b"        'PASSWORD': '********',"
        );
        assert_eq!(
            redact_python_line(b"REDIS_PASSWORD = \"hunter2\""),
            b"REDIS_PASSWORD = \"********\""
        );
        assert_eq!(
            redact_python_line(b"  'LOCATION': 'redis://:hunter2@h:6379/1',"),
            b"  'LOCATION': 'redis://:********@h:6379/1',"
        );
        assert_eq!(
            redact_ini_line(b"session.save_path = \"tcp://h:1?auth=s3c&database=1, tcp://h:2?auth[]=u&auth[]=p\""),
            b"session.save_path = \"tcp://h:1?auth=********&database=1, tcp://h:2?auth[]=********&auth[]=********\"".to_vec()
        );
    }

    #[test]
    fn placeholders_are_unknown_values() {
        for p in [
            "$PASS",
            "${REDIS_PASSWORD}",
            "${REDIS_PASSWORD:-changeme}",
            "$(REDIS_PASSWORD)",
            "%PASSWORD%",
            "@REDIS_PASS@",
            "{{ redis_password }}",
            "{{redis_password}}",
            "{% if x %}a{% endif %}",
            "<%= @redis_password %>",
            "__REDIS_PASSWORD__",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
            assert_eq!(weakness(p.as_bytes()), None, "{p}");
        }
        for p in [
            "pa$$word", "secret", "%", "@@", "100%", "$", "$1abc", "a{{b",
        ] {
            assert!(!is_placeholder(p.as_bytes()), "{p}");
        }
    }

    #[test]
    fn examples_are_weak_whatever_their_length() {
        assert_eq!(
            weakness(b"YourStrongRedisPassword123!"),
            Some(Weakness::Published)
        );
        assert_eq!(weakness(b"FOOBARED"), Some(Weakness::Published));
        assert_eq!(weakness(b"short"), Some(Weakness::Short));
        assert_eq!(weakness(generate().as_bytes()), None);
        assert!(is_published_example_hash(
            sha256_hex(b"foobared").as_bytes()
        ));
    }
}
