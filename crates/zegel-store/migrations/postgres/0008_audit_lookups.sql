-- The staff web reads the audit trail per message (status page, sent
-- items) and per sender (sent items): indexes for both.
CREATE INDEX audit_message ON audit(message_id);
CREATE INDEX audit_subject_event ON audit(lower(subject), event);
