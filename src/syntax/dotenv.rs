//! `.env` files as phpdotenv (the loader Laravel uses) reads them: `Lines::process` (comments,
//! multi-line double-quoted values), `EntryParser` (name rules, `export`, the value automaton
//! over `Lexer` tokens) and `Resolver` (`${NAME}` from earlier entries). Any error makes
//! phpdotenv throw, and Laravel does not boot.

use super::document::Document;
use std::collections::HashMap;
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvEntry {
    pub name: String,
    /// None: a line without `=`, which clears the variable.
    pub value: Option<String>,
    /// The value references `${NAME}` that no earlier line defines: it depends on the real
    /// environment at run time.
    pub depends_on_environment: bool,
    /// First line of the entry (0-based).
    pub line: usize,
    pub span: Range<usize>,
    /// The raw value text after `=`, trimmed.
    pub value_span: Range<usize>,
    /// The unquoted value holds `#` right after other characters: phpdotenv cut it there.
    pub cut_by_hash: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvError {
    pub line: usize,
    pub span: Range<usize>,
    pub message: String,
}

#[derive(Debug, Clone, Default)]
pub struct EnvFile {
    pub entries: Vec<EnvEntry>,
    pub errors: Vec<EnvError>,
    /// The ranges that hold secrets: the whole value (all its lines) of a variable named like
    /// one (`*PASSWORD*`, `*SECRET*`, `*KEY`, `*TOKEN*`...), and the passwords of the URLs in
    /// any other value. Lines phpdotenv refuses are marked too: their excerpts are shown.
    pub secrets: Vec<Range<usize>>,
}

/// The secret ranges of an assignment whose value is at `value`: all of it when `name` is
/// secret-like, else the passwords of its URLs.
fn value_secrets(bytes: &[u8], name: &str, value: Range<usize>) -> Vec<Range<usize>> {
    if value.is_empty() {
        Vec::new()
    } else if super::url::is_secret_key(name) {
        vec![value]
    } else {
        super::url::secret_ranges(&bytes[value.clone()], value.start)
    }
}

/// The secret ranges of a commented-out assignment (`# REDIS_PASSWORD=old`): a comment shows in
/// excerpts and diff context like any line.
fn commented_secrets(bytes: &[u8], span: &Range<usize>) -> Vec<Range<usize>> {
    let raw = &bytes[span.clone()];
    let skip = raw
        .iter()
        .position(|b| !matches!(b, b'#' | b' ' | b'\t'))
        .unwrap_or(raw.len());
    let rest = span.start + skip..span.end;
    let body = &bytes[rest.clone()];
    let body = body.strip_prefix(b"export ").unwrap_or(body);
    match body.iter().position(|&b| b == b'=') {
        Some(eq)
            if !body[..eq].is_empty()
                && body[..eq]
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.')) =>
        {
            let start = rest.end - body.len() + eq + 1;
            let name = String::from_utf8_lossy(&body[..eq]);
            value_secrets(bytes, &name, start..span.end)
        }
        _ => super::url::secret_ranges(&bytes[rest.clone()], rest.start),
    }
}

/// The secret ranges of a group of lines phpdotenv refuses, read as `NAME=value` as far as
/// that goes (the name trimmed of `export` and quotes).
fn refused_secrets(bytes: &[u8], span: &Range<usize>) -> Vec<Range<usize>> {
    // Line by line: a refused span may run over many (an unterminated quote runs to the end of
    // the file), each `NAME=value` judged by its own name.
    let mut out = Vec::new();
    let mut start = span.start;
    for line in bytes[span.clone()].split(|&b| b == b'\n') {
        let at = start;
        start += line.len() + 1;
        let body = line.strip_suffix(b"\r").unwrap_or(line);
        if body.iter().all(|b| b.is_ascii_whitespace()) || body.trim_ascii_start().starts_with(b"#")
        {
            continue;
        }
        match body.iter().position(|&b| b == b'=') {
            Some(eq) => {
                let name = String::from_utf8_lossy(&body[..eq]);
                out.extend(value_secrets(bytes, &name, at + eq + 1..at + body.len()));
            }
            // No `=`: not an assignment but the rest of a value (a quoted value over lines),
            // which may be a password.
            None => out.push(at..at + body.len()),
        }
    }
    out
}

impl EnvFile {
    /// The last value given to `name`, as phpdotenv leaves it.
    pub fn get(&self, name: &str) -> Option<&EnvEntry> {
        self.entries.iter().rev().find(|e| e.name == name)
    }
}

/// PHP's `trim` set.
fn is_trim(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\0' | '\x0b')
}

/// PHP's `ctype_space`.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

/// `Lexer::lex`: newline runs, other white-space runs, `\`, `'`, `"`, `#`, `$`, and runs of
/// everything else.
fn lex(value: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let mut rest = value;
    while let Some(c) = rest.chars().next() {
        let len = if c == '\r' || c == '\n' {
            rest.find(|x: char| x != '\r' && x != '\n')
                .unwrap_or(rest.len())
        } else if c.is_whitespace() {
            rest.find(|x: char| !x.is_whitespace() || x == '\r' || x == '\n')
                .unwrap_or(rest.len())
        } else if matches!(c, '\\' | '\'' | '"' | '#' | '$') {
            c.len_utf8()
        } else {
            rest.find(|x: char| x.is_whitespace() || matches!(x, '\\' | '\'' | '"' | '#' | '$'))
                .unwrap_or(rest.len())
        };
        tokens.push(&rest[..len]);
        rest = &rest[len..];
    }
    tokens
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Initial,
    Unquoted,
    Single,
    Double,
    Escape,
    Whitespace,
    Comment,
}

/// `EntryParser::parseValue`: the text, the positions of `$` that may start `${NAME}`, and
/// whether an unquoted value was cut by `#`.
fn parse_value(value: &str) -> Result<(String, Vec<usize>, bool), String> {
    if value.trim_matches(is_trim).is_empty() {
        return Ok((String::new(), Vec::new(), false));
    }
    let mut out = String::new();
    let mut vars = Vec::new();
    let mut state = State::Initial;
    let mut cut = false;
    for token in lex(value) {
        let first = token.chars().next().unwrap_or(' ');
        state = match state {
            State::Initial | State::Unquoted => match token {
                "'" if state == State::Initial => State::Single,
                "\"" if state == State::Initial => State::Double,
                "#" => {
                    cut |= state == State::Unquoted;
                    State::Comment
                }
                "$" => {
                    vars.push(out.len());
                    out.push('$');
                    State::Unquoted
                }
                t if state == State::Unquoted && t.chars().all(is_space) => State::Whitespace,
                t => {
                    out.push_str(t);
                    State::Unquoted
                }
            },
            State::Single => {
                if token == "'" {
                    State::Whitespace
                } else {
                    out.push_str(token);
                    State::Single
                }
            }
            State::Double => match token {
                "\"" => State::Whitespace,
                "\\" => State::Escape,
                "$" => {
                    vars.push(out.len());
                    out.push('$');
                    State::Double
                }
                t => {
                    out.push_str(t);
                    State::Double
                }
            },
            State::Escape => match token {
                "\"" | "\\" | "$" => {
                    out.push_str(token);
                    State::Double
                }
                t if matches!(first, 'f' | 'n' | 'r' | 't' | 'v') => {
                    out.push(match first {
                        'f' => '\x0c',
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        _ => '\x0b',
                    });
                    out.push_str(&t[1..]);
                    State::Double
                }
                _ => return Err("an unexpected escape sequence".into()),
            },
            State::Whitespace => {
                if token == "#" {
                    State::Comment
                } else if !token.chars().all(is_space) {
                    return Err("unexpected whitespace".into());
                } else {
                    State::Whitespace
                }
            }
            State::Comment => State::Comment,
        };
    }
    if matches!(state, State::Single | State::Double | State::Escape) {
        return Err("a missing closing quote".into());
    }
    Ok((out, vars, cut))
}

/// The text phpdotenv reads: `mb_convert_encoding($content, 'UTF-8')` turns each invalid
/// sequence (a maximal ill-formed subpart, as Rust's `utf8_chunks` splits them) into `?`.
fn mb_utf8(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            out.push('?');
        }
    }
    out
}

