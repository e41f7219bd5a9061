#![no_main]
//! Fuzz the YAML reader and the deployment model on compose files: see harness.rs for the invariants.

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::check("compose", data));
