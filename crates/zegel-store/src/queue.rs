//! Accepting a message with everything it will cause, in one transaction,
//! and working off the deliveries: claim with a lease, then record the
//! outcome. A delivery claimed by a process that died is taken again once
//! its lease runs out, so nothing accepted is lost.

use crate::blob_rows::{inline_blob_row, insert_inline, BlobWrites, INLINE_BLOBS};
use crate::bulk::{Cell, Rows, Shape};
use crate::seal::DataKey;
use crate::Event;
use crate::{now, ordered_id, Store, StoreError};
use sqlx::Row;

/// What a delivery sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryKind {
    /// The original message.
    Original,
    /// A notification that a secure message waits in the portal.
    Notification,
    /// The notice to the sender of a secure message.
    SenderNotice,
    /// A delivery status notification (bounce) to the sender.
    Dsn,
    /// Mail from outside for an internal recipient, to the organisation's
    /// own mail server.
    Inbound,
}

impl DeliveryKind {
    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryKind::Original => "original",
            DeliveryKind::Notification => "notification",
            DeliveryKind::SenderNotice => "sender_notice",
            DeliveryKind::Dsn => "dsn",
            DeliveryKind::Inbound => "inbound",
        }
    }

    fn parse(s: &str) -> DeliveryKind {
        match s {
            "notification" => DeliveryKind::Notification,
            "sender_notice" => DeliveryKind::SenderNotice,
            "dsn" => DeliveryKind::Dsn,
            "inbound" => DeliveryKind::Inbound,
            _ => DeliveryKind::Original,
        }
    }
}

/// The bytes a delivery sends.
#[derive(Debug, Clone)]
pub enum Content {
    /// The accepted message itself.
    Original,
    /// A mail zegel wrote (notification, notice, DSN).
    Generated(Vec<u8>),
}

/// One delivery to create.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    /// What it is.
    pub kind: DeliveryKind,
    /// The envelope sender to use ("" for the null sender).
    pub mail_from: String,
    /// The one recipient.
    pub rcpt: String,
    /// What to send.
    pub content: Content,
    /// Sign with DKIM.
    pub dkim: bool,
    /// Deliver only over verified TLS.
    pub require_tls: bool,
    /// No failure notice (NOTIFY=NEVER, or it is itself a notice).
    pub notify_never: bool,
    /// A failure notice returns only the headers (RET=HDRS).
    pub headers_only: bool,
    /// Hold instead of sending (policy `hold`).
    pub held: bool,
}

/// A portal package to create (its tokens are given hashed).
#[derive(Debug, Clone)]
pub struct NewSecureMessage {
    /// The recipient it is for.
    pub recipient: String,
    /// SHA-256 of the recipient's link token, hex.
    pub token_hash: String,
    /// SHA-256 of the sender's status-page token, hex.
    pub status_token_hash: String,
    /// When it expires (Unix seconds).
    pub expires_at: i64,
    /// Who sent it.
    pub sender: String,
    /// The second factor after the mail code.
    pub second_factor: crate::SecondFactor,
    /// The phone number for an SMS code (sealed with the package).
    pub phone: Option<String>,
    /// The access code the sender passes on (kept as a keyed hash).
    pub access_code: Option<String>,
    /// Send the sender a read receipt on first open.
    pub read_receipt: bool,
}

/// The assessment as stored (sealed): verdict, kinds and reasons.
pub type Summary = Vec<u8>;

/// What was accepted, as the `verdict` column holds it: the assessment's
/// verdict for outgoing mail, or where the mail came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageVerdict {
    /// Outgoing mail assessed normal.
    Normal,
    /// Outgoing mail assessed secure.
    Secure,
    /// Mail from outside, taken in for internal recipients.
    Inbound,
    /// Mail zegel wrote itself (a code, a read receipt, a notice).
    Own,
}

impl MessageVerdict {
    /// The name the column holds.
    pub const fn as_str(self) -> &'static str {
        match self {
            MessageVerdict::Normal => "normal",
            MessageVerdict::Secure => "secure",
            MessageVerdict::Inbound => "inbound",
            MessageVerdict::Own => "own",
        }
    }

    /// The verdict of a stored row, or [`StoreError::Unreadable`].
    pub(crate) fn read(name: String) -> Result<MessageVerdict, StoreError> {
        [
            MessageVerdict::Normal,
            MessageVerdict::Secure,
            MessageVerdict::Inbound,
            MessageVerdict::Own,
        ]
        .into_iter()
        .find(|v| v.as_str() == name)
        .ok_or(StoreError::Unreadable {
            column: "messages.verdict",
            value: name,
        })
    }
}

