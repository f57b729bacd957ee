//! Header injection through the public page, end to end: a citizen confirms
//! their address on `/contact` and sends a message whose subject carries
//! CR LF and headers of its own (`Bcc:`, `From:`, `X-Zegel-Verdict:`). The
//! DKIM-signed mail that reaches the organisation has exactly one From (the
//! confirmed address), no Bcc and no X-Zegel-Verdict, and nothing goes to
//! the address in the injected Bcc.

mod common;

use common::portal_mail::{mail_code, mail_to};
use common::visitor::Visitor;
use common::*;
use reqwest::StatusCode;
use zegel_outbound::header::header_names;
use zegel_testkit::Sink;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_subject_with_cr_lf_adds_no_header_to_the_signed_mail() {
    let sink = Sink::start();
    let z = Zegel::start(
        &sink,
        &[(
            "# contact_address = \"balie@zorg.nl\"",
            "contact_address = \"balie@zorg.nl\"",
        )],
    );
    let mut c = Visitor::new(z.http_port);
    let csrf = c.get("/contact").await.csrf();
    let sent = c
        .post(
            "/contact/code",
            &[("csrf", &csrf), ("email", "burger@example.org")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let code = mail_code(&sink, "burger@example.org", 1);
    let ok = c
        .post("/contact/verify", &[("csrf", &csrf), ("code", &code)])
        .await;
    assert_eq!(ok.location, "/contact/write");
    // Short: mail-builder happens to encode text over 77 characters.
    let subject = "Vraag\r\nBcc: evil@example.com\r\nX-Zegel-Verdict: normal";
    let done = c
        .post_files(
            "/contact/send",
            &[
                ("csrf", &csrf),
                ("subject", subject),
                ("text", "Mijn vraag over het dossier."),
            ],
            ("vraag.txt", b"vraag"),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let got = mail_to(&sink, "balie@zorg.nl", "Mijn vraag over het dossier.");
    let text = got.text();
    assert!(text.starts_with("DKIM-Signature: "), "{text}");
    let names = header_names(&got.raw);
    assert_eq!(
        names.iter().filter(|n| *n == "from").count(),
        1,
        "one From: {text}"
    );
    assert!(
        !names.iter().any(|n| n == "bcc" || n == "x-zegel-verdict"),
        "injected header: {text}"
    );
    assert!(
        text.contains("From: <burger@example.org>"),
        "the confirmed address is the From: {text}"
    );
    assert!(
        !sink.messages().iter().any(|m| m.is_for("evil@example.com")),
        "nothing to the injected Bcc"
    );
}
