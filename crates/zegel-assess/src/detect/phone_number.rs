//! Telephone numbers: Dutch numbers (`06-12345678`, `020-1234567`,
//! `(020) 123 45 67`, `+31 6 1234 5678`, `+31 (0)20 …`, `0031 …`, `0800-1234`)
//! and international `+CC` numbers. Not dates, not the digits of an IBAN or a
//! BSN, not numbers labelled as an order or invoice.

use super::context::{after_iban_prefix, closest_label, digit_runs, joined_after, joined_before};
use super::context::{Labels, OTHER_NUMBER_LABELS};
use super::mask::mask_keep;
use super::{Detector, Text};
use crate::finding::{FindingKind, Match};
use std::sync::LazyLock;

/// Words that say a number is a phone number, compiled once.
static CONTEXT: LazyLock<Labels> = LazyLock::new(|| Labels::new(CONTEXT_WORDS));

/// The words of [`CONTEXT`].
const CONTEXT_WORDS: &[&str] = &[
    "tel", "telefoon", "mobiel", "mob.", "gsm", "bel ", "bellen", "phone", "call", "fax",
    "whatsapp", "sms", "contact",
];

/// Confidence with a phone word near the number.
const WITH_CONTEXT: f32 = 0.95;
/// Confidence for a Dutch number.
const DUTCH: f32 = 0.85;
/// Confidence for another international number.
const INTERNATIONAL: f32 = 0.75;

/// Finds phone numbers.
#[derive(Debug, Default)]
pub struct PhoneNumberDetector;

impl PhoneNumberDetector {
    /// A phone number detector.
    pub fn new() -> PhoneNumberDetector {
        PhoneNumberDetector
    }
}

/// A number as read from the text.
struct Read {
    end: usize,
    digits: Vec<u8>,
    date_like: bool,
}

/// How many digits a number starting with `d` (after any `+`) has when
/// complete, for stopping before a following number.
fn target(d: &[u8], plus: bool) -> usize {
    let intl_nl = |rest: &[u8]| if rest.first() == Some(&0) { 10 } else { 9 };
    if plus {
        if d.starts_with(&[3, 1]) && d.len() > 2 {
            2 + intl_nl(&d[2..])
        } else {
            15
        }
    } else if d.starts_with(&[0, 0, 3, 1]) && d.len() > 4 {
        4 + intl_nl(&d[4..])
    } else if d.starts_with(&[0, 0]) {
        17
    } else if d.starts_with(&[0, 8, 0, 0]) || d.starts_with(&[0, 9, 0]) {
        11
    } else {
        10
    }
}

/// Reads digit groups from `s`: separators are one space, dash, dot or
/// slash, a `(0)` after a country code, a `)` after an area code.
fn read(bytes: &[u8], s: usize, plus: bool, paren: bool) -> Read {
    let mut digits = Vec::with_capacity(16);
    let mut lens = Vec::with_capacity(8);
    let mut seps = Vec::with_capacity(8);
    let mut i = s;
    let mut paren = paren;
    loop {
        let rs = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() && digits.len() < 20 {
            digits.push(bytes[i] - b'0');
            i += 1;
        }
        lens.push(i - rs);
        if lens.len() == 3
            && lens[0] <= 2
            && lens[1] <= 2
            && matches!(lens[2], 2 | 4)
            && seps[0] == seps[1]
            && matches!(seps[0], b'-' | b'/' | b'.')
        {
            return Read {
                end: i,
                digits,
                date_like: true,
            };
        }
        if lens.len() >= 7 || digits.len() >= target(&digits, plus) {
            break;
        }
        let mut j = i;
        if paren && bytes.get(j) == Some(&b')') {
            paren = false;
            j += 1;
        } else if plus && bytes[j..].starts_with(b"(0)") {
            j += 3;
        } else if plus && bytes[j..].starts_with(b" (0)") {
            j += 4;
        }
        // After `)` or `(0)` a space or dash; between groups also a dot or
        // slash.
        let sep_ok = match bytes.get(j) {
            Some(b' ' | b'-') => true,
            Some(b'.' | b'/') => j == i,
            _ => false,
        };
        if sep_ok {
            j += 1;
        }
        if j == i || !bytes.get(j).is_some_and(u8::is_ascii_digit) {
            break;
        }
        seps.push(bytes[i]);
        i = j;
    }
    Read {
        end: i,
        digits,
        date_like: false,
    }
}

