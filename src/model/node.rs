//! Express apps: what express-session, connect-redis, ioredis and node-redis make of an app's
//! modules. An app is a folder whose `package.json` depends on `express-session`; its modules
//! that mention `express-session` are read first, then the relative modules they import, require
//! or re-export (bounded: `MAX_DEPTH` hops, `MAX_MODULES` modules, `MAX_BYTES` bytes). Each
//! `session({...})` call gives a session with its options, its store and the store's client, with
//! each value's file and span. Values are evaluated without running anything: literals, template
//! literals, `+`, `process.env.X` (unknown at run time, or the `.env` beside package.json when the
//! app loads dotenv) and `||` / `??` fallbacks (what runs when the variable is unset).

use crate::source::{FileId, Sources};
use crate::syntax::dotenv::EnvFile;
use crate::syntax::javascript::{self, Expr, JsModule, LogicalOp};
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Hops of relative imports followed from a module that calls `session()`.
const MAX_DEPTH: usize = 8;
/// Modules read per app.
const MAX_MODULES: usize = 200;
/// Bytes of modules read per app.
const MAX_BYTES: usize = 16 * 1024 * 1024;
/// Steps of one resolution (identifier to binding to export...): an import cycle ends here.
const MAX_STEPS: usize = 64;

/// Extensions tried for a relative specifier, in Node's and TypeScript's order.
pub const EXTENSIONS: [&str; 8] = ["js", "ts", "mjs", "cjs", "mts", "cts", "tsx", "jsx"];

#[derive(Debug, Clone)]
pub struct NodeModule {
    pub file: FileId,
    pub path: PathBuf,
    pub js: JsModule,
}

/// The major version of each package the app depends on, from package.json (a range's lowest
/// major: `^4.6.0` is 4).
#[derive(Debug, Clone, Default)]
pub struct Versions {
    pub express_session: Option<u32>,
    pub connect_redis: Option<u32>,
    pub ioredis: Option<u32>,
    pub redis: Option<u32>,
}

/// Where a value is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub file: FileId,
    pub span: Range<usize>,
}

/// A value as the library sees it when the app starts with an empty environment (or the `.env`
/// that dotenv loads).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str {
        text: String,
        at: Located,
        /// `at` is exactly one string literal (quotes included) whose text is `text`.
        literal: bool,
        /// The value is the fallback of `process.env.<var> || ...`: what runs when it is unset.
        fallback_of: Option<String>,
        /// Read from the `.env` file (at is its value there).
        from_env_file: bool,
    },
    Num {
        value: f64,
        at: Located,
    },
    Bool {
        value: bool,
        at: Located,
    },
    /// `null` or `undefined`.
    Nullish,
    /// `process.env.X`, unset in the audited files: known only at run time.
    Env(String),
    Unknown,
}

impl Value {
    pub fn text(&self) -> Option<String> {
        match self {
            Value::Str { text, .. } => Some(text.clone()),
            Value::Num { value, .. } => Some(number_text(*value)),
            _ => None,
        }
    }
    pub fn at(&self) -> Option<&Located> {
        match self {
            Value::Str { at, .. } | Value::Num { at, .. } | Value::Bool { at, .. } => Some(at),
            _ => None,
        }
    }
    pub fn fallback_of(&self) -> Option<&str> {
        match self {
            Value::Str { fallback_of, .. } => fallback_of.as_deref(),
            _ => None,
        }
    }
    pub fn is_true(&self) -> bool {
        matches!(self, Value::Bool { value: true, .. })
    }
    pub fn is_known(&self) -> bool {
        !matches!(self, Value::Env(_) | Value::Unknown)
    }
    /// The truthiness JavaScript gives it, when known.
    fn truthy(&self) -> Option<bool> {
        match self {
            Value::Str { text, .. } => Some(!text.is_empty()),
            Value::Num { value, .. } => Some(*value != 0.0 && !value.is_nan()),
            Value::Bool { value, .. } => Some(*value),
            Value::Nullish => Some(false),
            _ => None,
        }
    }
}

fn number_text(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        value.to_string()
    }
}

/// A property of an options object literal, as written.
#[derive(Debug, Clone)]
pub struct WrittenObject {
    pub file: FileId,
    pub expr: Expr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Library {
    Ioredis,
    /// node-redis, with its major version when package.json says.
    NodeRedis(Option<u32>),
    /// connect-redis up to 3 made its own client (node-redis 2/3) from `host`, `port`, `pass`.
    LegacyStore,
}

impl Library {
    pub fn name(self) -> &'static str {
        match self {
            Library::Ioredis => "ioredis",
            Library::NodeRedis(_) => "node-redis",
            Library::LegacyStore => "connect-redis (its own client)",
        }
    }
    /// node-redis 4 and later read only `socket.host`, `socket.port` and `database`.
    pub fn reads_socket_options(self) -> bool {
        matches!(self, Library::NodeRedis(major) if major.is_none_or(|m| m >= 4))
    }
}

/// Where a client connects, after dropping what its library ignores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    Tcp {
        host: String,
        port: u16,
    },
    Unix(String),
    /// Known only at run time, or not a plain instance (a cluster's seed list).
    RunTime,
}

/// An option the client library does not read (NJ102).
#[derive(Debug, Clone)]
pub struct IgnoredOption {
    pub name: String,
    pub at: Located,
    pub why: String,
}

#[derive(Debug, Clone)]
pub struct NodeClient {
    pub library: Library,
    pub at: Located,
    pub cluster: bool,
    pub sentinel: bool,
    pub address: Address,
    /// Where the address comes from (a URL, `socket.host`, `host`), for messages.
    pub address_at: Option<Located>,
    pub tls: Option<bool>,
    pub password: Value,
    pub username: Option<String>,
    pub database: Option<String>,
    /// The connection URL, when the client is made from one.
    pub url: Option<Value>,
    pub ignored: Vec<IgnoredOption>,
    /// Has an `.on('error', ...)` listener (by the name it is bound to).
    pub error_listener: bool,
    /// The name the client is bound to (`client`, `redisClient`), when it is.
    pub bound_to: Option<String>,
    /// ioredis 5 cut its URL at an unencoded `#`, `/` or `?` of the password (NJ103).
    pub url_cut: bool,
}

#[derive(Debug, Clone)]
pub struct RedisStore {
    pub at: Located,
    pub prefix: String,
    pub disable_ttl: Value,
    pub ttl: Value,
    pub client: Option<NodeClient>,
    pub options: Option<WrittenObject>,
}

#[derive(Debug, Clone)]
pub enum Store {
    /// No `store` option: MemoryStore.
    Memory,
    Redis(Box<RedisStore>),
    /// Another store (connect-mongo, a Sequelize store...).
    Other,
    Unknown,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub file: FileId,
    pub span: Range<usize>,
    /// The options object literal, where it is written; None when not an object literal.
    pub options: Option<WrittenObject>,
    pub store: Store,
    pub secret: Value,
    pub resave: Option<Value>,
    pub save_uninitialized: Option<Value>,
    pub proxy: Value,
    /// `cookie: {...}`: None when the option is absent, Some(None) when it is not a literal.
    pub cookie: Option<Option<WrittenObject>>,
    pub secure: Option<Value>,
    pub http_only: Option<Value>,
    pub same_site: Option<Value>,
}

