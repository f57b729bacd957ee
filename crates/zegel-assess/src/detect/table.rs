//! Tables as text: the rows of a CSV file, a spreadsheet (cells joined by
//! tabs, see `extract::sheet`) or a Word table, one row per line. A column
//! is named by its header, the first row of a run of lines that share the
//! separator, so a cell far below its header ("naam;geboortedatum" over
//! five hundred rows) is still read as what the header says it is.
//!
//! Written by hand: the CSV crates parse a whole file with one known
//! separator, but a detector sees extracted text that may hold several
//! tables with different separators between paragraphs of prose.

use std::ops::Range;

/// The cell separators tried, in order: a tab (spreadsheets, Word tables),
/// then the CSV separators.
const SEPARATORS: &[u8] = b"\t;|,";

/// The separator of `line` as a table row: a tab once, or `;`, `|` or `,`
/// at least twice (one comma is prose).
pub fn separator(line: &str) -> Option<u8> {
    SEPARATORS.iter().copied().find(|&sep| {
        let n = line.bytes().filter(|&b| b == sep).count();
        if sep == b'\t' {
            n >= 1
        } else {
            n >= 2
        }
    })
}

/// The byte ranges of the cells of `line` split at `sep`, each trimmed of
/// spaces and of one pair of double quotes.
pub fn cells(line: &str, sep: u8) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in line
        .bytes()
        .enumerate()
        .chain(std::iter::once((line.len(), sep)))
    {
        if b != sep {
            continue;
        }
        let cell = &line[start..i];
        let lead = cell.len() - cell.trim_start().len();
        let trimmed = cell.trim();
        let (mut s, mut e) = (start + lead, start + lead + trimmed.len());
        if e >= s + 2 && line.as_bytes()[s] == b'"' && line.as_bytes()[e - 1] == b'"' {
            s += 1;
            e -= 1;
        }
        out.push(s..e);
        start = i + 1;
    }
    out
}

/// A cell below a header: where it is in the text, and its column's
/// header text (ASCII-lowercased, as in [`crate::detect::Text::lower`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell<'a> {
    /// The cell's byte range in the text.
    pub span: Range<usize>,
    /// The header of its column.
    pub header: &'a str,
}

/// Every cell of every table in `original` (with `lower` its ASCII
/// lowercase, same byte offsets) that stands below a header cell for which
/// `wanted` holds. A table is a run of two or more lines with the same
/// separator; its first line is the header.
pub fn cells_under<'a>(
    original: &str,
    lower: &'a str,
    wanted: impl Fn(&str) -> bool,
) -> Vec<Cell<'a>> {
    let mut out = Vec::new();
    // The current table: its separator and the wanted columns' headers.
    let mut table: Option<(u8, Vec<(usize, &'a str)>)> = None;
    let mut at = 0;
    for line in original.split('\n') {
        let start = at;
        at += line.len() + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        let sep = separator(line);
        match (&table, sep) {
            (Some((current, columns)), Some(sep)) if *current == sep => {
                for (index, cell) in cells(line, sep).into_iter().enumerate() {
                    if let Some((_, header)) = columns.iter().find(|(c, _)| *c == index) {
                        if !cell.is_empty() {
                            out.push(Cell {
                                span: start + cell.start..start + cell.end,
                                header,
                            });
                        }
                    }
                }
            }
            (_, Some(sep)) => {
                let columns = cells(line, sep)
                    .into_iter()
                    .enumerate()
                    .filter_map(|(index, cell)| {
                        let header = lower.get(start + cell.start..start + cell.end)?;
                        wanted(header).then_some((index, header))
                    })
                    .collect();
                table = Some((sep, columns));
            }
            (_, None) => table = None,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn under(text: &str, word: &str) -> Vec<String> {
        let lower = text.to_ascii_lowercase();
        cells_under(text, &lower, |h| h.contains(word))
            .into_iter()
            .map(|c| text[c.span].to_string())
            .collect()
    }

    #[test]
    fn cells_are_read_under_their_header_however_far_down() {
        let mut csv = String::from("naam;filiaal;geboortedatum;ingangsdatum\n");
        for i in 0..300 {
            csv.push_str(&format!(
                "Naam {i};Centrum;\"2010-03-{:02}\";2027-04-01\n",
                i % 28 + 1
            ));
        }
        let found = under(&csv, "geboorte");
        assert_eq!(found.len(), 300);
        assert_eq!(found[0], "2010-03-01");
        // A spreadsheet: tabs, trailing empty cells trimmed.
        let sheet = "Blad1\nnaam\tgeboortedatum\nJan\t1980-01-02\nPiet\n";
        assert_eq!(under(sheet, "geboorte"), ["1980-01-02"]);
    }

    #[test]
    fn prose_and_other_tables_are_not_a_column() {
        // One comma is prose; a new separator starts a new table.
        let text = "geboortedatum, zie hieronder\n1980-01-02, Jan\n\
                    naam;datum;plaats\nJan;1980-01-02;Ede\n";
        assert!(under(text, "geboorte").is_empty());
        // The header row itself is not a cell under it.
        assert!(under("naam;geboortedatum;plaats\n", "geboorte").is_empty());
        // A blank line ends the table.
        assert!(under("naam;geboortedatum;x\n\nJan;1980-01-02;y\n", "geboorte").is_empty());
    }
}
