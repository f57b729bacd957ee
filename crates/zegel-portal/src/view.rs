//! A stored message as the portal shows it: headers, the body (HTML through
//! ammonia, never as sent), and its attachments. Remote images are dropped
//! unless the reader asks for them; inline (`cid:`) images point at the
//! portal's own address for that part.

use mail_parser::{MessageParser, MimeHeaders, PartType};
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// The parts of a message the read page needs.
pub struct MessageView {
    /// Subject.
    pub subject: String,
    /// From, as shown.
    pub from: String,
    /// To, as shown.
    pub to: String,
    /// Cc, as shown.
    pub cc: String,
    /// Date, as in the message.
    pub date: String,
    /// The sanitised HTML body, when the message has one.
    pub body_html: Option<String>,
    /// The plain text body (when there is no HTML body).
    pub body_text: String,
    /// Remote images removed from the HTML.
    pub blocked_images: usize,
    /// The attachments.
    pub attachments: Vec<AttachmentInfo>,
    /// The Message-ID, for a reply's In-Reply-To.
    pub message_id: Option<String>,
}

/// One attachment.
pub struct AttachmentInfo {
    /// Its file name (made safe to show and to save).
    pub name: String,
    /// Its size in bytes.
    pub size: usize,
}

/// One attachment's bytes and how to send them.
pub struct AttachmentData {
    /// File name.
    pub name: String,
    /// MIME type.
    pub content_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// Parses and sanitises `raw`. `images` keeps remote images; `inline_base`
/// is the path inline images are served under (`…/inline/`).
pub fn render(raw: &[u8], images: bool, inline_base: &str) -> Option<MessageView> {
    let message = MessageParser::default().parse(raw)?;
    let addresses = |a: Option<&mail_parser::Address<'_>>| -> String {
        a.map(|a| {
            a.iter()
                .map(|addr| match (&addr.name, &addr.address) {
                    (Some(n), Some(e)) => format!("{n} <{e}>"),
                    (None, Some(e)) => e.to_string(),
                    (Some(n), None) => n.to_string(),
                    (None, None) => String::new(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
    };
    let is_html = message
        .html_part(0)
        .is_some_and(|p| matches!(p.body, PartType::Html(_)));
    let blocked = Arc::new(AtomicUsize::new(0));
    let body_html = is_html
        .then(|| message.body_html(0))
        .flatten()
        .map(|html| sanitize(&html, images, inline_base, blocked.clone()));
    let body_text = if is_html {
        String::new()
    } else {
        message
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default()
    };
    Some(MessageView {
        subject: message.subject().unwrap_or_default().to_string(),
        from: addresses(message.from()),
        to: addresses(message.to()),
        cc: addresses(message.cc()),
        date: message.date().map(|d| d.to_rfc822()).unwrap_or_default(),
        body_html,
        body_text,
        blocked_images: blocked.load(Ordering::Relaxed),
        attachments: message
            .attachments()
            .enumerate()
            .map(|(i, part)| AttachmentInfo {
                name: file_name(part, i),
                size: part.contents().len(),
            })
            .collect(),
        message_id: message.message_id().map(str::to_string),
    })
}

/// Attachment `n` of `raw`.
pub fn attachment(raw: &[u8], n: usize) -> Option<AttachmentData> {
    let message = MessageParser::default().parse(raw)?;
    let part = message.attachments().nth(n)?;
    Some(AttachmentData {
        name: file_name(part, n),
        content_type: content_type(part),
        bytes: part.contents().to_vec(),
    })
}

/// The inline image with Content-ID `cid` (only raster image types: an SVG
/// could carry script).
pub fn inline_image(raw: &[u8], cid: &str) -> Option<AttachmentData> {
    let message = MessageParser::default().parse(raw)?;
    let part = message.parts.iter().find(|p| {
        p.content_id()
            .is_some_and(|id| id.trim_matches(|c| c == '<' || c == '>') == cid)
    })?;
    let content_type = content_type(part);
    if !matches!(
        content_type.as_str(),
        "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    ) {
        return None;
    }
    Some(AttachmentData {
        name: format!("inline-{cid}"),
        content_type,
        bytes: part.contents().to_vec(),
    })
}

fn content_type(part: &mail_parser::MessagePart<'_>) -> String {
    if matches!(part.body, PartType::Message(_)) {
        return "message/rfc822".into();
    }
    part.content_type()
        .map(|ct| match &ct.c_subtype {
            Some(sub) => format!("{}/{}", ct.c_type, sub),
            None => ct.c_type.to_string(),
        })
        .map(|t| t.to_ascii_lowercase())
        .filter(|t| {
            t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/.+-".contains(&b))
        })
        .unwrap_or_else(|| "application/octet-stream".into())
}

/// A file name safe to show and to put in Content-Disposition: no path,
/// no control characters, not empty.
fn file_name(part: &mail_parser::MessagePart<'_>, n: usize) -> String {
    let given = part.attachment_name().unwrap_or_default();
    let base = given.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(200)
        .collect();
    let clean = clean.trim().trim_start_matches('.').to_string();
    if clean.is_empty() {
        if matches!(part.body, PartType::Message(_)) {
            format!("bericht-{}.eml", n + 1)
        } else {
            format!("bijlage-{}", n + 1)
        }
    } else {
        clean
    }
}

/// Cleans mail HTML with ammonia: no scripts, no event handlers, no styles
/// (style elements and attributes go), links get `rel="noopener noreferrer"`;
/// images keep only `cid:` sources (rewritten to the portal) and, when
/// asked, https ones. Counts the images it removed.
fn sanitize(html: &str, images: bool, inline_base: &str, blocked: Arc<AtomicUsize>) -> String {
    let inline_base = inline_base.to_string();
    let schemes: HashSet<&str> = ["http", "https", "mailto", "cid"].into_iter().collect();
    ammonia::Builder::default()
        .url_schemes(schemes)
        .link_rel(Some("noopener noreferrer nofollow"))
        .attribute_filter(move |element, attribute, value| {
            if element != "img" || attribute != "src" {
                return Some(value.into());
            }
            if let Some(cid) = value.strip_prefix("cid:") {
                let cid: String = cid
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || "@._-$".contains(*c))
                    .collect();
                return Some(format!("{inline_base}{cid}").into());
            }
            if images && value.starts_with("https://") {
                return Some(value.into());
            }
            blocked.fetch_add(1, Ordering::Relaxed);
            None
        })
        .clean(html)
        .to_string()
}

/// The Content-Disposition for a download (RFC 6266: an ASCII fallback and
/// the UTF-8 name).
pub fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "From: a@zorg.example\r\nTo: b@ext.example\r\nSubject: test\r\n\
        MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
        <p onclick=\"alert(1)\">Hallo</p><script>alert(2)</script>\
        <img src=\"https://tracker.example/p.gif\"><img src=\"cid:logo@x\">\
        <a href=\"javascript:alert(3)\">x</a><a href=\"https://ok.example/\">ok</a>\
        <style>body{display:none}</style><div style=\"position:fixed\">s</div>\
        <iframe src=\"https://evil.example\"></iframe><svg onload=\"alert(4)\"></svg>\
        <form action=\"https://evil.example\"><input name=p></form>\r\n";

    #[test]
    fn hostile_html_is_defused() {
        let v = render(HOSTILE.as_bytes(), false, "/m/t/inline/").unwrap();
        let html = v.body_html.unwrap();
        for bad in [
            "onclick",
            "<script",
            "alert(",
            "javascript:",
            "<style",
            "style=",
            "<iframe",
            "onload",
            "<form",
            "tracker.example",
        ] {
            assert!(!html.contains(bad), "{bad} survived: {html}");
        }
        assert!(html.contains("Hallo"));
        assert!(html.contains("src=\"/m/t/inline/logo@x\""), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer nofollow\""));
        assert_eq!(v.blocked_images, 1);
        let shown = render(HOSTILE.as_bytes(), true, "/m/t/inline/").unwrap();
        assert!(shown.body_html.unwrap().contains("tracker.example"));
        assert_eq!(shown.blocked_images, 0);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Whatever tags, attributes and text a message mixes, nothing that
        /// can run or restyle the page survives the sanitiser.
        #[test]
        fn nothing_active_survives(parts in proptest::collection::vec(proptest::prop_oneof![
            proptest::strategy::Just("<script>alert(1)</script>".to_string()),
            proptest::strategy::Just("<img src=x onerror=alert(1)>".to_string()),
            proptest::strategy::Just("<a href=\"javascript:alert(1)\">x</a>".to_string()),
            proptest::strategy::Just("<a href=\"JaVaScRiPt:alert(1)\">x</a>".to_string()),
            proptest::strategy::Just("<svg><script>alert(1)</script></svg>".to_string()),
            proptest::strategy::Just("<style>*{display:none}</style>".to_string()),
            proptest::strategy::Just("<div style=\"position:fixed;top:0\">".to_string()),
            proptest::strategy::Just("<meta http-equiv=refresh content=\"0;url=https://evil.example\">".to_string()),
            proptest::strategy::Just("<iframe src=\"https://evil.example\"></iframe>".to_string()),
            proptest::strategy::Just("<object data=x></object><embed src=x>".to_string()),
            proptest::strategy::Just("<form action=https://evil.example><input name=pw></form>".to_string()),
            proptest::strategy::Just("<base href=\"https://evil.example/\">".to_string()),
            proptest::strategy::Just("<link rel=stylesheet href=https://evil.example/x.css>".to_string()),
            proptest::strategy::Just("<img src=\"https://tracker.example/p.gif\">".to_string()),
            "[<>=\"' a-z/:;(){}]{0,40}",
        ], 0..12)) {
            let body = parts.concat();
            let raw = format!("From: a@zorg.example\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n<p>x</p>{body}\r\n");
            if let Some(v) = render(raw.as_bytes(), false, "/m/t/inline/") {
                let html = v.body_html.unwrap_or_default().to_ascii_lowercase();
                for bad in ["<script", "onerror", "onload", "javascript:", "<style", "style=",
                            "<iframe", "<object", "<embed", "<form", "<input", "<meta", "<base",
                            "<link", "tracker.example"] {
                    proptest::prop_assert!(!html.contains(bad), "{} in {}", bad, html);
                }
                // Pieces glued together can make a harmless link out of a
                // hostile tag's URL (`<a/<base href=…>` is an `a` with an
                // href): a link the reader must click is allowed, a URL in
                // any other attribute (one that loads or submits) is not.
                for (tag, attribute, value) in attributes(&html) {
                    if value.contains("evil.example") {
                        proptest::prop_assert!(tag == "a" && attribute == "href",
                            "evil.example in <{} {}> of {}", tag, attribute, html);
                    }
                }
            }
        }
    }

    /// Every (tag, attribute, value) in serialised HTML. Exact for what
    /// ammonia writes: attribute values always in double quotes, a quote
    /// inside one written as `&quot;`, a `<` in text as `&lt;`.
    fn attributes(html: &str) -> Vec<(String, String, String)> {
        let mut found = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find('<') {
            rest = &rest[start + 1..];
            if rest.starts_with('/') {
                // An end tag has no attributes.
                rest = rest.find('>').map_or("", |end| &rest[end..]);
                continue;
            }
            let name_end = rest
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(rest.len());
            let tag = rest[..name_end].to_string();
            rest = &rest[name_end..];
            loop {
                rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
                if rest.is_empty() || rest.starts_with('>') {
                    break;
                }
                let attr_end = rest
                    .find(|c: char| c.is_whitespace() || c == '=' || c == '>')
                    .unwrap_or(rest.len());
                let attribute = rest[..attr_end].to_string();
                rest = &rest[attr_end..];
                let mut value = String::new();
                if let Some(quoted) = rest.strip_prefix("=\"") {
                    let close = quoted.find('"').unwrap_or(quoted.len());
                    value = quoted[..close].to_string();
                    rest = quoted.get(close + 1..).unwrap_or_default();
                }
                found.push((tag.clone(), attribute, value));
            }
        }
        found
    }

    #[test]
    fn the_attribute_scanner_reads_what_ammonia_writes() {
        let found =
            attributes("<p>a &lt;b</p><a href=\"https://x/?a=1&amp;b\" rel=\"n o\">t</a><br/>");
        assert_eq!(
            found,
            vec![
                ("a".into(), "href".into(), "https://x/?a=1&amp;b".into()),
                ("a".into(), "rel".into(), "n o".into()),
            ]
        );
        let glued = render(
            b"Content-Type: text/html\r\n\r\n<a/<base href=\"https://evil.example/\">",
            false,
            "/i/",
        )
        .unwrap()
        .body_html
        .unwrap();
        assert!(attributes(&glued)
            .iter()
            .any(|(t, a, v)| t == "a" && a == "href" && v.contains("evil.example")));
    }

    #[test]
    fn attachments_are_listed_with_safe_names() {
        let raw = "From: a@zorg.example\r\nTo: b@ext.example\r\nSubject: s\r\nMIME-Version: 1.0\r\n\
            Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\
            Tekst\r\n--b\r\nContent-Type: application/pdf\r\n\
            Content-Disposition: attachment; filename=\"../../etc/brief.pdf\"\r\n\
            Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n";
        let v = render(raw.as_bytes(), false, "/x/").unwrap();
        assert_eq!(v.body_text.trim(), "Tekst");
        assert!(v.body_html.is_none());
        assert_eq!(v.attachments.len(), 1);
        assert_eq!(v.attachments[0].name, "brief.pdf");
        let a = attachment(raw.as_bytes(), 0).unwrap();
        assert_eq!(a.content_type, "application/pdf");
        assert_eq!(a.bytes, b"%PDF-1.4\n");
        assert!(attachment(raw.as_bytes(), 1).is_none());
        assert_eq!(
            content_disposition("rapport é.pdf"),
            "attachment; filename=\"rapport _.pdf\"; filename*=UTF-8''rapport%20%C3%A9.pdf"
        );
    }
}
