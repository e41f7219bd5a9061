//! Compose services and Kubernetes containers that run redis-server, as instances of the stack:
//! each model built the way the container starts (`redis::load_deployed`), the config file it
//! reads taken out of the plain redis.conf instances (it belongs to this one), and clients that
//! reach it by a compose service name or a Kubernetes Service name linked to it.

use super::clients::{Client, Target};
use super::{role_of, DeclaredRole, Instance, Link, Listen};
use crate::discovery::{FileKind, Root};
use crate::model::deploy::{self, ConfigSource, DeployFile, Deployed};
use crate::model::redis::{self, DeployedConfig, LoadOptions};
use crate::source::{normalize, FileId, Sources};
use std::collections::{HashMap, HashSet};

/// The compose files and manifests read, and which instance each deployed server is.
#[derive(Debug, Clone, Default)]
pub struct DeployStack {
    pub files: Vec<DeployFile>,
    /// (instance index, file index, workload index), by instance index.
    pub instances: Vec<(usize, usize, usize)>,
    /// Compose host names (lower-cased) -> instance indexes, and Kubernetes Service names
    /// (lower-cased) -> (file index, service index): looked up per client, never scanned.
    hosts: HashMap<String, Vec<usize>>,
    services: HashMap<String, Vec<(usize, usize)>>,
}

impl DeployStack {
    /// The deployment behind instance `index`, if it is one.
    pub fn of_instance(&self, index: usize) -> Option<&Deployed> {
        // Deployed instances are appended in order: the list is sorted.
        let at = self.instances.binary_search_by_key(&index, |t| t.0).ok()?;
        let (_, f, w) = self.instances[at];
        Some(&self.files[f].workloads[w])
    }

    /// The instances a Kubernetes Service selects.
    pub fn selected_by(&self, service: &deploy::KubeService) -> Vec<usize> {
        self.instances
            .iter()
            .filter(|&&(_, f, w)| {
                let d = &self.files[f].workloads[w];
                d.platform == deploy::Platform::Kubernetes
                    && !service.selector.is_empty()
                    && service.selector.iter().all(|pair| d.labels.contains(pair))
                    && (service.namespace.is_none()
                        || d.namespace.is_none()
                        || service.namespace == d.namespace)
            })
            .map(|&(i, _, _)| i)
            .collect()
    }
}

/// Read every compose file and manifest, add an instance per server they start, and drop the
/// plain instances whose root is a config file one of them reads.
pub fn build(
    sources: &mut Sources,
    roots: &[Root],
    options: &LoadOptions,
    declared: &[DeclaredRole],
    instances: &mut Vec<Instance>,
) -> DeployStack {
    let mut files: Vec<DeployFile> = Vec::new();
    for root in roots {
        match root.kind {
            FileKind::Compose => files.push(deploy::read_compose(sources, root.file)),
            FileKind::Kubernetes => files.push(deploy::read_kubernetes(sources, root.file)),
            _ => {}
        }
    }
    if files.is_empty() {
        return DeployStack::default();
    }
    deploy::load_generated(sources, &mut files);
    deploy::resolve_config_maps(&mut files);
    let secrets: Vec<(FileId, std::ops::Range<usize>)> = files
        .iter()
        .flat_map(|f| f.secrets.iter().map(move |r| (f.file, r.clone())))
        .collect();
    sources.mark_secrets(secrets);
    let owned: HashSet<FileId> = files
        .iter()
        .flat_map(|f| &f.workloads)
        .filter_map(|w| match &w.config {
            Some(ConfigSource::File(id)) => Some(*id),
            _ => None,
        })
        .collect();
    instances.retain(|i| !owned.contains(&i.model.root));
    let mut stack = DeployStack {
        files,
        ..Default::default()
    };
    for (f, file) in stack.files.iter().enumerate() {
        for (w, workload) in file.workloads.iter().enumerate() {
            let config = workload.config.as_ref().map(|c| match c {
                ConfigSource::File(id) => DeployedConfig::File(*id),
                ConfigSource::Block { file, lines, .. } => {
                    DeployedConfig::Lines(*file, lines.clone())
                }
            });
            let model = redis::load_deployed(
                sources,
                workload.file,
                &workload.defaults,
                config.as_ref(),
                &workload.options,
                options,
            );
            let (mut role, mut role_source) = role_of(sources, &model, declared);
            // The service or workload name is the hint a file name is for a plain config
            // (`cache`, `redis-sessions`), when the config file's name gives none.
            if role_source == super::RoleSource::None {
                let name = workload.name.to_ascii_lowercase();
                if name.contains("cache") {
                    (role, role_source) = (super::Role::Cache, super::RoleSource::FileName);
                } else if name.contains("session") {
                    (role, role_source) = (super::Role::Sessions, super::RoleSource::FileName);
                }
            }
            if workload.platform == deploy::Platform::Compose {
                for host in &workload.hosts {
                    stack
                        .hosts
                        .entry(host.to_ascii_lowercase())
                        .or_default()
                        .push(instances.len());
                }
            }
            stack.instances.push((instances.len(), f, w));
            instances.push(Instance {
                model,
                role,
                role_source,
            });
        }
    }
    for (f, file) in stack.files.iter().enumerate() {
        for (s, service) in file.services.iter().enumerate() {
            stack
                .services
                .entry(service.name.to_ascii_lowercase())
                .or_default()
                .push((f, s));
        }
    }
    stack
}