impl std::fmt::Display for MessageVerdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A message to accept.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// The envelope sender.
    pub mail_from: String,
    /// The message bytes.
    pub raw: Vec<u8>,
    /// Its verdict, or where it came from.
    pub verdict: MessageVerdict,
    /// The assessment to keep (sealed with the message's key).
    pub summary: Summary,
    /// The deliveries it causes.
    pub deliveries: Vec<NewDelivery>,
    /// Its portal packages.
    pub secure: Vec<NewSecureMessage>,
    /// Audit events to record with it: (event, subject, detail).
    pub audit: Vec<(Event, String, String)>,
    /// How long deliveries are tried before a failure notice (seconds).
    pub lifetime_secs: i64,
    /// When a warning holds it: the sender's confirmation (confirm.rs).
    pub confirm: Option<crate::confirm::NewConfirmation>,
}

/// A claimed delivery, to be sent and then finished.
#[derive(Debug, Clone)]
pub struct Job {
    /// Its row id.
    pub id: i64,
    /// The message it belongs to.
    pub message_id: crate::MessageId,
    /// What it is.
    pub kind: DeliveryKind,
    /// The envelope sender.
    pub mail_from: String,
    /// The recipient.
    pub rcpt: String,
    /// Sign with DKIM.
    pub dkim: bool,
    /// Only over verified TLS.
    pub require_tls: bool,
    /// No failure notice.
    pub notify_never: bool,
    /// Failure notice with headers only.
    pub headers_only: bool,
    /// A copy for this recipient alone: To and Cc name only them (the
    /// sender chose separate copies for a held message, confirm.rs).
    pub alone: bool,
    /// Attempts so far.
    pub attempts: i64,
    /// After this moment (Unix seconds) it fails for good.
    pub expires_at: i64,
    blob_id: String,
    wrapped_key: Vec<u8>,
}

/// How an attempt ended.
#[derive(Debug, Clone)]
pub enum JobOutcome {
    /// Accepted by the next hop.
    Sent,
    /// Try again at the given time.
    Retry {
        /// When (Unix seconds).
        at: i64,
        /// Why it failed this time.
        error: String,
    },
    /// Failed for good.
    Failed {
        /// Why.
        error: String,
    },
}

