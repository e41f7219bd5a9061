//! FL001 `module-syntax-error`: a Flask module is not valid Python where redline reads it.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::FL001,
    name: "module-syntax-error",
    severity: Severity::Error,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Syntax,
    summary: r####"A Flask module is not valid Python where redline reads it"####,
    explanation: r####"The module has unbalanced brackets or an unterminated string: Python refuses to import it, so the
app does not start, and redline reads it only up to that point."####,
    example: r####"app.config.update(SESSION_TYPE='redis'"####,
    fix_description: r####"None."####,
    references: &[r####"https://flask.palletsprojects.com/en/stable/config/"####],
    check: Check::Stack(check),
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for e in &ctx.stack.flask.errors {
        out.push(Finding::new(
            RuleId::FL001,
            e.file,
            e.span.clone(),
            format!("the module is not valid Python here ({}): Python refuses to import it, and redline reads it only up to this point", e.message),
        ));
    }
}
