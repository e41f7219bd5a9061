//! A tolerant reader for Django settings modules. It splits the module into logical lines (open
//! brackets, strings and `\` continue a line), keeps top-level assignments (`NAME = ...`,
//! `NAME += ...`, `CACHES["default"]["LOCATION"] = ...`, annotated ones) and marks those inside a
//! compound statement (`if`, `try`, `for`, `with`) as conditional. Right-hand sides are parsed with
//! nom: literals (strings with every prefix and escape, numbers, True/False/None, dicts, lists,
//! tuples), names of earlier settings, environment reads (`os.environ.get`, `os.getenv`,
//! `os.environ[...]`, `env(...)`, `env.str(...)`, `config(...)`) and `+` concatenation; anything
//! else is Unknown, not an error. Nesting deeper than `MAX_DEPTH` is Unknown too, and a `+` chain
//! is one flat list of terms, so no input can overflow the stack; brackets or subscripts nested
//! deeper than `MAX_NESTING` are a syntax error, as CPython's parser makes them.

use nom::bytes::complete::{take_while, take_while1};
use nom::character::complete::{char, digit1};
use nom::combinator::{opt, recognize};
use nom::sequence::{pair, tuple};
use nom::IResult;
use std::ops::Range;

const MAX_DEPTH: usize = 64;

/// CPython refuses brackets nested deeper than this ("too many nested parentheses", `MAXLEVEL`
/// of its tokenizer); redline refuses assignment targets with more subscripts too.
const MAX_NESTING: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub enum PyExpr {
    /// A string built from several pieces.
    Str(String),
    /// One string literal: its value, and its source range (prefix and quotes included).
    Lit {
        value: String,
        span: Range<usize>,
    },
    Int(i64),
    Float(String),
    Bool(bool),
    None,
    List(Vec<PyExpr>),
    Dict(Vec<(PyExpr, PyExpr)>),
    /// A name defined earlier in the module (or imported: then Unknown when evaluated).
    Name(String),
    /// An environment read: its default, if it has one (no default: known only at run time).
    Env {
        var: String,
        default: Option<Box<PyExpr>>,
        /// The reader converts the string it reads (`env.bool`, `env.int`): the value is not
        /// the environment's string.
        converted: bool,
    },
    /// `a + b + ...`: the terms in order (flat, so a long chain is no deep tree).
    Add(Vec<PyExpr>),
    /// `a or b or ...`: the first true term, else the last (flat like `Add`).
    Or(Vec<PyExpr>),
    /// A call of a dotted name that is not an environment read (`redis.Redis(host=...)`): the
    /// callee as written and the arguments, positional (None) and keyword.
    Call {
        callee: String,
        args: Vec<(Option<String>, PyExpr)>,
    },
    Unknown,
}

impl PyExpr {
    /// The value of a string literal or of a string built from pieces.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            PyExpr::Str(s) | PyExpr::Lit { value: s, .. } => Some(s),
            _ => None,
        }
    }

    /// Every expression inside this one (itself included), walked with an explicit stack.
    pub fn walk(&self) -> Vec<&PyExpr> {
        let mut out = Vec::new();
        let mut pending = vec![self];
        while let Some(e) = pending.pop() {
            out.push(e);
            match e {
                PyExpr::List(items) => pending.extend(items),
                PyExpr::Dict(items) => items.iter().for_each(|(k, v)| pending.extend([k, v])),
                PyExpr::Env {
                    default: Some(d), ..
                } => pending.push(d),
                PyExpr::Add(terms) | PyExpr::Or(terms) => pending.extend(terms),
                PyExpr::Call { args, .. } => pending.extend(args.iter().map(|(_, v)| v)),
                _ => {}
            }
        }
        out
    }

    /// Apply `f` to the span of every literal inside, with an explicit stack.
    fn map_spans(&mut self, f: &dyn Fn(&Range<usize>) -> Option<Range<usize>>) {
        let mut pending = vec![self];
        while let Some(e) = pending.pop() {
            match e {
                PyExpr::Lit { value, span } => match f(span) {
                    Some(s) => *span = s,
                    None => *e = PyExpr::Str(std::mem::take(value)),
                },
                PyExpr::List(items) => pending.extend(items.iter_mut()),
                PyExpr::Dict(items) => items.iter_mut().for_each(|(k, v)| pending.extend([k, v])),
                PyExpr::Env {
                    default: Some(d), ..
                } => pending.push(&mut **d),
                PyExpr::Add(terms) | PyExpr::Or(terms) => pending.extend(terms.iter_mut()),
                PyExpr::Call { args, .. } => pending.extend(args.iter_mut().map(|(_, v)| v)),
                _ => {}
            }
        }
    }
}

/// The range of a string literal's body (inside its quotes, after any prefix), given the
/// literal's range.
pub fn string_body(bytes: &[u8], span: &Range<usize>) -> Option<Range<usize>> {
    let text = bytes.get(span.clone())?;
    let prefix = text.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let quotes = &text[prefix..];
    let q = if quotes.starts_with(b"\"\"\"") || quotes.starts_with(b"'''") {
        3
    } else {
        1
    };
    let start = span.start + prefix + q;
    let end = span.end.checked_sub(q)?;
    (start <= end).then_some(start..end)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// The name, then subscript keys: `CACHES["default"]["LOCATION"]` -> [CACHES, default, LOCATION].
    pub target: Vec<String>,
    pub augmented: bool,
    pub value: PyExpr,
    /// The right-hand side's source bytes.
    pub value_span: Range<usize>,
    /// The whole statement.
    pub span: Range<usize>,
    /// Inside `if`/`try`/`for`/`with`...: it may or may not run.
    pub conditional: bool,
    /// The right-hand side also sets other names (`A = B = True`): editing it edits them too.
    pub shared_value: bool,
    /// The class or function body it is in, and whether a branch holds it there.
    pub scope: Scope,
}

/// Where a statement is: the class whose body it is in (directly), the function it runs in, and
/// whether a compound statement (`if`, `try`, `for`, `with`...) inside that body holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Index in `PyModule::classes` of the class whose body holds the statement directly.
    pub class: Option<usize>,
    /// The innermost function (`def`) around the statement.
    pub function: Option<String>,
    /// Inside a compound statement within its class, function or module body.
    pub branch: bool,
}

/// A statement that is a call alone (`app.config.from_object(Config)`, `Session(app)`).
#[derive(Debug, Clone, PartialEq)]
pub struct CallStatement {
    pub callee: String,
    pub args: Vec<(Option<String>, PyExpr)>,
    pub span: Range<usize>,
    pub scope: Scope,
}

