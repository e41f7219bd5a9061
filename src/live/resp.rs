//! A minimal RESP2 client, written for a server that may be hostile: every reply is bounded
//! (bulk length, array length, nesting depth, total bytes, line length), every command has a
//! deadline that a server dripping one byte at a time cannot stretch, and nothing panics on a
//! malformed reply. redline sends a handful of read-only commands and needs none of a full
//! client's features (pipelining, pub/sub, clusters, RESP3 push types).

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

/// One bulk string: the longest value redline ever needs is INFO or ACL LIST.
pub const MAX_BULK: usize = 4 << 20;
/// Elements of one array (CONFIG GET * is about 400 on Redis 7).
pub const MAX_ARRAY: usize = 100_000;
/// Nesting: COMMAND INFO replies nest three or four deep.
pub const MAX_DEPTH: usize = 8;
/// Bytes of one whole reply.
pub const MAX_REPLY: usize = 16 << 20;
/// A `+`, `-`, `:`, `$` or `*` line.
const MAX_LINE: usize = 64 << 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Simple(String),
    Error(String),
    Integer(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Reply>>),
}

impl Reply {
    /// The text of a bulk or simple string.
    pub fn text(&self) -> Option<String> {
        match self {
            Reply::Simple(s) => Some(s.clone()),
            Reply::Bulk(Some(b)) => Some(String::from_utf8_lossy(b).into_owned()),
            _ => None,
        }
    }
}

enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
    /// A reply already in memory (`parse_reply`: fuzzing and tests).
    Bytes(std::io::Cursor<Vec<u8>>),
}

