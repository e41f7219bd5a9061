//! The command line (cli.md is the contract).

use clap::builder::{PossibleValue, StringValueParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Any text, checked later (rule IDs and family prefixes case-insensitively, versions by
/// `config::parse_redis_version`), with the values shell completions offer.
#[derive(Clone)]
pub struct Completed(fn() -> Vec<&'static str>);

impl TypedValueParser for Completed {
    type Value = String;

    fn parse_ref(
        &self,
        command: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        StringValueParser::new().parse_ref(command, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new((self.0)().into_iter().map(PossibleValue::new)))
    }
}

/// The rule families (`RD`, `SN`, ...) and every rule ID of the catalogue.
fn rule_ids() -> Vec<&'static str> {
    crate::rules::FAMILIES
        .iter()
        .copied()
        .chain(crate::rules::catalog().iter().map(|r| r.id.as_str()))
        .collect()
}

/// The Redis versions whose defaults and directives redline knows.
fn redis_versions() -> Vec<&'static str> {
    crate::model::directives::RedisVersion::KNOWN.to_vec()
}

#[derive(Parser, Debug)]
#[command(
    name = "redline",
    version,
    about = "Audit and harden the configuration of Redis-backed session stores",
    max_term_width = 100
)]
pub struct Cli {
    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Discover config files under each PATH, audit them as one stack and print findings.
    Check(CheckArgs),
    /// Compute fixes; print them as a unified diff, or apply them with --write.
    Fix(FixArgs),
    /// Print the discovered topology: instances, Sentinels, clients, and the instance each client
    /// is linked to, with the cross-file findings on each link.
    Stack(StackArgs),
    /// List the rule catalogue.
    Rules {
        #[arg(long, value_enum, default_value_t = CatalogFormat::Text)]
        format: CatalogFormat,
    },
    /// Explain a rule: what it finds, why it matters, an example, the fix and references.
    Explain {
        /// A rule ID, such as RD101.
        #[arg(value_parser = Completed(rule_ids), hide_possible_values = true)]
        id: String,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): every command and option, the exit codes and the files read.
    Man,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitLab Code Quality.
    Gitlab,
    /// JUnit XML.
    Junit,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum CatalogFormat {
    Text,
    Json,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    Error,
    Warning,
    Info,
    Never,
}

/// What to read: the options `check`, `fix` and `stack` share.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Files or folders to audit (default: the current folder); `-` reads one file from standard
    /// input.
    pub paths: Vec<PathBuf>,
    /// The name of the file read from standard input (`-`): its kind and environment come from
    /// it, and findings are reported under it [default: -].
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// Read settings from FILE instead of the nearest redline.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Read no redline.toml.
    #[arg(long)]
    pub no_config: bool,
    /// Also list the files passed over (named like a config, holding something else).
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Also report hardening rules on development and test files.
    #[arg(long)]
    pub all_environments: bool,
    /// Read files matching GLOB as KIND (redis, sentinel, acl, php-ini, laravel-env,
    /// laravel-config, django-settings, flask, node, node-package, compose, kubernetes), whatever
    /// their name.
    #[arg(long = "type", value_name = "KIND=GLOB")]
    pub types: Vec<String>,
    /// Skip files and folders matching GLOB.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Walk past what .gitignore, .ignore and .redlineignore files exclude (they are honoured
    /// by default in the folders walked; a file named as a PATH is always audited).
    #[arg(long)]
    pub no_ignore: bool,
    /// Read absolute paths inside configs (include, aclfile) under DIR.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Also read files under DIR (repeatable): includes, aclfiles and links are read only inside
    /// the audited tree (the PATHs, --root and these folders).
    #[arg(long, value_name = "DIR")]
    pub allow_read: Vec<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct CommonArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Report format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Write the report to FILE instead of standard output (a summary still goes to standard error).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write a report in FORMAT to FILE (repeatable), e.g. `--report sarif=redline.sarif`.
    #[arg(long, value_name = "FORMAT=FILE")]
    pub report: Vec<String>,
    /// Print a count per rule instead of the findings.
    #[arg(long)]
    pub statistics: bool,
    /// Print the findings only: no summary line.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Exit 1 when a finding at or above this severity remains [default: warning].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOnArg>,
    /// Exit 0 whatever is found (same as --fail-on never).
    #[arg(long)]
    pub exit_zero: bool,
    /// Only these rules or families (comma-separated: RD101,SN).
    #[arg(long, value_delimiter = ',', value_name = "ID", value_parser = Completed(rule_ids), hide_possible_values = true)]
    pub select: Vec<String>,
    /// Skip these rules or families.
    #[arg(long, value_delimiter = ',', value_name = "ID", value_parser = Completed(rule_ids), hide_possible_values = true)]
    pub ignore: Vec<String>,
    /// Disregard every `redline: ignore` comment (per-file-ignores in redline.toml still apply).
    #[arg(long)]
    pub no_inline_ignores: bool,
    /// Report only findings that FILE (from --write-baseline) does not list.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in FILE, for later runs with --baseline.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Print secret values in messages and diffs (they print as ******** by default).
    #[arg(long)]
    pub show_secrets: bool,
    /// Judge the configs as this Redis version reads them (6.2, 7.0, 7.2, 7.4, 8.0) [default: any].
    #[arg(long, value_name = "VERSION", value_parser = Completed(redis_versions), hide_possible_values = true)]
    pub redis_version: Option<String>,
    #[command(flatten)]
    pub live: LiveArgs,
}

