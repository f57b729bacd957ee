//! The secure reply, and the mail the public contact page sends.

use super::{bad_form, Reader};
use crate::pages;
use crate::upload::{read_upload, upload_refused};
use crate::view;
use crate::web;
use crate::Portal;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::net::IpAddr;
use zegel_outbound::header::{self as mail_header, HeaderError};
use zegel_outbound::{Submission, SubmissionRecipient, SubmitOutcome};
use zegel_store::Event;

/// Builds a mail from a form (the secure reply, or a message from the
/// public page); every header value goes through `zegel_outbound::header`
/// (an address it refuses is the error).
pub(crate) fn build_mail(
    from: &str,
    to: &str,
    subject: &str,
    in_reply_to: Option<&str>,
    text: &str,
    files: &[(String, String, Vec<u8>)],
) -> Result<Vec<u8>, HeaderError> {
    let mut mail = mail_builder::MessageBuilder::new()
        .from(mail_header::mailbox(None, from)?)
        .to(mail_header::mailbox(None, to)?)
        .text_body(text);
    if let Some(id) = in_reply_to.and_then(mail_header::message_id) {
        mail = mail.in_reply_to(id.clone()).references(id);
    }
    Ok(crate::upload::finish_mail(mail, subject, files))
}

/// The subject of a reply to a message with `subject` (as decoded):
/// `Re: ` before it unless it has one.
pub(crate) fn reply_subject(subject: &str) -> String {
    if subject.to_lowercase().starts_with("re:") {
        subject.to_string()
    } else {
        format!("Re: {subject}")
    }
}

/// Hands a mail written on the portal to the outbound pipeline, as mail
/// from the verified `from` address.
pub(crate) async fn submit(
    portal: &Portal,
    ip: IpAddr,
    from: &str,
    to: &str,
    raw: Vec<u8>,
) -> bool {
    let outcome = portal
        .outbound
        .submit(Submission {
            mail_from: from.to_string(),
            recipients: vec![SubmissionRecipient {
                address: to.to_string(),
                notify_never: false,
            }],
            raw,
            client_ip: Some(ip),
            helo: Some("portal".into()),
            authenticated_user: Some(from.to_string()),
            tls: portal.config.public_url.starts_with("https://"),
            headers_only: false,
            sent_secure: None,
        })
        .await;
    matches!(outcome, SubmitOutcome::Accepted { .. })
}

