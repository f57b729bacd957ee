//! The `archive` action end to end: `zegel serve` with `action =
//! "archive"`, a mail with a BSN and two attachments sent with Python's
//! smtplib, the aiosmtpd sink as the next hop and the SMS outbox. The
//! archive that arrives is opened with the real 7-Zip (`7zz` or `7z`; the
//! test fails when it is missing) using the password from the outbox.

mod common;

use common::*;
use mail_parser::MimeHeaders;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use zegel_testkit::{Received, Sink};

const PHONE: &str = "+31612345678";
const DOSSIER: &str = "Uitslag voor mevrouw Fatima el Amrani, BSN 111222333: HbA1c verhoogd.\n";

fn seven_zip() -> &'static str {
    for candidate in ["7zz", "7z"] {
        if Command::new(candidate).arg("i").output().is_ok() {
            return candidate;
        }
    }
    panic!("7-Zip is missing: install Debian's package 7zip (scripts/test does)");
}

fn extract(archive: &Path, password: &str, out: &Path) -> Output {
    Command::new(seven_zip())
        .args([
            "x".to_string(),
            "-y".to_string(),
            format!("-p{password}"),
            format!("-o{}", out.display()),
            archive.display().to_string(),
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// A binary "PDF": bytes that are not text.
fn pdf() -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n".to_vec();
    bytes.extend((0..5000u32).map(|i| (i * 31 % 256) as u8));
    bytes
}

fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (n, chunk) in data.chunks(3).enumerate() {
        if n > 0 && n % 19 == 0 {
            out.push_str("\r\n");
        }
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(v >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn mail() -> String {
    format!(
        "From: Jan Jansen <jan@zorg.nl>\r\n\
To: Dr. P. Bakker <p.bakker@example.com>, zonder.telefoon@example.org\r\n\
Subject: Overdracht el Amrani\r\n\
Message-ID: <archive-1@zorg.nl>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"grens\"\r\n\
\r\n\
--grens\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Beste collega,\r\n\r\nBijgaand de uitslag van mevrouw Fatima el Amrani, BSN 111222333.\r\n\r\nGroet, Jan\r\n\
--grens\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Disposition: attachment; filename=\"uitslag-el-amrani.txt\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
{}\r\n\
--grens\r\n\
Content-Type: application/pdf\r\n\
Content-Disposition: attachment; filename=\"verwijzing-diabetes.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
{}\r\n\
--grens--\r\n",
        base64(DOSSIER.as_bytes()),
        base64(&pdf())
    )
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Every file below `dir`, except the SMS outbox.
fn files_below(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.ends_with("sms-outbox") {
            continue;
        }
        if path.is_dir() {
            files_below(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// `zegel serve` with `action = "archive"`, p.bakker@example.com's number in
/// the contact list, and `edits`.
fn archive_zegel(sink: &Sink, edits: &[(&str, &str)]) -> Zegel {
    let mut all = vec![
        ("action = \"portal\"", "action = \"archive\""),
        (
            "# contacts_file = \"contacts.csv\"",
            "contacts_file = \"contacts.csv\"",
        ),
    ];
    all.extend_from_slice(edits);
    let (temp, port) = init(sink, &all);
    std::fs::write(
        temp.path().join("contacts.csv"),
        "address,phone\np.bakker@example.com,06-12345678\n",
    )
    .unwrap();
    let mut z = Zegel::run(temp.path(), port);
    z._temp = Some(temp);
    z
}

#[test]
fn archive_action_mails_an_encrypted_archive_and_sends_the_password_by_sms() {
    let sink = Sink::start();
    let z = archive_zegel(&sink, &[]);

    let (status, reply) = smtplib(
        z.port,
        "jan@zorg.nl",
        &["p.bakker@example.com", "zonder.telefoon@example.org"],
        &mail(),
    );
    assert_eq!(status, "ok", "{reply}");
    let got = sink.wait_for(3, WAIT);

    // The recipient with a phone number: one mail, with the archive.
    let to_bakker: Vec<&Received> = got
        .iter()
        .filter(|m| m.is_for("p.bakker@example.com"))
        .collect();
    assert_eq!(to_bakker.len(), 1);
    let raw = &to_bakker[0].raw;
    let parsed = mail_parser::MessageParser::default().parse(raw).unwrap();
    let attachments: Vec<_> = parsed.attachments().collect();
    assert_eq!(attachments.len(), 1, "only the archive");
    assert_eq!(
        attachments[0].attachment_name(),
        Some("beveiligd-bericht.7z")
    );
    let archive = attachments[0].contents().to_vec();
    assert!(archive.starts_with(b"7z\xBC\xAF\x27\x1C"));
    let decoded = to_bakker[0].decoded();
    assert!(
        decoded.contains("SMS") && decoded.contains("7-Zip"),
        "{decoded}"
    );
    assert!(decoded.contains("eindigt op 78"), "{decoded}");
    // Nothing readable: not in the mail as sent, not in the decoded mail,
    // not in the archive's bytes (UTF-8 or UTF-16LE, how 7z stores names).
    for secret in [
        "111222333",
        "Fatima",
        "Amrani",
        "HbA1c",
        "uitslag-el-amrani",
        "verwijzing-diabetes",
        "Overdracht",
    ] {
        assert!(!contains(raw, secret.as_bytes()), "mail leaks {secret}");
        assert!(!decoded.contains(secret), "mail leaks {secret}: {decoded}");
        let wide: Vec<u8> = secret.bytes().flat_map(|b| [b, 0]).collect();
        assert!(
            !contains(&archive, secret.as_bytes()) && !contains(&archive, &wide),
            "archive leaks {secret}"
        );
    }
    assert!(!contains(&archive, &pdf()[..64]));

    // The password: in the outbox, to the contact list's number.
    let outbox = z.dir.join("zegel-data/sms-outbox");
    let sms: Vec<serde_json::Value> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| serde_json::from_slice(&std::fs::read(e.unwrap().path()).unwrap()).unwrap())
        .collect();
    assert_eq!(sms.len(), 1, "one SMS: the recipient with a phone number");
    assert_eq!(sms[0]["to"], PHONE);
    let text = sms[0]["text"].as_str().unwrap();
    let password = text
        .split_whitespace()
        .find(|w| w.len() == 29 && w.matches('-').count() == 5)
        .expect("the password in the SMS")
        .to_string();
    for m in &got {
        assert!(
            !contains(&m.raw, password.as_bytes()),
            "a mail holds the password"
        );
    }

    // 7-Zip opens it with the password and gives the originals.
    let work = tempfile::tempdir().unwrap();
    let path = work.path().join("beveiligd-bericht.7z");
    std::fs::write(&path, &archive).unwrap();
    let out = work.path().join("uit");
    let result = extract(&path, &password, &out);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stdout)
    );
    assert_eq!(
        std::fs::read(out.join("uitslag-el-amrani.txt")).unwrap(),
        DOSSIER.as_bytes()
    );
    assert_eq!(
        std::fs::read(out.join("verwijzing-diabetes.pdf")).unwrap(),
        pdf()
    );
    let body = std::fs::read_to_string(out.join("bericht.txt")).unwrap();
    assert!(
        body.contains("BSN 111222333") && body.contains("Onderwerp / Subject: Overdracht"),
        "{body}"
    );
    // A wrong password opens nothing.
    let wrong = extract(
        &path,
        "abcd-efgh-jkmn-pqrs-tuvw-xyz2",
        &work.path().join("fout"),
    );
    assert!(!wrong.status.success());

    // The recipient without a phone number gets the portal notification.
    let to_other: Vec<&Received> = got
        .iter()
        .filter(|m| m.is_for("zonder.telefoon@example.org"))
        .collect();
    assert_eq!(to_other.len(), 1);
    let note = to_other[0].decoded();
    assert!(note.contains("/m/"), "portal link: {note}");
    assert!(!note.contains("111222333") && !note.contains("Amrani"));
    assert_eq!(
        mail_parser::MessageParser::default()
            .parse(&to_other[0].raw)
            .unwrap()
            .attachments()
            .count(),
        0
    );
    // The sender hears it went securely.
    assert!(got.iter().any(|m| m.is_for("jan@zorg.nl")));

    // The password is nowhere at rest but in the (development) outbox:
    // not in the database, its WAL, the blobs or anywhere in the data folder.
    let mut files = Vec::new();
    files_below(&z.dir.join("zegel-data"), &mut files);
    assert!(common::on_postgres(&z.dir) || files.iter().any(|f| f.ends_with("zegel.db")));
    let database = common::database_bytes(&z.dir);
    assert!(
        !contains(&database, password.as_bytes())
            && !contains(&database, &common::hex_of(password.as_bytes()))
    );
    for file in files {
        let bytes = std::fs::read(&file).unwrap_or_default();
        assert!(
            !contains(&bytes, password.as_bytes()),
            "{} holds the password",
            file.display()
        );
    }
    // The audit log says so, without the password.
    let export = zegel()
        .args(["audit", "export", "--format", "json", "--config"])
        .arg(z.dir.join("zegel.toml"))
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&export.stdout);
    assert!(log.contains("archive_sent"), "{log}");
    assert!(log.contains("archive_fallback"), "{log}");
    assert!(!log.contains(&password));
}

#[test]
fn zip_format_and_the_subject_tag_number_work_too() {
    let sink = Sink::start();
    let z = Zegel::start(
        &sink,
        &[
            ("action = \"portal\"", "action = \"archive\""),
            ("format = \"7z\"", "format = \"zip\""),
        ],
    );
    // No contact list: the number comes from the sender's [sms:] tag.
    let message = mail().replace(
        "Subject: Overdracht el Amrani",
        "Subject: [sms:06-1111 2222] Overdracht el Amrani",
    );
    let (status, reply) = smtplib(z.port, "jan@zorg.nl", &["p.bakker@example.com"], &message);
    assert_eq!(status, "ok", "{reply}");
    let got = sink.wait_for(2, WAIT);
    let to_bakker: Vec<&Received> = got
        .iter()
        .filter(|m| m.is_for("p.bakker@example.com"))
        .collect();
    assert_eq!(to_bakker.len(), 1);
    let parsed = mail_parser::MessageParser::default()
        .parse(&to_bakker[0].raw)
        .unwrap();
    let attachment = parsed.attachments().next().expect("the archive");
    assert_eq!(attachment.attachment_name(), Some("beveiligd-bericht.zip"));
    let archive = attachment.contents().to_vec();
    // ZIP hides the contents (its names stay visible: documented).
    for secret in ["111222333", "HbA1c", "Amrani"] {
        assert!(!contains(&archive, secret.as_bytes()), "zip leaks {secret}");
        assert!(!contains(&to_bakker[0].raw, secret.as_bytes()));
    }
    let outbox = z.dir.join("zegel-data/sms-outbox");
    let sms: Vec<serde_json::Value> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| serde_json::from_slice(&std::fs::read(e.unwrap().path()).unwrap()).unwrap())
        .collect();
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0]["to"], "+31611112222");
    let password = sms[0]["text"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .find(|w| w.len() == 29 && w.matches('-').count() == 5)
        .unwrap()
        .to_string();
    let work = tempfile::tempdir().unwrap();
    let path = work.path().join("beveiligd-bericht.zip");
    std::fs::write(&path, &archive).unwrap();
    let out = work.path().join("uit");
    assert!(extract(&path, &password, &out).status.success());
    assert_eq!(
        std::fs::read(out.join("uitslag-el-amrani.txt")).unwrap(),
        DOSSIER.as_bytes()
    );
    assert_eq!(
        std::fs::read(out.join("verwijzing-diabetes.pdf")).unwrap(),
        pdf()
    );
    assert!(!extract(&path, "verkeerd", &work.path().join("fout"))
        .status
        .success());
}

#[test]
fn fallback_reject_without_a_phone_number_tells_the_sender_and_sends_nothing() {
    let sink = Sink::start();
    let z = Zegel::start(
        &sink,
        &[
            ("action = \"portal\"", "action = \"archive\""),
            ("fallback = \"portal\"", "fallback = \"reject\""),
        ],
    );
    let (status, reply) = smtplib(z.port, "jan@zorg.nl", &["p.bakker@example.com"], &mail());
    assert_eq!(status, "ok", "{reply}");
    let got = sink.wait_for(1, WAIT);
    std::thread::sleep(std::time::Duration::from_secs(2));
    let got = if got.len() == 1 { sink.messages() } else { got };
    assert!(
        got.iter().all(|m| !m.is_for("p.bakker@example.com")),
        "nothing to the recipient"
    );
    let notice = got
        .iter()
        .find(|m| m.is_for("jan@zorg.nl"))
        .expect("a failure notice to the sender");
    assert!(notice.text().contains("5.7.1"), "{}", notice.text());
    let outbox = z.dir.join("zegel-data/sms-outbox");
    let sent = std::fs::read_dir(&outbox).map(|d| d.count()).unwrap_or(0);
    assert_eq!(sent, 0, "no SMS without a number");
}

/// `fallback = "hold"` when the SMS provider fails: the webhook points at a
/// port on 127.0.0.1 where nothing listens. The recipient with a known
/// number gets nothing, the message is held (`zegel held list`), the trail
/// says why, and `zegel held delete` makes sure it never goes.
#[test]
fn fallback_hold_when_the_sms_provider_fails_keeps_the_message_back() {
    let sink = Sink::start();
    let closed = zegel_testkit::free_port();
    let webhook = format!("provider = \"webhook\"\nwebhook_url = \"http://127.0.0.1:{closed}/sms\"\nwebhook_timeout_secs = 1");
    let z = archive_zegel(
        &sink,
        &[
            ("fallback = \"portal\"", "fallback = \"hold\""),
            ("provider = \"outbox\"", webhook.as_str()),
        ],
    );
    let (status, reply) = smtplib(z.port, "jan@zorg.nl", &["p.bakker@example.com"], &mail());
    assert_eq!(status, "ok", "{reply}");
    let config = z.dir.join("zegel.toml");
    let cli = |args: &[&str]| {
        let out = zegel()
            .args(args)
            .arg("--config")
            .arg(&config)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let held = cli(&["held", "list"]);
    let line = held
        .lines()
        .find(|l| l.contains("p.bakker@example.com"))
        .unwrap_or_else(|| panic!("not held: {held}"));
    let id = line.split_whitespace().next().unwrap().to_string();
    let trail = cli(&["audit", "export", "--format", "json"]);
    let fallback = trail
        .lines()
        .find(|l| l.contains("archive_fallback"))
        .unwrap_or_else(|| panic!("no archive_fallback event: {trail}"));
    assert!(fallback.contains("fallback hold"), "{fallback}");
    assert!(
        fallback.contains("SMS not sent"),
        "the provider failed: {fallback}"
    );
    assert!(!trail.contains("111222333"), "no content in the trail");
    // Nothing reaches the recipient (the sender may get a notice).
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert!(
        sink.messages()
            .iter()
            .all(|m| !m.is_for("p.bakker@example.com")),
        "held mail was sent"
    );
    let deleted = cli(&["held", "delete", &id, "--by", "privacy@zorg.nl"]);
    assert!(deleted.contains("will not be sent"), "{deleted}");
    assert!(!cli(&["held", "list"]).contains(&id));
}
