//! The rule registry: every rule as a value (ID, name, default severity, fix availability,
//! hardening, documentation and its check), in the spirit of hadolint's rule values and ruff's
//! `ViolationMetadata`. A rule's value lives in its own file next to its check; `RULES` lists
//! them. The catalogue (`redline rules`, `explain`, SARIF's rule list, `rules/catalog.toml`, the
//! README's table) is made from it, and tests fail when the files drift from it.

use super::{Context, Finding, Severity};
use crate::model::laravel::{EnvSource, LaravelApp};
use crate::model::php::PhpConfig;
use crate::model::sentinel::SentinelModel;
use crate::stack::Instance;

/// Every rule ID: a name the compiler knows, so an unknown ID is a compile error.
#[allow(clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleId {
    RD001,
    RD002,
    RD101,
    RD102,
    RD201,
    RD202,
    RD203,
    RD204,
    RD205,
    RD301,
    RD302,
    RD401,
    RD402,
    RD403,
    RD501,
    RD502,
    RD503,
    SN001,
    SN101,
    SN102,
    SN103,
    SN104,
    SN201,
    SN202,
    SN301,
    SN302,
    XS101,
    XS102,
    XS103,
    XS104,
    XS201,
    LI001,
    LI101,
    LI102,
    RL001,
    RL002,
    PHP001,
    PHP101,
    PHP102,
    PHP103,
    PHP104,
    PHP105,
    PHP106,
    PHP201,
    PHP202,
    PHP203,
    PHP204,
    PHP205,
    PHP301,
    LV001,
    LV002,
    LV101,
    LV102,
    LV103,
    LV104,
    LV105,
    DJ001,
    DJ101,
    DJ102,
    DJ103,
    DJ104,
    DJ105,
    DJ106,
    DJ201,
    DJ202,
    DC001,
    DC101,
    DC102,
    DC103,
    FL001,
    FL101,
    FL102,
    FL103,
    FL104,
    FL105,
    FL106,
    FL201,
    FL202,
    FL203,
    FL204,
    FL205,
    NJ001,
    NJ101,
    NJ102,
    NJ103,
    NJ104,
    NJ105,
    NJ201,
    NJ202,
    NJ203,
    NJ204,
    NJ205,
    NJ206,
    NJ301,
}

