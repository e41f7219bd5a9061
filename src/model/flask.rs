//! Flask apps with Flask-Session, evaluated the way Flask 3.1 and Flask-Session 0.8 build
//! `app.config`, as far as it can be known without running the app: the config operations of a
//! module in source order (`app.config[...] = ...`, `app.secret_key = ...`,
//! `app.config.from_object(...)` of a class with its bases, a module, or `__name__` with only the
//! names assigned before the call, `from_pyfile` with `instance_relative_config`, `from_mapping`,
//! `update`, `setdefault`), names resolved to their assignments, environment reads taking their
//! defaults. Something redline cannot read (`from_object(get_config())`, `from_envvar`) makes the
//! config partial: what it leaves unset is unknown, not Flask's default.
//!
//! A config class that no audited app loads (`DevelopmentConfig` beside `ProductionConfig`, the
//! classes an app factory picks by name) is judged on its own, in the environment its name says.
//! The `SESSION_REDIS` client is read the way redis-py reads `Redis(...)` and `from_url(...)`.

use crate::environment::Environment;
use crate::model::django::{self, parse_location, Val};
use crate::source::{FileId, Sources, Syntax};
use crate::syntax::python::{self, Assignment, PyExpr, PyModule};
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Modules one app may read (its config modules, instance files, imports): a bound on the work a
/// ring of modules importing each other can cause.
const MAX_MODULES_PER_APP: usize = 64;
/// Class bases followed, and names followed through their assignments.
const MAX_CHAIN: usize = 32;
/// Config classes of one module judged alone: past this many, a module is a generated file,
/// not a config.
const MAX_CLASSES_ALONE: usize = 256;

/// One config value and where it was set.
#[derive(Debug, Clone)]
pub struct FlaskSetting {
    /// The value expression, names replaced by what they were assigned (as far as known).
    pub expr: PyExpr,
    pub value: Val,
    pub file: FileId,
    /// The statement that set it, and its value's bytes.
    pub span: Range<usize>,
    pub value_span: Range<usize>,
    /// Set inside a branch (`if`, `try`): it may not run.
    pub conditional: bool,
}

impl FlaskSetting {
    /// The value when it is certain.
    pub fn certain(&self) -> Option<&Val> {
        (!self.conditional).then_some(&self.value)?.certain()
    }
}

/// The effective config of one Flask app (or of one config class judged alone).
#[derive(Debug, Clone)]
pub struct FlaskConfig {
    /// Where the config is assembled: the app module, or the module of the class.
    pub file: FileId,
    /// The `Session(app)` call, or the class header: where findings about unset keys point.
    pub span: Range<usize>,
    /// "Flask app" or "config class `ProductionConfig`", for messages.
    pub label: String,
    /// A class named for development or tests (`DevelopmentConfig`, `TestingConfig`): judged
    /// only in that environment.
    pub class_environment: Option<Environment>,
    pub settings: HashMap<String, FlaskSetting>,
    /// Something redline could not read may have set any key.
    pub partial: bool,
    /// The app calls `Session(app)` or `init_app(app)` of a Flask-Session object.
    pub initialises_session: bool,
}

/// A module read as Python, for FL001.
#[derive(Debug, Clone)]
pub struct ModuleError {
    pub file: FileId,
    pub span: Range<usize>,
    pub message: String,
}

#[derive(Debug, Clone, Default)]
pub struct FlaskStack {
    pub configs: Vec<FlaskConfig>,
    pub errors: Vec<ModuleError>,
    /// Every module read, with the names a rule may look for in them (FL103: a `SESSION_*` key
    /// the app reads itself).
    pub modules: Vec<FileId>,
}

/// `SESSION_REDIS` as redis-py reads it.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // one per config, never in bulk
pub enum SessionRedis {
    /// A `redis.Redis(...)`, `StrictRedis(...)`, `Redis.from_url(...)` or `redis.from_url(...)`.
    Client(RedisClient),
    /// Certainly not a Redis client (a URL string, a number...): what it is, for messages.
    NotAClient(String),
    /// Not known (a call redline does not read, a name from elsewhere).
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RedisClient {
    /// None: known only at run time.
    pub host: Option<String>,
    pub port: Option<u16>,
    pub socket: Option<String>,
    pub db: Option<String>,
    /// The password: Some(None) when none is given, None when unknown.
    pub password: Option<Option<String>>,
    /// A literal password's span (the string's body) and whether it reads as written.
    pub password_span: Option<(Range<usize>, bool)>,
    pub username: Option<String>,
    /// TLS: Some(true) for `ssl=True` or `rediss://`; None when unknown.
    pub ssl: Option<bool>,
    /// `ssl_cert_reqs` turns verification off (`None`, `"none"`, `ssl.CERT_NONE`), with the span.
    pub no_verification: Option<Range<usize>>,
    /// For `from_url`: the URL as given, and its literal's span when it is one string literal.
    pub url: Option<(String, Option<Range<usize>>)>,
    /// Where the client is made.
    pub span: Range<usize>,
}

/// The keys Flask 3.1 (`Flask.default_config`) and Flask-Session 0.8 (`flask_session.defaults`)
/// read.
pub const KNOWN_SESSION_KEYS: [&str; 32] = [
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_DOMAIN",
    "SESSION_COOKIE_PATH",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_PARTITIONED",
    "SESSION_REFRESH_EACH_REQUEST",
    "SESSION_TYPE",
    "SESSION_PERMANENT",
    "SESSION_USE_SIGNER",
    "SESSION_KEY_PREFIX",
    "SESSION_ID_LENGTH",
    "SESSION_SERIALIZATION_FORMAT",
    "SESSION_CLEANUP_N_REQUESTS",
    "SESSION_REDIS",
    "SESSION_MEMCACHED",
    "SESSION_FILE_DIR",
    "SESSION_FILE_THRESHOLD",
    "SESSION_FILE_MODE",
    "SESSION_CACHELIB",
    "SESSION_MONGODB",
    "SESSION_MONGODB_DB",
    "SESSION_MONGODB_COLLECT",
    "SESSION_SQLALCHEMY",
    "SESSION_SQLALCHEMY_TABLE",
    "SESSION_SQLALCHEMY_SEQUENCE",
    "SESSION_SQLALCHEMY_SCHEMA",
    "SESSION_SQLALCHEMY_BIND_KEY",
    "SESSION_DYNAMODB",
    "SESSION_DYNAMODB_TABLE",
    "SESSION_DYNAMODB_TABLE_EXISTS",
];

impl FlaskConfig {
    pub fn get(&self, key: &str) -> Option<&FlaskSetting> {
        self.settings.get(key)
    }