impl Store {
    /// Stores a message, its blobs (sealed), its deliveries, portal packages
    /// and audit events; returns its id once everything is durable.
    pub async fn accept(&self, message: NewMessage) -> Result<crate::MessageId, StoreError> {
        let id = ordered_id();
        let key = DataKey::generate();
        let wrapped = self.kek.wrap(&key, id.as_bytes());
        let sealed = key.seal(&message.raw, id.as_bytes());
        let summary = key.seal(&message.summary, format!("{id}/summary").as_bytes());
        let mut generated = Vec::new();
        let mut writes = BlobWrites::default();
        writes.push(id.clone(), sealed);
        for delivery in &message.deliveries {
            if let Content::Generated(bytes) = &delivery.content {
                let blob_id = ordered_id();
                let dk = DataKey::generate();
                generated.push((blob_id.clone(), self.kek.wrap(&dk, blob_id.as_bytes())));
                writes.push(blob_id.clone(), dk.seal(bytes, blob_id.as_bytes()));
            }
        }
        let mut packages = Vec::new();
        for s in &message.secure {
            let mut rows =
                self.seal_package(&message.raw, s.phone.as_deref(), s.access_code.as_deref());
            writes.push(rows.blob_id.clone(), std::mem::take(&mut rows.sealed));
            packages.push(rows);
        }
        // Large blobs are files, durable before the rows; small ones go in
        // with the rows (blob_rows.rs).
        self.put_file_blobs(&mut writes).await?;

        // The rows, in one transaction shared with the writes queued beside
        // this one (group.rs); durable when this returns.
        let now = now();
        let rows = std::sync::Arc::new((
            id.clone(),
            message,
            generated,
            packages,
            writes.inline,
            wrapped,
            summary,
        ));
        self.write_grouped(crate::group::write(move |batch| {
            let rows = rows.clone();
            Box::pin(async move {
                let (id, message, generated, packages, inline, wrapped, summary) = &*rows;
                for (blob_id, data) in inline {
                    batch
                        .rows(&INLINE_BLOBS)
                        .push(inline_blob_row(blob_id, data));
                }
                batch.rows(&MESSAGES).push([
                    id.as_str().into(),
                    now.into(),
                    message.mail_from.as_str().into(),
                    (message.raw.len() as i64).into(),
                    message.verdict.as_str().into(),
                    wrapped.as_slice().into(),
                    summary.as_slice().into(),
                ]);
                let mut generated = generated.iter();
                for d in &message.deliveries {
                    let (blob_id, wrapped_key) = match d.content {
                        Content::Original => (id.as_str(), wrapped.as_slice()),
                        Content::Generated(_) => generated
                            .next()
                            .map(|(b, k)| (b.as_str(), k.as_slice()))
                            .ok_or(StoreError::NotFound("blob"))?,
                    };
                    let row = delivery_row(id, d, blob_id, wrapped_key, now, message.lifetime_secs);
                    batch.rows(&DELIVERIES).push(row);
                }
                for (s, p) in message.secure.iter().zip(packages) {
                    batch.rows(&SECURE_MESSAGES).push([
                        p.id.as_str().into(),
                        id.as_str().into(),
                        s.recipient.as_str().into(),
                        s.token_hash.as_str().into(),
                        s.status_token_hash.as_str().into(),
                        now.into(),
                        s.expires_at.into(),
                        s.sender.as_str().into(),
                        p.blob_id.as_str().into(),
                        p.wrapped_key.as_slice().into(),
                        s.second_factor.as_str().into(),
                        p.phone.as_deref().into(),
                        p.access_code_hash.as_deref().into(),
                        s.read_receipt.into(),
                    ]);
                }
                if let Some(c) = &message.confirm {
                    batch.rows(&crate::confirm::HOLD_CONFIRMATIONS).push(
                        crate::confirm::confirmation_row(id, &message.mail_from, c, now),
                    );
                }
                for (event, subject, detail) in &message.audit {
                    batch.audit(now, *event, Some(id), subject, detail);
                }
                Ok(())
            })
        }))
        .await?;
        Ok(crate::MessageId::from(id))
    }

