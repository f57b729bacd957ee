//! Inbound mode of zegel's own SMTP server, end to end: `[inbound]
//! deliver_to` set, Python's smtplib hands in mail from 127.0.0.1, which is
//! not a relay network here, so it is mail from outside. DNS comes from a
//! hickory-server zone on 127.0.0.1 (zegel-domaincheck's test DNS); the
//! internal mail server is a real SMTP sink.
//!
//! - mail for an outside address is refused at RCPT (no open relay);
//! - a spoof of a `p=reject` domain is refused at the end of DATA (550, the
//!   reasons in Dutch and English), never delivered, and recorded;
//! - a DMARC failure of a `p=quarantine` domain is accepted (250) but held:
//!   `zegel held list` shows it, `zegel held release` sends it;
//! - mail that passes arrives with our Authentication-Results on top, and a
//!   forged one claiming our name is removed;
//! - an outside sender using a colleague's name, a look-alike domain:
//!   `X-Zegel-Impersonation` and the `[EXTERN]` subject tag;
//! - internal domains changed by an administrator on the staff web hold
//!   for the next `RCPT` and message, without a restart: mail for an added
//!   domain is taken in, for a removed one refused, and an outsider using
//!   the added domain is suspected of impersonation.

mod common;
#[path = "../../zegel-domaincheck/tests/world/mod.rs"]
mod world;

use common::staff_web::{add, admin, enroll};
use common::visitor::Visitor;
use common::AUTH_ZONE as ZONE;
use common::*;
use std::time::Duration;
use zegel_testkit::Sink;

const WAIT: Duration = Duration::from_secs(30);

fn message(from: &str, subject: &str, extra: &str) -> String {
    format!(
        "{extra}From: {from}\r\nTo: p.bakker@zorg.nl\r\nSubject: {subject}\r\n\
         Date: Mon, 23 Nov 2026 10:00:00 +0100\r\nMessage-ID: <{subject}@zegel.test>\r\n\r\n\
         Tot donderdag.\r\n"
    )
}

