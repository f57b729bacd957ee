//! Identity document numbers: Dutch passport and identity card numbers
//! (nine characters, two letters, six letters or digits, a digit, never the
//! letter O: `XN01234A5`, `SPECI2014`), Dutch driving-licence numbers (ten
//! digits), and other countries' numbers (letters and digits, or eight to
//! ten digits) right after the document word and a number label. Only near
//! a document word (paspoort, ID-kaart, rijbewijs,
//! passport, ...): without one, such strings are too common to report.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::context::{is_word, near_any, window, Labels};
use super::mask::mask_keep;
use super::{Detector, Text};
use crate::finding::{FindingKind, Match};
use std::sync::LazyLock;

/// Words that say a document number is near.
const CONTEXT: &[&str] = &[
    "paspoort",
    "passport",
    "identiteitskaart",
    "identiteitsbewijs",
    "id-kaart",
    "id kaart",
    "idkaart",
    "identity card",
    "id card",
    "rijbewijs",
    "driving licence",
    "driving license",
    "driver's license",
    "drivers license",
    "driver license",
    "documentnummer",
    "document number",
    "documentnr",
];

/// Words that make a ten-digit number a driving-licence number, compiled once.
static LICENCE: LazyLock<Labels> = LazyLock::new(|| Labels::new(LICENCE_WORDS));

/// The words of [`LICENCE`].
const LICENCE_WORDS: &[&str] = &[
    "rijbewijs",
    "driving licen",
    "driver's licen",
    "drivers licen",
    "driver licen",
    "documentnummer",
    "document number",
];

/// How far before and after a document word to look.
const BEFORE: usize = 40;
const AFTER: usize = 80;

/// Confidence for a passport or ID card number near a document word.
const DOCUMENT: f32 = 0.9;
/// Confidence for another country's passport or ID number, labelled as
/// such after a document word ("the passport he showed (number Z4829173").
const FOREIGN_DOCUMENT: f32 = 0.8;
/// Confidence for a driving-licence number near a licence word.
const LICENCE_NUMBER: f32 = 0.85;

/// Finds identity document numbers.
#[derive(Debug)]
pub struct IdDocumentDetector {
    context: AhoCorasick,
}

impl Default for IdDocumentDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl IdDocumentDetector {
    /// An identity document detector.
    pub fn new() -> IdDocumentDetector {
        IdDocumentDetector {
            context: AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build(CONTEXT)
                .expect("document words compile"),
        }
    }
}

/// Whether `t` (an uppercase token) has the shape of a Dutch passport or
/// identity card number.
pub fn is_document_number(t: &[u8]) -> bool {
    let letter = |b: u8| b.is_ascii_uppercase() && b != b'O';
    t.len() == 9
        && letter(t[0])
        && letter(t[1])
        && t[2..8].iter().all(|&b| letter(b) || b.is_ascii_digit())
        && t[8].is_ascii_digit()
        && t.iter().filter(|b| b.is_ascii_digit()).count() >= 2
}

/// Whether `t` has the shape of a document number of another country:
/// seven to ten capital letters and digits, at least one letter and six
/// digits (`Z4829173`, `C01X00T47`, `P1234567`).
fn foreign_document_number(t: &[u8]) -> bool {
    // Nine characters opening with two letters is the Dutch layout, which
    // `is_document_number` judges (no letter O, a digit at the end).
    let dutch_layout = t.len() == 9 && t[..2].iter().all(u8::is_ascii_uppercase);
    !dutch_layout
        && (7..=10).contains(&t.len())
        && t.iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && t.iter().any(u8::is_ascii_uppercase)
        && t.iter().filter(|b| b.is_ascii_digit()).count() >= 6
}

/// Whether the token at `token` follows the document word ending at
/// `word_end` directly or after a number label ("passport Z4829173",
/// "paspoort, nummer Z4829173", "passport (number Z4829173").
fn labelled_as_number(lower: &str, word_end: usize, token: usize) -> bool {
    let between = &lower[word_end..token];
    if between.len() > 40 {
        return false;
    }
    let mut words: Vec<&str> = between
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    // "passport number is Z4829173".
    if words.len() >= 2 && matches!(words[words.len() - 1], "is" | "was" | "luidt") {
        words.pop();
    }
    match words.last() {
        None => true,
        // "Documentsoort: paspoort (Oekraïne)\nDocumentnummer: FT482917".
        Some(last) => matches!(
            *last,
            "number"
                | "nummer"
                | "nr"
                | "no"
                | "num"
                | "numero"
                | "nummers"
                | "numbers"
                | "documentnummer"
                | "documentnr"
                | "paspoortnummer"
        ),
    }
}

impl Detector for IdDocumentDetector {
    fn kind(&self) -> FindingKind {
        FindingKind::IdDocument
    }

