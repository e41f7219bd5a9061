//! Secrets: generating them, recognising published ones, and the mask that stands for them in
//! output. Which bytes are secret is decided by the readers, which mark them in the documents
//! (`Document::mark_secret`); outputs mask those ranges. Messages are written never to contain a
//! secret.

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
