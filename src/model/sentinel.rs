//! A Sentinel's configuration. sentinel.conf is read by the same loader as redis.conf (so it may
//! also set `port`, `requirepass`, `user` ...); its `sentinel ...` lines are queued and handled
//! once the whole file is read (`loadSentinelConfigFromQueue`, src/sentinel.c): first the
//! settings every master depends on (`resolve-hostnames`, `myid`, ...), then every `monitor` line,
//! then the rest, each queue in file order. So a per-master line may come before its `monitor`.
//! The checks of `sentinelHandleConfiguration` are reproduced here.

use super::redis::{safe_name, Issue, IssueKind, Occurrence, RedisModel};
use crate::syntax::redis::Arg;
use std::net::IpAddr;

#[derive(Debug, Clone)]
pub struct Master {
    pub name: String,
    pub host: String,
    pub port: i64,
    pub quorum: i64,
    pub monitor: Occurrence,
    pub auth_pass: Option<Occurrence>,
    pub auth_user: Option<Occurrence>,
    /// `sentinel rename-command M OLD NEW` lines.
    pub renames: Vec<Occurrence>,
}

impl Master {
    /// The same address as written (host names compare without case).
    pub fn same_address(&self, other: &Master) -> bool {
        self.port == other.port && self.host.eq_ignore_ascii_case(&other.host)
    }
}

#[derive(Debug, Clone)]
pub struct SentinelModel {
    pub config: RedisModel,
    pub masters: Vec<Master>,
    pub deny_scripts_reconfig: Option<Occurrence>,
    pub sentinel_pass: Option<Occurrence>,
    pub sentinel_user: Option<Occurrence>,
}

impl SentinelModel {
    pub fn master(&self, name: &str) -> Option<&Master> {
        self.masters.iter().find(|m| m.name == name)
    }
}

/// `atoi`: leading white space, optional sign, digits; anything after is ignored; no digits is 0.
pub fn atoi(text: &str) -> i64 {
    let t = text.trim_start();
    let (sign, rest) = match t.as_bytes().first() {
        Some(b'-') => (-1, &t[1..]),
        Some(b'+') => (1, &t[1..]),
        _ => (1, t),
    };
    let digits: String = rest
        .chars()
        .take_while(char::is_ascii_digit)
        .take(18)
        .collect();
    sign * digits.parse::<i64>().unwrap_or(0)
}

