//! Splits a body text into what the sender wrote, quoted history, and the
//! parts that never count (greetings, signature blocks, the header lines of
//! quoted messages), so that "Beste Jan," or the sender's own telephone
//! number is not reported as a leak.

use crate::finding::Location;
use crate::segment::{Segment, SegmentRole};

/// Lines that open a greeting of the recipient.
const GREETINGS: &[&str] = &[
    "beste",
    "hoi",
    "hallo",
    "hey",
    "geachte",
    "lieve",
    "dag ",
    "goedemorgen",
    "goedemiddag",
    "goedenavond",
    "dear",
    "hi ",
    "hi,",
    "hello",
    "good morning",
    "good afternoon",
    "to whom",
];

/// Lines that close a message; what follows is the signature.
const CLOSINGS: &[&str] = &[
    "met vriendelijke groet",
    "met vriendelijke groeten",
    "vriendelijke groet",
    "vriendelijke groeten",
    "met hartelijke groet",
    "hartelijke groet",
    "hartelijke groeten",
    "groet,",
    "groeten,",
    "groet",
    "groeten",
    "mvg",
    "m.v.g.",
    "gr.",
    "kind regards",
    "best regards",
    "regards",
    "best wishes",
    "best,",
    "yours sincerely",
    "sincerely",
    "cheers",
    "thanks,",
    "thank you,",
    "dank je wel,",
    "alvast bedankt,",
];

/// Lines that start the header block of a quoted or forwarded message.
const QUOTE_HEADERS: &[&str] = &[
    "van:",
    "from:",
    "verzonden:",
    "sent:",
    "aan:",
    "to:",
    "cc:",
    "onderwerp:",
    "subject:",
    "datum:",
    "date:",
    "bcc:",
];

/// How many lines a signature block may run before it is body text again.
const MAX_SIGNATURE_LINES: usize = 12;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Start,
    Text,
    Signature(usize),
}

/// Splits one body text into segments with roles `Body`, `Quoted` and
/// `Signature`, keeping line order. Adjacent lines of one role are joined.
pub fn split_body(text: &str, location: &Location) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    let mut quoted = false;
    let mut state = State::Start;
    let mut lower_buf = String::new();
    for raw_line in text.split_inclusive('\n') {
        let (depth, line) = strip_quote_marks(raw_line);
        let trimmed = line.trim();
        // ASCII lowercase into one reused buffer: every marker we look for is
        // ASCII, and this avoids an allocation per line.
        lower_buf.clear();
        lower_buf.push_str(trimmed);
        lower_buf.make_ascii_lowercase();
        let lower = lower_buf.as_str();
        if depth > 0 && !quoted {
            quoted = true;
            state = State::Start;
        }
        if is_quote_intro(lower) {
            // "Op 3 mei schreef Jan <jan@x.nl>:" and the like.
            quoted = true;
            state = State::Start;
            push(&mut out, location, SegmentRole::Signature, line);
            continue;
        }
        if QUOTE_HEADERS.iter().any(|h| lower.starts_with(h)) && looks_like_header_block(lower) {
            quoted = true;
            state = State::Start;
            // The author of a forwarded or quoted mail from a private
            // address ("Van: Sandra Vliegen <sandravliegen@gmail.com>") is a
            // third person whose name and address are passed on: content.
            let role = if crate::recipients::private::private_author(lower) {
                SegmentRole::Quoted
            } else {
                SegmentRole::Signature
            };
            push(&mut out, location, role, line);
            continue;
        }
        let text_role = if quoted {
            SegmentRole::Quoted
        } else {
            SegmentRole::Body
        };
        if trimmed.is_empty() {
            let role = match state {
                State::Signature(_) => SegmentRole::Signature,
                _ => text_role,
            };
            push(&mut out, location, role, line);
            continue;
        }
        if trimmed == "--" || trimmed == "-- " || is_closing(lower) {
            state = State::Signature(0);
            push(&mut out, location, SegmentRole::Signature, line);
            continue;
        }
        match state {
            State::Start if is_greeting(lower) => {
                state = State::Text;
                push(&mut out, location, SegmentRole::Signature, line);
            }
            State::Signature(n) if n < MAX_SIGNATURE_LINES => {
                state = State::Signature(n + 1);
                push(&mut out, location, SegmentRole::Signature, line);
            }
            _ => {
                state = State::Text;
                push(&mut out, location, text_role, line);
            }
        }
    }
    out
}

/// Removes leading `>` quote marks; returns how many there were.
fn strip_quote_marks(line: &str) -> (usize, &str) {
    let mut depth = 0;
    let mut rest = line;
    loop {
        let t = rest.trim_start_matches([' ', '\t']);
        if let Some(r) = t.strip_prefix('>') {
            depth += 1;
            rest = r.strip_prefix(' ').unwrap_or(r);
        } else {
            return (depth, if depth == 0 { line } else { rest });
        }
    }
}

