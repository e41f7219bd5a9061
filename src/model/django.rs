//! A Django settings module evaluated the way Python would run it, as far as it can be known
//! without running it: assignments in order, `+=`, `CACHES[...][...] = ...`, environment reads
//! taking their defaults (no default: unknown), string concatenation. An assignment inside a
//! compound statement makes the value "one of" the values it may have; rules fire only on what
//! holds for every one. Cache LOCATIONs are read with redis-py's URL rules.

use crate::source::FileId;
use crate::syntax::python::{self, Assignment, PyExpr};
use std::collections::HashMap;
use std::ops::Range;

#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Str(String),
    Int(i64),
    Float(String),
    Bool(bool),
    None,
    List(Vec<Val>),
    Dict(Vec<(Val, Val)>),
    Unknown,
    /// A setting assigned in a branch: any of these (Absent included when it may not be set).
    OneOf(Vec<Val>),
    /// Not set (only inside OneOf).
    Absent,
}

impl Val {
    pub fn get(&self, key: &str) -> Option<&Val> {
        match self {
            // Compared in place: building a `Val::Str` per entry made every look-up allocate.
            Val::Dict(items) => items
                .iter()
                .rev()
                .find(|(k, _)| matches!(k, Val::Str(s) if s == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value when it is certain (not unknown, not one of several).
    pub fn certain(&self) -> Option<&Val> {
        match self {
            Val::Unknown | Val::OneOf(_) | Val::Absent => None,
            v => Some(v),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Every value it may have, for rules that fire only when all of them agree.
    pub fn possibilities(&self) -> Vec<&Val> {
        match self {
            Val::OneOf(vs) => vs.iter().collect(),
            v => vec![v],
        }
    }
}

#[derive(Debug, Clone)]
pub struct Setting {
    pub value: Val,
    /// Where the assignment that decided the value (the last one) is, for locations and fixes.
    pub last: AssignedAt,
}

/// An assignment's place, without its right-hand side (evaluated into the setting's value).
#[derive(Debug, Clone)]
pub struct AssignedAt {
    /// The name, then subscript keys.
    pub target: Vec<String>,
    /// The right-hand side's source bytes.
    pub value_span: Range<usize>,
    /// The whole statement.
    pub span: Range<usize>,
    /// Inside `if`/`try`/`for`/`with`...: it may or may not run.
    pub conditional: bool,
    /// The value also sets other names (`A = B = True`): a fix appends rather than edit it.
    pub shared_value: bool,
}

impl AssignedAt {
    fn of(a: &Assignment) -> AssignedAt {
        AssignedAt {
            target: a.target.clone(),
            value_span: a.value_span.clone(),
            span: a.span.clone(),
            conditional: a.conditional,
            shared_value: a.shared_value,
        }
    }
}

#[derive(Debug, Clone)]
pub struct DjangoSettings {
    pub file: FileId,
    pub settings: HashMap<String, Setting>,
    pub error: Option<(Range<usize>, String)>,
    /// `from ... import *`: settings this module does not set may come from another module, so
    /// Django's defaults cannot be assumed for them.
    pub inherits: bool,
    /// The modules named by its `from X import *` lines, as written (`.base`, `proj.settings.base`).
    pub star_imports: Vec<String>,
    /// Another audited module imports all of this one (`settings/base.py` under
    /// `settings/production.py`): what this one leaves unset may be set there.
    pub extended: bool,
    /// The ranges of the module that hold secrets: the string literals given to a
    /// password-like setting or key (environment defaults and concatenated pieces included),
    /// and the passwords of the URLs in any other literal.
    pub secrets: Vec<Range<usize>>,
    /// Where the values of settings read by rules come from, by dotted path
    /// (`CACHES.default.OPTIONS.PASSWORD`), for fixes that edit them.
    pub sources: HashMap<String, ValueSource>,
    /// Where a dict key that is a string literal is written, by dotted path
    /// (`CACHES.default.OPTIONS.IGNORE_EXCEPTIONS`): findings about a key point at it.
    pub keys: HashMap<String, Range<usize>>,
    /// The module assigns at least one upper-case name: a settings module. Another module
    /// (`__init__.py`, `synonyms.py`) gets no finding about a setting it leaves unset.
    pub sets_settings: bool,
}

/// Where a value comes from in the module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueSource {
    /// One string literal (or the default of an environment read that is one): its span,
    /// prefix and quotes included.
    Literal(Range<usize>),
    /// Concatenated pieces, a name, a call, or a conditional assignment: no one place to edit.
    Composite,
}

impl DjangoSettings {
    /// Where a finding about the value at a dotted path points: its literal key
    /// (`"IGNORE_EXCEPTIONS": True`), else its literal value, else the assignment of its setting.
    pub fn place(&self, path: &str) -> Range<usize> {
        if let Some(span) = self.keys.get(path) {
            return span.clone();
        }
        if let Some(ValueSource::Literal(span)) = self.sources.get(path) {
            return span.clone();
        }
        let name = path.split('.').next().unwrap_or(path);
        self.settings
            .get(name)
            .map_or(0..0, |s| s.last.span.clone())
    }

    /// The source of the value at a dotted path, when its last assignment names it.
    pub fn source_of(&self, path: &str) -> Option<&ValueSource> {
        self.sources.get(path)
    }

    /// The range of the module's bytes that holds `text` inside the string literal giving the
    /// value at `path`, when the literal reads as written (no escapes) and holds `text` once:
    /// what a fix may edit.
    pub fn verbatim_literal(&self, bytes: &[u8], path: &str, text: &str) -> Option<Range<usize>> {
        let Some(ValueSource::Literal(span)) = self.source_of(path) else {
            return None;
        };
        let body = python::string_body(bytes, span)?;
        let raw = &bytes[body.clone()];
        if raw.contains(&b'\\') || text.is_empty() {
            return None;
        }
        let mut found = memchr::memmem::find_iter(raw, text.as_bytes());
        match (found.next(), found.next()) {
            (Some(at), None) => Some(body.start + at..body.start + at + text.len()),
            _ => None,
        }
    }
}

/// The secret ranges of the module's call statements (`os.environ.setdefault("PW", "...")`,
/// `Session(app)`...), read as the assignments' right-hand sides are.
pub(crate) fn call_secrets(
    src: &[u8],
    calls: &[crate::syntax::python::CallStatement],
    literals: &HashMap<String, Vec<Range<usize>>>,
    out: &mut Vec<Range<usize>>,
) {
    for c in calls {
        let call = Assignment {
            target: vec![c.callee.clone()],
            augmented: false,
            value: PyExpr::Call {
                callee: c.callee.clone(),
                args: c.args.clone(),
            },
            value_span: c.span.clone(),
            span: c.span.clone(),
            conditional: false,
            shared_value: false,
            scope: c.scope.clone(),
        };
        assignment_secrets(src, &call, literals, out);
    }
}

/// The secret ranges of one assignment (see `DjangoSettings::secrets`).
/// `literals` holds, for each name assigned so far, the string literals of its last assignment:
/// a password given by name (`'PASSWORD': REDIS_PW`) marks the literals that name holds.
pub(crate) fn assignment_secrets(
    src: &[u8],
    a: &Assignment,
    literals: &HashMap<String, Vec<Range<usize>>>,
    out: &mut Vec<Range<usize>>,
) {
    let secret = a
        .target
        .last()
        .is_some_and(|k| crate::syntax::url::is_secret_key(k));
    if matches!(a.value, PyExpr::Unknown | PyExpr::Or(_)) {
        // Not read: its URLs are still masked, and all of it when its name says secret.
        let span = a.value_span.start.min(src.len())..a.value_span.end.min(src.len());
        if secret {
            out.push(span);
        } else {
            out.extend(crate::syntax::url::secret_ranges(
                &src[span.clone()],
                span.start,
            ));
            url_line_literals(src, span, out);
        }
        return;
    }
    let mut pending: Vec<(&PyExpr, bool)> = vec![(&a.value, secret)];
    while let Some((e, secret)) = pending.pop() {
        match e {
            PyExpr::Lit { span, .. } => {
                let span = span.start.min(src.len())..span.end.min(src.len());
                if secret {
                    out.push(span);
                } else {
                    out.extend(crate::syntax::url::secret_ranges(
                        &src[span.clone()],
                        span.start,
                    ));
                }
            }
            // A string whose pieces lost their places: the whole right-hand side.
            PyExpr::Str(_) if secret => out.push(a.value_span.clone()),
            PyExpr::Dict(items) => {
                for (k, v) in items {
                    let key_secret = k.as_str().is_some_and(crate::syntax::url::is_secret_key);
                    pending.push((v, secret || key_secret));
                }
            }
            PyExpr::List(items) => pending.extend(items.iter().map(|i| (i, secret))),
            PyExpr::Env {
                default: Some(d), ..
            } => pending.push((d, secret)),
            PyExpr::Add(terms) => {
                // `"redis://:" + "pw" + "@h"`: the password may be a piece of its own, so every
                // piece of a concatenation that spells a URL with a password is a secret.
                // A name stands for a value of its own (`"redis://:" + PW + "@h"`).
                let joined: String = terms
                    .iter()
                    .map(|t| match t {
                        PyExpr::Name(_) => "x",
                        _ => t.as_str().unwrap_or(""),
                    })
                    .collect();
                let url_password =
                    !crate::syntax::url::secret_ranges(joined.as_bytes(), 0).is_empty();
                pending.extend(terms.iter().map(|t| (t, secret || url_password)));
            }
            PyExpr::Name(name) if secret => {
                out.extend(literals.get(name).into_iter().flatten().cloned());
            }
            // `redis.Redis(password="...")`: a password-like keyword marks its value.
            // `os.environ.setdefault("REDIS_PASSWORD", "...")`, `os.putenv(...)`: a positional
            // string naming a secret marks the positional values after it.
            PyExpr::Call { args, .. } => {
                let mut named_secret = false;
                for (k, v) in args {
                    let key_secret = k.as_deref().is_some_and(crate::syntax::url::is_secret_key);
                    pending.push((v, secret || key_secret || (k.is_none() && named_secret)));
                    if k.is_none() {
                        named_secret |= v.as_str().is_some_and(crate::syntax::url::is_secret_key);
                    }
                }
            }
            _ => {}
        }
    }
    // What the reader could not evaluate (`"redis://:%s@h" % pw`, `.format()`, f-strings,
    // `or`, conditionals) has no literal spans: on each line of the value that spells a URL,
    // every string literal that is not a dict key is a secret.
    if a.value
        .walk()
        .iter()
        .any(|e| matches!(e, PyExpr::Unknown | PyExpr::Or(_)))
    {
        let span = a.value_span.start.min(src.len())..a.value_span.end.min(src.len());
        url_line_literals(src, span, out);
    }
}

/// On each line of `span` that spells a URL (`://`), every string literal that is not a dict key.
fn url_line_literals(src: &[u8], span: Range<usize>, out: &mut Vec<Range<usize>>) {
    let mut start = span.start;
    for line in src[span].split(|&b| b == b'\n') {
        let at = start;
        start += line.len() + 1;
        if memchr::memmem::find(line, b"://").is_some() {
            out.extend(line_literals(line, at));
        }
    }
}

/// The string literals of one line of Python that are not dict keys (a literal followed by
/// `:`), as byte ranges of the module.
fn line_literals(line: &[u8], base: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < line.len() {
        let quote = line[i];
        if quote == b'#' {
            break;
        }
        if quote != b'\'' && quote != b'"' {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < line.len() && line[i] != quote {
            i += if line[i] == b'\\' { 2 } else { 1 };
        }
        let end = (i + 1).min(line.len());
        i = end;
        let after = line[end..].iter().position(|b| !b.is_ascii_whitespace());
        if after.is_some_and(|p| line[end + p] == b':') {
            continue;
        }
        out.push(base + start..base + end);
    }
    out
}

/// The secret ranges of comment lines: a setting commented out (`# PASSWORD = 'old'`,
/// `#   'PASSWORD': 'old',`) holds a password as much as a live one, and a comment may quote a
/// URL with one. A comment shows in excerpts and diff context like any line.
pub(crate) fn comment_secrets(src: &[u8], out: &mut Vec<Range<usize>>) {
    let mut start = 0;
    for line in src.split(|&b| b == b'\n') {
        let range = start..start + line.len();
        start = range.end + 1;
        let skip = line
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        if line.get(skip) != Some(&b'#') {
            continue;
        }
        let body = skip
            + line[skip..]
                .iter()
                .take_while(|b| matches!(b, b'#' | b' ' | b'\t'))
                .count();
        let sep = line[body..].iter().position(|b| matches!(b, b'=' | b':'));
        let key = sep.map(|p| {
            String::from_utf8_lossy(&line[body..body + p])
                .trim_matches(|c: char| c == '\'' || c == '"' || c.is_whitespace())
                .to_string()
        });
        match (sep, key) {
            (Some(p), Some(key)) if crate::syntax::url::is_secret_key(&key) => {
                let value = body + p + 1;
                if value < line.len() {
                    out.push(range.start + value..range.end);
                }
            }
            _ => out.extend(crate::syntax::url::secret_ranges(line, range.start)),
        }
    }
}

/// Record where the values of an assignment come from, and where its literal dict keys are,
/// by dotted path.
fn record_sources(
    a: &Assignment,
    sources: &mut HashMap<String, ValueSource>,
    keys: &mut HashMap<String, Range<usize>>,
) {
    let path = a.target.join(".");
    let prefix = format!("{path}.");
    sources.retain(|k, _| k != &path && !k.starts_with(&prefix));
    keys.retain(|k, _| !k.starts_with(&prefix));
    let mut pending: Vec<(&PyExpr, String)> = vec![(&a.value, path)];
    while let Some((e, path)) = pending.pop() {
        let source = match e {
            PyExpr::Dict(items) => {
                for (k, v) in items {
                    if let Some(key) = k.as_str() {
                        let at = format!("{path}.{key}");
                        if let PyExpr::Lit { span, .. } = k {
                            keys.insert(at.clone(), span.clone());
                        }
                        pending.push((v, at));
                    }
                }
                continue;
            }
            _ if a.conditional || a.augmented => ValueSource::Composite,
            PyExpr::Lit { span, .. } => ValueSource::Literal(span.clone()),
            PyExpr::Env {
                default: Some(d), ..
            } => match &**d {
                PyExpr::Lit { span, .. } => ValueSource::Literal(span.clone()),
                _ => ValueSource::Composite,
            },
            _ => ValueSource::Composite,
        };
        sources.insert(path, source);
    }
}

/// Whether rules or the stack read a setting. A module sets many others (`INSTALLED_APPS`,
/// `DATABASES`, ...): they are evaluated, since these may refer to them, then dropped.
pub fn read_by_rules(name: &str) -> bool {
    name == "CACHES" || name.starts_with("SESSION_") || name.starts_with("DJANGO_REDIS_")
}

impl DjangoSettings {
    /// Keep only the settings `read_by_rules`: on a large tree the rest is memory for nothing.
    pub fn retain_read_by_rules(&mut self) {
        self.settings.retain(|name, _| read_by_rules(name));
        self.settings.shrink_to_fit();
        self.sources
            .retain(|path, _| read_by_rules(path.split('.').next().unwrap_or("")));
        self.keys
            .retain(|path, _| read_by_rules(path.split('.').next().unwrap_or("")));
    }

    pub fn value(&self, name: &str) -> Option<&Val> {
        self.settings.get(name).map(|s| &s.value)
    }

    /// The value, or Django's default when the module does not set it (and inherits nothing).
    pub fn effective(&self, name: &str, default: Val) -> Val {
        match self.value(name) {
            Some(v) => v.clone(),
            None if self.inherits || self.extended => Val::Unknown,
            None => default,
        }
    }

    /// The cache aliases of a certain `CACHES` dict, each with its config and the URLs its
    /// `LOCATION` names (None when there is no readable LOCATION).
    pub fn cache_aliases(&self) -> Vec<(&str, &Val, Option<Vec<String>>)> {
        let Some(Val::Dict(entries)) = self.value("CACHES").and_then(Val::certain) else {
            return Vec::new();
        };
        entries
            .iter()
            .filter_map(|(alias, conf)| {
                let urls = conf
                    .get("LOCATION")
                    .and_then(Val::certain)
                    .and_then(locations);
                Some((alias.as_str()?, conf, urls))
            })
            .collect()
    }

    /// The cache alias sessions are stored in, when `SESSION_ENGINE` is certainly the `cache` or
    /// `cached_db` backend (Django's default engine is `db`).
    pub fn cached_session_alias(&self) -> Option<String> {
        let engine = self.effective(
            "SESSION_ENGINE",
            Val::Str("django.contrib.sessions.backends.db".into()),
        );
        let cached = engine
            .certain()
            .and_then(Val::as_str)
            .is_some_and(|e| e.ends_with(".cache") || e.ends_with(".cached_db"));
        if !cached {
            return None;
        }
        self.effective("SESSION_CACHE_ALIAS", Val::Str("default".into()))
            .certain()?
            .as_str()
            .map(str::to_string)
    }
}

fn eval(expr: &PyExpr, names: &HashMap<String, Setting>) -> Val {
    match expr {
        PyExpr::Str(s) | PyExpr::Lit { value: s, .. } => Val::Str(s.clone()),
        PyExpr::Int(i) => Val::Int(*i),
        PyExpr::Float(f) => Val::Float(f.clone()),
        PyExpr::Bool(b) => Val::Bool(*b),
        PyExpr::None => Val::None,
        PyExpr::List(items) => Val::List(items.iter().map(|i| eval(i, names)).collect()),
        PyExpr::Dict(items) => Val::Dict(
            items
                .iter()
                .map(|(k, v)| (eval(k, names), eval(v, names)))
                .collect(),
        ),
        PyExpr::Name(n) => names
            .get(n)
            .map(|s| s.value.clone())
            .unwrap_or(Val::Unknown),
        PyExpr::Env { default, .. } => default
            .as_ref()
            .map(|d| eval(d, names))
            .unwrap_or(Val::Unknown),
        PyExpr::Add(terms) => {
            // Left to right, as Python adds: a loop, however long the chain.
            let mut terms = terms.iter();
            let Some(first) = terms.next() else {
                return Val::Unknown;
            };
            let mut sum = eval(first, names);
            for term in terms {
                sum = match (sum, eval(term, names)) {
                    (Val::Str(x), Val::Str(y)) => Val::Str(x + &y),
                    (Val::Int(x), Val::Int(y)) => {
                        x.checked_add(y).map(Val::Int).unwrap_or(Val::Unknown)
                    }
                    (Val::List(mut x), Val::List(y)) => {
                        x.extend(y);
                        Val::List(x)
                    }
                    _ => return Val::Unknown,
                };
            }
            sum
        }
        PyExpr::Or(terms) => {
            // The first term that is certainly true, past those certainly false.
            for (i, term) in terms.iter().enumerate() {
                let v = eval(term, names);
                match truthy(&v) {
                    Some(true) => return v,
                    Some(false) if i + 1 < terms.len() => continue,
                    Some(false) => return v,
                    None => return Val::Unknown,
                }
            }
            Val::Unknown
        }
        PyExpr::Call { .. } | PyExpr::Unknown => Val::Unknown,
    }
}

/// Python's truth of a value, when it is certain.
pub fn truthy(v: &Val) -> Option<bool> {
    Some(match v {
        Val::Str(s) => !s.is_empty(),
        Val::Int(i) => *i != 0,
        Val::Float(f) => f.parse::<f64>().ok()? != 0.0,
        Val::Bool(b) => *b,
        Val::None => false,
        Val::List(items) => !items.is_empty(),
        Val::Dict(items) => !items.is_empty(),
        Val::Unknown | Val::OneOf(_) | Val::Absent => return None,
    })
}

/// Set `path` inside `container` (dicts only; anything else becomes unknown).
fn set_path(container: &mut Val, path: &[String], value: Val) {
    let Some((key, rest)) = path.split_first() else {
        *container = value;
        return;
    };
    match container {
        Val::Dict(items) => {
            let k = Val::Str(key.clone());
            match items.iter_mut().rev().find(|(ik, _)| *ik == k) {
                Some((_, v)) => set_path(v, rest, value),
                None => {
                    let mut v = Val::Dict(Vec::new());
                    set_path(&mut v, rest, value);
                    items.push((k, v));
                }
            }
        }
        other => *other = Val::Unknown,
    }
}

/// The secret ranges of a Python module, Django settings or Flask module alike: commented-out
/// passwords, call statements, and each assignment's, with a password given by name marking the
/// literals that name was last assigned.
pub(crate) fn module_secrets(src: &[u8], module: &python::PyModule) -> Vec<Range<usize>> {
    let mut secrets = Vec::new();
    comment_secrets(src, &mut secrets);
    let mut literals: HashMap<String, Vec<Range<usize>>> = HashMap::new();
    call_secrets(src, &module.calls, &literals, &mut secrets);
    for a in &module.assignments {
        assignment_secrets(src, a, &literals, &mut secrets);
        if a.target.len() == 1 {
            let spans = a
                .value
                .walk()
                .into_iter()
                .filter_map(|e| match e {
                    PyExpr::Lit { span, .. } => Some(span.clone()),
                    _ => None,
                })
                .collect();
            literals.insert(a.target[0].clone(), spans);
        }
    }
    secrets
}

pub fn load(file: FileId, src: &[u8]) -> DjangoSettings {
    let module = python::parse(src);
    let mut settings: HashMap<String, Setting> = HashMap::new();
    let secrets = module_secrets(src, &module);
    let mut sources = HashMap::new();
    let mut keys = HashMap::new();
    for a in &module.assignments {
        if read_by_rules(&a.target[0]) {
            record_sources(a, &mut sources, &mut keys);
        }
        let name = a.target[0].clone();
        let mut value = match (a.augmented, settings.contains_key(&name)) {
            (true, true) => eval(
                &PyExpr::Add(vec![PyExpr::Name(name.clone()), a.value.clone()]),
                &settings,
            ),
            (true, false) => Val::Unknown,
            (false, _) => eval(&a.value, &settings),
        };
        // The value this one replaces matters only to a subscript or a conditional assignment
        // (most assignments are neither: no copy of it is made for them).
        let previous = if a.target.len() > 1 || a.conditional {
            settings.remove(&name).map(|s| s.value)
        } else {
            None
        };
        if a.target.len() > 1 {
            let mut container = previous.clone().unwrap_or(Val::Unknown);
            set_path(&mut container, &a.target[1..], value);
            value = container;
        }
        if a.conditional {
            let before = previous.unwrap_or(Val::Absent);
            let mut options = match before {
                Val::OneOf(v) => v,
                other => vec![other],
            };
            if !options.contains(&value) {
                options.push(value);
            }
            value = if options.len() == 1 {
                options.pop().unwrap()
            } else {
                Val::OneOf(options)
            };
        }
        settings.insert(
            name,
            Setting {
                value,
                last: AssignedAt::of(a),
            },
        );
    }
    let star_imports: Vec<String> = src
        .split(|&b| b == b'\n')
        .filter_map(|line| {
            let t = line.trim_ascii();
            let at = memchr::memmem::find(t, b" import *")?;
            let module = t.strip_prefix(b"from ")?.get(..at.checked_sub(5)?)?;
            Some(String::from_utf8_lossy(module.trim_ascii()).into_owned())
        })
        .collect();
    DjangoSettings {
        file,
        settings,
        error: module.error,
        inherits: !star_imports.is_empty(),
        star_imports,
        extended: false,
        secrets,
        sources,
        keys,
        sets_settings: module.assignments.iter().any(|a| {
            let name = &a.target[0];
            name.bytes().any(|b| b.is_ascii_uppercase())
                && !name.bytes().any(|b| b.is_ascii_lowercase())
        }),
    }
}

/// The file a `from MODULE import *` of the module at `importer` names, when it is one of
/// `candidates`: `.base` is `base.py` (or `base/__init__.py`) beside it, `..common` one folder
/// up, and `proj.settings.base` any candidate whose path ends with `proj/settings/base.py`.
pub fn star_import_target<'a>(
    importer: &std::path::Path,
    module: &str,
    candidates: &'a [std::path::PathBuf],
) -> Option<&'a std::path::PathBuf> {
    match star_import_names(importer, module)? {
        StarImport::Exact(file, package) => {
            candidates.iter().find(|c| **c == file || **c == package)
        }
        StarImport::Suffix(file, package) => candidates
            .iter()
            .find(|c| c.ends_with(&file) || c.ends_with(&package)),
    }
}

/// The files a `from MODULE import *` may name: exactly these two paths (a relative import), or
/// any path ending with one of these two (an absolute one). Callers with many candidates look
/// them up by path or by file name instead of scanning (a ring of modules importing each other).
pub enum StarImport {
    Exact(std::path::PathBuf, std::path::PathBuf),
    Suffix(std::path::PathBuf, std::path::PathBuf),
}

pub fn star_import_names(importer: &std::path::Path, module: &str) -> Option<StarImport> {
    let dots = module.bytes().take_while(|&b| b == b'.').count();
    let parts: Vec<&str> = module[dots..]
        .split('.')
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return None;
    }
    let relative: std::path::PathBuf = parts.iter().collect();
    let as_file = relative.with_extension("py");
    let as_package = relative.join("__init__.py");
    if dots > 0 {
        let mut dir = importer.parent()?;
        for _ in 1..dots {
            dir = dir.parent()?;
        }
        Some(StarImport::Exact(dir.join(&as_file), dir.join(&as_package)))
    } else {
        Some(StarImport::Suffix(as_file, as_package))
    }
}

/// Django's own Redis backend: its OPTIONS are redis-py's `from_url` keyword arguments
/// (`password`, `username`, `db`); other backends (django-redis) take `OPTIONS["PASSWORD"]`.
pub const DJANGO_REDIS_BACKEND: &str = "django.core.cache.backends.redis.RedisCache";

/// An OPTIONS entry of a cache: `builtin_key` for Django's own backend, `other_key` for others.
fn option<'a>(conf: &'a Val, builtin_key: &str, other_key: Option<&str>) -> Option<&'a Val> {
    let builtin = conf.get("BACKEND").and_then(Val::as_str) == Some(DJANGO_REDIS_BACKEND);
    let key = if builtin {
        Some(builtin_key)
    } else {
        other_key
    };
    conf.get("OPTIONS")?.get(key?)
}

/// The password a cache's OPTIONS give, as its backend reads them: `password` for Django's own
/// backend, `PASSWORD` for django-redis and others. A password in the LOCATION beats it (both
/// hand it to `from_url`, whose URL options override its keyword arguments).
pub fn options_password(conf: &Val) -> Option<&Val> {
    option(conf, "password", Some("PASSWORD"))
}

/// The ACL user a cache's OPTIONS give, for Django's own backend (`username`, used when the
/// LOCATION names none).
pub fn options_username(conf: &Val) -> Option<String> {
    option(conf, "username", None)?
        .certain()?
        .as_str()
        .map(str::to_string)
}

/// The database a cache's OPTIONS give, for Django's own backend (`db`, used when the LOCATION
/// names none).
pub fn options_database(conf: &Val) -> Option<String> {
    match option(conf, "db", None)?.certain()? {
        Val::Int(n) => Some(n.to_string()),
        Val::Str(s) => s.trim().parse::<i64>().ok().map(|n| n.to_string()),
        _ => None,
    }
}

/// A Redis cache LOCATION read with redis-py's `from_url` rules.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RedisLocation {
    pub scheme: String,
    pub host: Option<String>,
    pub port: u16,
    pub socket: Option<String>,
    pub db: Option<String>,
    pub password: Option<String>,
    /// The ACL user (`redis://user:pass@...`), when the URL names one.
    pub username: Option<String>,
    /// The password as written (between `:` and `@`), and its range in the URL.
    pub raw_password: Option<(String, Range<usize>)>,
}