fn is_yes_no(arg: &Arg) -> Option<bool> {
    match arg.lower().as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

/// Handled before every `monitor` line (`preMonitorCfgName`).
const PRE_MONITOR: [&str; 9] = [
    "announce-ip",
    "announce-port",
    "deny-scripts-reconfig",
    "sentinel-user",
    "sentinel-pass",
    "current-epoch",
    "myid",
    "resolve-hostnames",
    "announce-hostnames",
];

pub fn build(mut config: RedisModel) -> SentinelModel {
    let mut masters: Vec<Master> = Vec::new();
    let mut deny_scripts_reconfig = None;
    let mut sentinel_pass = None;
    let mut sentinel_user = None;
    let mut resolve_hostnames = false;
    let mut issues = Vec::new();
    let lines = std::mem::take(&mut config.sentinel_lines);
    let queue_of = |line: &&Occurrence| {
        let sub = line.values[0].lower();
        if sub == "monitor" {
            1
        } else if PRE_MONITOR.contains(&sub.as_str()) {
            0
        } else {
            2
        }
    };
    let mut ordered: Vec<&Occurrence> = lines.iter().collect();
    ordered.sort_by_key(queue_of);
    // Masters whose `monitor` line failed: their other lines would only repeat the error.
    let mut failed: Vec<Vec<u8>> = Vec::new();
    for line in ordered {
        let args = &line.values;
        let sub = args[0].lower();
        let argc = args.len();
        let names_failed_master = argc >= 2 && sub != "monitor" && failed.contains(&args[1].value);
        if names_failed_master {
            continue;
        }
        let mut error: Option<String> = None;
        let master_index = |name: &Arg, masters: &[Master]| {
            masters
                .iter()
                .position(|m| m.name.as_bytes() == name.value.as_slice())
        };
        let per_master = [
            "down-after-milliseconds",
            "failover-timeout",
            "parallel-syncs",
            "notification-script",
            "client-reconfig-script",
            "auth-pass",
            "auth-user",
            "config-epoch",
            "leader-epoch",
            "master-reboot-down-after-period",
        ];
        match (sub.as_str(), argc) {
            ("monitor", 5) => {
                let quorum = atoi(&args[4].text());
                let port = atoi(&args[3].text());
                let host = args[2].text();
                if quorum <= 0 {
                    error = Some("Quorum must be 1 or greater.".into());
                } else if master_index(&args[1], &masters).is_some() {
                    error = Some("Duplicate master name.".into());
                } else if !(0..=65535).contains(&port) {
                    error = Some("Invalid port number".into());
                } else if !resolve_hostnames && host.parse::<IpAddr>().is_err() {
                    error = Some(format!("Can't resolve instance hostname `{}`: set `sentinel resolve-hostnames yes` before this line to use host names", safe_name(&args[2])));
                } else {
                    masters.push(Master {
                        name: args[1].text(),
                        host,
                        port,
                        quorum,
                        monitor: line.clone(),
                        auth_pass: None,
                        auth_user: None,
                        renames: Vec::new(),
                    });
                }
                if error.is_some() {
                    failed.push(args[1].value.clone());
                }
            }
            (s, 3) if per_master.contains(&s) => match master_index(&args[1], &masters) {
                None => {
                    error = Some(format!(
                        "No such master with specified name: no `sentinel monitor {}` line",
                        safe_name(&args[1])
                    ))
                }
                Some(i) => match s {
                    "down-after-milliseconds" | "failover-timeout"
                        if atoi(&args[2].text()) <= 0 =>
                    {
                        error = Some(format!("negative or zero time parameter in `sentinel {s}`"));
                    }
                    "master-reboot-down-after-period" if atoi(&args[2].text()) < 0 => {
                        error = Some("negative time parameter.".into())
                    }
                    "auth-pass" => masters[i].auth_pass = Some(line.clone()),
                    "auth-user" => masters[i].auth_user = Some(line.clone()),
                    _ => {}
                },
            },
            ("known-slave" | "known-replica", 4)
            | ("known-sentinel", 5)
            | ("rename-command", 4) => match master_index(&args[1], &masters) {
                None => {
                    error = Some(format!(
                        "No such master with specified name: no `sentinel monitor {}` line",
                        safe_name(&args[1])
                    ))
                }
                Some(i) if sub == "rename-command" => {
                    let from = args[2].lower();
                    if masters[i]
                        .renames
                        .iter()
                        .any(|r| r.values[2].lower() == from)
                    {
                        error =
                            Some("Same command renamed multiple times with rename-command.".into());
                    } else {
                        masters[i].renames.push(line.clone());
                    }
                }
                Some(_) => {}
            },
            ("known-sentinel", 4) => {}
            ("current-epoch", 2) | ("announce-ip", 2) | ("announce-port", 2) => {}
            ("myid", 2) => {
                if args[1].value.len() != 40 {
                    error = Some("Malformed Sentinel id in myid option.".into());
                }
            }
            ("deny-scripts-reconfig", 2) => {
                if is_yes_no(&args[1]).is_none() {
                    error = Some(
                        "Please specify yes or no for the deny-scripts-reconfig options.".into(),
                    );
                } else {
                    deny_scripts_reconfig = Some(line.clone());
                }
            }
            ("resolve-hostnames", 2) | ("announce-hostnames", 2) => match is_yes_no(&args[1]) {
                None => error = Some(format!("Please specify yes or no for the {sub} option.")),
                Some(v) => {
                    if sub == "resolve-hostnames" {
                        resolve_hostnames = v;
                    }
                }
            },
            ("sentinel-user", 2) => sentinel_user = Some(line.clone()),
            ("sentinel-pass", 2) => sentinel_pass = Some(line.clone()),
            _ => {
                error = Some(format!(
                "Unrecognized sentinel configuration statement: `sentinel {}` with {} argument(s)",
                safe_name(&args[0]),
                argc - 1
            ))
            }
        }
        if let Some(message) = error {
            issues.push(Issue {
                kind: IssueKind::Invalid,
                file: line.file,
                span: line.span(),
                message,
                trailing_comment: None,
            });
        }
    }
    config.sentinel_lines = lines;
    config.issues.extend(issues);
    SentinelModel {
        config,
        masters,
        deny_scripts_reconfig,
        sentinel_pass,
        sentinel_user,
    }
}

#[cfg(test)]
mod tests {
    use super::atoi;

    #[test]
    fn atoi_like_c() {
        assert_eq!(atoi("2"), 2);
        assert_eq!(atoi(" 3x"), 3);
        assert_eq!(atoi("x"), 0);
        assert_eq!(atoi("-1"), -1);
    }
}