    /// `SESSION_TYPE` lower-cased, as Flask-Session compares it: Some("null") when unset in a
    /// config that is read whole; None when unknown.
    pub fn session_type(&self) -> Option<String> {
        match self.get("SESSION_TYPE") {
            Some(s) => s.certain().and_then(Val::as_str).map(str::to_lowercase),
            None if !self.partial => Some("null".into()),
            None => None,
        }
    }

    /// The session client: `SESSION_REDIS` read as redis-py reads it.
    pub fn session_redis(&self) -> Option<SessionRedis> {
        let s = self.get("SESSION_REDIS")?;
        if s.conditional {
            return Some(SessionRedis::Unknown);
        }
        Some(redis_client(&s.expr, &s.value_span))
    }

    /// `SESSION_KEY_PREFIX`, Flask-Session's default `session:` when unset.
    pub fn key_prefix(&self) -> Option<String> {
        match self.get("SESSION_KEY_PREFIX") {
            Some(s) => s.certain().and_then(Val::as_str).map(str::to_string),
            None if !self.partial => Some("session:".into()),
            None => None,
        }
    }
}

/// The value of an expression whose names are already resolved.
pub fn value_of(expr: &PyExpr) -> Val {
    match expr {
        PyExpr::Str(s) | PyExpr::Lit { value: s, .. } => Val::Str(s.clone()),
        PyExpr::Int(i) => Val::Int(*i),
        PyExpr::Float(f) => Val::Float(f.clone()),
        PyExpr::Bool(b) => Val::Bool(*b),
        PyExpr::None => Val::None,
        PyExpr::List(items) => Val::List(items.iter().map(value_of).collect()),
        PyExpr::Dict(items) => Val::Dict(
            items
                .iter()
                .map(|(k, v)| (value_of(k), value_of(v)))
                .collect(),
        ),
        PyExpr::Env {
            default: Some(d),
            converted: false,
            ..
        } => value_of(d),
        PyExpr::Add(terms) => {
            let mut out = String::new();
            for t in terms {
                match value_of(t) {
                    Val::Str(s) => out.push_str(&s),
                    _ => return Val::Unknown,
                }
            }
            Val::Str(out)
        }
        PyExpr::Or(terms) => {
            for (i, t) in terms.iter().enumerate() {
                let v = value_of(t);
                match django::truthy(&v) {
                    Some(false) if i + 1 < terms.len() => continue,
                    Some(_) => return v,
                    None => return Val::Unknown,
                }
            }
            Val::Unknown
        }
        _ => Val::Unknown,
    }
}

/// A string's value and, when it is one literal, its span.
fn string_arg(expr: &PyExpr) -> Option<(String, Option<Range<usize>>)> {
    match expr {
        PyExpr::Lit { value, span } => Some((value.clone(), Some(span.clone()))),
        PyExpr::Env {
            default: Some(d),
            converted: false,
            ..
        } => string_arg(d),
        e => value_of(e).as_str().map(|s| (s.to_string(), None)),
    }
}

fn is_client_class(callee: &str) -> bool {
    let last = callee.rsplit('.').next().unwrap_or(callee);
    last == "Redis" || last == "StrictRedis"
}

fn is_from_url(callee: &str) -> bool {
    matches!(
        callee,
        "redis.from_url"
            | "from_url"
            | "Redis.from_url"
            | "StrictRedis.from_url"
            | "redis.Redis.from_url"
            | "redis.StrictRedis.from_url"
            | "redis.client.Redis.from_url"
    )
}

/// `SESSION_REDIS`'s expression as redis-py reads it.
pub fn redis_client(expr: &PyExpr, span: &Range<usize>) -> SessionRedis {
    let PyExpr::Call { callee, args } = expr else {
        return match value_of(expr) {
            Val::Unknown | Val::OneOf(_) | Val::Absent => SessionRedis::Unknown,
            Val::Str(_) => SessionRedis::NotAClient("a string".into()),
            Val::None => SessionRedis::NotAClient("`None`".into()),
            _ => SessionRedis::NotAClient("not a `Redis` instance".into()),
        };
    };
    let keyword = |name: &str| {
        args.iter()
            .find(|(k, _)| k.as_deref() == Some(name))
            .map(|(_, v)| v)
    };
    let positional = |i: usize| {
        args.iter()
            .filter(|(k, _)| k.is_none())
            .nth(i)
            .map(|(_, v)| v)
    };
    let text = |e: &PyExpr| value_of(e).as_str().map(str::to_string);
    let number = |e: &PyExpr| match value_of(e) {
        Val::Int(n) => Some(n.to_string()),
        Val::Str(s) => s.trim().parse::<i64>().ok().map(|n| n.to_string()),
        _ => None,
    };
    let mut client = RedisClient {
        span: span.clone(),
        ..RedisClient::default()
    };
    let unverified = |e: &PyExpr| match e {
        PyExpr::None => true,
        PyExpr::Name(n) => n.ends_with("CERT_NONE"),
        e => value_of(e)
            .as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("none")),
    };
    if let Some(reqs) = keyword("ssl_cert_reqs").filter(|e| unverified(e)) {
        client.no_verification = Some(literal_span(reqs).unwrap_or_else(|| span.clone()));
    }
    let set_password = |client: &mut RedisClient, e: &PyExpr| {
        // A password read from the environment is known only at run time, default or not.
        if e.walk().iter().any(|x| matches!(x, PyExpr::Env { .. })) {
            client.password = None;
            return;
        }
        client.password = match value_of(e) {
            Val::Str(s) => Some(Some(s)),
            Val::None => Some(None),
            _ => None,
        };
        if let Some((value, Some(lit))) = string_arg(e) {
            let _ = value;
            client.password_span = Some((lit, true));
        }
    };
    if is_from_url(callee) {
        let Some(url) = positional(0).or_else(|| keyword("url")) else {
            return SessionRedis::Unknown;
        };
        let Some((url, lit)) = string_arg(url) else {
            return SessionRedis::Unknown;
        };
        client.url = Some((url.clone(), lit));
        // Keyword arguments first; the URL's own options override them (redis-py updates the
        // keyword arguments with the URL's).
        client.db = keyword("db").and_then(number);
        client.password = Some(None);
        if let Some(p) = keyword("password") {
            set_password(&mut client, p);
        }
        let Some(loc) = parse_location(&url) else {
            return SessionRedis::Unknown;
        };
        client.host = loc.host.clone();
        client.port = Some(loc.port);
        client.socket = loc.socket.clone();
        if loc.db.is_some() {
            client.db = loc.db.clone();
        }
        client.db.get_or_insert_with(|| "0".into());
        if let Some(p) = &loc.password {
            client.password = Some(Some(p.clone()));
            client.password_span = None;
        }
        client.username = loc.username.clone();
        client.ssl = Some(loc.scheme == "rediss");
        if let Some(q) = url.split_once('?').map(|(_, q)| q) {
            if q.split('&')
                .any(|p| p.eq_ignore_ascii_case("ssl_cert_reqs=none"))
            {
                client.no_verification = Some(span.clone());
            }
        }
        return SessionRedis::Client(client);
    }
    if !is_client_class(callee) {
        return SessionRedis::Unknown;
    }
    // redis-py: Redis(host="localhost", port=6379, db=0, password=None, ...).
    let host = keyword("host").or_else(|| positional(0));
    client.host = match host {
        Some(e) => text(e),
        None => Some("localhost".into()),
    };
    client.port = match keyword("port").or_else(|| positional(1)) {
        Some(e) => number(e).and_then(|n| n.parse().ok()),
        None => Some(6379),
    };
    client.db = match keyword("db").or_else(|| positional(2)) {
        Some(e) => number(e),
        None => Some("0".into()),
    };
    match keyword("password").or_else(|| positional(3)) {
        Some(e) => set_password(&mut client, e),
        None => client.password = Some(None),
    }
    client.username = keyword("username").and_then(text);
    if let Some(path) = keyword("unix_socket_path") {
        client.socket = text(path);
        if client.socket.is_none() {
            client.host = None;
        }
    }
    client.ssl = match keyword("ssl") {
        Some(e) => django::truthy(&value_of(e)),
        None => Some(false),
    };
    SessionRedis::Client(client)
}

