-- Staff roles for the signed-in web (issue 7): a sender follows their own
-- messages, an administrator also sets the policy and reads the audit trail.
-- Existing accounts (SMTP submission) become senders.
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'sender'
    CHECK (role IN ('sender', 'admin'));
