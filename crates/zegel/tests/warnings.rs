//! Warnings act in the gateway (issue 19): a harmless mail to a look-alike
//! of the organisation's own domain is held for that recipient (the
//! others get it), the sender is told why, and `zegel held release` sends
//! it; with `[policy] lookalike = "warn"` it goes at once. The sender
//! decides through the link in the notice or on the staff web: sent,
//! cancelled, or (not answered in time) dropped with a notice; a forged
//! form, another sender's message or a second decision change nothing.
//! (The same flow in Chromium with axe: browser.rs.)

mod common;

use common::portal_mail::mail_to;
use common::staff_web::{add, password, PASSWORD};
use common::visitor::Visitor;
use common::*;
use reqwest::StatusCode;
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

/// A harmless mail from jan@zorg.nl to `to`, with `subject`.
fn harmless(to: &str, subject: &str) -> String {
    format!(
        "From: Jan Jansen <jan@zorg.nl>\r\nTo: {to}\r\nSubject: {subject}\r\n\
         Message-ID: <{subject}@zorg.nl>\r\n\r\nDonderdag om tien uur.\r\n"
    )
}

/// The notice to jan@zorg.nl that names `rcpt` and holds `needle`.
fn notice_for(sink: &Sink, rcpt: &str, needle: &str) -> String {
    let mut found = String::new();
    wait_until(
        || {
            found = sink
                .messages()
                .iter()
                .filter(|m| m.is_for("jan@zorg.nl"))
                .map(|m| m.decoded())
                .find(|t| t.contains(rcpt) && t.contains(needle))
                .unwrap_or_default();
            !found.is_empty()
        },
        WAIT,
    );
    assert!(
        !found.is_empty(),
        "no notice to the sender about {rcpt} with {needle:?}"
    );
    found
}

/// The path of the confirmation link in a notice.
fn confirm_path(notice: &str) -> String {
    let at = notice.find("/confirm/").expect("a confirmation link");
    notice[at..].split_whitespace().next().unwrap().to_string()
}

