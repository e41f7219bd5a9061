//! No secret in any output: every format, diffs, stack views, baselines and fingerprints.

use crate::common::*;
use std::path::Path;

// Secrets
//
// Every output of every command over the tree is searched for the secret: the report in each
// format, the fix diff (safe and unsafe fixes), the stack views and a written baseline, with
// stdout, stderr and every written file.

/// Every output redline makes of the tree at `dir`, one entry per run or written file.
fn all_outputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut outputs = Vec::new();
    let mut record = |what: String, out: std::process::Output| {
        outputs.push((format!("{what} (stdout)"), out.stdout));
        outputs.push((format!("{what} (stderr)"), out.stderr));
    };
    for format in ["text", "json", "sarif", "github", "gitlab", "junit"] {
        let out = run(dir, &["check", "--no-config", "--format", format, "."]);
        record(format!("check --format {format}"), out);
    }
    for extra in [&[][..], &["--unsafe-fixes"][..]] {
        let mut args = vec!["fix", "--no-config", "."];
        args.extend_from_slice(extra);
        record(args.join(" "), run(dir, &args));
    }
    for format in ["text", "json", "dot", "mermaid"] {
        let out = run(dir, &["stack", "--no-config", "--format", format, "."]);
        record(format!("stack --format {format}"), out);
    }
    let written = tempfile::tempdir().unwrap();
    let baseline = written.path().join("baseline.json");
    let sarif = written.path().join("report.sarif");
    let out = run(
        dir,
        &[
            "check",
            "--no-config",
            "--write-baseline",
            baseline.to_str().unwrap(),
            "--report",
            &format!("sarif={}", sarif.display()),
            ".",
        ],
    );
    record("check --write-baseline".into(), out);
    for file in [baseline, sarif] {
        let bytes = std::fs::read(&file).unwrap_or_default();
        outputs.push((file.display().to_string(), bytes));
    }
    outputs
}

/// Assert that none of `secrets` appears in any output of the tree, and that the run saw the
/// files at all (a finding whose rule starts with `seen` is reported).
fn assert_no_secret(dir: &Path, secrets: &[&str], seen: &str) {
    let report = json(&run(
        dir,
        &["check", "--no-config", "--format", "json", "."],
    ));
    let rules = rules_of(&report);
    assert!(
        rules.iter().any(|r| r.starts_with(seen)),
        "no {seen} finding: the tree was not audited as expected ({rules:?})"
    );
    let outputs = all_outputs(dir);
    for (what, bytes) in &outputs {
        let text = String::from_utf8_lossy(bytes);
        for secret in secrets {
            assert!(
                !text.contains(secret),
                "{what} holds the secret {secret:?}:\n{text}"
            );
        }
    }
}

const STRONG: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

#[test]
fn secret_lv002_quoting_fix_and_lv001_message_hold_no_env_password() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app/artisan", "");
    write(
        dir.path(),
        "app/.env",
        "SESSION_DRIVER=redis\nREDIS_HOST=127.0.0.1\nREDIS_PASSWORD=pass word\n",
    );
    assert_no_secret(dir.path(), &["pass word", "[pass", "word]"], "LV001");
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app/artisan", "");
    write(
        dir.path(),
        "app/.env",
        "SESSION_DRIVER=redis\nREDIS_PASSWORD=hunter2x#frag\n",
    );
    assert_no_secret(dir.path(), &["hunter2x"], "LV");
}

#[test]
fn secret_dj105_percent_encoding_fix_holds_no_password() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "proj/settings.py",
        "CACHES = {\n    'default': {\n        'BACKEND': 'django.core.cache.backends.redis.RedisCache',\n        'LOCATION': 'redis://:pa%ss#wd/x@10.0.0.5:6379/1',\n    }\n}\nSESSION_ENGINE = 'django.contrib.sessions.backends.cache'\n",
    );
    assert_no_secret(dir.path(), &["pa%ss", "ss#wd", "wd/x", "pa%25ss"], "DJ");
}

