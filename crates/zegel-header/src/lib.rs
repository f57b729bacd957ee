//! Header values built from input — a form on the portal or the staff web,
//! an original message's (decoded) subject, an envelope address — checked
//! in one place before any mail zegel writes carries them.
//!
//! - Text (a subject, a display name): CR, LF and every other control
//!   character become a space, runs of white space one space, and the value
//!   is bounded ([`clean_text`]). What is not plain printable ASCII, or
//!   looks like an encoded word already (`=?`), is always written as RFC
//!   2047 encoded words ([`text_line`]), so no reader decodes `=0D=0A` from
//!   our header into a line break.
//! - An address or a message id with a control character, white space or
//!   a delimiter is refused ([`HeaderError`], `None`), never repaired.
//!
//! So no value can end its header early and add a `Bcc:`, a second
//! `From:`, an `X-Zegel-Verdict:` or a body.
//!
//! mail-builder writes ASCII text as it is, CR LF included, so text from
//! input never goes through its `subject()`: the message's bytes start
//! with [`text_line`] instead.

use base64::Engine as _;
use mail_builder::headers::address::Address;

/// Most characters of a text value kept (a longer subject is cut).
pub const MAX_TEXT_CHARS: usize = 500;

/// Most bytes of an address (RFC 5321 4.5.3.1.3's path, without `<>`).
pub const MAX_ADDRESS_BYTES: usize = 254;

/// Most bytes of a message id.
pub const MAX_MESSAGE_ID_BYTES: usize = 250;

/// Bytes of UTF-8 per encoded word: 39 bytes make 52 base64 characters,
/// 64 with `=?utf-8?B?` and `?=`, so a line with one stays under 78.
const ENCODED_WORD_BYTES: usize = 39;

/// Longest header line written here (RFC 5322 2.1.1), CRLF not counted.
pub const MAX_LINE: usize = 78;

/// Why a value cannot be a header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// The address is empty.
    #[error("no address")]
    EmptyAddress,
    /// The address is longer than [`MAX_ADDRESS_BYTES`].
    #[error("the address is longer than {MAX_ADDRESS_BYTES} bytes")]
    AddressTooLong,
    /// The address holds a control character (CR, LF, ...), white space or
    /// a delimiter (`<>()[],;:"\`).
    #[error("the address holds a control character, white space or a delimiter")]
    AddressCharacter,
    /// The address is not one local part, `@` and a domain.
    #[error("not one address of the form local@domain")]
    AddressForm,
}

/// `value` as header text: control characters (CR, LF, TAB, NUL, DEL, C1)
/// and white space (the Unicode line and paragraph separators too) become
/// one space between words, the ends are trimmed, at most
/// [`MAX_TEXT_CHARS`] characters are kept.
pub fn clean_text(value: &str) -> String {
    one_line(value, MAX_TEXT_CHARS)
}

/// A structured value we write ourselves from parts that came from input
/// (an `Authentication-Results` with the sender's domains): as
/// [`clean_text`], without the bound, so the caller can fold it.
pub fn clean_value(value: &str) -> String {
    one_line(value, usize::MAX)
}

/// `value` on one line: controls and runs of white space one space,
/// trimmed, at most `max` characters.
fn one_line(value: &str, max: usize) -> String {
    let mut out = String::new();
    let mut kept = 0;
    let mut gap = false;
    for c in value.chars() {
        if c.is_control() || c.is_whitespace() {
            gap = !out.is_empty();
            continue;
        }
        if gap {
            if kept + 2 > max {
                break;
            }
            out.push(' ');
            kept += 1;
            gap = false;
        }
        if kept == max {
            break;
        }
        out.push(c);
        kept += 1;
    }
    out
}

/// Whether clean text can be written as it is: printable ASCII that no
/// reader would take for an encoded word.
fn is_plain(text: &str) -> bool {
    text.bytes().all(|b| (0x20..0x7f).contains(&b)) && !text.contains("=?")
}

/// `text` as RFC 2047 encoded words (UTF-8, base64), each of at most
/// [`ENCODED_WORD_BYTES`] bytes of text, split between characters.
pub fn encoded_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let mut end = (start + ENCODED_WORD_BYTES).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        words.push(format!(
            "=?utf-8?B?{}?=",
            base64::engine::general_purpose::STANDARD.encode(&text.as_bytes()[start..end])
        ));
        start = end;
    }
    words
}

