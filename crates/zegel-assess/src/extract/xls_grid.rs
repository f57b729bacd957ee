//! The size of the cell grid calamine would allocate for a legacy XLS.
//!
//! calamine reads every sheet of an XLS when it opens the file and keeps
//! each as a dense grid from the first to the last used cell, so two cells
//! at opposite corners of a sheet (row and column fields are 16 bits) ask
//! for billions of cells from a file of a few kilobytes. No crate reports
//! the extent of a BIFF sheet without building that grid, so this module
//! walks the BIFF8 records of the `Workbook` stream (read with the `cfb`
//! crate) and takes, per sheet, the span of rows and columns of the cell
//! records ([MS-XLS] §2.4: LABELSST, LABEL, NUMBER, RK, MULRK, BLANK,
//! MULBLANK, BOOLERR, FORMULA). It stops at an encryption record: what
//! follows is unreadable anyway, and calamine reports the password.

use std::io::{Cursor, Read};

/// Cell records whose data starts with `row: u16, col: u16`.
const CELL_RECORDS: [u16; 7] = [0x00FD, 0x0204, 0x0203, 0x027E, 0x0201, 0x0205, 0x0006];
/// MULRK and MULBLANK: `row, first col, ..., last col` (last col in the final two bytes).
const MULTI_RECORDS: [u16; 2] = [0x00BD, 0x00BE];
/// Beginning of a sheet or the workbook globals.
const BOF: u16 = 0x0809;
/// The workbook is encrypted from here on.
const FILEPASS: u16 = 0x002F;

/// Span of used rows and columns in one sheet.
#[derive(Debug, Default, Clone, Copy)]
struct Span {
    rows: Option<(u16, u16)>,
    cols: Option<(u16, u16)>,
}

impl Span {
    fn add(&mut self, row: u16, first_col: u16, last_col: u16) {
        let widen = |s: Option<(u16, u16)>, lo: u16, hi: u16| {
            Some(s.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))))
        };
        self.rows = widen(self.rows, row, row);
        self.cols = widen(self.cols, first_col.min(last_col), last_col.max(first_col));
    }

    fn cells(&self) -> u64 {
        match (self.rows, self.cols) {
            (Some((r0, r1)), Some((c0, c1))) => (u64::from(r1 - r0) + 1) * (u64::from(c1 - c0) + 1),
            _ => 0,
        }
    }
}

/// The largest grid (rows × columns between the first and the last used
/// cell) of any sheet in the workbook, or an error when the compound file or
/// its `Workbook` stream cannot be read.
pub(crate) fn largest_grid(bytes: &[u8]) -> Result<u64, String> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let name = ["/Workbook", "/Book"]
        .into_iter()
        .find(|n| file.is_stream(n))
        .ok_or("no Workbook stream")?;
    let mut stream = file.open_stream(name).map_err(|e| e.to_string())?;
    let mut data = Vec::new();
    // A stream is never larger than the file that holds it.
    (&mut stream)
        .take(bytes.len() as u64)
        .read_to_end(&mut data)
        .map_err(|e| e.to_string())?;
    Ok(largest_grid_in_records(&data))
}

/// [`largest_grid`] over the BIFF records of a workbook stream.
fn largest_grid_in_records(data: &[u8]) -> u64 {
    let u16_at = |at: usize| {
        data.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let mut largest = 0;
    let mut sheet = Span::default();
    let mut at = 0;
    while let (Some(kind), Some(len)) = (u16_at(at), u16_at(at + 2)) {
        let body = at + 4;
        let end = body + usize::from(len);
        if end > data.len() || kind == FILEPASS {
            break;
        }
        if kind == BOF {
            largest = largest.max(sheet.cells());
            sheet = Span::default();
        } else if CELL_RECORDS.contains(&kind) && len >= 4 {
            if let (Some(row), Some(col)) = (u16_at(body), u16_at(body + 2)) {
                sheet.add(row, col, col);
            }
        } else if MULTI_RECORDS.contains(&kind) && len >= 6 {
            if let (Some(row), Some(first), Some(last)) =
                (u16_at(body), u16_at(body + 2), u16_at(end - 2))
            {
                sheet.add(row, first, last);
            }
        }
        at = end;
    }
    largest.max(sheet.cells())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: u16, body: &[u8]) -> Vec<u8> {
        let mut r = kind.to_le_bytes().to_vec();
        r.extend((body.len() as u16).to_le_bytes());
        r.extend(body);
        r
    }

    fn cell(row: u16, col: u16) -> Vec<u8> {
        let mut b = row.to_le_bytes().to_vec();
        b.extend(col.to_le_bytes());
        b.extend([0u8; 6]);
        record(0x00FD, &b)
    }

    #[test]
    fn grid_spans_first_to_last_cell_per_sheet() {
        let mut data = record(BOF, &[0; 16]);
        data.extend(record(BOF, &[0; 16]));
        data.extend(cell(2, 1));
        data.extend(cell(11, 3));
        data.extend(record(BOF, &[0; 16]));
        data.extend(cell(0, 0));
        assert_eq!(largest_grid_in_records(&data), 10 * 3);

        let mut far = cell(0, 0);
        far.extend(cell(u16::MAX, u16::MAX));
        assert_eq!(largest_grid_in_records(&far), 65536 * 65536);
    }

    #[test]
    fn multi_records_encryption_and_truncation() {
        let mut mulrk = 5u16.to_le_bytes().to_vec();
        mulrk.extend(2u16.to_le_bytes());
        mulrk.extend([0u8; 12]);
        mulrk.extend(9u16.to_le_bytes());
        assert_eq!(largest_grid_in_records(&record(0x00BD, &mulrk)), 8);

        let mut hidden = cell(0, 0);
        hidden.extend(record(FILEPASS, &[0; 6]));
        hidden.extend(cell(60_000, 200));
        assert_eq!(largest_grid_in_records(&hidden), 1);

        let mut cut = cell(1, 1);
        cut.extend([0xFD, 0x00, 0xFF]);
        assert_eq!(largest_grid_in_records(&cut), 1);
        assert_eq!(largest_grid_in_records(&[]), 0);
    }
}