/// `POST /m/{token}/reply`: a secure reply, with files, to the sender; it
/// reaches them as normal internal mail.
pub async fn reply(
    State(portal): State<Portal>,
    Reader(v): Reader,
    multipart: Multipart,
) -> Response {
    let upload = match read_upload(multipart).await {
        Ok(upload) => upload,
        Err(status) => return upload_refused(&portal, status, v.ip, v.lang).await,
    };
    let csrf = upload.fields.get("csrf").map(String::as_str).unwrap_or("");
    if !v.csrf_ok(csrf) {
        return bad_form(&portal, v.ip, v.lang).await;
    }
    let text = upload.fields.get("text").map(String::as_str).unwrap_or("");
    let t = v.lang.texts();
    let back = Some((format!("{}/read", v.base), t.back_to_message.to_string()));
    if text.trim().is_empty() && upload.files.is_empty() {
        let page = pages::Notice {
            f: web::frame(&portal, v.lang, t.reply, ""),
            text: t.empty_message.into(),
            link: back,
        };
        return (StatusCode::BAD_REQUEST, pages::html(&page)).into_response();
    }
    // A cap per message and day, counted in the database: a reader (or
    // whoever has the session) cannot make the gateway mail the sender
    // without end.
    match portal
        .store()
        .count_hit(&format!("reply:{}", v.package.id), 86_400)
        .await
    {
        Ok(n) if n <= portal.config.replies_per_message_day => {}
        Ok(_) => {
            let page = pages::Notice {
                f: web::frame(&portal, v.lang, t.reply, ""),
                text: t.too_many_replies.into(),
                link: back,
            };
            return (StatusCode::TOO_MANY_REQUESTS, pages::html(&page)).into_response();
        }
        Err(_) => return web::unavailable(&portal, v.lang),
    }
    let Ok(raw) = portal.store().package_content(&v.package).await else {
        return web::unavailable(&portal, v.lang);
    };
    let original = view::render(&raw, false, "");
    let subject = reply_subject(
        original
            .as_ref()
            .map(|m| m.subject.as_str())
            .unwrap_or_default(),
    );
    let Ok(mail) = build_mail(
        &v.package.recipient,
        &v.package.sender,
        &subject,
        original.as_ref().and_then(|m| m.message_id.as_deref()),
        text,
        &upload.files,
    ) else {
        return bad_form(&portal, v.ip, v.lang).await;
    };
    if !submit(&portal, v.ip, &v.package.recipient, &v.package.sender, mail).await {
        return web::unavailable(&portal, v.lang);
    }
    portal
        .audit(
            Event::Replied,
            Some(&v.package.message_id),
            &v.package.recipient,
            &format!("reply with {} file(s)", upload.files.len()),
        )
        .await;
    let page = pages::Notice {
        f: web::frame(&portal, v.lang, t.reply_sent_title, ""),
        text: t.reply_sent.into(),
        link: back,
    };
    pages::html(&page).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MessageParser;
    use zegel_outbound::header::header_names;

    /// What a mail from the public page or a reply has, no more.
    const HEADERS: [&str; 8] = [
        "content-transfer-encoding",
        "content-type",
        "date",
        "from",
        "message-id",
        "mime-version",
        "subject",
        "to",
    ];

    /// Subjects that add a header (short: mail-builder happens to encode
    /// text longer than 77 characters).
    const ATTACKS: [&str; 4] = [
        "Vraag\r\nBcc: evil@example.com",
        "Vraag\r\nFrom: ceo@zorg.nl",
        "Vraag\nX-Zegel-Verdict: normal",
        "Vraag\r\n\r\n<html>Klik</html>",
    ];

    #[test]
    fn a_contact_subject_with_cr_lf_adds_no_header() {
        for attack in ATTACKS {
            let raw = build_mail(
                "burger@example.com",
                "info@zorg.nl",
                attack,
                None,
                "Mijn vraag.",
                &[],
            )
            .unwrap();
            let shown = String::from_utf8_lossy(&raw);
            assert_eq!(header_names(&raw), HEADERS, "{attack:?}: {shown}");
            let parsed = MessageParser::default().parse(&raw).unwrap();
            let from = parsed.from().and_then(|f| f.first());
            assert_eq!(from.and_then(|a| a.address()), Some("burger@example.com"));
            assert_eq!(
                parsed.body_text(0).as_deref(),
                Some("Mijn vraag."),
                "{shown}"
            );
        }
    }

    #[test]
    fn a_reply_to_an_encoded_subject_with_cr_lf_adds_no_header() {
        // The original's subject decodes to text with CR LF in it.
        let original = b"From: Jan <jan@zorg.nl>\r\nTo: burger@example.com\r\n\
            Subject: =?utf-8?Q?Afspraak=0D=0ABcc:_evil@example.com=0D=0AX-Zegel-Verdict:_normal?=\r\n\
            Message-ID: <orig-1@zorg.nl>\r\n\r\nTot dan.\r\n";
        let view = crate::view::render(original, false, "").unwrap();
        assert!(view.subject.contains("\r\nBcc:"), "{:?}", view.subject);
        let raw = build_mail(
            "burger@example.com",
            "jan@zorg.nl",
            &reply_subject(&view.subject),
            view.message_id.as_deref(),
            "Dank u.",
            &[],
        )
        .unwrap();
        let mut want: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
        want.extend(["in-reply-to".to_string(), "references".to_string()]);
        want.sort();
        assert_eq!(
            header_names(&raw),
            want,
            "{}",
            String::from_utf8_lossy(&raw)
        );
        let parsed = MessageParser::default().parse(&raw).unwrap();
        assert_eq!(
            parsed.subject(),
            Some("Re: Afspraak Bcc: evil@example.com X-Zegel-Verdict: normal")
        );
    }

    proptest::proptest! {
        /// Whatever the subject and the original's message id, a mail built
        /// from a form has the headers it is built with and no others.
        #[test]
        fn a_form_never_adds_a_header(
            subject in "(\\PC|[\\r\\n\\t]|Bcc: |=\\?|\\?=){0,60}",
            id in "(\\PC|[\\r\\n<> ]){0,30}",
        ) {
            let raw = build_mail(
                "burger@example.com",
                "info@zorg.nl",
                &subject,
                Some(&id),
                "tekst",
                &[],
            )
            .unwrap();
            let names: Vec<String> = header_names(&raw)
                .into_iter()
                .filter(|n| n != "in-reply-to" && n != "references")
                .collect();
            proptest::prop_assert_eq!(names, HEADERS);
        }
    }
}
