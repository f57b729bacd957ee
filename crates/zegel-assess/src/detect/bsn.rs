//! Dutch citizen service numbers (burgerservicenummer, BSN): nine digits that
//! pass the 11-proef, written bare or grouped (`1234.56.782`, `123 456 782`,
//! `12-34-56-782`). A number labelled as something else (an order, an
//! invoice) is not reported; a bare number without a BSN word near it is
//! reported with a lower confidence.

use super::context::{after_country_code, closest_label, digit_groups, digit_runs};
use super::context::{joined_after, joined_before};
use super::context::{near_any, Labels, OTHER_NUMBER_LABELS};
use super::mask::mask_keep;
use super::{Detector, Text};
use crate::finding::{FindingKind, Match};
use std::sync::LazyLock;

/// Words that say a number is a BSN, compiled once.
static CONTEXT: LazyLock<Labels> = LazyLock::new(|| Labels::new(CONTEXT_WORDS));

/// The words of [`CONTEXT`].
const CONTEXT_WORDS: &[&str] = &[
    "bsn",
    "burgerservicenummer",
    "burgerservice nummer",
    "sofinummer",
    "sofi-nummer",
    "sofi nummer",
    "citizen service number",
    "persoonsnummer",
    "persoonsgebonden nummer",
    "a-nummer",
    // HL7 v2 in the Netherlands: the assigning authority of a BSN in PID-3
    // (`159372689^^^NLMINBIZA^NNNLD`).
    "nlminbiza",
];

/// Separators allowed between digit groups.
const SEPS: &[u8] = b" .-";

/// Group layouts people write a BSN in.
const LAYOUTS: &[&[u8]] = &[&[9], &[4, 2, 3], &[3, 3, 3], &[2, 2, 2, 3], &[8]];

/// Confidence with a BSN word near the number.
const WITH_CONTEXT: f32 = 0.95;
/// Confidence with a BSN word further back in the same text (a table header).
const WITH_HEADER: f32 = 0.8;
/// Confidence for a valid number written in a BSN layout (`1234.56.782`).
const GROUPED: f32 = 0.6;
/// Confidence for nine bare digits without any BSN word: one in eleven
/// random numbers passes the 11-proef, so on its own it never decides.
const BARE: f32 = 0.45;
/// How far back (bytes) a table header may name the column.
const HEADER_REACH: usize = 2000;
/// How far (bytes) to look for a context word or another label.
const REACH: usize = 60;

/// Finds BSNs.
#[derive(Debug, Default)]
pub struct BsnDetector;

impl BsnDetector {
    /// A BSN detector.
    pub fn new() -> BsnDetector {
        BsnDetector
    }
}

/// The 11-proef: weights 9..2 and -1; the sum must be a multiple of 11 and
/// the number not all zeros.
pub fn elfproef(digits: &[u8]) -> bool {
    if digits.len() != 9 || digits.iter().all(|&d| d == 0) {
        return false;
    }
    let sum: i32 = digits
        .iter()
        .zip([9, 8, 7, 6, 5, 4, 3, 2, -1])
        .map(|(&d, w)| i32::from(d) * w)
        .sum();
    sum % 11 == 0
}

impl Detector for BsnDetector {
    fn kind(&self) -> FindingKind {
        FindingKind::Bsn
    }

    fn detect(&self, text: &Text<'_>, out: &mut Vec<Match>) {
        let bytes = text.original.as_bytes();
        let mut skip_to = 0;
        for run in digit_runs(bytes) {
            if run.start < skip_to || run.end - run.start > 9 {
                continue;
            }
            let g = digit_groups(bytes, run.start, SEPS, 4);
            let layout = LAYOUTS.iter().position(|l| *l == g.lens());
            let Some(layout) = layout else { continue };
            skip_to = g.end;
            // Something glued before or after makes it part of another number
            // (a phone number, an amount, a date). A bare nine digits may
            // stand after a space and another number (a table row); grouped
            // forms must stand apart.
            // In a comma-separated row a comma ends a cell; elsewhere it is
            // a decimal comma ("514647036,19").
            let glue: &[u8] = if g.sep.is_some() {
                SEPS
            } else if in_comma_row(text.original, g.start) {
                b".-/+"
            } else {
                b".-,/+"
            };
            if joined_before(bytes, g.start, glue)
                || joined_after(bytes, g.end, glue)
                || g.start > 0 && bytes[g.start - 1] == b'+'
                || after_country_code(bytes, g.start)
            {
                continue;
            }
            let has_context = near_any(&text.lower, g.start, g.end, REACH, &CONTEXT);
            let mut digits = [0u8; 9];
            if layout == LAYOUTS.len() - 1 {
                // Eight digits: a BSN that lost its leading zero, only with a
                // BSN word near it.
                if !has_context || looks_like_a_date(g.digits()) {
                    continue;
                }
                digits[1..].copy_from_slice(g.digits());
            } else {
                digits.copy_from_slice(g.digits());
            }
            if !elfproef(&digits) {
                continue;
            }
            if closest_label(&text.lower, g.start, 40, &CONTEXT, &OTHER_NUMBER_LABELS)
                == Some(false)
            {
                continue;
            }
            let value = &text.original[g.start..g.end];
            out.push(Match {
                kind: FindingKind::Bsn,
                span: g.start..g.end,
                excerpt: mask_keep(value, 6),
                confidence: if has_context {
                    WITH_CONTEXT
                } else if header_before(&text.lower, g.start) {
                    WITH_HEADER
                } else if g.sep.is_some() {
                    GROUPED
                } else {
                    BARE
                },
            });
        }
    }
}