/// The header line `name: value` (ended and folded with CRLF, no line
/// over [`MAX_LINE`]) for text from input such as a subject: `value`
/// cleaned ([`clean_text`]), then written as it is when plain printable
/// ASCII, else as encoded words. `name` is ours (a constant such as
/// `"Subject"`), never input.
pub fn text_line(name: &'static str, value: &str) -> String {
    let clean = clean_text(value);
    let fits = |w: &str| name.len() + 2 + w.len() <= MAX_LINE;
    let words: Vec<String> = if is_plain(&clean) && clean.split(' ').all(fits) {
        clean
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    } else {
        encoded_words(&clean)
    };
    let mut out = format!("{name}:");
    let mut line = out.len();
    for (i, word) in words.iter().enumerate() {
        if i > 0 && line + 1 + word.len() > MAX_LINE {
            out.push_str("\r\n");
            line = 0;
        }
        out.push(' ');
        out.push_str(word);
        line += 1 + word.len();
    }
    out.push_str("\r\n");
    out
}

/// An address from input, checked: trimmed, not empty, at most
/// [`MAX_ADDRESS_BYTES`], no control character, white space or delimiter,
/// exactly one `@` between a local part and a domain.
pub fn address(value: &str) -> Result<String, HeaderError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(HeaderError::EmptyAddress);
    }
    if value.len() > MAX_ADDRESS_BYTES {
        return Err(HeaderError::AddressTooLong);
    }
    if value
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || "<>()[],;:\"\\".contains(c))
    {
        return Err(HeaderError::AddressCharacter);
    }
    match value.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !domain.contains('@') =>
        {
            Ok(value.to_string())
        }
        _ => Err(HeaderError::AddressForm),
    }
}

/// A mailbox from input: `name` (cleaned as text, left out when empty;
/// mail-builder encodes it) and the checked `address`.
pub fn mailbox(name: Option<&str>, address: &str) -> Result<Address<'static>, HeaderError> {
    let address = self::address(address)?;
    let name = name.map(clean_text).filter(|n| !n.is_empty());
    Ok(Address::new_address(name, address))
}

/// Several addresses from input as one header value (`To`, `Cc`); the
/// first refused one is the error.
pub fn mailboxes<S: AsRef<str>>(addresses: &[S]) -> Result<Address<'static>, HeaderError> {
    let list = addresses
        .iter()
        .map(|a| mailbox(None, a.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Address::new_list(list))
}

