//! External contacts with a mobile number (for SMS codes), as kept on the
//! staff web: addresses in the clear (they are looked up), numbers sealed.
//! A version rises at every change so each node reloads its copy.

use crate::seal::DataKey;
use crate::Event;
use crate::{now, Store, StoreError};
use sqlx::Row;

pub(crate) fn aad(address: &str) -> String {
    format!("contact/{address}")
}

impl Store {
    /// Every contact (address, number), by address.
    pub async fn contacts(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query("SELECT address, phone_key, phone FROM contacts ORDER BY address")
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|r| {
                let address: String = r.try_get("address")?;
                let aad = aad(&address);
                let key = self
                    .kek
                    .unwrap(&r.try_get::<Vec<u8>, _>("phone_key")?, aad.as_bytes())?;
                let phone = key.open(&r.try_get::<Vec<u8>, _>("phone")?, aad.as_bytes())?;
                Ok((address, String::from_utf8_lossy(&phone).into_owned()))
            })
            .collect()
    }

    /// The version of the contact list (0: never changed).
    pub async fn contacts_version(&self) -> Result<i64, StoreError> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT version FROM contacts_version WHERE id = 1")
                .fetch_optional(&self.reader)
                .await?;
        Ok(v.unwrap_or(0))
    }

    /// Adds or updates contacts (address lower-cased); with `replace` the
    /// list becomes exactly these. One transaction, audited (the count,
    /// never the numbers).
    pub async fn import_contacts(
        &self,
        contacts: &[(String, String)],
        replace: bool,
        by: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        if replace {
            sqlx::query("DELETE FROM contacts")
                .execute(&mut *tx)
                .await?;
        }
        let at = now();
        for (address, phone) in contacts {
            let address = address.to_lowercase();
            let key = DataKey::generate();
            let aad = aad(&address);
            sqlx::query(
                "INSERT INTO contacts (address, phone_key, phone, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT(address) DO UPDATE SET phone_key = excluded.phone_key,
                     phone = excluded.phone, updated_at = excluded.updated_at",
            )
            .bind(&address)
            .bind(self.kek.wrap(&key, aad.as_bytes()))
            .bind(key.seal(phone.as_bytes(), aad.as_bytes()))
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        bump(&mut tx).await?;
        let what = if replace {
            "replaced by"
        } else {
            "added or updated:"
        };
        crate::audit::append(
            &mut tx,
            at,
            Event::ContactsChanged,
            None,
            by,
            &format!("contact list {what} {} contact(s)", contacts.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a contact; false when there was none.
    pub async fn delete_contact(&self, address: &str, by: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("DELETE FROM contacts WHERE address = $1")
            .bind(address.to_lowercase())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        bump(&mut tx).await?;
        crate::audit::append(
            &mut tx,
            now(),
            Event::ContactsChanged,
            None,
            by,
            &format!("removed {}", address.to_lowercase()),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}

async fn bump(tx: &mut sqlx::Transaction<'_, sqlx::Any>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO contacts_version (id, version) VALUES (1, 1)
         ON CONFLICT(id) DO UPDATE SET version = contacts_version.version + 1",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {

    #[tokio::test]
    async fn contacts_are_sealed_versioned_replaced_and_removed() {
        let (_dir, s) = crate::test_store().await;
        assert_eq!(s.contacts_version().await.unwrap(), 0);
        let list = vec![
            (
                "P.Bakker@Example.com".to_string(),
                "+31612345678".to_string(),
            ),
            ("q@example.org".to_string(), "+31687654321".to_string()),
        ];
        s.import_contacts(&list, false, "fg@zorg.nl").await.unwrap();
        assert_eq!(
            s.contacts().await.unwrap(),
            vec![
                (
                    "p.bakker@example.com".to_string(),
                    "+31612345678".to_string()
                ),
                ("q@example.org".to_string(), "+31687654321".to_string())
            ]
        );
        assert_eq!(s.contacts_version().await.unwrap(), 1);
        let stored: Vec<Vec<u8>> = sqlx::query_scalar("SELECT phone FROM contacts")
            .fetch_all(&s.pool)
            .await
            .unwrap();
        assert!(stored
            .iter()
            .all(|p| !p.windows(4).any(|w| w == b"3161" || w == b"3168")));
        s.import_contacts(&list[1..], true, "fg@zorg.nl")
            .await
            .unwrap();
        assert_eq!(s.contacts().await.unwrap().len(), 1);
        assert!(s
            .delete_contact("Q@example.org", "fg@zorg.nl")
            .await
            .unwrap());
        assert!(!s
            .delete_contact("q@example.org", "fg@zorg.nl")
            .await
            .unwrap());
        assert!(s.contacts().await.unwrap().is_empty());
        assert_eq!(s.contacts_version().await.unwrap(), 3);
    }
}
