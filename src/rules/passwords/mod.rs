//! `XS201`: weak passwords anywhere on the server side of the stack (requirepass, ACL users,
//! masterauth, Sentinel auth-pass and sentinel-pass). A fix rotates the password to one generated
//! secret in every audited place that holds the same password, in one step.

pub mod weak_password;
use super::{Context, Finding};
use crate::fix::{self, Applicability, Fix};
use crate::model::acl::{apply_rules, PasswordRule, UserState};
use crate::model::redis::{safe_text, DefaultUserSource, RedisModel};
use crate::secret::{self, Weakness};
use crate::source::FileId;
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiteralKind {
    /// A directive value: the span is the value alone.
    Value,
    /// An ACL `>password` rule: the span covers the `>`.
    AclPlain,
    /// An ACL `#<sha256>` rule.
    AclHash,
}

#[derive(Debug, Clone)]
pub struct PasswordLiteral {
    /// What the password is, for messages ("`requirepass`", "the password of user `app`").
    pub what: String,
    /// The setting that holds it (`requirepass`, `user app`, `REDIS_PASSWORD`), for findings.
    pub setting: String,
    pub file: FileId,
    pub span: Range<usize>,
    /// The clear text, or the hex hash for `AclHash`.
    pub value: Vec<u8>,
    pub kind: LiteralKind,
    /// A password a client sends (php.ini save_path, Laravel .env), not one a server checks.
    pub client: bool,
    /// The span is exactly the password's source text, so a rotation may rewrite it.
    pub editable: bool,
}

impl PasswordLiteral {
    fn replacement(&self, secret: &str) -> Vec<u8> {
        match self.kind {
            LiteralKind::AclPlain => format!(">{secret}").into_bytes(),
            _ => secret.as_bytes().to_vec(),
        }
    }
}

fn user_literals(
    file: FileId,
    values: &[crate::syntax::redis::Arg],
    out: &mut Vec<PasswordLiteral>,
) {
    let name = safe_text(&values[0].text());
    let mut state = UserState::fresh();
    let _ = apply_rules(&mut state, &values[1..], None);
    for p in state.passwords {
        let (kind, arg, what) = match p {
            PasswordRule::Plain(a) => (
                LiteralKind::AclPlain,
                a,
                format!("the password of user `{name}`"),
            ),
            PasswordRule::Hash(a) => (
                LiteralKind::AclHash,
                a,
                format!("the password hash of user `{name}`"),
            ),
        };
        out.push(PasswordLiteral {
            what,
            setting: format!("user {name}"),
            file,
            span: arg.span.clone(),
            value: arg.value[1..].to_vec(),
            kind,
            client: false,
            editable: true,
        });
    }
}

/// The password literals in effect in one config (server or Sentinel). With `overridden`, also
/// the `requirepass` and `masterauth` lines a later line overrode: dead, but still a copy of the
/// password that a rotation must not leave behind.
pub fn server_literals(model: &RedisModel, overridden: bool) -> Vec<PasswordLiteral> {
    let mut out = Vec::new();
    let value = |what: &str, o: &crate::model::redis::Occurrence, index: usize| PasswordLiteral {
        what: what.to_string(),
        setting: o.name.clone(),
        file: o.file,
        span: o.values[index].span.clone(),
        value: o.values[index].value.clone(),
        kind: LiteralKind::Value,
        client: false,
        editable: true,
    };
    // requirepass counts only while it is the default user's password (else RD102 says so).
    if let Some(crate::model::redis::DefaultUser {
        source: DefaultUserSource::Requirepass(o),
        ..
    }) = &model.default_user
    {
        out.push(value("`requirepass`", o, 0));
    }
    if let Some(o) = model.last("masterauth") {
        out.push(value("`masterauth`", o, 0));
    }
    if overridden {
        for name in ["requirepass", "masterauth"] {
            let all: Vec<_> = model.all(name).collect();
            for o in all.iter().rev().skip(1) {
                out.push(value(&format!("`{name}`"), o, 0));
            }
        }
    }
    for u in &model.users {
        user_literals(u.file, &u.values, &mut out);
    }
    if let Some(acl) = &model.acl_file {
        for line in &acl.users {
            user_literals(line.file, &line.args[1..], &mut out);
        }
    }
    out
}

