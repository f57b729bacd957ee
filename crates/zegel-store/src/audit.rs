//! The audit trail: append-only rows, each holding the SHA-256 of its
//! predecessor's hash and its own fields, so any change, insertion or
//! deletion in the middle breaks the chain and is found by
//! [`Store::verify_audit`]. Appends happen inside the transaction of the
//! change they record.

use crate::{Store, StoreError};
use sha2::{Digest, Sha256};
use sqlx::Row;

/// Declares [`Event`] from one table: each variant with its doc and the
/// name its rows hold, so `as_str` and `ALL` (which `from_name` reads)
/// cannot miss a variant the enum has.
macro_rules! events {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, )*) => {
        /// What happened, as the audit trail records it (its `as_str` name
        /// is what the row holds and what the chain's hash covers).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Event {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Event {
            /// Every event zegel writes.
            pub const ALL: &'static [Event] = &[$(Event::$variant),*];

            /// The name the row holds.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Event::$variant => $name,)*
                }
            }
        }
    };
}

events! {
    /// A message was accepted for sending, with its verdict.
    Accepted = "accepted",
    /// The archive action was not possible for a recipient; the fallback applied.
    ArchiveFallback = "archive_fallback",
    /// An encrypted archive was queued for a recipient, its password by SMS.
    ArchiveSent = "archive_sent",
    /// The audit trail was exported.
    AuditExported = "audit_exported",
    /// Audit rows past their retention were removed behind a checkpoint.
    AuditTrimmed = "audit_trimmed",
    /// A one-time code was sent (by mail or SMS).
    CodeSent = "code_sent",
    /// A wrong one-time code was entered.
    CodeWrong = "code_wrong",
    /// A citizen or patient sent a secure message in from the contact page.
    ContactSent = "contact_sent",
    /// The contact list (mobile numbers for SMS codes) was changed.
    ContactsChanged = "contacts_changed",
    /// A delivery attempt failed and will be retried.
    Deferred = "deferred",
    /// The original was delivered to a recipient's mail server.
    Delivered = "delivered",
    /// A package's key and copy were destroyed (purge).
    Destroyed = "destroyed",
    /// A recipient downloaded an attachment in the portal.
    Downloaded = "downloaded",
    /// A package expired: its key and copy were destroyed.
    Expired = "expired",
    /// The sender changed a package's expiry.
    ExpiryChanged = "expiry_changed",
    /// A delivery failed for good.
    Failed = "failed",
    /// An offboarded account's messages were handed over to a colleague.
    HandedOver = "handed_over",
    /// Mail for a recipient was held (policy or warning).
    Held = "held",
    /// The sender cancelled held mail.
    HeldCancelled = "held_cancelled",
    /// The sender confirmed held mail as it was.
    HeldConfirmed = "held_confirmed",
    /// The sender confirmed held mail, one mail per recipient.
    HeldConfirmedSeparately = "held_confirmed_separately",
    /// Held mail was deleted by an administrator.
    HeldDeleted = "held_deleted",
    /// Held mail expired without a decision.
    HeldExpired = "held_expired",
    /// Held mail was released by an administrator.
    HeldReleased = "held_released",
    /// Mail from outside was taken in.
    Inbound = "inbound",
    /// Mail from outside was taken in and held.
    InboundHeld = "inbound_held",
    /// Mail from outside was refused (authentication or impersonation).
    InboundRefused = "inbound_refused",
    /// Previous key-encryption keys were removed after a rotation.
    KeyRetired = "key_retired",
    /// Every wrapped key was re-wrapped under the next key-encryption key.
    KeyRotated = "key_rotated",
    /// A next key-encryption key was staged.
    KeyStaged = "key_staged",
    /// A package or contact session was locked after too many wrong codes.
    Locked = "locked",
    /// A staff account was locked after too many failed sign-ins.
    LoginLocked = "login_locked",
    /// A recipient's notification was sent.
    Notified = "notified",
    /// A staff account was offboarded.
    Offboarded = "offboarded",
    /// A recipient opened a secure message.
    Opened = "opened",
    /// An administrator changed the policy.
    PolicyChanged = "policy_changed",
    /// A message was refused with its reasons (policy `reject`).
    Refused = "refused",
    /// A recipient replied securely.
    Replied = "replied",
    /// The sender withdrew a package: its key and copy were destroyed.
    Revoked = "revoked",
    /// A submitting sender was refused (not allowed to send as that address).
    SenderRefused = "sender_refused",
    /// A staff sign-in failed.
    StaffSignInFailed = "staff_sign_in_failed",
    /// A staff member signed in.
    StaffSignedIn = "staff_signed_in",
    /// A staff member signed out.
    StaffSignedOut = "staff_signed_out",
    /// A secure package was stored behind the portal for a recipient.
    Stored = "stored",
    /// The original will go to a recipient only over verified TLS.
    TlsOnly = "tls_only",
    /// A staff member enrolled a TOTP authenticator.
    TotpEnrolled = "totp_enrolled",
    /// The sender unlocked a locked package.
    Unlocked = "unlocked",
    /// A staff account was disabled.
    UserDisabled = "user_disabled",
    /// A staff account was created or changed.
    UserSet = "user_set",
    /// A recipient's or contact's mail code was right.
    Verified = "verified",
}

