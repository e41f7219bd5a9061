//! ACL user rules (`user NAME rule...` in redis.conf or an aclfile), checked the way
//! `ACLSetUser`/`ACLSetSelector` (src/acl.c) check them, and evaluated for what the rules need:
//! whether a user needs a password, which passwords it has, and which commands it may call.

use super::directives::{tables, tracked_commands, RedisVersion};
use crate::syntax::redis::Arg;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordRule {
    /// `>password`: the argument holds the clear text (after the `>`).
    Plain(Arg),
    /// `#<sha256>`.
    Hash(Arg),
}

#[derive(Debug, Clone)]
pub struct UserState {
    pub enabled: bool,
    pub nopass: bool,
    pub passwords: Vec<PasswordRule>,
    /// The argument that made the user passwordless (`nopass`), for locating findings and fixes.
    pub nopass_arg: Option<Arg>,
    /// tracked command -> allowed (root selector or any extra selector).
    pub commands: BTreeMap<&'static str, bool>,
}

impl UserState {
    /// A user as `ACLCreateUser` makes it, and as `reset` leaves it: off, no password, no commands.
    pub fn fresh() -> UserState {
        UserState {
            enabled: false,
            nopass: false,
            passwords: Vec::new(),
            nopass_arg: None,
            commands: tracked_commands().into_iter().map(|c| (c, false)).collect(),
        }
    }

    /// The default user when nothing configures it: `on nopass ~* &* +@all`.
    pub fn default_user() -> UserState {
        let mut u = UserState::fresh();
        u.enabled = true;
        u.nopass = true;
        for v in u.commands.values_mut() {
            *v = true;
        }
        u
    }

    /// Connections are authenticated as this user without a password.
    pub fn open_without_password(&self) -> bool {
        self.enabled && self.nopass
    }

    pub fn can_call(&self, command: &str) -> bool {
        self.commands.get(command).copied().unwrap_or(false)
    }
}

/// Merge `(` ... `)` selector arguments the way `ACLMergeSelectorArguments` does.
fn merge_selectors(rules: &[Arg]) -> Result<Vec<Arg>, String> {
    let mut out = Vec::new();
    let mut open: Option<Arg> = None;
    for rule in rules {
        if let Some(sel) = open.as_mut() {
            sel.value.push(b' ');
            sel.value.extend_from_slice(&rule.value);
            sel.span.end = rule.span.end;
            if rule.value.last() == Some(&b')') {
                out.push(open.take().unwrap());
            }
        } else if rule.value.first() == Some(&b'(') && rule.value.last() != Some(&b')') {
            open = Some(rule.clone());
        } else {
            out.push(rule.clone());
        }
    }
    match open {
        Some(sel) => Err(format!(
            "Unmatched parenthesis in acl selector starting at '{}'.",
            redacted_rule(&sel.value)
        )),
        None => Ok(out),
    }
}

/// The part of an ACL rule argument that holds a secret: what follows the `>`, `<`, `#` or `!`
/// of a password rule, or a whole selector (`(>pw ~k:*)`) or argument of one. `raw` is the
/// argument's source text (quotes included) at `span`.
pub fn rule_secret_span(
    raw: &[u8],
    value: &[u8],
    span: &std::ops::Range<usize>,
) -> Option<std::ops::Range<usize>> {
    let first = raw
        .iter()
        .position(|b| !matches!(b, b'"' | b'\''))
        .unwrap_or(0);
    if matches!(raw.get(first), Some(b'>' | b'<' | b'#' | b'!')) {
        Some(span.start + first + 1..span.end)
    } else if value.first() == Some(&b'(') || value.contains(&b'>') || value.contains(&b'<') {
        // A selector, or a piece of one split over several arguments.
        Some(span.clone())
    } else {
        None
    }
}

