//! End-to-end: rotating the key-encryption key with `zegel key` while mail
//! waits in the queue and behind the portal, the way docs/deployment.md
//! tells an operator to (stage, restart, rotate, restart, retire), on
//! whichever database the tests run on, with zegel running throughout but
//! for its restarts.
//!
//! 1. zegel runs on the first key with its relay down: a normal mail and a
//!    secure one (access code) wait in the queue, wrapped with that key.
//! 2. `stage`; `rotate` is refused while the running node lacks the staged
//!    key. zegel restarts (relay up) holding it: the queue written under
//!    the first key is delivered. `rotate` now passes; `retire` is refused
//!    while the node still wraps with the first key.
//! 3. zegel restarts on the rotated file: the recipient opens the secure
//!    mail with the access code made under the first key, and a second
//!    secure mail is made under the new key. `retire` is refused (that
//!    access code still needs the first key), then `--force`: every stored
//!    data key is re-wrapped and the key file holds the new key only.
//! 4. zegel restarts without the first key: the recipient's session still
//!    reads the first mail (its key re-wrapped), the second opens with its
//!    code, the first's access code no longer matches (as --force said);
//!    `key status` finds nothing on other keys; a rotation without a
//!    staged key is refused while zegel runs; the trail has the three
//!    steps and verifies.

mod common;

use common::portal_mail::{access_code, link, mail_code, mail_to};
use common::visitor::Visitor;
use common::*;
use reqwest::StatusCode;
use std::path::Path;
use std::process::Output;
use zegel_testkit::{free_port, Sink};

fn key(dir: &Path, args: &[&str]) -> Output {
    zegel()
        .arg("key")
        .args(args)
        .arg("--config")
        .arg(dir.join("zegel.toml"))
        .output()
        .unwrap()
}