/// A media type from input (an uploaded file's `Content-Type`) as
/// `type/subtype` in lower case; anything else (parameters, control
/// characters, no slash) becomes `application/octet-stream`.
pub fn media_type(value: &str) -> String {
    let token = |t: &str| {
        !t.is_empty()
            && t.len() <= 64
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    match value.trim().split_once('/') {
        Some((kind, sub)) if token(kind) && token(sub) => {
            format!("{kind}/{sub}").to_ascii_lowercase()
        }
        _ => "application/octet-stream".to_string(),
    }
}

/// A file name from input for an attachment: cleaned as text
/// ([`clean_text`]) and without folders; `fallback` when nothing is left.
pub fn file_name(value: &str, fallback: &str) -> String {
    let base = value.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = clean_text(base).chars().take(200).collect();
    if clean.is_empty() {
        fallback.to_string()
    } else {
        clean
    }
}

/// A message id from input (for `In-Reply-To` and `References`), without
/// its angle brackets; `None` when it is empty, too long, or holds anything
/// but printable ASCII other than `<` and `>`.
pub fn message_id(value: &str) -> Option<String> {
    let id = value.trim();
    let id = id.strip_prefix('<').unwrap_or(id);
    let id = id.strip_suffix('>').unwrap_or(id);
    let ok = !id.is_empty()
        && id.len() <= MAX_MESSAGE_ID_BYTES
        && id
            .bytes()
            .all(|b| (0x21..0x7f).contains(&b) && b != b'<' && b != b'>');
    ok.then(|| id.to_string())
}

/// The names of the header fields of a message as a reader sees them
/// (parsed by mail-parser), lower case and sorted, each as often as it
/// stands: for checking that a mail carries the headers it was built with
/// and no more. Empty when the bytes are no message.
pub fn header_names(raw: &[u8]) -> Vec<String> {
    let Some(parsed) = mail_parser::MessageParser::default().parse(raw) else {
        return Vec::new();
    };
    let mut names: Vec<String> = parsed
        .headers()
        .iter()
        .map(|h| h.name().to_ascii_lowercase())
        .collect();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_builder::MessageBuilder;
    use mail_parser::MessageParser;

    /// A message from `from` with the given Subject; its bytes.
    fn with_subject(from: Address<'static>, subject: &str) -> Vec<u8> {
        let mut raw = text_line("Subject", subject).into_bytes();
        let rest = MessageBuilder::new()
            .from(from)
            .to("piet@example.com")
            .text_body("Hallo")
            .write_to_vec()
            .unwrap();
        raw.extend(rest);
        raw
    }

    fn jan() -> Address<'static> {
        mailbox(Some("Jan"), "jan@zorg.nl").unwrap()
    }

    /// The headers every test message has, sorted.
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

    /// Panics unless the header section's lines are ASCII, end in CRLF and
    /// are at most [`MAX_LINE`] long.
    fn check_header_lines(raw: &[u8]) {
        let end = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("header/body separator");
        let head = std::str::from_utf8(&raw[..end + 2]).expect("UTF-8 header");
        assert!(head.is_ascii(), "{head}");
        for line in head.split_terminator("\r\n") {
            assert!(!line.contains(['\r', '\n']), "bare CR or LF: {line:?}");
            assert!(line.len() <= MAX_LINE, "{} long: {line}", line.len());
        }
    }

    #[test]
    fn a_subject_with_cr_lf_adds_no_header() {
        for attack in [
            "Hallo\r\nBcc: evil@example.com",
            "Hallo\r\nFrom: ceo@zorg.nl",
            "Hallo\nX-Zegel-Verdict: normal",
            "Hallo\rReply-To: evil@example.com",
            "Hallo\r\n\r\n<html><body>Klik hier</body></html>",
            "Hallo\u{2028}Bcc: evil@example.com",
        ] {
            let raw = with_subject(jan(), attack);
            check_header_lines(&raw);
            assert_eq!(header_names(&raw), HEADERS, "{attack:?}");
            let parsed = MessageParser::default().parse(&raw).unwrap();
            assert_eq!(parsed.subject(), Some(clean_text(attack).as_str()));
            assert_eq!(parsed.body_text(0).as_deref(), Some("Hallo"));
        }
    }

    #[test]
    fn mail_builder_alone_lets_cr_lf_through() {
        // Why text from input never goes through mail-builder's subject():
        // this is the injection the contact form had.
        let raw = MessageBuilder::new()
            .from("jan@zorg.nl")
            .to("piet@example.com")
            .subject("Hallo\r\nBcc: evil@example.com")
            .text_body("Hallo")
            .write_to_vec()
            .unwrap();
        assert!(header_names(&raw).contains(&"bcc".to_string()));
    }

    #[test]
    fn text_that_looks_encoded_is_encoded_again() {
        // Left as it is, a reader would decode this into a line break and a
        // Bcc header (what the portal reply then wrote as its subject).
        let looks = "=?utf-8?Q?Afspraak=0D=0ABcc:_evil@example.com?=";
        let raw = with_subject(jan(), looks);
        let parsed = MessageParser::default().parse(&raw).unwrap();
        assert_eq!(parsed.subject(), Some(looks));
        assert!(!String::from_utf8_lossy(&raw).contains(looks));
    }

    #[test]
    fn clean_text_keeps_words_and_drops_controls() {
        assert_eq!(clean_text("  Afspraak \t morgen\r\n"), "Afspraak morgen");
        assert_eq!(clean_text("a\0b\u{7f}c\u{85}d"), "a b c d");
        assert_eq!(clean_text("\r\n"), "");
        assert_eq!(clean_text("Überweisung für Zoë"), "Überweisung für Zoë");
        assert_eq!(clean_text(&"x".repeat(2000)).len(), MAX_TEXT_CHARS);
        assert_eq!(clean_value(&"x".repeat(2000)).len(), 2000);
        assert_eq!(clean_value("a;\r\n b"), "a; b");
        let spaced = clean_text(&"é ".repeat(2000));
        assert!(spaced.chars().count() <= MAX_TEXT_CHARS && !spaced.ends_with(' '));
    }

    #[test]
    fn plain_text_stays_readable_and_the_rest_is_encoded() {
        assert_eq!(text_line("Subject", "Afspraak"), "Subject: Afspraak\r\n");
        assert_eq!(text_line("Subject", ""), "Subject:\r\n");
        let line = text_line("Subject", "Afspraak met Zoë");
        assert!(line.starts_with("Subject: =?utf-8?B?"), "{line}");
        let raw = with_subject(jan(), "Afspraak met Zoë");
        let parsed = MessageParser::default().parse(&raw).unwrap();
        assert_eq!(parsed.subject(), Some("Afspraak met Zoë"));
    }

    #[test]
    fn addresses_with_controls_or_delimiters_are_refused() {
        assert_eq!(address(" jan@zorg.nl "), Ok("jan@zorg.nl".into()));
        assert_eq!(address("zoë@zorg.nl"), Ok("zoë@zorg.nl".into()));
        for (bad, why) in [
            ("", HeaderError::EmptyAddress),
            (
                "jan@zorg.nl\r\nBcc: evil@example.com",
                HeaderError::AddressCharacter,
            ),
            ("jan@zorg.nl\rBcc:x", HeaderError::AddressCharacter),
            ("jan@zorg.nl>\r\nX: y", HeaderError::AddressCharacter),
            ("a@b.nl, c@d.nl", HeaderError::AddressCharacter),
            ("\"a@b\"@zorg.nl", HeaderError::AddressCharacter),
            ("zorg.nl", HeaderError::AddressForm),
            ("a@b@zorg.nl", HeaderError::AddressForm),
            ("@zorg.nl", HeaderError::AddressForm),
        ] {
            assert_eq!(address(bad), Err(why), "{bad:?}");
        }
        assert_eq!(
            address(&format!("{}@zorg.nl", "a".repeat(250))),
            Err(HeaderError::AddressTooLong)
        );
        assert!(mailboxes(&["a@zorg.nl", "b@zorg.nl\r\nBcc: x@y.nl"]).is_err());
    }

    #[test]
    fn media_types_and_file_names_are_cleaned() {
        assert_eq!(media_type("Text/Plain"), "text/plain");
        assert_eq!(
            media_type("application/pdf; name=x"),
            "application/octet-stream"
        );
        for bad in [
            "",
            "text",
            "text/plain\r\nBcc: x@y.nl",
            "a/b/c",
            "te xt/plain",
        ] {
            assert_eq!(media_type(bad), "application/octet-stream", "{bad:?}");
        }
        assert_eq!(file_name("C:\\map\\brief.pdf", "bijlage"), "brief.pdf");
        assert_eq!(file_name("a\r\nBcc: x.pdf", "bijlage"), "a Bcc: x.pdf");
        assert_eq!(file_name("\r\n", "bijlage"), "bijlage");
    }

    #[test]
    fn message_ids_with_controls_are_dropped() {
        assert_eq!(message_id("<a.b@zorg.nl>"), Some("a.b@zorg.nl".into()));
        for bad in ["", "<>", "<a@b>\r\nBcc: x@y", "a b@c", "<a\0@b>", "<a<b@c>"] {
            assert_eq!(message_id(bad), None, "{bad:?}");
        }
    }

    proptest::proptest! {
        /// Any text as a subject and any display name in From: the
        /// message has exactly the headers it was built with, every header
        /// line is ASCII, ends in CRLF and fits 78 characters, and the
        /// subject reads back as the cleaned text.
        #[test]
        fn no_text_ever_adds_a_header(
            subject in "(\\PC|[\\r\\n\\t\\x00\\x7f\\u{85}\\u{2028}]|=\\?|\\?=|Bcc: |From: ){0,80}",
            name in "([a-zA-Z ]|[\\r\\n\\t]|Bcc: ){0,20}",
        ) {
            let from = mailbox(Some(&name), "jan@zorg.nl").unwrap();
            let raw = with_subject(from, &subject);
            check_header_lines(&raw);
            proptest::prop_assert_eq!(header_names(&raw), HEADERS);
            let parsed = MessageParser::default().parse(&raw).unwrap();
            let want = clean_text(&subject);
            proptest::prop_assert_eq!(parsed.subject().unwrap_or(""), want.as_str());
            let body = parsed.body_text(0);
            proptest::prop_assert_eq!(body.as_deref(), Some("Hallo"));
        }

        /// Any string is either refused as an address or free of control
        /// characters, white space and delimiters, with one `@`.
        #[test]
        fn accepted_addresses_are_clean(value in "(\\PC|[\\r\\n\\t<>,;:\"@ ]){0,40}") {
            if let Ok(a) = address(&value) {
                let dirty = a.chars().any(|c| {
                    c.is_control() || c.is_whitespace() || "<>()[],;:\"\\".contains(c)
                });
                proptest::prop_assert!(!dirty, "{:?}", a);
                proptest::prop_assert_eq!(a.matches('@').count(), 1);
            }
        }

        /// Encoded words decode back to the text, and each is at most 75
        /// characters (RFC 2047 2).
        #[test]
        fn encoded_words_round_trip(value in "\\PC{0,200}") {
            let words = encoded_words(&value);
            let mut decoded = String::new();
            for w in &words {
                proptest::prop_assert!(w.len() <= 75, "{}", w);
                let b64 = w.trim_start_matches("=?utf-8?B?").trim_end_matches("?=");
                let bytes = base64::engine::general_purpose::STANDARD.decode(b64).unwrap();
                decoded.push_str(&String::from_utf8(bytes).unwrap());
            }
            proptest::prop_assert_eq!(decoded, value);
        }
    }
}
