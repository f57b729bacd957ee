//! Personal names, Dutch and English: first name + surname, titles (dhr.,
//! mevr., mw., mr., dr., drs., ir., prof., Mr, Mrs, Ms, Dr, mevrouw, de
//! heer), initials (J., J.P., J.P.M.), tussenvoegsels (van, de, van der,
//! ter, in 't, ...) and double surnames (Jansen-de Vries).
//!
//! The name lists come from Faker (MIT; `resources/names/SOURCE.md`) and are
//! compiled once into an anchored Aho-Corasick automaton over
//! [`Text::lower`]; it is only run at words of the original text that start
//! with a capital, so plain prose costs a byte scan.
//!
//! # Scoring
//!
//! - title + capitalised surname (`dhr. Jansen`, `mevrouw van Dijk`): 0.9
//! - known first name + known surname (`Anna de Vries`): 0.9
//! - initials + surname: 0.85 with two or more initials or a known surname,
//!   else 0.6 (`B. Daarna` is kept out by a stop list)
//! - known first name + unknown capitalised surname: 0.7
//! - first name that is also a word (Mark, Will, Roos) + known surname: 0.7
//! - tussenvoegsel + known surname without a first name (`de Vries`): 0.6
//! - a lone known surname 0.4, a lone first name 0.35 (0.3/0.25 at the start
//!   of a sentence): below the policy threshold of 0.5
//! - a lone name that is also an ordinary word, month or day: not reported.
//!
//! Not reported at all: names in a greeting or sign-off on the same line
//! (`Beste Jan,`, `Geachte heer Jansen,`, `Dear John,`, `Groet, Piet`), a
//! name at the start of the line right after a closing formula (`Met
//! vriendelijke groet,` / `Kind regards,` / `Best,` then `Jan de Vries`),
//! street names (`Van Goghstraat`), organisations (`... B.V.`, `Stichting
//! ...`, `Gemeente ...`, `... Ziekenhuis`), and places such as Den Haag.

use crate::detect::context::{at_sentence_start, is_word_byte, wraps_running_text};
use crate::detect::mask::mask_words;
use crate::detect::names::{self, is_ambiguous, is_title, is_tussenvoegsel, Fnv, WordSet};
use crate::detect::{Detector, Text};
use crate::finding::{FindingKind, Match};
use std::collections::HashMap;

const FIRST: u8 = 1;
const LAST: u8 = 2;

/// Words that open a greeting or close a mail, on the name's own line.
const GREETING_WORDS: &[&str] = &[
    "beste",
    "hoi",
    "hallo",
    "hey",
    "hee",
    "hi",
    "hello",
    "dag",
    "goedemorgen",
    "goedemiddag",
    "goedenavond",
    "geachte",
    "zeer",
    "lieve",
    "dear",
    "dearest",
    "good",
    "morning",
    "afternoon",
    "evening",
    "ha",
    "hai",
    "greetings",
    "groet",
    "groeten",
    "groetjes",
    "gr",
    "mvg",
    "regards",
    "thanks",
    "thank",
    "you",
    "bedankt",
    "dank",
    "cheers",
    "best",
    "sincerely",
    "vriendelijke",
    "hartelijke",
    "met",
    "kind",
    "warm",
    "yours",
    "truly",
    "love",
    "liefs",
    "namens",
    "from",
    "van",
    "en",
    "and",
    "&",
    "heer",
    "mevrouw",
    "meneer",
    "to",
    "aan",
];

/// A line ending with one of these (after trimming `,.!`) is a closing
/// formula: a name at the start of the next non-empty line is a signature.
const CLOSINGS: &[&str] = &[
    "groet",
    "groeten",
    "groetjes",
    "gr",
    "mvg",
    "m.v.g",
    "regards",
    "sincerely",
    "best",
    "cheers",
    "thanks",
    "thank you",
    "bedankt",
    "dank",
    "dank je",
    "dank u",
    "liefs",
    "yours",
    "yours truly",
    "faithfully",
    "wishes",
    "namens",
    "hartelijk dank",
    "vriendelijke groet",
    "love",
    "warmly",
    "take care",
    "tot ziens",
    "groetjes",
];

