//! Dates of birth: a date (`12-03-1980`, `12/03/1980`, `12.03.80`,
//! `1980-03-12`, `12 maart 1980`, `March 12, 1980`) right after a birth word
//! (geboren, geboortedatum, geb., date of birth, DOB, born), with a plausible
//! year. Any other date is not reported.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;

use super::context::{digit_runs, window};
use super::mask::mask_keep;
use super::{Detector, Text};
use crate::finding::{FindingKind, Match};

/// Words that say a date of birth follows.
const CONTEXT: &[&str] = &[
    "geboren",
    "geboortedatum",
    "geboortedag",
    "geb.",
    "geb:",
    "geb ",
    "date of birth",
    "birth date",
    "birthdate",
    "dob",
    "d.o.b",
    "born",
];

/// How far after a birth word the date may start.
const AFTER: usize = 50;
/// How far before the year of a date its birth word may start.
const LOOK_BACK: usize = AFTER + 40;
/// Years that are plausible for a living person's birth.
const YEARS: std::ops::RangeInclusive<u32> = 1900..=2030;

/// Confidence for the reader's own date of birth (see [`readers_own`]):
/// below the policy threshold, as a mail to someone about their own
/// matters is normal mail.
const READERS_OWN: f32 = 0.45;

/// Second-person words: the date belongs to the one the mail speaks to.
const SECOND_PERSON: &[&str] = &["uw", "u", "je", "jouw", "your", "you"];

/// Third-person words: someone else is spoken of.
const THIRD_PERSON: &[&str] = &[
    "hij", "zij", "ze", "haar", "zijn", "hem", "he", "she", "his", "her", "him", "cliënt",
    "client", "patiënt", "patient", "zoon", "dochter", "son", "daughter", "kind", "child",
    "moeder", "vader", "mother", "father", "partner",
];

/// Whether the clause of the birth word (from its start to the date's end)
/// speaks to the reader about the reader ("in de BRP staat bij u als
/// geboortedatum 21-03-1985", "your date of birth is"), with no third
/// person or name in it.
fn readers_own(text: &Text<'_>, word_start: usize, date_end: usize) -> bool {
    let own = super::context::clause(text.original, word_start, date_end, 120);
    let lower = &text.lower[own.clone()];
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().any(|w| SECOND_PERSON.contains(w))
        && !words.iter().any(|w| THIRD_PERSON.contains(w))
        && !super::context::names_someone_in(text, own, word_start, word_start)
}

/// Confidence for a date with a four-digit year.
const FULL: f32 = 0.9;
/// Confidence for a date with a two-digit year.
const SHORT_YEAR: f32 = 0.75;