/// The byte range of an entry's value: after the first `=`, without PHP's `trim` set around it.
/// Found in the bytes, not the text, whose offsets differ where `?` replaced invalid bytes or
/// lines were joined.
fn value_bytes(bytes: &[u8], entry: &Range<usize>) -> Range<usize> {
    let raw = &bytes[entry.clone()];
    let trim = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\0' | b'\x0b');
    let after_eq = raw
        .iter()
        .position(|&b| b == b'=')
        .map_or(raw.len(), |p| p + 1);
    let lead = raw[after_eq..].iter().take_while(|b| trim(b)).count();
    let start = after_eq + lead;
    let trail = raw[start..].iter().rev().take_while(|b| trim(b)).count();
    entry.start + start..entry.end - trail
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
}

/// `Lines::looksLikeMultilineStop`: quotes not preceded by a backslash (after `\\` pairs are
/// removed); the opening line's own quote counts once.
fn multiline_stop(line: &str, started: bool) -> bool {
    if line == "\"" {
        return true;
    }
    let stripped = line.replace("\\\\", "");
    let b = stripped.as_bytes();
    let count = (1..b.len())
        .filter(|&i| b[i] == b'"' && b[i - 1] != b'\\')
        .count();
    if started {
        count > 1
    } else {
        count >= 1
    }
}