/// Capitalised words that are never a surname after a title, initial or
/// first name, nor a name alone (`Dan is het spreekuur ...`).
pub(crate) const STOP: &[&str] = &[
    "de",
    "het",
    "een",
    "the",
    "a",
    "an",
    "in",
    "op",
    "ik",
    "wij",
    "we",
    "u",
    "hij",
    "zij",
    "he",
    "she",
    "it",
    "this",
    "that",
    "dit",
    "dat",
    "deze",
    "die",
    "er",
    "daarna",
    "dan",
    "then",
    "en",
    "and",
    "of",
    "or",
    "maar",
    "but",
    "als",
    "if",
    "ook",
    "also",
    "graag",
    "please",
    "met",
    "with",
    "voor",
    "for",
    "zie",
    "see",
    "tel",
    "telefoon",
    "mobiel",
    "email",
    "mail",
    "bijlage",
    "afdeling",
    "team",
    "is",
    "was",
    "are",
    "has",
    "heeft",
    "wordt",
    "kan",
    "can",
    "not",
    "niet",
    "geen",
    "no",
    "ja",
    "yes",
    "nee",
    "hallo",
    "hello",
    "beste",
    "dear",
    "hoi",
    "bedankt",
    "thanks",
    "groet",
    "regards",
    "vandaag",
    "today",
    "morgen",
    "tomorrow",
    "gisteren",
    "yesterday",
    "bij",
    "at",
    "to",
    "naar",
    "om",
    "uit",
    "from",
    "over",
    "about",
];

/// Words right before a name that make it part of an organisation or place.
const ORG_BEFORE: &[&str] = &[
    "stichting",
    "gemeente",
    "vereniging",
    "ziekenhuis",
    "universiteit",
    "hogeschool",
    "university",
    "hospital",
    "foundation",
    "school",
    "college",
    "sint",
    "st",
    "museum",
    "kerk",
    "provincie",
    "waterschap",
    "ministerie",
    "ministry",
    "fort",
    "kasteel",
    "hotel",
    "restaurant",
    "café",
    "cafe",
    "firma",
    "prins",
    "koning",
    "koningin",
    "king",
    "queen",
];

/// Street words right after a name make it a street ("Jan Steen Laan"),
/// unless a comma stands between: then they open the name's address.
const STREET_WORDS: &[&str] = &[
    "straat", "laan", "weg", "plein", "street", "road", "avenue", "square", "lane",
];

/// Words right after a name that make it an organisation.
const ORG_AFTER: &[&str] = &[
    "b.v",
    "bv",
    "n.v",
    "nv",
    "v.o.f",
    "vof",
    "ltd",
    "inc",
    "llc",
    "gmbh",
    "plc",
    "fonds",
    "ziekenhuis",
    "kliniek",
    "instituut",
    "stichting",
    "museum",
    "school",
    "college",
    "hospital",
    "foundation",
    "university",
    "universiteit",
    "groep",
    "group",
    "holding",
    "advocaten",
    "advocatuur",
    "strafrecht",
    "letselschade",
    "notarissen",
    "notariaat",
    "accountants",
    "makelaardij",
    "administratie",
    "belastingadvies",
    "fysiotherapie",
    "tandartsen",
    "huisartsen",
    "apotheek",
    "solicitors",
    "lawyers",
    "prijs",
    "award",
    "zaal",
    "huis",
    "centrum",
    "center",
    "centre",
];

/// Street-name endings: a surname ending in one of these is a street.
const STREET_SUFFIXES: &[&str] = &[
    "straat", "laan", "weg", "plein", "gracht", "kade", "singel", "dreef", "hof", "park", "pad",
    "steeg", "markt", "dijk", "street", "road", "avenue", "lane",
];

/// Places that look like tussenvoegsel + surname.
const PLACES: &[&str] = &[
    "den haag",
    "den helder",
    "den bosch",
    "den dolder",
    "den burg",
    "den ham",
    "de bilt",
    "de meern",
    "de lier",
    "de rijp",
    "de koog",
    "ter apel",
    "ter aar",
    "ten boer",
    "de wijk",
    "van gogh",
];