fn held_id(z: &Zegel, rcpt: &str) -> String {
    let held = cli(z, &["held", "list"]);
    let line = held
        .lines()
        .find(|l| l.contains(rcpt))
        .unwrap_or_else(|| panic!("{rcpt} not held: {held}"));
    line.split_whitespace().next().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sender_confirms_through_the_link_once_and_a_forged_form_does_nothing() {
    let sink = Sink::start();
    let z = Zegel::start(&sink, &[]);
    let (status, reply) = smtplib(z.port, "jan@zorg.nl", &["piet@zorg-nl.com"], MAIL);
    assert_eq!(status, "ok", "{reply}");
    let notice = notice_for(&sink, "piet@zorg-nl.com", "/confirm/");
    assert!(notice.contains("Verstuur of annuleer"), "{notice}");
    let link = confirm_path(&notice);

    let mut jan = Visitor::new(z.http_port);
    let page = jan.get(&link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("piet@zorg-nl.com") && page.body.contains("Toch versturen"));
    assert!(
        !page.body.contains("/separate"),
        "a copy each only for visible recipients"
    );
    // A form from elsewhere (no session, a guessed token) changes nothing;
    // neither does an unknown link.
    let forged = Visitor::new(z.http_port)
        .post(&format!("{link}/send"), &[("csrf", "x")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let unknown = Visitor::new(z.http_port)
        .get(&format!("/confirm/{}", "x".repeat(43)))
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    // Splitting is refused for a look-alike hold.
    let split = jan
        .post(&format!("{link}/separate"), &[("csrf", &page.csrf())])
        .await;
    assert_eq!(split.status, StatusCode::FORBIDDEN);
    assert!(sink
        .messages()
        .iter()
        .all(|m| !m.is_for("piet@zorg-nl.com")));

    let sent = jan
        .post(&format!("{link}/send"), &[("csrf", &page.csrf())])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    // Confirmed: the original reaches the look-alike domain.
    mail_to(&sink, "piet@zorg-nl.com", "Donderdag om tien uur");
    // Decided once: a later cancel changes nothing, the page says so.
    let late = jan
        .post(&format!("{link}/cancel"), &[("csrf", &page.csrf())])
        .await;
    assert_eq!(late.status, StatusCode::SEE_OTHER);
    let after = jan.get(&link).await;
    assert!(
        after.body.contains("het bericht is verstuurd"),
        "{}",
        after.body
    );
    assert!(!after.body.contains("Niet versturen"));
    let events = sql_at(
        &z.dir,
        "SELECT event || ' ' || subject FROM audit WHERE event LIKE 'held_%'",
    );
    assert_eq!(
        events.trim(),
        "held_confirmed jan@zorg.nl (confirmation link)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unanswered_held_mail_is_dropped_with_a_notice_and_senders_decide_on_the_staff_web() {
    let sink = Sink::start();
    let z = Zegel::start(&sink, &[("purge_every_secs = 300", "purge_every_secs = 1")]);
    add(&z, "jan@zorg.nl", "sender");
    add(&z, "kees@zorg.nl", "sender");
    for (rcpt, subject) in [
        ("els@zorgg.nl", "verlopen"),
        ("piet@zorg-nl.com", "web-versturen"),
        ("ria@zorg-nl.com", "web-annuleren"),
    ] {
        let (status, reply) = smtplib(z.port, "jan@zorg.nl", &[rcpt], &harmless(rcpt, subject));
        assert_eq!(status, "ok", "{reply}");
        notice_for(&sink, rcpt, "/confirm/");
    }

    // Not answered in time: dropped, and the sender told.
    let late = held_id(&z, "els@zorgg.nl");
    sql_at(
        &z.dir,
        &format!(
            "UPDATE hold_confirmations SET expires_at = 1 WHERE message_id = '{late}' RETURNING 1"
        ),
    );
    let dropped = notice_for(&sink, "els@zorgg.nl", "is niet verstuurd naar");
    assert!(dropped.contains("did not confirm it in time"), "{dropped}");
    assert!(!cli(&z, &["held", "list"]).contains("els@zorgg.nl"));

    // Kees, another sender, sees none of Jan's held mail and cannot
    // decide on it.
    let piet = held_id(&z, "piet@zorg-nl.com");
    let ria = held_id(&z, "ria@zorg-nl.com");
    let mut kees = Visitor::new(z.http_port);
    password(&mut kees, "kees@zorg.nl", PASSWORD).await;
    let page = kees.get("/app").await;
    assert!(!page.body.contains("zorg-nl.com"), "{}", page.body);
    let r = kees
        .post(
            "/app/held/send",
            &[("csrf", &page.csrf()), ("message", &piet)],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Jan sends one and cancels the other on the staff web.
    let mut jan = Visitor::new(z.http_port);
    password(&mut jan, "jan@zorg.nl", PASSWORD).await;
    let page = jan.get("/app").await;
    // The section of held mail (the history below lists every message).
    let held = page
        .body
        .split("id=\"held-title\"")
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .unwrap_or_else(|| panic!("no held section: {}", page.body));
    assert!(held.contains("Wacht op uw bevestiging"), "{held}");
    assert!(held.contains("piet@zorg-nl.com") && held.contains("ria@zorg-nl.com"));
    assert!(
        !held.contains("els@zorgg.nl"),
        "the dropped one is not offered"
    );
    let csrf = page.csrf();
    let r = jan
        .post("/app/held/send", &[("csrf", &csrf), ("message", &piet)])
        .await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (StatusCode::SEE_OTHER, "/app?done=held")
    );
    let r = jan
        .post("/app/held/cancel", &[("csrf", &csrf), ("message", &ria)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Confirmed: the original reaches the look-alike domain.
    mail_to(&sink, "piet@zorg-nl.com", "Donderdag om tien uur");
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert!(sink
        .messages()
        .iter()
        .all(|m| !m.is_for("ria@zorg-nl.com") && !m.is_for("els@zorgg.nl")));
    assert!(!jan
        .get("/app")
        .await
        .body
        .contains("Wacht op uw bevestiging"));
    let events = sql_at(
        &z.dir,
        "SELECT event FROM audit WHERE event LIKE 'held_%' ORDER BY seq",
    );
    assert_eq!(
        events.split_whitespace().collect::<Vec<_>>(),
        ["held_expired", "held_confirmed", "held_cancelled"]
    );
}
