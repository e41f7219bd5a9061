//! php.ini as PHP reads it: the Zend INI scanner (`Zend/zend_ini_scanner.l`, NORMAL mode) and
//! parser (`zend_ini_parser.y`), reproduced on bytes with spans. Longest match decides between
//! scanner rules, ties go to the rule listed first, as in re2c. Values are built as the parser
//! builds them: pieces concatenated, booleans to "1"/"", `&|^~!()` evaluated on integers,
//! constants and `${var}` resolved. At the first syntax error PHP stops reading the file; so does
//! this reader, keeping what came before.

use super::document::Document;
use std::collections::HashMap;
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IniValue {
    /// The string PHP stores.
    Text(Vec<u8>),
    /// Known only at run time (an environment variable, a version-dependent constant).
    Unknown(String),
}

impl IniValue {
    pub fn text(&self) -> Option<String> {
        match self {
            IniValue::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
            IniValue::Unknown(_) => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct IniEntry {
    pub key: String,
    /// `key[offset] = value`.
    pub offset: Option<String>,
    pub value: IniValue,
    pub key_span: Range<usize>,
    /// The value's source text, from after `=` and its blanks to before a comment or the line end.
    pub value_span: Range<usize>,
    /// Under a `[PATH=...]` or `[HOST=...]` section: not part of the global configuration.
    pub scoped: bool,
}

#[derive(Debug, Clone)]
pub struct IniSection {
    pub name: String,
    pub span: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct IniError {
    pub span: Range<usize>,
    pub message: String,
    /// For an unquoted value PHP refuses (a `=` in it): the value's text, when putting it in
    /// double quotes reads back the same (no quote, `;`, `$` or backslash in it).
    pub quotable: Option<Range<usize>>,
}

#[derive(Debug, Clone, Default)]
pub struct IniFile {
    pub entries: Vec<IniEntry>,
    pub sections: Vec<IniSection>,
    pub error: Option<IniError>,
    /// Where PHP stops reading without a syntax error: an unterminated `'` in a value ends the
    /// file for the scanner (the value read up to it is kept).
    pub silent_end: Option<IniError>,
    /// When `error` is quotable: the errors PHP would stop at next, in order, once the ones
    /// before are quoted, as long as each is quotable too. One fix can then quote them all: a
    /// pass per line would make fixing a long file quadratic.
    pub quotable_after: Vec<IniError>,
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn is_label_char(b: u8) -> bool {
    !matches!(
        b,
        b'=' | b'\n'
            | b'\r'
            | b'\t'
            | b';'
            | b'&'
            | b'|'
            | b'^'
            | b'$'
            | b'~'
            | b'('
            | b')'
            | b'{'
            | b'}'
            | b'!'
            | b'"'
            | b'['
            | b']'
    )
}

/// Characters of an unquoted value (`VALUE_CHARS` without the `$` forms).
fn is_value_char(b: u8) -> bool {
    !matches!(
        b,
        b'$' | b'='
            | b' '
            | b'\t'
            | b'\n'
            | b'\r'
            | b';'
            | b'&'
            | b'|'
            | b'^'
            | b'~'
            | b'('
            | b')'
            | b'!'
            | b'"'
            | b'\''
            | 0
    )
}

/// Constants defined when php.ini is read: the error levels have fixed values; other core
/// constants depend on the build or version and are unknown to an audit.
fn constant(name: &str) -> Option<IniValue> {
    let value = match name {
        "E_ERROR" => 1,
        "E_WARNING" => 2,
        "E_PARSE" => 4,
        "E_NOTICE" => 8,
        "E_CORE_ERROR" => 16,
        "E_CORE_WARNING" => 32,
        "E_COMPILE_ERROR" => 64,
        "E_COMPILE_WARNING" => 128,
        "E_USER_ERROR" => 256,
        "E_USER_WARNING" => 512,
        "E_USER_NOTICE" => 1024,
        "E_STRICT" => 2048,
        "E_RECOVERABLE_ERROR" => 4096,
        "E_DEPRECATED" => 8192,
        "E_USER_DEPRECATED" => 16384,
        "E_ALL" => 32767,
        "PHP_EOL" => return Some(IniValue::Text(b"\n".to_vec())),
        _ if name.starts_with("PHP_")
            || name.starts_with("ZEND_")
            || name.starts_with("DEFAULT_")
            || name.starts_with("PEAR_") =>
        {
            return Some(IniValue::Unknown(format!("the PHP constant {name}")))
        }
        _ => return None,
    };
    Some(IniValue::Text(value.to_string().into_bytes()))
}

/// C `strtol(s, NULL, 10)` truncated to int, as the INI operators read their operands.
fn atoi(bytes: &[u8]) -> i64 {
    let s = String::from_utf8_lossy(bytes);
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let n: i64 = digits
        .chars()
        .take_while(char::is_ascii_digit)
        .take(18)
        .collect::<String>()
        .parse()
        .unwrap_or(0);
    let v = if neg { -n } else { n };
    v as i32 as i64
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// A piece of a value: string, constant, number, whitespace, raw or quoted string.
    Piece(IniValue),
    Bool(bool),
    Null,
    Op(u8),
}

/// Resolves `${name}`: an already-read directive, else (at run time) the environment.
pub type VarLookup<'a> = &'a dyn Fn(&str) -> Option<IniValue>;

struct Parser<'a> {
    b: &'a [u8],
    p: usize,
    lookup: VarLookup<'a>,
    file: IniFile,
    /// A `[PATH=...]`/`[HOST=...]` section was seen: later entries are scoped.
    scoped: bool,
    /// An error that comes after the current entry is registered: bison reduces the statement
    /// with the value read so far (`x =y` sets "x "), then stops at the unexpected token.
    stop_after: Option<IniError>,
    /// Set by `value` at an unterminated `'`: the statement is the file's last.
    silent_end: Option<IniError>,
    /// The last value ended at a stray character (not an end of line): its trailing blanks stay.
    stray_end: bool,
    /// Bytes `${name}` may still copy into values: a chain of `aN = ${aN-1}${aN-1}` doubles at
    /// each line, so what expansion adds is bounded by the file's size (past it, Unknown).
    expansion_budget: usize,
    /// The last global entry of each key (index in `file.entries`): `${name}` is a look-up, not
    /// a scan back through every entry.
    last_global: HashMap<String, usize>,
}

enum Step {
    Continue,
    Stop,
}

impl<'a> Parser<'a> {
    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    fn newline_len(&self, i: usize) -> usize {
        match (self.at(i), self.at(i + 1)) {
            (b'\r', b'\n') => 2,
            (b'\r', _) | (b'\n', _) => 1,
            _ => 0,
        }
    }

    fn error(&mut self, span: Range<usize>, message: impl Into<String>) -> Step {
        let end = span.end.max(span.start).min(self.b.len());
        self.file.error = Some(IniError {
            span: span.start.min(end)..end,
            message: message.into(),
            quotable: None,
        });
        Step::Stop
    }

    fn line_end(&self, from: usize) -> usize {
        let mut i = from;
        while i < self.b.len() && self.b[i] != b'\n' && self.b[i] != b'\r' {
            i += 1;
        }
        i
    }

    /// Case-insensitive keyword match followed by blanks (the BOOL/NULL rules).
    fn keyword_len(&self, at: usize, words: &[&str]) -> usize {
        let mut best = 0;
        for w in words {
            let end = at + w.len();
            if end <= self.b.len() && self.b[at..end].eq_ignore_ascii_case(w.as_bytes()) {
                let mut e = end;
                while is_blank(self.at(e)) {
                    e += 1;
                }
                best = best.max(e - at);
            }
        }
        best
    }

    fn constant_len(&self, at: usize) -> usize {
        let c = self.at(at);
        if !(c.is_ascii_alphabetic() || c == b'_') {
            return 0;
        }
        let mut e = at + 1;
        while self.at(e).is_ascii_alphanumeric() || self.at(e) == b'_' {
            e += 1;
        }
        e - at
    }

    fn number_len(&self, at: usize) -> usize {
        let mut i = at;
        let neg = self.at(i) == b'-';
        if neg {
            i += 1;
        }
        let int_start = i;
        while self.at(i).is_ascii_digit() {
            i += 1;
        }
        let ints = i - int_start;
        // DNUM: ([0-9]*[.][0-9]+)|([0-9]+[.][0-9]*); the sign only goes with LNUM.
        let mut best = if ints > 0 { i - at } else { 0 };
        if !neg && self.at(i) == b'.' {
            let mut j = i + 1;
            while self.at(j).is_ascii_digit() {
                j += 1;
            }
            if ints > 0 || j > i + 1 {
                best = best.max(j - at);
            }
        }
        best
    }

    /// `VALUE_CHARS+`: ordinary characters and `$` not followed by `{`.
    fn value_chars_len(&self, at: usize) -> usize {
        let mut i = at;
        loop {
            let c = self.at(i);
            if i >= self.b.len() {
                break;
            }
            if c == b'$' {
                let n = self.at(i + 1);
                if i + 1 >= self.b.len() || n == b'{' || n == 0 {
                    break;
                }
                if n == b'\\' && i + 2 < self.b.len() {
                    i += 3;
                } else {
                    i += 2;
                }
                continue;
            }
            if !is_value_char(c) {
                break;
            }
            i += 1;
        }
        i.min(self.b.len()) - at
    }

    fn blanks(&self, at: usize) -> usize {
        let mut i = at;
        while is_blank(self.at(i)) && i < self.b.len() {
            i += 1;
        }
        i - at
    }

    /// Read a double-quoted string starting after its opening `"`; returns its pieces and the
    /// position after the closing quote and the blanks after it.
    fn double_quoted(&mut self, start: usize) -> Result<(Vec<IniValue>, usize), Step> {
        let mut pieces = Vec::new();
        let mut i = start;
        loop {
            if i >= self.b.len() {
                return Err(self.error(
                    start.saturating_sub(1)..self.b.len(),
                    "syntax error, unexpected end of file in a double-quoted string",
                ));
            }
            if self.at(i) == b'"' {
                i += 1;
                i += self.blanks(i);
                return Ok((pieces, i));
            }
            if self.at(i) == b'$' && self.at(i + 1) == b'{' {
                let (value, next) = self.variable(i + 2)?;
                pieces.push(value);
                i = next;
                continue;
            }
            // Content up to the closing quote or `${`, with the scanner's escape skipping.
            let from = i;
            while i < self.b.len() {
                match self.b[i] {
                    b'"' => break,
                    b'$' if self.at(i + 1) == b'{' => break,
                    b'\\' if i + 1 < self.b.len() => {
                        let escaped = self.b[i + 1];
                        let after = i + 2;
                        // `"C:\path\"` at the end of a line: the quote closes the string.
                        if escaped == b'"'
                            && (after >= self.b.len()
                                || self.b[after] == b'\n'
                                || self.b[after] == b'\r')
                        {
                            i += 1;
                            break;
                        }
                        i += 2;
                    }
                    _ => i += 1,
                }
            }
            pieces.push(IniValue::Text(unescape_double(
                &self.b[from..i.min(self.b.len())],
            )));
        }
    }

    /// `${name}` or `${name:-fallback}`, starting after `${`.
    fn variable(&mut self, start: usize) -> Result<(IniValue, usize), Step> {
        let mut i = start;
        while i < self.b.len() {
            let c = self.b[i];
            if c == b':' && self.at(i + 1) == b'-' {
                break;
            }
            // Variable names stop where labels do (LABEL_CHAR).
            if !is_label_char(c) {
                break;
            }
            i += 1;
        }
        let name = String::from_utf8_lossy(&self.b[start..i])
            .trim()
            .to_string();
        let mut has_fallback = false;
        if self.at(i) == b':' && self.at(i + 1) == b'-' {
            has_fallback = true;
            i += 2;
            // The fallback runs to the matching `}`.
            let mut depth = 0;
            while i < self.b.len() {
                match self.b[i] {
                    b'\\' => i += 1,
                    b'$' if self.at(i + 1) == b'{' => {
                        depth += 1;
                        i += 1;
                    }
                    b'}' if depth == 0 => break,
                    b'}' => depth -= 1,
                    b'\n' | b'\r' => break,
                    _ => {}
                }
                i += 1;
            }
        }
        if self.at(i) != b'}' {
            return Err(self.error(
                start.saturating_sub(2)..i,
                "syntax error, unexpected character in `${...}`",
            ));
        }
        // An already-read directive of this file, then what came before it (other files).
        let own = self
            .last_global
            .get(&name)
            .map(|&at| self.file.entries[at].value.clone());
        let value = match own.or_else(|| (self.lookup)(&name)) {
            Some(IniValue::Text(t)) if t.len() > self.expansion_budget => IniValue::Unknown(
                format!("`${{{name}}}`, whose expansion grows past what redline copies"),
            ),
            Some(v) => {
                if let IniValue::Text(t) = &v {
                    self.expansion_budget -= t.len();
                }
                v
            }
            None => IniValue::Unknown(format!(
                "the environment variable {name}{}",
                if has_fallback {
                    " (with a fallback)"
                } else {
                    ""
                }
            )),
        };
        Ok((value, i + 1))
    }

    /// Scan the value after `=`; returns the tokens, the value's source span and where the line
    /// (and its comment and terminator) ends.
    fn value(&mut self, start: usize) -> Result<(Vec<Tok>, Range<usize>, usize), Step> {
        self.stray_end = false;
        let mut toks = Vec::new();
        let mut i = start;
        let mut value_end = start;
        loop {
            if i >= self.b.len() {
                return Ok((toks, start..value_end, i));
            }
            // Candidates, longest wins, ties to the earlier rule.
            let raw_len = if self.at(i) == b'\'' {
                let close = self.b[i + 1..].iter().position(|&c| c == b'\'');
                match close {
                    Some(0) => 0,
                    Some(n) => n + 2,
                    None => {
                        // No `'` closes it in the rest of the file: PHP's scanner then reads
                        // nothing more (php -n -c: the value so far is kept, trailing blanks
                        // included, and no error is printed unless the value is empty).
                        self.silent_end = Some(IniError {
                            span: i..self.line_end(i),
                            message: "no quote closes this `'`: PHP keeps the value read before it and prints no error"
                                .into(),
                            quotable: None,
                        });
                        self.stray_end = true;
                        return Ok((toks, start..value_end, i + 1));
                    }
                }
            } else {
                0
            };
            let dollar = if self.at(i) == b'$' && self.at(i + 1) == b'{' {
                2
            } else {
                0
            };
            let btrue = self.keyword_len(i, &["true", "on", "yes"]);
            let bfalse = self.keyword_len(i, &["false", "off", "no", "none"]);
            let bnull = self.keyword_len(i, &["null"]);
            let eol = {
                let bl = self.blanks(i);
                let nl = self.newline_len(i + bl);
                if nl > 0 {
                    bl + nl
                } else {
                    0
                }
            };
            let constant_at = self.constant_len(i);
            let number = self.number_len(i);
            let operator = if matches!(self.at(i), b'&' | b'|' | b'^' | b'~' | b'(' | b')' | b'!') {
                1 + self.blanks(i + 1)
            } else {
                0
            };
            let equals = usize::from(self.at(i) == b'=');
            let chars = self.value_chars_len(i);
            let quote = {
                let bl = self.blanks(i);
                if self.at(i + bl) == b'"' {
                    bl + 1
                } else {
                    0
                }
            };
            let white = self.blanks(i);
            let comment = {
                let bl = self.blanks(i);
                if self.at(i + bl) == b';' {
                    let end = self.line_end(i + bl);
                    let nl = self.newline_len(end);
                    if nl > 0 || end >= self.b.len() {
                        // A comment runs to the end of the line, or of the file.
                        end + nl - i
                    } else {
                        0
                    }
                } else {
                    0
                }
            };
            let candidates = [
                raw_len,
                dollar,
                btrue,
                bfalse,
                bnull,
                eol,
                constant_at,
                number,
                operator,
                equals,
                chars,
                quote,
                white,
                comment,
            ];
            let best = *candidates.iter().max().unwrap();
            if best == 0 {
                // `[^]`: any other character (a NUL too) ends the value and is consumed; PHP
                // reads the rest of the line as a new statement.
                self.stray_end = true;
                return Ok((toks, start..value_end, i + 1));
            }
            let rule = candidates.iter().position(|&c| c == best).unwrap();
            let text = &self.b[i..i + best];
            match rule {
                0 => {
                    toks.push(Tok::Piece(IniValue::Text(text[1..text.len() - 1].to_vec())));
                    i += best;
                    value_end = i;
                }
                1 => {
                    let (v, next) = self.variable(i + 2)?;
                    toks.push(Tok::Piece(v));
                    i = next;
                    value_end = i;
                }
                2..=4 => {
                    toks.push(match rule {
                        2 => Tok::Bool(true),
                        3 => Tok::Bool(false),
                        _ => Tok::Null,
                    });
                    value_end = i + best - self.trailing_blanks(text);
                    i += best;
                }
                5 | 13 => {
                    // End of the value (and its comment).
                    return Ok((toks, start..value_end, i + best));
                }
                6 => {
                    let name = String::from_utf8_lossy(text).into_owned();
                    toks.push(Tok::Piece(
                        constant(&name).unwrap_or(IniValue::Text(text.to_vec())),
                    ));
                    i += best;
                    value_end = i;
                }
                7 | 10 => {
                    toks.push(Tok::Piece(IniValue::Text(text.to_vec())));
                    i += best;
                    value_end = i;
                }
                8 => {
                    toks.push(Tok::Op(text[0]));
                    value_end = i + 1;
                    i += best;
                }
                9 => {
                    let end = self.line_end(i);
                    let mut error = IniError {
                        span: i..end,
                        message: "syntax error, unexpected '=': a value with `=` must be quoted"
                            .into(),
                        quotable: None,
                    };
                    let mut text_end = end;
                    while text_end > start && is_blank(self.b[text_end - 1]) {
                        text_end -= 1;
                    }
                    let text = &self.b[start..text_end];
                    let plain = !text
                        .iter()
                        .any(|c| matches!(c, b'"' | b'\'' | b';' | b'$' | b'\\'));
                    if plain {
                        error.quotable = Some(start..text_end);
                    }
                    self.stop_after = Some(error);
                    return Ok((toks, start..value_end, i));
                }
                11 => {
                    let (pieces, next) = self.double_quoted(i + best)?;
                    // The quoted string is one piece: an empty one still counts.
                    let mut joined = Vec::new();
                    let mut unknown = None;
                    for p in pieces {
                        match p {
                            IniValue::Text(t) => joined.extend(t),
                            IniValue::Unknown(w) => unknown = Some(w),
                        }
                    }
                    toks.push(Tok::Piece(match unknown {
                        Some(w) => IniValue::Unknown(w),
                        None => IniValue::Text(joined),
                    }));
                    let closing = self.b[..next]
                        .iter()
                        .rposition(|&c| c == b'"')
                        .map_or(next, |p| p + 1);
                    value_end = closing;
                    i = next;
                }
                12 => {
                    toks.push(Tok::Piece(IniValue::Text(text.to_vec())));
                    i += best;
                }
                _ => unreachable!(),
            }
        }
    }

    fn trailing_blanks(&self, text: &[u8]) -> usize {
        text.iter().rev().take_while(|&&c| is_blank(c)).count()
    }

    /// Build the value the parser builds from the tokens.
    fn evaluate(&mut self, toks: Vec<Tok>, span: Range<usize>) -> Result<IniValue, Step> {
        if toks.is_empty() {
            return Ok(IniValue::Text(Vec::new()));
        }
        if let [Tok::Bool(b)] = toks.as_slice() {
            return Ok(IniValue::Text(if *b { b"1".to_vec() } else { Vec::new() }));
        }
        if let [Tok::Null] = toks.as_slice() {
            return Ok(IniValue::Text(Vec::new()));
        }
        if let Some(pos) = toks
            .iter()
            .position(|t| matches!(t, Tok::Bool(_) | Tok::Null))
        {
            let what = if matches!(toks[pos], Tok::Null) {
                "NULL_NULL"
            } else if matches!(toks[pos], Tok::Bool(true)) {
                "BOOL_TRUE"
            } else {
                "BOOL_FALSE"
            };
            let message = format!("syntax error, unexpected {what}: a value that contains on/off/yes/no/true/false/none/null as a word must be quoted");
            // PHP keeps the value read before the unexpected token.
            let partial = match &toks[..pos] {
                [] => Some(match toks[0] {
                    Tok::Bool(true) => IniValue::Text(b"1".to_vec()),
                    _ => IniValue::Text(Vec::new()),
                }),
                before if !before.iter().any(|t| matches!(t, Tok::Op(_))) => Some(concat(before)),
                _ => None,
            };
            return match partial {
                Some(value) => {
                    self.stop_after = Some(IniError {
                        span,
                        message,
                        quotable: None,
                    });
                    Ok(value)
                }
                None => Err(self.error(span, message)),
            };
        }
        // Trailing blanks before the end of line never reach the value (before an unexpected
        // token they do).
        let mut toks = toks;
        while self.stop_after.is_none()
            && !self.stray_end
            && matches!(toks.last(), Some(Tok::Piece(IniValue::Text(t))) if !t.is_empty() && t.iter().all(|&c| is_blank(c)))
        {
            toks.pop();
        }
        if !toks.iter().any(|t| matches!(t, Tok::Op(_))) {
            return Ok(concat(&toks));
        }
        let mut pos = 0;
        match expr(&toks, &mut pos) {
            Ok(Some(v)) if pos == toks.len() => Ok(v),
            Ok(_) => Err(self.error(span, "syntax error in an expression (`&`, `|`, `^`, `~`, `!`, parentheses): quote the value")),
            Err(()) => Err(self.error(span, format!("memory exhausted: the expression nests deeper than PHP's parser reads (about {MAX_PARSER_STACK} levels)"))),
        }
    }

    fn statement(&mut self) -> Step {
        // INITIAL state: blanks, then a newline, a comment, a section, or a label.
        self.p += self.blanks(self.p);
        let start = self.p;
        if self.p >= self.b.len() {
            return Step::Stop;
        }
        let nl = self.newline_len(self.p);
        if nl > 0 {
            self.p += nl;
            return Step::Continue;
        }
        match self.at(self.p) {
            b';' => {
                let end = self.line_end(self.p);
                self.p = end + self.newline_len(end);
                return Step::Continue;
            }
            b'[' => return self.section(),
            _ => {}
        }
        if !is_label_char(self.at(self.p)) {
            let end = self.line_end(self.p);
            return self.error(
                start..end,
                format!("syntax error, unexpected '{}'", self.at(self.p) as char),
            );
        }
        // A key that is a boolean word is a parse error (the BOOL rules win in INITIAL too).
        let mut e = self.p;
        while e < self.b.len() && is_label_char(self.b[e]) {
            e += 1;
        }
        let label_raw = &self.b[self.p..e];
        let trimmed_end =
            self.p + label_raw.len() - label_raw.iter().rev().take_while(|&&c| c == b' ').count();
        let key_span = self.p..trimmed_end;
        let key = String::from_utf8_lossy(&self.b[key_span.clone()]).into_owned();
        let bool_len = self.keyword_len(
            self.p,
            &["true", "on", "yes", "false", "off", "no", "none", "null"],
        );
        if bool_len >= e - self.p {
            let end = self.line_end(self.p);
            return self.error(
                start..end,
                format!("syntax error, unexpected boolean `{key}` where a key is expected"),
            );
        }
        let mut offset = None;
        self.p = e;
        if self.at(self.p) == b'[' {
            // key[offset] = value
            let close = self.b[self.p..]
                .iter()
                .position(|&c| c == b']' || c == b'\n');
            match close {
                Some(n) if self.b[self.p + n] == b']' => {
                    offset = Some(
                        String::from_utf8_lossy(&self.b[self.p + 1..self.p + n])
                            .trim()
                            .to_string(),
                    );
                    self.p += n + 1;
                }
                _ => {
                    let end = self.line_end(self.p);
                    return self.error(start..end, "syntax error, unterminated `[` in a key");
                }
            }
        }
        self.p += self.blanks(self.p);
        match self.at(self.p) {
            b'=' if self.p < self.b.len() => {
                self.p += 1;
                self.p += self.blanks(self.p);
                let value_start = self.p;
                let (toks, span, next) = match self.value(value_start) {
                    Ok(v) => v,
                    Err(step) => return step,
                };
                if toks.is_empty() {
                    if let Some(end) = self.silent_end.take() {
                        return self.error(
                            end.span,
                            "syntax error, unexpected end of file: an unterminated `'` ends the file for PHP",
                        );
                    }
                }
                let value = match self.evaluate(toks, value_start..self.line_end(value_start)) {
                    Ok(v) => v,
                    Err(step) => return step,
                };
                if !self.scoped && offset.is_none() {
                    self.last_global
                        .insert(key.clone(), self.file.entries.len());
                }
                self.file.entries.push(IniEntry {
                    key,
                    offset,
                    value,
                    key_span,
                    value_span: span,
                    scoped: self.scoped,
                });
                if let Some(error) = self.stop_after.take() {
                    self.file.error = Some(error);
                    return Step::Stop;
                }
                if let Some(end) = self.silent_end.take() {
                    self.file.silent_end = Some(end);
                    return Step::Stop;
                }
                self.p = next;
                Step::Continue
            }
            _ if self.p >= self.b.len() => Step::Stop,
            b'\n' | b'\r' => Step::Continue,
            b';' => Step::Continue,
            c => {
                let end = self.line_end(self.p);
                self.error(
                    start..end,
                    format!(
                        "syntax error, unexpected '{}' after the key `{key}`",
                        c as char
                    ),
                )
            }
        }
    }

    fn section(&mut self) -> Step {
        let start = self.p;
        let end = self.line_end(self.p);
        let Some(close) = self.b[start..end].iter().position(|&c| c == b']') else {
            return self.error(start..end, "syntax error, unterminated section `[`");
        };
        let name = String::from_utf8_lossy(&self.b[start + 1..start + close])
            .trim()
            .trim_matches('"')
            .to_string();
        let upper = name.to_ascii_uppercase();
        if upper.starts_with("PATH") || upper.starts_with("HOST") {
            self.scoped = true;
        }
        self.file.sections.push(IniSection {
            name,
            span: start..start + close + 1,
        });
        self.p = start + close + 1;
        self.p += self.blanks(self.p);
        self.p += self.newline_len(self.p);
        Step::Continue
    }
}

fn concat(toks: &[Tok]) -> IniValue {
    let mut out = Vec::new();
    for t in toks {
        match t {
            Tok::Piece(IniValue::Text(b)) => out.extend_from_slice(b),
            Tok::Piece(IniValue::Unknown(w)) => return IniValue::Unknown(w.clone()),
            _ => {}
        }
    }
    IniValue::Text(out)
}

/// PHP's INI parser (bison) keeps at most 10000 entries on its stack and fails with "memory
/// exhausted" past them: about one per pending `(`, `~` or `!`, two per pending `x |`. redline
/// counts the same way and refuses at the same depth (to within the parser's few entries of
/// context, which depend on the line).
const MAX_PARSER_STACK: usize = 9_990;

fn binary(op: u8, left: IniValue, right: IniValue) -> IniValue {
    match (left, right) {
        (IniValue::Text(a), IniValue::Text(b)) => {
            let (a, b) = (atoi(&a), atoi(&b));
            let v = match op {
                b'|' => a | b,
                b'&' => a & b,
                _ => a ^ b,
            };
            IniValue::Text((v as i32).to_string().into_bytes())
        }
        (IniValue::Unknown(w), _) | (_, IniValue::Unknown(w)) => IniValue::Unknown(w),
    }
}

fn unary(op: u8, v: IniValue) -> IniValue {
    match v {
        IniValue::Text(t) => {
            let n = atoi(&t);
            let r = if op == b'~' { !n } else { i64::from(n == 0) };
            IniValue::Text((r as i32).to_string().into_bytes())
        }
        u => u,
    }
}

/// One parenthesised group being read: the prefix operators waiting for its next operand, the
/// value so far and the operator that joins the next operand to it.
#[derive(Default)]
struct Group {
    prefixes: Vec<u8>,
    left: Option<IniValue>,
    op: Option<u8>,
}

/// `expr` of zend_ini_parser.y: `|`, `&`, `^` (left, one level), prefix `~` and `!`, parentheses;
/// operands are concatenated pieces read as integers. Read with an explicit stack: no nesting
/// can overflow the call stack. `Err(())` when nested deeper than PHP's parser allows, `Ok(None)`
/// on any other syntax error; `pos` ends where the expression does.
fn expr(toks: &[Tok], pos: &mut usize) -> Result<Option<IniValue>, ()> {
    let mut groups = vec![Group::default()];
    // Parser stack entries the pending groups, prefixes and operators hold.
    let mut depth = 0usize;
    loop {
        // An operand: prefixes, then a group or pieces.
        let mut operand = loop {
            let group = groups.last_mut().expect("one group at least");
            match toks.get(*pos) {
                Some(Tok::Op(op @ (b'~' | b'!'))) => {
                    group.prefixes.push(*op);
                    depth += 1;
                }
                Some(Tok::Op(b'(')) => {
                    groups.push(Group::default());
                    depth += 1;
                }
                Some(Tok::Piece(_)) => {
                    let start = *pos;
                    while matches!(toks.get(*pos), Some(Tok::Piece(_))) {
                        *pos += 1;
                    }
                    break concat(&toks[start..*pos]);
                }
                _ => return Ok(None),
            }
            if depth > MAX_PARSER_STACK {
                return Err(());
            }
            *pos += 1;
        };
        // Reduce: apply the prefixes, join to the value so far; a `)` closes the group and its
        // value is the operand of the group around it.
        loop {
            let group = groups.last_mut().expect("one group at least");
            depth -= group.prefixes.len();
            while let Some(op) = group.prefixes.pop() {
                operand = unary(op, operand);
            }
            let value = match (group.left.take(), group.op.take()) {
                (Some(left), Some(op)) => {
                    depth -= 2;
                    binary(op, left, operand)
                }
                _ => operand,
            };
            match toks.get(*pos) {
                Some(Tok::Op(op @ (b'|' | b'&' | b'^'))) => {
                    group.left = Some(value);
                    group.op = Some(*op);
                    depth += 2;
                    if depth > MAX_PARSER_STACK {
                        return Err(());
                    }
                    *pos += 1;
                    break;
                }
                Some(Tok::Op(b')')) if groups.len() > 1 => {
                    *pos += 1;
                    groups.pop();
                    depth -= 1;
                    operand = value;
                }
                _ if groups.len() == 1 => return Ok(Some(value)),
                _ => return Ok(None),
            }
        }
    }
}

/// `zend_ini_escape_string` for double quotes: `\"`, `\\`, `\$` lose the backslash; any other
/// escape is kept as written.
fn unescape_double(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' {
            match raw.get(i + 1) {
                None => out.push(b'\\'),
                Some(b'"' | b'\\' | b'$') => {
                    out.push(raw[i + 1]);
                    i += 1;
                }
                Some(&c) => {
                    out.push(b'\\');
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(raw[i]);
        }
        i += 1;
    }
    out
}

/// What `${name}` expansions may add to a file's values: a multiple of the file's size, and 1 MiB
/// at least (a real php.ini expands a few short values).
fn expansion_budget(bytes: &[u8]) -> usize {
    bytes.len().saturating_mul(8).max(1 << 20)
}

/// Parse a php.ini document. `lookup` resolves `${name}` against directives read before.
pub fn parse(doc: &Document, lookup: VarLookup) -> IniFile {
    let bytes = doc.bytes();
    // PHP eats a UTF-8 BOM at the start.
    let start = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut parser = Parser {
        b: bytes,
        p: start,
        lookup,
        file: IniFile::default(),
        scoped: false,
        stop_after: None,
        silent_end: None,
        stray_end: false,
        expansion_budget: expansion_budget(bytes),
        last_global: HashMap::new(),
    };
    read_statements(&mut parser);
    // Read on past each quotable error as PHP will once it is quoted (the quoted value ends its
    // line): the entries are not kept (PHP does not read them now), the next errors are.
    let mut quotable_after = Vec::new();
    let mut last = parser.file.error.clone().filter(|e| e.quotable.is_some());
    let mut scoped = parser.scoped;
    // One expansion budget for the whole file: each re-read starts where the last one left it.
    let mut budget = parser.expansion_budget;
    while let Some(error) = last {
        let mut next = Parser {
            b: bytes,
            p: {
                let end = parser.line_end(error.span.start);
                end + parser.newline_len(end)
            },
            lookup,
            file: IniFile::default(),
            scoped,
            stop_after: None,
            silent_end: None,
            stray_end: false,
            expansion_budget: budget,
            last_global: HashMap::new(),
        };
        read_statements(&mut next);
        budget = next.expansion_budget;
        scoped = next.scoped;
        last = next.file.error.filter(|e| e.quotable.is_some());
        quotable_after.extend(last.clone());
    }
    parser.file.quotable_after = quotable_after;
    parser.file
}

/// Read statements to the end of the file or the first error.
fn read_statements(parser: &mut Parser) {
    // A NUL byte does not end the file (php -n -c reads on after it): in a key it is a label
    // character, in an unquoted value it ends the value like any other stray character.
    let mut guard = 0usize;
    while parser.p < parser.b.len() {
        let before = parser.p;
        match parser.statement() {
            Step::Continue => {}
            Step::Stop => break,
        }
        // Every statement consumes input; a line that did not (a bare key) is skipped.
        if parser.p == before {
            let end = parser.line_end(parser.p);
            parser.p = end + parser.newline_len(end);
            guard += 1;
            if guard > parser.b.len() {
                break;
            }
        }
    }
}

/// PHP's `zend_ini_parse_bool`: "true", "yes", "on" (any case), else a non-zero integer.
pub fn php_bool(value: &[u8]) -> bool {
    let lower = String::from_utf8_lossy(value).to_ascii_lowercase();
    matches!(lower.as_str(), "true" | "yes" | "on") || atoi(value) != 0
}

/// Quote `value` for php.ini so it reads back unchanged, when that is possible.
pub fn quote(value: &str) -> Option<String> {
    if value.contains('"') || value.contains("${") || value.ends_with('\\') {
        return None;
    }
    Some(format!(
        "\"{}\"",
        value.replace('\\', "\\\\").replace('$', "\\$")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> IniFile {
        parse(&Document::parse(text.as_bytes().to_vec()), &|_| None)
    }

    fn value(text: &str) -> Option<String> {
        let f = read(text);
        assert!(f.error.is_none(), "{text:?}: {:?}", f.error);
        f.entries.last().and_then(|e| e.value.text())
    }

    #[test]
    fn values_as_php_reads_them() {
        assert_eq!(
            value("a = PHP SESS ; comment\n").as_deref(),
            Some("PHP SESS")
        );
        assert_eq!(value("a = On\n").as_deref(), Some("1"));
        assert_eq!(value("a = None\n").as_deref(), Some(""));
        assert_eq!(value("a = \"yes\"\n").as_deref(), Some("yes"));
        assert_eq!(value("a = \"abc\"def ; c\n").as_deref(), Some("abcdef"));
        assert_eq!(value("a = 'a\\b'\n").as_deref(), Some("a\\b"));
        assert_eq!(
            value("a = \"a\\\"b\\\\c\\$d\\q\"\n").as_deref(),
            Some("a\"b\\c$d\\q")
        );
        assert_eq!(
            value("a = E_ALL & ~E_DEPRECATED\n").as_deref(),
            Some("24575")
        );
        assert_eq!(value("a = 1 | 2\n").as_deref(), Some("3"));
        assert_eq!(value("a = $HOME\n").as_deref(), Some("$HOME"));
        assert_eq!(
            value("  a   =   spaced   value  \n").as_deref(),
            Some("spaced   value")
        );
        assert_eq!(value("a = \"C:\\path\\\"\n").as_deref(), Some("C:\\path\\"));
        assert_eq!(value("a = \"x\ny\"\n").as_deref(), Some("x\ny"));
        assert_eq!(value("a = ''\n").as_deref(), Some(""));
        assert_eq!(value("a = x ; c").as_deref(), Some("x"));
    }

    #[test]
    fn errors_as_php_reports_them() {
        for text in [
            "a = tcp://h:1?auth=x\n",
            "a = foo on\n",
            "a = on foo\n",
            "a = \"open\n",
            "a = (1\n",
            "[Session\n",
        ] {
            assert!(read(text).error.is_some(), "{text:?}");
        }
        // Entries before the error are kept; PHP reads nothing after it.
        // ... and the value read before the unexpected token, as bison reduces it.
        let f = read("a = 1\nb = x =y\nc = 2\n");
        assert_eq!(f.entries.len(), 2);
        assert_eq!(f.entries[1].value.text().as_deref(), Some("x "));
    }

    #[test]
    fn path_sections_scope_every_later_entry() {
        let f = read("a = 1\n[PATH=/var/www]\nb = 2\n[Session]\nc = 3\n");
        let scoped: Vec<bool> = f.entries.iter().map(|e| e.scoped).collect();
        assert_eq!(scoped, [false, true, true]);
    }

    #[test]
    fn value_spans_exclude_comments() {
        let text = "session.save_path = \"tcp://h:1?auth=x\" ; comment\n";
        let f = read(text);
        assert_eq!(
            &text[f.entries[0].value_span.clone()],
            "\"tcp://h:1?auth=x\""
        );
    }
}
