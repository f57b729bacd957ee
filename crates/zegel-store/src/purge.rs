//! Destroying what zegel no longer needs (issue 20 item 6): the sealed
//! original of a message and the content of its deliveries once every
//! delivery is final and the grace for a resend has passed, or at once when
//! every portal copy of it was withdrawn or expired; one-time codes a day
//! after they expired; and, past the audit retention, the audit rows (see
//! `audit_retention.rs`) and the rows that name the message's addresses.
//!
//! Destroying is crypto-shredding first: the wrapped data keys are removed
//! in a transaction, so from its commit on nothing left can be decrypted;
//! the sealed bytes (rows, files or objects) are deleted after it.

use crate::Event;
use crate::{now, Store, StoreError};
use sqlx::Row;

/// How long things are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PurgePolicy {
    /// After the last delivery of a message became final (sent, failed for
    /// good, or deleted while held), keep its original this long for a
    /// resend; then destroy it. Seconds.
    pub keep_after_final_secs: i64,
    /// Audit rows older than this are removed (behind a signed
    /// checkpoint), and so are the rows of messages destroyed that long
    /// ago. Seconds.
    pub audit_retention_secs: i64,
}

/// Seven days: a week to resend a delivery before its original goes.
pub const KEEP_AFTER_FINAL_DAYS: i64 = 7;
/// Six years, NTA 7516 practice for records of care communication.
pub const AUDIT_RETENTION_YEARS: i64 = 6;

impl Default for PurgePolicy {
    fn default() -> PurgePolicy {
        PurgePolicy {
            keep_after_final_secs: KEEP_AFTER_FINAL_DAYS * 86_400,
            audit_retention_secs: years(AUDIT_RETENTION_YEARS),
        }
    }
}

/// `n` years in seconds (a year of 365.25 days).
pub fn years(n: i64) -> i64 {
    n * 31_557_600
}

/// What one [`Store::purge`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeReport {
    /// Messages whose original and deliveries' content were destroyed.
    pub messages: u64,
    /// Sealed blobs deleted (originals and generated mails).
    pub blobs: u64,
    /// One-time code rows removed.
    pub codes: u64,
    /// Audit rows removed past the retention.
    pub audit_rows: u64,
    /// Message rows (with their deliveries and portal rows) removed past
    /// the retention.
    pub old_messages: u64,
}

/// Messages destroyed per transaction.
const BATCH: i64 = 200;
/// One-time codes stay a day past their expiry: the hourly limits per
/// address count them (codes.rs in zegel-portal).
const CODES_KEPT_AFTER_EXPIRY_SECS: i64 = 86_400;

/// Messages whose content may go: nothing queued or held, and either every
/// delivery final since before `$1`, or portal copies that are all
/// withdrawn or expired (then at once).
const DUE: &str = "SELECT m.id FROM messages m
     WHERE m.purged_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM deliveries d
                       WHERE d.message_id = m.id AND d.state IN ('queued', 'held'))
       AND (NOT EXISTS (SELECT 1 FROM deliveries d
                        WHERE d.message_id = m.id AND d.done_at > $1)
            OR (EXISTS (SELECT 1 FROM secure_messages s WHERE s.message_id = m.id)
                AND NOT EXISTS (SELECT 1 FROM secure_messages s
                                WHERE s.message_id = m.id AND s.wrapped_key IS NOT NULL)))
     ORDER BY m.received_at, m.id LIMIT $2";

impl Store {
    /// Destroys and removes what `policy` no longer keeps (see the module
    /// documentation); safe while zegel serves and on several nodes at once.
    pub async fn purge(&self, policy: &PurgePolicy) -> Result<PurgeReport, StoreError> {
        let now = now();
        let mut report = PurgeReport::default();
        loop {
            let done = self
                .destroy_due(now - policy.keep_after_final_secs, &mut report)
                .await?;
            if done < BATCH as u64 {
                break;
            }
        }
        report.codes = sqlx::query("DELETE FROM portal_codes WHERE expires_at <= $1")
            .bind(now - CODES_KEPT_AFTER_EXPIRY_SECS)
            .execute(&self.pool)
            .await?
            .rows_affected();
        let retained_from = now - policy.audit_retention_secs;
        report.audit_rows = self.trim_audit(retained_from).await?;
        report.old_messages = self.remove_old_messages(retained_from).await?;
        Ok(report)
    }

