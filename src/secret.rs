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

/// Minimum length of a password that is not reported as weak.
pub const MIN_LENGTH: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weakness {
    Published,
    Short,
}

pub fn weakness(password: &[u8]) -> Option<Weakness> {
    if is_published_example(password) {
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