/// The confidence for these digits, if they are a phone number.
fn judge(d: &[u8], plus: bool) -> Option<f32> {
    let dutch_rest = |rest: &[u8]| {
        let rest = if rest.len() == 10 && rest[0] == 0 {
            &rest[1..]
        } else {
            rest
        };
        rest.len() == 9 && rest[0] != 0
    };
    if plus {
        if d.starts_with(&[3, 1]) {
            return dutch_rest(&d[2..]).then_some(DUTCH);
        }
        return ((8..=15).contains(&d.len()) && d[0] != 0).then_some(INTERNATIONAL);
    }
    if d.starts_with(&[0, 0]) {
        if d.starts_with(&[0, 0, 3, 1]) {
            return dutch_rest(&d[4..]).then_some(DUTCH);
        }
        return ((10..=17).contains(&d.len()) && d[2] != 0).then_some(INTERNATIONAL);
    }
    if d.len() < 2 || d[0] != 0 || d[1] == 0 {
        return None;
    }
    if d.starts_with(&[0, 8, 0, 0]) || d.starts_with(&[0, 9, 0]) {
        return (8..=11).contains(&d.len()).then_some(DUTCH);
    }
    (d.len() == 10).then_some(DUTCH)
}

impl Detector for PhoneNumberDetector {
    fn kind(&self) -> FindingKind {
        FindingKind::PhoneNumber
    }

    fn detect(&self, text: &Text<'_>, out: &mut Vec<Match>) {
        let bytes = text.original.as_bytes();
        let mut skip_to = 0;
        for run in digit_runs(bytes) {
            let s = run.start;
            if s < skip_to {
                continue;
            }
            let before = if s > 0 { bytes[s - 1] } else { b' ' };
            let plus = before == b'+';
            let paren = before == b'(';
            if !plus && bytes[s] != b'0' {
                continue;
            }
            let start = if plus || paren { s - 1 } else { s };
            let r = read(bytes, s, plus, paren);
            skip_to = r.end;
            if r.date_like
                || joined_before(bytes, start, b".-/,")
                || (plus || paren) && start > 0 && bytes[start - 1].is_ascii_alphanumeric()
                || joined_after(bytes, r.end, b".-/,")
                || after_iban_prefix(bytes, start)
            {
                continue;
            }
            let Some(mut confidence) = judge(&r.digits, plus) else {
                continue;
            };
            match closest_label(&text.lower, start, 40, &CONTEXT, &OTHER_NUMBER_LABELS) {
                Some(false) => continue,
                Some(true) => confidence = WITH_CONTEXT,
                None => {}
            }
            let value = &text.original[start..r.end];
            out.push(Match {
                kind: FindingKind::PhoneNumber,
                span: start..r.end,
                excerpt: mask_keep(value, 4),
                confidence,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(s: &str) -> Vec<Match> {
        let mut out = Vec::new();
        PhoneNumberDetector::new().detect(&Text::new(s), &mut out);
        out
    }

    #[test]
    fn finds_dutch_and_international_numbers() {
        for (s, value) in [
            ("Bel me op 06-12345678.", "06-12345678"),
            ("mobiel: +31 6 1234 5678", "+31 6 1234 5678"),
            ("0031 6 12345678", "0031 6 12345678"),
            ("Kantoor 020-1234567, ma-vr", "020-1234567"),
            ("(020) 123 45 67", "(020) 123 45 67"),
            ("+31 (0)20 123 4567", "+31 (0)20 123 4567"),
            ("0612345678", "0612345678"),
            ("Call +44 20 7946 0958 today", "+44 20 7946 0958"),
            ("Servicedesk 0800-1234", "0800-1234"),
            ("010 123 4567 2x bellen", "010 123 4567"),
        ] {
            let m = find(s);
            assert_eq!(m.len(), 1, "{s}: {m:?}");
            assert_eq!(&s[m[0].span.clone()], value, "{s}");
        }
        let m = find("tel 06-12345678");
        assert_eq!(m[0].excerpt, "06-12******");
        assert_eq!(m[0].confidence, WITH_CONTEXT);
    }

    #[test]
    fn refuses_near_misses() {
        for s in [
            "op 01-02-2023 om 10:30", // date and time
            "01/02/2023",             // date
            "NL91 ABNA 0417 1643 00", // spaced IBAN
            "NL91ABNA0417164300",     // compact IBAN
            "bsn 012345672",          // nine digits
            "Ordernummer 0123456789", // labelled as an order
            "factuur 020-1234567",    // labelled as an invoice
            "versie 0.9.1",           // version
            "06-1234567890123",       // too long
            "bedrag 0,50 euro",       // amount
            "+31 12345",              // too short
            "abc0612345678",          // glued to letters
        ] {
            let m = find(s);
            assert!(m.is_empty(), "{s}: {m:?}");
        }
    }

    #[test]
    fn date_then_phone() {
        let s = "01-03-2020 0612345678";
        let m = find(s);
        assert_eq!(m.len(), 1);
        assert_eq!(&s[m[0].span.clone()], "0612345678");
    }
}
