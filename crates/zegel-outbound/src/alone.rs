//! A copy of a message addressed to one recipient alone: its `To` and `Cc`
//! fields (with their folded lines) removed and one `To` naming that
//! recipient added, every other byte unchanged. Used when the sender of a
//! message held for visible external recipients chooses separate copies
//! (confirm.rs in zegel-store). Written by hand: the MIME crates we use
//! read messages but do not rewrite a header block byte for byte.

use zegel_header::address;

/// Fields that name recipients the others would see.
const DROPPED: [&str; 2] = ["to", "cc"];

/// `raw` with `To` and `Cc` replaced by `To: <rcpt>`.
pub fn addressed_alone(raw: &[u8], rcpt: &str) -> Vec<u8> {
    let header_end = header_end(raw);
    let mut out = Vec::with_capacity(raw.len() + rcpt.len() + 8);
    let mut dropping = false;
    let mut at = 0;
    while at < header_end {
        let line_end = raw[at..header_end]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(header_end, |p| at + p + 1);
        let line = &raw[at..line_end];
        let continuation = matches!(line.first(), Some(b' ' | b'\t'));
        if !continuation {
            dropping = field_name(line).is_some_and(|name| {
                DROPPED
                    .iter()
                    .any(|d| name.eq_ignore_ascii_case(d.as_bytes()))
            });
        }
        if !dropping {
            out.extend_from_slice(line);
        }
        at = line_end;
    }
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.extend_from_slice(b"\r\n");
    }
    // The envelope recipient was checked at RCPT TO; checked again here
    // because it goes into a header (an address is never encoded words).
    let to = match address(rcpt) {
        Ok(a) => format!("To: {a}\r\n"),
        Err(_) => "To: undisclosed-recipients:;\r\n".to_string(),
    };
    out.extend_from_slice(to.as_bytes());
    out.extend_from_slice(&raw[header_end..]);
    out
}

/// Where the header block ends: the start of the blank line before the
/// body (or the end of `raw` when there is none).
fn header_end(raw: &[u8]) -> usize {
    let mut at = 0;
    while at < raw.len() {
        if raw[at] == b'\n' || raw[at..].starts_with(b"\r\n") {
            return at;
        }
        match raw[at..].iter().position(|&b| b == b'\n') {
            Some(p) => at += p + 1,
            None => return raw.len(),
        }
    }
    raw.len()
}

/// The name of a header field line (`To` of `To: a@b`).
fn field_name(line: &[u8]) -> Option<&[u8]> {
    let colon = line.iter().position(|&b| b == b':')?;
    let name = line[..colon].trim_ascii_end();
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_and_cc_with_folded_lines_give_way_to_the_one_recipient() {
        let raw = b"Received: from x\r\n\tby y\r\nFrom: Jan <jan@zorg.nl>\r\n\
                    To: a@example.com,\r\n b@example.org\r\nCC: c@example.net\r\n\
                    Subject: Uitnodiging\r\nTo : d@example.com\r\n\r\nTo: body stays\r\n";
        let out = String::from_utf8(addressed_alone(raw, "b@example.org")).unwrap();
        assert_eq!(
            out,
            "Received: from x\r\n\tby y\r\nFrom: Jan <jan@zorg.nl>\r\n\
             Subject: Uitnodiging\r\nTo: b@example.org\r\n\r\nTo: body stays\r\n"
        );
    }

    #[test]
    fn bare_line_feeds_and_a_message_without_a_body_work_too() {
        let out = addressed_alone(b"To: a@x.nl\nSubject: s\n\nbody\n", "a@x.nl");
        assert_eq!(out, b"Subject: s\nTo: a@x.nl\r\n\nbody\n");
        let out = addressed_alone(b"Cc: a@x.nl\r\nSubject: s", "b@x.nl");
        assert_eq!(out, b"Subject: s\r\nTo: b@x.nl\r\n");
        let out = addressed_alone(b"To: a@x.nl\r\n\r\n", "bad\r\nBcc: c@x.nl");
        assert_eq!(out, b"To: undisclosed-recipients:;\r\n\r\n");
    }
}
