//! The SMTP front door under attack, end to end against `zegel serve`
//! (issue 20): an AUTH flood before login, password guessing across
//! reconnects and across the two doors (SMTP and the staff web), a
//! colleague's address in `From`, an account disabled mid-session, source
//! routes in addresses, and one client taking every connection slot.

mod common;

use common::smtp_client::SmtpClient;
use common::staff_web::{self, PASSWORD};
use common::visitor::Visitor;
use common::*;
use std::time::Duration;
use zegel_testkit::Sink;

/// Localhost must log in (no relay network), as a client from outside.
const NO_RELAY: (&str, &str) = (
    "relay_networks = [\"127.0.0.0/8\", \"::1/128\"]",
    "relay_networks = [\"10.0.0.0/8\"]",
);

/// `[login]` limits for the test: per account and per address.
fn with_login(account: u32, address: u32) -> [(&'static str, String); 2] {
    [
        (
            "failures_per_account = 10",
            format!("failures_per_account = {account}"),
        ),
        (
            "failures_per_address = 30",
            format!("failures_per_address = {address}"),
        ),
    ]
}

fn start(sink: &Sink, extra: &[(&str, String)]) -> Zegel {
    let mut edits: Vec<(&str, &str)> = vec![NO_RELAY];
    edits.extend(extra.iter().map(|(a, b)| (*a, b.as_str())));
    Zegel::start(sink, &edits)
}

fn message(from: &str, subject: &str) -> String {
    format!("From: {from}\nTo: piet@example.com\nSubject: {subject}\n\nGewoon bericht.\n")
}

/// The server's resident memory (VmRSS), in KiB.
fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

/// 600 failed AUTHs over 30 TLS connections at once (each a different
/// account, so no lock stops them before their password is hashed): the
/// hashing is bounded, so memory stays flat (it once reached 5.2 GiB) and
/// a real submission afterwards goes through.
#[test]
fn an_auth_flood_keeps_memory_flat() {
    let sink = Sink::start();
    // 30 connections from one address: more than the default cap of 20.
    let [account, address] = with_login(1000, 100_000);
    let z = start(
        &sink,
        &[
            account,
            address,
            (
                "command_timeout_secs = 300",
                "command_timeout_secs = 300\nmax_connections_per_address = 40".to_string(),
            ),
        ],
    );
    staff_web::add(&z, "jan@zorg.nl", "sender");
    let before = resident_kib(z.child.id());
    let port = z.port;
    let floods: Vec<_> = (0..30)
        .map(|c| {
            std::thread::spawn(move || {
                let mut client = SmtpClient::tls(port);
                let mut codes = Vec::new();
                for i in 0..20 {
                    codes.push(client.code(&format!("auth flood-{c}-{i}@zorg.nl fout-{i}")));
                }
                codes
            })
        })
        .collect();
    let mut codes: Vec<u16> = Vec::new();
    for f in floods {
        codes.extend(f.join().unwrap());
    }
    assert_eq!(codes.len(), 600);
    assert!(
        codes.iter().all(|c| *c == 535 || *c == 454),
        "every AUTH refused: {codes:?}"
    );
    let after = resident_kib(z.child.id());
    println!(
        "resident before {before} KiB, after 600 failed AUTHs {after} KiB; {} answered 454 (busy)",
        codes.iter().filter(|c| **c == 454).count()
    );
    assert!(after < 1024 * 1024, "resident {after} KiB after the flood");
    // A real submission still goes through.
    let mut client = SmtpClient::tls(port);
    assert_eq!(client.code(&format!("auth jan@zorg.nl {PASSWORD}")), 235);
    assert_eq!(client.code("MAIL FROM:<jan@zorg.nl>"), 250);
    assert_eq!(client.code("RCPT TO:<piet@example.com>"), 250);
    let reply = client.data(&message("jan@zorg.nl", "Na de vloed"));
    assert!(reply.starts_with("250"), "{reply}");
    sink.wait_for(1, WAIT);
}

/// Guessing a password: reconnecting gains nothing; past the limit the
/// account answers 454 over SMTP with the right password too, and the
/// staff web refuses it as well; failures on the staff web lock SMTP AUTH
/// the same way. Each lock is audited.
#[test]
fn password_guessing_is_locked_across_connections_and_doors() {
    let sink = Sink::start();
    let z = start(&sink, &with_login(4, 50));
    staff_web::add(&z, "jan@zorg.nl", "sender");
    staff_web::add(&z, "piet@zorg.nl", "sender");
    let mut codes = Vec::new();
    for i in 0..6 {
        // A new connection for every guess.
        let mut client = SmtpClient::tls(z.port);
        codes.push(client.code(&format!("auth jan@zorg.nl gok-{i}")));
    }
    assert_eq!(codes, [535, 535, 535, 535, 454, 454]);
    let mut client = SmtpClient::tls(z.port);
    let locked = client.step(&format!("auth jan@zorg.nl {PASSWORD}"));
    assert!(
        locked.starts_with("454 "),
        "right password, locked: {locked}"
    );
    // The staff web refuses the locked account, right password and all.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let mut v = Visitor::new(z.http_port);
        let r = staff_web::password(&mut v, "jan@zorg.nl", PASSWORD).await;
        assert_eq!(
            r.status,
            reqwest::StatusCode::TOO_MANY_REQUESTS,
            "{}",
            r.body
        );
        // Four wrong passwords for piet on the staff web ...
        for i in 0..4 {
            let mut v = Visitor::new(z.http_port);
            let r = staff_web::password(&mut v, "piet@zorg.nl", &format!("fout-{i}")).await;
            assert_eq!(r.status, reqwest::StatusCode::UNAUTHORIZED, "{}", r.body);
        }
    });
    // ... lock piet's SMTP AUTH.
    let mut client = SmtpClient::tls(z.port);
    let locked = client.step(&format!("auth piet@zorg.nl {PASSWORD}"));
    assert!(locked.starts_with("454 "), "{locked}");
    let audited = sql_at(
        &z.dir,
        "SELECT count(*) FROM audit WHERE event = 'login_locked'",
    );
    assert_eq!(audited.trim(), "2", "one lock per account audited");
}

