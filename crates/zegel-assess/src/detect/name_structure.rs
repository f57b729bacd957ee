//! Names recognised by where they stand rather than by the name lists:
//! after a label (`Naam: Yonas Gebremedhin`, `Cliënt: Prins`), as a first
//! name in brackets between initials and a surname (`S. (Sabine) Prins`,
//! `J.H. (Jan) Evers`), as a family (`de familie Terlouw`, `the
//! Andersson family`), and in the name column of a table of people
//! (`voorletters;achternaam;straat;postcode`). Names of people from
//! anywhere are written this way; the lists cannot know them all.
//!
//! # Scoring
//!
//! - a label with two or more name words, or initials, brackets and a
//!   surname: 0.85
//! - a label with one capitalised word, a family: 0.7
//! - a capitalised cell in a table's name column, where the same table
//!   also has a column of private identifiers (address, postcode, date of
//!   birth, BSN, bank account) or, without job titles, of e-mail addresses
//!   or phone numbers: 0.7
//!
//! Not reported: a label whose value holds a digit, a lowercase word that
//! is not a tussenvoegsel, more than five words, or an organisation word
//! (`Naam: Gemeente Waterland-Oost`), and blank or bracketed template
//! fields (`Naam: ________`, `Naam: [naam cliënt]`).

use crate::detect::context::{at_sentence_start, Dictionary};
use crate::detect::mask::mask_words;
use crate::detect::names::{is_capitalised, is_title, is_tussenvoegsel};
use crate::detect::Text;
use crate::finding::{FindingKind, Match};

/// Labels (lowercase, without the colon) after which a name stands.
const LABELS: &[&str] = &[
    "naam",
    "name",
    "full name",
    "volledige naam",
    "achternaam",
    "surname",
    "cliënt",
    "client",
    "naam cliënt",
    "naam client",
    "client name",
    "patiënt",
    "patient",
    "naam patiënt",
    "patient name",
    "bewoner",
    "resident",
    "deelnemer",
    "participant",
    "kind",
    "child",
    "jongere",
    "aanvrager",
    "applicant",
    "werknemer",
    "medewerker",
    "employee",
    "kandidaat",
    "candidate",
    "huurder",
    "tenant",
    "betrokkene",
    "ouder",
    "parent",
    "moeder",
    "mother",
    "vader",
    "father",
    "partner",
    "contactpersoon",
    "wettelijk vertegenwoordiger",
];

/// Nouns for a person in a role, after which a name stands in apposition
/// between commas ("De huurder van 19-2, Wei Zhang, belde weer", "our
/// client, Amara Okafor, asked"): the single words of [`LABELS`] that
/// name a person, and relatives.
const ROLE_NOUNS: &[&str] = &[
    "cliënt",
    "client",
    "patiënt",
    "patient",
    "bewoner",
    "resident",
    "deelnemer",
    "participant",
    "jongere",
    "aanvrager",
    "applicant",
    "werknemer",
    "employee",
    "kandidaat",
    "candidate",
    "huurder",
    "tenant",
    "betrokkene",
    "leerling",
    "pupil",
    "overledene",
    "dochter",
    "daughter",
    "zoon",
    "son",
    "moeder",
    "mother",
    "vader",
    "father",
];

/// How far after a role noun [`appositions`] looks for the comma before
/// the name, in bytes: a short phrase ("van 19-2").
const APPOSITION_LOOKBACK: usize = 80;

/// Words that may open the phrase between a [`ROLE_NOUNS`] word and the
/// comma before the name ("de huurder van 19-2, …").
const APPOSITION_PREPOSITIONS: &[&str] = &[
    "van", "uit", "op", "aan", "in", "bij", "of", "from", "at", "on",
];

/// Words that make a labelled value an organisation or a team.
const ORGANISATION_WORDS: &[&str] = &[
    "gemeente",
    "municipality",
    "stichting",
    "foundation",
    "zorggroep",
    "groep",
    "group",
    "b.v.",
    "bv",
    "n.v.",
    "ltd",
    "inc",
    "team",
    "afdeling",
    "department",
    "ziekenhuis",
    "hospital",
    "praktijk",
    "kliniek",
    "clinic",
    "school",
    "vereniging",
    "centrum",
    "centre",
    "center",
];

