//! The rules: the registry (`registry.rs`, every rule as a value), findings, and the rule
//! families, one folder each with one file per rule (`rules/<family>/<rule_name>.rs`) and the
//! family's shared helpers in its `mod.rs`. A rule reads the stack and pushes findings; it never
//! prints or touches files.

pub mod client_edits;
pub mod cross_stack;
pub mod deploy;
pub mod django;
pub mod django_rules;
pub mod flask;
pub mod laravel;
pub mod live;
pub mod model_issues;
pub mod node;
pub mod passwords;
pub mod php;
pub mod redis;
pub mod registry;
pub mod sentinel;
pub mod setting_names;
pub mod suppressions;

pub use registry::{Category, Check, FixAvailability, Rule, RuleId, RULES};

use crate::fix::Fix;
use crate::model::directives::RedisVersion;
use crate::source::{FileId, Sources};
use crate::stack::Stack;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    pub id: String,
    pub name: String,
    pub severity: Severity,
    pub fix: String,
    pub summary: String,
    pub explanation: String,
    pub example: String,
    pub fix_description: String,
    pub references: Vec<String>,
    /// A hardening rule: held back on development and test files (rules.md, Environments).
    #[serde(default)]
    pub hardening: bool,
}

/// `rules/catalog.toml`: the catalogue as data, generated from the registry.
#[derive(Deserialize, Serialize)]
pub struct CatalogFile {
    pub rule: Vec<RuleMeta>,
}

impl RuleMeta {
    fn of(rule: &Rule) -> RuleMeta {
        RuleMeta {
            id: rule.id.as_str().to_string(),
            name: rule.name.to_string(),
            severity: rule.severity,
            fix: rule.fix.as_str().to_string(),
            summary: rule.summary.to_string(),
            explanation: rule.explanation.to_string(),
            example: rule.example.to_string(),
            fix_description: rule.fix_description.to_string(),
            references: rule.references.iter().map(|r| r.to_string()).collect(),
            hardening: rule.hardening,
        }
    }
}

/// The catalogue, from the registry: what `redline rules`, `explain` and SARIF show.
pub fn catalog() -> &'static [RuleMeta] {
    static CATALOG: OnceLock<Vec<RuleMeta>> = OnceLock::new();
    CATALOG.get_or_init(|| RULES.iter().map(|r| RuleMeta::of(r)).collect())
}

/// `rules/catalog.toml` as the registry makes it (a test keeps the file equal to it).
pub fn catalog_toml() -> String {
    let file = CatalogFile {
        rule: catalog().to_vec(),
    };
    format!(
        "{}\n{}",
        CATALOG_HEADER,
        toml::to_string(&file).expect("the catalogue serialises")
    )
}

const CATALOG_HEADER: &str = "\
# Generated from the rule registry (src/rules/registry.rs and one file per rule under
# src/rules/<family>/): do not edit. `REDLINE_BLESS=1 cargo test --test catalog` rewrites it.
# IDs and names are a public contract (CI configs, suppressions and SARIF history refer to them).
# `severity` is the default; `fix` is the kind of fix offered: safe (fix --write), unsafe (only with
# --unsafe-fixes), display (shown, never applied) or none. `hardening = true` marks a rule held back
# on development and test files unless --all-environments.
";

/// Whether a rule is about hardening (not reported on development and test files by default).
pub fn is_hardening(id: &str) -> bool {
    rule(id).is_some_and(|r| r.hardening)
}

pub fn rule(id: &str) -> Option<&'static RuleMeta> {
    catalog().iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

#[derive(Debug, Clone)]
pub struct Related {
    pub file: FileId,
    pub span: Range<usize>,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub file: FileId,
    /// Byte range the finding is about; empty at 0 for "absent" findings (line 1, column 1).
    pub span: Range<usize>,
    pub message: String,
    pub fix: Option<Fix>,
    pub related: Vec<Related>,
    /// The stack clients (indexes) the finding is about, for `redline stack`.
    pub clients: Vec<usize>,
    /// For the closing finding of a cap: how many more findings of its rule in its file it
    /// stands for, dropped where they were produced.
    pub hidden: usize,
    /// The setting the finding is about, named from the model (`maxmemory-policy`,
    /// `sentinel auth-pass mymaster`, `session.save_path`, `REDIS_PASSWORD`,
    /// `CACHES.default.LOCATION`): what baselines and fingerprints are built from, with the
    /// rule and path. Never a value.
    pub setting: Option<String>,
    /// The environment the finding is about when it is not its file's: a Flask config class
    /// named for development or tests (`DevelopmentConfig` in `config.py`).
    pub environment: Option<crate::environment::Environment>,
}

