//! A Laravel application as Laravel resolves it: `.env` read by phpdotenv, `config/*.php` read as
//! the PHP subset (or the stock 10.x/11.x files when absent), `env()` with its literal rules, the
//! session connection (`session.connection` or `default`), the redis cache store's connection,
//! and `REDIS_URL` overriding host, port, password and database (`ConfigurationUrlParser`).

use crate::source::{FileId, Sources};
use crate::syntax::dotenv::{self, laravel_env_value, EnvFile, LaravelValue};
use crate::syntax::php_array::{parse_return_array, PhpItem, PhpValue};
use std::ops::Range;
use std::path::PathBuf;

/// Laravel 11's stock config files (the parts redline reads); 10.x differs where noted.
const STOCK_SESSION_11: &str = "<?php return ['driver' => env('SESSION_DRIVER', 'database'), 'connection' => env('SESSION_CONNECTION'), 'store' => env('SESSION_STORE'), 'secure' => env('SESSION_SECURE_COOKIE'), 'http_only' => env('SESSION_HTTP_ONLY', true)];";
const STOCK_SESSION_10: &str = "<?php return ['driver' => env('SESSION_DRIVER', 'file'), 'connection' => env('SESSION_CONNECTION'), 'store' => env('SESSION_STORE'), 'secure' => env('SESSION_SECURE_COOKIE'), 'http_only' => true];";
const STOCK_CACHE_11: &str = "<?php return ['default' => env('CACHE_STORE', 'database'), 'stores' => ['redis' => ['driver' => 'redis', 'connection' => env('REDIS_CACHE_CONNECTION', 'cache')]]];";
const STOCK_CACHE_10: &str = "<?php return ['default' => env('CACHE_DRIVER', 'file'), 'stores' => ['redis' => ['driver' => 'redis', 'connection' => 'cache']]];";
const STOCK_DATABASE: &str = "<?php return ['redis' => [
    'default' => ['url' => env('REDIS_URL'), 'host' => env('REDIS_HOST', '127.0.0.1'), 'username' => env('REDIS_USERNAME'), 'password' => env('REDIS_PASSWORD'), 'port' => env('REDIS_PORT', '6379'), 'database' => env('REDIS_DB', '0')],
    'cache' => ['url' => env('REDIS_URL'), 'host' => env('REDIS_HOST', '127.0.0.1'), 'username' => env('REDIS_USERNAME'), 'password' => env('REDIS_PASSWORD'), 'port' => env('REDIS_PORT', '6379'), 'database' => env('REDIS_CACHE_DB', '1')]]];";

#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// None for the stock defaults.
    pub file: Option<FileId>,
    pub value: PhpValue,
    /// Laravel 11+: the framework's own config file, which `LoadConfiguration` merges under the
    /// app's (`array_merge` at the top level, and one level deeper for `MERGEABLE` keys).
    pub base: Option<PhpValue>,
    /// The keys merged one level deeper (`mergeableOptions`: cache `stores`, database
    /// `connections`).
    pub mergeable: &'static [&'static str],
    /// The ranges of the file that hold secrets: the values of password-like keys, and the
    /// passwords of URLs in any string.
    pub secrets: Vec<Range<usize>>,
}

impl ConfigFile {
    /// The item at `path` as Laravel sees it after the merge, and whether the app's own file
    /// holds it (else it is the framework's).
    pub fn lookup(&self, path: &[&str]) -> Option<(&PhpItem, bool)> {
        if let Some(item) = self.value.get(path) {
            return Some((item, true));
        }
        let base = self.base.as_ref()?;
        // An app file redline could not read is unknown: nothing is taken from the base then.
        if !matches!(self.value, PhpValue::Array(_)) {
            return None;
        }
        let first = *path.first()?;
        let merged = match self.value.get(&[first]) {
            None => true,
            Some(_) if self.mergeable.contains(&first) && path.len() >= 2 => {
                self.value.get(&path[..2]).is_none()
            }
            Some(_) => false,
        };
        if !merged {
            return None;
        }
        base.get(path).map(|item| (item, false))
    }
}