impl RuleId {
    pub const ALL: [RuleId; 94] = [
        RuleId::RD001,
        RuleId::RD002,
        RuleId::RD101,
        RuleId::RD102,
        RuleId::RD201,
        RuleId::RD202,
        RuleId::RD203,
        RuleId::RD204,
        RuleId::RD205,
        RuleId::RD301,
        RuleId::RD302,
        RuleId::RD401,
        RuleId::RD402,
        RuleId::RD403,
        RuleId::RD501,
        RuleId::RD502,
        RuleId::RD503,
        RuleId::SN001,
        RuleId::SN101,
        RuleId::SN102,
        RuleId::SN103,
        RuleId::SN104,
        RuleId::SN201,
        RuleId::SN202,
        RuleId::SN301,
        RuleId::SN302,
        RuleId::XS101,
        RuleId::XS102,
        RuleId::XS103,
        RuleId::XS104,
        RuleId::XS201,
        RuleId::LI001,
        RuleId::LI101,
        RuleId::LI102,
        RuleId::RL001,
        RuleId::RL002,
        RuleId::PHP001,
        RuleId::PHP101,
        RuleId::PHP102,
        RuleId::PHP103,
        RuleId::PHP104,
        RuleId::PHP105,
        RuleId::PHP106,
        RuleId::PHP201,
        RuleId::PHP202,
        RuleId::PHP203,
        RuleId::PHP204,
        RuleId::PHP205,
        RuleId::PHP301,
        RuleId::LV001,
        RuleId::LV002,
        RuleId::LV101,
        RuleId::LV102,
        RuleId::LV103,
        RuleId::LV104,
        RuleId::LV105,
        RuleId::DJ001,
        RuleId::DJ101,
        RuleId::DJ102,
        RuleId::DJ103,
        RuleId::DJ104,
        RuleId::DJ105,
        RuleId::DJ106,
        RuleId::DJ201,
        RuleId::DJ202,
        RuleId::DC001,
        RuleId::DC101,
        RuleId::DC102,
        RuleId::DC103,
        RuleId::FL001,
        RuleId::FL101,
        RuleId::FL102,
        RuleId::FL103,
        RuleId::FL104,
        RuleId::FL105,
        RuleId::FL106,
        RuleId::FL201,
        RuleId::FL202,
        RuleId::FL203,
        RuleId::FL204,
        RuleId::FL205,
        RuleId::NJ001,
        RuleId::NJ101,
        RuleId::NJ102,
        RuleId::NJ103,
        RuleId::NJ104,
        RuleId::NJ105,
        RuleId::NJ201,
        RuleId::NJ202,
        RuleId::NJ203,
        RuleId::NJ204,
        RuleId::NJ205,
        RuleId::NJ206,
        RuleId::NJ301,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::RD001 => "RD001",
            RuleId::RD002 => "RD002",
            RuleId::RD101 => "RD101",
            RuleId::RD102 => "RD102",
            RuleId::RD201 => "RD201",
            RuleId::RD202 => "RD202",
            RuleId::RD203 => "RD203",
            RuleId::RD204 => "RD204",
            RuleId::RD205 => "RD205",
            RuleId::RD301 => "RD301",
            RuleId::RD302 => "RD302",
            RuleId::RD401 => "RD401",
            RuleId::RD402 => "RD402",
            RuleId::RD403 => "RD403",
            RuleId::RD501 => "RD501",
            RuleId::RD502 => "RD502",
            RuleId::RD503 => "RD503",
            RuleId::SN001 => "SN001",
            RuleId::SN101 => "SN101",
            RuleId::SN102 => "SN102",
            RuleId::SN103 => "SN103",
            RuleId::SN104 => "SN104",
            RuleId::SN201 => "SN201",
            RuleId::SN202 => "SN202",
            RuleId::SN301 => "SN301",
            RuleId::SN302 => "SN302",
            RuleId::XS101 => "XS101",
            RuleId::XS102 => "XS102",
            RuleId::XS103 => "XS103",
            RuleId::XS104 => "XS104",
            RuleId::XS201 => "XS201",
            RuleId::LI001 => "LI001",
            RuleId::LI101 => "LI101",
            RuleId::LI102 => "LI102",
            RuleId::RL001 => "RL001",
            RuleId::RL002 => "RL002",
            RuleId::PHP001 => "PHP001",
            RuleId::PHP101 => "PHP101",
            RuleId::PHP102 => "PHP102",
            RuleId::PHP103 => "PHP103",
            RuleId::PHP104 => "PHP104",
            RuleId::PHP105 => "PHP105",
            RuleId::PHP106 => "PHP106",
            RuleId::PHP201 => "PHP201",
            RuleId::PHP202 => "PHP202",
            RuleId::PHP203 => "PHP203",
            RuleId::PHP204 => "PHP204",
            RuleId::PHP205 => "PHP205",
            RuleId::PHP301 => "PHP301",
            RuleId::LV001 => "LV001",
            RuleId::LV002 => "LV002",
            RuleId::LV101 => "LV101",
            RuleId::LV102 => "LV102",
            RuleId::LV103 => "LV103",
            RuleId::LV104 => "LV104",
            RuleId::LV105 => "LV105",
            RuleId::DJ001 => "DJ001",
            RuleId::DJ101 => "DJ101",
            RuleId::DJ102 => "DJ102",
            RuleId::DJ103 => "DJ103",
            RuleId::DJ104 => "DJ104",
            RuleId::DJ105 => "DJ105",
            RuleId::DJ106 => "DJ106",
            RuleId::DJ201 => "DJ201",
            RuleId::DJ202 => "DJ202",
            RuleId::DC001 => "DC001",
            RuleId::DC101 => "DC101",
            RuleId::DC102 => "DC102",
            RuleId::DC103 => "DC103",
            RuleId::FL001 => "FL001",
            RuleId::FL101 => "FL101",
            RuleId::FL102 => "FL102",
            RuleId::FL103 => "FL103",
            RuleId::FL104 => "FL104",
            RuleId::FL105 => "FL105",
            RuleId::FL106 => "FL106",
            RuleId::FL201 => "FL201",
            RuleId::FL202 => "FL202",
            RuleId::FL203 => "FL203",
            RuleId::FL204 => "FL204",
            RuleId::FL205 => "FL205",
            RuleId::NJ001 => "NJ001",
            RuleId::NJ101 => "NJ101",
            RuleId::NJ102 => "NJ102",
            RuleId::NJ103 => "NJ103",
            RuleId::NJ104 => "NJ104",
            RuleId::NJ105 => "NJ105",
            RuleId::NJ201 => "NJ201",
            RuleId::NJ202 => "NJ202",
            RuleId::NJ203 => "NJ203",
            RuleId::NJ204 => "NJ204",
            RuleId::NJ205 => "NJ205",
            RuleId::NJ206 => "NJ206",
            RuleId::NJ301 => "NJ301",
        }
    }

    /// The ID `text` names (case-insensitive), if any.
    pub fn parse(text: &str) -> Option<RuleId> {
        RuleId::ALL
            .into_iter()
            .find(|id| id.as_str().eq_ignore_ascii_case(text))
    }

    /// The rule this ID names.
    pub fn rule(self) -> &'static Rule {
        RULES
            .iter()
            .find(|r| r.id == self)
            .expect("every ID has a rule in RULES (checked by tests)")
    }
}