/// `class Name(Base, mod.Base):`: its bases as written (dotted names; others are left out).
#[derive(Debug, Clone, PartialEq)]
pub struct ClassDef {
    pub name: String,
    pub bases: Vec<String>,
    pub span: Range<usize>,
    pub scope: Scope,
}

/// `from module import a, b as c` (names with their local names) or `import module as m`
/// (no names; the local name in `alias`).
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    /// As written, leading dots of a relative import included.
    pub module: String,
    pub names: Vec<(String, String)>,
    pub alias: Option<String>,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct PyModule {
    pub assignments: Vec<Assignment>,
    pub calls: Vec<CallStatement>,
    pub classes: Vec<ClassDef>,
    pub imports: Vec<Import>,
    /// Unbalanced brackets or an unterminated string: where the module stops being readable.
    pub error: Option<(Range<usize>, String)>,
}

/// Skip a string literal starting at `i` (after any prefix); returns the index after it.
fn skip_string(src: &[u8], i: usize) -> Result<usize, usize> {
    let c = src[i];
    let triple = src[i..].starts_with(&[c, c, c]);
    let q = if triple { 3 } else { 1 };
    let mut j = i + q;
    loop {
        if j >= src.len() || (!triple && src[j] == b'\n') {
            return Err(j.min(src.len()));
        }
        if src[j] == b'\\' {
            j += 2;
            continue;
        }
        if src[j..].starts_with(&[c, c, c][..q]) {
            return Ok(j + q);
        }
        j += 1;
    }
}

/// Split the source into logical lines: (start, end, indentation of the first line).
type Lines = Vec<(usize, usize, usize)>;

fn logical_lines(src: &[u8]) -> (Lines, Option<(Range<usize>, String)>) {
    let mut lines = Vec::new();
    // Python reads a UTF-8 BOM as the `utf-8-sig` mark, not as code: the first line starts
    // after it (offsets stay file offsets).
    let mut i = if src.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let n = src.len();
    while i < n {
        let start = i;
        let indent = src[i..]
            .iter()
            .take_while(|&&c| c == b' ' || c == b'\t')
            .count();
        let mut depth: Vec<(u8, usize)> = Vec::new();
        while i < n {
            let c = src[i];
            match c {
                b'#' => {
                    while i < n && src[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                b'\'' | b'"' => match skip_string(src, i) {
                    Ok(next) => {
                        i = next;
                        continue;
                    }
                    Err(end) => return (lines, Some((i..end, "a string is never closed".into()))),
                },
                b'(' | b'[' | b'{' if depth.len() == MAX_NESTING => {
                    return (
                        lines,
                        Some((
                            i..i + 1,
                            format!("too many nested parentheses (Python refuses more than {MAX_NESTING} levels)"),
                        )),
                    );
                }
                b'(' | b'[' | b'{' => depth.push((c, i)),
                b')' | b']' | b'}' => {
                    let want = match c {
                        b')' => b'(',
                        b']' => b'[',
                        _ => b'{',
                    };
                    match depth.pop() {
                        Some((open, _)) if open == want => {}
                        _ => {
                            return (
                                lines,
                                Some((
                                    i..i + 1,
                                    format!("`{}` closes nothing that is open", c as char),
                                )),
                            )
                        }
                    }
                }
                b'\\' if src.get(i + 1) == Some(&b'\n') => {
                    i += 2;
                    continue;
                }
                b'\n' if depth.is_empty() => {
                    i += 1;
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        if let Some((open, at)) = depth.last() {
            return (
                lines,
                Some((*at..n, format!("`{}` is never closed", *open as char))),
            );
        }
        lines.push((start, i, indent));
    }
    (lines, None)
}

type Res<'a, T> = IResult<&'a str, T>;

fn blanks(input: &str) -> &str {
    input.trim_start_matches([' ', '\t', '\n', '\r', '\\'])
}

fn identifier(input: &str) -> Res<'_, &str> {
    recognize(pair(
        take_while1(|c: char| c.is_alphabetic() || c == '_'),
        take_while(|c: char| c.is_alphanumeric() || c == '_'),
    ))(input)
}

fn fail(input: &str) -> nom::Err<nom::error::Error<&str>> {
    nom::Err::Error(nom::error::Error::new(input, nom::error::ErrorKind::Fail))
}

/// A string literal with any prefix; an f-string with a placeholder is Unknown. The literal's
/// span is given, while parsing, as the lengths of the text left at its start and after its
/// end: `parse_text` turns them into offsets (every piece parsed is a suffix of the line).
fn string(input: &str) -> Res<'_, PyExpr> {
    let (rest, prefix) = take_while(|c: char| "rRbBuUfF".contains(c))(input)?;
    let quote = rest
        .chars()
        .next()
        .filter(|c| *c == '\'' || *c == '"')
        .ok_or_else(|| fail(input))?;
    if prefix.len() > 2 {
        return Err(fail(input));
    }
    let triple = if quote == '"' { "\"\"\"" } else { "'''" };
    let closing = if rest.starts_with(triple) {
        triple
    } else {
        &triple[..1]
    };
    let body = &rest[closing.len()..];
    let raw = prefix.contains(['r', 'R']);
    let fstring = prefix.contains(['f', 'F']);
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        if c == quote && body[i..].starts_with(closing) {
            let after = &body[i + closing.len()..];
            let value = if fstring && out.contains('{') {
                PyExpr::Unknown
            } else {
                PyExpr::Lit {
                    value: out,
                    span: input.len()..after.len(),
                }
            };
            return Ok((after, value));
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, e)) = chars.next() else { break };
        if raw {
            out.push('\\');
            out.push(e);
            continue;
        }
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '0' => out.push('\0'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'v' => out.push('\x0b'),
            '\\' | '\'' | '"' => out.push(e),
            '\n' => {}
            'x' => {
                let hex: String = (0..2)
                    .filter_map(|_| chars.next().map(|(_, h)| h))
                    .collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => return Err(fail(input)),
                }
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    Err(fail(input))
}

fn number(input: &str) -> Res<'_, PyExpr> {
    let (rest, text) = recognize(tuple((
        opt(char('-')),
        digit1,
        take_while(|c: char| c.is_ascii_digit() || c == '_'),
        opt(pair(char('.'), take_while(|c: char| c.is_ascii_digit()))),
    )))(input)?;
    let clean = text.replace('_', "");
    Ok((
        rest,
        clean
            .parse::<i64>()
            .map(PyExpr::Int)
            .unwrap_or(PyExpr::Float(clean)),
    ))
}

/// Skip one balanced bracket group starting at `input` (iteratively: any depth).
fn skip_group(input: &str) -> &str {
    let b = input.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return &input[i + 1..];
                }
            }
            b'\'' | b'"' => match skip_string(b, i) {
                Ok(next) => {
                    i = next;
                    continue;
                }
                Err(_) => return "",
            },
            _ => {}
        }
        i += 1;
    }
    ""
}

