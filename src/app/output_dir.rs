//! `fix --output-dir`: where the patched copies go, their folders, and the marker.

use super::RunError;
use crate::discovery;
use crate::fix::write::PlannedWrite;
use std::path::{Path, PathBuf};

/// Where `--output-dir` puts the copy of `source`: its path relative to the current folder (an
/// absolute one without its leading `/`), from the path's bytes, never from the display string,
/// which is lossy for names that are not UTF-8.
pub(super) fn output_copy_path(dir: &Path, source: &Path, cwd: Option<&Path>) -> PathBuf {
    let normalized = crate::source::normalize(source);
    let relative = cwd
        .map(crate::source::normalize)
        .and_then(|cwd| normalized.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or(normalized);
    let relative: PathBuf = relative
        .components()
        .filter(|c| matches!(c, std::path::Component::Normal(_)))
        .collect();
    dir.join(relative)
}

pub(super) fn output_dir_error(path: &Path, why: String) -> RunError {
    RunError(format!(
        "--output-dir: {}: {why}; nothing was written",
        path.display()
    ))
}

/// Create the output folder and the folders of every copy, never through a symbolic link under
/// it: a link planted at a copy's folder would make redline write wherever it points.
pub(super) fn prepare_output_folders(dir: &Path, plans: &[PlannedWrite]) -> Result<(), RunError> {
    let fail = output_dir_error;
    // A link a pull request planted where CI's output folder goes would send every copy there.
    if std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(fail(
            dir,
            "a symbolic link is at this path; pass the folder's real path".into(),
        ));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| fail(dir, format!("cannot create the folder: {e}")))?;
    for plan in plans {
        let Ok(relative) = plan.path.strip_prefix(dir) else {
            continue;
        };
        let mut folder = dir.to_path_buf();
        let parts: Vec<_> = relative.components().collect();
        for part in &parts[..parts.len().saturating_sub(1)] {
            folder.push(part);
            match std::fs::symlink_metadata(&folder) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(fail(
                        &folder,
                        "a symbolic link is at this path; redline does not write through it".into(),
                    ))
                }
                Ok(m) if m.is_dir() => {}
                Ok(_) => return Err(fail(&folder, "not a folder".into())),
                Err(_) => std::fs::create_dir(&folder)
                    .map_err(|e| fail(&folder, format!("cannot create the folder: {e}")))?,
            }
        }
    }
    Ok(())
}

/// Mark the output folder: discovery never walks a folder holding the marker, so the copies are
/// not audited (or copied into themselves) by the next run.
pub(super) fn mark_output_dir(dir: &Path) -> Result<(), RunError> {
    let fail = output_dir_error;
    let marker = dir.join(discovery::OUTPUT_MARKER);
    crate::confine::create_file(
        &marker,
        b"Patched copies written by `redline fix --output-dir`. redline does not audit a folder holding this file.\n",
    )
    .map_err(|e| fail(&marker, format!("cannot write the marker: {e}")))
}
