//! Postal addresses: a Dutch street and house number (`Dorpsstraat 12a`,
//! `Van der Helststraat 3-II`, `Laan van Meerdervoort 100`), a Dutch postcode
//! (`1234 AB`, with the place after it when there is one), and roughly an
//! English address (`221B Baker Street`). A number after a word that is no
//! street (`Hoofdstuk 12`, `versie 2`, a time) is not an address.

use super::context::{digit_runs, joined_before};
use super::mask::{mask_keep, mask_words};
use super::{Detector, Text};
use crate::finding::{FindingKind, Match};

/// Endings of Dutch street names.
const SUFFIXES: &[&str] = &[
    "straat",
    "laan",
    "weg",
    "plein",
    "gracht",
    "kade",
    "singel",
    "dijk",
    "pad",
    "hof",
    "dreef",
    "steeg",
    "markt",
    "park",
    "plantsoen",
    "wal",
    "baan",
    "allee",
    "boulevard",
    "kanaal",
    "dreef",
    "hoek",
    "wetering",
    "vaart",
    "brink",
    "haven",
];

/// Street words that start a Dutch street name (`Laan van ...`).
const LEADING: &[&str] = &[
    "laan",
    "plein",
    "weg",
    "kade",
    "singel",
    "dreef",
    "hof",
    "straat",
    "gracht",
    "dijk",
    "park",
    "markt",
    "boulevard",
];

/// Small words inside Dutch names (`Van der`, `de`, `'t`).
const TUSSENVOEGSELS: &[&str] = &[
    "van", "der", "den", "de", "het", "ter", "ten", "'t", "'s", "op", "aan", "in",
];

/// English street types.
const ENGLISH: &[&str] = &[
    "Road",
    "Rd",
    "Street",
    "St",
    "Avenue",
    "Ave",
    "Lane",
    "Ln",
    "Drive",
    "Close",
    "Way",
    "Court",
    "Place",
    "Square",
    "Crescent",
    "Terrace",
    "Boulevard",
    "Blvd",
    "Gardens",
    "Grove",
    "Mews",
    "Row",
    "Walk",
    "Hill",
    "Parade",
];

/// Confidence for a Dutch street and number.
const STREET: f32 = 0.8;
/// Confidence for a postcode alone.
const POSTCODE: f32 = 0.7;
/// Confidence for a postcode with a place.
const POSTCODE_PLACE: f32 = 0.85;
/// Confidence for an English street address.
const ENGLISH_STREET: f32 = 0.75;

/// Finds postal addresses.
#[derive(Debug, Default)]
pub struct PostalAddressDetector;

impl PostalAddressDetector {
    /// A postal address detector.
    pub fn new() -> PostalAddressDetector {
        PostalAddressDetector
    }
}

/// Bytes of a name word: letters (non-ASCII letters too), `-` and `'`.
fn name_byte(b: u8) -> bool {
    b.is_ascii_alphabetic() || b >= 0x80 || b == b'-' || b == b'\''
}

/// The word ending at `end` (exclusive), if there is one.
fn word_before(bytes: &[u8], end: usize) -> Option<usize> {
    let mut start = end;
    while start > 0 && name_byte(bytes[start - 1]) {
        start -= 1;
    }
    (start < end).then_some(start)
}

/// The word starting at `start`, if there is one.
fn word_after(bytes: &[u8], start: usize) -> Option<usize> {
    let mut end = start;
    while end < bytes.len() && name_byte(bytes[end]) {
        end += 1;
    }
    (end > start).then_some(end)
}

fn capitalised(bytes: &[u8], start: usize) -> bool {
    bytes[start].is_ascii_uppercase()
}

/// The end of a house number with its addition (`12a`, `3-II`, `12-2`),
/// or `None` when the digits are a time, an amount or part of a word.
fn house_number_end(bytes: &[u8], end: usize) -> Option<usize> {
    let at = |i: usize| bytes.get(i).copied().unwrap_or(b' ');
    let free = |i: usize| !at(i).is_ascii_alphanumeric();
    match at(end) {
        b':' | b'.' | b',' | b'/' if at(end + 1).is_ascii_digit() => None,
        b if b.is_ascii_alphabetic() => free(end + 1).then_some(end + 1),
        b'-' => {
            let mut i = end + 1;
            while at(i).is_ascii_alphanumeric() && i - end <= 4 {
                i += 1;
            }
            let add = &bytes[end + 1..i];
            let ok = !add.is_empty()
                && free(i)
                && (add.iter().all(u8::is_ascii_digit)
                    || add
                        .iter()
                        .all(|b| matches!(b, b'I' | b'V' | b'H' | b'S' | b'h' | b's'))
                    || add.len() == 1);
            Some(if ok { i } else { end })
        }
        _ => Some(end),
    }
}

