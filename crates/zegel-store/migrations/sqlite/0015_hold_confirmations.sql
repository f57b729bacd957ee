-- Mail held by a warning (a recipient at a look-alike domain, external
-- recipients who see each other) waits for its sender (issue 19 item 5):
-- confirmed it goes, cancelled it is dropped, unanswered by expires_at it
-- is dropped and the sender told. The link's token is kept as a hash.
CREATE TABLE hold_confirmations (
    message_id  TEXT PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    -- The envelope sender, lower case ('' for the null sender).
    sender      TEXT NOT NULL,
    -- Which warning held it: 'lookalike_domain' or 'visible_external'.
    warning     TEXT NOT NULL,
    -- The reasons as the sender's notice gave them (nl, en; one per line).
    reasons_nl  TEXT NOT NULL,
    reasons_en  TEXT NOT NULL,
    -- The recipients whose delivery it holds (one per line).
    recipients  TEXT NOT NULL,
    -- Whether a copy each is offered (visible recipients, every held
    -- delivery the original itself).
    separate_offered INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    -- Set once: 'confirmed', 'separate', 'cancelled', 'expired',
    -- 'released' or 'deleted' (by an administrator).
    decided_at  INTEGER,
    decision    TEXT
);
CREATE INDEX hold_confirmations_pending ON hold_confirmations(expires_at) WHERE decided_at IS NULL;
CREATE INDEX hold_confirmations_sender ON hold_confirmations(sender);
-- A released copy for one recipient only: To and Cc name that recipient
-- alone ('separate' above).
ALTER TABLE deliveries ADD COLUMN alone INTEGER NOT NULL DEFAULT 0;
