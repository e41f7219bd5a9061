//! The PHP subset Laravel config files are written in: `return [ ... ];` with nested arrays,
//! strings, numbers, booleans, null and `env('NAME', default)`. Anything else (`Str::slug(...)`,
//! concatenation, constants, ternaries, spreads) is Unknown: never guessed. Arrays are read with
//! an explicit stack, so nesting depth cannot overflow the call stack; past `MAX_DEPTH` the rest
//! is Unknown.

use std::ops::Range;

const MAX_DEPTH: usize = 256;

/// `env()` calls nested in defaults are read by recursion: fewer levels than arrays.
const MAX_ENV_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq)]
pub enum PhpValue {
    Str(String),
    Int(i64),
    Float(String),
    Bool(bool),
    Null,
    Array(Vec<PhpItem>),
    Env {
        name: String,
        default: Option<Box<PhpValue>>,
    },
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PhpItem {
    pub key: Option<String>,
    pub value: PhpValue,
    /// The value's source text.
    pub span: Range<usize>,
}

impl PhpValue {
    /// `$array['a']['b']`.
    pub fn get(&self, path: &[&str]) -> Option<&PhpItem> {
        let mut current = self;
        let mut found = None;
        for key in path {
            let PhpValue::Array(items) = current else {
                return None;
            };
            let item = items
                .iter()
                .rev()
                .find(|i| i.key.as_deref() == Some(*key))?;
            current = &item.value;
            found = Some(item);
        }
        found
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Num(String),
    Ident(String),
    Var,
    Punct(&'static str),
    Other,
}

/// A double-quoted string's escape after its backslash, as PHP decodes it: the bytes it stands
/// for and how many bytes it takes, backslash included. None: the backslash is kept as written.
fn double_quoted_escape(after: &[u8]) -> Option<(Vec<u8>, usize)> {
    let simple = |b: u8| Some((vec![b], 2));
    match *after.first()? {
        b'n' => simple(b'\n'),
        b't' => simple(b'\t'),
        b'r' => simple(b'\r'),
        b'v' => simple(0x0b),
        b'e' => simple(0x1b),
        b'f' => simple(0x0c),
        e @ (b'\\' | b'"' | b'$') => simple(e),
        b'0'..=b'7' => {
            // `\0` to `\777`: one to three octal digits, wrapped to a byte.
            let digits = after
                .iter()
                .take(3)
                .take_while(|b| (b'0'..=b'7').contains(b))
                .count();
            let value = after[..digits]
                .iter()
                .fold(0u32, |v, d| v * 8 + u32::from(d - b'0'));
            Some((vec![(value & 0xff) as u8], 1 + digits))
        }
        b'x' => {
            let digits = after[1..]
                .iter()
                .take(2)
                .take_while(|b| b.is_ascii_hexdigit())
                .count();
            if digits == 0 {
                return None;
            }
            let text = std::str::from_utf8(&after[1..1 + digits]).ok()?;
            Some((vec![u8::from_str_radix(text, 16).ok()?], 2 + digits))
        }
        b'u' if after.get(1) == Some(&b'{') => {
            // `\u{...}`: a code point written in hex, as UTF-8 (PHP refuses the file otherwise,
            // and then nothing is known: the string is kept as written).
            let close = after.iter().position(|&b| b == b'}')?;
            let text = std::str::from_utf8(&after[2..close]).ok()?;
            let ch = u32::from_str_radix(text, 16)
                .ok()
                .and_then(char::from_u32)?;
            Some((ch.to_string().into_bytes(), 1 + close + 1))
        }
        _ => None,
    }
}

/// A PHP number literal (`-` before it when `negative`): decimal, `0x` hex, `0b` binary, `0o`
/// or leading-`0` octal, `_` between digits, floats with `.` or an exponent; an integer that
/// does not fit in 64 bits is a float, as in PHP. Unknown where PHP refuses the literal.
fn number(text: &str, negative: bool) -> PhpValue {
    let digits_ok = |body: &str, radix: u32| {
        !body.is_empty()
            && !body.starts_with('_')
            && !body.ends_with('_')
            && !body.contains("__")
            && body.chars().all(|c| c == '_' || c.is_digit(radix))
    };
    let lower = text.to_ascii_lowercase();
    let (radix, body) = if let Some(b) = lower.strip_prefix("0x") {
        (16, b)
    } else if let Some(b) = lower.strip_prefix("0b") {
        (2, b)
    } else if let Some(b) = lower.strip_prefix("0o") {
        (8, b)
    } else if lower.len() > 1
        && lower.starts_with('0')
        && lower.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    let sign = if negative { "-" } else { "" };
    if radix == 10 && body.contains(['.', 'e']) {
        // DNUM / EXPONENT_DNUM: digit runs with single `_` inside them.
        let (mantissa, exponent) = match body.split_once('e') {
            Some((m, e)) => (m, Some(e.trim_start_matches(['+', '-']))),
            None => (body, None),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let run_ok = |r: &str| r.is_empty() || digits_ok(r, 10);
        let valid = run_ok(whole)
            && run_ok(fraction)
            && !(whole.is_empty() && fraction.is_empty())
            && exponent.is_none_or(|e| digits_ok(e, 10));
        return if valid {
            PhpValue::Float(format!("{sign}{}", body.replace('_', "")))
        } else {
            PhpValue::Unknown
        };
    }
    if !digits_ok(body, radix) {
        return PhpValue::Unknown;
    }
    let plain = body.replace('_', "");
    // The literal is read before the `-` applies: -9223372036854775808 is a float in PHP.
    match i64::from_str_radix(&plain, radix) {
        Ok(i) => PhpValue::Int(if negative { -i } else { i }),
        // Too big for an int: PHP makes it a float (zend_strtod for decimal, digit by digit in
        // a double for the other bases, as zend_hex_strtod and friends do).
        Err(_) => {
            let value = if radix == 10 {
                plain.parse::<f64>().unwrap_or(f64::INFINITY)
            } else {
                plain.chars().fold(0f64, |v, c| {
                    v * f64::from(radix) + f64::from(c.to_digit(radix).unwrap_or(0))
                })
            };
            PhpValue::Float(format!("{sign}{value:e}"))
        }
    }
}

fn tokenize(src: &[u8]) -> Vec<(Tok, Range<usize>)> {
    let mut out = Vec::new();
    let mut i = 0;
    let n = src.len();
    while i < n {
        let c = src[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if src[i..].starts_with(b"<?php") {
            i += 5;
            continue;
        }
        if src[i..].starts_with(b"//") || (c == b'#' && src.get(i + 1) != Some(&b'[')) {
            while i < n && src[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if src[i..].starts_with(b"/*") {
            i += 2;
            while i + 1 < n && !(src[i] == b'*' && src[i + 1] == b'/') {
                i += 1;
            }
            i = (i + 2).min(n);
            continue;
        }
        if c == b'\'' || c == b'"' {
            let mut s = Vec::new();
            let mut interpolated = false;
            i += 1;
            while i < n && src[i] != c {
                if src[i] == b'\\' && i + 1 < n {
                    let e = src[i + 1];
                    let decoded = if c == b'\'' {
                        match e {
                            b'\'' | b'\\' => Some((vec![e], 2)),
                            _ => None,
                        }
                    } else {
                        double_quoted_escape(&src[i + 1..])
                    };
                    match decoded {
                        Some((bytes, len)) => {
                            s.extend_from_slice(&bytes);
                            i += len;
                        }
                        None => {
                            s.push(b'\\');
                            i += 1;
                        }
                    }
                    continue;
                }
                if c == b'"'
                    && src[i] == b'$'
                    && src
                        .get(i + 1)
                        .is_some_and(|x| x.is_ascii_alphabetic() || *x == b'_' || *x == b'{')
                {
                    interpolated = true;
                }
                s.push(src[i]);
                i += 1;
            }
            i = (i + 1).min(n);
            out.push((
                if interpolated {
                    Tok::Other
                } else {
                    Tok::Str(String::from_utf8_lossy(&s).into_owned())
                },
                start..i,
            ));
            continue;
        }
        if c.is_ascii_digit() || (c == b'.' && src.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let hex = src[i..].len() > 1 && src[i] == b'0' && matches!(src[i + 1], b'x' | b'X');
            while i < n && (src[i].is_ascii_alphanumeric() || src[i] == b'.' || src[i] == b'_') {
                i += 1;
                // An exponent's sign: `1e+3`.
                if !hex
                    && i + 1 < n
                    && matches!(src[i - 1], b'e' | b'E')
                    && matches!(src[i], b'+' | b'-')
                    && src[i + 1].is_ascii_digit()
                {
                    i += 1;
                }
            }
            out.push((
                Tok::Num(String::from_utf8_lossy(&src[start..i]).into_owned()),
                start..i,
            ));
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' || c == b'\\' || c >= 0x80 {
            while i < n
                && (src[i].is_ascii_alphanumeric()
                    || src[i] == b'_'
                    || src[i] == b'\\'
                    || src[i] >= 0x80)
            {
                i += 1;
            }
            out.push((
                Tok::Ident(String::from_utf8_lossy(&src[start..i]).into_owned()),
                start..i,
            ));
            continue;
        }
        if c == b'$' {
            i += 1;
            while i < n && (src[i].is_ascii_alphanumeric() || src[i] == b'_') {
                i += 1;
            }
            out.push((Tok::Var, start..i));
            continue;
        }
        const PUNCT: [&str; 14] = [
            "...", "=>", "::", "[", "]", "(", ")", ",", ";", "-", "?", ".", "{", "}",
        ];
        match PUNCT.iter().find(|p| src[i..].starts_with(p.as_bytes())) {
            Some(p) => {
                i += p.len();
                out.push((Tok::Punct(p), start..i));
            }
            None => {
                i += 1;
                out.push((Tok::Other, start..i));
            }
        }
    }
    out
}

/// The secret ranges of a PHP file read token by token: the string literals given to a key
/// `is_secret_key` accepts (up to the `,` or closing bracket that ends the item), the strings
/// assigned to a variable that such a key is given or whose own name is password-like
/// (`$password = 'pw'; return ['password' => $password]`), and the passwords of URLs in any
/// other string. Used whole for a file the array reader cannot read, and beside the array's own
/// ranges for one it can (statements before `return` are not part of the array).
pub fn secret_string_spans(src: &[u8], is_secret_key: impl Fn(&str) -> bool) -> Vec<Range<usize>> {
    let toks = tokenize(src);
    let var_name = |span: &Range<usize>| String::from_utf8_lossy(&src[span.start + 1..span.end]);
    let mut out = Vec::new();
    // Variables whose strings are secret: named like a password, or given to a secret key.
    let mut secret_vars: std::collections::HashSet<String> = std::collections::HashSet::new();
    // Inside the value of a secret key: the bracket depth it started at.
    let mut secret_from: Option<usize> = None;
    let mut depth = 0usize;
    for (i, (tok, span)) in toks.iter().enumerate() {
        match tok {
            Tok::Punct("[" | "(") => depth += 1,
            Tok::Punct("]" | ")") => {
                if secret_from == Some(depth) {
                    secret_from = None;
                }
                depth = depth.saturating_sub(1);
            }
            Tok::Punct(",") if secret_from == Some(depth) => secret_from = None,
            Tok::Str(key)
                if matches!(toks.get(i + 1), Some((Tok::Punct("=>"), _))) && is_secret_key(key) =>
            {
                secret_from = Some(depth);
            }
            Tok::Str(_) if secret_from.is_some() => out.push(span.clone()),
            // An interpolated double-quoted string: `"pw{$suffix}"`.
            Tok::Other if secret_from.is_some() && src[span.start] == b'"' => {
                out.push(span.clone())
            }
            Tok::Str(_) => out.extend(super::url::secret_ranges(&src[span.clone()], span.start)),
            Tok::Var => {
                let name = var_name(span);
                if secret_from.is_some() || is_secret_key(&name) {
                    secret_vars.insert(name.into_owned());
                }
            }
            _ => {}
        }
    }
    if secret_vars.is_empty() {
        return out;
    }
    // The strings of each assignment to a secret variable, up to its `;`.
    let mut assigning = false;
    for (i, (tok, span)) in toks.iter().enumerate() {
        match tok {
            Tok::Var
                if secret_vars.contains(var_name(span).as_ref())
                    && is_assignment(src, &toks, i + 1) =>
            {
                assigning = true;
            }
            Tok::Punct(";") => assigning = false,
            Tok::Str(_) if assigning => out.push(span.clone()),
            Tok::Other if assigning && src[span.start] == b'"' => out.push(span.clone()),
            _ => {}
        }
    }
    out
}

/// Whether the token at `at` is a plain `=` (not `==`, `=>` or `===`).
fn is_assignment(src: &[u8], toks: &[(Tok, Range<usize>)], at: usize) -> bool {
    match toks.get(at) {
        // `$password .= 'suffix'` adds to it.
        Some((Tok::Punct("."), dot)) => {
            matches!(toks.get(at + 1), Some((Tok::Other, eq)) if &src[eq.clone()] == b"=" && eq.start == dot.end)
        }
        Some((Tok::Other, span)) if &src[span.clone()] == b"=" => {
            !matches!(toks.get(at + 1), Some((Tok::Other, next)) if &src[next.clone()] == b"=" && next.start == span.end)
        }
        _ => false,
    }
}

struct Reader<'a> {
    toks: &'a [(Tok, Range<usize>)],
    pos: usize,
    /// `env(...)` calls open around the current value (a default may be another `env(...)`).
    env_depth: usize,
}

impl Reader<'_> {
    fn peek(&self, ahead: usize) -> Option<&Tok> {
        self.toks.get(self.pos + ahead).map(|(t, _)| t)
    }
    fn is_punct(&self, ahead: usize, p: &str) -> bool {
        matches!(self.peek(ahead), Some(Tok::Punct(q)) if *q == p)
    }
    fn start(&self) -> usize {
        self.toks.get(self.pos).map_or(0, |(_, r)| r.start)
    }
    fn end_of_prev(&self) -> usize {
        self.pos
            .checked_sub(1)
            .and_then(|p| self.toks.get(p))
            .map_or(0, |(_, r)| r.end)
    }

    /// Skip an expression: to the `,` `]` `)` that closes it at depth 0.
    fn skip_expression(&mut self) {
        let mut depth = 0usize;
        while let Some(t) = self.peek(0) {
            match t {
                Tok::Punct("[" | "(") => depth += 1,
                Tok::Punct("]" | ")") if depth == 0 => return,
                Tok::Punct("]" | ")") => depth -= 1,
                Tok::Punct("," | ";") if depth == 0 => return,
                _ => {}
            }
            self.pos += 1;
        }
    }

    /// A scalar or `env(...)` value, or Unknown; arrays are handled by the caller's stack.
    fn scalar(&mut self) -> PhpValue {
        let value = match self.peek(0).cloned() {
            Some(Tok::Str(s)) => {
                self.pos += 1;
                PhpValue::Str(s)
            }
            Some(Tok::Num(n)) => {
                self.pos += 1;
                number(&n, false)
            }
            Some(Tok::Punct("-")) if matches!(self.peek(1), Some(Tok::Num(_))) => {
                let Some(Tok::Num(n)) = self.peek(1).cloned() else {
                    unreachable!()
                };
                self.pos += 2;
                number(&n, true)
            }
            Some(Tok::Ident(id)) => {
                let lower = id.to_ascii_lowercase();
                match lower.as_str() {
                    "true" | "false" | "null"
                        if !self.is_punct(1, "(") && !self.is_punct(1, "::") =>
                    {
                        self.pos += 1;
                        match lower.as_str() {
                            "true" => PhpValue::Bool(true),
                            "false" => PhpValue::Bool(false),
                            _ => PhpValue::Null,
                        }
                    }
                    "env" | "\\env" if self.is_punct(1, "(") => self.env_call(),
                    _ => PhpValue::Unknown,
                }
            }
            _ => PhpValue::Unknown,
        };
        // Anything after the value (`.`, `?:`, `::`) makes it an expression redline does not read.
        let ends = matches!(self.peek(0), None | Some(Tok::Punct("," | "]" | ")" | ";")));
        if value == PhpValue::Unknown || !ends {
            self.skip_expression();
            return PhpValue::Unknown;
        }
        value
    }

    /// `env('NAME')` or `env('NAME', default)` with a scalar default.
    fn env_call(&mut self) -> PhpValue {
        self.pos += 2; // env (
        let Some(Tok::Str(name)) = self.peek(0).cloned() else {
            return PhpValue::Unknown;
        };
        self.pos += 1;
        let mut default = None;
        if self.is_punct(0, ",") {
            self.pos += 1;
            if self.is_punct(0, "[")
                || matches!(self.peek(0), Some(Tok::Ident(i)) if i.eq_ignore_ascii_case("array"))
            {
                return PhpValue::Unknown;
            }
            let d = if self.env_depth >= MAX_ENV_DEPTH {
                // A default nested deeper is not read: the call stack stays bounded.
                self.skip_expression();
                PhpValue::Unknown
            } else {
                self.env_depth += 1;
                let d = self.scalar();
                self.env_depth -= 1;
                d
            };
            default = Some(Box::new(d));
        }
        if !self.is_punct(0, ")") {
            return PhpValue::Unknown;
        }
        self.pos += 1;
        PhpValue::Env { name, default }
    }
}

/// One array being read: its items so far, the key of the item being read, where it started.
struct Frame {
    items: Vec<PhpItem>,
    key: Option<String>,
    start: usize,
    /// `)` closes an `array(` literal, `]` a short one.
    close: &'static str,
}

/// Read the array a config file returns. None when there is no `return [...]`/`return array(...)`.
/// The file's own `return [...]`: the first `return` outside any `{}` block (a closure or a
/// function before it returns early only when called) that returns an array literal. Code
/// before it (`$host = ...; if (...) {...}`) is skipped: the variables it sets read as unknown.
fn returned_array_at(toks: &[(Tok, std::ops::Range<usize>)]) -> Option<usize> {
    let returns_array = |i: usize| match toks.get(i + 1).map(|(t, _)| t) {
        Some(Tok::Punct("[")) => true,
        Some(Tok::Ident(a)) if a.eq_ignore_ascii_case("array") => {
            matches!(toks.get(i + 2).map(|(t, _)| t), Some(Tok::Punct("(")))
        }
        _ => false,
    };
    let mut depth: usize = 0;
    let mut any = None;
    for (i, (tok, _)) in toks.iter().enumerate() {
        match tok {
            Tok::Punct("{") => depth += 1,
            Tok::Punct("}") => depth = depth.saturating_sub(1),
            Tok::Ident(r) if r == "return" => {
                if depth == 0 && returns_array(i) {
                    return Some(i);
                }
                any = any.or(Some(i));
            }
            _ => {}
        }
    }
    any
}

pub fn parse_return_array(src: &[u8]) -> Option<PhpValue> {
    let toks = tokenize(src);
    let at = returned_array_at(&toks)?;
    let mut r = Reader {
        toks: &toks,
        pos: at + 1,
        env_depth: 0,
    };
    let open = |r: &Reader| -> Option<&'static str> {
        if r.is_punct(0, "[") {
            Some("]")
        } else if matches!(r.peek(0), Some(Tok::Ident(i)) if i.eq_ignore_ascii_case("array"))
            && r.is_punct(1, "(")
        {
            Some(")")
        } else {
            None
        }
    };
    let first_close = open(&r)?;
    let mut stack = vec![Frame {
        items: Vec::new(),
        key: None,
        start: r.start(),
        close: first_close,
    }];
    r.pos += if first_close == "]" { 1 } else { 2 };
    loop {
        // At the start of an item, or at the close of the current array.
        let frame_close = stack.last().unwrap().close;
        if r.is_punct(0, frame_close) || r.peek(0).is_none() {
            r.pos += 1;
            let done = stack.pop().unwrap();
            let value = PhpValue::Array(done.items);
            let span = done.start..r.end_of_prev();
            match stack.last_mut() {
                None => return Some(value),
                Some(parent) => {
                    let key = parent.key.take();
                    parent.items.push(PhpItem { key, value, span });
                    if r.is_punct(0, ",") {
                        r.pos += 1;
                    }
                    continue;
                }
            }
        }
        // A key?
        let key = match (r.peek(0).cloned(), r.is_punct(1, "=>")) {
            (Some(Tok::Str(s)), true) | (Some(Tok::Num(s)), true) => {
                r.pos += 2;
                Some(s)
            }
            (_, true) => {
                r.pos += 2;
                Some(String::new()) // a computed key: kept, never matched
            }
            _ => None,
        };
        if r.is_punct(0, "...") {
            r.pos += 1;
            r.skip_expression();
        } else if let Some(close) = open(&r).filter(|_| stack.len() < MAX_DEPTH) {
            let start = r.start();
            r.pos += if close == "]" { 1 } else { 2 };
            stack.last_mut().unwrap().key = key;
            stack.push(Frame {
                items: Vec::new(),
                key: None,
                start,
                close,
            });
            continue;
        } else {
            let start = r.start();
            let value = r.scalar();
            let span = start..r.end_of_prev().max(start);
            stack
                .last_mut()
                .unwrap()
                .items
                .push(PhpItem { key, value, span });
        }
        if r.is_punct(0, ",") {
            r.pos += 1;
        } else if !r.is_punct(0, stack.last().unwrap().close) {
            // Something redline does not read: skip to the next item.
            // Step over what stopped the skip unless it closes this array, so reading advances.
            r.skip_expression();
            if r.peek(0).is_some() && !r.is_punct(0, stack.last().unwrap().close) {
                r.pos += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_returned_array_is_found_after_code_and_closures() {
        let src = b"<?php\n$host = getenv('X');\n$f = function () { return ['no' => 1]; };\nif ($host) { $y = 2; }\nreturn ['redis' => ['default' => ['host' => $host, 'port' => 6379]]];\n";
        let value = parse_return_array(src).expect("parses");
        assert!(value.get(&["redis", "default", "port"]).is_some());
        assert!(value.get(&["no"]).is_none());
    }

    #[test]
    fn laravel_config_subset() {
        let src = br#"<?php
use Illuminate\Support\Str;
return [
    // the default connection
    'default' => env('SESSION_DRIVER', 'file'),
    'lifetime' => (int) env('SESSION_LIFETIME', 120),
    'secure' => env('SESSION_SECURE_COOKIE'),
    'http_only' => true,
    'cookie' => env('SESSION_COOKIE', Str::slug(env('APP_NAME', 'laravel'), '_').'_session'),
    'redis' => [
        'client' => env('REDIS_CLIENT', 'phpredis'),
        'options' => [...$extra, 'prefix' => 'x'],
        'default' => array(
            'url' => env('REDIS_URL'),
            'port' => env('REDIS_PORT', '6379'),
            'database' => env('REDIS_DB', 0),
        ),
    ],
    'n' => -1,
];
"#;
        let v = parse_return_array(src).unwrap();
        assert_eq!(
            v.get(&["default"]).unwrap().value,
            PhpValue::Env {
                name: "SESSION_DRIVER".into(),
                default: Some(Box::new(PhpValue::Str("file".into())))
            }
        );
        assert_eq!(v.get(&["lifetime"]).unwrap().value, PhpValue::Unknown);
        assert_eq!(
            v.get(&["secure"]).unwrap().value,
            PhpValue::Env {
                name: "SESSION_SECURE_COOKIE".into(),
                default: None
            }
        );
        assert_eq!(v.get(&["http_only"]).unwrap().value, PhpValue::Bool(true));
        // Known when the variable is set; the default alone is an expression redline does not read.
        assert_eq!(
            v.get(&["cookie"]).unwrap().value,
            PhpValue::Env {
                name: "SESSION_COOKIE".into(),
                default: Some(Box::new(PhpValue::Unknown))
            }
        );
        assert_eq!(
            v.get(&["redis", "options", "prefix"]).unwrap().value,
            PhpValue::Str("x".into())
        );
        assert_eq!(
            v.get(&["redis", "default", "database"]).unwrap().value,
            PhpValue::Env {
                name: "REDIS_DB".into(),
                default: Some(Box::new(PhpValue::Int(0)))
            }
        );
        assert_eq!(v.get(&["n"]).unwrap().value, PhpValue::Int(-1));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let mut src = b"<?php return ".to_vec();
        src.extend(std::iter::repeat_n(b'[', 200_000));
        src.extend(std::iter::repeat_n(b']', 200_000));
        src.push(b';');
        assert!(parse_return_array(&src).is_some());
        // `env()` defaults nest by recursion: bounded too, on a small stack.
        let deep = format!(
            "<?php return ['a' => {}'x'{}];",
            "env('X', ".repeat(100_000),
            ")".repeat(100_000)
        );
        let read = std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(move || parse_return_array(deep.as_bytes()).is_some())
            .unwrap()
            .join()
            .unwrap();
        assert!(read);
    }

    #[test]
    fn strings_assigned_to_secret_variables_are_secret() {
        let src = br#"<?php $p = 'pw1'; $redisPassword = "pw2"; $p .= 'pw3'; $u = 'user'; $ok = $p == 'x'; return ['redis' => ['default' => ['password' => $p, 'username' => $u]]];"#;
        let marked: Vec<&[u8]> = secret_string_spans(src, crate::syntax::url::is_secret_key)
            .into_iter()
            .map(|r| &src[r])
            .collect();
        assert_eq!(marked, vec![&b"'pw1'"[..], &b"\"pw2\""[..], &b"'pw3'"[..]]);
    }
}
