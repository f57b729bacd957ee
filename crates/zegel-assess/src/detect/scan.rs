//! Scans of one [`Text`] that several detectors share, so each byte of a
//! long text is walked once instead of once per keyword list.
//!
//! - Every [`Dictionary`](super::context::Dictionary) gets an id from a
//!   process-wide registry, equal for equal term lists, so the full-text
//!   positions of, say, the person cues are found once per text and reused
//!   by every detector that asks ([`Scans::positions`]).
//! - Dictionaries built with [`Dictionary::shared`](super::context::Dictionary::shared)
//!   are also compiled together into one combined automaton. The first
//!   detector that searches a text runs it once, reporting every
//!   (overlapping) occurrence of every pattern; each dictionary's hits are
//!   then picked from those exactly as its own leftmost-longest search would
//!   pick them ([`leftmost_longest`]).
//!
//! A dictionary compiled after the combined automaton was built for a text
//! is searched on its own: the result is the same, only slower.

use super::context::{Edge, Hit, Positions};
use super::role::PrivateNames;
use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind};
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// How a dictionary's patterns map to its terms: per pattern, the index of
/// the term and how it must stand.
pub(crate) type Meta = Arc<[(usize, Edge)]>;

struct Entry {
    patterns: Vec<String>,
    meta: Meta,
    shared: bool,
}

#[derive(Default)]
struct Registry {
    entries: Vec<Entry>,
    ids: HashMap<Vec<(String, usize, Edge)>, u32>,
    /// The combined automaton over the shared entries, built on first use
    /// and dropped when a new shared entry arrives.
    combined: Option<Arc<Combined>>,
}

fn registry() -> &'static Mutex<Registry> {
    static REGISTRY: OnceLock<Mutex<Registry>> = OnceLock::new();
    REGISTRY.get_or_init(Mutex::default)
}

/// The id of the dictionary with these patterns and meta (registering it
/// if new); `shared` adds it to the combined automaton.
pub(crate) fn register(patterns: &[String], meta: &[(usize, Edge)], shared: bool) -> u32 {
    let key: Vec<(String, usize, Edge)> = patterns
        .iter()
        .zip(meta)
        .map(|(p, &(t, e))| (p.clone(), t, e))
        .collect();
    let mut reg = registry().lock().unwrap_or_else(|e| e.into_inner());
    let id = match reg.ids.get(&key) {
        Some(&id) => id,
        None => {
            let id = u32::try_from(reg.entries.len()).expect("fewer than 2^32 dictionaries");
            reg.entries.push(Entry {
                patterns: patterns.to_vec(),
                meta: meta.into(),
                shared: false,
            });
            reg.ids.insert(key, id);
            id
        }
    };
    if shared && !reg.entries[id as usize].shared {
        reg.entries[id as usize].shared = true;
        reg.combined = None;
    }
    id
}

/// All shared dictionaries in one automaton that reports overlapping
/// matches.
struct Combined {
    dfa: Option<DFA>,
    /// Per combined pattern: the dictionary id and its own pattern index.
    owner: Vec<(u32, u32)>,
    /// Per dictionary id: its meta if it is in this automaton.
    metas: Vec<Option<Meta>>,
}

/// Builds the combined automaton now, so the first text searched does not
/// pay for it.
pub(crate) fn prepare() {
    combined();
}

fn combined() -> Arc<Combined> {
    let mut reg = registry().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(c) = &reg.combined {
        return Arc::clone(c);
    }
    let mut patterns: Vec<&str> = Vec::new();
    let mut owner = Vec::new();
    let mut metas = Vec::with_capacity(reg.entries.len());
    for (id, e) in reg.entries.iter().enumerate() {
        if !e.shared {
            metas.push(None);
            continue;
        }
        for (i, p) in e.patterns.iter().enumerate() {
            patterns.push(p);
            owner.push((id as u32, i as u32));
        }
        metas.push(Some(Arc::clone(&e.meta)));
    }
    // A DFA: a few MB for all term lists together, but the fastest walk.
    // Without a prefilter (prose has too many candidate bytes for one to
    // pay off), only match states are special, which keeps the walk in
    // `SharedHits::new` tight.
    let dfa = (!patterns.is_empty()).then(|| {
        DFA::builder()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(&patterns)
            .expect("combined dictionary compiles")
    });
    let c = Arc::new(Combined { dfa, owner, metas });
    reg.combined = Some(Arc::clone(&c));
    c
}

/// A raw occurrence of a pattern: start, end, pattern index in its
/// dictionary.
type Raw = (usize, usize, u32);

/// The matches a leftmost-longest search reports, picked from all
/// occurrences `raw` (any order): the one that starts first, the longest
/// of those (the lowest pattern index among equal ones), then the same
/// again from its end on.
pub(crate) fn leftmost_longest(raw: &mut [Raw]) -> impl Iterator<Item = Raw> + '_ {
    raw.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    let mut pos = 0;
    raw.iter().copied().filter(move |&(s, e, _)| {
        if s >= pos {
            pos = e;
            true
        } else {
            false
        }
    })
}

