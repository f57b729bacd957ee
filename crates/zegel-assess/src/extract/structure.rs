//! MIME structure that two mail programs may read differently: a part with
//! two `Content-Type` or `Content-Transfer-Encoding` headers, a
//! `boundary` parameter given twice, a multipart without its closing
//! boundary, or parts after the closing boundary. zegel reads one way (the
//! way mail-parser does); the recipient's client may read another and show
//! what zegel never assessed. So every such message is assessed under
//! every reading: [`readings`] returns the message's bytes as each other
//! reading sees them (the other header kept, the other boundary, the
//! boundary closed, the parts after the end taken in), and extraction
//! walks each of them as well. What any reading shows counts.

use mail_parser::{HeaderName, Message, PartType};

/// At most this many other readings of one message are assessed.
const MAX_READINGS: usize = 8;

/// The other readings of `message` (none for unambiguous MIME), as
/// message bytes for the parser.
pub(crate) fn readings(message: &Message<'_>) -> Vec<Vec<u8>> {
    let raw = message.raw_message();
    let mut out: Vec<Vec<u8>> = Vec::new();
    for part in &message.parts {
        for name in [HeaderName::ContentType, HeaderName::ContentTransferEncoding] {
            let same: Vec<_> = part.headers.iter().filter(|h| h.name == name).collect();
            if same.len() < 2 {
                continue;
            }
            // One reading per header kept: the others removed.
            for keep in 0..same.len() {
                let mut spans: Vec<(usize, usize)> = same
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != keep)
                    .map(|(_, h)| (h.offset_field as usize, h.offset_end as usize))
                    .collect();
                spans.sort_unstable();
                out.push(without(raw, &spans));
            }
        }
        let Some(header) = part
            .headers
            .iter()
            .find(|h| h.name == HeaderName::ContentType)
        else {
            continue;
        };
        let (start, end) = (header.offset_start as usize, header.offset_end as usize);
        let value = raw.get(start..end).unwrap_or_default();
        let params = positions_ci(value, b"boundary");
        if params.len() > 1 {
            // One reading per boundary: the other parameters renamed away.
            for keep in 0..params.len() {
                let mut variant = raw.to_vec();
                for (i, &at) in params.iter().enumerate() {
                    if i != keep {
                        variant[start + at + 1] = b'x';
                    }
                }
                out.push(variant);
            }
        }
        if !matches!(part.body, PartType::Multipart(_)) {
            continue;
        }
        let Some(boundary) = header
            .value
            .as_content_type()
            .and_then(|c| c.attribute("boundary"))
        else {
            continue;
        };
        let body_start = part.offset_body as usize;
        let body = raw.get(body_start..).unwrap_or_default();
        let closing = format!("--{boundary}--");
        match memchr::memmem::find(body, closing.as_bytes()) {
            // Unclosed: the reading of a client that closes it at the end.
            None => {
                let mut variant = raw.to_vec();
                variant.extend_from_slice(format!("\r\n{closing}\r\n").as_bytes());
                out.push(variant);
            }
            // Parts after the end: the reading that does not stop there.
            Some(at) => {
                let after = &body[at + closing.len()..];
                if memchr::memmem::find(after, format!("--{boundary}").as_bytes()).is_some() {
                    let cut = body_start + at + closing.len() - 2;
                    let mut variant = raw[..cut].to_vec();
                    variant.extend_from_slice(&raw[cut + 2..]);
                    out.push(variant);
                }
            }
        }
    }
    out.truncate(MAX_READINGS);
    out
}

/// `raw` without the byte ranges `spans` (sorted, not overlapping).
fn without(raw: &[u8], spans: &[(usize, usize)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut from = 0;
    for &(start, end) in spans {
        if start < from || end > raw.len() {
            continue;
        }
        out.extend_from_slice(&raw[from..start]);
        from = end;
    }
    out.extend_from_slice(&raw[from..]);
    out
}

/// Where `needle` occurs in `hay`, ASCII case-insensitive.
fn positions_ci(hay: &[u8], needle: &[u8]) -> Vec<usize> {
    hay.windows(needle.len())
        .enumerate()
        .filter(|(_, w)| w.eq_ignore_ascii_case(needle))
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::extract::{extract_message, Limits};
    use mail_parser::MessageParser;

    fn texts(raw: &str) -> String {
        let m = MessageParser::default().parse(raw.as_bytes()).unwrap();
        let ex = extract_message(&m, &Limits::default());
        assert!(ex.issues.is_empty(), "{:?}", ex.issues);
        ex.segments.iter().map(|s| s.text.clone() + "\n").collect()
    }

    const HEAD: &str = "From: a@x.nl\r\nTo: b@y.nl\r\nSubject: s\r\nMIME-Version: 1.0\r\n";

    #[test]
    fn a_well_formed_multipart_has_no_other_reading() {
        let raw = format!(
            "{HEAD}Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\npreamble\r\n--b1\r\n\
             Content-Type: text/plain\r\n\r\nhallo\r\n--b1--\r\n"
        );
        let m = MessageParser::default().parse(raw.as_bytes()).unwrap();
        assert!(super::readings(&m).is_empty());
    }

    #[test]
    fn every_reading_of_ambiguous_mime_is_read() {
        for raw in [
            format!(
                "{HEAD}Content-Type: text/html\r\nContent-Type: text/plain\r\n\r\n\
                 <p hidden>x</p>GEHEIM-1\r\n"
            ),
            format!(
                "{HEAD}Content-Type: multipart/mixed; boundary=\"b1\"; boundary=\"b2\"\r\n\r\n\
                 --b1\r\nContent-Type: text/plain\r\n\r\nonschuldig\r\n--b1--\r\n\
                 --b2\r\nContent-Type: text/plain\r\n\r\nGEHEIM-1\r\n--b2--\r\n"
            ),
            format!(
                "{HEAD}Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
                 --b1\r\nContent-Type: text/plain\r\n\r\nonschuldig\r\n--b1--\r\n\
                 --b1\r\nContent-Type: text/plain\r\n\r\nGEHEIM-1\r\n--b1--\r\n"
            ),
        ] {
            let t = texts(&raw);
            assert!(t.contains("GEHEIM-1"), "{raw}\n=> {t}");
        }
    }
}