    fn detect(&self, text: &Text<'_>, out: &mut Vec<Match>) {
        let bytes = text.original.as_bytes();
        let mut scanned_to = 0;
        for hit in self.context.find_iter(&text.lower) {
            let region = window(text.original, hit.start(), hit.end(), BEFORE, AFTER);
            let base = region.as_ptr() as usize - text.original.as_ptr() as usize;
            let mut i = base.max(scanned_to);
            let stop = base + region.len();
            while i < stop {
                if !bytes[i].is_ascii_alphanumeric()
                    || (i > 0 && bytes[i - 1].is_ascii_alphanumeric())
                {
                    i += 1;
                    continue;
                }
                let mut end = i;
                while end < bytes.len() && bytes[end].is_ascii_alphanumeric() {
                    end += 1;
                }
                let token = &bytes[i..end];
                let found = if is_document_number(token) && is_word(bytes, i, end) {
                    Some(DOCUMENT)
                } else if i >= hit.end()
                    && foreign_document_number(token)
                    && is_word(bytes, i, end)
                    && labelled_as_number(&text.lower, hit.end(), i)
                {
                    Some(FOREIGN_DOCUMENT)
                } else if token.len() == 10
                    && token.iter().all(u8::is_ascii_digit)
                    && near_any(&text.lower, i, end, AFTER, &LICENCE)
                {
                    Some(LICENCE_NUMBER)
                } else if i >= hit.end()
                    && (8..=10).contains(&token.len())
                    && token.iter().all(u8::is_ascii_digit)
                    && is_word(bytes, i, end)
                    && labelled_as_number(&text.lower, hit.end(), i)
                {
                    // "British passport no. 548120937", "Passport number:
                    // 058214736": many countries' numbers are digits only.
                    Some(FOREIGN_DOCUMENT)
                } else {
                    None
                };
                if let Some(confidence) = found {
                    out.push(Match {
                        kind: FindingKind::IdDocument,
                        span: i..end,
                        excerpt: mask_keep(&text.original[i..end], 2),
                        confidence,
                    });
                }
                i = end;
            }
            scanned_to = scanned_to.max(stop);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(s: &str) -> Vec<Match> {
        let mut out = Vec::new();
        IdDocumentDetector::new().detect(&Text::new(s), &mut out);
        out
    }

    #[test]
    fn finds_document_numbers_near_document_words() {
        for (s, value) in [
            ("Paspoort nummer XN01234A5, geldig tot 2030", "XN01234A5"),
            ("ID-kaart: SPECI2014", "SPECI2014"),
            ("documentnummer IB1234567 (identiteitskaart)", "IB1234567"),
            ("Her passport number is NP2K45LM8.", "NP2K45LM8"),
            (
                "the passport he showed (number Z4829173, Republic of India) expires",
                "Z4829173",
            ),
            ("His passport number is P1234567.", "P1234567"),
            // Digits only, labelled as the document's number.
            (
                "Owner passport: British passport no. 548120937, valid until 07/2031",
                "548120937",
            ),
            ("Passport number: 058214736 (valid until 06-2031)", "058214736"),
            ("paspoort C01X00T47 (Duitsland)", "C01X00T47"),
            ("rijbewijsnummer 5012345678", "5012345678"),
            ("driving licence no. 4001234567", "4001234567"),
            (
                "Documentsoort: paspoort (Oekraïne)\nDocumentnummer: FT482917\nGeldig tot: 14-10-2031",
                "FT482917",
            ),
        ] {
            let m = find(s);
            assert_eq!(m.len(), 1, "{s}: {m:?}");
            assert_eq!(&s[m[0].span.clone()], value);
        }
        assert_eq!(find("paspoort XN01234A5")[0].excerpt, "XN*******");
    }

    #[test]
    fn refuses_without_context_or_wrong_shape() {
        for s in [
            "Referentie XN01234A5",                        // no document word
            "code SPECI2014 in het systeem",               // no document word
            "paspoort XO01234A5",                          // letter O
            "passport renewal, ticket INC2024113 is open", // no number label
            "paspoort en ook zaaknummer 2024AB113",        // another number's label
            "paspoort XN01234AB",                          // ends in a letter
            "paspoort XN01234A5678",                       // eleven characters
            "paspoort ABCDEFGH1",                          // one digit only
            "paspoort verlopen, bel 0612345678",           // ten digits, no licence word
            "passport appointment 20261207",               // digits, no number label
            "Rijbewijs halen kost 5012345678 euro? nee: 501234567",
            "paspoort xn01234a5", // lowercase
        ] {
            let m = find(s);
            if s.starts_with("Rijbewijs halen") {
                assert_eq!(
                    m.len(),
                    1,
                    "{s}: the ten-digit number is near a licence word"
                );
                continue;
            }
            assert!(m.is_empty(), "{s}: {m:?}");
        }
    }
}