/// Comma-separated expressions up to `close`, and whether a comma followed the last one (which
/// makes `(x,)` a tuple).
fn items(mut input: &str, close: char, depth: usize) -> Res<'_, (Vec<PyExpr>, bool)> {
    let mut out = Vec::new();
    let mut comma = false;
    loop {
        input = blanks(input);
        if let Some(rest) = input.strip_prefix(close) {
            return Ok((rest, (out, comma)));
        }
        let (rest, e) = expr(input, depth + 1)?;
        out.push(e);
        input = blanks(rest);
        if let Some(rest) = input.strip_prefix(',') {
            input = rest;
            comma = true;
        } else if let Some(rest) = input.strip_prefix(close) {
            return Ok((rest, (out, false)));
        } else {
            return Err(fail(input));
        }
    }
}

fn dict(mut input: &str, depth: usize) -> Res<'_, PyExpr> {
    let mut out = Vec::new();
    loop {
        input = blanks(input);
        if let Some(rest) = input.strip_prefix('}') {
            return Ok((rest, PyExpr::Dict(out)));
        }
        if input.starts_with("**") {
            // `**OTHER`: entries redline cannot list.
            return Ok((skip_group_from(input, '{'), PyExpr::Unknown));
        }
        let (rest, k) = expr(input, depth + 1)?;
        let rest = blanks(rest).strip_prefix(':').ok_or_else(|| fail(rest))?;
        let (rest, v) = expr(blanks(rest), depth + 1)?;
        out.push((k, v));
        input = blanks(rest);
        if let Some(rest) = input.strip_prefix(',') {
            input = rest;
        } else if let Some(rest) = input.strip_prefix('}') {
            return Ok((rest, PyExpr::Dict(out)));
        } else {
            return Err(fail(input));
        }
    }
}

/// From inside a group opened by `open`, skip to after its close.
fn skip_group_from(input: &str, open: char) -> &str {
    let mut wrapped = String::with_capacity(input.len() + 1);
    wrapped.push(open);
    wrapped.push_str(input);
    let rest_len = skip_group(&wrapped).len();
    &input[input.len() - rest_len.min(input.len())..]
}

/// Environment reads: which call reads which variable, and the default argument.
fn env_call(callee: &str, args: &[(Option<String>, PyExpr)], subscript: bool) -> Option<PyExpr> {
    let name = args.first().and_then(|(k, v)| {
        if k.is_none() {
            v.as_str().map(str::to_string)
        } else {
            None
        }
    })?;
    if subscript {
        return Some(PyExpr::Env {
            var: name,
            default: None,
            converted: false,
        });
    }
    let readers = [
        "os.environ.get",
        "os.getenv",
        "environ.get",
        "getenv",
        "env",
        "config",
        "decouple.config",
    ];
    let typed = callee.starts_with("env.")
        && ["env.str", "env.bool", "env.int", "env.url", "env.cache_url"].contains(&callee);
    if !readers.contains(&callee) && !typed {
        return None;
    }
    let default = args
        .iter()
        .find(|(k, _)| k.as_deref() == Some("default"))
        .map(|(_, v)| v.clone())
        .or_else(|| {
            args.get(1)
                .filter(|(k, _)| k.is_none())
                .map(|(_, v)| v.clone())
        });
    // `env.bool("X", False)` and friends convert: only their default is read, as it is.
    Some(PyExpr::Env {
        var: name,
        default: default.map(Box::new),
        converted: typed && callee != "env.str",
    })
}

/// `dict(KEY=value, ...)`, or `dict({...}, KEY=value)`: a dict with those entries (keywords win
/// over the positional mapping's, as in Python); anything else is Unknown.
fn dict_call(args: Vec<(Option<String>, PyExpr)>) -> PyExpr {
    let mut items = Vec::new();
    for (i, (key, value)) in args.into_iter().enumerate() {
        match (key, value) {
            (Some(k), v) => items.push((PyExpr::Str(k), v)),
            (None, PyExpr::Dict(entries)) if i == 0 => items.extend(entries),
            _ => return PyExpr::Unknown,
        }
    }
    PyExpr::Dict(items)
}

/// Call arguments: positional and keyword.
fn call_args(mut input: &str, depth: usize) -> Res<'_, Vec<(Option<String>, PyExpr)>> {
    let mut out = Vec::new();
    loop {
        input = blanks(input);
        if let Some(rest) = input.strip_prefix(')') {
            return Ok((rest, out));
        }
        let keyword = identifier(input).ok().and_then(|(rest, name)| {
            let rest = blanks(rest);
            (rest.starts_with('=') && !rest.starts_with("=="))
                .then(|| (blanks(&rest[1..]), name.to_string()))
        });
        let (start, key) = match keyword {
            Some((rest, name)) => (rest, Some(name)),
            None => (input, None),
        };
        let (rest, v) = expr(start, depth + 1)?;
        out.push((key, v));
        input = blanks(rest);
        if let Some(rest) = input.strip_prefix(',') {
            input = rest;
        } else if let Some(rest) = input.strip_prefix(')') {
            return Ok((rest, out));
        } else {
            return Err(fail(input));
        }
    }
}

