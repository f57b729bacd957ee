//! Helpers for looking at the words around a match.

use crate::detect::role::{private_name_in, PrivateNames};
use crate::detect::Text;
use std::ops::Range;
use std::sync::Arc;

/// The slice of `text` from up to `before` bytes before `start` to up to
/// `after` bytes after `end`, cut at character boundaries.
pub fn window(text: &str, start: usize, end: usize, before: usize, after: usize) -> &str {
    let mut from = start.saturating_sub(before);
    while from > 0 && !text.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (end + after).min(text.len());
    while to < text.len() && !text.is_char_boundary(to) {
        to += 1;
    }
    &text[from..to]
}

/// A short list of label words compiled once, searched in the small
/// windows around a candidate number (a BSN, a phone number): one pass over
/// the window instead of one substring search per word.
#[derive(Debug)]
pub struct Labels {
    ac: aho_corasick::AhoCorasick,
}

impl Labels {
    /// Compiles `words` (lowercase, matched anywhere, also inside words).
    pub fn new(words: &[&str]) -> Labels {
        Labels {
            ac: aho_corasick::AhoCorasick::builder()
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .prefilter(false)
                .build(words)
                .expect("label words compile"),
        }
    }

    /// Whether any of the words occurs in `hay`.
    pub fn any_in(&self, hay: &str) -> bool {
        self.ac.is_match(hay)
    }

    /// Where the last occurrence of any of the words in `hay` ends.
    pub fn last_end(&self, hay: &str) -> Option<usize> {
        self.ac.find_overlapping_iter(hay).map(|m| m.end()).max()
    }
}

/// Whether any of `words` occurs in the (lowercase) window around a match.
pub fn near_any(lower: &str, start: usize, end: usize, reach: usize, words: &Labels) -> bool {
    words.any_in(window(lower, start, end, reach, reach))
}

/// Whether the bytes at `pos` (if any) are not an ASCII letter or digit:
/// a word boundary check that is cheaper than a regex `\b` on long text.
pub fn is_boundary(text: &str, pos: usize) -> bool {
    match text.as_bytes().get(pos) {
        None => true,
        Some(b) => !b.is_ascii_alphanumeric(),
    }
}

/// Whether `b` may be part of a word: an ASCII letter or digit, or any byte of
/// a multi-byte UTF-8 character (so `cliënt` is one word).
pub fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// Whether a word may start at `start` (no word byte right before it).
pub fn starts_word(text: &str, start: usize) -> bool {
    start == 0 || !is_word_byte(text.as_bytes()[start - 1])
}

/// Whether a word may end at `end` (no word byte right after it).
pub fn ends_word(text: &str, end: usize) -> bool {
    text.as_bytes().get(end).is_none_or(|&b| !is_word_byte(b))
}

/// `s` with é, ë, è, ê, ï, ö, ü, ... replaced by their plain letters, so a
/// dictionary can match `cliënt` and `client` alike.
pub fn unaccent(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'á' | 'à' | 'ä' | 'â' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            'ç' => 'c',
            other => other,
        })
        .collect()
}

/// A term in a [`Dictionary`]: how it must stand in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Edge {
    /// A whole word.
    Word,
    /// May be followed by more letters (`diabetes*` finds `diabetespatiënt`).
    Prefix,
    /// May be preceded by more letters (`*kanker` finds `longkanker`).
    Suffix,
    /// May stand anywhere in a word (`*verslaving*` finds
    /// `alcoholverslavingszorg`).
    Inside,
}

impl Edge {
    /// Whether the match `start..end` of `lower` stands as this edge needs.
    pub(crate) fn admits(self, lower: &str, start: usize, end: usize) -> bool {
        match self {
            Edge::Word => starts_word(lower, start) && ends_word(lower, end),
            Edge::Prefix => starts_word(lower, start),
            Edge::Suffix => ends_word(lower, end),
            Edge::Inside => true,
        }
    }
}

/// A large keyword list compiled once into one Aho-Corasick automaton,
/// searched over [`crate::detect::Text::lower`] with word-boundary checks on
/// bytes. Term syntax: `term` is a whole word, `term*` may continue as a
/// compound, `*term` may be the tail of a compound, `*term*` may stand
/// anywhere in one. Accented terms also match
/// their unaccented spelling; `-` in a term also matches a space.
#[derive(Debug)]
pub struct Dictionary {
    ac: aho_corasick::AhoCorasick,
    /// Per automaton pattern: index of the term and how it must stand.
    meta: Vec<(usize, Edge)>,
    /// Id in the registry of [`crate::detect::scan`]: equal for equal lists.
    id: u32,
}

/// The byte ranges of a dictionary's hits in one text, shared between the
/// detectors that ask for them (see [`Dictionary::positions_in`]).
pub type Positions = Arc<Vec<(usize, usize)>>;

/// One hit of a [`Dictionary`]: the byte range and the index of the term in
/// the list the dictionary was built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Start byte.
    pub start: usize,
    /// End byte (exclusive).
    pub end: usize,
    /// Index of the term in the list given to [`Dictionary::new`].
    pub term: usize,
}

impl Dictionary {
    /// Compiles `terms` (lowercase; syntax in the type's doc).
    pub fn new(terms: &[&str]) -> Dictionary {
        Dictionary::build(terms, false)
    }

    /// Like [`Dictionary::new`], for a list that is searched over every
    /// whole text with [`Dictionary::find_in`]: it is also compiled into the
    /// automaton that finds the hits of all such lists in one pass per text
    /// (see [`crate::detect::scan`]).
    pub fn shared(terms: &[&str]) -> Dictionary {
        Dictionary::build(terms, true)
    }

