//! Semantic models: what the real software makes of the files, with provenance for every value.

pub mod acl;
pub mod deploy;
pub mod directives;
pub mod django;
pub mod flask;
pub mod laravel;
pub mod node;
pub mod php;
pub mod redis;
pub mod save_path;
pub mod sentinel;
