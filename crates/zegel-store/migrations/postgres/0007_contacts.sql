-- External contacts with a mobile number for SMS codes (issue 7), kept on
-- the staff web over the config file's contacts_file. The number is sealed
-- with its own data key, which the KEK wraps.
CREATE TABLE contacts (
    address     TEXT PRIMARY KEY,
    phone_key   BYTEA NOT NULL,
    phone       BYTEA NOT NULL,
    updated_at  BIGINT NOT NULL
);
-- Raised at every change, so every node reloads its copy.
CREATE TABLE contacts_version (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL
);
