//! Finding the config files under the given paths. Names decide first; only a `*.conf` whose
//! name says nothing is sniffed, and only in its first few KB. A file named on the command line
//! is audited whatever its name. Folders behind symbolic links are never entered, so a link loop
//! cannot hang the walk.

use crate::confine::Tree;
use crate::model::directives::tables;
use crate::source::{display_path, ReadError, Sources};
use crate::syntax::document::Document;
use crate::syntax::redis::{parse_line, RedisLine};
use glob::{MatchOptions, Pattern};
use std::fmt;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

pub mod deploy;
pub mod node;

/// A config file named on the command line or found by discovery, with its kind.
#[derive(Debug, Clone, Copy)]
pub struct Root {
    pub file: crate::source::FileId,
    pub kind: FileKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Redis,
    Sentinel,
    PhpIni,
    /// `.env` or `.env.*` of a Laravel application.
    LaravelEnv,
    /// `config/database.php`, `config/session.php` or `config/cache.php` of a Laravel application.
    LaravelConfig,
    /// A Django settings module.
    DjangoSettings,
    /// A Redis ACL file (`user` lines only), read with the ACL grammar alone.
    Acl,
    /// `docker-compose*.y{a,}ml`, `compose*.y{a,}ml`.
    Compose,
    /// A YAML file whose documents have `apiVersion` and `kind`.
    Kubernetes,
    /// A Python module of a Flask app that uses Flask-Session (`SESSION_TYPE`, `SESSION_REDIS`,
    /// `flask_session`): the config modules it loads are read with it.
    Flask,
    /// The `package.json` of an Express app (it depends on `express-session`).
    NodePackage,
    /// A JavaScript or TypeScript module of an Express app that mentions `express-session`.
    NodeModule,
}

impl FileKind {
    pub const ALL: [FileKind; 12] = [
        FileKind::Redis,
        FileKind::Sentinel,
        FileKind::Acl,
        FileKind::PhpIni,
        FileKind::LaravelEnv,
        FileKind::LaravelConfig,
        FileKind::DjangoSettings,
        FileKind::Compose,
        FileKind::Kubernetes,
        FileKind::Flask,
        FileKind::NodeModule,
        FileKind::NodePackage,
    ];

    pub fn parse(text: &str) -> Option<FileKind> {
        match text {
            "redis" => Some(FileKind::Redis),
            "sentinel" => Some(FileKind::Sentinel),
            "php-ini" => Some(FileKind::PhpIni),
            "laravel-env" => Some(FileKind::LaravelEnv),
            "laravel-config" => Some(FileKind::LaravelConfig),
            "django-settings" => Some(FileKind::DjangoSettings),
            "acl" => Some(FileKind::Acl),
            "compose" => Some(FileKind::Compose),
            "kubernetes" => Some(FileKind::Kubernetes),
            "flask" => Some(FileKind::Flask),
            "node" => Some(FileKind::NodeModule),
            "node-package" => Some(FileKind::NodePackage),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Redis => "redis",
            FileKind::Sentinel => "sentinel",
            FileKind::PhpIni => "php-ini",
            FileKind::LaravelEnv => "laravel-env",
            FileKind::LaravelConfig => "laravel-config",
            FileKind::DjangoSettings => "django-settings",
            FileKind::Acl => "acl",
            FileKind::Compose => "compose",
            FileKind::Kubernetes => "kubernetes",
            FileKind::Flask => "flask",
            FileKind::NodeModule => "node",
            FileKind::NodePackage => "node-package",
        }
    }
}

pub const SKIPPED_DIRS: [&str; 8] = [
    ".git",
    "node_modules",
    "vendor",
    "target",
    ".venv",
    "venv",
    "__pycache__",
    ".hg",
];
/// How much of an unknown `*.conf` is looked at to decide whether it is a Redis config.
const SNIFF_BYTES: usize = 8 * 1024;

#[derive(Debug, Clone, Default)]
pub struct DiscoveryOptions {
    pub exclude: Vec<Pattern>,
    /// `--type KIND=GLOB`: files matching GLOB are read as KIND, whatever their name.
    pub types: Vec<(FileKind, Pattern)>,
    /// `--no-ignore`: walk past what `IGNORE_FILES` exclude.
    pub no_ignore: bool,
}

/// A file that could not be read; the rest of the tree is still audited.
#[derive(Debug, Clone)]
pub struct FileError {
    pub path: String,
    pub error: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.error)
    }
}

#[derive(Debug, Default)]
pub struct Discovered {
    pub roots: Vec<Root>,
    pub errors: Vec<FileError>,
    /// Files named like Redis configs whose content is something else (a stunnel config, Zabbix
    /// agent parameters, an upstart job): passed over, shown as paths.
    pub passed_over: Vec<String>,
    /// Folders not walked because they hold `OUTPUT_MARKER` (patched copies of a `fix`).
    pub skipped_output_dirs: Vec<String>,
    /// What ignore files kept out of the walk: files whose name could be a config, and folders
    /// (not entered, so what they hold is unknown). Shown paths.
    pub ignored: Vec<String>,
    /// Ignore files that were not honoured (outside the tree, not a regular file, too large),
    /// with why.
    pub unread_ignore_files: Vec<FileError>,
}

