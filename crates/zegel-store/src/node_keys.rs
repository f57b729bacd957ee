//! Which key-encryption keys the running nodes hold, by key id: each
//! `zegel serve` reports its ring at start and every
//! [`NODE_KEYS_EVERY_SECS`] and removes its row at a clean stop, so that
//! `zegel key rotate` and `retire` can refuse a step that would leave a
//! running node unable to open what the others wrap.

use crate::{now, Store, StoreError};
use sqlx::Row;

/// How often a running node reports its keys.
pub const NODE_KEYS_EVERY_SECS: u64 = 30;

/// A node whose last report is at most this old counts as running.
pub const NODE_LIVE_SECS: i64 = 90;

/// Reports older than this are removed (nodes killed long ago).
const KEEP_SECS: i64 = 86_400;

/// One running node's keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeKeys {
    /// The node (host name and the start of its `data_dir/node-id`).
    pub node: String,
    /// The id of the key it wraps with.
    pub current: String,
    /// The ids of every key it can open with.
    pub keys: Vec<String>,
    /// When it last reported (Unix seconds).
    pub seen_at: i64,
}

impl Store {
    /// Records that `node` runs with this store's key ring.
    pub async fn report_node_keys(&self, node: &str) -> Result<(), StoreError> {
        let info = self.kek.info();
        let mut keys = vec![info.current.clone()];
        keys.extend(info.next);
        keys.extend(info.previous);
        let now = now();
        sqlx::query(
            "INSERT INTO node_keys (node, current_key, keys, seen_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (node) DO UPDATE SET current_key = excluded.current_key,
                 keys = excluded.keys, seen_at = excluded.seen_at",
        )
        .bind(node)
        .bind(&info.current)
        .bind(keys.join(","))
        .bind(now)
        .execute(&self.pool)
        .await?;
        sqlx::query("DELETE FROM node_keys WHERE seen_at < $1")
            .bind(now - KEEP_SECS)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Removes `node`'s report (it stops).
    pub async fn forget_node_keys(&self, node: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM node_keys WHERE node = $1")
            .bind(node)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The nodes that reported in the last [`NODE_LIVE_SECS`], by name.
    pub async fn live_node_keys(&self) -> Result<Vec<NodeKeys>, StoreError> {
        let rows = sqlx::query(
            "SELECT node, current_key, keys, seen_at FROM node_keys
             WHERE seen_at >= $1 ORDER BY node",
        )
        .bind(now() - NODE_LIVE_SECS)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(NodeKeys {
                    node: r.try_get("node")?,
                    current: r.try_get("current_key")?,
                    keys: r
                        .try_get::<String, _>("keys")?
                        .split(',')
                        .map(str::to_string)
                        .collect(),
                    seen_at: r.try_get("seen_at")?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::Kek;

    #[tokio::test]
    async fn nodes_report_their_keys_and_a_clean_stop_removes_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut ring = Kek::from_bytes([9; 32]);
        let a = crate::test_store_in(dir.path(), ring.duplicate()).await;
        ring.stage_next().unwrap();
        let b = crate::test_store_in(dir.path(), ring.duplicate()).await;
        a.report_node_keys("host-a/1").await.unwrap();
        b.report_node_keys("host-b/2").await.unwrap();
        b.report_node_keys("host-b/2").await.unwrap();
        let live = a.live_node_keys().await.unwrap();
        assert_eq!(live.len(), 2);
        let info = ring.info();
        assert_eq!(live[0].keys, std::slice::from_ref(&info.current));
        assert_eq!(live[1].current, info.current);
        assert_eq!(live[1].keys, [info.current.clone(), info.next.unwrap()]);
        b.forget_node_keys("host-b/2").await.unwrap();
        // A node silent for longer than NODE_LIVE_SECS does not count.
        sqlx::query("UPDATE node_keys SET seen_at = seen_at - 91")
            .execute(&a.pool)
            .await
            .unwrap();
        assert!(a.live_node_keys().await.unwrap().is_empty());
    }
}