/// Finds personal names (see the module doc for the scoring).
pub struct PersonNameDetector {
    /// FIRST/LAST flags per lowercase name.
    names: HashMap<String, u8, Fnv>,
    stop: WordSet,
    greeting: WordSet,
    org_before: WordSet,
    org_after: WordSet,
    /// The words names stand beside (`familie`, `de huurder, …`).
    structure_words: crate::detect::name_structure::StructureWords,
}

impl std::fmt::Debug for PersonNameDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PersonNameDetector")
    }
}

impl Default for PersonNameDetector {
    fn default() -> Self {
        PersonNameDetector::new()
    }
}

/// A parsed name candidate.
#[derive(Debug, Default)]
struct Candidate {
    start: usize,
    end: usize,
    title: bool,
    initials: usize,
    firsts: Vec<(usize, usize)>,
    tussen: usize,
    surname: Option<(usize, usize)>,
}

fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// End of the word starting at `pos` (letters, digits, UTF-8, inner `'`).
fn word_end(bytes: &[u8], pos: usize) -> usize {
    let mut i = pos;
    while i < bytes.len() {
        let b = bytes[i];
        if is_word_byte(b)
            || (b == b'\'' && i > pos && bytes.get(i + 1).is_some_and(|&n| n.is_ascii_alphabetic()))
        {
            i += 1;
        } else {
            break;
        }
    }
    i
}

/// Skips at most two spaces or tabs.
fn skip_spaces(bytes: &[u8], mut pos: usize) -> usize {
    let mut n = 0;
    while pos < bytes.len() && is_space(bytes[pos]) && n < 2 {
        pos += 1;
        n += 1;
    }
    pos
}

/// Like [`skip_spaces`], and across one wrap of running text
/// ([`wraps_running_text`]): spaces, the line break and the next line's
/// indent. "… the bank account of Marta\nKowalczyk (waitress)" is one name;
/// a short line (a list item, a greeting) ends the name.
fn skip_gap(bytes: &[u8], pos: usize) -> usize {
    let after = skip_spaces(bytes, pos);
    let newline = match (bytes.get(after), bytes.get(after + 1)) {
        (Some(b'\n'), _) => after + 1,
        (Some(b'\r'), Some(b'\n')) => after + 2,
        _ => return after,
    };
    if !wraps_running_text(bytes, after) {
        return after;
    }
    skip_spaces(bytes, newline)
}

fn starts_upper(s: &str, pos: usize) -> bool {
    s[pos..].chars().next().is_some_and(char::is_uppercase)
}

fn capitalised_word(s: &str, pos: usize) -> Option<usize> {
    if pos >= s.len() || !starts_upper(s, pos) {
        return None;
    }
    let end = word_end(s.as_bytes(), pos);
    names::is_capitalised(&s[pos..end]).then_some(end)
}

/// The word starting at `pos` with a possible `'t`/`'s` start.
fn particle_end(lower: &str, pos: usize) -> Option<usize> {
    let bytes = lower.as_bytes();
    let end = if bytes.get(pos) == Some(&b'\'') {
        word_end(bytes, pos + 1)
    } else {
        word_end(bytes, pos)
    };
    (end > pos && is_tussenvoegsel(&lower[pos..end])).then_some(end)
}

/// A title at `pos` (with an optional dot), returning where it ends.
fn title_end(lower: &str, pos: usize) -> Option<usize> {
    let bytes = lower.as_bytes();
    let end = word_end(bytes, pos);
    if end == pos || !is_title(&lower[pos..end]) {
        return None;
    }
    let end = if bytes.get(end) == Some(&b'.') {
        end + 1
    } else {
        end
    };
    (bytes.get(end).is_some_and(|&b| is_space(b))).then_some(end)
}