/// Walk the items of a config (with an explicit stack: nesting is bounded by the parser, not
/// by the call stack) and collect their secret ranges.
fn config_secrets(bytes: &[u8], value: &PhpValue) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    // With whether a password-like key holds it: `'password' => ['a', 'b']` is secret whole.
    let mut pending: Vec<(&PhpValue, bool)> = vec![(value, false)];
    while let Some((value, secret)) = pending.pop() {
        let PhpValue::Array(items) = value else {
            continue;
        };
        for item in items {
            let span = item.span.start.min(bytes.len())..item.span.end.min(bytes.len());
            let key_secret = secret
                || item
                    .key
                    .as_deref()
                    .is_some_and(crate::syntax::url::is_secret_key);
            match &item.value {
                PhpValue::Array(_) => pending.push((&item.value, key_secret)),
                _ if key_secret => out.push(span),
                _ => out.extend(crate::syntax::url::secret_ranges(
                    &bytes[span.clone()],
                    span.start,
                )),
            }
        }
    }
    out
}

#[derive(Debug, Clone)]
pub struct EnvSource {
    pub file: FileId,
    pub env: EnvFile,
    /// `.env.example` and other `.env.*`: a template deployments copy, not the running values.
    pub template: bool,
}

#[derive(Debug, Clone)]
pub struct LaravelApp {
    pub root: PathBuf,
    pub envs: Vec<EnvSource>,
    pub database: ConfigFile,
    pub session: ConfigFile,
    pub cache: ConfigFile,
    pub major: u32,
}

/// A resolved value and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub value: Option<LaravelValue>,
    /// The `.env` variable that set it, if one did, and its line.
    pub env_var: Option<(String, Option<(FileId, usize)>)>,
    /// The config item, when a config file (not the stock default) holds it.
    pub config: Option<(FileId, Range<usize>)>,
}

impl Resolved {
    fn unknown() -> Resolved {
        Resolved {
            value: None,
            env_var: None,
            config: None,
        }
    }
    pub fn text(&self) -> Option<String> {
        match &self.value {
            Some(LaravelValue::Str(s)) => Some(s.clone()),
            Some(LaravelValue::Bool(b)) => Some(if *b { "1".into() } else { String::new() }),
            Some(LaravelValue::Null) => Some(String::new()),
            None => None,
        }
    }
}

fn literal(v: &PhpValue) -> Option<LaravelValue> {
    match v {
        PhpValue::Str(s) => Some(LaravelValue::Str(s.clone())),
        PhpValue::Int(i) => Some(LaravelValue::Str(i.to_string())),
        PhpValue::Float(f) => Some(LaravelValue::Str(f.clone())),
        PhpValue::Bool(b) => Some(LaravelValue::Bool(*b)),
        PhpValue::Null => Some(LaravelValue::Null),
        _ => None,
    }
}

/// `env(NAME, default)` against one `.env`: its value through Laravel's literal rules, else the
/// default. A value that reads `${VAR}` from the real environment is unknown.
fn eval(value: &PhpValue, env: &EnvSource) -> Resolved {
    match value {
        PhpValue::Env { name, default } => match env.env.get(name) {
            Some(entry) if entry.value.is_some() => {
                let at = Some((env.file, entry.line));
                if entry.depends_on_environment {
                    return Resolved {
                        value: None,
                        env_var: Some((name.clone(), at)),
                        config: None,
                    };
                }
                let raw = entry.value.clone().unwrap();
                Resolved {
                    value: Some(laravel_env_value(&raw)),
                    env_var: Some((name.clone(), at)),
                    config: None,
                }
            }
            _ => {
                let value = match default {
                    None => Some(LaravelValue::Null),
                    Some(d) => literal(d),
                };
                Resolved {
                    value,
                    env_var: Some((name.clone(), None)),
                    config: None,
                }
            }
        },
        other => Resolved {
            value: literal(other),
            env_var: None,
            config: None,
        },
    }
}

/// A Redis connection as resolved: host, port, database, password (each possibly unknown).
#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    pub name: String,
    pub host: Resolved,
    pub port: Resolved,
    pub database: Resolved,
    pub password: Resolved,
    /// The ACL user (`username`, Laravel's `REDIS_USERNAME`).
    pub username: Resolved,
    /// `REDIS_URL` (or the connection's `url`) was set and overrides the fields it carries.
    pub url: Option<Resolved>,
}

impl Connection {
    /// Host, port and database when all are known.
    pub fn identity(&self) -> Option<(String, String, String)> {
        Some((
            self.host.text()?.to_ascii_lowercase(),
            self.port.text()?,
            self.database.text()?,
        ))
    }
}

