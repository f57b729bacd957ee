//! Words and clauses: windows around a match, word and sentence boundaries,
//! wrapped lines, the word before.

use super::*;

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

/// The byte range of the line holding byte `at` of `text`, without its
/// line break (a `\r` before it stays).
pub fn line_around(text: &str, at: usize) -> std::ops::Range<usize> {
    let bytes = text.as_bytes();
    let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |p| p + 1);
    let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |p| at + p);
    start..end
}

/// The lines of `lower` that hold one of `needles`, each once and in
/// order, found by plain (SIMD) searches: a rule that starts from a rare
/// word on its line ("naam" in a table header, "codes:" over a list) looks
/// at those lines only, not at every line of every text.
pub fn lines_holding(lower: &str, needles: &[&str]) -> Vec<std::ops::Range<usize>> {
    let mut lines: Vec<std::ops::Range<usize>> = needles
        .iter()
        .flat_map(|n| memchr::memmem::find_iter(lower.as_bytes(), n.as_bytes()))
        .map(|at| line_around(lower, at))
        .collect();
    lines.sort_unstable_by_key(|l| l.start);
    lines.dedup();
    lines
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