#[test]
fn secret_encoded_auth_key_in_save_path_is_masked() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "php/php.ini",
        "[Session]\nsession.save_handler = redis\nsession.save_path = \"tcp://127.0.0.1:6379?%61uth=s3cretpw&database=2\"\n",
    );
    assert_no_secret(dir.path(), &["s3cretpw"], "PHP");
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "php/php.ini",
        "[Session]\nsession.save_handler = redis\nsession.save_path = \"tcp://app:s3cretpw@127.0.0.1:6379?auth[pass]=0therpw1\"\n",
    );
    assert_no_secret(dir.path(), &["s3cretpw", "0therpw1"], "PHP");
}

#[test]
fn secret_save_path_cut_by_a_syntax_error_is_masked() {
    // Unquoted, PHP stops at the `=` after `auth` (PHP001) and keeps `...?auth`: the password
    // is past the value PHP reads, but still in the line every excerpt and diff shows.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "php/php.ini",
        "[Session]\nsession.save_handler = redis\nsession.save_path = tcp://127.0.0.1:6379?auth=Cut5ecretPw!&database=0\n",
    );
    assert_no_secret(dir.path(), &["Cut5ecretPw"], "PHP");
}

#[test]
fn secret_django_location_query_password_and_fallback_are_masked() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "proj/settings.py",
        "import os\nCACHES = {\n    'default': {\n        'BACKEND': 'django_redis.cache.RedisCache',\n        'LOCATION': 'redis://10.0.0.5:6379/0?password=qu3rypw',\n    },\n    'other': {\n        'BACKEND': 'django_redis.cache.RedisCache',\n        'LOCATION': 'redis://10.0.0.6:6379/0',\n        'OPTIONS': {'PASSWORD': os.environ.get('REDIS_PW', 'f4llbackpw')},\n    },\n}\nSESSION_ENGINE = 'django.contrib.sessions.backends.cache'\n",
    );
    assert_no_secret(dir.path(), &["qu3rypw", "f4llbackpw"], "DJ");
}

#[test]
fn secret_multiline_env_value_and_url_password_stay_out_of_diffs() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app/artisan", "");
    write(
        dir.path(),
        "app/.env",
        "SESSION_DRIVER=redis\nREDIS_PASSWORD=\"firstl1ne\nsecondl1ne\"\nREDIS_URL=redis://10.0.0.5:6379?password=urlpassw0rd\nCACHE_URL=redis://u:userinf0pw@10.0.0.5:6379\nSESSION_SECURE_COOKIE=false\n",
    );
    assert_no_secret(
        dir.path(),
        &["firstl1ne", "secondl1ne", "urlpassw0rd", "userinf0pw"],
        "LV",
    );
}

#[test]
fn secret_commented_out_passwords_stay_out_of_diffs() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "redis.conf",
        "# requirepass 0ldpassword\nport 6379\n#user app on >c0mmentedpw ~* +@all\n# masterauth c0mmentedauth\nappendfsync no\nprotected-mode no\n",
    );
    assert_no_secret(
        dir.path(),
        &["0ldpassword", "c0mmentedpw", "c0mmentedauth"],
        "RD",
    );
}

#[test]
fn secret_commented_out_client_passwords_stay_out_of_diffs() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app/artisan", "");
    write(
        dir.path(),
        "app/.env",
        "SESSION_DRIVER=redis\n# REDIS_PASSWORD=0ldenvpw\n#REDIS_URL=redis://u:0ldurlpw@h\nSESSION_SECURE_COOKIE=false\n",
    );
    write(
        dir.path(),
        "php/php.ini",
        "[Session]\nsession.save_handler = redis\n;session.save_path = \"tcp://10.0.0.9:6379?auth=0ldinipw\"\nsession.save_path = \"tls://10.0.0.9:6379?database=2\"\n",
    );
    write(
        dir.path(),
        "proj/settings.py",
        "CACHES = {'default': {'BACKEND': 'django_redis.cache.RedisCache', 'LOCATION': 'rediss://10.0.0.5:6379/1'}}\nSESSION_ENGINE = 'django.contrib.sessions.backends.cache'\n# 'PASSWORD': '0ldpypw',\n",
    );
    assert_no_secret(
        dir.path(),
        &["0ldenvpw", "0ldurlpw", "0ldinipw", "0ldpypw"],
        "LV",
    );
}

