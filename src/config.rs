//! `redline.toml`: found in the current folder or the nearest parent (or given with `--config`).
//! An unknown key or a bad value stops the run (exit 2) with the key and its line.

use crate::model::directives::RedisVersion;
use crate::rules::{self, Severity};
use crate::stack::{DeclaredRole, Role};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const FILE_NAME: &str = "redline.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    fail_on: Option<Spanned<String>>,
    select: Option<Vec<Spanned<String>>>,
    ignore: Option<Vec<Spanned<String>>>,
    exclude: Option<Vec<Spanned<String>>>,
    severity: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    per_file_ignores: Option<BTreeMap<Spanned<String>, Vec<Spanned<String>>>>,
    instance: Option<Vec<RawInstance>>,
    hosts: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    target: Option<RawTarget>,
    environments: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    allow_read: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInstance {
    path: Spanned<String>,
    role: Spanned<String>,
    /// The running server this config is the file of (`check --live`).
    live: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawTarget {
    redis_version: Option<Spanned<String>>,
    php_version: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Default)]
pub struct FileConfig {
    pub path: Option<PathBuf>,
    pub fail_on: Option<FailOn>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub exclude: Vec<String>,
    pub severity: BTreeMap<String, Severity>,
    /// glob, rule IDs, and the line of the entry (for reporting an unused one).
    pub per_file_ignores: Vec<(String, Vec<String>, usize)>,
    /// The file's text, so findings can point into it.
    pub text: String,
    pub instances: Vec<DeclaredRole>,
    /// `[hosts]`: a host name clients use, and the instance config it reaches.
    pub hosts: Vec<crate::stack::HostMap>,
    pub redis_version: Option<RedisVersion>,
    /// `[environments]`: a glob and the environment of the files it matches.
    pub environments: Vec<crate::environment::EnvironmentGlob>,
    /// `allow-read`: folders added to the audited tree, relative to redline.toml's folder.
    pub allow_read: Vec<PathBuf>,
    /// `live = "TARGET"` of an `[[instance]]`: the target and the config it runs from.
    pub live: Vec<(String, PathBuf)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    Level(Severity),
    Never,
}

impl FailOn {
    pub fn parse(text: &str) -> Option<FailOn> {
        match text {
            "never" => Some(FailOn::Never),
            other => Severity::parse(other).map(FailOn::Level),
        }
    }
}

/// The nearest `redline.toml` from `start` upwards.
pub fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