/// An atom with its trailers (`.name`, `(...)`, `[...]`).
fn primary(input: &str, depth: usize) -> Res<'_, PyExpr> {
    let input = blanks(input);
    if depth > MAX_DEPTH {
        return Err(fail(input));
    }
    if let Ok(r) = string(input) {
        // Adjacent literals concatenate (each keeps its span).
        let (mut rest, mut value) = r;
        while let Ok((next, more)) = string(blanks(rest)) {
            value = match (value, more) {
                (PyExpr::Add(mut terms), b @ PyExpr::Lit { .. }) => {
                    terms.push(b);
                    PyExpr::Add(terms)
                }
                (a @ (PyExpr::Str(_) | PyExpr::Lit { .. }), b @ PyExpr::Lit { .. }) => {
                    PyExpr::Add(vec![a, b])
                }
                _ => PyExpr::Unknown,
            };
            rest = next;
        }
        return Ok((rest, value));
    }
    if let Ok(r) = number(input) {
        return Ok(r);
    }
    if let Some(rest) = input.strip_prefix('[') {
        return items(rest, ']', depth).map(|(r, (v, _))| (r, PyExpr::List(v)));
    }
    if let Some(rest) = input.strip_prefix('(') {
        return items(rest, ')', depth).map(|(r, (mut v, comma))| {
            (
                r,
                if v.len() == 1 && !comma {
                    v.remove(0)
                } else {
                    PyExpr::List(v)
                },
            )
        });
    }
    if let Some(rest) = input.strip_prefix('{') {
        return dict(rest, depth);
    }
    let (mut rest, name) = identifier(input)?;
    let mut dotted = name.to_string();
    while let Some(after) = rest.strip_prefix('.') {
        let (r, part) = identifier(after)?;
        dotted.push('.');
        dotted.push_str(part);
        rest = r;
    }
    let mut value = match dotted.as_str() {
        "True" => PyExpr::Bool(true),
        "False" => PyExpr::Bool(false),
        "None" => PyExpr::None,
        _ => PyExpr::Name(dotted.clone()),
    };
    loop {
        let r = blanks(rest);
        if let Some(args) = r.strip_prefix('(') {
            let (after, args) = call_args(args, depth)?;
            value = if !matches!(value, PyExpr::Name(_)) {
                // A call on what a call returned (`f()()`, `a.b().c()`): not read.
                PyExpr::Unknown
            } else if dotted == "dict" {
                dict_call(args)
            } else {
                env_call(&dotted, &args, false).unwrap_or_else(|| PyExpr::Call {
                    callee: dotted.clone(),
                    args,
                })
            };
            rest = after;
        } else if let Some(inner) = r.strip_prefix('[') {
            let (after, (index, _)) = items(inner, ']', depth)?;
            value = if dotted == "os.environ" {
                env_call(
                    &dotted,
                    &[(None, index.into_iter().next().unwrap_or(PyExpr::Unknown))],
                    true,
                )
                .unwrap_or(PyExpr::Unknown)
            } else {
                PyExpr::Unknown
            };
            rest = after;
        } else if let Some(after) = r.strip_prefix('.') {
            let (after, _) = identifier(after)?;
            value = PyExpr::Unknown;
            rest = after;
        } else {
            return Ok((rest, value));
        }
    }
}

/// `a + b + ...`, then `or` between such chains; any other operator makes the expression
/// Unknown (skipped to its end).
fn expr(input: &str, depth: usize) -> Res<'_, PyExpr> {
    let (mut rest, mut value) = match add_chain(input, depth) {
        Ok(r) => r,
        Err(_) if depth > MAX_DEPTH => return Ok((skip_expression(input), PyExpr::Unknown)),
        Err(e) => return Err(e),
    };
    loop {
        let r = blanks(rest);
        let or = r
            .strip_prefix("or")
            .filter(|a| a.starts_with([' ', '\t', '\n', '\\', '(', '[', '{', '"', '\'']));
        if let Some(after) = or {
            // Each term at the chain's own depth, as for `+`.
            let (after, right) = add_chain(after, depth)?;
            value = match value {
                PyExpr::Or(mut terms) => {
                    terms.push(right);
                    PyExpr::Or(terms)
                }
                first => PyExpr::Or(vec![first, right]),
            };
            rest = after;
        } else if r.is_empty() || r.starts_with([',', ')', ']', '}', ':', '#', ';']) {
            return Ok((rest, value));
        } else {
            // `if ... else`, `%`, comparisons, `and`...: not read.
            return Ok((skip_expression(r), PyExpr::Unknown));
        }
    }
}

/// `a + b + ...` (one term alone is itself), stopping before any other operator.
fn add_chain(input: &str, depth: usize) -> Res<'_, PyExpr> {
    let (mut rest, mut value) = primary(input, depth)?;
    loop {
        let r = blanks(rest);
        let Some(after) = r.strip_prefix('+').filter(|a| !a.starts_with('=')) else {
            return Ok((rest, value));
        };
        // Each term at the chain's own depth: the chain is flat, however long.
        let (after, right) = primary(after, depth)?;
        value = match value {
            PyExpr::Add(mut terms) => {
                terms.push(right);
                PyExpr::Add(terms)
            }
            first => PyExpr::Add(vec![first, right]),
        };
        rest = after;
    }
}

/// Skip to the end of the current expression (a `,` or close bracket at depth 0).
fn skip_expression(input: &str) -> &str {
    let b = input.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'(' | b'[' | b'{' => {
                let rest = skip_group(&input[i..]);
                i = input.len() - rest.len();
                continue;
            }
            b'\'' | b'"' => match skip_string(b, i) {
                Ok(next) => {
                    i = next;
                    continue;
                }
                Err(_) => return "",
            },
            b',' | b')' | b']' | b'}' | b'#' => return &input[i..],
            _ => {}
        }
        i += 1;
    }
    ""
}

/// Assignment targets: `NAME`, `NAME["k"]["k2"]`, `NAME: type`, and attributes
/// (`app.config["K"]`, `app.secret_key`: the dotted name is the first element).
fn target(input: &str) -> Option<(&str, Vec<String>)> {
    let (mut rest, name) = identifier(input).ok()?;
    let mut dotted = name.to_string();
    while let Some(after) = rest.strip_prefix('.') {
        let (r, part) = identifier(after).ok()?;
        dotted.push('.');
        dotted.push_str(part);
        rest = r;
    }
    let mut path = vec![dotted];
    loop {
        let r = rest.trim_start_matches([' ', '\t']);
        if let Some(inner) = r.strip_prefix('[') {
            let (after, key) = string(inner.trim_start()).ok()?;
            path.push(key.as_str()?.to_string());
            rest = after.trim_start().strip_prefix(']')?;
        } else {
            return Some((r, path));
        }
    }
}