fn match_options() -> MatchOptions {
    MatchOptions {
        case_sensitive: true,
        require_literal_separator: false,
        require_literal_leading_dot: false,
    }
}

/// A Laravel application folder: it has `artisan` or `config/session.php`.
pub fn is_laravel_app(dir: &Path) -> bool {
    // Not through a link: a planted `artisan` link would learn (and act on) whether a file
    // outside the tree exists.
    let regular = |p: PathBuf| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file());
    regular(dir.join("artisan")) || regular(dir.join("config/session.php"))
}

/// The Laravel kind of a file, when it is one of an application's files.
pub fn laravel_kind(path: &Path, tree: &Tree) -> Option<FileKind> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let parent = path.parent()?;
    if name == ".env" || name.starts_with(".env.") {
        return is_laravel_app(parent).then_some(FileKind::LaravelEnv);
    }
    if laravel_config_name(path) {
        return app_of_config(path, tree).map(|_| FileKind::LaravelConfig);
    }
    None
}

/// The Laravel application a `database.php`, `session.php` or `cache.php` configures: the
/// nearest folder above it (up to four levels) that is an application whose config folder
/// (`laravel_config_dir`) holds the file.
pub fn app_of_config(path: &Path, tree: &Tree) -> Option<PathBuf> {
    let folder = path.parent()?;
    folder
        .ancestors()
        .skip(1)
        .take(4)
        // Never above the audited tree: what lies there is not read.
        .take_while(|app| tree.contains(app))
        .find(|app| {
            is_laravel_app(app)
                && crate::source::normalize(&laravel_config_dir(app, tree))
                    == crate::source::normalize(folder)
        })
        .map(Path::to_path_buf)
}

/// Where an application keeps its config files: `config/`, unless `bootstrap/app.php` calls
/// `useConfigPath(...)` or the app's own `Application` class overrides `configPath()` (BookStack
/// keeps them in `app/Config`). Only a path spelled with literals under the base path is taken;
/// anything else leaves the default.
pub fn laravel_config_dir(app: &Path, tree: &Tree) -> PathBuf {
    let default = app.join("config");
    if let Some(bootstrap) = crate::source::read_inside(tree, app, &app.join("bootstrap/app.php")) {
        let text = String::from_utf8_lossy(&bootstrap);
        if let Some(at) = text.find("useConfigPath(") {
            let argument = &text[at + "useConfigPath(".len()..];
            let argument = &argument[..argument.find(';').unwrap_or(argument.len())];
            if let Some(dir) = literal_path_under(app, argument, &["base_path(", "__DIR__"]) {
                return dir;
            }
        }
    }
    // The app's own Application class: `app/Application.php` or one folder down.
    let mut candidates = vec![app.join("app/Application.php")];
    // Listed only when it is a real folder: a link could point out of the tree.
    let app_folder = app.join("app");
    let listable = std::fs::symlink_metadata(&app_folder).is_ok_and(|m| m.is_dir());
    if let Some(entries) = listable
        .then(|| std::fs::read_dir(&app_folder).ok())
        .flatten()
    {
        for entry in entries.flatten().take(200) {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                candidates.push(entry.path().join("Application.php"));
            }
        }
    }
    candidates.sort();
    for candidate in candidates {
        let Some(bytes) = crate::source::read_inside(tree, app, &candidate) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let Some(at) = text.find("function configPath(") else {
            continue;
        };
        let body = &text[at..];
        let Some(ret) = body.find("return") else {
            continue;
        };
        let expression = &body[ret + "return".len()..];
        let expression = &expression[..expression.find(';').unwrap_or(expression.len())];
        // What is appended for the `$path` argument is not part of the folder.
        let expression = &expression[..expression.find("$path").unwrap_or(expression.len())];
        if let Some(dir) = literal_path_under(app, expression, &["basePath", "base_path("]) {
            return dir;
        }
    }
    default
}

/// The folder a PHP path expression names, read from its string literals in order, when it is
/// anchored at the application's base path (`$this->basePath . DIRECTORY_SEPARATOR . 'app' .
/// DIRECTORY_SEPARATOR . 'Config'`, `base_path('settings')`, `__DIR__.'/../settings'` from
/// bootstrap/): None for anything else.
fn literal_path_under(app: &Path, expression: &str, anchors: &[&str]) -> Option<PathBuf> {
    let anchor = anchors.iter().find(|a| expression.contains(*a))?;
    let mut parts: Vec<String> = Vec::new();
    let bytes = expression.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let quote = bytes[i];
        if quote == b'\'' || quote == b'"' {
            let end = expression[i + 1..].find(quote as char)? + i + 1;
            parts.push(expression[i + 1..end].to_string());
            i = end + 1;
        } else {
            i += 1;
        }
    }
    let joined = parts.join("/");
    let relative = joined.trim_matches('/');
    if relative.is_empty() || (relative.contains("..") && *anchor != "__DIR__") {
        return None;
    }
    let base = if *anchor == "__DIR__" {
        app.join("bootstrap")
    } else {
        app.to_path_buf()
    };
    let dir = crate::source::normalize(&base.join(relative));
    // Only a folder inside the application.
    dir.starts_with(crate::source::normalize(app))
        .then_some(dir)
}