impl LaravelApp {
    /// The secret ranges of the application's files, for the stack to mark.
    pub fn secrets(&self) -> Vec<(FileId, Range<usize>)> {
        let envs = self
            .envs
            .iter()
            .flat_map(|e| e.env.secrets.iter().map(|r| (e.file, r.clone())));
        let configs = [&self.database, &self.session, &self.cache]
            .into_iter()
            .filter_map(|c| {
                c.file
                    .map(|f| c.secrets.iter().map(move |r| (f, r.clone())))
            })
            .flatten();
        // The variables the connections read their passwords from, whatever they are named
        // (`'password' => env('CACHE_PW')`).
        let names: Vec<String> = match self.database.value.get(&["redis"]).map(|i| &i.value) {
            Some(PhpValue::Array(items)) => items.iter().filter_map(|i| i.key.clone()).collect(),
            _ => Vec::new(),
        };
        let password_vars = self.envs.iter().flat_map(|env| {
            names
                .iter()
                .filter_map(|name| self.connection(name, env)?.password.env_var)
                .filter_map(|(var, _)| env.env.get(&var))
                .filter(|entry| entry.value.is_some())
                .map(|entry| (env.file, entry.value_span.clone()))
                .collect::<Vec<_>>()
        });
        envs.chain(configs).chain(password_vars).collect()
    }

    pub fn item<'a>(config: &'a ConfigFile, path: &[&str]) -> Option<&'a PhpItem> {
        config.lookup(path).map(|(item, _)| item)
    }

    pub fn resolve(&self, config: &ConfigFile, path: &[&str], env: &EnvSource) -> Resolved {
        match config.lookup(path) {
            None => Resolved {
                value: Some(LaravelValue::Null),
                env_var: None,
                config: None,
            },
            Some((item, own)) => {
                let mut r = eval(&item.value, env);
                if let (Some(file), true) = (config.file, own) {
                    r.config = Some((file, item.span.clone()));
                }
                r
            }
        }
    }

    pub fn session_driver(&self, env: &EnvSource) -> Resolved {
        self.resolve(&self.session, &["driver"], env)
    }

    /// The connection name sessions use (`session.connection`, or `default`).
    pub fn session_connection_name(&self, env: &EnvSource) -> Option<String> {
        match self.resolve(&self.session, &["connection"], env).value {
            Some(LaravelValue::Null) => Some("default".into()),
            Some(LaravelValue::Str(s)) if s.is_empty() => Some("default".into()),
            Some(LaravelValue::Str(s)) => Some(s),
            _ => None,
        }
    }

    pub fn cache_store(&self, env: &EnvSource) -> Option<String> {
        self.resolve(&self.cache, &["default"], env).text()
    }

    pub fn cache_connection_name(&self, env: &EnvSource) -> Option<String> {
        match self
            .resolve(&self.cache, &["stores", "redis", "connection"], env)
            .value
        {
            Some(LaravelValue::Str(s)) if !s.is_empty() => Some(s),
            Some(LaravelValue::Null) | Some(LaravelValue::Str(_)) => Some("default".into()),
            _ => None,
        }
    }

    /// A connection of `database.redis`, with `url` merged over it.
    pub fn connection(&self, name: &str, env: &EnvSource) -> Option<Connection> {
        Self::item(&self.database, &["redis", name])?;
        let field = |key: &str| self.resolve(&self.database, &["redis", name, key], env);
        let mut conn = Connection {
            name: name.to_string(),
            host: field("host"),
            port: field("port"),
            database: field("database"),
            password: field("password"),
            username: field("username"),
            url: None,
        };
        let url = field("url");
        match url.value.clone() {
            Some(LaravelValue::Str(u)) if !u.is_empty() => {
                if let Some(parsed) = parse_redis_url(&u) {
                    let from_url = |value: Option<String>| Resolved {
                        value: value.map(LaravelValue::Str),
                        env_var: url.env_var.clone(),
                        config: url.config.clone(),
                    };
                    if let Some(h) = parsed.host {
                        conn.host = from_url(Some(h));
                    }
                    if let Some(p) = parsed.port {
                        conn.port = from_url(Some(p));
                    }
                    if let Some(pw) = parsed.password {
                        conn.password = from_url(Some(pw));
                    }
                    if let Some(user) = parsed.username {
                        conn.username = from_url(Some(user));
                    }
                    if let Some(db) = parsed.database {
                        conn.database = from_url(Some(db));
                    }
                    for (key, value) in parsed.query {
                        let resolved = Resolved {
                            value: Some(value.map_or(LaravelValue::Null, LaravelValue::Str)),
                            env_var: url.env_var.clone(),
                            config: url.config.clone(),
                        };
                        match key.as_str() {
                            "host" => conn.host = resolved,
                            "port" => conn.port = resolved,
                            "username" => conn.username = resolved,
                            _ => conn.password = resolved,
                        }
                    }
                }
                conn.url = Some(url);
            }
            None => {
                // REDIS_URL known only at run time: every field may be overridden.
                conn.host = Resolved::unknown();
                conn.port = Resolved::unknown();
                conn.database = Resolved::unknown();
                conn.password = Resolved::unknown();
                conn.username = Resolved::unknown();
                conn.url = Some(url);
            }
            _ => {}
        }
        Some(conn)
    }
}

