//! The stack: every Redis instance and Sentinel audited in one run, with the role of each
//! instance. A file that another audited file includes is part of that instance, never an
//! instance of its own.

use crate::discovery::{FileKind, Root};
use crate::model::laravel::{self, LaravelApp};
use crate::model::php::{self, PhpConfig};
use crate::model::redis::{self, LoadOptions, Mode, RedisModel};
use crate::model::sentinel::{self, SentinelModel};

pub mod clients;
pub mod deploy;
pub mod links;
pub mod node;
pub mod passwords;

use crate::source::{normalize, FileId, Sources};
pub use clients::{Client, ClientPassword, Origin, Purpose, Target};
pub use links::{HostMap, Link, Listen};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Sessions,
    Cache,
    Queue,
    Unknown,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Sessions => "sessions",
            Role::Cache => "cache",
            Role::Queue => "queue",
            Role::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleSource {
    /// `[[instance]]` in redline.toml.
    Declared,
    /// Inferred from the clients linked to it.
    Clients,
    /// `cache` or `session` in the file name.
    FileName,
    None,
}

#[derive(Debug, Clone)]
pub struct Instance {
    pub model: RedisModel,
    pub role: Role,
    pub role_source: RoleSource,
}

impl Instance {
    /// Session-store rules treat an unknown role as a session store; their messages say so.
    pub fn may_store_sessions(&self) -> bool {
        matches!(self.role, Role::Sessions | Role::Unknown)
    }