/// The hits of every shared dictionary in one text, sorted by dictionary id
/// and then position.
struct SharedHits {
    combined: Arc<Combined>,
    hits: Vec<(u32, Hit)>,
}

impl SharedHits {
    fn new(lower: &str) -> SharedHits {
        let combined = combined();
        let mut raw: Vec<(u32, Raw)> = Vec::new();
        if let Some(dfa) = &combined.dfa {
            // The walk of an overlapping search, written out: one table
            // step per byte, and at a match state every pattern that ends
            // here. (`AhoCorasick::find_overlapping_iter` does the same, at
            // about three times the instructions per byte.)
            let mut sid = dfa.start_state(Anchored::No).expect("unanchored start");
            for (i, &b) in lower.as_bytes().iter().enumerate() {
                sid = dfa.next_state(Anchored::No, sid, b);
                if dfa.is_special(sid) {
                    if dfa.is_dead(sid) {
                        break;
                    }
                    for k in 0..dfa.match_len(sid) {
                        let pid = dfa.match_pattern(sid, k);
                        let (id, p) = combined.owner[pid.as_usize()];
                        raw.push((id, (i + 1 - dfa.pattern_len(pid), i + 1, p)));
                    }
                }
            }
        }
        raw.sort_unstable_by_key(|r| r.0);
        let mut hits = Vec::new();
        for group in raw.chunk_by_mut(|a, b| a.0 == b.0) {
            let id = group[0].0;
            let meta = combined.metas[id as usize]
                .as_ref()
                .expect("hits come from shared dictionaries");
            let mut own: Vec<Raw> = group.iter().map(|r| r.1).collect();
            for (s, e, p) in leftmost_longest(&mut own) {
                let (term, edge) = meta[p as usize];
                if edge.admits(lower, s, e) {
                    hits.push((
                        id,
                        Hit {
                            start: s,
                            end: e,
                            term,
                        },
                    ));
                }
            }
        }
        SharedHits { combined, hits }
    }
}

/// Per-text results shared between detectors (see the module doc).
#[derive(Default)]
pub(crate) struct Scans {
    shared: OnceCell<SharedHits>,
    positions: RefCell<Vec<(u32, Positions)>>,
    /// The private persons' names of each line, found once for every
    /// detector that asks who is named near a term.
    pub(crate) names: std::rc::Rc<PrivateNames>,
}

impl std::fmt::Debug for Scans {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scans")
    }
}

impl Scans {
    /// The hits of shared dictionary `id` in `lower` (the text these scans
    /// belong to), or `None` when it is not in the combined automaton.
    pub(crate) fn shared_hits(
        &self,
        id: u32,
        lower: &str,
    ) -> Option<impl Iterator<Item = Hit> + '_> {
        let s = self.shared.get_or_init(|| SharedHits::new(lower));
        s.combined.metas.get(id as usize)?.as_ref()?;
        let from = s.hits.partition_point(|h| h.0 < id);
        let to = s.hits.partition_point(|h| h.0 <= id);
        Some(s.hits[from..to].iter().map(|h| h.1))
    }

    /// The positions of dictionary `id`, computed by `compute` the first
    /// time they are asked for.
    pub(crate) fn positions(
        &self,
        id: u32,
        compute: impl FnOnce() -> Vec<(usize, usize)>,
    ) -> Positions {
        if let Some((_, p)) = self.positions.borrow().iter().find(|(i, _)| *i == id) {
            return Arc::clone(p);
        }
        let p = Arc::new(compute());
        self.positions.borrow_mut().push((id, Arc::clone(&p)));
        p
    }
}

#[cfg(test)]
mod tests {
    use crate::detect::context::{Dictionary, GENERAL_CUES};
    use crate::detect::Text;
    use proptest::prelude::*;

    /// Overlapping terms, compounds both ways, accents, hyphens and a
    /// duplicate, so leftmost-longest has choices to make.
    const TERMS: &[&str] = &[
        "ab", "abc", "bcd", "b", "cd*", "*de", "cliënt", "x-y", "ab", "a b", "bc d*", "dd", "ddd",
    ];

    fn both_ways(d: &Dictionary, s: &str) {
        let text = Text::new(s);
        let mut own = Vec::new();
        d.find(&text.lower, |h| own.push(h));
        let mut shared = Vec::new();
        d.find_in(&text, |h| shared.push(h));
        assert_eq!(own, shared, "{s:?}");
    }

    #[test]
    fn the_combined_scan_finds_what_each_dictionary_finds() {
        let terms = Dictionary::shared(TERMS);
        let general = Dictionary::shared(GENERAL_CUES);
        for s in [
            "",
            "abcd abc ab b bcd cde xde x-y x y client cliënt dddd ddd dd",
            "Alle medewerkers: de campagne over ziekteverzuim-cijfers, news en nieuws",
            "abcdeabcdebcd dddddd a b c d bc de",
        ] {
            both_ways(&terms, s);
            both_ways(&general, s);
        }
    }

    proptest! {
        #[test]
        fn combined_and_own_scans_agree(s in "[abcdexy ë-]{0,60}") {
            both_ways(&Dictionary::shared(TERMS), &s);
        }
    }
}