/// The header From (and Sender) must be the account's own address or one
/// granted to it: a colleague's name is refused with 550 and audited.
#[test]
fn a_colleagues_from_is_refused() {
    let sink = Sink::start();
    let z = start(
        &sink,
        &[(
            "command_timeout_secs = 300",
            "command_timeout_secs = 300\nsend_as = { \"anna@zorg.nl\" = [\"secretariaat@zorg.nl\"] }"
                .to_string(),
        )],
    );
    staff_web::add(&z, "anna@zorg.nl", "sender");
    staff_web::add(&z, "piet@zorg.nl", "sender");
    let mut client = SmtpClient::tls(z.port);
    assert_eq!(client.code(&format!("auth anna@zorg.nl {PASSWORD}")), 235);
    let send = |client: &mut SmtpClient, headers: &str, subject: &str| {
        assert_eq!(client.code("MAIL FROM:<anna@zorg.nl>"), 250);
        assert_eq!(client.code("RCPT TO:<piet@example.com>"), 250);
        client.data(&format!(
            "{headers}To: piet@example.com\nSubject: {subject}\n\nGewoon bericht.\n"
        ))
    };
    let forged = send(&mut client, "From: Piet <piet@zorg.nl>\n", "Vervalst");
    assert!(
        forged.starts_with("550 ") && forged.contains("piet@zorg.nl"),
        "{forged}"
    );
    let sender = send(
        &mut client,
        "From: anna@zorg.nl\nSender: piet@zorg.nl\n",
        "Sender",
    );
    assert!(sender.starts_with("550 "), "{sender}");
    let two = send(
        &mut client,
        "From: anna@zorg.nl\nFrom: piet@zorg.nl\n",
        "Twee",
    );
    assert!(two.starts_with("550 "), "{two}");
    let own = send(&mut client, "From: Anna <anna@zorg.nl>\n", "Eigen naam");
    assert!(own.starts_with("250 "), "{own}");
    let granted = send(
        &mut client,
        "From: Secretariaat <secretariaat@zorg.nl>\n",
        "Namens het secretariaat",
    );
    assert!(granted.starts_with("250 "), "{granted}");
    let got = sink.wait_for(2, WAIT);
    std::thread::sleep(Duration::from_secs(1));
    let subjects: Vec<String> = sink
        .messages()
        .iter()
        .map(|m| m.text())
        .filter_map(|t| {
            t.lines()
                .find(|l| l.starts_with("Subject: "))
                .map(str::to_string)
        })
        .collect();
    assert_eq!(got.len(), 2, "{subjects:?}");
    assert!(!subjects
        .iter()
        .any(|s| s.contains("Vervalst") || s.contains("Twee")));
    let audited = sql_at(
        &z.dir,
        "SELECT count(*) FROM audit WHERE event = 'sender_refused'",
    );
    assert_eq!(audited.trim(), "3");
}

