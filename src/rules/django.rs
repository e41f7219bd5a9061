//! `DJ`: rules over Django settings modules. A rule fires only on what holds for every value a
//! setting may have (settings assigned in `if` branches are "one of"), and never on a value known
//! only at run time.

use super::{Context, Finding, Severity};
use crate::fix::{self, Applicability, Edit, Fix};
use crate::model::django::{locations, parse_location, DjangoSettings, Val};
use crate::model::save_path::unencoded_characters;
use std::ops::Range;

const DEFAULT_ENGINE: &str = "django.contrib.sessions.backends.db";

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for settings in &ctx.stack.django {
        if let Some((span, message)) = &settings.error {
            out.push(Finding::new("DJ001", settings.file, span.clone(), format!("the module is not valid Python here: {message}; Django cannot import its settings")));
            continue;
        }
        engine_not_shared(ctx, settings, out);
        session_cache_shared(ctx, settings, out);
        ignore_exceptions(ctx, settings, out);
        backend_option_unknown(ctx, settings, out);
        locations_rules(ctx, settings, out);
        cookie_flags(ctx, settings, out);
    }
}

fn location(settings: &DjangoSettings, name: &str) -> Range<usize> {
    settings
        .settings
        .get(name)
        .map_or(0..0, |s| s.last.span.clone())
}

/// The engine's last dotted part (`cache`, `cached_db`, `db`, ...) when it is certain.
fn engine(settings: &DjangoSettings) -> Option<String> {
    let v = settings.effective("SESSION_ENGINE", Val::Str(DEFAULT_ENGINE.into()));
    v.certain()?
        .as_str()
        .map(|e| e.rsplit('.').next().unwrap_or(e).to_string())
}

fn caches(settings: &DjangoSettings) -> Val {
    let locmem = Val::Dict(vec![(
        Val::Str("default".into()),
        Val::Dict(vec![(
            Val::Str("BACKEND".into()),
            Val::Str("django.core.cache.backends.locmem.LocMemCache".into()),
        )]),
    )]);
    settings.effective("CACHES", locmem)
}

fn session_alias(settings: &DjangoSettings) -> Option<String> {
    settings
        .effective("SESSION_CACHE_ALIAS", Val::Str("default".into()))
        .certain()?
        .as_str()
        .map(str::to_string)
}

fn engine_not_shared(ctx: &Context, settings: &DjangoSettings, out: &mut Vec<Finding>) {
    let Some(engine) = engine(settings) else {
        return;
    };
    let at = location(settings, "SESSION_ENGINE");
    // A module that sets no setting (`__init__.py`) leaves the engine to another module.
    if !settings.sets_settings && settings.value("SESSION_ENGINE").is_none() {
        return;
    }
    match engine.as_str() {
        "db" | "file" | "signed_cookies" if !ctx.stack.instances.is_empty() => {
            out.push(Finding::new("DJ101", settings.file, at, format!("`SESSION_ENGINE` is `{engine}`: sessions are not kept in the stack's Redis")).severity(Severity::Info));
        }
        "cache" | "cached_db" => {
            let Some(alias) = session_alias(settings) else {
                return;
            };
            let caches = caches(settings);
            let Some(backend) = caches
                .certain()
                .and_then(|c| c.get(&alias))
                .and_then(|a| a.get("BACKEND"))
                .and_then(Val::as_str)
            else {
                return;
            };
            let local = ["locmem", "dummy", "filebased"]
                .iter()
                .find(|b| backend.to_ascii_lowercase().contains(*b));
            if let Some(kind) = local {
                out.push(Finding::new(
                    "DJ101",
                    settings.file,
                    at,
                    format!("`SESSION_ENGINE` `{engine}` stores sessions in the cache `{alias}`, whose backend is {kind}: sessions are lost or never shared between processes"),
                ).severity(Severity::Error));
            }
        }
        _ => {}
    }
}

/// host, port and db of an alias's first (write) LOCATION, when all are certain.
fn alias_target(caches: &Val, alias: &str) -> Option<(String, u16, String)> {
    conf_target(caches.get(alias)?)
}

/// host, port and db of one alias's configuration (its first LOCATION), when all are certain.
fn conf_target(conf: &Val) -> Option<(String, u16, String)> {
    let urls = locations(conf.get("LOCATION")?.certain()?)?;
    let first = parse_location(urls.first()?)?;
    let db = first
        .db
        .clone()
        .or_else(|| crate::model::django::options_database(conf))
        .unwrap_or_else(|| "0".into());
    Some((
        first
            .host
            .clone()
            .or(first.socket.clone())?
            .to_ascii_lowercase(),
        first.port,
        db,
    ))
}

