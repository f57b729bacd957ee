//! Clinical measurements as patterns of their own (issue 21, item 1): a lab
//! value or vital sign with its number ("Hb 6,8 mmol/l", "CRP 45",
//! "eGFR 38 ml/min", "RR 150/90") and a dosing regimen ("Eliquis 5 mg 2dd",
//! "1dd 50mg", "10 mg 's avonds"). A measured value or a regimen belongs to
//! someone; a threshold or a range does not ("bij een eGFR < 30",
//! "Hb 7,5-10"), so those are left out. Whether the measurement is about a
//! particular person is decided by the health detector, as for its terms.
//!
//! Written by hand: no crate recognises Dutch clinical notation. Two
//! shared dictionaries (analytes, dose units) find the anchors in the one
//! pass over the text; only around an anchor are a few bytes parsed.

use crate::detect::context::{is_word_byte, Dictionary};
use crate::detect::Text;
use std::ops::Range;

/// Lab tests and vital signs, lowercase. The second field: whether the name
/// is also an everyday word or abbreviation (`temp`, `pols`, `rr`), so that
/// only a value with a unit or a decimal counts.
const ANALYTES: &[(&str, bool)] = &[
    ("hb", false),
    ("hemoglobine", false),
    ("haemoglobin", false),
    ("hemoglobin", false),
    ("crp", false),
    ("egfr", false),
    ("hba1c", false),
    ("kalium", false),
    ("natrium", false),
    ("potassium", false),
    ("sodium", false),
    ("glucose", false),
    ("nuchter glucose", false),
    ("bloedsuiker", false),
    ("blood sugar", false),
    ("inr", false),
    ("tsh", false),
    ("ft4", false),
    ("alat", false),
    ("asat", false),
    ("ggt", false),
    ("ldh", false),
    ("leuko's", false),
    ("leukocyten", false),
    ("leucocyten", false),
    ("trombocyten", false),
    ("trombo's", false),
    ("platelets", false),
    ("wbc", false),
    ("kreatinine", false),
    ("creatinine", false),
    ("kreat", false),
    ("ferritine", false),
    ("ferritin", false),
    ("albumine", false),
    ("bse", false),
    ("psa", false),
    ("ldl", false),
    ("hdl", false),
    ("cholesterol", false),
    ("totaal cholesterol", false),
    ("vitamine d", false),
    ("vit d", false),
    ("vitamine b12", false),
    ("vit b12", false),
    ("mcv", false),
    ("bilirubine", false),
    ("bilirubin", false),
    // English liver enzymes (ALAT, ASAT and AF in Dutch): also a key and
    // everyday words, so only with a unit or a decimal.
    ("alt", true),
    ("ast", true),
    ("alp", true),
    ("troponine", false),
    ("troponin", false),
    ("d-dimeer", false),
    ("nt-probnp", false),
    ("lactaat", false),
    ("saturatie", false),
    ("sat", true),
    ("spo2", false),
    ("bloeddruk", false),
    ("blood pressure", false),
    ("rr", true),
    ("bp", true),
    ("pols", true),
    ("hartslag", true),
    ("heart rate", true),
    ("temp", true),
    ("temperatuur", true),
    ("temperature", true),
    ("bmi", true),
    ("viral load", false),
    ("virale lading", false),
    ("cd4", false),
];

/// Units after a measured value, lowercase (the text is ASCII-lowercased).
const LAB_UNITS: &[&str] = &[
    "mmol/mol",
    "mmol/l",
    "µmol/l",
    "umol/l",
    "pmol/l",
    "nmol/l",
    "mg/l",
    "mg/dl",
    "g/dl",
    "g/l",
    "ml/min",
    "x10^9/l",
    "x 10^9/l",
    "x10e9/l",
    "10^9/l",
    "10*9/l",
    "u/l",
    "e/l",
    "iu/l",
    "ie/l",
    "ng/ml",
    "µg/l",
    "ug/l",
    "mu/l",
    "me/l",
    "mmhg",
    "%",
    "°c",
    "graden",
    "/min",
    "slagen",
    "bpm",
    "kopieën/ml",
    "copies/ml",
    "kg/m2",
];

