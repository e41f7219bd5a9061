//! Per-format syntax over a lossless document of the original bytes.

pub mod document;
pub mod dotenv;
pub mod ini;
pub mod javascript;
pub mod php_array;
pub mod python;
pub mod redis;
pub mod url;
pub mod yaml;

/// A name or path as it may appear in a message: printable, escaped, bounded.
pub fn safe_text(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(80)
        .flat_map(char::escape_default)
        .collect();
    if text.chars().count() > 80 {
        out.push('…');
    }
    out
}
