//! After a rotation of the key-encryption key: re-wrapping the stored data
//! keys under the current key, and finding what still needs a previous key
//! before it may be retired. The blobs themselves never change: only the
//! small wrapped keys in the database do.

use crate::{now, Store, StoreError};
use sqlx::Row;

/// One column of wrapped data keys.
struct WrappedColumn {
    table: &'static str,
    /// The row's primary key, and whether it is an integer (else text).
    key: &'static str,
    key_is_integer: bool,
    /// The wrapped data key.
    column: &'static str,
    /// The column the associated data is made from, and how.
    aad_column: &'static str,
    aad: fn(&str) -> String,
}

fn same(value: &str) -> String {
    value.to_string()
}

/// Every column that holds a data key wrapped by the KEK, with the
/// associated data its writer bound in (queue.rs, portal.rs, staff.rs,
/// contacts.rs, oidc.rs).
const WRAPPED: &[WrappedColumn] = &[
    WrappedColumn {
        table: "messages",
        key: "id",
        key_is_integer: false,
        column: "wrapped_key",
        aad_column: "id",
        aad: same,
    },
    WrappedColumn {
        table: "deliveries",
        key: "id",
        key_is_integer: true,
        column: "wrapped_key",
        aad_column: "blob_id",
        aad: same,
    },
    WrappedColumn {
        table: "secure_messages",
        key: "id",
        key_is_integer: false,
        column: "wrapped_key",
        aad_column: "blob_id",
        aad: same,
    },
    WrappedColumn {
        table: "users",
        key: "email",
        key_is_integer: false,
        column: "totp_key",
        aad_column: "email",
        aad: crate::staff::totp_aad,
    },
    WrappedColumn {
        table: "contacts",
        key: "address",
        key_is_integer: false,
        column: "phone_key",
        aad_column: "address",
        aad: crate::contacts::aad,
    },
    WrappedColumn {
        table: "staff_oidc_pending",
        key: "id_hash",
        key_is_integer: false,
        column: "wrapped_key",
        aad_column: "id_hash",
        aad: crate::oidc::pending_aad,
    },
];

/// Rows read and changed per transaction.
const PAGE: i64 = 500;

/// The wrapped data keys of one table, by which key opens them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WrappedCount {
    /// The table.
    pub table: &'static str,
    /// Wrapped by the current key.
    pub current: u64,
    /// Wrapped by another key of the ring (re-wrapped, when asked to).
    pub other: u64,
    /// Opened by no key of the ring (a key that is gone, or changed bytes).
    pub unreadable: u64,
}

/// Code hashes still in use that were not made by the current key: they
/// cannot be re-made (the codes are known only to their holders), so the
/// keys that made them must stay until they are used up or expire.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CodesOnOtherKeys {
    /// Secure messages that still open with an access code.
    pub access_codes: u64,
    /// One-time codes (mail, SMS) not used and not expired.
    pub one_time_codes: u64,
    /// When the last of them expires (Unix seconds), if any.
    pub last_expiry: Option<i64>,
}

enum Cursor {
    Integer(i64),
    Text(String),
}

impl Store {
    /// Counts the wrapped data keys per table by the key that opens them;
    /// with `rewrap`, wraps every one opened by another key of the ring
    /// under the current key (a row changed meanwhile is left as it is).
    /// Safe while zegel serves: each page is one short transaction.
    pub async fn scan_wrapped_keys(&self, rewrap: bool) -> Result<Vec<WrappedCount>, StoreError> {
        let mut counts = Vec::new();
        for spec in WRAPPED {
            counts.push(self.scan_column(spec, rewrap).await?);
        }
        Ok(counts)
    }

