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
    /// The ranges of the files that hold secrets (`auth` and user info of every
    /// `session.save_path`, effective or not), for the stack to mark in the documents.
    pub secrets: Vec<(FileId, std::ops::Range<usize>)>,
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
        secrets: Vec::new(),
    };
    // The last global value of each key read so far, for `${name}` in later files.
    let mut earlier: HashMap<String, IniValue> = HashMap::new();
    for &file in files {
        let parsed = {
            let lookup = |name: &str| earlier.get(name).cloned();
            ini::parse(sources.doc(file), &lookup)
        };
        config.secrets.extend(
            commented_save_path_secrets(sources.doc(file))
                .into_iter()
                .map(|r| (file, r)),
        );
        for entry in parsed
            .entries
            .iter()
            .filter(|e| e.key == "session.save_path")
        {
            config.secrets.extend(
                save_path_secrets(sources.doc(file).bytes(), entry)
                    .into_iter()
                    .map(|r| (file, r)),
            );
        }
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

/// The secret ranges of a `session.save_path` entry, in file offsets. It is read both ways
/// phpredis may read it (one URL list for `redis`, one query for `rediscluster`): the handler
/// may be set elsewhere. When the value's bytes do not map one to one onto what PHP reads
/// (escapes, quotes joined, a constant), the whole value is the secret.
fn save_path_secrets(bytes: &[u8], entry: &IniEntry) -> Vec<std::ops::Range<usize>> {
    let span = entry.value_span.clone();
    let Some(text) = entry.value.text() else {
        return vec![span];
    };
    let mut ranges = save_path::parse_redis(&text).secret_ranges(text.len());
    ranges.extend(save_path::parse_cluster(&text).secret_ranges(text.len()));
    if ranges.is_empty() {
        return ranges;
    }
    match direct_value_start(bytes, &span) {
        Some(base) => ranges
            .into_iter()
            .map(|r| base + r.start..base + r.end)
            .collect(),
        None => vec![span],
    }
}

/// The secret ranges of every `session.save_path` line read as raw text, commented out
/// (`;session.save_path = "..."`) or not: a comment shows in excerpts and diff context like any
/// line, and a line PHP cut at a syntax error holds a password past the value PHP keeps.
fn commented_save_path_secrets(
    doc: &crate::syntax::document::Document,
) -> Vec<std::ops::Range<usize>> {
    const KEY: &[u8] = b"session.save_path";
    let bytes = doc.bytes();
    let mut out = Vec::new();
    for line in doc.lines() {
        let content = line.content();
        let text = &bytes[content.clone()];
        let skip = text
            .iter()
            .position(|b| !matches!(b, b';' | b'#' | b' ' | b'\t'))
            .unwrap_or(text.len());
        // Every line that assigns it, commented out or not: on a line PHP stops reading at a
        // syntax error (an unquoted `?auth=pw&database=1`), the value PHP keeps ends before the
        // password, which still stands in the line's text.
        if !text[skip..].starts_with(KEY) {
            continue;
        }
        let after_key = skip + KEY.len();
        let Some(eq) = text[after_key..]
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t'))
            .filter(|&p| text[after_key + p] == b'=')
        else {
            continue;
        };
        let mut start = after_key + eq + 1;
        while start < text.len() && matches!(text[start], b' ' | b'\t') {
            start += 1;
        }
        let mut end = text.len();
        if text.get(start) == Some(&b'"') {
            start += 1;
            end = text[start..]
                .iter()
                .position(|&b| b == b'"')
                .map_or(end, |p| start + p);
        }
        let value = content.start + start..content.start + end;
        let Ok(value_text) = std::str::from_utf8(&bytes[value.clone()]) else {
            out.push(value);
            continue;
        };
        let mut ranges = save_path::parse_redis(value_text).secret_ranges(value_text.len());
        ranges.extend(save_path::parse_cluster(value_text).secret_ranges(value_text.len()));
        out.extend(
            ranges
                .into_iter()
                .map(|r| value.start + r.start..value.start + r.end),
        );
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        let mut sources = Sources::new();
        let file = sources.insert(
            std::path::Path::new("/tmp/redline-unit/p/php.ini"),
            text.as_bytes().to_vec(),
        );
        let config = load(&sources, &[file]);
        for (f, r) in config.secrets {
            sources.mark_secret(f, r);
        }
        let doc = sources.doc(file);
        String::from_utf8(doc.masked(0..doc.bytes().len(), b"*")).unwrap()
    }

    #[test]
    fn save_path_auth_in_every_spelling_and_user_info_are_marked() {
        assert_eq!(
            masked("session.save_path = \"tcp://h:1?auth=a1&database=1, tcp://h:2?%61uth=a2&auth[]=u&auth[]=a3, tcp://h:3?auth[pass]=a4\"\n"),
            "session.save_path = \"tcp://h:1?auth=*&database=1, tcp://h:2?%61uth=*&auth[]=*&auth[]=*, tcp://h:3?auth[pass]=*\"\n"
        );
        assert_eq!(
            masked(";session.save_path = \"tcp://h:1?auth=old1\"\n# session.save_path=tcp://h?auth=old2\n; save_path auth=x\n"),
            ";session.save_path = \"tcp://h:1?auth=*\"\n# session.save_path=tcp://h?auth=*\n; save_path auth=x\n"
        );
        assert_eq!(
            masked("session.save_path = \"tcp://app:pw@h:1?database=1\"\n"),
            "session.save_path = \"tcp://*@h:1?database=1\"\n"
        );
        // Overridden, cluster and unparsable values too; escapes make the whole value secret.
        assert_eq!(
            masked("session.save_path = \"seed[]=h:1&auth=c1\"\nsession.save_path = \"tcp://h:123456?auth=c2\"\n"),
            "session.save_path = \"seed[]=h:1&auth=*\"\nsession.save_path = \"*\"\n"
        );
        assert_eq!(
            masked("session.save_path = \"tcp://h?auth=a\\$b\"\n"),
            "session.save_path = *\n"
        );
    }
}
