//! The files of one run. Each is read once, from disk or (while fixing) from the patched bytes
//! that replaced it, and is known by a `FileId` that stays stable across re-audits.

pub(crate) use crate::confine::io_error;
pub use crate::confine::{normalize, ReadError, MAX_FILE_SIZE};
use crate::confine::{GlobMatches, Tree};
use crate::syntax::document::Document;
use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

pub type FileId = usize;

// Documents index lines with u32 offsets; fixes add little to a file.
const _: () = assert!(MAX_FILE_SIZE < u32::MAX as u64 / 2);

/// The line syntax of a file, which decides how comments, suppressions and secrets are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Syntax {
    /// redis.conf, sentinel.conf, their includes and ACL files.
    #[default]
    Redis,
    /// php.ini and conf.d/*.ini.
    Ini,
    /// A Laravel `.env` (phpdotenv).
    Env,
    /// A Laravel `config/*.php`.
    Php,
    /// A Django settings module.
    Python,
    /// A compose file or Kubernetes manifest (`#` comments).
    Yaml,
    /// A JavaScript or TypeScript module of an Express app.
    JavaScript,
    /// redline.toml and other files only pointed into.
    Other,
}

pub struct SourceFile {
    /// The path the file is read from and written to.
    pub path: PathBuf,
    /// The path shown to users: relative to the current folder, `/`-separated, no leading `./`.
    pub display: String,
    pub doc: Document,
    /// The bytes as first read from disk, kept apart only once a fix changed them (most files
    /// are never changed: one copy is enough).
    first_read: Option<Document>,
    pub syntax: Syntax,
    /// A running server's configuration (`check --live`), not a file: never written, located
    /// by its target only, and its secrets never shown, not even with `--show-secrets`.
    pub live: bool,
}

impl SourceFile {
    /// The bytes as first read from disk; a write is refused if the file no longer holds them.
    pub fn original(&self) -> &[u8] {
        self.original_doc().bytes()
    }

    /// The document as first read, with the secret ranges its readers marked.
    pub fn original_doc(&self) -> &Document {
        self.first_read.as_ref().unwrap_or(&self.doc)
    }
}

#[derive(Default)]
pub struct Sources {
    files: Vec<SourceFile>,
    by_path: HashMap<PathBuf, FileId>,
    by_real: HashMap<PathBuf, FileId>,
    failed: HashMap<PathBuf, ReadError>,
    cwd: Option<PathBuf>,
    /// Where files may be read from; None reads anything (library use, unit tests).
    tree: Option<Tree>,
    /// Glob includes already listed: instances that include the same glob (every config of a
    /// folder including `*.conf`) list its folder once.
    globs: HashMap<PathBuf, std::sync::Arc<GlobMatches>>,
}

impl Sources {
    pub fn new() -> Sources {
        Sources {
            cwd: std::env::current_dir().ok(),
            ..Default::default()
        }
    }

    /// Sources that read only inside `tree`.
    pub fn confined(tree: Tree) -> Sources {
        Sources {
            tree: Some(tree),
            ..Sources::new()
        }
    }

    /// The audited tree reads are confined to.
    pub fn tree(&self) -> Tree {
        self.confinement().clone()
    }

    /// The audited tree, borrowed.
    pub fn confinement(&self) -> &Tree {
        static UNRESTRICTED: std::sync::OnceLock<Tree> = std::sync::OnceLock::new();
        self.tree
            .as_ref()
            .unwrap_or_else(|| UNRESTRICTED.get_or_init(Tree::unrestricted))
    }

    /// The matches of a glob include (see `confine::glob_in_tree`), listed once per run.
    pub fn glob(&mut self, pattern: &Path) -> std::sync::Arc<GlobMatches> {
        let key = self.key(pattern);
        if let Some(found) = self.globs.get(&key) {
            return found.clone();
        }
        let found = std::sync::Arc::new(crate::confine::glob_in_tree(pattern, &self.tree()));
        self.globs.insert(key, found.clone());
        found
    }

    /// The key a path is known by: absolute and without dots, from the current folder read once.
    fn key(&self, path: &Path) -> PathBuf {
        match (&self.cwd, path.is_absolute()) {
            (Some(cwd), false) => normalize(&cwd.join(path)),
            _ => normalize(path),
        }
    }

    /// Read a file inside the tree (its real path, so a link is resolved once and checked).
    pub fn read(&self, path: &Path) -> Result<Vec<u8>, ReadError> {
        self.read_if(path, 0, |_| true)
            .map(|bytes| bytes.unwrap_or_default())
    }

    /// `read_regular_file_if`, inside the tree only.
    pub fn read_if(
        &self,
        path: &Path,
        head_len: usize,
        accept: impl FnOnce(&[u8]) -> bool,
    ) -> Result<Option<Vec<u8>>, ReadError> {
        match &self.tree {
            Some(tree) => read_regular_file_if(&tree.resolve(path)?, head_len, accept),
            None => read_regular_file_if(path, head_len, accept),
        }
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id]
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn ids(&self) -> impl Iterator<Item = FileId> {
        0..self.files.len()
    }