/// Words between an analyte and its value that make it a threshold or a
/// target, not a measurement.
const COMPARATORS: &[&str] = &[
    "boven",
    "onder",
    "tussen",
    "vanaf",
    "tot",
    "minder",
    "meer",
    "hoger",
    "lager",
    "kleiner",
    "groter",
    "max",
    "min",
    "maximaal",
    "minimaal",
    "streef",
    "streefwaarde",
    "doel",
    "above",
    "below",
    "under",
    "over",
    "between",
    "less",
    "more",
    "higher",
    "lower",
    "target",
    "normaal",
    "normal",
    "referentie",
    "reference",
];

/// Words that may stand between an analyte and its value.
const CONNECTORS: &[&str] = &[
    "van", "is", "was", "bedraagt", "bedroeg", "gemeten", "nu", "vandaag", "gisteren", "of", "now",
    "today", "at", "op", ":", "=",
];

/// Units after a dose, lowercase; found as the end of a word so that
/// `50mg` counts.
const DOSE_UNITS: &[&str] = &[
    "*mg",
    "*mcg",
    "*µg",
    "*microgram",
    "*milligram",
    "*ml",
    "eenheden",
    "units",
];

/// How often a dose is taken: the mark of a regimen. Alphabetic marks must
/// stand as words; `dd` only next to a digit (`1dd`, `2 dd`, `dd 1`).
const FREQUENCIES: &[&str] = &[
    "x per dag",
    "x daags",
    "xdaags",
    "maal daags",
    "keer per dag",
    "keer daags",
    "per dag",
    "daags",
    "dagelijks",
    "'s ochtends",
    "'s morgens",
    "'s middags",
    "'s avonds",
    "voor de nacht",
    "a.n.",
    "z.n.",
    "zo nodig",
    "zonodig",
    "per week",
    "wekelijks",
    "x/dag",
    "per 24 uur",
    "once daily",
    "twice daily",
    "daily",
    "per day",
    "a day",
    "at night",
    "b.i.d.",
    "t.i.d.",
    "bid",
    "tid",
    "qid",
    "prn",
    "nocte",
    "weekly",
];

/// What a measurement is: one analyte's value or a dosing regimen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Measured {
    /// A lab value or vital sign; the index into the analyte list.
    Lab(usize),
    /// A dose with how often it is taken.
    Dose,
}

/// Finds lab values and dosing regimens (see the module doc).
pub(crate) struct Measurements {
    analytes: Dictionary,
    doses: Dictionary,
}

impl std::fmt::Debug for Measurements {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Measurements")
    }
}

impl Measurements {
    /// Compiles the anchor dictionaries.
    pub(crate) fn new() -> Measurements {
        let names: Vec<&str> = ANALYTES.iter().map(|&(n, _)| n).collect();
        Measurements {
            analytes: Dictionary::shared(&names),
            doses: Dictionary::shared(DOSE_UNITS),
        }
    }

    /// Calls `f` with the byte range and kind of every measurement in `text`.
    pub(crate) fn find_in(&self, text: &Text<'_>, mut f: impl FnMut(Range<usize>, Measured)) {
        let lower = text.lower.as_str();
        self.analytes.find_in(text, |hit| {
            if let Some(end) = lab_value(lower, hit.end, ANALYTES[hit.term].1) {
                f(hit.start..end, Measured::Lab(hit.term));
            }
        });
        self.doses.find_in(text, |hit| {
            if let Some(start) = dose_number(lower, hit.start) {
                if regimen_near(lower, start, hit.end) {
                    f(start..hit.end, Measured::Dose);
                }
            }
        });
    }
}

