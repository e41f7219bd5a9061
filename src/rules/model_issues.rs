//! Findings from the lines a redis.conf or sentinel.conf reader refused or could not resolve
//! (RD001/SN001, RD002): shared by the redis and Sentinel families.

use super::registry::RuleId;
use super::{keep_only, Context, Finding, Severity, MAX_FINDINGS_PER_RULE_AND_FILE};
use crate::fix::{self, Applicability, Fix};
use crate::model::redis::{Issue, IssueKind, RedisModel};
use crate::source::FileId;
use std::collections::HashMap;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The findings of `only` among those `load_issues` makes (its refused lines are `invalid_rule`).
pub fn model_issues(
    ctx: &Context,
    model: &RedisModel,
    invalid_rule: RuleId,
    only: RuleId,
    out: &mut Vec<Finding>,
) {
    let first = out.len();
    load_issues(ctx, model, invalid_rule, only, out);
    keep_only(out, first, only);
}

fn load_issues(
    ctx: &Context,
    model: &RedisModel,
    invalid_rule: RuleId,
    only: RuleId,
    out: &mut Vec<Finding>,
) {
    // Each rule asks for its own: the issues of the other are not made into findings at all.
    let rule_of = |issue: &Issue| match issue.kind {
        IssueKind::Invalid => invalid_rule,
        IssueKind::Missing | IssueKind::EmptyGlob => RuleId::RD002,
    };
    // A file of junk lines has an invalid line per line: past the cap, the findings without a
    // fix are not made at all (the first one past it stands for the rest), so their memory is
    // bounded too. Those with a fix are all made: `fix` applies them.
    let fixless = |issue: &Issue| {
        issue.kind == IssueKind::Invalid
            && issue.trailing_comment.is_none()
            && ctx.sources.doc(issue.file).bytes()[issue.span.start..].get(..BOM.len()) != Some(BOM)
    };
    let mut fixless_left: HashMap<FileId, usize> = HashMap::new();
    for issue in model.issues.iter().filter(|i| fixless(i)) {
        *fixless_left.entry(issue.file).or_default() += 1;
    }
    let mut fixless_made: HashMap<FileId, usize> = HashMap::new();
    for issue in model.issues.iter().filter(|i| rule_of(i) == only) {
        let mut hidden = 0;
        if fixless(issue) {
            let made = fixless_made.entry(issue.file).or_default();
            *made += 1;
            match (*made).cmp(&(MAX_FINDINGS_PER_RULE_AND_FILE + 1)) {
                std::cmp::Ordering::Less => {}
                std::cmp::Ordering::Equal => hidden = fixless_left[&issue.file] - *made,
                std::cmp::Ordering::Greater => continue,
            }
        }
        let finding = match issue.kind {
            IssueKind::Invalid => {
                let bom = issue.span.start..issue.span.start + BOM.len();
                let starts_with_bom =
                    ctx.sources.doc(issue.file).bytes().get(bom.clone()) == Some(BOM);
                // redis-server reads a UTF-8 BOM as part of the first directive and refuses the
                // file; without it the line reads as written.
                let bom_fix = starts_with_bom.then(|| {
                    Fix::new(
                        Applicability::Safe,
                        "remove the UTF-8 byte order mark",
                        vec![fix::replace(issue.file, bom, Vec::new())],
                    )
                });
                let fix = bom_fix.or_else(|| {
                    issue.trailing_comment.clone().map(|trailing| {
                        let doc = ctx.sources.doc(issue.file);
                        let line = doc.line_index(issue.span.start);
                        let raw = doc.line_bytes(line);
                        let indent: Vec<u8> = raw
                            .iter()
                            .take_while(|b| matches!(b, b' ' | b'\t'))
                            .copied()
                            .collect();
                        let comment = &doc.bytes()[trailing.clone()];
                        let comment =
                            &comment[comment.iter().position(|&b| b == b'#').unwrap_or(0)..];
                        let mut text = indent;
                        text.extend_from_slice(comment);
                        Fix::new(
                            Applicability::Safe,
                            "move the trailing comment to its own line above",
                            vec![
                                fix::insert_line_before(ctx.sources, issue.file, line, &text),
                                fix::replace(issue.file, trailing, Vec::new()),
                            ],
                        )
                    })
                });
                Finding::new(
                    invalid_rule,
                    issue.file,
                    issue.span.clone(),
                    issue.message.clone(),
                )
                .with_fix(fix)
            }
            IssueKind::Missing => Finding::new(
                RuleId::RD002,
                issue.file,
                issue.span.clone(),
                issue.message.clone(),
            ),
            IssueKind::EmptyGlob => Finding::new(
                RuleId::RD002,
                issue.file,
                issue.span.clone(),
                issue.message.clone(),
            )
            .severity(Severity::Info),
        };
        out.push(Finding { hidden, ..finding });
    }
}
