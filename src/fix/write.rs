//! Writing patched files so that no reader ever sees half a config: each file is written to a
//! temporary file in its own folder, flushed to disk and renamed over the original, keeping its
//! mode and owner. A run that patches several files stages them all first and renames them only
//! when every one is ready; a failed rename puts back the ones already replaced.

use crate::confine::Tree;
use crate::source::ReadError;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct WriteError {
    pub path: PathBuf,
    pub reason: String,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.reason)
    }
}

fn err(path: &Path, reason: impl Into<String>) -> WriteError {
    WriteError {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// One file to replace: where, with what, and what it must still hold for the write to go ahead.
pub struct PlannedWrite {
    pub path: PathBuf,
    pub contents: Vec<u8>,
    /// The bytes read at the start of the run; None for a new file (an `--output-dir` copy).
    pub expected: Option<Vec<u8>>,
    /// For a new file (a backup, a copy): the original whose mode and owner it gets. A copy of a
    /// `0600` file holding a password must not be readable by everyone.
    pub like: Option<PathBuf>,
}

/// The operations a write needs, so tests can make any one of them fail.
pub trait FileOps {
    fn write_temp(
        &mut self,
        temp: &Path,
        contents: &[u8],
        mode: Option<u32>,
    ) -> std::io::Result<()>;
    fn rename(&mut self, from: &Path, to: &Path) -> std::io::Result<()>;
}

/// The real file system.
pub struct RealFs;

impl FileOps for RealFs {
    fn write_temp(
        &mut self,
        temp: &Path,
        contents: &[u8],
        mode: Option<u32>,
    ) -> std::io::Result<()> {
        let mut options = OpenOptions::new();
        options
            .write(true)
            .create_new(true)
            .mode(mode.unwrap_or(0o644));
        let mut file = options.open(temp)?;
        file.write_all(contents)?;
        file.sync_all()
    }

    fn rename(&mut self, from: &Path, to: &Path) -> std::io::Result<()> {
        fs::rename(from, to)
    }
}

struct Staged {
    target: PathBuf,
    temp: PathBuf,
    previous: Option<Vec<u8>>,
    /// The original's mode, owner and group, put back with its bytes by a roll-back.
    owner: Option<(u32, u32, u32)>,
}

fn temp_path(target: &Path, n: usize) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.redline-{}-{n}.tmp", std::process::id()))
}

/// The files among `plans` that have other hard links. An atomic write replaces the file's name
/// with a new file, so the other names keep the old content: redline says so rather than
/// writing in place, which would not be atomic and could reach a file outside the tree.
pub fn hard_linked(plans: &[PlannedWrite]) -> Vec<(PathBuf, u64)> {
    plans
        .iter()
        .filter(|p| p.expected.is_some())
        .filter_map(|p| {
            let links = fs::metadata(&p.path).ok()?.nlink();
            (links > 1).then(|| (p.path.clone(), links))
        })
        .collect()
}

/// Write every planned file, or none. Symbolic links are written through (the link stays a link).
pub fn write_all(plans: &[PlannedWrite], ops: &mut dyn FileOps) -> Result<(), WriteError> {
    write_all_in(plans, ops, &Tree::unrestricted())
}

/// `write_all`, editing only files whose real path is inside `tree`: a symbolic link is written
/// through only to a target inside it. New files (backups, copies) are never written through a
/// link at their path: they are renamed into place, which replaces a link rather than follows it,
/// and a link already there is refused.
pub fn write_all_in(
    plans: &[PlannedWrite],
    ops: &mut dyn FileOps,
    tree: &Tree,
) -> Result<(), WriteError> {
    let mut staged: Vec<Staged> = Vec::new();
    let result =
        stage_all(plans, ops, &mut staged, tree).and_then(|()| commit_all(ops, &mut staged));
    for s in &staged {
        let _ = fs::remove_file(&s.temp);
    }
    result
}

fn stage_all(
    plans: &[PlannedWrite],
    ops: &mut dyn FileOps,
    staged: &mut Vec<Staged>,
    tree: &Tree,
) -> Result<(), WriteError> {
    for (n, plan) in plans.iter().enumerate() {
        let (target, meta) = if plan.expected.is_some() {
            let target = match tree.resolve(&plan.path) {
                Ok(real) => real,
                Err(ReadError::OutsideTree) => {
                    return Err(err(
                        &plan.path,
                        "its real path is outside the audited tree: not written",
                    ))
                }
                Err(e) => return Err(err(&plan.path, format!("cannot resolve the file: {e}"))),
            };
            let meta = fs::metadata(&target).ok();
            (target, meta)
        } else {
            if fs::symlink_metadata(&plan.path).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(err(
                    &plan.path,
                    "a symbolic link is at this path; redline does not write through it",
                ));
            }
            let meta = plan.like.as_ref().and_then(|p| fs::metadata(p).ok());
            (plan.path.clone(), meta)
        };
        if let Some(expected) = &plan.expected {
            // A regular file only: one swapped for a FIFO since it was read must not block.
            let current = crate::source::read_regular_file(&target).map_err(|e| {
                err(
                    &plan.path,
                    format!("cannot re-read the file before writing: {e}"),
                )
            })?;
            if &current != expected {
                return Err(err(&plan.path, "the file changed since redline read it; nothing was written, run redline again"));
            }
        }
        if let Some(parent) = target.parent() {
            if plan.expected.is_none() {
                fs::create_dir_all(parent)
                    .map_err(|e| err(parent, format!("cannot create the folder: {e}")))?;
            }
        }
        let temp = temp_path(&target, n);
        let mode = meta.as_ref().map(|m| m.permissions().mode() & 0o7777);
        ops.write_temp(&temp, &plan.contents, mode).map_err(|e| {
            let _ = fs::remove_file(&temp);
            err(
                &plan.path,
                format!("cannot write a temporary file next to it: {e}"),
            )
        })?;
        staged.push(Staged {
            target: target.clone(),
            temp: temp.clone(),
            previous: plan.expected.clone(),
            owner: meta
                .as_ref()
                .map(|m| (m.permissions().mode() & 0o7777, m.uid(), m.gid())),
        });
        if let Some(meta) = &meta {
            // The mode was set at creation (umask may have cleared bits): set it again, exactly.
            fs::set_permissions(
                &temp,
                fs::Permissions::from_mode(meta.permissions().mode() & 0o7777),
            )
            .map_err(|e| err(&plan.path, format!("cannot keep the file's mode: {e}")))?;
            let same_owner = fs::metadata(&temp)
                .map(|t| t.uid() == meta.uid() && t.gid() == meta.gid())
                .unwrap_or(false);
            if !same_owner {
                std::os::unix::fs::chown(&temp, Some(meta.uid()), Some(meta.gid())).map_err(
                    |e| {
                        err(
                            &plan.path,
                            format!(
                                "cannot keep the file's owner ({}:{}): {e}",
                                meta.uid(),
                                meta.gid()
                            ),
                        )
                    },
                )?;
            }
        }
    }
    Ok(())
}