/// The encoding a PEP 263 comment declares on line 1 or 2 (`# -*- coding: latin-1 -*-`),
/// normalised the way Python looks codecs up (lower case, `-` and spaces as `_`).
fn declared_coding(src: &[u8]) -> Option<String> {
    let mut lines = src.split(|&b| b == b'\n');
    for _ in 0..2 {
        let line = lines.next()?;
        let code = line
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\x0c'))
            .map_or(&line[line.len()..], |p| &line[p..]);
        if !code.starts_with(b"#") {
            // Python reads line 2 only after a blank or comment line 1.
            if code.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            return None;
        }
        let text = String::from_utf8_lossy(code);
        if let Some(at) = text
            .find("coding")
            .filter(|&at| matches!(text.as_bytes().get(at + 6), Some(b':' | b'=')))
        {
            let name: String = text[at + 7..]
                .trim_start_matches([' ', '\t'])
                .chars()
                .take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
                .collect();
            return (!name.is_empty()).then(|| name.to_lowercase().replace(['-', ' '], "_"));
        }
    }
    None
}

/// Characters of cp1252's 0x80-0x9F row; None where Python's codec has no character.
const CP1252_HIGH: [Option<char>; 32] = [
    Some('\u{20ac}'),
    None,
    Some('\u{201a}'),
    Some('\u{0192}'),
    Some('\u{201e}'),
    Some('\u{2026}'),
    Some('\u{2020}'),
    Some('\u{2021}'),
    Some('\u{02c6}'),
    Some('\u{2030}'),
    Some('\u{0160}'),
    Some('\u{2039}'),
    Some('\u{0152}'),
    None,
    Some('\u{017d}'),
    None,
    None,
    Some('\u{2018}'),
    Some('\u{2019}'),
    Some('\u{201c}'),
    Some('\u{201d}'),
    Some('\u{2022}'),
    Some('\u{2013}'),
    Some('\u{2014}'),
    Some('\u{02dc}'),
    Some('\u{2122}'),
    Some('\u{0161}'),
    Some('\u{203a}'),
    Some('\u{0153}'),
    None,
    Some('\u{017e}'),
    Some('\u{0178}'),
];

/// A module in a single-byte encoding as UTF-8 text, with the file offset of each text byte
/// (and of its end). None for an encoding redline does not decode or a byte it has no
/// character for (Python refuses those too).
fn decode_single_byte(src: &[u8], coding: &str) -> Option<(String, Vec<usize>)> {
    let latin1 = [
        "latin_1",
        "latin1",
        "latin",
        "l1",
        "iso8859_1",
        "iso_8859_1",
        "iso_latin_1",
        "cp819",
        "8859",
        "iso_ir_100",
        "csisolatin1",
    ]
    .iter()
    .any(|n| coding == *n || coding.starts_with(&format!("{n}_")));
    let cp1252 = ["cp1252", "windows_1252", "1252"].contains(&coding);
    if !latin1 && !cp1252 {
        return None;
    }
    let mut text = String::with_capacity(src.len() + src.len() / 8);
    let mut map = Vec::with_capacity(src.len() + 1);
    for (i, &b) in src.iter().enumerate() {
        let c = match b {
            0x80..=0x9f if cp1252 => CP1252_HIGH[usize::from(b - 0x80)]?,
            _ => char::from(b),
        };
        text.push(c);
        map.resize(text.len(), i);
    }
    map.push(src.len());
    Some((text, map))
}

/// Read a settings module: UTF-8 (Python's default), or the Latin-1 or cp1252 its coding
/// comment declares. Offsets in the result are file offsets either way.
pub fn parse(src: &[u8]) -> PyModule {
    if let Ok(text) = std::str::from_utf8(src) {
        return parse_text(text);
    }
    let coding = declared_coding(src);
    let decoded = coding
        .as_deref()
        .filter(|_| !src.starts_with(b"\xEF\xBB\xBF"))
        .and_then(|c| decode_single_byte(src, c));
    let Some((text, map)) = decoded else {
        let (_, error) = logical_lines(src);
        let why = match coding {
            Some(c) => format!("the module declares the encoding `{c}`, which redline does not decode, or holds a byte it has no character for"),
            None => "the module is not valid UTF-8 and declares no other encoding (Python refuses it)".into(),
        };
        return PyModule {
            error: error.or(Some((0..0, why))),
            ..PyModule::default()
        };
    };
    let mut module = parse_text(&text);
    let at = |r: &Range<usize>| map[r.start]..map[r.end];
    for a in &mut module.assignments {
        a.span = at(&a.span);
        a.value_span = at(&a.value_span);
        a.value.map_spans(&|r| Some(at(r)));
    }
    for c in &mut module.calls {
        c.span = at(&c.span);
        for (_, v) in &mut c.args {
            v.map_spans(&|r| Some(at(r)));
        }
    }
    for c in &mut module.classes {
        c.span = at(&c.span);
    }
    for i in &mut module.imports {
        i.span = at(&i.span);
    }
    if let Some((span, _)) = &mut module.error {
        *span = at(span);
    }
    module
}

/// A block a header line opens.
#[derive(Debug, Clone)]
enum Block {
    Class(usize),
    Function(String),
    /// `if`, `try`, `for`, `while`, `with`, `match`...
    Branch,
}

fn scope_of(blocks: &[(usize, Block)]) -> Scope {
    let owner = blocks
        .iter()
        .rposition(|(_, b)| !matches!(b, Block::Branch));
    let function = blocks.iter().rev().find_map(|(_, b)| match b {
        Block::Function(name) => Some(name.clone()),
        _ => None,
    });
    let class = match owner.map(|o| &blocks[o].1) {
        Some(Block::Class(index)) => Some(*index),
        _ => None,
    };
    let branch = blocks[owner.map_or(0, |o| o + 1)..]
        .iter()
        .any(|(_, b)| matches!(b, Block::Branch));
    Scope {
        class: if branch { None } else { class },
        function,
        branch,
    }
}

const BRANCH_KEYWORDS: [&str; 12] = [
    "if", "elif", "else", "try", "except", "finally", "for", "while", "with", "async", "match",
    "case",
];