/// Every password literal of the stack's servers and Sentinels.
pub fn stack_literals(ctx: &Context, overridden: bool) -> Vec<PasswordLiteral> {
    let mut out = Vec::new();
    for instance in &ctx.stack.instances {
        out.extend(server_literals(&instance.model, overridden));
    }
    for acl in &ctx.stack.acl_files {
        out.extend(server_literals(acl, overridden));
    }
    for sentinel in &ctx.stack.sentinels {
        out.extend(server_literals(&sentinel.config, overridden));
        for m in &sentinel.masters {
            if let Some(o) = &m.auth_pass {
                out.push(PasswordLiteral {
                    what: format!("`sentinel auth-pass {}`", m.name),
                    setting: format!("sentinel auth-pass {}", safe_text(&m.name)),
                    file: o.file,
                    span: o.values[2].span.clone(),
                    value: o.values[2].value.clone(),
                    kind: LiteralKind::Value,
                    client: false,
                    editable: true,
                });
            }
        }
        if let Some(o) = &sentinel.sentinel_pass {
            out.push(PasswordLiteral {
                what: "`sentinel sentinel-pass`".into(),
                setting: "sentinel sentinel-pass".into(),
                file: o.file,
                span: o.values[1].span.clone(),
                value: o.values[1].value.clone(),
                kind: LiteralKind::Value,
                client: false,
                editable: true,
            });
        }
    }
    mark_placeholders(&mut out);
    out
}

/// A deploy-time placeholder is never rotated: replacing it with a literal would silently stop
/// the substitution that sets the real password.
fn mark_placeholders(literals: &mut [PasswordLiteral]) {
    for literal in literals {
        if secret::is_placeholder(&literal.value) {
            literal.editable = false;
        }
    }
}

/// Passwords clients send: phpredis' save_path `auth`, the `REDIS_PASSWORD` of a Laravel `.env`
/// (templates hold placeholders, not passwords).
pub fn client_literals(ctx: &Context) -> Vec<PasswordLiteral> {
    let mut out = Vec::new();
    for php in &ctx.stack.php {
        let (Some((file, entry)), Some(sp)) = (php.last("session.save_path"), php.save_path())
        else {
            continue;
        };
        let Some(base) = super::client_edits::direct_value_offset(ctx, *file, &entry.value_span)
        else {
            continue;
        };
        for host in &sp.hosts {
            if let Some(auth) = host.auth_password() {
                out.push(PasswordLiteral {
                    what: "the `auth` password in `session.save_path`".into(),
                    setting: "session.save_path".into(),
                    file: *file,
                    span: base + auth.raw_span.start..base + auth.raw_span.end,
                    value: auth.value.clone().into_bytes(),
                    kind: LiteralKind::Value,
                    client: true,
                    editable: true,
                });
            }
        }
    }
    for settings in &ctx.stack.django {
        django_literals(ctx, settings, &mut out);
    }
    for app in &ctx.stack.laravel {
        for env in app.envs.iter().filter(|e| !e.template) {
            if let Some(entry) = env.env.get("REDIS_PASSWORD") {
                if let (Some(value), false) = (&entry.value, entry.depends_on_environment) {
                    if !matches!(
                        crate::syntax::dotenv::laravel_env_value(value),
                        crate::syntax::dotenv::LaravelValue::Str(_)
                    ) {
                        continue;
                    }
                    out.push(PasswordLiteral {
                        what: "`REDIS_PASSWORD`".into(),
                        setting: "REDIS_PASSWORD".into(),
                        file: env.file,
                        span: entry.value_span.clone(),
                        value: value.clone().into_bytes(),
                        kind: LiteralKind::Value,
                        client: true,
                        editable: true,
                    });
                }
            }
        }
    }
    stack_client_literals(ctx, &mut out);
    mark_placeholders(&mut out);
    out
}

/// The literal passwords of Flask-Session clients (`redis.Redis(password="...")`, a `from_url`
/// URL's user info) and of Express store clients (a fallback of an unset variable included: it
/// is what runs then), read from the stack's clients: once per place, even when several config
/// classes share one client.
fn stack_client_literals(ctx: &Context, out: &mut Vec<PasswordLiteral>) {
    let mut seen = std::collections::HashSet::new();
    for client in &ctx.stack.clients {
        let crate::stack::ClientPassword::Literal {
            value,
            file,
            span,
            editable,
        } = &client.password
        else {
            continue;
        };
        let (what, setting) = match client.origin {
            crate::stack::Origin::Flask { .. } => (
                "the password of the Flask-Session client (`SESSION_REDIS`)".to_string(),
                "SESSION_REDIS",
            ),
            crate::stack::Origin::Node { .. } => {
                (format!("the password of the {}", client.label), "password")
            }
            _ => continue,
        };
        if !seen.insert((*file, span.clone())) {
            continue;
        }
        out.push(PasswordLiteral {
            what,
            setting: setting.into(),
            file: *file,
            span: span.clone(),
            value: value.clone().into_bytes(),
            kind: LiteralKind::Value,
            client: true,
            editable: *editable,
        });
    }
}

