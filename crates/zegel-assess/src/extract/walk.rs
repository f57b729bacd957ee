//! The MIME walk: subject, one body per alternative, and every attachment,
//! recursively into forwarded messages.
//!
//! mail-parser already decodes RFC 2047 subjects, quoted-printable and
//! base64, and charsets of text parts. It chooses body parts for display
//! (`text_body` the plain version of each `multipart/alternative`,
//! `html_body` the HTML one), but a recipient's client may show either, so
//! EVERY alternative is read: the plain and the HTML one of each, and any
//! text part the parser placed in neither list nor among the attachments
//! (a third alternative, a part in a structure it did not expect). A part
//! declared as text whose bytes are a file (a ZIP sent as `text/plain`) is
//! read as that file.

use super::{file, html, text, Ctx};
use crate::finding::Location;
use crate::segment::SegmentRole;
use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::{
    Address, Encoding, HeaderName, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders,
    PartType,
};

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
    // Every Subject header: with two, clients differ in which they show.
    let mut subjects: Vec<&str> = message
        .header_values(HeaderName::Subject)
        .filter_map(HeaderValue::as_text)
        .collect();
    subjects.dedup();
    for subject in subjects {
        ctx.push_text(&subject_location, subject_role, subject.to_string());
    }
    // A forwarded message's header block names its correspondents: that
    // is content (unlike the outgoing message's own To and Cc).
    if at.is_some() {
        ctx.push_text(
            &body_location,
            SegmentRole::Attachment,
            header_block(message),
        );
        let raw = raw_header_lines(message);
        ctx.push_text(&body_location, SegmentRole::Attachment, raw);
    }
    let max = ctx.limits.max_text_bytes;
    let mut seen = vec![false; message.parts.len()];
    let mut read_words = String::new();
    let bodies: Vec<u32> = message
        .text_body
        .iter()
        .chain(message.html_body.iter())
        .copied()
        .collect();
    // Only with more than one body part are alternatives compared.
    let compare = bodies.len() > 1;
    let last = bodies.len().saturating_sub(1);
    for (n, id) in bodies.into_iter().enumerate() {
        if std::mem::replace(seen.get_mut(id as usize).unwrap_or(&mut true), true) {
            continue;
        }
        let Some(part) = message.part(id) else {
            continue;
        };
        if let Some(bytes) = disguised_file(message, part) {
            let location = body_location.child(&format!("part-{}", id + 1));
            file::extract_attachment(ctx, &location, None, None, &bytes);
            continue;
        }
        let text = match &part.body {
            PartType::Text(text) => {
                let text = text::bounded_copy(text, max);
                file::uuencoded(ctx, &body_location, &text);
                text
            }
            PartType::Html(source) => html::html_to_text(source, max),
            _ => continue,
        };
        // What an alternative says that the ones before did not: the
        // whole of the first, of the others what is new (the BSN only the
        // HTML version shows), so the same words are not read twice.
        if !compare {
            ctx.push_text(&body_location, body_role, text);
            continue;
        }
        let new = unread_lines(&text, &read_words);
        // The last body is compared with, never against.
        if n < last {
            read_words.push_str(&word_stream(&text));
        }
        ctx.push_text(&body_location, body_role, new);
    }
    let shown_inline = inline_ids(message);
    for (n, &id) in message.attachments.iter().enumerate() {
        if let Some(seen) = seen.get_mut(id as usize) {
            *seen = true;
        }
        if let Some(part) = message.part(id) {
            ctx.inline = part
                .content_id()
                .is_some_and(|cid| shown_inline.iter().any(|s| s.eq_ignore_ascii_case(cid)));
            attachment(ctx, message, at, part, n + 1);
            ctx.inline = false;
        }
    }
    // Leaf parts in neither list: read them as attachments too.
    let extra = message.attachments.len();
    for (id, part) in message.parts.iter().enumerate() {
        if seen[id] || matches!(part.body, PartType::Multipart(_)) {
            continue;
        }
        attachment(ctx, message, at, part, extra + id + 1);
    }
}

/// The words of `text`, lower case, separated by single spaces and
/// surrounded by them (so a whole-word search is a substring search).
fn word_stream(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    let mut in_word = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            in_word = true;
        } else if !c.is_ascii() && c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            in_word = true;
        } else if in_word {
            out.push(' ');
            in_word = false;
        }
    }
    if in_word {
        out.push(' ');
    }
    out
}

/// Beyond this much text already read, a further alternative is read
/// whole instead of compared line by line (the comparison would cost more
/// than reading it twice).
const MAX_COMPARED: usize = 512 * 1024;

