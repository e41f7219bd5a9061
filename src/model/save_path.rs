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
}

impl Host {
    pub fn param(&self, key: &str) -> Option<&Param> {
        self.params
            .iter()
            .rev()
            .find(|p| p.key == key && p.index.is_none())
    }

    /// The password: `auth=pass`, `auth[]=user&auth[]=pass`, `auth[pass]=`.
    pub fn auth_password(&self) -> Option<&Param> {
        let auth: Vec<&Param> = self.params.iter().filter(|p| p.key == "auth").collect();
        if let Some(p) = auth
            .iter()
            .rev()
            .find(|p| p.index.as_deref() == Some("pass"))
        {
            return Some(p);
        }
        let list: Vec<&&Param> = auth
            .iter()
            .filter(|p| p.index.as_deref() == Some(""))
            .collect();
        if !list.is_empty() {
            return list.get(1).or(list.first()).map(|p| **p);
        }
        auth.iter().rev().find(|p| p.index.is_none()).copied()
    }

    pub fn database(&self) -> Option<i64> {
        self.param("database")
            .and_then(|p| p.value.trim().parse().ok())
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
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// `urldecode`: `+` is a space, `%XX` a byte; a malformed `%` stays.
pub fn url_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() && hex(b[i + 1]).is_some() && hex(b[i + 2]).is_some() => {
                out.push(hex(b[i + 1]).unwrap() * 16 + hex(b[i + 2]).unwrap());
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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
        let key = url_decode(raw_key);
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

/// Split `scheme://user:pass@host:port/path?query#fragment` the way PHP's `parse_url` does for
/// the forms phpredis accepts. None when it cannot be parsed.
fn parse_url(raw: &str, base: usize) -> Option<Host> {
    let (scheme, rest, rest_at) = match raw.find("://") {
        Some(i)
            if i > 0
                && raw[..i]
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')) =>
        {
            (Some(raw[..i].to_ascii_lowercase()), &raw[i + 3..], i + 3)
        }
        _ => (None, raw, 0),
    };
    // phpredis glues a `#fragment` back onto the query.
    let (before_query, query, query_at) = match rest.find('?') {
        Some(q) => (&rest[..q], Some(&rest[q + 1..]), rest_at + q + 1),
        None => (rest.split('#').next().unwrap_or(rest), None, 0),
    };
    let mut host = Host {
        raw: raw.to_string(),
        span: base..base + raw.len(),
        scheme: scheme.clone(),
        host: None,
        port: None,
        socket: None,
        params: Vec::new(),
    };
    if let Some(q) = query {
        host.params = parse_query(q, base + query_at);
    }
    if scheme.as_deref() == Some("unix") || scheme.as_deref() == Some("file") {
        if before_query.is_empty() {
            return None;
        }
        host.socket = Some(before_query.to_string());
        return Some(host);
    }
    let authority = before_query.split('/').next().unwrap_or("");
    let hostport = authority.rsplit('@').next().unwrap_or("");
    if hostport.is_empty() {
        return None;
    }
    let (name, port) = if let Some(stripped) = hostport.strip_prefix('[') {
        let close = stripped.find(']')?;
        let port = stripped[close + 1..].strip_prefix(':');
        (&stripped[..close], port)
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if name.is_empty()
        || name.contains(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
    {
        return None;
    }
    host.host = Some(name.to_string());
    if let Some(p) = port {
        if p.is_empty() {
            host.port = None;
        } else {
            host.port = Some(p.parse().ok()?);
        }
    }
    Some(host)
}

fn check_host(host: &Host) -> Option<String> {
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
                error.get_or_insert(format!(
                    "Failed to parse session.save_path (error at offset {start}, url was '{}')",
                    crate::model::redis::safe_text(raw)
                ));
            }
        }
    }
    SavePath {
        hosts,
        error,
        split_fragment,
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
            let mut host = parse_url(&seed.value, seed.raw_span.start).unwrap_or(Host {
                raw: seed.value.clone(),
                span: seed.raw_span.clone(),
                scheme: None,
                host: None,
                port: None,
                socket: None,
                params: Vec::new(),
            });
            host.params = params.clone();
            host
        })
        .collect();
    SavePath {
        hosts,
        error,
        split_fragment: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
