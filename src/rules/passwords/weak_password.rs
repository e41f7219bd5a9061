//! XS201 `weak-password`: A password shorter than 32 characters or a published example.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::XS201,
    name: "weak-password",
    severity: Severity::Error,
    fix: FixAvailability::Unsafe,
    hardening: true,
    category: Category::Security,
    summary: r####"A password shorter than 32 characters or a published example"####,
    explanation: r####"redis-server can test about a million passwords a second, and `#hash` ACL rules are unsalted
SHA-256, so short passwords fall quickly. Published examples (`foobared`,
`YourStrongRedisPassword123!`, ... kept in rules/example-passwords.toml) are tried first. Checked
for requirepass, `user ... >pass` and `#hash`, masterauth, Sentinel `auth-pass` and `sentinel-pass`.
Passwords are never printed."####,
    example: r####"requirepass foobared"####,
    fix_description: r####"Unsafe: replace it with one generated 64-hex secret everywhere the same password appears in the audited files and in every client linked to the instance (php.ini save_path `auth`, `.env` REDIS_PASSWORD, Django URL or OPTIONS, Sentinel auth-pass, replicas' masterauth), all files or none. A client that reads its password from an environment variable is named in the fix: update that variable. A weak client password whose instance is not in the stack is reported but never rotated."####,
    references: &[r####"https://redis.io/docs/latest/commands/acl-genpass/"####],
    check: Check::Stack(weak_password),
};

fn weak_password(ctx: &Context, out: &mut Vec<Finding>) {
    let clients = client_literals(ctx);
    let literals: Vec<PasswordLiteral> = stack_literals(ctx, false)
        .into_iter()
        .chain(clients.iter().cloned())
        .collect();
    let everywhere: Vec<PasswordLiteral> = stack_literals(ctx, true)
        .into_iter()
        .chain(clients)
        .collect();
    // Which values a server of the stack holds: one look-up per literal, not a scan of them all.
    let server_values: std::collections::HashSet<&[u8]> = everywhere
        .iter()
        .filter(|o| !o.client)
        .map(|o| o.value.as_slice())
        .collect();
    let mut by_value: std::collections::HashMap<&[u8], Vec<&PasswordLiteral>> =
        std::collections::HashMap::new();
    for o in &everywhere {
        by_value.entry(o.value.as_slice()).or_default().push(o);
    }
    // The instances whose default user's password each value is: computed once, not once per
    // rotated password (thousands of weak passwords made it quadratic).
    let mut instances_by_password: std::collections::HashMap<String, Vec<usize>> =
        std::collections::HashMap::new();
    for (index, instance) in ctx.stack.instances.iter().enumerate() {
        if let Some(p) = crate::stack::passwords::instance_password(&instance.model).plain() {
            instances_by_password
                .entry(p.to_string())
                .or_default()
                .push(index);
        }
    }
    // One rotation per password, carried by its first finding: the others point at it. (A fix per
    // finding would hold an edit of every copy: a file of n users sharing one password made n²
    // edits.)
    let mut rotated: std::collections::HashMap<&[u8], String> = std::collections::HashMap::new();
    for literal in &literals {
        let weakness = match literal.kind {
            LiteralKind::AclHash => {
                secret::is_published_example_hash(&literal.value).then_some(Weakness::Published)
            }
            _ if literal.value.is_empty() => None,
            _ => secret::weakness(&literal.value),
        };
        let Some(weakness) = weakness else { continue };
        let why = match (weakness, literal.kind) {
            (Weakness::Published, LiteralKind::AclHash) => {
                "is the SHA-256 of a published example password".to_string()
            }
            (Weakness::Published, _) => "is a published example password".to_string(),
            (Weakness::Short, _) => format!("is shorter than {} characters", secret::MIN_LENGTH),
        };
        // A hash can be replaced only by a password someone knows; rotating it is left to a person.
        // A client password is rotated only together with a server in the stack that holds it:
        // alone, the new password would break the connection.
        let with_server = server_values.contains(literal.value.as_slice());
        let rotatable = literal.kind != LiteralKind::AclHash
            && literal.editable
            && (!literal.client || with_server);
        let mut together = String::new();
        let fix = match rotatable.then(|| rotated.get(literal.value.as_slice())) {
            Some(Some(first)) => {
                together = format!(" (rotated together with its first use, {first})");
                None
            }
            Some(None) => {
                rotated.insert(
                    literal.value.as_slice(),
                    ctx.place(literal.file, literal.span.start),
                );
                let same = by_value
                    .get(literal.value.as_slice())
                    .map_or(&[][..], Vec::as_slice);
                let instances = instances_by_password
                    .get(String::from_utf8_lossy(&literal.value).as_ref())
                    .map_or(&[][..], Vec::as_slice);
                Some(rotation_fix(ctx, same, &literal.value, instances))
            }
            None => None,
        };
        out.push(
            Finding::new(
                RuleId::XS201,
                literal.file,
                literal.span.clone(),
                format!(
                    "{} {why}{together}{}",
                    literal.what,
                    if literal.client && !with_server { " (no audited server holds it, so it is not rotated: change it with the server's)" } else if !literal.editable && literal.kind != LiteralKind::AclHash { " (it is not written as one plain string literal, so it is not rotated: change it by hand)" } else { "" }
                ),
            )
            .setting(literal.setting.clone())
            .with_fix(fix),
        );
    }
}