/// A rule as it may be shown: password rules never print their value.
pub fn redacted_rule(rule: &[u8]) -> String {
    match rule.first() {
        Some(b'>' | b'<' | b'#' | b'!') => format!("{}********", rule[0] as char),
        _ => String::from_utf8_lossy(rule).into_owned(),
    }
}

fn valid_hash(hex: &[u8]) -> bool {
    hex.len() == 64
        && hex
            .iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
}

const ERR_UNKNOWN: &str = "Unknown command or category name in ACL";
const ERR_SYNTAX: &str = "Syntax error";
const ERR_HASH: &str =
    "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters";

/// Apply `rules` to `user`, in order. Returns the first error as redis-server words it, with the
/// rule it is about.
pub fn apply_rules(
    user: &mut UserState,
    rules: &[Arg],
    version: Option<RedisVersion>,
) -> Result<(), (Arg, String)> {
    let merged = merge_selectors(rules).map_err(|m| (rules[0].clone(), m))?;
    for rule in &merged {
        apply_rule(user, rule, version).map_err(|m| (rule.clone(), m))?;
    }
    Ok(())
}

fn apply_rule(
    user: &mut UserState,
    rule: &Arg,
    version: Option<RedisVersion>,
) -> Result<(), String> {
    let op = &rule.value;
    if op.is_empty() {
        return Ok(());
    }
    let lower = String::from_utf8_lossy(op).to_ascii_lowercase();
    match lower.as_str() {
        "on" => user.enabled = true,
        "off" => user.enabled = false,
        "skip-sanitize-payload" | "sanitize-payload" | "clearselectors" => {}
        "nopass" => {
            user.nopass = true;
            user.passwords.clear();
            user.nopass_arg = Some(rule.clone());
        }
        "resetpass" => {
            user.nopass = false;
            user.passwords.clear();
            user.nopass_arg = None;
        }
        "reset" => {
            let fresh = UserState::fresh();
            *user = fresh;
        }
        _ => match op[0] {
            b'>' => {
                user.passwords.push(PasswordRule::Plain(rule.clone()));
                user.nopass = false;
                user.nopass_arg = None;
            }
            b'#' => {
                if !valid_hash(&op[1..]) {
                    return Err(ERR_HASH.into());
                }
                user.passwords.push(PasswordRule::Hash(rule.clone()));
                user.nopass = false;
                user.nopass_arg = None;
            }
            b'<' | b'!' => {
                if op[0] == b'!' && !valid_hash(&op[1..]) {
                    return Err(ERR_HASH.into());
                }
                let before = user.passwords.len();
                user.passwords.retain(|p| {
                    !(match (p, op[0]) {
                        (PasswordRule::Plain(a), b'<') => a.value[1..] == op[1..],
                        (PasswordRule::Hash(a), b'!') => a.value[1..] == op[1..],
                        _ => false,
                    })
                });
                if user.passwords.len() == before {
                    return Err(
                        "The password you are trying to remove from the user does not exist".into(),
                    );
                }
            }
            b'(' if op.last() == Some(&b')') => {
                // A selector grants more, never less: what it allows is allowed.
                let inner: Vec<Arg> = op[1..op.len() - 1]
                    .split(|&b| b == b' ')
                    .filter(|p| !p.is_empty())
                    .map(|p| Arg {
                        value: p.to_vec(),
                        span: rule.span.clone(),
                    })
                    .collect();
                let mut selector = UserState::fresh();
                for part in &inner {
                    apply_selector_rule(&mut selector, &part.value, version)?;
                }
                for (cmd, allowed) in selector.commands {
                    if allowed {
                        user.commands.insert(cmd, true);
                    }
                }
            }
            _ => apply_selector_rule(user, op, version)?,
        },
    }
    Ok(())
}

fn has_space(bytes: &[u8]) -> bool {
    bytes.iter().any(|b| b.is_ascii_whitespace())
}