#[test]
fn secret_baselines_and_fingerprints_hold_no_value() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "sentinel.conf",
        "port 26379\nsentinel monitor mymaster 127.0.0.1 6379 2\nsentinel auth-pass mymaster sh0rtpw\nsentinel sentinel-pass sh0rtpw\n",
    );
    write(
        dir.path(),
        "proj/settings.py",
        "CACHES = {'default': {'BACKEND': 'django.core.cache.backends.redis.RedisCache', 'LOCATION': 'redis://:sh0rtpw@10.0.0.5:6379/1'}}\nSESSION_ENGINE = 'django.contrib.sessions.backends.cache'\n",
    );
    assert_no_secret(dir.path(), &["sh0rtpw"], "XS201");
    // A fingerprint is the hash of rule, path and setting name: no hash of a key that holds
    // the password can be one.
    let out = run(
        dir.path(),
        &["check", "--no-config", "--format", "sarif", "."],
    );
    let sarif = json(&out);
    let text = sarif.to_string();
    for prefix in [
        "sentinel sentinel-pass sh0rtpw",
        "'LOCATION': 'redis://:sh0rtpw@10.0.0.5:6379/1'",
    ] {
        for n in 0..4 {
            for rule in ["XS201", "SN", "DJ"] {
                for path in ["sentinel.conf", "proj/settings.py"] {
                    let key = format!("{rule}\0{path}\0{prefix}\0{n}");
                    let hash = redline::secret::sha256_hex(key.as_bytes());
                    assert!(!text.contains(&hash[..32]));
                }
            }
        }
    }
    let written = tempfile::tempdir().unwrap();
    let baseline = written.path().join("b.json");
    run(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--write-baseline",
            baseline.to_str().unwrap(),
            ".",
        ],
    );
    let entries: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&baseline).unwrap()).unwrap();
    let settings: Vec<&str> = entries["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["setting"].as_str().unwrap())
        .collect();
    assert!(settings.contains(&"sentinel sentinel-pass"), "{settings:?}");
    assert!(
        settings.contains(&"sentinel auth-pass mymaster"),
        "{settings:?}"
    );
    assert!(
        settings.contains(&"CACHES.default.LOCATION"),
        "{settings:?}"
    );
}

#[test]
fn secret_rotation_edits_the_literal_never_an_equal_text() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "proj/settings.py",
        "SECRET_KEY = \"shortpw\"\nCACHES = {'default': {'BACKEND': 'django_redis.cache.RedisCache', 'LOCATION': 'redis://10.0.0.5:6379/1', 'OPTIONS': {'PASSWORD': \"short\" + \"pw\"}}}\nSESSION_ENGINE = 'django.contrib.sessions.backends.cache'\n",
    );
    write(
        dir.path(),
        "redis.conf",
        "bind 10.0.0.5\nport 6379\nrequirepass shortpw\n",
    );
    assert_no_secret(dir.path(), &["shortpw", "\"short\"", "\"pw\""], "XS201");
    let out = run(
        dir.path(),
        &["fix", "--no-config", "--unsafe-fixes", "--write", "."],
    );
    let settings = std::fs::read_to_string(dir.path().join("proj/settings.py")).unwrap();
    assert!(
        settings.starts_with("SECRET_KEY = \"shortpw\"\n"),
        "SECRET_KEY was edited: {settings}\n{}",
        stderr(&out)
    );
    // The concatenated password is reported, and not rotated (editing one piece would be wrong).
    let report = json(&run(
        dir.path(),
        &["check", "--no-config", "--format", "json", "."],
    ));
    let _ = STRONG;
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "XS201"
            && f["path"] == "proj/settings.py"
            && f["message"].as_str().unwrap().contains("not rotated")));
}

#[test]
fn secret_django_rotation_edits_an_environment_default() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "proj/settings.py",
        "import os\nPW = 'x'\nCACHES = {'default': {'BACKEND': 'django_redis.cache.RedisCache', 'LOCATION': 'redis://10.0.0.5:6379/1', 'OPTIONS': {'PASSWORD': os.environ.get('REDIS_PW', 'weakpw')}}}\nSESSION_ENGINE = 'django.contrib.sessions.backends.cache'\n",
    );
    write(
        dir.path(),
        "redis.conf",
        "bind 10.0.0.5\nport 6379\nrequirepass weakpw\n",
    );
    let out = run(
        dir.path(),
        &["fix", "--no-config", "--unsafe-fixes", "--write", "."],
    );
    let settings = std::fs::read_to_string(dir.path().join("proj/settings.py")).unwrap();
    let conf = std::fs::read_to_string(dir.path().join("redis.conf")).unwrap();
    assert!(
        !settings.contains("weakpw") && !conf.contains("weakpw"),
        "{settings}\n{conf}\n{}",
        stderr(&out)
    );
    let new = conf
        .lines()
        .find_map(|l| l.strip_prefix("requirepass "))
        .unwrap();
    assert!(
        settings.contains(&format!("os.environ.get('REDIS_PW', '{new}')")),
        "{settings}"
    );
    assert!(!stdout(&out).contains(new) && !stderr(&out).contains(new));
}

