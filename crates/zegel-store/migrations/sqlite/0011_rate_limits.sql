-- Rate limits every node counts against (issue 8): hits per key in a
-- fixed window, so a limit holds whichever node a request reaches.
CREATE TABLE rate_limits (
    key           TEXT PRIMARY KEY,
    window_start  INTEGER NOT NULL,
    hits          INTEGER NOT NULL
);
CREATE INDEX rate_limits_window ON rate_limits(window_start);