/// A Django settings module by name: `settings.py`, `settings/*.py`, `*settings*.py` (the
/// content must still mention `SESSION_` or `CACHES`).
fn django_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let in_settings = path
        .parent()
        .and_then(|p| p.file_name())
        .is_some_and(|n| n == "settings");
    name.ends_with(".py") && (name.contains("settings") || in_settings)
}

fn mentions_django_sessions(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    text.contains("SESSION_") || text.contains("CACHES")
}

/// Whether a file found in a folder can be a config at all, judged by its name alone (no file
/// system access). The walk keeps only these, so the other files of a large tree cost nothing
/// past their listing; `Walker::consider` decides on the rest.
fn may_be_config(path: &Path, options: &DiscoveryOptions) -> bool {
    if !options.types.is_empty() {
        // `--type` can make any file a config.
        return true;
    }
    let Some(name) = path.file_name() else {
        return false;
    };
    // Every file of the tree passes here: compared in place, without building a string.
    let name = name.as_encoded_bytes();
    let ends = |suffix: &[u8]| {
        name.len() >= suffix.len() && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    };
    (name.len() >= 4 && name[..4].eq_ignore_ascii_case(b".env"))
        || ends(b".conf")
        || ends(b".ini")
        || name.windows(7).any(|w| w.eq_ignore_ascii_case(b"php.ini"))
        || (ends(b".php") && laravel_config_name(path))
        || ends(b".py")
        || ends(b".yml")
        || ends(b".yaml")
        || node::may_be_node_file(name)
}

/// How much of a Python module is looked at to decide whether it is a Flask-Session module.
const PYTHON_SNIFF_BYTES: usize = 512 * 1024;

/// A Python module is a Flask module when it names Flask-Session's keys or package, unless it is
/// a Django settings module (`CACHES`, `SESSION_ENGINE`).
fn python_kind(bytes: &[u8], django_named: bool) -> Option<FileKind> {
    let has = |needle: &[u8]| memchr::memmem::find(bytes, needle).is_some();
    let django = has(b"CACHES") || has(b"SESSION_ENGINE") || has(b"django");
    if crate::model::flask::mentions_flask_session(bytes) && !django {
        return Some(FileKind::Flask);
    }
    (django_named && mentions_django_sessions(bytes)).then_some(FileKind::DjangoSettings)
}

/// A Laravel config file's name: `{database,session,cache}.php` (which folder holds an app's
/// config is decided by `app_of_config`).
fn laravel_config_name(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n == "database.php" || n == "session.php" || n == "cache.php")
}

/// Kind implied by the file's name (and, for `.ini` files, its folder's), if any.
pub fn kind_of_path(path: &Path, tree: &Tree) -> Option<FileKind> {
    if let Some(kind) = laravel_kind(path, tree) {
        return Some(kind);
    }
    if django_name(path) {
        return Some(FileKind::DjangoSettings);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name == "php.ini" || name.starts_with("php.ini-") || name.contains("php.ini") {
        return Some(FileKind::PhpIni);
    }
    if name.ends_with(".ini") {
        let folder = path
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let php_folder = folder == "conf.d" || folder == "php.d" || folder.starts_with("php");
        return php_folder.then_some(FileKind::PhpIni);
    }
    if crate::discovery::deploy::compose_name(&name) {
        return Some(FileKind::Compose);
    }
    kind_by_name(&name)
}

/// Whether an `.ini` file sets a `session.*` key (in its first few KB).
fn sets_session_keys(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    String::from_utf8_lossy(head)
        .lines()
        .any(|l| l.trim_start().starts_with("session.") && l.contains('='))
}

/// Kind implied by a config file name alone, if any.
pub fn kind_by_name(name: &str) -> Option<FileKind> {
    let lower = name.to_ascii_lowercase();
    if !lower.ends_with(".conf") {
        return None;
    }
    if lower.contains("sentinel") {
        return Some(FileKind::Sentinel);
    }
    if lower == "redis.conf"
        || lower.starts_with("redis-")
        || lower.starts_with("redis_")
        || lower.ends_with(".redis.conf")
    {
        return Some(FileKind::Redis);
    }
    None
}

/// Whether the lines hold a `sentinel ...` directive, which only Sentinel accepts.
fn has_sentinel_monitor(doc: &Document) -> bool {
    (0..doc.line_count()).any(|i| match parse_line(doc, i) {
        RedisLine::Directive(d) => d.name() == "sentinel" && d.args.len() > 1,
        _ => false,
    })
}

/// How many of a file's lines are directives, and how many of those redis-server knows (with
/// `sentinel` when `sentinel_known`; a known directive with broken quotes counts as known when
/// `unbalanced_by_name`).
fn directive_counts(
    doc: &Document,
    sentinel_known: bool,
    unbalanced_by_name: bool,
) -> (usize, usize) {
    let known_name = |name: &str| {
        tables().directive(name).is_some()
            || ["include", "rename-command", "user", "loadmodule"].contains(&name)
            || (sentinel_known && name == "sentinel")
    };
    let mut known = 0;
    let mut total = 0;
    for i in 0..doc.line_count() {
        match parse_line(doc, i) {
            RedisLine::Directive(d) => {
                total += 1;
                if known_name(&d.name()) {
                    known += 1;
                }
            }
            RedisLine::Unbalanced { span, .. } => {
                total += 1;
                if unbalanced_by_name {
                    let first = doc.bytes()[span]
                        .split(|b| b.is_ascii_whitespace())
                        .next()
                        .unwrap_or_default()
                        .to_ascii_lowercase();
                    if tables()
                        .directive(&String::from_utf8_lossy(&first))
                        .is_some()
                    {
                        known += 1;
                    }
                }
            }
            _ => {}
        }
    }
    (known, total)
}

/// Whether the directives read as redis.conf: at least two, and nine in ten known to redis-server.
fn reads_as_redis(doc: &Document) -> bool {
    let (known, total) = directive_counts(doc, false, false);
    known >= 2 && known * 10 >= total * 9
}

/// Whether the lines are an ACL file: at least one directive, and every directive a `user` line
/// (the only thing redis-server accepts in an ACL file besides comments and blank lines).
fn reads_as_acl(doc: &Document) -> bool {
    let mut users = 0;
    for i in 0..doc.line_count() {
        match parse_line(doc, i) {
            RedisLine::Directive(d) if d.name() == "user" => users += 1,
            RedisLine::Directive(_) | RedisLine::Unbalanced { .. } => return false,
            _ => {}
        }
    }
    users > 0
}

/// Whether a file named like a Redis config is something else: most of its lines are ones
/// redis-server would refuse (a stunnel `[redis]` section, `UserParameter=redis...`, an upstart
/// `start on ...`). A file with no directive at all is an all-defaults redis.conf.
fn reads_as_something_else(doc: &Document) -> bool {
    // A known directive with broken quotes is still a redis.conf line (RD001).
    let (known, total) = directive_counts(doc, true, true);
    total > 0 && known * 2 < total
}

fn sniff(bytes: &[u8]) -> Option<FileKind> {
    let head = Document::parse(bytes[..bytes.len().min(SNIFF_BYTES)].to_vec());
    if has_sentinel_monitor(&head) {
        Some(FileKind::Sentinel)
    } else if reads_as_redis(&head) {
        Some(FileKind::Redis)
    } else {
        None
    }
}

struct Walker<'a> {
    options: &'a DiscoveryOptions,
    sources: &'a mut Sources,
    /// Whether each folder is an Express app (its package.json depends on express-session).
    node_apps: node::NodeApps,
    found: Discovered,
    cwd: Option<PathBuf>,
}

