-- Destroying what is no longer needed (issue 20 item 6). A message is
-- purged once its original and every delivery's content have had their
-- keys destroyed and blobs deleted; until then it is a candidate.
ALTER TABLE messages ADD COLUMN purged_at BIGINT;
CREATE INDEX messages_unpurged ON messages(received_at) WHERE purged_at IS NULL;
-- Audit rows past the retention are removed from the front of the chain;
-- a checkpoint, MAC'd with a key derived from the KEK, holds the hash of
-- the last removed row so the rest still verifies.
CREATE TABLE audit_checkpoints (
    seq      BIGINT PRIMARY KEY,
    at       BIGINT NOT NULL,
    hash     TEXT NOT NULL,
    removed  BIGINT NOT NULL,
    made_at  BIGINT NOT NULL,
    mac      TEXT NOT NULL
);
CREATE INDEX audit_at ON audit(at);
CREATE INDEX portal_codes_expiry ON portal_codes(expires_at);