/// The parts of a Redis URL Laravel's `ConfigurationUrlParser` merges over a connection.
#[derive(Debug, Default, PartialEq)]
pub struct RedisUrl {
    pub host: Option<String>,
    pub port: Option<String>,
    pub password: Option<String>,
    pub username: Option<String>,
    pub database: Option<String>,
    /// Query options merged last (`getQueryOptions`): `host`, `port`, `username` and
    /// `password` from the query beat the URL's own parts; None is PHP's `null` (`password=null`).
    pub query: Vec<(String, Option<String>)>,
}

/// `REDIS_URL` as Laravel's ConfigurationUrlParser reads it: PHP's `parse_url` (None where it
/// fails, as Laravel then throws), each part `rawurldecode`d; a user or password, even empty,
/// overrides the connection's (only nulls are dropped); the path less its `/` is the database,
/// and a `database` in the query (`parse_str`) beats it.
pub fn parse_redis_url(url: &str) -> Option<RedisUrl> {
    use crate::model::save_path::{parse_query, php_parse_url, url_decode};
    let parts = php_parse_url(url.as_bytes())?;
    let raw = |r: &Option<std::ops::Range<usize>>| r.clone().map(|r| &url[r]);
    let decode = |t: &str| url_decode(&t.replace('+', "%2B"));
    let scheme = raw(&parts.scheme).map(str::to_ascii_lowercase);
    // redis:// maps to tcp and rediss:// to tls, and the connector hands phpredis
    // `scheme://host`; tcp:// is phpredis' default and stays off.
    let host = raw(&parts.host).map(|h| match scheme.as_deref() {
        Some("tls" | "rediss") => format!("tls://{}", decode(h)),
        _ => decode(h),
    });
    let path_database = raw(&parts.path)
        .filter(|p| !p.is_empty() && *p != "/")
        .map(|p| decode(p.strip_prefix('/').unwrap_or(p)));
    let params = raw(&parts.query)
        .map(|q| parse_query(q, 0))
        .unwrap_or_default();
    let query_database = params
        .iter()
        .rfind(|p| p.key == "database" && p.index.is_none())
        .map(|p| p.value.clone());
    // parseStringsToNativeTypes turns `null` into PHP's null.
    let query = ["host", "port", "username", "password"]
        .iter()
        .filter_map(|key| {
            let p = params
                .iter()
                .rfind(|p| p.key == *key && p.index.is_none())?;
            let value =
                (!p.value.eq_ignore_ascii_case("null")).then(|| match (*key, scheme.as_deref()) {
                    ("host", Some("tls" | "rediss")) => format!("tls://{}", p.value),
                    _ => p.value.clone(),
                });
            Some((key.to_string(), value))
        })
        .collect();
    Some(RedisUrl {
        host,
        port: parts.port.map(|p| p.to_string()),
        password: raw(&parts.pass).map(decode),
        username: raw(&parts.user).map(decode),
        database: query_database.or(path_database),
        query,
    })
}

