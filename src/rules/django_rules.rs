//! The `DJ` rules' metadata. Their checks are `rules/django.rs`, run as one pass
//! (`Check::Django`) whose findings are kept for the enabled rules; splitting that file into one
//! rule per file is left for when the Django reader settles.

use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static DJ001: Rule = Rule {
    id: RuleId::DJ001,
    name: "settings-syntax-error",
    severity: Severity::Error,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Syntax,
    summary: r####"The settings module is not valid Python"####,
    explanation: r####"An unbalanced bracket or an unterminated string makes the module fail to import: Django does not
start. redline stops reading the module there, so its other rules say nothing about it."####,
    example: r####"CACHES = {'default': {'LOCATION': 'redis://127.0.0.1:6379/1'}"####,
    fix_description: r####"None: close the bracket or the string."####,
    references: &[r####"https://docs.python.org/3/reference/lexical_analysis.html"####],
    check: Check::Django,
};

pub static DJ101: Rule = Rule {
    id: RuleId::DJ101,
    name: "session-engine-not-shared",
    severity: Severity::Info,
    fix: FixAvailability::None,
    hardening: true,
    category: Category::Security,
    summary: r####"Django keeps sessions outside the stack's Redis, or in a process-local cache"####,
    explanation: r####"`SESSION_ENGINE` is `db`, `file` or `signed_cookies` while the stack has a Redis instance (info), or
`cache`/`cached_db` on a `locmem`, `dummy` or `filebased` cache (error): local memory is per process
and lost on restart, dummy stores nothing."####,
    example: r####"SESSION_ENGINE = 'django.contrib.sessions.backends.cache'  # with the default locmem CACHES"####,
    fix_description: r####"None: point the session cache alias at Redis, or keep the database engine."####,
    references: &[
        r####"https://docs.djangoproject.com/en/5.1/topics/http/sessions/#using-cached-sessions"####,
    ],
    check: Check::Django,
};

pub static DJ102: Rule = Rule {
    id: RuleId::DJ102,
    name: "session-cache-shared",
    severity: Severity::Warning,
    fix: FixAvailability::Display,
    hardening: false,
    category: Category::Correctness,
    summary: r####"Sessions share a cache that gets cleared"####,
    explanation: r####"With a cache-based session engine, sessions on the general cache alias `default` vanish whenever
the code calls `cache.clear()`, which runs FLUSHDB (warning). When the session alias writes to the
same host, port and database as another alias, clearing that cache logs everyone out (error)."####,
    example: r####"SESSION_ENGINE = "django.contrib.sessions.backends.cache"
SESSION_CACHE_ALIAS = "default""####,
    fix_description: r####"Display: a `sessions` alias on its own Redis database and `SESSION_CACHE_ALIAS = "sessions"`."####,
    references: &[r####"https://github.com/openedx/openedx-platform/issues/32984"####],
    check: Check::Django,
};

pub static DJ103: Rule = Rule {
    id: RuleId::DJ103,
    name: "ignore-exceptions-on-session-cache",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    hardening: true,
    category: Category::Security,
    summary: r####"django-redis swallows errors on the session cache"####,
    explanation: r####"`IGNORE_EXCEPTIONS` (or `DJANGO_REDIS_IGNORE_EXCEPTIONS = True`) makes django-redis return nothing
instead of raising when Redis fails: meant for a pure cache, on the session cache it silently
drops sessions and logs users out."####,
    example: r####"'OPTIONS': {'IGNORE_EXCEPTIONS': True}"####,
    fix_description: r####"None: keep IGNORE_EXCEPTIONS off the session alias."####,
    references: &[
        r####"https://github.com/jazzband/django-redis#memcached-exceptions-behavior"####,
    ],
    check: Check::Django,
};

pub static DJ104: Rule = Rule {
    id: RuleId::DJ104,
    name: "redis-url-cleartext-remote",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    hardening: true,
    category: Category::Security,
    summary: r####"A cache reaches a remote Redis over plain redis://"####,
    explanation: r####"A `redis://` LOCATION host that is not loopback sends the password and the sessions in clear text.
`rediss://` is TLS."####,
    example: r####"'LOCATION': 'redis://10.0.0.5:6379/1'"####,
    fix_description: r####"None: use `rediss://` with a TLS-enabled Redis."####,
    references: &[
        r####"https://redis-py.readthedocs.io/en/stable/connections.html#redis.connection.ConnectionPool.from_url"####,
    ],
    check: Check::Django,
};

pub static DJ105: Rule = Rule {
    id: RuleId::DJ105,
    name: "redis-url-password-encoding",
    severity: Severity::Error,
    fix: FixAvailability::Safe,
    hardening: false,
    category: Category::Correctness,
    summary: r####"A LOCATION password holds characters that split the URL"####,
    explanation: r####"redis-py parses LOCATION with `urlparse`: an unencoded `#` starts a fragment, `/` and `?` end the
host part, and a bare `%` is decoded: the connection goes to the wrong host or with a wrong
password. An `@` is read correctly: the user info ends at the last `@`."####,
    example: r####"'LOCATION': 'redis://:p#ss/word@10.0.0.5:6379/1'"####,
    fix_description: r####"Safe: percent-encode the password."####,
    references: &[r####"https://github.com/jazzband/django-redis/issues/201"####],
    check: Check::Django,
};

pub static DJ106: Rule = Rule {
    id: RuleId::DJ106,
    name: "backend-option-unknown",
    severity: Severity::Error,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Correctness,
    summary: r####"Django's own RedisCache given options only django-redis reads"####,
    explanation: r####"Django's built-in `django.core.cache.backends.redis.RedisCache` (Django 4.0+) hands every OPTIONS
key to redis-py as a keyword argument of its connection. django-redis's options (`CLIENT_CLASS`,
`IGNORE_EXCEPTIONS`, `PASSWORD`, `SERIALIZER`, `COMPRESSOR`, `CONNECTION_POOL_KWARGS`,
`SOCKET_CONNECT_TIMEOUT`, ...) are not among them: the first cache or session access raises
`TypeError: AbstractConnection.__init__() got an unexpected keyword argument 'CLIENT_CLASS'`,
so every request that touches a session fails. Settings copied from a django-redis guide onto
Django's backend do exactly this."####,
    example: r####"CACHES = {"default": {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:6379/1",
    "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
}}"####,
    fix_description: r####"None: use `django_redis.cache.RedisCache` as the BACKEND, or redis-py's own lower-case options (`password`, `socket_timeout`)."####,
    references: &[
        r####"https://docs.djangoproject.com/en/5.1/topics/cache/#redis"####,
        r####"https://github.com/jazzband/django-redis#configure-as-cache-backend"####,
    ],
    check: Check::Django,
};

