//! International bank account numbers (IBAN) of the SEPA countries: country
//! code, two check digits and the account, of the country's exact length,
//! mod-97 valid; written compact or in groups of four, any case.

use super::context::digit_runs;
use super::mask::mask_grouped;
use super::{Detector, Text};
use crate::finding::{FindingKind, Match};

/// IBAN length per SEPA country (ISO 13616 registry).
const LENGTHS: &[(&[u8; 2], usize)] = &[
    (b"AD", 24),
    (b"AL", 28),
    (b"AT", 20),
    (b"BE", 16),
    (b"BG", 22),
    (b"CH", 21),
    (b"CY", 28),
    (b"CZ", 24),
    (b"DE", 22),
    (b"DK", 18),
    (b"EE", 20),
    (b"ES", 24),
    (b"FI", 18),
    (b"FO", 18),
    (b"FR", 27),
    (b"GB", 22),
    (b"GI", 23),
    (b"GL", 18),
    (b"GR", 27),
    (b"HR", 21),
    (b"HU", 28),
    (b"IE", 22),
    (b"IS", 26),
    (b"IT", 27),
    (b"LI", 21),
    (b"LT", 20),
    (b"LU", 20),
    (b"LV", 21),
    (b"MC", 27),
    (b"MD", 24),
    (b"ME", 22),
    (b"MK", 19),
    (b"MT", 31),
    (b"NL", 18),
    (b"NO", 15),
    (b"PL", 28),
    (b"PT", 25),
    (b"RO", 24),
    (b"RS", 22),
    (b"SE", 24),
    (b"SI", 19),
    (b"SK", 24),
    (b"SM", 27),
    (b"VA", 22),
];

/// Confidence for a valid IBAN whose account part has its country's shape
/// (checked for NL) or any valid IBAN.
const CONFIDENCE: f32 = 0.95;

/// Finds IBANs.
#[derive(Debug, Default)]
pub struct IbanDetector;

impl IbanDetector {
    /// An IBAN detector.
    pub fn new() -> IbanDetector {
        IbanDetector
    }
}

/// The expected length of an IBAN of `country` (uppercase), if SEPA.
fn expected_len(country: [u8; 2]) -> Option<usize> {
    LENGTHS
        .iter()
        .find(|(c, _)| **c == country)
        .map(|(_, n)| *n)
}

/// Mod-97 check of a compact, uppercase IBAN.
pub fn mod97(iban: &[u8]) -> bool {
    if iban.len() < 5 {
        return false;
    }
    let mut rem: u32 = 0;
    for &c in iban[4..].iter().chain(&iban[..4]) {
        match c {
            b'0'..=b'9' => rem = (rem * 10 + u32::from(c - b'0')) % 97,
            b'A'..=b'Z' => rem = (rem * 100 + u32::from(c - b'A' + 10)) % 97,
            _ => return false,
        }
    }
    rem == 1
}

/// Reads an IBAN of `len` characters from `start` (the country code):
/// compact, or in groups of four separated by single spaces. Returns the
/// compact uppercase value and the end offset.
fn read(bytes: &[u8], start: usize, len: usize) -> Option<(Vec<u8>, usize)> {
    let mut compact = Vec::with_capacity(len);
    let mut i = start;
    let mut spaced = false;
    while compact.len() < len {
        let c = *bytes.get(i)?;
        let n = compact.len();
        if c.is_ascii_alphanumeric() {
            // Once spaced, every group of four ends in a space.
            if spaced && n % 4 == 0 && bytes[i - 1] != b' ' {
                return None;
            }
            compact.push(c.to_ascii_uppercase());
            i += 1;
            continue;
        }
        // A space only between groups of four, from the first group on.
        let next_ok = bytes.get(i + 1).is_some_and(u8::is_ascii_alphanumeric);
        if c != b' ' || n % 4 != 0 || !(n == 4 || spaced) || !next_ok {
            return None;
        }
        spaced = true;
        i += 1;
    }
    if bytes.get(i).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    Some((compact, i))
}