/// Where the password of a redis-py URL lies in it: the user info ends at the last `@` after
/// the scheme (redis-py splits there), the password starts after its first `:`.
pub fn url_password_range(url: &str) -> Option<Range<usize>> {
    let scheme_end = url.find("://")? + 3;
    let at = scheme_end + url[scheme_end..].rfind('@')?;
    let colon = scheme_end + url[scheme_end..at].find(':')? + 1;
    Some(colon..at)
}

/// A cache LOCATION as redis-py's `parse_url` reads it (redis-py 8, checked by the oracle test):
/// the scheme prefix `redis://`, `rediss://` or `unix://` exactly as written; then Python's
/// `urlsplit` (tabs and newlines dropped; the fragment cut at the first `#`, then the query at
/// the first `?`; the netloc up to the first `/`); query values from `parse_qs` (`+` is a space,
/// blank values dropped, the first of a repeated name wins, `db` must be an integer); a password
/// in the URL beats `?password=`; the host lowercased before it is percent-decoded; a port of 0
/// or none is 6379; the database from `?db=`, else the path with every `/` removed when that
/// reads as an integer.
pub fn parse_location(url: &str) -> Option<RedisLocation> {
    let scheme = ["redis", "rediss", "unix"]
        .into_iter()
        .find(|s| url.starts_with(s) && url[s.len()..].starts_with("://"))?;
    let cleaned: String = url
        .chars()
        .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
        .collect();
    // Offsets into `url` hold only when nothing was dropped.
    let offsets_hold = cleaned.len() == url.len();
    let base = scheme.len() + 3;
    let rest = &cleaned[base..];
    let rest = rest.split('#').next().unwrap_or(rest);
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let (netloc, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if netloc.contains('[') != netloc.contains(']') {
        return None; // urlsplit: "Invalid IPv6 URL"
    }
    let (userinfo, hostinfo) = match netloc.rfind('@') {
        Some(at) => (Some(&netloc[..at]), &netloc[at + 1..]),
        None => (None, netloc),
    };
    if let Some((_, bracketed)) = hostinfo.split_once('[') {
        let inside = bracketed.split(']').next().unwrap_or("");
        if !valid_bracketed_host(inside) {
            return None;
        }
    }
    let unquote = crate::syntax::url::percent_decode;
    let form_decode = crate::model::save_path::url_decode;
    let mut loc = RedisLocation {
        scheme: scheme.to_string(),
        port: 6379,
        ..Default::default()
    };
    let mut query_db = None;
    for pair in query.into_iter().flat_map(|q| q.split('&')) {
        let Some((name, value)) = pair.split_once('=') else {
            continue;
        };
        if value.is_empty() {
            continue;
        }
        match form_decode(name).as_str() {
            "db" if query_db.is_none() => query_db = Some(python_int(&form_decode(value))?),
            "password" if loc.password.is_none() => loc.password = Some(form_decode(value)),
            _ => {}
        }
    }
    // urlsplit's username: the userinfo up to its first `:`; empty means none.
    if let Some(name) = userinfo
        .map(|u| u.split(':').next().unwrap_or(u))
        .filter(|n| !n.is_empty())
    {
        loc.username = Some(unquote(name));
    }
    if let Some((_, password)) = userinfo.and_then(|u| u.split_once(':')) {
        if offsets_hold {
            let start = base + userinfo.unwrap().find(':').unwrap() + 1;
            loc.raw_password = Some((password.to_string(), start..start + password.len()));
        }
        if !password.is_empty() {
            loc.password = Some(unquote(password));
        }
    }
    if scheme == "unix" {
        if !path.is_empty() {
            loc.socket = Some(unquote(path));
        }
        loc.db = query_db;
        return Some(loc);
    }
    let (hostname, port) = match hostinfo.split_once('[') {
        Some((_, bracketed)) => {
            let (host, after) = bracketed.split_once(']').unwrap_or((bracketed, ""));
            (host, after.split_once(':').map_or("", |(_, p)| p))
        }
        None => hostinfo.split_once(':').unwrap_or((hostinfo, "")),
    };
    if !hostname.is_empty() {
        // An IPv6 zone after `%` keeps its case.
        let (name, zone) = hostname
            .split_once('%')
            .map_or((hostname, None), |(n, z)| (n, Some(z)));
        let lowered = match zone {
            Some(zone) => format!("{}%{zone}", name.to_lowercase()),
            None => name.to_lowercase(),
        };
        loc.host = Some(unquote(&lowered));
    }
    if !port.is_empty() {
        if !port.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let number: u32 = port.trim_start_matches('0').parse().unwrap_or(0);
        if port.trim_start_matches('0').len() > 5 || number > 65535 {
            return None;
        }
        if number != 0 {
            loc.port = number as u16;
        }
    }
    loc.db = query_db.or_else(|| python_int(&unquote(path).replace('/', "")));
    Some(loc)
}

/// Python's `int(text)` for base 10, as a canonical decimal string: white space around, a sign,
/// ASCII digits with single `_` between them. None where Python raises `ValueError`.
fn python_int(text: &str) -> Option<String> {
    let t = text.trim();
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let well_formed = !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    if !well_formed {
        return None;
    }
    let plain: String = digits.chars().filter(|c| *c != '_').collect();
    let trimmed = plain.trim_start_matches('0');
    Some(match (trimmed.is_empty(), negative) {
        (true, _) => "0".to_string(),
        (false, true) => format!("-{trimmed}"),
        (false, false) => trimmed.to_string(),
    })
}

/// Python's `urlsplit` check of a bracketed host: an IPv6 address (a zone allowed) or an
/// IPvFuture `vX.Y`; an IPv4 address in brackets is refused.
fn valid_bracketed_host(host: &str) -> bool {
    if let Some(rest) = host.strip_prefix('v') {
        return rest.split_once('.').is_some_and(|(hex, tail)| {
            !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) && !tail.is_empty()
        });
    }
    let address = host.split('%').next().unwrap_or(host);
    address.parse::<std::net::Ipv6Addr>().is_ok()
}

