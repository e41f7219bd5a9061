#![no_main]
//! Fuzz the JavaScript/TypeScript reader and the Express model: see harness.rs for the
//! invariants.

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::check("javascript", data));