fn commit_all(ops: &mut dyn FileOps, staged: &mut [Staged]) -> Result<(), WriteError> {
    for i in 0..staged.len() {
        // Checked again right before the rename: an edit made while the other files were being
        // staged must not be overwritten.
        if let Some(expected) = &staged[i].previous {
            let current = crate::source::read_regular_file(&staged[i].target);
            if current.as_ref() != Ok(expected) {
                let failure = err(
                    &staged[i].target,
                    "the file changed while redline was writing; every file was rolled back, run redline again",
                );
                roll_back(&staged[..i]);
                return Err(failure);
            }
        }
        if let Err(e) = ops.rename(&staged[i].temp, &staged[i].target) {
            let failure = err(&staged[i].target, format!("cannot replace the file: {e}"));
            roll_back(&staged[..i]);
            return Err(failure);
        }
        sync_parent(&staged[i].target);
    }
    Ok(())
}

/// Put back the files already replaced, each again through a temporary file and a rename.
fn roll_back(done: &[Staged]) {
    for s in done.iter().rev() {
        match &s.previous {
            Some(previous) => {
                let temp = s.temp.with_extension("rollback");
                let mode = s.owner.map(|(mode, _, _)| mode);
                if RealFs.write_temp(&temp, previous, mode).is_ok() {
                    // The original's mode and owner too, not only its bytes.
                    if let Some((mode, uid, gid)) = s.owner {
                        let _ = fs::set_permissions(&temp, fs::Permissions::from_mode(mode));
                        let _ = std::os::unix::fs::chown(&temp, Some(uid), Some(gid));
                    }
                    let _ = fs::rename(&temp, &s.target);
                }
                let _ = fs::remove_file(&temp);
            }
            None => {
                let _ = fs::remove_file(&s.target);
            }
        }
    }
}

fn sync_parent(path: &Path) {
    if let Some(parent) = path.parent() {
        if let Ok(dir) = File::open(parent) {
            let _ = dir.sync_all();
        }
    }
}

/// `FILE.bak`, or `FILE.bak.N` when that exists: an existing backup is never overwritten.
pub fn backup_path(path: &Path) -> PathBuf {
    // By the path's bytes (a name need not be UTF-8), and anything at the path counts, a dangling
    // symbolic link included: a backup is never written through one.
    let taken = |p: &Path| fs::symlink_metadata(p).is_ok();
    let with_suffix = |suffix: &str| {
        let mut name = path.as_os_str().to_os_string();
        name.push(suffix);
        PathBuf::from(name)
    };
    let base = with_suffix(".bak");
    if !taken(&base) {
        return base;
    }
    (1..)
        .map(|n| with_suffix(&format!(".bak.{n}")))
        .find(|p| !taken(p))
        .unwrap()
}
