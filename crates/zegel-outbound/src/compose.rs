//! The mails zegel writes itself. None carries the protected content: a
//! notification says who sent something and how to open it; the sender's
//! notice gives the reasons (which name kinds and places, never values); a
//! failure notice returns the original only to its own sender. Dutch first,
//! then English.

use crate::header;
use mail_builder::headers::address::Address;
use mail_builder::MessageBuilder;

/// What a portal notification needs.
pub struct Notification<'a> {
    /// Our organisation's name.
    pub organization: &'a str,
    /// The From of zegel's mails.
    pub from: &'a str,
    /// The original sender (display and Reply-To).
    pub sender: &'a str,
    /// The recipient.
    pub recipient: &'a str,
    /// The link with the recipient's token.
    pub link: &'a str,
    /// The original subject, or `None` to hide it.
    pub subject: Option<&'a str>,
    /// Days until it expires.
    pub expiry_days: u64,
    /// Our host name (Message-ID).
    pub hostname: &'a str,
}

/// The notification to an external recipient of a portal message.
pub fn notification(n: &Notification<'_>) -> Vec<u8> {
    let subject = match n.subject {
        Some(s) => format!("Beveiligd bericht: {s} / Secure message"),
        None => format!(
            "Beveiligd bericht van {} / Secure message from {}",
            n.sender, n.sender
        ),
    };
    let body = format!(
        "U hebt een beveiligd bericht ontvangen van {sender} ({org}).\r\n\
         \r\n\
         Open het bericht via deze link:\r\n\
         {link}\r\n\
         \r\n\
         U bevestigt eerst uw e-mailadres met een code die wij u sturen. Het bericht\r\n\
         blijft {days} dagen beschikbaar. Deze e-mail bevat de inhoud zelf niet.\r\n\
         \r\n\
         ---\r\n\
         \r\n\
         You have received a secure message from {sender} ({org}).\r\n\
         \r\n\
         Open the message with this link:\r\n\
         {link}\r\n\
         \r\n\
         You first confirm your e-mail address with a code we send you. The message\r\n\
         stays available for {days} days. This e-mail does not contain the content itself.\r\n",
        sender = n.sender,
        org = n.organization,
        link = n.link,
        days = n.expiry_days,
    );
    let mail = auto_generated((n.organization, n.from), n.recipient, n.hostname, body);
    finish(&subject, with_reply_to(mail, n.sender))
}

/// What the mail with an encrypted archive needs.
pub struct ArchiveMail<'a> {
    /// Our organisation's name.
    pub organization: &'a str,
    /// The From of zegel's mails.
    pub from: &'a str,
    /// The original sender (display and Reply-To).
    pub sender: &'a str,
    /// The recipient.
    pub recipient: &'a str,
    /// The original subject, or `None` to hide it.
    pub subject: Option<&'a str>,
    /// The archive's file name.
    pub file_name: &'a str,
    /// The archive's MIME type.
    pub media_type: &'a str,
    /// The encrypted archive.
    pub archive: &'a [u8],
    /// The last digits of the phone number the password went to.
    pub phone_last_digits: &'a str,
    /// Our host name (Message-ID).
    pub hostname: &'a str,
}

/// The mail to an external recipient with the message as an encrypted
/// archive. It names neither the files nor the content, and never holds
/// the password (that goes by SMS).
pub fn archive_mail(a: &ArchiveMail<'_>) -> Vec<u8> {
    let subject = match a.subject {
        Some(s) => format!("Beveiligd bericht: {s} / Secure message"),
        None => format!(
            "Beveiligd bericht van {} / Secure message from {}",
            a.sender, a.sender
        ),
    };
    let body = format!(
        "U hebt een beveiligd bericht ontvangen van {sender} ({org}).\r\n\
         \r\n\
         Het bericht en de bijlagen staan in het versleutelde bestand {file} (AES-256).\r\n\
         Het wachtwoord hebt u per SMS gekregen op uw mobiele nummer dat eindigt op {digits}.\r\n\
         Open het bestand met 7-Zip (Windows), PeaZip, of Keka of The Unarchiver (macOS)\r\n\
         en typ het wachtwoord in. Deze e-mail bevat het wachtwoord niet.\r\n\
         \r\n\
         ---\r\n\
         \r\n\
         You have received a secure message from {sender} ({org}).\r\n\
         \r\n\
         The message and its attachments are in the encrypted file {file} (AES-256).\r\n\
         You received the password by SMS on your mobile number ending in {digits}.\r\n\
         Open the file with 7-Zip (Windows), PeaZip, or Keka or The Unarchiver (macOS)\r\n\
         and type the password. This e-mail does not contain the password.\r\n",
        sender = a.sender,
        org = a.organization,
        file = a.file_name,
        digits = a.phone_last_digits,
    );
    let mail = auto_generated((a.organization, a.from), a.recipient, a.hostname, body).attachment(
        header::media_type(a.media_type),
        header::file_name(a.file_name, "bericht.7z"),
        a.archive.to_vec(),
    );
    finish(&subject, with_reply_to(mail, a.sender))
}