/// The lines of `text` whose words do not already stand, in that order,
/// in `read` (a [`word_stream`] of the alternatives before).
fn unread_lines(text: &str, read: &str) -> String {
    if read.trim().is_empty() || read.len() > MAX_COMPARED {
        return text.to_string();
    }
    let mut out = String::new();
    for line in text.lines() {
        let words = word_stream(line);
        if words.trim().is_empty() || read.contains(&words) {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// "From: Name <address>" lines of a forwarded message's correspondents.
fn header_block(message: &Message<'_>) -> String {
    let mut out = String::new();
    let fields: [(&str, Option<&Address<'_>>); 4] = [
        ("From", message.from()),
        ("To", message.to()),
        ("Cc", message.cc()),
        ("Reply-To", message.reply_to()),
    ];
    for (label, value) in fields {
        for a in value.into_iter().flat_map(|a| a.iter()) {
            out.push_str(label);
            out.push_str(": ");
            if let Some(name) = a.name() {
                out.push_str(name);
                out.push(' ');
            }
            if let Some(address) = a.address() {
                out.push('<');
                out.push_str(address);
                out.push('>');
            }
            out.push('\n');
        }
    }
    out
}

/// The correspondent and subject lines of a forwarded message's header as
/// written (up to its first blank line), and any line there that is no
/// header field: a client that ends the header elsewhere than mail-parser
/// does (a header cut short by an outer boundary, a "message" that is
/// plain text) shows these.
fn raw_header_lines(message: &Message<'_>) -> String {
    let raw = message.raw_message();
    let head = &raw[..raw.len().min(64 * 1024)];
    let text = String::from_utf8_lossy(head);
    let mut out = String::new();
    let mut keep = false;
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if keep {
                out.push_str(line);
                out.push('\n');
            }
            continue;
        }
        let Some((name, _)) = line.split_once(':') else {
            // Not a header field: text a client shows as the body.
            out.push_str(line);
            out.push('\n');
            keep = false;
            continue;
        };
        let name = name.to_ascii_lowercase();
        keep = matches!(name.as_str(), "from" | "to" | "cc" | "reply-to" | "subject")
            || name.contains(' ');
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The Content-IDs the message's HTML shows (`src="cid:…"`).
fn inline_ids(message: &Message<'_>) -> Vec<String> {
    let mut ids = Vec::new();
    for &id in &message.html_body {
        let Some(PartType::Html(source)) = message.part(id).map(|p| &p.body) else {
            continue;
        };
        let lower = source.to_ascii_lowercase();
        let mut from = 0;
        while let Some(p) = lower[from..].find("cid:") {
            let start = from + p + 4;
            let end = lower[start..]
                .find(['"', '\'', ')', ' ', '>'])
                .map_or(lower.len(), |e| start + e);
            ids.push(source[start..end].trim_matches(['<', '>']).to_string());
            from = end;
        }
    }
    ids
}

/// The transfer-decoded bytes of a part declared as text when they are
/// really a file of another kind (magic bytes of a ZIP, PDF, OLE file,
/// archive or image) or text in an undeclared wide encoding (NUL bytes:
/// UTF-16 or UTF-32 without a byte order mark): what a client that trusts
/// the bytes would show. Only a prefix is decoded to decide.
fn disguised_file(message: &Message<'_>, part: &MessagePart<'_>) -> Option<Vec<u8>> {
    let decoded_text = match &part.body {
        PartType::Text(t) | PartType::Html(t) => t,
        _ => return None,
    };
    let raw = message
        .raw_message()
        .get(part.offset_body as usize..part.offset_end as usize)?;
    let decode = |raw: &[u8]| match part.encoding {
        Encoding::Base64 => base64_decode(raw),
        Encoding::QuotedPrintable => quoted_printable_decode(raw),
        Encoding::None => Some(raw.to_vec()),
    };
    // A prefix cut at a line end decodes on its own; the magic bytes stand
    // in the first KiB (a PDF header within it, tar's at 257).
    let mut cut = raw.len().min(2048);
    if cut < raw.len() {
        cut = raw[..cut]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(cut, |p| p + 1);
    }
    let head: std::borrow::Cow<'_, [u8]> = match part.encoding {
        Encoding::None => std::borrow::Cow::Borrowed(&raw[..cut]),
        _ => std::borrow::Cow::Owned(decode(&raw[..cut])?),
    };
    let wide = decoded_text.contains('\0') && super::text::wide_encoding(&head).is_some();
    if super::format::by_magic(&head).is_none() && !wide {
        return None;
    }
    decode(raw)
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
fn attachment(
    ctx: &mut Ctx<'_>,
    message: &Message<'_>,
    parent: Option<&Location>,
    part: &MessagePart<'_>,
    n: usize,
) {
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
    if let Some(bytes) = disguised_file(message, part) {
        return file::extract_attachment(ctx, &location, name, ct, &bytes);
    }
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
