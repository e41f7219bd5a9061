//! Running on untrusted repositories (issue 10, cli.md): each test starts from a tree a pull
//! request could contain and tries one attack. They run as root in CI, as redline does there.

#[path = "../common/mod.rs"]
mod common;

mod bounded;
mod confined;
mod express;
mod secrets;
mod yaml;