/// Whether eight digits read as a date `yyyymmdd` of 1900 to 2099 (a
/// birth date in an HL7 segment, `19860419`), not a BSN that lost its
/// leading zero.
fn looks_like_a_date(d: &[u8]) -> bool {
    let n = |r: std::ops::Range<usize>| d[r].iter().fold(0u32, |a, &x| a * 10 + u32::from(x));
    d.len() == 8
        && (1900..=2099).contains(&n(0..4))
        && (1..=12).contains(&n(4..6))
        && (1..=31).contains(&n(6..8))
}

/// Whether the line holding byte `at` is a row of a comma-separated table.
fn in_comma_row(original: &str, at: usize) -> bool {
    let line = original[crate::detect::context::line_around(original, at)].trim_end_matches('\r');
    super::table::separator(line) == Some(b',')
}

/// Whether a BSN word stands earlier in the text, within [`HEADER_REACH`]:
/// the header of a table column or a form field label.
fn header_before(lower: &str, start: usize) -> bool {
    let mut from = start.saturating_sub(HEADER_REACH);
    while !lower.is_char_boundary(from) {
        from += 1;
    }
    let before = &lower[from..start];
    CONTEXT.any_in(before)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(s: &str) -> Vec<Match> {
        let mut out = Vec::new();
        BsnDetector::new().detect(&Text::new(s), &mut out);
        out
    }

    #[test]
    fn finds_bsn_in_every_layout() {
        for (s, value) in [
            ("Het BSN van mevrouw is 123456782.", "123456782"),
            ("burgerservicenummer: 1234.56.782", "1234.56.782"),
            ("BSN 123 456 782 graag controleren", "123 456 782"),
            ("sofinummer 12-34-56-782", "12-34-56-782"),
            (
                "citizen service number 111222333, please check",
                "111222333",
            ),
        ] {
            let m = find(s);
            assert_eq!(m.len(), 1, "{s}");
            assert_eq!(&s[m[0].span.clone()], value);
            assert_eq!(m[0].confidence, WITH_CONTEXT);
            assert!(!m[0].excerpt.contains(value), "{}", m[0].excerpt);
        }
    }

    #[test]
    fn excerpt_is_masked() {
        let m = find("bsn 1234.56.782");
        assert_eq!(m[0].excerpt, "1234.56.***");
    }

    #[test]
    fn bare_number_gets_lower_confidence() {
        let m = find("Graag aanpassen: 123456782 in het systeem.");
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].confidence, BARE);
        let m = find("row 1 123456782 Jansen");
        assert_eq!(m.len(), 1);
    }

    #[test]
    fn a_column_header_or_layout_raises_a_bare_number() {
        let mut table = String::from("naam;bsn;geboortedatum\n");
        for _ in 0..5 {
            table.push_str("Jansen;onbekend;1980-01-01;Dorpsstraat;Utrecht\n");
        }
        table.push_str("De Vries;123456782;1975\n");
        let table = table.as_str();
        assert_eq!(find(table)[0].confidence, WITH_HEADER);
        assert_eq!(find("Graag 1234.56.782 nakijken")[0].confidence, GROUPED);
        let log = "2024-04-02T10:11:12Z req=813402177 status=502";
        assert!(find(log).iter().all(|m| m.confidence < 0.5));
    }

    #[test]
    fn a_bsn_in_an_hl7_patient_segment() {
        let pid = "PID|1||159372689^^^NLMINBIZA^NNNLD||Verbeek^Stefan^^^^^L||19860419|M";
        let m = find(pid);
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0].confidence, WITH_CONTEXT);
    }

    #[test]
    fn a_bsn_between_the_commas_of_a_csv_row() {
        let csv = "studienummer,bsn,geboortedatum,bepalingen\n\
                   DL-0163,514647036,1960-01-27,HbA1c;lipiden;TSH\n";
        let m = find(csv);
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(&csv[m[0].span.clone()], "514647036");
        // A Dutch decimal comma in prose still glues.
        assert!(find("Het bedrag is 514647036,19 euro.").is_empty());
    }

    #[test]
    fn eight_digits_only_with_context() {
        // 012345672 passes the 11-proef.
        assert!(elfproef(&[0, 1, 2, 3, 4, 5, 6, 7, 2]));
        assert_eq!(find("BSN 12345672").len(), 1);
        assert!(find("nummer 12345672").is_empty());
    }

    #[test]
    fn refuses_near_misses() {
        for s in [
            "bsn 123456789",               // wrong checksum
            "bsn 000000000",               // zeros
            "BSN 1234567820",              // ten digits
            "rekening NL91ABNA0417164300", // IBAN digits
            "NL91 ABNA 0417 1643 00",      // spaced IBAN
            "bel +31 123456782",           // phone number
            "bedrag 123456782,50 euro",    // amount
            "Bestelnummer 100000009",      // order number
            "ordernummer: 123456782",      // order number
            "Invoice 123456782 is due",    // invoice
            "factuurnummer 1234.56.782 (bsn niet bekend)",
            "code 1234.56.7829",    // longer grouped number
            "12-03-2020 123456782", // glued to a date? no: date ends, then space
            "abc123456782",         // glued to letters
            "tel 12 3456782",       // wrong layout
        ] {
            let m = find(s);
            if s.starts_with("12-03-2020") {
                // Space after a date is a table cell, not a continuation.
                assert_eq!(m.len(), 1, "{s}");
                continue;
            }
            assert!(m.is_empty(), "{s}: {m:?}");
        }
    }

    #[test]
    fn bsn_label_closer_than_order_label_wins() {
        let m = find("Bij bestelling: BSN 100000009");
        assert_eq!(m.len(), 1);
    }
}
