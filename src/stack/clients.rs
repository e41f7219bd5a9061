//! The clients of the stack: every place that connects to a Redis instance, with where it points,
//! what for, which database and password it uses. Read from the models, never from files again.

use crate::model::django::{parse_location, Val};
use crate::model::laravel::{EnvSource, LaravelApp, Resolved};
use crate::model::php::PhpConfig;
use crate::model::sentinel::SentinelModel;
use crate::source::{FileId, Sources};
use crate::syntax::dotenv::LaravelValue;
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Sessions,
    Cache,
    /// A Sentinel watching the instance.
    Monitor,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Sessions => "sessions",
            Purpose::Cache => "cache",
            Purpose::Monitor => "sentinel",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Tcp {
        host: String,
        port: u16,
    },
    Unix(String),
    /// Known only at run time (an environment variable): links nothing, fires nothing.
    RunTime,
}

impl Target {
    /// The address for messages and reports: `host:port`, or the socket path with anything
    /// before an `@` masked (phpredis reads `user:pass@host:port?...` as a socket path, and
    /// messages are not redacted later). None when it is known only at run time.
    pub fn shown(&self) -> Option<String> {
        match self {
            Target::Tcp { host, port } => Some(format!("{host}:{port}")),
            Target::Unix(path) => Some(match path.rfind('@') {
                Some(at) => format!("{}{}", crate::secret::MASK, &path[at..]),
                None => path.clone(),
            }),
            Target::RunTime => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientPassword {
    None,
    /// A literal in an audited file; `editable` when `span` is exactly its text.
    Literal {
        value: String,
        file: FileId,
        span: Range<usize>,
        editable: bool,
    },
    /// Read from this environment variable at run time.
    Env(String),
    Unknown,
}

#[derive(Debug, Clone)]
pub struct Client {
    /// What it is, for messages: "php.ini session.save_path", "Laravel connection `default`"...
    pub label: String,
    /// The application it belongs to (two clients of one app may share a database).
    pub app: String,
    pub purpose: Purpose,
    /// Where findings about the client point.
    pub file: FileId,
    pub span: Range<usize>,
    pub target: Target,
    /// The database number; None when unknown.
    pub database: Option<String>,
    pub prefix: Option<String>,
    pub password: ClientPassword,
    /// The ACL user it authenticates as (`AUTH user pass`); None for the default user.
    pub user: Option<String>,
    /// For a Sentinel monitor: the Sentinel (index in the stack) and the master name.
    pub sentinel: Option<(usize, String)>,
    /// Which config setting made this client, so single-file rules can ask for its link.
    pub origin: Origin,
}

/// The setting a client comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Origin {
    /// A php.ini `session.save_path` host of the PHP configuration rooted at this file.
    Php(FileId),
    /// A Laravel Redis connection, by the app's `.env` file and the connection name.
    Laravel { env: FileId, connection: String },
    /// A Django cache alias, by settings file.
    Django { settings: FileId, alias: String },
    /// A `sentinel monitor` line.
    Sentinel,
    /// Flask-Session's `SESSION_REDIS` of a Flask app (or config class), by module and label.
    Flask { module: FileId, config: String },
    /// The store client of an Express `session({...})` call, by file and offset of the call.
    Node { file: FileId, at: usize },
}

fn strip_scheme(host: &str) -> &str {
    host.split_once("://").map_or(host, |(_, h)| h)
}

fn php_clients(sources: &Sources, php: &PhpConfig, out: &mut Vec<Client>) {
    let handler = php.handler();
    if !matches!(handler.as_deref(), Some("redis") | Some("rediscluster")) {
        return;
    }
    let app = sources.display(php.root()).to_string();
    let Some((file, entry)) = php.last("session.save_path") else {
        return;
    };
    let span = entry.key_span.start..entry.value_span.end.max(entry.key_span.end);
    let Some(sp) = php.save_path() else {
        out.push(Client {
            label: "php.ini `session.save_path`".into(),
            app,
            purpose: Purpose::Sessions,
            file: *file,
            span,
            target: Target::RunTime,
            database: None,
            prefix: None,
            password: ClientPassword::Unknown,
            user: None,
            sentinel: None,
            origin: Origin::Php(php.root()),
        });
        return;
    };
    let start =
        crate::model::php::direct_value_start(sources.doc(*file).bytes(), &entry.value_span);
    let direct = start.is_some();
    let base = start.unwrap_or(entry.value_span.start);
    for host in &sp.hosts {
        let target = match (&host.socket, &host.host) {
            (Some(path), _) => Target::Unix(path.clone()),
            (None, Some(h)) => Target::Tcp {
                host: h.clone(),
                port: host.port.unwrap_or(6379),
            },
            _ => Target::RunTime,
        };
        let password = match host.auth_password() {
            Some(p) if !p.value.is_empty() => ClientPassword::Literal {
                value: p.value.clone(),
                file: *file,
                span: if direct {
                    base + p.raw_span.start..base + p.raw_span.end
                } else {
                    entry.value_span.clone()
                },
                editable: direct,
            },
            _ => ClientPassword::None,
        };
        let database = if handler.as_deref() == Some("rediscluster") {
            Some("0".into())
        } else {
            Some(host.database().unwrap_or(0).to_string())
        };
        let prefix = Some(
            host.param("prefix")
                .map_or("PHPREDIS_SESSION:".to_string(), |p| p.value.clone()),
        );
        out.push(Client {
            label: "php.ini `session.save_path`".into(),
            app: app.clone(),
            purpose: Purpose::Sessions,
            file: *file,
            span: span.clone(),
            target,
            database,
            prefix,
            password,
            user: host.auth_user().map(|u| u.value.clone()),
            sentinel: None,
            origin: Origin::Php(php.root()),
        });
    }
}

fn laravel_password(r: &Resolved, env: &EnvSource) -> ClientPassword {
    match (&r.value, &r.env_var) {
        (Some(LaravelValue::Null), _) => ClientPassword::None,
        (Some(LaravelValue::Str(s)), _) if s.is_empty() => ClientPassword::None,
        (Some(LaravelValue::Str(s)), Some((var, Some((file, _))))) => {
            let entry = env.env.get(var);
            match entry {
                Some(e) if var != "REDIS_URL" => ClientPassword::Literal {
                    value: s.clone(),
                    file: *file,
                    span: e.value_span.clone(),
                    editable: true,
                },
                _ => ClientPassword::Literal {
                    value: s.clone(),
                    file: *file,
                    span: entry.map_or(0..0, |e| e.value_span.clone()),
                    editable: false,
                },
            }
        }
        (Some(LaravelValue::Str(_)), Some((var, None))) => ClientPassword::Env(var.clone()),
        (Some(LaravelValue::Str(s)), None) => ClientPassword::Literal {
            value: s.clone(),
            file: r.config.as_ref().map_or(env.file, |c| c.0),
            span: r.config.as_ref().map_or(0..0, |c| c.1.clone()),
            editable: false,
        },
        _ => ClientPassword::Unknown,
    }
}

fn laravel_clients(sources: &Sources, app: &LaravelApp, out: &mut Vec<Client>) {
    // The real .env, or each template when there is none.
    let real: Vec<&EnvSource> = app.envs.iter().filter(|e| !e.template).collect();
    let envs: Vec<&EnvSource> = if real.is_empty() {
        app.envs.iter().collect()
    } else {
        real
    };
    let app_name = sources
        .display(app.envs.first().map_or(0, |e| e.file))
        .rsplit_once('/')
        .map_or(".".to_string(), |(d, _)| d.to_string());
    for env in envs {
        let mut uses: Vec<(String, Purpose)> = Vec::new();
        if app
            .session_driver(env)
            .text()
            .is_some_and(|d| d.eq_ignore_ascii_case("redis"))
        {
            if let Some(name) = app.session_connection_name(env) {
                uses.push((name, Purpose::Sessions));
            }
        }
        if app
            .cache_store(env)
            .is_some_and(|s| s.eq_ignore_ascii_case("redis"))
        {
            if let Some(name) = app.cache_connection_name(env) {
                uses.push((name, Purpose::Cache));
            }
        }
        for (name, purpose) in uses {
            let Some(conn) = app.connection(&name, env) else {
                continue;
            };
            let target = match (conn.host.text(), conn.port.text()) {
                (Some(h), Some(p)) if !h.is_empty() => match p.parse::<u16>() {
                    Ok(port) => Target::Tcp {
                        host: strip_scheme(&h).to_string(),
                        port,
                    },
                    Err(_) => Target::RunTime,
                },
                _ => Target::RunTime,
            };
            let (file, span) = match &conn.host.env_var {
                Some((_, Some((f, line)))) => {
                    let l = sources.doc(*f).line(*line);
                    (*f, l.start()..l.content_end())
                }
                _ => (env.file, 0..0),
            };
            out.push(Client {
                label: format!("Laravel connection `{name}` ({})", purpose.as_str()),
                app: app_name.clone(),
                purpose,
                file,
                span,
                target,
                database: conn.database.text(),
                prefix: None,
                password: laravel_password(&conn.password, env),
                user: conn.username.text().filter(|u| !u.is_empty()),
                sentinel: None,
                origin: Origin::Laravel {
                    env: env.file,
                    connection: name.clone(),
                },
            });
        }
    }
}

fn django_clients(
    sources: &Sources,
    settings: &crate::model::django::DjangoSettings,
    out: &mut Vec<Client>,
) {
    let session_alias = settings.cached_session_alias();
    let span = settings
        .settings
        .get("CACHES")
        .map_or(0..0, |s| s.last.span.clone());
    for (name, conf, urls) in settings.cache_aliases() {
        let Some(urls) = urls else { continue };
        let Some(first) = urls.first().and_then(|u| parse_location(u)) else {
            continue;
        };
        let target = match (&first.socket, &first.host) {
            (Some(p), _) => Target::Unix(p.clone()),
            (None, Some(h)) => Target::Tcp {
                host: h.clone(),
                port: first.port,
            },
            _ => Target::RunTime,
        };
        let options_password = crate::model::django::options_password(conf)
            .and_then(Val::certain)
            .and_then(Val::as_str)
            .map(str::to_string);
        let password = match first.password.clone().or(options_password) {
            Some(p) => ClientPassword::Literal {
                value: p,
                file: settings.file,
                span: span.clone(),
                editable: false,
            },
            None => ClientPassword::None,
        };
        let purpose = if session_alias.as_deref() == Some(name) {
            Purpose::Sessions
        } else {
            Purpose::Cache
        };
        out.push(Client {
            label: format!("Django cache `{name}`"),
            app: sources.display(settings.file).to_string(),
            purpose,
            file: settings.file,
            span: span.clone(),
            target,
            database: Some(
                first
                    .db
                    .clone()
                    .or_else(|| crate::model::django::options_database(conf))
                    .unwrap_or_else(|| "0".into()),
            ),
            prefix: conf
                .get("KEY_PREFIX")
                .and_then(Val::as_str)
                .map(str::to_string),
            password,
            user: first
                .username
                .clone()
                .or_else(|| crate::model::django::options_username(conf)),
            sentinel: None,
            origin: Origin::Django {
                settings: settings.file,
                alias: name.to_string(),
            },
        });
    }
}

fn sentinel_clients(sentinels: &[SentinelModel], out: &mut Vec<Client>) {
    for (index, s) in sentinels.iter().enumerate() {
        for m in &s.masters {
            let password = match &m.auth_pass {
                Some(o) => ClientPassword::Literal {
                    value: o.values[2].text(),
                    file: o.file,
                    span: o.values[2].span.clone(),
                    editable: true,
                },
                None => ClientPassword::None,
            };
            let port = u16::try_from(m.port).unwrap_or(0);
            out.push(Client {
                label: format!("Sentinel master `{}`", m.name),
                app: format!("sentinel:{index}"),
                purpose: Purpose::Monitor,
                file: m.monitor.file,
                span: m.monitor.span(),
                target: Target::Tcp {
                    host: m.host.clone(),
                    port,
                },
                database: None,
                prefix: None,
                password,
                user: m
                    .auth_user
                    .as_ref()
                    .and_then(|o| o.values.get(2))
                    .map(|a| a.text()),
                sentinel: Some((index, m.name.clone())),
                origin: Origin::Sentinel,
            });
        }
    }
}

pub fn collect(sources: &Sources, stack: &super::Stack) -> Vec<Client> {
    let mut out = Vec::new();
    for php in &stack.php {
        php_clients(sources, php, &mut out);
    }
    for app in &stack.laravel {
        laravel_clients(sources, app, &mut out);
    }
    for settings in &stack.django {
        django_clients(sources, settings, &mut out);
    }
    sentinel_clients(&stack.sentinels, &mut out);
    flask_clients(sources, &stack.flask, &mut out);
    super::node::node_clients(sources, &stack.node, &mut out);
    // A deploy-time placeholder (`${REDIS_PASSWORD}`, `{{ redis_password }}`) is not the
    // password: it is set when the file is deployed, so it is unknown here.
    for client in &mut out {
        if matches!(&client.password, ClientPassword::Literal { value, .. } if crate::secret::is_placeholder(value.as_bytes()))
        {
            client.password = ClientPassword::Unknown;
        }
    }
    out
}

/// The session client of each Flask app whose `SESSION_TYPE` is `redis`: its `SESSION_REDIS`, or
/// the `Redis()` on localhost:6379 db 0 Flask-Session falls back to when that is no client.
fn flask_clients(
    sources: &Sources,
    flask: &crate::model::flask::FlaskStack,
    out: &mut Vec<Client>,
) {
    use crate::model::flask::{RedisClient, SessionRedis};
    for config in &flask.configs {
        // A config whose `SESSION_TYPE` is unknown but that builds a Redis client uses it.
        let builds_client = matches!(config.session_redis(), Some(SessionRedis::Client(_)));
        match config.session_type().as_deref() {
            Some("redis") => {}
            None if builds_client => {}
            _ => continue,
        }
        let setting = config.get("SESSION_REDIS");
        let fallback = RedisClient {
            host: Some("localhost".into()),
            port: Some(6379),
            db: Some("0".into()),
            password: Some(None),
            ssl: Some(false),
            ..RedisClient::default()
        };
        let client = match config.session_redis() {
            Some(SessionRedis::Client(c)) => c,
            Some(SessionRedis::NotAClient(_)) => fallback,
            None if !config.partial && config.initialises_session => fallback,
            _ => RedisClient::default(),
        };
        let (file, span) = match setting {
            Some(s) => (s.file, s.span.clone()),
            None => (config.file, config.span.clone()),
        };
        let target = match (&client.socket, &client.host, client.port) {
            (Some(path), _, _) => Target::Unix(path.clone()),
            (None, Some(host), Some(port)) => Target::Tcp {
                host: host.clone(),
                port,
            },
            _ => Target::RunTime,
        };
        let password = match (&client.password, &client.password_span) {
            (Some(None), _) => ClientPassword::None,
            (Some(Some(value)), Some((lit, _))) => {
                let bytes = sources.doc(file).bytes();
                let body = crate::syntax::python::string_body(bytes, lit);
                let editable = body
                    .as_ref()
                    .is_some_and(|b| bytes.get(b.clone()) == Some(value.as_bytes()));
                ClientPassword::Literal {
                    value: value.clone(),
                    file,
                    span: body.filter(|_| editable).unwrap_or_else(|| lit.clone()),
                    editable,
                }
            }
            (Some(Some(value)), None) => ClientPassword::Literal {
                value: value.clone(),
                file,
                span: span.clone(),
                editable: false,
            },
            (None, _) => ClientPassword::Unknown,
        };
        // One app per folder: an app module and the config classes beside it (the ones its
        // factory does not load by default) are one app, whose sessions they share by design.
        let shown = sources.display(config.file);
        let app = match shown.rsplit_once('/') {
            Some((folder, _)) => format!("flask:{folder}"),
            None => "flask:.".to_string(),
        };
        out.push(Client {
            label: format!("Flask-Session `SESSION_REDIS` ({})", config.label),
            app,
            purpose: Purpose::Sessions,
            file,
            span,
            target,
            database: client.db.clone(),
            prefix: config.key_prefix(),
            password,
            user: client.username.clone(),
            sentinel: None,
            origin: Origin::Flask {
                module: config.file,
                config: config.label.clone(),
            },
        });
    }
}