    fn build(terms: &[&str], shared: bool) -> Dictionary {
        let mut patterns: Vec<String> = Vec::new();
        let mut meta = Vec::new();
        for (i, raw) in terms.iter().enumerate() {
            let (edge, t) = if let Some(t) = raw.strip_prefix('*').and_then(|t| t.strip_suffix('*'))
            {
                (Edge::Inside, t)
            } else if let Some(t) = raw.strip_suffix('*') {
                (Edge::Prefix, t)
            } else if let Some(t) = raw.strip_prefix('*') {
                (Edge::Suffix, t)
            } else {
                (Edge::Word, *raw)
            };
            let t = t.to_lowercase();
            let mut variants = vec![t.clone()];
            let plain = unaccent(&t);
            if plain != t {
                variants.push(plain);
            }
            for v in variants.clone() {
                if v.contains('-') {
                    variants.push(v.replace('-', " "));
                }
            }
            for v in variants {
                patterns.push(v);
                meta.push((i, edge));
            }
        }
        // A DFA: more memory (fine for a few thousand short patterns), but the
        // fastest scan over long texts.
        let ac = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&patterns)
            .expect("dictionary compiles");
        let id = crate::detect::scan::register(&patterns, &meta, shared);
        Dictionary { ac, meta, id }
    }

    /// Calls `f` for every hit in `lower` that stands as its term requires.
    pub fn find(&self, lower: &str, mut f: impl FnMut(Hit)) {
        for m in self.ac.find_iter(lower) {
            let (term, edge) = self.meta[m.pattern().as_usize()];
            if edge.admits(lower, m.start(), m.end()) {
                f(Hit {
                    start: m.start(),
                    end: m.end(),
                    term,
                });
            }
        }
    }

    /// Like [`Dictionary::find`] over `text.lower`, but a dictionary made
    /// with [`Dictionary::shared`] takes its hits from the one combined scan
    /// of the text (same hits, one pass for all such dictionaries).
    pub fn find_in(&self, text: &Text<'_>, f: impl FnMut(Hit)) {
        match text.scans.shared_hits(self.id, &text.lower) {
            Some(hits) => hits.for_each(f),
            None => self.find(&text.lower, f),
        }
    }

    /// Like [`Dictionary::positions`] over `text.lower`, found once per text
    /// and list: detectors that look for the same cues share the result.
    pub fn positions_in(&self, text: &Text<'_>) -> Positions {
        text.scans.positions(self.id, || {
            let mut v = Vec::new();
            self.find_in(text, |h| v.push((h.start, h.end)));
            v
        })
    }

    /// Every hit in `lower`, as byte ranges in order, for [`near`] lookups.
    pub fn positions(&self, lower: &str) -> Vec<(usize, usize)> {
        let mut v = Vec::new();
        self.find(lower, |h| v.push((h.start, h.end)));
        v
    }

    /// Whether any term occurs (as it must stand) in `lower`.
    pub fn any(&self, lower: &str) -> bool {
        let mut found = false;
        self.find(lower, |_| found = true);
        found
    }

    /// The largest `weights[term]` over the hits in `lower`, or 0.0.
    pub fn max_weight(&self, lower: &str, weights: &[f32]) -> f32 {
        let mut best = 0.0f32;
        self.find(lower, |h| best = best.max(weights[h.term]));
        best
    }
}

/// Whether one of the sorted, non-overlapping `hits` lies wholly within
/// `before` bytes before `start` or `after` bytes after `end`, outside
/// `start..end` itself.
pub fn near(
    hits: &[(usize, usize)],
    start: usize,
    end: usize,
    before: usize,
    after: usize,
) -> bool {
    let lo = start.saturating_sub(before);
    let hi = end + after;
    let first = hits.partition_point(|h| h.0 < lo);
    hits[first..]
        .iter()
        .take_while(|h| h.0 < hi)
        .any(|h| h.1 <= hi && (h.1 <= start || h.0 >= end))
}

/// The shortest line whose line break is read as a wrap of running text,
/// not the end of a line of its own (plain-text mail wraps at 72 to 78).
pub const WRAPPED_LINE: usize = 50;

/// Whether the line of `bytes` that ends at `end` (its `\n`, or the `\r`
/// of its `\r\n`) wraps running text: it holds at least [`WRAPPED_LINE`]
/// bytes and text follows on the next line. "… the bank account of
/// Marta\nKowalczyk", "het wachtwoord van het zip-bestand met de\nmutaties
/// … is X".
pub fn wraps_running_text(bytes: &[u8], end: usize) -> bool {
    let start = bytes[..end]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |n| n + 1);
    let next = if bytes.get(end) == Some(&b'\r') {
        end + 2
    } else {
        end + 1
    };
    end - start >= WRAPPED_LINE && bytes.get(next).is_some_and(|b| !matches!(b, b'\n' | b'\r'))
}

/// The paragraph around a match: from the last blank line before `start`
/// (at most `reach` bytes back) to the next blank line after `end` (at most
/// `reach` bytes on), cut at character boundaries.
pub fn paragraph(text: &str, start: usize, end: usize, reach: usize) -> &str {
    let w = window(text, start, end, reach, reach);
    let base = w.as_ptr() as usize - text.as_ptr() as usize;
    let rel_start = start - base;
    let rel_end = end - base;
    let from = w[..rel_start].rfind("\n\n").map_or(0, |i| i + 2);
    let to = w[rel_end..].find("\n\n").map_or(w.len(), |i| rel_end + i);
    &w[from..to]
}

/// Whether the word starting at `pos` in `original` begins a sentence: only
/// spaces stand between it and the start of the text, a line break, or one
/// of `. ! ? : ; ( " “ ‘ * •` and a bullet dash.
pub fn at_sentence_start(original: &str, pos: usize) -> bool {
    let bytes = original.as_bytes();
    let mut i = pos;
    while i > 0 {
        let b = bytes[i - 1];
        match b {
            b' ' | b'\t' | b'\r' => i -= 1,
            b'\n' | b'.' | b'!' | b'?' | b':' | b';' | b'(' | b'"' | b'*' | b'-' | b'>' => {
                return true
            }
            // “ ‘ • (UTF-8 tails 0x9C, 0x98, 0xA2 after E2 80)
            0x9C | 0x98 | 0xA2 if i >= 3 && bytes[i - 3] == 0xE2 && bytes[i - 2] == 0x80 => {
                return true
            }
            _ => return false,
        }
    }
    true
}

/// Where a person is spoken of near a match: how strong the signal is, for
/// the health and special-category detectors (see their scoring schemes).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PersonContext {
    /// A strong cue: a client/patient word, a title or form of address
    /// (mevrouw, dhr., Mrs), a diagnosing phrase, or a known name.
    pub strong: bool,
    /// A weak cue: a personal pronoun (hij, zij, haar, he, she, his, her).
    pub weak: bool,
}