/// The URLs of a LOCATION: a string split on `;` or `,`, or a list. The first takes the writes.
pub fn locations(value: &Val) -> Option<Vec<String>> {
    match value {
        Val::Str(s) => Some(
            s.split([';', ','])
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect(),
        ),
        Val::List(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(src: &str) -> String {
        let settings = load(0, src.as_bytes());
        let mut doc = crate::syntax::document::Document::parse(src.as_bytes().to_vec());
        for r in settings.secrets {
            doc.mark_secret(r);
        }
        String::from_utf8(doc.masked(0..src.len(), b"*")).unwrap()
    }

    #[test]
    fn password_literals_and_url_passwords_are_marked() {
        assert_eq!(
            masked("CACHES = {'default': {'LOCATION': 'redis://:p#w/x@h:6379/1', 'OPTIONS': {'PASSWORD': os.environ.get('X', 'fb')}}}\n"),
            "CACHES = {'default': {'LOCATION': 'redis://:*@h:6379/1', 'OPTIONS': {'PASSWORD': os.environ.get('X', *)}}}\n"
        );
        assert_eq!(
            masked("A = 'redis://h/0?password=pw&x=1'\nREDIS_PASSWORD = 'short' + \"pw\"\nSECRET_KEY = os.getenv('K', 'k')\nKEY_PREFIX = 'app'\n"),
            "A = 'redis://h/0?password=*&x=1'\nREDIS_PASSWORD = * + *\nSECRET_KEY = os.getenv('K', *)\nKEY_PREFIX = 'app'\n"
        );
        assert_eq!(
            masked("PW = 'p1'\nCACHES = {'default': {'OPTIONS': {'PASSWORD': PW}}}\n"),
            "PW = *\nCACHES = {'default': {'OPTIONS': {'PASSWORD': PW}}}\n"
        );
        assert_eq!(
            masked("# PASSWORD = 'old'\n    #   'password': 'old2',\n# see redis://:pw@h\n# KEY_PREFIX: x\n"),
            "# PASSWORD =*\n    #   'password':*\n# see redis://:*@h\n# KEY_PREFIX: x\n"
        );
    }

    #[test]
    fn values_know_the_literal_they_come_from() {
        let src = "CACHES = {'default': {'OPTIONS': {'PASSWORD': 'a' + 'b'}, 'LOCATION': os.getenv('L', 'redis://h')}}\n";
        let settings = load(0, src.as_bytes());
        assert_eq!(
            settings.source_of("CACHES.default.OPTIONS.PASSWORD"),
            Some(&ValueSource::Composite)
        );
        let Some(ValueSource::Literal(span)) = settings.source_of("CACHES.default.LOCATION") else {
            panic!("{:?}", settings.sources);
        };
        assert_eq!(&src[span.clone()], "'redis://h'");
        assert_eq!(
            settings.verbatim_literal(src.as_bytes(), "CACHES.default.LOCATION", "h"),
            Some(span.start + 9..span.start + 10)
        );
    }

    #[test]
    fn star_imports_name_sibling_parent_and_absolute_modules() {
        use std::path::PathBuf;
        let paths: Vec<PathBuf> = [
            "/app/proj/settings/base.py",
            "/app/proj/common/__init__.py",
            "/app/proj/settings/production.py",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let importer = &paths[2];
        let target = |m: &str| {
            star_import_target(importer, m, &paths).map(|p| p.to_string_lossy().into_owned())
        };
        assert_eq!(
            target(".base").as_deref(),
            Some("/app/proj/settings/base.py")
        );
        assert_eq!(
            target("..common").as_deref(),
            Some("/app/proj/common/__init__.py")
        );
        assert_eq!(
            target("proj.settings.base").as_deref(),
            Some("/app/proj/settings/base.py")
        );
        assert_eq!(target(".missing"), None);
        assert_eq!(target("."), None);
        let s = load(
            0,
            b"from .base import *\nfrom import *\nSESSION_ENGINE = 'x'\n",
        );
        assert_eq!(s.star_imports, vec![".base".to_string()]);
        assert!(s.inherits);
    }

    #[test]
    fn evaluation() {
        let s = load(0, b"A = 'x'\nB = A + 'y'\nC = {'k': {}}\nC['k']['n'] = 1\nif X:\n    D = True\nE = os.getenv('E', 'e')\n");
        assert_eq!(s.value("B"), Some(&Val::Str("xy".into())));
        assert_eq!(
            s.value("C").unwrap().get("k").unwrap().get("n"),
            Some(&Val::Int(1))
        );
        assert_eq!(
            s.value("D"),
            Some(&Val::OneOf(vec![Val::Absent, Val::Bool(true)]))
        );
        assert_eq!(s.value("E"), Some(&Val::Str("e".into())));
    }

    #[test]
    fn redis_py_urls() {
        let l = parse_location("redis://:p%23w@10.0.0.5:6380/2?db=3").unwrap();
        assert_eq!(
            (
                l.host.as_deref(),
                l.port,
                l.db.as_deref(),
                l.password.as_deref()
            ),
            (Some("10.0.0.5"), 6380, Some("3"), Some("p#w"))
        );
        let l = parse_location("unix:///run/redis.sock?db=1").unwrap();
        assert_eq!(
            (l.socket.as_deref(), l.db.as_deref()),
            (Some("/run/redis.sock"), Some("1"))
        );
        assert_eq!(
            locations(&Val::Str("redis://a/0;redis://b/0".into()))
                .unwrap()
                .len(),
            2
        );
    }
}
