//! `RL`: findings about suppressions themselves. Their checks are the engine's suppression pass;
//! their metadata is here.

pub mod unknown_rule_in_suppression;
pub mod unused_suppression;
