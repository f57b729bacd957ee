//! Names of people at work versus private persons (issue 21, item 2).
//!
//! Care mail names professionals all the time: the speaker of a training
//! ("dr. R. Vos"), the one quoted in a press release ("zegt revalidatiearts
//! Anke Pranger"), the authors of an abstract ("Authors: A. Pranger,
//! T. Brouwer"), the inventor of a method ("de methode Van der Molen"), a
//! colleague in apposition ("Hester Bos, teamleider"). None of those is the
//! person a health statement is about. A name counts as a private person's
//! unless its place says it is a professional's ([`professional`]).

use crate::detect::names::{is_capitalised, is_first_name, is_last_name, is_title};
use std::ops::Range;

/// Academic and medical titles: the name after one is a professional's.
const ACADEMIC: &[&str] = &[
    "dr",
    "drs",
    "prof",
    "ir",
    "ing",
    "dokter",
    "professor",
    "doctor",
];

/// Words right before a name that make it a speaker or an eponym: "zegt
/// X", "aldus X", "says X", "de methode X". Not "door X" ("by X"): "geslagen
/// door Piet Bakker" names a private person.
const SPEAKING: &[&str] = &[
    "zegt", "aldus", "vertelt", "says", "said", "explains", "methode", "method", "model", "schema",
];

/// Labels on a line that make the names after them authors or speakers.
const LIST_LABELS: &[&str] = &[
    "auteur",
    "author",
    "spreker",
    "speaker",
    "presentator",
    "presenter",
    "moderator",
    "trainer",
    "docent",
];

/// Endings (and whole words) of profession nouns, Dutch and English:
/// Dutch compounds end in their head (`revalidatiearts`,
/// `communicatieadviseur`, `wijkverpleegkundige`).
const PROFESSIONS: &[&str] = &[
    "arts",
    "loog",
    "loge",
    "kundige",
    "therapeut",
    "adviseur",
    "manager",
    "coördinator",
    "coordinator",
    "functionaris",
    "medewerker",
    "medewerkster",
    "leider",
    "leidster",
    "directeur",
    "directrice",
    "specialist",
    "wethouder",
    "burgemeester",
    "voorzitter",
    "secretaris",
    "apotheker",
    "trainer",
    "docent",
    "spreker",
    "hoogleraar",
    "onderzoeker",
    "consulent",
    "begeleider",
    "bestuurder",
    "officer",
    "director",
    "nurse",
    "doctor",
    "physician",
    "professor",
    "researcher",
    "consultant",
    "advisor",
    "adviser",
    "coach",
    "assistent",
    "assistant",
    "analist",
    "planner",
    "beheerder",
    "woordvoerder",
    "spokesperson",
    "journalist",
    "redacteur",
    "chirurg",
    "surgeon",
    "diëtist",
    "dietist",
    "logopedist",
    "geriater",
    "internist",
    "psychiater",
    "pedagoog",
    "wetenschapper",
    "jurist",
    "advocaat",
    "notaris",
    "accountant",
    "ondersteuner",
    "inspecteur",
];

/// Whether `word` (lowercase) is a profession noun.
pub(crate) fn is_profession(word: &str) -> bool {
    (word.len() >= 4 && PROFESSIONS.iter().any(|p| word.ends_with(p)))
        || matches!(word, "ceo" | "cfo" | "coo" | "cto")
}

/// Whether `rest`, the line after a name, goes on with more of the name
/// and then a profession in apposition: ", communicatieadviseur",
/// " (spreker)", " | teamleider", " - revalidatiearts".
fn apposition(rest: &str) -> bool {
    let mut punctuated = false;
    let mut words = rest.split_whitespace().peekable();
    while let Some(w) = words.next() {
        let lead = w.starts_with(['(', '|', '-', ',']);
        let bare = w.trim_matches(|c: char| !c.is_alphanumeric());
        if bare.is_empty() {
            // A lone "|" or "-" between the name and what follows.
            punctuated = true;
            continue;
        }
        if punctuated || lead {
            // One word or two: "communicatieadviseur", "care manager".
            let second = words
                .peek()
                .filter(|_| !w.ends_with([',', ')', ';']))
                .map(|n| {
                    n.trim_matches(|c: char| !c.is_alphanumeric())
                        .to_lowercase()
                });
            return is_profession(&bare.to_lowercase())
                || second.is_some_and(|n| is_profession(&n));
        }
        let of_name = is_capitalised(bare)
            || crate::detect::names::is_tussenvoegsel(&bare.to_lowercase())
            || bare.len() == 1;
        if !of_name {
            return false;
        }
        if w.ends_with([',', ':']) {
            punctuated = true;
        }
    }
    false
}