/// The instance a client reaches by a name only the deployment defines: a compose service
/// (container_name, network alias) of the client's compose project, or a Kubernetes Service
/// (`name`, `name.ns`, `name.ns.svc`, `name.ns.svc.cluster.local`) that selects one workload.
pub fn link_by_name(
    client: &Client,
    deploy: &DeployStack,
    listens: &[Listen],
    sources: &Sources,
) -> Option<usize> {
    let Target::Tcp { host, port } = &client.target else {
        return None;
    };
    let host = host.to_ascii_lowercase();
    let client_path = normalize(&sources.get(client.file).path);
    let mut found: Vec<usize> = Vec::new();
    for &index in deploy.hosts.get(&host).into_iter().flatten() {
        let Some(d) = deploy.of_instance(index) else {
            continue;
        };
        if client_path.starts_with(normalize(&d.project)) && listens[index].ports.contains(port) {
            found.push(index);
        }
    }
    let mut parts = host.split('.');
    let name = parts.next().unwrap_or("");
    let namespace = parts.next();
    let rest: Vec<&str> = parts.collect();
    let suffix_ok = rest.is_empty() || rest == ["svc"] || rest == ["svc", "cluster", "local"];
    for &(f, s) in deploy.services.get(name).into_iter().flatten() {
        let service = &deploy.files[f].services[s];
        if !suffix_ok
            || (namespace.is_some()
                && service.namespace.is_some()
                && namespace != service.namespace.as_deref())
        {
            continue;
        }
        found.extend(
            deploy
                .selected_by(service)
                .into_iter()
                .filter(|&i| listens[i].ports.contains(port)),
        );
    }
    found.sort_unstable();
    found.dedup();
    (found.len() == 1).then(|| found[0])
}

/// How `redline stack` names a deployed instance: the YAML file and line, what starts it, and
/// the config file it reads.
pub fn describe(deployed: &Deployed, sources: &Sources) -> String {
    let line = sources.doc(deployed.file).line_index(deployed.at.start) + 1;
    let what = match deployed.platform {
        deploy::Platform::Compose => "compose service",
        deploy::Platform::Kubernetes => "Kubernetes container",
    };
    let config = match &deployed.config {
        Some(ConfigSource::File(id)) => format!(", config {}", sources.display(*id)),
        Some(ConfigSource::Block { lines, .. }) => {
            format!(", config ConfigMap block at line {}", lines.start + 1)
        }
        None => String::new(),
    };
    format!(
        "{}:{line} ({what} `{}`{config})",
        sources.display(deployed.file),
        crate::syntax::safe_text(&deployed.name)
    )
}

