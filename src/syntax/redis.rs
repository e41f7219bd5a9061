//! The line syntax shared by redis.conf, sentinel.conf and their includes: each line is trimmed of
//! `" \t\r\n"`, a line whose first byte is `#` is a comment (there are no inline comments), and the
//! rest is split into arguments by redis' `sdssplitargs` (src/sds.c), reproduced here exactly,
//! with the span of every argument kept so a fix can replace one value and nothing else.

use super::document::Document;
use std::ops::Range;

/// One argument of a directive line: its decoded value and where its source text is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub value: Vec<u8>,
    /// Byte range in the file, quotes included.
    pub span: Range<usize>,
}

impl Arg {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.value).into_owned()
    }
    pub fn lower(&self) -> String {
        self.text().to_ascii_lowercase()
    }
}

/// What `sdssplitargs` refuses: an unterminated quote, or a closing quote followed by something
/// other than white space. `offset` is where the offending quoted argument starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unbalanced {
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedisLine {
    Blank,
    Comment,
    Directive(Directive),
    Unbalanced {
        line: usize,
        span: Range<usize>,
        at: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// 0-based line index in the document.
    pub line: usize,
    /// The trimmed line: what redis-server prints in its error message.
    pub span: Range<usize>,
    /// `args[0]` is the directive name as written.
    pub args: Vec<Arg>,
}

impl Directive {
    /// The directive name, lower-cased as redis-server does (`sdstolower`).
    pub fn name(&self) -> String {
        self.args[0].lower()
    }
    pub fn values(&self) -> &[Arg] {
        &self.args[1..]
    }
}

/// C's `isspace` in the "C" locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Split `input` the way `sdssplitargs` does. `base` is added to every span, so callers can pass
/// a slice of a file and get file offsets back. A NUL byte ends the input, as it ends a C string.
pub fn split_args(input: &[u8], base: usize) -> Result<Vec<Arg>, Unbalanced> {
    let len = input.iter().position(|&b| b == 0).unwrap_or(input.len());
    let at = |i: usize| if i < len { input[i] } else { 0 };
    let mut args = Vec::new();
    let mut p = 0;
    loop {
        while p < len && is_c_space(input[p]) {
            p += 1;
        }
        if p >= len {
            return Ok(args);
        }
        let start = p;
        let mut in_double = false;
        let mut in_single = false;
        let mut current = Vec::new();
        let mut quote_start = start;
        loop {
            let c = at(p);
            if in_double {
                if c == b'\\'
                    && at(p + 1) == b'x'
                    && hex_value(at(p + 2)).is_some()
                    && hex_value(at(p + 3)).is_some()
                {
                    current
                        .push(hex_value(at(p + 2)).unwrap() * 16 + hex_value(at(p + 3)).unwrap());
                    p += 3;
                } else if c == b'\\' && at(p + 1) != 0 {
                    p += 1;
                    current.push(match at(p) {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                } else if c == b'"' {
                    // A closing quote must be followed by a space or nothing at all.
                    if at(p + 1) != 0 && !is_c_space(at(p + 1)) {
                        return Err(Unbalanced {
                            offset: base + quote_start,
                        });
                    }
                    p += 1;
                    break;
                } else if c == 0 {
                    return Err(Unbalanced {
                        offset: base + quote_start,
                    });
                } else {
                    current.push(c);
                }
            } else if in_single {
                if c == b'\\' && at(p + 1) == b'\'' {
                    p += 1;
                    current.push(b'\'');
                } else if c == b'\'' {
                    if at(p + 1) != 0 && !is_c_space(at(p + 1)) {
                        return Err(Unbalanced {
                            offset: base + quote_start,
                        });
                    }
                    p += 1;
                    break;
                } else if c == 0 {
                    return Err(Unbalanced {
                        offset: base + quote_start,
                    });
                } else {
                    current.push(c);
                }
            } else {
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => break,
                    b'"' => {
                        in_double = true;
                        quote_start = p;
                    }
                    b'\'' => {
                        in_single = true;
                        quote_start = p;
                    }
                    other => current.push(other),
                }
            }
            p += 1;
        }
        args.push(Arg {
            value: current,
            span: base + start..base + p.min(len),
        });
    }
}

/// The bytes redis-server trims from both ends of every line.
fn is_trimmed(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Classify line `index` of a redis-format document.
pub fn parse_line(doc: &Document, index: usize) -> RedisLine {
    let line = doc.line(index);
    let bytes = &doc.bytes()[line.content()];
    let mut from = 0;
    let mut to = bytes.len();
    while from < to && is_trimmed(bytes[from]) {
        from += 1;
    }
    while to > from && is_trimmed(bytes[to - 1]) {
        to -= 1;
    }
    let trimmed = &bytes[from..to];
    let span = line.start() + from..line.start() + to;
    if trimmed.first().is_none_or(|&b| b == b'#' || b == 0) {
        return if trimmed.is_empty() {
            RedisLine::Blank
        } else {
            RedisLine::Comment
        };
    }
    match split_args(trimmed, span.start) {
        Err(e) => RedisLine::Unbalanced {
            line: index,
            span,
            at: e.offset,
        },
        Ok(args) if args.is_empty() => RedisLine::Blank,
        Ok(args) => RedisLine::Directive(Directive {
            line: index,
            span,
            args,
        }),
    }
}

/// Quote `value` so that `split_args` reads it back unchanged: bare when it needs no quoting,
/// else in double quotes with the escapes CONFIG REWRITE (`sdscatrepr`) uses.
pub fn quote_arg(value: &[u8]) -> Vec<u8> {
    let plain = !value.is_empty()
        && value
            .iter()
            .all(|&b| b.is_ascii_graphic() && b != b'"' && b != b'\'' && b != b'\\');
    if plain {
        return value.to_vec();
    }
    let mut out = vec![b'"'];
    for &b in value {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'"' => out.extend_from_slice(b"\\\""),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            b if b.is_ascii_graphic() || b == b' ' => out.push(b),
            b => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
        }
    }
    out.push(b'"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(s: &[u8]) -> Vec<Vec<u8>> {
        split_args(s, 0)
            .unwrap()
            .into_iter()
            .map(|a| a.value)
            .collect()
    }

    #[test]
    fn double_quote_escapes() {
        assert_eq!(
            values(br#"a "b\x41\n\q\"" c"#),
            vec![b"a".to_vec(), b"bA\nq\"".to_vec(), b"c".to_vec()]
        );
    }

    #[test]
    fn single_quotes_only_unescape_the_quote() {
        assert_eq!(values(br"'a\n\'b'"), vec![br"a\n'b".to_vec()]);
    }

    #[test]
    fn quote_may_start_mid_token_and_empty_is_an_argument() {
        assert_eq!(
            values(br#"pre"fix mid" """#),
            vec![b"prefix mid".to_vec(), Vec::new()]
        );
    }

    #[test]
    fn closing_quote_must_be_followed_by_space() {
        assert!(split_args(br#""a"b"#, 0).is_err());
        assert!(split_args(br#""abc"#, 0).is_err());
        assert!(split_args(br"'abc", 0).is_err());
        assert!(split_args(b"\"a\"\x0b", 0).is_ok());
    }

    #[test]
    fn spans_cover_the_source_text() {
        let args = split_args(br#"requirepass "a b""#, 10).unwrap();
        assert_eq!(args[1].span, 22..27);
    }

    #[test]
    fn quoting_round_trips() {
        for v in [
            &b"plain"[..],
            b"",
            b"a b",
            b"q\"uote",
            b"back\\slash",
            b"\x01\xff",
            b"it's",
        ] {
            let quoted = quote_arg(v);
            assert_eq!(
                values(&quoted),
                vec![v.to_vec()],
                "{}",
                String::from_utf8_lossy(&quoted)
            );
        }
    }
}
