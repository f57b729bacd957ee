-- External contacts with a mobile number for SMS codes (issue 7), kept on
-- the staff web over the config file's contacts_file. The number is sealed
-- with its own data key, which the KEK wraps.
CREATE TABLE contacts (
    address     TEXT PRIMARY KEY,
    phone_key   BLOB NOT NULL,
    phone       BLOB NOT NULL,
    updated_at  INTEGER NOT NULL
);
-- Raised at every change, so every node reloads its copy.
CREATE TABLE contacts_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
);
