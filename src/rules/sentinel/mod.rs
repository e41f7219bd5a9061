//! `SN`: rules over Sentinel configurations.

pub mod auth_pass_unsafe_characters;
pub mod invalid_line;
pub mod master_on_loopback;
pub mod quorum_unreachable;
pub mod scripts_reconfig_allowed;
pub mod sentinel_without_auth;
use super::model_issues::model_issues;
use super::registry::{Check, Rule};
use super::{Context, Finding, Related};
use crate::fix::edits::redis::add_line;
use crate::fix::{self, Applicability, Fix};
use crate::model::redis::DefaultUserSource;
use crate::model::sentinel::SentinelModel;
use crate::secret;
use std::net::IpAddr;

/// Run the enabled Sentinel rules over every Sentinel.
pub(crate) fn run(ctx: &Context, rules: &[&Rule], out: &mut Vec<Finding>) {
    for sentinel in &ctx.stack.sentinels {
        for rule in rules {
            if let Check::Sentinel(check) = rule.check {
                check(ctx, sentinel, out);
            }
        }
    }
}
