//! Numbers in text: digit runs and groups, their labels, and what stands
//! next to them (an IBAN prefix, a country code).

use super::*;

/// Labels that say a number is something else than personal data (an order,
/// an invoice, a customer or case reference). A number right after one of
/// these is not reported as a BSN or a phone number.
pub static OTHER_NUMBER_LABELS: std::sync::LazyLock<Labels> =
    std::sync::LazyLock::new(|| Labels::new(OTHER_NUMBER_WORDS));

/// The words of [`OTHER_NUMBER_LABELS`].
pub(super) const OTHER_NUMBER_WORDS: &[&str] = &[
    "ordernummer",
    "bestelnummer",
    "order",
    "factuurnummer",
    "factuur",
    "klantnummer",
    "klantnr",
    "referentie",
    "ref.",
    "ref:",
    "kenmerk",
    "artikelnummer",
    "artikel",
    "polisnummer",
    "zaaknummer",
    "dossiernummer",
    "relatienummer",
    "debiteurnummer",
    "transactie",
    "invoice",
    "reference",
    "customer number",
    "account number",
    "tracking",
    "ticket",
    "serienummer",
    "serial",
];

/// Which of two label lists has the occurrence closest before `start`,
/// looking back at most `reach` bytes in the lowercase text: `Some(true)` for
/// `ours`, `Some(false)` for `theirs`, `None` when neither occurs.
pub fn closest_label(
    lower: &str,
    start: usize,
    reach: usize,
    ours: &Labels,
    theirs: &Labels,
) -> Option<bool> {
    let w = window(lower, start, start, reach, 0);
    match (ours.last_end(w), theirs.last_end(w)) {
        (None, None) => None,
        (Some(_), None) => Some(true),
        (None, Some(_)) => Some(false),
        (Some(a), Some(b)) => Some(a >= b),
    }
}

/// Position of the first ASCII digit in `bytes` at or after `from`. Looks at
/// eight bytes at a time, so prose without digits is skipped quickly.
pub fn find_digit(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    const LOW7: u64 = u64::from_ne_bytes([0x7f; 8]);
    let mut i = from;
    while i + 8 <= bytes.len() {
        let x = u64::from_ne_bytes(bytes[i..i + 8].try_into().expect("eight bytes"));
        // hasbetween(x, '0' - 1, '9' + 1) from "Bit Twiddling Hacks": a high
        // bit per byte that is > 47 and < 58 (bytes >= 128 never match).
        let m = x & LOW7;
        let hit = (ONES * (127 + 58)).wrapping_sub(m) & !x & (m + ONES * (127 - 47)) & HIGH;
        if hit != 0 {
            break;
        }
        i += 8;
    }
    bytes[i.min(bytes.len())..]
        .iter()
        .position(u8::is_ascii_digit)
        .map(|p| p + i)
}

/// The maximal runs of ASCII digits in `bytes`, as byte ranges.
pub fn digit_runs(bytes: &[u8]) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let mut pos = 0;
    std::iter::from_fn(move || {
        let start = find_digit(bytes, pos)?;
        let mut end = start + 1;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
        pos = end;
        Some(start..end)
    })
}

/// A number written as digit groups joined by one kind of separator
/// (`1234.56.782`, `4111 1111 1111 1111`), as read by [`digit_groups`].
#[derive(Debug, Clone, Default)]
pub struct Groups {
    /// Byte offset of the first digit.
    pub start: usize,
    /// Byte offset just after the last digit.
    pub end: usize,
    /// The separator between the groups, if there is more than one group.
    pub sep: Option<u8>,
    /// Number of digits in each group (the first `count`).
    pub lens: [u8; 8],
    /// Number of groups.
    pub count: usize,
    /// The digits (values 0..=9), the first `len` of them; `len` may exceed
    /// the array only when `overflow` is set.
    pub digits: [u8; 24],
    /// Number of digits.
    pub len: usize,
    /// More than 24 digits.
    pub overflow: bool,
}

