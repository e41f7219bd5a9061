//! Oracle test: redline's reading of Flask apps against Flask 3.1.3, Flask-Session 0.8.0 and
//! redis-py 8.1 importing them (`.ci/run` installs them with pip). Each app of
//! `fixtures/oracle/flask/` is imported with an empty environment and no network: the config
//! keys Flask-Session reads, its session interface, the Redis client's connection arguments and
//! key prefix, and the Set-Cookie of a request through Flask's test client (the client's Redis
//! calls answered by a stand-in) are compared with what redline resolved. A second pass sets the
//! variables a case lists in `env_false` to "False" (FL203). Where a case ships a redis.conf, the
//! real redis-server is started on a private socket and pinged with the app's own client
//! credentials: XS101 must fire exactly when that fails with an authentication error.

mod common;

use common::*;
use redline::model::flask::{self, FlaskConfig, SessionRedis};
use redline::source::Sources;
use std::path::{Path, PathBuf};
use std::process::Command;

const SCRIPT: &str = r#"
import importlib, json, os, sys, warnings
os.environ.clear()
for name in sys.argv[2].split(",") if sys.argv[2] else []:
    os.environ[name] = "False"
try:
    import flask, flask_session, redis
except ImportError:
    print(json.dumps({"missing": True}))
    sys.exit(0)
warnings.simplefilter("ignore")
sys.path.insert(0, os.getcwd())
module = importlib.import_module("app")
app = module.app if hasattr(module, "app") else module.create_app()
iface = app.session_interface
out = {"interface": type(iface).__name__}
for key in ["SESSION_TYPE", "SESSION_KEY_PREFIX", "SESSION_COOKIE_SECURE",
            "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "SECRET_KEY"]:
    value = app.config.get(key)
    out[key] = value if isinstance(value, (str, int, bool, type(None))) else repr(value)
client = getattr(iface, "client", None)
if client is not None:
    kw = client.connection_pool.connection_kwargs
    out["client"] = {
        "host": kw.get("host"), "port": kw.get("port"), "db": kw.get("db"),
        "password": kw.get("password"), "username": kw.get("username"), "path": kw.get("path"),
        "ssl": client.connection_pool.connection_class.__name__ == "SSLConnection",
    }
    out["key_prefix"] = iface.key_prefix
    if sys.argv[1]:
        try:
            redis.Redis(unix_socket_path=sys.argv[1], password=kw.get("password"),
                        username=kw.get("username")).ping()
            out["ping"] = "ok"
        except redis.exceptions.AuthenticationError:
            out["ping"] = "auth"
        except redis.exceptions.ResponseError as e:
            out["ping"] = "auth" if ("NOAUTH" in str(e) or "WRONGPASS" in str(e)) else str(e)

    class StandIn:
        def get(self, *a, **k): return None
        def set(self, *a, **k): return True
        def delete(self, *a, **k): return 1
    iface.client = StandIn()

@app.route("/__oracle")
def oracle_view():
    flask.session["k"] = "v"
    return "ok"

out["set_cookie"] = app.test_client().get("/__oracle").headers.get("Set-Cookie")
print(json.dumps(out, default=str))
"#;

/// The python3 that has the packages: the oracle is skipped loudly when they are missing.
fn run_app(
    python: &Path,
    dir: &Path,
    socket: Option<&Path>,
    false_vars: &[String],
) -> Option<serde_json::Value> {
    let out = Command::new(python)
        .args(["-c", SCRIPT])
        .arg(
            socket
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
        )
        .arg(false_vars.join(","))
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let reply: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: no JSON ({e}): {}",
            dir.display(),
            String::from_utf8_lossy(&out.stdout)
        )
    });
    if reply.get("missing").is_some() {
        oracle_missing("Flask, Flask-Session and redis-py for python3 (pip install Flask==3.1.3 Flask-Session==0.8.0 redis==8.1.0)");
        return None;
    }
    Some(reply)
}

/// What redline resolved for the app module of a case.
fn app_config(dir: &Path) -> FlaskConfig {
    let mut sources = Sources::new();
    let file = sources.load(&dir.join("app.py")).unwrap();
    let (stack, _) = flask::load(&mut sources, &[file]);
    assert!(
        stack.errors.is_empty(),
        "{}: {:?}",
        dir.display(),
        stack.errors
    );
    stack
        .configs
        .into_iter()
        .find(|c| c.label == "Flask app")
        .unwrap_or_else(|| panic!("{}: redline found no Flask app", dir.display()))
}

fn cookie_has(set_cookie: &str, attribute: &str) -> bool {
    set_cookie
        .split(';')
        .map(|p| p.trim().split('=').next().unwrap_or(""))
        .any(|name| name.eq_ignore_ascii_case(attribute))
}

fn cases() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures().join("oracle/flask"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    dirs
}

