//! Multi-row statements: rows gathered in memory and written with a few
//! statements instead of one each.
//!
//! The group commit (group.rs) runs on one writer connection, and every
//! statement is a round trip: to sqlx's connection thread for SQLite, over
//! the network for PostgreSQL; under load those round trips, not the
//! database's work, bound the gateway (docs/performance.md). Writes in a batch therefore hand their
//! rows to the batch, which writes each kind of row with multi-row
//! `INSERT … VALUES (…), (…)` (or `UPDATE … FROM (VALUES …)`) statements,
//! which both engines read alike (`$n` placeholders; the columns of a
//! `VALUES` list are `column1`, `column2`, … in both).
//!
//! Chunks are powers of two up to [`MAX_ROWS`], so any number of rows is
//! written by at most a handful of statement shapes, each prepared once
//! and kept in sqlx's statement cache. sqlx has no bulk helper that keeps
//! statements prepared (its `QueryBuilder` makes a new text each time),
//! hence this small module.

use crate::db::Conn;
use crate::StoreError;

/// Most rows in one statement (a power of two; times the widest row, far
/// below SQLite's limit of 32,766 bound values).
pub(crate) const MAX_ROWS: usize = 64;

/// One kind of multi-row statement: `head`, then `(?, …)` per row, then
/// `tail`.
#[derive(Debug)]
pub(crate) struct Shape {
    /// The text before the rows: `INSERT INTO t (a, b) VALUES `.
    pub head: &'static str,
    /// The text after the rows (empty for inserts).
    pub tail: &'static str,
    /// Values per row.
    pub width: usize,
}

/// One value to bind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    /// An integer (also booleans: both schemas keep flags as integers).
    Int(i64),
    /// Text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
    /// NULL of an integer column.
    NullInt,
    /// NULL of a text column (PostgreSQL types every parameter, and a
    /// `VALUES` list cannot mix an integer NULL into a text column).
    NullText,
    /// NULL of a bytes column.
    NullBlob,
}

impl From<i64> for Cell {
    fn from(v: i64) -> Cell {
        Cell::Int(v)
    }
}

impl From<bool> for Cell {
    fn from(v: bool) -> Cell {
        Cell::Int(i64::from(v))
    }
}

impl From<&str> for Cell {
    fn from(v: &str) -> Cell {
        Cell::Text(v.to_string())
    }
}

impl From<String> for Cell {
    fn from(v: String) -> Cell {
        Cell::Text(v)
    }
}

impl From<&[u8]> for Cell {
    fn from(v: &[u8]) -> Cell {
        Cell::Blob(v.to_vec())
    }
}

impl From<Option<i64>> for Cell {
    fn from(v: Option<i64>) -> Cell {
        v.map_or(Cell::NullInt, Into::into)
    }
}

impl From<Option<String>> for Cell {
    fn from(v: Option<String>) -> Cell {
        v.map_or(Cell::NullText, Into::into)
    }
}

impl From<Option<&str>> for Cell {
    fn from(v: Option<&str>) -> Cell {
        v.map_or(Cell::NullText, Into::into)
    }
}

impl From<Option<&[u8]>> for Cell {
    fn from(v: Option<&[u8]>) -> Cell {
        v.map_or(Cell::NullBlob, Into::into)
    }
}

impl From<Option<Vec<u8>>> for Cell {
    fn from(v: Option<Vec<u8>>) -> Cell {
        v.map_or(Cell::NullBlob, Cell::Blob)
    }
}

/// Rows of one [`Shape`] waiting to be written.
#[derive(Debug)]
pub(crate) struct Rows {
    shape: &'static Shape,
    cells: Vec<Cell>,
}

impl Rows {
    /// No rows yet.
    pub(crate) fn new(shape: &'static Shape) -> Rows {
        Rows {
            shape,
            cells: Vec::new(),
        }
    }