#[derive(Debug, Clone)]
pub struct NodeApp {
    pub dir: PathBuf,
    pub package: Option<FileId>,
    pub versions: Versions,
    pub modules: Vec<NodeModule>,
    pub env_file: Option<(FileId, EnvFile)>,
    pub sessions: Vec<Session>,
    /// A module calls `app.set('trust proxy', <truthy or unknown>)` or `app.enable(...)`.
    pub trust_proxy: bool,
    pub secrets: Vec<(FileId, Range<usize>)>,
}

impl NodeApp {
    /// A display name: the app's folder.
    pub fn name(&self, sources: &Sources) -> String {
        match self.package {
            Some(p) => {
                let shown = sources.display(p);
                shown
                    .rsplit_once('/')
                    .map_or(".".to_string(), |(d, _)| d.to_string())
            }
            None => self.dir.display().to_string(),
        }
    }
}

fn major_of(range: &str) -> Option<u32> {
    let digits: String = range
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// Whether a package.json depends on express-session (dependencies or devDependencies).
pub fn depends_on_express_session(bytes: &[u8]) -> bool {
    versions(bytes).express_session.is_some()
        || serde_json::from_slice::<serde_json::Value>(bytes).is_ok_and(|v| {
            ["dependencies", "devDependencies"]
                .iter()
                .any(|k| v.get(k).and_then(|d| d.get("express-session")).is_some())
        })
}

pub fn versions(bytes: &[u8]) -> Versions {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Versions::default();
    };
    let get = |name: &str| {
        ["dependencies", "devDependencies", "peerDependencies"]
            .iter()
            .find_map(|k| json.get(k)?.get(name)?.as_str())
            .and_then(major_of)
    };
    Versions {
        express_session: get("express-session"),
        connect_redis: get("connect-redis"),
        ioredis: get("ioredis"),
        redis: get("redis").or_else(|| get("@redis/client").map(|m| m + 3)),
    }
}

/// The installed major version of each package, from an npm lock file (`package-lock.json`
/// version 2/3 `packages`, or version 1 `dependencies`): what runs, where package.json only gives
/// a range.
pub fn locked_versions(bytes: &[u8]) -> Versions {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Versions::default();
    };
    let get = |name: &str| {
        json.get("packages")
            .and_then(|p| p.get(format!("node_modules/{name}")))
            .or_else(|| json.get("dependencies").and_then(|d| d.get(name)))
            .and_then(|p| p.get("version"))
            .and_then(|v| v.as_str())
            .and_then(major_of)
    };
    Versions {
        express_session: get("express-session"),
        connect_redis: get("connect-redis"),
        ioredis: get("ioredis"),
        redis: get("redis").or_else(|| get("@redis/client").map(|m| m + 3)),
    }
}

/// Whether a path is inside build output or dependencies, which are not read.
pub fn is_build_output(path: &Path) -> bool {
    path.components().any(|c| {
        let c = c.as_os_str();
        c == "node_modules" || c == "dist" || c == "build" || c == ".next" || c == "coverage"
    })
}

/// The module a relative specifier names from `importer`, as Node and TypeScript resolve it:
/// the path itself, with each extension, a TypeScript source for a `.js` specifier, or the
/// folder's index.
fn resolve_specifier(importer: &Path, specifier: &str) -> Vec<PathBuf> {
    let Some(dir) = importer.parent() else {
        return Vec::new();
    };
    let base = crate::source::normalize(&dir.join(specifier));
    let mut candidates = vec![base.clone()];
    let name = base.to_string_lossy().into_owned();
    for ext in EXTENSIONS {
        candidates.push(PathBuf::from(format!("{name}.{ext}")));
    }
    for (js, ts) in [
        (".js", ".ts"),
        (".mjs", ".mts"),
        (".cjs", ".cts"),
        (".jsx", ".tsx"),
    ] {
        if let Some(stem) = name.strip_suffix(js) {
            candidates.push(PathBuf::from(format!("{stem}{ts}")));
        }
    }
    for ext in EXTENSIONS {
        candidates.push(base.join(format!("index.{ext}")));
    }
    candidates
}

fn is_relative(specifier: &str) -> bool {
    specifier.starts_with("./")
        || specifier.starts_with("../")
        || specifier == "."
        || specifier == ".."
}

fn is_module_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e))
}

/// Read an app: its entry modules (those that mention express-session), the relative modules
/// they reach, its `.env` when a module loads dotenv; then its sessions.
/// Whether `path` is a regular file inside the audited tree, links followed only within it:
/// a path built from an import specifier (`../../../x`) is never looked at outside the tree.
fn regular_file_inside(sources: &Sources, path: &Path) -> bool {
    sources
        .confinement()
        .resolve(path)
        .is_ok_and(|real| std::fs::metadata(real).is_ok_and(|m| m.is_file()))
}

pub fn load(
    sources: &mut Sources,
    dir: PathBuf,
    package: Option<FileId>,
    entries: &[FileId],
) -> NodeApp {
    let mut versions = package.map_or_else(Versions::default, |p| versions(sources.doc(p).bytes()));
    // The lock file beside package.json says what is installed; it wins over the range.
    let lock = dir.join("package-lock.json");
    if package.is_some() && regular_file_inside(sources, &lock) {
        if let Ok(id) = sources.load(&lock) {
            sources.set_syntax(id, crate::source::Syntax::Other);
            let locked = locked_versions(sources.doc(id).bytes());
            versions.express_session = locked.express_session.or(versions.express_session);
            versions.connect_redis = locked.connect_redis.or(versions.connect_redis);
            versions.ioredis = locked.ioredis.or(versions.ioredis);
            versions.redis = locked.redis.or(versions.redis);
        }
    }
    let mut modules: Vec<NodeModule> = Vec::new();
    let mut by_path: HashMap<PathBuf, usize> = HashMap::new();
    let mut bytes_read = 0usize;
    let mut queue: std::collections::VecDeque<(FileId, usize)> =
        entries.iter().map(|&f| (f, 0)).collect();
    while let Some((file, depth)) = queue.pop_front() {
        let path = crate::source::normalize(&sources.get(file).path);
        if by_path.contains_key(&path) || modules.len() >= MAX_MODULES {
            continue;
        }
        let bytes = sources.doc(file).bytes();
        if bytes.len() > javascript::MAX_MODULE_BYTES || bytes_read + bytes.len() > MAX_BYTES {
            continue;
        }
        bytes_read += bytes.len();
        let js = javascript::parse(bytes, &path.to_string_lossy());
        sources.set_syntax(file, crate::source::Syntax::JavaScript);
        let next: Vec<String> = js
            .sources
            .iter()
            .filter(|s| is_relative(s))
            .cloned()
            .collect();
        by_path.insert(path.clone(), modules.len());
        modules.push(NodeModule {
            file,
            path: path.clone(),
            js,
        });
        if depth >= MAX_DEPTH {
            continue;
        }
        for specifier in next {
            for candidate in resolve_specifier(&path, &specifier) {
                if is_build_output(&candidate) || !is_module_file(&candidate) {
                    continue;
                }
                if by_path.contains_key(&candidate) {
                    break;
                }
                // Only regular files inside the audited tree (Sources confines the read).
                if regular_file_inside(sources, &candidate) || sources.id_of(&candidate).is_some() {
                    if let Ok(id) = sources.load(&candidate) {
                        queue.push_back((id, depth + 1));
                    }
                    break;
                }
            }
        }
    }
    let loads_dotenv = modules.iter().any(|m| m.js.loads_dotenv)
        || package.is_some_and(|p| {
            let text = String::from_utf8_lossy(sources.doc(p).bytes());
            text.contains("dotenv/config")
        });
    let env_file = if loads_dotenv {
        let path = dir.join(".env");
        match sources.id_of(&path) {
            Some(id) => Some(id),
            None if regular_file_inside(sources, &path) => sources.load(&path).ok(),
            None => None,
        }
        .map(|id| {
            sources.set_syntax(id, crate::source::Syntax::Env);
            let env = crate::syntax::dotenv::parse(sources.doc(id));
            (id, env)
        })
    } else {
        None
    };
    let mut app = NodeApp {
        dir,
        package,
        versions,
        modules,
        env_file,
        sessions: Vec::new(),
        trust_proxy: false,
        secrets: Vec::new(),
    };
    let by_path = by_path;
    let resolver = Resolver {
        app: &app,
        by_path: &by_path,
        budget: std::cell::Cell::new(MAX_WORK),
    };
    let mut sessions = Vec::new();
    let mut trust_proxy = false;
    let mut secrets = Vec::new();
    for (index, module) in app.modules.iter().enumerate() {
        for call in &module.js.session_calls {
            sessions.push(resolver.session(index, call));
        }
        for t in &module.js.trust_proxy {
            let value = resolver.scalar(index, &t.value, 0);
            // `false` and `0` turn it off; anything else (a count, a list, a function,
            // unknown) turns it on.
            if value.truthy() != Some(false) {
                trust_proxy = true;
            }
        }
        secret_literals(module, &mut secrets);
    }
    if let Some((file, env)) = &app.env_file {
        secrets.extend(env.secrets.iter().map(|r| (*file, r.clone())));
    }
    // The password each store client sends and each session secret, wherever it was written
    // (a positional argument, a name that does not say so): its text, without the quotes of a
    // literal.
    for session in &sessions {
        let password = match &session.store {
            Store::Redis(store) => store.client.as_ref().map(|c| &c.password),
            _ => None,
        };
        for value in password.into_iter().chain([&session.secret]) {
            let Value::Str { at, .. } = value else {
                continue;
            };
            let bytes = sources.doc(at.file).bytes();
            let quoted = matches!(bytes.get(at.span.start), Some(b'"' | b'\'' | b'`'))
                && at.span.len() >= 2
                && bytes.get(at.span.end - 1) == bytes.get(at.span.start);
            let span = if quoted {
                at.span.start + 1..at.span.end - 1
            } else {
                at.span.clone()
            };
            secrets.push((at.file, span));
        }
    }
    app.sessions = sessions;
    app.trust_proxy = trust_proxy;
    app.secrets = secrets;
    app
}