/// One config file of the app: its own file when it has one (merged over the framework's in
/// Laravel 11+), else the framework's stock file.
fn config_file(
    sources: &Sources,
    file: Option<FileId>,
    stock: &str,
    framework: Option<PhpValue>,
    merge: bool,
    mergeable: &'static [&'static str],
) -> ConfigFile {
    let parsed = file.and_then(|f| parse_return_array(sources.doc(f).bytes()));
    let base = || {
        framework
            .clone()
            .unwrap_or_else(|| parse_return_array(stock.as_bytes()).expect("stock config parses"))
    };
    match (file, parsed) {
        (Some(f), Some(value)) => ConfigFile {
            file: Some(f),
            secrets: {
                let bytes = sources.doc(f).bytes();
                let mut secrets = config_secrets(bytes, &value);
                // Statements before `return` (`$password = '...'`) are outside the array.
                secrets.extend(crate::syntax::php_array::secret_string_spans(
                    bytes,
                    crate::syntax::url::is_secret_key,
                ));
                secrets
            },
            value,
            base: merge.then(base),
            mergeable,
        },
        // Not read as a whole: its tokens still say which strings are secrets.
        (Some(f), None) => ConfigFile {
            file: Some(f),
            value: PhpValue::Unknown,
            base: None,
            mergeable,
            secrets: crate::syntax::php_array::secret_string_spans(
                sources.doc(f).bytes(),
                crate::syntax::url::is_secret_key,
            ),
        },
        _ => ConfigFile {
            file: None,
            value: base(),
            base: None,
            mergeable,
            secrets: Vec::new(),
        },
    }
}

/// The framework's own `config/NAME.php`, when the app vendors it
/// (`vendor/laravel/framework/config/`): what Laravel 11+ merges under the app's file.
fn vendored_framework_config(
    tree: &crate::confine::Tree,
    root: &std::path::Path,
    name: &str,
) -> Option<PhpValue> {
    let path = root
        .join("vendor/laravel/framework/config")
        .join(format!("{name}.php"));
    parse_return_array(&crate::source::read_inside(tree, root, &path)?)
}

/// The Laravel major version: the installed one in composer.lock, else composer.json's
/// `laravel/framework` constraint, else 11.
fn major_version(tree: &crate::confine::Tree, root: &std::path::Path) -> u32 {
    locked_major_version(tree, root).unwrap_or_else(|| required_major_version(tree, root))
}

/// `packages[].version` of `laravel/framework` in composer.lock (`v11.9.2`).
fn locked_major_version(tree: &crate::confine::Tree, root: &std::path::Path) -> Option<u32> {
    let bytes = crate::source::read_inside(tree, root, &root.join("composer.lock"))?;
    let lock: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let version = lock["packages"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == "laravel/framework")?["version"]
        .as_str()?;
    version
        .trim_start_matches('v')
        .split('.')
        .next()?
        .parse()
        .ok()
}

fn required_major_version(tree: &crate::confine::Tree, root: &std::path::Path) -> u32 {
    let bytes =
        crate::source::read_inside(tree, root, &root.join("composer.json")).unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let Some(at) = text.find("\"laravel/framework\"") else {
        return 11;
    };
    let rest = &text[at + 19..];
    let digits: String = rest
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap_or(11)
}