impl Event {
    /// The event a row's name stands for; `None` for a name zegel does
    /// not write.
    pub fn from_name(name: &str) -> Option<Event> {
        Event::ALL.iter().copied().find(|e| e.as_str() == name)
    }
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The event of a row as read back: one zegel writes, or a name it does
/// not know (a row written by someone else, which [`Store::verify_audit`]
/// reports).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RecordedEvent {
    /// An event zegel writes.
    Known(Event),
    /// A name zegel does not write, as the row holds it.
    Unknown(String),
}

impl RecordedEvent {
    /// The event a row's name stands for.
    pub fn from_name(name: String) -> RecordedEvent {
        match Event::from_name(&name) {
            Some(event) => RecordedEvent::Known(event),
            None => RecordedEvent::Unknown(name),
        }
    }

    /// The name the row holds.
    pub fn as_str(&self) -> &str {
        match self {
            RecordedEvent::Known(event) => event.as_str(),
            RecordedEvent::Unknown(name) => name,
        }
    }

    /// The event, when zegel writes it.
    pub fn known(&self) -> Option<Event> {
        match self {
            RecordedEvent::Known(event) => Some(*event),
            RecordedEvent::Unknown(_) => None,
        }
    }
}

impl From<Event> for RecordedEvent {
    fn from(event: Event) -> RecordedEvent {
        RecordedEvent::Known(event)
    }
}

impl PartialEq<Event> for RecordedEvent {
    fn eq(&self, other: &Event) -> bool {
        self.known() == Some(*other)
    }
}

impl std::fmt::Display for RecordedEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One audit row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When (Unix seconds).
    pub at: i64,
    /// What happened.
    pub event: RecordedEvent,
    /// The message concerned.
    pub message_id: Option<String>,
    /// Who or what it concerned (an address).
    pub subject: String,
    /// A short description; never message content or secrets.
    pub detail: String,
}

/// What to look for in the audit trail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Text in the event, address, detail or message id (any case).
    pub text: Option<String>,
    /// Exactly this event.
    pub event: Option<String>,
    /// From this moment (Unix seconds).
    pub from: Option<i64>,
    /// Before this moment (Unix seconds).
    pub until: Option<i64>,
}

/// A break in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditProblem {
    /// The first row that does not fit.
    pub seq: i64,
    /// What is wrong, for people (English).
    pub problem: String,
    /// What is wrong, for programs.
    pub kind: AuditBreak,
}

/// What is wrong with one row of the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditBreak {
    /// Rows `expected` up to this one are missing (deleted).
    Missing { expected: i64 },
    /// The row has a lower number than the chain allows (renumbered).
    Misnumbered { expected: i64 },
    /// The row does not hold its predecessor's hash: a row before it was
    /// deleted, inserted, moved or rewritten with a new hash.
    Unlinked,
    /// The retention checkpoint the chain starts from was not made with
    /// this installation's key: written by someone else to hide removed
    /// rows.
    Unsigned,
    /// The row's content does not match its hash: changed or moved.
    Changed,
    /// The row names an event zegel does not write: a row with a
    /// recomputed hash, written by someone else.
    UnknownEvent,
}

/// The newest row of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditHead {
    /// How many rows there are.
    pub rows: i64,
    /// The newest row's position.
    pub seq: i64,
    /// The newest row's hash (hex SHA-256): write it down elsewhere to see
    /// later that no newest rows were deleted.
    pub hash: String,
}

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn entry_hash(prev: &str, e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    for field in [
        prev,
        &e.seq.to_string(),
        &e.at.to_string(),
        e.event.as_str(),
        e.message_id.as_deref().unwrap_or(""),
        &e.subject,
        &e.detail,
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

/// An entry from its database row.
pub(crate) fn entry_of(r: &sqlx::any::AnyRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        event: RecordedEvent::from_name(r.try_get("event")?),
        message_id: r.try_get("message_id")?,
        subject: r.try_get("subject")?,
        detail: r.try_get("detail")?,
    })
}