/// The URL given to a `from_url` call, and its literal's span when it is one literal.
pub fn from_url_argument(expr: &PyExpr) -> Option<(String, Option<Range<usize>>)> {
    let PyExpr::Call { callee, args } = expr else {
        return None;
    };
    if !is_from_url(callee) {
        return None;
    }
    let url = args
        .iter()
        .find(|(k, _)| k.is_none() || k.as_deref() == Some("url"))
        .map(|(_, v)| v)?;
    string_arg(url)
}

fn literal_span(e: &PyExpr) -> Option<Range<usize>> {
    match e {
        PyExpr::Lit { span, .. } => Some(span.clone()),
        _ => None,
    }
}

/// The environment a config class's name says: `DevelopmentConfig`, `LocalConfig`, `ConfigDev`
/// are development; `TestingConfig`, `TestConfig` are test.
pub fn class_environment(name: &str) -> Option<Environment> {
    let lower = name.to_ascii_lowercase();
    if lower.contains("test") {
        Some(Environment::Test)
    } else if lower.contains("dev") || lower.contains("local") {
        Some(Environment::Development)
    } else {
        None
    }
}

/// Whether a module's bytes are a Flask-Session app or config module (discovery).
pub fn mentions_flask_session(bytes: &[u8]) -> bool {
    let has = |needle: &[u8]| memchr::memmem::find(bytes, needle).is_some();
    has(b"SESSION_TYPE") || has(b"SESSION_REDIS") || has(b"flask_session")
}

/// A parsed module, shared by the apps that read it, with indexes so that no look-up scans the
/// whole module (a hostile module of many names would make that quadratic).
struct Module {
    file: FileId,
    path: PathBuf,
    parsed: PyModule,
    /// Assignments to one plain name, by name (positions in `parsed.assignments`, in order).
    by_name: HashMap<String, Vec<usize>>,
    /// Classes by name (positions in `parsed.classes`).
    classes_by_name: HashMap<String, Vec<usize>>,
    /// The assignments directly in each class body; None: the module level, outside functions.
    bodies: HashMap<Option<usize>, Vec<usize>>,
    /// Imports by the local name they bind (a `from` name, an alias, a module and its first
    /// part).
    imports_by_name: HashMap<String, Vec<usize>>,
}

impl Module {
    fn new(file: FileId, path: PathBuf, parsed: PyModule) -> Module {
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut bodies: HashMap<Option<usize>, Vec<usize>> = HashMap::new();
        for (i, a) in parsed.assignments.iter().enumerate() {
            if let [name] = a.target.as_slice() {
                by_name.entry(name.clone()).or_default().push(i);
            }
            match (a.scope.class, &a.scope.function) {
                (Some(c), _) => bodies.entry(Some(c)).or_default().push(i),
                (None, None) => bodies.entry(None).or_default().push(i),
                _ => {}
            }
        }
        let mut classes_by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, c) in parsed.classes.iter().enumerate() {
            classes_by_name.entry(c.name.clone()).or_default().push(i);
        }
        let mut imports_by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, import) in parsed.imports.iter().enumerate() {
            let mut names: Vec<&str> = import.names.iter().map(|(_, l)| l.as_str()).collect();
            if import.names.is_empty() {
                names.push(import.alias.as_deref().unwrap_or(&import.module));
                names.push(import.module.split('.').next().unwrap_or(&import.module));
            }
            names.dedup();
            for n in names {
                imports_by_name.entry(n.to_string()).or_default().push(i);
            }
        }
        Module {
            file,
            path,
            parsed,
            by_name,
            classes_by_name,
            bodies,
            imports_by_name,
        }
    }

    /// The imports that bind `name`, in order.
    fn imports_of(&self, name: &str) -> Vec<python::Import> {
        self.imports_by_name
            .get(name)
            .into_iter()
            .flatten()
            .map(|&i| self.parsed.imports[i].clone())
            .collect()
    }
}

/// Where a config source is: a module (`from_object(module)`, `__name__` up to an offset), or a
/// class.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Loaded {
    Module(FileId),
    Class(FileId, usize),
}

/// The settings of a class with its bases, and whether they are partial.
type ClassSettings = (HashMap<String, FlaskSetting>, bool);

struct Reader<'s> {
    sources: &'s mut Sources,
    /// Each class's settings once computed: leaf classes sharing bases reuse them.
    class_settings: HashMap<(FileId, usize), Rc<ClassSettings>>,
    modules: HashMap<FileId, Rc<Module>>,
    errors: Vec<ModuleError>,
    secrets: Vec<(FileId, Range<usize>)>,
    /// Steps of name resolution and class reading left: a fixed allowance plus some per byte
    /// of the modules read, so the work stays linear in the input (`B = [A]*8; C = [B]*8...`
    /// or a diamond of classes over an unknown base would otherwise grow exponentially).
    /// Once spent, what is left is unknown.
    work_left: usize,
}

/// The fixed allowance of `Reader::work_left`, and what each byte of a module read adds.
const WORK_ALLOWANCE: usize = 1_000_000;
const WORK_PER_BYTE: usize = 64;