impl Finding {
    pub fn new(
        rule: impl Into<RuleId>,
        file: FileId,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Finding {
        let rule = rule.into();
        Finding {
            rule: rule.as_str(),
            severity: rule.rule().severity,
            file,
            span,
            message: message.into(),
            fix: None,
            related: Vec::new(),
            clients: Vec::new(),
            hidden: 0,
            setting: None,
            environment: None,
        }
    }

    /// The finding is about something of this environment (None: its file's).
    pub fn in_environment(
        mut self,
        environment: Option<crate::environment::Environment>,
    ) -> Finding {
        self.environment = environment;
        self
    }

    /// Name the setting the finding is about.
    pub fn setting(mut self, name: impl Into<String>) -> Finding {
        self.setting = Some(name.into());
        self
    }

    /// The setting's name, or for a finding about no one setting a name that holds no source
    /// text: `(absent)` for what a file lacks, else `(line)`.
    pub fn setting_name(&self) -> String {
        match &self.setting {
            Some(name) => name.clone(),
            None if self.span.is_empty() && self.span.start == 0 => "(absent)".to_string(),
            None => "(line)".to_string(),
        }
    }

    pub fn about_clients(mut self, clients: impl IntoIterator<Item = usize>) -> Finding {
        self.clients.extend(clients);
        self
    }
    pub fn severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }
    pub fn with_fix(mut self, fix: Option<Fix>) -> Finding {
        self.fix = fix;
        self
    }
    pub fn related(mut self, related: Related) -> Finding {
        self.related.push(related);
        self
    }
}

pub struct Context<'a> {
    pub sources: &'a Sources,
    pub stack: &'a Stack,
    pub redis_version: Option<RedisVersion>,
}

impl Context<'_> {
    /// The version whose defaults apply when none was given: the newest redline knows.
    pub fn effective_version(&self) -> RedisVersion {
        self.redis_version.unwrap_or_else(RedisVersion::newest)
    }

    /// "file:line" for messages.
    pub fn place(&self, file: FileId, offset: usize) -> String {
        let (line, _) = self.sources.doc(file).line_col(offset);
        format!("{}:{line}", self.sources.display(file))
    }
}

/// The rule families of the catalogue contract (rules.md), including those whose rules a later
/// release adds: a config naming them must keep working.
pub const FAMILIES: [&str; 11] = [
    "RD", "SN", "PHP", "LV", "DJ", "FL", "NJ", "DC", "LI", "XS", "RL",
];