/// A Django cache's passwords: URL userinfo of each LOCATION and the OPTIONS password
/// (`password` for Django's own backend, `PASSWORD` for django-redis). Each is found where the
/// module gives it: a rotation edits the string literal that holds it (an environment read's
/// default included), and only when that literal reads as written (no escapes); a password built
/// from several pieces, a name or a list is reported but not rotated.
fn django_literals(
    ctx: &Context,
    settings: &crate::model::django::DjangoSettings,
    out: &mut Vec<PasswordLiteral>,
) {
    use crate::model::django::{parse_location, Val};
    let bytes = ctx.sources.doc(settings.file).bytes();
    let fallback = settings
        .settings
        .get("CACHES")
        .map_or(0..0, |s| s.last.span.clone());
    let verbatim = |path: &str, value: &str| settings.verbatim_literal(bytes, path, value);
    let mut push = |what: String, setting: String, value: String, exact: Option<Range<usize>>| {
        out.push(PasswordLiteral {
            what,
            setting,
            file: settings.file,
            span: exact.clone().unwrap_or(fallback.clone()),
            value: value.into_bytes(),
            kind: LiteralKind::Value,
            client: true,
            editable: exact.is_some(),
        });
    };
    for (alias, conf, urls) in settings.cache_aliases() {
        let path = format!("CACHES.{alias}.LOCATION");
        for url in urls.unwrap_or_default() {
            let Some(loc) = parse_location(&url) else {
                continue;
            };
            let (Some(password), Some((raw, range))) =
                (loc.password.clone(), loc.raw_password.clone())
            else {
                continue;
            };
            let exact = verbatim(&path, &url)
                .filter(|_| raw == password)
                .map(|at| at.start + range.start..at.start + range.end);
            push(
                format!("the password in the LOCATION of cache `{alias}`"),
                path.clone(),
                password,
                exact,
            );
        }
        if let Some(Val::Str(password)) =
            crate::model::django::options_password(conf).and_then(Val::certain)
        {
            let (exact, key) = ["PASSWORD", "password"]
                .iter()
                .find_map(|key| {
                    let path = format!("CACHES.{alias}.OPTIONS.{key}");
                    verbatim(&path, password).map(|body| (Some(body), *key))
                })
                .unwrap_or((None, "PASSWORD"));
            push(
                format!("`OPTIONS[\"{key}\"]` of cache `{alias}`"),
                format!("CACHES.{alias}.OPTIONS.{key}"),
                password.clone(),
                exact,
            );
        }
    }
}

/// One generated secret for every editable literal holding `value`, and for every client linked
/// to an instance whose password it is (a stale client gets the new password too).
/// `same_value`: the literals of the stack that hold `value`, and `instances`: the instances
/// whose password it is (both looked up once by the caller).
fn rotation_fix(
    ctx: &Context,
    same_value: &[&PasswordLiteral],
    value: &[u8],
    instances: &[usize],
) -> Fix {
    let secret = secret::generate();
    let mut edits: Vec<crate::fix::Edit> = same_value
        .iter()
        .filter(|other| {
            other.kind != LiteralKind::AclHash && other.editable && other.value == value
        })
        .map(|other| {
            fix::replace(other.file, other.span.clone(), other.replacement(&secret))
                .with_secret_text(secret.as_bytes())
        })
        .collect();
    let mut by_hand = Vec::new();
    for &index in instances {
        let rotation = super::client_edits::rotate_linked_clients(ctx, index, &secret, false);
        let mut have: std::collections::HashSet<(crate::source::FileId, usize, usize)> = edits
            .iter()
            .map(|e| (e.file, e.range.start, e.range.end))
            .collect();
        for edit in rotation.edits {
            if have.insert((edit.file, edit.range.start, edit.range.end)) {
                edits.push(edit);
            }
        }
        by_hand.extend(rotation.by_hand);
    }
    let mut description = "rotate to a generated 64-hex secret everywhere the stack uses this password and in every linked client (clients outside the audited files must be updated too)".to_string();
    if !by_hand.is_empty() {
        description.push_str("; by hand: ");
        description.push_str(&by_hand.join(", "));
    }
    Fix::new(Applicability::Unsafe, description, edits)
}