impl Reader<'_> {
    /// Spend one step of the work allowance; false once it is gone.
    fn spend(&mut self) -> bool {
        match self.work_left.checked_sub(1) {
            Some(left) => {
                self.work_left = left;
                true
            }
            None => false,
        }
    }

    fn module(&mut self, file: FileId) -> Rc<Module> {
        if let Some(m) = self.modules.get(&file) {
            return m.clone();
        }
        let bytes = self.sources.doc(file).bytes().to_vec();
        self.work_left = self
            .work_left
            .saturating_add(WORK_PER_BYTE.saturating_mul(bytes.len()));
        let parsed = python::parse(&bytes);
        if let Some((span, message)) = &parsed.error {
            self.errors.push(ModuleError {
                file,
                span: span.clone(),
                message: message.clone(),
            });
        }
        // The secrets of every statement, as the Django reader marks them.
        let found = django::module_secrets(&bytes, &parsed);
        self.secrets.extend(found.into_iter().map(|r| (file, r)));
        let module = Rc::new(Module::new(
            file,
            self.sources.get(file).path.clone(),
            parsed,
        ));
        self.modules.insert(file, module.clone());
        module
    }

    /// The file of an imported module, as Python would find it from `importer`: relative
    /// (`.config`) beside it, absolute (`pkg.config`) under any folder above it.
    fn import(&mut self, importer: &Path, module: &str) -> Option<FileId> {
        // Only through `Sources::load`: it reads inside the audited tree alone, and a path that
        // is missing or outside simply fails.
        let candidates: Vec<PathBuf> = match django::star_import_names(importer, module)? {
            django::StarImport::Exact(file, package) => vec![file, package],
            django::StarImport::Suffix(file, package) => importer
                .ancestors()
                .skip(1)
                .take(MAX_CHAIN)
                .flat_map(|d| [d.join(&file), d.join(&package)])
                .collect(),
        };
        self.load_first(candidates)
    }

    fn load_first(&mut self, candidates: Vec<PathBuf>) -> Option<FileId> {
        for path in candidates {
            // A file another reader already holds (`from_pyfile(".env")`) keeps its syntax.
            let known = self.sources.id_of(&path).is_some();
            if let Ok(id) = self.sources.load(&path) {
                if !known {
                    self.sources.set_syntax(id, Syntax::Python);
                }
                return Some(id);
            }
        }
        None
    }
}

/// A statement of the app's config, in source order.
enum Op<'m> {
    Set {
        key: String,
        assignment: &'m Assignment,
    },
    Call(&'m python::CallStatement),
}

/// The names a module binds to Flask apps (`app = Flask(__name__)`), with whether the app's
/// config is relative to its instance folder, and the names bound to Flask-Session objects.
fn app_names(m: &PyModule) -> (HashSet<String>, bool, HashSet<String>, bool) {
    let mut apps: HashSet<String> = ["app", "self.app", "flask_app", "application"]
        .into_iter()
        .map(String::from)
        .collect();
    let mut instance_relative = false;
    let mut sessions = HashSet::new();
    let mut creates_app = false;
    for a in &m.assignments {
        let [name] = a.target.as_slice() else {
            continue;
        };
        if let PyExpr::Call { callee, args } = &a.value {
            if callee == "Flask" || callee.ends_with(".Flask") || callee.ends_with("Flask") {
                apps.insert(name.clone());
                creates_app = true;
                instance_relative |= args.iter().any(|(k, v)| {
                    k.as_deref() == Some("instance_relative_config") && *v == PyExpr::Bool(true)
                });
            }
            if session_class(m, callee) {
                sessions.insert(name.clone());
            }
        }
    }
    (apps, instance_relative, sessions, creates_app)
}

/// Flask-Session's `Session`, or a class of this module that extends it.
fn session_class(m: &PyModule, callee: &str) -> bool {
    callee == "Session"
        || callee == "flask_session.Session"
        || m.classes.iter().any(|c| {
            c.name == callee
                && c.bases
                    .iter()
                    .any(|b| b == "Session" || b == "flask_session.Session")
        })
}

fn upper_case(name: &str) -> bool {
    name.bytes().any(|b| b.is_ascii_uppercase()) && !name.bytes().any(|b| b.is_ascii_lowercase())
}

/// Resolve names in `expr` to the expressions they were assigned, looking in `m` before
/// `offset` (module level and, inside a class, that class's body), then through imports.
fn resolve(
    reader: &mut Reader,
    m: &Module,
    expr: &PyExpr,
    offset: usize,
    class: Option<usize>,
    depth: usize,
) -> PyExpr {
    if depth > MAX_CHAIN || !reader.spend() {
        return PyExpr::Unknown;
    }
    match expr {
        PyExpr::Name(n) => lookup(reader, m, n, offset, class, depth + 1),
        PyExpr::List(items) => PyExpr::List(
            items
                .iter()
                .map(|i| resolve(reader, m, i, offset, class, depth + 1))
                .collect(),
        ),
        PyExpr::Dict(items) => PyExpr::Dict(
            items
                .iter()
                .map(|(k, v)| {
                    (
                        resolve(reader, m, k, offset, class, depth + 1),
                        resolve(reader, m, v, offset, class, depth + 1),
                    )
                })
                .collect(),
        ),
        PyExpr::Add(terms) => PyExpr::Add(
            terms
                .iter()
                .map(|t| resolve(reader, m, t, offset, class, depth + 1))
                .collect(),
        ),
        PyExpr::Or(terms) => PyExpr::Or(
            terms
                .iter()
                .map(|t| resolve(reader, m, t, offset, class, depth + 1))
                .collect(),
        ),
        PyExpr::Call { callee, args } => PyExpr::Call {
            callee: callee.clone(),
            args: args
                .iter()
                .map(|(k, v)| (k.clone(), resolve(reader, m, v, offset, class, depth + 1)))
                .collect(),
        },
        other => other.clone(),
    }
}