    /// The shape these rows are written with.
    pub(crate) fn shape(&self) -> &'static Shape {
        self.shape
    }

    /// Adds a row; its values in the order of the shape's columns.
    pub(crate) fn push<const N: usize>(&mut self, row: [Cell; N]) {
        debug_assert_eq!(N, self.shape.width, "row width of {}", self.shape.head);
        self.cells.extend(row);
    }

    /// Writes every row, in order, and forgets them.
    pub(crate) async fn flush(&mut self, conn: &mut Conn) -> Result<(), StoreError> {
        let width = self.shape.width;
        let mut rest = &self.cells[..];
        while !rest.is_empty() {
            let rows = rest.len() / width;
            // The largest power of two that fits: 64, 32, ..., 1.
            let take = MAX_ROWS.min(1 << rows.ilog2());
            let (chunk, after) = rest.split_at(take * width);
            let sql = statement(self.shape, take);
            let mut query = sqlx::query(&sql);
            for cell in chunk {
                query = match cell {
                    Cell::Int(v) => query.bind(*v),
                    Cell::Text(v) => query.bind(v.as_str()),
                    Cell::Blob(v) => query.bind(v.as_slice()),
                    Cell::NullInt => query.bind(None::<i64>),
                    Cell::NullText => query.bind(None::<&str>),
                    Cell::NullBlob => query.bind(None::<&[u8]>),
                };
            }
            query.execute(&mut *conn).await?;
            rest = after;
        }
        self.cells.clear();
        Ok(())
    }
}

/// The statement text for `rows` rows of `shape`.
fn statement(shape: &Shape, rows: usize) -> String {
    use std::fmt::Write;
    let mut sql =
        String::with_capacity(shape.head.len() + rows * shape.width * 5 + shape.tail.len());
    sql.push_str(shape.head);
    let mut value = 0;
    for n in 0..rows {
        if n > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..shape.width {
            if column > 0 {
                sql.push_str(", ");
            }
            value += 1;
            // Writing to a String cannot fail.
            let _ = write!(sql, "${value}");
        }
        sql.push(')');
    }
    sql.push_str(shape.tail);
    sql
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::AnyConnection;
    use sqlx::{Connection, Row};

    static PAIRS: Shape = Shape {
        head: "INSERT INTO t (n, label, data) VALUES ",
        tail: "",
        width: 3,
    };

    static RELABEL: Shape = Shape {
        head: "UPDATE t SET label = v.column2 FROM (VALUES ",
        tail: ") AS v WHERE t.n = v.column1",
        width: 2,
    };

    #[test]
    fn statements_have_one_group_of_placeholders_per_row() {
        assert_eq!(
            statement(&PAIRS, 2),
            "INSERT INTO t (n, label, data) VALUES ($1, $2, $3), ($4, $5, $6)"
        );
        assert_eq!(
            statement(&RELABEL, 1),
            "UPDATE t SET label = v.column2 FROM (VALUES ($1, $2)) AS v WHERE t.n = v.column1"
        );
    }

    #[tokio::test]
    async fn any_number_of_rows_is_written_in_order_and_updated_by_key() {
        crate::db::install_drivers();
        let mut conn = AnyConnection::connect("sqlite::memory:").await.unwrap();
        sqlx::query("CREATE TABLE t (n INTEGER PRIMARY KEY, label TEXT, data BLOB)")
            .execute(&mut conn)
            .await
            .unwrap();
        // 0 (nothing to do), then 1, 3 = 2 + 1, and 200 = 64 * 3 + 8.
        let mut next = 0_i64;
        for count in [0, 1, 3, 200] {
            let mut rows = Rows::new(&PAIRS);
            for _ in 0..count {
                let label = (next % 2 == 0).then(|| format!("r{next}"));
                rows.push([next.into(), label.into(), [next as u8].as_slice().into()]);
                next += 1;
            }
            rows.flush(&mut conn).await.unwrap();
            assert!(rows.cells.is_empty());
        }
        let all = sqlx::query("SELECT n, label, data FROM t ORDER BY rowid")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        assert_eq!(all.len(), 204);
        for (i, row) in all.iter().enumerate() {
            let n: i64 = row.get("n");
            assert_eq!(n, i as i64, "in the order pushed");
            let label: Option<String> = row.get("label");
            assert_eq!(label, (n % 2 == 0).then(|| format!("r{n}")));
            let data: Vec<u8> = row.get("data");
            assert_eq!(data, vec![n as u8]);
        }

        let mut relabel = Rows::new(&RELABEL);
        for n in [5_i64, 7, 100] {
            relabel.push([n.into(), format!("new{n}").into()]);
        }
        relabel.flush(&mut conn).await.unwrap();
        let changed: Vec<(i64, String)> =
            sqlx::query_as("SELECT n, label FROM t WHERE label LIKE 'new%' ORDER BY n")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        assert_eq!(
            changed,
            vec![
                (5, "new5".into()),
                (7, "new7".into()),
                (100, "new100".into())
            ]
        );
    }
}