const STRONG_PERSON_CUES: &[&str] = &[
    "cliënt",
    "client",
    "cliënte",
    "patiënt",
    "patient",
    "patiënte",
    "mevrouw",
    "meneer",
    "de heer",
    "dhr",
    "mw",
    "mevr",
    "mr",
    "mrs",
    "miss",
    "bewoner",
    "bewoonster",
    "zorgvrager",
    "deelnemer",
    "leerling",
    "zoon",
    "dochter",
    "moeder",
    "vader",
    "echtgenoot",
    "echtgenote",
    "baby",
    "mijn man",
    "mijn vrouw",
    "son",
    "daughter",
    "mother",
    "father",
    "husband",
    "wife",
    "resident",
    "employee",
    "pupil",
    // The people insurers and youth workers write about: "the insured
    // suffered ...", "het meisje van 17" (after "een": anyone).
    "verzekerde",
    "the insured",
    "insured person",
    "meisje",
    "jongen",
    "girl",
    "boy",
];

/// Strong cues that state something of someone rather than name a role:
/// an indefinite word before them ("een urineweginfectie vastgesteld")
/// does not make them anyone's.
const STATEMENT_CUES: &[&str] = &[
    "gediagnosticeerd",
    "gediagnostiseerd",
    "vastgesteld",
    "lijdt aan",
    "leed aan",
    "heeft last van",
    "is bekend met",
    "bekend met",
    "in behandeling",
    "wordt behandeld",
    "slikt",
    "diagnosed",
    "suffers from",
    "suffering from",
    "was admitted",
    "is taking",
    "prescribed",
    "voorgeschreven",
    "geboren",
    "born",
    "dob",
    "geb.",
];

/// Pronouns that point at a person (third person, and the reader: "uw
/// medicatie"). The writer's own "ik", "mijn", "I", "my" are not among
/// them: in the mail of a care professional they speak of the writer at
/// work ("ik wil jouw mening over fosfomycine"), not of a patient.
const WEAK_PERSON_CUES: &[&str] = &[
    "hij",
    "zij",
    "haar",
    "hem",
    "he",
    "she",
    "his",
    "her",
    "him",
    "uw",
    "your",
    // "ze" is "she" only before a verb in the singular ("ze gebruikt
    // tramadol"); "ze gebruiken" is anyone.
    "ze heeft",
    "ze had",
    "ze krijgt",
    "ze kreeg",
    "ze gebruikt",
    "ze slikt",
    "ze is",
    "ze was",
    "ze wordt",
    "ze werd",
    "ze lijdt",
    "ze leed",
    "ze voelt",
    "ze zit",
];

/// Words that make the next noun anyone rather than someone: "een
/// bewoner met dementie" in a volunteer vacancy, "a patient with
/// diabetes" in a guideline, "elke cliënt".
const INDEFINITE: &[&str] = &[
    "een", "a", "an", "elke", "iedere", "ieder", "every", "any", "each", "geen", "no",
];

/// Whether the cue starting at `start` in `lower` follows an indefinite
/// word ([`INDEFINITE`]), perhaps with one adjective between ("een oudere
/// cliënt").
fn after_indefinite(lower: &str, start: usize) -> bool {
    // Only the same line counts.
    let line = &lower[lower[..start].rfind('\n').map_or(0, |p| p + 1)..start];
    let before = line.trim_end_matches([' ', '\t']);
    if before.ends_with(['.', ',', ':', ';', '!', '?']) {
        return false;
    }
    let mut words = before
        .rsplit(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(2);
    let Some(first) = words.next() else {
        return false;
    };
    // Or one adjective between: "een oudere cliënt".
    INDEFINITE.contains(&first)
        || (first.len() > 2 && words.next().is_some_and(|w| INDEFINITE.contains(&w)))
}

/// The strong cue hits that speak of a particular person: role nouns
/// after an indefinite word are dropped.
fn particular_only(lower: &str, hits: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    hits.into_iter()
        .filter(|h| !noun_after_indefinite(lower, *h))
        .collect()
}

/// Whether the strong cue at `hit` is a role noun after an indefinite word.
fn noun_after_indefinite(lower: &str, hit: (usize, usize)) -> bool {
    !STATEMENT_CUES.contains(&&lower[hit.0..hit.1]) && after_indefinite(lower, hit.0)
}

/// Cues shared by the detectors that need "about a person".
pub struct PersonCues {
    strong: Dictionary,
    weak: Dictionary,
}

impl std::fmt::Debug for PersonCues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PersonCues")
    }
}

impl Default for PersonCues {
    fn default() -> Self {
        PersonCues::new()
    }
}

/// Where the person cues stand in one text, found in one pass each, so
/// that looking around many hits costs a binary search per hit.
#[derive(Debug, Default)]
pub struct PersonIndex {
    strong: Positions,
    weak: Positions,
    /// Private persons' names, line by line as asked for (shared with the
    /// other detectors reading the same text).
    names: std::rc::Rc<PrivateNames>,
}

impl PersonIndex {
    /// Like [`names_someone`], with the names of each line found once.
    pub fn names_someone(
        &self,
        original: &str,
        range: Range<usize>,
        start: usize,
        end: usize,
    ) -> bool {
        self.names
            .any_in(original, range.start..start.max(range.start))
            || self.names.any_in(original, end.min(range.end)..range.end)
    }

    /// Like [`PersonCues::around`], with the cue positions found once.
    pub fn around(
        &self,
        original: &str,
        start: usize,
        end: usize,
        before: usize,
        after: usize,
    ) -> PersonContext {
        let mut ctx = PersonContext {
            strong: near(&self.strong, start, end, before, after),
            weak: near(&self.weak, start, end, before, after),
        };
        if !ctx.strong {
            // A name counts when it is a private person's, not one of a
            // professional at work (the speaker, the author, a colleague).
            let range = |w: &str| {
                let from = w.as_ptr() as usize - original.as_ptr() as usize;
                from..from + w.len()
            };
            ctx.strong = self
                .names
                .any_in(original, range(window(original, start, start, before, 0)))
                || self
                    .names
                    .any_in(original, range(window(original, end, end, 0, after)));
        }
        ctx
    }
}

impl PersonCues {
    /// Finds all cue positions in `lower` (one pass per cue list).
    pub fn index(&self, lower: &str) -> PersonIndex {
        PersonIndex {
            strong: Arc::new(particular_only(lower, self.strong.positions(lower))),
            weak: Arc::new(self.weak.positions(lower)),
            names: Default::default(),
        }
    }