/// Whether only spaces stand between `at` and a `.`, `!` or `?` on the
/// same line.
fn after_sentence_end(original: &str, at: usize) -> bool {
    original[..at]
        .trim_end_matches([' ', '\t'])
        .ends_with(['.', '!', '?'])
}

/// Words of one line with their byte ranges in the whole text.
fn words(original: &str, range: Range<usize>) -> Vec<(&str, Range<usize>)> {
    let mut out = Vec::new();
    for piece in original[range]
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | '"' | ';' | '|'))
        .filter(|p| !p.is_empty())
    {
        // The piece's offset in the whole text.
        let start = piece.as_ptr() as usize - original.as_ptr() as usize;
        out.push((piece, start..start + piece.len()));
    }
    out
}

/// Whether `original[range]` names a private person: a title before a
/// capitalised word, a first name and a surname side by side, a known
/// name, or an initial before a capitalised word, whose place does not
/// make it a professional's ([`professional`]). Line by line.
pub fn private_name_in(original: &str, range: Range<usize>) -> bool {
    if !has_capital(original, range.clone()) {
        return false;
    }
    let mut line_start = range.start;
    for line in original[range.clone()].split('\n') {
        let line_range = line_start..line_start + line.len();
        line_start = line_range.end + 1;
        if !line_names(original, line_range).is_empty() {
            return true;
        }
    }
    false
}

/// Whether `original[range]` holds a capital: every name and every name
/// after a title does.
fn has_capital(original: &str, range: Range<usize>) -> bool {
    original.as_bytes()[range]
        .iter()
        .any(|&b| b.is_ascii_uppercase() || b >= 0xC0)
}

/// A known surname with its particles starting at word `i` of `ws` ("Van
/// den Berg", "van Dijk", "de Jong": after a particle the capital tells
/// the name from the word, so a surname that is also a word counts; "Week
/// van de Diabetes" is no name). The first particle is one that opens a
/// surname (van, de, ter, ...), not a preposition (in, op).
fn particle_name(ws: &[(&str, Range<usize>)], i: usize) -> Option<Range<usize>> {
    const OPENING: &[&str] = &[
        "van", "de", "der", "den", "ter", "ten", "te", "von", "vander",
    ];
    if !OPENING.iter().any(|o| o.eq_ignore_ascii_case(ws[i].0)) {
        return None;
    }
    let mut j = i + 1;
    while j < ws.len()
        && j < i + 3
        && crate::detect::names::with_lowercase(ws[j].0, crate::detect::names::is_tussenvoegsel)
    {
        // Particles after the first are lowercase ("Van den", not "Van Den").
        if ws[j].0.starts_with(|c: char| c.is_uppercase()) {
            return None;
        }
        j += 1;
    }
    let (surname, range) = ws.get(j)?;
    let bare = surname.trim_end_matches(['.', ':', ',', ';', '\'']);
    if !is_capitalised(bare) || bare.chars().count() < 3 {
        return None;
    }
    crate::detect::names::with_lowercase(bare, |lower| {
        // "café De Hoek", "wijkcentrum De Brug": one capitalised particle
        // before a surname that is also a word is how places are named.
        let place_like = j - i == 1
            && ws[i].0.starts_with(|c: char| c.is_uppercase())
            && crate::detect::names::is_ambiguous(lower);
        (is_last_name(lower) && !place_like).then(|| ws[i].1.start..range.start + bare.len())
    })
}