/// The expression a name was last given before `offset`.
fn lookup(
    reader: &mut Reader,
    m: &Module,
    name: &str,
    offset: usize,
    class: Option<usize>,
    depth: usize,
) -> PyExpr {
    let found = m
        .by_name
        .get(name)
        .into_iter()
        .flatten()
        .rev()
        .map(|&i| &m.parsed.assignments[i])
        .find(|a| {
            a.span.start < offset
                && !a.augmented
                && (a.scope.class.is_none() || a.scope.class == class)
        });
    if let Some(a) = found {
        if a.scope.branch {
            return PyExpr::Unknown;
        }
        let at = a.span.start;
        return resolve(reader, m, &a.value, at, a.scope.class, depth);
    }
    // `module.NAME` of an imported module, or a name imported from one.
    let (head, tail) = match name.split_once('.') {
        Some((h, t)) => (h, Some(t)),
        None => (name, None),
    };
    for import in &m.imports_of(head) {
        let (module, inner) = if let Some(local) = import.names.iter().find(|(_, l)| l == head) {
            // `from pkg import settings` (a module) or `from .config import NAME`.
            let as_module = format!("{}.{}", import.module.trim_end_matches('.'), local.0);
            let as_module = if import.module.chars().all(|c| c == '.') {
                format!("{}{}", import.module, local.0)
            } else {
                as_module
            };
            match tail {
                Some(t) => (as_module, t.to_string()),
                None => (import.module.clone(), local.0.clone()),
            }
        } else if import.names.is_empty()
            && (import.alias.as_deref() == Some(head) || import.module == head)
        {
            match tail {
                Some(t) => (import.module.clone(), t.to_string()),
                None => continue,
            }
        } else {
            continue;
        };
        if inner.contains('.') || reader.modules.len() > MAX_MODULES_PER_APP * 4 {
            return PyExpr::Unknown;
        }
        let Some(file) = reader.import(&m.path, &module) else {
            return PyExpr::Unknown;
        };
        let other = reader.module(file);
        return lookup(reader, &other, &inner, usize::MAX, None, depth + 1);
    }
    PyExpr::Unknown
}

/// The settings a config source gives: upper-case names of a module (before `until`) or of a
/// class with its bases.
fn source_settings(
    reader: &mut Reader,
    m: &Rc<Module>,
    class: Option<usize>,
    until: usize,
    seen: &mut Vec<(FileId, Option<usize>)>,
    out: &mut HashMap<String, FlaskSetting>,
    partial: &mut bool,
) {
    if seen.len() > MAX_CHAIN || seen.contains(&(m.file, class)) || !reader.spend() {
        // An inheritance cycle (Python refuses it), a hierarchy deeper than redline follows, or
        // the work allowance spent.
        *partial = true;
        return;
    }
    if let Some(index) = class {
        let key = (m.file, index);
        let known = match reader.class_settings.get(&key) {
            Some(known) => known.clone(),
            None => {
                let mut own = HashMap::new();
                let mut own_partial = false;
                seen.push((m.file, class));
                class_body(reader, m, index, seen, &mut own, &mut own_partial);
                seen.pop();
                let known = Rc::new((own, own_partial));
                // A class read inside a cycle is cut short: not kept for the others.
                if !own_partial {
                    reader.class_settings.insert(key, known.clone());
                }
                known
            }
        };
        out.extend(known.0.iter().map(|(k, v)| (k.clone(), v.clone())));
        *partial |= known.1;
        return;
    }
    seen.push((m.file, class));
    body_settings(reader, m, None, until, out);
    seen.pop();
}

/// A class's settings: its bases' (the last base first: Python's MRO puts earlier bases before
/// later ones, a good approximation for config classes, which rarely share ancestors), then its
/// own body's.
fn class_body(
    reader: &mut Reader,
    m: &Rc<Module>,
    index: usize,
    seen: &mut Vec<(FileId, Option<usize>)>,
    out: &mut HashMap<String, FlaskSetting>,
    partial: &mut bool,
) {
    let bases = m.parsed.classes[index].bases.clone();
    for base in bases.iter().rev() {
        if base == "object" {
            continue;
        }
        match find_class(reader, m, base, m.parsed.classes[index].span.start) {
            Some((bm, bi)) => {
                source_settings(reader, &bm, Some(bi), usize::MAX, seen, out, partial)
            }
            None => *partial = true,
        }
    }
    body_settings(reader, m, Some(index), usize::MAX, out);
}

/// The upper-case names assigned directly in a class body (or at module level), before `until`.
fn body_settings(
    reader: &mut Reader,
    m: &Rc<Module>,
    class: Option<usize>,
    until: usize,
    out: &mut HashMap<String, FlaskSetting>,
) {
    for &i in m.bodies.get(&class).into_iter().flatten() {
        let a = &m.parsed.assignments[i];
        if a.span.start >= until || a.target.len() != 1 || !upper_case(&a.target[0]) || a.augmented
        {
            continue;
        }
        let expr = resolve(reader, m, &a.value, a.span.start, class, 0);
        out.insert(
            a.target[0].clone(),
            FlaskSetting {
                value: value_of(&expr),
                expr,
                file: m.file,
                span: a.span.clone(),
                value_span: a.value_span.clone(),
                conditional: a.scope.branch || (class.is_none() && a.conditional),
            },
        );
    }
}

/// A class by the name a module uses for it: defined there, or imported.
fn find_class(
    reader: &mut Reader,
    m: &Rc<Module>,
    name: &str,
    before: usize,
) -> Option<(Rc<Module>, usize)> {
    if !name.contains('.') {
        let local = m
            .classes_by_name
            .get(name)
            .into_iter()
            .flatten()
            .rev()
            .find(|&&i| {
                let c = &m.parsed.classes[i];
                c.span.start < before && c.scope.function.is_none()
            });
        if let Some(&i) = local {
            return Some((m.clone(), i));
        }
    }
    let (head, tail) = match name.rsplit_once('.') {
        Some((h, t)) => (Some(h), t),
        None => (None, name),
    };
    for import in m.imports_of(head.map_or(tail, |h| h.split('.').next().unwrap_or(h))) {
        let module = match head {
            None => {
                let Some((original, _)) = import.names.iter().find(|(_, l)| l == tail) else {
                    continue;
                };
                return find_class_in(reader, &m.path, &import.module, original);
            }
            Some(h) if import.names.iter().any(|(_, l)| l == h) => {
                let (original, _) = import.names.iter().find(|(_, l)| l == h)?.clone();
                if import.module.chars().all(|c| c == '.') {
                    format!("{}{original}", import.module)
                } else {
                    format!("{}.{original}", import.module)
                }
            }
            Some(h)
                if import.names.is_empty()
                    && (import.alias.as_deref() == Some(h) || import.module == h) =>
            {
                import.module.clone()
            }
            _ => continue,
        };
        return find_class_in(reader, &m.path, &module, tail);
    }
    None
}

fn find_class_in(
    reader: &mut Reader,
    importer: &Path,
    module: &str,
    class: &str,
) -> Option<(Rc<Module>, usize)> {
    if reader.modules.len() > MAX_MODULES_PER_APP * 4 {
        return None;
    }
    let file = reader.import(importer, module)?;
    let other = reader.module(file);
    let index = *other
        .classes_by_name
        .get(class)?
        .iter()
        .rev()
        .find(|&&i| other.parsed.classes[i].scope.function.is_none())?;
    Some((other, index))
}