/// Parse a `.env` document. `environment` gives real variables `${NAME}` may read (empty in an
/// audit: such references are marked as depending on the environment).
pub fn parse(doc: &Document) -> EnvFile {
    let bytes = doc.bytes();
    let mut file = EnvFile::default();
    let mut repository: HashMap<String, String> = HashMap::new();
    // What `${NAME}` expansions may add to the file's values: a multiple of its size, 1 MiB at
    // least.
    let mut expansion_budget: usize = bytes.len().saturating_mul(8).max(1 << 20);
    // Where each variable's value is written (for `${NAME}` in a secret).
    let mut value_spans: HashMap<String, Range<usize>> = HashMap::new();
    // Group physical lines into entries (multi-line double-quoted values).
    let mut groups: Vec<(usize, Range<usize>, String)> = Vec::new();
    let mut buffer: Option<(usize, usize, Vec<String>)> = None;
    // phpdotenv splits on `\r\n`, `\n` and a lone `\r` alike: a document line (split on LF)
    // may hold several of its lines.
    let physical = doc.lines().enumerate().flat_map(|(index, line)| {
        let mut from = line.start();
        bytes[line.content()]
            .split(|&b| b == b'\r')
            .map(move |piece| {
                let range = from..from + piece.len();
                from = range.end + 1;
                (index, range)
            })
    });
    for (piece, (index, mut range)) in physical.enumerate() {
        // phpdotenv drops a UTF-8 BOM before splitting; spans stay on the bytes after it.
        if piece == 0 && bytes[range.clone()].starts_with(b"\xEF\xBB\xBF") {
            range.start += 3;
        }
        let text = mb_utf8(&bytes[range.clone()]);
        let started = text.contains("=\"") && !multiline_stop(&text, true);
        match buffer.as_mut() {
            None if started => buffer = Some((index, range.start, vec![text])),
            None => groups.push((index, range, text)),
            Some((_, _, lines)) => {
                lines.push(text.clone());
                if multiline_stop(&text, false) {
                    let (first, start, lines) = buffer.take().unwrap();
                    groups.push((first, start..range.end, lines.join("\n")));
                }
            }
        }
    }
    if let Some((first, start, lines)) = buffer.take() {
        // An unterminated multi-line value: phpdotenv never emits it, so it is silently lost;
        // report it as the missing quote it is.
        let end = bytes.len();
        file.secrets.extend(refused_secrets(bytes, &(start..end)));
        file.errors.push(EnvError { line: first, span: start..end, message: format!("a missing closing quote (the value opened here runs to the end of the file over {} lines)", lines.len()) });
    }
    for (line, span, text) in groups {
        let trimmed = text.trim_matches(is_trim);
        if trimmed.starts_with('#') {
            file.secrets.extend(commented_secrets(bytes, &span));
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (raw_name, raw_value) = match text.find('=') {
            Some(eq) => (
                text[..eq].trim_matches(is_trim).to_string(),
                Some(&text[eq + 1..]),
            ),
            None => (trimmed.to_string(), None),
        };
        let error = |message: String| EnvError {
            line,
            span: span.clone(),
            message,
        };
        if raw_name.is_empty() {
            file.secrets.extend(refused_secrets(bytes, &span));
            // phpdotenv quotes the line, which is all value here: the message does not.
            file.errors.push(error(
                "Encountered an unexpected equals at [...]: the line has no variable name before `=`"
                    .to_string(),
            ));
            continue;
        }
        let mut name = raw_name.clone();
        if name.len() > 8 && name.starts_with("export") && name[6..].starts_with(is_space) {
            name = name[6..].trim_start().to_string();
        }
        if name.len() >= 3
            && ((name.starts_with('"') && name.ends_with('"'))
                || (name.starts_with('\'') && name.ends_with('\'')))
        {
            name = name[1..name.len() - 1].to_string();
        }
        if !valid_name(&name) {
            file.secrets.extend(refused_secrets(bytes, &span));
            // phpdotenv quotes the name; a line that is no name may be the rest of a password.
            file.errors.push(error(
                "Encountered an invalid name at [...]: the line is no `NAME=value` assignment"
                    .to_string(),
            ));
            continue;
        }
        let Some(raw) = raw_value else {
            repository.remove(&name);
            file.entries.push(EnvEntry {
                name,
                value: None,
                depends_on_environment: false,
                line,
                span: span.clone(),
                value_span: span.end..span.end,
                cut_by_hash: false,
            });
            continue;
        };
        let value_text = raw.trim_matches(is_trim);
        let value_span = value_bytes(bytes, &span);
        file.secrets
            .extend(value_secrets(bytes, &name, value_span.clone()));
        match parse_value(value_text) {
            // phpdotenv's message quotes the value; a value may be a password, so the message
            // names the variable instead.
            Err(cause) => file.errors.push(error(format!(
                "Encountered {cause} at [...] in the value of `{name}` (values are not quoted: one may be a password)"
            ))),
            Ok((value, vars, cut)) => {
                // Resolver: `${NAME}` at a `$` position, from the repository; unresolved stays.
                let mut depends = false;
                let secret_name = super::url::is_secret_key(&name);
                // Built in one pass, front to back: replacing in place moved the rest of the
                // value once per `${NAME}`, quadratic in a value of many references.
                let mut expanded = String::with_capacity(value.len());
                let mut copied = 0;
                for &at in &vars {
                    if at < copied {
                        continue;
                    }
                    let rest = &value[at..];
                    let Some(inner) = rest.strip_prefix("${") else {
                        continue;
                    };
                    // Only a name can come before the `}`: scanning past the name (for a `}`
                    // that could only make an invalid one) would be quadratic in `${${${...`.
                    let name_end = inner
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                        .unwrap_or(inner.len());
                    let Some(close) = Some(name_end).filter(|&e| inner[e..].starts_with('}'))
                    else {
                        continue;
                    };
                    let var = &inner[..close];
                    if !valid_name(var) {
                        continue;
                    }
                    // A secret built from another variable makes that one's value a secret too.
                    if secret_name {
                        if let Some(r) = value_spans.get(var) {
                            file.secrets.push(r.clone());
                        }
                    }
                    match repository.get(var) {
                        // A chain of `A1=${A0}${A0}` doubles at each line: what expansion adds
                        // is bounded by the file's size, and past it the value is unknown.
                        Some(v) if v.len() <= expansion_budget => {
                            expansion_budget -= v.len();
                            expanded.push_str(&value[copied..at]);
                            expanded.push_str(v);
                            copied = at + 3 + close;
                        }
                        Some(_) | None => depends = true,
                    }
                }
                expanded.push_str(&value[copied..]);
                let value = expanded;
                repository.insert(name.clone(), value.clone());
                value_spans.insert(name.clone(), value_span.clone());
                file.entries.push(EnvEntry {
                    name,
                    value: Some(value),
                    depends_on_environment: depends,
                    line,
                    span: span.clone(),
                    value_span,
                    cut_by_hash: cut,
                });
            }
        }
    }
    file
}

/// Laravel's `env()` on a string (`Illuminate\Support\Env`): `true`/`(true)`, `false`/`(false)`,
/// `empty`/`(empty)`, `null`/`(null)` in any case become bool, "" and null.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LaravelValue {
    Str(String),
    Bool(bool),
    Null,
}

