//! redline audits and hardens the configuration of Redis-backed session stores.
//!
//! Data flows one way: `discovery` finds files -> `syntax` reads them losslessly -> `model` builds
//! effective configurations with provenance -> `stack` assembles instances and Sentinels ->
//! `rules` produce findings with `fix`es -> `report` renders them. `engine` runs the rules over
//! the stack (selection, suppressions, environments) and fixes until stable; `app` runs a
//! command, and `manual` renders the manual page of `cli`. Imports point down these layers
//! (README, Layout; `tests/layers.rs`).

pub mod app;
pub mod baseline;
pub mod cli;
pub mod config;
pub mod confine;
pub mod discovery;
pub mod engine;
pub mod environment;
pub mod fix;
pub mod live;
pub mod manual;
pub mod model;
pub mod report;
pub mod rules;
pub mod secret;
pub mod source;
pub mod stack;
pub mod suppress;
pub mod syntax;