/// The words the structural rules start from, compiled once and found in
/// the scan all dictionaries share.
pub(crate) struct StructureWords {
    /// [`FAMILY_WORDS`].
    family: Dictionary,
    /// [`ROLE_NOUNS`].
    roles: Dictionary,
}

impl StructureWords {
    /// Compiles the word lists.
    pub(crate) fn new() -> StructureWords {
        StructureWords {
            family: Dictionary::shared(FAMILY_WORDS),
            roles: Dictionary::shared(ROLE_NOUNS),
        }
    }
}

/// Finds names by their place in the text and pushes those no earlier
/// match already covers with at least the same confidence.
pub(crate) fn structural_names(text: &Text<'_>, words: &StructureWords, out: &mut Vec<Match>) {
    let mut found = Vec::new();
    labelled(text, &mut found);
    appositions(text, &words.roles, &mut found);
    bracketed_first_names(text, &mut found);
    families(text, &words.family, &mut found);
    table_columns(text, &mut found);
    for m in found {
        let covered = out.iter().any(|o| {
            o.kind == FindingKind::PersonName
                && o.span.start < m.span.end
                && m.span.start < o.span.end
                && o.confidence >= m.confidence
        });
        if !covered {
            out.push(m);
        }
    }
}

/// Table headers of a column of people's names (lowercase).
const NAME_COLUMNS: &[&str] = &[
    "naam",
    "achternaam",
    "familienaam",
    "voornaam",
    "roepnaam",
    "name",
    "surname",
    "last name",
    "lastname",
    "first name",
    "firstname",
    "full name",
];

/// Table headers of a column of contact details (lowercase): beside a name
/// they identify a person, unless the table is one of people at work
/// ([`WORK_COLUMNS`]): a staff list with job titles and work phones.
const CONTACT_COLUMNS: &[&str] = &[
    "email",
    "e-mail",
    "e-mailadres",
    "emailadres",
    "email address",
    "telefoon",
    "telefoonnummer",
    "mobiel",
    "mobile",
    "phone",
];

/// Table headers that make a table one of people at work (lowercase).
const WORK_COLUMNS: &[&str] = &[
    "functie",
    "function",
    "job title",
    "title",
    "afdeling",
    "department",
    "organisatie",
    "organisation",
    "organization",
    "bedrijf",
    "company",
];

/// Table headers of a column that identifies a private person beside the
/// name (lowercase): a home address, a birth date, a citizen or bank
/// number.
const PRIVATE_COLUMNS: &[&str] = &[
    "adres",
    "woonadres",
    "straat",
    "straatnaam",
    "huisnummer",
    "huisnr",
    "postcode",
    "woonplaats",
    "address",
    "home address",
    "street",
    "postal code",
    "postcode/plaats",
    "geboortedatum",
    "date of birth",
    "bsn",
    "iban",
    "rekeningnummer",
];

/// Names in the name column of a table of people: a table whose header
/// row names a name column and a column of private identifiers (or of
/// contact details, without job titles) lists persons, so a capitalised cell under the name column is a name
/// (`Mevr.;A.M.;;Scholten;Kastanjelaan;2;3851 CD`), whether or not the
/// name lists know it.
fn table_columns(text: &Text<'_>, out: &mut Vec<Match>) {
    let lower = text.lower.as_str();
    let original = text.original;
    // Only the lines that hold a name header are looked at as headers.
    let mut read_to = 0;
    for line in crate::detect::context::lines_holding(lower, &["naam", "name"]) {
        let start = line.start;
        if start < read_to {
            continue;
        }
        let row = original[line].trim_end_matches('\r');
        let Some(sep) = super::table::separator(row) else {
            continue;
        };
        let headers: Vec<&str> = super::table::cells(row, sep)
            .into_iter()
            .filter_map(|c| lower.get(start + c.start..start + c.end))
            .collect();
        let names = headers.iter().any(|h| NAME_COLUMNS.contains(h));
        let at_work = headers.iter().any(|h| WORK_COLUMNS.contains(h));
        let private = headers
            .iter()
            .any(|h| PRIVATE_COLUMNS.contains(h) || (!at_work && CONTACT_COLUMNS.contains(h)));
        if !names || !private {
            continue;
        }
        let (cells, table_end) =
            super::table::cells_below(original, lower, start, |h| NAME_COLUMNS.contains(&h));
        read_to = table_end;
        for cell in cells {
            let value = &original[cell.span.clone()];
            let words: Vec<&str> = value.split_whitespace().collect();
            let name_like = !words.is_empty()
                && words.len() <= 5
                && words.iter().any(|w| is_capitalised(w))
                && words.iter().all(|w| {
                    is_capitalised(w) || is_tussenvoegsel(&w.to_lowercase()) || initials(w)
                });
            if name_like {
                push(text, cell.span.start, cell.span.end, 0.7, out);
            }
        }
    }
}

