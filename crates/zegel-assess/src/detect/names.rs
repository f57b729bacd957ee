//! The name lists (from Faker, MIT; see `resources/names/SOURCE.md`), loaded
//! once, and the small word lists that go with them: tussenvoegsels, titles,
//! and names that are also ordinary words.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// FNV-1a: a few instructions per byte, against some hundred for the
/// default SipHash on these short words. The keys are fixed word lists, so
/// hash flooding is no concern.
#[derive(Debug, Clone, Copy)]
pub struct FnvHasher(u64);

impl Default for FnvHasher {
    fn default() -> Self {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Hash-map state for short-word keys (see [`FnvHasher`]).
pub type Fnv = BuildHasherDefault<FnvHasher>;

/// A set of words, for membership tests on the hot path of name detection
/// (a linear `contains` over a list of a hundred words costs hundreds of
/// instructions per lookup).
#[derive(Debug, Clone, Default)]
pub struct WordSet(HashSet<&'static str, Fnv>);

impl WordSet {
    /// The set of `words`.
    pub fn new(words: &[&'static str]) -> WordSet {
        WordSet(words.iter().copied().collect())
    }
    /// Whether `word` is in the set.
    pub fn contains(&self, word: &str) -> bool {
        self.0.contains(word)
    }
}

/// First names, one per line (capitalised).
pub const FIRST_NAMES: &str = include_str!("../../resources/names/first_names.txt");
/// Surnames without tussenvoegsels, one per line (capitalised).
pub const LAST_NAMES: &str = include_str!("../../resources/names/last_names.txt");

/// Particles between first name and surname (lowercase).
pub const TUSSENVOEGSELS: &[&str] = &[
    "van", "de", "der", "den", "het", "'t", "ter", "ten", "te", "in", "op", "la", "le", "du", "di",
    "da", "von", "vander", "'s", "uit", "aan", "d'",
];

/// Titles and forms of address before a name (lowercase, without the dot).
pub const TITLES: &[&str] = &[
    "dhr", "mevr", "mw", "mr", "mrs", "ms", "miss", "dr", "drs", "ir", "ing", "prof", "mevrouw",
    "meneer", "heer", "mister", "sir", "madam",
];

/// Names in the lists that are also ordinary Dutch or English words, months
/// or days: alone they are not taken for a name; they need a second signal.
pub const AMBIGUOUS: &[&str] = &[
    // Dutch words
    "bos",
    "roos",
    "van",
    "ben",
    "bas",
    "els",
    "job",
    "max",
    "jong",
    "groot",
    "klein",
    "bakker",
    "visser",
    "smit",
    "meer",
    "berg",
    "dam",
    "boer",
    "brink",
    "haan",
    "hoek",
    "kok",
    "kramer",
    "koster",
    "lange",
    "mol",
    "post",
    "prins",
    "vos",
    "wit",
    "zwart",
    "bruin",
    "graaf",
    "bloem",
    "iris",
    "mees",
    "wolf",
    "storm",
    "lot",
    "sterk",
    "lief",
    "haag",
    "noord",
    "zuid",
    "oost",
    "west",
    "blok",
    "boom",
    "veld",
    "water",
    "kerk",
    "beek",
    "hof",
    "laan",
    "linde",
    "winter",
    "zomer",
    "lente",
    "vink",
    "kuiper",
    "schipper",
    "molenaar",
    "snijder",
    "rood",
    "best",
    "vlas",
    "ploeg",
    "hart",
    "man",
    "bond",
    "koning",
    "keizer",
    "paus",
    "baas",
    "beer",
    "hals",
    "kroon",
    "hoop",
    "lucht",
    // English words
    "mark",
    "will",
    "may",
    "june",
    "april",
    "august",
    "hope",
    "faith",
    "grace",
    "joy",
    "rose",
    "lily",
    "daisy",
    "summer",
    "dawn",
    "bill",
    "sunny",
    "guy",
    "art",
    "case",
    "dean",
    "drew",
    "earl",
    "frank",
    "gay",
    "glen",
    "grant",
    "hunter",
    "ivy",
    "jack",
    "king",
    "lane",
    "major",
    "mason",
    "miles",
    "page",
    "pat",
    "price",
    "ray",
    "reed",
    "rich",
    "rock",
    "sandy",
    "sky",
    "stone",
    "young",
    "cook",
    "baker",
    "black",
    "white",
    "brown",
    "green",
    "gray",
    "grey",
    "hill",
    "wood",
    "woods",
    "long",
    "short",
    "little",
    "small",
    "bell",
    "moon",
    "star",
    "day",
    "fox",
    "rob",
    "sue",
    "don",
    "gene",
    "chase",
    "chance",
    "jade",
    "amber",
    "crystal",
    "ruby",
    "pearl",
    "holly",
    "heather",
    "olive",
    "ginger",
    "autumn",
    "eve",
    "violet",
    "fern",
    "hazel",
    "brook",
    "river",
    "rain",
    "misty",
    "honey",
    "candy",
    "cherry",
    "christian",
    "noble",
    "royal",
    "wade",
    "ward",
    "walker",
    "penny",
    "bishop",
    "church",
    "field",
    "ford",
    "hall",
    "house",
    "lord",
    "love",
    "marsh",
    "mill",
    "miller",
    "park",
    "pope",
    "rice",
    "rose",
    "ross",
    "shaw",
    "sharp",
    "wells",
    "west",
    "wise",
    "good",
    "land",
    "lee",
    "north",
    "south",
    "east",
    "carter",
    "cole",
    "booth",
    "burns",
    "cross",
    "dale",
    "fisher",
    "gardner",
    "golden",
    "hunt",
    "knight",
    "lamb",
    "mann",
    "marshall",
    "mayer",
    "nash",
    "page",
    "potter",
    "powell",
    "quinn",
    "rivers",
    "rogers",
    "sawyer",
    "sims",
    "stark",
    "steel",
    "stewart",
    "sweet",
    "swift",
    "tanner",
    "turner",
    "vale",
    "weaver",
    "webb",
    "wolfe",
    "worth",
    // months and days, Dutch and English
    "januari",
    "februari",
    "maart",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
    "january",
    "february",
    "march",
    "july",
    "october",
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    // Peoples, languages and regions written with a capital ("close to the
    // German border", "English and French", "Noord-Holland", "Limburg").
    "german",
    "english",
    "french",
    "dutch",
    "roman",
    "holland",
    "limburg",
    "brabant",
    "zeeland",
    "friesland",
];

struct Lists {
    first: HashSet<String, Fnv>,
    last: HashSet<String, Fnv>,
    ambiguous: WordSet,
    titles: WordSet,
    tussenvoegsels: WordSet,
}

fn lists() -> &'static Lists {
    static LISTS: OnceLock<Lists> = OnceLock::new();
    LISTS.get_or_init(|| Lists {
        first: lines(FIRST_NAMES).map(str::to_lowercase).collect(),
        last: lines(LAST_NAMES).map(str::to_lowercase).collect(),
        ambiguous: WordSet::new(AMBIGUOUS),
        titles: WordSet::new(TITLES),
        tussenvoegsels: WordSet::new(TUSSENVOEGSELS),
    })
}

/// The non-empty trimmed lines of an embedded list.
pub fn lines(list: &'static str) -> impl Iterator<Item = &'static str> {
    list.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// Calls `f` with `word` in lowercase, without allocating for the short
/// ASCII words names are (a per-word `to_lowercase` was a measurable part
/// of reading a PII-dense text).
pub fn with_lowercase<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 32];
    if word.len() <= buf.len() && word.is_ascii() {
        let b = &mut buf[..word.len()];
        b.copy_from_slice(word.as_bytes());
        b.make_ascii_lowercase();
        f(std::str::from_utf8(b).unwrap_or_default())
    } else {
        f(&word.to_lowercase())
    }
}

/// Whether `lower` (a lowercase word) is a known first name.
pub fn is_first_name(lower: &str) -> bool {
    lists().first.contains(lower)
}

/// Whether `lower` (a lowercase word) is a known surname.
pub fn is_last_name(lower: &str) -> bool {
    lists().last.contains(lower)
}

/// Whether `lower` (a lowercase word) is also an ordinary word, month or day.
pub fn is_ambiguous(lower: &str) -> bool {
    lists().ambiguous.contains(lower)
}

/// Whether `lower` is one of [`TITLES`].
pub fn is_title(lower: &str) -> bool {
    // Most words asked about are longer than any title: no hashing.
    lower.len() <= LONGEST_TITLE && lists().titles.contains(lower)
}

/// The length in bytes of the longest of [`TITLES`] (`mevrouw`, `mister`).
const LONGEST_TITLE: usize = 7;

/// The length in bytes of the longest of [`TUSSENVOEGSELS`] (`vander`).
const LONGEST_TUSSENVOEGSEL: usize = 6;

/// Whether `lower` is one of [`TUSSENVOEGSELS`].
pub fn is_tussenvoegsel(lower: &str) -> bool {
    lower.len() <= LONGEST_TUSSENVOEGSEL && lists().tussenvoegsels.contains(lower)
}

/// The first-name and surname lists, lowercase, as one map from name to
/// `first | last << 1` (bit 0: a first name, bit 1: a surname).
pub fn name_flags() -> HashMap<String, u8, Fnv> {
    let mut map: HashMap<String, u8, Fnv> = HashMap::default();
    for n in lines(FIRST_NAMES) {
        *map.entry(n.to_lowercase()).or_default() |= 1;
    }
    for n in lines(LAST_NAMES) {
        *map.entry(n.to_lowercase()).or_default() |= 2;
    }
    map
}

/// Whether `word` is written as a name: a capital, then at least one
/// lowercase letter (not `GGZ`, not `x`).
pub fn is_capitalised(word: &str) -> bool {
    let mut chars = word.chars();
    matches!(chars.next(), Some(c) if c.is_uppercase()) && chars.any(|c| c.is_lowercase())
}

/// Whether `text` (original case) holds a capitalised known first name or
/// surname that is not also an ordinary word, or an initial followed by a
/// capitalised word (`J. Jansen`): a cheap "a person is named here" cue.
pub fn mentions_name(text: &str) -> bool {
    let mut prev_initial = false;
    for word in text.split(|c: char| !(c.is_alphanumeric() || c == '.' || c == '\'')) {
        let w = word.trim_matches(|c| c == '.' || c == '\'');
        if w.is_empty() {
            continue;
        }
        let is_initial =
            w.len() == 1 && w.as_bytes()[0].is_ascii_uppercase() && word.ends_with('.');
        if prev_initial && is_capitalised(w) {
            return true;
        }
        if is_capitalised(w) {
            let l = w.to_lowercase();
            if (is_first_name(&l) || is_last_name(&l)) && !is_ambiguous(&l) {
                return true;
            }
        }
        prev_initial = is_initial;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_length_limits_hold_every_title_and_particle() {
        assert_eq!(TITLES.iter().map(|t| t.len()).max(), Some(LONGEST_TITLE));
        assert_eq!(
            TUSSENVOEGSELS.iter().map(|t| t.len()).max(),
            Some(LONGEST_TUSSENVOEGSEL)
        );
    }

    #[test]
    fn lists_load() {
        assert!(is_first_name("jan"));
        assert!(is_last_name("jansen"));
        assert!(is_last_name("vries"));
        assert!(is_ambiguous("mark"));
        assert!(mentions_name("bij Jansen is"));
        assert!(mentions_name("zorg voor J. Pietersma"));
        assert!(!mentions_name("de server en de GGZ"));
    }
}