impl Stream {
    fn set_timeouts(&self, t: Duration) -> std::io::Result<()> {
        match self {
            Stream::Tcp(s) => {
                s.set_read_timeout(Some(t))?;
                s.set_write_timeout(Some(t))
            }
            Stream::Unix(s) => {
                s.set_read_timeout(Some(t))?;
                s.set_write_timeout(Some(t))
            }
            Stream::Tls(s) => {
                s.sock.set_read_timeout(Some(t))?;
                s.sock.set_write_timeout(Some(t))
            }
            Stream::Bytes(_) => Ok(()),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            Stream::Unix(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
            Stream::Bytes(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            Stream::Unix(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
            Stream::Bytes(_) => Ok(buf.len()),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Tcp(s) => s.flush(),
            Stream::Unix(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
            Stream::Bytes(_) => Ok(()),
        }
    }
}

/// Read one reply from `bytes` with the limits a server's reply has (the fuzz target's entry).
pub fn parse_reply(bytes: &[u8]) -> Result<Reply, String> {
    let stream = Stream::Bytes(std::io::Cursor::new(bytes.to_vec()));
    let mut conn = Connection::over(stream, Duration::from_secs(5))?;
    conn.command(&[b"PING"])
}

pub struct Connection {
    stream: Stream,
    timeout: Duration,
    buf: Vec<u8>,
    pos: usize,
    deadline: Instant,
    /// Bytes of the reply being read.
    taken: usize,
    /// Elements of all the arrays of the reply being read.
    elements: usize,
}

impl Connection {
    pub fn tcp(host: &str, port: u16, timeout: Duration) -> Result<Connection, String> {
        Connection::over(Stream::Tcp(Self::tcp_stream(host, port, timeout)?), timeout)
    }

    /// TLS over TCP; the handshake happens with the first command, within its deadline, and
    /// the certificate is checked against `host`.
    pub fn tls(
        host: &str,
        port: u16,
        timeout: Duration,
        config: std::sync::Arc<rustls::ClientConfig>,
    ) -> Result<Connection, String> {
        let name = rustls::pki_types::ServerName::try_from(host.to_string())
            .map_err(|_| format!("`{host}` is not a name a certificate can be checked against"))?;
        let tls = rustls::ClientConnection::new(config, name)
            .map_err(|e| format!("cannot start TLS: {e}"))?;
        let tcp = Self::tcp_stream(host, port, timeout)?;
        Connection::over(
            Stream::Tls(Box::new(rustls::StreamOwned::new(tls, tcp))),
            timeout,
        )
    }

    fn tcp_stream(host: &str, port: u16, timeout: Duration) -> Result<TcpStream, String> {
        // The system resolver has no time-out of its own: it runs on a thread that is left
        // behind if it does not answer in time.
        let (send, receive) = std::sync::mpsc::channel();
        let name = host.to_string();
        std::thread::spawn(move || {
            let _ = send.send(
                (name.as_str(), port)
                    .to_socket_addrs()
                    .map(|a| a.collect::<Vec<_>>()),
            );
        });
        let addrs = match receive.recv_timeout(timeout) {
            Ok(Ok(addrs)) => addrs,
            Ok(Err(e)) => return Err(format!("cannot resolve {host}: {e}")),
            Err(_) => return Err(format!("cannot resolve {host} within {timeout:?}")),
        };
        let mut last = format!("cannot resolve {host}");
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, timeout) {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    return Ok(s);
                }
                Err(e) => last = format!("cannot connect: {e}"),
            }
        }
        Err(last)
    }

    pub fn unix(path: &Path, timeout: Duration) -> Result<Connection, String> {
        let s = UnixStream::connect(path).map_err(|e| format!("cannot connect: {e}"))?;
        Connection::over(Stream::Unix(s), timeout)
    }

    fn over(stream: Stream, timeout: Duration) -> Result<Connection, String> {
        stream
            .set_timeouts(timeout)
            .map_err(|e| format!("cannot set a time-out: {e}"))?;
        Ok(Connection {
            stream,
            timeout,
            buf: Vec::new(),
            pos: 0,
            deadline: Instant::now() + timeout,
            taken: 0,
            elements: 0,
        })
    }

    /// Send one command and read its reply, within the time-out. An error reply is `Ok`
    /// (`Reply::Error`); a broken, oversized or late reply is `Err`, and the connection must
    /// then be dropped.
    pub fn command(&mut self, args: &[&[u8]]) -> Result<Reply, String> {
        self.deadline = Instant::now() + self.timeout;
        self.taken = 0;
        self.elements = 0;
        let mut out = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
        self.stream
            .write_all(&out)
            .map_err(|e| format!("cannot send: {e}"))?;
        self.read_reply(0)
    }

    /// Read more bytes, failing past the deadline however slowly they come.
    fn fill(&mut self) -> Result<(), String> {
        let left = self
            .deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| format!("no complete reply within {:?}", self.timeout))?;
        self.stream
            .set_timeouts(left)
            .map_err(|e| format!("cannot set a time-out: {e}"))?;
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        let mut chunk = [0u8; 16 << 10];
        let n = match self.stream.read(&mut chunk) {
            Ok(0) => return Err("the server closed the connection".into()),
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(format!("no complete reply within {:?}", self.timeout))
            }
            Err(e) => return Err(format!("cannot read: {e}")),
        };
        self.taken += n;
        if self.taken > MAX_REPLY {
            return Err(format!("a reply longer than {MAX_REPLY} bytes"));
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }

    fn line(&mut self) -> Result<Vec<u8>, String> {
        let mut searched = self.pos;
        loop {
            if let Some(at) = memchr::memchr(b'\n', &self.buf[searched..]) {
                let end = searched + at;
                if end == self.pos || self.buf[end - 1] != b'\r' {
                    return Err("a reply line not ended by CRLF".into());
                }
                let line = self.buf[self.pos..end - 1].to_vec();
                self.pos = end + 1;
                return Ok(line);
            }
            if self.buf.len() - self.pos > MAX_LINE {
                return Err(format!("a reply line longer than {MAX_LINE} bytes"));
            }
            searched = self.buf.len();
            let before = self.pos;
            self.fill()?;
            // `fill` moved the unread bytes to the front.
            searched -= before;
        }
    }

    fn exact(&mut self, n: usize) -> Result<Vec<u8>, String> {
        while self.buf.len() - self.pos < n {
            self.fill()?;
        }
        let out = self.buf[self.pos..self.pos + n].to_vec();
        self.pos += n;
        Ok(out)
    }

    fn length(text: &[u8], max: usize, what: &str) -> Result<Option<usize>, String> {
        let text =
            std::str::from_utf8(text).map_err(|_| format!("a {what} length not a number"))?;
        let n: i64 = text
            .parse()
            .map_err(|_| format!("a {what} length not a number"))?;
        if n == -1 {
            return Ok(None);
        }
        if n < 0 || n as u64 > max as u64 {
            return Err(format!("a {what} of {n} (the limit is {max})"));
        }
        Ok(Some(n as usize))
    }