/// Live audit (v1.2): running servers read with read-only commands.
#[derive(Args, Debug, Clone, Default)]
pub struct LiveArgs {
    /// Also audit the running server TARGET (redis://[user@]host[:port][/db] or
    /// unix:///path/redis.sock; repeatable); TARGET=PATH links it to the config it runs from.
    /// The password comes from REDISCLI_AUTH or --password-file, never from TARGET.
    #[arg(long, value_name = "TARGET")]
    pub live: Vec<String>,
    /// Read the password of the --live targets from FILE (its first line).
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Seconds to wait for a --live connection and for each command [default: 5].
    #[arg(long, value_name = "SECONDS")]
    pub live_timeout: Option<f64>,
    /// CA certificates (PEM) that rediss:// targets' certificates are checked against
    /// [default: /etc/ssl/certs/ca-certificates.crt].
    #[arg(long, value_name = "FILE")]
    pub tls_ca: Option<PathBuf>,
    /// Client certificate (PEM) for rediss:// targets, with --tls-key.
    #[arg(long, value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// Private key (PEM) of --tls-cert.
    #[arg(long, value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum StackFormat {
    Text,
    Json,
    /// Graphviz DOT (`redline stack --format dot | dot -Tsvg > stack.svg`).
    Dot,
    /// A Mermaid flowchart (renders in GitHub and GitLab Markdown).
    Mermaid,
}

#[derive(Args, Debug)]
pub struct StackArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[arg(long, value_enum, default_value_t = StackFormat::Text)]
    pub format: StackFormat,
    #[command(flatten)]
    pub live: LiveArgs,
}

impl StackArgs {
    /// The check options these stand for, everything else at its default.
    pub fn as_common(&self) -> CommonArgs {
        CommonArgs {
            input: self.input.clone(),
            format: OutputFormat::Text,
            output: None,
            report: Vec::new(),
            statistics: false,
            quiet: false,
            fail_on: None,
            exit_zero: false,
            select: Vec::new(),
            ignore: Vec::new(),
            no_inline_ignores: false,
            baseline: None,
            write_baseline: None,
            show_secrets: false,
            redis_version: None,
            live: self.live.clone(),
        }
    }
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args, Debug)]
pub struct FixArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Apply the fixes to the files in place.
    #[arg(long, conflicts_with = "output_dir")]
    pub write: bool,
    /// Write patched copies of the audited files under DIR (same relative paths); originals stay.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Also apply unsafe fixes (they may break a client or change behaviour).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Keep FILE.bak next to each file changed in place (FILE.bak.N if that exists).
    #[arg(long, requires = "write")]
    pub backup: bool,
}