    /// Like [`PersonCues::index`] over `text.lower`, found once per text and
    /// shared by every detector that asks.
    pub fn index_in(&self, text: &Text<'_>) -> PersonIndex {
        let strong = self.strong.positions_in(text);
        let strong = if strong
            .iter()
            .any(|&h| noun_after_indefinite(&text.lower, h))
        {
            Arc::new(particular_only(&text.lower, strong.to_vec()))
        } else {
            strong
        };
        PersonIndex {
            strong,
            weak: self.weak.positions_in(text),
            names: std::rc::Rc::clone(&text.scans.names),
        }
    }

    /// Compiles the cue lists.
    pub fn new() -> PersonCues {
        PersonCues {
            strong: Dictionary::shared(&[STRONG_PERSON_CUES, STATEMENT_CUES].concat()),
            weak: Dictionary::shared(WEAK_PERSON_CUES),
        }
    }

    /// Looks `before` bytes back and `after` bytes on around `start..end`
    /// (the match itself excluded) for person cues; also counts a known
    /// first name or surname written with a capital, or an initial
    /// (`J. Jansen`), as a strong cue.
    pub fn around(
        &self,
        original: &str,
        lower: &str,
        start: usize,
        end: usize,
        before: usize,
        after: usize,
    ) -> PersonContext {
        let left = window(lower, start, start, before, 0);
        let right = window(lower, end, end, 0, after);
        let mut ctx = PersonContext {
            strong: self.strong.any(left) || self.strong.any(right),
            weak: self.weak.any(left) || self.weak.any(right),
        };
        if !ctx.strong {
            let lo = window(original, start, start, before, 0);
            let ro = window(original, end, end, 0, after);
            ctx.strong =
                crate::detect::names::mentions_name(lo) || crate::detect::names::mentions_name(ro);
        }
        ctx
    }
}

/// The clause around `start..end` in `original`, at most `reach` bytes
/// each way: it ends at `;`, at a blank line, before a list item or a
/// quoted line, and at `.`, `!` or `?` followed by a space or line break
/// when the word before is not a short abbreviation (`dhr.`, `mw.`, `J.`).
pub fn clause(original: &str, start: usize, end: usize, reach: usize) -> Range<usize> {
    let bytes = original.as_bytes();
    let ends_at = |i: usize| -> bool {
        // Whether a clause ends right after byte `i`.
        match bytes[i] {
            b';' => true,
            b'\n' => {
                let mut j = i + 1;
                while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'\r') {
                    j += 1;
                }
                match bytes.get(j) {
                    None | Some(b'\n' | b'>' | b'-' | b'*') => true,
                    Some(b) if b.is_ascii_digit() => true,
                    // • (E2 80 A2)
                    Some(0xE2) => bytes.get(j + 2) == Some(&0xA2),
                    _ => false,
                }
            }
            b'.' | b'!' | b'?' => {
                let spaced = bytes.get(i + 1).is_none_or(|b| b.is_ascii_whitespace());
                let word = bytes[..i]
                    .iter()
                    .rev()
                    .take_while(|b| b.is_ascii_alphabetic())
                    .count();
                spaced && (bytes[i] != b'.' || word >= 4 || word == 0)
            }
            _ => false,
        }
    };
    let lo = start.saturating_sub(reach);
    let mut from = start;
    while from > lo && !ends_at(from - 1) {
        from -= 1;
    }
    let hi = (end + reach).min(bytes.len());
    let mut to = end;
    while to < hi && !ends_at(to) {
        to += 1;
    }
    while !original.is_char_boundary(from) {
        from += 1;
    }
    while !original.is_char_boundary(to) {
        to -= 1;
    }
    from..to.max(from)
}

/// Like [`names_someone`] over `text.original`, with each line's names
/// found once per text.
pub fn names_someone_in(text: &Text<'_>, range: Range<usize>, start: usize, end: usize) -> bool {
    let names = &text.scans.names;
    names.any_in(text.original, range.start..start.max(range.start))
        || names.any_in(text.original, end.min(range.end)..range.end)
}

/// Whether `original[range]`, the match `start..end` left out, names one
/// particular private person: a title before a capitalised word (`Dhr.
/// Verhoef`, `mevrouw De Graaf`), a first name and a surname, a known name,
/// or an initial before a capitalised word, unless its place makes it a
/// professional's ([`private_name_in`]).
pub fn names_someone(original: &str, range: Range<usize>, start: usize, end: usize) -> bool {
    // Line by line ("vit D.\nVraag" is not an initial and a surname), and
    // only a private person: "zegt revalidatiearts Anke Pranger" names the
    // speaker, not the one spoken of.
    private_name_in(original, range.start..start.max(range.start))
        || private_name_in(original, end.min(range.end)..range.end)
}

/// Whether `title` (a word, perhaps ending in a dot) is a title and `next`
/// a capitalised word or an initial (`dhr. Y. Benali`, `Mrs. Roelofsen`).
fn titled_pair(title: &str, next: &str) -> bool {
    let next = next.trim_end_matches(['.', ':', ',']);
    let title = title.trim_end_matches('.');
    crate::detect::names::with_lowercase(title, crate::detect::names::is_title)
        && (crate::detect::names::is_capitalised(next)
            || (next.len() == 1 && next.as_bytes()[0].is_ascii_uppercase()))
}

/// Greetings that open a line addressing the reader, not a person spoken of.
const SALUTATIONS: &[&str] = &[
    "geachte",
    "beste",
    "dear",
    "hallo",
    "hoi",
    "hi",
    "hello",
    "goedemorgen",
    "goedemiddag",
    "goedenavond",
    "lieve",
];

/// Whether `original` speaks of a particular person by title and name
/// (`dhr. Y. Benali`, `mevrouw Jansen`) outside a salutation line
/// (`Geachte mevrouw Hartman,` addresses the reader).
pub fn titled_person(original: &str) -> bool {
    original.lines().any(|line| {
        let mut words = line
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | '"' | '|'))
            .filter(|w| !w.is_empty());
        let Some(mut previous) = words.next() else {
            return false;
        };
        if SALUTATIONS.iter().any(|s| s.eq_ignore_ascii_case(previous)) {
            return false;
        }
        for word in words {
            if titled_pair(previous, word) {
                return true;
            }
            previous = word;
        }
        false
    })
}