impl Walker<'_> {
    fn forced_kind(&self, path: &Path) -> Option<FileKind> {
        // Formatting the path costs more than the rest of a file's classification.
        if self.options.types.is_empty() {
            return None;
        }
        let shown = display_path(path, self.cwd.as_deref());
        self.options
            .types
            .iter()
            .find(|(_, p)| p.matches_with(&shown, match_options()))
            .map(|(k, _)| *k)
    }

    fn excluded(&self, path: &Path) -> bool {
        if self.options.exclude.is_empty() {
            return false;
        }
        let shown = display_path(path, self.cwd.as_deref());
        self.options
            .exclude
            .iter()
            .any(|p| p.matches_with(&shown, match_options()))
    }

    fn error(&mut self, path: &Path, error: impl fmt::Display) {
        let path = display_path(path, self.cwd.as_deref());
        self.found.errors.push(FileError {
            path,
            error: error.to_string(),
        });
    }

    /// What a walked Python module is, from its first bytes (None: not a module this sniff
    /// decides). Read-only, so the walk sniffs its Python files in parallel before it considers
    /// them in order.
    fn sniff_python(&self, path: &Path) -> Option<PythonSniff> {
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        if !name.ends_with(".py") || self.excluded(path) {
            return None;
        }
        let forced = self.forced_kind(path);
        let by_name = forced.or_else(|| kind_of_path(path, self.sources.confinement()));
        if !(by_name.is_none() || (by_name == Some(FileKind::DjangoSettings) && forced.is_none())) {
            return None;
        }
        let django_named = by_name == Some(FileKind::DjangoSettings);
        // Installed packages (a vendored `site-packages`) are libraries, not an app's modules.
        let installed = path
            .components()
            .any(|c| c.as_os_str() == "site-packages" || c.as_os_str() == "dist-packages");
        if installed && !django_named {
            return Some(PythonSniff::Nothing);
        }
        let mut kind = None;
        let accept = |head: &[u8]| {
            kind = if installed {
                mentions_django_sessions(head).then_some(FileKind::DjangoSettings)
            } else {
                python_kind(head, django_named)
            };
            kind.is_some()
        };
        Some(
            match self.sources.read_if(path, PYTHON_SNIFF_BYTES, accept) {
                Ok(Some(bytes)) => match kind {
                    Some(kind) => PythonSniff::Root(bytes, kind),
                    None => PythonSniff::Nothing,
                },
                // Named like settings, it is reported; any other module out of the tree is not.
                Err(ReadError::OutsideTree) if django_named => PythonSniff::Outside,
                _ => PythonSniff::Nothing,
            },
        )
    }

    fn take_python(&mut self, path: &Path, sniff: PythonSniff) {
        match sniff {
            PythonSniff::Root(bytes, kind) => self.add_root(path, bytes, kind),
            PythonSniff::Outside => self.error(path, ReadError::OutsideTree),
            PythonSniff::Nothing => {}
        }
    }

    /// A file found in a folder: classified by name, or sniffed when it is an unnamed `*.conf`.
    fn consider(&mut self, path: &Path) {
        if self.excluded(path) {
            return;
        }
        if self.forced_kind(path).is_none() {
            if let Some((bytes, kind)) = node::consider(self.sources, &mut self.node_apps, path) {
                self.add_root(path, bytes, kind);
                return;
            }
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let by_name = self
            .forced_kind(path)
            .or_else(|| kind_of_path(path, self.sources.confinement()));
        let forced = self.forced_kind(path).is_some();
        if let Some(sniff) = self.sniff_python(path) {
            self.take_python(path, sniff);
            return;
        }
        if by_name.is_none() && deploy::yaml_name(&name) {
            // A manifest is known by its content: `apiVersion` and `kind` at the top level.
            if let Ok(Some(bytes)) =
                self.sources
                    .read_if(path, SNIFF_BYTES, deploy::reads_as_kubernetes)
            {
                self.add_root(path, bytes, FileKind::Kubernetes);
            }
            return;
        }
        if by_name.is_none() && !name.ends_with(".conf") && !name.ends_with(".ini") {
            return;
        }
        // The real path first: the type of a file that a link points to outside the tree is
        // not learnt (a config-named link to an outside FIFO would otherwise say so).
        let meta = match self.sources.confinement().resolve(path) {
            Ok(real) => std::fs::metadata(real),
            Err(ReadError::OutsideTree) => {
                if by_name.is_some() {
                    self.error(path, ReadError::OutsideTree);
                }
                return;
            }
            Err(_) => std::fs::symlink_metadata(path),
        };
        match meta {
            Ok(meta) if meta.is_dir() => return,
            Ok(meta) if !meta.is_file() => {
                // FIFOs, sockets and devices are never opened; only a config-named one is reported.
                if by_name.is_some() {
                    self.error(path, ReadError::NotRegularFile);
                }
                return;
            }
            Err(e) if by_name.is_none() => {
                let _ = e;
                return;
            }
            _ => {}
        }
        if by_name.is_none() {
            // Unnamed: the first few KB decide, and only a config is read further.
            let ini = name.ends_with(".ini");
            let mut sniffed = None;
            let accept = |head: &[u8]| {
                sniffed = if ini {
                    sets_session_keys(head).then_some(FileKind::PhpIni)
                } else {
                    sniff(head)
                };
                sniffed.is_some()
            };
            // A link out of the tree is not read, and being unnamed it is not reported either.
            if let Ok(Some(bytes)) = self.sources.read_if(path, SNIFF_BYTES, accept) {
                if let Some(kind) = sniffed {
                    self.add_root(path, bytes, kind);
                }
            }
            return;
        }
        let bytes = match self.sources.read(path) {
            Ok(bytes) => bytes,
            Err(e) => {
                self.error(path, e);
                return;
            }
        };
        let kind = match by_name {
            Some(kind @ (FileKind::Redis | FileKind::Sentinel)) if !forced => {
                // A name is a hint; the content decides.
                let head = Document::parse(bytes[..bytes.len().min(SNIFF_BYTES)].to_vec());
                if reads_as_acl(&head) {
                    FileKind::Acl
                } else if reads_as_something_else(&head) {
                    let shown = display_path(path, self.cwd.as_deref());
                    self.found.passed_over.push(shown);
                    return;
                } else if kind == FileKind::Redis && has_sentinel_monitor(&head) {
                    FileKind::Sentinel
                } else {
                    kind
                }
            }
            Some(kind) => kind,
            None => return,
        };
        self.add_root(path, bytes, kind);
    }

    fn add_root(&mut self, path: &Path, bytes: Vec<u8>, kind: FileKind) {
        let file = self.sources.insert(path, bytes);
        let syntax = match kind {
            FileKind::PhpIni => crate::source::Syntax::Ini,
            FileKind::LaravelEnv => crate::source::Syntax::Env,
            FileKind::LaravelConfig => crate::source::Syntax::Php,
            FileKind::DjangoSettings | FileKind::Flask => crate::source::Syntax::Python,
            FileKind::Compose | FileKind::Kubernetes => crate::source::Syntax::Yaml,
            FileKind::NodeModule => crate::source::Syntax::JavaScript,
            FileKind::NodePackage => crate::source::Syntax::Other,
            _ => crate::source::Syntax::Redis,
        };
        self.sources.set_syntax(file, syntax);
        self.found.roots.push(Root { file, kind });
    }

    /// A file named on the command line: always audited; an unreadable one fails the run.
    fn explicit(&mut self, path: &Path) -> Result<(), String> {
        let bytes = self
            .sources
            .read(path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        self.named(path, bytes);
        Ok(())
    }

    /// A file named by the user (on the command line, or `--stdin-filename`): its name decides
    /// its kind, else its first lines; never passed over.
    fn named(&mut self, path: &Path, bytes: Vec<u8>) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let head = Document::parse(bytes[..bytes.len().min(SNIFF_BYTES)].to_vec());
        let kind = self.forced_kind(path).unwrap_or_else(|| {
            match kind_of_path(path, self.sources.confinement()) {
                Some(FileKind::Sentinel) => FileKind::Sentinel,
                Some(FileKind::PhpIni) => FileKind::PhpIni,
                Some(FileKind::DjangoSettings) => {
                    python_kind(&bytes, true).unwrap_or(FileKind::DjangoSettings)
                }
                Some(kind @ (FileKind::LaravelEnv | FileKind::LaravelConfig)) => kind,
                Some(FileKind::Compose) => FileKind::Compose,
                _ if deploy::yaml_name(&name.to_ascii_lowercase()) => {
                    if deploy::reads_as_kubernetes(head.bytes()) {
                        FileKind::Kubernetes
                    } else {
                        FileKind::Compose
                    }
                }
                _ if name.ends_with(".py") => {
                    python_kind(&bytes, true).unwrap_or(FileKind::DjangoSettings)
                }
                _ if name == "package.json" => FileKind::NodePackage,
                _ if node::may_be_node_file(name.as_bytes()) && name != "package.json" => {
                    FileKind::NodeModule
                }
                _ if name.starts_with(".env") => FileKind::LaravelEnv,
                _ if name.to_ascii_lowercase().ends_with(".ini") => FileKind::PhpIni,
                _ if reads_as_acl(&head) => FileKind::Acl,
                _ if has_sentinel_monitor(&head) => FileKind::Sentinel,
                _ => FileKind::Redis,
            }
        });
        self.add_root(path, bytes, kind);
    }

    fn walk(&mut self, dir: &Path) {
        // The folders under `dir` are walked in parallel (listing folders is most of the time on
        // a large tree); what is found is then considered in one thread, in file-name order.
        let tree = self.sources.tree();
        let events = walk_events(dir, self.options, self.cwd.as_deref(), &tree);
        // Python modules are known only by their content, and a tree has thousands: their first
        // bytes are read in parallel (reading them in turn was most of a walk's time).
        let mut sniffed: std::collections::HashMap<&Path, PythonSniff> = {
            use rayon::prelude::*;
            let this = &*self;
            events
                .par_iter()
                .filter_map(|event| match event {
                    WalkEvent::File(path) => {
                        this.sniff_python(path).map(|sniff| (path.as_path(), sniff))
                    }
                    _ => None,
                })
                .collect()
        };
        for event in &events {
            match event {
                WalkEvent::Ignored(path) => {
                    let shown = display_path(path, self.cwd.as_deref());
                    self.found.ignored.push(shown);
                }
                WalkEvent::UnreadIgnoreFile(path, reason) => {
                    let shown = display_path(path, self.cwd.as_deref());
                    self.found.unread_ignore_files.push(FileError {
                        path: shown,
                        error: reason.clone(),
                    });
                }
                WalkEvent::File(path) => match sniffed.remove(path.as_path()) {
                    Some(sniff) => self.take_python(path, sniff),
                    None => self.consider(path),
                },
                WalkEvent::Error(path, reason) => {
                    self.error(path, format!("cannot read folder: {reason}"))
                }
                WalkEvent::SkippedOutput(path) => {
                    let shown = display_path(path, self.cwd.as_deref());
                    self.found.skipped_output_dirs.push(shown);
                }
            }
        }
    }
}

