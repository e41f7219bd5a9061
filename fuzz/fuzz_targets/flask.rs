#![no_main]
//! Fuzz the Flask reader (the Python reader and the Flask model, with FL fixes): see harness.rs
//! for the invariants.

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::check("flask", data));
