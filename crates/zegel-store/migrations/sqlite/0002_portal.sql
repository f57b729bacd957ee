-- The portal: each secure message (one per external recipient) gets its own
-- sealed copy of the mail with its own data key, so revoking or expiring it
-- destroys exactly that copy.
ALTER TABLE secure_messages ADD COLUMN sender TEXT NOT NULL DEFAULT '';
ALTER TABLE secure_messages ADD COLUMN blob_id TEXT;
-- NULL once revoked or expired: the copy can no longer be opened.
ALTER TABLE secure_messages ADD COLUMN wrapped_key BLOB;
-- 'none', 'sms' or 'access_code'.
ALTER TABLE secure_messages ADD COLUMN second_factor TEXT NOT NULL DEFAULT 'none';
-- The phone number for the SMS code, sealed with the copy's data key.
ALTER TABLE secure_messages ADD COLUMN phone BLOB;
-- Keyed hash (HMAC with a key derived from the KEK) of the access code.
ALTER TABLE secure_messages ADD COLUMN access_code_hash TEXT;
ALTER TABLE secure_messages ADD COLUMN read_receipt INTEGER NOT NULL DEFAULT 1;
ALTER TABLE secure_messages ADD COLUMN first_opened_at INTEGER;
ALTER TABLE secure_messages ADD COLUMN wrong_tries INTEGER NOT NULL DEFAULT 0;
ALTER TABLE secure_messages ADD COLUMN locked_at INTEGER;
ALTER TABLE secure_messages ADD COLUMN expired_at INTEGER;
CREATE INDEX secure_messages_status ON secure_messages(status_token_hash);
CREATE INDEX secure_messages_expiry ON secure_messages(expires_at) WHERE expired_at IS NULL;

-- One-time codes (by mail or SMS), stored as keyed hashes.
CREATE TABLE portal_codes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    -- 'email', 'sms' or 'contact'.
    purpose     TEXT NOT NULL,
    -- The secure message id, or the contact session's id hash.
    target      TEXT NOT NULL,
    -- Where it was sent (address or phone), for rate limits per address.
    address     TEXT NOT NULL,
    code_hash   TEXT NOT NULL,
    tries       INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
CREATE INDEX portal_codes_target ON portal_codes(purpose, target, id);
CREATE INDEX portal_codes_address ON portal_codes(address, created_at);

-- Portal sessions; the cookie holds a random id, the table its SHA-256.
CREATE TABLE portal_sessions (
    id_hash     TEXT PRIMARY KEY,
    -- 'recipient', 'sender' or 'contact'.
    kind        TEXT NOT NULL,
    -- The secure message id, the status token hash, or '' for contact.
    target      TEXT NOT NULL,
    csrf        TEXT NOT NULL,
    -- The verified address of a contact session.
    address     TEXT,
    email_ok    INTEGER NOT NULL DEFAULT 0,
    second_ok   INTEGER NOT NULL DEFAULT 0,
    opened      INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX portal_sessions_expiry ON portal_sessions(expires_at);
