//! FL205 `secret-key-in-code`: the key that signs session cookies is in the code.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::FL205,
    name: "secret-key-in-code",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    hardening: true,
    category: Category::Security,
    summary: r####"The key that signs session cookies is in the code"####,
    explanation: r####"A `SECRET_KEY` (or `app.secret_key`) written as a literal, or as the fallback of an environment
read, is known to whoever reads the repository: they can sign session cookies the app accepts."####,
    example: r####"app.secret_key = os.environ.get('SECRET_KEY', 'dev')"####,
    fix_description: r####"None."####,
    references: &[r####"https://flask.palletsprojects.com/en/stable/config/"####],
    check: Check::Flask(check),
};

fn check(ctx: &Context, config: &FlaskConfig, out: &mut Vec<Finding>) {
    let Some(s) = config.get("SECRET_KEY") else {
        return;
    };
    let literal = |e: &PyExpr| match e {
        PyExpr::Lit { value, .. } | PyExpr::Str(value) => {
            !value.is_empty() && !crate::secret::is_placeholder(value.as_bytes())
        }
        _ => false,
    };
    let how = match &s.expr {
        e if literal(e) => "a literal",
        PyExpr::Env {
            default: Some(d), ..
        } if literal(d) => "an environment read with a literal fallback",
        PyExpr::Or(terms) if terms.last().is_some_and(literal) => {
            "an environment read with a literal fallback"
        }
        _ => return,
    };
    out.push(
        Finding::new(
            RuleId::FL205,
            s.file,
            s.span.clone(),
            format!("`SECRET_KEY` is {how} ({}): whoever reads the repository can sign session cookies this app accepts; read it from the environment or a secret store, with no fallback", at(ctx, s)),
        )
        .setting("SECRET_KEY"),
    );
}