/// Month names and abbreviations, Dutch and English, lowercase.
const MONTHS: &[(&str, u32)] = &[
    ("januari", 1),
    ("january", 1),
    ("jan", 1),
    ("februari", 2),
    ("february", 2),
    ("feb", 2),
    ("maart", 3),
    ("march", 3),
    ("mrt", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("mei", 5),
    ("may", 5),
    ("juni", 6),
    ("june", 6),
    ("jun", 6),
    ("juli", 7),
    ("july", 7),
    ("jul", 7),
    ("augustus", 8),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("oktober", 10),
    ("october", 10),
    ("okt", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
];

/// Finds dates of birth.
#[derive(Debug)]
pub struct DateOfBirthDetector {
    context: AhoCorasick,
    date: Regex,
}

impl Default for DateOfBirthDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl DateOfBirthDetector {
    /// A date-of-birth detector.
    pub fn new() -> DateOfBirthDetector {
        let months = MONTHS.iter().map(|(m, _)| *m).collect::<Vec<_>>().join("|");
        let date = format!(
            r"(?-u:\b)(?:(?P<d1>[0-9]{{1,2}})(?P<s>[-/.])(?P<m1>[0-9]{{1,2}})[-/.](?P<y1>[0-9]{{4}}|[0-9]{{2}})|(?P<y2>[0-9]{{4}})-(?P<m2>[0-9]{{1,2}})-(?P<d2>[0-9]{{1,2}})|(?P<d3>[0-9]{{1,2}})(?:e|ste|de|st|nd|rd|th)?(?:[ \t]*\r?\n[ \t]*|[ \t]+|-)(?P<n3>{months})\.?(?:-|[ \t]*,?[ \t]*\r?\n[ \t]*|[ \t]*,?[ \t]*)(?P<y3>[0-9]{{4}})|(?P<n4>{months})\.? +(?P<d4>[0-9]{{1,2}})(?:st|nd|rd|th)?,? +(?P<y4>[0-9]{{4}}))(?-u:\b)"
        );
        DateOfBirthDetector {
            context: AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build(CONTEXT)
                .expect("birth words compile"),
            date: Regex::new(&date).expect("date pattern compiles"),
        }
    }
}

/// Day, month and year of a matched date, and whether the year has two
/// digits.
fn parts(c: &regex::Captures<'_>) -> (u32, u32, u32, bool) {
    let num = |name: &str| c.name(name).and_then(|m| m.as_str().parse::<u32>().ok());
    let month = |name: &str| {
        c.name(name).and_then(|m| {
            MONTHS
                .iter()
                .find(|(n, _)| *n == m.as_str())
                .map(|(_, v)| *v)
        })
    };
    if let Some(d) = num("d1") {
        let y = c.name("y1").expect("year");
        (
            d,
            num("m1").unwrap_or(0),
            num("y1").unwrap_or(0),
            y.as_str().len() == 2,
        )
    } else if let Some(y) = num("y2") {
        (num("d2").unwrap_or(0), num("m2").unwrap_or(0), y, false)
    } else if let Some(d) = num("d3") {
        (d, month("n3").unwrap_or(0), num("y3").unwrap_or(0), false)
    } else {
        (
            num("d4").unwrap_or(0),
            month("n4").unwrap_or(0),
            num("y4").unwrap_or(0),
            false,
        )
    }
}

/// Whether the day exists in the month and the year is plausible (a
/// two-digit year, `short`, is taken as written).
fn valid(d: u32, m: u32, y: u32, short: bool) -> bool {
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 => 29,
        _ => return false,
    };
    (1..=days).contains(&d) && (short || YEARS.contains(&y))
}

impl Detector for DateOfBirthDetector {
    fn kind(&self) -> FindingKind {
        FindingKind::DateOfBirth
    }

    fn detect(&self, text: &Text<'_>, out: &mut Vec<Match>) {
        let lower = text.lower.as_str();
        let bytes = lower.as_bytes();
        let mut done_to = 0;
        // Every date has a year (four digits in range, or two after a date
        // separator), and its birth word stands at most LOOK_BACK bytes
        // before it: search for birth words only there, so prose without
        // years costs one digit scan.
        let mut hits = Vec::new();
        let mut searched_to: usize = 0;
        // Where years stand: a date in a birth-date column has one too.
        let mut years = Vec::new();
        for run in digit_runs(bytes) {
            let digits = &bytes[run.clone()];
            let year = match digits.len() {
                4 => std::str::from_utf8(digits)
                    .ok()
                    .and_then(|d| d.parse::<u32>().ok())
                    .is_some_and(|y| YEARS.contains(&y)),
                2 => {
                    run.start >= 2
                        && matches!(bytes[run.start - 1], b'-' | b'/' | b'.')
                        && bytes[run.start - 2].is_ascii_digit()
                }
                _ => false,
            };
            if !year {
                continue;
            }
            years.push(run.start);
            let from = run
                .start
                .saturating_sub(LOOK_BACK)
                .max(searched_to.saturating_sub(16));
            let mut from = from.min(run.start);
            while !lower.is_char_boundary(from) {
                from -= 1;
            }
            let last = hits
                .last()
                .map_or(0, |h: &aho_corasick::Match| h.start() + 1);
            for h in self.context.find_iter(&lower[from..run.start]) {
                let h = aho_corasick::Match::new(h.pattern(), from + h.start()..from + h.end());
                if h.start() >= last {
                    hits.push(h);
                }
            }
            searched_to = run.start;
        }
        for hit in hits {
            // Short words must stand alone ("adobe", "reborn" are not).
            let word = &CONTEXT[hit.pattern().as_usize()];
            if word.len() <= 4 && hit.start() > 0 && bytes[hit.start() - 1].is_ascii_alphabetic() {
                continue;
            }
            if matches!(*word, "dob" | "born")
                && bytes.get(hit.end()).is_some_and(u8::is_ascii_alphabetic)
            {
                continue;
            }
            let w = window(lower, hit.end(), hit.end(), 0, AFTER);
            let base = hit.end();
            // Only the first date after the word is the birth date.
            let Some(c) = self.date.captures(w) else {
                continue;
            };
            let all = c.get(0).expect("whole match");
            let (start, end) = (base + all.start(), base + all.end());
            if start < done_to {
                continue;
            }
            let (d, m, y, short) = parts(&c);
            if !valid(d, m, y, short) {
                continue;
            }
            done_to = end;
            let confidence = if readers_own(text, hit.start(), end) {
                READERS_OWN
            } else if short {
                SHORT_YEAR
            } else {
                FULL
            };
            out.push(Match {
                kind: FindingKind::DateOfBirth,
                span: start..end,
                excerpt: mask_keep(&text.original[start..end], 2),
                confidence,
            });
        }
        listed_birth_dates(text, out);
        self.birth_date_columns(text, &years, out);
    }
}

impl DateOfBirthDetector {
    /// Dates in a table column whose header is a birth word
    /// ("naam;geboortedatum" over a CSV of staff, a spreadsheet's "DOB"
    /// column): each is a date of birth however far below the header it
    /// stands. A cell holding anything beside the date is not read.
    fn birth_date_columns(&self, text: &Text<'_>, years: &[usize], out: &mut Vec<Match>) {
        let birth_header = |header: &str| {
            // "date_of_birth", "date-of-birth": words joined in a header.
            let header = &header.replace(['_', '-'], " ");
            self.context.find_iter(header).any(|h| {
                // "dob" and "born" whole words only, as in prose.
                let word = CONTEXT[h.pattern().as_usize()];
                word.len() > 4
                    || (!header[..h.start()].ends_with(|c: char| c.is_ascii_alphabetic())
                        && !header[h.end()..].starts_with(|c: char| c.is_ascii_alphabetic()))
            })
        };
        // Each table once: from the line of a year that is a table row up
        // to the table's header, then down its rows.
        let mut cells = Vec::new();
        let mut read_to = 0;
        for &year in years {
            if year < read_to {
                continue;
            }
            let Some(header) = super::table::header_above(text.original, year) else {
                continue;
            };
            let (found, end) =
                super::table::cells_below(text.original, &text.lower, header, birth_header);
            cells.extend(found);
            read_to = end;
        }
        for cell in cells {
            let value = &text.lower[cell.span.clone()];
            let Some(c) = self.date.captures(value) else {
                continue;
            };
            let all = c.get(0).expect("whole match");
            let (d, m, y, short) = parts(&c);
            if all.start() != 0 || all.end() != value.len() || !valid(d, m, y, short) {
                continue;
            }
            push_unless_found(out, text.original, cell.span, FULL);
        }
    }
}

/// Confidence for a date in a list of people with dates of birth.
const LISTED: f32 = 0.7;

/// Words that make the dates of a list of people something else than
/// birth dates: hiring, membership, a start, a death.
const OTHER_DATES: &[&str] = &[
    "in dienst",
    "dienstverband",
    "startdatum",
    "begindatum",
    "einddatum",
    "lid sinds",
    "werkzaam sinds",
    "overleden",
    "overlijden",
    "hired",
    "start date",
    "member since",
    "employed since",
    "joined",
    "deceased",
];

/// Dates of birth without a birth word: a list of people, one per line,
/// each as "Name, date" ("- Fadumo Hassan Ali, 30-11-1990" in a family
/// composition, a class or a staff list), three or more lines whose
/// years lie ten or more years apart, as a household's or a group's
/// birth years do and appointment or hiring dates rarely do. Not when the
/// text names the dates as something else ([`OTHER_DATES`]).
fn listed_birth_dates(text: &Text<'_>, out: &mut Vec<Match>) {
    let original = text.original;
    let mut listed: Vec<(std::ops::Range<usize>, u32)> = Vec::new();
    let mut line_start = 0;
    for line in original.split('\n') {
        if let Some((span, year)) = name_and_date(line) {
            listed.push((line_start + span.start..line_start + span.end, year));
        }
        line_start += line.len() + 1;
    }
    if listed.len() < 3 {
        return;
    }
    let years = listed.iter().map(|(_, y)| *y);
    let spread = years.clone().max().unwrap_or(0) - years.min().unwrap_or(0);
    if spread < 10 || OTHER_DATES.iter().any(|w| text.lower.contains(w)) {
        return;
    }
    for (span, _) in listed {
        push_unless_found(out, original, span, LISTED);
    }
}

/// Adds the date of birth at `span` of `original`, unless a finding
/// already covers part of it (the birth word's date comes first).
fn push_unless_found(
    out: &mut Vec<Match>,
    original: &str,
    span: std::ops::Range<usize>,
    confidence: f32,
) {
    if out
        .iter()
        .any(|m| m.span.start < span.end && span.start < m.span.end)
    {
        return;
    }
    out.push(Match {
        kind: FindingKind::DateOfBirth,
        excerpt: mask_keep(&original[span.clone()], 2),
        span,
        confidence,
    });
}

/// In one line "Name, dd-mm-yyyy" (a bullet allowed before, anything after
/// the date): the date's byte range in the line and its year. The name is
/// one to five capitalised words of letters.
fn name_and_date(line: &str) -> Option<(std::ops::Range<usize>, u32)> {
    let body = line.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '-' | '*' | '•'));
    let offset = line.len() - body.len();
    let (name, rest) = body.split_once(", ")?;
    let words: Vec<&str> = name.split_whitespace().collect();
    let named = (1..=5).contains(&words.len())
        && words.iter().all(|w| {
            w.starts_with(|c: char| c.is_uppercase())
                && w.chars()
                    .all(|c| c.is_alphabetic() || matches!(c, '-' | '\''))
        });
    if !named {
        return None;
    }
    let date_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_digit() || matches!(b, b'-' | b'/' | b'.'))
        .count();
    let date = rest[..date_len].trim_end_matches('.');
    let parts: Vec<&str> = date.split(['-', '/', '.']).collect();
    let [d, m, y] = parts[..] else {
        return None;
    };
    let (d, m, y) = (d.parse().ok()?, m.parse().ok()?, y.parse().ok()?);
    if !valid(d, m, y, false) {
        return None;
    }
    let start = offset + name.len() + 2;
    Some((start..start + date.len(), y))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(s: &str) -> Vec<Match> {
        let mut out = Vec::new();
        DateOfBirthDetector::new().detect(&Text::new(s), &mut out);
        out
    }

    #[test]
    fn a_list_of_people_with_dates_far_apart_holds_their_birth_dates() {
        let family = "hierbij de gezinssamenstelling zoals die in de BRP staat:\n\n\
                      - Abdirahman Abdi Warsame, 12-06-1984 (hoofdhuurder)\n\
                      - Fadumo Hassan Ali, 30-11-1990\n- Hodan, 04-04-2012\n\
                      - Mohamed, 19-09-2014\n";
        let found = find(family);
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(found.iter().all(|m| m.confidence >= 0.5));
        // Appointments: the dates lie close together.
        let planning =
            "- Jan Jansen, 12-03-2025\n- Piet Bakker, 14-03-2025\n- Anna Smit, 02-04-2025\n";
        assert!(find(planning).is_empty());
        // Hiring dates, said to be so.
        let staff = format!(
            "Datum in dienst:\n{}",
            family.replace("hoofdhuurder", "teamleider")
        );
        assert!(find(&staff).is_empty());
        // Two lines are not a list.
        assert!(find("- Hodan, 04-04-2012\n- Abdi Warsame, 12-06-1984\n").is_empty());
    }

    #[test]
    fn a_birth_date_column_holds_birth_dates_far_below_its_header() {
        let csv = "naam;filiaal;geboortedatum;leeftijd_nu;ingangsdatum_nieuw_loon\n\
                   Noor van Beek;Centrum;2010-03-14;16;2027-04-01\n\
                   Jesse Hoekstra;Ugchelen;2009-04-02;17;2027-05-01\n";
        let found = find(csv);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(|m| m.confidence >= 0.5));
        assert_eq!(&csv[found[0].span.clone()], "2010-03-14");
        // A spreadsheet with a DOB column; the start dates are not read.
        let sheet = "Staff\nName\tDOB\tStart\nAmy Lee\t04/07/1991\t01/02/2020\n";
        let found = find(sheet);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(&sheet[found[0].span.clone()], "04/07/1991");
        // A header with underscores, and a quoted cell holding commas.
        let csv = "no,last_name,date_of_birth,categories,nationality\n\
                   1,Popescu,1990-05-14,\"B,C,CE\",RO\n2,Nowicki,1984-09-30,\"B,C\",PL\n";
        assert_eq!(find(csv).len(), 2);
        // Other columns of dates, and a birth column without a date.
        assert!(find("naam;startdatum;einddatum\nJan;2010-03-14;2011-01-01\n").is_empty());
        assert!(find("naam;geboortedatum;x\nJan;onbekend;1\n").is_empty());
    }

    #[test]
    fn finds_birth_dates() {
        for (s, value) in [
            ("Mevr. Jansen, geboren 12-03-1980, woont", "12-03-1980"),
            ("Geboortedatum: 01/02/1955", "01/02/1955"),
            ("J. de Vries (geb. 3 mei 1948)", "3 mei 1948"),
            ("geb.datum 1980-03-12", "1980-03-12"),
            ("Date of birth: March 12, 1980", "March 12, 1980"),
            ("DOB 12th March 1980", "12th March 1980"),
            ("He was born on 4 July 1976 in Leeds", "4 July 1976"),
            ("geboren op 12.03.80", "12.03.80"),
            // The clinical-trial form DD-MMM-YYYY.
            ("subject 104-017 (DOB 03-Aug-1961)", "03-Aug-1961"),
            ("geb. 14-mrt-1952", "14-mrt-1952"),
            // Hard-wrapped mail breaks a date across lines.
            (
                "Robin Hendriks, geboren 11 augustus\n2001, geslacht",
                "11 augustus\n2001",
            ),
        ] {
            let m = find(s);
            assert_eq!(m.len(), 1, "{s}: {m:?}");
            assert_eq!(&s[m[0].span.clone()], value, "{s}");
        }
        assert_eq!(find("geboren 12-03-1980")[0].excerpt, "12-**-****");
    }

    #[test]
    fn the_readers_own_birth_date_is_below_the_threshold() {
        let own = "U heeft gelijk: in de BRP staat bij u als geboortedatum 21-03-1985.";
        assert!(
            find(own).iter().all(|m| m.confidence < 0.5),
            "{:?}",
            find(own)
        );
        for s in [
            "Uw cliënt, geboren 12-03-1985, komt morgen.",
            "Haar geboortedatum is 21-03-1985.",
            "Geboortedatum: 21-03-1985",
            "Kunt u bevestigen dat dhr. Jansen geboren is op 21-03-1985?",
        ] {
            assert!(find(s).iter().any(|m| m.confidence >= 0.5), "{s}");
        }
    }

    #[test]
    fn refuses_other_dates() {
        for s in [
            "Afspraak op 12-03-2024 om 10:00",          // no birth word
            "Meeting on March 12, 1980",                // no birth word
            "geboren 31-02-1980",                       // no such day
            "geboren 12-13-1980",                       // no such month
            "geboren in 1850: 12-03-1850",              // implausible year
            "Adobe 12-03-1980",                         // dob inside a word
            "geboren en getogen in Zwolle, sinds 2001", // no date
        ] {
            let m = find(s);
            assert!(m.is_empty(), "{s}: {m:?}");
        }
    }

    #[test]
    fn only_the_first_date_after_the_word() {
        let s = "geboren 12-03-1980, opgenomen 01-02-2024";
        let m = find(s);
        assert_eq!(m.len(), 1);
        assert_eq!(&s[m[0].span.clone()], "12-03-1980");
    }
}
