#![no_main]
//! Fuzz the php_array reader: see harness.rs for the invariants.

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::check("php_array", data));