impl PostalAddressDetector {
    /// A postcode `1234 AB` at the four-digit run `s..e`, with a place.
    fn postcode(&self, text: &Text<'_>, s: usize, e: usize, out: &mut Vec<Match>) -> bool {
        let bytes = text.original.as_bytes();
        if e - s != 4 || bytes[s] == b'0' || joined_before(bytes, s, b".-,/") {
            return false;
        }
        let p = if bytes.get(e) == Some(&b' ') {
            e + 1
        } else {
            e
        };
        let letters = match bytes.get(p..p + 2) {
            Some(l) if l.iter().all(u8::is_ascii_uppercase) => l,
            _ => return false,
        };
        if matches!(letters, b"SA" | b"SD" | b"SS")
            || bytes.get(p + 2).is_some_and(u8::is_ascii_alphanumeric)
        {
            return false;
        }
        let mut end = p + 2;
        let mut confidence = POSTCODE;
        let q = end
            + if bytes[end..].starts_with(b"  ") {
                2
            } else {
                1
            };
        if bytes.get(end) == Some(&b' ')
            && bytes
                .get(q)
                .is_some_and(|&b| b.is_ascii_uppercase() || b == b'\'')
        {
            if let Some(w) = word_after(bytes, q) {
                end = w;
                confidence = POSTCODE_PLACE;
            }
        }
        out.push(Match {
            kind: FindingKind::PostalAddress,
            span: s..end,
            excerpt: mask_keep(&text.original[s..end], 2),
            confidence,
        });
        true
    }

    /// A Dutch street before the house number at `s`.
    fn dutch_street(&self, text: &Text<'_>, s: usize, e: usize, out: &mut Vec<Match>) -> bool {
        let bytes = text.original.as_bytes();
        if s < 2 || bytes[s - 1] != b' ' || bytes[s] == b'0' || e - s > 4 {
            return false;
        }
        let Some(end) = house_number_end(bytes, e) else {
            return false;
        };
        let Some(ws) = word_before(bytes, s - 1) else {
            return false;
        };
        let lower = text.lower.as_bytes();
        let word = &lower[ws..s - 1];
        let is_tv = |w: &[u8]| TUSSENVOEGSELS.iter().any(|t| t.as_bytes() == w);
        let mut start = None;
        // `...straat 12`: a capitalised word with a street ending.
        if capitalised(bytes, ws)
            && SUFFIXES
                .iter()
                .any(|suf| word.len() > suf.len() && word.ends_with(suf.as_bytes()))
        {
            // Take in `Van der` before it.
            let mut st = ws;
            while st >= 2 && bytes[st - 1] == b' ' {
                let Some(p) = word_before(bytes, st - 1) else {
                    break;
                };
                if !is_tv(&lower[p..st - 1]) {
                    break;
                }
                st = p;
            }
            while st < ws && !capitalised(bytes, st) {
                st = word_after(bytes, st).map_or(ws, |e| e + 1);
            }
            start = Some(st);
        } else if capitalised(bytes, ws) {
            // `Laan van Meerdervoort 100`: a street word leading at most
            // three name words.
            let mut st = ws;
            for _ in 0..3 {
                if st < 2 || bytes[st - 1] != b' ' {
                    break;
                }
                let Some(p) = word_before(bytes, st - 1) else {
                    break;
                };
                let w = &lower[p..st - 1];
                if capitalised(bytes, p) && LEADING.iter().any(|l| l.as_bytes() == w) {
                    start = Some(p);
                    break;
                }
                if !is_tv(w) && !capitalised(bytes, p) {
                    break;
                }
                st = p;
            }
        }
        let Some(start) = start else { return false };
        out.push(Match {
            kind: FindingKind::PostalAddress,
            span: start..end,
            excerpt: mask_words(&text.original[start..end]),
            confidence: STREET,
        });
        true
    }

