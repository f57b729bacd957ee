//! Inbound mail authentication in the milter, end to end: real Postfix asks
//! `zegel serve` (`[milter] authenticate = true`) about each message; DNS
//! comes from a hickory-server zone on 127.0.0.1 (zegel-domaincheck's test
//! DNS). A message claiming a `p=reject` domain that fails SPF and has no
//! DKIM signature is refused (550 5.7.1); mail that passes, and mail from a
//! domain without DMARC, goes through with an Authentication-Results header.
//! One failing DMARC of a `p=quarantine` domain is accepted but held in
//! Postfix's hold queue, never delivered.
//! Suspected impersonation of the organisation (zorg.nl) gets
//! `X-Zegel-Impersonation` and the configured `[EXTERN]` subject tag: a
//! look-alike From domain (zorg.test), and a display name holding an
//! internal address.

mod common;
#[path = "../../zegel-domaincheck/tests/world/mod.rs"]
mod world;

use common::AUTH_ZONE as ZONE;
use common::*;
use std::time::Duration;
use zegel_testkit::Sink;

const WAIT: Duration = Duration::from_secs(30);

fn message(from: &str, subject: &str) -> String {
    format!(
        "From: {from}\r\nTo: p.bakker@example.com\r\nSubject: {subject}\r\n\
         Date: Mon, 23 Nov 2026 10:00:00 +0100\r\nMessage-ID: <{subject}@zegel.test>\r\n\r\n\
         Tot donderdag.\r\n"
    )
}

#[test]
fn postfix_milter_refuses_dmarc_reject_spoofs_and_labels_the_rest() {
    if !zegel_testkit::postfix::available() {
        eprintln!("SKIPPED: /usr/sbin/postfix is not installed (scripts/test installs it)");
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dns = runtime.block_on(world::Dns::start(ZONE));
    let sink = Sink::start();
    let milter_port = zegel_testkit::free_port();
    let listen = format!("listen = \"127.0.0.1:{milter_port}\"");
    let servers = format!("dns_servers = [\"{}\"]", dns.relay);
    let _z = Zegel::start(
        &sink,
        &[
            ("# listen = \"127.0.0.1:8891\"", listen.as_str()),
            (
                "mode = \"policy\"",
                "mode = \"policy\"\nauthenticate = true\nextern_tag = \"[EXTERN]\"",
            ),
            ("# dns_servers = [\"127.0.0.1:53\"]", servers.as_str()),
        ],
    );
    let postfix = zegel_testkit::postfix::Postfix::start(zegel_testkit::postfix::PostfixOptions {
        milter_port: Some(milter_port),
        relay_port: sink.port(),
    })
    .unwrap_or_else(|e| panic!("postfix did not start: {e}"));

    // A spoof of a p=reject domain: refused, with the reason in both
    // languages, and never delivered.
    let (status, reply) = smtplib(
        postfix.port(),
        "directie@spoof.test",
        &["p.bakker@example.com"],
        &message("Directie <directie@spoof.test>", "spoof"),
    );
    assert_eq!(status, "refused", "{reply}\n{}", postfix.log());
    assert!(reply.contains("550"), "{reply}");
    assert!(
        reply.contains("DMARC") && reply.contains("spoof.test") && reply.contains("Geweigerd"),
        "{reply}"
    );

    // A DMARC failure of a p=quarantine domain: accepted (250), held in
    // Postfix's hold queue with zegel's reason, never delivered.
    let (status, reply) = smtplib(
        postfix.port(),
        "info@held.test",
        &["p.bakker@example.com"],
        &message("Info <info@held.test>", "quarantined"),
    );
    assert_eq!(status, "ok", "{reply}\n{}", postfix.log());
    let mut queue = String::new();
    for _ in 0..100 {
        queue = postfix.queue();
        if queue.contains('!') {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // postqueue -p marks a held message with '!' after its queue id.
    assert!(
        queue
            .lines()
            .any(|l| l.contains('!') && l.contains("info@held.test")),
        "held: {queue}\n{}",
        postfix.log()
    );
    assert!(
        postfix
            .log()
            .lines()
            .any(|l| l.contains("milter-hold") && l.contains("from=<info@held.test>")),
        "{}",
        postfix.log()
    );

    // The real sender of pass.test and a domain without DMARC get through,
    // labelled.
    for (envelope, from, subject) in [
        ("jan@pass.test", "jan@pass.test", "pass"),
        ("info@plain.test", "info@plain.test", "plain"),
        ("jan@zorg.test", "Jan de Vries <jan@zorg.test>", "lookalike"),
        (
            "boss@plain.test",
            "\"directeur@zorg.nl\" <boss@plain.test>",
            "displayname",
        ),
    ] {
        let (status, reply) = smtplib(
            postfix.port(),
            envelope,
            &["p.bakker@example.com"],
            &message(from, subject),
        );
        assert_eq!(status, "ok", "{from}: {reply}\n{}", postfix.log());
    }
    let got = sink.wait_for(4, WAIT);
    assert_eq!(got.len(), 4, "{}", postfix.log());
    let pass = got
        .iter()
        .find(|m| m.text().contains("Subject: pass"))
        .expect("pass delivered");
    let text = pass.text();
    assert!(
        text.contains("Authentication-Results: localhost;"),
        "{text}"
    );
    assert!(text.contains("spf=pass"), "{text}");
    assert!(text.contains("dmarc=pass"), "{text}");
    let plain = got
        .iter()
        .find(|m| m.text().contains("Subject: plain"))
        .expect("plain delivered");
    let text = plain.text();
    assert!(
        text.contains("Authentication-Results: localhost;"),
        "{text}"
    );
    assert!(text.contains("dmarc=none"), "{text}");
    assert!(!got.iter().any(|m| m.text().contains("Subject: spoof")));
    assert!(!got
        .iter()
        .any(|m| m.text().contains("Subject: quarantined")));
    for m in [pass, plain] {
        let text = m.text();
        assert!(!text.contains("X-Zegel-Impersonation"), "{text}");
        assert!(!text.contains("[EXTERN]"), "{text}");
    }
    for (subject, why) in [
        ("lookalike", "From domain zorg.test looks like zorg.nl"),
        ("displayname", "holds an address at internal zorg.nl"),
    ] {
        let m = got
            .iter()
            .find(|m| m.text().contains(&format!("Subject: [EXTERN] {subject}")))
            .unwrap_or_else(|| panic!("{subject}: no tagged message in {got:?}"));
        let text = m.text();
        assert!(text.contains("X-Zegel-Impersonation: "), "{text}");
        assert!(text.replace("\r\n ", " ").contains(why), "{text}");
    }
}