fn is_greeting(lower: &str) -> bool {
    lower.chars().count() <= 60 && GREETINGS.iter().any(|g| lower.starts_with(g))
}

fn is_closing(lower: &str) -> bool {
    let l = lower.trim_end_matches([',', '.', '!']);
    CLOSINGS.iter().any(|c| {
        let c = c.trim_end_matches([',', '.']);
        l == c
            || (lower.len() <= 40
                && lower.ends_with(',')
                && lower
                    .strip_prefix(c)
                    .is_some_and(|rest| !rest.starts_with(char::is_alphabetic)))
    })
}

fn is_quote_intro(lower: &str) -> bool {
    // Every intro either ends with a colon ("Op ... schreef X:", "Begin
    // forwarded message:") or is set off by dashes ("-----Original
    // Message-----"): a cheap guard before the substring searches.
    if lower.ends_with(':') {
        if (lower.starts_with("op ") && lower.contains(" schreef"))
            || (lower.starts_with("on ") && lower.contains(" wrote"))
        {
            return true;
        }
    } else if !lower.contains("--") {
        return false;
    }
    lower.contains("original message")
        || lower.contains("oorspronkelijk bericht")
        || lower.contains("forwarded message")
        || lower.contains("doorgestuurd bericht")
}

/// A header line of a quoted message carries a value after the colon.
fn looks_like_header_block(lower: &str) -> bool {
    lower.len() < 200
        && lower
            .split_once(':')
            .is_some_and(|(_, v)| !v.trim().is_empty())
}

fn push(out: &mut Vec<Segment>, location: &Location, role: SegmentRole, line: &str) {
    if let Some(last) = out.last_mut() {
        if last.role == role {
            last.text.push_str(line);
            return;
        }
    }
    out.push(Segment::new(location.clone(), role, line));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(text: &str) -> Vec<(SegmentRole, String)> {
        split_body(text, &Location::Body)
            .into_iter()
            .map(|s| (s.role, s.text.trim().to_string()))
            .collect()
    }

    fn text_of(text: &str, role: SegmentRole) -> String {
        roles(text)
            .into_iter()
            .filter(|(r, _)| *r == role)
            .map(|(_, t)| t)
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn greeting_and_signature_are_set_apart() {
        let mail = "Beste Jan,\n\nHierbij de planning.\n\nMet vriendelijke groet,\n\nPiet de Vries\nT 06-12345678\n";
        assert_eq!(text_of(mail, SegmentRole::Body), "Hierbij de planning.");
        let sig = text_of(mail, SegmentRole::Signature);
        assert!(sig.contains("Beste Jan"));
        assert!(sig.contains("06-12345678"));
    }

    #[test]
    fn quoted_history_is_quoted_and_its_header_skipped() {
        let mail = "Dank!\n\nOp 3 mei 2024 schreef Jan Jansen <jan@example.nl>:\n> Het BSN is 123456782\n> Groet,\n> Jan\n";
        assert_eq!(text_of(mail, SegmentRole::Body), "Dank!");
        assert_eq!(text_of(mail, SegmentRole::Quoted), "Het BSN is 123456782");
        assert!(text_of(mail, SegmentRole::Signature).contains("schreef Jan Jansen"));
    }

    #[test]
    fn outlook_header_block_starts_quoted_text() {
        let mail = "Zie hieronder.\n\nVan: Karin Bos <k.bos@example.nl>\nVerzonden: maandag\nAan: Piet\nOnderwerp: cliënt\n\nDiagnose: diabetes type 2\n";
        assert!(text_of(mail, SegmentRole::Quoted).contains("Diagnose: diabetes"));
        assert!(!text_of(mail, SegmentRole::Quoted).contains("k.bos"));
    }

    #[test]
    fn a_forwarded_mail_from_a_private_address_keeps_its_author_as_content() {
        let mail = "Zie hieronder.\n\nVan: Sandra Vliegen <sandravliegen@gmail.com>\nVerzonden: dinsdag\nAan: Ruud\n\nWij zijn verhuisd.\n";
        let quoted = text_of(mail, SegmentRole::Quoted);
        assert!(quoted.contains("Sandra Vliegen <sandravliegen@gmail.com>"));
        assert!(!quoted.contains("Verzonden"));
    }

    #[test]
    fn long_text_after_a_closing_returns_to_body() {
        let mut mail = String::from("Groet,\n");
        for i in 0..20 {
            mail.push_str(&format!("regel {i}\n"));
        }
        assert!(text_of(&mail, SegmentRole::Body).contains("regel 19"));
    }

    #[test]
    fn a_sentence_that_starts_like_a_greeting_later_is_body() {
        let mail = "Beste collega,\nHallo, dit is geen groet maar tekst met BSN 123456782.\n";
        assert!(text_of(mail, SegmentRole::Body).contains("123456782"));
    }
}
