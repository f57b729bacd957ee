//! The `archive` action: for one external recipient, the message's
//! attachments (and, with `body_as_document`, its text as `bericht.txt`
//! and `bericht.html`) packed into one AES-256 encrypted archive
//! (zegel-archive: 7z with the names encrypted, or ZIP with AES), mailed
//! with a short explanation in Dutch and English; the password, new for
//! every recipient, goes by SMS to the recipient's phone (the sender's
//! `[sms:+316…]` tag, else the contact list), never in the mail.
//!
//! The password lives in memory only (wiped on drop): it is not stored,
//! not queued and not logged; the audit log records that it was sent and
//! to which (masked) number. The SMS goes out before the message is
//! stored, so a recipient whose SMS fails gets the fallback instead of an
//! archive nobody can open. Should storing then fail, the client tries
//! again and that try makes a new archive and password.

use crate::compose::{self, ArchiveMail};
use crate::config::OutboundConfig;
use crate::sms::{PhoneNumber, SmsSender};
use mail_parser::{Address, MessageParser, MimeHeaders, PartType};
use std::sync::Arc;
use zegel_archive::{Entry, PackOptions, Password};

/// The files of one message to pack: (name, contents), in order.
pub(crate) type Documents = Arc<Vec<(String, Vec<u8>)>>;

/// An archive mail ready to queue for one recipient.
pub(crate) struct Prepared {
    /// The whole mail (explanation and the archive attached).
    pub mail: Vec<u8>,
    /// Files in the archive.
    pub files: usize,
    /// The number the password went to, masked (for the audit log).
    pub phone_masked: String,
}

/// The files to pack from the message `raw`: the text as documents when
/// `body_as_document`, then every attachment with its own name.
pub(crate) fn documents(raw: &[u8], body_as_document: bool) -> Documents {
    let Some(message) = MessageParser::default().parse(raw) else {
        return Arc::new(Vec::new());
    };
    let mut docs = Vec::new();
    if body_as_document {
        let mut text = String::new();
        let mut line = |label: &str, value: String| {
            if !value.is_empty() {
                text.push_str(&format!("{label}: {value}\r\n"));
            }
        };
        line("Van / From", addresses(message.from()));
        line("Aan / To", addresses(message.to()));
        line("Cc", addresses(message.cc()));
        line(
            "Datum / Date",
            message.date().map(|d| d.to_rfc822()).unwrap_or_default(),
        );
        line(
            "Onderwerp / Subject",
            message.subject().unwrap_or_default().to_string(),
        );
        text.push_str("\r\n");
        text.push_str(&message.body_text(0).unwrap_or_default());
        docs.push(("bericht.txt".to_string(), text.into_bytes()));
        if let Some(part) = message.html_part(0) {
            if let PartType::Html(html) = &part.body {
                docs.push(("bericht.html".to_string(), html.as_bytes().to_vec()));
            }
        }
    }
    for attachment in message.attachments() {
        let name = attachment.attachment_name().unwrap_or_default().to_string();
        docs.push((name, attachment.contents().to_vec()));
    }
    Arc::new(docs)
}

/// `Name <address>, …` of an address header.
fn addresses(address: Option<&Address<'_>>) -> String {
    let Some(address) = address else {
        return String::new();
    };
    address
        .iter()
        .map(|a| match (a.name(), a.address()) {
            (Some(n), Some(e)) => format!("{n} <{e}>"),
            (None, Some(e)) => e.to_string(),
            (Some(n), None) => n.to_string(),
            (None, None) => String::new(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The SMS with the password, Dutch then English; no names, no content.
pub(crate) fn sms_text(organization: &str, password: &str) -> String {
    format!(
        "{organization}: wachtwoord voor het beveiligde bestand dat u per e-mail krijgt: {password}\n\
         Password for the secure file you receive by e-mail."
    )
}

/// Why the `archive` action cannot be used for a recipient (the fallback
/// applies). Never holds the password.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ArchiveNotPossible {
    #[error("no phone number known")]
    NoPhone,
    #[error("no valid phone number known")]
    BadPhone,
    #[error("no SMS provider")]
    NoSmsProvider,
    #[error("nothing to pack (no attachments, body_as_document off)")]
    NothingToPack,
    #[error(transparent)]
    Archive(#[from] zegel_archive::ArchiveError),
    #[error("packing failed: {0}")]
    Packing(#[from] tokio::task::JoinError),
    #[error("SMS not sent: {0}")]
    Sms(#[from] crate::sms::SmsError),
}

/// Packs `docs` for `recipient`, sends the password to `phone` and writes
/// the mail. `Err`: why not (then the fallback applies); never holds the
/// password.
pub(crate) async fn prepare(
    c: &OutboundConfig,
    sms: Option<&Arc<dyn SmsSender>>,
    docs: &Documents,
    sender: &str,
    recipient: &str,
    subject: &str,
    phone: Option<&str>,
) -> Result<Prepared, ArchiveNotPossible> {
    let phone = phone.ok_or(ArchiveNotPossible::NoPhone)?;
    let phone = PhoneNumber::parse(phone).map_err(|_| ArchiveNotPossible::BadPhone)?;
    let sms = sms.ok_or(ArchiveNotPossible::NoSmsProvider)?;
    if docs.is_empty() {
        return Err(ArchiveNotPossible::NothingToPack);
    }
    let password = Password::generate()?;
    let format = c.archive_format;
    let packed = {
        let (docs, password) = (docs.clone(), password.clone());
        tokio::task::spawn_blocking(move || {
            let entries: Vec<Entry<'_>> = docs
                .iter()
                .map(|(name, data)| Entry::new(name, data))
                .collect();
            let options = PackOptions {
                format,
                modified: Some(std::time::SystemTime::now()),
                ..PackOptions::default()
            };
            zegel_archive::pack(&entries, &password, &options)
        })
        .await??
    };
    let text = zeroize::Zeroizing::new(sms_text(&c.organization, password.as_str()));
    sms.send(&phone, &text).await?;
    let file_name = format!("beveiligd-bericht.{}", format.extension());
    let mail = compose::archive_mail(&ArchiveMail {
        organization: &c.organization,
        from: &c.notices_from,
        sender,
        recipient,
        subject: (!c.hide_subject).then_some(subject),
        file_name: &file_name,
        media_type: format.media_type(),
        archive: &packed.bytes,
        phone_last_digits: phone.last_digits(2),
        hostname: &c.hostname,
    });
    Ok(Prepared {
        mail,
        files: packed.names.len(),
        phone_masked: phone.masked(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_the_text_the_html_and_the_attachments() {
        let raw = b"From: Jan <jan@zorg.nl>\r\nTo: p@example.com\r\nSubject: Overdracht\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>BSN 111222333</p>\r\n\
--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"brief.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--b--\r\n";
        let docs = documents(raw, true);
        let names: Vec<&str> = docs.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["bericht.txt", "bericht.html", "brief.pdf"]);
        let text = String::from_utf8_lossy(&docs[0].1);
        assert!(text.contains("Onderwerp / Subject: Overdracht"), "{text}");
        assert!(text.contains("111222333"), "{text}");
        assert_eq!(docs[2].1, b"%PDF-");
        let only = documents(raw, false);
        assert_eq!(only.len(), 1);
        assert_eq!(only[0].0, "brief.pdf");
    }

    #[test]
    fn the_sms_holds_the_password_and_nothing_else() {
        let text = sms_text("Zorg BV", "abcd-efgh");
        assert!(text.contains("abcd-efgh") && text.starts_with("Zorg BV:"));
    }
}
