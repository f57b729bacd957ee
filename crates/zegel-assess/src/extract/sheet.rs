//! Spreadsheets: XLSX/XLSB and XLS through calamine (ODS is read as ODF
//! XML by `office`).
//!
//! Cells become text row by row (cells separated by tabs, rows by line
//! breaks), sheet names included. calamine runs inside [`isolate`] so a
//! panic on a malformed workbook becomes `Unreadable`. ZIP-based workbooks
//! are checked by the bounded archive reader before calamine opens them
//! (calamine itself decompresses without a bound); XLS files are checked
//! for looping sector chains and oversized sheet grids first
//! ([`cfb_check`], [`xls_grid`]).

use super::guard::isolate;
use super::{cfb_check, xls_grid};
use super::{text, Ctx, ExtractIssue};
use crate::finding::Location;
use crate::segment::SegmentRole;
use calamine::{Cell, Data, DataRef, Reader, Xls, XlsError, Xlsb, Xlsx};
use std::fmt::Write as _;
use std::io::Cursor;

/// The spreadsheet formats calamine reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sheet {
    /// Excel 2007+ (XML or binary workbook in a ZIP).
    Xlsx,
    /// Excel 97-2003 (in an OLE compound file).
    Xls,
}

/// How reading a workbook went.
enum Outcome {
    Text(String),
    Encrypted,
    Failed(String),
}

/// Extracts the cells of a workbook into one attachment segment.
pub(crate) fn extract(
    ctx: &mut Ctx<'_>,
    location: &Location,
    bytes: &[u8],
    kind: Sheet,
    binary_xlsx: bool,
) {
    let max = ctx.limits.max_text_bytes;
    let outcome = isolate("spreadsheet", || read(bytes, kind, binary_xlsx, max));
    match outcome {
        Ok(Outcome::Text(text)) => ctx.push_text(location, SegmentRole::Attachment, text),
        Ok(Outcome::Encrypted) => ctx.issue(ExtractIssue::Encrypted {
            location: location.clone(),
        }),
        Ok(Outcome::Failed(reason)) | Err(reason) => ctx.unreadable(location, reason),
    }
}

/// Opens an XLSX or XLSB workbook (`open`: its `new` call) and reads it
/// with [`collect_streamed`]; a macro because the two readers share the
/// method names but no trait for them.
macro_rules! streamed {
    ($open:expr, $max:expr) => {
        match $open {
            Ok(mut wb) => collect_streamed(wb.sheet_names(), $max, |name, sink| {
                let mut cells = wb.worksheet_cells_reader(name).map_err(|e| e.to_string())?;
                while let Some(cell) = cells.next_cell().map_err(|e| e.to_string())? {
                    if !sink(cell) {
                        break;
                    }
                }
                Ok(())
            }),
            Err(e) => Outcome::Failed(format!("damaged workbook: {e}")),
        }
    };
}

/// Opens the workbook of the given kind and collects its text.
fn read(bytes: &[u8], kind: Sheet, binary_xlsx: bool, max: usize) -> Outcome {
    let cursor = Cursor::new(bytes);
    match kind {
        Sheet::Xlsx if binary_xlsx => streamed!(Xlsb::new(cursor), max),
        Sheet::Xlsx => streamed!(Xlsx::new(cursor), max),
        Sheet::Xls => match xls_precheck(bytes).map(|()| Xls::new(cursor)) {
            Err(reason) => Outcome::Failed(reason),
            Ok(Ok(mut wb)) => collect(&mut wb, max),
            Ok(Err(XlsError::Password)) => Outcome::Encrypted,
            Ok(Err(e)) => Outcome::Failed(format!("damaged workbook: {e}")),
        },
    }
}

/// Largest sheet grid (rows × columns between the first and last used cell)
/// calamine may build for an XLS: 4 million cells, about 130 MB.
const MAX_XLS_GRID_CELLS: u64 = 4_000_000;

