//! A real S3-compatible object store on 127.0.0.1: moto's server (PyPI
//! `moto[server]`), for the S3 blob tests. It accepts any credentials and
//! unsigned requests, so the helpers here look into buckets with plain
//! HTTP/1.0 requests, apart from the code under test.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// How to install what [`Moto::start`] needs.
pub const INSTALL_HINT: &str = "the S3 tests need moto's server: \
     python3 -m pip install 'moto[server]' (scripts/test installs it)";

/// Runs moto.server with a watcher thread that ends Python when stdin
/// closes, so a killed test leaves no server behind.
const LAUNCH: &str = "import os, sys, threading\n\
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()\n\
from moto.server import main\n\
main(['-H', '127.0.0.1', '-p', sys.argv[1]])\n";

/// moto does not check signatures, but it does check access: objects an
/// account wrote are private to it, and an anonymous request for one is
/// answered 403. The helpers say they are that account (moto's default).
const AUTHORIZATION: &str = "Authorization: AWS4-HMAC-SHA256 \
     Credential=zegel-test/20260101/us-east-1/s3/aws4_request, \
     SignedHeaders=host, Signature=0";

/// moto's S3 server on 127.0.0.1; stops when dropped.
pub struct Moto {
    child: Child,
    _stdin: ChildStdin,
    port: u16,
}

impl Moto {
    /// Starts the server on a free port and waits until it answers.
    /// Panics with [`INSTALL_HINT`] when moto is not installed.
    pub fn start() -> Moto {
        let have = Command::new("python3")
            .args(["-c", "import moto.server"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(have, "{INSTALL_HINT}");
        let port = crate::free_port();
        let mut child = Command::new("python3")
            .args(["-c", LAUNCH, &port.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("start python3 (moto): {e}; {INSTALL_HINT}"));
        let stdin = child.stdin.take().expect("stdin");
        let mut moto = Moto {
            child,
            _stdin: stdin,
            port,
        };
        let start = Instant::now();
        while moto.request("GET", "/", b"").map(|(s, _)| s) != Some(200) {
            if let Ok(Some(status)) = moto.child.try_wait() {
                panic!("moto's server exited at start ({status}); {INSTALL_HINT}");
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "moto's server did not answer on 127.0.0.1:{port} within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// The endpoint URL: `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Creates a bucket.
    pub fn create_bucket(&self, bucket: &str) {
        let (status, body) = self
            .request("PUT", &format!("/{bucket}"), b"")
            .expect("moto answers");
        assert_eq!(
            status,
            200,
            "create bucket {bucket}: {}",
            String::from_utf8_lossy(&body)
        );
    }

    /// The keys in a bucket (up to 1000), sorted.
    pub fn keys(&self, bucket: &str) -> Vec<String> {
        let (status, body) = self
            .request("GET", &format!("/{bucket}?list-type=2"), b"")
            .expect("moto answers");
        let body = String::from_utf8_lossy(&body);
        assert_eq!(status, 200, "list {bucket}: {body}");
        let mut keys: Vec<String> = body
            .split("<Key>")
            .skip(1)
            .filter_map(|s| s.split_once("</Key>").map(|(k, _)| k.to_string()))
            .collect();
        keys.sort();
        keys
    }

    /// An object's bytes (`None`: no such object).
    pub fn object(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        let (status, body) = self
            .request("GET", &format!("/{bucket}/{key}"), b"")
            .expect("moto answers");
        match status {
            200 => Some(body),
            404 => None,
            other => panic!(
                "get {bucket}/{key}: {other} {}",
                String::from_utf8_lossy(&body)
            ),
        }
    }

    /// One HTTP/1.0 request; (status, body), `None` when nothing answers.
    fn request(&self, method: &str, target: &str, body: &[u8]) -> Option<(u16, Vec<u8>)> {
        let mut conn = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        conn.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
        let head = format!(
            "{method} {target} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\n{AUTHORIZATION}\r\n\
             Content-Length: {}\r\n\r\n",
            self.port,
            body.len()
        );
        conn.write_all(head.as_bytes()).ok()?;
        conn.write_all(body).ok()?;
        let mut response = Vec::new();
        conn.read_to_end(&mut response).ok()?;
        let end = response.windows(4).position(|w| w == b"\r\n\r\n")?;
        let status_line = String::from_utf8_lossy(&response[..end]).into_owned();
        let status = status_line.split_whitespace().nth(1)?.parse().ok()?;
        Some((status, response[end + 4..].to_vec()))
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