    /// An English address: number, one to three capitalised words, a
    /// street type.
    fn english_street(&self, text: &Text<'_>, s: usize, e: usize, out: &mut Vec<Match>) -> bool {
        let bytes = text.original.as_bytes();
        if bytes[s] == b'0' || e - s > 4 || joined_before(bytes, s, b".-,/") {
            return false;
        }
        let mut i = e;
        if bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
        }
        for n in 0..4 {
            if bytes.get(i) != Some(&b' ') || !bytes.get(i + 1).is_some_and(u8::is_ascii_uppercase)
            {
                return false;
            }
            let Some(we) = word_after(bytes, i + 1) else {
                return false;
            };
            let word = &text.original[i + 1..we];
            if n > 0 && ENGLISH.contains(&word) {
                let end = if bytes.get(we) == Some(&b'.') && word.len() <= 4 {
                    we + 1
                } else {
                    we
                };
                out.push(Match {
                    kind: FindingKind::PostalAddress,
                    span: s..end,
                    excerpt: mask_words(&text.original[s..end]),
                    confidence: ENGLISH_STREET,
                });
                return true;
            }
            i = we;
        }
        false
    }
}

impl Detector for PostalAddressDetector {
    fn kind(&self) -> FindingKind {
        FindingKind::PostalAddress
    }

    fn detect(&self, text: &Text<'_>, out: &mut Vec<Match>) {
        let bytes = text.original.as_bytes();
        for run in digit_runs(bytes) {
            let (s, e) = (run.start, run.end);
            if e - s > 4 || (s > 0 && bytes[s - 1].is_ascii_alphabetic()) {
                continue;
            }
            let _ = self.postcode(text, s, e, out)
                || self.dutch_street(text, s, e, out)
                || self.english_street(text, s, e, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(s: &str) -> Vec<Match> {
        let mut out = Vec::new();
        PostalAddressDetector::new().detect(&Text::new(s), &mut out);
        out
    }

    fn values(s: &str) -> Vec<&str> {
        find(s).into_iter().map(|m| &s[m.span]).collect()
    }

    #[test]
    fn finds_dutch_addresses() {
        assert_eq!(
            values("Zij woont aan de Dorpsstraat 12a in Ede."),
            ["Dorpsstraat 12a"]
        );
        assert_eq!(
            values("adres: Van der Helststraat 3-II, Amsterdam"),
            ["Van der Helststraat 3-II"]
        );
        assert_eq!(
            values("Laan van Meerdervoort 100"),
            ["Laan van Meerdervoort 100"]
        );
        assert_eq!(
            values("Keizersgracht 123, 1015 CJ Amsterdam"),
            ["Keizersgracht 123", "1015 CJ Amsterdam"]
        );
        assert_eq!(values("postcode 2511AB"), ["2511AB"]);
        assert_eq!(values("Binnenhof 1"), ["Binnenhof 1"]);
    }

    #[test]
    fn finds_english_addresses() {
        assert_eq!(
            values("She lives at 221B Baker Street, London"),
            ["221B Baker Street"]
        );
        assert_eq!(values("10 Downing St. is busy"), ["10 Downing St."]);
        assert_eq!(values("12 Old Mill Road"), ["12 Old Mill Road"]);
    }

    #[test]
    fn excerpts_are_masked() {
        assert_eq!(find("Dorpsstraat 12a")[0].excerpt, "D********** 1**");
        assert_eq!(find("1015 CJ Amsterdam")[0].excerpt, "10** ** *********");
    }

    #[test]
    fn refuses_near_misses() {
        for s in [
            "Zie Hoofdstuk 12 en versie 2",
            "We spreken af om 12:30 uur",
            "Kerkstraat 12:30", // a time after a street word
            "onderweg 2 dagen", // lowercase
            "in 1995 werd het 2000 km",
            "bedrag 1234 EUR", // three letters
            "Amsterdam 2024",  // a city and a year
            "Vergadering 3 om 10 uur",
            "NL91 ABNA 0417 1643 00",
            "1234 SS", // SS is not used
            "Laan 12", // a street word alone
            "Chapter 12 Street",
            "it took 3 long days",
        ] {
            let m = find(s);
            assert!(m.is_empty(), "{s}: {m:?}");
        }
    }
}