#[test]
fn secret_sentinel_password_in_a_short_or_set_line_is_masked() {
    // `sentinel auth-pass PW` (no master) and `sentinel set M auth-pass PW` are refused lines:
    // the password is in their excerpts, and must not name the setting (baselines, fingerprints).
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "sentinel.conf",
        "sentinel monitor m 127.0.0.1 6379 2\nsentinel auth-pass Short5ecretPw\nsentinel set m auth-pass Set5ecretPw\n",
    );
    assert_no_secret(dir.path(), &["Short5ecretPw", "Set5ecretPw"], "SN001");
}

#[test]
fn secret_django_location_built_from_pieces_is_masked() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "settings.py",
        concat!(
            "import os\n",
            "SESSION_ENGINE = \"django.contrib.sessions.backends.cache\"\n",
            "PW = os.environ.get(\"PW\", \"Dflt5ecret\")\n",
            "CACHES = {\n",
            "    \"default\": {\"BACKEND\": \"django_redis.cache.RedisCache\", \"LOCATION\": \"redis://:\" + \"Piece5ecret\" + \"@10.0.0.5:6379/1\"},\n",
            "    \"b\": {\"BACKEND\": \"django_redis.cache.RedisCache\", \"LOCATION\": \"redis://:%s@10.0.0.6:6379/1\" % \"Pct5ecret\"},\n",
            "    \"c\": {\"BACKEND\": \"django_redis.cache.RedisCache\", \"LOCATION\": \"redis://:{}@10.0.0.7:6379/1\".format(\"Fmt5ecret\")},\n",
            "}\n",
        ),
    );
    assert_no_secret(dir.path(), &["Piece5ecret", "Pct5ecret", "Fmt5ecret"], "DJ");
}

#[test]
fn secret_password_rule_on_a_refused_acl_line_is_masked() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "redis.conf",
        "aclfile users.acl\nbind 127.0.0.1\n",
    );
    write(
        dir.path(),
        "users.acl",
        "user default on >0123456789abcdef0123456789abcdef ~* +@all\n  >Junk5ecretPw ~* +@all\n",
    );
    assert_no_secret(dir.path(), &["Junk5ecretPw"], "RD001");
}

#[test]
fn secret_renamed_command_names_stay_out_of_diffs() {
    // The new name of a renamed command lets whoever knows it run the command: masked in the
    // context of the appendonly fix two lines below, and in the Sentinel fix that copies it.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "redis.conf",
        "bind 127.0.0.1\nrename-command CONFIG Ren5ecretName0123\nrequirepass 0123456789abcdef0123456789abcdef\nappendonly no\n",
    );
    write(
        dir.path(),
        "sentinel.conf",
        "port 26379\nsentinel monitor m 127.0.0.1 6379 2\nsentinel auth-pass m 0123456789abcdef0123456789abcdef\n",
    );
    assert_no_secret(dir.path(), &["Ren5ecretName"], "RD");
}