/// Mark the secrets a module holds: the values of password-like and secret-like properties and
/// bindings, and the user info of the URLs in its string literals.
fn secret_literals(module: &NodeModule, out: &mut Vec<(FileId, Range<usize>)>) {
    fn walk(
        file: FileId,
        expr: &Expr,
        secret: bool,
        out: &mut Vec<(FileId, Range<usize>)>,
        depth: usize,
    ) {
        if depth > 32 {
            return;
        }
        match expr {
            Expr::Str { value, span } => {
                if secret {
                    out.push((
                        file,
                        span.start + 1..span.end.saturating_sub(1).max(span.start + 1),
                    ));
                } else {
                    for r in crate::syntax::url::secret_ranges(value.as_bytes(), span.start + 1) {
                        out.push((file, r));
                    }
                }
            }
            Expr::Template { exprs, span, .. } => {
                if secret {
                    out.push((
                        file,
                        span.start + 1..span.end.saturating_sub(1).max(span.start + 1),
                    ));
                }
                for e in exprs {
                    walk(file, e, secret, out, depth + 1);
                }
            }
            Expr::Object { props, .. } => {
                for p in props {
                    let key_secret = p.key.as_deref().is_some_and(is_secret_key);
                    walk(file, &p.value, key_secret, out, depth + 1);
                }
            }
            Expr::Logical { left, right, .. } | Expr::Add { left, right, .. } => {
                walk(file, left, secret, out, depth + 1);
                walk(file, right, secret, out, depth + 1);
            }
            Expr::Call { callee, args, .. } | Expr::New { callee, args, .. } => {
                walk(file, callee, false, out, depth + 1);
                for a in args {
                    walk(file, a, false, out, depth + 1);
                }
            }
            Expr::Member { object, .. } => walk(file, object, false, out, depth + 1),
            _ => {}
        }
    }
    for b in &module.js.bindings {
        walk(module.file, &b.value, is_secret_key(&b.name), out, 0);
    }
    for call in &module.js.session_calls {
        for a in &call.args {
            walk(module.file, a, false, out, 0);
        }
    }
    for e in &module.js.exports {
        walk(module.file, &e.value, is_secret_key(&e.name), out, 0);
    }
    if let Some(e) = &module.js.module_exports {
        walk(module.file, e, false, out, 0);
    }
}

use crate::syntax::url::is_secret_key;

/// What an expression is, followed through bindings, imports and exports.
#[derive(Debug, Clone)]
enum Resolved<'a> {
    Expr(usize, &'a Expr),
    /// A module of the app as a value (its namespace).
    Module(usize),
    /// A package, and the properties taken from it (`require('redis').createClient`).
    Package(String, Vec<String>),
    Unknown,
}

struct Resolver<'a> {
    app: &'a NodeApp,
    by_path: &'a HashMap<PathBuf, usize>,
    /// Resolution steps left for the whole app: a value built as `a + a` from `a = b + b`...
    /// doubles at each level, and a depth limit alone would not bound it.
    budget: std::cell::Cell<usize>,
}

/// Resolution steps per app.
const MAX_WORK: usize = 200_000;
/// A string built longer than this (by `+` or a template) is unknown: no real option is.
const MAX_VALUE_BYTES: usize = 64 * 1024;

impl Resolver<'_> {
    /// Spend one step; false once the app's budget is gone (everything after is unknown).
    fn spend(&self) -> bool {
        let left = self.budget.get();
        if left == 0 {
            return false;
        }
        self.budget.set(left - 1);
        true
    }
}

