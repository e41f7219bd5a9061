//! `--live`: read each running server, register its configuration as a document named by the
//! target, and link it to the config it runs from.

use super::RunError;
use crate::cli::LiveArgs;
use crate::discovery::{FileError, FileKind, Root};
use crate::engine::Settings;
use crate::live::{self, Credentials, LiveTarget};
use crate::model::redis::Mode;
use crate::source::Sources;
use std::path::PathBuf;
use std::time::Duration;

/// The password for the targets: `--password-file` (its first line), else `REDISCLI_AUTH`.
fn password(args: &LiveArgs) -> Result<Option<Vec<u8>>, RunError> {
    if let Some(path) = &args.password_file {
        let bytes = crate::source::read_regular_file(path)
            .map_err(|e| RunError(format!("--password-file {}: {e}", path.display())))?;
        let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        return Ok(Some(line.to_vec()));
    }
    Ok(std::env::var_os("REDISCLI_AUTH")
        .filter(|v| !v.is_empty())
        .map(|v| std::os::unix::ffi::OsStrExt::as_bytes(v.as_os_str()).to_vec()))
}

/// The system's CA bundle (Debian, Ubuntu, Alpine), used without --tls-ca.
const SYSTEM_CA: &str = "/etc/ssl/certs/ca-certificates.crt";

fn tls(args: &LiveArgs) -> Result<std::sync::Arc<rustls::ClientConfig>, RunError> {
    let read = |path: &PathBuf, what: &str| {
        crate::source::read_regular_file(path)
            .map_err(|e| RunError(format!("{what} {}: {e}", path.display())))
    };
    let ca = match &args.tls_ca {
        Some(path) => read(path, "--tls-ca")?,
        None => read(
            &PathBuf::from(SYSTEM_CA),
            "no --tls-ca, and the system CA bundle",
        )?,
    };
    let cert = args
        .tls_cert
        .as_ref()
        .map(|p| read(p, "--tls-cert"))
        .transpose()?;
    let key = args
        .tls_key
        .as_ref()
        .map(|p| read(p, "--tls-key"))
        .transpose()?;
    live::tls_config(&ca, cert.as_deref(), key.as_deref()).map_err(RunError)
}

/// Read every target of `--live` (linked by `=PATH` or redline.toml). A target that cannot be parsed (a password in
/// it) fails the run; one that cannot be reached or refuses the password is a file error (exit
/// 2, named), and the others are still audited.
pub(super) fn read_targets(
    args: &LiveArgs,
    settings: &mut Settings,
    sources: &mut Sources,
    roots: &mut Vec<Root>,
    errors: &mut Vec<FileError>,
) -> Result<(), RunError> {
    let mut requests: Vec<(String, Option<PathBuf>)> = Vec::new();
    for arg in &args.live {
        let (target, path) = match arg.split_once('=') {
            Some((t, p)) if !p.is_empty() => (t.to_string(), Some(PathBuf::from(p))),
            _ => (arg.clone(), None),
        };
        requests.push((target, path));
    }
    // redline.toml links the targets named on the command line to their files; it never makes
    // a run connect anywhere by itself (a pull request controls that file).
    for (target, path) in &settings.live_links {
        if let Some((_, p @ None)) = requests.iter_mut().find(|(t, _)| t == target) {
            *p = Some(path.clone());
        }
    }
    if requests.is_empty() {
        return Ok(());
    }
    let timeout = match args.live_timeout {
        None => live::DEFAULT_TIMEOUT,
        Some(s) if s.is_finite() && s > 0.0 && s <= 3600.0 => Duration::from_secs_f64(s),
        Some(_) => {
            return Err(RunError(
                "--live-timeout: a number of seconds above 0 and at most 3600".into(),
            ))
        }
    };
    let wants_tls = requests
        .iter()
        .any(|(t, _)| t.to_ascii_lowercase().starts_with("rediss://"));
    let credentials = Credentials {
        password: password(args)?,
        tls: if wants_tls { Some(tls(args)?) } else { None },
    };
    for (text, path) in requests {
        let target = live::parse_target(&text).map_err(|e| RunError(format!("--live: {e}")))?;
        if settings.live.iter().any(|l| l.display == target.display) {
            continue;
        }
        let mut config_command = "CONFIG".to_string();
        if let Some(path) = &path {
            let file = sources.load(path).map_err(|e| {
                RunError(format!(
                    "--live {}: {}: {e}",
                    target.display,
                    path.display()
                ))
            })?;
            if !roots.iter().any(|r| r.file == file) {
                roots.push(Root {
                    file,
                    kind: FileKind::Redis,
                });
            }
            // CONFIG renamed in the file is asked for under its new name.
            let model = crate::model::redis::load(sources, file, Mode::Server, &settings.load);
            if let Some((_, to)) = model.rename_of("config") {
                if !to.is_empty() {
                    config_command = to;
                }
            }
        }
        match live::read(&target, &credentials, timeout, &config_command) {
            Ok(snapshot) => {
                let text = live::render(&snapshot);
                // Bounded like a file: a server that answers with megabytes of settings or users
                // is not held as a document.
                if text.len() as u64 > crate::source::MAX_FILE_SIZE {
                    errors.push(FileError {
                        path: target.display.clone(),
                        error: format!(
                            "its configuration is larger than {} bytes: not audited",
                            crate::source::MAX_FILE_SIZE
                        ),
                    });
                    continue;
                }
                let file = sources.insert_live(&target.display, text.into_bytes());
                roots.push(Root {
                    file,
                    kind: FileKind::Redis,
                });
                settings.live.push(LiveTarget {
                    file,
                    display: target.display.clone(),
                    linked_path: path,
                    linked: None,
                    snapshot,
                });
            }
            Err(error) => errors.push(FileError {
                path: target.display.clone(),
                error,
            }),
        }
    }
    Ok(())
}