fn session_cache_shared(_ctx: &Context, settings: &DjangoSettings, out: &mut Vec<Finding>) {
    let Some(engine) = engine(settings) else {
        return;
    };
    if engine != "cache" && engine != "cached_db" {
        return;
    }
    let Some(alias) = session_alias(settings) else {
        return;
    };
    let caches = caches(settings);
    let Some(Val::Dict(entries)) = caches.certain() else {
        return;
    };
    // With a dedicated session alias already, only its database needs to change.
    let advice = if alias == "default" {
        "add a `sessions` cache alias on its own database and set `SESSION_CACHE_ALIAS = \"sessions\"`".to_string()
    } else {
        format!("give the cache `{alias}` a database of its own (`/N` at the end of its LOCATION)")
    };
    let display = Fix::new(Applicability::Display, advice, Vec::new());
    let mine = alias_target(&caches, &alias);
    // Each entry read with its own configuration: one pass over the aliases.
    let shared_with = entries
        .iter()
        .filter_map(|(k, conf)| Some((k.as_str()?, conf)))
        .filter(|(other, _)| *other != alias)
        .find(|(_, conf)| mine.is_some() && conf_target(conf) == mine)
        .map(|(other, _)| other);
    let at = location(
        settings,
        if settings.value("SESSION_CACHE_ALIAS").is_some() {
            "SESSION_CACHE_ALIAS"
        } else {
            "CACHES"
        },
    );
    if let (Some(other), Some((host, port, db))) = (shared_with, &mine) {
        out.push(
            Finding::new("DJ102", settings.file, at, format!("the session cache `{alias}` and the cache `{other}` both write to {host}:{port} database {db}: clearing the cache runs FLUSHDB and logs everyone out"))
                .severity(Severity::Error)
                .with_fix(Some(display)),
        );
    } else if alias == "default" {
        out.push(
            Finding::new("DJ102", settings.file, at, "sessions use the general cache alias `default`: `cache.clear()` runs FLUSHDB on it and logs everyone out").with_fix(Some(display)),
        );
    }
    // `cached_db` reads a session back from the database when the cache lost it: a cleared
    // cache costs a query per session, and logs nobody out.
    if engine == "cached_db" {
        if let Some(f) = out
            .last_mut()
            .filter(|f| f.rule == "DJ102" && f.file == settings.file)
        {
            f.severity = Severity::Info;
            f.message = format!("{} (with `cached_db` the sessions are read back from the database, so a cleared cache logs nobody out; it only costs a query per session)", f.message.replace(" and logs everyone out", ""));
        }
    }
}

/// The backend of a cache alias, when certain.
fn backend<'a>(caches: &'a Val, alias: &str) -> Option<&'a str> {
    caches
        .certain()?
        .get(alias)?
        .get("BACKEND")?
        .certain()?
        .as_str()
}

/// django-redis's backend (`django_redis.cache.RedisCache`), which reads upper-case OPTIONS.
fn is_django_redis(backend: &str) -> bool {
    backend.starts_with("django_redis.")
}

/// Django's own backend (4.0+), which hands OPTIONS to redis-py as keyword arguments.
const DJANGO_REDIS_BACKEND: &str = "django.core.cache.backends.redis.RedisCache";

/// Django's own Redis backend with OPTIONS only django-redis reads (`CLIENT_CLASS`,
/// `IGNORE_EXCEPTIONS`, ...): Django passes every OPTIONS key to redis-py's connection, and the
/// first cache access raises `TypeError: AbstractConnection.__init__() got an unexpected
/// keyword argument`. redis-py's and Django's own options are lower-case; django-redis's are
/// upper-case.
fn backend_option_unknown(_ctx: &Context, settings: &DjangoSettings, out: &mut Vec<Finding>) {
    let caches = caches(settings);
    let Some(Val::Dict(entries)) = caches.certain() else {
        return;
    };
    for (alias, conf) in entries {
        let Some(alias) = alias.as_str() else {
            continue;
        };
        let own_backend = conf
            .get("BACKEND")
            .and_then(Val::certain)
            .and_then(Val::as_str);
        if own_backend != Some(DJANGO_REDIS_BACKEND) {
            continue;
        }
        let Some(Val::Dict(options)) = conf.get("OPTIONS").and_then(Val::certain) else {
            continue;
        };
        for (key, _) in options {
            let Some(key) = key.as_str() else { continue };
            let foreign = key.bytes().any(|b| b.is_ascii_uppercase())
                && !key.bytes().any(|b| b.is_ascii_lowercase());
            if !foreign {
                continue;
            }
            let path = format!("CACHES.{alias}.OPTIONS.{key}");
            out.push(
                Finding::new(
                    "DJ106",
                    settings.file,
                    settings.place(&path),
                    format!("the cache `{alias}` uses Django's own `RedisCache`, which hands OPTIONS to redis-py: `{key}` is a django-redis option, and the first cache access raises `TypeError: AbstractConnection.__init__() got an unexpected keyword argument '{key}'` (use `django_redis.cache.RedisCache`, or redis-py's lower-case options)"),
                )
                .setting(path),
            );
        }
    }
}

