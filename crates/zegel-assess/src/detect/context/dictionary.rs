//! [`Dictionary`]: a keyword list compiled into one Aho-Corasick automaton,
//! with the word edges its terms need, and [`near`] lookups over its hits.

use super::*;

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
