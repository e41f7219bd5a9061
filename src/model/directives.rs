//! What redis-server accepts: the directive table (`rules/redis-directives.toml`) and the command
//! table (`rules/redis-commands.toml`), both compiled into the binary, and the value checks that
//! `src/config.c` applies when it reads a file.

use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::OnceLock;

/// A Redis version as `major.minor`. `None` in an audit means "any version redline knows": a
/// directive valid in any of them is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RedisVersion {
    pub major: u32,
    pub minor: u32,
}

impl RedisVersion {
    pub const KNOWN: [&'static str; 5] = ["6.2", "7.0", "7.2", "7.4", "8.0"];

    pub fn parse(text: &str) -> Option<RedisVersion> {
        let mut parts = text.trim().split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next().unwrap_or("0").parse().ok()?;
        Some(RedisVersion { major, minor })
    }

    pub fn newest() -> RedisVersion {
        RedisVersion::parse(RedisVersion::KNOWN[RedisVersion::KNOWN.len() - 1]).unwrap()
    }
}

impl fmt::Display for RedisVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Bool,
    Enum,
    Integer,
    Memory,
    MemoryOrPercent,
    Octal,
    String,
    Special,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectiveSpec {
    pub name: String,
    #[serde(default)]
    pub alias: Option<String>,
    pub kind: Kind,
    #[serde(default)]
    pub values: Vec<String>,
    #[serde(default)]
    pub values_since: BTreeMap<String, String>,
    #[serde(default)]
    pub multi: bool,
    #[serde(default)]
    pub min: Option<String>,
    #[serde(default)]
    pub max: Option<String>,
    #[serde(default)]
    pub since: Option<String>,
    #[serde(default)]
    pub until: Option<String>,
}

impl DirectiveSpec {
    /// Whether `version` (None: any known version) accepts this directive under `name`.
    pub fn available(&self, name: &str, version: Option<RedisVersion>) -> Result<(), String> {
        let Some(version) = version else {
            return Ok(());
        };
        // An alias keeps the old name working in every version that had it.
        if self.alias.as_deref() == Some(name) {
            return Ok(());
        }
        if let Some(since) = self.since.as_deref().and_then(RedisVersion::parse) {
            if version < since {
                return Err(format!(
                    "`{name}` was added in Redis {since}; Redis {version} refuses it"
                ));
            }
        }
        if let Some(until) = self.until.as_deref().and_then(RedisVersion::parse) {
            if version >= until {
                return Err(format!(
                    "`{name}` was removed in Redis {until}; Redis {version} refuses it"
                ));
            }
        }
        Ok(())
    }

    fn enum_value_ok(&self, value: &str, version: Option<RedisVersion>) -> bool {
        let lower = value.to_ascii_lowercase();
        if self.values.contains(&lower) {
            return true;
        }
        match self.values_since.get(&lower) {
            Some(since) => match (version, RedisVersion::parse(since)) {
                (Some(v), Some(since)) => v >= since,
                _ => true,
            },
            None => false,
        }
    }

    fn all_values(&self) -> Vec<&str> {
        self.values
            .iter()
            .chain(self.values_since.keys())
            .map(String::as_str)
            .collect()
    }