/// What `from_object(arg)` loads.
fn object_source(
    reader: &mut Reader,
    m: &Rc<Module>,
    arg: &PyExpr,
    at: usize,
) -> Option<(Rc<Module>, Option<usize>, usize)> {
    match arg {
        PyExpr::Name(n) if n == "__name__" => Some((m.clone(), None, at)),
        PyExpr::Name(n) => {
            if let Some((cm, ci)) = find_class(reader, m, n, at) {
                return Some((cm, Some(ci), usize::MAX));
            }
            // An imported module (`from confidant import settings`, `import config`).
            let (head, tail) = match n.split_once('.') {
                Some((h, t)) => (h, Some(t)),
                None => (n.as_str(), None),
            };
            for import in m.imports_of(head) {
                let module =
                    if let Some((original, _)) = import.names.iter().find(|(_, l)| l == head) {
                        if import.module.chars().all(|c| c == '.') {
                            format!("{}{original}", import.module)
                        } else {
                            format!("{}.{original}", import.module)
                        }
                    } else if import.names.is_empty()
                        && (import.alias.as_deref() == Some(head) || import.module == head)
                    {
                        import.module.clone()
                    } else {
                        continue;
                    };
                let module = match tail {
                    Some(t) => format!("{module}.{t}"),
                    None => module,
                };
                let file = reader.import(&m.path, &module)?;
                return Some((reader.module(file), None, usize::MAX));
            }
            None
        }
        e => {
            // `"pkg.config.ProductionConfig"`: a module, or a class in a module.
            let dotted = value_of(e).as_str()?.to_string();
            if let Some(file) = reader.import(&m.path, &dotted) {
                return Some((reader.module(file), None, usize::MAX));
            }
            let (module, class) = dotted.rsplit_once('.')?;
            let (cm, ci) = find_class_in(reader, &m.path, module, class)?;
            Some((cm, Some(ci), usize::MAX))
        }
    }
}

/// An app factory's `from_object(config[config_name])`: the class the mapping gives for the key
/// the factory uses by default (the parameter's default, `create_app(config_name="production")`),
/// else for `"default"`, else for `"production"`. The other classes of the mapping are judged
/// alone, each in the environment its name says.
fn factory_class(
    reader: &mut Reader,
    m: &Rc<Module>,
    call: &python::CallStatement,
) -> Option<(Rc<Module>, Option<usize>, usize)> {
    let bytes = reader.sources.doc(m.file).bytes().to_vec();
    let text = std::str::from_utf8(bytes.get(call.span.clone())?).ok()?;
    let open = text.find("from_object")? + text[text.find("from_object")?..].find('(')?;
    let close = text.rfind(')')?;
    let arg = text.get(open + 1..close)?.trim();
    let (mapping, key) = arg.strip_suffix(']')?.split_once('[')?;
    let mapping = mapping.trim().to_string();
    let key = key.trim().to_string();
    let (mapping, key) = (mapping.as_str(), key.as_str());
    if mapping.is_empty()
        || !mapping
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
    {
        return None;
    }
    let quoted = |k: &str| {
        ["\"", "'"]
            .iter()
            .find_map(|q| k.strip_prefix(q)?.strip_suffix(q).map(str::to_string))
    };
    // The key: a literal, or the default of the factory's parameter of that name.
    let wanted = quoted(key).or_else(|| {
        let function = call.scope.function.as_deref()?;
        let source = std::str::from_utf8(&bytes).ok()?;
        let def = source.find(&format!("def {function}("))?;
        let params = &source[def..def + source[def..].find(')')?];
        let at = params.find(key)?;
        let after = params[at + key.len()..].trim_start();
        let after = after
            .strip_prefix(':')
            .map_or(after, |a| &a[a.find('=').unwrap_or(a.len())..]);
        let value = after.strip_prefix('=')?.trim_start();
        let end = value.find([',', '\n']).unwrap_or(value.len());
        quoted(value[..end].trim())
    });
    let (dict_module, dict) = raw_assignment(reader, m, mapping, 0)?;
    let PyExpr::Dict(items) = dict else {
        return None;
    };
    let entries: Vec<(String, String)> = items
        .iter()
        .filter_map(|(k, v)| match v {
            PyExpr::Name(class) => Some((value_of(k).as_str()?.to_string(), class.clone())),
            _ => None,
        })
        .collect();
    let class = wanted
        .iter()
        .map(String::as_str)
        .chain(["default", "production", "prod"])
        .find_map(|k| entries.iter().find(|(name, _)| name == k))
        .map(|(_, class)| class.clone())?;
    let (cm, ci) = find_class(reader, &dict_module, &class, usize::MAX)?;
    Some((cm, Some(ci), usize::MAX))
}

/// The expression a module-level name was given (as written, names unresolved), in this module
/// or the one it is imported from.
fn raw_assignment(
    reader: &mut Reader,
    m: &Rc<Module>,
    name: &str,
    depth: usize,
) -> Option<(Rc<Module>, PyExpr)> {
    if depth > 8 {
        return None;
    }
    if let Some(a) = m.parsed.assignments.iter().rev().find(|a| {
        a.target.len() == 1 && a.target[0] == name && !a.scope.branch && a.scope.class.is_none()
    }) {
        return Some((m.clone(), a.value.clone()));
    }
    for import in m.imports_of(name) {
        let Some((original, _)) = import.names.iter().find(|(_, l)| l == name) else {
            continue;
        };
        let file = reader.import(&m.path, &import.module)?;
        let other = reader.module(file);
        return raw_assignment(reader, &other, original, depth + 1);
    }
    None
}

fn set_from(
    out: &mut HashMap<String, FlaskSetting>,
    key: String,
    expr: PyExpr,
    file: FileId,
    span: &Range<usize>,
    value_span: Range<usize>,
    conditional: bool,
) {
    out.insert(
        key,
        FlaskSetting {
            value: value_of(&expr),
            expr,
            file,
            span: span.clone(),
            value_span,
            conditional,
        },
    );
}