fn apply_selector_rule(
    user: &mut UserState,
    op: &[u8],
    version: Option<RedisVersion>,
) -> Result<(), String> {
    let text = String::from_utf8_lossy(op).to_ascii_lowercase();
    let tables = tables();
    match text.as_str() {
        "allkeys" | "~*" | "resetkeys" | "allchannels" | "&*" | "resetchannels" => return Ok(()),
        "allcommands" | "+@all" => {
            user.commands.values_mut().for_each(|v| *v = true);
            return Ok(());
        }
        "nocommands" | "-@all" => {
            user.commands.values_mut().for_each(|v| *v = false);
            return Ok(());
        }
        _ => {}
    }
    match op[0] {
        b'~' => {
            if has_space(&op[1..]) {
                return Err(ERR_SYNTAX.into());
            }
        }
        b'%' => {
            // %R~, %W~, %RW~ key permissions.
            let mut i = 1;
            let (mut r, mut w) = (false, false);
            loop {
                match op.get(i).map(|b| b.to_ascii_uppercase()) {
                    Some(b'R') if !r => r = true,
                    Some(b'W') if !w => w = true,
                    Some(b'~') => break,
                    _ => return Err(ERR_SYNTAX.into()),
                }
                i += 1;
            }
            if has_space(&op[i + 1..]) {
                return Err(ERR_SYNTAX.into());
            }
        }
        b'&' => {
            if has_space(&op[1..]) {
                return Err(ERR_SYNTAX.into());
            }
        }
        b'+' | b'-' if op.get(1) == Some(&b'@') => {
            let category = &text[2..];
            if !tables.is_category(category) {
                return Err(ERR_UNKNOWN.into());
            }
            let allow = op[0] == b'+';
            for (cmd, allowed) in user.commands.iter_mut() {
                if tables.in_category(cmd, category) {
                    *allowed = allow;
                }
            }
        }
        b'+' | b'-' => {
            let allow = op[0] == b'+';
            let name = &text[1..];
            let (command, sub) = match name.rsplit_once('|') {
                Some((c, s)) => (c, Some(s)),
                None => (name, None),
            };
            if !tables.is_command(command, version) {
                return Err(ERR_UNKNOWN.into());
            }
            if sub == Some("") {
                return Err(ERR_SYNTAX.into());
            }
            if let Some(tracked) = tracked_commands().into_iter().find(|c| *c == command) {
                // Allowing one subcommand makes the command callable; denying one leaves the rest.
                if allow || sub.is_none() {
                    user.commands.insert(tracked, allow);
                }
            }
        }
        _ => return Err(ERR_SYNTAX.into()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::redis::split_args;

    fn user(rules: &str) -> Result<UserState, String> {
        let args = split_args(rules.as_bytes(), 0).unwrap();
        let mut u = UserState::fresh();
        apply_rules(&mut u, &args, None).map_err(|(_, m)| m)?;
        Ok(u)
    }

    #[test]
    fn dangerous_category_removes_flush_commands() {
        let u = user("on nopass ~* +@all -@dangerous").unwrap();
        assert!(u.open_without_password());
        assert!(!u.can_call("flushall"));
        assert!(!u.can_call("config"));
    }

    #[test]
    fn password_and_single_command_denial() {
        let u = user("on >secret ~* +@all -flushall").unwrap();
        assert!(!u.open_without_password());
        assert!(!u.can_call("flushall"));
        assert!(u.can_call("flushdb"));
    }

    #[test]
    fn errors_match_redis() {
        assert_eq!(user("on #abc").unwrap_err(), ERR_HASH);
        assert_eq!(user("on +nosuchcommand").unwrap_err(), ERR_UNKNOWN);
        assert_eq!(user("on +@nosuchcat").unwrap_err(), ERR_UNKNOWN);
        assert_eq!(user("on bogus").unwrap_err(), ERR_SYNTAX);
        assert!(user("on (~key +get")
            .unwrap_err()
            .starts_with("Unmatched parenthesis"));
        assert!(user("on (~key +get) (+flushall)")
            .unwrap()
            .can_call("flushall"));
    }
}
