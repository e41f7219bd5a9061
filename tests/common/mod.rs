//! Helpers shared by the integration tests: running the redline binary, and oracles (a real
//! redis-server on a private unix socket in a temp folder, stopped on drop even when a test fails).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn redline() -> Command {
    Command::new(env!("CARGO_BIN_EXE_redline"))
}

pub fn run(dir: &Path, args: &[&str]) -> Output {
    redline()
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        // A CI runner may force colour; the tests read plain text.
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("redline runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    manifest_dir().join("fixtures")
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("JSON report expected ({e}): {}", stdout(o)))
}

/// The rule IDs of a JSON report's findings.
pub fn rules_of(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

/// The path of an oracle program, or None (with a loud message) when it is not installed. With
/// REDLINE_REQUIRE_ORACLES=1 (set by CI) a missing oracle fails the test instead.
pub fn oracle(program: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .map(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join(program))
                .find(|p| p.is_file())
        })
        .unwrap_or(None);
    if found.is_none() {
        oracle_missing(&format!("`{program}`"));
    }
    found
}

/// An oracle (a program, a library) is not installed: fail under REDLINE_REQUIRE_ORACLES=1 (CI),
/// else say loudly that the test compared nothing. `what` names it and how to install it.
pub fn oracle_missing(what: &str) {
    if std::env::var("REDLINE_REQUIRE_ORACLES").as_deref() == Ok("1") {
        panic!("oracle {what} is not installed and REDLINE_REQUIRE_ORACLES=1");
    }
    eprintln!("\n!!! SKIPPED: oracle {what} is not installed; this test compared nothing !!!\n");
}

/// `redline fix --no-config --write --unsafe-fixes TARGET...` in `dir`: every fix applied. The
/// run must not fail (exit 0 or 1).
pub fn fix_everything(dir: &Path, targets: &[&str]) -> Output {
    let mut args = vec!["fix", "--no-config", "--write", "--unsafe-fixes"];
    args.extend_from_slice(targets);
    let out = run(dir, &args);
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "fix --write failed: {}",
        stderr(&out)
    );
    out
}

/// The regular files directly in each of `dirs` that exist, sorted.
pub fn files_in(dirs: &[PathBuf]) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = dirs
        .iter()
        .filter(|d| d.is_dir())
        .flat_map(|d| std::fs::read_dir(d).unwrap().map(|e| e.unwrap().path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// A reply of the Redis protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Status(String),
    Error(String),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Reply>>),
}

impl Reply {
    pub fn text(&self) -> String {
        match self {
            Reply::Status(s) | Reply::Error(s) => s.clone(),
            Reply::Int(i) => i.to_string(),
            Reply::Bulk(Some(b)) => String::from_utf8_lossy(b).into_owned(),
            Reply::Bulk(None) | Reply::Array(None) => String::new(),
            Reply::Array(Some(items)) => {
                items.iter().map(Reply::text).collect::<Vec<_>>().join(" ")
            }
        }
    }
    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }
}

fn read_reply(r: &mut BufReader<UnixStream>) -> Reply {
    let mut line = String::new();
    let n = r.read_line(&mut line).expect("reply line");
    assert!(n > 0, "the server closed the connection");
    let body = line.trim_end_matches("\r\n").to_string();
    let (kind, rest) = body.split_at(1);
    match kind {
        "+" => Reply::Status(rest.into()),
        "-" => Reply::Error(rest.into()),
        ":" => Reply::Int(rest.parse().unwrap()),
        "$" => {
            let n: i64 = rest.parse().unwrap();
            if n < 0 {
                return Reply::Bulk(None);
            }
            let mut buf = vec![0; n as usize + 2];
            r.read_exact(&mut buf).unwrap();
            buf.truncate(n as usize);
            Reply::Bulk(Some(buf))
        }
        "*" => {
            let n: i64 = rest.parse().unwrap();
            if n < 0 {
                return Reply::Array(None);
            }
            Reply::Array(Some((0..n).map(|_| read_reply(r)).collect()))
        }
        other => panic!("unexpected reply type {other:?} in {body:?}"),
    }
}

pub struct Connection {
    reader: BufReader<UnixStream>,
}

impl Connection {
    pub fn open(socket: &Path) -> std::io::Result<Connection> {
        let stream = UnixStream::connect(socket)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        Ok(Connection {
            reader: BufReader::new(stream),
        })
    }

    /// Whether the server answers PING (PONG or NOAUTH). redis-server accepts connections before
    /// its last start-up checks (modules, ACL file), and may still exit then: the connection
    /// then ends without a reply.
    pub fn answers_ping(&mut self) -> bool {
        if self
            .reader
            .get_mut()
            .write_all(b"*1\r\n$4\r\nPING\r\n")
            .is_err()
        {
            return false;
        }
        let mut line = String::new();
        // `-LOADING` is a server still reading its data: not serving yet.
        matches!(self.reader.read_line(&mut line), Ok(n) if n > 0)
            && (line.starts_with('+') || line.starts_with('-'))
            && !line.starts_with("-LOADING")
    }

