//! FL103 `unknown-session-key`: a `SESSION_*` key that neither Flask nor Flask-Session reads.

use super::*;
use crate::model::flask::KNOWN_SESSION_KEYS;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::FL103,
    name: "unknown-session-key",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Correctness,
    summary: r####"A `SESSION_*` key that neither Flask nor Flask-Session reads"####,
    explanation: r####"Flask and Flask-Session read a fixed set of `SESSION_*` keys; any other (`SESSION_REDIS_URL`,
`SESSION_USER_SIGNER`) is silently ignored, so the setting it was meant to change keeps its default.
A key the app's own modules name anywhere else is the app's own setting, and is not reported."####,
    example: r####"app.config['SESSION_REDIS_URL'] = 'redis://cache:6379/1'"####,
    fix_description: r####"None."####,
    references: &[
        r####"https://flask-session.readthedocs.io/en/latest/config.html"####,
        r####"https://flask.palletsprojects.com/en/stable/config/"####,
    ],
    check: Check::Flask(check),
};

fn check(ctx: &Context, config: &FlaskConfig, out: &mut Vec<Finding>) {
    let mut keys: Vec<(&String, &FlaskSetting)> = config
        .settings
        .iter()
        .filter(|(k, _)| k.starts_with("SESSION_") && !KNOWN_SESSION_KEYS.contains(&k.as_str()))
        .collect();
    keys.sort_by_key(|(k, _)| k.as_str());
    for (key, s) in keys {
        // The app's own setting when its name appears anywhere else in the modules read.
        let uses: usize = ctx
            .stack
            .flask
            .modules
            .iter()
            .map(|f| memchr::memmem::find_iter(ctx.sources.doc(*f).bytes(), key.as_bytes()).count())
            .sum();
        if uses > 1 {
            continue;
        }
        let closest = KNOWN_SESSION_KEYS
            .iter()
            .min_by_key(|k| edit_distance(k, key))
            .copied()
            .unwrap_or("SESSION_TYPE");
        out.push(
            Finding::new(
                RuleId::FL103,
                s.file,
                s.span.clone(),
                format!("`{key}` ({}) is read by neither Flask nor Flask-Session 0.8: it is silently ignored (the closest real key is `{closest}`)", at(ctx, s)),
            )
            .setting(key.clone()),
        );
    }
}

/// Levenshtein distance, for naming the closest real key.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}