/// Whether the clause ending at `end` introduces a list of people: it ends
/// in a colon and the list item on the next line names someone ("de
/// volgende medewerkers:\n- J.H. (Jan) Evers"). What the clause says, it
/// says about them.
pub fn lists_people(original: &str, end: usize) -> bool {
    if !original[..end].trim_end().ends_with(':') {
        return false;
    }
    let rest = original[end..].trim_start_matches(['\n', '\r', ' ']);
    let item = rest.lines().next().unwrap_or("");
    let marked =
        item.starts_with(['-', '*', '•']) || item.starts_with(|c: char| c.is_ascii_digit());
    marked && names_someone(item, 0..item.len(), 0, 0)
}

/// Whether a whole text is general: two or more general or
/// organisational cues ([`GENERAL_CUES`], positions in `general`; stated
/// thresholds count as one, [`thresholds`]) and no
/// one spoken of by title and name ([`titled_person`]). A newsletter or a
/// flu-campaign letter is general throughout, also where its health words
/// stand far from the word "newsletter".
pub fn general_text(original: &str, general: &[(usize, usize)]) -> bool {
    let cues = general.len() + usize::from(thresholds(original) >= 2);
    (cues >= 2 && !titled_person(original)) || blank_form(original)
}

/// Closing formulas: the lines after one are the writer's signature.
pub(crate) const CLOSINGS: &[&str] = &[
    "met vriendelijke groet",
    "met vriendelijke groeten",
    "vriendelijke groet",
    "met groet",
    "groet",
    "groeten",
    "groetjes",
    "liefs",
    "hartelijke groet",
    "hartelijke groeten",
    "met hartelijke groet",
    "met collegiale groet",
    "mvg",
    "kind regards",
    "best regards",
    "regards",
    "best wishes",
    "sincerely",
    "yours sincerely",
    "with kind regards",
    "warm regards",
    "jazakallahu khairan",
];

/// Whether `start` lies in a signature: within the five lines after a line
/// that is only a closing formula ("Met groet," then the name, then
/// "Wijkverpleegkundige | aandachtsvelder diabetes"). Care words there
/// name the writer's role. Signature lines are short; a quoted line or the
/// header of quoted mail ("Van:", "Op … schreef") ends the signature, so
/// history below it is read as content.
pub(crate) fn in_signature(lower: &str, start: usize) -> bool {
    let line_start = lower[..start].rfind('\n').map_or(0, |p| p + 1);
    let line_end = lower[start..].find('\n').map_or(lower.len(), |p| start + p);
    let own = &lower[line_start..line_end];
    let signature_line = |line: &str| {
        let line = line.trim();
        line.len() <= 80
            && !line.starts_with('>')
            && !["van:", "from:", "verzonden", "sent:", "schreef", "wrote"]
                .iter()
                .any(|h| line.contains(h))
    };
    if !signature_line(own) {
        return false;
    }
    for line in lower[..line_start].lines().rev().take(5) {
        if CLOSINGS.contains(&line.trim().trim_end_matches([',', '.', '!']).trim()) {
            return true;
        }
        if !signature_line(line) {
            return false;
        }
    }
    false
}

/// The part of `text` before its signature: up to the last line that is
/// only a closing formula ([`CLOSINGS`]), or all of it.
fn before_signature(lower: &str) -> usize {
    let mut at = 0;
    let mut cut = lower.len();
    for line in lower.split_inclusive('\n') {
        if CLOSINGS.contains(&line.trim().trim_end_matches([',', '.', '!']).trim()) {
            cut = at;
        }
        at += line.len();
    }
    cut
}

/// Words by which a writer declares the people in a text anonymous: an
/// anonymised case for peer review ("anonieme casus"), figures "zonder
/// namen".
const ANONYMOUS: &[&str] = &[
    "anoniem",
    "anonieme",
    "geanonimiseerd",
    "geanonimiseerde",
    "anonymised",
    "anonymized",
    "anonymous",
    "zonder namen",
    "niet herleidbaar",
    "not traceable",
    "zonder naam",
    "without names",
];

/// Whether a text declares itself anonymous ([`ANONYMOUS`]) and names no
/// one by title ([`titled_person`]) and no private person
/// ([`private_name_in`]): then it is about no identifiable person, however
/// particular its story. A name or a title anywhere undoes the claim.
fn declared_anonymous(text: &Text<'_>) -> bool {
    let declared = ANONYMOUS.iter().any(|w| {
        memchr::memmem::find_iter(text.lower.as_bytes(), w.as_bytes())
            .any(|p| is_word(text.lower.as_bytes(), p, p + w.len()))
    });
    // The writer's own name under the closing formula does not count.
    declared
        && !titled_person(text.original)
        && !text
            .scans
            .names
            .any_in(text.original, 0..before_signature(&text.lower))
}

/// How many thresholds a text states (`BMI > 30`, `HADS-A >= 11`, `<= 7
/// days`): the mark of a guideline, a protocol or a study. Two or more
/// count as one general cue in [`general_text`]. A comparator that opens
/// a line is a quote marker, not a threshold.
fn thresholds(original: &str) -> usize {
    // < > and the first byte of ≤ ≥.
    if !original.bytes().any(|b| matches!(b, b'<' | b'>' | 0xE2)) {
        return 0;
    }
    original
        .lines()
        .map(|line| {
            let body = line.trim_start_matches(|c: char| c == '>' || c.is_whitespace());
            body.match_indices(['<', '>', '≤', '≥'])
                .filter(|&(i, c)| {
                    let rest = body[i + c.len()..].trim_start_matches('=').trim_start();
                    rest.starts_with(|d: char| d.is_ascii_digit())
                })
                .count()
        })
        .sum()
}

