//! Per-format syntax over a lossless document of the original bytes.

pub mod document;
pub mod ini;
pub mod redis;
