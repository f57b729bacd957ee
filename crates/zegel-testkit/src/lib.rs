//! Test support for zegel's end-to-end tests: real peers on 127.0.0.1.
//!
//! # Layout
//! - [`Sink`]: a real SMTP server (Python's aiosmtpd, `tests/support/smtp_sink.py`)
//!   that stores what it receives, for tests to read back.
//! - [`free_port`]: a port on 127.0.0.1 nobody listens on (yet).
//! - [`repo_root`]: the workspace folder, to find scripts and fixtures.
//! - [`postfix`]: a private Postfix instance (milter tests).
//! - [`dns`]: authoritative DNS on 127.0.0.1 (hickory-server) for the
//!   mail-authentication, domain-check and MTA-STS tests.
//! - [`s3`]: an S3-compatible object store on 127.0.0.1 (moto's server)
//!   for the S3 blob tests.

pub mod dns;
pub mod postfix;
pub mod s3;

use serde::Deserialize;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// The workspace root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crate sits two levels below the workspace root")
        .to_path_buf()
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
///
/// Chosen at random below the kernel's ephemeral range
/// (`/proc/sys/net/ipv4/ip_local_port_range`), never twice in one process:
/// a port from `bind(0)` lies inside that range, where the kernel may hand
/// it to another test's outgoing connection or `bind(0)` before the server
/// under test binds it (a flaky "Address already in use" seen in CI).
/// Between test processes a clash needs two random picks from some 20,000
/// ports to meet within a moment.
pub fn free_port() -> u16 {
    use std::collections::HashSet;
    use std::hash::{BuildHasher, Hasher};
    use std::sync::Mutex;
    static GIVEN: Mutex<Option<HashSet<u16>>> = Mutex::new(None);
    const LOWEST: u32 = 10_000;
    let below: u32 = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .filter(|&low: &u32| low > LOWEST + 1_000)
        .unwrap_or(32_768);
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    let given = given.get_or_insert_with(HashSet::new);
    let seed = std::collections::hash_map::RandomState::new();
    for attempt in 0u64..10_000 {
        let mut hasher = seed.build_hasher();
        hasher.write_u64(attempt);
        hasher.write_u32(std::process::id());
        let port = (LOWEST + (hasher.finish() % u64::from(below - LOWEST)) as u32) as u16;
        if given.contains(&port) {
            continue;
        }
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            given.insert(port);
            return port;
        }
    }
    panic!("no free TCP port on 127.0.0.1 between {LOWEST} and {below}")
}

/// One message as the sink received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// The envelope sender.
    pub mail_from: String,
    /// The envelope recipients.
    pub rcpt_tos: Vec<String>,
    /// The message bytes as received.
    pub raw: Vec<u8>,
    /// The client's address and port as the sink saw them (one value per
    /// SMTP connection).
    pub peer: String,
}

impl Received {
    /// The message as (lossy) text, for assertions.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.raw).into_owned()
    }

    /// The message decoded: the subject, then every text part (transfer
    /// encodings undone), then the attachments' names, one per line.
    pub fn decoded(&self) -> String {
        use mail_parser::MimeHeaders;
        let Some(m) = mail_parser::MessageParser::default().parse(&self.raw) else {
            return self.text();
        };
        let mut out = format!("{}\n", m.subject().unwrap_or_default());
        for i in 0..m.text_body.len() {
            out.push_str(&m.body_text(i).unwrap_or_default());
            out.push('\n');
        }
        for a in m.attachments() {
            out.push_str(a.attachment_name().unwrap_or_default());
            out.push('\n');
        }
        out
    }

    /// Whether `addr` is among the envelope recipients (case-insensitive).
    pub fn is_for(&self, addr: &str) -> bool {
        self.rcpt_tos.iter().any(|r| r.eq_ignore_ascii_case(addr))
    }
}

#[derive(Deserialize)]
struct Meta {
    mail_from: String,
    rcpt_tos: Vec<String>,
    #[serde(default)]
    peer: String,
}

/// Options for the sink's answers.
#[derive(Debug, Default, Clone)]
pub struct SinkOptions {
    /// Recipients answered with 550 at RCPT.
    pub reject: Vec<String>,
    /// Recipients answered with 451 at RCPT.
    pub tempfail: Vec<String>,
    /// Listen on this port (default: a free one).
    pub port: Option<u16>,
}

/// A real SMTP sink (aiosmtpd) on 127.0.0.1; stops when dropped.
pub struct Sink {
    child: Child,
    _stdin: ChildStdin,
    port: u16,
    dir: tempfile::TempDir,
}

impl Sink {
    /// Starts a sink that accepts every recipient.
    pub fn start() -> Sink {
        Sink::start_with(SinkOptions::default())
    }

    /// Starts a sink with the given answers.
    pub fn start_with(options: SinkOptions) -> Sink {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut cmd = Command::new("python3");
        cmd.arg(repo_root().join("tests/support/smtp_sink.py"))
            .arg("--dir")
            .arg(dir.path());
        for a in &options.reject {
            cmd.arg("--reject").arg(a);
        }
        for a in &options.tempfail {
            cmd.arg("--tempfail").arg(a);
        }
        if let Some(port) = options.port {
            cmd.arg("--port").arg(port.to_string());
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start python3 smtp_sink.py (is aiosmtpd installed? scripts/test installs it)");
        let stdin = child.stdin.take().expect("stdin");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("sink's first line");
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("sink did not start: {line:?}"));
        Sink {
            child,
            _stdin: stdin,
            port,
            dir,
        }
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The folder it writes messages to.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Every message received so far, in order of arrival.
    pub fn messages(&self) -> Vec<Received> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        names.retain(|p| p.extension().is_some_and(|e| e == "json"));
        names.sort();
        names
            .into_iter()
            .filter_map(|json| {
                let meta: Meta = serde_json::from_slice(&std::fs::read(&json).ok()?).ok()?;
                let raw = std::fs::read(json.with_extension("eml")).ok()?;
                Some(Received {
                    mail_from: meta.mail_from,
                    rcpt_tos: meta.rcpt_tos,
                    raw,
                    peer: meta.peer,
                })
            })
            .collect()
    }

    /// Waits until at least `n` messages arrived (or `timeout` passed) and
    /// returns all received.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let start = Instant::now();
        loop {
            let got = self.messages();
            if got.len() >= n || start.elapsed() > timeout {
                return got;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