fn ignore_exceptions(_ctx: &Context, settings: &DjangoSettings, out: &mut Vec<Finding>) {
    let Some(engine) = engine(settings) else {
        return;
    };
    if engine != "cache" && engine != "cached_db" {
        return;
    }
    let global = settings
        .value("DJANGO_REDIS_IGNORE_EXCEPTIONS")
        .and_then(Val::certain)
        == Some(&Val::Bool(true));
    let Some(alias) = session_alias(settings) else {
        return;
    };
    let caches = caches(settings);
    // Only django-redis reads it: Django's own backend has no such option (DJ106 says so).
    if !backend(&caches, &alias).is_some_and(is_django_redis) {
        return;
    }
    let per_alias = caches
        .certain()
        .and_then(|c| c.get(&alias))
        .and_then(|a| a.get("OPTIONS"))
        .and_then(|o| o.get("IGNORE_EXCEPTIONS"))
        .and_then(Val::certain)
        == Some(&Val::Bool(true));
    if global || per_alias {
        let at = if per_alias {
            settings.place(&format!("CACHES.{alias}.OPTIONS.IGNORE_EXCEPTIONS"))
        } else {
            location(settings, "DJANGO_REDIS_IGNORE_EXCEPTIONS")
        };
        out.push(Finding::new(
            "DJ103",
            settings.file,
            at,
            format!("`IGNORE_EXCEPTIONS` is on for the session cache `{alias}`: when Redis fails, sessions are silently dropped and users logged out instead of an error being raised"),
        ));
    }
}

/// Characters redis-py splits a URL on when they appear unencoded in the password.
fn bad_password_chars(url: &str) -> Vec<char> {
    match crate::model::django::url_password_range(url) {
        Some(password) => unencoded_characters(&url[password], &['#', '/', '?']),
        None => Vec::new(),
    }
}

