-- Small sealed blobs kept in the database itself, written in the same
-- transaction as the rows that point at them: one WAL sync makes both
-- durable (blob_rows.rs). Larger ones stay files under blobs/.
CREATE TABLE inline_blobs (
    id    TEXT PRIMARY KEY,
    data  BYTEA NOT NULL
);
