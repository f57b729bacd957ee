//! Text as a reader sees it: invisible characters removed, compatibility
//! forms folded (Unicode NFKC), every decimal digit written as ASCII.
//!
//! A BSN typed as `1​2​3…` (zero-width spaces), `１２３…` (fullwidth) or
//! `١٢٣…` (Arabic-Indic digits) shows to the recipient as the number; the
//! detectors must see the number too. Applied to every segment before
//! detection; ASCII text is returned untouched without a copy of work.

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Whether `c` is shown as nothing: format characters (zero-width space and
/// joiners, word joiner, soft hyphen, byte order mark, bidi marks and
/// embeddings, invisible operators, Mongolian vowel separator, tag
/// characters) and variation selectors.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{034F}'
        | '\u{061C}'
        | '\u{115F}'..='\u{1160}'
        | '\u{17B4}'..='\u{17B5}'
        | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{3164}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}'
        | '\u{FFA0}'
        | '\u{FFF0}'..='\u{FFF8}'
        | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// The first code point of every run of ten decimal digits (Unicode
/// category Nd) that NFKC does not already fold to ASCII.
const DIGIT_ZEROS: &[u32] = &[
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0x104A0, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0,
    0x11730, 0x118E0, 0x16A60, 0x16B50, 0x1E950,
];

/// The ASCII digit for a non-ASCII decimal digit.
fn ascii_digit(c: char) -> Option<char> {
    let cp = c as u32;
    DIGIT_ZEROS
        .iter()
        .find(|&&zero| cp >= zero && cp < zero + 10)
        .and_then(|&zero| char::from_digit(cp - zero, 10))
}

/// The text as a reader sees it (see the module documentation).
pub fn normalize(text: String) -> String {
    if text.is_ascii() {
        return text;
    }
    let needs_work = text
        .chars()
        .any(|c| is_invisible(c) || (!c.is_ascii() && ascii_digit(c).is_some()));
    let folded = is_nfkc_quick(text.chars()) != IsNormalized::Yes;
    if !needs_work && !folded {
        return text;
    }
    let cleaned = text
        .chars()
        .filter(|&c| !is_invisible(c))
        .map(|c| ascii_digit(c).unwrap_or(c));
    if folded {
        cleaned.nfkc().collect()
    } else {
        cleaned.collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_characters_between_digits_are_removed() {
        for sep in ["\u{200B}", "\u{00AD}", "\u{2060}", "\u{FEFF}", "\u{200E}"] {
            let t = format!("BSN 1{sep}1{sep}1{sep}2{sep}2{sep}2{sep}3{sep}3{sep}3");
            assert_eq!(normalize(t), "BSN 111222333");
        }
    }

    #[test]
    fn every_digit_form_becomes_ascii() {
        assert_eq!(normalize("１２３４５".into()), "12345");
        assert_eq!(normalize("٠١٢٣٤٥٦٧٨٩".into()), "0123456789");
        assert_eq!(normalize("۱۲۳".into()), "123");
        assert_eq!(normalize("०१२".into()), "012");
        assert_eq!(normalize("𝟏𝟐𝟑".into()), "123");
    }

    #[test]
    fn ordinary_dutch_text_is_left_alone() {
        let t = "Cliënt heeft een café-afspraak, één keer per week.";
        assert_eq!(normalize(t.into()), t);
        assert_eq!(normalize("plain ascii".into()), "plain ascii");
    }
}
