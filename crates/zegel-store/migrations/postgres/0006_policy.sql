-- The policy as the administrator set it on the staff web (issue 7), over
-- the config file's: one row, JSON, with a version every node compares.
CREATE TABLE policy_overrides (
    id          BIGINT PRIMARY KEY CHECK (id = 1),
    body        TEXT NOT NULL,
    version     BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT NOT NULL
);
