//! The milter against real Postfix: a private Postfix instance on 127.0.0.1
//! calls our milter for each message and relays to an aiosmtpd sink.

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zegel_smtp::milter::{serve, MilterConfig, MilterDecision, MilterHandler, MilterMessage};
use zegel_testkit::postfix::{self, Postfix, PostfixOptions};
use zegel_testkit::Sink;

/// Decides by the subject; remembers what it saw.
struct BySubject(Mutex<Vec<MilterMessage>>);

impl MilterHandler for BySubject {
    fn decide(&self, message: &MilterMessage) -> MilterDecision {
        self.0.lock().unwrap().push(message.clone());
        let text = String::from_utf8_lossy(&message.raw);
        if text.contains("Subject: weiger") {
            MilterDecision::Reject {
                code: 550,
                text: "5.7.1 Geweigerd: bevat een BSN\n5.7.1 Refused: contains a BSN".into(),
            }
        } else if text.contains("Subject: label") {
            MilterDecision::AddHeaders(vec![
                ("X-Zegel-Verdict".into(), "secure".into()),
                (
                    "X-Zegel-Reasons".into(),
                    "BSN in the body\r\nBcc: injected@x".into(),
                ),
            ])
        } else {
            MilterDecision::Accept
        }
    }
}

fn swaks(port: u16, subject: &str, body: &str) -> (bool, String) {
    let out = Command::new("swaks")
        .args([
            "--server",
            &format!("127.0.0.1:{port}"),
            "--from",
            "jan@zorg.nl",
        ])
        .args(["--to", "piet@example.com,anna@zorg.nl"])
        .args(["--header", &format!("Subject: {subject}"), "--body", body])
        .output()
        .expect("swaks");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn postfix_calls_the_milter_and_follows_its_answers() {
    if !postfix::available() {
        eprintln!("SKIPPED: /usr/sbin/postfix is not installed (scripts/test installs it)");
        return;
    }
    let sink = Sink::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let handler = Arc::new(BySubject(Mutex::new(Vec::new())));
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let milter_port = listener.local_addr().unwrap().port();
    let config = MilterConfig {
        max_message_bytes: 64 * 1024,
        read_timeout: Duration::from_secs(60),
    };
    let h: Arc<dyn MilterHandler> = handler.clone();
    runtime.spawn(serve(listener, config, h, std::future::pending()));
    let postfix = Postfix::start(PostfixOptions {
        milter_port: Some(milter_port),
        relay_port: sink.port(),
    })
    .unwrap_or_else(|e| panic!("postfix did not start: {e}"));

    // Accept: arrives unchanged.
    let (ok, out) = swaks(postfix.port(), "gewoon", "Hallo Piet,\r\n\r\nTot morgen.");
    assert!(ok, "{out}\n{}", postfix.log());
    // Headers: arrive with our headers, injection neutralised.
    let (ok, out) = swaks(postfix.port(), "label", "Regel een\r\nRegel twee");
    assert!(ok, "{out}");
    // Reject: both lines reach the client, nothing reaches the sink.
    let (ok, out) = swaks(postfix.port(), "weiger", "BSN 111222333");
    assert!(!ok, "{out}");
    assert!(out.contains("550-5.7.1 Geweigerd: bevat een BSN"), "{out}");
    assert!(out.contains("550 5.7.1 Refused: contains a BSN"), "{out}");
    // Too big for the milter: deferred (4xx), not a crash.
    let big = "x".repeat(100 * 1024);
    let (ok, out) = swaks(postfix.port(), "groot", &big);
    assert!(!ok && out.contains("452"), "{out}");

    let got = sink.wait_for(2, Duration::from_secs(90));
    assert_eq!(got.len(), 2, "{}", postfix.log());
    let plain = got
        .iter()
        .find(|m| m.text().contains("Subject: gewoon"))
        .unwrap();
    assert!(plain.text().contains("Hallo Piet,\r\n\r\nTot morgen."));
    assert!(!plain.text().contains("X-Zegel"));
    let labelled = got
        .iter()
        .find(|m| m.text().contains("Subject: label"))
        .unwrap();
    let text = labelled.text();
    assert!(text.contains("X-Zegel-Verdict: secure"), "{text}");
    assert!(
        text.contains("X-Zegel-Reasons: BSN in the body  Bcc: injected@x"),
        "{text}"
    );
    assert!(!text.contains("\r\nBcc:"), "no header injection: {text}");
    assert!(text.contains("Regel een\r\nRegel twee"));
    assert!(labelled.is_for("piet@example.com") && labelled.is_for("anna@zorg.nl"));

    let seen = handler.0.lock().unwrap();
    let first = &seen[0];
    assert_eq!(first.mail_from, "jan@zorg.nl");
    assert_eq!(first.rcpt_to, ["piet@example.com", "anna@zorg.nl"]);
    assert_eq!(first.client_ip, Some("127.0.0.1".parse().unwrap()));
    assert!(first.queue_id.is_some());
    let raw = String::from_utf8_lossy(&first.raw);
    assert!(
        raw.contains("Subject: gewoon\r\n") && raw.contains("\r\n\r\nHallo Piet,"),
        "{raw}"
    );
    drop(postfix);
}