pub fn laravel_env_value(raw: &str) -> LaravelValue {
    match raw.to_ascii_lowercase().as_str() {
        "true" | "(true)" => LaravelValue::Bool(true),
        "false" | "(false)" => LaravelValue::Bool(false),
        "empty" | "(empty)" => LaravelValue::Str(String::new()),
        "null" | "(null)" => LaravelValue::Null,
        // `preg_match('/\A(['"])(.*)\1\z/')`: one pair of matching quotes around a value
        // without a line break is taken off (`'"secret"'` in .env is `secret` to env()).
        _ => {
            let b = raw.as_bytes();
            let quoted = b.len() >= 2
                && matches!(b[0], b'\'' | b'"')
                && b[b.len() - 1] == b[0]
                && !raw[1..raw.len() - 1].contains('\n');
            LaravelValue::Str(if quoted {
                raw[1..raw.len() - 1].to_string()
            } else {
                raw.to_string()
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> EnvFile {
        parse(&Document::parse(text.as_bytes().to_vec()))
    }

    fn masked(text: &str) -> String {
        let mut doc = Document::parse(text.as_bytes().to_vec());
        for r in parse(&doc).secrets {
            doc.mark_secret(r);
        }
        String::from_utf8(doc.masked(0..text.len(), b"*")).unwrap()
    }

    #[test]
    fn secret_values_urls_and_refused_lines_are_marked() {
        assert_eq!(
            masked("REDIS_PASSWORD=pw\nAPP_KEY=base64:k\nREDIS_HOST=h\nX_TOKEN='t'\n"),
            "REDIS_PASSWORD=*\nAPP_KEY=*\nREDIS_HOST=h\nX_TOKEN=*\n"
        );
        assert_eq!(masked("SECRET=\"line1\nline2\"\nA=1\n"), "SECRET=*\nA=1\n");
        assert_eq!(
            masked("REDIS_URL=redis://u:pw@h:1/0\nCACHE_URL=\"redis://h?password=pw\"\n"),
            "REDIS_URL=redis://u:*@h:1/0\nCACHE_URL=\"redis://h?password=*\"\n"
        );
        // phpdotenv refuses these; their excerpts are shown, masked.
        assert_eq!(
            masked("REDIS_PASSWORD=pass word\nDB_PASSWORD=\"open\nmore\n"),
            "REDIS_PASSWORD=*\nDB_PASSWORD=*\n*\n"
        );
        // A quoted value over lines that phpdotenv refuses: its later lines hold no `=`.
        assert_eq!(
            masked("REDIS_PASSWORD='first\nsecond'\nA=1\n"),
            "REDIS_PASSWORD=*\n*\nA=1\n"
        );
        // After an unterminated quote every line's value is judged by its own name.
        assert_eq!(
            masked("X=\"open\nREDIS_PASSWORD=pw\nHOST=h\n"),
            "X=\"open\nREDIS_PASSWORD=*\nHOST=h\n"
        );
        assert_eq!(
            masked(
                "# REDIS_PASSWORD=old\n#export APP_SECRET=s\n# see redis://u:pw@h\n# plain note\n"
            ),
            "# REDIS_PASSWORD=*\n#export APP_SECRET=*\n# see redis://u:*@h\n# plain note\n"
        );
        assert_eq!(
            masked("PW=p1\nREDIS_PASSWORD=${PW}x\n"),
            "PW=*\nREDIS_PASSWORD=*\n"
        );
        let refused = read("REDIS_PASSWORD=hush word\n");
        assert!(
            !refused.errors[0].message.contains("hush"),
            "{:?}",
            refused.errors
        );
    }

    fn value(text: &str) -> Option<String> {
        let f = read(text);
        assert!(f.errors.is_empty(), "{text:?}: {:?}", f.errors);
        f.entries.last().and_then(|e| e.value.clone())
    }

    #[test]
    fn values_as_phpdotenv_reads_them() {
        assert_eq!(value("A=ab#cd").as_deref(), Some("ab"));
        assert!(read("A=ab#cd").entries[0].cut_by_hash);
        assert!(!read("A=ab # comment").entries[0].cut_by_hash);
        assert_eq!(
            value("A=foo# comment with no space").as_deref(),
            Some("foo")
        );
        assert_eq!(value("A='a\\n$B'").as_deref(), Some("a\\n$B"));
        assert_eq!(value("A=\"a\\nb\\\"c\\$d\"").as_deref(), Some("a\nb\"c$d"));
        assert_eq!(value("export LONGNAME=1").as_deref(), Some("1"));
        assert_eq!(value("A=1\nB=${A}2").as_deref(), Some("12"));
        assert_eq!(value("B=${NOPE}x").as_deref(), Some("${NOPE}x"));
        assert_eq!(value("A=\"line1\nline2\"").as_deref(), Some("line1\nline2"));
        assert_eq!(value("A=").as_deref(), Some(""));
        assert_eq!(value("A=\"x\" # c").as_deref(), Some("x"));
        assert_eq!(value("  A  =  spaced  ").as_deref(), Some("spaced"));
    }

    #[test]
    fn errors_as_phpdotenv_raises_them() {
        for text in [
            "A=two words",
            "A=\"\\q\"",
            "A='open",
            "=x",
            "A B=1",
            "A=\"x\"y",
        ] {
            assert!(!read(text).errors.is_empty(), "{text:?}");
        }
    }

    #[test]
    fn laravel_literals() {
        assert_eq!(laravel_env_value("(null)"), LaravelValue::Null);
        assert_eq!(laravel_env_value("TRUE"), LaravelValue::Bool(true));
        assert_eq!(laravel_env_value("Empty"), LaravelValue::Str(String::new()));
        // Env::get takes one pair of matching quotes off.
        assert_eq!(
            laravel_env_value("\"secret\""),
            LaravelValue::Str("secret".into())
        );
        assert_eq!(laravel_env_value("'s'"), LaravelValue::Str("s".into()));
        assert_eq!(laravel_env_value("'s\""), LaravelValue::Str("'s\"".into()));
        assert_eq!(laravel_env_value("\""), LaravelValue::Str("\"".into()));
        assert_eq!(
            laravel_env_value("\"a\nb\""),
            LaravelValue::Str("\"a\nb\"".into())
        );
    }
}
