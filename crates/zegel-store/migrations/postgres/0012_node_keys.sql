-- The key-encryption keys each running node holds (by key id, never the
-- keys), reported at start and every 30 seconds, removed at a clean stop:
-- `zegel key rotate` and `retire` check against it that no node still
-- running would be left unable to read what the others write.
CREATE TABLE node_keys (
    node         TEXT PRIMARY KEY,
    current_key  TEXT NOT NULL,
    -- Every key id of the node's ring, comma-separated.
    keys         TEXT NOT NULL,
    seen_at      BIGINT NOT NULL
);
