//! PHP, Laravel and Django files from real repositories: what made the report wrong or noisy.

mod common;

use common::*;

#[test]
fn findings_on_a_value_php_cut_say_why_and_come_after_php001() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "php.ini",
        "[Session]\nsession.save_handler = redis\nsession.save_path = tcp://127.0.0.1:6379?auth=0123456789abcdef0123456789abcdef&database=2\n",
    );
    let out = run(dir.path(), &["check", "--no-config", "--format", "json"]);
    let report = json(&out);
    let on_line_3: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["line"] == 3)
        .collect();
    let rules: Vec<&str> = on_line_3
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules.first(), Some(&"PHP001"), "{rules:?}");
    for f in &on_line_3[1..] {
        let message = f["message"].as_str().unwrap();
        assert!(
            message.contains("PHP stops at the syntax error on this line"),
            "{message}"
        );
    }
    assert!(rules.contains(&"PHP102"), "{rules:?}");
}

#[test]
fn xs103_names_each_client_role_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "redis.conf", "bind 127.0.0.1\nappendonly yes\n");
    write(dir.path(), "shop/artisan", "");
    write(
        dir.path(),
        "shop/.env",
        "SESSION_DRIVER=redis\nCACHE_STORE=redis\nCACHE_DRIVER=redis\nREDIS_HOST=127.0.0.1\nREDIS_DB=1\nREDIS_CACHE_DB=2\n",
    );
    let out = run(dir.path(), &["check", "--no-config", "--format", "json"]);
    let report = json(&out);
    let xs103 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "XS103")
        .expect("XS103");
    for r in xs103["related"].as_array().unwrap() {
        let m = r["message"].as_str().unwrap();
        assert!(
            !m.contains("(sessions) (sessions)") && !m.contains("(cache) (cache)"),
            "{m}"
        );
    }
}

fn laravel(
    dir: &std::path::Path,
    env: &str,
    session_php: Option<&str>,
    database_php: Option<&str>,
) {
    write(dir, "app/artisan", "");
    write(dir, "app/.env", env);
    write(
        dir,
        "app/composer.json",
        "{\"require\": {\"laravel/framework\": \"^11.0\"}}",
    );
    if let Some(text) = session_php {
        write(dir, "app/config/session.php", text);
    }
    if let Some(text) = database_php {
        write(dir, "app/config/database.php", text);
    }
}

fn findings(dir: &std::path::Path) -> Vec<serde_json::Value> {
    let out = run(dir, &["check", "--no-config", "--format", "json"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    json(&out)["findings"].as_array().unwrap().clone()
}

fn with_rule<'a>(found: &'a [serde_json::Value], rule: &str) -> Vec<&'a serde_json::Value> {
    found.iter().filter(|f| f["rule"] == rule).collect()
}

#[test]
fn a_slim_laravel_11_session_config_is_merged_over_the_framework_s() {
    // Laravel 11 apps may keep only what they change; the framework's file fills the rest.
    let slim = "<?php\n\nreturn [\n    'lifetime' => 240,\n];\n";
    let dir = tempfile::tempdir().unwrap();
    laravel(
        dir.path(),
        "SESSION_DRIVER=redis\nSESSION_SECURE_COOKIE=true\nREDIS_PASSWORD=0123456789abcdef0123456789abcdef\n",
        Some(slim),
        None,
    );
    assert!(with_rule(&findings(dir.path()), "LV104").is_empty());

    let dir = tempfile::tempdir().unwrap();
    laravel(
        dir.path(),
        "SESSION_DRIVER=redis\nSESSION_SECURE_COOKIE=true\nSESSION_HTTP_ONLY=false\nREDIS_PASSWORD=0123456789abcdef0123456789abcdef\n",
        Some(slim),
        None,
    );
    let found = findings(dir.path());
    let lv105 = with_rule(&found, "LV105");
    assert_eq!(lv105.len(), 1, "{found:#?}");
    assert_eq!(lv105[0]["path"], "app/.env");
}

#[test]
fn a_vendored_framework_config_is_what_the_slim_file_merges_over() {
    let dir = tempfile::tempdir().unwrap();
    laravel(
        dir.path(),
        "SESSION_DRIVER=redis\nREDIS_PASSWORD=0123456789abcdef0123456789abcdef\n",
        Some("<?php\nreturn ['lifetime' => 240];\n"),
        None,
    );
    // This framework reads a variable of its own for `secure`.
    write(
        dir.path(),
        "app/vendor/laravel/framework/config/session.php",
        "<?php\nreturn ['driver' => env('SESSION_DRIVER', 'database'), 'secure' => env('FRAMEWORK_SECURE', true), 'http_only' => true];\n",
    );
    assert!(with_rule(&findings(dir.path()), "LV104").is_empty());
}