/// An event to append: an [`AuditEntry`] before it has its place in the
/// chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewEvent {
    /// When (Unix seconds).
    pub at: i64,
    /// What happened.
    pub event: Event,
    /// The message concerned.
    pub message_id: Option<String>,
    /// Who or what it concerned.
    pub subject: String,
    /// A short description.
    pub detail: String,
}

impl NewEvent {
    /// An event from borrowed parts.
    pub(crate) fn new(
        at: i64,
        event: Event,
        message_id: Option<&str>,
        subject: &str,
        detail: &str,
    ) -> NewEvent {
        NewEvent {
            at,
            event,
            message_id: message_id.map(str::to_string),
            subject: subject.to_string(),
            detail: detail.to_string(),
        }
    }
}

/// Appends one event inside `tx`.
pub(crate) async fn append(
    tx: &mut crate::db::Conn,
    at: i64,
    event: Event,
    message_id: Option<&str>,
    subject: &str,
    detail: &str,
) -> Result<(), StoreError> {
    append_all(tx, &[NewEvent::new(at, event, message_id, subject, detail)]).await
}

/// The PostgreSQL advisory lock that orders appends to the chain (any
/// number unused elsewhere; "zegel-au" in ASCII).
const AUDIT_LOCK: i64 = 0x7a65_6765_6c2d_6175;

/// The audit row, as the multi-row statement writes it.
static AUDIT_ROWS: crate::bulk::Shape = crate::bulk::Shape {
    head:
        "INSERT INTO audit (seq, at, event, message_id, subject, detail, prev_hash, hash) VALUES ",
    tail: "",
    width: 8,
};