fn held_cli(z: &Zegel, args: &[&str]) -> String {
    let out = zegel()
        .arg("held")
        .args(args)
        .arg("--config")
        .arg(z.dir.join("zegel.toml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "zegel held {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn inbound_mode_checks_outside_mail_before_250_and_passes_it_on() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dns = runtime.block_on(world::Dns::start(ZONE));
    let sink = Sink::start();
    let colleagues = tempfile::tempdir().unwrap();
    let colleagues_file = colleagues.path().join("colleagues.csv");
    std::fs::write(
        &colleagues_file,
        "naam,adres\nAnna de Vries,a.devries@zorg.nl\n",
    )
    .unwrap();
    let servers = format!("dns_servers = [\"{}\"]", dns.relay);
    let deliver_to = format!("deliver_to = \"127.0.0.1:{}\"", sink.port());
    let colleagues_line = format!("colleagues_file = {:?}", colleagues_file.to_str().unwrap());
    let z = Zegel::start(
        &sink,
        &[
            (
                "relay_networks = [\"127.0.0.0/8\", \"::1/128\"]",
                "relay_networks = [\"192.0.2.0/24\"]",
            ),
            ("# dns_servers = [\"127.0.0.1:53\"]", servers.as_str()),
            ("# deliver_to = \"mail.zorg.nl:25\"", deliver_to.as_str()),
            (
                "# extern_tag = \"[EXTERN]\"                     # subject tag for suspected impersonation",
                "extern_tag = \"[EXTERN]\"",
            ),
            (
                "# colleagues_file = \"colleagues.csv\"",
                colleagues_line.as_str(),
            ),
        ],
    );

    // No open relay: an outside client cannot send to an outside address.
    let (status, reply) = smtplib(
        z.port,
        "jan@pass.test",
        &["iemand@example.com"],
        &message("jan@pass.test", "relay", ""),
    );
    assert_eq!(status, "refused", "{reply}");
    assert!(
        reply.contains("550") && reply.contains("Relay access denied"),
        "{reply}"
    );

    // A spoof of a p=reject domain: refused after DATA, in both languages.
    let (status, reply) = smtplib(
        z.port,
        "directie@spoof.test",
        &["p.bakker@zorg.nl"],
        &message("Directie <directie@spoof.test>", "spoof", ""),
    );
    assert_eq!(status, "refused", "{reply}");
    assert!(reply.starts_with("550"), "{reply}");
    assert!(
        reply.contains("Geweigerd") && reply.contains("Refused") && reply.contains("spoof.test"),
        "{reply}"
    );

    // A DMARC failure of a p=quarantine domain: 250, but held.
    let (status, reply) = smtplib(
        z.port,
        "info@held.test",
        &["p.bakker@zorg.nl"],
        &message("Info <info@held.test>", "quarantined", ""),
    );
    assert_eq!(status, "ok", "{reply}");

    // Mail that passes, mail without DMARC, and two impersonations.
    let forged = "Authentication-Results: localhost; dmarc=pass header.from=forged.example\r\n";
    for (envelope, from, subject) in [
        ("jan@pass.test", "Jan <jan@pass.test>", "pass"),
        ("info@plain.test", "info@plain.test", "plain"),
        ("jan@zorg.test", "Jan de Vries <jan@zorg.test>", "lookalike"),
        (
            "anna@plain.test",
            "Anna de Vries <anna@plain.test>",
            "colleague",
        ),
    ] {
        let (status, reply) = smtplib(
            z.port,
            envelope,
            &["p.bakker@zorg.nl", "secretariaat@zorg.nl"],
            &message(from, subject, forged),
        );
        assert_eq!(status, "ok", "{from}: {reply}");
    }
    let got = sink.wait_for(8, WAIT);
    assert_eq!(got.len(), 8, "two recipients of four messages: {got:?}");
    std::thread::sleep(Duration::from_millis(500));
    let got = sink.messages();
    assert_eq!(got.len(), 8, "nothing else arrives: {got:?}");
    assert!(!got.iter().any(|m| m.text().contains("Subject: spoof")));
    assert!(!got.iter().any(|m| m.text().contains("quarantined")));

    let pass = find(&got, "secretariaat@zorg.nl", "Subject: pass").expect("pass delivered");
    let text = pass.text();
    assert!(
        text.starts_with("Received: from ") && text.contains("(zegel)"),
        "{text}"
    );
    let results = text
        .split("\r\nAuthentication-Results: ")
        .nth(1)
        .expect("our Authentication-Results");
    assert!(results.starts_with("localhost;"), "{text}");
    assert!(text.contains("spf=pass"), "{text}");
    assert!(text.contains("dmarc=pass"), "{text}");
    assert!(
        !text.contains("forged.example"),
        "a forged result in our name must go: {text}"
    );
    assert!(!text.contains("X-Zegel-Impersonation"), "{text}");
    let plain = find(&got, "p.bakker@zorg.nl", "Subject: plain").expect("plain delivered");
    assert!(plain.text().contains("dmarc=none"), "{}", plain.text());

    for (subject, why) in [
        ("lookalike", "From domain zorg.test looks like zorg.nl"),
        ("colleague", "is the name of colleague a.devries@zorg.nl"),
    ] {
        let m = find(
            &got,
            "p.bakker@zorg.nl",
            &format!("Subject: [EXTERN] {subject}"),
        )
        .unwrap_or_else(|| panic!("{subject}: no tagged message in {got:?}"));
        let text = m.text();
        assert!(text.contains("X-Zegel-Impersonation: "), "{text}");
        assert!(text.replace("\r\n ", " ").contains(why), "{text}");
    }

    // The held message: listed, then released and delivered.
    let list = held_cli(&z, &["list"]);
    let line = list
        .lines()
        .find(|l| l.contains("info@held.test"))
        .unwrap_or_else(|| panic!("held list: {list}"));
    assert!(
        line.contains("inbound") && line.contains("p.bakker@zorg.nl"),
        "{line}"
    );
    let id = line.split_whitespace().next().unwrap();
    let released = held_cli(&z, &["release", id, "--by", "privacy@zorg.nl"]);
    assert!(released.contains("1 delivery"), "{released}");
    let got = sink.wait_for(9, WAIT);
    let quarantined =
        find(&got, "p.bakker@zorg.nl", "Subject: quarantined").expect("released message delivered");
    assert!(
        quarantined.text().contains("dmarc=fail"),
        "{}",
        quarantined.text()
    );
    assert!(!held_cli(&z, &["list"]).contains(id));

    // The trail holds what happened, without content.
    let out = zegel()
        .args(["audit", "export", "--format", "json", "--config"])
        .arg(z.dir.join("zegel.toml"))
        .output()
        .unwrap();
    let trail = String::from_utf8_lossy(&out.stdout);
    for event in [
        "inbound_refused",
        "inbound_held",
        "held_released",
        "\"inbound\"",
    ] {
        assert!(trail.contains(event), "{event} missing: {trail}");
    }
    assert!(!trail.contains("Tot donderdag"), "{trail}");
}

/// Whether the inbound mode takes a message from jan@pass.test (SPF and
/// DMARC pass) for `rcpt`; the SMTP answer when it does not.
fn hand_in(z: &Zegel, rcpt: &str, subject: &str) -> (String, String) {
    let message = format!(
        "From: Jan <jan@pass.test>\r\nTo: {rcpt}\r\nSubject: {subject}\r\n\
         Date: Mon, 23 Nov 2026 10:00:00 +0100\r\nMessage-ID: <{subject}@zegel.test>\r\n\r\n\
         Tot donderdag.\r\n"
    );
    smtplib(z.port, "jan@pass.test", &[rcpt], &message)
}

#[test]
fn internal_domains_changed_on_the_web_decide_what_the_inbound_mode_takes_in() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dns = runtime.block_on(world::Dns::start(ZONE));
    let sink = Sink::start();
    let servers = format!("dns_servers = [\"{}\"]", dns.relay);
    let deliver_to = format!("deliver_to = \"127.0.0.1:{}\"", sink.port());
    let z = Zegel::start(
        &sink,
        &[
            (
                "relay_networks = [\"127.0.0.0/8\", \"::1/128\"]",
                "relay_networks = [\"192.0.2.0/24\"]",
            ),
            ("# dns_servers = [\"127.0.0.1:53\"]", servers.as_str()),
            ("# deliver_to = \"mail.zorg.nl:25\"", deliver_to.as_str()),
            (
                "# extern_tag = \"[EXTERN]\"                     # subject tag for suspected impersonation",
                "extern_tag = \"[EXTERN]\"",
            ),
        ],
    );
    add(&z, "fg@zorg.nl", "admin");
    let secret = enroll(&z, "fg@zorg.nl");

    // The config file's zorg.nl is taken in, wijkteam.test is not.
    let (status, reply) = hand_in(&z, "a.jansen@wijkteam.test", "before-new");
    assert_eq!(status, "refused", "{reply}");
    assert!(reply.contains("Relay access denied"), "{reply}");
    let (status, reply) = hand_in(&z, "p.bakker@zorg.nl", "before-old");
    assert_eq!(status, "ok", "{reply}");
    assert_eq!(sink.wait_for(1, WAIT).len(), 1);

    // The administrator makes wijkteam.test the internal domain instead of
    // zorg.nl, on the web, with the session's form token.
    runtime.block_on(async {
        let mut fg = Visitor::new(z.http_port);
        admin(&mut fg, "fg@zorg.nl", &secret).await;
        let form = fg.get("/app/admin/policy").await;
        assert!(form.body.contains(">zorg.nl</textarea>"), "{}", form.body);
        let csrf = form.csrf();
        let r = fg
            .post(
                "/app/admin/policy",
                &[
                    ("csrf", csrf.as_str()),
                    ("action", "portal"),
                    ("kind", "bsn"),
                    ("min_confidence", "0.5"),
                    ("visible_external_threshold", "10"),
                    ("internal_domains", "Wijkteam.test"),
                    ("partner_domains", ""),
                ],
            )
            .await;
        assert_eq!(r.status, reqwest::StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Beleid opgeslagen"), "{}", r.body);
    });

    // No restart: the next RCPT sees the change.
    let (status, reply) = hand_in(&z, "a.jansen@wijkteam.test", "after-new");
    assert_eq!(status, "ok", "{reply}");
    let (status, reply) = hand_in(&z, "p.bakker@zorg.nl", "after-old");
    assert_eq!(status, "refused", "{reply}");
    assert!(
        reply.contains("550") && reply.contains("Relay access denied"),
        "{reply}"
    );
    let got = sink.wait_for(2, WAIT);
    let new = find(&got, "a.jansen@wijkteam.test", "Subject: after-new")
        .expect("mail for the added domain delivered");
    assert!(new.text().contains("dmarc=pass"), "{}", new.text());
    assert!(
        !new.text().contains("X-Zegel-Impersonation"),
        "{}",
        new.text()
    );

    // An outsider writing as the added internal domain (no DMARC pass) is
    // suspected now: the inbound checks see the same domains.
    let spoof = "From: Directie <directie@wijkteam.test>\r\nTo: a.jansen@wijkteam.test\r\n\
                 Subject: spoofed\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\n\
                 Message-ID: <spoofed@zegel.test>\r\n\r\nBetaal deze factuur.\r\n";
    let (status, reply) = smtplib(
        z.port,
        "directie@wijkteam.test",
        &["a.jansen@wijkteam.test"],
        spoof,
    );
    assert_eq!(status, "ok", "{reply}");
    let got = sink.wait_for(3, WAIT);
    let m = find(&got, "a.jansen@wijkteam.test", "Subject: [EXTERN] spoofed")
        .unwrap_or_else(|| panic!("no tagged message in {got:?}"));
    assert!(
        m.text().replace("\r\n ", " ").contains(
            "From directie@wijkteam.test uses an internal domain but is not authenticated (DMARC)"
        ),
        "{}",
        m.text()
    );
    assert_eq!(
        sink.messages().len(),
        3,
        "nothing for zorg.nl after the change"
    );
}