pub static DJ201: Rule = Rule {
    id: RuleId::DJ201,
    name: "session-cookie-not-secure",
    severity: Severity::Warning,
    fix: FixAvailability::Unsafe,
    hardening: true,
    category: Category::Security,
    summary: r####"The session cookie is sent over plain HTTP"####,
    explanation: r####"`SESSION_COOKIE_SECURE` is False by default: the browser also sends the session cookie over HTTP,
where it can be read on the network. `manage.py check --deploy` reports it as security.W012."####,
    example: r####"SESSION_COOKIE_SECURE = False"####,
    fix_description: r####"Unsafe: `SESSION_COOKIE_SECURE = True` (a site or dev server on plain HTTP then loses its sessions)."####,
    references: &[
        r####"https://docs.djangoproject.com/en/5.1/ref/settings/#session-cookie-secure"####,
    ],
    check: Check::Django,
};

pub static DJ202: Rule = Rule {
    id: RuleId::DJ202,
    name: "session-cookie-not-httponly",
    severity: Severity::Warning,
    fix: FixAvailability::Safe,
    hardening: true,
    category: Category::Security,
    summary: r####"JavaScript can read the session cookie"####,
    explanation: r####"`SESSION_COOKIE_HTTPONLY = False` lets any script in the page read the session cookie: one XSS bug
steals every session."####,
    example: r####"SESSION_COOKIE_HTTPONLY = False"####,
    fix_description: r####"Safe: `SESSION_COOKIE_HTTPONLY = True`."####,
    references: &[
        r####"https://docs.djangoproject.com/en/5.1/ref/settings/#session-cookie-httponly"####,
    ],
    check: Check::Django,
};