fn key_ok(dir: &Path, args: &[&str]) -> String {
    let out = key(dir, args);
    assert!(
        out.status.success(),
        "zegel key {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `zegel key` expecting a refusal (exit status 2); returns its
/// standard error (the reason) and standard output.
fn key_refused(dir: &Path, args: &[&str]) -> (String, String) {
    let out = key(dir, args);
    assert_eq!(out.status.code(), Some(2), "zegel key {args:?} refused");
    (
        String::from_utf8_lossy(&out.stderr).into_owned(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn secure_mail(subject: &str) -> String {
    format!(
        "From: Jan Jansen <jan@zorg.nl>\r\nTo: p.bakker@example.com\r\nSubject: {subject}\r\n\
         \r\nMevrouw Fatima el Amrani, BSN 111222333, {subject}.\r\n"
    )
}

/// The key file's lines, by role.
fn roles(file: &Path) -> Vec<String> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect()
}

/// Waits until `n` mails to `rcpt` with `needle` have arrived.
fn wait_for_mails(sink: &Sink, rcpt: &str, needle: &str, n: usize) {
    let arrived = || {
        sink.messages()
            .iter()
            .filter(|m| m.is_for(rcpt) && m.decoded().contains(needle))
            .count()
    };
    wait_until(|| arrived() >= n, WAIT);
    assert_eq!(arrived(), n, "mails to {rcpt} with {needle:?}");
}

/// The data keys of messages, deliveries and portal copies a `retire`
/// says it re-wrapped.
fn rewrapped(report: &str) -> u64 {
    report
        .lines()
        .filter_map(|l| {
            let columns: Vec<&str> = l.split_whitespace().collect();
            let table = *columns.first()?;
            ["messages", "deliveries", "secure_messages"]
                .contains(&table)
                .then(|| columns[2].parse::<u64>().unwrap())
        })
        .sum()
}

/// Walks the portal's steps as a recipient: the mail code, then the access
/// code; returns the answer to the access code.
async fn open_with_codes(
    v: &mut Visitor,
    sink: &Sink,
    link: &str,
    nth_code: usize,
    access: &str,
) -> common::visitor::Page {
    let csrf = v.get(link).await.csrf();
    v.post(&format!("{link}/code"), &[("csrf", &csrf)]).await;
    let code = mail_code(sink, "p.bakker@example.com", nth_code);
    let verified = v
        .post(
            &format!("{link}/verify"),
            &[("csrf", &csrf), ("code", &code)],
        )
        .await;
    assert!(verified.location.ends_with("/second"), "{}", verified.body);
    v.post(
        &format!("{link}/second"),
        &[("csrf", &csrf), ("code", access)],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_is_rotated_and_retired_while_mail_waits_and_nothing_is_lost() {
    let sink = Sink::start();
    let (temp, port) = init(
        &sink,
        &[(
            "second_factor = \"sms_if_known\"",
            "second_factor = \"access_code\"",
        )],
    );
    let dir = temp.path();
    let config = dir.join("zegel.toml");
    let key_file = dir.join("zegel-data/kek.key");
    let to_sink = format!("relay_host = \"127.0.0.1:{}\"", sink.port());
    let to_nowhere = format!("relay_host = \"127.0.0.1:{}\"", free_port());
    let relay = |from: &str, to: &str| {
        let text = std::fs::read_to_string(&config).unwrap();
        assert!(text.contains(from));
        std::fs::write(&config, text.replacen(from, to, 1)).unwrap();
    };

    // 1. The first key; the relay is down, so everything waits.
    relay(&to_sink, &to_nowhere);
    let z = Zegel::run(dir, port);
    assert_eq!(roles(&key_file), ["current"]);
    let first_id = key_ok(dir, &["status"]);
    let (status, reply) = smtplib(
        port,
        "jan@zorg.nl",
        &["p.bakker@example.com"],
        &secure_mail("eerste overdracht"),
    );
    assert_eq!(status, "ok", "{reply}");
    let normal =
        "From: jan@zorg.nl\r\nTo: p.bakker@example.com\r\nSubject: agenda\r\n\r\nTot dinsdag.\r\n";
    let (status, reply) = smtplib(port, "jan@zorg.nl", &["p.bakker@example.com"], normal);
    assert_eq!(status, "ok", "{reply}");

    // 2. Stage while zegel runs; rotating must wait for the restart.
    let staged = key_ok(dir, &["stage"]);
    assert!(staged.contains("restart"), "{staged}");
    assert_eq!(roles(&key_file), ["current", "next"]);
    let (why, _) = key_refused(dir, &["rotate"]);
    assert!(why.contains("runs without the staged key"), "{why}");
    assert_eq!(roles(&key_file), ["current", "next"], "unchanged");
    z.stop();
    assert!(sink.messages().is_empty(), "the relay was down");
    relay(&to_nowhere, &to_sink);
    let z = Zegel::run(dir, port);
    // What waited under the first key goes out.
    mail_to(&sink, "p.bakker@example.com", "Tot dinsdag.");
    let first_link = link(&mail_to(&sink, "p.bakker@example.com", "/m/"), "/m/");
    let first_access = access_code(&sink, "jan@zorg.nl", "p.bakker@example.com");
    let status = key_ok(dir, &["status"]);
    assert!(
        status.contains("node ") && status.contains("holds"),
        "{status}"
    );
    let rotated = key_ok(dir, &["rotate"]);
    assert!(!rotated.contains("no key was staged"), "{rotated}");
    assert_eq!(roles(&key_file), ["current", "previous"]);
    assert!(dir.join("zegel-data/kek.key.old").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the key file stays owner-only");
    }
    let status = key_ok(dir, &["status"]);
    let old_id = first_id.split_whitespace().nth(1).unwrap().to_string();
    assert!(status.contains(&format!("previous  {old_id}")), "{status}");
    let (why, _) = key_refused(dir, &["retire"]);
    assert!(
        why.contains(&format!("still wraps with key {old_id}")),
        "{why}"
    );
    assert_eq!(roles(&key_file), ["current", "previous"], "unchanged");

    // 3. On the rotated file: the first key's access code still opens.
    z.stop();
    let z = Zegel::run(dir, port);
    let mut reader = Visitor::new(z.http_port);
    let opened = open_with_codes(&mut reader, &sink, &first_link, 1, &first_access).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let read = reader.get(&format!("{first_link}/read")).await;
    assert!(read.body.contains("eerste overdracht"), "{}", read.body);

    // A second secure mail, made under the new key.
    let (status, reply) = smtplib(
        port,
        "jan@zorg.nl",
        &["p.bakker@example.com"],
        &secure_mail("tweede overdracht"),
    );
    assert_eq!(status, "ok", "{reply}");
    // Both mails' notification and notice are there.
    wait_for_mails(&sink, "p.bakker@example.com", "/m/", 2);
    wait_for_mails(&sink, "jan@zorg.nl", "/status/", 2);
    let second_link = link(&mail_to(&sink, "p.bakker@example.com", "/m/"), "/m/");
    assert_ne!(second_link, first_link);
    let second_access = access_code(&sink, "jan@zorg.nl", "p.bakker@example.com");

    // Retire while zegel serves: the stored keys are re-wrapped, then the
    // retirement is refused for the first access code.
    let (why, report) = key_refused(dir, &["retire"]);
    assert!(
        why.contains("1 access codes") && why.contains("--force"),
        "{why}"
    );
    assert!(
        rewrapped(&report) >= 5,
        "the first key's data keys: {report}"
    );
    assert_eq!(roles(&key_file), ["current", "previous"], "unchanged");
    let retired = key_ok(dir, &["retire", "--force"]);
    assert!(retired.contains("stop matching"), "{retired}");
    assert_eq!(rewrapped(&retired), 0, "done the first time: {retired}");
    assert_eq!(roles(&key_file), ["current"]);
    z.stop();

    // 4. Without the first key.
    let z = Zegel::run(dir, port);
    let again = reader.get(&format!("{first_link}/read")).await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(again.body.contains("eerste overdracht") && again.body.contains("111222333"));
    let mut second = Visitor::new(z.http_port);
    let ok = open_with_codes(&mut second, &sink, &second_link, 2, &second_access).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let read = second.get(&format!("{second_link}/read")).await;
    assert!(read.body.contains("tweede overdracht"), "{}", read.body);
    let mut late = Visitor::new(z.http_port);
    let stale = open_with_codes(&mut late, &sink, &first_link, 3, &first_access).await;
    assert_eq!(stale.status, StatusCode::BAD_REQUEST, "{}", stale.body);

    assert!(key_refused(dir, &["rotate"]).0.contains("no key is staged"));
    let status = key_ok(dir, &["status"]);
    assert!(!status.contains("previous"), "{status}");
    for line in status.lines().skip(2).take(6) {
        let columns: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(&columns[2..], ["0", "0"], "{status}");
    }
    let trail = zegel()
        .args(["audit", "export", "--format", "json", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let trail = String::from_utf8_lossy(&trail.stdout);
    for event in ["key_staged", "key_rotated", "key_retired"] {
        assert!(trail.contains(event), "{event} in the trail");
    }
    let current = std::fs::read_to_string(&key_file).unwrap();
    let current = current
        .lines()
        .find_map(|l| l.strip_prefix("current "))
        .unwrap();
    assert!(!trail.contains(current.trim()), "no key in the trail");
    let verify = zegel()
        .args(["audit", "verify", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    z.stop();
}

#[test]
fn key_commands_refuse_what_they_cannot_do() {
    let sink = Sink::start();
    let (temp, _port) = init(&sink, &[]);
    let dir = temp.path();
    // No key file yet (zegel serve makes it): refused, nothing made.
    let key_file = dir.join("zegel-data/kek.key");
    std::fs::remove_file(&key_file).ok();
    assert!(key_refused(dir, &["status"]).0.contains("no key file"));
    assert!(!key_file.exists());
    // A key file that is not one.
    std::fs::write(&key_file, "current nonsense\n").unwrap();
    assert!(key_refused(dir, &["rotate"]).0.contains("is not"));
    assert_eq!(
        std::fs::read_to_string(&key_file).unwrap(),
        "current nonsense\n"
    );
    // One next key at a time; nothing to retire on a fresh ring.
    std::fs::remove_file(&key_file).unwrap();
    std::fs::write(&key_file, format!("{}\n", "ab".repeat(32))).unwrap();
    key_ok(dir, &["stage"]);
    assert!(key_refused(dir, &["stage"]).0.contains("staged already"));
    assert!(key_ok(dir, &["retire"]).contains("no previous keys"));
    // With no node running, rotating without a staged key makes a new one.
    key_ok(dir, &["rotate"]);
    let unstaged = key_ok(dir, &["rotate"]);
    assert!(unstaged.contains("no key was staged"), "{unstaged}");
    assert_eq!(roles(&key_file), ["current", "previous", "previous"]);
}
