//! A PHP configuration: php.ini and the `conf.d/*.ini` files PHP reads after it (alphabetical
//! order, as `php_scandir` with `alphasort`), each read by the Zend INI reader. The last global
//! assignment of a key wins; entries under `[PATH=...]`/`[HOST=...]` are not global.

use super::save_path::{self, SavePath};
use crate::source::{FileId, Sources};
use crate::syntax::ini::{self, IniEntry, IniError, IniValue};
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct PhpConfig {
    /// php.ini (or a standalone .ini), then its conf.d files in load order.
    pub files: Vec<FileId>,
    /// Global entries, in the order PHP reads them.
    pub entries: Vec<(FileId, IniEntry)>,
    pub errors: Vec<(FileId, IniError)>,
    /// Per file with a quotable error: the quotable errors PHP would stop at after it, in order
    /// (`IniFile::quotable_after`).
    pub quotable_after: Vec<(FileId, IniError)>,
    /// The `[Session]` section of each file, for placing new session settings.
    pub session_sections: Vec<(FileId, usize)>,
    /// Files with a `[PHP]` section: the engine's own settings, found only in a whole php.ini.
    pub php_sections: Vec<FileId>,
    /// `session.save_path` as phpredis reads it, parsed once at load.
    save_path: Option<SavePath>,
}

impl PhpConfig {
    pub fn root(&self) -> FileId {
        self.files[0]
    }

    pub fn last(&self, key: &str) -> Option<&(FileId, IniEntry)> {
        self.entries.iter().rev().find(|(_, e)| e.key == key)
    }

    /// The effective value: Some(Text) when set, Some(Unknown) when known only at run time,
    /// None when the file leaves PHP's default.
    pub fn value(&self, key: &str) -> Option<&IniValue> {
        self.last(key).map(|(_, e)| &e.value)
    }

    /// The effective text, or `default` when unset; None when known only at run time.
    pub fn text_or(&self, key: &str, default: &str) -> Option<String> {
        match self.value(key) {
            None => Some(default.to_string()),
            Some(v) => v.text(),
        }
    }

    /// A boolean setting as PHP reads it (`zend_ini_parse_bool`), with its default.
    pub fn flag(&self, key: &str, default: bool) -> Option<bool> {
        match self.value(key) {
            None => Some(default),
            Some(IniValue::Text(t)) => Some(ini::php_bool(t)),
            Some(IniValue::Unknown(_)) => None,
        }
    }

    pub fn handler(&self) -> Option<String> {
        self.text_or("session.save_handler", "files")
            .map(|h| h.trim().to_ascii_lowercase())
    }

    /// The parsed save_path of a phpredis handler (`redis` or `rediscluster`).
    /// `session.save_path` as phpredis reads it, when the handler is `redis` or `rediscluster`
    /// and the value is known.
    pub fn save_path(&self) -> Option<&SavePath> {
        self.save_path.as_ref()
    }

    fn parse_save_path(&self) -> Option<SavePath> {
        let handler = self.handler()?;
        let value = self.text_or("session.save_path", "")?;
        match handler.as_str() {
            "redis" => Some(save_path::parse_redis(&value)),
            "rediscluster" => Some(save_path::parse_cluster(&value)),
            _ => None,
        }
    }
}

pub fn load(sources: &Sources, files: &[FileId]) -> PhpConfig {
    let mut config = PhpConfig {
        files: files.to_vec(),
        entries: Vec::new(),
        errors: Vec::new(),
        quotable_after: Vec::new(),
        session_sections: Vec::new(),
        php_sections: Vec::new(),
        save_path: None,
    };
    // The last global value of each key read so far, for `${name}` in later files.
    let mut earlier: HashMap<String, IniValue> = HashMap::new();
    for &file in files {
        let parsed = {
            let lookup = |name: &str| earlier.get(name).cloned();
            ini::parse(sources.doc(file), &lookup)
        };
        for e in parsed
            .entries
            .iter()
            .filter(|e| !e.scoped && e.offset.is_none())
        {
            earlier.insert(e.key.clone(), e.value.clone());
        }
        for section in &parsed.sections {
            if section.name.eq_ignore_ascii_case("session") {
                config.session_sections.push((file, section.span.start));
            }
            if section.name.eq_ignore_ascii_case("php") && !config.php_sections.contains(&file) {
                config.php_sections.push(file);
            }
        }
        config.entries.extend(
            parsed
                .entries
                .into_iter()
                .filter(|e| !e.scoped && e.offset.is_none())
                .map(|e| (file, e)),
        );
        config
            .quotable_after
            .extend(parsed.quotable_after.into_iter().map(|error| (file, error)));
        // Both end the file for PHP; only the first is an error PHP reports.
        if let Some(error) = parsed.error.or(parsed.silent_end) {
            config.errors.push((file, error));
        }
    }
    config.save_path = config.parse_save_path();
    config
}

/// Where the text PHP reads for the value at `span` starts in the file, when the value's bytes
/// map one to one onto that text (unquoted, or one double-quoted string without escapes, valid
/// UTF-8): an offset in the value is then an offset in the file.
pub fn direct_value_start(bytes: &[u8], span: &std::ops::Range<usize>) -> Option<usize> {
    let text = &bytes[span.clone()];
    // Readers see a non-UTF-8 value through a lossy conversion whose offsets differ from the
    // file's: no offset maps then.
    if std::str::from_utf8(text).is_err()
        || text.contains(&b'\\')
        || text.windows(2).any(|w| w == b"${")
    {
        return None;
    }
    // One quoted string, or one unquoted run: a value PHP joins from several pieces
    // (`"a"b"c"`) has no single offset.
    let quotes = text.iter().filter(|&&c| c == b'"' || c == b'\'').count();
    match (text.first(), text.last()) {
        (Some(b'"'), Some(b'"')) if text.len() >= 2 && quotes == 2 => Some(span.start + 1),
        _ if quotes == 0 => Some(span.start),
        _ => None,
    }
}