impl Groups {
    /// The group lengths.
    pub fn lens(&self) -> &[u8] {
        &self.lens[..self.count]
    }
    /// The digits (values 0..=9).
    pub fn digits(&self) -> &[u8] {
        &self.digits[..self.len.min(24)]
    }
}

/// Reads digit groups from the digit at `start`: runs of digits joined by a
/// single byte from `seps` (the first separator seen fixes the kind), at most
/// `max_groups` groups. Groups of 1 digit after the first are allowed.
pub fn digit_groups(bytes: &[u8], start: usize, seps: &[u8], max_groups: usize) -> Groups {
    let mut g = Groups {
        start,
        end: start,
        ..Groups::default()
    };
    let mut i = start;
    loop {
        let run_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            if g.len < 24 {
                g.digits[g.len] = bytes[i] - b'0';
            } else {
                g.overflow = true;
            }
            g.len += 1;
            i += 1;
        }
        g.lens[g.count] = (i - run_start).min(255) as u8;
        g.count += 1;
        g.end = i;
        if g.count >= max_groups.min(8) || i + 1 >= bytes.len() {
            break;
        }
        let s = bytes[i];
        let sep_ok = match g.sep {
            Some(sep) => s == sep,
            None => seps.contains(&s),
        };
        if !sep_ok || !bytes[i + 1].is_ascii_digit() {
            break;
        }
        g.sep = Some(s);
        i += 1;
    }
    g
}

/// Whether the number starting at `start` is glued to something before it:
/// a letter or digit, or a separator from `seps` right after a digit.
pub fn joined_before(bytes: &[u8], start: usize, seps: &[u8]) -> bool {
    if start == 0 {
        return false;
    }
    let b = bytes[start - 1];
    b.is_ascii_alphanumeric()
        || (seps.contains(&b) && start >= 2 && bytes[start - 2].is_ascii_digit())
}

/// Whether the number ending at `end` continues after it: a letter or digit,
/// or a separator from `seps` followed by a digit.
pub fn joined_after(bytes: &[u8], end: usize, seps: &[u8]) -> bool {
    match bytes.get(end) {
        None => false,
        Some(b) if b.is_ascii_alphanumeric() => true,
        Some(b) => seps.contains(b) && bytes.get(end + 1).is_some_and(u8::is_ascii_digit),
    }
}

/// Whether the text just before `start` is the start of a spaced IBAN
/// (`NL91 ABNA ` before `0417 1643 00`), so the digits belong to it.
pub fn after_iban_prefix(bytes: &[u8], start: usize) -> bool {
    // Look back over at most three space-separated groups of four.
    let mut i = start;
    for _ in 0..3 {
        if i < 5 || bytes[i - 1] != b' ' {
            return false;
        }
        let g = &bytes[i - 5..i - 1];
        if !g.iter().all(u8::is_ascii_alphanumeric) {
            return false;
        }
        if g[0].is_ascii_alphabetic()
            && g[1].is_ascii_alphabetic()
            && g[2].is_ascii_digit()
            && g[3].is_ascii_digit()
            && (i == 5 || !bytes[i - 6].is_ascii_alphanumeric())
        {
            return true;
        }
        i -= 5;
    }
    false
}

/// Whether the number at `start` follows an international dialling prefix
/// (`+31 `, `0031-`), so it is the rest of a phone number.
pub fn after_country_code(bytes: &[u8], start: usize) -> bool {
    let mut i = start;
    if i > 0 && matches!(bytes[i - 1], b' ' | b'-') {
        i -= 1;
    }
    let mut j = i;
    while j > 0 && bytes[j - 1].is_ascii_digit() && i - j < 5 {
        j -= 1;
    }
    let n = i - j;
    ((1..=3).contains(&n) && j > 0 && bytes[j - 1] == b'+')
        || (n == 4
            && bytes[j..j + 2] == *b"00"
            && (j == 0 || !bytes[j - 1].is_ascii_alphanumeric()))
}