fn rules_fired(dir: &Path, rule: &str) -> usize {
    let out = run(
        dir,
        &[
            "check",
            "--no-config",
            "--all-environments",
            "--format",
            "json",
            "--select",
            rule,
            ".",
        ],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    rules_of(&json(&out)).iter().filter(|r| *r == rule).count()
}

#[test]
fn flask_apps_match_flask_session() {
    let Some(python) = oracle("python3") else {
        return;
    };
    let redis_server = oracle("redis-server");
    let mut compared = 0;
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(&name);
        for entry in walkdir::WalkDir::new(&case).min_depth(1) {
            let entry = entry.unwrap();
            let target = dir.join(entry.path().strip_prefix(&case).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
        let conf = dir.join("redis.conf");
        let server = match (&redis_server, conf.is_file()) {
            (Some(binary), true) => match Server::start(binary, &conf, false) {
                Started::Running(s) => Some(s),
                Started::Refused(why) => panic!("{name}: redis-server refused its config: {why}"),
            },
            _ => None,
        };
        let Some(theirs) = run_app(
            &python,
            &dir,
            server.as_ref().map(|s| s.socket.as_path()),
            &[],
        ) else {
            return;
        };
        let ours = app_config(&dir);
        // The session backend and its key prefix.
        let session_type = ours.session_type().expect("SESSION_TYPE known");
        assert_eq!(
            Some(session_type.as_str()),
            theirs["SESSION_TYPE"]
                .as_str()
                .map(str::to_lowercase)
                .as_deref(),
            "{name}: SESSION_TYPE"
        );
        let redis_backend = theirs["interface"] == "RedisSessionInterface";
        assert_eq!(session_type == "redis", redis_backend, "{name}: {theirs}");
        if redis_backend {
            assert_eq!(
                ours.key_prefix().as_deref(),
                theirs["key_prefix"].as_str(),
                "{name}: key prefix"
            );
            // The client: SESSION_REDIS read as redis-py reads it, or Flask-Session's `Redis()`.
            let client = match ours.session_redis() {
                Some(SessionRedis::Client(c)) => c,
                Some(SessionRedis::NotAClient(_)) | None => flask::RedisClient {
                    host: Some("localhost".into()),
                    port: Some(6379),
                    db: Some("0".into()),
                    password: Some(None),
                    ssl: Some(false),
                    ..Default::default()
                },
                Some(SessionRedis::Unknown) => {
                    panic!("{name}: redline could not read SESSION_REDIS")
                }
            };
            let t = &theirs["client"];
            match &client.socket {
                Some(path) => assert_eq!(Some(path.as_str()), t["path"].as_str(), "{name}: socket"),
                None => {
                    assert_eq!(client.host.as_deref(), t["host"].as_str(), "{name}: host");
                    assert_eq!(
                        client.port.map(u64::from),
                        t["port"].as_u64(),
                        "{name}: port"
                    );
                }
            }
            assert_eq!(
                client.db.as_deref().map(|d| d.parse::<u64>().unwrap()),
                t["db"].as_u64(),
                "{name}: db"
            );
            assert_eq!(
                client.password.clone().expect("password known"),
                t["password"].as_str().map(str::to_string),
                "{name}: password"
            );
            assert_eq!(client.ssl, t["ssl"].as_bool(), "{name}: ssl");
            if server.is_some() {
                let auth_failed = theirs["ping"] == "auth";
                assert!(theirs["ping"] == "ok" || auth_failed, "{name}: {theirs}");
                assert_eq!(
                    rules_fired(&dir, "XS101") > 0,
                    auth_failed,
                    "{name}: XS101 against a real PING: {theirs}"
                );
            }
        }
        // The cookie: `Secure` and `HttpOnly` as redline resolved the flags, with an empty
        // environment (an environment read without a default is then None).
        let set_cookie = theirs["set_cookie"].as_str().expect("a session cookie");
        for (key, attribute, default) in [
            ("SESSION_COOKIE_SECURE", "Secure", false),
            ("SESSION_COOKIE_HTTPONLY", "HttpOnly", true),
        ] {
            let expected = match ours.get(key) {
                None => default,
                Some(s) => match &s.expr {
                    redline::syntax::python::PyExpr::Env { default: None, .. } => false,
                    _ => redline::model::django::truthy(&s.value).expect("flag known"),
                },
            };
            assert_eq!(
                cookie_has(set_cookie, attribute),
                expected,
                "{name}: {key}: {set_cookie}"
            );
        }
        let samesite_none = set_cookie.contains("SameSite=None");
        assert_eq!(
            rules_fired(&dir, "FL204") > 0,
            samesite_none,
            "{name}: FL204: {set_cookie}"
        );
        // FL203: with each listed variable set to "False", the flag is still written.
        if let Ok(vars) = std::fs::read_to_string(dir.join("env_false")) {
            let vars: Vec<String> = vars.lines().map(str::to_string).collect();
            let Some(second) = run_app(&python, &dir, None, &vars) else {
                return;
            };
            let cookie = second["set_cookie"].as_str().expect("a session cookie");
            let still_on = ["Secure", "HttpOnly"]
                .iter()
                .filter(|a| cookie_has(cookie, a))
                .count();
            assert_eq!(
                rules_fired(&dir, "FL203"),
                still_on,
                "{name}: FL203 with {vars:?} = \"False\": {cookie}"
            );
        }
        compared += 1;
        drop(server);
    }
    assert!(compared >= 5, "compared {compared} apps");
}

/// Two apps on one database with one key prefix read each other's sessions (XS102), and a
/// distinct prefix keeps them apart: checked through the redline stack.
#[test]
fn two_apps_one_prefix_share_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let app = |prefix: &str| {
        format!("import redis\nfrom flask import Flask\nfrom flask_session import Session\n\napp = Flask(__name__)\napp.config['SESSION_TYPE'] = 'redis'\napp.config['SESSION_REDIS'] = redis.Redis(host='127.0.0.1', port=6379, db=1)\n{prefix}Session(app)\n")
    };
    write(dir.path(), "redis.conf", "bind 127.0.0.1\nport 6379\n");
    write(dir.path(), "shop/app.py", app(""));
    write(dir.path(), "admin/app.py", app(""));
    assert_eq!(rules_fired(dir.path(), "XS102"), 1);
    write(
        dir.path(),
        "admin/app.py",
        app("app.config['SESSION_KEY_PREFIX'] = 'admin:'\n"),
    );
    assert_eq!(rules_fired(dir.path(), "XS102"), 0);
}
