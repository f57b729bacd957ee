//! The policy the administrator set on the staff web: one JSON document
//! (its meaning belongs to the outbound pipeline) with a version that each
//! node compares to pick up a change.

use crate::Event;
use crate::{now, Store, StoreError};
use sqlx::Row;

/// The stored policy document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredPolicy {
    /// The JSON document.
    pub body: String,
    /// Raised by one at every change.
    pub version: i64,
    /// When it was last changed (Unix seconds).
    pub updated_at: i64,
    /// Who changed it.
    pub updated_by: String,
}

impl Store {
    /// The stored policy document, if one was ever set.
    pub async fn stored_policy(&self) -> Result<Option<StoredPolicy>, StoreError> {
        let row = sqlx::query(
            "SELECT body, version, updated_at, updated_by FROM policy_overrides WHERE id = 1",
        )
        .fetch_optional(&self.reader)
        .await?;
        row.map(|r| {
            Ok(StoredPolicy {
                body: r.try_get("body")?,
                version: r.try_get("version")?,
                updated_at: r.try_get("updated_at")?,
                updated_by: r.try_get("updated_by")?,
            })
        })
        .transpose()
    }

    /// The version of the stored policy (0: never set); a cheap question
    /// for nodes to ask often.
    pub async fn stored_policy_version(&self) -> Result<i64, StoreError> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT version FROM policy_overrides WHERE id = 1")
                .fetch_optional(&self.reader)
                .await?;
        Ok(v.unwrap_or(0))
    }

    /// Stores a new policy document, audited with its content (a policy is
    /// not secret); returns its version.
    pub async fn set_stored_policy(&self, body: &str, by: &str) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let at = now();
        let version: i64 = sqlx::query_scalar(
            "INSERT INTO policy_overrides (id, body, version, updated_at, updated_by)
             VALUES (1, $1, 1, $2, $3)
             ON CONFLICT(id) DO UPDATE SET body = excluded.body, version = policy_overrides.version + 1,
                 updated_at = excluded.updated_at, updated_by = excluded.updated_by
             RETURNING version",
        )
        .bind(body)
        .bind(at)
        .bind(by)
        .fetch_one(&mut *tx)
        .await?;
        crate::audit::append(
            &mut tx,
            at,
            Event::PolicyChanged,
            None,
            by,
            &format!("version {version}: {body}"),
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }
}

#[cfg(test)]
mod tests {

    #[tokio::test]
    async fn versions_rise_and_changes_are_audited() {
        let (_dir, s) = crate::test_store().await;
        assert_eq!(s.stored_policy().await.unwrap(), None);
        assert_eq!(s.stored_policy_version().await.unwrap(), 0);
        assert_eq!(
            s.set_stored_policy("{\"a\":1}", "fg@org.nl").await.unwrap(),
            1
        );
        assert_eq!(
            s.set_stored_policy("{\"a\":2}", "fg@org.nl").await.unwrap(),
            2
        );
        let p = s.stored_policy().await.unwrap().unwrap();
        assert_eq!((p.body.as_str(), p.version), ("{\"a\":2}", 2));
        assert_eq!(s.stored_policy_version().await.unwrap(), 2);
        let changes = s
            .audit_entries(0)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.event == crate::Event::PolicyChanged)
            .count();
        assert_eq!(changes, 2);
    }
}
