//! Secrets inside URL-like text, for the readers of formats whose values hold connection URLs
//! (`.env`, Laravel and Django settings): the user info of `scheme://user:pass@host` and the
//! value of a `password`-like query parameter (`?password=`, `&auth=`).

use std::ops::Range;

/// Query parameter names whose value is a password, compared without case.
const QUERY_SECRETS: [&str; 4] = ["password", "pass", "auth", "passwd"];

/// Whether a byte ends a URL inside a value (white space, quotes, string delimiters).
fn ends_url(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b',' | b';' | b')' | b']' | b'>')
}

/// The secret ranges of the URLs in `text`, as offsets from `base`. The user info runs to the
/// last `@` before the URL ends, as redis-py and PHP's parse_url split it, so a password
/// holding `#`, `/` or `@` is covered whole; without a `:` the whole user info is masked (a
/// lone `pw@host` may be a password).
pub fn secret_ranges(text: &[u8], base: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = find(&text[from..], b"://") {
        let start = from + p + 3;
        let end = text[start..]
            .iter()
            .position(|&b| ends_url(b))
            .map_or(text.len(), |e| start + e);
        let url = &text[start..end];
        // The user info may hold `,`, `;`, `)` and the rest that end a URL in a list (`pa;ss`):
        // its `@` is looked for up to white space, a quote or the next URL, whichever is first.
        let hard_end = text[start..]
            .iter()
            .position(|&b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\''))
            .map_or(text.len(), |e| start + e);
        let next_url = find(&text[start..hard_end], b"://").map_or(hard_end, |p| start + p);
        let userinfo_scope = &text[start..next_url];
        if let Some(at) = userinfo_scope.iter().rposition(|&b| b == b'@') {
            let user_end = userinfo_scope[..at]
                .iter()
                .position(|&b| b == b':')
                .map_or(0, |c| c + 1);
            if user_end < at {
                out.push(base + start + user_end..base + start + at);
            }
        }
        let query_from = url.iter().rposition(|&b| b == b'@').unwrap_or_default();
        if let Some(q) = url[query_from..].iter().position(|&b| b == b'?') {
            let q = query_from + q + 1;
            let mut pos = q;
            for pair in url[q..].split(|&b| b == b'&') {
                if let Some(eq) = pair.iter().position(|&b| b == b'=') {
                    let key = String::from_utf8_lossy(&pair[..eq]).to_ascii_lowercase();
                    let key = key.split('[').next().unwrap_or("");
                    let value_end = pair.len();
                    if QUERY_SECRETS.contains(&key) && eq + 1 < value_end {
                        out.push(base + start + pos + eq + 1..base + start + pos + value_end);
                    }
                }
                pos += pair.len() + 1;
            }
        }
        from = end.max(start);
    }
    out
}

/// `%XX` decoded to its byte (two hex digits, nothing else: `%+1` stays as written); a `%` that
/// starts no escape is kept. What URL parsers do to user info and paths (`+` is not a space
/// here: form decoding is `save_path::url_decode`).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escape = bytes
            .get(i + 1..i + 3)
            .filter(|h| bytes[i] == b'%' && h.iter().all(u8::is_ascii_hexdigit));
        match escape {
            Some(h) => {
                let digit = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
                out.push(digit(h[0]) * 16 + digit(h[1]));
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a setting, variable or array key names a secret: `PASSWORD`, `passwd`,
/// `SECRET_KEY`, `api_token`, `REDIS_PASS`, `APP_KEY`, `redisAuth`... (`KEY_PREFIX` or
/// `AUTH_USER_MODEL` are not). The one list for every reader: `.env` names, PHP and Python keys.
pub fn is_secret_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    ["password", "passwd", "passphrase", "secret", "token", "credential"]
        .iter()
        .any(|w| lower.contains(w))
        // The last word names what the value is: `REDIS_PASS`, `apikey`, `redis_auth`.
        || ["pass", "pwd", "key", "auth"]
            .iter()
            .any(|w| lower.ends_with(w))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_holding_url_delimiters_is_covered_whole() {
        let text = b"redis://:pa;ss,w)rd@h:6379/0";
        let ranges = secret_ranges(text, 0);
        assert_eq!(ranges, vec![9..19], "{ranges:?}");
        // Two URLs in a list: each keeps its own user info.
        let list = b"redis://:a@h1,redis://:b@h2";
        assert_eq!(secret_ranges(list, 0), vec![9..10, 23..24]);
    }

    fn masked(text: &str) -> String {
        let mut out = text.to_string();
        for r in secret_ranges(text.as_bytes(), 0).into_iter().rev() {
            out.replace_range(r, "*");
        }
        out
    }

    #[test]
    fn userinfo_and_query_passwords() {
        assert_eq!(masked("redis://app:pw@h:6379/1"), "redis://app:*@h:6379/1");
        assert_eq!(masked("redis://:p#w/x@h:6379"), "redis://:*@h:6379");
        assert_eq!(masked("redis://pw@h"), "redis://*@h");
        assert_eq!(
            masked("'redis://h:6379/0?password=pw&db=1', x"),
            "'redis://h:6379/0?password=*&db=1', x"
        );
        assert_eq!(masked("rediss://h?PASSWORD=pw"), "rediss://h?PASSWORD=*");
        assert_eq!(masked("no url here"), "no url here");
    }

    #[test]
    fn secret_names() {
        for name in [
            "REDIS_PASSWORD",
            "passwd",
            "SECRET_KEY",
            "api_token",
            "REDIS_PASS",
            "APP_KEY",
            "redisAuth",
            "apikey",
            "AWS_SECRET_ACCESS_KEY",
            "TLS_KEY_PASSPHRASE",
        ] {
            assert!(is_secret_key(name), "{name}");
        }
        for name in [
            "KEY_PREFIX",
            "AUTH_USER_MODEL",
            "REDIS_HOST",
            "username",
            "prefix",
        ] {
            assert!(!is_secret_key(name), "{name}");
        }
    }

    #[test]
    fn percent_escapes_are_two_hex_digits() {
        assert_eq!(percent_decode("a%23b%2fc"), "a#b/c");
        assert_eq!(percent_decode("%+1%zz%4"), "%+1%zz%4");
        assert_eq!(percent_decode("%é%41"), "%éA");
        assert_eq!(percent_decode("a+b"), "a+b");
    }
}
