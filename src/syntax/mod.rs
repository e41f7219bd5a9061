//! Per-format syntax over a lossless document of the original bytes.

pub mod document;
pub mod dotenv;
pub mod ini;
pub mod php_array;
pub mod python;
pub mod redis;
pub mod url;