/// Whether a text is a form not yet filled in: three or more lines whose
/// label is followed by nothing but a blank to write on (`Naam:
/// ........`, `BSN: ______`, `Geboortedatum: [ ]`), more than twice as
/// many as labels with a value. What such a form asks about is about no
/// one yet; a form partly filled in is about someone.
pub fn blank_form(original: &str) -> bool {
    let blank = |value: &str| {
        let v = value.trim();
        v.len() >= 3
            && v.chars()
                .all(|c| matches!(c, '.' | '_' | '…' | ' ' | '-' | '[' | ']' | '(' | ')'))
    };
    // A blank to write on (three or more of `. _ … - [ ] ( )` and
    // spaces) holds one of these pairs, or is an empty table cell.
    if ![
        "..", ". .", "__", "_ _", "…", "--", "- -", "[", "( ", "()", "(.", "(_", "(-", "\t",
    ]
    .iter()
    .any(|b| original.contains(b))
    {
        return false;
    }
    let (mut blanks, mut filled) = (0usize, 0usize);
    for line in original.lines() {
        // `Label: value`, or a table row `Label<TAB>value` (a form in a
        // Word table): an empty cell is a blank too, unless the label
        // names someone (a list of people with empty columns to fill).
        let (label, value, cell) = match line.split_once(':') {
            Some((label, value)) => (label, value, false),
            None => match line.split_once('\t') {
                Some((label, value)) => (label, value, true),
                None => continue,
            },
        };
        let label = label.trim();
        if label.is_empty() || label.len() > 40 || !label.chars().any(char::is_alphabetic) {
            continue;
        }
        let empty_cell = cell && value.trim().is_empty();
        if blank(value) || empty_cell && !private_name_in(label, 0..label.len()) {
            blanks += 1;
        } else if value.chars().any(char::is_alphanumeric) {
            filled += 1;
        }
    }
    blanks >= 3 && blanks > 2 * filled
}

/// How a term at `start..end` stands towards a person, for
/// [`person_score`]: the person cues within about 100 bytes before and 80
/// after, and whether a general or organisational cue (`general`, from
/// [`GENERAL_CUES`]) caps it. A general cue within 200 bytes caps it,
/// except when the term's own clause holds no general cue itself and names
/// a particular person or holds a strong person cue: "Dhr. Verhoef is
/// kaderlid van de vakbond" stays about him even when the next sentence
/// speaks of the CAO. With `named_wins` a private person named in the
/// clause is enough, whatever general word stands beside it.
fn about_person(
    person: &PersonIndex,
    general: &[(usize, usize)],
    original: &str,
    start: usize,
    end: usize,
    named_wins: bool,
) -> (PersonContext, bool) {
    let ctx = person.around(original, start, end, 100, 80);
    if !near(general, start, end, 200, 200) {
        // A clause that introduces a list of people speaks of them, however
        // long it is ("... van de volgende medewerkers, die ...:\n- J. Evers").
        let listed = !ctx.strong
            && original.as_bytes()[end..(end + 300).min(original.len())].contains(&b':')
            && lists_people(original, clause(original, start, end, 300).end);
        return (
            PersonContext {
                strong: ctx.strong || listed,
                weak: ctx.weak,
            },
            false,
        );
    }
    let own = clause(original, start, end, 300);
    let general_in_clause = near(general, start, end, start - own.start, own.end - end);
    // With `named_wins`, a private person named in the term's own clause
    // outweighs a general word beside it.
    let named = person.names_someone(original, own.clone(), start, end);
    if (named && (named_wins || !general_in_clause))
        || (!general_in_clause && lists_people(original, own.end))
    {
        return (
            PersonContext {
                strong: true,
                weak: ctx.weak,
            },
            false,
        );
    }
    // A particular person spoken of in the term's own clause ("er is een
    // urineweginfectie vastgesteld waarvoor zij nitrofurantoïne krijgt")
    // outweighs a general word in the next sentence ("gemiddeld 14
    // mmol/l" of the same person).
    let strong_in_clause = near(&person.strong, start, end, start - own.start, own.end - end);
    (ctx, general_in_clause || !strong_in_clause)
}

/// Whether one text is general ([`general_text`], by the cues of
/// `cues`), worked out on first use and at most once per text however many
/// terms ask.
pub struct GeneralText<'d> {
    cues: &'d Dictionary,
    known: std::cell::OnceCell<bool>,
}

impl<'d> GeneralText<'d> {
    /// Nothing worked out yet.
    pub fn new(cues: &'d Dictionary) -> GeneralText<'d> {
        GeneralText {
            cues,
            known: std::cell::OnceCell::new(),
        }
    }

    /// Whether `text` is general.
    pub fn get(&self, text: &Text<'_>) -> bool {
        *self.known.get_or_init(|| {
            general_text(text.original, &self.cues.positions_in(text)) || declared_anonymous(text)
        })
    }
}

/// How the terms of one text stand towards a person, for the "about a
/// person" detectors (health, special category): the person cues are
/// indexed on the first term asked about, once per text.
pub struct AboutPerson<'d, 't, 'a> {
    text: &'t Text<'a>,
    person_cues: &'d PersonCues,
    general_cues: &'d Dictionary,
    /// Whether a private person named in a term's clause outweighs a
    /// general word in that clause (see [`AboutPerson::named_outweighs_general`]).
    named_wins: bool,
    person: std::cell::OnceCell<PersonIndex>,
    whole: GeneralText<'d>,
}

impl<'d, 't, 'a> AboutPerson<'d, 't, 'a> {
    /// Nothing looked at yet; `general_cues` is the [`GENERAL_CUES`] list.
    pub fn new(
        text: &'t Text<'a>,
        person_cues: &'d PersonCues,
        general_cues: &'d Dictionary,
    ) -> AboutPerson<'d, 't, 'a> {
        AboutPerson {
            text,
            person_cues,
            general_cues,
            named_wins: false,
            person: std::cell::OnceCell::new(),
            whole: GeneralText::new(general_cues),
        }
    }

    /// The person context of the term at `start..end` and whether a general
    /// context caps it, for [`person_score`]: as `about_person` says, and
    /// in a general text ([`general_text`]) every term its own clause does
    /// not tie to a particular person by name.
    /// A private person named in a term's own clause outweighs a general
    /// word in that clause: "volgens het protocol meld ik: mevrouw Jansen
    /// heeft een heupfractuur" is about her. For health, where protocol
    /// and guideline words stand in reports about someone; not for the
    /// special categories, where "mevrouw Jansen leidt de
    /// cao-onderhandelingen met de vakbond" speaks of her work.
    pub fn named_outweighs_general(mut self) -> Self {
        self.named_wins = true;
        self
    }

    /// Whether the text holds any general or organisational cue
    /// ([`GENERAL_CUES`]), wherever it stands.
    pub fn any_general_cue(&self) -> bool {
        !self.general_cues.positions_in(self.text).is_empty()
    }

    pub fn at(&self, start: usize, end: usize) -> (PersonContext, bool) {
        let text = self.text;
        let person = self.person.get_or_init(|| self.person_cues.index_in(text));
        let general = self.general_cues.positions_in(text);
        let (mut ctx, capped) =
            about_person(person, &general, text.original, start, end, self.named_wins);
        // "je oxazepam", "jouw uitslag": the informal possessive right
        // before the term is the reader's, as "your" and "uw" are (which
        // the weak cues hold; "je" alone is too often anyone's).
        ctx.weak |= informal_possessive_before(&text.lower, start);
        let capped = capped
            || (self.whole.get(text)
                && !person.names_someone(
                    text.original,
                    clause(text.original, start, end, 300),
                    start,
                    end,
                ));
        (ctx, capped)
    }
}

