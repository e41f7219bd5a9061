//! The environment a file configures (rules.md, "Environments"): from its name and folders, or
//! from `[environments]` globs in redline.toml. Hardening rules are held back on development and
//! test files; rules about things that break the app are reported everywhere.

use glob::{MatchOptions, Pattern};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Environment {
    Production,
    Development,
    Test,
    /// A template deployments copy (`.env.example`): judged like production.
    Example,
}

impl Environment {
    pub fn parse(text: &str) -> Option<Environment> {
        match text {
            "production" => Some(Environment::Production),
            "development" => Some(Environment::Development),
            "test" => Some(Environment::Test),
            "example" => Some(Environment::Example),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::Development => "development",
            Environment::Test => "test",
            Environment::Example => "example",
        }
    }

    /// Whether hardening rules are held back on files of this environment.
    pub fn holds_back_hardening(self) -> bool {
        matches!(self, Environment::Development | Environment::Test)
    }
}

/// `[environments]` of redline.toml: the first glob that matches a file's shown path decides.
#[derive(Debug, Clone)]
pub struct EnvironmentGlob {
    pub pattern: Pattern,
    pub environment: Environment,
}

const TEST_FOLDERS: [&str; 4] = ["tests", "test", "spec", "fixtures"];

/// The environment of a file, from its path as shown (relative to the current folder,
/// `/`-separated).
pub fn of_path(shown: &str, globs: &[EnvironmentGlob]) -> Environment {
    let options = MatchOptions {
        case_sensitive: true,
        require_literal_separator: false,
        require_literal_leading_dot: false,
    };
    if let Some(g) = globs
        .iter()
        .find(|g| g.pattern.matches_with(shown, options))
    {
        return g.environment;
    }
    let mut parts: Vec<&str> = shown.split('/').filter(|p| !p.is_empty()).collect();
    let Some(name) = parts.pop() else {
        return Environment::Production;
    };
    let lower = name.to_ascii_lowercase();
    let folder = parts.last().map(|p| p.to_ascii_lowercase());
    let in_settings = folder.as_deref() == Some("settings");
    let py = lower.ends_with(".py");

    // Example files first: `.env.example` in a `tests` folder is still a template.
    let example_env = [".env.example", ".env.sample", ".env.dist"];
    if example_env.contains(&lower.as_str())
        || [".example", ".sample", ".dist", ".tpl"]
            .iter()
            .any(|s| lower.ends_with(s))
        || lower.contains("-template")
    {
        return Environment::Example;
    }
    let test_name = [".env.testing", ".env.test", ".env.ci"].contains(&lower.as_str())
        || lower.starts_with(".env.dusk")
        || lower == "test_settings.py"
        || (in_settings && py && lower.starts_with("test"));
    // A compose file for another environment says so in its name (`docker-compose.dev.yml`,
    // `compose-test.yaml`): compose merges the override file, the others are picked with `-f`.
    let compose_file = (lower.starts_with("docker-compose") || lower.starts_with("compose"))
        && (lower.ends_with(".yml") || lower.ends_with(".yaml"));
    let compose_words: Vec<&str> = if compose_file {
        lower.split(['.', '-', '_']).collect()
    } else {
        Vec::new()
    };
    let compose_word = |words: &[&str]| compose_words.iter().any(|w| words.contains(w));
    if test_name
        || compose_word(&["test", "tests", "ci", "e2e"])
        || parts
            .iter()
            .any(|p| TEST_FOLDERS.contains(&p.to_ascii_lowercase().as_str()))
    {
        return Environment::Test;
    }
    let development_name = [".env.local", ".env.development", ".env.dev"].contains(&lower.as_str())
        || lower == "local_settings.py"
        || lower == "php.ini-development"
        || lower == "docker-compose.override.yml"
        || lower == "docker-compose.override.yaml"
        || compose_word(&["override", "dev", "development", "local"])
        || (in_settings && py && (lower.starts_with("dev") || lower.starts_with("local")));
    if development_name {
        return Environment::Development;
    }
    Environment::Production
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_folders_decide() {
        let env = |p: &str| of_path(p, &[]);
        assert_eq!(env(".env"), Environment::Production);
        assert_eq!(env("app/.env.production"), Environment::Production);
        assert_eq!(env("app/.env.testing"), Environment::Test);
        assert_eq!(env(".env.dusk.ci"), Environment::Test);
        assert_eq!(env(".env.ci"), Environment::Test);
        assert_eq!(env("proj/settings/test_ci.py"), Environment::Test);
        assert_eq!(env("proj/test_settings.py"), Environment::Test);
        assert_eq!(env("tests/redis.conf"), Environment::Test);
        assert_eq!(env("spec/fixtures/php.ini"), Environment::Test);
        assert_eq!(env(".env.local"), Environment::Development);
        assert_eq!(env("proj/settings/dev.py"), Environment::Development);
        assert_eq!(
            env("proj/settings/local_alice.py"),
            Environment::Development
        );
        assert_eq!(env("local_settings.py"), Environment::Development);
        assert_eq!(env("php.ini-development"), Environment::Development);
        assert_eq!(env("docker-compose.dev.yml"), Environment::Development);
        assert_eq!(env("compose.override.yaml"), Environment::Development);
        assert_eq!(env("docker-compose-local.yaml"), Environment::Development);
        assert_eq!(env("docker-compose.ci.yml"), Environment::Test);
        assert_eq!(env("docker-compose.yml"), Environment::Production);
        assert_eq!(
            env("docker-compose.production.yml"),
            Environment::Production
        );
        assert_eq!(env("deploy/dev.yaml"), Environment::Production);
        assert_eq!(env("php.ini-production"), Environment::Production);
        assert_eq!(env(".env.example"), Environment::Example);
        assert_eq!(env("tests/.env.example"), Environment::Example);
        assert_eq!(env("redis.conf.tpl"), Environment::Example);
        assert_eq!(env("redis-template.conf"), Environment::Example);
        // A folder name only counts as a whole component.
        assert_eq!(env("contest/redis.conf"), Environment::Production);
        assert_eq!(env("proj/settings/production.py"), Environment::Production);
    }

    #[test]
    fn globs_win() {
        let globs = vec![EnvironmentGlob {
            pattern: Pattern::new("deploy/staging/**").unwrap(),
            environment: Environment::Test,
        }];
        assert_eq!(
            of_path("deploy/staging/redis.conf", &globs),
            Environment::Test
        );
        assert_eq!(
            of_path(
                "tests/x/redis.conf",
                &[EnvironmentGlob {
                    pattern: Pattern::new("tests/x/*").unwrap(),
                    environment: Environment::Production,
                }]
            ),
            Environment::Production
        );
    }
}
