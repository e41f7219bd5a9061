//! What an instance's default user (or a named ACL user) accepts, from its model: what clients
//! and Sentinels are checked against, and what `redline stack` shows.

use crate::model::acl::PasswordRule;
use crate::model::redis::RedisModel;

/// What a client must send to pass the default user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstancePassword {
    /// The default user needs none.
    Open,
    /// The clear text is known (requirepass or `>pass`), with any `#hash` alternatives.
    Plain(String, Vec<String>),
    /// Only hashes are known.
    Hashes(Vec<String>),
    /// The default user is off, or its definition could not be read.
    Unknown,
}

impl InstancePassword {
    pub fn accepts(&self, password: &str) -> Option<bool> {
        match self {
            InstancePassword::Open => Some(false),
            // A deploy-time placeholder on either side is a value not known here.
            _ if crate::secret::is_placeholder(password.as_bytes()) => None,
            InstancePassword::Plain(p, _) if crate::secret::is_placeholder(p.as_bytes()) => None,
            InstancePassword::Plain(p, hashes) => Some(
                p == password || hashes.contains(&crate::secret::sha256_hex(password.as_bytes())),
            ),
            InstancePassword::Hashes(h) => {
                Some(h.contains(&crate::secret::sha256_hex(password.as_bytes())))
            }
            InstancePassword::Unknown => None,
        }
    }
    pub fn needs_one(&self) -> bool {
        !matches!(self, InstancePassword::Open | InstancePassword::Unknown)
    }
    pub fn plain(&self) -> Option<&str> {
        match self {
            // A deploy-time placeholder is not a value to copy into a client's file: the other
            // format would not expand it.
            InstancePassword::Plain(p, _) if crate::secret::is_placeholder(p.as_bytes()) => None,
            InstancePassword::Plain(p, _) => Some(p),
            _ => None,
        }
    }
}

pub fn instance_password(model: &RedisModel) -> InstancePassword {
    match &model.default_user {
        Some(user) => state_password(&user.state),
        None => InstancePassword::Unknown,
    }
}

/// What a client authenticating as `user` (`default` when None) must send. A user no audited
/// line defines may be created at run time (`ACL SETUSER`): unknown.
pub fn user_password(model: &RedisModel, user: Option<&str>) -> InstancePassword {
    match user {
        None | Some("default") => instance_password(model),
        Some(name) => model
            .named_users
            .iter()
            .find(|(n, _)| n == name.as_bytes())
            .map_or(InstancePassword::Unknown, |(_, state)| {
                state_password(state)
            }),
    }
}

fn state_password(state: &crate::model::acl::UserState) -> InstancePassword {
    if !state.enabled {
        return InstancePassword::Unknown;
    }
    if state.nopass {
        return InstancePassword::Open;
    }
    let mut plain = None;
    let mut hashes = Vec::new();
    for p in &state.passwords {
        match p {
            PasswordRule::Plain(a) => {
                plain.get_or_insert_with(|| String::from_utf8_lossy(&a.value[1..]).into_owned());
            }
            PasswordRule::Hash(a) => {
                hashes.push(String::from_utf8_lossy(&a.value[1..]).into_owned())
            }
        }
    }
    match plain {
        Some(p) => InstancePassword::Plain(p, hashes),
        None if !hashes.is_empty() => InstancePassword::Hashes(hashes),
        None => InstancePassword::Unknown,
    }
}