impl Detector for IbanDetector {
    fn kind(&self) -> FindingKind {
        FindingKind::Iban
    }

    fn detect(&self, text: &Text<'_>, out: &mut Vec<Match>) {
        let bytes = text.original.as_bytes();
        let mut skip_to = 0;
        for run in digit_runs(bytes) {
            // The check digits follow two letters at a word start.
            let s = run.start;
            if s < skip_to || s < 2 || run.end - s < 2 {
                continue;
            }
            let start = s - 2;
            if !bytes[start].is_ascii_alphabetic()
                || !bytes[start + 1].is_ascii_alphabetic()
                || (start > 0 && bytes[start - 1].is_ascii_alphanumeric())
            {
                continue;
            }
            let country = [
                bytes[start].to_ascii_uppercase(),
                bytes[start + 1].to_ascii_uppercase(),
            ];
            let Some(len) = expected_len(country) else {
                continue;
            };
            let Some((compact, end)) = read(bytes, start, len) else {
                continue;
            };
            if !mod97(&compact) {
                continue;
            }
            // Dutch accounts: four letters (the bank) and ten digits.
            if &country == b"NL"
                && !(compact[4..8].iter().all(u8::is_ascii_alphabetic)
                    && compact[8..].iter().all(u8::is_ascii_digit))
            {
                continue;
            }
            skip_to = end;
            let compact = String::from_utf8(compact).expect("ASCII");
            out.push(Match {
                kind: FindingKind::Iban,
                span: start..end,
                excerpt: mask_grouped(&compact, 8),
                confidence: CONFIDENCE,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(s: &str) -> Vec<Match> {
        let mut out = Vec::new();
        IbanDetector::new().detect(&Text::new(s), &mut out);
        out
    }

    #[test]
    fn finds_ibans_in_any_layout_and_case() {
        for (s, value) in [
            (
                "Rekening NL91ABNA0417164300 t.n.v. Jansen",
                "NL91ABNA0417164300",
            ),
            ("IBAN: NL91 ABNA 0417 1643 00.", "NL91 ABNA 0417 1643 00"),
            ("iban nl91abna0417164300", "nl91abna0417164300"),
            (
                "Please pay to DE89 3704 0044 0532 0130 00 today",
                "DE89 3704 0044 0532 0130 00",
            ),
            ("BE68539007547034", "BE68539007547034"),
            ("account GB29NWBK60161331926819", "GB29NWBK60161331926819"),
            ("FR1420041010050500013M02606", "FR1420041010050500013M02606"),
            ("NO9386011117947", "NO9386011117947"),
        ] {
            let m = find(s);
            assert_eq!(m.len(), 1, "{s}");
            assert_eq!(&s[m[0].span.clone()], value);
            assert!(!m[0].excerpt.contains("0417"), "{}", m[0].excerpt);
        }
        assert_eq!(
            find("NL91ABNA0417164300")[0].excerpt,
            "NL91 ABNA **** **** **"
        );
    }

    #[test]
    fn refuses_near_misses() {
        for s in [
            "NL91ABNA0417164301",        // wrong checksum
            "NL91ABNA041716430",         // too short
            "NL91ABNA04171643000",       // too long
            "NL91 ABNA 0417 1643 00 12", // spaced, but another group follows? still 18 chars read
            "XNL91ABNA0417164300",       // glued to a letter
            "US12345678901234567890",    // not SEPA
            "NL91 ABNA0417 164300",      // irregular spacing
            "Dit is versie NL12 van het plan",
        ] {
            let m = find(s);
            if s.starts_with("NL91 ABNA 0417 1643 00 12") {
                // The IBAN itself is complete; a following number does not hide it.
                assert_eq!(m.len(), 1);
                continue;
            }
            assert!(m.is_empty(), "{s}: {m:?}");
        }
    }

    #[test]
    fn mod97_reference() {
        assert!(mod97(b"GB82WEST12345698765432"));
        assert!(!mod97(b"GB82WEST12345698765433"));
    }
}