/// Takes the chain for the rest of `tx`: on PostgreSQL several connections
/// and nodes append, one at a time until the transaction ends (SQLite's
/// single writer orders them by itself).
pub(crate) async fn lock_chain(tx: &mut crate::db::Conn) -> Result<(), StoreError> {
    if crate::db::engine_of(tx) == crate::Engine::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(AUDIT_LOCK)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// Appends `events`, in order, inside `tx`: one read of the chain's head,
/// the hashes chained in memory, and multi-row inserts (the group commit
/// appends a whole batch's events this way).
pub(crate) async fn append_all(
    tx: &mut crate::db::Conn,
    events: &[NewEvent],
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    lock_chain(tx).await?;
    let last = sqlx::query("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *tx)
        .await?;
    let (mut seq, mut prev) = match last {
        Some(r) => (r.try_get::<i64, _>("seq")?, r.try_get::<String, _>("hash")?),
        None => (0, GENESIS.to_string()),
    };
    let mut rows = crate::bulk::Rows::new(&AUDIT_ROWS);
    for e in events {
        seq += 1;
        let entry = AuditEntry {
            seq,
            at: e.at,
            event: e.event.into(),
            message_id: e.message_id.clone(),
            subject: e.subject.clone(),
            detail: e.detail.clone(),
        };
        let hash = entry_hash(&prev, &entry);
        let prev_hash = std::mem::replace(&mut prev, hash.clone());
        rows.push([
            entry.seq.into(),
            entry.at.into(),
            entry.event.as_str().to_string().into(),
            entry.message_id.into(),
            entry.subject.into(),
            entry.detail.into(),
            prev_hash.into(),
            hash.into(),
        ]);
    }
    rows.flush(tx).await
}

impl Store {
    /// Records one event on its own.
    pub async fn audit(
        &self,
        event: Event,
        message_id: Option<&str>,
        subject: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        append(&mut tx, crate::now(), event, message_id, subject, detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The events, oldest first, from `since` (Unix seconds).
    pub async fn audit_entries(&self, since: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, event, message_id, subject, detail FROM audit WHERE at >= $1 ORDER BY seq",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_of).collect()
    }

    /// The events named in `events` from `since` (Unix seconds) on, in
    /// order, read beside the writer (a scan of weeks of the trail must not
    /// hold up the mail flow's commits).
    pub async fn audit_events_since(
        &self,
        since: i64,
        events: &[Event],
    ) -> Result<Vec<AuditEntry>, StoreError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT seq, at, event, message_id, subject, detail FROM audit
             WHERE at >= $1 AND event IN ({}) ORDER BY seq",
            (2..events.len() + 2)
                .map(|n| format!("${n}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut query = sqlx::query(&sql).bind(since);
        for event in events {
            query = query.bind(event.as_str());
        }
        let rows = query.fetch_all(&self.reader).await?;
        rows.iter().map(entry_of).collect()
    }

    /// The events matching `filter`, newest first, at most `limit`.
    pub async fn search_audit(
        &self,
        filter: &AuditFilter,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        // LIKE with our own escape character, so % and _ typed are literal.
        let pattern = filter.text.as_deref().map(|t| {
            let escaped = t
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        });
        let rows = sqlx::query(
            "SELECT seq, at, event, message_id, subject, detail FROM audit
             WHERE ($1 IS NULL OR lower(event) LIKE $1 ESCAPE '\\'
                    OR lower(subject) LIKE $1 ESCAPE '\\'
                    OR lower(detail) LIKE $1 ESCAPE '\\'
                    OR lower(COALESCE(message_id, '')) LIKE $1 ESCAPE '\\')
               AND ($2 IS NULL OR event = $2)
               AND at >= $3 AND at < $4
             ORDER BY seq DESC LIMIT $5",
        )
        .bind(pattern)
        .bind(filter.event.as_deref())
        .bind(filter.from.unwrap_or(i64::MIN))
        .bind(filter.until.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(entry_of).collect()
    }

    /// Everything the audit trail holds about the last `limit` messages
    /// `sender` handed in (their `accepted` events name the sender), oldest
    /// first: what the sent-items page tells per message and recipient.
    pub async fn sent_by(&self, sender: &str, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, event, message_id, subject, detail FROM audit
             WHERE message_id IN (
                 SELECT message_id FROM audit
                 WHERE lower(subject) = lower($1) AND event = 'accepted'
                 ORDER BY seq DESC LIMIT $2)
             ORDER BY seq",
        )
        .bind(sender)
        .bind(limit)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(entry_of).collect()
    }

    /// The names of the events in the log, for choosing one.
    pub async fn audit_event_names(&self) -> Result<Vec<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT DISTINCT event FROM audit ORDER BY event")
                .fetch_all(&self.reader)
                .await?,
        )
    }

    /// The newest row and the number of rows; `None` when the log is empty.
    pub async fn audit_head(&self) -> Result<Option<AuditHead>, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM audit) AS n, seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(AuditHead {
                rows: r.try_get("n")?,
                seq: r.try_get("seq")?,
                hash: r.try_get("hash")?,
            })
        })
        .transpose()
    }

    /// Walks the whole chain; returns every break found (empty: intact).
    pub async fn verify_audit(&self) -> Result<Vec<AuditProblem>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, event, message_id, subject, detail, prev_hash, hash FROM audit ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut problems = Vec::new();
        let mut prev = GENESIS.to_string();
        let mut expected_seq = 1;
        // Rows past the retention were removed behind a checkpoint: the
        // chain goes on from its hash.
        if let Some(checkpoint) = self.audit_checkpoint().await? {
            if !self.checkpoint_is_signed(&checkpoint) {
                problems.push(AuditProblem {
                    seq: checkpoint.seq,
                    problem: "the retention checkpoint is not signed with this installation's key"
                        .into(),
                    kind: AuditBreak::Unsigned,
                });
            }
            prev = checkpoint.hash;
            expected_seq = checkpoint.seq + 1;
        }
        for r in &rows {
            let entry = entry_of(r)?;
            let stored_prev: String = r.try_get("prev_hash")?;
            let stored: String = r.try_get("hash")?;
            if entry.seq > expected_seq {
                problems.push(AuditProblem {
                    seq: entry.seq,
                    problem: format!("expected entry {expected_seq}: entries missing"),
                    kind: AuditBreak::Missing {
                        expected: expected_seq,
                    },
                });
            } else if entry.seq < expected_seq {
                problems.push(AuditProblem {
                    seq: entry.seq,
                    problem: format!("expected entry {expected_seq}: renumbered"),
                    kind: AuditBreak::Misnumbered {
                        expected: expected_seq,
                    },
                });
            }
            if stored_prev != prev {
                problems.push(AuditProblem {
                    seq: entry.seq,
                    problem: "does not link to the entry before it".into(),
                    kind: AuditBreak::Unlinked,
                });
            }
            if entry_hash(&stored_prev, &entry) != stored {
                problems.push(AuditProblem {
                    seq: entry.seq,
                    problem: "content changed after it was written".into(),
                    kind: AuditBreak::Changed,
                });
            }
            if let RecordedEvent::Unknown(name) = &entry.event {
                problems.push(AuditProblem {
                    seq: entry.seq,
                    problem: format!("names an event zegel does not write: {name:?}"),
                    kind: AuditBreak::UnknownEvent,
                });
            }
            prev = stored;
            expected_seq = entry.seq + 1;
        }
        Ok(problems)
    }
}