/// Whether `prefix` names a rule, or a family (optionally with leading digits of an ID).
pub fn is_known_prefix(prefix: &str) -> bool {
    if prefix.is_empty() {
        return false;
    }
    if catalog().iter().any(|r| r.id.starts_with(prefix)) {
        return true;
    }
    FAMILIES.iter().any(|f| {
        prefix
            .strip_prefix(f)
            .is_some_and(|rest| rest.len() <= 3 && rest.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// Characters for a message: `` `#`, `/` ``.
pub fn code_list(chars: &[char]) -> String {
    chars
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The rules about lines the real software refuses (`Category::Syntax`, checked against the
/// registry by tests/catalog.rs); only their fixes may edit such a file. A match, not a look-up:
/// it runs per finding in the fix loop.
pub fn is_syntax_rule(id: &str) -> bool {
    matches!(
        id,
        "RD001" | "SN001" | "PHP001" | "LV001" | "DJ001" | "FL001" | "NJ001"
    )
}

/// Which rules run: `--select` / `--ignore` entries are IDs or family prefixes (`RD`, `SN`,
/// `RD1`); the longest matching entry decides, as in ruff.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Selection {
    pub fn enabled(&self, id: &str) -> bool {
        let best = |list: &[String]| {
            list.iter()
                .filter(|p| id.starts_with(p.as_str()))
                .map(String::len)
                .max()
        };
        let selected = if self.select.is_empty() {
            Some(0)
        } else {
            best(&self.select)
        };
        match (selected, best(&self.ignore)) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(s), Some(i)) => s > i,
        }
    }

    /// Entries that name no rule and no family prefix of one.
    pub fn unknown_entries(&self) -> Vec<String> {
        self.select
            .iter()
            .chain(&self.ignore)
            .filter(|p| !is_known_prefix(p))
            .cloned()
            .collect()
    }
}

/// Findings shown per rule and file. Past it the rest are dropped and one closing finding gives
/// their count: a file of a million junk lines must not make a million findings (and a report
/// of hundreds of megabytes).
pub const MAX_FINDINGS_PER_RULE_AND_FILE: usize = 100;

/// Keep, in the given order, the first `MAX_FINDINGS_PER_RULE_AND_FILE` findings of each rule in
/// each file; in place of the first one dropped, a finding of that rule (no fix) that counts the
/// dropped ones, those a rule dropped already (`Finding::hidden`) included.
pub fn cap_per_rule_and_file(findings: Vec<Finding>) -> Vec<Finding> {
    use std::collections::HashMap;
    #[derive(Default)]
    struct Count {
        kept: usize,
        total: usize,
        closing: Option<usize>,
        /// The last kept finding that stood for dropped ones: where a closing finding goes when
        /// no other was dropped here.
        last_hiding: Option<usize>,
    }
    let mut seen: HashMap<(&'static str, FileId), Count> = HashMap::new();
    let mut kept: Vec<Finding> = Vec::with_capacity(findings.len().min(1024));
    for f in findings {
        let count = seen.entry((f.rule, f.file)).or_default();
        count.total += 1 + f.hidden;
        if count.kept < MAX_FINDINGS_PER_RULE_AND_FILE {
            count.kept += 1;
            if f.hidden > 0 {
                count.last_hiding = Some(kept.len());
            }
            kept.push(Finding { hidden: 0, ..f });
        } else if count.closing.is_none() {
            count.closing = Some(kept.len());
            kept.push(Finding {
                message: String::new(),
                fix: None,
                related: Vec::new(),
                clients: Vec::new(),
                hidden: 0,
                ..f
            });
        }
    }
    for ((rule, _), count) in seen {
        let more = count.total - count.kept;
        if more == 0 {
            continue;
        }
        let index = match (count.closing, count.last_hiding) {
            (Some(index), _) => index,
            (None, Some(at)) => {
                let at = &kept[at];
                let closing =
                    Finding::new(rule, at.file, at.span.clone(), "").severity(at.severity);
                kept.push(closing);
                kept.len() - 1
            }
            (None, None) => continue,
        };
        kept[index].message = format!(
            "… and {more} more {rule} finding{} in this file not shown (at most {MAX_FINDINGS_PER_RULE_AND_FILE} per rule and file)",
            if more == 1 { "" } else { "s" }
        );
    }
    kept
}

/// Keep, of the findings from `first` on, those of `rule`: for a rule whose check shares one pass
/// with others.
pub(crate) fn keep_only(out: &mut Vec<Finding>, first: usize, rule: RuleId) {
    let tail = out.split_off(first);
    out.extend(tail.into_iter().filter(|f| f.rule == rule.as_str()));
}

/// Run the enabled rules over the stack; a rule `enabled` refuses never runs.
pub fn run(ctx: &Context, enabled: &dyn Fn(RuleId) -> bool) -> Vec<Finding> {
    let rules: Vec<&Rule> = RULES.iter().copied().filter(|r| enabled(r.id)).collect();
    let mut findings = Vec::new();
    redis::run(ctx, &rules, &mut findings);
    sentinel::run(ctx, &rules, &mut findings);
    for rule in &rules {
        if let Check::Stack(check) = rule.check {
            check(ctx, &mut findings);
        }
    }
    php::run(ctx, &rules, &mut findings);
    laravel::run(ctx, &rules, &mut findings);
    if rules.iter().any(|r| matches!(r.check, Check::Django)) {
        let first = findings.len();
        django::check(ctx, &mut findings);
        let tail = findings.split_off(first);
        findings.extend(
            tail.into_iter()
                .filter(|f| rules.iter().any(|r| r.id.as_str() == f.rule)),
        );
    }
    flask::run(ctx, &rules, &mut findings);
    deploy::confine_fixes(ctx, &mut findings);
    setting_names::name_settings(ctx, &mut findings);
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_loads_with_unique_ids() {
        let ids: Vec<_> = catalog().iter().map(|r| r.id.as_str()).collect();
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(ids.len(), unique.len());
        for r in catalog() {
            assert!(
                ["safe", "unsafe", "display", "none"].contains(&r.fix.as_str()),
                "{}",
                r.id
            );
            assert!(
                !r.explanation.trim().is_empty() && !r.example.trim().is_empty(),
                "{}",
                r.id
            );
        }
    }

    #[test]
    fn selection_prefixes() {
        let s = Selection {
            select: vec!["RD".into()],
            ignore: vec!["RD2".into()],
        };
        assert!(s.enabled("RD101"));
        assert!(!s.enabled("RD201"));
        assert!(!s.enabled("SN001"));
        let s = Selection {
            select: vec!["RD201".into()],
            ignore: vec!["RD2".into()],
        };
        assert!(s.enabled("RD201"));
        assert!(
            Selection {
                select: vec!["XX".into()],
                ignore: vec![]
            }
            .unknown_entries()
                == ["XX"]
        );
    }
}