/// The private persons' names on one line (`original[line]`), as byte
/// ranges: what [`private_name_in`] looks for.
fn line_names(original: &str, line: Range<usize>) -> Vec<Range<usize>> {
    if original[line.clone()].trim().is_empty() {
        return Vec::new();
    }
    let ws = words(original, line);
    let name_at = |i: usize| -> Option<Range<usize>> {
        let (w, r) = &ws[i];
        let bare = w.trim_end_matches(['.', ':', ',', ';', '\'']);
        let next = ws
            .get(i + 1)
            .map(|(n, nr)| (n.trim_end_matches(['.', ':', ',', ';']), nr));
        let capitalised = is_capitalised(bare);
        let next_named = next.is_some_and(|(n, _)| {
            is_capitalised(n) || n.len() == 1 && n.as_bytes()[0].is_ascii_uppercase()
        });
        // Most words are neither capitalised nor before a capitalised
        // one: no lowercase copy for them (a particle may open a surname:
        // "van der Linden").
        if !capitalised && !next_named && !w.starts_with(['v', 'd', 't']) {
            return None;
        }
        if let Some(name) = particle_name(&ws, i) {
            return Some(name);
        }
        if !capitalised && !next_named {
            return None;
        }
        let initial =
            bare.len() == 1 && bare.as_bytes()[0].is_ascii_uppercase() && w.ends_with('.');
        if initial {
            return next
                .filter(|(n, _)| is_capitalised(n))
                .map(|(_, nr)| r.start..nr.end);
        }
        crate::detect::names::with_lowercase(bare, |lower| match next {
            Some((_, nr)) if next_named && is_title(lower) => Some(r.start..nr.end),
            // A first name and a surname side by side, not across a
            // sentence end ("locatie De Linde. Van de 40 dozen").
            Some((n, nr))
                if capitalised
                    && is_capitalised(n)
                    && n.chars().count() >= 3
                    && !w.ends_with(['.', ',', ':', ';'])
                    && is_first_name(lower) =>
            {
                Some(r.start..nr.end)
            }
            // A surname alone is no name right after a sentence end, where
            // every word has a capital ("4. Moet dat apart?"); a first name
            // is, and so is a surname opening a line (a list, a table).
            _ if capitalised
                && (is_first_name(lower)
                    || is_last_name(lower) && !after_sentence_end(original, r.start))
                && !crate::detect::names::is_ambiguous(lower)
                && !crate::detect::person_name::STOP.contains(&lower) =>
            {
                Some(r.start..r.start + bare.len())
            }
            _ => None,
        })
    };
    (0..ws.len())
        .filter_map(name_at)
        .filter(|name| !professional(original, name.clone()))
        .collect()
}

/// The private names of one text, each line read once: the health detector
/// asks around every term it finds, and terms cluster on a few lines.
#[derive(Debug, Default)]
pub struct PrivateNames {
    lines: std::cell::RefCell<std::collections::HashMap<usize, Vec<Range<usize>>>>,
}

/// Lines longer than this are read per question, not cached whole.
const LONG_LINE: usize = 2000;

impl PrivateNames {
    /// Like [`private_name_in`]: whether a private person's name stands
    /// in (or reaches into) `original[range]`.
    pub fn any_in(&self, original: &str, range: Range<usize>) -> bool {
        if range.is_empty() || !has_capital(original, range.clone()) {
            return false;
        }
        let mut at = range.start;
        loop {
            let mut from = at.saturating_sub(LONG_LINE);
            while !original.is_char_boundary(from) {
                from += 1;
            }
            let line_start = match original[from..at].rfind('\n') {
                Some(p) => from + p + 1,
                None if from == 0 => 0,
                None => return private_name_in(original, range),
            };
            let mut to = (at + LONG_LINE).min(original.len());
            while !original.is_char_boundary(to) {
                to -= 1;
            }
            let line_end = match original[at..to].find('\n') {
                Some(p) => at + p,
                None if to == original.len() => to,
                None => return private_name_in(original, range),
            };
            let mut lines = self.lines.borrow_mut();
            let names = lines
                .entry(line_start)
                .or_insert_with(|| line_names(original, line_start..line_end));
            if names
                .iter()
                .any(|n| n.start < range.end && n.end > range.start)
            {
                return true;
            }
            if line_end >= range.end {
                return false;
            }
            at = line_end + 1;
        }
    }
}

