//! Runs every detector over a text of any length in bounded memory.
//!
//! A long text (a 16 MB CSV) is read in windows of about [`WINDOW`] bytes,
//! cut at line ends where possible. Each window is widened by [`MARGIN`]
//! bytes on both sides, so detectors still see the context around a match
//! (their context reaches a few hundred bytes), and a match counts only in
//! the window where it starts, so nothing is found twice. Only one window's
//! lowercase copy and matches are in memory at a time, and each detector
//! keeps at most `max` matches for the whole text: the most confident.

use super::{Detector, Text};
use crate::finding::Match;
use std::ops::Range;

/// Bytes of text each window owns.
pub const WINDOW: usize = 1 << 20;
/// Bytes of context added on each side of a window.
pub const MARGIN: usize = 4096;

/// Runs `detectors` over `text` window by window and returns, per detector
/// (in the order given), at most `max` matches in text order, with spans
/// relative to `text`.
pub fn detect_windowed(detectors: &[Box<dyn Detector>], text: &str, max: usize) -> Vec<Vec<Match>> {
    detect_windowed_as(detectors, text, max, false)
}

/// [`detect_windowed`], saying whether `text` is quoted or forwarded
/// history ([`Text::quoted`]).
pub fn detect_windowed_as(
    detectors: &[Box<dyn Detector>],
    text: &str,
    max: usize,
    quoted: bool,
) -> Vec<Vec<Match>> {
    let mut kept: Vec<Vec<Match>> = detectors.iter().map(|_| Vec::new()).collect();
    let mut matches = Vec::new();
    for owned in windows(text) {
        let start = floor_boundary(text, owned.start.saturating_sub(MARGIN));
        let end = ceil_boundary(text, owned.end.saturating_add(MARGIN));
        let window = if quoted {
            Text::quoted(&text[start..end])
        } else {
            Text::new(&text[start..end])
        };
        for (detector, kept) in detectors.iter().zip(&mut kept) {
            matches.clear();
            detector.detect(&window, &mut matches);
            for mut m in matches.drain(..) {
                m.span = m.span.start + start..m.span.end + start;
                if owned.contains(&m.span.start) {
                    kept.push(m);
                }
            }
            if kept.len() > 2 * max {
                keep_most_confident(kept, max);
            }
        }
    }
    for kept in &mut kept {
        keep_most_confident(kept, max);
    }
    kept
}

/// Keeps the `max` most confident matches (ties: the earliest), in text order.
pub fn keep_most_confident(matches: &mut Vec<Match>, max: usize) {
    if matches.len() <= max {
        return;
    }
    matches.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then(a.span.start.cmp(&b.span.start))
    });
    matches.truncate(max);
    matches.sort_by_key(|m| m.span.start);
}

/// The owned ranges: about [`WINDOW`] bytes each, ending after a line end in
/// the last quarter of the window when there is one, else at a char boundary.
fn windows(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let mut end = (start + WINDOW).min(bytes.len());
        if end < bytes.len() {
            let from = start + WINDOW * 3 / 4;
            end = match memchr::memrchr(b'\n', &bytes[from..end]) {
                Some(p) => from + p + 1,
                None => floor_boundary(text, end).max(start + 1),
            };
            end = ceil_boundary(text, end);
        }
        out.push(start..end);
        start = end;
    }
    out
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::all_detectors;
    use crate::finding::FindingKind;

    fn spans(found: &[Vec<Match>], kind: FindingKind) -> Vec<Range<usize>> {
        found
            .iter()
            .flatten()
            .filter(|m| m.kind == kind)
            .map(|m| m.span.clone())
            .collect()
    }

    #[test]
    fn windows_cover_the_text_once_at_line_ends_and_char_boundaries() {
        let line = "Één regel met tekst, ë en ï erin.\n";
        let text = line.repeat(3 * WINDOW / line.len());
        let w = windows(&text);
        assert!(w.len() >= 3);
        assert_eq!(w[0].start, 0);
        assert_eq!(w.last().unwrap().end, text.len());
        for pair in w.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
            assert_eq!(&text[pair[0].end - 1..pair[0].end], "\n");
        }
        let no_lines = "é".repeat(WINDOW);
        for r in windows(&no_lines) {
            assert!(no_lines.is_char_boundary(r.start) && no_lines.is_char_boundary(r.end));
        }
    }

    #[test]
    fn a_long_text_gives_the_same_matches_as_one_scan() {
        // BSNs and credentials at the ends of windows, each found once, with
        // the context before them (the label) still seen.
        let filler = "Wij bespreken de planning van het komende kwartaal.\n";
        let mut text = String::new();
        let mut expected = Vec::new();
        while text.len() < 3 * WINDOW {
            text.push_str(&filler.repeat(WINDOW / filler.len() / 3));
            let at = text.len() + "BSN: ".len();
            text.push_str("BSN: 111222333\n");
            expected.push(at..at + 9);
        }
        let detectors = all_detectors();
        let found = detect_windowed(&detectors, &text, 256);
        assert_eq!(spans(&found, FindingKind::Bsn), expected);

        let short = format!("{}BSN: 111222333\n", filler.repeat(3));
        let one = detect_windowed(&detectors, &short, 256);
        let text = Text::new(&short);
        for (d, got) in detectors.iter().zip(&one) {
            let mut direct = Vec::new();
            d.detect(&text, &mut direct);
            assert_eq!(got, &direct);
        }
    }

    #[test]
    fn many_matches_keep_the_most_confident_in_text_order() {
        let m = |start: usize, confidence: f32| Match {
            kind: FindingKind::PersonName,
            span: start..start + 1,
            excerpt: String::new(),
            confidence,
        };
        let mut matches: Vec<Match> = (0..10).map(|i| m(i, 0.3)).collect();
        matches.push(m(50, 0.9));
        keep_most_confident(&mut matches, 3);
        let starts: Vec<usize> = matches.iter().map(|m| m.span.start).collect();
        assert_eq!(starts, [0, 1, 50]);
    }
}