/// A line that opens a block: `class`, `def`, or a compound statement ending in `:`. A class
/// header is recorded in `module`.
fn header(code: &str, span: Range<usize>, scope: &Scope, module: &mut PyModule) -> Option<Block> {
    let (rest, word) = identifier(code).ok()?;
    let after_word = rest.trim_start_matches([' ', '\t']);
    if after_word.starts_with(['=', '.', '[', ',']) && !after_word.starts_with("==") {
        return None;
    }
    match word {
        "class" => {
            let (after, name) = identifier(blanks(rest)).ok()?;
            let mut bases = Vec::new();
            if let Some(args) = blanks(after).strip_prefix('(') {
                if let Ok((_, args)) = call_args(args, 0) {
                    bases = args
                        .into_iter()
                        .filter_map(|(k, v)| match (k, v) {
                            (None, PyExpr::Name(n)) => Some(n),
                            _ => None,
                        })
                        .collect();
                }
            }
            module.classes.push(ClassDef {
                name: name.to_string(),
                bases,
                span,
                scope: scope.clone(),
            });
            Some(Block::Class(module.classes.len() - 1))
        }
        "def" => {
            let (_, name) = identifier(blanks(rest)).ok()?;
            Some(Block::Function(name.to_string()))
        }
        "async" if blanks(rest).starts_with("def") => {
            let (_, name) = identifier(blanks(&blanks(rest)[3..])).ok()?;
            Some(Block::Function(name.to_string()))
        }
        w if BRANCH_KEYWORDS.contains(&w) => Some(Block::Branch),
        _ => None,
    }
}

/// `import a.b as c` or `from .a import b, c as d` (one statement per line).
fn import_statement(code: &str, span: Range<usize>) -> Option<Import> {
    let (rest, word) = identifier(code).ok()?;
    let dotted_module = |input: &str| -> Option<(usize, String)> {
        let input = blanks(input);
        let dots = input.bytes().take_while(|b| *b == b'.').count();
        let mut name = ".".repeat(dots);
        let mut rest = &input[dots..];
        if let Ok((r, first)) = identifier(rest) {
            name.push_str(first);
            rest = r;
            while let Some(after) = rest.strip_prefix('.') {
                let (r, part) = identifier(after).ok()?;
                name.push('.');
                name.push_str(part);
                rest = r;
            }
        }
        (!name.is_empty()).then(|| (code.len() - rest.len(), name))
    };
    match word {
        "import" => {
            let (used, module) = dotted_module(rest)?;
            let after = blanks(&code[used..]);
            let alias = after
                .strip_prefix("as ")
                .and_then(|a| identifier(blanks(a)).ok())
                .map(|(_, n)| n.to_string());
            Some(Import {
                module,
                names: Vec::new(),
                alias,
                span,
            })
        }
        "from" => {
            let (used, module) = dotted_module(rest)?;
            let after = blanks(&code[used..]).strip_prefix("import")?;
            let list = after.trim_matches(|c: char| c.is_whitespace() || "()\\".contains(c));
            let list = list.split('#').next().unwrap_or(list);
            let names = list
                .split(',')
                .filter_map(|item| {
                    let mut words = item.split_whitespace();
                    let name = words.next()?.trim_matches(['(', ')']);
                    let local = match (words.next(), words.next()) {
                        (Some("as"), Some(local)) => local.trim_matches(['(', ')']),
                        _ => name,
                    };
                    (!name.is_empty()).then(|| (name.to_string(), local.to_string()))
                })
                .collect();
            Some(Import {
                module,
                names,
                alias: None,
                span,
            })
        }
        _ => None,
    }
}

