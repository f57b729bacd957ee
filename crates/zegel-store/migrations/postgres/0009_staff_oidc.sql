-- OpenID Connect sign-in on the staff web (issue 7): a sign-in under way,
-- between the redirect to the organisation's provider and its answer. The
-- browser holds a random id (the zegel_oidc cookie); the row is found by
-- its SHA-256. What must stay secret until the answer (state, nonce, PKCE
-- verifier) is sealed with its own data key, which the KEK wraps. A row is
-- taken (deleted) when the answer comes, and is good for minutes only.
CREATE TABLE staff_oidc_pending (
    id_hash     TEXT PRIMARY KEY,
    wrapped_key BYTEA NOT NULL,
    sealed      BYTEA NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX staff_oidc_pending_expiry ON staff_oidc_pending(expires_at);
