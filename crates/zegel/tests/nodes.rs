//! Several `zegel serve` nodes on one PostgreSQL database (issue 8): they
//! share the queue without sending a message twice on purpose, and when
//! one node is killed with SIGKILL mid-run the others deliver what it had
//! accepted (its leased deliveries once their lease runs out).
//!
//! Needs PostgreSQL: `ZEGEL_TEST_POSTGRES`, else the machine's
//! `postgres://postgres@127.0.0.1:5432/test` (README, "Tests"); skipped,
//! saying so, when neither answers.

mod common;

use common::{accepted_tokens, await_arrivals, count_lines, init, wait_until, Zegel};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;
use zegel_testkit::{free_port, repo_root, Sink};

/// A schema of `dir`'s own on the PostgreSQL server the tests use, when
/// one answers.
fn postgres_schema(dir: &Path) -> Option<String> {
    let server = std::env::var(zegel_store::TEST_POSTGRES_ENV)
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    common::block_on_own_thread(zegel_store::test_schema_url(&server, dir))
        .map_err(|e| eprintln!("PostgreSQL at {server}: {e}"))
        .ok()
}

/// A second node's folder: the first one's config with its own ports and
/// data folder, the same database, key-encryption key and blob folder.
fn second_node(first: &Path, smtp_port: u16) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let config = std::fs::read_to_string(first.join("zegel.toml")).unwrap();
    let mut lines = Vec::new();
    for line in config.lines() {
        let line = if line.starts_with("listen = \"127.0.0.1:") {
            // SMTP first, then the portal (the order of the template).
            let port = if lines
                .iter()
                .any(|l: &String| l.starts_with("listen = \"127.0.0.1:"))
            {
                free_port()
            } else {
                smtp_port
            };
            format!("listen = \"127.0.0.1:{port}\"")
        } else {
            line.to_string()
        };
        lines.push(line);
    }
    std::fs::write(dir.path().join("zegel.toml"), lines.join("\n")).unwrap();
    // The node's own files `zegel init` made (the DKIM key, the TLS
    // certificate): the same as the first node's.
    let data = dir.path().join("zegel-data");
    std::fs::create_dir_all(&data).unwrap();
    for entry in std::fs::read_dir(first.join("zegel-data")).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if entry.file_type().unwrap().is_file() && !name.to_string_lossy().starts_with("zegel.db") {
            std::fs::copy(entry.path(), data.join(name)).unwrap();
        }
    }
    dir
}

#[test]
fn two_nodes_share_the_queue_and_a_killed_nodes_mail_is_delivered() {
    let first = tempfile::tempdir().unwrap();
    let Some(url) = postgres_schema(first.path()) else {
        eprintln!("SKIPPED: no PostgreSQL answers (set ZEGEL_TEST_POSTGRES)");
        return;
    };
    let sink = Sink::start();
    let shared = first.path().join("shared");
    let (temp, port_a) = init(
        &sink,
        &[
            (
                "# database_url = \"sqlite://zegel-data/zegel.db\"",
                &format!("database_url = \"{url}\""),
            ),
            (
                "key_file = \"zegel-data/kek.key\"",
                &format!("key_file = \"{}\"", shared.join("kek.key").display()),
            ),
            (
                "# blobs = \"s3://zegel-blobs/node-1\"",
                &format!("blobs = \"{}\"", shared.join("blobs").display()),
            ),
            (
                "retry_base_secs = 1",
                "retry_base_secs = 1\nlease_secs = 10",
            ),
        ],
    );
    std::fs::create_dir_all(&shared).unwrap();
    let port_b = free_port();
    let b_dir = second_node(temp.path(), port_b);
    let mut a = Zegel::run(temp.path(), port_a);
    let b = Zegel::run(b_dir.path(), port_b);

    let accepted = first.path().join("accepted.txt");
    let total = 2000;
    let load = Command::new("python3")
        .arg(repo_root().join("tests/support/smtp_load.py"))
        .args([
            "127.0.0.1",
            &format!("{port_a},{port_b}"),
            &total.to_string(),
        ])
        .arg(&accepted)
        .arg("8")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Kill node A with SIGKILL a quarter of the way; it stays dead, and
    // the load moves to node B as a load balancer would.
    wait_until(
        || count_lines(&accepted) >= total / 4,
        Duration::from_secs(300),
    );
    let _ = a.child.kill();
    let _ = a.child.wait();
    let load_out = load.wait_with_output().unwrap();
    let tokens = accepted_tokens(&accepted);
    assert!(
        tokens.len() >= total * 9 / 10,
        "load ran: {} accepted; {}",
        tokens.len(),
        String::from_utf8_lossy(&load_out.stdout)
    );
    // A's leases (10 s) run out, then B takes its deliveries over.
    let (lost, duplicated) = await_arrivals(
        &sink,
        &tokens,
        Duration::from_secs(180),
        "two-node sigkill test",
    );
    assert!(
        lost.is_empty(),
        "lost after SIGKILL of a node: {} {lost:?}",
        lost.len()
    );
    // Only the deliveries A was sending when it died may go twice.
    assert!(
        duplicated <= 2 * 20,
        "{duplicated} duplicates: more than node A's deliveries in flight"
    );
    drop(b);
}

/// Two nodes on one database, without load: node A and node B.
fn two_idle_nodes(
    first: &tempfile::TempDir,
    url: &str,
    sink: &Sink,
) -> (Zegel, Zegel, tempfile::TempDir) {
    let shared = first.path().join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    let (temp, port_a) = init(
        sink,
        &[
            (
                "# database_url = \"sqlite://zegel-data/zegel.db\"",
                &format!("database_url = \"{url}\""),
            ),
            (
                "key_file = \"zegel-data/kek.key\"",
                &format!("key_file = \"{}\"", shared.join("kek.key").display()),
            ),
        ],
    );
    let port_b = free_port();
    let b_dir = second_node(temp.path(), port_b);
    let mut a = Zegel::run(temp.path(), port_a);
    a._temp = Some(temp);
    let b = Zegel::run(b_dir.path(), port_b);
    (a, b, b_dir)
}

#[test]
fn the_portals_limit_on_guessed_links_counts_every_nodes_misses() {
    let first = tempfile::tempdir().unwrap();
    let Some(url) = postgres_schema(first.path()) else {
        eprintln!("SKIPPED: no PostgreSQL answers (set ZEGEL_TEST_POSTGRES)");
        return;
    };
    let sink = Sink::start();
    let (a, b, _b_dir) = two_idle_nodes(&first, &url, &sink);
    // The shared count runs in fixed windows of a minute: start well
    // inside one, so all 24 guesses fall in the same window.
    while std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        % 60
        > 45
    {
        std::thread::sleep(Duration::from_millis(500));
    }
    let statuses = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let client = reqwest::Client::new();
            let mut statuses = Vec::new();
            // 12 guessed links at node A, then 12 at node B: 24 misses from
            // one address, over the limit of 20 a minute, though neither
            // node alone saw more than 12.
            for (node, n) in [(&a, 0), (&b, 1)] {
                for i in 0..12 {
                    let link = format!("http://127.0.0.1:{}/m/guessed-{n}-{i}", node.http_port);
                    let status = client.get(&link).send().await.unwrap().status().as_u16();
                    statuses.push(status);
                }
            }
            statuses
        });
    assert!(
        statuses[..20].iter().all(|&s| s == 404),
        "the first 20 guesses are plain misses: {statuses:?}"
    );
    assert!(
        statuses[20..].iter().all(|&s| s == 429),
        "from the 21st on, on node B, the shared limit answers 429: {statuses:?}"
    );
}
