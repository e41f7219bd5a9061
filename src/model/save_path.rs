//! phpredis' `session.save_path`, read the way its session handler reads it (`redis_session.c`
//! PS_OPEN): hosts split on commas and white space (even inside a query, so an encoded comma in a
//! password still splits it), `unix:` rewritten to `file:`, each host parsed as a URL, the query
//! decoded like `parse_str` (`+` is a space, `%XX`, `a[]=` and `a[k]=` arrays). For the
//! `rediscluster` handler the whole value is one such query (`seed[]=host:port&...`).

use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub key: String,
    /// `auth[user]` -> Some("user"); `seed[]` -> Some("").
    pub index: Option<String>,
    pub value: String,
    /// The value as written (before decoding), with its byte range in the save_path string.
    pub raw_value: String,
    pub raw_span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    /// The host entry as written, and where it is in the save_path string.
    pub raw: String,
    pub span: Range<usize>,
    pub scheme: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    /// The socket path of a `unix://` host.
    pub socket: Option<String>,
    pub params: Vec<Param>,
    /// Where a new parameter goes, found when the entry is parsed: see `new_param_at`.
    new_param: (usize, &'static str),
}

impl Host {
    pub fn param(&self, key: &str) -> Option<&Param> {
        self.params
            .iter()
            .rev()
            .find(|p| p.key == key && p.index.is_none())
    }

    /// The `auth` parameters: the last `auth[KEY]=` for `key`, and the `auth[]=` list.
    fn auth_parts(&self, key: &str) -> (Option<&Param>, Vec<&Param>) {
        let auth = self.params.iter().filter(|p| p.key == "auth");
        let keyed = auth.clone().rev().find(|p| p.index.as_deref() == Some(key));
        let list = auth.filter(|p| p.index.as_deref() == Some("")).collect();
        (keyed, list)
    }

    /// The ACL user phpredis authenticates as: `auth[user]=`, or the first of two `auth[]=`.
    pub fn auth_user(&self) -> Option<&Param> {
        let (keyed, list) = self.auth_parts("user");
        keyed.or_else(|| (list.len() >= 2).then(|| list[0]))
    }

    /// The password: `auth=pass`, `auth[]=user&auth[]=pass`, `auth[pass]=`.
    pub fn auth_password(&self) -> Option<&Param> {
        let (keyed, list) = self.auth_parts("pass");
        keyed
            .or_else(|| list.get(1).or(list.first()).copied())
            .or_else(|| {
                self.params
                    .iter()
                    .rev()
                    .find(|p| p.key == "auth" && p.index.is_none())
            })
    }

    /// Where a new parameter goes so that phpredis reads it, as an offset into the save_path
    /// string, and the separator to write before it: after the query (`&`), or a new query
    /// (`?`) before any `#fragment` (a `?` after the fragment would be part of it).
    pub fn new_param_at(&self) -> (usize, &'static str) {
        self.new_param
    }

    /// The database phpredis selects: `zval_get_long` of the value (a leading number, the rest
    /// ignored: `3#x` is 3, `x` is 0). None when there is no `database`.
    pub fn database(&self) -> Option<i64> {
        self.param("database").map(|p| php_intval(&p.value))
    }

