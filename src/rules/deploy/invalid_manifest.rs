//! DC001 `invalid-manifest`: A compose file or manifest that does not parse, or a Redis command
//! that cannot be split.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::DC001,
    name: "invalid-manifest",
    severity: Severity::Error,
    fix: FixAvailability::None,
    hardening: false,
    category: Category::Correctness,
    summary: r####"A compose file or Kubernetes manifest does not parse, or a Redis service's command cannot be split"####,
    explanation: r####"`docker compose` and `kubectl` refuse a file that is not valid YAML, so nothing in it is deployed;
redline reads what comes before the error and stops there. A `command` string with an
unterminated quote cannot be split into arguments (compose refuses it too). Files that pass a
reading cap (nesting, documents, aliases that expand exponentially) are reported here as well."####,
    example: r####"services:
  redis:
    command: redis-server --requirepass 'unterminated"####,
    fix_description: r####"None: correct the YAML."####,
    references: &[r####"https://yaml.org/spec/1.2.2/"####],
    check: Check::Stack(invalid_manifests),
};

fn invalid_manifests(ctx: &Context, out: &mut Vec<Finding>) {
    for file in &ctx.stack.deploy.files {
        let len = ctx.sources.doc(file.file).bytes().len();
        if let Some(error) = &file.error {
            let start = error.offset.min(len);
            out.push(Finding::new(
                RuleId::DC001,
                file.file,
                start..(start + 1).min(len),
                format!(
                    "the YAML does not parse: {}; nothing after this point is read",
                    crate::syntax::safe_text(&error.message)
                ),
            ));
        }
        for (span, message) in &file.problems {
            out.push(Finding::new(
                RuleId::DC001,
                file.file,
                span.clone(),
                message.clone(),
            ));
        }
    }
}