pub fn load(path: &Path) -> Result<FileConfig, String> {
    // Found by walking up from the current folder: a FIFO named redline.toml is never opened.
    let bytes =
        crate::source::read_regular_file(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{}: not UTF-8 text (TOML must be UTF-8)", path.display()))?;
    parse(&text, path)
}

pub fn parse(text: &str, path: &Path) -> Result<FileConfig, String> {
    let at = |span: std::ops::Range<usize>, what: String| {
        format!("{}:{}: {what}", path.display(), line_of(text, span.start))
    };
    let raw: RawConfig = toml::from_str(text).map_err(|e| match e.span() {
        Some(span) => at(span, e.message().to_string()),
        None => format!("{}: {}", path.display(), e.message()),
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut config = FileConfig {
        path: Some(path.to_path_buf()),
        text: text.to_string(),
        ..Default::default()
    };
    if let Some(v) = raw.fail_on {
        config.fail_on = Some(FailOn::parse(v.get_ref()).ok_or_else(|| {
            at(
                v.span(),
                format!(
                    "`fail-on`: `{}` is not one of error, warning, info, never",
                    v.get_ref()
                ),
            )
        })?);
    }
    let check_ids = |key: &str, list: Vec<Spanned<String>>| -> Result<Vec<String>, String> {
        list.into_iter()
            .map(|id| {
                if rules::is_known_prefix(id.get_ref()) {
                    Ok(id.into_inner())
                } else {
                    Err(at(
                        id.span(),
                        format!(
                            "`{key}`: `{}` is not a rule ID or family prefix",
                            id.get_ref()
                        ),
                    ))
                }
            })
            .collect()
    };
    config.select = check_ids("select", raw.select.unwrap_or_default())?;
    config.ignore = check_ids("ignore", raw.ignore.unwrap_or_default())?;
    for pattern in raw.exclude.unwrap_or_default() {
        glob::Pattern::new(pattern.get_ref()).map_err(|e| {
            at(
                pattern.span(),
                format!("`exclude`: bad glob `{}`: {e}", pattern.get_ref()),
            )
        })?;
        config.exclude.push(pattern.into_inner());
    }
    for (id, level) in raw.severity.unwrap_or_default() {
        if rules::rule(id.get_ref()).is_none() {
            return Err(at(
                id.span(),
                format!("`severity`: `{}` is not a rule ID", id.get_ref()),
            ));
        }
        let severity = Severity::parse(level.get_ref()).ok_or_else(|| {
            at(
                level.span(),
                format!(
                    "`severity.{}`: `{}` is not one of error, warning, info",
                    id.get_ref(),
                    level.get_ref()
                ),
            )
        })?;
        config
            .severity
            .insert(id.into_inner().to_ascii_uppercase(), severity);
    }
    for (pattern, ids) in raw.per_file_ignores.unwrap_or_default() {
        glob::Pattern::new(pattern.get_ref()).map_err(|e| {
            at(
                pattern.span(),
                format!("`per-file-ignores`: bad glob `{}`: {e}", pattern.get_ref()),
            )
        })?;
        let line = line_of(text, pattern.span().start);
        let ids = check_ids("per-file-ignores", ids)?;
        config
            .per_file_ignores
            .push((pattern.into_inner(), ids, line));
    }
    // In the file's order: the first glob that matches decides.
    let mut environments: Vec<_> = raw.environments.unwrap_or_default().into_iter().collect();
    environments.sort_by_key(|(pattern, _)| pattern.span().start);
    for (pattern, environment) in environments {
        let glob = glob::Pattern::new(pattern.get_ref()).map_err(|e| {
            at(
                pattern.span(),
                format!("`environments`: bad glob `{}`: {e}", pattern.get_ref()),
            )
        })?;
        let environment = crate::environment::Environment::parse(environment.get_ref())
            .ok_or_else(|| {
                at(
                    environment.span(),
                    format!(
                        "`environments.\"{}\"`: `{}` is not one of production, development, test, example",
                        pattern.get_ref(),
                        environment.get_ref()
                    ),
                )
            })?;
        config
            .environments
            .push(crate::environment::EnvironmentGlob {
                pattern: glob,
                environment,
            });
    }
    for folder in raw.allow_read.unwrap_or_default() {
        config.allow_read.push(base.join(folder.into_inner()));
    }
    for instance in raw.instance.unwrap_or_default() {
        let role = match instance.role.get_ref().as_str() {
            "sessions" => Role::Sessions,
            "cache" => Role::Cache,
            "queue" => Role::Queue,
            "unknown" => Role::Unknown,
            other => {
                return Err(at(
                    instance.role.span(),
                    format!(
                        "`instance.role`: `{other}` is not one of sessions, cache, queue, unknown"
                    ),
                ))
            }
        };
        if let Some(target) = &instance.live {
            config
                .live
                .push((target.get_ref().clone(), base.join(instance.path.get_ref())));
        }
        config.instances.push(DeclaredRole {
            path: base.join(instance.path.get_ref()),
            role,
        });
    }
    for (host, path) in raw.hosts.unwrap_or_default() {
        if path.get_ref().is_empty() {
            return Err(at(
                path.span(),
                format!(
                    "`hosts.{}`: the instance config path is empty",
                    host.get_ref()
                ),
            ));
        }
        config.hosts.push(crate::stack::HostMap {
            host: host.into_inner(),
            path: base.join(path.into_inner()),
        });
    }
    if let Some(target) = raw.target {
        if let Some(v) = target.redis_version {
            config.redis_version = Some(
                parse_redis_version(v.get_ref())
                    .map_err(|m| at(v.span(), format!("`target.redis-version`: {m}")))?,
            );
        }
        if let Some(v) = target.php_version {
            let ok = v
                .get_ref()
                .split('.')
                .take(2)
                .all(|p| p.parse::<u32>().is_ok());
            if !ok {
                return Err(at(
                    v.span(),
                    format!(
                        "`target.php-version`: `{}` is not a version such as 8.2",
                        v.get_ref()
                    ),
                ));
            }
        }
    }
    Ok(config)
}

pub fn parse_redis_version(text: &str) -> Result<RedisVersion, String> {
    let v = RedisVersion::parse(text)
        .ok_or_else(|| format!("`{text}` is not a version such as 7.0"))?;
    let known: Vec<RedisVersion> = RedisVersion::KNOWN
        .iter()
        .filter_map(|k| RedisVersion::parse(k))
        .collect();
    if v < known[0] {
        return Err(format!(
            "Redis {v} is older than the oldest version redline knows ({})",
            known[0]
        ));
    }
    // A newer version than redline knows is read as the newest it knows.
    Ok(*known.iter().rev().find(|k| **k <= v).unwrap_or(&known[0]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_key_and_line() {
        let err = parse(
            "fail-on = \"error\"\nbogus = 1\n",
            Path::new("redline.toml"),
        )
        .unwrap_err();
        assert!(err.starts_with("redline.toml:2:"), "{err}");
        assert!(err.contains("bogus"), "{err}");
    }

    #[test]
    fn bad_values_name_key_and_line() {
        let err = parse(
            "\n[severity]\nRD301 = \"fatal\"\n",
            Path::new("redline.toml"),
        )
        .unwrap_err();
        assert!(
            err.starts_with("redline.toml:3:") && err.contains("severity.RD301"),
            "{err}"
        );
        let err = parse(
            "[[instance]]\npath = \"a.conf\"\nrole = \"db\"\n",
            Path::new("redline.toml"),
        )
        .unwrap_err();
        assert!(err.starts_with("redline.toml:3:"), "{err}");
    }

    #[test]
    fn full_example_parses() {
        let text = r#"
fail-on = "warning"
select = ["RD", "SN", "XS"]
ignore = ["RD204"]
exclude = ["legacy/**"]

[severity]
RD301 = "error"

[per-file-ignores]
"docker/dev/**" = ["RD201", "XS201"]

[[instance]]
path = "deploy/redis/cache.conf"
role = "cache"

[target]
redis-version = "7.0"
"#;
        let c = parse(text, Path::new("/repo/redline.toml")).unwrap();
        assert_eq!(c.fail_on, Some(FailOn::Level(Severity::Warning)));
        assert_eq!(
            c.instances[0].path,
            PathBuf::from("/repo/deploy/redis/cache.conf")
        );
        assert_eq!(c.redis_version, RedisVersion::parse("7.0"));
    }
}
