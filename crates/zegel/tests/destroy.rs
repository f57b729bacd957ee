//! Destroying the content (issue 20 item 6), through `zegel serve`: after
//! delivery (with `keep_after_final_days = 0`), at withdrawal and at
//! expiry, the database and the blob folder hold nothing the key-encryption
//! key still opens — read with `zegel key status` (the KEK's own count of
//! the wrapped keys that open), the blob folder and the inline blob rows.

mod common;

use common::portal_mail::{link, mail_to};
use common::visitor::Visitor;
use common::*;
use reqwest::StatusCode;
use std::path::Path;
use zegel_testkit::Sink;

/// Wrapped data keys that still open, per table, as `zegel key status`
/// prints them (current + on other keys).
fn readable_keys(dir: &Path) -> Vec<(String, u64)> {
    let out = zegel()
        .args(["key", "status", "--config"])
        .arg(dir.join("zegel.toml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.lines()
        .skip_while(|l| !l.starts_with("stored data keys"))
        .skip(1)
        .map_while(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let n = |i: usize| f.get(i)?.parse::<u64>().ok();
            Some((f.first()?.to_string(), n(1)? + n(2)?))
        })
        .collect()
}

fn readable_mail_keys(dir: &Path) -> u64 {
    readable_keys(dir)
        .iter()
        .filter(|(t, _)| ["messages", "deliveries", "secure_messages"].contains(&t.as_str()))
        .map(|(_, n)| n)
        .sum()
}

fn files_under(root: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(root).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Nothing of any mail opens any more: no key, no sealed file, no sealed
/// row. Waits for the housekeeping (every second here).
fn nothing_decrypts(z: &Zegel, what: &str) {
    let blobs = z.dir.join("zegel-data/blobs");
    let clean = || {
        readable_mail_keys(&z.dir) == 0
            && files_under(&blobs).is_empty()
            && sql_at(&z.dir, "SELECT COUNT(*) FROM inline_blobs") == "0"
    };
    wait_until(clean, WAIT);
    assert_eq!(
        readable_mail_keys(&z.dir),
        0,
        "{what}: {:?}",
        readable_keys(&z.dir)
    );
    assert!(
        files_under(&blobs).is_empty(),
        "{what}: {:?}",
        files_under(&blobs)
    );
    assert_eq!(
        sql_at(&z.dir, "SELECT COUNT(*) FROM inline_blobs"),
        "0",
        "{what}"
    );
}

/// A mail of about 300 KB (its sealed original is a file, not a row).
fn mail(to: &str, subject: &str, id: &str, first_line: &str) -> String {
    format!(
        "From: Jan Jansen <jan@zorg.nl>\r\nTo: {to}\r\nCc: collega@zorg.nl\r\nSubject: {subject}\r\n\
         Message-ID: <{id}@zorg.nl>\r\n\r\n{first_line}\r\n{}\r\n",
        "De agenda volgt later deze week.\r\n".repeat(10_000)
    )
}

const SENSITIVE: &str = "Mevrouw Fatima el Amrani, BSN 111222333, heeft diabetes.";

const EDITS: &[(&str, &str)] = &[
    ("keep_after_final_days = 7", "keep_after_final_days = 0"),
    ("purge_every_secs = 300", "purge_every_secs = 1"),
    (
        "second_factor = \"sms_if_known\"",
        "second_factor = \"none\"",
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivered_withdrawn_and_expired_mail_leaves_nothing_that_decrypts() {
    let sink = Sink::start();
    let z = Zegel::start(&sink, EDITS);

    // 1. Delivered: a normal mail to an outside and an inside recipient.
    let (status, reply) = smtplib(
        z.port,
        "jan@zorg.nl",
        &["p.bakker@example.com", "collega@zorg.nl"],
        &mail(
            "p.bakker@example.com",
            "Agenda",
            "plain-1",
            "Hoi, tot donderdag.",
        ),
    );
    assert_eq!(status, "ok", "{reply}");
    mail_to(&sink, "p.bakker@example.com", "tot donderdag");
    nothing_decrypts(&z, "delivered");

    // 2. Withdrawn: a secure mail; the portal copy lives on after the
    // deliveries (its own key), until the sender withdraws it.
    let (status, reply) = smtplib(
        z.port,
        "jan@zorg.nl",
        &["q.visser@example.org", "collega@zorg.nl"],
        &mail("q.visser@example.org", "Dossier", "secure-1", SENSITIVE),
    );
    assert_eq!(status, "ok", "{reply}");
    let link_q = link(&mail_to(&sink, "q.visser@example.org", "/m/"), "/m/");
    let status_page = link(&mail_to(&sink, "jan@zorg.nl", "/status/"), "/status/");
    mail_to(&sink, "collega@zorg.nl", "111222333");
    // The portal copy still opens: one key (of secure_messages) is left.
    let one_copy = || {
        readable_keys(&z.dir)
            .iter()
            .find(|(t, _)| t == "secure_messages")
            .is_some_and(|(_, n)| *n == 1)
            && readable_mail_keys(&z.dir) == 1
    };
    wait_until(one_copy, WAIT);
    assert!(one_copy(), "{:?}", readable_keys(&z.dir));
    let mut sender = Visitor::new(z.http_port);
    let page = sender.get(&status_page).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page.csrf();
    let revoked = sender
        .post(
            &format!("{status_page}/revoke"),
            &[("csrf", &csrf), ("package", "all")],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    nothing_decrypts(&z, "withdrawn");
    let gone = Visitor::new(z.http_port).get(&link_q).await;
    assert!(gone.body.contains("ingetrokken"), "{}", gone.body);

    // 3. Expired: a secure mail whose portal copy runs out (its expiry
    // moved into the past, as time would).
    let (status, reply) = smtplib(
        z.port,
        "jan@zorg.nl",
        &["r.smit@example.net"],
        &mail("r.smit@example.net", "Verslag", "secure-2", SENSITIVE),
    );
    assert_eq!(status, "ok", "{reply}");
    mail_to(&sink, "r.smit@example.net", "/m/");
    sql_at(
        &z.dir,
        "UPDATE secure_messages SET expires_at = 1 WHERE recipient = 'r.smit@example.net'",
    );
    nothing_decrypts(&z, "expired");

    // Every destruction is in the audit log, and the log verifies.
    let destroyed = sql_at(
        &z.dir,
        "SELECT COUNT(*) FROM audit WHERE event = 'destroyed'",
    );
    assert_eq!(destroyed, "3", "one per message");
    let verify = zegel()
        .args(["audit", "verify", "--config"])
        .arg(z.dir.join("zegel.toml"))
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}