    /// Words for messages of session-store rules: hedged when the role is a guess.
    pub fn session_clause(&self) -> &'static str {
        match self.role {
            Role::Sessions => "on this session store",
            _ => "if this instance stores sessions (declare its role in redline.toml to be sure)",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Stack {
    pub instances: Vec<Instance>,
    pub sentinels: Vec<SentinelModel>,
    /// PHP configurations: a php.ini with its conf.d files, or a standalone .ini.
    pub php: Vec<PhpConfig>,
    pub laravel: Vec<LaravelApp>,
    pub django: Vec<crate::model::django::DjangoSettings>,
    /// Flask apps with Flask-Session, and the config classes and modules no app loads.
    pub flask: crate::model::flask::FlaskStack,
    /// Express apps (express-session with connect-redis).
    pub node: Vec<crate::model::node::NodeApp>,
    /// ACL files that no audited config names in `aclfile`, read with the ACL grammar alone.
    pub acl_files: Vec<RedisModel>,
    /// Everything that connects to an instance, and the instance each one is linked to.
    pub clients: Vec<Client>,
    pub links: Vec<Link>,
    /// Running servers read with `check --live` (their configurations are instances too).
    pub live: Vec<crate::live::LiveTarget>,
    /// Where each instance listens (same order as `instances`).
    pub listens: Vec<Listen>,
    /// Compose files and Kubernetes manifests, and the instances they start.
    pub deploy: deploy::DeployStack,
    /// The clients linked to each instance (positions in `clients`), and the clients of each
    /// origin: rules ask per instance and per app, and a scan of every client for each would be
    /// quadratic in a tree of thousands of apps.
    clients_by_instance: Vec<Vec<usize>>,
    clients_by_origin: HashMap<Origin, Vec<usize>>,
}

impl Stack {
    /// The clients linked to instance `index`, with their positions in `clients`.
    pub fn clients_of(&self, index: usize) -> impl Iterator<Item = (usize, &Client)> + '_ {
        self.clients_by_instance
            .get(index)
            .into_iter()
            .flatten()
            .map(|&c| (c, &self.clients[c]))
    }

    /// Whether a Sentinel of the stack monitors instance `index`.
    /// The instances that clients made by `origin` are linked to (one per linked client).
    pub fn linked_from(&self, origin: &Origin) -> Vec<usize> {
        self.clients_by_origin
            .get(origin)
            .into_iter()
            .flatten()
            .filter_map(|&c| self.links[c].instance())
            .collect()
    }

    /// The lowest database index >= `from` that no client of the instance uses, other than the
    /// clients made by `except`.
    pub fn free_database(&self, index: usize, from: u32, except: &Origin) -> u32 {
        let used: Vec<u32> = self
            .clients_of(index)
            .filter(|(_, c)| &c.origin != except)
            .filter_map(|(_, c)| c.database.as_deref()?.parse().ok())
            .collect();
        (from..).find(|n| !used.contains(n)).unwrap_or(from)
    }

    /// The index of an instance of this stack.
    pub fn index_of(&self, instance: &Instance) -> Option<usize> {
        // From its address, not a scan: rules ask for every instance, and a scan each time is
        // quadratic in a tree of thousands of configs.
        let size = std::mem::size_of::<Instance>().max(1);
        let offset =
            (instance as *const Instance as usize).checked_sub(self.instances.as_ptr() as usize)?;
        let index = offset / size;
        (offset % size == 0).then_some(index).filter(|&i| {
            self.instances
                .get(i)
                .is_some_and(|i| std::ptr::eq(i, instance))
        })
    }

    pub fn monitored(&self, index: usize) -> bool {
        self.clients_of(index)
            .any(|(_, c)| c.purpose == Purpose::Monitor)
    }
}

#[derive(Debug, Clone)]
pub struct DeclaredRole {
    pub path: PathBuf,
    pub role: Role,
}

/// Mark the settings modules another audited module star-imports (`from .base import *`).
fn mark_extended(sources: &Sources, django: &mut [crate::model::django::DjangoSettings]) {
    let paths: Vec<PathBuf> = django
        .iter()
        .map(|d| normalize(&sources.get(d.file).path))
        .collect();
    let mut extended = vec![false; django.len()];
    // Looked up by path and by file name, not scanned: a ring of modules importing each other
    // would be quadratic.
    let mut by_path: HashMap<&Path, usize> = HashMap::new();
    let mut by_name: HashMap<&std::ffi::OsStr, Vec<usize>> = HashMap::new();
    for (i, p) in paths.iter().enumerate() {
        by_path.entry(p.as_path()).or_insert(i);
        if let Some(name) = p.file_name() {
            by_name.entry(name).or_default().push(i);
        }
    }
    let suffix = |end: &Path| -> Option<usize> {
        by_name
            .get(end.file_name()?)?
            .iter()
            .copied()
            .find(|&i| paths[i].ends_with(end))
    };
    for (importer, settings) in django.iter().enumerate() {
        for module in &settings.star_imports {
            use crate::model::django::StarImport;
            let target = match crate::model::django::star_import_names(&paths[importer], module) {
                Some(StarImport::Exact(file, package)) => by_path
                    .get(file.as_path())
                    .or_else(|| by_path.get(package.as_path()))
                    .copied(),
                Some(StarImport::Suffix(file, package)) => {
                    suffix(&file).or_else(|| suffix(&package))
                }
                None => None,
            };
            if let Some(i) = target {
                extended[i] |= i != importer;
            }
        }
    }
    for (settings, extended) in django.iter_mut().zip(extended) {
        settings.extended = extended;
    }
}

/// From this many redis.conf and sentinel.conf roots on, their models are built in parallel.
const PARALLEL_CONFIGS: usize = 16;

pub fn build(
    sources: &mut Sources,
    roots: &[Root],
    options: &LoadOptions,
    declared: &[DeclaredRole],
    hosts: &[HostMap],
) -> Stack {
    let mut servers: Vec<RedisModel> = Vec::new();
    let mut sentinels = Vec::new();
    let php = php_configs(sources, roots);
    let laravel = laravel_apps(sources, roots);
    // Settings modules need nothing but their own bytes: they are read in parallel.
    let mut django: Vec<crate::model::django::DjangoSettings> = {
        use rayon::prelude::*;
        let shared: &Sources = sources;
        roots
            .par_iter()
            .filter(|r| r.kind == FileKind::DjangoSettings)
            .map(|r| {
                let mut settings = crate::model::django::load(r.file, shared.doc(r.file).bytes());
                settings.retain_read_by_rules();
                settings
            })
            .collect()
    };
    mark_extended(sources, &mut django);
    let flask_roots: Vec<FileId> = roots
        .iter()
        .filter(|r| r.kind == FileKind::Flask)
        .map(|r| r.file)
        .collect();
    let (flask, flask_secrets) = crate::model::flask::load(sources, &flask_roots);
    sources.mark_secrets(flask_secrets);
    let node = node::node_apps(sources, roots);
    // The readers found the secrets of these files; the documents keep them for every output.
    let secrets: Vec<(FileId, std::ops::Range<usize>)> = php
        .iter()
        .flat_map(|p| p.secrets.iter().cloned())
        .chain(laravel.iter().flat_map(LaravelApp::secrets))
        .chain(
            django
                .iter()
                .flat_map(|d| d.secrets.iter().map(|r| (d.file, r.clone()))),
        )
        .chain(node.iter().flat_map(|a| a.secrets.iter().cloned()))
        .collect();
    sources.mark_secrets(secrets);
    // redis.conf and sentinel.conf models are built in parallel on the files read so far; a
    // config that needs a file not read yet (an include, an aclfile) is built afterwards, in root
    // order, reading what it needs, as if every config were built in turn.
    let configs: Vec<(&Root, Mode)> = roots
        .iter()
        .filter_map(|root| match root.kind {
            FileKind::Redis => Some((root, Mode::Server)),
            FileKind::Sentinel => Some((root, Mode::Sentinel)),
            _ => None,
        })
        .collect();
    // A few configs are built in turn: waking the thread pool costs more than it saves.
    let built: Vec<Option<(RedisModel, redis::FoundSecrets)>> = if configs.len() < PARALLEL_CONFIGS
    {
        vec![None; configs.len()]
    } else {
        use rayon::prelude::*;
        let shared: &Sources = sources;
        configs
            .par_iter()
            .map(|(root, mode)| redis::load_shared(shared, root.file, *mode, options))
            .collect()
    };
    // The files the server configs built so far read: a root among them is part of an earlier
    // instance (see the rule below), so it is not built at all. Without this, N files that each
    // `include *.conf` would be N instances of N files each: cubic work for one loop.
    let mut read_by_servers: HashSet<FileId> = HashSet::new();
    for ((root, mode), built) in configs.into_iter().zip(built) {
        if mode == Mode::Server && read_by_servers.contains(&root.file) {
            continue;
        }
        let model = match built {
            Some((model, secrets)) => {
                sources.mark_secrets(secrets);
                model
            }
            None => redis::load(sources, root.file, mode, options),
        };
        if mode == Mode::Server {
            read_by_servers.extend(model.files.iter().copied());
        }
        match mode {
            Mode::Sentinel => sentinels.push(sentinel::build(model)),
            _ => servers.push(model),
        }
    }
    // Drop a root that another root includes. Configs that include each other (a loop) are one
    // instance: the first of them in root order, which reports the loop once.
    let includes_of = |m: &RedisModel| -> HashSet<FileId> {
        m.files.iter().copied().filter(|f| *f != m.root).collect()
    };
    let included: Vec<HashSet<FileId>> = servers.iter().map(includes_of).collect();
    // The servers that include each file: a look-up per root, not a scan of every server.
    let mut includers: HashMap<FileId, Vec<usize>> = HashMap::new();
    for (j, files) in included.iter().enumerate() {
        for file in files {
            includers.entry(*file).or_default().push(j);
        }
    }
    let keep: Vec<bool> = servers
        .iter()
        .enumerate()
        .map(|(i, m)| {
            !includers
                .get(&m.root)
                .into_iter()
                .flatten()
                .any(|&j| j != i && (j < i || !included[i].contains(&servers[j].root)))
        })
        .collect();
    let mut instances: Vec<Instance> = servers
        .into_iter()
        .zip(keep)
        .filter(|(_, keep)| *keep)
        .map(|(model, _)| {
            let (role, role_source) = role_of(sources, &model, declared);
            Instance {
                model,
                role,
                role_source,
            }
        })
        .collect();
    let deployments = deploy::build(sources, roots, options, declared, &mut instances);
    // An ACL file that an instance names in `aclfile` is part of that instance; any other is
    // read on its own, for its syntax only.
    let named: HashSet<FileId> = instances
        .iter()
        .flat_map(|i: &Instance| i.model.files.iter().copied())
        .chain(
            sentinels
                .iter()
                .flat_map(|s| s.config.files.iter().copied()),
        )
        .collect();
    let acl_files = roots
        .iter()
        .filter(|r| r.kind == FileKind::Acl && !named.contains(&r.file))
        .map(|r| redis::load_acl(sources, r.file, options))
        .collect();
    let mut stack = Stack {
        live: Vec::new(),
        instances,
        sentinels,
        acl_files,
        php,
        laravel,
        django,
        deploy: deployments,
        flask,
        node,
        ..Default::default()
    };
    stack.listens = stack.instances.iter().map(links::listen).collect();
    unlist_live_duplicates(sources, &stack.instances, &mut stack.listens);
    stack.clients = clients::collect(sources, &stack);
    deploy::apply_compose_environment(sources, &stack.laravel, &mut stack.clients, &stack.deploy);
    stack.links = stack
        .clients
        .iter()
        .map(|c| links::link(c, &stack.instances, &stack.listens, hosts, sources))
        .collect();
    for (client, link) in stack.clients.iter().zip(stack.links.iter_mut()) {
        *link = deploy::relink_loopback(client, link, &stack.deploy);
        if *link == Link::Nowhere {
            if let Some(i) = deploy::link_by_name(client, &stack.deploy, &stack.listens, sources) {
                *link = Link::Linked(i);
            }
        }
    }
    stack.clients_by_instance = vec![Vec::new(); stack.instances.len()];
    for (c, link) in stack.links.iter().enumerate() {
        if let Some(i) = link.instance() {
            stack.clients_by_instance[i].push(c);
        }
    }
    for (c, client) in stack.clients.iter().enumerate() {
        stack
            .clients_by_origin
            .entry(client.origin.clone())
            .or_default()
            .push(c);
    }
    // A role not declared comes from the linked clients: any session client makes a session
    // store, cache clients alone a cache; the file name only when no client says.
    for index in 0..stack.instances.len() {
        if stack.instances[index].role_source == RoleSource::Declared {
            continue;
        }
        let purposes: Vec<Purpose> = stack
            .clients_of(index)
            .map(|(_, c)| c.purpose)
            .filter(|p| *p != Purpose::Monitor)
            .collect();
        let inferred = if purposes.contains(&Purpose::Sessions) {
            Some(Role::Sessions)
        } else if !purposes.is_empty() {
            Some(Role::Cache)
        } else {
            None
        };
        if let Some(role) = inferred {
            stack.instances[index].role = role;
            stack.instances[index].role_source = RoleSource::Clients;
        }
    }
    stack
}

/// A running server (`check --live`) that listens where an audited file's instance listens is
/// that file's server: clients link to the file's instance, not ambiguously to both.
fn unlist_live_duplicates(sources: &Sources, instances: &[Instance], listens: &mut [Listen]) {
    let overlaps = |a: &Listen, b: &Listen| {
        (a.unix.is_some() && a.unix == b.unix) || a.ports.iter().any(|p| b.ports.contains(p))
    };
    for i in 0..instances.len() {
        if !sources.is_live(instances[i].model.root) {
            continue;
        }
        let duplicate = (0..instances.len()).any(|j| {
            !sources.is_live(instances[j].model.root) && overlaps(&listens[i], &listens[j])
        });
        if duplicate {
            listens[i] = Listen {
                addresses: Vec::new(),
                ports: Vec::new(),
                unix: None,
            };
        }
    }
}

fn role_of(sources: &Sources, model: &RedisModel, declared: &[DeclaredRole]) -> (Role, RoleSource) {
    let path = normalize(&sources.get(model.root).path);
    if let Some(d) = declared.iter().find(|d| normalize(&d.path) == path) {
        return (d.role, RoleSource::Declared);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.contains("cache") {
        (Role::Cache, RoleSource::FileName)
    } else if name.contains("session") {
        (Role::Sessions, RoleSource::FileName)
    } else {
        (Role::Unknown, RoleSource::None)
    }
}

/// Group php.ini files with the `conf.d/*.ini` beside them (read after php.ini, in byte order as
/// `alphasort` sorts in the C locale); every other .ini is a configuration of its own.
fn php_configs(sources: &Sources, roots: &[Root]) -> Vec<PhpConfig> {
    let ini: Vec<FileId> = roots
        .iter()
        .filter(|r| r.kind == FileKind::PhpIni)
        .map(|r| r.file)
        .collect();
    let path_of = |id: FileId| normalize(&sources.get(id).path);
    // The .ini files of each folder: a php.ini finds its conf.d files by one look-up.
    let mut by_folder: HashMap<PathBuf, Vec<FileId>> = HashMap::new();
    for &file in &ini {
        if let Some(parent) = path_of(file).parent() {
            by_folder
                .entry(parent.to_path_buf())
                .or_default()
                .push(file);
        }
    }
    let mut owned = HashSet::new();
    let mut configs = Vec::new();
    let mut roots_of_configs = HashSet::new();
    for &file in &ini {
        let path = path_of(file);
        if path.file_name().is_some_and(|n| n == "php.ini") {
            let conf_d = path.parent().map(|p| p.join("conf.d"));
            let mut children: Vec<FileId> = conf_d
                .and_then(|d| by_folder.get(&d))
                .into_iter()
                .flatten()
                .copied()
                .filter(|&c| c != file)
                .collect();
            children.sort_by_key(|&c| {
                path_of(c)
                    .file_name()
                    .map(|n| n.as_encoded_bytes().to_vec())
                    .unwrap_or_default()
            });
            owned.extend(children.iter().copied());
            let mut files = vec![file];
            files.extend(children);
            roots_of_configs.insert(file);
            configs.push(files);
        }
    }
    for &file in &ini {
        if !owned.contains(&file) && !roots_of_configs.contains(&file) {
            configs.push(vec![file]);
        }
    }
    configs
        .iter()
        .map(|files| php::load(sources, files))
        .collect()
}

/// Group Laravel files by application folder: `.env*` in it, `config/*.php` under it.
fn laravel_apps(sources: &Sources, roots: &[Root]) -> Vec<LaravelApp> {
    // (application folder, .env files, config files by name)
    type AppFiles = (PathBuf, Vec<FileId>, Vec<(String, FileId)>);
    let mut apps: Vec<AppFiles> = Vec::new();
    // Each app's position in `apps`: one look-up per file, not a scan of the apps.
    let mut index_of: HashMap<PathBuf, usize> = HashMap::new();
    for root in roots {
        let path = normalize(&sources.get(root.file).path);
        let (app, config) = match root.kind {
            FileKind::LaravelEnv => (path.parent().map(PathBuf::from), None),
            FileKind::LaravelConfig => {
                let stem = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                // The app whose config folder holds it (`config/`, or where the app moved it);
                // a file forced with `--type` belongs to the folder above its own.
                let app = crate::discovery::app_of_config(&path, sources.confinement())
                    .or_else(|| path.parent().and_then(|p| p.parent()).map(PathBuf::from));
                (app, Some(stem))
            }
            _ => continue,
        };
        let Some(app) = app else { continue };
        let index = *index_of.entry(app.clone()).or_insert_with(|| {
            apps.push((app, Vec::new(), Vec::new()));
            apps.len() - 1
        });
        match config {
            Some(stem) => apps[index].2.push((stem, root.file)),
            None => apps[index].1.push(root.file),
        }
    }
    apps.into_iter()
        .map(|(root, envs, configs)| laravel::load(sources, root, &envs, &configs))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_of_finds_each_instance_and_nothing_else() {
        let mut sources = Sources::new();
        let mut stack = Stack::default();
        for i in 0..5 {
            let file = sources.insert(
                Path::new(&format!("/tmp/redline-unit/stack/{i}.conf")),
                format!("port {}\n", 7000 + i).into_bytes(),
            );
            let model = redis::load(&mut sources, file, Mode::Server, &LoadOptions::default());
            stack.instances.push(Instance {
                model,
                role: Role::Unknown,
                role_source: RoleSource::None,
            });
        }
        for (i, instance) in stack.instances.iter().enumerate() {
            assert_eq!(stack.index_of(instance), Some(i));
        }
        let elsewhere = stack.instances[2].clone();
        assert_eq!(stack.index_of(&elsewhere), None);
    }
}