/// The config an app module builds, when it initialises Flask-Session (None otherwise).
fn app_config(
    reader: &mut Reader,
    m: &Rc<Module>,
    loaded: &mut HashSet<Loaded>,
) -> Option<FlaskConfig> {
    let (apps, instance_relative, mut session_objects, creates_app) = app_names(&m.parsed);
    // A Flask-Session object made in another module (`from .extensions import sess`).
    for c in &m.parsed.calls {
        let Some(object) = c.callee.strip_suffix(".init_app") else {
            continue;
        };
        if object.contains('.') || session_objects.contains(object) {
            continue;
        }
        if let Some((other, PyExpr::Call { callee, .. })) = raw_assignment(reader, m, object, 0) {
            if session_class(&other.parsed, &callee) {
                session_objects.insert(object.to_string());
            }
        }
    }
    let initialises = |callee: &str, args: &[(Option<String>, PyExpr)]| {
        (session_class(&m.parsed, callee) && !args.is_empty())
            || callee
                .strip_suffix(".init_app")
                .is_some_and(|o| session_objects.contains(o))
    };
    // `Session(app)` alone, or kept (`session = Session(app)`).
    let init_span = m
        .parsed
        .calls
        .iter()
        .find(|c| initialises(&c.callee, &c.args))
        .map(|c| c.span.clone())
        .or_else(|| {
            m.parsed.assignments.iter().find_map(|a| match &a.value {
                PyExpr::Call { callee, args } if initialises(callee, args) => Some(a.span.clone()),
                _ => None,
            })
        })?;
    let config_of = |target: &str| -> bool {
        target
            .strip_suffix(".config")
            .is_some_and(|a| apps.contains(a))
    };
    let mut ops: Vec<(usize, Op)> = Vec::new();
    for a in &m.parsed.assignments {
        match a.target.as_slice() {
            [obj, key] if config_of(obj) => ops.push((
                a.span.start,
                Op::Set {
                    key: key.clone(),
                    assignment: a,
                },
            )),
            [obj]
                if obj
                    .strip_suffix(".secret_key")
                    .is_some_and(|o| apps.contains(o)) =>
            {
                ops.push((
                    a.span.start,
                    Op::Set {
                        key: "SECRET_KEY".into(),
                        assignment: a,
                    },
                ))
            }
            _ => {}
        }
    }
    for c in &m.parsed.calls {
        if let Some((obj, _)) = c.callee.rsplit_once('.') {
            if config_of(obj) {
                ops.push((c.span.start, Op::Call(c)));
            }
        }
    }
    ops.sort_by_key(|(at, _)| *at);
    let mut settings: HashMap<String, FlaskSetting> = HashMap::new();
    // An app made elsewhere (`Session(self.app)` in an initializer class) has a config this
    // module does not show.
    let mut partial = !creates_app;
    let module_dir = m.path.parent().map(Path::to_path_buf).unwrap_or_default();
    for (_, op) in ops {
        match op {
            Op::Set { key, assignment } => {
                if assignment.augmented {
                    settings.remove(&key);
                    partial = true;
                    continue;
                }
                let expr = resolve(reader, m, &assignment.value, assignment.span.start, None, 0);
                set_from(
                    &mut settings,
                    key,
                    expr,
                    m.file,
                    &assignment.span,
                    assignment.value_span.clone(),
                    assignment.scope.branch,
                );
            }
            Op::Call(c) => {
                let method = c.callee.rsplit('.').next().unwrap_or("");
                let first = c.args.iter().find(|(k, _)| k.is_none()).map(|(_, v)| v);
                let conditional = c.scope.branch;
                match method {
                    "from_object" => {
                        let source = match first {
                            Some(PyExpr::Unknown) => factory_class(reader, m, c),
                            Some(arg) => object_source(reader, m, arg, c.span.start),
                            None => None,
                        };
                        match source {
                            Some((sm, class, until)) if !conditional => {
                                loaded.insert(match class {
                                    Some(i) => Loaded::Class(sm.file, i),
                                    None => Loaded::Module(sm.file),
                                });
                                let mut seen = Vec::new();
                                source_settings(
                                    reader,
                                    &sm,
                                    class,
                                    until,
                                    &mut seen,
                                    &mut settings,
                                    &mut partial,
                                );
                            }
                            _ => partial = true,
                        }
                    }
                    "from_pyfile" => {
                        let name = first.map(value_of);
                        // Flask's instance folder: `instance` beside a module, or beside the
                        // folder of a package (`pkg/__init__.py` -> `instance/`).
                        let package = m.path.file_name().is_some_and(|n| n == "__init__.py");
                        let instance_base = if package {
                            module_dir
                                .parent()
                                .map(Path::to_path_buf)
                                .unwrap_or_default()
                        } else {
                            module_dir.clone()
                        };
                        let path = name.as_ref().and_then(Val::as_str).map(|n| {
                            if instance_relative {
                                instance_base.join("instance").join(n)
                            } else {
                                module_dir.join(n)
                            }
                        });
                        let file = match &path {
                            Some(p) if !conditional => reader.load_first(vec![p.clone()]),
                            _ => None,
                        };
                        match file {
                            Some(file) => {
                                let fm = reader.module(file);
                                loaded.insert(Loaded::Module(file));
                                let mut seen = Vec::new();
                                source_settings(
                                    reader,
                                    &fm,
                                    None,
                                    usize::MAX,
                                    &mut seen,
                                    &mut settings,
                                    &mut partial,
                                );
                            }
                            // A file redline cannot read (absolute, deployed apart, an instance
                            // folder kept out of the repository) may set anything.
                            None => partial = true,
                        }
                    }
                    "from_mapping" | "update" | "setdefault" => {
                        let mut entries: Vec<(String, PyExpr, Range<usize>)> = Vec::new();
                        let mut readable = true;
                        if method == "setdefault" {
                            match (c.args.first(), c.args.get(1)) {
                                (Some((None, k)), v) => match value_of(k).as_str() {
                                    Some(key) if !settings.contains_key(key) && !partial => {
                                        let v = v.map_or(PyExpr::None, |(_, v)| v.clone());
                                        entries.push((key.to_string(), v, c.span.clone()));
                                    }
                                    Some(_) => {}
                                    None => readable = false,
                                },
                                _ => readable = false,
                            }
                        } else {
                            for (k, v) in &c.args {
                                match (k, v) {
                                    (Some(k), v) => {
                                        entries.push((k.clone(), v.clone(), c.span.clone()))
                                    }
                                    (None, PyExpr::Dict(items)) => {
                                        for (dk, dv) in items {
                                            match value_of(dk).as_str() {
                                                Some(key) => entries.push((
                                                    key.to_string(),
                                                    dv.clone(),
                                                    c.span.clone(),
                                                )),
                                                None => readable = false,
                                            }
                                        }
                                    }
                                    _ => readable = false,
                                }
                            }
                        }
                        partial |= !readable;
                        for (key, v, value_span) in entries {
                            // `from_mapping` keeps upper-case keys only.
                            if method == "from_mapping" && !upper_case(&key) {
                                continue;
                            }
                            let value_span = literal_span(&v).unwrap_or(value_span);
                            let expr = resolve(reader, m, &v, c.span.start, None, 0);
                            set_from(
                                &mut settings,
                                key,
                                expr,
                                m.file,
                                &c.span,
                                value_span,
                                conditional,
                            );
                        }
                    }
                    // `from_envvar`, `from_prefixed_env`, `from_file`: read at run time.
                    "from_envvar" | "from_prefixed_env" | "from_file" => partial = true,
                    _ => {}
                }
            }
        }
    }
    Some(FlaskConfig {
        file: m.file,
        span: init_span,
        label: "Flask app".into(),
        class_environment: None,
        settings,
        partial,
        initialises_session: true,
    })
}