#[test]
fn lv104_names_the_variable_the_app_reads_and_stays_silent_on_expressions() {
    let renamed = "<?php\nreturn [\n    'driver' => env('SESSION_DRIVER', 'file'),\n    'secure' => env('SECURE_COOKIES', false),\n];\n";
    let dir = tempfile::tempdir().unwrap();
    laravel(
        dir.path(),
        "SESSION_DRIVER=redis\nSECURE_COOKIES=false\nREDIS_PASSWORD=0123456789abcdef0123456789abcdef\n",
        Some(renamed),
        None,
    );
    let found = findings(dir.path());
    let lv104 = with_rule(&found, "LV104");
    assert_eq!(lv104.len(), 1, "{found:#?}");
    let message = lv104[0]["message"].as_str().unwrap();
    assert!(message.contains("`SECURE_COOKIES`"), "{message}");
    assert!(!message.contains("SESSION_SECURE_COOKIE"), "{message}");
    let fix = lv104[0]["fix"]["description"].as_str().unwrap();
    assert!(fix.contains("SECURE_COOKIES=true"), "{fix}");

    // BookStack: the scheme of APP_URL decides; redline does not guess.
    let bookstack = "<?php\nreturn [\n    'driver' => env('SESSION_DRIVER', 'file'),\n    'secure' => env('SESSION_SECURE_COOKIE', str_starts_with(env('APP_URL', ''), 'https:')),\n];\n";
    let dir = tempfile::tempdir().unwrap();
    laravel(
        dir.path(),
        "SESSION_DRIVER=redis\nAPP_URL=https://wiki.example.com\nREDIS_PASSWORD=0123456789abcdef0123456789abcdef\n",
        Some(bookstack),
        None,
    );
    assert!(with_rule(&findings(dir.path()), "LV104").is_empty());
}

#[test]
fn a_database_config_with_code_before_return_is_read() {
    let coolify = "<?php\n\nuse Illuminate\\Support\\Str;\n\n$redis_prefix = function () { return ['not' => 'this']; };\nif (env('APP_ENV') === 'local') {\n    $x = 1;\n}\n\nreturn [\n    'redis' => [\n        'client' => env('REDIS_CLIENT', 'phpredis'),\n        'default' => [\n            'host' => env('REDIS_HOST', '127.0.0.1'),\n            'password' => env('REDIS_PASSWORD'),\n            'port' => env('REDIS_PORT', '6379'),\n            'database' => env('REDIS_DB', '0'),\n        ],\n        'cache' => [\n            'host' => env('REDIS_HOST', '127.0.0.1'),\n            'password' => env('REDIS_PASSWORD'),\n            'port' => env('REDIS_PORT', '6379'),\n            'database' => env('REDIS_CACHE_DB', '1'),\n        ],\n    ],\n];\n";
    let dir = tempfile::tempdir().unwrap();
    laravel(
        dir.path(),
        "SESSION_DRIVER=redis\nCACHE_STORE=redis\nREDIS_HOST=redis\n",
        None,
        Some(coolify),
    );
    let out = run(dir.path(), &["stack", "--no-config", "--format", "json"]);
    let text = stdout(&out);
    assert!(text.contains("Laravel connection `cache`"), "{text}");
    assert!(text.contains("Laravel connection `default`"), "{text}");
}

#[test]
fn a_password_in_the_redis_url_query_is_a_password() {
    let dir = tempfile::tempdir().unwrap();
    laravel(
        dir.path(),
        "SESSION_DRIVER=redis\nREDIS_URL=redis://10.0.0.5:6379?password=0123456789abcdef0123456789abcdef\n",
        None,
        None,
    );
    let found = findings(dir.path());
    assert!(with_rule(&found, "LV102").is_empty(), "{found:#?}");
}