    pub fn display(&self, id: FileId) -> &str {
        &self.files[id].display
    }

    pub fn doc(&self, id: FileId) -> &Document {
        &self.files[id].doc
    }

    pub fn id_of(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(&self.key(path)).copied()
    }

    /// What `load` returned for `path` earlier, without reading anything: `None` when it was
    /// never asked for (under this name).
    pub fn loaded(&self, path: &Path) -> Option<Result<FileId, ReadError>> {
        let key = self.key(path);
        if let Some(&id) = self.by_path.get(&key) {
            return Some(Ok(id));
        }
        self.failed.get(&key).map(|err| Err(err.clone()))
    }

    /// What `glob` returned for `pattern` earlier, if it was asked for.
    pub fn cached_glob(&self, pattern: &Path) -> Option<std::sync::Arc<GlobMatches>> {
        self.globs.get(&self.key(pattern)).cloned()
    }

    /// Read `path` (once: later calls return the same id). Only regular files are opened.
    pub fn load(&mut self, path: &Path) -> Result<FileId, ReadError> {
        let key = self.key(path);
        if let Some(&id) = self.by_path.get(&key) {
            return Ok(id);
        }
        if let Some(err) = self.failed.get(&key) {
            return Err(err.clone());
        }
        let real = match &self.tree {
            Some(tree) => tree.resolve(path),
            None => fs::canonicalize(path).map_err(|e| io_error(&e)),
        };
        let read = real.and_then(|real| match self.by_real.get(&real) {
            Some(&id) => Ok(Err(id)),
            None => read_regular_file(&real).map(|bytes| Ok((bytes, real))),
        });
        match read {
            // Another path (a symbolic link) to a file already read: the same file.
            Ok(Err(id)) => {
                self.by_path.insert(key, id);
                Ok(id)
            }
            Ok(Ok((bytes, real))) => Ok(self.insert_real(path, bytes, Some(real))),
            Err(err) => {
                self.failed.insert(key, err.clone());
                Err(err)
            }
        }
    }

    /// Register bytes already read (discovery reads a candidate once to sniff it).
    pub fn insert(&mut self, path: &Path, bytes: Vec<u8>) -> FileId {
        let real = fs::canonicalize(path).ok();
        self.insert_real(path, bytes, real)
    }

    /// Files are known by their real path too: a link and its target are one file, read, audited
    /// and written once (and an include through a link is seen to loop).
    fn insert_real(&mut self, path: &Path, bytes: Vec<u8>, real: Option<PathBuf>) -> FileId {
        let key = self.key(path);
        if let Some(&id) = self.by_path.get(&key) {
            return id;
        }
        if let Some(&id) = real.as_ref().and_then(|r| self.by_real.get(r)) {
            self.by_path.insert(key, id);
            return id;
        }
        let id = self.files.len();
        let display = display_path(path, self.cwd.as_deref());
        self.files.push(SourceFile {
            path: path.to_path_buf(),
            display,
            doc: Document::parse(bytes),
            first_read: None,
            syntax: Syntax::Redis,
            live: false,
        });
        self.by_path.insert(key, id);
        if let Some(real) = real {
            self.by_real.insert(real, id);
        }
        id
    }

    /// Register the configuration of a running server, named by its target (no credentials).
    pub fn insert_live(&mut self, target: &str, bytes: Vec<u8>) -> FileId {
        let id = self.files.len();
        self.files.push(SourceFile {
            path: PathBuf::from(target),
            display: target.to_string(),
            doc: Document::parse(bytes),
            first_read: None,
            syntax: Syntax::Redis,
            live: true,
        });
        id
    }

    pub fn is_live(&self, id: FileId) -> bool {
        self.files[id].live
    }

    pub fn set_syntax(&mut self, id: FileId, syntax: Syntax) {
        self.files[id].syntax = syntax;
    }

    pub fn syntax(&self, id: FileId) -> Syntax {
        self.files[id].syntax
    }

    /// Replace a file's content in memory (a fix being applied); its id and path stay. The new
    /// document's secrets are marked when it is read again; the first read keeps its own.
    pub fn replace(&mut self, id: FileId, bytes: Vec<u8>) {
        let file = &mut self.files[id];
        let old = std::mem::replace(&mut file.doc, Document::parse(bytes));
        if file.first_read.is_none() {
            file.first_read = Some(old);
        }
    }

    /// Record that `range` of file `id` holds a secret (see `Document::mark_secret`).
    pub fn mark_secret(&mut self, id: FileId, range: std::ops::Range<usize>) {
        self.files[id].doc.mark_secret(range);
    }

    /// Record secret ranges of many files at once (see `Document::mark_secrets`).
    pub fn mark_secrets(
        &mut self,
        ranges: impl IntoIterator<Item = (FileId, std::ops::Range<usize>)>,
    ) {
        let mut by_file: HashMap<FileId, Vec<std::ops::Range<usize>>> = HashMap::new();
        for (id, range) in ranges {
            by_file.entry(id).or_default().push(range);
        }
        for (id, ranges) in by_file {
            self.files[id].doc.mark_secrets(ranges);
        }
    }

