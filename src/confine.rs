//! The audited tree: the only folders redline reads from and writes into. CI runs redline as
//! root over files a pull request wrote, so a path in a config (`include /proc/self/environ`), a
//! symbolic link (`php.ini -> /root/.ssh/id_rsa`) or a `--root` join (`include /../../x`) must
//! never make it read or write anything else.
//!
//! The tree is each PATH argument (a file's folder), `--root` and every `--allow-read` folder. A
//! path is inside when its lexical form is (so nothing outside is even looked at) and its real
//! path, every symbolic link resolved, is too. `/proc`, `/sys` and `/dev` are never inside.

use std::ffi::OsStr;
use std::fmt;
use std::fs;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Component, Path, PathBuf};

/// Folders never read, even when `--allow-read /` puts them inside the tree: their files are not
/// configs, some block when read (`/proc/kmsg`, `/dev/tty`) and some hold the runner's secrets
/// (`/proc/self/environ`).
const SYSTEM_DIRS: [&str; 3] = ["/proc", "/sys", "/dev"];

#[derive(Debug, Clone)]
pub struct Tree {
    /// Each folder twice: as given (made absolute, dots removed) and as its real path; a path is
    /// checked lexically against the first and, resolved, against the second.
    folders: Vec<(PathBuf, PathBuf)>,
    /// No confinement: for library users and unit tests that read files they chose themselves.
    unrestricted: bool,
    /// The real path of each folder resolved so far, shared by the clones of the tree: a walk
    /// reads thousands of files of a few hundred folders, and `realpath` of each file costs a
    /// `readlink` per component.
    real_folders: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<PathBuf, PathBuf>>>,
}

impl Tree {
    pub fn unrestricted() -> Tree {
        Tree {
            folders: Vec::new(),
            unrestricted: true,
            real_folders: Default::default(),
        }
    }

    /// The tree made of `folders` (those that do not exist are left out: nothing is under them).
    pub fn new<I: IntoIterator<Item = PathBuf>>(folders: I) -> Tree {
        let mut tree = Tree {
            folders: Vec::new(),
            unrestricted: false,
            real_folders: Default::default(),
        };
        for folder in folders {
            if let Ok(real) = fs::canonicalize(&folder) {
                tree.folders.push((normalize(&folder), real));
            }
        }
        tree
    }

    fn lexically_inside(&self, path: &Path) -> bool {
        let lexical = normalize(path);
        if is_system(&lexical) {
            return false;
        }
        self.unrestricted
            || self
                .folders
                .iter()
                .any(|(given, real)| lexical.starts_with(given) || lexical.starts_with(real))
    }

    fn real_inside(&self, real: &Path) -> bool {
        !is_system(real)
            && (self.unrestricted || self.folders.iter().any(|(_, r)| real.starts_with(r)))
    }

    /// `realpath(path)`, with the real path of its folder taken from the cache: the folder's
    /// real path joined with a last component that is not a link is what `realpath` gives; a
    /// link, `..` or anything unusual is resolved whole.
    fn real_path(&self, path: &Path) -> std::io::Result<PathBuf> {
        let (Some(folder), Some(name)) = (path.parent(), path.file_name()) else {
            return fs::canonicalize(path);
        };
        let folder = if folder.as_os_str().is_empty() {
            Path::new(".")
        } else {
            folder
        };
        let cached = self
            .real_folders
            .lock()
            .ok()
            .and_then(|m| m.get(folder).cloned());
        let real_folder = match cached {
            Some(real) => real,
            None => {
                let real = fs::canonicalize(folder)?;
                if let Ok(mut m) = self.real_folders.lock() {
                    m.insert(folder.to_path_buf(), real.clone());
                }
                real
            }
        };
        let candidate = real_folder.join(name);
        match fs::symlink_metadata(&candidate) {
            Ok(meta) if !meta.file_type().is_symlink() => Ok(candidate),
            _ => fs::canonicalize(&candidate),
        }
    }

    /// The real path of `path` when it is inside the tree. Nothing outside the tree is touched:
    /// a path whose lexical form is outside is refused before any file-system access, so even
    /// whether it exists is not learnt.
    pub fn resolve(&self, path: &Path) -> Result<PathBuf, ReadError> {
        if !self.lexically_inside(path) {
            return Err(ReadError::OutsideTree);
        }
        let real = match self.real_path(path) {
            Ok(real) => real,
            Err(e) => {
                // Whether a path that leaves the tree through a link names a file must not be
                // learnt either: a missing file under an outside folder is outside.
                let outside = path
                    .ancestors()
                    .skip(1)
                    .find_map(|a| fs::canonicalize(a).ok())
                    .is_some_and(|real| !self.real_inside(&real));
                return Err(if outside {
                    ReadError::OutsideTree
                } else {
                    io_error(&e)
                });
            }
        };
        if self.real_inside(&real) {
            Ok(real)
        } else {
            Err(ReadError::OutsideTree)
        }
    }