fn push(text: &Text<'_>, start: usize, end: usize, confidence: f32, out: &mut Vec<Match>) {
    out.push(Match {
        kind: FindingKind::PersonName,
        span: start..end,
        excerpt: mask_words(&text.original[start..end]),
        confidence,
    });
}

/// Whether `word` is an initial or a run of them (`J.`, `J.H.`, `J.P.M.`).
fn initials(word: &str) -> bool {
    let b = word.as_bytes();
    b.len() >= 2
        && b.len().is_multiple_of(2)
        && b.chunks(2)
            .all(|c| c[0].is_ascii_uppercase() && c[1] == b'.')
}

/// Whether `word` is written as a name: a capital, then letters, perhaps
/// joined by `-` or `'` (`Jansen-de`, `O'Neill`).
fn name_word(word: &str) -> bool {
    is_capitalised(word)
        && word.chars().count() >= 2
        && word
            .chars()
            .all(|c| c.is_alphabetic() || c == '-' || c == '\'')
}

/// Whether `value` names an organisation or a team: one of its words is
/// an [`ORGANISATION_WORDS`] word, or, with `as_compound_head`, ends in
/// one of five letters or more (`Woonstichting Eemland`).
fn names_an_organisation(value: &str, as_compound_head: bool) -> bool {
    let lower = value.to_lowercase();
    ORGANISATION_WORDS.iter().any(|w| {
        lower
            .split_whitespace()
            .any(|v| v == *w || as_compound_head && w.len() >= 5 && v.ends_with(w))
    })
}

/// How many of `words` are written as a name, when every other one is an
/// initial, a tussenvoegsel or, with `titles`, a title (`mevrouw J.H. van
/// Dijk`); `None` when a word is none of these.
fn name_words(words: &[&str], titles: bool) -> Option<usize> {
    let mut names = 0;
    for w in words {
        if name_word(w) {
            names += 1;
        } else if !(initials(w) || is_tussenvoegsel(w) || titles && is_title(&w.to_lowercase())) {
            return None;
        }
    }
    Some(names)
}

/// `Label: Name Name` at the start of a line.
fn labelled(text: &Text<'_>, out: &mut Vec<Match>) {
    let s = text.original;
    let mut line_start = 0;
    for line in s.split_inclusive('\n') {
        let start = line_start;
        line_start += line.len();
        let Some(colon) = line.find(':').filter(|&c| c <= 40) else {
            continue;
        };
        let label = text.lower[start..start + colon]
            .trim()
            .trim_start_matches(['-', '*', '•', '>', ' '])
            .trim();
        if !LABELS.contains(&label) {
            continue;
        }
        let value = line[colon + 1..].trim_end();
        let lead = value.len() - value.trim_start().len();
        let value = value.trim_start();
        let words: Vec<&str> = value
            .split_whitespace()
            .map(|w| w.trim_end_matches(','))
            .collect();
        if words.is_empty() || words.len() > 5 || names_an_organisation(value, false) {
            continue;
        }
        if name_words(&words, false).is_none_or(|names| names == 0) {
            continue;
        }
        let from = start + colon + 1 + lead;
        let to = from + value.trim_end_matches(',').len();
        let confidence = if words.len() >= 2 { 0.85 } else { 0.7 };
        push(text, from, to, confidence, out);
    }
}

