//! RD102 `requirepass-ignored`: requirepass is present but a `user default` line (or aclfile) overrides it.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::RD102,
    name: "requirepass-ignored",
    severity: Severity::Warning,
    fix: FixAvailability::Display,
    hardening: false,
    category: Category::Correctness,
    summary: r####"requirepass is present but a `user default` line (or aclfile) overrides it"####,
    explanation: r####"When a `user default ...` line or an `aclfile` exists, redis-server ignores `requirepass`: users are
loaded after the config is parsed and reset the default user. CONFIG REWRITE writes both lines, so
this is common. Someone who later edits `requirepass` to rotate the password changes nothing: the
old password keeps working."####,
    example: r####"requirepass new-password
user default on #<sha256 of the old password> ~* &* +@all"####,
    fix_description: r####"Display: delete the `requirepass` line and set passwords on the `user default` line only."####,
    references: &[r####"https://github.com/redis/redis/issues/10431"####],
    check: Check::Instance(requirepass_ignored),
};

fn requirepass_ignored(ctx: &Context, instance: &Instance, out: &mut Vec<Finding>) {
    let model = &instance.model;
    let Some(requirepass) = model.last("requirepass") else {
        return;
    };
    let overrider = match model.default_user.as_ref().map(|u| &u.source) {
        Some(DefaultUserSource::UserLine(o)) => {
            Some(("a `user default` line".to_string(), o.file, o.span()))
        }
        _ => model.acl_file.as_ref().map(|a| {
            (
                "`aclfile`".to_string(),
                a.directive.file,
                a.directive.span(),
            )
        }),
    };
    let Some((what, file, span)) = overrider else {
        return;
    };
    let line = ctx
        .sources
        .doc(requirepass.file)
        .line_index(requirepass.span().start);
    let whole_line = ctx.sources.doc(requirepass.file).line(line).start()
        ..ctx.sources.doc(requirepass.file).line(line).end();
    let fix = Fix::new(
        Applicability::Display,
        "delete `requirepass` and set passwords on the `user default` line (or in the aclfile) only",
        vec![fix::replace(requirepass.file, whole_line, Vec::new())],
    );
    out.push(
        Finding::new(
            RuleId::RD102,
            requirepass.file,
            requirepass.span(),
            format!("`requirepass` has no effect: {what} at {} defines the default user, so editing `requirepass` later changes nothing", ctx.place(file, span.start)),
        )
        .with_fix(Some(fix))
        .related(Related { file, span, message: "this defines the default user".into() }),
    );
}
