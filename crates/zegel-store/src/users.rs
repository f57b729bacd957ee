//! Accounts for SMTP submission: addresses with argon2id password hashes.

use crate::{now, Store, StoreError};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sqlx::Row;

impl Store {
    /// Adds an account or sets a new password for it (and enables it).
    pub async fn set_user(&self, email: &str, password: &str) -> Result<(), StoreError> {
        let password = password.to_string();
        let hash = tokio::task::spawn_blocking(move || {
            let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
                .map_err(|_| StoreError::PasswordHash)?;
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|_| StoreError::PasswordHash)
        })
        .await
        .map_err(|_| StoreError::PasswordHash)??;
        sqlx::query(
            "INSERT INTO users (email, password_hash, created_at) VALUES (?, ?, ?)
             ON CONFLICT(email) DO UPDATE SET password_hash = excluded.password_hash, disabled = 0",
        )
        .bind(email.to_lowercase())
        .bind(hash)
        .bind(now())
        .execute(&self.pool)
        .await?;
        self.audit("user_set", None, &email.to_lowercase(), "account set")
            .await
    }

    /// Disables an account.
    pub async fn disable_user(&self, email: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE users SET disabled = 1 WHERE email = ?")
            .bind(email.to_lowercase())
            .execute(&self.pool)
            .await?;
        if done.rows_affected() > 0 {
            self.audit(
                "user_disabled",
                None,
                &email.to_lowercase(),
                "account disabled",
            )
            .await?;
        }
        Ok(done.rows_affected() > 0)
    }

    /// The accounts: (address, disabled).
    pub async fn users(&self) -> Result<Vec<(String, bool)>, StoreError> {
        let rows = sqlx::query("SELECT email, disabled FROM users ORDER BY email")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("email")?, r.try_get("disabled")?)))
            .collect()
    }

    /// Whether the password is right for an enabled account. Unknown users
    /// cost the same hashing work as known ones.
    pub async fn check_password(&self, email: &str, password: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT password_hash, disabled FROM users WHERE email = ?")
            .bind(email.to_lowercase())
            .fetch_optional(&self.pool)
            .await?;
        let (hash, enabled) = match row {
            Some(r) => (
                r.try_get::<String, _>("password_hash")?,
                !r.try_get::<bool, _>("disabled")?,
            ),
            // A fixed hash of a random password: same cost, never matches.
            None => (DUMMY_HASH.to_string(), false),
        };
        let password = password.to_string();
        let matches = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|h| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &h)
                        .is_ok()
                })
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        Ok(matches && enabled)
    }
}

const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Wn8Jm0zyyU9s3PXQf6S1nCqY0HGKxQ7gkxbV+4F8Ml0";

#[cfg(test)]
mod tests {
    use crate::{Kek, Store};

    #[tokio::test]
    async fn passwords_check_and_disable() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path(), None, Kek::generate())
            .await
            .unwrap();
        s.set_user("Jan@Org.nl", "geheim-wachtwoord").await.unwrap();
        assert!(s
            .check_password("jan@org.nl", "geheim-wachtwoord")
            .await
            .unwrap());
        assert!(!s.check_password("jan@org.nl", "fout").await.unwrap());
        assert!(!s.check_password("niemand@org.nl", "x").await.unwrap());
        assert!(s.disable_user("jan@org.nl").await.unwrap());
        assert!(!s
            .check_password("jan@org.nl", "geheim-wachtwoord")
            .await
            .unwrap());
        assert_eq!(s.users().await.unwrap(), vec![("jan@org.nl".into(), true)]);
    }
}