/// `de huurder van 19-2, Wei Zhang, belde`: a [`ROLE_NOUNS`] word, then
/// nothing or a phrase of at most four words opened by a preposition
/// ("van 19-2"), a comma, then two or three words written as a name (or
/// one with initials; tussenvoegsels and a title allowed), closed by a
/// comma, a full stop or the end of the line.
fn appositions(text: &Text<'_>, role_words: &Dictionary, out: &mut Vec<Match>) {
    let lower = text.lower.as_str();
    // From each role noun (found in the scan all dictionaries share) to
    // the comma that ends its phrase, if any.
    role_words.find_in(text, |hit| {
        let mut limit = (hit.end + APPOSITION_LOOKBACK).min(lower.len());
        while !lower.is_char_boundary(limit) {
            limit -= 1;
        }
        let after = &lower[hit.end..limit];
        let Some(comma) = after.find([',', '.', '!', '?', ';', ':', '\n', '(']) else {
            return;
        };
        if !after[comma..].starts_with(", ") {
            return;
        }
        // The role noun, then nothing or a phrase with a preposition
        // ("de huurder van 19-2"): in "employee number 41019" the noun
        // only qualifies the next word.
        let mut words = after[..comma].split_whitespace();
        let phrase_ok = match words.next() {
            None => true,
            Some(first) => APPOSITION_PREPOSITIONS.contains(&first) && words.count() <= 3,
        };
        if phrase_ok {
            if let Some(name) = apposed_name(text.original, hit.end + comma + 2) {
                push(text, name.start, name.end, 0.85, out);
            }
        }
    });
}

/// The name that starts at `from` in `s` and ends at the next comma, full
/// stop (not one of initials), line end or closing bracket, when it is
/// written as one and names no organisation.
fn apposed_name(s: &str, from: usize) -> Option<std::ops::Range<usize>> {
    let rest = &s[from..];
    let close = rest.find([',', '.', '\n', ')'])?;
    // "J.H. Evers": a full stop in initials does not close the name.
    let value = if rest[close..].starts_with('.') && initials_before(rest, close) {
        &rest[..close + 1 + rest[close + 1..].find([',', '\n', ')'])?]
    } else {
        &rest[..close]
    };
    let words: Vec<&str> = value.split(' ').collect();
    if !(2..=4).contains(&words.len()) || names_an_organisation(value, true) {
        return None;
    }
    let names = name_words(&words, true)?;
    let named = (2..=3).contains(&names) || names == 1 && words.iter().any(|w| initials(w));
    named.then(|| from..from + value.len())
}

/// Whether the full stop at `dot` in `s` ends an initial (`J.H.`).
fn initials_before(s: &str, dot: usize) -> bool {
    let word_start = s[..dot].rfind(' ').map_or(0, |p| p + 1);
    initials(&s[word_start..=dot])
}

/// `S. (Sabine) Prins`, `J.H. (Jan) van Evers`.
fn bracketed_first_names(text: &Text<'_>, out: &mut Vec<Match>) {
    let s = text.original;
    let opens = memchr::memchr_iter(b'(', s.as_bytes())
        .filter(|&p| p > 0 && s.as_bytes()[p - 1] == b' ')
        .map(|p| p - 1);
    for open in opens {
        let Some(close) = s[open + 2..].find(')').map(|p| open + 2 + p) else {
            continue;
        };
        let first = &s[open + 2..close];
        if !name_word(first) {
            continue;
        }
        let before = &s[..open];
        let init_start = before
            .rfind(|c: char| c.is_whitespace() || c == '(')
            .map_or(0, |p| p + 1);
        if !initials(&before[init_start..]) {
            continue;
        }
        // The surname, perhaps after tussenvoegsels, on the same line (an
        // address may follow on the next: "Dhr. C. (Cor) Wijnbergen\n
        // Eemnesserweg 118").
        let mut end = close + 1;
        let mut words = 0;
        let line_end = s[close + 1..]
            .find(['\n', '\r'])
            .map_or(s.len(), |p| close + 1 + p);
        for word in s[close + 1..line_end].split(' ').skip(1).take(4) {
            let w = word.trim_end_matches([',', '.', ';', ':']);
            let at = end + 1;
            if is_tussenvoegsel(w) {
                end = at + word.len();
                continue;
            }
            if name_word(w) {
                end = at + w.len();
                words += 1;
            }
            break;
        }
        if words == 1 {
            push(text, init_start, end, 0.85, out);
        }
    }
}

/// The words [`families`] looks for, in this order: the Dutch ones stand
/// before the name, `family` after it.
pub(crate) const FAMILY_WORDS: &[&str] = &["familie", "gezin", "fam.", "family"];