#[cfg(test)]
mod search_tests {
    use crate::AuditFilter;
    use crate::Event;

    #[tokio::test]
    async fn events_since_are_those_named_in_order() {
        let (_dir, s) = crate::test_store().await;
        for (event, detail) in [
            (Event::Accepted, "1"),
            (Event::Delivered, "2"),
            (Event::Opened, "3"),
            (Event::Revoked, "4"),
        ] {
            s.audit(event, Some("m1"), "a@ext.nl", detail)
                .await
                .unwrap();
        }
        let picked = s
            .audit_events_since(0, &[Event::Revoked, Event::Accepted])
            .await
            .unwrap();
        let details: Vec<&str> = picked.iter().map(|e| e.detail.as_str()).collect();
        assert_eq!(details, ["1", "4"]);
        assert!(s
            .audit_events_since(crate::now() + 60, &[Event::Accepted])
            .await
            .unwrap()
            .is_empty());
        assert!(s.audit_events_since(0, &[]).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn search_by_text_event_and_time_newest_first() {
        let (_dir, s) = crate::test_store().await;
        s.audit(Event::Opened, Some("m1"), "a@ext.nl", "first open")
            .await
            .unwrap();
        s.audit(Event::Revoked, Some("m2"), "b@ext.nl", "by jan@zorg.nl")
            .await
            .unwrap();
        s.audit(Event::Opened, Some("m3"), "c@ext.nl", "100% sure_thing")
            .await
            .unwrap();
        let find = |f: AuditFilter| {
            let s = s.clone();
            async move {
                s.search_audit(&f, 100)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|e| e.message_id.unwrap())
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(find(AuditFilter::default()).await, ["m3", "m2", "m1"]);
        let text = |t: &str| AuditFilter {
            text: Some(t.into()),
            ..Default::default()
        };
        assert_eq!(find(text("JAN@zorg")).await, ["m2"]);
        assert_eq!(find(text("m1")).await, ["m1"]);
        assert_eq!(find(text("100%")).await, ["m3"]);
        assert_eq!(find(text("0% s")).await, ["m3"]);
        assert!(find(text("%")).await == ["m3"], "a typed % is literal");
        assert!(find(text("_")).await == ["m3"], "a typed _ is literal");
        let opened = AuditFilter {
            event: Some("opened".into()),
            ..Default::default()
        };
        assert_eq!(find(opened).await, ["m3", "m1"]);
        let future = AuditFilter {
            from: Some(crate::now() + 10),
            ..Default::default()
        };
        assert!(find(future).await.is_empty());
        assert_eq!(s.audit_event_names().await.unwrap(), ["opened", "revoked"]);
    }
}

#[cfg(test)]
mod tests {
    use crate::Event;

    #[tokio::test]
    async fn many_events_at_once_chain_like_one_by_one() {
        let (_dir, s) = crate::test_store().await;
        s.audit(Event::Accepted, None, "a@zorg.nl", "alone")
            .await
            .unwrap();
        // 101 = 64 + 32 + 4 + 1: every chunk size on the way.
        let events: Vec<_> = (0..101)
            .map(|n| {
                super::NewEvent::new(
                    n,
                    Event::Notified,
                    Some("m1"),
                    "b@zorg.nl",
                    &format!("n{n}"),
                )
            })
            .collect();
        let mut tx = s.pool.begin().await.unwrap();
        super::append_all(&mut tx, &events).await.unwrap();
        tx.commit().await.unwrap();
        s.audit(Event::Delivered, None, "c@zorg.nl", "alone")
            .await
            .unwrap();
        let entries = s.audit_entries(0).await.unwrap();
        assert_eq!(entries.len(), 103);
        assert!(entries
            .iter()
            .enumerate()
            .all(|(i, e)| e.seq == i as i64 + 1));
        assert_eq!(entries[1].detail, "n0");
        assert_eq!(entries[101].detail, "n100");
        assert!(s.verify_audit().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn chain_detects_change_and_deletion() {
        let (_dir, s) = crate::test_store().await;
        for i in 0..5 {
            s.audit(Event::Opened, Some("m1"), "x@example.com", &format!("n{i}"))
                .await
                .unwrap();
        }
        assert!(s.verify_audit().await.unwrap().is_empty());
        sqlx::query("UPDATE audit SET detail = 'changed' WHERE seq = 3")
            .execute(&s.pool)
            .await
            .unwrap();
        let problems = s.verify_audit().await.unwrap();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].seq, 3);
        sqlx::query("DELETE FROM audit WHERE seq = 2")
            .execute(&s.pool)
            .await
            .unwrap();
        assert!(s.verify_audit().await.unwrap().iter().any(|p| p.seq == 3));
        assert_eq!(s.audit_entries(0).await.unwrap().len(), 4);
    }

    #[tokio::test]
    async fn head_and_kinds_of_breaks() {
        use crate::{AuditBreak, AuditHead};
        let (_dir, s) = crate::test_store().await;
        assert_eq!(s.audit_head().await.unwrap(), None);
        for i in 0..4 {
            s.audit(Event::Opened, None, "x@example.com", &format!("n{i}"))
                .await
                .unwrap();
        }
        let head = s.audit_head().await.unwrap().unwrap();
        assert_eq!((head.rows, head.seq, head.hash.len()), (4, 4, 64));
        sqlx::query("UPDATE audit SET event = 'x' WHERE seq = 1")
            .execute(&s.pool)
            .await
            .unwrap();
        sqlx::query("DELETE FROM audit WHERE seq = 3")
            .execute(&s.pool)
            .await
            .unwrap();
        let kinds: Vec<(i64, AuditBreak)> = s
            .verify_audit()
            .await
            .unwrap()
            .into_iter()
            .map(|p| (p.seq, p.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                (1, AuditBreak::Changed),
                (1, AuditBreak::UnknownEvent),
                (4, AuditBreak::Missing { expected: 3 }),
                (4, AuditBreak::Unlinked)
            ]
        );
        let head: AuditHead = s.audit_head().await.unwrap().unwrap();
        assert_eq!((head.rows, head.seq), (3, 4));
    }

    #[test]
    fn every_event_is_found_by_its_name() {
        let mut names = std::collections::HashSet::new();
        for &event in Event::ALL {
            assert_eq!(Event::from_name(event.as_str()), Some(event));
            assert!(names.insert(event.as_str()), "{event} twice");
        }
        assert_eq!(Event::from_name("deleted_everything"), None);
    }

    /// A row someone wrote with a name zegel does not write, chained with
    /// a correct hash, is read back as such and reported; nothing else
    /// about the chain is wrong.
    #[tokio::test]
    async fn a_row_with_an_event_zegel_does_not_write_is_reported() {
        use crate::{AuditBreak, AuditEntry, RecordedEvent};
        let (_dir, s) = crate::test_store().await;
        s.audit(Event::Opened, Some("m1"), "x@example.com", "n0")
            .await
            .unwrap();
        let head = s.audit_head().await.unwrap().unwrap();
        let forged = AuditEntry {
            seq: 2,
            at: 1,
            event: RecordedEvent::from_name("deleted_everything".into()),
            message_id: None,
            subject: "x@example.com".into(),
            detail: String::new(),
        };
        let hash = super::entry_hash(&head.hash, &forged);
        sqlx::query(
            "INSERT INTO audit (seq, at, event, message_id, subject, detail, prev_hash, hash)
             VALUES (2, 1, 'deleted_everything', NULL, 'x@example.com', '', $1, $2)",
        )
        .bind(&head.hash)
        .bind(&hash)
        .execute(&s.pool)
        .await
        .unwrap();
        let entries = s.audit_entries(0).await.unwrap();
        assert_eq!(entries[0].event, Event::Opened);
        assert_eq!(entries[1].event, forged.event);
        assert_eq!(entries[1].event.known(), None);
        let kinds: Vec<(i64, AuditBreak)> = s
            .verify_audit()
            .await
            .unwrap()
            .into_iter()
            .map(|p| (p.seq, p.kind))
            .collect();
        assert_eq!(kinds, [(2, AuditBreak::UnknownEvent)]);
    }
}