    /// Files whose current bytes differ from what was read.
    pub fn changed(&self) -> Vec<FileId> {
        self.ids()
            .filter(|&id| self.files[id].doc.bytes() != self.files[id].original())
            .collect()
    }
}

/// Read a file of `folder` for its facts (an application's composer.json, bootstrap/app.php, its
/// vendored framework config): only when its real path is inside the audited tree and inside
/// `folder` (a link out of either is not read), and only a regular file of bounded size (a FIFO is
/// never opened). The real path is what is read.
pub fn read_inside(tree: &Tree, folder: &Path, path: &Path) -> Option<Vec<u8>> {
    let real = tree.resolve(path).ok()?;
    let folder = std::fs::canonicalize(folder).ok()?;
    if !real.starts_with(folder) {
        return None;
    }
    read_regular_file(&real).ok()
}

pub fn read_regular_file(path: &Path) -> Result<Vec<u8>, ReadError> {
    read_regular_file_if(path, 0, |_| true).map(|bytes| bytes.unwrap_or_default())
}

/// Read a regular file whose first `head_len` bytes pass `accept`; `None` when they do not, and
/// then nothing past them was read. One pass over the file either way: an unnamed `*.conf` that
/// is not a config costs a few KB, however large it is.
pub fn read_regular_file_if(
    path: &Path,
    head_len: usize,
    accept: impl FnOnce(&[u8]) -> bool,
) -> Result<Option<Vec<u8>>, ReadError> {
    let meta = fs::metadata(path).map_err(|e| io_error(&e))?;
    if !meta.is_file() {
        return Err(ReadError::NotRegularFile);
    }
    if meta.len() > MAX_FILE_SIZE {
        return Err(ReadError::TooLarge(meta.len()));
    }
    // O_NONBLOCK: a file swapped for a FIFO after the check above must not block the open; it is
    // then refused by the check on the opened file below.
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| io_error(&e))?;
    if !file.metadata().map_err(|e| io_error(&e))?.is_file() {
        return Err(ReadError::NotRegularFile);
    }
    // Bounded even if the file grows while being read.
    let mut file = file.take(MAX_FILE_SIZE + 1);
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    if head_len > 0 {
        (&mut file)
            .take(head_len as u64)
            .read_to_end(&mut bytes)
            .map_err(|e| io_error(&e))?;
        if !accept(&bytes) {
            return Ok(None);
        }
    } else if !accept(&[]) {
        return Ok(None);
    }
    file.read_to_end(&mut bytes).map_err(|e| io_error(&e))?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    Ok(Some(bytes))
}

/// Read standard input whole (`check -`), bounded like a file: past `MAX_FILE_SIZE` bytes it is
/// refused rather than held in memory.
pub fn read_stdin() -> Result<Vec<u8>, ReadError> {
    read_bounded(std::io::stdin().lock())
}

/// Read everything `reader` gives, up to `MAX_FILE_SIZE` bytes.
pub fn read_bounded(reader: impl Read) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(&e))?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

pub fn display_path(path: &Path, cwd: Option<&Path>) -> String {
    let normalized = normalize(path);
    let shown = match cwd.map(normalize) {
        Some(cwd) => match normalized.strip_prefix(&cwd) {
            Ok(rel) => rel.to_path_buf(),
            Err(_) => normalized.clone(),
        },
        None => path.to_path_buf(),
    };
    let text = shown.to_string_lossy().replace('\\', "/");
    if text.is_empty() {
        ".".into()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_read_past_its_head_only_when_the_head_is_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.conf");
        let body: Vec<u8> = (0..20_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        fs::write(&path, &body).unwrap();
        let mut seen = 0;
        let refused = read_regular_file_if(&path, 8192, |head| {
            seen = head.len();
            false
        });
        assert_eq!(refused, Ok(None));
        assert_eq!(seen, 8192);
        let accepted = read_regular_file_if(&path, 8192, |head| head.starts_with(b"abc"));
        assert_eq!(accepted, Ok(Some(body.clone())));
        // A head longer than the file is the whole file.
        let small = read_regular_file_if(&path, 1 << 20, |head| head.len() == body.len());
        assert_eq!(small, Ok(Some(body)));
    }

    #[test]
    fn a_bounded_read_refuses_past_the_limit() {
        let small = read_bounded(&b"port 6379\n"[..]);
        assert_eq!(small, Ok(b"port 6379\n".to_vec()));
        let endless = std::io::repeat(b'a');
        assert_eq!(
            read_bounded(endless),
            Err(ReadError::TooLarge(MAX_FILE_SIZE + 1))
        );
    }

    #[test]
    fn display_paths_are_relative_without_dot() {
        let cwd = Path::new("/work/repo");
        assert_eq!(
            display_path(Path::new("/work/repo/./deploy/redis.conf"), Some(cwd)),
            "deploy/redis.conf"
        );
        assert_eq!(
            display_path(Path::new("/etc/redis/redis.conf"), Some(cwd)),
            "/etc/redis/redis.conf"
        );
    }

    #[test]
    fn normalize_removes_dots() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
    }
}