impl<'a> Resolver<'a> {
    fn module(&self, index: usize) -> &'a NodeModule {
        &self.app.modules[index]
    }

    fn located(&self, index: usize, span: Range<usize>) -> Located {
        Located {
            file: self.module(index).file,
            span,
        }
    }

    fn required(&self, from: usize, source: &str) -> Resolved<'a> {
        if !is_relative(source) {
            // `node:` and subpaths name the package itself for what is read here.
            return Resolved::Package(source.to_string(), Vec::new());
        }
        let path = &self.module(from).path;
        resolve_specifier(path, source)
            .iter()
            .find_map(|c| self.by_path.get(c))
            .map_or(Resolved::Unknown, |&i| Resolved::Module(i))
    }

    fn resolve(&self, m: usize, e: &'a Expr, steps: usize) -> Resolved<'a> {
        if steps > MAX_STEPS || !self.spend() {
            return Resolved::Unknown;
        }
        match e {
            Expr::Ident { name, span } => match self.module(m).js.binding(name, span.start) {
                Some(value) if !std::ptr::eq(value, e) => self.resolve(m, value, steps + 1),
                _ => Resolved::Unknown,
            },
            Expr::Require { source, .. } => self.required(m, source),
            Expr::Member {
                object, property, ..
            } => {
                let object = self.resolve(m, object, steps + 1);
                self.property(object, property, steps + 1)
            }
            Expr::Call { callee, args, .. } => {
                // `require('connect-redis')(session)`: the legacy store class.
                let callee = self.resolve(m, callee, steps + 1);
                if let Resolved::Package(name, path) = &callee {
                    // `import connectRedis from 'connect-redis'` (TypeScript's interop): the
                    // default of a CommonJS module is the module itself.
                    let whole = path.is_empty() || *path == ["default"];
                    if name == "connect-redis" && whole && !args.is_empty() {
                        return Resolved::Package(name.clone(), vec!["(session)".into()]);
                    }
                    if name == "dotenv" {
                        return Resolved::Unknown;
                    }
                }
                // A factory of the app: what it returns (its parameters stay unknown).
                if let Resolved::Expr(
                    i,
                    Expr::Function {
                        returns: Some(returned),
                        ..
                    },
                ) = callee
                {
                    return self.resolve(i, returned, steps + 1);
                }
                Resolved::Expr(m, e)
            }
            _ => Resolved::Expr(m, e),
        }
    }

    fn property(&self, object: Resolved<'a>, property: &str, steps: usize) -> Resolved<'a> {
        if steps > MAX_STEPS {
            return Resolved::Unknown;
        }
        match object {
            Resolved::Package(name, mut path) => {
                path.push(property.to_string());
                Resolved::Package(name, path)
            }
            Resolved::Expr(m, Expr::Object { .. }) => {
                let Resolved::Expr(_, Expr::Object { props, .. }) = object else {
                    return Resolved::Unknown;
                };
                match props
                    .iter()
                    .rev()
                    .find(|p| p.key.as_deref() == Some(property))
                {
                    Some(p) => self.resolve(m, &p.value, steps + 1),
                    None => Resolved::Unknown,
                }
            }
            Resolved::Module(i) => {
                let js = &self.module(i).js;
                if let Some(value) = js.export(property) {
                    return self.resolve(i, value, steps + 1);
                }
                if let Some(value) = &js.module_exports {
                    let whole = self.resolve(i, value, steps + 1);
                    // `import x from './cjs'`: the default is module.exports itself.
                    if property == "default" {
                        return whole;
                    }
                    return self.property(whole, property, steps + 1);
                }
                for source in &js.star_exports {
                    if let Resolved::Module(j) = self.required(i, source) {
                        if j != i && self.module(j).js.export(property).is_some() {
                            return self.property(Resolved::Module(j), property, steps + 1);
                        }
                    }
                }
                Resolved::Unknown
            }
            _ => Resolved::Unknown,
        }
    }

    /// The object literal an expression is, with its module.
    fn object(&self, m: usize, e: &'a Expr) -> Option<(usize, &'a Expr)> {
        match self.resolve(m, e, 0) {
            Resolved::Expr(i, o @ Expr::Object { .. }) => Some((i, o)),
            _ => None,
        }
    }

    fn scalar(&self, m: usize, e: &'a Expr, steps: usize) -> Value {
        if steps > MAX_STEPS || !self.spend() {
            return Value::Unknown;
        }
        let (m, e) = match self.resolve(m, e, steps + 1) {
            Resolved::Expr(i, x) => (i, x),
            _ => return Value::Unknown,
        };
        let at = self.located(m, e.span());
        match e {
            Expr::Str { value, .. } => Value::Str {
                text: value.clone(),
                at,
                literal: true,
                fallback_of: None,
                from_env_file: false,
            },
            Expr::Num { value, .. } => Value::Num { value: *value, at },
            Expr::Bool { value, .. } => Value::Bool { value: *value, at },
            Expr::Null { .. } => Value::Nullish,
            Expr::Ident { name, .. } if name == "undefined" => Value::Nullish,
            Expr::Env { var, .. } => self.env(var),
            // `Number(process.env.PORT)`, `parseInt(...)`, `String(...)`: an unset variable stays
            // unknown (its `|| fallback` then runs), a known value is converted.
            Expr::Call { callee, args, .. }
                if matches!(callee.as_ref(), Expr::Ident { name, .. }
                    if ["Number", "parseInt", "parseFloat", "String"].contains(&name.as_str())) =>
            {
                let Some(first) = args.first() else {
                    return Value::Unknown;
                };
                let to_string =
                    matches!(callee.as_ref(), Expr::Ident { name, .. } if name == "String");
                match self.scalar(m, first, steps + 1) {
                    Value::Env(var) => Value::Env(var),
                    v if to_string => v,
                    v => match v.text().map(|t| t.trim().parse::<f64>()) {
                        Some(Ok(value)) => Value::Num { value, at },
                        _ => Value::Unknown,
                    },
                }
            }
            Expr::Template { quasis, exprs, .. } => {
                let mut text = String::new();
                for (i, q) in quasis.iter().enumerate() {
                    text.push_str(q);
                    if let Some(x) = exprs.get(i) {
                        match self.scalar(m, x, steps + 1).text() {
                            Some(t) if text.len() + t.len() > MAX_VALUE_BYTES => {
                                return Value::Unknown
                            }
                            Some(t) => text.push_str(&t),
                            None => return self.unknown_part(m, x, steps),
                        }
                    }
                }
                Value::Str {
                    text,
                    at,
                    literal: false,
                    fallback_of: None,
                    from_env_file: false,
                }
            }
            Expr::Add { left, right, .. } => {
                let l = self.scalar(m, left, steps + 1);
                let r = self.scalar(m, right, steps + 1);
                match (&l, &r) {
                    (Value::Num { value: a, .. }, Value::Num { value: b, .. }) => {
                        Value::Num { value: a + b, at }
                    }
                    _ => match (l.text(), r.text()) {
                        (Some(a), Some(b)) if a.len() + b.len() > MAX_VALUE_BYTES => Value::Unknown,
                        (Some(a), Some(b)) => Value::Str {
                            text: a + &b,
                            at,
                            literal: false,
                            fallback_of: l.fallback_of().or(r.fallback_of()).map(str::to_string),
                            from_env_file: false,
                        },
                        _ => match (l, r) {
                            (Value::Env(v), _) | (_, Value::Env(v)) => Value::Env(v),
                            _ => Value::Unknown,
                        },
                    },
                }
            }
            Expr::Logical {
                op, left, right, ..
            } => {
                let l = self.scalar(m, left, steps + 1);
                match (op, &l) {
                    (LogicalOp::Or | LogicalOp::Nullish, Value::Env(var)) => {
                        let var = var.clone();
                        match self.scalar(m, right, steps + 1) {
                            Value::Str {
                                text,
                                at,
                                literal,
                                from_env_file,
                                ..
                            } => Value::Str {
                                text,
                                at,
                                literal,
                                fallback_of: Some(var),
                                from_env_file,
                            },
                            // A number or boolean fallback: judged as what runs.
                            other @ (Value::Num { .. } | Value::Bool { .. }) => other,
                            _ => Value::Env(var),
                        }
                    }
                    (LogicalOp::Or, _) => match l.truthy() {
                        Some(true) => l,
                        Some(false) => self.scalar(m, right, steps + 1),
                        None => Value::Unknown,
                    },
                    (LogicalOp::Nullish, Value::Nullish) => self.scalar(m, right, steps + 1),
                    (LogicalOp::Nullish, _) => l,
                    (LogicalOp::And, _) => match l.truthy() {
                        Some(true) => self.scalar(m, right, steps + 1),
                        Some(false) => l,
                        None => Value::Unknown,
                    },
                }
            }
            _ => Value::Unknown,
        }
    }

    /// A template literal with a part not known: the variable it depends on, if one.
    fn unknown_part(&self, m: usize, x: &'a Expr, steps: usize) -> Value {
        match self.scalar(m, x, steps + 1) {
            Value::Env(v) => Value::Env(v),
            _ => Value::Unknown,
        }
    }

    /// `process.env.X`: the `.env` value when dotenv loads one that sets it, else unknown.
    fn env(&self, var: &str) -> Value {
        if let Some((file, env)) = &self.app.env_file {
            if let Some(entry) = env.get(var) {
                if let Some(value) = &entry.value {
                    if !entry.depends_on_environment {
                        return Value::Str {
                            text: value.clone(),
                            at: Located {
                                file: *file,
                                span: entry.value_span.clone(),
                            },
                            literal: false,
                            fallback_of: None,
                            from_env_file: true,
                        };
                    }
                }
            }
        }
        Value::Env(var.to_string())
    }

    /// The property paths written on `name` in module `m` (`name.cookie.secure = ...`), each
    /// prefixed with `prefix`.
    fn writes_to(&self, m: usize, name: &str, prefix: &[&str]) -> Vec<Vec<String>> {
        self.module(m)
            .js
            .member_writes
            .iter()
            .filter(|(root, _)| root == name)
            .map(|(_, path)| {
                prefix
                    .iter()
                    .map(|p| p.to_string())
                    .chain(path.iter().cloned())
                    .collect()
            })
            .collect()
    }

    fn prop_value(&self, object: Option<(usize, &'a Expr)>, key: &str) -> Option<Value> {
        let (m, o) = object?;
        let p = o.prop(key)?;
        Some(self.scalar(m, &p.value, 0))
    }

    fn session(&self, m: usize, call: &'a javascript::SessionCall) -> Session {
        let options = call.args.first().and_then(|a| self.object(m, a));
        let file = self.module(m).file;
        let written = options.map(|(i, o)| WrittenObject {
            file: self.module(i).file,
            expr: o.clone(),
        });
        let unknown_props = options.is_none_or(|(_, o)| o.has_unknown_props());
        let get = |key: &str| self.prop_value(options, key);
        let store = match options.and_then(|(i, o)| o.prop("store").map(|p| (i, &p.value))) {
            None if unknown_props => Store::Unknown,
            None => Store::Memory,
            Some((i, value)) => self.store(i, value),
        };
        let cookie_prop = options.and_then(|(i, o)| o.prop("cookie").map(|p| (i, &p.value)));
        let cookie_object = cookie_prop.and_then(|(i, v)| self.object(i, v));
        let cookie = cookie_prop.map(|_| {
            cookie_object.map(|(i, o)| WrittenObject {
                file: self.module(i).file,
                expr: o.clone(),
            })
        });
        // Properties the app writes after making the object (`sess.cookie.secure = true` in
        // production, as express-session's README does): unknown, whatever the literal says.
        let mut writes: Vec<Vec<String>> = Vec::new();
        if let Some(Expr::Ident { name, .. }) = call.args.first() {
            writes.extend(self.writes_to(m, name, &[]));
        }
        if let Some((i, Expr::Ident { name, .. })) = cookie_prop {
            writes.extend(self.writes_to(i, name, &["cookie"]));
        }
        let touched = |path: &[&str]| {
            writes
                .iter()
                .any(|w| w.iter().zip(path).all(|(a, b)| a == b))
        };
        let unless_written = |path: &[&str], value: Option<Value>| {
            if touched(path) {
                Some(Value::Unknown)
            } else {
                value
            }
        };
        let cookie_get = |key: &str| -> Option<Value> {
            match (cookie_prop, cookie_object) {
                // Not a literal: unknown.
                (Some(_), None) => Some(Value::Unknown),
                (Some(_), Some(o)) if o.1.has_unknown_props() && o.1.prop(key).is_none() => {
                    Some(Value::Unknown)
                }
                _ => self.prop_value(cookie_object, key),
            }
        };
        let absent_or_unknown = |key: &str| -> Option<Value> {
            match get(key) {
                Some(v) => Some(v),
                None if unknown_props => Some(Value::Unknown),
                None => None,
            }
        };
        let store = if touched(&["store"]) {
            Store::Unknown
        } else {
            store
        };
        Session {
            file,
            span: call.span.clone(),
            options: written,
            store,
            secret: unless_written(&["secret"], get("secret")).unwrap_or(if unknown_props {
                Value::Unknown
            } else {
                Value::Nullish
            }),
            resave: unless_written(&["resave"], absent_or_unknown("resave")),
            save_uninitialized: unless_written(
                &["saveUninitialized"],
                absent_or_unknown("saveUninitialized"),
            ),
            proxy: unless_written(&["proxy"], absent_or_unknown("proxy")).unwrap_or(Value::Nullish),
            secure: unless_written(
                &["cookie", "secure"],
                if cookie.is_none() && unknown_props {
                    Some(Value::Unknown)
                } else {
                    cookie_get("secure")
                },
            ),
            http_only: unless_written(&["cookie", "httpOnly"], cookie_get("httpOnly")),
            same_site: unless_written(&["cookie", "sameSite"], cookie_get("sameSite")),
            cookie,
        }
    }

    fn store(&self, m: usize, value: &'a Expr) -> Store {
        let (m, e) = match self.resolve(m, value, 0) {
            Resolved::Expr(i, e) => (i, e),
            _ => return Store::Unknown,
        };
        let Expr::New { callee, args, span } = e else {
            return Store::Unknown;
        };
        let class = self.resolve(m, callee, 0);
        let Resolved::Package(name, path) = class else {
            return Store::Unknown;
        };
        if name != "connect-redis" {
            return Store::Other;
        }
        let legacy = path.first().map(String::as_str) == Some("(session)");
        if !(legacy
            || path.is_empty()
            || path == ["default"]
            || path == ["RedisStore"]
            || path == ["default", "RedisStore"])
        {
            return Store::Unknown;
        }
        let options = args.first().and_then(|a| self.object(m, a));
        let get = |key: &str| self.prop_value(options, key);
        let prefix = get("prefix")
            .and_then(|v| v.text())
            .unwrap_or_else(|| "sess:".to_string());
        let client_expr = options.and_then(|(i, o)| o.prop("client").map(|p| (i, &p.value)));
        let client = match client_expr {
            Some((i, c)) => self.client(i, c),
            // connect-redis 3 and older made a client of their own from these options.
            None if legacy
                && options.is_some_and(|(_, o)| {
                    ["host", "port", "url", "socket", "pass"]
                        .iter()
                        .any(|k| o.prop(k).is_some())
                }) =>
            {
                options.map(|(i, o)| self.legacy_store_client(i, o, span))
            }
            None => None,
        };
        Store::Redis(Box::new(RedisStore {
            at: self.located(m, span.clone()),
            prefix,
            disable_ttl: get("disableTTL").unwrap_or(Value::Nullish),
            ttl: get("ttl").unwrap_or(Value::Nullish),
            client,
            options: options.map(|(i, o)| WrittenObject {
                file: self.module(i).file,
                expr: o.clone(),
            }),
        }))
    }

    fn legacy_store_client(&self, m: usize, o: &'a Expr, span: &Range<usize>) -> NodeClient {
        let mut client = self.empty_client(Library::LegacyStore, m, span.clone());
        let get = |key: &str| self.prop_value(Some((m, o)), key);
        if let Some(url) = get("url") {
            self.apply_url(&mut client, &url, false);
            client.url = Some(url);
        }
        if let Some(socket) = get("socket").and_then(|v| v.text()) {
            client.address = Address::Unix(socket);
        } else {
            let host = get("host");
            let port = get("port");
            self.apply_host_port(&mut client, host, port);
        }
        if let Some(pass) = get("pass") {
            client.password = pass;
        }
        if let Some(db) = get("db").and_then(|v| v.text()) {
            client.database = Some(db);
        }
        client
    }

    fn empty_client(&self, library: Library, m: usize, span: Range<usize>) -> NodeClient {
        NodeClient {
            library,
            at: self.located(m, span),
            cluster: false,
            sentinel: false,
            address: Address::Tcp {
                host: "localhost".into(),
                port: 6379,
            },
            address_at: None,
            tls: None,
            password: Value::Nullish,
            username: None,
            database: Some("0".into()),
            url: None,
            ignored: Vec::new(),
            error_listener: false,
            bound_to: None,
            url_cut: false,
        }
    }

    /// The client an expression makes: `new Redis(...)`, `createClient(...)`, through bindings
    /// and imports; `.duplicate()` of one is the same connection settings.
    fn client(&self, m: usize, value: &'a Expr) -> Option<NodeClient> {
        let bound_to = match value {
            Expr::Ident { name, .. } => Some(name.clone()),
            _ => None,
        };
        let (m2, e) = match self.resolve(m, value, 0) {
            Resolved::Expr(i, e) => (i, e),
            _ => return None,
        };
        let (callee, args, span, is_new) = match e {
            Expr::New { callee, args, span } => (callee, args, span, true),
            Expr::Call { callee, args, span } => (callee, args, span, false),
            _ => return None,
        };
        if let Expr::Member {
            object, property, ..
        } = callee.as_ref()
        {
            if property == "duplicate" {
                return self.client(m2, object);
            }
            // `createClient(...).on('error', ...)` (an emitter returns itself) and
            // `await createClient(...).connect()` (node-redis 4.6+ resolves to the client).
            let listener = matches!(
                property.as_str(),
                "on" | "once" | "addListener" | "prependListener"
            );
            if listener || property == "connect" {
                let mut client = self.client(m2, object)?;
                if listener
                    && matches!(args.first(), Some(Expr::Str { value, .. }) if value == "error")
                {
                    client.error_listener = true;
                }
                return Some(client);
            }
        }
        let Resolved::Package(name, path) = self.resolve(m2, callee, 0) else {
            return None;
        };
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        let mut client = match (name.as_str(), path.as_slice(), is_new) {
            ("ioredis", [] | ["default"] | ["Redis"] | ["default", "Redis"], _) => {
                self.ioredis(m2, args, span.clone(), false)
            }
            ("ioredis", ["Cluster"] | ["default", "Cluster"] | ["Redis", "Cluster"], _) => {
                self.ioredis(m2, args, span.clone(), true)
            }
            ("redis" | "@redis/client", ["createClient"] | ["default", "createClient"], _) => {
                let major = if name == "@redis/client" {
                    Some(4)
                } else {
                    self.app.versions.redis
                };
                self.node_redis(m2, args, span.clone(), major)
            }
            ("redis" | "@redis/client", ["createCluster"] | ["default", "createCluster"], _) => {
                let mut c = self.empty_client(
                    Library::NodeRedis(self.app.versions.redis),
                    m2,
                    span.clone(),
                );
                c.cluster = true;
                c.address = Address::RunTime;
                c
            }
            _ => return None,
        };
        // The name it is made under (`const client = createClient()`), else the name the
        // store is given; the listener is looked for under either, in every module.
        let names: Vec<String> = self
            .binding_name_of(m2, e)
            .into_iter()
            .chain(bound_to)
            .collect();
        client.error_listener = self.app.modules.iter().any(|md| {
            md.js.error_listeners.iter().any(|l| {
                names
                    .iter()
                    .any(|n| l == n || l.ends_with(&format!(".{n}")))
            })
        });
        client.bound_to = names.into_iter().next();
        Some(client)
    }

    /// The name a client expression is bound to in its module (`const client = createClient()`
    /// exported and imported elsewhere under another name).
    fn binding_name_of(&self, m: usize, e: &Expr) -> Option<String> {
        self.module(m)
            .js
            .bindings
            .iter()
            .find(|b| std::ptr::eq(&b.value, e) || b.value.span() == e.span())
            .map(|b| b.name.clone())
    }

    fn apply_host_port(&self, client: &mut NodeClient, host: Option<Value>, port: Option<Value>) {
        let (h, p) = match &client.address {
            Address::Tcp { host, port } => (host.clone(), *port),
            _ => ("localhost".to_string(), 6379),
        };
        let host_text = match &host {
            None | Some(Value::Nullish) => Some(h),
            Some(v) => v.text(),
        };
        let port_number = match &port {
            None | Some(Value::Nullish) => Some(p),
            Some(v) => v.text().and_then(|t| t.parse::<u16>().ok()),
        };
        if let Some(at) = host.as_ref().and_then(|v| v.at()) {
            client.address_at = Some(at.clone());
        }
        client.address = match (host_text, port_number) {
            (Some(host), Some(port)) if !host.is_empty() => Address::Tcp { host, port },
            _ => Address::RunTime,
        };
    }

    /// Apply a connection URL: `redis[s]://[user[:pass]@]host[:port][/db]`, or a socket path.
    /// `reads_query`: ioredis reads `?password=` and `?db=`; node-redis does not.
    fn apply_url(&self, client: &mut NodeClient, url: &Value, reads_query: bool) {
        let Some(text) = url.text() else {
            client.address = Address::RunTime;
            client.password = Value::Unknown;
            client.database = None;
            return;
        };
        client.address_at = url.at().cloned();
        let Some(parsed) = parse_redis_url(&text) else {
            if text.starts_with('/') {
                client.address = Address::Unix(text);
            } else {
                client.address = Address::RunTime;
            }
            return;
        };
        if parsed.tls {
            client.tls = Some(true);
        }
        // ioredis 5 splits the URL with Node's legacy `url.parse`: an unencoded `#`, `/` or `?`
        // in the password ends the host part there, so it connects to what comes before (the
        // user name as a host, or localhost:6379) with no password at all (checked with
        // ioredis 5.9.2). ioredis 6 (WHATWG URL) and node-redis throw "Invalid URL" instead
        // (NJ103 says so); an unknown version is taken as the newest.
        let cut = parsed
            .password
            .as_deref()
            .is_some_and(|p| p.contains(['#', '/', '?']));
        let legacy_parser = self.app.versions.ioredis.is_some_and(|m| m < 6);
        if cut && client.library == Library::Ioredis && legacy_parser {
            client.url_cut = true;
            let rest = text.split_once("://").map_or("", |(_, r)| r);
            let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
            let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            let (host, port) = match host_port.rsplit_once(':') {
                Some((h, p)) => (h, p.parse::<u16>().ok()),
                None => (host_port, None),
            };
            client.address = Address::Tcp {
                host: if host.is_empty() {
                    "localhost".into()
                } else {
                    host.to_ascii_lowercase()
                },
                port: port.unwrap_or(6379),
            };
            client.password = Value::Nullish;
            client.username = None;
            client.database = Some("0".into());
            return;
        }
        client.address = match parsed.port {
            Some(Ok(_)) | None if !parsed.host.is_empty() => Address::Tcp {
                host: parsed.host.clone(),
                port: parsed.port.and_then(Result::ok).unwrap_or(6379),
            },
            _ => Address::RunTime,
        };
        if let Some(password) = &parsed.password {
            client.password = match url {
                Value::Str {
                    at,
                    literal,
                    fallback_of,
                    from_env_file,
                    ..
                } => Value::Str {
                    text: percent_decode(password),
                    at: match (literal, *from_env_file) {
                        (true, _) => Located {
                            file: at.file,
                            span: at.span.start + 1 + parsed.password_span.start
                                ..at.span.start + 1 + parsed.password_span.end,
                        },
                        (false, true) => Located {
                            file: at.file,
                            span: at.span.clone(),
                        },
                        _ => at.clone(),
                    },
                    literal: *literal && !password.contains('%'),
                    fallback_of: fallback_of.clone(),
                    from_env_file: *from_env_file,
                },
                _ => Value::Unknown,
            };
        }
        if let Some(user) = &parsed.username {
            if !user.is_empty() {
                client.username = Some(percent_decode(user));
            }
        }
        if let Some(db) = &parsed.database {
            client.database = Some(db.clone());
        }
        if reads_query {
            // ioredis fills from the query only what the user info and the path left unset.
            for (k, v) in &parsed.query {
                match k.as_str() {
                    "password" if parsed.password.is_none() => {
                        if let Some(at) = url.at() {
                            client.password = Value::Str {
                                text: v.clone(),
                                at: at.clone(),
                                literal: false,
                                fallback_of: url.fallback_of().map(str::to_string),
                                from_env_file: false,
                            };
                        }
                    }
                    "db" if parsed.database.is_none() => client.database = Some(v.clone()),
                    _ => {}
                }
            }
        } else if let Some(at) = url.at() {
            for (k, _) in &parsed.query {
                if k == "password" || k == "db" {
                    client.ignored.push(IgnoredOption {
                        name: format!("?{k}="),
                        at: at.clone(),
                        why: format!(
                            "node-redis does not read `?{k}=` in a URL (only the user info and the path)"
                        ),
                    });
                }
            }
        }
    }

    fn ioredis(&self, m: usize, args: &'a [Expr], span: Range<usize>, cluster: bool) -> NodeClient {
        let mut client = self.empty_client(Library::Ioredis, m, span);
        client.cluster = cluster;
        if cluster {
            // `new Redis.Cluster([nodes], {redisOptions})`: a seed list, not one instance.
            client.address = Address::RunTime;
            if let Some((i, o)) = args.get(1).and_then(|a| self.object(m, a)) {
                if let Some((j, r)) = o
                    .prop("redisOptions")
                    .and_then(|p| self.object(i, &p.value))
                {
                    if let Some(p) = self.prop_value(Some((j, r)), "password") {
                        client.password = p;
                    }
                    if let Some(t) = r.prop("tls") {
                        client.tls = Some(!matches!(
                            self.scalar(j, &t.value, 0),
                            Value::Bool { value: false, .. } | Value::Nullish
                        ));
                    }
                }
            }
            return client;
        }
        // ioredis reads its arguments in order; for options, the first given wins (lodash
        // `defaults`), a number is the port.
        let mut host: Option<Value> = None;
        let mut port: Option<Value> = None;
        let mut url: Option<Value> = None;
        let mut options: Option<(usize, &'a Expr)> = None;
        for a in args {
            match self.resolve(m, a, 0) {
                Resolved::Expr(i, o @ Expr::Object { .. }) => {
                    options.get_or_insert((i, o));
                }
                _ => match self.scalar(m, a, 0) {
                    v @ Value::Num { .. } => port = Some(v),
                    v @ Value::Str { .. } => {
                        let text = v.text().unwrap_or_default();
                        if text.bytes().all(|b| b.is_ascii_digit()) && !text.is_empty() {
                            port = Some(v);
                        } else if port.is_some() && url.is_none() && host.is_none() {
                            host = Some(v);
                        } else {
                            url.get_or_insert(v);
                        }
                    }
                    Value::Nullish => {}
                    _ => {
                        client.address = Address::RunTime;
                        client.password = Value::Unknown;
                        client.database = None;
                        url = Some(Value::Unknown);
                    }
                },
            }
        }
        if let Some(u) = &url {
            if u.is_known() {
                self.apply_url(&mut client, u, true);
                client.url = Some(u.clone());
            }
        }
        let get = |key: &str| self.prop_value(options, key);
        if let Some((_, o)) = options {
            if o.prop("sentinels").is_some() {
                client.sentinel = true;
                client.address = Address::RunTime;
            }
            for key in ["socket", "database"] {
                if let Some(p) = o.prop(key) {
                    client.ignored.push(IgnoredOption {
                        name: key.into(),
                        at: self.located(options.map_or(m, |x| x.0), p.span.clone()),
                        why: match key {
                            "socket" => "ioredis does not read `socket: {...}` (that is node-redis): it reads `host`, `port` and `tls` at the top level".into(),
                            _ => "ioredis does not read `database` (that is node-redis): it reads `db`".into(),
                        },
                    });
                }
            }
        }
        // Options fill only what the URL and positional arguments left unset.
        let url_set = url.as_ref().is_some_and(|u| u.is_known());
        if !client.sentinel && matches!(client.address, Address::Tcp { .. }) {
            if let Some(path) = get("path").and_then(|v| v.text()).filter(|_| !url_set) {
                client.address = Address::Unix(path);
            } else {
                let h = host.or_else(|| if url_set { None } else { get("host") });
                let p = port.or_else(|| if url_set { None } else { get("port") });
                if h.is_some() || p.is_some() {
                    self.apply_host_port(&mut client, h, p);
                }
            }
        }
        if !url_set || matches!(client.password, Value::Nullish) {
            if let Some(p) = get("password") {
                client.password = p;
            }
        }
        if client.username.is_none() {
            client.username = get("username").and_then(|v| v.text());
        }
        if !url_set || client.database.as_deref() == Some("0") {
            if let Some(db) = get("db") {
                client.database = db.text();
            }
        }
        if let Some((i, o)) = options {
            if let Some(t) = o.prop("tls") {
                let v = self.scalar(i, &t.value, 0);
                client.tls = match v {
                    Value::Bool { value: false, .. } | Value::Nullish => client.tls,
                    Value::Env(_) | Value::Unknown if !matches!(t.value, Expr::Object { .. }) => {
                        client.tls.or(None)
                    }
                    _ => Some(true),
                };
            }
        }
        client
    }

    fn node_redis(
        &self,
        m: usize,
        args: &'a [Expr],
        span: Range<usize>,
        major: Option<u32>,
    ) -> NodeClient {
        let mut client = self.empty_client(Library::NodeRedis(major), m, span);
        let library = client.library;
        if !library.reads_socket_options() {
            // node-redis 2/3: createClient(port, host, options) or createClient(url, options).
            let mut port = None;
            let mut host = None;
            let mut options = None;
            for a in args {
                match self.resolve(m, a, 0) {
                    Resolved::Expr(i, o @ Expr::Object { .. }) => options = Some((i, o)),
                    _ => match self.scalar(m, a, 0) {
                        v @ Value::Num { .. } => port = Some(v),
                        v @ Value::Str { .. } if v.text().is_some_and(|t| t.contains("://")) => {
                            self.apply_url(&mut client, &v, true);
                            client.url = Some(v);
                        }
                        v @ Value::Str { .. } => host = Some(v),
                        _ => client.address = Address::RunTime,
                    },
                }
            }
            let get = |key: &str| self.prop_value(options, key);
            let host = host.or_else(|| get("host"));
            let port = port.or_else(|| get("port"));
            if host.is_some() || port.is_some() {
                self.apply_host_port(&mut client, host, port);
            }
            if let Some(url) = get("url") {
                self.apply_url(&mut client, &url, true);
                client.url = Some(url);
            }
            if let Some(p) = get("password").or_else(|| get("auth_pass")) {
                client.password = p;
            }
            if let Some(db) = get("db") {
                client.database = db.text();
            }
            return client;
        }
        let options = args.first().and_then(|a| self.object(m, a));
        let Some((i, o)) = options else {
            if !args.is_empty() {
                client.address = Address::RunTime;
                client.password = Value::Unknown;
                client.database = None;
            }
            return client;
        };
        let get = |key: &str| self.prop_value(Some((i, o)), key);
        for key in ["host", "port", "db"] {
            if let Some(p) = o.prop(key) {
                client.ignored.push(IgnoredOption {
                    name: key.into(),
                    at: self.located(i, p.span.clone()),
                    why: format!(
                        "node-redis {}does not read a top-level `{key}` (it reads {})",
                        major.map_or(String::new(), |m| format!("{m} ")),
                        if key == "db" {
                            "`database`"
                        } else {
                            "`socket.host` and `socket.port`"
                        }
                    ),
                });
            }
        }
        let socket = o.prop("socket").and_then(|p| self.object(i, &p.value));
        if o.prop("socket").is_some() && socket.is_none() {
            client.address = Address::RunTime;
        }
        if let Some(s) = socket {
            let sget = |key: &str| self.prop_value(Some(s), key);
            if let Some(path) = sget("path") {
                client.address = match path.text() {
                    Some(p) => Address::Unix(p),
                    None => Address::RunTime,
                };
                client.address_at = path.at().cloned();
            } else {
                let (h, p) = (sget("host"), sget("port"));
                if h.is_some() || p.is_some() {
                    self.apply_host_port(&mut client, h, p);
                }
            }
            if let Some(t) = s.1.prop("tls") {
                client.tls = Some(!matches!(
                    self.scalar(s.0, &t.value, 0),
                    Value::Bool { value: false, .. } | Value::Nullish
                ));
            }
        }
        if let Some(p) = get("password") {
            client.password = p;
        }
        client.username = get("username").and_then(|v| v.text());
        if let Some(db) = get("database") {
            client.database = db.text();
        }
        // The URL's parts override the options (node-redis assigns them over the options).
        if let Some(url) = get("url") {
            self.apply_url(&mut client, &url, false);
            client.url = Some(url);
        }
        client
    }
}

/// The parts of a Redis URL, as the WHATWG URL parser (node-redis, ioredis) splits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisUrl {
    pub tls: bool,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The password's bytes within the URL text.
    pub password_span: Range<usize>,
    pub host: String,
    pub port: Option<Result<u16, String>>,
    pub database: Option<String>,
    pub query: Vec<(String, String)>,
}

/// Split a `redis://` or `rediss://` URL. The user info runs to the last `@` (where a password
/// with unencoded `#`, `/` or `?` would break the real parser: NJ103 says so).
pub fn parse_redis_url(text: &str) -> Option<RedisUrl> {
    let (scheme, rest) = text.split_once("://")?;
    let tls = match scheme.to_ascii_lowercase().as_str() {
        "redis" => false,
        "rediss" => true,
        _ => return None,
    };
    let base = scheme.len() + 3;
    let (userinfo, after) = match rest.rfind('@') {
        Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
        None => (None, rest),
    };
    let (mut username, mut password, mut password_span) = (None, None, 0..0);
    if let Some(info) = userinfo {
        match info.find(':') {
            Some(c) => {
                username = Some(info[..c].to_string());
                password = Some(info[c + 1..].to_string());
                password_span = base + c + 1..base + info.len();
            }
            None => username = Some(info.to_string()),
        }
    }
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let authority = &after[..end];
    let tail = &after[end..];
    let (host, port) = if let Some(stripped) = authority.strip_prefix('[') {
        let close = stripped.find(']')?;
        let port = stripped[close + 1..].strip_prefix(':');
        (stripped[..close].to_string(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (authority.to_string(), None),
        }
    };
    let port = port
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<u16>().map_err(|_| p.to_string()));
    let (path, query) = match tail.split_once('?') {
        Some((p, q)) => (p, q.split('#').next().unwrap_or("")),
        None => (tail.split('#').next().unwrap_or(""), ""),
    };
    let database = path
        .strip_prefix('/')
        .filter(|d| !d.is_empty())
        .map(str::to_string);
    let query = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_string(), percent_decode(v)))
        .collect();
    Some(RedisUrl {
        tls,
        username,
        password,
        password_span,
        host: host.to_ascii_lowercase(),
        port,
        database,
        query,
    })
}

