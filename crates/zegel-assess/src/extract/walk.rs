//! The MIME walk: subject, one body per alternative, and every attachment,
//! recursively into forwarded messages.
//!
//! mail-parser already decodes RFC 2047 subjects, quoted-printable and
//! base64, and charsets of text parts; it also chooses the body parts:
//! `text_body` holds the plain version of each `multipart/alternative`
//! (the HTML one only where there is no plain one), so text is not counted
//! twice. Every other part is in `attachments`.

use super::{file, html, text, Ctx};
use crate::finding::Location;
use crate::segment::SegmentRole;
use mail_parser::{Message, MessageParser, MessagePart, MimeHeaders, PartType};

/// Walks `message`. `at` is `None` for the message being assessed, or the
/// location of a forwarded message, whose subject then becomes
/// [`SegmentRole::Attachment`] text and whose body [`SegmentRole::Forwarded`]
/// text at that location (it is not what the sender wrote), and whose
/// attachments nest below it.
pub(crate) fn walk_message(ctx: &mut Ctx<'_>, message: &Message<'_>, at: Option<&Location>) {
    let (subject_location, body_location, subject_role, body_role) = match at {
        None => (
            Location::Subject,
            Location::Body,
            SegmentRole::Subject,
            SegmentRole::Body,
        ),
        Some(l) => (
            l.clone(),
            l.clone(),
            SegmentRole::Attachment,
            SegmentRole::Forwarded,
        ),
    };
    if let Some(subject) = message.subject() {
        ctx.push_text(&subject_location, subject_role, subject.to_string());
    }
    let max = ctx.limits.max_text_bytes;
    let mut bodies = 0;
    for ids in [&message.text_body, &message.html_body] {
        for &id in ids {
            let text = match message.part(id).map(|p| &p.body) {
                Some(PartType::Text(text)) => text::bounded_copy(text, max),
                Some(PartType::Html(source)) => html::html_to_text(source, max),
                _ => continue,
            };
            bodies += 1;
            ctx.push_text(&body_location, body_role, text);
        }
        // The HTML bodies only when there was no plain (or converted) one.
        if bodies > 0 {
            break;
        }
    }
    for (n, &id) in message.attachments.iter().enumerate() {
        if let Some(part) = message.part(id) {
            attachment(ctx, at, part, n + 1);
        }
    }
}

/// Parses bytes as a message (an `.eml` in an archive) and walks it at
/// `location`.
pub(crate) fn walk_message_bytes(ctx: &mut Ctx<'_>, location: &Location, bytes: &[u8]) {
    // mail-parser's internal checks can trip on hostile input: isolate it.
    match super::guard::isolate("e-mail", || MessageParser::default().parse(bytes)) {
        Ok(Some(message)) => walk_message(ctx, &message, Some(location)),
        Ok(None) => ctx.unreadable(location, "not a readable e-mail message"),
        Err(reason) => ctx.unreadable(location, &reason),
    }
}

/// One attachment part of a message.
fn attachment(ctx: &mut Ctx<'_>, parent: Option<&Location>, part: &MessagePart<'_>, n: usize) {
    let name = part.attachment_name().filter(|n| !n.trim().is_empty());
    let label = match (name, &part.body) {
        (Some(name), _) => name.to_string(),
        (None, PartType::Message(_)) => format!("forwarded-{n}.eml"),
        (None, _) => format!("part-{n}"),
    };
    let location = match parent {
        Some(p) => p.child(&label),
        None => Location::Body.child(&label),
    };
    let content_type = part.content_type().map(|ct| match ct.subtype() {
        Some(sub) => format!("{}/{}", ct.ctype(), sub),
        None => ct.ctype().to_string(),
    });
    let ct = content_type.as_deref();
    match &part.body {
        PartType::Text(text) => {
            file::extract_text_attachment(ctx, &location, name, ct, text, false)
        }
        PartType::Html(source) => {
            file::extract_text_attachment(ctx, &location, name, ct, source, true)
        }
        PartType::Binary(bytes) | PartType::InlineBinary(bytes) => {
            file::extract_attachment(ctx, &location, name, ct, bytes)
        }
        PartType::Message(message) => {
            file::record(ctx, &location, name, ct, message.raw_message.len());
            if file::depth(&location) > ctx.limits.max_depth {
                ctx.limit(&location, "max_depth");
            } else {
                walk_message(ctx, message, Some(&location));
            }
        }
        PartType::Multipart(_) => {}
    }
}