/// What sniffing a walked Python module found.
enum PythonSniff {
    Root(Vec<u8>, FileKind),
    /// A module named like settings whose real path leaves the tree.
    Outside,
    Nothing,
}

enum WalkEvent {
    File(PathBuf),
    Error(PathBuf, String),
    /// A folder holding `OUTPUT_MARKER`, not walked.
    SkippedOutput(PathBuf),
    /// A file that could be a config, or a folder, that an ignore file keeps out of the walk.
    Ignored(PathBuf),
    /// An ignore file not honoured, and why.
    UnreadIgnoreFile(PathBuf, String),
}

/// The ignore files honoured in each folder walked, in rising precedence (a later file's
/// pattern wins over an earlier one's, as in ripgrep). Those of the folders above a PATH are not
/// read: they are outside the audited tree. Neither are `.git/info/exclude` nor the global
/// excludes file of the user running redline.
pub const IGNORE_FILES: [&str; 3] = [".gitignore", ".ignore", ".redlineignore"];

/// Ignore files larger than this are not honoured: no real one comes near it, and each pattern
/// becomes a compiled glob.
const MAX_IGNORE_FILE_SIZE: u64 = 256 * 1024;

/// The patterns of a folder's ignore files (`None` when it has none), read like configs: inside
/// the tree only (a link out of it is not followed), regular files only (a FIFO is never
/// opened), bounded in size. An ignore file that cannot be honoured is reported, and the walk
/// then audits what it would have kept out.
fn folder_ignores(
    dir: &Path,
    tree: &crate::confine::Tree,
    unread: &mut Vec<WalkEvent>,
) -> Option<ignore::gitignore::Gitignore> {
    // Most folders have none: one lstat each, no path resolution, no matcher built.
    let present: Vec<PathBuf> = IGNORE_FILES
        .iter()
        .map(|name| dir.join(name))
        .filter(|path| std::fs::symlink_metadata(path).is_ok())
        .collect();
    if present.is_empty() {
        return None;
    }
    let mut builder = ignore::gitignore::GitignoreBuilder::new(dir);
    let mut any = false;
    for path in present {
        let read = tree.resolve(&path).and_then(|real| {
            let meta = std::fs::metadata(&real).map_err(|e| crate::source::io_error(&e))?;
            if !meta.is_file() {
                return Err(ReadError::NotRegularFile);
            }
            if meta.len() > MAX_IGNORE_FILE_SIZE {
                return Err(ReadError::Other(format!(
                    "{} bytes, over the {MAX_IGNORE_FILE_SIZE}-byte limit of an ignore file",
                    meta.len()
                )));
            }
            crate::source::read_regular_file(&real)
        });
        match read {
            Ok(bytes) if bytes.len() as u64 <= MAX_IGNORE_FILE_SIZE => {
                let text = String::from_utf8_lossy(&bytes);
                let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
                for line in text.lines() {
                    // A pattern git cannot read is skipped, as git skips it.
                    let _ = builder.add_line(Some(path.clone()), line.trim_end_matches('\r'));
                    any = true;
                }
            }
            Ok(_) => unread.push(WalkEvent::UnreadIgnoreFile(
                path,
                format!("over the {MAX_IGNORE_FILE_SIZE}-byte limit of an ignore file"),
            )),
            Err(e) => unread.push(WalkEvent::UnreadIgnoreFile(path, e.to_string())),
        }
    }
    if !any {
        return None;
    }
    builder.build().ok().filter(|g| !g.is_empty())
}