    /// Adds a generated delivery (a failure notice) to an accepted message.
    pub async fn add_delivery(
        &self,
        message_id: &crate::MessageId,
        delivery: NewDelivery,
        lifetime_secs: i64,
    ) -> Result<(), StoreError> {
        let message_id = message_id.as_str();
        let Content::Generated(bytes) = &delivery.content else {
            return Err(StoreError::NotFound("generated content"));
        };
        let blob_id = ordered_id();
        let dk = DataKey::generate();
        let wrapped = self.kek.wrap(&dk, blob_id.as_bytes());
        let mut writes = BlobWrites::default();
        writes.push(blob_id.clone(), dk.seal(bytes, blob_id.as_bytes()));
        self.put_file_blobs(&mut writes).await?;
        let mut tx = self.pool.begin().await?;
        insert_inline(&mut tx, &writes.inline).await?;
        let mut row = Rows::new(&DELIVERIES);
        row.push(delivery_row(
            message_id,
            &delivery,
            &blob_id,
            &wrapped,
            now(),
            lifetime_secs,
        ));
        row.flush(&mut tx).await?;
        // A new copy to destroy in its time (purge.rs).
        sqlx::query("UPDATE messages SET purged_at = NULL WHERE id = $1")
            .bind(message_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Claims up to `limit` due deliveries for `lease_secs`. The claim is
    /// committed with the writes queued beside it (group.rs): a claim costs
    /// no WAL sync of its own.
    pub async fn claim(&self, limit: i64, lease_secs: i64) -> Result<Vec<Job>, StoreError> {
        let claimed = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let slot = claimed.clone();
        let owner = self.lease_owner.clone();
        self.write_grouped(crate::group::write(move |batch| {
            let slot = slot.clone();
            let owner = owner.clone();
            Box::pin(async move {
                let now = now();
                let sql = match crate::db::engine_of(batch.conn()) {
                    crate::Engine::Sqlite => CLAIM,
                    crate::Engine::Postgres => CLAIM_SKIP_LOCKED,
                };
                let rows = sqlx::query(sql)
                    .bind(now)
                    .bind(lease_secs)
                    .bind(limit)
                    .bind(owner.to_string())
                    .fetch_all(batch.conn())
                    .await?;
                let jobs = rows
                    .iter()
                    .map(job_of)
                    .collect::<Result<Vec<Job>, StoreError>>()?;
                *slot.lock().unwrap_or_else(|e| e.into_inner()) = jobs;
                Ok(())
            })
        }))
        .await?;
        let jobs = std::mem::take(&mut *claimed.lock().unwrap_or_else(|e| e.into_inner()));
        Ok(jobs)
    }

    /// Releases every lease. Call at start when this process is the only
    /// user of the database (SQLite): leases found then belong to a previous
    /// run that died, and their deliveries are due again at once.
    pub async fn release_leases(&self) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE deliveries SET lease_until = 0 WHERE state = 'queued' AND lease_until > 0",
        )
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// This store with `node` as the holder of the leases it claims: a
    /// node restarted with the same name takes them back at once
    /// ([`Store::release_own_leases`]) instead of waiting for them to run
    /// out as another node must.
    pub fn with_lease_owner(mut self, node: &str) -> Store {
        self.lease_owner = node.into();
        self
    }

    /// Releases the leases this store's lease owner holds (see
    /// [`Store::with_lease_owner`]); call at start, before claiming: they
    /// belong to this node's previous run, which stopped or died. Other
    /// nodes' leases are left alone.
    pub async fn release_own_leases(&self) -> Result<u64, StoreError> {
        if self.lease_owner.is_empty() {
            return Ok(0);
        }
        let done = sqlx::query(
            "UPDATE deliveries SET lease_until = 0
             WHERE state = 'queued' AND lease_until > 0 AND lease_owner = $1",
        )
        .bind(self.lease_owner.to_string())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// The bytes a claimed delivery sends (unsealed in memory only).
    pub async fn content(&self, job: &Job) -> Result<Vec<u8>, StoreError> {
        let sealed = self.read_blob(&job.blob_id).await?;
        let key = self.kek.unwrap(&job.wrapped_key, job.blob_id.as_bytes())?;
        key.open(&sealed, job.blob_id.as_bytes())
    }

    /// Records how an attempt ended, with an audit event.
    pub async fn finish(&self, job: &Job, outcome: &JobOutcome) -> Result<(), StoreError> {
        let now = now();
        let (state, next, error, event) = match outcome {
            JobOutcome::Sent if job.kind == DeliveryKind::Notification => {
                ("sent", now, None, Event::Notified)
            }
            JobOutcome::Sent => ("sent", now, None, Event::Delivered),
            JobOutcome::Retry { at, error } => {
                ("queued", *at, Some(error.clone()), Event::Deferred)
            }
            JobOutcome::Failed { error } => ("failed", now, Some(error.clone()), Event::Failed),
        };
        let detail = match &error {
            Some(e) => format!("{} to {}: {e}", job.kind.as_str(), job.rcpt),
            None => format!("{} to {}", job.kind.as_str(), job.rcpt),
        };
        let (delivery, message_id, rcpt) = (job.id, job.message_id.to_string(), job.rcpt.clone());
        // Committed together with the accepts and results queued beside it
        // (group.rs).
        let done_at = (state != "queued").then_some(now);
        self.write_grouped(crate::group::write(move |batch| {
            batch.rows(&RESULTS).push([
                delivery.into(),
                state.into(),
                next.into(),
                error.clone().into(),
                done_at.into(),
            ]);
            batch.audit(now, event, Some(&message_id), &rcpt, &detail);
            Box::pin(std::future::ready(Ok(())))
        }))
        .await
    }

    /// Counts deliveries by state (for status output and tests).
    pub async fn delivery_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM deliveries GROUP BY state")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("state")?, r.try_get("n")?)))
            .collect()
    }

    /// The earliest moment a queued delivery is due, if any.
    pub async fn next_due(&self) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query(
            "SELECT MIN(CASE WHEN lease_until > next_attempt_at THEN lease_until ELSE next_attempt_at END)
                 AS due FROM deliveries WHERE state = 'queued'",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("due")?)
    }
}

/// Claims due deliveries: a lease of `$2` seconds from `$1` held by node
/// `$4` for at most `$3` of them. On SQLite the single writer makes a
/// claim atomic.
const CLAIM: &str = "UPDATE deliveries SET lease_until = $1 + $2, attempts = attempts + 1,
         lease_owner = $4
     WHERE id IN (SELECT id FROM deliveries
                  WHERE state = 'queued' AND next_attempt_at <= $1 AND lease_until <= $1
                  ORDER BY next_attempt_at, id LIMIT $3)
     RETURNING id, message_id, kind, mail_from, rcpt, dkim, require_tls, notify_never,
               headers_only, alone, attempts, expires_at, blob_id, wrapped_key";

/// [`CLAIM`] for PostgreSQL, where nodes claim at once: rows another
/// node's claim has locked are skipped, not waited for and then taken
/// twice.
const CLAIM_SKIP_LOCKED: &str =
    "UPDATE deliveries SET lease_until = $1 + $2, attempts = attempts + 1,
         lease_owner = $4
     WHERE id IN (SELECT id FROM deliveries
                  WHERE state = 'queued' AND next_attempt_at <= $1 AND lease_until <= $1
                  ORDER BY next_attempt_at, id LIMIT $3
                  FOR UPDATE SKIP LOCKED)
     RETURNING id, message_id, kind, mail_from, rcpt, dkim, require_tls, notify_never,
               headers_only, alone, attempts, expires_at, blob_id, wrapped_key";

/// A claimed delivery from its row.
fn job_of(r: &sqlx::any::AnyRow) -> Result<Job, StoreError> {
    Ok(Job {
        id: r.try_get("id")?,
        message_id: crate::MessageId::from(r.try_get::<String, _>("message_id")?),
        kind: DeliveryKind::parse(r.try_get("kind")?),
        mail_from: r.try_get("mail_from")?,
        rcpt: r.try_get("rcpt")?,
        dkim: crate::db::flag(r, "dkim")?,
        require_tls: crate::db::flag(r, "require_tls")?,
        notify_never: crate::db::flag(r, "notify_never")?,
        headers_only: crate::db::flag(r, "headers_only")?,
        alone: crate::db::flag(r, "alone")?,
        attempts: r.try_get("attempts")?,
        expires_at: r.try_get("expires_at")?,
        blob_id: r.try_get("blob_id")?,
        wrapped_key: r.try_get("wrapped_key")?,
    })
}

/// A message row.
static MESSAGES: Shape = Shape {
    head: "INSERT INTO messages (id, received_at, mail_from, size, verdict, wrapped_key, summary) VALUES ",
    tail: "",
    width: 7,
};

/// A delivery row ([`delivery_row`]).
static DELIVERIES: Shape = Shape {
    head: "INSERT INTO deliveries (message_id, kind, mail_from, rcpt, blob_id, wrapped_key, dkim,
            require_tls, notify_never, headers_only, state, next_attempt_at, expires_at, created_at) VALUES ",
    tail: "",
    width: 14,
};

