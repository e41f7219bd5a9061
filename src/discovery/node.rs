//! Express apps in the walk: a `package.json` that depends on `express-session` marks its folder
//! as an app; the app's JavaScript and TypeScript modules that mention `express-session` are its
//! entry modules (the model follows their relative imports). Dependencies, build output,
//! minified bundles, declaration files and modules over `MAX_MODULE_BYTES` are not read.

use super::FileKind;
use crate::model::node::{depends_on_express_session, is_build_output, EXTENSIONS};
use crate::source::Sources;
use crate::syntax::javascript::MAX_MODULE_BYTES;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// How many folders up a module looks for its app's package.json.
const MAX_APP_DEPTH: usize = 8;
/// package.json files larger than this are not read (no real one comes near).
const MAX_PACKAGE_BYTES: usize = 1024 * 1024;

/// Whether a file name can be part of an Express app: `package.json` or a module.
pub fn may_be_node_file(name: &[u8]) -> bool {
    if name == b"package.json" {
        return true;
    }
    let Some(dot) = name.iter().rposition(|&b| b == b'.') else {
        return false;
    };
    let ext = &name[dot + 1..];
    EXTENSIONS
        .iter()
        .any(|e| ext.eq_ignore_ascii_case(e.as_bytes()))
        && !ends_with_ignore_case(name, b".min.js")
        && !ends_with_ignore_case(name, b".d.ts")
        && !ends_with_ignore_case(name, b".d.mts")
        && !ends_with_ignore_case(name, b".d.cts")
}

fn ends_with_ignore_case(name: &[u8], suffix: &[u8]) -> bool {
    name.len() >= suffix.len() && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// What the walk learnt of Express apps: asked for every JavaScript file, so kept per folder.
#[derive(Debug, Default)]
pub struct NodeApps {
    /// Whether a folder's package.json depends on express-session.
    apps: HashMap<PathBuf, bool>,
    /// The app the modules of a folder belong to (its nearest package.json's folder, when that
    /// is an app): one look-up per folder, not a climb per file.
    app_of_folder: HashMap<PathBuf, Option<PathBuf>>,
}

/// Whether `dir` holds a package.json that depends on express-session (cached per folder).
fn is_app_dir(sources: &Sources, apps: &mut NodeApps, dir: &Path) -> bool {
    if let Some(&known) = apps.apps.get(dir) {
        return known;
    }
    let package = dir.join("package.json");
    let is_app = std::fs::symlink_metadata(&package)
        .is_ok_and(|m| m.is_file() && m.len() <= MAX_PACKAGE_BYTES as u64)
        && sources
            .read(&package)
            .is_ok_and(|bytes| depends_on_express_session(&bytes));
    apps.apps.insert(dir.to_path_buf(), is_app);
    is_app
}

/// The app folder a module belongs to: the nearest folder above it with a package.json, when
/// that one depends on express-session.
pub fn app_of_module(sources: &Sources, apps: &mut NodeApps, path: &Path) -> Option<PathBuf> {
    let folder = path.parent()?;
    if let Some(known) = apps.app_of_folder.get(folder) {
        return known.clone();
    }
    let mut app = None;
    for dir in path.ancestors().skip(1).take(MAX_APP_DEPTH) {
        if !sources.confinement().contains(dir) {
            break;
        }
        if std::fs::symlink_metadata(dir.join("package.json")).is_ok_and(|m| m.is_file()) {
            app = is_app_dir(sources, apps, dir).then(|| dir.to_path_buf());
            break;
        }
    }
    apps.app_of_folder.insert(folder.to_path_buf(), app.clone());
    app
}

/// A file of the walk, when it belongs to an Express app: its bytes and kind.
pub fn consider(
    sources: &mut Sources,
    apps: &mut NodeApps,
    path: &Path,
) -> Option<(Vec<u8>, FileKind)> {
    let name = path.file_name()?.as_encoded_bytes();
    if !may_be_node_file(name) || is_build_output(path) {
        return None;
    }
    if name == b"package.json" {
        let dir = path.parent()?;
        if !is_app_dir(sources, apps, dir) {
            return None;
        }
        let bytes = sources.read(path).ok()?;
        return Some((bytes, FileKind::NodePackage));
    }
    app_of_module(sources, apps, path)?;
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_MODULE_BYTES as u64 {
        return None;
    }
    let bytes = sources.read(path).ok()?;
    memchr::memmem::find(&bytes, b"express-session").map(|_| (bytes, FileKind::NodeModule))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names() {
        assert!(may_be_node_file(b"app.js"));
        assert!(may_be_node_file(b"server.mts"));
        assert!(may_be_node_file(b"index.TSX"));
        assert!(may_be_node_file(b"package.json"));
        assert!(!may_be_node_file(b"vendor.min.js"));
        assert!(!may_be_node_file(b"types.d.ts"));
        assert!(!may_be_node_file(b"tsconfig.json"));
        assert!(!may_be_node_file(b"README"));
    }
}