    async fn scan_column(
        &self,
        spec: &WrappedColumn,
        rewrap: bool,
    ) -> Result<WrappedCount, StoreError> {
        let WrappedColumn {
            table,
            key,
            column,
            aad_column,
            ..
        } = spec;
        let mut count = WrappedCount {
            table: spec.table,
            ..WrappedCount::default()
        };
        let mut after: Option<Cursor> = None;
        loop {
            let filter = if after.is_some() {
                format!("AND {key} > $1")
            } else {
                String::new()
            };
            let sql = format!(
                "SELECT {key} AS k, {aad_column} AS a, {column} AS w FROM {table}
                 WHERE {column} IS NOT NULL AND length({column}) > 0
                   AND {aad_column} IS NOT NULL {filter}
                 ORDER BY {key} LIMIT {PAGE}"
            );
            let mut query = sqlx::query(&sql);
            match &after {
                Some(Cursor::Integer(i)) => query = query.bind(*i),
                Some(Cursor::Text(t)) => query = query.bind(t.clone()),
                None => {}
            }
            let rows = query.fetch_all(&self.pool).await?;
            let Some(last) = rows.last() else {
                break;
            };
            after = Some(if spec.key_is_integer {
                Cursor::Integer(last.try_get("k")?)
            } else {
                Cursor::Text(last.try_get("k")?)
            });
            let mut rewraps = Vec::new();
            for row in &rows {
                let aad = (spec.aad)(&row.try_get::<String, _>("a")?);
                let wrapped: Vec<u8> = row.try_get("w")?;
                if self.kek.is_current(&wrapped, aad.as_bytes()) {
                    count.current += 1;
                } else if let Ok(data_key) = self.kek.unwrap(&wrapped, aad.as_bytes()) {
                    count.other += 1;
                    if rewrap {
                        let cursor = if spec.key_is_integer {
                            Cursor::Integer(row.try_get("k")?)
                        } else {
                            Cursor::Text(row.try_get("k")?)
                        };
                        rewraps.push((cursor, wrapped, self.kek.wrap(&data_key, aad.as_bytes())));
                    }
                } else {
                    count.unreadable += 1;
                }
            }
            if !rewraps.is_empty() {
                // Only where the row still holds what was read: a row
                // revoked or re-keyed meanwhile keeps its newer value.
                let update =
                    format!("UPDATE {table} SET {column} = $1 WHERE {key} = $2 AND {column} = $3");
                let mut tx = self.pool.begin().await?;
                for (row_key, old, new) in rewraps {
                    let query = sqlx::query(&update).bind(new);
                    let query = match row_key {
                        Cursor::Integer(i) => query.bind(i),
                        Cursor::Text(t) => query.bind(t),
                    };
                    query.bind(old).execute(&mut *tx).await?;
                }
                tx.commit().await?;
            }
            if (rows.len() as i64) < PAGE {
                break;
            }
        }
        Ok(count)
    }

    /// The access codes and one-time codes still in use whose hashes were
    /// not made by the current key.
    pub async fn codes_on_other_keys(&self) -> Result<CodesOnOtherKeys, StoreError> {
        // Revoking or expiring a secure message clears its access code hash.
        let access = sqlx::query(
            "SELECT access_code_hash AS hash, expires_at FROM secure_messages
             WHERE access_code_hash IS NOT NULL",
        )
        .fetch_all(&self.reader)
        .await?;
        let one_time = sqlx::query(
            "SELECT code_hash AS hash, expires_at FROM portal_codes
             WHERE used_at IS NULL AND expires_at > $1",
        )
        .bind(now())
        .fetch_all(&self.reader)
        .await?;
        let (access_codes, access_expiry) = self.hashes_on_other_keys(&access)?;
        let (one_time_codes, one_time_expiry) = self.hashes_on_other_keys(&one_time)?;
        Ok(CodesOnOtherKeys {
            access_codes,
            one_time_codes,
            last_expiry: access_expiry.max(one_time_expiry),
        })
    }

    /// Of rows of (`hash`, `expires_at`): how many hashes were not made by
    /// the current key, and the last of their expiries.
    fn hashes_on_other_keys(
        &self,
        rows: &[sqlx::any::AnyRow],
    ) -> Result<(u64, Option<i64>), StoreError> {
        let mut count = 0;
        let mut last = None;
        for row in rows {
            if !self.kek.mac_is_current(&row.try_get::<String, _>("hash")?) {
                count += 1;
                last = last.max(Some(row.try_get::<i64, _>("expires_at")?));
            }
        }
        Ok((count, last))
    }
}

#[cfg(test)]
mod tests {
    use crate::{
        token_hash, Content, DeliveryKind, Kek, NewCode, NewDelivery, NewMessage, NewSecureMessage,
        Role, SecondFactor, Store,
    };

    async fn open(dir: &std::path::Path, kek: &Kek) -> Store {
        crate::test_store_in(dir, kek.duplicate()).await
    }

    fn delivery(kind: DeliveryKind, content: Content) -> NewDelivery {
        NewDelivery {
            kind,
            mail_from: "zorg@zorg.example".into(),
            rcpt: "ext@partner.example".into(),
            content,
            dkim: true,
            require_tls: false,
            notify_never: false,
            headers_only: false,
            held: false,
        }
    }

    async fn accept(s: &Store, token: &str) -> crate::MessageId {
        s.accept(NewMessage {
            mail_from: "zorg@zorg.example".into(),
            raw: b"Subject: x\r\n\r\nBSN 111222333\r\n".to_vec(),
            verdict: crate::MessageVerdict::Secure,
            summary: b"{}".to_vec(),
            deliveries: vec![
                delivery(DeliveryKind::Original, Content::Original),
                delivery(
                    DeliveryKind::Notification,
                    Content::Generated(b"notice".to_vec()),
                ),
            ],
            secure: vec![NewSecureMessage {
                recipient: "ext@partner.example".into(),
                token_hash: token_hash(token),
                status_token_hash: token_hash(&format!("status-{token}")),
                expires_at: crate::now() + 3600,
                sender: "zorg@zorg.example".into(),
                second_factor: SecondFactor::AccessCode,
                phone: None,
                access_code: Some("K7Q-22".into()),
                read_receipt: true,
            }],
            audit: vec![],
            lifetime_secs: 3600,
            confirm: None,
        })
        .await
        .unwrap()
    }

