//! The web front door under attack, end to end against `zegel serve`
//! (issue 20): a session id that outlives sign-in, endless replies, a
//! request trickled one header at a time, one client taking every
//! connection, clients hiding behind (or pretending to be) the reverse
//! proxy, and the public contact page made to mail a domain at will.

mod common;

use common::portal_mail::{link, mail_code, mail_to};
use common::visitor::Visitor;
use common::*;
use reqwest::StatusCode;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use zegel_testkit::Sink;

/// A secure mail from jan to one external recipient (the mail code alone
/// opens it: no phone number is known); its portal link.
fn send_secure(sink: &Sink, z: &Zegel, to: &str) -> String {
    let (status, reply) = smtplib(
        z.port,
        "jan@zorg.nl",
        &[to],
        &format!(
            "From: Jan <jan@zorg.nl>\r\nTo: {to}\r\nSubject: Overdracht\r\n\r\n\
             Mevrouw de Vries, BSN 111222333, heeft diabetes type 2.\r\n"
        ),
    );
    assert_eq!(status, "ok", "{reply}");
    link(&mail_to(sink, to, "/m/"), "/m/")
}

fn cookie<'a>(v: &'a Visitor, name: &str) -> &'a str {
    &v.cookies.iter().find(|(k, _)| k == name).unwrap().1
}