/// Whether the ignore files of the folders above `path` (innermost first) keep it out: the
/// innermost pattern that matches decides (`!pattern` brings a file back).
fn is_ignored(
    matchers: &[std::sync::Arc<ignore::gitignore::Gitignore>],
    path: &Path,
    is_dir: bool,
) -> bool {
    for matcher in matchers.iter().rev() {
        match matcher.matched(path, is_dir) {
            ignore::Match::Ignore(_) => return true,
            ignore::Match::Whitelist(_) => return false,
            ignore::Match::None => {}
        }
    }
    false
}

/// The file `fix --output-dir` writes at the top of its output folder. A walk never enters a
/// folder holding it, so patched copies are not audited again (nor copied into themselves,
/// `fixed/repo/fixed/repo/...`) when the output folder is inside the audited tree. Since a pull
/// request could plant one to hide a folder, every folder skipped for it is named on stderr.
pub const OUTPUT_MARKER: &str = ".redline-output";

/// Whether a folder is an `--output-dir` of redline (holds a regular `OUTPUT_MARKER` file).
pub fn is_output_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path.join(OUTPUT_MARKER)).is_ok_and(|m| m.is_file())
}

/// Whether the walk descends into this folder.
fn walk_into(path: &Path, options: &DiscoveryOptions, cwd: Option<&Path>) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if SKIPPED_DIRS.contains(&name.as_ref()) {
        return false;
    }
    if options.exclude.is_empty() {
        return true;
    }
    let shown = display_path(path, cwd);
    !options
        .exclude
        .iter()
        .any(|p| p.matches_with(&shown, match_options()))
}

