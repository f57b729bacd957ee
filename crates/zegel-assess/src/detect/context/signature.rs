//! The writer's signature and closing formulas, texts declared anonymous,
//! and blank forms: where a match says nothing about someone.

use super::*;

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
pub(super) fn before_signature(lower: &str) -> usize {
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
pub(super) const ANONYMOUS: &[&str] = &[
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
pub(super) fn declared_anonymous(text: &Text<'_>) -> bool {
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
pub(super) fn thresholds(original: &str) -> usize {
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
    // Check boxes: a box ticked anywhere makes the form a filled one; in a
    // form with nothing filled and nothing ticked, each empty box is a
    // choice not yet made (an empty lab request: "[ ] HbA1c").
    let ticked = ["[x]", "[X]", "☒", "☑", "[v]", "[V]", "✓", "✔", "■"]
        .iter()
        .any(|t| original.contains(t));
    let empty_box = |v: &str| !ticked && (v.contains("[ ]") || v.contains('☐'));
    let (mut blanks, mut filled, mut boxes) = (0usize, 0usize, 0usize);
    for line in original.lines() {
        let t = line.trim_start();
        if empty_box(t) && (t.starts_with("[ ]") || t.starts_with('☐')) {
            boxes += 1;
            continue;
        }
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
        if blank(value) || empty_box(value) || empty_cell && !private_name_in(label, 0..label.len())
        {
            blanks += 1;
        } else if value.chars().any(char::is_alphanumeric) {
            filled += 1;
        }
    }
    // Values written under their labels rather than after a colon are
    // not counted as filled: a private person's name anywhere keeps the
    // boxes from making the form blank.
    if filled == 0 && boxes > 0 && !private_name_in(original, 0..original.len()) {
        blanks += boxes;
    }
    blanks >= 3 && blanks > 2 * filled
}
