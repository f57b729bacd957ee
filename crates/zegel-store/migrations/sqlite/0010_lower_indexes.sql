-- Case-insensitive lookups by sender and subject now compare lower()
-- values, which SQLite and PostgreSQL read alike (the store runs on both);
-- the indexes follow.
DROP INDEX secure_messages_sender;
CREATE INDEX secure_messages_sender ON secure_messages(lower(sender), created_at);
DROP INDEX audit_subject_event;
CREATE INDEX audit_subject_event ON audit(lower(subject), event);