/// An account disabled while its SMTP session is open: its next MAIL FROM
/// is refused and the session loses its login; a message whose envelope
/// was given before is refused at the end of DATA. The status links of
/// its secure messages stop working.
#[test]
fn a_disabled_account_stops_sending_mid_session() {
    let sink = Sink::start();
    let z = start(&sink, &[]);
    staff_web::add(&z, "anna@zorg.nl", "sender");
    // A secure message first, for its status link.
    let mut client = SmtpClient::tls(z.port);
    assert_eq!(client.code(&format!("auth anna@zorg.nl {PASSWORD}")), 235);
    assert_eq!(client.code("MAIL FROM:<anna@zorg.nl>"), 250);
    assert_eq!(client.code("RCPT TO:<piet@example.com>"), 250);
    let secure = client.data(
        "From: anna@zorg.nl\nTo: piet@example.com\nSubject: Client\n\n\
         Mevrouw de Vries, BSN 111222333, heeft diabetes type 2.\n",
    );
    assert!(secure.starts_with("250"), "{secure}");
    let status = common::portal_mail::link(
        &common::portal_mail::mail_to(&sink, "anna@zorg.nl", "/status/"),
        "/status/",
    );
    let path = &status[status.find("/status/").unwrap()..];
    let rt = tokio::runtime::Runtime::new().unwrap();
    let status_of =
        |path: &str| rt.block_on(async { Visitor::new(z.http_port).get(path).await.status });
    assert_eq!(status_of(path), reqwest::StatusCode::OK);
    // A second session has its envelope in before the account goes.
    let mut second = SmtpClient::tls(z.port);
    assert_eq!(second.code(&format!("auth anna@zorg.nl {PASSWORD}")), 235);
    assert_eq!(second.code("MAIL FROM:<anna@zorg.nl>"), 250);
    assert_eq!(second.code("RCPT TO:<piet@example.com>"), 250);

    staff_web::user(&z, &["disable", "anna@zorg.nl"], "");

    let refused = client.step("MAIL FROM:<anna@zorg.nl>");
    assert!(refused.starts_with("530 "), "{refused}");
    let again = client.step("MAIL FROM:<anna@zorg.nl>");
    assert!(again.starts_with("530 "), "the login is gone: {again}");
    let late = second.data(&message("anna@zorg.nl", "Na het uitschakelen"));
    assert!(late.starts_with("550 "), "{late}");
    assert_ne!(
        status_of(path),
        reqwest::StatusCode::OK,
        "the status link ended"
    );
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        !sink
            .messages()
            .iter()
            .any(|m| m.text().contains("Na het uitschakelen")),
        "nothing sent after the account was disabled"
    );
}

/// Source routes and quoted local parts at an internal domain are refused
/// (553): a mail server behind zegel could pass `user%evil.example@…` on
/// to evil.example, and the quoting would be lost on the way out.
#[test]
fn source_routed_and_quoted_addresses_are_refused() {
    let sink = Sink::start();
    let z = Zegel::start(&sink, &[]);
    let mut client = SmtpClient::connect(z.port);
    assert_eq!(client.code("EHLO client.test"), 250);
    assert_eq!(client.code("MAIL FROM:<jan@zorg.nl>"), 250);
    for rcpt in [
        "RCPT TO:<collega%evil.example@zorg.nl>",
        "RCPT TO:<evil.example!collega@zorg.nl>",
        "RCPT TO:<\"collega@evil.example\"@zorg.nl>",
    ] {
        let reply = client.step(rcpt);
        assert!(reply.starts_with("553 "), "{rcpt}: {reply}");
    }
    assert_eq!(client.code("RCPT TO:<collega@zorg.nl>"), 250);
}

/// One client cannot take every slot: past `max_connections_per_address`
/// its next connection is greeted with 421 and closed, while it holds the
/// others open.
#[test]
fn one_address_cannot_take_every_connection() {
    let sink = Sink::start();
    let z = start(
        &sink,
        &[(
            "command_timeout_secs = 300",
            "command_timeout_secs = 300\nmax_connections_per_address = 5".to_string(),
        )],
    );
    let held: Vec<SmtpClient> = (0..5).map(|_| SmtpClient::connect(z.port)).collect();
    for c in &held {
        assert!(c.greeting.starts_with("220"), "{}", c.greeting);
    }
    let sixth = SmtpClient::connect(z.port);
    assert!(sixth.greeting.starts_with("421"), "{}", sixth.greeting);
    drop(held);
    let served = || SmtpClient::connect(z.port).greeting.starts_with("220");
    wait_until(served, WAIT);
    assert!(
        served(),
        "the address is served again once its connections closed"
    );
}