/// What the sender's notice needs.
pub struct SenderNotice<'a> {
    /// Our organisation's name.
    pub organization: &'a str,
    /// The From of zegel's mails.
    pub from: &'a str,
    /// The sender.
    pub sender: &'a str,
    /// The recipients that got it securely (or that it is held for).
    pub recipients: &'a [String],
    /// Held instead of sent.
    pub held: bool,
    /// The reasons in Dutch.
    pub reasons_nl: &'a [String],
    /// The reasons in English.
    pub reasons_en: &'a [String],
    /// The status page link.
    pub status_link: Option<&'a str>,
    /// Where the sender confirms or cancels what a warning held.
    pub confirm: Option<ConfirmLink<'a>>,
    /// Access codes the sender must pass on to recipients (recipient, code).
    pub access_codes: &'a [(String, String)],
    /// Our host name.
    pub hostname: &'a str,
}

/// The link in a sender's notice to confirm or cancel a held message.
#[derive(Debug, Clone, Copy)]
pub struct ConfirmLink<'a> {
    /// The confirmation page.
    pub link: &'a str,
    /// Unanswered by then (Unix seconds), it is not sent.
    pub deadline: i64,
    /// The page also offers a separate copy per recipient.
    pub separate_offered: bool,
}

/// A moment as the notices show it: `2026-12-09 14:05 UTC`.
fn show_moment(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// The notice to the sender of a message that went securely or was held.
pub fn sender_notice(n: &SenderNotice<'_>) -> Vec<u8> {
    let list = |items: &[String]| -> String {
        items
            .iter()
            .map(|i| format!("  - {i}\r\n"))
            .collect::<String>()
    };
    let (what_nl, what_en, subject) = if n.held {
        (
            "is tegengehouden en niet naar deze ontvangers verstuurd",
            "was held and not sent to these recipients",
            "Uw bericht is tegengehouden / Your message was held",
        )
    } else {
        (
            "is beveiligd verstuurd naar",
            "was sent securely to",
            "Uw bericht is beveiligd verstuurd / Your message was sent securely",
        )
    };
    let status_nl = n
        .status_link
        .map(|l| format!("\r\nVolg het bericht (gelezen, intrekken): {l}\r\n"))
        .unwrap_or_default();
    let status_en = n
        .status_link
        .map(|l| format!("\r\nFollow the message (read, revoke): {l}\r\n"))
        .unwrap_or_default();
    let (confirm_nl, confirm_en) = match n.confirm {
        Some(c) => {
            let when = show_moment(c.deadline);
            let (separate_nl, separate_en) = if c.separate_offered {
                (
                    " U kunt ook iedere ontvanger een eigen kopie sturen, zonder de andere adressen.",
                    " You can also send each recipient a copy of their own, without the other addresses.",
                )
            } else {
                ("", "")
            };
            (
                format!(
                    "\r\nKlopt dit? Verstuur of annuleer het bericht voor {when}: {link}\r\n\
                     Zonder antwoord wordt het niet verstuurd.{separate_nl}\r\n",
                    link = c.link
                ),
                format!(
                    "\r\nIs this right? Send or cancel the message before {when}: {link}\r\n\
                     Without an answer it is not sent.{separate_en}\r\n",
                    link = c.link
                ),
            )
        }
        None => (String::new(), String::new()),
    };
    let codes = |intro: &str| -> String {
        if n.access_codes.is_empty() {
            return String::new();
        }
        let lines: String = n
            .access_codes
            .iter()
            .map(|(rcpt, code)| format!("  - {rcpt}: {code}\r\n"))
            .collect();
        format!("\r\n{intro}\r\n{lines}")
    };
    let codes_nl = codes(
        "Geef de ontvanger deze toegangscode op een andere manier door (telefoon, niet per mail):",
    );
    let codes_en =
        codes("Pass this access code to the recipient another way (phone, not by mail):");
    let body = format!(
        "Uw bericht {what_nl}:\r\n{rcpts_nl}\r\nWaarom:\r\n{why_nl}{confirm_nl}{codes_nl}{status_nl}\r\n---\r\n\r\n\
         Your message {what_en}:\r\n{rcpts_en}\r\nWhy:\r\n{why_en}{confirm_en}{codes_en}{status_en}",
        rcpts_nl = list(n.recipients),
        rcpts_en = list(n.recipients),
        why_nl = list(n.reasons_nl),
        why_en = list(n.reasons_en),
    );
    finish(
        subject,
        auto_generated((n.organization, n.from), n.sender, n.hostname, body),
    )
}

/// What the notice of a held message dropped at its deadline needs.
pub struct HoldExpiredNotice<'a> {
    /// Our organisation's name.
    pub organization: &'a str,
    /// The From of zegel's mails.
    pub from: &'a str,
    /// The sender.
    pub sender: &'a str,
    /// The recipients it was not sent to.
    pub recipients: &'a [String],
    /// Our host name.
    pub hostname: &'a str,
}