pub use crate::syntax::url::percent_decode;

/// The characters of a URL password that break the URL (NJ103): `#`, `/`, `?`, and a `%` not
/// followed by two hex digits.
pub fn breaking_characters(password: &str) -> Vec<char> {
    super::save_path::unencoded_characters(password, &['#', '/', '?'])
}

/// Percent-encode what breaks a URL password, keeping what is already encoded (`%41` stays).
pub fn encode_password(password: &str) -> String {
    let bytes = password.as_bytes();
    let mut out = String::new();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'#' | b'/' | b'?' | b'@' | b':' => out.push_str(&format!("%{b:02X}")),
            b'%' if bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) =>
            {
                out.push('%')
            }
            b'%' => out.push_str("%25"),
            _ => out.push(b as char),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_like_the_url_parser() {
        let u = parse_redis_url("rediss://user:p@ss@cache.example.com:6380/2?password=x").unwrap();
        assert!(u.tls);
        assert_eq!(u.username.as_deref(), Some("user"));
        assert_eq!(u.password.as_deref(), Some("p@ss"));
        assert_eq!(u.host, "cache.example.com");
        assert_eq!(u.port, Some(Ok(6380)));
        assert_eq!(u.database.as_deref(), Some("2"));
        assert_eq!(u.query, vec![("password".to_string(), "x".to_string())]);
        assert_eq!(&"rediss://user:p@ss@cache"[u.password_span.clone()], "p@ss");
        assert!(parse_redis_url("http://x").is_none());
    }

    #[test]
    fn breaking_characters_and_encoding() {
        assert_eq!(breaking_characters("a#b/c?d"), vec!['#', '/', '?']);
        assert_eq!(breaking_characters("a%zz"), vec!['%']);
        assert_eq!(breaking_characters("a%"), vec!['%']);
        assert!(breaking_characters("a%41@+=").is_empty());
        assert_eq!(encode_password("a#b%41%"), "a%23b%41%25");
        assert_eq!(percent_decode("a%23b"), "a#b");
    }

    #[test]
    fn locked_versions_win() {
        let v = locked_versions(
            br#"{"lockfileVersion":3,"packages":{"":{},"node_modules/redis":{"version":"3.1.2"},"node_modules/connect-redis":{"version":"6.1.3"}}}"#,
        );
        assert_eq!(v.redis, Some(3));
        assert_eq!(v.connect_redis, Some(6));
        let v1 = locked_versions(
            br#"{"lockfileVersion":1,"dependencies":{"ioredis":{"version":"4.28.5"}}}"#,
        );
        assert_eq!(v1.ioredis, Some(4));
    }

    #[test]
    fn package_versions() {
        let v = versions(br#"{"dependencies":{"express-session":"^1.17.3","connect-redis":"~7.1.0","redis":">=4"}}"#);
        assert_eq!(v.express_session, Some(1));
        assert_eq!(v.connect_redis, Some(7));
        assert_eq!(v.redis, Some(4));
        assert_eq!(v.ioredis, None);
    }
}