/// Whether `jouw`, or `je` as a possessive, stands right before `start` in
/// `lower` ("jouw uitslag", "(je oxazepam", "met je behandelaar", "- Je
/// diabetes is ..."). `je` is also the subject ("Heb je diabetes?" in a
/// leaflet), so it counts only where a clause opens (a line, a bullet, a
/// sentence, a bracket) or after a preposition.
fn informal_possessive_before(lower: &str, start: usize) -> bool {
    const PREPOSITIONS: &[&str] = &[
        "met", "van", "voor", "bij", "over", "op", "in", "aan", "na", "tot", "door", "om", "uit",
        "zonder", "tegen", "naast", "onder",
    ];
    let Some((word, rest)) = word_before(lower, start) else {
        return false;
    };
    match word {
        "jouw" => true,
        "je" => {
            let opening = rest.trim_end_matches([' ', '\t', '-', '*', '•']);
            opening.is_empty()
                || opening.ends_with(['(', '\n', '.', '!', '?', ':'])
                || word_before(rest, rest.len()).is_some_and(|(w, _)| PREPOSITIONS.contains(&w))
        }
        _ => false,
    }
}

/// The word of ASCII letters that ends one space before `start` in `lower`,
/// and the text before that word; `None` when no single space stands
/// there. ("(je oxazepam": the word before `oxazepam` is `je`.)
pub(crate) fn word_before(lower: &str, start: usize) -> Option<(&str, &str)> {
    let before = lower[..start].strip_suffix(' ')?;
    let letters = before
        .chars()
        .rev()
        .take_while(char::is_ascii_alphabetic)
        .count();
    let (rest, word) = before.split_at(before.len() - letters);
    Some((word, rest))
}

/// The scoring scheme shared by the "about a person" detectors (health,
/// special category): the term's base confidence (below 0.5: a term alone
/// is not enough), plus 0.4 with a strong person cue or 0.2 with only a
/// weak one, capped at 0.95; a general or organisational context (campaign,
/// newsletter, vacancy, statistics, software) caps it at 0.2, below the
/// policy threshold of 0.5, whatever the person cues.
pub fn person_score(base: f32, ctx: PersonContext, general: bool) -> f32 {
    let mut c = base;
    if ctx.strong {
        c += 0.4;
    } else if ctx.weak {
        c += 0.2;
    }
    if general {
        c = c.min(0.2);
    }
    c.min(0.95)
}

/// Words that mark a general or organisational text rather than one about a
/// person: campaigns, newsletters, vacancies, statistics, software, policy.
pub const GENERAL_CUES: &[&str] = &[
    "week van de",
    "week of the",
    "dag van de",
    "campagne*",
    "campaign*",
    "alle medewerkers",
    "alle collega's",
    "all staff",
    "all employees",
    "iedere medewerker",
    "elke medewerker",
    "every employee",
    "vacature*",
    "vacancy",
    "vacancies",
    "we zoeken",
    "wij zoeken",
    "we are looking",
    "we're hiring",
    "hiring",
    "sollicit*",
    "nieuwsbrief*",
    "newsletter*",
    "ziekteverzuim*",
    "verzuimcijfer*",
    "verzuimpercentage*",
    "statistiek*",
    "statistics",
    "gemiddeld",
    "on average",
    "mediaan",
    "median",
    "cohort*",
    "per team",
    "per locatie",
    "per location",
    "prevalentie",
    "prevalence",
    "incidentie",
    "incidence",
    "scholing*",
    "nascholing*",
    "bijscholing*",
    "accreditatie*",
    "accreditation",
    "opleiding*",
    "workshop*",
    "richtlijn*",
    "guideline*",
    "werkinstructie*",
    "handreiking*",
    "*voorraad*",
    "bestellijst*",
    "in stock",
    "out of stock",
    "zorgpad*",
    "verwijspad*",
    "care pathway*",
    "doelgroep*",
    "target group*",
    "geaggregeerd*",
    "aggregated",
    "sjabloon*",
    "template*",
    "werkafspraken",
    "protocol*",
    "work instruction*",
    "kwaliteitsrapport*",
    "quality report*",
    "formularium*",
    "formulary",
    // Anonymity is not here: a text that says it is anonymous is general
    // only when it names no one (`declared_anonymous`); "anonieme melding
    // over Piet Bakker" is about him.
    "procent",
    "percent",
    "server*",
    "bug",
    "bugs",
    "software",
    "applicatie",
    "systeem",
    "health check*",
    "healthcheck*",
    "webinar*",
    "congres*",
    "symposium",
    "voorlichting*",
    "awareness",
    "lezing",
    "e-learning",
    "onderzoekers",
    "researchers",
    "landelijk*",
    "wereldwijd",
    "worldwide",
    "nationwide",
    "mensen met",
    "people with",
    "patiënten met",
    "patients with",
    "cliënten met",
    "clienten met",
    "clients with",
    "bewoners met",
    "residents with",
    "kinderen met",
    "children with",
    "jongeren met",
    "patiëntenvereniging",
    "fonds",
    "collecte",
    "donatie*",
    "donate",
    "griepprik*",
    "flu shot*",
    "flu jab*",
    "beleid*",
    "policy",
    "policies",
    "diversiteit*",
    "diversity",
    "inclusie*",
    "inclusion",
    "cao",
    "onderhandel*",
    "negotiat*",
    "verkiezing*",
    "election*",
    "persbericht",
    "press release",
    // A news item, not news: "helaas geen goed nieuws", "not the news you
    // were hoping for" is said to someone about their own results.
    "nieuwsbericht*",
    "nieuwsitem*",
    "in het nieuws",
    "news item*",
    "in the news",
    "artikel",
    "article",
];