/// The end of a measured value after an analyte ending at `at`, if one
/// follows: connectors, then a number (a decimal, or `150/90`), then an
/// optional unit. A comparator or a range makes it a threshold (`None`).
/// With `needs_unit`, a bare whole number is not enough.
fn lab_value(lower: &str, at: usize, needs_unit: bool) -> Option<usize> {
    let bytes = lower.as_bytes();
    let mut limit = (at + 32).min(bytes.len());
    while !lower.is_char_boundary(limit) {
        limit -= 1;
    }
    let mut i = at;
    // Connectors and punctuation up to the number.
    loop {
        while i < limit && matches!(bytes[i], b' ' | b'\t' | b':' | b'=' | b'(') {
            i += 1;
        }
        if i >= limit {
            return None;
        }
        if bytes[i].is_ascii_digit() {
            break;
        }
        if matches!(bytes[i], b'<' | b'>') || lower[i..].starts_with(['≤', '≥']) {
            return None;
        }
        let word_end = i + bytes[i..limit]
            .iter()
            .take_while(|&&b| is_word_byte(b))
            .count();
        let word = &lower[i..word_end];
        if word.is_empty() || COMPARATORS.contains(&word) || !CONNECTORS.contains(&word) {
            return None;
        }
        i = word_end;
    }
    let (mut end, decimal) = number(bytes, i);
    let mut unit = false;
    // A range ("7,5-10", "4 tot 10") is a reference, not a value.
    let after = &lower[end..];
    if after.starts_with('-') && after[1..].starts_with(|c: char| c.is_ascii_digit())
        || after.starts_with(" - ")
        || after.starts_with(" tot ")
        || after.starts_with(" to ")
    {
        return None;
    }
    // Blood pressure: systolic/diastolic.
    if bytes.get(end) == Some(&b'/') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end = number(bytes, end + 1).0;
        unit = true;
    }
    let gap = bytes[end..]
        .iter()
        .take(2)
        .take_while(|&&b| b == b' ')
        .count();
    if let Some(u) = LAB_UNITS
        .iter()
        .find(|u| lower[end + gap..].starts_with(**u))
    {
        end += gap + u.len();
        unit = true;
    }
    if needs_unit && !unit && !decimal {
        return None;
    }
    Some(end)
}

/// The end of the number starting at `i` and whether it has decimals.
fn number(bytes: &[u8], mut i: usize) -> (usize, bool) {
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    if i + 1 < bytes.len() && matches!(bytes[i], b'.' | b',') && bytes[i + 1].is_ascii_digit() {
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        return (i, true);
    }
    (i, false)
}

/// Where the number before a dose unit starting at `unit` begins (`50 mg`,
/// `50mg`, `2,5 mg`), if there is one.
fn dose_number(lower: &str, unit: usize) -> Option<usize> {
    let bytes = lower.as_bytes();
    let mut i = unit;
    if i > 0 && bytes[i - 1] == b' ' {
        i -= 1;
    }
    let end = i;
    while i > 0 && (bytes[i - 1].is_ascii_digit() || matches!(bytes[i - 1], b'.' | b',')) {
        i -= 1;
    }
    while i < end && !bytes[i].is_ascii_digit() {
        i += 1;
    }
    (i < end && (i == 0 || !bytes[i - 1].is_ascii_alphabetic())).then_some(i)
}

/// Whether a frequency stands within 40 bytes of the dose `start..end` on
/// the same line.
fn regimen_near(lower: &str, start: usize, end: usize) -> bool {
    let line_start = lower[..start].rfind('\n').map_or(0, |p| p + 1);
    let line_end = lower[end..].find('\n').map_or(lower.len(), |p| end + p);
    let mut from = start.saturating_sub(40).max(line_start);
    while !lower.is_char_boundary(from) {
        from += 1;
    }
    let mut to = (end + 40).min(line_end);
    while !lower.is_char_boundary(to) {
        to -= 1;
    }
    let window = &lower[from..to];
    daily_dose_mark(window) || FREQUENCIES.iter().any(|m| find_word(window, m))
}

/// `1dd`, `2 dd`, `dd 1`, `1 dd 1`: the Dutch prescription shorthand.
fn daily_dose_mark(window: &str) -> bool {
    let bytes = window.as_bytes();
    window.match_indices("dd").any(|(p, _)| {
        let before = bytes[..p].iter().rev().find(|&&b| b != b' ');
        let after = bytes[p + 2..].iter().find(|&&b| b != b' ');
        let word = (p == 0 || !bytes[p - 1].is_ascii_alphabetic())
            && bytes.get(p + 2).is_none_or(|b| !b.is_ascii_alphabetic());
        word && (before.is_some_and(u8::is_ascii_digit) || after.is_some_and(u8::is_ascii_digit))
    })
}