/// The notice to the sender that a held message was not confirmed in time
/// and so was not sent.
pub fn hold_expired_notice(n: &HoldExpiredNotice<'_>) -> Vec<u8> {
    let list: String = n
        .recipients
        .iter()
        .map(|r| format!("  - {r}\r\n"))
        .collect();
    let body = format!(
        "Uw bericht is niet verstuurd naar:\r\n{list}\r\n\
         Het was tegengehouden en u heeft het niet op tijd bevestigd. \
         Moet het toch weg, controleer dan het adres en verstuur het opnieuw.\r\n\r\n---\r\n\r\n\
         Your message was not sent to:\r\n{list}\r\n\
         It was held and you did not confirm it in time. \
         If it must go after all, check the address and send it again.\r\n"
    );
    finish(
        "Uw bericht is niet verstuurd / Your message was not sent",
        auto_generated((n.organization, n.from), n.sender, n.hostname, body),
    )
}

/// What the notice to a colleague who takes over secure messages needs.
pub struct HandoverNotice<'a> {
    /// Our organisation's name.
    pub organization: &'a str,
    /// The From of zegel's mails.
    pub from: &'a str,
    /// The colleague.
    pub colleague: &'a str,
    /// Who left.
    pub former_sender: &'a str,
    /// Per message: its recipients and its new status page.
    pub messages: &'a [(Vec<String>, String)],
    /// Our host name.
    pub hostname: &'a str,
}

/// The notice to a colleague who takes over a leaver's open secure
/// messages: a new status page per message (withdraw, expiry, who read
/// it); the leaver's own links no longer work.
pub fn handover_notice(n: &HandoverNotice<'_>) -> Vec<u8> {
    let list: String = n
        .messages
        .iter()
        .map(|(recipients, link)| format!("  - {}: {link}\r\n", recipients.join(", ")))
        .collect();
    let body = format!(
        "U neemt de open beveiligde berichten van {leaver} over. Volg ze hier \
         (gelezen, intrekken, vervaldatum):\r\n{list}\r\n---\r\n\r\n\
         You take over the open secure messages of {leaver}. Follow them here \
         (read, withdraw, expiry):\r\n{list}",
        leaver = zegel_header::clean_text(n.former_sender),
    );
    finish(
        "Berichten overgedragen / Messages handed over to you",
        auto_generated((n.organization, n.from), n.colleague, n.hostname, body),
    )
}