/// Every file under `dir` (symlinks not followed) and every folder that could not be read, in
/// file-name order. The subfolders of `dir` are walked in parallel. Unless `--no-ignore`, what
/// the ignore files of the folders walked exclude is left out (and listed as `Ignored`).
fn walk_events(
    dir: &Path,
    options: &DiscoveryOptions,
    cwd: Option<&Path>,
    tree: &crate::confine::Tree,
) -> Vec<WalkEvent> {
    use rayon::prelude::*;
    use std::sync::Arc;
    type Matchers = Vec<Arc<ignore::gitignore::Gitignore>>;
    let honour = !options.no_ignore;
    // `inherited`: the matchers of `root` and the folders above it, outermost first.
    let walk_one =
        |root: &Path, min_depth: usize, max_depth: usize, inherited: &Matchers| -> Vec<WalkEvent> {
            let walker = WalkDir::new(root)
                .follow_links(false)
                .min_depth(min_depth)
                .max_depth(max_depth)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0 || !e.file_type().is_dir() || walk_into(e.path(), options, cwd)
                });
            let mut out = Vec::new();
            // The matchers of the folders being walked under `root`, with their depth.
            let mut nested: Vec<(usize, Arc<ignore::gitignore::Gitignore>)> = Vec::new();
            let mut matchers: Matchers = inherited.clone();
            let mut walker = walker;
            while let Some(entry) = walker.next() {
                if let Ok(e) = &entry {
                    if honour {
                        // Leaving folders: their patterns no longer apply.
                        if nested.last().is_some_and(|(depth, _)| *depth >= e.depth()) {
                            while nested.last().is_some_and(|(depth, _)| *depth >= e.depth()) {
                                nested.pop();
                            }
                            matchers.truncate(inherited.len());
                            matchers.extend(nested.iter().map(|(_, m)| m.clone()));
                        }
                    }
                    let is_dir = e.file_type().is_dir();
                    if e.depth() > 0 && is_dir && is_output_dir(e.path()) {
                        out.push(WalkEvent::SkippedOutput(e.path().to_path_buf()));
                        walker.skip_current_dir();
                        continue;
                    }
                    if honour
                        && e.depth() > 0
                        && (is_dir || may_be_config(e.path(), options))
                        && is_ignored(&matchers, e.path(), is_dir)
                    {
                        out.push(WalkEvent::Ignored(e.path().to_path_buf()));
                        if is_dir {
                            walker.skip_current_dir();
                        }
                        continue;
                    }
                    if honour && is_dir && e.depth() > 0 && e.depth() < max_depth {
                        if let Some(m) = folder_ignores(e.path(), tree, &mut out) {
                            let m = Arc::new(m);
                            nested.push((e.depth(), m.clone()));
                            matchers.push(m);
                        }
                    }
                }
                match entry {
                    Ok(e) if e.file_type().is_dir() => {}
                    Ok(e) if !may_be_config(e.path(), options) => {}
                    Ok(e) => out.push(WalkEvent::File(e.into_path())),
                    Err(e) => {
                        let path = e
                            .path()
                            .map_or_else(|| root.to_path_buf(), Path::to_path_buf);
                        let reason = e
                            .io_error()
                            .map(|io| io.to_string())
                            .unwrap_or_else(|| e.to_string());
                        out.push(WalkEvent::Error(path, reason));
                    }
                }
            }
            out
        };
    let mut events = Vec::new();
    let mut top_matchers: Matchers = Vec::new();
    if honour {
        if let Some(m) = folder_ignores(dir, tree, &mut events) {
            top_matchers.push(Arc::new(m));
        }
    }
    // The top level, in order: its files directly, its folders walked in parallel.
    let mut top: Vec<(PathBuf, bool)> = Vec::new();
    for entry in walk_one(dir, 1, 1, &top_matchers) {
        match entry {
            WalkEvent::File(path) => top.push((path, false)),
            other => events.push(other),
        }
    }
    if let Ok(read) = std::fs::read_dir(dir) {
        for entry in read.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) && walk_into(&entry.path(), options, cwd)
            {
                // Reported by the listing above.
                let ignored = honour && is_ignored(&top_matchers, &entry.path(), true);
                if !ignored && !is_output_dir(&entry.path()) {
                    top.push((entry.path(), true));
                }
            }
        }
    }
    top.sort_by(|a, b| a.0.file_name().cmp(&b.0.file_name()));
    let walked: Vec<Vec<WalkEvent>> = top
        .par_iter()
        .map(|(path, is_dir)| {
            if *is_dir {
                let mut out = Vec::new();
                let mut matchers = top_matchers.clone();
                if honour {
                    if let Some(m) = folder_ignores(path, tree, &mut out) {
                        matchers.push(Arc::new(m));
                    }
                }
                out.extend(walk_one(path, 1, usize::MAX, &matchers));
                out
            } else {
                vec![WalkEvent::File(path.clone())]
            }
        })
        .collect();
    events.extend(walked.into_iter().flatten());
    events
}