    fn count(counts: &[super::WrappedCount], table: &str) -> super::WrappedCount {
        counts.iter().find(|c| c.table == table).unwrap().clone()
    }

    #[tokio::test]
    async fn rewrapping_moves_every_wrapped_key_to_the_current_key() {
        let dir = tempfile::tempdir().unwrap();
        let first = Kek::from_bytes([3; 32]);
        let s = open(dir.path(), &first).await;
        s.set_user("a@zorg.example", "a long password", Role::Sender)
            .await
            .unwrap();
        s.enroll_totp("a@zorg.example").await.unwrap().unwrap();
        s.import_contacts(
            &[("ext@partner.example".into(), "+31612345678".into())],
            false,
            "t",
        )
        .await
        .unwrap();
        s.put_oidc_pending("h1", b"state", 600).await.unwrap();
        let before = accept(&s, "token-1").await;
        let package = s
            .package_by_token(&token_hash("token-1"))
            .await
            .unwrap()
            .unwrap();
        s.issue_code(NewCode {
            purpose: crate::CodePurpose::Email,
            target: &package.id,
            address: "ext@partner.example",
            code: "123456",
            valid_secs: 600,
            message_id: Some(&before),
            audit_subject: "ext@partner.example",
        })
        .await
        .unwrap();
        drop(s);

        // Rotated: the first key is a previous one now.
        let mut rotated = first.duplicate();
        rotated.stage_next().unwrap();
        rotated.rotate();
        let s = open(dir.path(), &rotated).await;
        let after = accept(&s, "token-2").await;
        let scan = s.scan_wrapped_keys(false).await.unwrap();
        // messages: one per key; deliveries: the original shares the
        // message's key, the notification has its own; one package each.
        assert_eq!(
            (
                count(&scan, "messages").other,
                count(&scan, "messages").current
            ),
            (1, 1)
        );
        assert_eq!(
            (
                count(&scan, "deliveries").other,
                count(&scan, "deliveries").current
            ),
            (2, 2)
        );
        assert_eq!(count(&scan, "secure_messages").other, 1);
        for table in ["users", "contacts", "staff_oidc_pending"] {
            assert_eq!(count(&scan, table).other, 1, "{table}");
        }
        assert!(scan.iter().all(|c| c.unreadable == 0));
        let codes = s.codes_on_other_keys().await.unwrap();
        assert_eq!((codes.access_codes, codes.one_time_codes), (1, 1));
        assert!(codes.last_expiry.unwrap() > crate::now());

        let done = s.scan_wrapped_keys(true).await.unwrap();
        assert_eq!(done, scan, "re-wrapping reports what it found");
        let again = s.scan_wrapped_keys(false).await.unwrap();
        assert!(
            again.iter().all(|c| c.other == 0 && c.unreadable == 0),
            "{again:?}"
        );
        assert_eq!(again.iter().map(|c| c.current).sum::<u64>(), 11);
        // Code hashes cannot be re-made: they still need the first key.
        assert_eq!(s.codes_on_other_keys().await.unwrap().access_codes, 1);
        drop(s);

        // With the first key retired, every stored key still opens; the
        // old package's access code no longer matches, the new one's does.
        let mut retired = rotated.duplicate();
        retired.retire_previous();
        let s = open(dir.path(), &retired).await;
        let account = s.staff_account("a@zorg.example").await.unwrap().unwrap();
        assert!(account.totp_secret.is_some());
        assert_eq!(s.contacts().await.unwrap()[0].1, "+31612345678");
        assert_eq!(s.take_oidc_pending("h1").await.unwrap().unwrap(), b"state");
        let jobs = s.claim(10, 60).await.unwrap();
        assert_eq!(jobs.len(), 4);
        for job in &jobs {
            assert!(
                s.content(job).await.is_ok(),
                "{} of {}",
                job.id,
                job.message_id
            );
        }
        for (token, id) in [("token-1", &before), ("token-2", &after)] {
            let p = s
                .package_by_token(&token_hash(token))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(&p.message_id, id);
            assert!(s
                .package_content(&p)
                .await
                .unwrap()
                .ends_with(b"BSN 111222333\r\n"));
            assert_eq!(s.access_code_matches(&p, "K7Q-22"), token == "token-2");
        }
        drop(s);

        // A ring without the key that wrapped them: unreadable, untouched.
        let s = open(dir.path(), &Kek::from_bytes([4; 32])).await;
        let lost = s.scan_wrapped_keys(true).await.unwrap();
        // (The OIDC sign-in was taken above: ten are left.)
        assert_eq!(
            lost.iter().map(|c| c.unreadable).sum::<u64>(),
            10,
            "{lost:?}"
        );
        drop(s);
        let s = open(dir.path(), &retired).await;
        assert!(s
            .scan_wrapped_keys(false)
            .await
            .unwrap()
            .iter()
            .all(|c| c.unreadable == 0));
    }
}