/// Whether `mark` stands in `window` as a word (not inside a longer one).
fn find_word(window: &str, mark: &str) -> bool {
    let bytes = window.as_bytes();
    window.match_indices(mark).any(|(p, _)| {
        let first = mark.as_bytes()[0];
        let last = mark.as_bytes()[mark.len() - 1];
        let starts = !first.is_ascii_alphabetic() || p == 0 || !bytes[p - 1].is_ascii_alphabetic();
        let e = p + mark.len();
        let ends =
            !last.is_ascii_alphabetic() || bytes.get(e).is_none_or(|b| !b.is_ascii_alphabetic());
        starts && ends
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The measurements in `s` that `keep` selects, as text.
    fn found(s: &str, keep: impl Fn(Measured) -> bool) -> Vec<String> {
        let text = Text::new(s);
        let mut v = Vec::new();
        Measurements::new().find_in(&text, |r, m| {
            if keep(m) {
                v.push(s[r].to_string());
            }
        });
        v
    }

    fn labs(s: &str) -> Vec<String> {
        found(s, |m| matches!(m, Measured::Lab(_)))
    }

    fn doses(s: &str) -> Vec<String> {
        found(s, |m| m == Measured::Dose)
    }

    #[test]
    fn finds_lab_values_with_their_numbers() {
        assert_eq!(
            labs("Hb 6,8 mmol/l en CRP 45."),
            ["Hb 6,8 mmol/l", "CRP 45"]
        );
        assert_eq!(labs("eGFR van 38 ml/min"), ["eGFR van 38 ml/min"]);
        assert_eq!(labs("HbA1c: 61 mmol/mol"), ["HbA1c: 61 mmol/mol"]);
        assert_eq!(labs("RR 150/90, pols 88/min"), ["RR 150/90", "pols 88/min"]);
        assert_eq!(labs("saturatie 91%"), ["saturatie 91%"]);
        assert_eq!(labs("temp 38,9"), ["temp 38,9"]);
        assert_eq!(
            labs("Potassium was 3.1 mmol/L"),
            ["Potassium was 3.1 mmol/L"]
        );
        assert_eq!(labs("leuko's 14,2 x10^9/l"), ["leuko's 14,2 x10^9/l"]);
        // English liver enzymes: everyday words too, so only with a unit.
        assert_eq!(
            labs("ALT 212 U/L and AST 158 U/L, bilirubin 14 umol/L"),
            ["ALT 212 U/L", "AST 158 U/L", "bilirubin 14 umol/L"]
        );
        assert!(labs("press ALT 2 to switch").is_empty());
    }

    #[test]
    fn thresholds_ranges_and_everyday_words_are_no_values() {
        assert!(labs("bij een eGFR < 30 ml/min de dosis halveren").is_empty());
        assert!(labs("streef een HbA1c onder 53 mmol/mol na").is_empty());
        assert!(labs("referentie Hb 7,5-10 mmol/l").is_empty());
        assert!(labs("Hb tussen 7,5 en 10").is_empty());
        assert!(labs("Een temp 3 dagen per week gezocht").is_empty());
        assert!(labs("de pols 2 keer").is_empty());
        assert!(labs("zie RR 2024").is_empty());
        assert!(labs("De CRP-bepaling is vervallen").is_empty());
        assert!(labs("crypto 45").is_empty());
    }

    #[test]
    fn finds_dosing_regimens() {
        assert_eq!(doses("Eliquis 5 mg 2dd"), ["5 mg"]);
        assert_eq!(doses("metoprolol 1dd 50mg"), ["50mg"]);
        assert_eq!(doses("quetiapine 25 mg 's avonds"), ["25 mg"]);
        assert_eq!(doses("paracetamol 1000 mg max 3x daags"), ["1000 mg"]);
        assert_eq!(doses("Morphine 10 mg twice daily"), ["10 mg"]);
        assert_eq!(doses("insuline 12 eenheden voor de nacht"), ["12 eenheden"]);
        assert_eq!(doses("lactulose 15 ml 1 dd 1"), ["15 ml"]);
    }

    #[test]
    fn a_dose_without_frequency_or_a_word_ending_in_a_unit_is_no_regimen() {
        assert!(doses("de tablet van 50 mg is uit de handel").is_empty());
        assert!(doses("zie index.html voor 2dd").is_empty());
        assert!(doses("xml 3 per dag").is_empty());
        assert!(doses("50 mg\n2dd op een andere regel").is_empty());
        assert!(doses("addendum 5 mg").is_empty());
    }
}
