//! Tables as text: the rows of a CSV file, a spreadsheet (cells joined by
//! tabs, see `extract::sheet`) or a Word table, one row per line. A column
//! is named by its header, the first row of a run of lines that share the
//! separator, so a cell far below its header ("naam;geboortedatum" over
//! five hundred rows) is still read as what the header says it is. A
//! detector starts from a value it cares about (a year, for dates of
//! birth), finds the header above its row ([`header_above`]) and reads
//! that table once ([`cells_below`]), so prose without such values costs
//! nothing here.
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
    let mut counts = [0usize; SEPARATORS.len()];
    for b in line.bytes() {
        if let Some(i) = SEPARATORS.iter().position(|&s| s == b) {
            counts[i] += 1;
        }
    }
    SEPARATORS
        .iter()
        .zip(counts)
        .find(|&(&sep, n)| if sep == b'\t' { n >= 1 } else { n >= 2 })
        .map(|(&sep, _)| sep)
}

/// The byte ranges of the cells of `line` split at `sep` (not inside
/// double quotes: `"B,C,CE"` is one cell), each trimmed of spaces and of
/// one pair of double quotes.
pub fn cells(line: &str, sep: u8) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, b) in line
        .bytes()
        .enumerate()
        .chain(std::iter::once((line.len(), sep)))
    {
        if b == b'"' {
            quoted = !quoted;
        }
        if b != sep || (quoted && i < line.len()) {
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

/// The cells below the header cells for which `wanted` holds, in the
/// table whose header is the line of `original` starting at `header`
/// (with `lower` its ASCII lowercase, same byte offsets). The table runs
/// on while lines share the header's separator; empty cells are skipped.
/// Also where the table ends. Nothing when that line is no table row.
pub fn cells_below<'a>(
    original: &str,
    lower: &'a str,
    header: usize,
    wanted: impl Fn(&str) -> bool,
) -> (Vec<Cell<'a>>, usize) {
    let mut lines = original[header..].split('\n');
    let Some(raw) = lines.next() else {
        return (Vec::new(), header);
    };
    let mut at = header + raw.len() + 1;
    let first = raw.strip_suffix('\r').unwrap_or(raw);
    let Some(sep) = separator(first) else {
        return (Vec::new(), at);
    };
    let columns: Vec<(usize, &'a str)> = cells(first, sep)
        .into_iter()
        .enumerate()
        .filter_map(|(index, cell)| {
            let text = lower.get(header + cell.start..header + cell.end)?;
            wanted(text).then_some((index, text))
        })
        .collect();
    let mut out = Vec::new();
    for line in lines {
        let start = at;
        let row = line.strip_suffix('\r').unwrap_or(line);
        if separator(row) != Some(sep) {
            break;
        }
        at += line.len() + 1;
        if columns.is_empty() {
            continue;
        }
        for (index, cell) in cells(row, sep).into_iter().enumerate() {
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
    (out, at)
}

/// How many lines above a row [`header_above`] looks for the header: a
/// table longer than this is read from the row this many lines down.
const MAX_ROWS_UP: usize = 10_000;

/// The start of the header line of the table that the line holding byte
/// `at` of `text` is a row of: the first of the lines above it, without a
/// blank line between, that share its separator. `None` when that line is
/// no table row.
pub fn header_above(text: &str, at: usize) -> Option<usize> {
    let line_of = |end: usize| text[..end].rfind('\n').map_or(0, |n| n + 1);
    let line_end = |start: usize| text[start..].find('\n').map_or(text.len(), |n| start + n);
    let row = |start: usize| {
        let line = &text[start..line_end(start)];
        separator(line.strip_suffix('\r').unwrap_or(line))
    };
    let mut start = line_of(at);
    let sep = row(start)?;
    for _ in 0..MAX_ROWS_UP {
        if start == 0 {
            break;
        }
        let above = line_of(start - 1);
        if row(above) != Some(sep) {
            break;
        }
        start = above;
    }
    Some(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn under(text: &str, word: &str) -> Vec<String> {
        let lower = text.to_ascii_lowercase();
        let header = lower
            .find(word)
            .map_or(0, |at| lower[..at].rfind('\n').map_or(0, |n| n + 1));
        cells_below(text, &lower, header, |h| h.contains(word))
            .0
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
        // A quoted cell holding the separator is one cell.
        let csv = "no,name,date_of_birth,categories,licence\n1,Jan,1990-05-14,\"B,C,CE\",NL\n";
        assert_eq!(under(csv, "date_of_birth"), ["1990-05-14"]);
        let lower = csv.to_ascii_lowercase();
        let licence = cells_below(csv, &lower, 0, |h| h == "licence").0;
        assert_eq!(&csv[licence[0].span.clone()], "NL");
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

    #[test]
    fn a_row_finds_its_header_and_the_table_its_end() {
        let text =
            "Zie bijlage.\nnaam;geboortedatum;x\r\nJan;1980-01-02;y\nPiet;1979-02-03;z\nGroet\n";
        let row = text.find("1979").unwrap();
        let header = header_above(text, row).unwrap();
        assert_eq!(header, text.find("naam").unwrap());
        let lower = text.to_ascii_lowercase();
        let (cells, end) = cells_below(text, &lower, header, |h| h.contains("geboorte"));
        assert_eq!(cells.len(), 2);
        assert_eq!(end, text.find("Groet").unwrap());
        assert_eq!(header_above(text, text.find("bijlage").unwrap()), None);
    }
}