    pub fn call(&mut self, args: &[&str]) -> Reply {
        let mut req = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            req.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            req.extend_from_slice(a.as_bytes());
            req.extend_from_slice(b"\r\n");
        }
        self.reader.get_mut().write_all(&req).expect("send");
        read_reply(&mut self.reader)
    }

    /// `CONFIG GET name` -> the value.
    pub fn config_get(&mut self, name: &str) -> String {
        match self.call(&["CONFIG", "GET", name]) {
            Reply::Array(Some(items)) if items.len() == 2 => items[1].text(),
            other => panic!("CONFIG GET {name}: {other:?}"),
        }
    }
}

/// A redis-server (or Sentinel) started on a config file with test overrides; killed on drop.
pub struct Server {
    child: Option<Child>,
    pub socket: PathBuf,
    pub log: PathBuf,
    _dir: tempfile::TempDir,
}

pub enum Started {
    Running(Server),
    /// It exited: its stderr and log say why.
    Refused(String),
}

impl Server {
    /// Start `binary` on `config` (a file the caller owns; Sentinel rewrites it), with overrides
    /// that come after the file: a private unix socket, no TCP port, a temp working folder.
    pub fn start(binary: &Path, config: &Path, sentinel: bool) -> Started {
        Server::start_on(binary, config, sentinel, 0)
    }

    /// `start`, also listening on 127.0.0.1:`port` (0: no TCP).
    pub fn start_on(binary: &Path, config: &Path, sentinel: bool, port: u16) -> Started {
        Server::start_with_args(binary, config, sentinel, port, &[])
    }

    /// `start_on`, with `args` (command-line options, as a container passes them) right after
    /// the config file and before the test overrides.
    pub fn start_with_args(
        binary: &Path,
        config: &Path,
        sentinel: bool,
        port: u16,
        args: &[String],
    ) -> Started {
        let dir = tempfile::tempdir().expect("temp dir");
        let socket = dir.path().join("redis.sock");
        let log = dir.path().join("redis.log");
        let mut cmd = Command::new(binary);
        cmd.arg(config);
        cmd.args(args);
        if sentinel {
            cmd.arg("--sentinel");
        }
        cmd.args(["--port", &port.to_string()]);
        if port != 0 {
            cmd.args(["--bind", "127.0.0.1"]);
        }
        cmd.arg("--unixsocket")
            .arg(&socket)
            .args(["--daemonize", "no", "--supervised", "no"]);
        cmd.args(["--pidfile", ""]).arg("--logfile").arg(&log);
        // redis-server resolves relative paths (include, aclfile) against its working folder.
        cmd.current_dir(config.parent().unwrap_or(dir.path()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("redis-server starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                let mut err = String::new();
                let _ = child.stderr.take().map(|mut s| s.read_to_string(&mut err));
                let mut out = String::new();
                let _ = child.stdout.take().map(|mut s| s.read_to_string(&mut out));
                let logged = std::fs::read_to_string(&log).unwrap_or_default();
                return Started::Refused(format!("exit {status}\n{err}{out}{logged}"));
            }
            // No answer to PING: it is exiting after all, and the next turn sees it.
            if Connection::open(&socket).is_ok_and(|mut c| c.answers_ping()) {
                return Started::Running(Server {
                    child: Some(child),
                    socket,
                    log,
                    _dir: dir,
                });
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("redis-server neither served nor exited within 10 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn connect(&self) -> Connection {
        Connection::open(&self.socket).expect("connect to the test server")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Write `text` to `dir/name` and return the path.
pub fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// Real file operations, except the Nth temp write or rename, which fails.
pub struct FailingFs {
    pub fail_write_at: Option<usize>,
    pub fail_rename_at: Option<usize>,
    pub writes: usize,
    pub renames: usize,
}

impl redline::fix::write::FileOps for FailingFs {
    fn write_temp(
        &mut self,
        temp: &Path,
        contents: &[u8],
        mode: Option<u32>,
    ) -> std::io::Result<()> {
        self.writes += 1;
        if Some(self.writes) == self.fail_write_at {
            // A full disk: half the bytes land, then the write fails.
            std::fs::write(temp, &contents[..contents.len() / 2])?;
            return Err(std::io::Error::other("No space left on device"));
        }
        redline::fix::write::RealFs.write_temp(temp, contents, mode)
    }
    fn rename(&mut self, from: &Path, to: &Path) -> std::io::Result<()> {
        self.renames += 1;
        if Some(self.renames) == self.fail_rename_at {
            return Err(std::io::Error::other("rename refused"));
        }
        redline::fix::write::RealFs.rename(from, to)
    }
}
