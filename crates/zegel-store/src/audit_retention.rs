//! The audit log's retention: rows older than the retention are removed
//! from the front of the chain, and a checkpoint keeps what the rest needs
//! to verify: the position and hash of the last removed row and how many
//! were removed in all, with a MAC under a key derived from the KEK. Whoever
//! can change the database but does not hold the KEK cannot remove rows and
//! write a checkpoint that hides it ([`Store::verify_audit`]).

use crate::Event;
use crate::{now, Store, StoreError};
use sqlx::Row;

/// The MAC purpose of checkpoints (kek.rs derives a key per purpose).
const MAC_PURPOSE: &str = "audit-checkpoint";

/// Where the verified chain starts after rows were removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCheckpoint {
    /// The last removed row's position.
    pub seq: i64,
    /// Its time (Unix seconds).
    pub at: i64,
    /// Its hash: the next row's `prev_hash`.
    pub hash: String,
    /// Rows removed in all, up to and including `seq`.
    pub removed: i64,
    /// When the checkpoint was made (Unix seconds).
    pub made_at: i64,
    mac: String,
}

impl AuditCheckpoint {
    fn signed_bytes(&self) -> Vec<u8> {
        format!(
            "{}|{}|{}|{}|{}",
            self.seq, self.at, self.hash, self.removed, self.made_at
        )
        .into_bytes()
    }
}

impl Store {
    /// Removes the audit rows written before `before` (never the newest
    /// row: the chain goes on from it) behind a new checkpoint, recorded as
    /// an `audit_trimmed` event. Returns how many rows went.
    pub(crate) async fn trim_audit(&self, before: i64) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        crate::audit::lock_chain(&mut tx).await?;
        let last = sqlx::query(
            "SELECT seq, at, hash FROM audit
             WHERE seq = (SELECT MAX(seq) FROM audit
                          WHERE at < $1 AND seq < (SELECT MAX(seq) FROM audit))",
        )
        .bind(before)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(last) = last else {
            return Ok(0);
        };
        let seq: i64 = last.try_get("seq")?;
        let removed = sqlx::query("DELETE FROM audit WHERE seq <= $1")
            .bind(seq)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let earlier: Option<i64> =
            sqlx::query_scalar("SELECT removed FROM audit_checkpoints ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?;
        let mut checkpoint = AuditCheckpoint {
            seq,
            at: last.try_get("at")?,
            hash: last.try_get("hash")?,
            removed: earlier.unwrap_or(0) + removed as i64,
            made_at: now(),
            mac: String::new(),
        };
        checkpoint.mac = self.kek.mac(MAC_PURPOSE, &checkpoint.signed_bytes());
        sqlx::query(
            "INSERT INTO audit_checkpoints (seq, at, hash, removed, made_at, mac)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(checkpoint.seq)
        .bind(checkpoint.at)
        .bind(&checkpoint.hash)
        .bind(checkpoint.removed)
        .bind(checkpoint.made_at)
        .bind(&checkpoint.mac)
        .execute(&mut *tx)
        .await?;
        crate::audit::append(
            &mut tx,
            checkpoint.made_at,
            Event::AuditTrimmed,
            None,
            "zegel",
            &format!("{removed} entries up to {seq} removed (retention); checkpoint kept"),
        )
        .await?;
        tx.commit().await?;
        Ok(removed)
    }

    /// The newest checkpoint, if rows were ever removed.
    pub async fn audit_checkpoint(&self) -> Result<Option<AuditCheckpoint>, StoreError> {
        let row = sqlx::query(
            "SELECT seq, at, hash, removed, made_at, mac FROM audit_checkpoints
             ORDER BY seq DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(AuditCheckpoint {
                seq: r.try_get("seq")?,
                at: r.try_get("at")?,
                hash: r.try_get("hash")?,
                removed: r.try_get("removed")?,
                made_at: r.try_get("made_at")?,
                mac: r.try_get("mac")?,
            })
        })
        .transpose()
    }

    /// Whether `checkpoint` was made with this installation's key ring.
    pub(crate) fn checkpoint_is_signed(&self, checkpoint: &AuditCheckpoint) -> bool {
        self.kek
            .mac_matches(MAC_PURPOSE, &checkpoint.signed_bytes(), &checkpoint.mac)
    }
}
