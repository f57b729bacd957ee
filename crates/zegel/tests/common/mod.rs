//! The harness the end-to-end tests share: `zegel init` plus edits, a
//! running `zegel serve` on free ports, and real mail clients (swaks,
//! Python's smtplib).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use zegel_testkit::{free_port, Received, Sink};

pub mod oidc_provider;
pub mod portal_mail;
pub mod smtp_client;
pub mod staff_web;
pub mod visitor;

pub const WAIT: Duration = Duration::from_secs(60);

/// The DNS zone of the inbound-check tests (milter_auth.rs, inbound.rs).
/// Mail is handed in from 127.0.0.1: `pass.test` allows that address,
/// `spoof.test` does not (both publish `p=reject`); `held.test` does not
/// and asks `p=quarantine`; `plain.test` has neither SPF nor DMARC;
/// `zorg.test` looks like the organisation's zorg.nl.
pub const AUTH_ZONE: &str = "$ORIGIN test.\n$TTL 0\n\
@ IN SOA ns.test. admin.test. 1 3600 600 86400 0\n\
@ IN NS ns.test.\n\
ns IN A 127.0.0.1\n\
pass IN TXT \"v=spf1 ip4:127.0.0.1 -all\"\n\
_dmarc.pass IN TXT \"v=DMARC1; p=reject\"\n\
spoof IN TXT \"v=spf1 ip4:192.0.2.1 -all\"\n\
_dmarc.spoof IN TXT \"v=DMARC1; p=reject\"\n\
held IN TXT \"v=spf1 ip4:192.0.2.1 -all\"\n\
_dmarc.held IN TXT \"v=DMARC1; p=quarantine\"\n\
plain IN A 192.0.2.7\n\
zorg IN TXT \"v=spf1 ip4:127.0.0.1 -all\"\n";

/// A running `zegel serve`, configured by `zegel init` plus changes.
pub struct Zegel {
    pub child: Child,
    /// The SMTP port.
    pub port: u16,
    /// The portal's port.
    pub http_port: u16,
    pub dir: PathBuf,
    pub _temp: Option<tempfile::TempDir>,
}

/// The PostgreSQL schema for a test's zegel in `dir`, when the tests run
/// against PostgreSQL (`ZEGEL_TEST_POSTGRES`); `None` for SQLite.
pub fn test_database_url(dir: &Path) -> Option<String> {
    block_on_own_thread(zegel_store::test_database_url(dir))
        .expect("a PostgreSQL schema for the test")
}

/// Runs `future` to its end on a runtime of a thread of its own (callers
/// may be async tests, inside a runtime already).
pub fn block_on_own_thread<F>(future: F) -> F::Output
where
    F: std::future::Future + Send,
    F::Output: Send,
{
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap()
                    .block_on(future)
            })
            .join()
            .unwrap()
    })
}

/// The PostgreSQL server and schema the zegel in `dir` runs on (the
/// `database_url` `test_database_url` remembered there), if any.
fn postgres_of(dir: &Path) -> Option<(String, String)> {
    let url = std::fs::read_to_string(dir.join("postgres-test-url")).ok()?;
    let (server, schema) = url.split_once("options[search_path]=")?;
    Some((
        server.trim_end_matches(['?', '&']).to_string(),
        schema.to_string(),
    ))
}