    /// Check the arguments the way the matching `*ConfigSet` function of config.c does. Special
    /// directives (`save`, `bind`, ...) are checked by the model, which knows their grammar.
    pub fn check_value(
        &self,
        args: &[Vec<u8>],
        version: Option<RedisVersion>,
    ) -> Result<(), String> {
        if self.kind == Kind::Special {
            return Ok(());
        }
        if args.len() != 1 && !(self.kind == Kind::Enum && self.multi && !args.is_empty()) {
            return Err("wrong number of arguments".into());
        }
        let text = String::from_utf8_lossy(&args[0]);
        match self.kind {
            Kind::Bool => {
                if text.eq_ignore_ascii_case("yes") || text.eq_ignore_ascii_case("no") {
                    Ok(())
                } else {
                    Err("argument must be 'yes' or 'no'".into())
                }
            }
            Kind::Enum => {
                let values: Vec<String> = if self.multi && args.len() == 1 {
                    text.split(' ').map(str::to_string).collect()
                } else {
                    args.iter()
                        .map(|a| String::from_utf8_lossy(a).into_owned())
                        .collect()
                };
                if values.iter().all(|v| self.enum_value_ok(v, version)) {
                    Ok(())
                } else {
                    Err(format!(
                        "argument(s) must be one of the following: {}",
                        self.all_values().join(", ")
                    ))
                }
            }
            Kind::Integer | Kind::Memory | Kind::MemoryOrPercent | Kind::Octal => {
                let parsed = match self.kind {
                    Kind::Integer => {
                        parse_integer(&args[0]).ok_or("argument couldn't be parsed into an integer")
                    }
                    Kind::Memory => parse_memory(&args[0]).ok_or("argument must be a memory value"),
                    Kind::MemoryOrPercent => parse_memory(&args[0])
                        .or_else(|| parse_percent(&args[0]))
                        .ok_or("argument must be a memory or percent value"),
                    _ => parse_octal(&args[0])
                        .ok_or("argument couldn't be parsed as an octal number"),
                }?;
                self.check_bounds(parsed)
            }
            Kind::String | Kind::Special => Ok(()),
        }
    }

    fn check_bounds(&self, value: i128) -> Result<(), String> {
        let min: i128 = self
            .min
            .as_deref()
            .and_then(|m| m.parse().ok())
            .unwrap_or(i128::MIN);
        let max: i128 = self
            .max
            .as_deref()
            .and_then(|m| m.parse().ok())
            .unwrap_or(i128::MAX);
        // Percentages are stored as negative numbers and only bounded below.
        if self.kind == Kind::MemoryOrPercent && value < 0 {
            return if value < min {
                Err(format!(
                    "percentage argument must be less or equal to {}",
                    -min
                ))
            } else {
                Ok(())
            };
        }
        if value < min || value > max {
            return Err(if self.kind == Kind::Octal {
                format!("argument must be between {min:o} and {max:o} inclusive")
            } else {
                format!("argument must be between {min} and {max} inclusive")
            });
        }
        Ok(())
    }
}

/// `string2ll`: optional `-`, digits, no leading zeros or `+`, within i64.
pub fn parse_integer(bytes: &[u8]) -> Option<i128> {
    let text = std::str::from_utf8(bytes).ok()?;
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if digits.len() > 1 && digits.starts_with('0') {
        return None;
    }
    if text == "-0" {
        return None;
    }
    text.parse::<i64>().ok().map(i128::from)
}

/// `memtoull`: digits followed by an optional unit (b, k, kb, m, mb, g, gb, any case); no sign,
/// no decimals.
pub fn parse_memory(bytes: &[u8]) -> Option<i128> {
    let text = std::str::from_utf8(bytes).ok()?;
    if text.starts_with('-') {
        return None;
    }
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let multiplier: i128 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    // strtoull of an empty string gives 0 without an error, so a bare unit reads as 0.
    let value: u64 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    Some(i128::from(value) * multiplier)
}

fn parse_percent(bytes: &[u8]) -> Option<i128> {
    let number = bytes.strip_suffix(b"%")?;
    let value = parse_integer(number)?;
    (value >= 0 && !number.is_empty()).then_some(-value)
}

/// `strtoll(value, &end, 8)` with nothing left over.
pub fn parse_octal(bytes: &[u8]) -> Option<i128> {
    let text = std::str::from_utf8(bytes).ok()?;
    let trimmed = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (negative, digits) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    if digits.is_empty() || !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return None;
    }
    let value = i128::from(i64::from_str_radix(digits, 8).ok()?);
    Some(if negative { -value } else { value })
}

#[derive(Deserialize)]
struct DirectiveFile {
    directive: Vec<DirectiveSpec>,
}

#[derive(Deserialize)]
struct CommandFile {
    commands: BTreeMap<String, Vec<String>>,
    categories: CategoryNames,
    #[serde(rename = "command-categories")]
    command_categories: HashMap<String, Vec<String>>,
    dangerous: Dangerous,
}

/// The dangerous-command lists of `rules/redis-commands.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Dangerous {
    pub wipe: Vec<String>,
    pub allowed_on_cache: Vec<String>,
    pub debug: Vec<String>,
}

#[derive(Deserialize)]
struct CategoryNames {
    names: Vec<String>,
}

