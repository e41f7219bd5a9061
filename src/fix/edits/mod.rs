//! Edit builders shared by rule families, by file syntax. They build byte-range edits from a model
//! and never decide whether a rule fires.

pub mod deploy;
pub mod redis;