/// `familie Terlouw`, `gezin El Amrani`, `the Andersson family`; the
/// words are found by `family_words` (a [`Dictionary`] of [`FAMILY_WORDS`])
/// in the scan all dictionaries share.
fn families(text: &Text<'_>, family_words: &Dictionary, out: &mut Vec<Match>) {
    let s = text.original;
    let lower = text.lower.as_str();
    family_words.find_in(text, |hit| {
        let at = hit.start;
        if FAMILY_WORDS[hit.term] == "family" {
            if at == 0 || s.as_bytes()[at - 1] != b' ' {
                return;
            }
            let before = s[..at - 1].trim_end();
            let Some(w_start) = before.rfind(' ').map(|p| p + 1) else {
                return;
            };
            let name = &before[w_start..];
            if name_word(name) && lower[..w_start].ends_with("the ") {
                push(text, w_start - 4, hit.end, 0.7, out);
            }
            return;
        }
        if s.as_bytes().get(hit.end) != Some(&b' ') {
            return;
        }
        // `Jeugd & Gezin in het Gezondheidscentrum` names a team: the
        // word must be written lowercase, or open a sentence.
        let written_lower = s.as_bytes()[at].is_ascii_lowercase();
        if !written_lower && !at_sentence_start(s, at) {
            return;
        }
        let mut end = hit.end + 1;
        let mut named = false;
        for w in s[end..].split(' ').take(4) {
            let w = w.trim_end_matches([',', '.', ';', ':', '\n', '\r']);
            if is_tussenvoegsel(w) {
                end += w.len() + 1;
                continue;
            }
            if name_word(w) {
                end += w.len();
                named = true;
            }
            break;
        }
        if named {
            push(text, at, end, 0.7, out);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(s: &str) -> Vec<(String, f32)> {
        let mut out = Vec::new();
        structural_names(&Text::new(s), &StructureWords::new(), &mut out);
        out.into_iter()
            .map(|m| (s[m.span].to_string(), m.confidence))
            .collect()
    }

    #[test]
    fn finds_names_by_their_place() {
        for (s, name) in [
            ("Name: Yonas Gebremedhin\nPhone: +31 6", "Yonas Gebremedhin"),
            ("Naam cliënt: Oksana Kovalenko", "Oksana Kovalenko"),
            ("- Cliënt: Prins", "Prins"),
            (
                "onze cliënt, mevrouw S. (Sabine) Prins, Westerweg",
                "S. (Sabine) Prins",
            ),
            ("- J.H. (Jan) Evers - lidnummer", "J.H. (Jan) Evers"),
            (
                "bij uw opdrachtgevers, de familie Terlouw, Achterweg 18",
                "familie Terlouw",
            ),
            (
                "visited the Andersson family yesterday",
                "the Andersson family",
            ),
            (
                "De huurder van 19-2, Wei Zhang, belde weer over het gebonk.",
                "Wei Zhang",
            ),
            (
                "Our client, Amara Okafor, asked for a copy.",
                "Amara Okafor",
            ),
            (
                "de overledene, mevrouw J.H. van Dijk, werd",
                "mevrouw J.H. van Dijk",
            ),
        ] {
            let f = found(s);
            assert!(
                f.iter().any(|(n, c)| n == name && *c >= 0.5),
                "{s:?}: {f:?}"
            );
        }
    }

    #[test]
    fn leaves_fields_templates_and_organisations() {
        for s in [
            "Naam: ________",
            "Naam: [naam cliënt]",
            "Naam: Gemeente Waterland-Oost",
            "Name: the new planning tool",
            "Client: 4411",
            "Medewerker: zie rooster",
            "De familie van de cliënt is ingelicht.",
            "Wij zien (Bijlage) Overzicht.",
            "the family of the client",
            "het team Jeugd & Gezin in het Gezondheidscentrum Zuid",
            "De huurder, Woonstichting Eemland, is akkoord.",
            "Voor de cliënt, zie Bijlage Twee.",
            "De huurders hebben, Zoals Gezegd, bezwaar.",
            "Employee number 41019, Data Analyst Supply Chain, start date",
            "the employee portal, Human Resources, is open.",
        ] {
            assert!(found(s).is_empty(), "{s:?}: {:?}", found(s));
        }
    }
}