/// What a failure notice needs.
pub struct FailureNotice<'a> {
    /// Our host name (Reporting-MTA, Message-ID).
    pub hostname: &'a str,
    /// The From of zegel's mails.
    pub from: &'a str,
    /// The original sender.
    pub sender: &'a str,
    /// The recipient that failed.
    pub recipient: &'a str,
    /// Why, in Dutch and English lines.
    pub reasons: &'a [String],
    /// The status code for the DSN (e.g. "5.7.1").
    pub status: &'a str,
    /// The original message (only its headers when `headers_only`).
    pub original: &'a [u8],
    /// RET=HDRS.
    pub headers_only: bool,
}

/// A delivery status notification (RFC 3464) for one failed recipient.
pub fn failure_notice(n: &FailureNotice<'_>) -> Vec<u8> {
    let why: String = n.reasons.iter().map(|r| format!("  {r}\r\n")).collect();
    // The recipient also goes into header-like fields: as text, on one line.
    let rcpt = header::clean_text(n.recipient);
    let text = format!(
        "Uw bericht kon niet worden afgeleverd bij {rcpt}.\r\n\
         Your message could not be delivered to {rcpt}.\r\n\r\n{why}",
    );
    let status = format!(
        "Reporting-MTA: dns; {host}\r\n\r\nFinal-Recipient: rfc822; {rcpt}\r\nAction: failed\r\nStatus: {status}\r\n",
        host = header::clean_text(n.hostname),
        status = header::clean_text(n.status),
    );
    let original = if n.headers_only {
        header_block(n.original)
    } else {
        n.original
    };
    let boundary = format!("zegel-dsn-{}", hex::encode(rand::random::<[u8; 8]>()));
    let mailbox = |address: &str| {
        header::address(address)
            .map(|a| format!("<{a}>"))
            .unwrap_or_else(|_| "undisclosed-recipients:;".to_string())
    };
    let mut out = Vec::new();
    out.extend_from_slice(
        format!(
            "From: Mail Delivery System {from}\r\nTo: {to}\r\n{subject}\
             Date: {date}\r\nMessage-ID: <{id}>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/report; report-type=delivery-status; boundary=\"{boundary}\"\r\n\r\n",
            from = mailbox(n.from),
            to = mailbox(n.sender),
            subject = header::text_line(
                "Subject",
                &format!("Niet afgeleverd / Undelivered: {rcpt}")
            ),
            date = mail_builder::headers::date::Date::now().to_rfc822(),
            id = message_id(n.hostname),
        )
        .as_bytes(),
    );
    for (ctype, body) in [
        ("text/plain; charset=utf-8", text.as_bytes()),
        ("message/delivery-status", status.as_bytes()),
        (
            if n.headers_only {
                "text/rfc822-headers"
            } else {
                "message/rfc822"
            },
            original,
        ),
    ] {
        out.extend_from_slice(format!("--{boundary}\r\nContent-Type: {ctype}\r\n\r\n").as_bytes());
        out.extend_from_slice(body);
        if !body.ends_with(b"\r\n") {
            out.extend_from_slice(b"\r\n");
        }
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

/// The header block of a message (up to and including the blank line).
fn header_block(message: &[u8]) -> &[u8] {
    memmem(message, b"\r\n\r\n")
        .map(|i| &message[..i + 4])
        .unwrap_or(message)
}

fn memmem(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn message_id(hostname: &str) -> String {
    format!("{}@{}", hex::encode(rand::random::<[u8; 12]>()), hostname)
}

/// A plain-text mail zegel writes itself, marked Auto-Submitted (RFC 3834)
/// so that auto-responders do not answer it. Writing it to a Vec cannot
/// fail, so callers use `unwrap_or_default`.
/// What a one-time code mail needs.
pub struct CodeMail<'a> {
    /// Our organisation's name.
    pub organization: &'a str,
    /// The From of zegel's mails.
    pub from: &'a str,
    /// Where the code goes.
    pub recipient: &'a str,
    /// The code.
    pub code: &'a str,
    /// Minutes it stays valid.
    pub minutes: u64,
    /// Our host name (Message-ID).
    pub hostname: &'a str,
}

/// The mail with a one-time code (the first factor of the portal).
pub fn code_mail(n: &CodeMail<'_>) -> Vec<u8> {
    let body = format!(
        "Uw code: {code}\r\n\
         \r\n\
         Vul deze code in op de pagina waar u hem aanvroeg. Hij is {min} minuten geldig.\r\n\
         Hebt u niets aangevraagd? Dan kunt u deze e-mail negeren.\r\n\
         \r\n\
         ---\r\n\
         \r\n\
         Your code: {code}\r\n\
         \r\n\
         Enter this code on the page where you asked for it. It is valid for {min} minutes.\r\n\
         Did you not ask for it? Then you can ignore this e-mail.\r\n",
        code = n.code,
        min = n.minutes,
    );
    finish(
        &format!("Uw code / Your code: {}", n.code),
        auto_generated((n.organization, n.from), n.recipient, n.hostname, body),
    )
}

/// What a read receipt needs.
pub struct ReadReceipt<'a> {
    /// Our organisation's name.
    pub organization: &'a str,
    /// The From of zegel's mails.
    pub from: &'a str,
    /// The sender of the secure message (gets the receipt).
    pub sender: &'a str,
    /// Who opened it.
    pub reader: &'a str,
    /// When, as shown (RFC 2822 date).
    pub opened_at: &'a str,
    /// Our host name (Message-ID).
    pub hostname: &'a str,
}

/// The receipt to the sender when a recipient first opens a secure message.
pub fn read_receipt(n: &ReadReceipt<'_>) -> Vec<u8> {
    let body = format!(
        "{reader} heeft uw beveiligde bericht geopend op {at}.\r\n\
         \r\n\
         ---\r\n\
         \r\n\
         {reader} opened your secure message on {at}.\r\n",
        reader = n.reader,
        at = n.opened_at,
    );
    finish(
        &format!(
            "Gelezen: beveiligd bericht aan {} / Read: secure message to {}",
            n.reader, n.reader
        ),
        auto_generated((n.organization, n.from), n.sender, n.hostname, body),
    )
}

fn auto_generated<'a>(
    from: (&str, &str),
    to: &str,
    hostname: &str,
    body: String,
) -> MessageBuilder<'a> {
    MessageBuilder::new()
        .from(own_mailbox(from))
        .to(recipient(to))
        .header(
            "Auto-Submitted",
            mail_builder::headers::raw::Raw::new("auto-generated"),
        )
        .message_id(message_id(hostname))
        .text_body(body)
}