/// What must hold before calamine may open an XLS: sector chains that end
/// ([`cfb_check`]) and sheets whose grid is of a reasonable size
/// ([`xls_grid`]); calamine would otherwise loop or allocate without bound.
fn xls_precheck(bytes: &[u8]) -> Result<(), String> {
    cfb_check::check(bytes).map_err(|problem| format!("damaged workbook: {problem}"))?;
    let cells = xls_grid::largest_grid(bytes).map_err(|e| format!("damaged workbook: {e}"))?;
    if cells > MAX_XLS_GRID_CELLS {
        return Err(format!(
            "a sheet spans {cells} cells from its first to its last used cell, more than the {MAX_XLS_GRID_CELLS} that are read"
        ));
    }
    Ok(())
}

/// The text of every sheet of an XLSX/XLSB workbook, read cell by cell in
/// file order (a new line when the row changes), bounded by `max` bytes.
/// calamine's `worksheet_range` would allocate the whole grid between the
/// first and the last used cell: two cells at A1 and XFD1048576 in a 1 KB
/// file ask for 512 GiB. `read_sheet` calls the sink for every cell until it
/// returns `false`.
fn collect_streamed(
    names: Vec<String>,
    max: usize,
    mut read_sheet: impl FnMut(&str, &mut dyn FnMut(Cell<DataRef<'_>>) -> bool) -> Result<(), String>,
) -> Outcome {
    let mut out = String::new();
    let mut first_error = None;
    let mut cells_read = 0usize;
    for name in names {
        if !text::push_bounded(&mut out, &format!("{name}\n"), max) {
            break;
        }
        let mut row = None;
        let mut value = String::new();
        let mut full = false;
        let result = read_sheet(&name, &mut |cell| {
            let (r, _) = cell.get_position();
            value.clear();
            let _ = write!(value, "{}", Data::from(cell.get_value().clone()));
            if value.is_empty() {
                return true;
            }
            let separator = match row {
                Some(previous) if previous == r => "\t",
                Some(_) => "\n",
                None => "",
            };
            row = Some(r);
            cells_read += 1;
            full = !text::push_bounded(&mut out, separator, max)
                || !text::push_bounded(&mut out, &value, max);
            !full
        });
        if let Err(reason) = result {
            first_error.get_or_insert_with(|| format!("damaged sheet: {reason}"));
        }
        if full || !text::push_bounded(&mut out, "\n", max) {
            break;
        }
    }
    match first_error {
        Some(reason) if cells_read == 0 => Outcome::Failed(reason),
        _ => Outcome::Text(out),
    }
}

/// The text of every sheet, bounded by `max` bytes.
fn collect<R, RS>(wb: &mut R, max: usize) -> Outcome
where
    R: Reader<RS>,
    RS: std::io::Read + std::io::Seek,
    R::Error: std::fmt::Display,
{
    let mut out = String::new();
    let mut first_error = None;
    let mut rows = 0usize;
    for name in wb.sheet_names() {
        if !text::push_bounded(&mut out, &format!("{name}\n"), max) {
            break;
        }
        let range = match wb.worksheet_range(&name) {
            Ok(range) => range,
            Err(e) => {
                first_error.get_or_insert_with(|| format!("damaged sheet: {e}"));
                continue;
            }
        };
        let mut line = String::new();
        for row in range.rows() {
            line.clear();
            for cell in row {
                if !matches!(cell, Data::Empty) {
                    let _ = write!(line, "{cell}");
                }
                line.push('\t');
            }
            let trimmed = line.trim_end_matches('\t');
            if trimmed.is_empty() {
                continue;
            }
            rows += 1;
            if !text::push_bounded(&mut out, trimmed, max)
                || !text::push_bounded(&mut out, "\n", max)
            {
                return Outcome::Text(out);
            }
        }
    }
    match first_error {
        Some(reason) if rows == 0 => Outcome::Failed(reason),
        _ => Outcome::Text(out),
    }
}