    /// Destroys up to [`BATCH`] due messages in one transaction; returns
    /// how many.
    async fn destroy_due(
        &self,
        final_before: i64,
        report: &mut PurgeReport,
    ) -> Result<u64, StoreError> {
        let now = now();
        let mut tx = self.pool.begin().await?;
        let ids: Vec<String> = sqlx::query_scalar(DUE)
            .bind(final_before)
            .bind(BATCH)
            .fetch_all(&mut *tx)
            .await?;
        let mut blobs = Vec::new();
        let mut events = Vec::new();
        for id in &ids {
            // Checked again in the statement itself: a delivery released
            // or added on another node since the select keeps the message.
            let row = sqlx::query(
                "UPDATE messages SET wrapped_key = NULL, purged_at = $1
                 WHERE id = $2 AND purged_at IS NULL
                   AND NOT EXISTS (SELECT 1 FROM deliveries d
                                   WHERE d.message_id = messages.id
                                     AND d.state IN ('queued', 'held'))
                 RETURNING mail_from",
            )
            .bind(now)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = row else { continue };
            let mail_from: String = row.try_get("mail_from")?;
            // The original is the blob named after the message; generated
            // mails have blobs of their own.
            let mut ids_of_blobs = vec![id.clone()];
            let keyed = sqlx::query(
                "UPDATE deliveries SET wrapped_key = $1
                 WHERE message_id = $2 AND length(wrapped_key) > 0
                 RETURNING blob_id",
            )
            .bind(Vec::<u8>::new())
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            for r in &keyed {
                let blob: String = r.try_get("blob_id")?;
                if !ids_of_blobs.contains(&blob) {
                    ids_of_blobs.push(blob);
                }
            }
            for blob in &ids_of_blobs {
                sqlx::query("DELETE FROM inline_blobs WHERE id = $1")
                    .bind(blob)
                    .execute(&mut *tx)
                    .await?;
            }
            events.push(crate::audit::NewEvent::new(
                now,
                Event::Destroyed,
                Some(id),
                &mail_from,
                &format!(
                    "original and {} delivery copies: keys destroyed, copies deleted",
                    ids_of_blobs.len() - 1
                ),
            ));
            blobs.extend(ids_of_blobs);
        }
        crate::audit::append_all(&mut tx, &events).await?;
        tx.commit().await?;
        // The keys are gone with the commit; the unreadable bytes follow.
        for blob in &blobs {
            self.blobs.delete(blob).await?;
        }
        report.messages += events.len() as u64;
        report.blobs += blobs.len() as u64;
        Ok(ids.len() as u64)
    }

    /// Removes the rows of messages destroyed before `before` whose portal
    /// copies are gone too: their deliveries, portal rows and the message
    /// row. Returns how many messages.
    async fn remove_old_messages(&self, before: i64) -> Result<u64, StoreError> {
        let mut removed = 0;
        loop {
            let mut tx = self.pool.begin().await?;
            let ids: Vec<String> = sqlx::query_scalar(
                "SELECT m.id FROM messages m
                 WHERE m.purged_at IS NOT NULL AND m.purged_at < $1
                   AND NOT EXISTS (SELECT 1 FROM secure_messages s
                                   WHERE s.message_id = m.id
                                     AND (s.wrapped_key IS NOT NULL OR s.expires_at >= $1))
                 ORDER BY m.purged_at LIMIT $2",
            )
            .bind(before)
            .bind(BATCH)
            .fetch_all(&mut *tx)
            .await?;
            for id in &ids {
                sqlx::query("DELETE FROM deliveries WHERE message_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "DELETE FROM portal_sessions WHERE kind = $2 AND target IN
                         (SELECT id FROM secure_messages WHERE message_id = $1)",
                )
                .bind(id)
                .bind(crate::SessionKind::Recipient.as_str())
                .execute(&mut *tx)
                .await?;
                for statement in [
                    "DELETE FROM secure_messages WHERE message_id = $1",
                    "DELETE FROM messages WHERE id = $1",
                ] {
                    sqlx::query(statement).bind(id).execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
            removed += ids.len() as u64;
            if (ids.len() as i64) < BATCH {
                return Ok(removed);
            }
        }
    }
}

#[cfg(test)]
mod tests;
