-- The staff web (issue 7): a TOTP second factor per account and sent items.
-- The TOTP secret is sealed with its own data key, which the KEK wraps.
ALTER TABLE users ADD COLUMN totp_key BYTEA;
ALTER TABLE users ADD COLUMN totp_secret BYTEA;
-- The last time step a code was accepted for: a code is good once.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
-- Sent items: a sender's secure messages, newest first.
CREATE INDEX secure_messages_sender ON secure_messages(lower(sender), created_at);