#[test]
fn the_installed_laravel_version_in_composer_lock_decides_the_stock_config() {
    // composer.json allows 10 or 11; the lock file says 10, whose sessions default to `file`
    // and whose http_only is hard-coded true.
    let dir = tempfile::tempdir().unwrap();
    laravel(
        dir.path(),
        "SESSION_HTTP_ONLY=false\nSESSION_DRIVER=redis\n",
        None,
        None,
    );
    write(
        dir.path(),
        "app/composer.json",
        "{\"require\": {\"laravel/framework\": \"^11.0\"}}",
    );
    let found = findings(dir.path());
    assert_eq!(with_rule(&found, "LV105").len(), 1, "11: {found:#?}");
    write(
        dir.path(),
        "app/composer.lock",
        "{\"packages\": [{\"name\": \"laravel/framework\", \"version\": \"v10.48.4\"}]}",
    );
    let found = findings(dir.path());
    assert!(with_rule(&found, "LV105").is_empty(), "10: {found:#?}");
}

#[test]
fn config_files_are_found_where_the_app_keeps_them() {
    // An Application class that moves the config folder (as BookStack's does), and a config
    // that sets what LV105 judges.
    let dir = tempfile::tempdir().unwrap();
    laravel(
        dir.path(),
        "SESSION_DRIVER=redis\nREDIS_PASSWORD=0123456789abcdef0123456789abcdef\n",
        None,
        None,
    );
    write(
        dir.path(),
        "app/app/Kernel/Application.php",
        "<?php\nnamespace Wiki\\Kernel;\nclass Application extends \\Illuminate\\Foundation\\Application\n{\n    public function configPath($path = '')\n    {\n        return $this->basePath . DIRECTORY_SEPARATOR . 'app' . DIRECTORY_SEPARATOR . 'Settings' . ($path ? DIRECTORY_SEPARATOR . $path : $path);\n    }\n}\n",
    );
    write(
        dir.path(),
        "app/app/Settings/session.php",
        "<?php\nreturn ['driver' => env('SESSION_DRIVER', 'file'), 'http_only' => false];\n",
    );
    let found = findings(dir.path());
    let lv105 = with_rule(&found, "LV105");
    assert_eq!(lv105.len(), 1, "{found:#?}");
    assert_eq!(lv105[0]["path"], "app/app/Settings/session.php");

    // Laravel 11's useConfigPath in bootstrap/app.php.
    let dir = tempfile::tempdir().unwrap();
    laravel(
        dir.path(),
        "SESSION_DRIVER=redis\nREDIS_PASSWORD=0123456789abcdef0123456789abcdef\n",
        None,
        None,
    );
    write(
        dir.path(),
        "app/bootstrap/app.php",
        "<?php\n$app = Application::configure(basePath: dirname(__DIR__))->create();\n$app->useConfigPath(base_path('settings'));\nreturn $app;\n",
    );
    write(
        dir.path(),
        "app/settings/session.php",
        "<?php\nreturn ['driver' => env('SESSION_DRIVER', 'file'), 'http_only' => false];\n",
    );
    // A session.php elsewhere is not the app's config.
    write(
        dir.path(),
        "app/resources/session.php",
        "<?php\nreturn ['http_only' => false];\n",
    );
    let found = findings(dir.path());
    let lv105 = with_rule(&found, "LV105");
    assert_eq!(lv105.len(), 1, "{found:#?}");
    assert_eq!(lv105[0]["path"], "app/settings/session.php");
}

#[test]
fn no_line_is_appended_to_an_env_phpdotenv_refuses() {
    // After an unterminated quote, an appended `SESSION_SECURE_COOKIE=true` would land inside
    // the open value (and fixing never converged).
    let dir = tempfile::tempdir().unwrap();
    let text = "APP_ENV=production\nSESSION_DRIVER=redis\nX=\"unterminated\n";
    write(dir.path(), "app/artisan", "");
    write(dir.path(), "app/.env", text);
    let out = run(
        dir.path(),
        &["fix", "--no-config", "--write", "--unsafe-fixes"],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("app/.env")).unwrap(),
        text
    );
}

#[test]
fn many_users_sharing_a_weak_password_make_one_rotation() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "redis.conf",
        "port 6379\nbind 127.0.0.1\naclfile users.acl\n",
    );
    let users: String = (0..3000)
        .map(|i| format!("user u{i} on >changeme ~* +@all\n"))
        .collect();
    write(dir.path(), "users.acl", users);
    let found = findings(dir.path());
    let xs201 = with_rule(&found, "XS201");
    // Findings capped per rule and file; one carries the rotation, the others point at it.
    assert!(!xs201.is_empty());
    let with_fix = xs201.iter().filter(|f| !f["fix"].is_null()).count();
    assert_eq!(with_fix, 1, "{xs201:#?}");
}