/// A loopback address on the host reaches a container only through a port the compose file
/// publishes (its loopback is its own): the link of a loopback client, with the deployed
/// instances matched by their published host ports instead of their own listening address.
pub fn relink_loopback(client: &Client, link: &Link, deploy: &DeployStack) -> Link {
    let Target::Tcp { host, port } = &client.target else {
        return link.clone();
    };
    if deploy.instances.is_empty() || !super::links::is_loopback(host) {
        return link.clone();
    }
    let deployed: HashSet<usize> = deploy.instances.iter().map(|&(i, _, _)| i).collect();
    let mut candidates: Vec<usize> = match link {
        Link::Linked(i) => vec![*i],
        Link::Ambiguous(c) => c.clone(),
        _ => Vec::new(),
    };
    candidates.retain(|i| !deployed.contains(i));
    for &(index, f, w) in &deploy.instances {
        let d = &deploy.files[f].workloads[w];
        let published = d.ports.iter().any(|p| {
            let parts: Vec<&str> = p.text.split('/').next().unwrap_or("").split(':').collect();
            let host_ip = if parts.len() > 2 {
                parts[..parts.len() - 2].join(":")
            } else {
                String::new()
            };
            parts.len() >= 2
                && parts[parts.len() - 2].trim().parse::<u16>() == Ok(*port)
                && (host_ip.is_empty()
                    || super::links::is_loopback(host_ip.trim_matches(['[', ']']))
                    || matches!(host_ip.as_str(), "0.0.0.0" | "::" | "[::]"))
        });
        if published {
            candidates.push(index);
        }
    }
    match candidates.len() {
        0 => Link::Nowhere,
        1 => Link::Linked(candidates[0]),
        _ => Link::Ambiguous(candidates),
    }
}

/// A Laravel app that a compose service runs (its build context or a bind mount is the app's
/// folder) reads the service's `environment` before its `.env`: the host, port and password
/// variables of its connections take the service's values (a password there is fixed by hand:
/// the `.env` line is not what the app reads).
pub fn apply_compose_environment(
    sources: &Sources,
    laravel: &[crate::model::laravel::LaravelApp],
    clients: &mut [Client],
    deploy: &DeployStack,
) {
    use super::clients::{ClientPassword, Origin};
    let apps: Vec<(FileId, &deploy::AppService)> = deploy
        .files
        .iter()
        .flat_map(|f| f.apps.iter().map(move |a| (f.file, a)))
        .collect();
    if apps.is_empty() {
        return;
    }
    for client in clients.iter_mut() {
        let Origin::Laravel { env, connection } = &client.origin else {
            continue;
        };
        let Some(folder) = sources.get(*env).path.parent().map(normalize) else {
            continue;
        };
        let Some((compose, app)) = apps
            .iter()
            .find(|(_, a)| a.folders.iter().any(|f| normalize(f) == folder))
        else {
            continue;
        };
        let Some(conn) = laravel.iter().find_map(|a| {
            let source = a.envs.iter().find(|e| e.file == *env)?;
            a.connection(connection, source)
        }) else {
            continue;
        };
        let var = |r: &crate::model::laravel::Resolved| {
            r.env_var
                .as_ref()
                .and_then(|(name, _)| app.env.get(name))
                .cloned()
        };
        let unknown = |v: &str| crate::secret::is_placeholder(v.as_bytes());
        let host = var(&conn.host);
        let port = var(&conn.port);
        let password = var(&conn.password);
        if host.is_none() && port.is_none() && password.is_none() {
            continue;
        }
        if host.is_some() || port.is_some() {
            let current = match &client.target {
                Target::Tcp { host, port } => Some((host.clone(), *port)),
                _ => None,
            };
            let new_host = host
                .map(|(v, _, _)| v)
                .or_else(|| current.as_ref().map(|c| c.0.clone()));
            let new_port = match port {
                Some((v, _, _)) => v.parse::<u16>().ok(),
                None => current.as_ref().map(|c| c.1),
            };
            client.target = match (new_host, new_port) {
                (Some(h), Some(p)) if !h.is_empty() && !unknown(&h) => Target::Tcp {
                    host: h
                        .split_once("://")
                        .map_or(h.as_str(), |(_, r)| r)
                        .to_string(),
                    port: p,
                },
                _ => Target::RunTime,
            };
        }
        if let Some((value, span, _)) = password {
            client.password = if value.is_empty() || value.eq_ignore_ascii_case("null") {
                ClientPassword::None
            } else if unknown(&value) {
                ClientPassword::Unknown
            } else {
                ClientPassword::Literal {
                    value,
                    file: *compose,
                    span,
                    editable: false,
                }
            };
        }
        client.label = format!(
            "{} (with the `environment` of compose service `{}`)",
            client.label,
            crate::syntax::safe_text(&app.name)
        );
    }
}
