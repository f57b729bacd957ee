//! Warnings act in the gateway (issue 19): a harmless mail to a look-alike
//! of the organisation's own domain is held for that recipient (the
//! others get it), the sender is told why, and `zegel held release` sends
//! it; with `[policy] lookalike = "warn"` it goes at once.

mod common;

use common::*;
use zegel_testkit::Sink;

const MAIL: &str = "From: Jan Jansen <jan@zorg.nl>\r\nTo: piet@zorg-nl.com, els@example.com\r\n\
                    Subject: Agenda donderdag\r\nMessage-ID: <lookalike-1@zorg.nl>\r\n\r\n\
                    Hoi Piet en Els,\r\n\r\nDonderdag om tien uur, agenda volgt.\r\n\r\nGroet, Jan\r\n";

fn cli(z: &Zegel, args: &[&str]) -> String {
    let out = zegel()
        .args(args)
        .arg("--config")
        .arg(z.dir.join("zegel.toml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn mail_to_a_look_alike_domain_is_held_for_that_recipient_until_released() {
    let sink = Sink::start();
    let z = Zegel::start(&sink, &[]);
    let rcpts = ["piet@zorg-nl.com", "els@example.com"];
    let (status, reply) = smtplib(z.port, "jan@zorg.nl", &rcpts, MAIL);
    assert_eq!(status, "ok", "{reply}");
    // The other recipient gets the original; the sender is told. The two
    // are separate deliveries that may arrive in either order: wait for both.
    wait_until(
        || {
            let got = sink.messages();
            got.iter().any(|m| m.is_for("jan@zorg.nl"))
                && got.iter().any(|m| m.is_for("els@example.com"))
        },
        WAIT,
    );
    let got = sink.messages();
    assert!(
        got.iter()
            .any(|m| m.is_for("els@example.com") && m.text().contains("lookalike-1@zorg.nl")),
        "els gets the original"
    );
    let notice = got
        .iter()
        .find(|m| m.is_for("jan@zorg.nl"))
        .expect("a notice to the sender");
    let text = notice.decoded();
    assert!(
        text.contains("zorg-nl.com") && text.contains("zorg.nl"),
        "{text}"
    );
    assert!(text.contains("tegengehouden"), "{text}");
    assert!(
        got.iter().all(|m| !m.is_for("piet@zorg-nl.com")),
        "nothing reaches the look-alike domain"
    );
    let held = cli(&z, &["held", "list"]);
    let line = held
        .lines()
        .find(|l| l.contains("piet@zorg-nl.com"))
        .unwrap_or_else(|| panic!("not held: {held}"));
    let id = line.split_whitespace().next().unwrap().to_string();
    cli(&z, &["held", "release", &id, "--by", "privacy@zorg.nl"]);
    wait_until(
        || sink.messages().iter().any(|m| m.is_for("piet@zorg-nl.com")),
        WAIT,
    );
    assert!(
        sink.messages()
            .iter()
            .any(|m| m.is_for("piet@zorg-nl.com") && m.text().contains("lookalike-1@zorg.nl")),
        "released: the original reaches the look-alike domain"
    );
}

#[test]
fn with_lookalike_warn_the_mail_goes_at_once() {
    let sink = Sink::start();
    let z = Zegel::start(&sink, &[("lookalike = \"hold\"", "lookalike = \"warn\"")]);
    let (status, reply) = smtplib(z.port, "jan@zorg.nl", &["piet@zorg-nl.com"], MAIL);
    assert_eq!(status, "ok", "{reply}");
    wait_until(
        || sink.messages().iter().any(|m| m.is_for("piet@zorg-nl.com")),
        WAIT,
    );
    assert!(sink.messages().iter().any(|m| m.is_for("piet@zorg-nl.com")));
}

/// A secure mail to a look-alike domain is held like any other; released,
/// it goes the secure way it would have gone (a portal notification), never
/// as the original: confirming the domain does not lift the protection.
#[test]
fn a_released_secure_mail_to_a_look_alike_still_goes_through_the_portal() {
    let sink = Sink::start();
    let z = Zegel::start(&sink, &[]);
    let secure = "From: Jan Jansen <jan@zorg.nl>\r\nTo: piet@zorg-nl.com\r\n\
                  Subject: Overdracht\r\nMessage-ID: <lookalike-2@zorg.nl>\r\n\r\n\
                  Mevrouw Fatima el Amrani, BSN 111222333, heeft diabetes.\r\n";
    let (status, reply) = smtplib(z.port, "jan@zorg.nl", &["piet@zorg-nl.com"], secure);
    assert_eq!(status, "ok", "{reply}");
    wait_until(
        || sink.messages().iter().any(|m| m.is_for("jan@zorg.nl")),
        WAIT,
    );
    assert!(
        sink.messages()
            .iter()
            .all(|m| !m.is_for("piet@zorg-nl.com")),
        "held"
    );
    let held = cli(&z, &["held", "list"]);
    let line = held
        .lines()
        .find(|l| l.contains("piet@zorg-nl.com"))
        .unwrap_or_else(|| panic!("not held: {held}"));
    let id = line.split_whitespace().next().unwrap().to_string();
    cli(&z, &["held", "release", &id, "--by", "privacy@zorg.nl"]);
    wait_until(
        || sink.messages().iter().any(|m| m.is_for("piet@zorg-nl.com")),
        WAIT,
    );
    let got: Vec<_> = sink
        .messages()
        .into_iter()
        .filter(|m| m.is_for("piet@zorg-nl.com"))
        .collect();
    assert!(!got.is_empty(), "released");
    for m in &got {
        assert!(
            !m.text().contains("111222333") && !m.decoded().contains("111222333"),
            "the original went to the look-alike after release: {}",
            m.text()
        );
        assert!(
            m.decoded().contains("/m/"),
            "a portal notification: {}",
            m.decoded()
        );
    }
}