/// The word before `pos` (skipping spaces and an optional `.`), as a range.
fn word_before(bytes: &[u8], pos: usize) -> Option<(usize, usize)> {
    let mut i = pos;
    while i > 0 && is_space(bytes[i - 1]) {
        i -= 1;
    }
    if i == pos && pos > 0 {
        return None;
    }
    let mut end = i;
    if end > 0 && bytes[end - 1] == b'.' {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && (is_word_byte(bytes[start - 1]) || bytes[start - 1] == b'\'') {
        start -= 1;
    }
    (start < end).then_some((start, i))
}

impl PersonNameDetector {
    /// Loads the name lists into the automaton.
    pub fn new() -> PersonNameDetector {
        PersonNameDetector {
            names: names::name_flags(),
            stop: WordSet::new(STOP),
            greeting: WordSet::new(GREETING_WORDS),
            org_before: WordSet::new(ORG_BEFORE),
            org_after: WordSet::new(ORG_AFTER),
            structure_words: crate::detect::name_structure::StructureWords::new(),
        }
    }

    /// The FIRST/LAST flags of the whole word `start..end` of `lower`.
    fn lookup(&self, lower: &str, start: usize, end: usize) -> u8 {
        self.names.get(&lower[start..end]).copied().unwrap_or(0)
    }

    fn parse(&self, original: &str, lower: &str, p: usize) -> Candidate {
        let bytes = original.as_bytes();
        let mut c = Candidate {
            start: p,
            ..Candidate::default()
        };
        let mut pos = p;
        if let Some(e) = title_end(lower, pos) {
            c.title = true;
            pos = skip_spaces(bytes, e);
        }
        while pos + 1 < bytes.len()
            && bytes[pos].is_ascii_uppercase()
            && bytes[pos + 1] == b'.'
            && !bytes
                .get(pos + 2)
                .is_some_and(|b| b.is_ascii_alphanumeric() && !b.is_ascii_uppercase())
        {
            if pos > 0 && is_word_byte(bytes[pos - 1]) && c.initials == 0 {
                break;
            }
            c.initials += 1;
            pos = skip_spaces(bytes, pos + 2);
        }
        if c.initials == 0 {
            while c.firsts.len() < 3 {
                let Some(e) = capitalised_word(original, pos) else {
                    break;
                };
                if self.lookup(lower, pos, e) & FIRST == 0 {
                    break;
                }
                c.firsts.push((pos, e));
                pos = skip_gap(bytes, e);
            }
        }
        let before_tussen = pos;
        while c.tussen < 3 {
            match particle_end(lower, pos) {
                Some(e) if bytes.get(e).is_some_and(|&b| is_space(b)) => {
                    c.tussen += 1;
                    pos = skip_spaces(bytes, e);
                }
                _ => break,
            }
        }
        if let Some(e) = capitalised_word(original, pos) {
            let mut end = e;
            // Double surname: Jansen-de Vries, Smith-Jones.
            if bytes.get(end) == Some(&b'-') {
                let mut q = end + 1;
                while let Some(pe) = particle_end(lower, q) {
                    if bytes.get(pe) == Some(&b' ') {
                        q = pe + 1;
                    } else {
                        break;
                    }
                }
                if let Some(e2) = capitalised_word(original, q) {
                    end = e2;
                }
            }
            c.surname = Some((pos, end));
        } else {
            c.tussen = 0;
            pos = before_tussen;
            let _ = pos;
        }
        if c.surname.is_none() && c.firsts.len() >= 2 {
            c.surname = c.firsts.pop();
        }
        c.end = c
            .surname
            .map(|s| s.1)
            .or(c.firsts.last().map(|f| f.1))
            .unwrap_or(p);
        if c.end == p && c.initials == 0 && !c.title {
            return c;
        }
        // Backwards: lowercase tussenvoegsels and a title before the name.
        if !c.title {
            if c.firsts.is_empty() && c.initials == 0 {
                while c.tussen < 3 {
                    match word_before(bytes, c.start) {
                        // "in Heerenveen", "op Ameland": a preposition
                        // right before the name makes it a place; as a
                        // particle it always has an article after it
                        // ("in 't Veld", "op den Brouw").
                        Some((s, e))
                            if c.tussen == 0
                                && matches!(
                                    &lower[s..e],
                                    "in" | "op"
                                        | "uit"
                                        | "aan"
                                        | "bij"
                                        | "onder"
                                        | "over"
                                        | "voor"
                                        | "tot"
                                ) =>
                        {
                            break
                        }
                        Some((s, e))
                            if bytes[e - 1] != b'.'
                                && particle_end(lower, s) == Some(e)
                                && !bytes[s].is_ascii_uppercase() =>
                        {
                            c.tussen += 1;
                            c.start = s;
                        }
                        _ => break,
                    }
                }
            }
            if let Some((s, _)) = word_before(bytes, c.start) {
                if title_end(lower, s).is_some() {
                    c.title = true;
                    c.start = s;
                    if &lower[s..word_end(bytes, s)] == "heer" {
                        if let Some((s2, e2)) = word_before(bytes, s) {
                            if &lower[s2..e2] == "de" {
                                c.start = s2;
                            }
                        }
                    }
                }
            }
        }
        c
    }

    fn score(&self, original: &str, lower: &str, c: &Candidate) -> f32 {
        let word = |r: (usize, usize)| &lower[r.0..r.1];
        let surname = c.surname.map(|s| {
            // For a double surname look at the first part.
            let e = word_end(lower.as_bytes(), s.0);
            (s.0, e)
        });
        let sur_flags = surname.map_or(0, |s| self.lookup(lower, s.0, s.1));
        let sur_known = sur_flags & LAST != 0;
        let sur_stop = surname.is_some_and(|s| self.stop.contains(word(s)));
        let sur_amb = surname.is_some_and(|s| is_ambiguous(word(s)));
        let sur_ok = surname.is_some() && !sur_stop && (!sur_amb || sur_known);
        let first_amb = c.firsts.iter().all(|&f| is_ambiguous(word(f)));
        let sentence = at_sentence_start(original, c.start);
        if c.title && sur_ok && !sur_amb || c.title && sur_known {
            return 0.9;
        }
        if c.title && !c.firsts.is_empty() {
            return 0.8;
        }
        if c.initials > 0 && sur_ok {
            return if c.initials >= 2 || sur_known {
                0.85
            } else {
                0.6
            };
        }
        if !c.firsts.is_empty() && surname.is_some() {
            if !first_amb && sur_known && !sur_amb {
                return 0.9;
            }
            if !first_amb && sur_ok {
                return 0.7;
            }
            if !first_amb && c.tussen > 0 && !sur_stop {
                return 0.7;
            }
            if sur_known && !sur_amb && !sur_stop {
                return 0.7;
            }
            return 0.0;
        }
        if c.tussen > 0 && sur_known && !sur_amb {
            return if sentence { 0.55 } else { 0.6 };
        }
        if c.firsts.len() == 1 && surname.is_none() {
            if first_amb {
                return 0.0;
            }
            return if sentence { 0.25 } else { 0.35 };
        }
        if c.firsts.is_empty() && c.tussen == 0 && sur_known && !sur_amb {
            return if sentence { 0.3 } else { 0.4 };
        }
        0.0
    }

    /// Whether the candidate is a street, organisation, place, greeting or
    /// signature rather than a name to report.
    fn excluded(&self, original: &str, lower: &str, c: &Candidate) -> bool {
        let bytes = original.as_bytes();
        if let Some((s, _)) = c.surname {
            let e = word_end(bytes, s);
            let w = &lower[s..e];
            if STREET_SUFFIXES
                .iter()
                .any(|suf| w.len() > suf.len() && w.ends_with(suf))
            {
                return true;
            }
        }
        let span = &lower[c.start..c.end];
        if PLACES.iter().any(|p| span.ends_with(p)) {
            return true;
        }
        // The word after the name.
        let mut q = c.end;
        // Also across a wrapped, indented line ("Van Dijk\n  Strafrecht");
        // not to the next line of an address block ("Jan Jansen\nLaan 5").
        let mut comma = false;
        loop {
            while q < bytes.len() && (is_space(bytes[q]) || bytes[q] == b',') {
                comma |= bytes[q] == b',';
                q += 1;
            }
            let eol = usize::from(bytes.get(q) == Some(&b'\r'));
            if bytes.get(q + eol) == Some(&b'\n')
                && bytes.get(q + eol + 1).is_some_and(|&b| is_space(b))
            {
                q += eol + 1;
            } else {
                break;
            }
        }
        let qe = word_end(bytes, q);
        if qe > q {
            let next = &lower[q..qe];
            let next_dotted = next.to_string()
                + if bytes.get(qe) == Some(&b'.') {
                    "."
                } else {
                    ""
                };
            // After a comma a street word opens the address that follows
            // the name ("dhr. Kevin Lubbers, Laan van Presikhaaf 301").
            let street = STREET_WORDS.contains(&next);
            if self.org_after.contains(next)
                || street && !comma
                || next_dotted.starts_with("b.v")
                || next_dotted.starts_with("n.v")
            {
                return true;
            }
            if next.len() == 1 && (next == "b" || next == "n") && bytes.get(qe) == Some(&b'.') {
                return true;
            }
        }
        if let Some((s, e)) = word_before(bytes, c.start) {
            let prev = &lower[s..e];
            let prev = prev.trim_end_matches('.');
            if self.org_before.contains(prev) {
                return true;
            }
        }
        // Greeting or closing on the same line.
        let line_start = lower[..c.start].rfind('\n').map_or(0, |i| i + 1);
        let prefix = &lower[line_start..c.start];
        let words: Vec<&str> = prefix
            .split(|ch: char| ch.is_whitespace() || ch == ',' || ch == '!' || ch == ':')
            .filter(|w| !w.is_empty())
            .collect();
        // A header label ("Van: Sandra Vliegen <x@gmail.com>") is no
        // greeting: the name after it is the author of a quoted mail.
        // Only a private author counts: an organisation's sender in an
        // attached or quoted header is business correspondence.
        let line_end = lower[c.start..]
            .find('\n')
            .map_or(lower.len(), |i| c.start + i);
        let header_label =
            crate::recipients::private::private_author(lower[line_start..line_end].trim_start());
        if let Some(first) = words.first().filter(|_| !header_label) {
            if self.greeting.contains(first.trim_end_matches('.'))
                && words.iter().all(|w| {
                    let w = w.trim_end_matches('.');
                    self.greeting.contains(w)
                        || is_title(w)
                        || is_tussenvoegsel(w)
                        || w.len() <= 2
                        || original[line_start..c.start].contains(|ch: char| ch.is_uppercase())
                            && names::is_first_name(w)
                })
            {
                return true;
            }
        }
        // Signature: the name opens its line and the previous non-empty line
        // is a closing formula.
        if prefix.trim().is_empty() && line_start > 0 {
            let above = lower[..line_start - 1]
                .lines()
                .rev()
                .map(str::trim)
                .find(|l| !l.is_empty());
            if let Some(l) = above {
                let l = l.trim_end_matches([',', '.', '!', ' ', '-']);
                if CLOSINGS.iter().any(|cl| {
                    l.ends_with(cl)
                        && (l.len() == cl.len()
                            || !l.as_bytes()[l.len() - cl.len() - 1].is_ascii_alphanumeric())
                }) {
                    return true;
                }
            }
        }
        false
    }
}

impl Detector for PersonNameDetector {
    fn kind(&self) -> FindingKind {
        FindingKind::PersonName
    }

    fn detect(&self, text: &Text<'_>, out: &mut Vec<Match>) {
        let original = text.original;
        let lower = text.lower.as_str();
        let bytes = original.as_bytes();
        let lower_bytes = lower.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            i = skip_plain_lowercase(bytes, lower_bytes, i);
            if i >= bytes.len() {
                break;
            }
            let b = bytes[i];
            let upper_start = (b.is_ascii_uppercase()
                || ((0xC3..0xE0).contains(&b) && starts_upper(original, i)))
                && (i == 0 || !is_word_byte(bytes[i - 1]));
            if !upper_start {
                i += 1;
                continue;
            }
            let c = self.parse(original, lower, i);
            if c.end <= i {
                i = word_end(bytes, i).max(i + 1);
                continue;
            }
            let confidence = self.score(original, lower, &c);
            if confidence > 0.0 && !self.excluded(original, lower, &c) {
                out.push(Match {
                    kind: FindingKind::PersonName,
                    span: c.start..c.end,
                    excerpt: mask_words(&original[c.start..c.end]),
                    confidence,
                });
            }
            i = c.end;
        }
        crate::detect::name_structure::structural_names(text, &self.structure_words, out);
    }
}

