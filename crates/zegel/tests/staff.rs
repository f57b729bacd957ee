//! End-to-end tests of the staff web (`/app`) through `zegel serve` and the
//! real `zegel user` commands: sign-in with password and TOTP (required for
//! administrators, a code good only once), sent items with withdraw, role
//! and ownership checks (a sender cannot reach administration nor another
//! sender's messages), form tokens, a new session id at sign-in, the
//! per-account attempt limit, and offboarding that ends sessions and hands
//! open messages to a colleague. The policy page: what it sets holds for
//! the gateway at once (and after a restart), partner and internal domains
//! included.

mod common;

use common::staff_web::*;
use common::visitor::{Page, Visitor};
use common::*;
use reqwest::StatusCode;
use zegel_testkit::Sink;

/// Signs in a sender without a second factor; the sent-items page.
async fn sign_in(v: &mut Visitor, email: &str) -> Page {
    let r = password(v, email, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location, "/app");
    let page = v.get("/app").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page
}

/// The `package` ids of the withdraw forms on a sent-items page.
fn package_ids(page: &Page) -> Vec<String> {
    page.body
        .split("name=\"package\" value=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect()
}

fn cookie(v: &Visitor) -> String {
    v.cookies
        .iter()
        .find(|(k, _)| k == "zegel_staff")
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn send_secure(sink: &Sink, z: &Zegel, from: &str, to: &[&str]) {
    let message = format!(
        "From: {from}\r\nTo: {}\r\nSubject: Dossier\r\n\r\nBSN van de client: 111222333.\r\n",
        to.join(", ")
    );
    let (status, reply) = smtplib(z.port, from, to, &message);
    assert_eq!(status, "ok", "{reply}");
    let deadline = std::time::Instant::now() + WAIT;
    for rcpt in to {
        while find(&sink.messages(), rcpt, "/m/").is_none() {
            assert!(std::time::Instant::now() < deadline, "no notice to {rcpt}");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn senders_follow_and_withdraw_their_own_messages_and_administrators_offboard() {
    let sink = Sink::start();
    let z = Zegel::start(&sink, &[]);
    add(&z, "jan@zorg.nl", "sender");
    add(&z, "piet@zorg.nl", "sender");
    add(&z, "fg@zorg.nl", "admin");
    send_secure(
        &sink,
        &z,
        "jan@zorg.nl",
        &["p.bakker@example.com", "q.visser@example.org"],
    );

    // Jan signs in (no second factor for a sender without one); the
    // anonymous session's id is not the signed-in one.
    let mut jan = Visitor::new(z.http_port);
    let form = jan.get("/app/login").await;
    let before = cookie(&jan);
    assert!(!before.is_empty());
    assert!(form.body.contains("Inloggen"), "Dutch by default");
    let page = sign_in(&mut jan, "jan@zorg.nl").await;
    assert_ne!(cookie(&jan), before, "a new session id at sign-in");
    assert!(page.body.contains("p.bakker@example.com"), "{}", page.body);
    assert!(page.body.contains("q.visser@example.org"));
    assert_eq!(page.body.matches("Beschikbaar").count(), 2);
    assert!(
        !page.body.contains("/app/admin/users"),
        "no admin link for a sender"
    );
    let ids = package_ids(&page);
    assert_eq!(ids.len(), 2);

    // A form without the session's token changes nothing.
    let r = jan
        .post("/app/sent/revoke", &[("csrf", "x"), ("package", &ids[0])])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Withdraw one at a click.
    let csrf = page.csrf();
    let r = jan
        .post("/app/sent/revoke", &[("csrf", &csrf), ("package", &ids[0])])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = jan.get("/app").await;
    assert_eq!(page.body.matches("Ingetrokken").count(), 1, "{}", page.body);
    assert_eq!(page.body.matches("Beschikbaar").count(), 1);
    let open_id = package_ids(&page).pop().unwrap();
    assert_ne!(open_id, ids[0]);

    // Piet sees none of Jan's messages, cannot withdraw one of them, and
    // cannot reach administration.
    let mut piet = Visitor::new(z.http_port);
    let page = sign_in(&mut piet, "piet@zorg.nl").await;
    assert!(!page.body.contains("p.bakker@example.com"));
    let r = piet
        .post(
            "/app/sent/revoke",
            &[("csrf", &page.csrf()), ("package", &open_id)],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(jan.get("/app").await.body.matches("Beschikbaar").count(), 1);
    let r = piet.get("/app/admin/users").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = piet
        .post(
            "/app/admin/offboard",
            &[
                ("csrf", &page.csrf()),
                ("email", "jan@zorg.nl"),
                ("handover", "revoke"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Not signed in at all: to the sign-in page.
    let mut nobody = Visitor::new(z.http_port);
    for path in ["/app", "/app/admin/users"] {
        let r = nobody.get(path).await;
        assert_eq!(
            (r.status, r.location.as_str()),
            (StatusCode::SEE_OTHER, "/app/login")
        );
    }

    // The administrator has no second factor yet: no way in.
    let mut fg = Visitor::new(z.http_port);
    let r = password(&mut fg, "fg@zorg.nl", PASSWORD).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("zegel user totp"), "{}", r.body);
    let secret = enroll(&z, "fg@zorg.nl");
    let mut fg = Visitor::new(z.http_port);
    let r = password(&mut fg, "fg@zorg.nl", PASSWORD).await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (StatusCode::SEE_OTHER, "/app/login/code")
    );
    // Half signed in is not signed in.
    let r = fg.get("/app").await;
    assert_eq!(r.location, "/app/login");
    let form = fg.get("/app/login/code").await;
    let csrf = form.csrf();
    let wrong = if code(&secret, 0) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let r = fg
        .post("/app/login/code", &[("csrf", &csrf), ("code", wrong)])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let right = code(&secret, 0);
    let r = fg
        .post("/app/login/code", &[("csrf", &csrf), ("code", &right)])
        .await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (StatusCode::SEE_OTHER, "/app")
    );
    // The same code does not sign in a second time.
    let mut replay = Visitor::new(z.http_port);
    password(&mut replay, "fg@zorg.nl", PASSWORD).await;
    let csrf = replay.get("/app/login/code").await.csrf();
    let r = replay
        .post("/app/login/code", &[("csrf", &csrf), ("code", &right)])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "a used code is refused");

    // Administration: the accounts, then Jan leaves and his open message
    // goes to the privacy officer.
    let users = fg.get("/app/admin/users?lang=en").await;
    assert_eq!(users.status, StatusCode::OK, "{}", users.body);
    assert!(users.body.contains("jan@zorg.nl") && users.body.contains("Administrator"));
    let r = fg
        .post(
            "/app/admin/offboard",
            &[
                ("csrf", &users.csrf()),
                ("email", "jan@zorg.nl"),
                ("handover", "colleague"),
                ("colleague", "nobody@zorg.nl"),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "only to an active colleague"
    );
    let r = fg
        .post(
            "/app/admin/offboard",
            &[
                ("csrf", &users.csrf()),
                ("email", "jan@zorg.nl"),
                ("handover", "colleague"),
                ("colleague", "fg@zorg.nl"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("Account disabled: jan@zorg.nl"),
        "{}",
        r.body
    );
    let r = jan.get("/app").await;
    assert_eq!(r.location, "/app/login", "Jan's session ended");
    let r = password(&mut Visitor::new(z.http_port), "jan@zorg.nl", PASSWORD).await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "a disabled account cannot sign in"
    );
    let page = fg.get("/app").await;
    assert!(page.body.contains("q.visser@example.org"), "{}", page.body);
    assert_eq!(package_ids(&page), vec![open_id]);
    // The privacy officer gets a new status link by mail; Jan's ended.
    let handed = common::portal_mail::mail_to(&sink, "fg@zorg.nl", "/status/");
    let text = handed.decoded();
    assert!(text.contains("jan@zorg.nl") && text.contains("q.visser@example.org"));
    assert!(
        !text.contains("p.bakker@example.com"),
        "the withdrawn one is not handed over"
    );
    let new_link = common::portal_mail::link(&handed, "/status/");
    let new_path = &new_link[new_link.find("/status/").unwrap()..];
    let status = Visitor::new(z.http_port).get(new_path).await;
    assert_eq!(status.status, StatusCode::OK, "{}", status.body);
    assert!(status.body.contains("q.visser@example.org"));
    let old_notice = common::portal_mail::mail_to(&sink, "jan@zorg.nl", "/status/");
    let old_link = common::portal_mail::link(&old_notice, "/status/");
    let old_path = &old_link[old_link.find("/status/").unwrap()..];
    assert_ne!(
        Visitor::new(z.http_port).get(old_path).await.status,
        StatusCode::OK,
        "the leaver's status link ended"
    );

    // Signing out ends the session.
    let csrf = page.csrf();
    let r = fg.post("/app/logout", &[("csrf", &csrf)]).await;
    assert_eq!(r.location, "/app/login");
    assert_eq!(fg.get("/app").await.location, "/app/login");

    // Every step is in the audit trail.
    let out = zegel()
        .args(["audit", "export", "--config"])
        .arg(z.dir.join("zegel.toml"))
        .output()
        .unwrap();
    let trail = String::from_utf8_lossy(&out.stdout);
    for event in [
        "staff_signed_in",
        "staff_sign_in_failed",
        "totp_enrolled",
        "revoked",
        "handed_over",
        "offboarded",
        "staff_signed_out",
    ] {
        assert!(trail.contains(event), "{event} missing from the trail");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_is_locked_after_a_burst_of_wrong_passwords_and_a_form_needs_its_session() {
    let sink = Sink::start();
    let z = Zegel::start(&sink, &[]);
    add(&z, "jan@zorg.nl", "sender");
    // A sign-in form posted without the session it came with.
    let mut v = Visitor::new(z.http_port);
    let csrf = v.get("/app/login").await.csrf();
    let mut other = Visitor::new(z.http_port);
    let r = other
        .post(
            "/app/login",
            &[
                ("csrf", &csrf),
                ("email", "jan@zorg.nl"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Ten tries per account, then one a minute: the right password too
    // is turned away for now.
    for _ in 0..10 {
        let r = v
            .post(
                "/app/login",
                &[
                    ("csrf", &csrf),
                    ("email", "jan@zorg.nl"),
                    ("password", "fout-wachtwoord"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = v
        .post(
            "/app/login",
            &[
                ("csrf", &csrf),
                ("email", "jan@zorg.nl"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
}

async fn set_policy(v: &mut Visitor, fields: &[(&str, &str)]) -> Page {
    let form = v.get("/app/admin/policy").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let csrf = form.csrf();
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    v.post("/app/admin/policy", &all).await
}

const BSN_MAIL: &str =
    "From: jan@zorg.nl\r\nTo: p.bakker@example.com\r\nSubject: Dossier\r\n\r\nBSN 111222333.\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_set_on_the_web_is_applied_by_the_gateway_at_once_and_after_a_restart() {
    let sink = Sink::start();
    let mut z = Zegel::start(&sink, &[]);
    add(&z, "fg@zorg.nl", "admin");
    add(&z, "jan@zorg.nl", "sender");
    let secret = enroll(&z, "fg@zorg.nl");
    let mut fg = Visitor::new(z.http_port);
    admin(&mut fg, "fg@zorg.nl", &secret).await;

    // The page shows the config file's policy: the portal, BSN ticked.
    let page = fg.get("/app/admin/policy").await;
    assert!(
        page.body.contains("<option value=\"portal\" selected>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("value=\"bsn\" checked"));
    // Bad values are refused and change nothing.
    let r = set_policy(
        &mut fg,
        &[
            ("action", "shred"),
            ("kind", "bsn"),
            ("min_confidence", "0.5"),
            ("visible_external_threshold", "10"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("shred"), "{}", r.body);

    // Refuse secure mail: the gateway answers 5xx with the reasons.
    let kinds = ["bsn", "health", "patient_dossier", "credential"];
    let mut fields = vec![
        ("action", "reject"),
        ("min_confidence", "0.5"),
        ("visible_external_threshold", "10"),
        ("secure_tags", "[veilig], [geheim]"),
    ];
    fields.extend(kinds.iter().map(|k| ("kind", *k)));
    let r = set_policy(&mut fg, &fields).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Beleid opgeslagen"));
    let (status, reply) = smtplib(z.port, "jan@zorg.nl", &["p.bakker@example.com"], BSN_MAIL);
    assert_eq!(status, "refused", "{reply}");
    assert!(reply.starts_with("5"), "{reply}");
    assert!(reply.to_lowercase().contains("bsn"), "{reply}");
    // The new subject tag forces secure (and so is refused too).
    let tagged = "From: jan@zorg.nl\r\nTo: p.bakker@example.com\r\nSubject: [geheim] Agenda\r\n\r\nTot dinsdag.\r\n";
    let (status, _) = smtplib(z.port, "jan@zorg.nl", &["p.bakker@example.com"], tagged);
    assert_eq!(status, "refused");

    // The policy holds after a restart (read from the store at start).
    let (dir, port) = (z.dir.clone(), z.port);
    let temp = z._temp.take();
    drop(z);
    let z = Zegel::run(&dir, port);
    let (status, _) = smtplib(z.port, "jan@zorg.nl", &["p.bakker@example.com"], BSN_MAIL);
    assert_eq!(
        status, "refused",
        "the stored policy is in force after a restart"
    );

    // A BSN alone no longer makes mail secure: it goes as normal mail.
    let mut fg = Visitor::new(z.http_port);
    admin_again(&mut fg, &secret).await;
    let r = set_policy(
        &mut fg,
        &[
            ("action", "portal"),
            ("kind", "health"),
            ("min_confidence", "0.5"),
            ("visible_external_threshold", "10"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (status, reply) = smtplib(z.port, "jan@zorg.nl", &["p.bakker@example.com"], BSN_MAIL);
    assert_eq!(status, "ok", "{reply}");
    let deadline = std::time::Instant::now() + WAIT;
    while find(&sink.messages(), "p.bakker@example.com", "BSN 111222333").is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "the mail did not arrive as normal mail"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let page = fg.get("/app/admin/policy").await;
    assert!(page.body.contains("Versie 2"), "{}", page.body);
    let out = zegel()
        .args(["audit", "export", "--config"])
        .arg(dir.join("zegel.toml"))
        .output()
        .unwrap();
    let trail = String::from_utf8_lossy(&out.stdout);
    assert_eq!(trail.matches("policy_changed").count(), 2, "{trail}");
    drop(temp);
}

/// Signs in again after a restart: the TOTP step of the first sign-in is
/// used, so wait for the next one.
async fn admin_again(v: &mut Visitor, secret: &[u8]) {
    let r = password(v, "fg@zorg.nl", PASSWORD).await;
    assert_eq!(r.location, "/app/login/code");
    let csrf = v.get("/app/login/code").await.csrf();
    let r = v
        .post(
            "/app/login/code",
            &[("csrf", &csrf), ("code", &code(secret, 1))],
        )
        .await;
    assert_eq!(r.location, "/app", "{}", r.body);
}

/// A multipart form as the compose page posts it.
fn compose_form(
    csrf: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new().text("csrf", csrf.to_string());
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    if let Some((name, bytes)) = file {
        form = form.part(
            "files",
            reqwest::multipart::Part::bytes(bytes.to_vec())
                .file_name(name.to_string())
                .mime_str("text/plain")
                .unwrap(),
        );
    }
    form
}

async fn post_compose(v: &mut Visitor, path: &str, form: reqwest::multipart::Form) -> Page {
    let r = v
        .http
        .post(v.url(path))
        .header(reqwest::header::COOKIE, v.cookie_header())
        .multipart(form)
        .send()
        .await
        .unwrap();
    v.take(r).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_composes_a_secure_message_with_the_assessment_and_it_goes_through_the_portal() {
    let sink = Sink::start();
    let z = Zegel::start(&sink, &[]);
    add(&z, "jan@zorg.nl", "sender");
    let mut jan = Visitor::new(z.http_port);
    sign_in(&mut jan, "jan@zorg.nl").await;
    let page = jan.get("/app/compose").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<script src=\"/static/compose.js\">"));
    let csrf = page.csrf();

    // The live assessment (what the page's script asks): the BSN in an
    // attachment and a look-alike recipient domain.
    let fields = [
        ("to", "p.bakker@example.com, q.visser@zorg-nl.com"),
        ("cc", "collega@zorg.nl"),
        ("subject", "Overdracht"),
        ("text", "Zie bijlage."),
        ("factor", "code"),
        ("expiry_days", "7"),
    ];
    let note: &[u8] = b"Client: BSN 111222333, diagnose diabetes.";
    let r = post_compose(
        &mut jan,
        "/app/compose/assess",
        compose_form(&csrf, &fields, Some(("overdracht.txt", note))),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let answer: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(answer["verdict"], "secure", "{answer}");
    let reasons = answer["reasons"].to_string().to_lowercase();
    assert!(
        reasons.contains("bsn") && reasons.contains("overdracht.txt"),
        "{reasons}"
    );
    assert!(
        answer["warnings"].to_string().contains("zorg-nl.com"),
        "{answer}"
    );
    // Without the session's token: nothing.
    let r = post_compose(
        &mut jan,
        "/app/compose/assess",
        compose_form("x", &fields, None),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Without JavaScript: "check" shows the same on the page.
    let mut check = fields.to_vec();
    check.push(("do", "check"));
    let r = post_compose(
        &mut jan,
        "/app/compose",
        compose_form(&csrf, &check, Some(("overdracht.txt", note))),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("class=\"verdict secure\""), "{}", r.body);
    assert!(
        r.body.contains("value=\"Overdracht\""),
        "the fields are kept"
    );
    // A bad address is named.
    let mut bad = fields.to_vec();
    bad[0] = ("to", "p.bakker@example");
    bad.push(("do", "send"));
    let r = post_compose(&mut jan, "/app/compose", compose_form(&csrf, &bad, None)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("p.bakker@example"), "{}", r.body);

    // Send: the external recipients get a notification without the
    // content, the colleague the original; sent items show both.
    let mut send = fields.to_vec();
    send.push(("do", "send"));
    let r = post_compose(
        &mut jan,
        "/app/compose",
        compose_form(&csrf, &send, Some(("overdracht.txt", note))),
    )
    .await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (StatusCode::SEE_OTHER, "/app?done=codes"),
        "{}",
        r.body
    );
    let deadline = std::time::Instant::now() + WAIT;
    for (rcpt, needle) in [
        ("p.bakker@example.com", "/m/"),
        ("q.visser@zorg-nl.com", "/m/"),
        ("collega@zorg.nl", "overdracht.txt"),
    ] {
        while find(&sink.messages(), rcpt, needle).is_none() {
            assert!(std::time::Instant::now() < deadline, "nothing for {rcpt}");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
    for m in sink.messages() {
        if m.is_for("p.bakker@example.com") {
            assert!(
                !m.decoded().contains("111222333"),
                "no content in the notification"
            );
        }
    }
    let page = jan.get("/app?done=codes").await;
    assert!(page.body.contains("toegangscodes"), "{}", page.body);
    assert!(
        page.body.contains("p.bakker@example.com") && page.body.contains("q.visser@zorg-nl.com")
    );
    assert_eq!(package_ids(&page).len(), 2);
    // The access codes reach the sender in the notice, and a week it is.
    let deadline = std::time::Instant::now() + WAIT;
    while !sink
        .messages()
        .iter()
        .any(|m| m.is_for("jan@zorg.nl") && m.decoded().contains("p.bakker@example.com: "))
    {
        assert!(
            std::time::Instant::now() < deadline,
            "no sender's notice with the codes"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let in_a_week = zegel_store::now() + 7 * 86_400;
    let shown = web_date(in_a_week);
    assert!(page.body.contains(&shown), "expires {shown}: {}", page.body);
}

/// A date as the pages show it (YYYY-MM-DD, UTC).
fn web_date(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .unwrap()
        .format("%Y-%m-%d")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_search_and_export_the_audit_trail_and_see_the_figures() {
    let sink = Sink::start();
    let z = Zegel::start(&sink, &[]);
    add(&z, "fg@zorg.nl", "admin");
    add(&z, "jan@zorg.nl", "sender");
    let secret = enroll(&z, "fg@zorg.nl");
    send_secure(&sink, &z, "jan@zorg.nl", &["p.bakker@example.com"]);
    let normal =
        "From: jan@zorg.nl\r\nTo: q.visser@example.org\r\nSubject: Agenda\r\n\r\nTot dinsdag.\r\n";
    let (status, reply) = smtplib(z.port, "jan@zorg.nl", &["q.visser@example.org"], normal);
    assert_eq!(status, "ok", "{reply}");

    // A sender sees neither page.
    let mut jan = Visitor::new(z.http_port);
    sign_in(&mut jan, "jan@zorg.nl").await;
    for path in [
        "/app/admin/audit",
        "/app/admin/figures",
        "/app/admin/audit/export?format=csv",
    ] {
        assert_eq!(jan.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }

    let mut fg = Visitor::new(z.http_port);
    admin(&mut fg, "fg@zorg.nl", &secret).await;
    let figures = fg.get("/app/admin/figures").await;
    assert_eq!(figures.status, StatusCode::OK, "{}", figures.body);
    assert!(
        figures.body.contains("<svg class=\"chart\""),
        "charts drawn"
    );
    // This week's row: 2 assessed, 1 secure.
    let week = web_date(
        zegel_store::now() - (zegel_store::now().div_euclid(86_400) + 3).rem_euclid(7) * 86_400,
    );
    let row = format!("<tr><th scope=\"row\">{week}</th><td>2</td><td>1</td>");
    assert!(figures.body.contains(&row), "{row} in {}", figures.body);
    assert!(
        figures
            .body
            .contains("<th scope=\"row\">BSN</th><td>1</td>"),
        "{}",
        figures.body
    );

    // Search: by text, by event, by date.
    let all = fg.get("/app/admin/audit").await;
    assert!(all.body.contains("De keten is intact"), "{}", all.body);
    let found = |page: &Page| -> usize {
        let at = page.body.find("id=\"found\">").unwrap() + 11;
        page.body[at..].split('<').next().unwrap().parse().unwrap()
    };
    let everything = found(&all);
    let accepted = fg.get("/app/admin/audit?event=accepted").await;
    assert_eq!(found(&accepted), 2, "{}", accepted.body);
    let visser = fg.get("/app/admin/audit?q=Q.VISSER%40example").await;
    assert!(found(&visser) >= 1 && found(&visser) < everything);
    assert!(!visser.body.contains("p.bakker@example.com"));
    let tomorrow = web_date(zegel_store::now() + 86_400);
    let later = fg.get(&format!("/app/admin/audit?from={tomorrow}")).await;
    assert_eq!(found(&later), 0);

    // Export what the search found; the export is itself audited.
    let r = fg
        .http
        .get(fg.url("/app/admin/audit/export?format=csv&event=accepted"))
        .header(reqwest::header::COOKIE, fg.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()[reqwest::header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains("zegel-audit.csv"));
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "seq,at,event,message_id,subject,detail");
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[1..].iter().all(|l| l.contains(",accepted,")));
    assert!(!csv.contains("111222333"), "no content in the trail");
    let exported = fg.get("/app/admin/audit?event=audit_exported").await;
    assert_eq!(found(&exported), 1);
    assert!(exported.body.contains("fg@zorg.nl"));
}

/// The second factor of the secure message for `recipient` (read from the
/// database file, as an outside tool would).
fn second_factor_of(z: &Zegel, recipient: &str) -> String {
    let recipient = recipient.replace('\'', "''");
    common::sql_at(
        &z.dir,
        &format!(
            "SELECT second_factor FROM secure_messages WHERE recipient = '{recipient}' \
             ORDER BY id DESC LIMIT 1"
        ),
    )
}

async fn import_contacts(v: &mut Visitor, csv: &str, replace: bool) -> Page {
    let csrf = v.get("/app/admin/contacts").await.csrf();
    let mut form = reqwest::multipart::Form::new().text("csrf", csrf).part(
        "csv",
        reqwest::multipart::Part::bytes(csv.as_bytes().to_vec())
            .file_name("contacten.csv")
            .mime_str("text/csv")
            .unwrap(),
    );
    if replace {
        form = form.text("replace", "1");
    }
    post_compose(v, "/app/admin/contacts/import", form).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_list_imported_on_the_web_gives_recipients_an_sms_code() {
    let sink = Sink::start();
    let z = Zegel::start(&sink, &[]);
    add(&z, "fg@zorg.nl", "admin");
    let secret = enroll(&z, "fg@zorg.nl");
    let mut fg = Visitor::new(z.http_port);
    admin(&mut fg, "fg@zorg.nl", &secret).await;

    // Before: no number known, so no SMS (the default sms_if_known).
    send_secure(&sink, &z, "fg@zorg.nl", &["p.bakker@example.com"]);
    assert_eq!(second_factor_of(&z, "p.bakker@example.com"), "none");

    // A broken file is refused whole, naming the line.
    let r = import_contacts(
        &mut fg,
        "e-mail;mobiel\np.bakker@example.com;06-12345678\nq@example.org;bel me\n",
        false,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("line 3"), "{}", r.body);
    assert!(fg
        .get("/app/admin/contacts")
        .await
        .body
        .contains("Nog geen contacten"));

    let r = import_contacts(
        &mut fg,
        "e-mail;mobiel\n\"P.Bakker@Example.com\";06-12345678\nq@example.org;+31 6 8765 4321\n",
        false,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Contacten ingelezen: 2"), "{}", r.body);
    assert!(r.body.contains("p.bakker@example.com") && r.body.contains("+31612345678"));

    // Now the gateway knows the number: the recipient gets an SMS code.
    send_secure(&sink, &z, "fg@zorg.nl", &["p.bakker@example.com"]);
    assert_eq!(second_factor_of(&z, "p.bakker@example.com"), "sms");

    // Replace the list: p.bakker is gone, and so is the SMS.
    let r = import_contacts(&mut fg, "q@example.org,0687654321\n", true).await;
    assert!(r.body.contains("Contacten ingelezen: 1"));
    assert!(!r.body.contains("p.bakker@example.com"));
    send_secure(&sink, &z, "fg@zorg.nl", &["p.bakker@example.com"]);
    assert_eq!(second_factor_of(&z, "p.bakker@example.com"), "none");
    // Remove the last one.
    let page = fg.get("/app/admin/contacts").await;
    let r = fg
        .post(
            "/app/admin/contacts/remove",
            &[("csrf", &page.csrf()), ("address", "q@example.org")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(fg
        .get("/app/admin/contacts")
        .await
        .body
        .contains("Nog geen contacten"));
}

/// The warnings the live assessment gives for a mail to a look-alike of
/// zorggroep-horizon.nl.
async fn warnings(fg: &mut Visitor) -> String {
    let csrf = fg.get("/app/compose").await.csrf();
    let fields = [
        ("to", "info@zorggroep-horlzon.nl"),
        ("text", "Tot dinsdag."),
    ];
    let r = post_compose(
        fg,
        "/app/compose/assess",
        compose_form(&csrf, &fields, None),
    )
    .await;
    let answer: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    answer["warnings"].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_domains_set_on_the_web_make_their_look_alikes_flagged() {
    let sink = Sink::start();
    let z = Zegel::start(&sink, &[]);
    add(&z, "fg@zorg.nl", "admin");
    let secret = enroll(&z, "fg@zorg.nl");
    let mut fg = Visitor::new(z.http_port);
    admin(&mut fg, "fg@zorg.nl", &secret).await;
    assert!(!warnings(&mut fg).await.contains("zorggroep-horizon.nl"));
    let page = fg.get("/app/admin/policy").await;
    assert!(
        page.body
            .contains("name=\"internal_domains\" rows=\"3\" required aria-describedby=\"internal-hint\" autocapitalize=\"none\" spellcheck=\"false\">zorg.nl</textarea>"),
        "{}",
        page.body
    );
    let r = set_policy(
        &mut fg,
        &[
            ("action", "portal"),
            ("kind", "bsn"),
            ("min_confidence", "0.5"),
            ("visible_external_threshold", "10"),
            ("partner_domains", "geen domein"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = set_policy(
        &mut fg,
        &[
            ("action", "portal"),
            ("kind", "bsn"),
            ("min_confidence", "0.5"),
            ("visible_external_threshold", "10"),
            ("partner_domains", "Zorggroep-Horizon.nl\r\nggd.nl"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("zorggroep-horizon.nl\nggd.nl</textarea>"),
        "{}",
        r.body
    );
    let w = warnings(&mut fg).await;
    assert!(
        w.contains("zorggroep-horlzon.nl") && w.contains("zorggroep-horizon.nl"),
        "{w}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sent_items_list_every_message_from_the_gateway_with_each_recipients_state() {
    let sink = Sink::start();
    let z = Zegel::start(&sink, &[]);
    add(&z, "jan@zorg.nl", "sender");
    send_secure(&sink, &z, "jan@zorg.nl", &["p.bakker@example.com"]);
    let normal =
        "From: jan@zorg.nl\r\nTo: q.visser@example.org\r\nSubject: Agenda\r\n\r\nTot dinsdag.\r\n";
    let (status, reply) = smtplib(z.port, "jan@zorg.nl", &["q.visser@example.org"], normal);
    assert_eq!(status, "ok", "{reply}");
    let deadline = std::time::Instant::now() + WAIT;
    while find(&sink.messages(), "q.visser@example.org", "Tot dinsdag").is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "the normal mail did not arrive"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let mut jan = Visitor::new(z.http_port);
    sign_in(&mut jan, "jan@zorg.nl").await;
    // The delivery result is written just after the sink has the mail.
    let deadline = std::time::Instant::now() + WAIT;
    let page = loop {
        let page = jan.get("/app").await;
        if page.body.contains("q.visser@example.org: afgeleverd") {
            break page;
        }
        assert!(std::time::Instant::now() < deadline, "{}", page.body);
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let history = &page.body[page.body.find("Alle verzonden berichten").unwrap()..];
    assert!(history.contains("<td>Normaal</td>"), "{history}");
    assert!(history.contains("<td>Beveiligd</td>"), "{history}");
    assert!(
        history.contains("p.bakker@example.com: melding afgeleverd, nog niet geopend"),
        "{history}"
    );
    // The normal message is the newest, so listed first.
    assert!(history.find("q.visser").unwrap() < history.find("p.bakker").unwrap());
    assert!(
        !history.contains("jan@zorg.nl:"),
        "the sender's own notice is no recipient"
    );
}

/// The policy form with these domains and otherwise the defaults.
fn with_domains<'a>(internal: &'a str, partners: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("action", "portal"),
        ("kind", "bsn"),
        ("min_confidence", "0.5"),
        ("visible_external_threshold", "10"),
        ("internal_domains", internal),
        ("partner_domains", partners),
    ]
}

/// Waits for a mail to `rcpt` holding `needle`.
fn arrives(sink: &Sink, rcpt: &str, needle: &str) -> zegel_testkit::Received {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        if let Some(m) = find(&sink.messages(), rcpt, needle) {
            return m.clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no mail to {rcpt} with {needle:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_domains_set_on_the_web_are_internal_for_the_gateway_at_once() {
    let sink = Sink::start();
    let z = Zegel::start(&sink, &[]);
    add(&z, "fg@zorg.nl", "admin");
    let secret = enroll(&z, "fg@zorg.nl");
    let mut fg = Visitor::new(z.http_port);
    admin(&mut fg, "fg@zorg.nl", &secret).await;
    let bsn_to = |rcpt: &str, subject: &str| {
        format!("From: jan@zorg.nl\r\nTo: {rcpt}\r\nSubject: {subject}\r\n\r\nBSN 111222333.\r\n")
    };

    // wijkzorg.nl is external: BSN mail to it goes through the portal.
    let (status, reply) = smtplib(
        z.port,
        "jan@zorg.nl",
        &["c.dekker@wijkzorg.nl"],
        &bsn_to("c.dekker@wijkzorg.nl", "Voor"),
    );
    assert_eq!(status, "ok", "{reply}");
    arrives(&sink, "c.dekker@wijkzorg.nl", "/m/");
    assert!(find(&sink.messages(), "c.dekker@wijkzorg.nl", "111222333").is_none());

    // Refused, saying why in Dutch, what was typed kept, nothing stored.
    for (internal, partners, says) in [
        (" \r\n", "", "Geef minstens één intern domein op."),
        (
            "zorg.nl\r\ngeen_domein",
            "",
            "Geen domeinnaam (zoals zorg.nl): geen_domein",
        ),
        (
            "zorg.nl\r\nggd.nl",
            "GGD.nl",
            "Een domein is intern of partner, niet allebei (ook niet als subdomein van een intern domein): ggd.nl",
        ),
        (
            "zorg.nl",
            "lab.zorg.nl",
            "niet allebei (ook niet als subdomein van een intern domein): lab.zorg.nl",
        ),
    ] {
        let r = set_policy(&mut fg, &with_domains(internal, partners)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert!(r.body.contains("role=\"alert\""), "{}", r.body);
        assert!(r.body.contains(says), "{says}: {}", r.body);
        assert!(
            r.body.contains(&format!("{}</textarea>", internal.trim())),
            "what was typed stays: {}",
            r.body
        );
    }
    // In English too.
    assert_eq!(
        fg.get("/app/admin/policy?lang=en").await.status,
        StatusCode::OK
    );
    let r = set_policy(&mut fg, &with_domains("", "")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body
            .contains("This policy cannot be used: Give at least one internal domain."),
        "{}",
        r.body
    );
    let r = set_policy(&mut fg, &with_domains("zorg.nl wijk zorg.nl", "")).await;
    assert!(
        r.body.contains("Not a domain name (such as zorg.nl): wijk"),
        "{}",
        r.body
    );
    let page = fg.get("/app/admin/policy?lang=nl").await;
    assert!(
        page.body
            .contains("Nu geldt het beleid uit het configuratiebestand."),
        "nothing was stored: {}",
        page.body
    );
    // A form without the session's token changes nothing.
    let mut forged = vec![("csrf", "0123456789abcdef0123456789abcdef")];
    forged.extend(with_domains("wijkzorg.nl", ""));
    let r = fg.post("/app/admin/policy", &forged).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // wijkzorg.nl added: stored as used, shown one per line.
    let r = set_policy(
        &mut fg,
        &with_domains("zorg.nl\r\nWijkzorg.nl\r\nwijkzorg.nl.", "ggd.nl"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Beleid opgeslagen"), "{}", r.body);
    assert!(
        r.body.contains(">zorg.nl\nwijkzorg.nl</textarea>"),
        "{}",
        r.body
    );
    // The next mail to it is internal mail: the original, no portal, no
    // notice to the sender.
    let (status, reply) = smtplib(
        z.port,
        "jan@zorg.nl",
        &["c.dekker@wijkzorg.nl", "team@afdeling.wijkzorg.nl"],
        &bsn_to("c.dekker@wijkzorg.nl, team@afdeling.wijkzorg.nl", "Na"),
    );
    assert_eq!(status, "ok", "{reply}");
    let original = arrives(&sink, "c.dekker@wijkzorg.nl", "BSN 111222333");
    assert!(
        original.text().contains("Subject: Na"),
        "{}",
        original.text()
    );
    arrives(&sink, "team@afdeling.wijkzorg.nl", "BSN 111222333");
    std::thread::sleep(std::time::Duration::from_millis(500));
    let got = sink.messages();
    assert_eq!(
        got.iter()
            .filter(|m| m.is_for("c.dekker@wijkzorg.nl") && m.text().contains("/m/"))
            .count(),
        1,
        "only the first mail went through the portal"
    );
    assert_eq!(
        got.iter().filter(|m| m.is_for("jan@zorg.nl")).count(),
        1,
        "a sender's notice for the first mail only"
    );

    // The change is in the audit trail with its content.
    let out = zegel()
        .args(["audit", "export", "--config"])
        .arg(z.dir.join("zegel.toml"))
        .output()
        .unwrap();
    let trail = String::from_utf8_lossy(&out.stdout);
    let changed: Vec<&str> = trail
        .lines()
        .filter(|l| l.contains("policy_changed"))
        .collect();
    assert_eq!(changed.len(), 1, "{trail}");
    assert!(changed[0].contains("fg@zorg.nl"), "{}", changed[0]);
    assert!(
        changed[0].contains("internal_domains") && changed[0].contains("wijkzorg.nl"),
        "{}",
        changed[0]
    );
}

/// Header injection through staff compose: a subject with CR LF and a Bcc:
/// of its own reaches the colleague as one Subject, with no Bcc, and
/// nothing goes to the injected address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_composed_subject_with_cr_lf_adds_no_header() {
    let sink = Sink::start();
    let z = Zegel::start(&sink, &[]);
    add(&z, "jan@zorg.nl", "sender");
    let mut jan = Visitor::new(z.http_port);
    sign_in(&mut jan, "jan@zorg.nl").await;
    let csrf = jan.get("/app/compose").await.csrf();
    // Short: mail-builder happens to encode text over 77 characters.
    let fields = [
        ("to", "collega@zorg.nl"),
        ("subject", "Overleg\r\nBcc: evil@example.com"),
        ("text", "Tot morgen bij het overleg."),
        ("factor", "default"),
        ("expiry_days", "7"),
        ("do", "send"),
    ];
    let r = post_compose(&mut jan, "/app/compose", compose_form(&csrf, &fields, None)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let deadline = std::time::Instant::now() + WAIT;
    let got = loop {
        if let Some(m) = find(&sink.messages(), "collega@zorg.nl", "Tot morgen") {
            break m.clone();
        }
        assert!(std::time::Instant::now() < deadline, "nothing for collega");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let text = got.text();
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    assert!(
        !head.to_ascii_lowercase().contains("\r\nbcc:"),
        "injected header: {text}"
    );
    assert_eq!(
        head.matches("\r\nSubject:").count() + usize::from(head.starts_with("Subject:")),
        1,
        "{text}"
    );
    assert!(
        !sink.messages().iter().any(|m| m.is_for("evil@example.com")),
        "nothing to the injected Bcc"
    );
}