/// For the rules that still name their ID as text (the Django family): an ID the registry does
/// not know is a bug, caught by the fixture tests of that family.
impl From<&'static str> for RuleId {
    fn from(text: &'static str) -> RuleId {
        RuleId::parse(text).unwrap_or_else(|| panic!("`{text}` is not a rule of the registry"))
    }
}

/// What kind of fix a rule offers (rules.md): its findings' fixes have this applicability
/// (`tests/fix_availability.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixAvailability {
    /// Applied by `fix --write`.
    Safe,
    /// Applied only with `--unsafe-fixes`.
    Unsafe,
    /// Unsafe, except in the case rules.md names, which the rule proves before it offers the fix
    /// as safe. The catalogue calls it `unsafe`.
    UnsafeOrSafe { safe_when: &'static str },
    /// Shown, never applied.
    Display,
    /// No fix.
    None,
}

impl FixAvailability {
    pub fn as_str(self) -> &'static str {
        match self {
            FixAvailability::Safe => "safe",
            FixAvailability::Unsafe | FixAvailability::UnsafeOrSafe { .. } => "unsafe",
            FixAvailability::Display => "display",
            FixAvailability::None => "none",
        }
    }
}

/// What a rule is about (SARIF's tag): lines the software refuses, wrong settings, lost sessions,
/// exposure and weak settings, stale suppressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// A line the software refuses: only such rules' fixes may edit a file with one.
    Syntax,
    Correctness,
    Reliability,
    Security,
    Maintainability,
}

impl Category {
    /// The SARIF tag (`properties.tags`): syntax problems are correctness.
    pub fn sarif_tag(self) -> &'static str {
        match self {
            Category::Syntax | Category::Correctness => "correctness",
            Category::Reliability => "reliability",
            Category::Security => "security",
            Category::Maintainability => "maintainability",
        }
    }
}

/// Where a rule runs: the family drivers call each enabled rule on the part of the stack its
/// check takes.
#[derive(Clone, Copy)]
pub enum Check {
    /// Once, over the whole stack.
    Stack(fn(&Context, &mut Vec<Finding>)),
    /// Once per redis-server instance.
    Instance(fn(&Context, &Instance, &mut Vec<Finding>)),
    /// Once per Sentinel.
    Sentinel(fn(&Context, &SentinelModel, &mut Vec<Finding>)),
    /// Once per PHP configuration; `bool`: it is a whole php.ini, not a conf.d fragment alone.
    Php(fn(&Context, &PhpConfig, bool, &mut Vec<Finding>)),
    /// Once per Laravel `.env*` file.
    LaravelEnv(fn(&Context, &EnvSource, &mut Vec<Finding>)),
    /// Once per Laravel application and `.env` variant.
    LaravelVariant(fn(&Context, &LaravelApp, &EnvSource, &mut Vec<Finding>)),
    /// In the Django family's one pass (`rules/django.rs`).
    Django,
    /// Once per Flask config (an app, or a config class judged alone).
    Flask(fn(&Context, &crate::model::flask::FlaskConfig, &mut Vec<Finding>)),
    /// Made by the engine's suppression pass.
    Engine,
}

/// A rule: its metadata and its check.
pub struct Rule {
    pub id: RuleId,
    /// A public contract, like the ID: CI configs and SARIF history refer to it.
    pub name: &'static str,
    pub severity: Severity,
    pub fix: FixAvailability,
    /// Held back on development and test files unless --all-environments (rules.md,
    /// Environments).
    pub hardening: bool,
    pub category: Category,
    pub summary: &'static str,
    pub explanation: &'static str,
    pub example: &'static str,
    pub fix_description: &'static str,
    pub references: &'static [&'static str],
    pub check: Check,
}