/// Skips, eight bytes at a time, text that holds no capital and no
/// non-ASCII byte: a name can only start at an ASCII capital (where the text
/// and its lowercase copy differ) or at a UTF-8 lead byte. Hand-written
/// because this loop runs over every byte of every mail.
fn skip_plain_lowercase(bytes: &[u8], lower: &[u8], mut i: usize) -> usize {
    const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
    while i + 8 <= bytes.len() {
        let a = u64::from_ne_bytes(bytes[i..i + 8].try_into().unwrap_or([0; 8]));
        let b = u64::from_ne_bytes(lower[i..i + 8].try_into().unwrap_or([0; 8]));
        if a != b || a & HIGH_BITS != 0 {
            break;
        }
        i += 8;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipping_stops_before_capitals_and_non_ascii() {
        let t = "alleen kleine letters hier en dan Jan";
        let l = t.to_ascii_lowercase();
        let at = skip_plain_lowercase(t.as_bytes(), l.as_bytes(), 0);
        assert!(at <= t.find('J').unwrap());
        let t = "abcdefgh abcdefgh é";
        let l = t.to_ascii_lowercase();
        assert!(skip_plain_lowercase(t.as_bytes(), l.as_bytes(), 0) <= t.find('é').unwrap());
    }

    fn found(s: &str) -> Vec<(String, f32)> {
        let mut out = Vec::new();
        PersonNameDetector::new().detect(&Text::new(s), &mut out);
        out.into_iter()
            .map(|m| (s[m.span].to_string(), m.confidence))
            .collect()
    }

    fn must_find(s: &str, name: &str) {
        let f = found(s);
        assert!(
            f.iter().any(|(n, c)| n == name && *c >= 0.5),
            "must find {name:?} in {s:?}, got {f:?}"
        );
    }

    fn must_not(s: &str) {
        let f = found(s);
        assert!(
            f.iter().all(|(_, c)| *c < 0.5),
            "must not find a name in {s:?}, got {f:?}"
        );
    }

    #[test]
    fn a_bracketed_first_name_on_a_line_of_its_own() {
        must_find(
            "Afleveren Dhr. C. (Cor) Wijnbergen\nEemnesserweg 118\n3743 AH Baarn",
            "C. (Cor) Wijnbergen",
        );
    }

    #[test]
    fn a_name_column_beside_addresses_lists_people() {
        let csv = "aanhef;voorletters;tussenvoegsel;achternaam;straat;huisnr;postcode;plaats\n\
                   Mevr.;A.M.;;Scholten;Kastanjelaan;2;3851 CD;Harderveen\n\
                   Dhr.;S.;;Ramdin;Populierenlaan;19;3852 RS;Harderveen\n";
        must_find(csv, "Scholten");
        must_find(csv, "Ramdin");
        // With private e-mail addresses too.
        must_find(
            "voornaam,achternaam,email,groep\nHiwet,Tsegay,hiwet.tsegay@gmail.com,B1-6\n",
            "Hiwet",
        );
        // A staff list with job titles and work phones is not.
        must_not("naam;functie;telefoon\nScholten;teamleider;0341-425610\n");
    }

    #[test]
    fn finds_dutch_names() {
        must_find("Het gaat om Anna de Vries uit Utrecht.", "Anna de Vries");
        must_find("Ik heb dhr. Jansen gebeld.", "dhr. Jansen");
        must_find("Mevrouw van der Berg komt morgen.", "Mevrouw van der Berg");
        must_find("Zoals besproken met de heer Bakker.", "de heer Bakker");
        must_find(
            "Verslag van J.P.M. van den Heuvel.",
            "J.P.M. van den Heuvel",
        );
        must_find("Graag een afspraak voor J. Pietersen.", "J. Pietersen");
        must_find("Contactpersoon is mw. Yilmaz.", "mw. Yilmaz");
        must_find("Cliënt Sanne Verhoeven is verhuisd.", "Sanne Verhoeven");
        must_find(
            "Zij woont bij Henk Jansen-de Vries.",
            "Henk Jansen-de Vries",
        );
        must_find("Het rapport van dr. Smit is binnen.", "dr. Smit");
        must_find("Ik sprak met Daan in 't Veld.", "Daan in 't Veld");
        must_find(
            "De akte van de heer Op den Brouw is klaar.",
            "de heer Op den Brouw",
        );
    }

    #[test]
    fn a_place_after_a_preposition_is_no_name() {
        must_not("de levering van Oosterstraat 14 in Heerenveen gaat niet door");
        must_not("We zijn op Ameland met vakantie.");
    }

    #[test]
    fn finds_english_names() {
        must_find("The report on John Smith is attached.", "John Smith");
        must_find("Please call Mrs Johnson tomorrow.", "Mrs Johnson");
        must_find("Referred by Dr. Patel last week.", "Dr. Patel");
        must_find("I met Mark Smith yesterday.", "Mark Smith");
    }

    #[test]
    fn a_name_wrapped_over_two_lines_of_running_text_is_one_name() {
        must_find(
            "We received a request to change the bank account of Marta\nKowalczyk (waitress) this month.",
            "Marta\nKowalczyk",
        );
        must_find(
            "Wil je even contact opnemen met de moeder van Anna\r\n  de Vries over de afspraak?",
            "Anna\r\n  de Vries",
        );
        // Short lines are a list or a greeting, not wrapped text.
        assert!(found("Marta\nKowalczyk").iter().all(|(_, c)| *c < 0.5));
    }

    #[test]
    fn lone_names_are_below_threshold() {
        must_not("Ik heb het aan Jan gevraagd.");
        must_not("Jansen heeft gebeld.");
    }

    #[test]
    fn a_name_after_a_header_label_is_a_name() {
        must_find(
            "Van: Sandra Vliegen <sandravliegen@gmail.com>",
            "Sandra Vliegen",
        );
        must_find("From: Sandra Jansen <sj@hotmail.com>", "Sandra Jansen");
        must_not("From: Ingrid Schouten <i.schouten@gemeente-rivierstad.nl>");
    }

    #[test]
    fn ignores_greetings_and_sign_offs() {
        must_not("Beste Jan,\n\nHierbij de stukken.");
        must_not("Hoi Piet, heb je even?");
        must_not("Geachte heer Jansen,\n\nWij schrijven u over uw aanvraag.");
        must_not("Geachte mevrouw De Vries,");
        must_not("Dear John,\nThanks for your mail.");
        must_not("Hi Sarah, quick question.");
        must_not("Hallo Anna en Peter,");
        must_not("Met vriendelijke groet,\nJan de Vries\nTeamleider");
        must_not("Met vriendelijke groet,\n\nJan de Vries");
        must_not("Kind regards,\nSarah Johnson");
        must_not("Best,\nEmma Williams");
        must_not("Groet, Piet Bakker");
    }

    #[test]
    fn ignores_non_names() {
        must_not("Mark the date in your calendar.");
        must_not("Will you join us on Monday?");
        must_not("Het kantoor is aan de Van Goghstraat 12.");
        must_not("We werken samen met Jansen Installatietechniek B.V. aan het project.");
        must_not("De Gemeente Utrecht en Stichting De Boog.");
        must_not("Ik woon in Den Haag sinds april.");
        must_not("Bos en natuur, Roos in de tuin.");
        must_not("Op Maandag 3 Juni is de vergadering.");
        must_not("Zie bijlage B. Daarna volgt het besluit.");
        must_not("Het Antoni van Leeuwenhoek Ziekenhuis.");
        must_not("hebben wij de dagen van Van Dijk Strafrecht overgenomen");
        must_not("hebben wij de dagen van Van Dijk\n  Strafrecht overgenomen");
        must_find(
            "Dhr. Jan Jansen\nLaan van Meerdervoort 5",
            "Dhr. Jan Jansen",
        );
        must_find(
            "de woning van dhr. Kevin Lubbers, Laan van Presikhaaf 301-7. Buren",
            "dhr. Kevin Lubbers",
        );
        must_not("GGZ, COPD en WMO zijn afkortingen.");
    }

    #[test]
    fn excerpt_is_masked() {
        let mut out = Vec::new();
        PersonNameDetector::new().detect(&Text::new("Het gaat om Jan de Vries."), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].excerpt, "J** d* V****");
    }
}