/// A portal package's row.
static SECURE_MESSAGES: Shape = Shape {
    head: "INSERT INTO secure_messages
           (id, message_id, recipient, token_hash, status_token_hash, created_at,
            expires_at, sender, blob_id, wrapped_key, second_factor, phone,
            access_code_hash, read_receipt) VALUES ",
    tail: "",
    width: 14,
};

/// How an attempt ended, by delivery id: state, next attempt, last error,
/// done at. The lease ends with it.
static RESULTS: Shape = Shape {
    head: "UPDATE deliveries SET state = v.column2, next_attempt_at = v.column3,
            last_error = v.column4, lease_until = 0, done_at = v.column5
           FROM (VALUES ",
    tail: ") AS v WHERE deliveries.id = v.column1",
    width: 5,
};

/// The values of a new delivery, in the order of [`DELIVERIES`].
fn delivery_row(
    message_id: &str,
    d: &NewDelivery,
    blob_id: &str,
    wrapped_key: &[u8],
    now: i64,
    lifetime_secs: i64,
) -> [Cell; 14] {
    [
        message_id.into(),
        d.kind.as_str().into(),
        d.mail_from.as_str().into(),
        d.rcpt.as_str().into(),
        blob_id.into(),
        wrapped_key.into(),
        d.dkim.into(),
        d.require_tls.into(),
        d.notify_never.into(),
        d.headers_only.into(),
        (if d.held { "held" } else { "queued" }).into(),
        now.into(),
        (now + lifetime_secs).into(),
        now.into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Kek;

    fn delivery(rcpt: &str, content: Content) -> NewDelivery {
        NewDelivery {
            kind: DeliveryKind::Original,
            mail_from: "a@org.nl".into(),
            rcpt: rcpt.into(),
            content,
            dkim: true,
            require_tls: false,
            notify_never: false,
            headers_only: false,
            held: false,
        }
    }

    async fn store(dir: &std::path::Path) -> Store {
        Store::open(
            dir,
            crate::test_database_url(dir).await.unwrap().as_deref(),
            Kek::from_bytes([7; 32]),
        )
        .await
        .unwrap()
    }

    fn message() -> NewMessage {
        NewMessage {
            mail_from: "a@org.nl".into(),
            raw: b"Subject: x\r\n\r\nBSN 111222333\r\n".to_vec(),
            verdict: crate::MessageVerdict::Secure,
            summary: b"{}".to_vec(),
            deliveries: vec![
                delivery("b@org.nl", Content::Original),
                delivery(
                    "c@example.com",
                    Content::Generated(b"notification".to_vec()),
                ),
            ],
            secure: vec![],
            audit: vec![(
                crate::Event::Accepted,
                "a@org.nl".into(),
                "2 recipients".into(),
            )],
            lifetime_secs: 3600,
            confirm: None,
        }
    }

    #[tokio::test]
    async fn accept_claim_finish_and_nothing_in_plaintext() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path()).await;
        s.accept(message()).await.unwrap();
        let jobs = s.claim(10, 60).await.unwrap();
        assert_eq!(jobs.len(), 2);
        assert!(s.claim(10, 60).await.unwrap().is_empty(), "leased");
        let orig = jobs.iter().find(|j| j.rcpt == "b@org.nl").unwrap();
        assert!(s
            .content(orig)
            .await
            .unwrap()
            .ends_with(b"BSN 111222333\r\n"));
        let note = jobs.iter().find(|j| j.rcpt == "c@example.com").unwrap();
        assert_eq!(s.content(note).await.unwrap(), b"notification");
        s.finish(orig, &JobOutcome::Sent).await.unwrap();
        s.finish(
            note,
            &JobOutcome::Retry {
                at: 0,
                error: "451".into(),
            },
        )
        .await
        .unwrap();
        let again = s.claim(10, 60).await.unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].attempts, 2);
        // No file in the data folder holds the content in plaintext.
        for entry in walk(dir.path()) {
            let bytes = std::fs::read(&entry).unwrap();
            assert!(
                !bytes.windows(9).any(|w| w == b"111222333"),
                "plaintext in {}",
                entry.display()
            );
        }
        assert!(s.verify_audit().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn lease_expiry_hands_work_to_another() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path()).await;
        s.accept(message()).await.unwrap();
        assert_eq!(s.claim(10, 0).await.unwrap().len(), 2);
        // A lease of 0 s has run out at once: the work is claimable again.
        assert_eq!(s.claim(10, 60).await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn a_restarted_node_takes_back_its_own_leases_only() {
        let dir = tempfile::tempdir().unwrap();
        let a = store(dir.path()).await.with_lease_owner("node-a");
        let b = store(dir.path()).await.with_lease_owner("node-b");
        a.accept(message()).await.unwrap();
        a.accept(message()).await.unwrap();
        assert_eq!(a.claim(3, 600).await.unwrap().len(), 3);
        assert_eq!(b.claim(10, 600).await.unwrap().len(), 1);
        assert!(b.claim(10, 600).await.unwrap().is_empty(), "all leased");
        // Node a restarts: its three are due again, b's one is not.
        let again = store(dir.path()).await.with_lease_owner("node-a");
        assert_eq!(again.release_own_leases().await.unwrap(), 3);
        assert_eq!(again.claim(10, 600).await.unwrap().len(), 3);
        assert_eq!(again.release_own_leases().await.unwrap(), 3);
        assert_eq!(b.release_own_leases().await.unwrap(), 1);
        // Without a name nothing is released.
        assert_eq!(
            store(dir.path()).await.release_own_leases().await.unwrap(),
            0
        );
    }

    #[tokio::test]
    async fn survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = store(dir.path()).await;
            s.accept(message()).await.unwrap();
        }
        let s = store(dir.path()).await;
        assert_eq!(s.claim(10, 60).await.unwrap().len(), 2);
        assert_eq!(s.release_leases().await.unwrap(), 2);
        assert_eq!(
            s.claim(10, 60).await.unwrap().len(),
            2,
            "free again after release"
        );
        let wrong = Store::open(
            dir.path(),
            crate::test_database_url(dir.path())
                .await
                .unwrap()
                .as_deref(),
            Kek::from_bytes([8; 32]),
        )
        .await
        .unwrap();
        let jobs = wrong.claim(10, 0).await.unwrap();
        assert_eq!(jobs.len(), 0, "still leased");
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }
}