    /// Whether the real path of `path` is inside the tree (false for a path that does not exist).
    pub fn contains(&self, path: &Path) -> bool {
        self.resolve(path).is_ok()
    }
}

fn is_system(path: &Path) -> bool {
    SYSTEM_DIRS.iter().any(|d| path.starts_with(d))
}

/// Characters that make an `include` argument a glob for redis-server (`loadServerConfig`).
pub fn is_glob(text: &[u8]) -> bool {
    text.iter().any(|b| matches!(b, b'*' | b'?' | b'['))
}

/// The result of a glob include.
#[derive(Debug, Default)]
pub struct GlobMatches {
    /// Matches in byte order, as glob(3) sorts them in the C locale.
    pub paths: Vec<PathBuf>,
    /// Folders the pattern would have listed that are outside the tree (not listed).
    pub outside: Vec<PathBuf>,
}

/// Expand a glob the way glob(3) does for redis-server's `include`: each component of the pattern
/// matches one name in one folder (`**` is `*`; there is no recursion), a leading `.` must be
/// matched literally, and only what exists is returned. Unlike glob(3), a folder is listed only
/// when it is inside the tree, and a symbolic link to a folder is never entered. Linear in the
/// names listed.
pub fn glob_in_tree(pattern: &Path, tree: &Tree) -> GlobMatches {
    let mut result = GlobMatches::default();
    let components: Vec<Component> = pattern.components().collect();
    let mut current: Vec<PathBuf> = vec![PathBuf::new()];
    let mut matched_any_wildcard = false;
    for (i, component) in components.iter().enumerate() {
        let last = i + 1 == components.len();
        let text = component.as_os_str();
        if !matches!(component, Component::Normal(_)) || !is_glob(text.as_bytes()) {
            for path in &mut current {
                path.push(text);
            }
            continue;
        }
        matched_any_wildcard = true;
        let matcher = NameMatcher::new(text);
        let mut next = Vec::new();
        for folder in &current {
            let listed = if folder.as_os_str().is_empty() {
                Path::new(".")
            } else {
                folder.as_path()
            };
            match tree.resolve(listed) {
                Ok(_) => {}
                Err(ReadError::OutsideTree) => {
                    result.outside.push(folder.clone());
                    continue;
                }
                Err(_) => continue,
            }
            let Ok(entries) = fs::read_dir(listed) else {
                continue;
            };
            let mut names: Vec<(std::ffi::OsString, bool)> = entries
                .flatten()
                .filter(|e| matcher.matches(&e.file_name()))
                // A folder is only entered when it is one (the entry's own type: a link to a
                // folder is a link), so a link loop cannot make the walk go on.
                // A matched folder as the last component: redis-server opens it and reads
                // nothing from it (fgets fails with EISDIR), so it adds nothing.
                .filter_map(|e| {
                    let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
                    (last != is_dir).then(|| (e.file_name(), is_dir))
                })
                .collect();
            names.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            next.extend(names.into_iter().map(|(name, _)| folder.join(name)));
        }
        current = next;
    }
    if matched_any_wildcard {
        // Literal components after a wildcard were joined without looking: keep what exists
        // inside the tree. One that leaves it (`*/../../etc/x`) is outside whether or not it
        // exists: that is never looked at.
        let joined = std::mem::take(&mut current);
        for path in joined {
            match tree.resolve(&path) {
                Ok(_) => current.push(path),
                Err(ReadError::OutsideTree) => result.outside.push(path),
                // Its folder is inside: a dangling link still matches, as glob(3)'s lstat says.
                Err(_) if fs::symlink_metadata(&path).is_ok() => current.push(path),
                Err(_) => {}
            }
        }
    }
    result.paths = current;
    result
}

/// One component of a glob, matched the way fnmatch(3) does for glob(3): `*`, `?`, `[...]` never
/// match a `/`, and a leading `.` only literally.
struct NameMatcher {
    pattern: Option<glob::Pattern>,
    literal_dot: bool,
}

impl NameMatcher {
    fn new(text: &OsStr) -> NameMatcher {
        let source = text.to_string_lossy();
        NameMatcher {
            // An invalid pattern (an unclosed `[`) matches nothing, as fnmatch then only matches
            // the pattern's own text, which names no file redline would want to read.
            pattern: glob::Pattern::new(&source).ok(),
            literal_dot: source.starts_with('.'),
        }
    }

    fn matches(&self, name: &OsStr) -> bool {
        let Some(pattern) = &self.pattern else {
            return false;
        };
        if name.as_bytes().first() == Some(&b'.') && !self.literal_dot {
            return false;
        }
        pattern.matches_with(
            &name.to_string_lossy(),
            glob::MatchOptions {
                case_sensitive: true,
                require_literal_separator: true,
                require_literal_leading_dot: true,
            },
        )
    }
}

