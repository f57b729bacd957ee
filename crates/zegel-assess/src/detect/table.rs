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

/// The separator of `line` as a table row: a tab once, or else the most
/// frequent of `;`, `|` and `,` that stands at least twice (one comma is
/// prose; a comma row may hold `;` inside a cell, `HbA1c;TSH`, and a
/// semicolon row decimal commas, `12,5`). A tie goes to the earlier in
/// [`SEPARATORS`].
pub fn separator(line: &str) -> Option<u8> {
    let mut counts = [0usize; SEPARATORS.len()];
    for b in line.bytes() {
        if let Some(i) = SEPARATORS.iter().position(|&s| s == b) {
            counts[i] += 1;
        }
    }
    if counts[0] >= 1 {
        return Some(b'\t');
    }
    let mut best: Option<(u8, usize)> = None;
    for (&sep, &n) in SEPARATORS.iter().zip(&counts).skip(1) {
        if n >= 2 && best.is_none_or(|(_, m)| n > m) {
            best = Some((sep, n));
        }
    }
    best.map(|(sep, _)| sep)
}

/// Whether `line` is a row of a table separated by `sep`: it holds `sep`
/// as a row must ([`separator`]'s counts), whichever separator is most
/// frequent in it.
pub fn is_row(line: &str, sep: u8) -> bool {
    let n = line.bytes().filter(|&b| b == sep).count();
    if sep == b'\t' {
        n >= 1
    } else {
        n >= 2 && !line.contains('\t')
    }
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
        if !is_row(row, sep) {
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
    let line = |start: usize| {
        let line = &text[start..line_end(start)];
        line.strip_suffix('\r').unwrap_or(line)
    };
    let mut start = line_of(at);
    let sep = separator(line(start))?;
    for _ in 0..MAX_ROWS_UP {
        if start == 0 {
            break;
        }
        let above = line_of(start - 1);
        if !is_row(line(above), sep) {
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
    fn a_csv_row_with_semicolons_inside_a_cell_is_still_a_comma_row() {
        let csv = "nr,bsn,geboortedatum,bepalingen\nDL-1,514647036,1960-01-27,HbA1c;TSH;ALAT\n";
        assert_eq!(
            separator("DL-1,514647036,1960-01-27,HbA1c;TSH;ALAT"),
            Some(b',')
        );
        assert_eq!(under(csv, "geboorte"), ["1960-01-27"]);
        // A semicolon CSV with decimal commas stays a semicolon CSV.
        assert_eq!(separator("Jan;12,5;13,7;ja"), Some(b';'));
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