    fn read_reply(&mut self, depth: usize) -> Result<Reply, String> {
        if depth > MAX_DEPTH {
            return Err(format!("a reply nested deeper than {MAX_DEPTH}"));
        }
        let line = self.line()?;
        let Some((&kind, rest)) = line.split_first() else {
            return Err("an empty reply line".into());
        };
        let text = || String::from_utf8_lossy(rest).into_owned();
        match kind {
            b'+' => Ok(Reply::Simple(text())),
            b'-' => Ok(Reply::Error(text())),
            b':' => text()
                .parse()
                .map(Reply::Integer)
                .map_err(|_| "an integer reply not a number".into()),
            b'$' => match Self::length(rest, MAX_BULK, "bulk string")? {
                None => Ok(Reply::Bulk(None)),
                Some(n) => {
                    let mut body = self.exact(n + 2)?;
                    if !body.ends_with(b"\r\n") {
                        return Err("a bulk string not ended by CRLF".into());
                    }
                    body.truncate(n);
                    Ok(Reply::Bulk(Some(body)))
                }
            },
            b'*' => match Self::length(rest, MAX_ARRAY, "array")? {
                None => Ok(Reply::Array(None)),
                Some(n) => {
                    self.elements += n;
                    if self.elements > MAX_ARRAY {
                        return Err(format!("a reply of more than {MAX_ARRAY} elements"));
                    }
                    let mut items = Vec::with_capacity(n.min(1024));
                    for _ in 0..n {
                        items.push(self.read_reply(depth + 1)?);
                    }
                    Ok(Reply::Array(Some(items)))
                }
            },
            other => Err(format!(
                "an unknown reply type {:?} (redline speaks RESP2)",
                char::from(other).escape_default().to_string()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reply a connection reads when the server sends `bytes` and then closes.
    fn reply_to(bytes: Vec<u8>) -> Result<Reply, String> {
        let (client, mut server) = UnixStream::pair().unwrap();
        let writer = std::thread::spawn(move || {
            let mut request = [0u8; 64];
            let _ = server.read(&mut request);
            let _ = server.write_all(&bytes);
        });
        let mut conn = Connection::over(Stream::Unix(client), Duration::from_secs(2)).unwrap();
        let reply = conn.command(&[b"PING"]);
        drop(conn);
        let _ = writer.join();
        reply
    }

    #[test]
    fn well_formed_replies_are_read() {
        assert_eq!(
            reply_to(b"+OK\r\n".to_vec()),
            Ok(Reply::Simple("OK".into()))
        );
        assert_eq!(
            reply_to(b"*2\r\n$3\r\nfoo\r\n$-1\r\n".to_vec()),
            Ok(Reply::Array(Some(vec![
                Reply::Bulk(Some(b"foo".to_vec())),
                Reply::Bulk(None)
            ])))
        );
        assert_eq!(reply_to(b":-3\r\n".to_vec()), Ok(Reply::Integer(-3)));
        assert_eq!(
            reply_to(b"-NOPERM no\r\n".to_vec()),
            Ok(Reply::Error("NOPERM no".into()))
        );
    }

    #[test]
    fn malformed_replies_are_errors_never_panics() {
        for bad in [
            &b"$5\r\nab"[..],
            b"$-2\r\n",
            b"$99999999999999999999999\r\n",
            b"*-5\r\n",
            b"*1000000000\r\n",
            b"$3\r\nabcd\r\n",
            b"%2\r\n",
            b"\r\n",
            b"+OK\n",
            b":x\r\n",
            b"",
        ] {
            assert!(
                reply_to(bad.to_vec()).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        // Pseudo-random bytes, most of them valid type markers: an answer or an error, never a
        // panic nor an allocation past the limits.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..300 {
            let len = (state % 64) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    let alphabet = b"*$:+-\r\n0123456789-";
                    alphabet[(state % alphabet.len() as u64) as usize]
                })
                .collect();
            let _ = reply_to(bytes);
        }
    }
}