/// Runs one SQL statement on the database of the zegel in `dir` as an
/// outside tool would (python3's sqlite3 on `zegel-data/zegel.db`, or psql
/// on the test's PostgreSQL schema); returns the first column of the rows
/// it gives, one per line. Panics when the statement fails.
pub fn sql_at(dir: &Path, statement: &str) -> String {
    let out = match postgres_of(dir) {
        Some((server, schema)) => Command::new("psql")
            .args(["-qtA", "-v", "ON_ERROR_STOP=1", &server])
            .args(["-c", &format!("SET search_path TO {schema}")])
            .args(["-c", statement])
            .output()
            .expect("psql (PostgreSQL's client)"),
        None => Command::new("python3")
            .args([
                "-c",
                "import sqlite3,sys; c=sqlite3.connect(sys.argv[1], timeout=30); \
                 rows=c.execute(sys.argv[2]).fetchall(); c.commit(); \
                 [print(r[0]) for r in rows]",
            ])
            .arg(dir.join("zegel-data/zegel.db"))
            .arg(statement)
            .output()
            .unwrap(),
    };
    assert!(
        out.status.success(),
        "{statement}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Everything the database of the zegel in `dir` holds, as bytes, for
/// checks that nothing is readable at rest: SQLite's file and WAL, or a
/// `pg_dump` of the test's schema (bytes columns come out as hex there:
/// look for a needle's hex as well, see [`hex_of`]).
pub fn database_bytes(dir: &Path) -> Vec<u8> {
    match postgres_of(dir) {
        Some((server, schema)) => {
            let out = Command::new("pg_dump")
                .args(["-n", &schema, "-d", &server])
                .output()
                .expect("pg_dump (PostgreSQL's client)");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            out.stdout
        }
        None => {
            let db = dir.join("zegel-data/zegel.db");
            let mut bytes = std::fs::read(&db).unwrap();
            bytes.extend(std::fs::read(db.with_extension("db-wal")).unwrap_or_default());
            bytes
        }
    }
}

/// `needle` as lower-case hex (how pg_dump writes bytes columns).
pub fn hex_of(needle: &[u8]) -> Vec<u8> {
    needle
        .iter()
        .flat_map(|b| format!("{b:02x}").into_bytes())
        .collect()
}

/// Whether the zegel in `dir` runs on PostgreSQL.
pub fn on_postgres(dir: &Path) -> bool {
    postgres_of(dir).is_some()
}

/// The zegel binary under test: this build's, or the one
/// `ZEGEL_TEST_BIN` names (e.g. `target/release/zegel`, to run the attack
/// tests against the release build: docs/security.md).
pub fn zegel() -> Command {
    match std::env::var_os("ZEGEL_TEST_BIN") {
        Some(bin) => Command::new(bin),
        None => Command::new(env!("CARGO_BIN_EXE_zegel")),
    }
}

/// Runs `zegel init` in a new folder and edits the config for the test.
pub fn init(sink: &Sink, edits: &[(&str, &str)]) -> (tempfile::TempDir, u16) {
    let temp = tempfile::tempdir().unwrap();
    let out = zegel()
        .args(["init", "--domain", "zorg.nl", "--dir"])
        .arg(temp.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("zegel._domainkey.zorg.nl"));
    let port = free_port();
    let path = temp.path().join("zegel.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    let mut replace = |from: &str, to: &str| {
        assert!(text.contains(from), "template has {from:?}");
        text = text.replacen(from, to, 1);
    };
    replace(
        "listen = \"127.0.0.1:2525\"",
        &format!("listen = \"127.0.0.1:{port}\""),
    );
    replace(
        "# relay_host = \"smarthost.lan:25\"",
        &format!("relay_host = \"127.0.0.1:{}\"", sink.port()),
    );
    replace("retry_base_secs = 60", "retry_base_secs = 1");
    replace(
        "listen = \"127.0.0.1:8080\"",
        &format!("listen = \"127.0.0.1:{}\"", free_port()),
    );
    for (from, to) in edits {
        replace(from, to);
    }
    // With ZEGEL_TEST_POSTGRES set, every test's zegel runs on a
    // PostgreSQL schema of its own (README, "Tests"), unless the test chose
    // its database itself.
    let sqlite = "# database_url = \"sqlite://zegel-data/zegel.db\"";
    if text.contains(sqlite) {
        if let Some(url) = test_database_url(temp.path()) {
            text = text.replacen(sqlite, &format!("database_url = \"{url}\""), 1);
        }
    }
    std::fs::write(&path, text).unwrap();
    (temp, port)
}

impl Zegel {
    pub fn start(sink: &Sink, edits: &[(&str, &str)]) -> Zegel {
        let (temp, port) = init(sink, edits);
        let dir = temp.path().to_path_buf();
        let mut z = Zegel::run(&dir, port);
        z._temp = Some(temp);
        z
    }

    /// Starts `zegel serve` on an existing folder; waits until it listens.
    pub fn run(dir: &Path, port: u16) -> Zegel {
        let mut child = zegel()
            .args(["serve", "--config"])
            .arg(dir.join("zegel.toml"))
            .env("ZEGEL_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let http_port: u16;
        loop {
            let line = lines
                .next()
                .expect("zegel serve exited before listening")
                .unwrap();
            if let Some(addr) = line.split("portal listening on ").nth(1) {
                let addr = addr.split_whitespace().next().unwrap_or_default();
                http_port = addr.rsplit(':').next().unwrap().parse().unwrap();
                break;
            }
        }
        // Keep draining stdout so zegel never blocks on it.
        std::thread::spawn(move || for _ in lines {});
        Zegel {
            child,
            port,
            http_port,
            dir: dir.to_path_buf(),
            _temp: None,
        }
    }
}

impl Zegel {
    /// Stops zegel cleanly (SIGTERM, as a service manager does) and waits
    /// for it to exit; panics when it does not within [`WAIT`].
    pub fn stop(mut self) {
        let term = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(term.success());
        let deadline = std::time::Instant::now() + WAIT;
        while self.child.try_wait().unwrap().is_none() {
            assert!(std::time::Instant::now() < deadline, "zegel did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Zegel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn swaks(args: &[&str]) -> (bool, String) {
    let out = Command::new("swaks")
        .args(args)
        .output()
        .expect("swaks (scripts/test installs it)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Sends with Python's smtplib; returns ("ok", "") or ("refused", reply text).
pub fn smtplib(port: u16, from: &str, to: &[&str], message: &str) -> (String, String) {
    let script = r#"
import smtplib, sys, json
port, sender, rcpts, msg = int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3]), sys.stdin.read()
try:
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as s:
        s.sendmail(sender, rcpts, msg.encode("utf-8"))
    print("ok")
except smtplib.SMTPDataError as e:
    print("refused"); print(e.smtp_code); print(e.smtp_error.decode("utf-8", "replace"))
except smtplib.SMTPRecipientsRefused as e:
    print("refused"); print(json.dumps({k: [v[0], v[1].decode()] for k, v in e.recipients.items()}))
"#;
    let mut child = Command::new("python3")
        .args(["-c", script, &port.to_string(), from])
        .arg(serde_json_array(to))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(message.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let (status, rest) = text.split_once('\n').unwrap_or((text.as_str(), ""));
    (status.trim().to_string(), rest.to_string())
}

fn serde_json_array(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
    format!("[{}]", quoted.join(","))
}

pub fn find<'a>(got: &'a [Received], rcpt: &str, needle: &str) -> Option<&'a Received> {
    got.iter()
        .find(|m| m.is_for(rcpt) && m.text().contains(needle))
}

/// Lines in the file at `path` (0 while it does not exist).
pub fn count_lines(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

/// Polls `done` every 100 ms until it holds or `timeout` has passed.
pub fn wait_until(mut done: impl FnMut() -> bool, timeout: Duration) {
    let start = std::time::Instant::now();
    while !done() && start.elapsed() < timeout {
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// How many times each subject has arrived at `sink` (the load tests put
/// a unique token in each message's subject).
pub fn arrived_by_subject(sink: &Sink) -> std::collections::HashMap<String, usize> {
    let mut seen = std::collections::HashMap::new();
    for m in sink.messages() {
        let text = m.text();
        if let Some(t) = text.lines().find_map(|l| l.strip_prefix("Subject: ")) {
            *seen.entry(t.trim().to_string()).or_insert(0) += 1;
        }
    }
    seen
}

/// The tokens tests/support/smtp_load.py wrote to `accepted`: one per
/// message answered with 250.
pub fn accepted_tokens(accepted: &Path) -> Vec<String> {
    std::fs::read_to_string(accepted)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Waits up to `wait` until every token has arrived at `sink`, prints the
/// count under `label`, and returns the tokens that did not arrive and
/// how many arrived more than once.
pub fn await_arrivals(
    sink: &Sink,
    tokens: &[String],
    wait: Duration,
    label: &str,
) -> (Vec<String>, usize) {
    wait_until(
        || {
            let seen = arrived_by_subject(sink);
            tokens.iter().all(|t| seen.contains_key(t))
        },
        wait,
    );
    let seen = arrived_by_subject(sink);
    let lost: Vec<String> = tokens
        .iter()
        .filter(|t| !seen.contains_key(*t))
        .cloned()
        .collect();
    let duplicated = seen.values().filter(|&&n| n > 1).count();
    eprintln!(
        "{label}: {} accepted (250), {} arrived, {} lost, {duplicated} duplicated",
        tokens.len(),
        seen.len(),
        lost.len()
    );
    (lost, duplicated)
}