pub struct Tables {
    directives: Vec<DirectiveSpec>,
    by_name: HashMap<String, usize>,
    /// Command name -> first version that has it.
    commands: HashMap<String, RedisVersion>,
    categories: Vec<String>,
    command_categories: HashMap<String, Vec<String>>,
    pub dangerous: Dangerous,
}

pub fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let file: DirectiveFile = toml::from_str(include_str!("../../rules/redis-directives.toml"))
            .expect("rules/redis-directives.toml is valid (checked by tests)");
        let mut by_name = HashMap::new();
        for (i, d) in file.directive.iter().enumerate() {
            by_name.insert(d.name.clone(), i);
            if let Some(alias) = &d.alias {
                by_name.insert(alias.clone(), i);
            }
        }
        let cmds: CommandFile = toml::from_str(include_str!("../../rules/redis-commands.toml"))
            .expect("rules/redis-commands.toml is valid (checked by tests)");
        let mut commands = HashMap::new();
        for (version, names) in &cmds.commands {
            let version =
                RedisVersion::parse(version).expect("command table versions are major.minor");
            for name in names {
                commands.insert(name.clone(), version);
            }
        }
        Tables {
            directives: file.directive,
            by_name,
            commands,
            categories: cmds.categories.names,
            command_categories: cmds.command_categories,
            dangerous: cmds.dangerous,
        }
    })
}

/// The commands whose reachability by a user is evaluated (those with known ACL categories).
pub fn tracked_commands() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = tables()
        .command_categories
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    names
}

impl Tables {
    pub fn directive(&self, lower_name: &str) -> Option<&DirectiveSpec> {
        self.by_name.get(lower_name).map(|&i| &self.directives[i])
    }

    /// Whether `name` (any case) is a command of the given version (None: any known version).
    pub fn is_command(&self, name: &str, version: Option<RedisVersion>) -> bool {
        match self.commands.get(&name.to_ascii_lowercase()) {
            Some(since) => version.is_none_or(|v| v >= *since),
            None => false,
        }
    }

    pub fn is_category(&self, name: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        lower == "all" || self.categories.contains(&lower)
    }

    /// Whether `command` belongs to ACL `category` (`all` holds every command).
    pub fn in_category(&self, command: &str, category: &str) -> bool {
        let category = category.to_ascii_lowercase();
        category == "all"
            || self
                .command_categories
                .get(command)
                .is_some_and(|cats| cats.contains(&category))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load() {
        let t = tables();
        assert!(t.directive("maxmemory-policy").is_some());
        assert!(t.directive("slaveof").is_some());
        assert!(t.is_command("FLUSHALL", None));
        assert!(!t.is_command("waitaof", RedisVersion::parse("7.0")));
        assert!(t.is_command("waitaof", RedisVersion::parse("7.2")));
        assert!(t.is_category("dangerous"));
    }

    #[test]
    fn memory_values() {
        assert_eq!(parse_memory(b"1gb"), Some(1 << 30));
        assert_eq!(parse_memory(b"100MB"), Some(100 << 20));
        assert_eq!(parse_memory(b"1.5gb"), None);
        assert_eq!(parse_memory(b"-1"), None);
        assert_eq!(parse_memory(b"12x"), None);
    }

    #[test]
    fn octal_and_integer_values() {
        assert_eq!(parse_octal(b"770"), Some(0o770));
        assert_eq!(parse_octal(b"778"), None);
        assert_eq!(parse_integer(b"007"), None);
        assert_eq!(parse_integer(b"-1"), Some(-1));
        assert_eq!(parse_integer(b"+1"), None);
    }

    #[test]
    fn version_gates() {
        let t = tables();
        let d = t.directive("locale-collate").unwrap();
        assert!(d
            .available("locale-collate", RedisVersion::parse("7.0"))
            .is_err());
        assert!(d.available("locale-collate", None).is_ok());
        let level = t.directive("loglevel").unwrap();
        assert!(level
            .check_value(&[b"nothing".to_vec()], RedisVersion::parse("7.0"))
            .is_err());
        assert!(level
            .check_value(&[b"NOTHING".to_vec()], RedisVersion::parse("7.2"))
            .is_ok());
    }
}