/// Labels that say a number is something else than personal data (an order,
/// an invoice, a customer or case reference). A number right after one of
/// these is not reported as a BSN or a phone number.
pub static OTHER_NUMBER_LABELS: std::sync::LazyLock<Labels> =
    std::sync::LazyLock::new(|| Labels::new(OTHER_NUMBER_WORDS));

/// The words of [`OTHER_NUMBER_LABELS`].
const OTHER_NUMBER_WORDS: &[&str] = &[
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

/// The end of the word (ASCII letters) that starts at `start`.
pub fn word_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
        i += 1;
    }
    i
}

/// Whether `bytes[start..end]` stands alone as a word: no letter or digit
/// right before or after.
pub fn is_word(bytes: &[u8], start: usize, end: usize) -> bool {
    (start == 0 || !bytes[start - 1].is_ascii_alphanumeric())
        && bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_digit_agrees_with_a_plain_scan() {
        let texts = [
            "",
            "abc",
            "abcdefghijklmnop9",
            "héé/:;@[`{~ 0",
            "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
            "/:/:/:/:/:/:/:/:5",
            "ÿÿÿÿÿÿÿÿÿÿÿÿ1",
        ];
        for t in texts {
            let b = t.as_bytes();
            for from in 0..=b.len() {
                let want = b[from..]
                    .iter()
                    .position(u8::is_ascii_digit)
                    .map(|p| p + from);
                assert_eq!(find_digit(b, from), want, "{t:?} from {from}");
            }
        }
    }

    #[test]
    fn stated_thresholds_are_counted_but_quote_markers_are_not() {
        assert_eq!(
            thresholds("gewichtsreductie bij BMI > 30\nbij BMI > 40 verwijzen"),
            2
        );
        assert_eq!(thresholds("Bij HADS-A >= 11 of <= 7 days"), 2);
        assert_eq!(thresholds("> 2024 was een goed jaar\n>> 12 dagen"), 0);
        assert_eq!(thresholds("de pijl -> 3 en a<b"), 1);
    }

    #[test]
    fn blank_forms_are_told_from_filled_ones() {
        assert!(blank_form(
            "1. Gegevens\nNaam: ..........\nBurgerservicenummer: ______\nGeboortedatum: ....\nBegeleiding / dagbesteding"
        ));
        assert!(!blank_form(
            "Naam: Jan de Vries\nBSN: 123456782\nGeboortedatum: 01-02-1960\nIndicatie: dagbesteding"
        ));
        assert!(!blank_form("Naam: ....\nVerder niets."));
        // A form laid out as a Word table: labels before empty cells.
        assert!(blank_form(
            "Aanvraag medicatiebeoordeling\nNaam patiënt\t\nGeboortedatum\t\nBSN\t\nHuisarts / POH\t\nBepaling\tWaarde\tDatum\neGFR\t\t\nHbA1c\t\t"
        ));
        assert!(!blank_form(
            "Naam patiënt\tJan de Vries\nGeboortedatum\t01-02-1960\nBSN\t123456782\nHuisarts\t\neGFR\t48\t\n"
        ));
        // People in the first column, columns still to fill: a list of them.
        assert!(!blank_form(
            "Aanwezig\nJan de Vries\t\t\nPiet Bakker\t\t\nAnna Smit\t\t\n"
        ));
        // Partly filled in: about someone.
        assert!(!blank_form(
            "Naam: Jan de Vries\nBSN: 123456782\nTelefoon: ....\nE-mail: ....\nHuisarts: ...."
        ));
    }

    #[test]
    fn clauses_end_at_sentences_not_at_abbreviations() {
        let s = "Intro. Dhr. Verhoef is lid van de FNV; hij noemt de cao. Daarna iets.";
        let at = s.find("FNV").unwrap();
        assert_eq!(
            &s[clause(s, at, at + 3, 300)],
            " Dhr. Verhoef is lid van de FNV"
        );
        let list = "Wij vragen:\n- J. Evers, lid\n- S. Koster, lid\n";
        let at = list.find("Koster").unwrap();
        assert_eq!(&list[clause(list, at, at + 6, 300)], "- S. Koster, lid");
        let fnv = s.find("FNV").unwrap();
        assert!(names_someone(s, clause(s, fnv, fnv + 3, 300), fnv, fnv + 3));
        let plain = "De vakbond onderhandelt. Over de cao.";
        let at = plain.find("vakbond").unwrap();
        assert!(!names_someone(
            plain,
            clause(plain, at, at + 7, 300),
            at,
            at + 7
        ));
    }

    #[test]
    fn digit_runs_and_groups() {
        let b = b"tel 06-1234 5678 en 1234.56.782.";
        let runs: Vec<_> = digit_runs(b).collect();
        assert_eq!(runs[0], 4..6);
        let g = digit_groups(b, 20, b" .-", 8);
        assert_eq!(g.lens(), &[4, 2, 3]);
        assert_eq!(g.sep, Some(b'.'));
        assert_eq!(g.end, 31);
        assert!(!joined_after(b, g.end, b"."));
        let g = digit_groups(b, 4, b" -", 8);
        assert_eq!(g.lens(), &[2, 4]);
    }

    #[test]
    fn iban_prefix_is_recognised() {
        let b = b"NL91 ABNA 0417 1643 00";
        assert!(after_iban_prefix(b, 10));
        assert!(after_iban_prefix(b, 15));
        assert!(!after_iban_prefix(b"bel ons 0201234567", 8));
    }

    #[test]
    fn closest_label_wins() {
        let lower = "bsn onbekend, bestelnummer 100000009";
        assert_eq!(
            closest_label(
                lower,
                27,
                40,
                &Labels::new(&["bsn"]),
                &Labels::new(&["bestelnummer"])
            ),
            Some(false)
        );
        assert_eq!(
            closest_label(
                "bsn: 1",
                5,
                40,
                &Labels::new(&["bsn"]),
                &Labels::new(&["order"])
            ),
            Some(true)
        );
    }

    #[test]
    fn window_respects_char_boundaries() {
        let text = "één twee drie";
        let w = window(text, 5, 9, 3, 3);
        assert!(text.contains(w));
    }

    #[test]
    fn near_any_finds_context_word() {
        let lower = "het bsn van de client is 123456782";
        assert!(near_any(lower, 25, 34, 30, &Labels::new(&["bsn"])));
        assert!(!near_any(lower, 25, 34, 5, &Labels::new(&["bsn"])));
    }
}
