#![no_main]
//! Fuzz the live client's RESP reader and the rendering of what a server says: see harness.rs.

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::check("live_reply", data));