    pub fn is_unix(&self) -> bool {
        self.socket.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavePath {
    pub hosts: Vec<Host>,
    /// Why phpredis would refuse the value, if it would.
    pub error: Option<String>,
    /// A piece after a comma that is no host (`...auth=ab,cd&database=1`): a comma inside a
    /// value (usually the password) split the list.
    pub split_fragment: Option<String>,
    /// Host entries phpredis cannot parse, by range: what they hold is unknown, so all of it
    /// is a secret for outputs.
    pub unread: Vec<Range<usize>>,
}

impl SavePath {
    /// The byte ranges of the save_path string that hold secrets, as phpredis reads them: every
    /// `auth` parameter (by its decoded key, so `%61uth=` and `auth[pass]=` too) and what stands
    /// before the last `@` of a host (`user:pass@host`). A comma that split a value (usually a
    /// password) leaves pieces no host owns: then the whole string is a secret.
    pub fn secret_ranges(&self, value_len: usize) -> Vec<Range<usize>> {
        if self.split_fragment.is_some() {
            return std::iter::once(0..value_len).collect();
        }
        let mut out = self.unread.clone();
        for host in &self.hosts {
            out.extend(
                host.params
                    .iter()
                    .filter(|p| p.key == "auth")
                    .map(|p| p.raw_span.clone()),
            );
            let before_query = host.raw.split(['?', '#']).next().unwrap_or("");
            if let Some(at) = before_query.rfind('@') {
                let from = before_query[..at].find("://").map_or(0, |i| i + 3);
                out.push(host.span.start + from..host.span.start + at);
            }
        }
        out
    }
}

/// PHP's `zval_get_long` of a string: `is_numeric_string` with errors allowed, so leading white
/// space, a sign, digits, a fraction or an exponent, and anything after ignored; a float is
/// truncated (capped); no number is 0.
pub fn php_intval(text: &str) -> i64 {
    let t = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let b = t.as_bytes();
    let mut end = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        end = 1;
    }
    let int_digits = b[end..].iter().take_while(|c| c.is_ascii_digit()).count();
    end += int_digits;
    let mut float = false;
    if b.get(end) == Some(&b'.') {
        let frac = b[end + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if int_digits + frac > 0 {
            float |= frac > 0 || int_digits > 0;
            end += 1 + frac;
        }
    }
    if int_digits == 0 && !float {
        return 0;
    }
    if matches!(b.get(end), Some(b'e' | b'E')) {
        let mut e = end + 1;
        if matches!(b.get(e), Some(b'-' | b'+')) {
            e += 1;
        }
        let exp_digits = b[e..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp_digits > 0 {
            float = true;
            end = e + exp_digits;
        }
    }
    let number = &t[..end];
    if !float {
        if let Ok(v) = number.parse::<i64>() {
            return v;
        }
    }
    // A float (or an integer too big for a long): zend_dval_to_lval_cap.
    let value: f64 = number.parse().unwrap_or(0.0);
    if value.is_nan() {
        0
    } else {
        value as i64
    }
}

/// `urldecode`: `+` is a space, `%XX` a byte; a malformed `%` stays.
pub fn url_decode(s: &str) -> String {
    // `+` first: an encoded `%2B` stays a `+`.
    crate::syntax::url::percent_decode(&s.replace('+', " "))
}

/// The characters of `special` that `raw` holds, and `%` when it does not start a `%XX` escape:
/// what a URL parser reads as structure instead of as part of a password.
pub fn unencoded_characters(raw: &str, special: &[char]) -> Vec<char> {
    let b = raw.as_bytes();
    let mut found = Vec::new();
    for (i, c) in raw.char_indices() {
        let bad = special.contains(&c)
            || (c == '%'
                && !(i + 2 < b.len()
                    && b[i + 1].is_ascii_hexdigit()
                    && b[i + 2].is_ascii_hexdigit()));
        if bad && !found.contains(&c) {
            found.push(c);
        }
    }
    found
}

/// Percent-encode everything but unreserved characters.
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `parse_str` of a query starting at `base` in the save_path string.
pub fn parse_query(query: &str, base: usize) -> Vec<Param> {
    let mut params = Vec::new();
    let mut offset = base;
    for pair in query.split('&') {
        let start = offset;
        offset += pair.len() + 1;
        if pair.is_empty() {
            continue;
        }
        let (raw_key, raw_value, value_start) = match pair.find('=') {
            Some(eq) => (&pair[..eq], &pair[eq + 1..], start + eq + 1),
            None => (pair, "", start + pair.len()),
        };
        // php_register_variable_ex: leading spaces skipped, the name ends at a NUL, and spaces
        // and dots before the `[` become `_` (` auth=`, `+auth=` and `auth%00x=` are `auth`).
        let decoded = url_decode(raw_key);
        let decoded = decoded.split('\0').next().unwrap_or("");
        let decoded = decoded.trim_start_matches(' ');
        let bracket = decoded.find('[').unwrap_or(decoded.len());
        let key: String = decoded[..bracket]
            .chars()
            .map(|c| if c == ' ' || c == '.' { '_' } else { c })
            .chain(decoded[bracket..].chars())
            .collect();
        let (name, index) = match key.find('[') {
            Some(open) if key.ends_with(']') => (
                key[..open].to_string(),
                Some(key[open + 1..key.len() - 1].to_string()),
            ),
            _ => (key.clone(), None),
        };
        params.push(Param {
            key: name,
            index,
            value: url_decode(raw_value),
            raw_value: raw_value.to_string(),
            raw_span: value_start..value_start + raw_value.len(),
        });
    }
    params
}

/// The parts of a URL as PHP's `parse_url` (`php_url_parse_ex2`) finds them, as byte ranges.
/// Laravel's ConfigurationUrlParser reads `REDIS_URL` with the same function.
#[derive(Debug, Default)]
pub(crate) struct PhpUrl {
    pub scheme: Option<Range<usize>>,
    pub user: Option<Range<usize>>,
    pub pass: Option<Range<usize>>,
    pub host: Option<Range<usize>>,
    pub port: Option<u16>,
    pub path: Option<Range<usize>>,
    pub query: Option<Range<usize>>,
    pub fragment: Option<Range<usize>>,
}

/// `strtol` of a port: leading digits (after blanks and a sign), the rest ignored. None when no
/// digit is there or the value is outside 0-65535.
fn php_port(text: &[u8]) -> Option<u16> {
    let t: &[u8] = {
        let skip = text.iter().take_while(|b| b.is_ascii_whitespace()).count();
        &text[skip..]
    };
    let (negative, t) = match t.first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let digits = t.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let value: i64 = std::str::from_utf8(&t[..digits]).ok()?.parse().ok()?;
    let value = if negative { -value } else { value };
    u16::try_from(value).ok()
}

/// PHP's `parse_url`, step by step (ext/standard/url.c), for what phpredis reads: a scheme only
/// when a `:` follows valid scheme characters and is not a port (`a.com:80`; but
/// `127.0.0.1:6379?auth=x` is scheme `127.0.0.1` and path `6379`), `//` then an authority (the
/// last `@`, the last `:` for a port of at most five characters read by `strtol`), else a path;
/// the fragment cut at the first `#`, then the query at the first `?`. None where PHP returns
/// false.
pub(crate) fn php_parse_url(s: &[u8]) -> Option<PhpUrl> {
    let ue = s.len();
    let mut url = PhpUrl::default();
    let mut at = 0;
    let first_colon = s.iter().position(|&b| b == b':');
    // binary_strcspn(s, ue, "?#"): where the query or fragment starts, or the end.
    let first_query = s.iter().position(|&b| b == b'?' || b == b'#').unwrap_or(ue);
    let is_scheme_char = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.');
    let relative = |from: usize| s.len() > from + 1 && s[from] == b'/' && s[from + 1] == b'/';
    // What follows the scheme or port step: the authority, or only a path.
    enum Next {
        Host(usize),
        Path(usize),
    }
    let parse_port = |url: &mut PhpUrl, e: usize, at: usize| -> Option<Next> {
        let p = e + 1;
        let digits = s[p..]
            .iter()
            .take(6)
            .take_while(|b| b.is_ascii_digit())
            .count();
        let pp = p + digits;
        if digits > 0 && digits < 6 && (pp == ue || s[pp] == b'/') {
            url.port = Some(php_port(&s[p..pp])?);
            Some(if relative(at) {
                Next::Host(at + 2)
            } else {
                Next::Host(at)
            })
        } else if digits == 0 && pp == ue {
            None
        } else if relative(at) {
            Some(Next::Host(at + 2))
        } else {
            Some(Next::Path(at))
        }
    };
    let next = match first_colon {
        Some(e) if e != 0 => {
            if !s[..e].iter().all(|&b| is_scheme_char(b)) {
                if e + 1 < ue && e < first_query {
                    parse_port(&mut url, e, at)?
                } else if relative(at) {
                    Next::Host(at + 2)
                } else {
                    Next::Path(at)
                }
            } else if e + 1 == ue {
                url.scheme = Some(0..e);
                return Some(url);
            } else if s[e + 1] != b'/' {
                let p = e + 1;
                let digits = s[p..].iter().take_while(|b| b.is_ascii_digit()).count();
                if (p + digits == ue || s[p + digits] == b'/') && digits + 1 < 7 {
                    parse_port(&mut url, e, at)?
                } else {
                    url.scheme = Some(0..e);
                    Next::Path(e + 1)
                }
            } else {
                url.scheme = Some(0..e);
                if e + 2 < ue && s[e + 2] == b'/' {
                    at = e + 3;
                    let file = s[..e].eq_ignore_ascii_case(b"file");
                    if file && e + 3 < ue && s[e + 3] == b'/' {
                        // `file:///c:/dir`: a Windows drive letter.
                        if e + 5 < ue && s[e + 5] == b':' {
                            at = e + 4;
                        }
                        Next::Path(at)
                    } else {
                        Next::Host(at)
                    }
                } else {
                    Next::Path(e + 1)
                }
            }
        }
        Some(e) => parse_port(&mut url, e, at)?,
        None if relative(at) => Next::Host(at + 2),
        None => Next::Path(at),
    };
    let path_from = match next {
        Next::Path(from) => from,
        Next::Host(from) => {
            let e = from
                + s[from..]
                    .iter()
                    .position(|b| matches!(b, b'/' | b'?' | b'#'))
                    .unwrap_or(ue - from);
            let mut host_from = from;
            if let Some(p) = s[from..e].iter().rposition(|&b| b == b'@') {
                let at = from + p;
                // The user up to the first `:` (all of it without one), the password after it.
                match s[from..at].iter().position(|&b| b == b':') {
                    Some(c) => {
                        url.user = Some(from..from + c);
                        url.pass = Some(from + c + 1..at);
                    }
                    None => url.user = Some(from..at),
                }
                host_from = at + 1;
            }
            let ipv6 = host_from < ue && s[host_from] == b'[' && e > host_from && s[e - 1] == b']';
            let colon = if ipv6 {
                None
            } else {
                s[host_from..e]
                    .iter()
                    .rposition(|&b| b == b':')
                    .map(|p| host_from + p)
            };
            let host_end = match colon {
                Some(p) => {
                    if url.port.is_none() {
                        let port = &s[p + 1..e];
                        if port.len() > 5 {
                            return None;
                        }
                        if !port.is_empty() {
                            url.port = Some(php_port(port)?);
                        }
                    }
                    p
                }
                None => e,
            };
            if host_end <= host_from {
                return None;
            }
            url.host = Some(host_from..host_end);
            if e == ue {
                return Some(url);
            }
            e
        }
    };
    // just_path: the fragment first, then the query, then the path.
    let mut e = ue;
    if let Some(p) = s[path_from..e].iter().position(|&b| b == b'#') {
        url.fragment = Some(path_from + p + 1..e);
        e = path_from + p;
    }
    if let Some(p) = s[path_from..e].iter().position(|&b| b == b'?') {
        url.query = Some(path_from + p + 1..e);
        e = path_from + p;
    }
    if path_from < e || path_from == ue {
        url.path = Some(path_from..e);
    }
    Some(url)
}

/// One host of a save_path, read as phpredis' PS_OPEN reads it: PHP's `parse_url`, the query
/// (with the fragment glued back after a `#`) as parameters, a host means TCP (`tcp` unless a
/// scheme is given), no host means a unix socket at the path. None when PHP cannot parse it.
fn parse_url(raw: &str, base: usize) -> Option<Host> {
    let url = php_parse_url(raw.as_bytes())?;
    let text = |r: &Range<usize>| raw[r.clone()].to_string();
    let mut host = Host {
        raw: raw.to_string(),
        span: base..base + raw.len(),
        scheme: url.scheme.as_ref().map(|r| text(r).to_ascii_lowercase()),
        host: None,
        port: url.port,
        socket: None,
        params: Vec::new(),
        new_param: match (&url.query, &url.fragment) {
            (Some(_), _) => (base + raw.len(), "&"),
            (None, Some(f)) => (base + f.start - 1, "?"),
            (None, None) => (base + raw.len(), "?"),
        },
    };
    if let Some(q) = &url.query {
        // phpredis glues `#fragment` back onto the query.
        let end = url.fragment.as_ref().map_or(q.end, |f| f.end);
        host.params = parse_query(&raw[q.start..end], base + q.start);
    }
    match (&url.host, &url.path) {
        (Some(h), _) => {
            let name = text(h);
            let name = name
                .strip_prefix('[')
                .and_then(|n| n.strip_suffix(']'))
                .map_or(name.clone(), str::to_string);
            host.host = Some(name);
        }
        (None, Some(p)) if !p.is_empty() => host.socket = Some(text(p)),
        _ => return None,
    }
    Some(host)
}

/// A save_path entry as a message may show it: the part before the query, with anything up to
/// an `@` (a user and password) masked. Messages are not redacted later, so no secret may
/// reach them.
fn shown(text: &str) -> String {
    let before_query = text.split('?').next().unwrap_or("");
    let masked = match before_query.rfind('@') {
        Some(at) => format!("{}{}", crate::secret::MASK, &before_query[at..]),
        None => before_query.to_string(),
    };
    crate::model::redis::safe_text(&masked)
}

fn check_host(host: &Host) -> Option<String> {
    if let Some(socket) = host.socket.as_deref() {
        let unix = matches!(host.scheme.as_deref(), Some("file" | "unix"));
        if !unix && !socket.starts_with('/') {
            let raw = shown(&host.raw);
            let socket = shown(socket);
            return Some(match host.scheme.as_deref() {
                // PHP's parse_url reads `host:port?query` as scheme `host`, path `port`.
                Some(scheme) if socket.bytes().all(|b| b.is_ascii_digit()) => format!(
                    "`{raw}` followed by a query is read as the unix socket `{socket}` (PHP's parse_url takes `{scheme}` for a scheme there): write `tcp://{raw}`"
                ),
                _ => format!(
                    "`{raw}` is read as the unix socket path `{socket}`, relative to the PHP process' folder: write `tcp://{raw}` for a host"
                ),
            });
        }
    }
    if let Some(w) = host.param("weight") {
        if w.value.trim().parse::<i64>().map_or(true, |v| v <= 0) {
            return Some(format!("weight `{}` must be a number above 0", w.value));
        }
    }
    if let Some(t) = host.param("timeout") {
        if t.value.trim().parse::<f64>().map_or(true, |v| v <= 0.0) {
            return Some(format!("timeout `{}` must be above 0", t.value));
        }
    }
    None
}

/// Parse a save_path for the `redis` handler.
pub fn parse_redis(value: &str) -> SavePath {
    let mut hosts = Vec::new();
    let mut error = None;
    let mut split_fragment = None;
    let mut unread = Vec::new();
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b',') {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b',' {
            i += 1;
        }
        if start == i {
            continue;
        }
        let raw = &value[start..i];
        let url_like = raw.contains("://")
            || raw.starts_with("unix:")
            || raw.bytes().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_' | b'[' | b']' | b':')
            });
        if !url_like && !hosts.is_empty() {
            split_fragment.get_or_insert_with(|| raw.to_string());
            continue;
        }
        // `unix:` is read as `file:`.
        let normalized = match raw.strip_prefix("unix:") {
            Some(rest) => format!("file:{rest}"),
            None => raw.to_string(),
        };
        match parse_url(&normalized, start) {
            Some(mut host) => {
                host.raw = raw.to_string();
                if let Some(e) = check_host(&host) {
                    error.get_or_insert(e);
                }
                hosts.push(host);
            }
            None => {
                unread.push(start..i);
                error.get_or_insert(format!(
                    "Failed to parse session.save_path (error at offset {start}, url was '{}')",
                    shown(raw)
                ));
            }
        }
    }
    SavePath {
        hosts,
        error,
        split_fragment,
        unread,
    }
}