#[test]
fn secret_express_passwords_and_session_secrets_are_masked_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "shop/package.json",
        r#"{"dependencies":{"express-session":"^1.19.0","connect-redis":"^7.1.1","ioredis":"^5.9.2","redis":"^4.7.0","dotenv":"^16.0.0"}}"#,
    );
    write(
        dir.path(),
        "shop/.env",
        "REDIS_URL=redis://:envpw-q8z@10.0.0.7:6379/1\nSESSION_SECRET=envsecret-q8z\n",
    );
    // A password under a name that says nothing, a URL with a # in its password (NJ103 fix),
    // a literal secret and a fallback one.
    write(
        dir.path(),
        "shop/app.js",
        "require('dotenv').config();\nconst session = require('express-session');\nconst RedisStore = require('connect-redis').default;\nconst Redis = require('ioredis');\nconst { createClient } = require('redis');\nconst k = 'plainpw-q8z';\nconst a = new Redis(6380, '10.0.0.8', { password: k });\nconst b = createClient({ url: 'redis://:url#pw-q8z@10.0.0.9:6379/2' });\nconst c = createClient({ url: process.env.REDIS_URL });\napp.use(session({ store: new RedisStore({ client: a }), secret: 'litsecret-q8z' }));\napp.use(session({ store: new RedisStore({ client: b }), secret: process.env.X || 'fallback-q8z' }));\napp.use(session({ store: new RedisStore({ client: c }), secret: process.env.SESSION_SECRET }));\n",
    );
    assert_no_secret(
        dir.path(),
        &[
            "plainpw-q8z",
            "url#pw",
            "url%23pw",
            "envpw-q8z",
            "envsecret-q8z",
            "litsecret-q8z",
            "fallback-q8z",
        ],
        "NJ",
    );
}

#[test]
fn secret_python_environment_writes_stay_out_of_diffs() {
    // Settings that put a password into the environment for another library: shown as the
    // context of the DJ201 fix appended after them.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "settings.py",
        concat!(
            "import os\n",
            "SESSION_ENGINE = \"django.contrib.sessions.backends.cache\"\n",
            "CACHES = {\"default\": {\"BACKEND\": \"django_redis.cache.RedisCache\", \"LOCATION\": \"redis://10.0.0.5:6379/1\"}}\n",
            "os.environ['REDIS_PASSWORD'] = 'Envset5ecret'\n",
            "os.environ.setdefault(\"CACHE_PASSWORD\", \"Setdef5ecret\")\n",
            "os.putenv('BROKER_PASS', 'Putenv5ecret')\n",
        ),
    );
    assert_no_secret(
        dir.path(),
        &["Envset5ecret", "Setdef5ecret", "Putenv5ecret"],
        "DJ",
    );
}

#[test]
fn secret_python_url_built_around_a_name_is_masked() {
    // The password comes from a name assigned a literal earlier: that literal is the secret.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "settings.py",
        concat!(
            "PW = 'Named5ecret'\n",
            "SESSION_ENGINE = \"django.contrib.sessions.backends.cache\"\n",
            "CACHES = {\"default\": {\"BACKEND\": \"django_redis.cache.RedisCache\", \"LOCATION\": \"redis://:\" + PW + \"@10.0.0.5:6379/1\"}}\n",
        ),
    );
    assert_no_secret(dir.path(), &["Named5ecret"], "DJ");
}

#[test]
fn secret_express_session_secret_under_a_plain_name_is_masked() {
    // NJ205 points at the literal the secret comes from, whatever its variable is called.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "shop/package.json",
        r#"{"dependencies":{"express-session":"^1.19.0","connect-redis":"^7.1.1","ioredis":"^5.9.2"}}"#,
    );
    write(
        dir.path(),
        "shop/app.js",
        "const session = require('express-session');\nconst RedisStore = require('connect-redis').default;\nconst Redis = require('ioredis');\nconst S = 'Sess5ecretVal';\nconst client = new Redis({ host: '127.0.0.1' });\nmodule.exports = (app) => app.use(session({ store: new RedisStore({ client }), secret: S, resave: false, saveUninitialized: false }));\n",
    );
    assert_no_secret(dir.path(), &["Sess5ecretVal"], "NJ205");
}

#[test]
fn secret_kubernetes_env_password_stays_out_of_diffs() {
    // The RD301 fix of `--appendonly no` shows the `env` entry below it as context.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "redis.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: sessions\nspec:\n  selector:\n    matchLabels:\n      app: sessions\n  template:\n    metadata:\n      labels:\n        app: sessions\n    spec:\n      containers:\n        - name: redis\n          image: redis:7.0\n          command: [\"redis-server\", \"--appendonly\", \"no\"]\n          env:\n            - name: REDIS_PASSWORD\n              value: Kenv5ecret\n",
    );
    assert_no_secret(dir.path(), &["Kenv5ecret"], "RD301");
}