/// Read the Flask modules discovery found: the apps they build, and the config classes and
/// modules no app loads, each judged alone. Returns the secrets the reader found too.
pub fn load(sources: &mut Sources, roots: &[FileId]) -> (FlaskStack, Vec<(FileId, Range<usize>)>) {
    let mut reader = Reader {
        sources,
        class_settings: HashMap::new(),
        modules: HashMap::new(),
        errors: Vec::new(),
        secrets: Vec::new(),
        work_left: WORK_ALLOWANCE,
    };
    let mut configs = Vec::new();
    let mut loaded: HashSet<Loaded> = HashSet::new();
    for &file in roots {
        let m = reader.module(file);
        if let Some(config) = app_config(&mut reader, &m, &mut loaded) {
            configs.push(config);
        }
    }
    // What no app loads: each leaf config class, and a config module's own names.
    for &file in roots {
        let m = reader.module(file);
        if configs.iter().any(|c| c.file == file) {
            continue;
        }
        let bases: HashSet<&str> = m
            .parsed
            .classes
            .iter()
            .flat_map(|c| c.bases.iter().map(String::as_str))
            .collect();
        let mut judged = 0;
        for (index, class) in m.parsed.classes.iter().enumerate() {
            if judged == MAX_CLASSES_ALONE {
                break;
            }
            if bases.contains(class.name.as_str())
                || class.scope.function.is_some()
                || loaded.contains(&Loaded::Class(file, index))
            {
                continue;
            }
            let mut settings = HashMap::new();
            let mut partial = false;
            let mut seen = Vec::new();
            source_settings(
                &mut reader,
                &m,
                Some(index),
                usize::MAX,
                &mut seen,
                &mut settings,
                &mut partial,
            );
            if !settings.contains_key("SESSION_TYPE") && !settings.contains_key("SESSION_REDIS") {
                continue;
            }
            judged += 1;
            configs.push(FlaskConfig {
                file,
                span: class.span.clone(),
                label: format!("config class `{}`", class.name),
                class_environment: class_environment(&class.name),
                settings,
                partial: true,
                initialises_session: false,
            });
        }
        if loaded.contains(&Loaded::Module(file)) {
            continue;
        }
        let mut settings = HashMap::new();
        let mut partial = false;
        let mut seen = Vec::new();
        source_settings(
            &mut reader,
            &m,
            None,
            usize::MAX,
            &mut seen,
            &mut settings,
            &mut partial,
        );
        if settings.contains_key("SESSION_TYPE") || settings.contains_key("SESSION_REDIS") {
            configs.push(FlaskConfig {
                file,
                span: 0..0,
                label: "config module".into(),
                class_environment: None,
                settings,
                partial: true,
                initialises_session: false,
            });
        }
    }
    let mut modules: Vec<FileId> = reader.modules.keys().copied().collect();
    modules.sort();
    let mut errors = std::mem::take(&mut reader.errors);
    errors.sort_by_key(|e| (e.file, e.span.start));
    errors.dedup_by_key(|e| e.file);
    let secrets = std::mem::take(&mut reader.secrets);
    (
        FlaskStack {
            configs,
            errors,
            modules,
        },
        secrets,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(src: &str) -> SessionRedis {
        let m = python::parse(format!("X = {src}\n").as_bytes());
        redis_client(&m.assignments[0].value, &(0..0))
    }

    #[test]
    fn redis_clients_as_redis_py_reads_them() {
        let SessionRedis::Client(c) = client("redis.Redis()") else {
            panic!()
        };
        assert_eq!(
            (
                c.host.as_deref(),
                c.port,
                c.db.as_deref(),
                &c.password,
                c.ssl
            ),
            (
                Some("localhost"),
                Some(6379),
                Some("0"),
                &Some(None),
                Some(false)
            )
        );
        let SessionRedis::Client(c) = client("StrictRedis('10.0.0.5', 6380, 2, 'pw', ssl=True)")
        else {
            panic!()
        };
        assert_eq!(
            (
                c.host.as_deref(),
                c.port,
                c.db.as_deref(),
                &c.password,
                c.ssl
            ),
            (
                Some("10.0.0.5"),
                Some(6380),
                Some("2"),
                &Some(Some("pw".into())),
                Some(true)
            )
        );
        // The URL's options beat the keywords; user info ends at the last `@`.
        let SessionRedis::Client(c) = client("redis.from_url('rediss://:p@ss@h:7000/3', db=5)")
        else {
            panic!()
        };
        assert_eq!(
            (
                c.host.as_deref(),
                c.port,
                c.db.as_deref(),
                &c.password,
                c.ssl
            ),
            (
                Some("h"),
                Some(7000),
                Some("3"),
                &Some(Some("p@ss".into())),
                Some(true)
            )
        );
        let SessionRedis::Client(c) =
            client("redis.Redis(host='h', password=os.environ.get('P', 'x'), ssl_cert_reqs=None)")
        else {
            panic!()
        };
        assert_eq!(
            c.password, None,
            "an environment password is known at run time only"
        );
        assert!(c.no_verification.is_some());
        assert_eq!(
            client("'redis://h:6379/0'"),
            SessionRedis::NotAClient("a string".into())
        );
        assert_eq!(client("make_client()"), SessionRedis::Unknown);
    }

    #[test]
    fn class_names_say_their_environment() {
        assert_eq!(
            class_environment("DevelopmentConfig"),
            Some(Environment::Development)
        );
        assert_eq!(
            class_environment("ConfigDev"),
            Some(Environment::Development)
        );
        assert_eq!(class_environment("TestingConfig"), Some(Environment::Test));
        assert_eq!(class_environment("ProductionConfig"), None);
    }

    #[test]
    fn values_follow_or_and_environment_defaults() {
        let m = python::parse(
            b"A = os.getenv('X') or 'y'\nB = os.environ.get('X', 'd') + '!'\nC = '' or 0 or 'z'\n",
        );
        let values: Vec<Val> = m.assignments.iter().map(|a| value_of(&a.value)).collect();
        assert_eq!(
            values,
            [Val::Unknown, Val::Str("d!".into()), Val::Str("z".into())]
        );
    }
}
