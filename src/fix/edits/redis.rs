//! Edit builders for redis.conf and sentinel.conf models: set a directive, add a line where
//! redis-server (or Sentinel) reads it last.

use crate::fix::{self, Edit};
use crate::model::redis::{Occurrence, RedisModel};
use crate::source::Sources;

/// The edit that sets directive `name` to `value`: the value of its effective line is replaced;
/// a missing directive is added after the last of `anchors` (or at the end of the root file).
pub fn set_directive(
    sources: &Sources,
    model: &RedisModel,
    name: &str,
    value: &str,
    anchors: &[&str],
) -> Edit {
    if let Some(o) = model.last(name) {
        let directive = &o.directive;
        let start = directive.args[1].span.start;
        let end = directive.args.last().map_or(start, |a| a.span.end);
        return fix::replace(o.file, start..end, value.as_bytes());
    }
    add_line(
        sources,
        model,
        format!("{name} {value}").as_bytes(),
        anchors,
    )
}

/// Add a line after the last directive among `anchors` (outside generated blocks), else at the end
/// of the root file (above its generated block, if any).
pub fn add_line(sources: &Sources, model: &RedisModel, text: &[u8], anchors: &[&str]) -> Edit {
    let anchor = model
        .directives
        .iter()
        .chain(&model.renames)
        .filter(|o| anchors.contains(&o.name.as_str()))
        .filter(|o| {
            model
                .generated_at
                .get(&o.file)
                .is_none_or(|g| o.span().start < *g)
        })
        .max_by_key(|o| (model.files.iter().position(|f| *f == o.file), o.line()));
    match anchor {
        Some(o) if o.file == model.root || anchor_is_last_word(model, o) => {
            fix::insert_line_after(sources, o.file, o.line(), text)
        }
        _ => fix::append_line(
            sources,
            model.root,
            model.generated_at.get(&model.root).copied(),
            text,
        ),
    }
}

/// An anchor in an included file is only used when nothing in the root comes after its include.
fn anchor_is_last_word(model: &RedisModel, o: &Occurrence) -> bool {
    model
        .includes
        .iter()
        .filter(|i| i.file == model.root)
        .any(|i| i.targets.contains(&o.file))
        && !model
            .directives
            .iter()
            .any(|d| d.file == model.root && d.name == o.name)
}
