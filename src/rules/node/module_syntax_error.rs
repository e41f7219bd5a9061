//! NJ001 `module-syntax-error`: A module of an Express app cannot be parsed.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::NJ001,
    name: "module-syntax-error",
    severity: Severity::Error,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Syntax,
    summary: r####"A module of an Express app cannot be parsed"####,
    explanation: r####"redline reads the modules that set up express-session (and those they import the store and the
Redis client from) with a JavaScript/TypeScript parser. A module it cannot parse is not read: its
session options, store and client are not checked. Node or the TypeScript compiler refuses the same
module, unless the file is not meant for them."####,
    example: r####"app.use(session({ secret: 'x', store: new RedisStore({ client }) )   // one ) too many"####,
    fix_description: r####"None: fix the syntax error."####,
    references: &["https://tc39.es/ecma262/"],
    check: Check::Stack(syntax_errors),
};

fn syntax_errors(ctx: &Context, out: &mut Vec<Finding>) {
    let mut seen = std::collections::HashSet::new();
    for app in &ctx.stack.node {
        for module in &app.modules {
            let Some(error) = &module.js.error else {
                continue;
            };
            if !seen.insert(module.file) {
                continue;
            }
            out.push(Finding::new(
                RuleId::NJ001,
                module.file,
                error.span.clone(),
                format!(
                    "the module cannot be parsed ({}): its session set-up is not checked",
                    error.message
                ),
            ));
        }
    }
}