/// django-redis through Sentinel (`SentinelClient`, `SentinelConnectionFactory`, or a
/// `SENTINELS` option): the LOCATION's host is a master name, and the machines are the
/// Sentinels' addresses.
fn sentinel_hosts(settings: &DjangoSettings, conf: &Val) -> Option<Vec<String>> {
    let options = conf.get("OPTIONS").and_then(Val::certain);
    let client = options
        .and_then(|o| o.get("CLIENT_CLASS"))
        .and_then(Val::certain)
        .and_then(Val::as_str)
        .is_some_and(|c| c.contains("Sentinel"));
    let factory = settings
        .value("DJANGO_REDIS_CONNECTION_FACTORY")
        .and_then(Val::certain)
        .and_then(Val::as_str)
        .is_some_and(|f| f.contains("Sentinel"));
    let sentinels = options.and_then(|o| o.get("SENTINELS"));
    if !client && !factory && sentinels.is_none() {
        return None;
    }
    // Each Sentinel is a (host, port) pair; a host not known for certain is left out.
    let hosts = match sentinels.and_then(Val::certain) {
        Some(Val::List(items)) => items
            .iter()
            .filter_map(|pair| match pair {
                Val::List(parts) => parts.first().and_then(Val::as_str).map(str::to_string),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Some(hosts)
}

fn locations_rules(ctx: &Context, settings: &DjangoSettings, out: &mut Vec<Finding>) {
    let session_alias = settings.cached_session_alias();
    for (alias, conf, urls) in settings.cache_aliases() {
        let Some(urls) = urls else {
            continue;
        };
        let at = settings.place(&format!("CACHES.{alias}.LOCATION"));
        let sentinels = sentinel_hosts(settings, conf);
        for url in urls {
            let bad = bad_password_chars(&url);
            if !bad.is_empty() {
                let list = super::code_list(&bad);
                out.push(
                    Finding::new("DJ105", settings.file, at.clone(), format!("the password in the LOCATION of cache `{alias}` holds {list} unencoded: redis-py splits the URL there and connects with a wrong password or host"))
                        .setting(format!("CACHES.{alias}.LOCATION"))
                        .with_fix(encode_fix(ctx, settings, alias, &url)),
                );
                continue;
            }
            let Some(loc) = parse_location(&url) else {
                continue;
            };
            if loc.scheme == "redis" {
                // Through Sentinel the host is a master name: judge the Sentinels instead.
                let hosts: Vec<String> = match &sentinels {
                    Some(hosts) => hosts
                        .iter()
                        .filter(|h| !crate::stack::links::is_loopback(h))
                        .cloned()
                        .collect(),
                    None => loc.host.clone().into_iter().collect(),
                };
                if let Some(host) = (!hosts.is_empty()).then(|| hosts.join(", ")) {
                    if sentinels.is_some() || !crate::stack::links::is_loopback(&host) {
                        // Say what actually crosses the network: a password only if one is sent,
                        // sessions only if this alias holds them.
                        let password = crate::model::django::options_password(conf).is_some()
                            || loc.password.is_some();
                        let sessions = session_alias.as_deref() == Some(alias);
                        let what = match (password, sessions) {
                            (true, true) => "the password and the sessions cross",
                            (true, false) => "the password and the cached data cross",
                            (false, true) => "the sessions cross",
                            (false, false) => "the cached data crosses",
                        };
                        let via = if sentinels.is_some() {
                            format!("its Sentinels at {host} and the master they name")
                        } else {
                            host.clone()
                        };
                        out.push(Finding::new("DJ104", settings.file, at.clone(), format!("the cache `{alias}` reaches {via} over plain `redis://`: {what} the network in clear text (use `rediss://`)")).setting(format!("CACHES.{alias}.LOCATION")));
                    }
                }
            }
        }
    }
}

/// Percent-encode the password of `url` where the URL appears verbatim, once, in the module.
fn encode_fix(ctx: &Context, settings: &DjangoSettings, alias: &str, url: &str) -> Option<Fix> {
    // The URL is found in the literal that gives the LOCATION, never elsewhere in the file.
    let bytes = ctx.sources.doc(settings.file).bytes();
    let start = settings
        .verbatim_literal(bytes, &format!("CACHES.{alias}.LOCATION"), url)?
        .start;
    let scheme_end = url.find("://")? + 3;
    let at = url.rfind('@')?;
    let colon = url[scheme_end..at].find(':')? + scheme_end + 1;
    let encoded = crate::model::save_path::url_encode(&url[colon..at]);
    Some(Fix::new(
        Applicability::Safe,
        "percent-encode the password",
        vec![
            fix::replace(settings.file, start + colon..start + at, encoded.clone())
                .with_secret_text(encoded.as_bytes()),
        ],
    ))
}

/// Set a boolean setting: replace its right-hand side, or append the assignment.
fn set_bool(ctx: &Context, settings: &DjangoSettings, name: &str, value: bool) -> Edit {
    let text = if value { "True" } else { "False" };
    match settings
        .settings
        .get(name)
        .filter(|s| !s.last.conditional && !s.last.shared_value && s.last.target.len() == 1)
    {
        Some(s) => fix::replace(settings.file, s.last.value_span.clone(), text),
        None => fix::append_line(
            ctx.sources,
            settings.file,
            None,
            format!("{name} = {text}").as_bytes(),
        ),
    }
}

fn cookie_flags(ctx: &Context, settings: &DjangoSettings, out: &mut Vec<Finding>) {
    let secure = settings.effective("SESSION_COOKIE_SECURE", Val::Bool(false));
    // A module that sets no setting says nothing about the cookie.
    let judged = settings.sets_settings || settings.value("SESSION_COOKIE_SECURE").is_some();
    if judged && secure.certain().is_some_and(|v| *v != Val::Bool(true)) {
        let what = if settings.value("SESSION_COOKIE_SECURE").is_some() {
            "`SESSION_COOKIE_SECURE` is not True"
        } else {
            "`SESSION_COOKIE_SECURE` is not set (default False)"
        };
        let fix = Fix::new(
            Applicability::Unsafe,
            "set `SESSION_COOKIE_SECURE = True` (a site or dev server on plain HTTP then loses its sessions)",
            vec![set_bool(ctx, settings, "SESSION_COOKIE_SECURE", true)],
        );
        out.push(
            Finding::new(
                "DJ201",
                settings.file,
                location(settings, "SESSION_COOKIE_SECURE"),
                format!("{what}: the session cookie is also sent over plain HTTP"),
            )
            .with_fix(Some(fix)),
        );
    }
    if settings
        .value("SESSION_COOKIE_HTTPONLY")
        .and_then(Val::certain)
        == Some(&Val::Bool(false))
    {
        let fix = Fix::new(
            Applicability::Safe,
            "set `SESSION_COOKIE_HTTPONLY = True`",
            vec![set_bool(ctx, settings, "SESSION_COOKIE_HTTPONLY", true)],
        );
        out.push(Finding::new("DJ202", settings.file, location(settings, "SESSION_COOKIE_HTTPONLY"), "`SESSION_COOKIE_HTTPONLY = False`: JavaScript can read the session cookie, so one XSS bug steals every session").with_fix(Some(fix)));
    }
}