/// The files under `dir` whose names can be configs, as discovery lists them before reading any
/// (ignore files honoured unless `options.no_ignore`); for benches/walkers.rs.
pub fn walk_candidates(dir: &Path, options: &DiscoveryOptions) -> Vec<PathBuf> {
    walk_events(dir, options, None, &crate::confine::Tree::unrestricted())
        .into_iter()
        .filter_map(|e| match e {
            WalkEvent::File(path) => Some(path),
            _ => None,
        })
        .collect()
}

/// A file read from standard input (`check -`), audited under `name` (`--stdin-filename`, or
/// `-`): the name decides its kind and environment as a file named on the command line.
pub struct StdinFile {
    pub name: PathBuf,
    pub bytes: Vec<u8>,
}

/// Discover config files under `paths`. A path that does not exist or a named file that cannot
/// be read is an error for the whole run (exit 2); files that fail inside folders are listed.
pub fn discover(
    paths: &[PathBuf],
    options: &DiscoveryOptions,
    sources: &mut Sources,
) -> Result<Discovered, String> {
    discover_with_stdin(paths, None, options, sources)
}

/// `discover`, plus a file read from standard input. It is registered first, so that when its
/// name is also a file found on disk (an editor's unsaved buffer), its bytes are the ones audited.
pub fn discover_with_stdin(
    paths: &[PathBuf],
    stdin: Option<StdinFile>,
    options: &DiscoveryOptions,
    sources: &mut Sources,
) -> Result<Discovered, String> {
    let mut walker = Walker {
        options,
        sources,
        found: Discovered::default(),
        cwd: std::env::current_dir().ok(),
        node_apps: node::NodeApps::default(),
    };
    if let Some(StdinFile { name, bytes }) = stdin {
        walker.named(&name, bytes);
    }
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("{}: no such file or folder", path.display()),
            _ => format!("{}: {e}", path.display()),
        })?;
        if meta.is_dir() {
            walker.walk(path);
        } else {
            walker.explicit(path)?;
        }
    }
    let Walker {
        mut found, sources, ..
    } = walker;
    found
        .roots
        .sort_by(|a, b| sources.display(a.file).cmp(sources.display(b.file)));
    found.roots.dedup_by_key(|r| r.file);
    found.ignored.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(kind_by_name("redis.conf"), Some(FileKind::Redis));
        assert_eq!(kind_by_name("redis-sessions.conf"), Some(FileKind::Redis));
        assert_eq!(kind_by_name("app.redis.conf"), Some(FileKind::Redis));
        assert_eq!(
            kind_by_name("sentinel-26379.conf"),
            Some(FileKind::Sentinel)
        );
        assert_eq!(kind_by_name("nginx.conf"), None);
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff(b"port 6379\nappendonly yes\n"), Some(FileKind::Redis));
        assert_eq!(sniff(b"server {\n listen 80;\n}\n"), None);
        assert_eq!(
            sniff(b"port 26379\nsentinel monitor m 10.0.0.1 6379 2\n"),
            Some(FileKind::Sentinel)
        );
    }
}