/// The mail's bytes: the Subject line (text from input, through
/// `header::text_line`), then the rest. Writing into a Vec cannot fail.
fn finish(subject: &str, mail: MessageBuilder<'_>) -> Vec<u8> {
    let mut raw = header::text_line("Subject", subject).into_bytes();
    raw.extend(mail.write_to_vec().unwrap_or_default());
    raw
}

/// Our own From (the organisation's name and zegel's address, from the
/// configuration); an address `header` refuses leaves the name only.
fn own_mailbox((name, address): (&str, &str)) -> Address<'static> {
    header::mailbox(Some(name), address)
        .unwrap_or_else(|_| Address::new_address(Some(header::clean_text(name)), ""))
}

/// The To of a mail to `address`; an address `header` refuses (it holds a
/// control character or delimiter) is not written: the envelope still
/// decides where the mail goes.
fn recipient(address: &str) -> Address<'static> {
    header::mailbox(None, address).unwrap_or_else(|_| {
        Address::new_group(Some("undisclosed-recipients".to_string()), Vec::new())
    })
}

/// `mail` with Reply-To `address`, unless `header` refuses it.
fn with_reply_to<'a>(mail: MessageBuilder<'a>, address: &str) -> MessageBuilder<'a> {
    match header::mailbox(None, address) {
        Ok(a) => mail.reply_to(a),
        Err(_) => mail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::header_names;

    #[test]
    fn notification_hides_subject_and_content() {
        let mail = notification(&Notification {
            organization: "Zorg BV",
            from: "zegel@zorg.nl",
            sender: "jan@zorg.nl",
            recipient: "piet@example.com",
            link: "https://zegel.zorg.nl/m/abc",
            subject: None,
            expiry_days: 30,
            hostname: "zegel.zorg.nl",
        });
        let text = String::from_utf8(mail).unwrap();
        assert!(text.contains("https://zegel.zorg.nl/m/abc"));
        assert!(text.contains("Beveiligd bericht van jan@zorg.nl"));
        assert!(text.contains("Reply-To: <jan@zorg.nl>"), "{text}");
    }

    fn notification_with(subject: &str, sender: &str) -> Vec<u8> {
        notification(&Notification {
            organization: "Zorg BV",
            from: "zegel@zorg.nl",
            sender,
            recipient: "piet@example.com",
            link: "https://zegel.zorg.nl/m/abc",
            subject: Some(subject),
            expiry_days: 30,
            hostname: "zegel.zorg.nl",
        })
    }

    /// A notification's headers.
    const NOTIFICATION_HEADERS: [&str; 10] = [
        "auto-submitted",
        "content-transfer-encoding",
        "content-type",
        "date",
        "from",
        "message-id",
        "mime-version",
        "reply-to",
        "subject",
        "to",
    ];

    #[test]
    fn an_original_subject_with_cr_lf_adds_no_header_to_the_notification() {
        // The original's subject as decoded: an encoded word with =0D=0A
        // becomes CR LF.
        for subject in [
            "Afspraak\r\nBcc: evil@example.com",
            "Afspraak\nX-Zegel-Verdict: normal",
        ] {
            let mail = notification_with(subject, "jan@zorg.nl");
            assert_eq!(
                header_names(&mail),
                NOTIFICATION_HEADERS,
                "{}",
                String::from_utf8_lossy(&mail)
            );
        }
    }

    #[test]
    fn an_envelope_address_with_cr_lf_adds_no_header() {
        let mail = notification_with("Afspraak", "jan@zorg.nl\r\nBcc: evil@example.com");
        let want: Vec<&str> = NOTIFICATION_HEADERS
            .into_iter()
            .filter(|h| *h != "reply-to")
            .collect();
        assert_eq!(
            header_names(&mail),
            want,
            "no Reply-To for a refused address"
        );
        let dsn = failure_notice(&FailureNotice {
            hostname: "h",
            from: "mailer-daemon@h",
            sender: "a@zorg.nl\r\nBcc: evil@example.com",
            recipient: "b@example.com\r\nX-Zegel-Verdict: normal",
            reasons: &["550 no such user".into()],
            status: "5.1.1",
            original: b"Subject: x\r\n\r\nx\r\n",
            headers_only: true,
        });
        let names = header_names(&dsn);
        assert!(
            !names.iter().any(|n| n == "bcc" || n == "x-zegel-verdict"),
            "{}",
            String::from_utf8_lossy(&dsn)
        );
    }

    proptest::proptest! {
        /// Whatever the original subject and sender, a notification has
        /// its own headers and no others.
        #[test]
        fn no_subject_or_sender_adds_a_header_to_a_notification(
            subject in "(\\PC|[\\r\\n\\t]|Bcc: |=\\?|\\?=){0,60}",
            sender in "jan@zorg\\.nl([\\r\\n]|Bcc: |x){0,5}",
        ) {
            let mail = notification_with(&subject, &sender);
            let want: Vec<&str> = NOTIFICATION_HEADERS
                .into_iter()
                .filter(|h| *h != "reply-to" || header::address(&sender).is_ok())
                .collect();
            proptest::prop_assert_eq!(header_names(&mail), want);
        }
    }

    /// Whether `raw`'s top-level headers are all among `own`, with one
    /// From, one To and one Subject.
    fn only_own_headers(raw: &[u8], own: &[&str]) -> bool {
        let names = header_names(raw);
        let once = |h: &str| names.iter().filter(|n| *n == h).count() == 1;
        names.iter().all(|n| own.contains(&n.as_str()))
            && once("from")
            && once("to")
            && once("subject")
    }

    proptest::proptest! {
        /// Every mail compose.rs writes, with hostile text and addresses
        /// wherever input goes (the original subject, envelope sender and
        /// recipient, the reader, a file name): only its own headers.
        #[test]
        fn no_input_adds_a_header_to_any_of_our_mails(
            text in "(\\PC|[\\r\\n\\t]|Bcc: |X-Zegel-Verdict: |=\\?|\\?=){0,40}",
            address in "[a-z]{1,5}@zorg\\.nl([\\r\\n]|Bcc: |x){0,4}",
        ) {
            const OWN: [&str; 10] = NOTIFICATION_HEADERS;
            let notice = sender_notice(&SenderNotice {
                organization: "Zorg BV",
                from: "zegel@zorg.nl",
                sender: &address,
                recipients: std::slice::from_ref(&address),
                held: false,
                reasons_nl: std::slice::from_ref(&text),
                reasons_en: std::slice::from_ref(&text),
                status_link: Some("https://zegel.zorg.nl/status/x"),
                confirm: Some(ConfirmLink {
                    link: "https://zegel.zorg.nl/confirm/x",
                    deadline: 1_800_000_000,
                    separate_offered: true,
                }),
                access_codes: &[(address.clone(), "123456".into())],
                hostname: "zegel.zorg.nl",
            });
            proptest::prop_assert!(only_own_headers(&notice, &OWN), "{}", String::from_utf8_lossy(&notice));
            let expired = hold_expired_notice(&HoldExpiredNotice {
                organization: "Zorg BV",
                from: "zegel@zorg.nl",
                sender: &address,
                recipients: std::slice::from_ref(&text),
                hostname: "zegel.zorg.nl",
            });
            proptest::prop_assert!(only_own_headers(&expired, &OWN), "{}", String::from_utf8_lossy(&expired));
            let handover = handover_notice(&HandoverNotice {
                organization: "Zorg BV",
                from: "zegel@zorg.nl",
                colleague: &address,
                former_sender: &text,
                messages: &[(vec![address.clone()], "https://zegel.zorg.nl/status/x".into())],
                hostname: "zegel.zorg.nl",
            });
            proptest::prop_assert!(only_own_headers(&handover, &OWN), "{}", String::from_utf8_lossy(&handover));
            let code = code_mail(&CodeMail {
                organization: "Zorg BV",
                from: "zegel@zorg.nl",
                recipient: &address,
                code: &text,
                minutes: 10,
                hostname: "zegel.zorg.nl",
            });
            proptest::prop_assert!(only_own_headers(&code, &OWN), "{}", String::from_utf8_lossy(&code));
            let receipt = read_receipt(&ReadReceipt {
                organization: "Zorg BV",
                from: "zegel@zorg.nl",
                sender: &address,
                reader: &text,
                opened_at: "Sun, 6 Dec 2026 04:00:00 +0000",
                hostname: "zegel.zorg.nl",
            });
            proptest::prop_assert!(only_own_headers(&receipt, &OWN), "{}", String::from_utf8_lossy(&receipt));
            let archive = archive_mail(&ArchiveMail {
                organization: "Zorg BV",
                from: "zegel@zorg.nl",
                sender: &address,
                recipient: &address,
                subject: Some(&text),
                file_name: &text,
                media_type: "application/x-7z-compressed",
                archive: b"7z",
                phone_last_digits: "78",
                hostname: "zegel.zorg.nl",
            });
            proptest::prop_assert!(only_own_headers(&archive, &OWN), "{}", String::from_utf8_lossy(&archive));
            let dsn = failure_notice(&FailureNotice {
                hostname: "h",
                from: "mailer-daemon@h",
                sender: &address,
                recipient: &address,
                reasons: std::slice::from_ref(&text),
                status: "5.1.1",
                original: b"Subject: x\r\n\r\nx\r\n",
                headers_only: true,
            });
            let dsn_own = [
                "auto-submitted",
                "content-type",
                "date",
                "from",
                "message-id",
                "mime-version",
                "subject",
                "to",
            ];
            proptest::prop_assert!(only_own_headers(&dsn, &dsn_own), "{}", String::from_utf8_lossy(&dsn));
        }
    }

    #[test]
    fn failure_notice_with_headers_only() {
        let original = b"Subject: geheim\r\nFrom: a@zorg.nl\r\n\r\nBSN 111222333\r\n";
        let dsn = failure_notice(&FailureNotice {
            hostname: "h",
            from: "mailer-daemon@h",
            sender: "a@zorg.nl",
            recipient: "b@example.com",
            reasons: &["550 no such user".into()],
            status: "5.1.1",
            original,
            headers_only: true,
        });
        let text = String::from_utf8(dsn).unwrap();
        assert!(text.contains("Status: 5.1.1"));
        assert!(text.contains("Subject: geheim"));
        assert!(!text.contains("111222333"));
    }
}
