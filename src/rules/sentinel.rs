//! `SN`: rules over Sentinel configurations.

use super::model_issues::load_issues;
use super::{Context, Finding, Related, Severity};
use crate::fix::edits::redis::add_line;
use crate::fix::{self, Applicability, Fix};
use crate::model::redis::DefaultUserSource;
use crate::model::sentinel::SentinelModel;
use crate::secret;
use std::net::IpAddr;

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for sentinel in &ctx.stack.sentinels {
        load_issues(ctx, &sentinel.config, "SN001", out);
        unsafe_characters(sentinel, out);
        quorum(ctx, sentinel, out);
        master_on_loopback(sentinel, out);
        without_auth(ctx, sentinel, out);
        scripts_reconfig(ctx, sentinel, out);
    }
}

fn unsafe_characters(sentinel: &SentinelModel, out: &mut Vec<Finding>) {
    let auth_passes = sentinel.masters.iter().filter_map(|m| {
        m.auth_pass
            .as_ref()
            .map(|o| (format!("`sentinel auth-pass {}`", m.name), o, 2))
    });
    let own = sentinel
        .sentinel_pass
        .iter()
        .map(|o| ("`sentinel sentinel-pass`".to_string(), o, 1));
    for (what, o, index) in auth_passes.chain(own) {
        let value = &o.values[index].value;
        if value
            .iter()
            .any(|b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'\\'))
        {
            out.push(Finding::new(
                "SN103",
                o.file,
                o.span(),
                format!("{what} holds white space, a quote or a backslash: Sentinel rewrites it unquoted into its file and then cannot restart"),
            ));
        }
    }
}

fn quorum(ctx: &Context, sentinel: &SentinelModel, out: &mut Vec<Finding>) {
    for master in &sentinel.masters {
        // Sentinel files of the stack that monitor the same master: the same name at the same
        // address, which is how Sentinels find each other (hello messages on that master). Two
        // projects that both call their master `mymaster` are two groups.
        let peers: Vec<&SentinelModel> = ctx
            .stack
            .sentinels
            .iter()
            .filter(|s| {
                s.master(&master.name)
                    .is_some_and(|m| m.same_address(master))
            })
            .collect();
        let count = peers.len() as i64;
        let (severity, why) = if count >= 2 && master.quorum > count {
            (Severity::Error, format!("quorum {} can never be reached: only {count} Sentinel files in the stack monitor `{}`", master.quorum, master.name))
        } else if master.quorum == 1 {
            (Severity::Warning, format!("quorum 1 for `{}`: one Sentinel with a network problem can declare the master down", master.name))
        } else if count >= 2 && (count % 2 == 0 || count < 3) {
            (Severity::Warning, format!("{count} Sentinels monitor `{}`: an even number, or fewer than three, cannot always form a majority to fail over", master.name))
        } else {
            continue;
        };
        let mut finding = Finding::new("SN201", master.monitor.file, master.monitor.span(), why)
            .severity(severity);
        for peer in peers
            .iter()
            .filter(|p| p.config.root != sentinel.config.root)
        {
            let m = peer.master(&master.name).unwrap();
            finding = finding.related(Related {
                file: m.monitor.file,
                span: m.monitor.span(),
                message: "another Sentinel monitoring this master".into(),
            });
        }
        out.push(finding);
    }
}

fn master_on_loopback(sentinel: &SentinelModel, out: &mut Vec<Finding>) {
    for master in &sentinel.masters {
        let loopback = master.host.eq_ignore_ascii_case("localhost")
            || master
                .host
                .parse::<IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        if loopback {
            out.push(Finding::new(
                "SN202",
                master.monitor.file,
                master.monitor.span(),
                format!("`sentinel monitor {}` names loopback address {}: Sentinel hands it to clients and peers, so failover only works on one host", master.name, master.host),
            ));
        }
    }
}

fn without_auth(ctx: &Context, sentinel: &SentinelModel, out: &mut Vec<Finding>) {
    let model = &sentinel.config;
    let Some(user) = model.default_user.as_ref() else {
        return;
    };
    if !user.state.open_without_password() {
        return;
    }
    // A `user default ... nopass` line (which Sentinel writes into its generated block) beats any
    // requirepass that a fix could add, so a fix is offered only when none exists.
    let fix = matches!(user.source, DefaultUserSource::Compiled | DefaultUserSource::Requirepass(_)).then(|| {
        let secret = secret::generate();
        let edit = match model.last("requirepass") {
            Some(o) => fix::replace(o.file, o.values[0].span.clone(), secret.as_bytes()),
            None => add_line(ctx.sources, model, format!("requirepass {secret}").as_bytes(), &["port", "requirepass"]),
        }
        .with_secret_text(secret.as_bytes());
        Fix::new(Applicability::Unsafe, "add `requirepass` with a generated secret (use the same on every Sentinel; clients need it too)", vec![edit])
    });
    out.push(
        Finding::new("SN301", model.root, 0..0, "this Sentinel has no `requirepass` and no user with a password: anyone who reaches it can reconfigure or fail over the masters it monitors")
            .with_fix(fix),
    );
}

fn scripts_reconfig(ctx: &Context, sentinel: &SentinelModel, out: &mut Vec<Finding>) {
    let Some(o) = &sentinel.deny_scripts_reconfig else {
        return;
    };
    if o.values[1].lower() != "no" {
        return;
    }
    let edit = fix::replace(o.file, o.values[1].span.clone(), b"yes".to_vec());
    let _ = ctx;
    out.push(
        Finding::new("SN302", o.file, o.span(), "`sentinel deny-scripts-reconfig no`: any client can make Sentinel run a script of its choosing")
            .with_fix(Some(Fix::new(Applicability::Safe, "set `sentinel deny-scripts-reconfig yes`", vec![edit]))),
    );
}