/// Every rule, in catalogue order.
pub static RULES: &[&Rule] = &[
    &super::redis::invalid_line::RULE,
    &super::redis::include_not_found::RULE,
    &super::redis::no_password::RULE,
    &super::redis::requirepass_ignored::RULE,
    &super::redis::listens_on_all_interfaces::RULE,
    &super::redis::listens_on_public_address::RULE,
    &super::redis::protected_mode_off::RULE,
    &super::redis::cleartext_on_network::RULE,
    &super::redis::unix_socket_world_accessible::RULE,
    &super::redis::aof_disabled::RULE,
    &super::redis::aof_fsync_off::RULE,
    &super::redis::dangerous_commands_enabled::RULE,
    &super::redis::config_command_enabled::RULE,
    &super::redis::guessable_rename::RULE,
    &super::redis::evicting_policy_on_session_store::RULE,
    &super::redis::maxmemory_unset::RULE,
    &super::redis::activedefrag_needs_bundled_jemalloc::RULE,
    &super::sentinel::invalid_line::RULE,
    &super::cross_stack::monitor_without_auth_pass::RULE,
    &super::cross_stack::auth_pass_mismatch::RULE,
    &super::sentinel::auth_pass_unsafe_characters::RULE,
    &super::cross_stack::rename_unknown_to_sentinel::RULE,
    &super::sentinel::quorum_unreachable::RULE,
    &super::sentinel::master_on_loopback::RULE,
    &super::sentinel::sentinel_without_auth::RULE,
    &super::sentinel::scripts_reconfig_allowed::RULE,
    &super::cross_stack::client_password_mismatch::RULE,
    &super::cross_stack::sessions_share_database::RULE,
    &super::cross_stack::sessions_share_instance_with_cache::RULE,
    &super::cross_stack::client_target_unknown::RULE,
    &super::passwords::weak_password::RULE,
    &super::live::settings_unreadable::RULE,
    &super::live::config_drift::RULE,
    &super::live::running_version_unknown_to_file::RULE,
    &super::suppressions::unused_suppression::RULE,
    &super::suppressions::unknown_rule_in_suppression::RULE,
    &super::php::invalid_ini_line::RULE,
    &super::php::sessions_on_local_files::RULE,
    &super::php::save_path_without_auth::RULE,
    &super::php::save_path_default_database::RULE,
    &super::php::save_path_cleartext_remote::RULE,
    &super::php::save_path_unparseable::RULE,
    &super::php::save_path_password_encoding::RULE,
    &super::php::cookie_not_secure::RULE,
    &super::php::cookie_not_httponly::RULE,
    &super::php::strict_mode_off::RULE,
    &super::php::samesite_unset::RULE,
    &super::php::session_id_in_url::RULE,
    &super::php::session_locking_off::RULE,
    &super::laravel::invalid_env_line::RULE,
    &super::laravel::value_cut_by_comment::RULE,
    &super::laravel::session_driver_not_shared::RULE,
    &super::laravel::redis_password_missing::RULE,
    &super::laravel::session_shares_cache_database::RULE,
    &super::laravel::session_cookie_not_secure::RULE,
    &super::laravel::session_cookie_not_httponly::RULE,
    &super::django_rules::DJ001,
    &super::django_rules::DJ101,
    &super::django_rules::DJ102,
    &super::django_rules::DJ103,
    &super::django_rules::DJ104,
    &super::django_rules::DJ105,
    &super::django_rules::DJ106,
    &super::django_rules::DJ201,
    &super::django_rules::DJ202,
    &super::deploy::invalid_manifest::RULE,
    &super::deploy::redis_port_published::RULE,
    &super::deploy::redis_service_exposed::RULE,
    &super::deploy::password_on_command_line::RULE,
    &super::flask::module_syntax_error::RULE,
    &super::flask::session_type_not_redis::RULE,
    &super::flask::session_redis_not_a_client::RULE,
    &super::flask::unknown_session_key::RULE,
    &super::flask::redis_cleartext_remote::RULE,
    &super::flask::redis_url_password_encoding::RULE,
    &super::flask::tls_without_verification::RULE,
    &super::flask::session_cookie_not_secure::RULE,
    &super::flask::session_cookie_not_httponly::RULE,
    &super::flask::cookie_flag_from_string::RULE,
    &super::flask::samesite_none::RULE,
    &super::flask::secret_key_in_code::RULE,
    &super::node::module_syntax_error::RULE,
    &super::node::session_store_memory::RULE,
    &super::node::client_option_ignored::RULE,
    &super::node::redis_url_password_encoding::RULE,
    &super::node::redis_cleartext_remote::RULE,
    &super::node::no_error_listener::RULE,
    &super::node::session_cookie_not_secure::RULE,
    &super::node::session_cookie_not_httponly::RULE,
    &super::node::resave_or_save_uninitialized_unset::RULE,
    &super::node::secure_cookie_without_trust_proxy::RULE,
    &super::node::session_secret_in_code::RULE,
    &super::node::samesite_none_without_secure::RULE,
    &super::node::sessions_never_expire::RULE,
];
