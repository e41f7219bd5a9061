//! Linking each client to the instance that listens where it points: loopback names match an
//! instance on loopback or all interfaces, an address matches an instance that binds it, a host
//! name matches only through `[hosts]` in redline.toml, a unix socket its `unixsocket`. Two
//! possible instances link none; a target known only at run time links nothing.

use super::clients::{Client, Target};
use super::Instance;
use crate::source::{normalize, Sources};
use std::net::IpAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    Linked(usize),
    /// No audited instance listens there.
    Nowhere,
    /// Several instances could: none is linked.
    Ambiguous(Vec<usize>),
    /// The target is known only at run time.
    RunTime,
}

impl Link {
    pub fn instance(&self) -> Option<usize> {
        match self {
            Link::Linked(i) => Some(*i),
            _ => None,
        }
    }
}

/// Where an instance listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listen {
    pub addresses: Vec<String>,
    pub ports: Vec<u16>,
    pub unix: Option<String>,
}

impl Listen {
    pub fn everywhere(&self) -> bool {
        self.addresses
            .iter()
            .any(|a| matches!(a.trim_start_matches('-'), "*" | "0.0.0.0" | "::" | "::*"))
    }
    pub fn loopback(&self) -> bool {
        self.everywhere()
            || self
                .addresses
                .iter()
                .any(|a| is_loopback(a.trim_start_matches('-')))
    }
}

/// Loopback by name (`localhost`) or address: the one test every rule and the linker use.
pub fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

pub fn listen(instance: &Instance) -> Listen {
    let m = &instance.model;
    let port: u16 = m
        .last("port")
        .and_then(|o| o.value_text().parse().ok())
        .unwrap_or(6379);
    let tls: u16 = m
        .last("tls-port")
        .and_then(|o| o.value_text().parse().ok())
        .unwrap_or(0);
    let ports = [port, tls].into_iter().filter(|p| *p != 0).collect();
    let unix = m
        .last("unixsocket")
        .map(|o| o.value_text())
        .filter(|s| !s.is_empty());
    Listen {
        addresses: m.bind_addresses(),
        ports,
        unix,
    }
}

/// `[hosts]`: a host name and the instance config it names.
#[derive(Debug, Clone)]
pub struct HostMap {
    pub host: String,
    pub path: PathBuf,
}

pub fn link(
    client: &Client,
    instances: &[Instance],
    listens: &[Listen],
    hosts: &[HostMap],
    sources: &Sources,
) -> Link {
    let candidates: Vec<usize> = match &client.target {
        Target::RunTime => return Link::RunTime,
        Target::Unix(path) => (0..instances.len())
            .filter(|&i| listens[i].unix.as_deref() == Some(path.as_str()))
            .collect(),
        Target::Tcp { host, port } => {
            if let Some(mapped) = hosts.iter().find(|h| h.host.eq_ignore_ascii_case(host)) {
                let want = normalize(&mapped.path);
                (0..instances.len())
                    .filter(|&i| {
                        normalize(&sources.get(instances[i].model.root).path) == want
                            && listens[i].ports.contains(port)
                    })
                    .collect()
            } else if is_loopback(host) {
                (0..instances.len())
                    .filter(|&i| listens[i].loopback() && listens[i].ports.contains(port))
                    .collect()
            } else if host.parse::<IpAddr>().is_ok() {
                (0..instances.len())
                    .filter(|&i| {
                        listens[i].ports.contains(port)
                            && listens[i]
                                .addresses
                                .iter()
                                .any(|a| a.trim_start_matches('-') == host)
                    })
                    .collect()
            } else {
                Vec::new()
            }
        }
    };
    match candidates.len() {
        0 => Link::Nowhere,
        1 => Link::Linked(candidates[0]),
        _ => Link::Ambiguous(candidates),
    }
}