/// Parse a save_path for the `rediscluster` handler: one query, seeds in `seed[]`.
pub fn parse_cluster(value: &str) -> SavePath {
    let params = parse_query(value, 0);
    let seeds: Vec<&Param> = params.iter().filter(|p| p.key == "seed").collect();
    let error = if seeds.is_empty() {
        Some("the rediscluster handler needs at least one `seed[]=host:port`".to_string())
    } else {
        None
    };
    let hosts = seeds
        .iter()
        .map(|seed| {
            // cluster_init_seeds: `host:port` split at the last `:` (IPv6), the port read by
            // atoi; a seed without `:` is skipped.
            let (name, port) = match seed.value.rsplit_once(':') {
                Some((name, port)) => (Some(name), Some(crate::model::sentinel::atoi(port))),
                None => (None, None),
            };
            Host {
                raw: seed.value.clone(),
                span: seed.raw_span.clone(),
                scheme: None,
                host: name.map(|n| {
                    n.strip_prefix('[')
                        .and_then(|n| n.strip_suffix(']'))
                        .unwrap_or(n)
                        .to_string()
                }),
                port: port.and_then(|p| u16::try_from(p).ok()),
                socket: None,
                params: params.clone(),
                new_param: (seed.raw_span.end, "?"),
            }
        })
        .collect();
    SavePath {
        hosts,
        error,
        split_fragment: None,
        unread: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_reads_like_zval_get_long() {
        for (text, want) in [
            ("3", 3),
            (" 8", 8),
            ("3#frag", 3),
            ("x", 0),
            ("", 0),
            ("1e1", 10),
            ("2.9x", 2),
            ("+7", 7),
            ("-1", -1),
        ] {
            assert_eq!(php_intval(text), want, "{text:?}");
        }
    }

    #[test]
    fn hosts_read_by_php_parse_url() {
        let h = |v: &str| parse_redis(v).hosts.remove(0);
        let tcp = h("tcp://10.0.0.5:6380?auth=pw");
        assert_eq!(
            (tcp.host.as_deref(), tcp.port),
            (Some("10.0.0.5"), Some(6380))
        );
        let bare = h("10.0.0.5:6380");
        assert_eq!(
            (bare.host.as_deref(), bare.port),
            (Some("10.0.0.5"), Some(6380))
        );
        // A query after `host:port` makes `host` a scheme and `port` a socket path.
        let odd = h("10.0.0.5:6380?auth=pw");
        assert_eq!((odd.host, odd.socket.as_deref()), (None, Some("6380")));
        assert!(parse_redis("10.0.0.5:6380?auth=pw")
            .error
            .unwrap()
            .contains("tcp://10.0.0.5:6380"));
        let sock = h("/run/redis.sock?database=2");
        assert_eq!(
            (sock.socket.as_deref(), sock.database()),
            (Some("/run/redis.sock"), Some(2))
        );
        assert!(parse_redis("tcp://h:123456").error.is_some());
        // `_` is no scheme character: PHP looks for a port after the first `:` unless a query
        // comes first, so with one the whole entry is a path.
        let named = h("redis_master:6379");
        assert_eq!(
            (named.host.as_deref(), named.port),
            (Some("redis_master"), Some(6379))
        );
        let odd = h("redis_master:6379?auth=pw");
        assert_eq!(
            (odd.host, odd.socket.as_deref()),
            (None, Some("redis_master:6379"))
        );
    }

    #[test]
    fn new_parameters_go_where_phpredis_reads_them() {
        let at = |v: &str| {
            let h = parse_redis(v).hosts.remove(0);
            let (offset, sep) = h.new_param_at();
            format!("{}{sep}X{}", &v[..offset], &v[offset..])
        };
        assert_eq!(at("tcp://h:6379"), "tcp://h:6379?X");
        assert_eq!(at("tcp://h:6379?auth=a"), "tcp://h:6379?auth=a&X");
        // A `?` after the fragment would be part of it.
        assert_eq!(at("tcp://h#frag"), "tcp://h?X#frag");
        assert_eq!(at("tcp://h?a=1#frag"), "tcp://h?a=1#frag&X");
        assert_eq!(at("unix:///s.sock#f"), "unix:///s.sock?X#f");
    }

    #[test]
    fn cluster_seeds_split_at_the_last_colon() {
        let c = parse_cluster("seed[]=10.0.0.1:7000&seed[]=[::1]:7001&seed[]=nocolon&auth=pw");
        let seeds: Vec<_> = c
            .hosts
            .iter()
            .map(|h| (h.host.as_deref(), h.port))
            .collect();
        assert_eq!(
            seeds,
            vec![
                (Some("10.0.0.1"), Some(7000)),
                (Some("::1"), Some(7001)),
                (None, None)
            ]
        );
        assert_eq!(c.hosts[1].auth_password().unwrap().value, "pw");
    }

    #[test]
    fn hosts_and_params() {
        let sp = parse_redis("tcp://127.0.0.1:6379?auth=p%40ss&database=2&prefix=sess:, tcp://10.0.0.2:6380?weight=2");
        assert_eq!(sp.error, None);
        assert_eq!(sp.hosts.len(), 2);
        let h = &sp.hosts[0];
        assert_eq!((h.host.as_deref(), h.port), (Some("127.0.0.1"), Some(6379)));
        assert_eq!(h.auth_password().unwrap().value, "p@ss");
        assert_eq!(h.database(), Some(2));
        assert_eq!(sp.hosts[1].param("weight").unwrap().value, "2");
    }

    #[test]
    fn unix_sockets_arrays_and_plus() {
        let sp = parse_redis("unix:///var/run/redis/redis.sock?persistent=1&auth[]=app&auth[]=a+b");
        let h = &sp.hosts[0];
        assert_eq!(h.socket.as_deref(), Some("/var/run/redis/redis.sock"));
        assert_eq!(h.auth_password().unwrap().value, "a b");
        let sp = parse_redis("tcp://h:1?auth[user]=u&auth[pass]=pw");
        assert_eq!(sp.hosts[0].auth_password().unwrap().value, "pw");
        assert_eq!(
            parse_redis("10.0.0.5:6379").hosts[0].host.as_deref(),
            Some("10.0.0.5")
        );
    }

    #[test]
    fn refusals() {
        assert!(parse_redis("tcp://h:1?weight=0").error.is_some());
        assert!(parse_redis("tcp://h:1?timeout=-1").error.is_some());
        assert!(parse_redis("tcp://:1").error.is_some());
        assert!(parse_cluster("timeout=2").error.is_some());
        let c = parse_cluster("seed[]=10.0.0.1:7000&seed[]=10.0.0.2:7000&auth=pw");
        assert_eq!(c.hosts.len(), 2);
        assert_eq!(c.hosts[1].auth_password().unwrap().value, "pw");
    }

    #[test]
    fn encoding() {
        assert_eq!(url_encode("a+b/c#d"), "a%2Bb%2Fc%23d");
        assert_eq!(url_decode("a%2Bb+c%zz"), "a+b c%zz");
    }
}