/// Read a module's text (its offsets index `text`).
fn parse_text(text: &str) -> PyModule {
    let (lines, error) = logical_lines(text.as_bytes());
    let mut module = PyModule {
        error,
        ..PyModule::default()
    };
    // The open blocks (indentation of their header, kind), innermost last.
    let mut blocks: Vec<(usize, Block)> = Vec::new();
    for (start, end, indent) in lines {
        let line = &text[start..end];
        let code = line.trim_start();
        if code.is_empty() || code.starts_with('#') {
            continue;
        }
        while blocks.last().is_some_and(|(i, _)| *i >= indent) {
            blocks.pop();
        }
        let scope = scope_of(&blocks);
        if let Some(block) = header(code, start + indent..end, &scope, &mut module) {
            if blocks.len() < MAX_NESTING {
                blocks.push((indent, block));
            }
            continue;
        }
        if let Some(import) = import_statement(code, start + indent..end) {
            module.imports.push(import);
            continue;
        }
        if let Ok((rest, PyExpr::Call { callee, args })) = expr(code, 0) {
            if blanks(rest).is_empty() || blanks(rest).starts_with(['#', ';']) {
                let mut call = PyExpr::Call { callee, args };
                let (lo, hi) = (start, end);
                call.map_spans(&|r| {
                    let (a, b) = (end.checked_sub(r.start)?, end.checked_sub(r.end)?);
                    (a >= lo && a <= b && b <= hi).then_some(a..b)
                });
                if let PyExpr::Call { callee, args } = call {
                    module.calls.push(CallStatement {
                        callee,
                        args,
                        span: start + indent..end,
                        scope,
                    });
                }
                continue;
            }
        }
        // `(A, B) = ...` and `[A, B] = ...`: the brackets only group the targets.
        let (code, grouped) = match code.strip_prefix(['(', '[']) {
            Some(inner) => match inner.find([')', ']']) {
                Some(close)
                    if inner[close + 1..]
                        .trim_start_matches([' ', '\t'])
                        .strip_prefix('=')
                        .is_some_and(|r| !r.starts_with('=')) =>
                {
                    (inner, Some(close))
                }
                _ => (code, None),
            },
            None => (code, None),
        };
        let code_owned;
        let code = match grouped {
            // The targets inside, then what follows the closing bracket.
            Some(close) => {
                code_owned = format!("{}{}", &code[..close], &code[close + 1..]);
                code_owned.as_str()
            }
            None => code,
        };
        let Some((rest, path)) = target(code) else {
            continue;
        };
        if path.len() > MAX_NESTING {
            let at = start + indent;
            module.error.get_or_insert((
                at..end,
                format!("an assignment target with more than {MAX_NESTING} subscripts: nested deeper than redline reads"),
            ));
            break;
        }
        // `A, B = ...`: more targets, unpacked from the right-hand side.
        let mut targets = vec![path];
        let mut rest = rest;
        while let Some(r) = rest.trim_start_matches([' ', '\t']).strip_prefix(',') {
            let r = r.trim_start_matches([' ', '\t']);
            if r.starts_with('=') {
                rest = r;
                break;
            }
            match target(r) {
                Some((after, p)) if p.len() <= MAX_NESTING => {
                    targets.push(p);
                    rest = after;
                }
                _ => {
                    targets.clear();
                    break;
                }
            }
        }
        if targets.is_empty() {
            continue;
        }
        let rest = rest.trim_start_matches([' ', '\t']);
        let (augmented, after_op) = if let Some(r) = rest.strip_prefix("+=") {
            (true, r)
        } else if let Some(r) = rest.strip_prefix('=').filter(|r| !r.starts_with('=')) {
            (false, r)
        } else if let Some(r) = rest.strip_prefix(':') {
            // `NAME: type = value`
            match r.find('=') {
                Some(eq) if !r[eq + 1..].starts_with('=') && targets[0].len() == 1 => {
                    (false, &r[eq + 1..])
                }
                _ => continue,
            }
        } else {
            continue;
        };
        if augmented && targets.len() > 1 {
            continue;
        }
        let mut value_text = after_op.trim_start_matches([' ', '\t']);
        // `A = B = value`: every target gets the one value, left to right.
        let mut chained = false;
        if !augmented && targets.len() == 1 {
            while let Some((after, p)) = target(value_text) {
                let after = after.trim_start_matches([' ', '\t']);
                match after.strip_prefix('=').filter(|r| !r.starts_with('=')) {
                    Some(r) if p.len() <= MAX_NESTING => {
                        targets.push(p);
                        chained = true;
                        value_text = r.trim_start_matches([' ', '\t']);
                    }
                    _ => break,
                }
            }
        }
        let value_start = start + (line.len() - value_text.len());
        // The right-hand side: one expression, or for several unpacked targets a comma list.
        let mut values: Vec<(PyExpr, Range<usize>)> = Vec::new();
        let mut remaining = value_text;
        loop {
            let at = value_start + (value_text.len() - remaining.len());
            let (value, used) = match expr(remaining, 0) {
                Ok((rest, v)) => (v, remaining.len() - rest.len()),
                Err(_) => (PyExpr::Unknown, remaining.trim_end().len()),
            };
            let stop = at + remaining[..used].trim_end().len();
            values.push((value, at..stop));
            let after = blanks(&remaining[used..]);
            match after.strip_prefix(',') {
                Some(r) if targets.len() > 1 && !chained => {
                    remaining = blanks(r);
                    if remaining.is_empty() || remaining.starts_with('#') {
                        break;
                    }
                }
                _ => break,
            }
        }
        let whole = value_start..values.last().map_or(value_start, |(_, r)| r.end);
        // Literal spans were lengths left before the line's end; a piece that was not a suffix
        // of its value (none should be) keeps its value and loses its span.
        for (value, span) in &mut values {
            let (lo, hi) = (span.start, span.end);
            value.map_spans(&|r| {
                let (start, stop) = (end.checked_sub(r.start)?, end.checked_sub(r.end)?);
                (start >= lo && start <= stop && stop <= hi).then_some(start..stop)
            });
        }
        let unpacked: Vec<(PyExpr, Range<usize>)> = if targets.len() == 1 || chained {
            let (value, _) = values.swap_remove(0);
            vec![(value, whole.clone()); targets.len()]
        } else if values.len() == targets.len() {
            values
        } else if let [(PyExpr::List(items), span)] = values.as_slice() {
            // `A, B = (1, 2)`: the parenthesized tuple unpacks.
            if items.len() == targets.len() {
                items.iter().map(|i| (i.clone(), span.clone())).collect()
            } else {
                vec![(PyExpr::Unknown, whole.clone()); targets.len()]
            }
        } else {
            // `A, B = f()`: not known.
            vec![(PyExpr::Unknown, whole.clone()); targets.len()]
        };
        for (target, (value, value_span)) in targets.into_iter().zip(unpacked) {
            module.assignments.push(Assignment {
                target,
                augmented,
                value,
                value_span,
                span: start + indent..end,
                conditional: indent > 0,
                shared_value: chained,
                scope: scope.clone(),
            });
        }
    }
    module
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of `name`, literals and their concatenations folded into `Str` (spans are
    /// tested apart).
    fn value(src: &str, name: &str) -> PyExpr {
        let m = parse(src.as_bytes());
        assert!(m.error.is_none(), "{:?}", m.error);
        let v = m
            .assignments
            .iter()
            .rev()
            .find(|a| a.target == [name])
            .map(|a| a.value.clone())
            .unwrap();
        fold(v)
    }

    fn fold(e: PyExpr) -> PyExpr {
        match e {
            PyExpr::Lit { value, .. } => PyExpr::Str(value),
            PyExpr::List(items) => PyExpr::List(items.into_iter().map(fold).collect()),
            PyExpr::Dict(items) => {
                PyExpr::Dict(items.into_iter().map(|(k, v)| (fold(k), fold(v))).collect())
            }
            PyExpr::Env {
                var,
                default,
                converted,
            } => PyExpr::Env {
                var,
                default: default.map(|d| Box::new(fold(*d))),
                converted,
            },
            PyExpr::Or(terms) => PyExpr::Or(terms.into_iter().map(fold).collect()),
            PyExpr::Call { callee, args } => PyExpr::Call {
                callee,
                args: args.into_iter().map(|(k, v)| (k, fold(v))).collect(),
            },
            PyExpr::Add(terms) => {
                let terms: Vec<PyExpr> = terms.into_iter().map(fold).collect();
                if terms.iter().all(|t| matches!(t, PyExpr::Str(_))) {
                    PyExpr::Str(
                        terms
                            .into_iter()
                            .map(|t| match t {
                                PyExpr::Str(s) => s,
                                _ => String::new(),
                            })
                            .collect(),
                    )
                } else {
                    PyExpr::Add(terms)
                }
            }
            other => other,
        }
    }

    #[test]
    fn literals_keep_their_spans() {
        let src = "X = 1\nA = {'k': os.environ.get('P', \"pw\"), 'j': 'a' r'b'}\n";
        let m = parse(src.as_bytes());
        let spans: Vec<&str> = m.assignments[1]
            .value
            .walk()
            .into_iter()
            .filter_map(|e| match e {
                PyExpr::Lit { span, .. } => Some(&src[span.clone()]),
                _ => None,
            })
            .collect();
        let mut spans = spans;
        spans.sort();
        // The variable's name is not a value: only the default is kept.
        assert_eq!(spans, ["\"pw\"", "'a'", "'j'", "'k'", "r'b'"]);
    }

    #[test]
    fn literals() {
        assert_eq!(value("A = 'x'\n", "A"), PyExpr::Str("x".into()));
        assert_eq!(
            value("A = r'a\\n' \"b\\n\"\n", "A"),
            PyExpr::Str("a\\nb\n".into())
        );
        assert_eq!(value("A = True\n", "A"), PyExpr::Bool(true));
        assert_eq!(value("A = 1_000\n", "A"), PyExpr::Int(1000));
        assert_eq!(
            value("A = {'k': [1, (2,)], \"j\": None}\n", "A"),
            PyExpr::Dict(vec![
                (
                    PyExpr::Str("k".into()),
                    PyExpr::List(vec![PyExpr::Int(1), PyExpr::List(vec![PyExpr::Int(2)])])
                ),
                (PyExpr::Str("j".into()), PyExpr::None)
            ])
        );
        assert_eq!(value("A = f'{x}'\n", "A"), PyExpr::Unknown);
        assert_eq!(
            value("A = '''multi\nline'''\n", "A"),
            PyExpr::Str("multi\nline".into())
        );
    }

    #[test]
    fn environment_reads() {
        assert_eq!(
            value("A = os.environ.get('X', 'd')\n", "A"),
            PyExpr::Env {
                var: "X".into(),
                default: Some(Box::new(PyExpr::Str("d".into()))),
                converted: false,
            }
        );
        assert_eq!(
            value("A = os.environ['X']\n", "A"),
            PyExpr::Env {
                var: "X".into(),
                default: None,
                converted: false,
            }
        );
        assert_eq!(
            value("A = env.str('X', default='d')\n", "A"),
            PyExpr::Env {
                var: "X".into(),
                default: Some(Box::new(PyExpr::Str("d".into()))),
                converted: false,
            }
        );
        assert_eq!(
            value("A = os.getenv('X') or 'y'\n", "A"),
            PyExpr::Or(vec![
                PyExpr::Env {
                    var: "X".into(),
                    default: None,
                    converted: false,
                },
                PyExpr::Str("y".into())
            ])
        );
        assert_eq!(value("A = x and 'y'\n", "A"), PyExpr::Unknown);
        assert!(matches!(
            value("A = 'redis://' + os.getenv('H', 'h')\n", "A"),
            PyExpr::Add(terms) if terms.len() == 2
        ));
    }

    #[test]
    fn statements() {
        let m = parse(b"CACHES = {'default': {}}\nCACHES['default']['LOCATION'] = 'redis://x'\nif DEBUG:\n    SESSION_COOKIE_SECURE = False\nX += ['a']\n");
        let targets: Vec<_> = m
            .assignments
            .iter()
            .map(|a| (a.target.join("."), a.conditional, a.augmented))
            .collect();
        assert_eq!(
            targets,
            [
                ("CACHES".into(), false, false),
                ("CACHES.default.LOCATION".into(), false, false),
                ("SESSION_COOKIE_SECURE".into(), true, false),
                ("X".into(), false, true)
            ]
        );
    }

    #[test]
    fn calls_classes_and_scopes() {
        let src = "import os\nfrom .config import Config, Dev as D\nimport redis\n\nclass Prod(Config, base.Mixin):\n    SESSION_TYPE = 'redis'\n    if X:\n        Y = 1\n\ndef create_app():\n    app = Flask(__name__)\n    app.config['SESSION_REDIS'] = redis.Redis(host='h', port=6380, ssl=True)\n    app.secret_key = 'k'\n    app.config.from_object(Prod)\n    Session(app)\n";
        let m = parse(src.as_bytes());
        assert!(m.error.is_none());
        assert_eq!(m.classes.len(), 1);
        assert_eq!(m.classes[0].bases, ["Config", "base.Mixin"]);
        assert_eq!(m.imports.len(), 3);
        assert_eq!(m.imports[1].module, ".config");
        assert_eq!(
            m.imports[1].names,
            [
                ("Config".into(), "Config".into()),
                ("Dev".into(), "D".into())
            ]
        );
        let find = |t: &str| {
            m.assignments
                .iter()
                .find(|a| a.target.join(".") == t)
                .unwrap()
        };
        assert_eq!(find("SESSION_TYPE").scope.class, Some(0));
        assert!(find("Y").scope.branch);
        assert_eq!(find("Y").scope.class, None);
        let redis = find("app.config.SESSION_REDIS");
        assert_eq!(redis.scope.function.as_deref(), Some("create_app"));
        assert!(!redis.scope.branch);
        match &redis.value {
            PyExpr::Call { callee, args } => {
                assert_eq!(callee, "redis.Redis");
                assert_eq!(args.len(), 3);
                assert_eq!(args[1], (Some("port".into()), PyExpr::Int(6380)));
                match &args[0].1 {
                    PyExpr::Lit { span, .. } => assert_eq!(&src[span.clone()], "'h'"),
                    other => panic!("{other:?}"),
                }
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(find("app.secret_key").target, ["app.secret_key"]);
        let calls: Vec<&str> = m.calls.iter().map(|c| c.callee.as_str()).collect();
        assert_eq!(calls, ["app.config.from_object", "Session"]);
        assert_eq!(m.calls[0].args[0].1, PyExpr::Name("Prod".into()));
    }

    #[test]
    fn hostile_statements_stay_linear() {
        // A long call chain, deep class nesting and a long `or` chain: read without recursion.
        let chain = format!("X = a{}\n", ".b()".repeat(100_000));
        assert_eq!(
            parse(chain.as_bytes()).assignments[0].value,
            PyExpr::Unknown
        );
        let mut nested = String::new();
        for i in 0..5_000 {
            nested.push_str(&format!("{}class C{i}(C{}):\n", " ".repeat(i), i + 1));
        }
        let m = parse(nested.as_bytes());
        assert_eq!(m.classes.len(), 5_000);
        let ors = format!("X = {}'y'\n", "a or ".repeat(100_000));
        assert!(
            matches!(&parse(ors.as_bytes()).assignments[0].value, PyExpr::Or(t) if t.len() == 100_001)
        );
    }

    #[test]
    fn errors_and_depth() {
        assert!(parse(b"A = (1,\n").error.is_some());
        assert!(parse(b"A = 'open\n").error.is_some());
        // CPython's limit: 200 levels read, 201 refused.
        let nested = |n: usize| format!("A = {}{}\n", "[".repeat(n), "]".repeat(n));
        assert!(parse(nested(200_000).as_bytes()).error.is_some());
        assert!(parse(nested(MAX_NESTING + 1).as_bytes()).error.is_some());
        let m = parse(nested(MAX_NESTING).as_bytes());
        assert!(m.error.is_none());
        // The outer lists are read; past the depth limit the rest is Unknown.
        let mut v = &m.assignments[0].value;
        let mut levels = 0;
        while let PyExpr::List(inner) = v {
            v = &inner[0];
            levels += 1;
        }
        assert_eq!(*v, PyExpr::Unknown);
        assert!(levels <= MAX_DEPTH + 2, "{levels}");
    }
}
