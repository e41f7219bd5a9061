//! `LI`: running servers read with `check --live`, and the drift between a server and the file
//! it runs from. The `RD` rules judge a live target's configuration as any other instance; these
//! rules judge what only a live target has: what could not be read, its version, its drift.

pub mod config_drift;
pub mod running_version_unknown_to_file;
pub mod settings_unreadable;

use crate::live::LiveTarget;
use crate::model::acl::{PasswordRule, UserState};
use crate::rules::{Context, Finding, Related};
use crate::stack::Instance;
use std::collections::BTreeSet;

/// The instance a live target's configuration became, and the instance of its linked file.
fn instances<'a>(
    ctx: &'a Context,
    live: &LiveTarget,
) -> (Option<&'a Instance>, Option<&'a Instance>) {
    let find = |file| ctx.stack.instances.iter().find(|i| i.model.root == file);
    (find(live.file), live.linked.and_then(find))
}

/// The SHA-256 of each password a user accepts (ACL `#` rules are hashes already).
fn password_hashes(state: &UserState) -> BTreeSet<String> {
    state
        .passwords
        .iter()
        .map(|p| match p {
            PasswordRule::Plain(a) => crate::secret::sha256_hex(&a.value[1..]),
            PasswordRule::Hash(a) => String::from_utf8_lossy(&a.value[1..]).to_ascii_lowercase(),
        })
        .collect()
}

/// A finding on the live target itself (no line: reports show the target).
fn on_target(id: crate::rules::RuleId, live: &LiveTarget, message: String) -> Finding {
    Finding::new(id, live.file, 0..0, message)
}

/// The related location naming the live target.
fn target_related(live: &LiveTarget, message: String) -> Related {
    Related {
        file: live.file,
        span: 0..0,
        message,
    }
}