/// Opens the message with the mail code; the visitor is signed in.
async fn open(sink: &Sink, v: &mut Visitor, link: &str, to: &str) -> String {
    let csrf = v.get(link).await.csrf();
    let sent = v.post(&format!("{link}/code"), &[("csrf", &csrf)]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let code = mail_code(sink, to, 1);
    let before = cookie(v, "zegel_r").to_string();
    let ok = v
        .post(
            &format!("{link}/verify"),
            &[("csrf", &csrf), ("code", &code)],
        )
        .await;
    assert!(ok.location.ends_with("/read"), "{}", ok.body);
    assert_ne!(
        cookie(v, "zegel_r"),
        before,
        "a new session id after the code"
    );
    before
}

/// The session id is new once the code is right: an id seen or fixed
/// before (a shared computer, a planted cookie) opens nothing. Replies
/// per message and day are capped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_id_changes_at_sign_in_and_replies_are_capped() {
    let sink = Sink::start();
    let z = Zegel::start(
        &sink,
        &[(
            "max_upload_mb = 25",
            "max_upload_mb = 25\nreplies_per_message_day = 2",
        )],
    );
    let to = "p.bakker@example.com";
    let link = send_secure(&sink, &z, to);
    let mut v = Visitor::new(z.http_port);
    let old = open(&sink, &mut v, &link, to).await;
    let read = v.get(&format!("{link}/read")).await;
    assert_eq!(read.status, StatusCode::OK);
    // The id from before the code: back to the start, not the message.
    let mut fixed = Visitor::new(z.http_port);
    fixed.cookies.push(("zegel_r".into(), old));
    let r = fixed.get(&format!("{link}/read")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!r.location.ends_with("/read"), "{}", r.location);

    let csrf = read.csrf();
    let mut answers = Vec::new();
    for i in 0..3 {
        let r = v
            .post_files(
                &format!("{link}/reply"),
                &[("csrf", &csrf), ("text", &format!("Antwoord {i}"))],
                ("a.txt", b"x"),
            )
            .await;
        answers.push(r.status);
    }
    assert_eq!(
        answers,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    mail_to(&sink, "jan@zorg.nl", "Antwoord 1");
    std::thread::sleep(Duration::from_secs(1));
    assert!(!sink
        .messages()
        .iter()
        .any(|m| m.decoded().contains("Antwoord 2")));
}

/// A request whose headers come one line every second is cut off at the
/// header deadline, not kept open as long as the client likes.
#[test]
fn a_trickled_request_is_cut_off() {
    let sink = Sink::start();
    let z = Zegel::start(
        &sink,
        &[(
            "[storage]",
            "max_connections_per_address = 3\nheader_timeout_secs = 2\n\n[storage]",
        )],
    );
    let mut slow = TcpStream::connect(("127.0.0.1", z.http_port)).unwrap();
    slow.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    slow.write_all(b"GET /contact HTTP/1.1\r\nHost: zegel\r\n")
        .unwrap();
    let started = Instant::now();
    let mut closed = false;
    for i in 0..12 {
        std::thread::sleep(Duration::from_millis(800));
        if slow
            .write_all(format!("X-Trickle-{i}: ja\r\n").as_bytes())
            .is_err()
        {
            closed = true;
            break;
        }
        let mut buf = [0u8; 256];
        match slow.read(&mut buf) {
            Ok(0) => {
                closed = true;
                break;
            }
            // A 408 answer, then the close.
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => {
                closed = true;
                break;
            }
        }
    }
    assert!(closed, "still open after {:?}", started.elapsed());
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );

    // Three idle connections from this address are the cap: a fourth is
    // closed at once, while the three are held.
    let held: Vec<TcpStream> = (0..3)
        .map(|_| TcpStream::connect(("127.0.0.1", z.http_port)).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut fourth = TcpStream::connect(("127.0.0.1", z.http_port)).unwrap();
    fourth
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let _ = fourth.write_all(b"GET /contact HTTP/1.1\r\nHost: zegel\r\n\r\n");
    let mut buf = Vec::new();
    let _ = fourth.read_to_end(&mut buf);
    assert!(
        !String::from_utf8_lossy(&buf).starts_with("HTTP/1.1 200"),
        "the fourth connection was served"
    );
    drop(held);
    let rt = tokio::runtime::Runtime::new().unwrap();
    // Once the server has seen them close, the address is served again.
    let url = format!("http://127.0.0.1:{}/contact", z.http_port);
    let served = || {
        rt.block_on(async { common::visitor::client().get(&url).send().await })
            .is_ok()
    };
    wait_until(served, WAIT);
    assert!(
        served(),
        "the address is served again once its connections closed"
    );
}

/// Behind the reverse proxy (`trusted_proxies`), each client is counted by
/// the address the proxy saw: one client's misses do not lock out the
/// others, and a client cannot pick its address by writing the header
/// itself to zegel directly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_behind_the_trusted_proxy_are_counted_apart() {
    let sink = Sink::start();
    let z = Zegel::start(
        &sink,
        &[(
            "[storage]",
            "trusted_proxies = [\"127.0.0.1\"]\n\n[storage]",
        )],
    );
    let http = common::visitor::client();
    let miss = |from: &'static str| {
        let http = http.clone();
        let url = format!("http://127.0.0.1:{}/m/onbekend-{from}", z.http_port);
        async move {
            http.get(url)
                .header("x-forwarded-for", from)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let mut limited = false;
    for _ in 0..40 {
        if miss("192.0.2.1").await == StatusCode::TOO_MANY_REQUESTS {
            limited = true;
            break;
        }
    }
    assert!(limited, "one client's misses are limited");
    assert_ne!(
        miss("192.0.2.2").await,
        StatusCode::TOO_MANY_REQUESTS,
        "another client behind the proxy is not"
    );
}

/// The public contact page sends a code to any address typed in: a cap
/// per recipient domain per hour keeps it from mailing a domain at will.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_contact_page_cannot_mail_a_domain_at_will() {
    let sink = Sink::start();
    let z = Zegel::start(
        &sink,
        &[
            (
                "# contact_address = \"balie@zorg.nl\"",
                "contact_address = \"balie@zorg.nl\"",
            ),
            (
                "max_upload_mb = 25",
                "max_upload_mb = 25\ncontact_codes_per_domain_hour = 2",
            ),
        ],
    );
    let mut statuses = Vec::new();
    for i in 0..3 {
        let mut c = Visitor::new(z.http_port);
        let csrf = c.get("/contact").await.csrf();
        let sent = c
            .post(
                "/contact/code",
                &[
                    ("csrf", &csrf),
                    ("email", &format!("burger{i}@example.org")),
                ],
            )
            .await;
        statuses.push(sent.status);
    }
    assert_eq!(
        statuses,
        [
            StatusCode::SEE_OTHER,
            StatusCode::SEE_OTHER,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    // Another domain is still served.
    let mut c = Visitor::new(z.http_port);
    let csrf = c.get("/contact").await.csrf();
    let sent = c
        .post(
            "/contact/code",
            &[("csrf", &csrf), ("email", "iemand@example.net")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    mail_code(&sink, "burger1@example.org", 1);
    std::thread::sleep(Duration::from_secs(1));
    assert!(!sink
        .messages()
        .iter()
        .any(|m| m.is_for("burger2@example.org")));
}
