-- One accepted message: its envelope and where its sealed bytes are.
CREATE TABLE messages (
    id            TEXT PRIMARY KEY,
    received_at   INTEGER NOT NULL,
    mail_from     TEXT NOT NULL,
    size          INTEGER NOT NULL,
    verdict       TEXT NOT NULL,
    -- The message's data key, wrapped by the key-encryption key. Deleting it
    -- makes the blob unreadable (crypto-shredding at expiry).
    wrapped_key   BLOB,
    -- The assessment (kinds, reasons), sealed with the same data key.
    summary       BLOB NOT NULL
);

-- One mail to send: the original, a notification, a notice or a DSN.
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id      TEXT NOT NULL REFERENCES messages(id),
    kind            TEXT NOT NULL,
    mail_from       TEXT NOT NULL,
    rcpt            TEXT NOT NULL,
    -- The bytes to send: a blob id and its wrapped data key.
    blob_id         TEXT NOT NULL,
    wrapped_key     BLOB NOT NULL,
    dkim            INTEGER NOT NULL,
    require_tls     INTEGER NOT NULL DEFAULT 0,
    notify_never    INTEGER NOT NULL DEFAULT 0,
    headers_only    INTEGER NOT NULL DEFAULT 0,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER NOT NULL DEFAULT 0,
    expires_at      INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    done_at         INTEGER
);
CREATE INDEX deliveries_due ON deliveries(state, next_attempt_at);
CREATE INDEX deliveries_message ON deliveries(message_id);

-- A message behind the portal for one recipient. Tokens are stored hashed.
CREATE TABLE secure_messages (
    id                 TEXT PRIMARY KEY,
    message_id         TEXT NOT NULL REFERENCES messages(id),
    recipient          TEXT NOT NULL,
    token_hash         TEXT NOT NULL UNIQUE,
    status_token_hash  TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    expires_at         INTEGER NOT NULL,
    revoked_at         INTEGER
);
CREATE INDEX secure_messages_message ON secure_messages(message_id);

-- Accounts for SMTP submission (and, later, the web).
CREATE TABLE users (
    email          TEXT PRIMARY KEY,
    password_hash  TEXT NOT NULL,
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL
);

-- The audit trail: append-only, each row hashing its predecessor.
CREATE TABLE audit (
    seq         INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    event       TEXT NOT NULL,
    message_id  TEXT,
    subject     TEXT,
    detail      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