/// Create (or replace) a file redline writes for the user (a report, `--output`, a baseline)
/// without following a symbolic link at its path: a link planted there by a pull request would
/// otherwise make redline overwrite whatever it points to. Only a regular file is replaced.
pub fn create_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(std::io::Error::other(
            "a symbolic link is at this path; redline does not write through it",
        ));
    }
    // O_NOFOLLOW closes the race with a link made after the check; O_NONBLOCK keeps a FIFO from
    // blocking the open, and it is then refused as not a regular file.
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o644)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)?;
    let kind = file.metadata()?.file_type();
    // A character device (`--output /dev/null`) is written as it is; anything else that is not
    // a regular file (a FIFO, a socket) is refused.
    if std::os::unix::fs::FileTypeExt::is_char_device(&kind) {
        return file.write_all(contents);
    }
    if !kind.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    file.set_len(0)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Larger files are refused rather than read: no config is this big, and reading a multi-gigabyte
/// file by mistake would stall a CI job.
pub const MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    NotFound,
    PermissionDenied,
    NotRegularFile,
    TooLarge(u64),
    /// The real path is outside the audited tree (or under /proc, /sys, /dev): never opened.
    OutsideTree,
    Other(String),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotFound => write!(f, "no such file"),
            ReadError::PermissionDenied => write!(f, "permission denied"),
            ReadError::NotRegularFile => write!(
                f,
                "not a regular file (a folder, FIFO or device is never opened)"
            ),
            ReadError::TooLarge(n) => {
                write!(f, "file is {n} bytes, over the {MAX_FILE_SIZE}-byte limit")
            }
            ReadError::OutsideTree => write!(f, "outside the audited tree: not read"),
            ReadError::Other(m) => write!(f, "{m}"),
        }
    }
}

pub(crate) fn io_error(e: &std::io::Error) -> ReadError {
    match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound,
        std::io::ErrorKind::PermissionDenied => ReadError::PermissionDenied,
        _ => match e.raw_os_error() {
            Some(40) => ReadError::Other("too many levels of symbolic links".into()),
            _ => ReadError::Other(e.to_string()),
        },
    }
}

/// Lexically normalise a path (no file-system access): `a/./b/../c` is `a/c`. Used as the key
/// that makes a file read once however it is reached.
pub fn normalize(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let mut out = PathBuf::new();
    for part in absolute.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_folders_are_never_inside() {
        let tree = Tree::new([PathBuf::from("/")]);
        assert_eq!(
            tree.resolve(Path::new("/proc/self/environ")),
            Err(ReadError::OutsideTree)
        );
        assert_eq!(
            tree.resolve(Path::new("/dev/../proc/kmsg")),
            Err(ReadError::OutsideTree)
        );
        assert!(
            tree.resolve(Path::new("/etc/hostname")).is_ok()
                || !Path::new("/etc/hostname").exists()
        );
    }

    #[test]
    fn a_link_out_of_the_tree_is_outside() {
        let dir = tempfile::tempdir().unwrap();
        let inside = dir.path().join("repo");
        fs::create_dir(&inside).unwrap();
        fs::write(dir.path().join("secret"), "x").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret"), inside.join("link")).unwrap();
        let tree = Tree::new([inside.clone()]);
        assert_eq!(
            tree.resolve(&inside.join("link")),
            Err(ReadError::OutsideTree)
        );
        assert_eq!(
            tree.resolve(&inside.join("../secret")),
            Err(ReadError::OutsideTree)
        );
        assert_eq!(
            tree.resolve(&inside.join("nothing")),
            Err(ReadError::NotFound)
        );
    }

    #[test]
    fn globs_match_one_level_and_no_leading_dot() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("a/b")).unwrap();
        fs::write(root.join("a/x.conf"), "").unwrap();
        fs::write(root.join("a/.hidden.conf"), "").unwrap();
        fs::write(root.join("a/b/y.conf"), "").unwrap();
        std::os::unix::fs::symlink(root.join("a"), root.join("a/loop")).unwrap();
        let tree = Tree::new([root.to_path_buf()]);
        let found = glob_in_tree(&root.join("a/*.conf"), &tree);
        assert_eq!(found.paths, vec![root.join("a/x.conf")]);
        let found = glob_in_tree(&root.join("a/**/*.conf"), &tree);
        assert_eq!(found.paths, vec![root.join("a/b/y.conf")]);
        let found = glob_in_tree(Path::new("/etc/*.conf"), &tree);
        assert!(found.paths.is_empty());
        assert_eq!(found.outside, vec![PathBuf::from("/etc")]);
    }

    #[test]
    fn literal_components_after_a_wildcard_that_leave_the_tree_are_outside_unseen() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        fs::create_dir_all(root.join("conf.d/a")).unwrap();
        fs::write(dir.path().join("present.conf"), "").unwrap();
        let tree = Tree::new([root.clone()]);
        // Present or absent, a path out of the tree is listed the same way, never as a match.
        for name in ["present.conf", "absent.conf"] {
            let pattern = root.join(format!("conf.d/*/../../../{name}"));
            let found = glob_in_tree(&pattern, &tree);
            assert!(found.paths.is_empty(), "{name}");
            assert_eq!(
                found.outside,
                vec![root.join(format!("conf.d/a/../../../{name}"))],
                "{name}"
            );
        }
    }
}
