//! Rate limits shared by every node: hits per key (a client address, an
//! account) counted in the database in fixed windows. One node keeps its
//! limits in memory (governor, in the portal); several nodes on one
//! database ask here as well, so a client cannot get a limit's worth from
//! each node.

use crate::{now, Store, StoreError};

/// Windows older than this are swept.
const KEEP_SECS: i64 = 86_400;

impl Store {
    /// Counts one hit for `key` in the current window of `window_secs`
    /// seconds; returns the hits in that window so far, this one included.
    pub async fn count_hit(&self, key: &str, window_secs: i64) -> Result<i64, StoreError> {
        let now = now();
        let start = now - now.rem_euclid(window_secs.max(1));
        let hits: i64 = sqlx::query_scalar(
            "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1)
             ON CONFLICT (key) DO UPDATE SET
                 hits = CASE WHEN rate_limits.window_start = excluded.window_start
                             THEN rate_limits.hits + 1 ELSE 1 END,
                 window_start = excluded.window_start
             RETURNING hits",
        )
        .bind(key)
        .bind(start)
        .fetch_one(&self.pool)
        .await?;
        // Sweep old windows now and then (one hit in 256), so keys of
        // clients long gone do not pile up.
        if rand::random::<u8>() == 0 {
            sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
                .bind(now - KEEP_SECS)
                .execute(&self.pool)
                .await?;
        }
        Ok(hits)
    }
}

impl Store {
    /// The hits counted for `key` in the current window of `window_secs`
    /// seconds, without counting one.
    pub async fn hits_now(&self, key: &str, window_secs: i64) -> Result<i64, StoreError> {
        let now = now();
        let start = now - now.rem_euclid(window_secs.max(1));
        let hits: Option<i64> =
            sqlx::query_scalar("SELECT hits FROM rate_limits WHERE key = $1 AND window_start = $2")
                .bind(key)
                .bind(start)
                .fetch_optional(&self.pool)
                .await?;
        Ok(hits.unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn hits_are_counted_per_key_and_window_by_every_node() {
        let (dir, store) = crate::test_store().await;
        // A second node on the same database.
        let url = crate::test_database_url(dir.path()).await.unwrap();
        let other = crate::Store::open(dir.path(), url.as_deref(), crate::Kek::generate())
            .await
            .unwrap();
        for expected in 1..=3 {
            assert_eq!(
                store.count_hit("miss:192.0.2.1", 3600).await.unwrap(),
                expected
            );
        }
        assert_eq!(other.count_hit("miss:192.0.2.1", 3600).await.unwrap(), 4);
        assert_eq!(store.count_hit("miss:192.0.2.2", 3600).await.unwrap(), 1);
        // A window of one second: a later window starts again at one.
        store.count_hit("k", 1).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        assert_eq!(store.count_hit("k", 1).await.unwrap(), 1);
    }
}