pub fn load(
    sources: &Sources,
    root: PathBuf,
    envs: &[FileId],
    configs: &[(String, FileId)],
) -> LaravelApp {
    let major = major_version(sources.confinement(), &root);
    let find = |name: &str| configs.iter().find(|(n, _)| n == name).map(|(_, f)| *f);
    let (stock_session, stock_cache) = if major <= 10 {
        (STOCK_SESSION_10, STOCK_CACHE_10)
    } else {
        (STOCK_SESSION_11, STOCK_CACHE_11)
    };
    // Laravel 11 merges the framework's config files under the app's (LoadConfiguration).
    let merge = major >= 11;
    let envs = envs
        .iter()
        .map(|&file| {
            let name = sources
                .get(file)
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            EnvSource {
                file,
                env: dotenv::parse(sources.doc(file)),
                template: name != ".env",
            }
        })
        .collect();
    let database = config_file(
        sources,
        find("database"),
        STOCK_DATABASE,
        merge
            .then(|| vendored_framework_config(sources.confinement(), &root, "database"))
            .flatten(),
        merge,
        &["connections"],
    );
    let session = config_file(
        sources,
        find("session"),
        stock_session,
        merge
            .then(|| vendored_framework_config(sources.confinement(), &root, "session"))
            .flatten(),
        merge,
        &[],
    );
    let cache = config_file(
        sources,
        find("cache"),
        stock_cache,
        merge
            .then(|| vendored_framework_config(sources.confinement(), &root, "cache"))
            .flatten(),
        merge,
        &["stores"],
    );
    LaravelApp {
        root,
        envs,
        database,
        session,
        cache,
        major,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_variables_given_as_passwords_are_marked() {
        let mut sources = Sources::new();
        let dir = std::path::PathBuf::from("/tmp/redline-unit/lv");
        let env = sources.insert(&dir.join(".env"), b"CACHE_PW=p1\nHOST=h\n".to_vec());
        let config = sources.insert(
            &dir.join("config/database.php"),
            b"<?php return ['redis' => ['default' => ['host' => env('HOST'), 'password' => env('CACHE_PW')]]];".to_vec(),
        );
        let app = load(&sources, dir, &[env], &[("database".into(), config)]);
        let secrets: Vec<_> = app
            .secrets()
            .into_iter()
            .filter(|(f, _)| *f == env)
            .collect();
        assert_eq!(secrets, vec![(env, 9..11)]);
    }

    #[test]
    fn unreadable_config_strings_are_marked_by_token() {
        let src = "<?php $x = Str::slug('a'); return ['redis' => ['password' => env('P', 'pw1') . 'x', 'host' => 'h', 'url' => 'redis://:pw2@h']];";
        let mut doc = crate::syntax::document::Document::parse(src.as_bytes().to_vec());
        doc.mark_secrets(crate::syntax::php_array::secret_string_spans(
            src.as_bytes(),
            crate::syntax::url::is_secret_key,
        ));
        assert_eq!(
            String::from_utf8(doc.masked(0..src.len(), b"*")).unwrap(),
            "<?php $x = Str::slug('a'); return ['redis' => ['password' => env(*, *) . *, 'host' => 'h', 'url' => 'redis://:*@h']];"
        );
    }

    #[test]
    fn passwords_assigned_before_the_return_are_marked() {
        let mut sources = Sources::new();
        let dir = std::path::PathBuf::from("/tmp/redline-unit/lv-vars");
        let src = b"<?php\n$pw = 'Var5ecret';\nreturn ['redis' => ['default' => ['host' => 'h', 'password' => $pw]]];\n";
        let config = sources.insert(&dir.join("config/database.php"), src.to_vec());
        let app = load(&sources, dir, &[], &[("database".into(), config)]);
        let marked: Vec<&[u8]> = app
            .secrets()
            .into_iter()
            .filter(|(f, _)| *f == config)
            .map(|(_, r)| &src[r])
            .collect();
        assert!(marked.contains(&&b"'Var5ecret'"[..]), "{marked:?}");
    }

    #[test]
    fn config_password_keys_and_urls_are_marked() {
        let src = "<?php return ['redis' => ['default' => ['url' => 'redis://u:pw1@h', 'password' => env('REDIS_PASSWORD', 'pw2'), 'host' => 'h', 'options' => ['key' => 'k']]]];";
        let value = parse_return_array(src.as_bytes()).unwrap();
        let mut doc = crate::syntax::document::Document::parse(src.as_bytes().to_vec());
        for r in config_secrets(src.as_bytes(), &value) {
            doc.mark_secret(r);
        }
        assert_eq!(
            String::from_utf8(doc.masked(0..src.len(), b"*")).unwrap(),
            "<?php return ['redis' => ['default' => ['url' => 'redis://u:*@h', 'password' => *, 'host' => 'h', 'options' => ['key' => *]]]];"
        );
    }

    #[test]
    fn redis_urls() {
        let u = parse_redis_url("redis://user:p%40ss@10.0.0.5:6380/2").unwrap();
        assert_eq!(
            u,
            RedisUrl {
                host: Some("10.0.0.5".into()),
                port: Some("6380".into()),
                password: Some("p@ss".into()),
                username: Some("user".into()),
                database: Some("2".into()),
                query: Vec::new(),
            }
        );
        // A userinfo without `:` is a user: no password.
        let u = parse_redis_url("redis://secret@10.0.0.5").unwrap();
        assert_eq!((u.username.as_deref(), u.password), (Some("secret"), None));
        let u = parse_redis_url("tls://cache.internal:6379?database=3").unwrap();
        assert_eq!(u.host.as_deref(), Some("tls://cache.internal"));
        assert_eq!(u.database.as_deref(), Some("3"));
    }
}