/// Whether the name at `name` (byte range in `original`) is a
/// professional's by its place on its line: after an academic title or a
/// profession (`revalidatiearts Anke Pranger`, `dr. A. Pranger`), after a
/// speaking verb or as an eponym (`zegt Karin Nijenhuis`, `methode Van der
/// Molen`), on a line labelled as authors or speakers, or followed by a
/// profession in apposition (`Ilse Roerdink, communicatieadviseur`).
pub fn professional(original: &str, name: Range<usize>) -> bool {
    // The line around the name, at most 120 bytes before it and 200 after:
    // labels and titles stand close by, and neither a long line nor the
    // text before it is scanned for every name.
    let mut from = name.start.saturating_sub(120);
    while !original.is_char_boundary(from) {
        from += 1;
    }
    let line_start = original[from..name.start]
        .rfind('\n')
        .map_or(from, |p| from + p + 1);
    let mut to = (name.end + 200).min(original.len());
    while !original.is_char_boundary(to) {
        to -= 1;
    }
    let line_end = original[name.end..to]
        .find('\n')
        .map_or(to, |p| name.end + p);
    let before = original[line_start..name.start].to_lowercase();
    // Labels end in a colon ("Authors:", "Spreker:").
    if before.contains(':') && LIST_LABELS.iter().any(|l| before.contains(l)) {
        return true;
    }
    let name_word = |w: &str| {
        w.chars().count() == 1
            || matches!(w, "mevrouw" | "meneer" | "dhr" | "mw" | "mevr")
            || crate::detect::names::is_tussenvoegsel(w)
            || is_first_name(w)
    };
    // The words before the name, the rest of the name (initials, first
    // names, tussenvoegsels) and a title of address skipped ("dr. A.
    // Pranger", "revalidatiearts mevrouw Pranger", "methode Van der Molen").
    let mut previous = before
        .rsplit(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | '"'))
        .map(|w| w.trim_matches(['.', ':', '\'']))
        .filter(|w| !w.is_empty())
        .skip_while(|w| name_word(w) && !ACADEMIC.contains(w) && !is_profession(w));
    if let Some(w) = previous.next() {
        if ACADEMIC.contains(&w) || SPEAKING.contains(&w) || is_profession(w) {
            return true;
        }
    }
    // Or two words back: "Wethouder Jeugd Ria Schuurman".
    if previous
        .next()
        .is_some_and(|w| ACADEMIC.contains(&w) || is_profession(w))
    {
        return true;
    }
    // An academic title inside the name's own range ("dr. Vos").
    let own = original[name.clone()].to_lowercase();
    if let Some(first) = own.split([' ', '.']).next() {
        if ACADEMIC.contains(&first) {
            return true;
        }
    }
    // After the rest of the name: ", profession", "(profession)".
    apposition(&original[name.end..line_end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn private(s: &str) -> bool {
        private_name_in(s, 0..s.len())
    }

    #[test]
    fn professionals_by_their_place() {
        assert!(!private("zegt revalidatiearts Anke Pranger."));
        assert!(!private("Spreker: dr. R. Vos"));
        assert!(!private("Authors: A. Pranger, T. Brouwer, R. Dekker"));
        assert!(!private("Zwachtelen volgens de methode Van der Molen"));
        assert!(!private(
            "contact opnemen met Ilse Roerdink, communicatieadviseur GGZ"
        ));
        assert!(!private("dr. A. Pranger, revalidatiearts"));
        assert!(!private(
            "Contact: Karin Nijenhuis, care manager, +31 315 684 200."
        ));
        assert!(!private("Wethouder Jeugd Ria Schuurman: het is goed"));
        assert!(!private("een lezing door prof. Jansen"));
        assert!(private("Zij is geslagen door Piet Bakker."));
    }

    #[test]
    fn private_persons_stay_private() {
        assert!(private("Mevrouw Jansen heeft sinds gisteren koorts."));
        assert!(private("Dhr. K. Vos is gevallen."));
        assert!(private("Anke Pranger heeft diabetes."));
        assert!(private("cliënt Pieter de Vries, geboren 1950"));
        assert!(private("Volgens mevrouw Bakker slaapt ze slecht."));
        assert!(!private("de server en de GGZ"));
        assert!(!private("geleverd op locatie De Linde. Van de 40 dozen"));
        assert!(!private("in het contract opgenomen?\n4. Moet dat apart?"));
        assert!(private("Achternaam;BSN\nJanssens;123456782"));
        assert!(private("Gesproken met Moet over de planning."));
        // A surname with its particles, no first name or title.
        assert!(private(
            "Van den Berg (parketnr 16/182344-24) - tox-uitslag positief"
        ));
        assert!(private("Gisteren sprak ik de Jong nog."));
        assert!(!private("Van de 40 dozen zijn er 3 kapot."));
        assert!(!private("We gaan op de Markt staan."));
        assert!(!private("Wij werken volgens de Wet."));
        assert!(!private("Nieuwsbrief april – Week van de Diabetes"));
        assert!(!private("een wandelgroep vanaf café De Hoek"));
    }
}
