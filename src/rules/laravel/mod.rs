//! `LV`: rules over Laravel applications. Syntax rules run on every `.env*`; the rules that
//! resolve configuration run on the real `.env`, or, when a repository has none (as in CI), on
//! each template (`.env.example`, ...), whose messages then say so.

pub mod invalid_env_line;
pub mod redis_password_missing;
pub mod session_cookie_not_httponly;
pub mod session_cookie_not_secure;
pub mod session_driver_not_shared;
pub mod session_shares_cache_database;
pub mod value_cut_by_comment;
use super::client_edits::set_env;
use super::registry::{Check, Rule};
use super::{Context, Finding, Related};
use crate::fix::{self, Applicability, Fix};
use crate::model::laravel::{EnvSource, LaravelApp, Resolved};
use crate::source::FileId;
use crate::stack::passwords::{instance_password, InstancePassword};
use crate::stack::Origin;
use crate::syntax::dotenv::LaravelValue;
use std::ops::Range;

/// Run the enabled Laravel rules: the syntax rules on every `.env*`, the others on each variant.
pub(crate) fn run(ctx: &Context, rules: &[&Rule], out: &mut Vec<Finding>) {
    for app in &ctx.stack.laravel {
        for env in &app.envs {
            for rule in rules {
                if let Check::LaravelEnv(check) = rule.check {
                    check(ctx, env, out);
                }
            }
        }
        let real: Vec<&EnvSource> = app.envs.iter().filter(|e| !e.template).collect();
        let variants: Vec<EnvSource> = if !real.is_empty() {
            real.into_iter().cloned().collect()
        } else if !app.envs.is_empty() {
            app.envs.clone()
        } else {
            // No .env at all: the configuration's defaults, reported in the first config file.
            let file = [&app.session, &app.cache, &app.database]
                .iter()
                .find_map(|c| c.file);
            file.map(|file| EnvSource {
                file,
                env: Default::default(),
                template: false,
            })
            .into_iter()
            .collect()
        };
        // Each variant is judged; a finding that several variants share is reported once, at
        // the variant the app loads, with the others as related locations.
        let primary = primary_variant(ctx, &variants);
        let mut per_variant: Vec<Vec<Finding>> = Vec::new();
        for env in &variants {
            let mut found = Vec::new();
            for rule in rules {
                if let Check::LaravelVariant(check) = rule.check {
                    check(ctx, app, env, &mut found);
                }
            }
            per_variant.push(found);
        }
        let mut kept = std::mem::take(&mut per_variant[primary]);
        for (index, found) in per_variant.into_iter().enumerate() {
            if index == primary {
                continue;
            }
            for finding in found {
                // The same place (a config file item every variant reads): one finding.
                if kept.iter().any(|k| {
                    k.rule == finding.rule && k.file == finding.file && k.span == finding.span
                }) {
                    continue;
                }
                match kept.iter_mut().find(|k| k.rule == finding.rule) {
                    Some(same) => {
                        same.related.push(Related {
                            file: finding.file,
                            span: finding.span.clone(),
                            message: format!("also in {}", ctx.sources.display(finding.file)),
                        });
                    }
                    None => kept.push(finding),
                }
            }
        }
        out.extend(kept);
    }
}

/// The variant an app loads: `.env`, else the template deployments copy (`.env.example`,
/// `.env.dist`, `.env.sample`), else a production variant, else the first.
fn primary_variant(ctx: &Context, variants: &[EnvSource]) -> usize {
    let name = |env: &EnvSource| {
        ctx.sources
            .get(env.file)
            .path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default()
    };
    let rank = |env: &EnvSource| match name(env).as_str() {
        ".env" => 0,
        ".env.example" => 1,
        ".env.dist" => 2,
        ".env.sample" => 3,
        _ => match crate::environment::of_path(ctx.sources.display(env.file), &[]) {
            crate::environment::Environment::Production => 4,
            crate::environment::Environment::Example => 5,
            _ => 6,
        },
    };
    (0..variants.len())
        .min_by_key(|&i| (rank(&variants[i]), i))
        .unwrap_or(0)
}

/// " in the template .env.example (deployments copy it)" for templates.
fn template_note(ctx: &Context, env: &EnvSource) -> String {
    if env.template {
        format!(
            " in the template {} (deployments copy it)",
            ctx.sources.display(env.file)
        )
    } else {
        String::new()
    }
}

/// Where a finding about a resolved value points: the `.env` line that set it, the config item,
/// else line 1 of the `.env` (where a fix would add the variable).
fn location(ctx: &Context, env: &EnvSource, r: &Resolved) -> (FileId, Range<usize>) {
    if let Some((_, Some((file, line)))) = &r.env_var {
        let l = &ctx.sources.doc(*file).line(*line);
        return (*file, l.start()..l.content_end());
    }
    if let Some((file, span)) = &r.config {
        return (*file, span.clone());
    }
    (env.file, 0..0)
}

fn driver(app: &LaravelApp, env: &EnvSource) -> (Resolved, Option<String>) {
    let r = app.session_driver(env);
    let d = r.text().map(|t| t.to_ascii_lowercase());
    (r, d)
}
