//! What the staff web's OpenID Connect sign-in keeps: a sign-in under way
//! (sealed, good once, for minutes), and accounts made at a first sign-in
//! when the configuration allows that.

use crate::seal::DataKey;
use crate::Event;
use crate::{now, Store, StoreError};
use sqlx::Row;

/// The password hash of an account made at an OpenID Connect sign-in: not
/// a PHC string, so no password ever matches it (until `zegel user add`
/// sets one).
const NO_PASSWORD: &str = "!openid-connect";

impl Store {
    /// Keeps a sign-in under way for `lifetime_secs`: `secret` (what the
    /// answer is checked against) sealed with its own data key, found by
    /// `id_hash` (the SHA-256 of the browser's random id). Sign-ins that
    /// ran out are dropped.
    pub async fn put_oidc_pending(
        &self,
        id_hash: &str,
        secret: &[u8],
        lifetime_secs: i64,
    ) -> Result<(), StoreError> {
        let now = now();
        sqlx::query("DELETE FROM staff_oidc_pending WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        let key = DataKey::generate();
        let aad = pending_aad(id_hash);
        sqlx::query(
            "INSERT INTO staff_oidc_pending (id_hash, wrapped_key, sealed, expires_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id_hash)
        .bind(self.kek.wrap(&key, aad.as_bytes()))
        .bind(key.seal(secret, aad.as_bytes()))
        .bind(now + lifetime_secs)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Takes a sign-in under way: its secret, unsealed, when it is there
    /// and has not run out. Either way it is gone afterwards (good once).
    pub async fn take_oidc_pending(&self, id_hash: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let row = sqlx::query(
            "DELETE FROM staff_oidc_pending WHERE id_hash = $1
             RETURNING wrapped_key, sealed, expires_at",
        )
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        if row.try_get::<i64, _>("expires_at")? <= now() {
            return Ok(None);
        }
        let aad = pending_aad(id_hash);
        let key = self
            .kek
            .unwrap(&row.try_get::<Vec<u8>, _>("wrapped_key")?, aad.as_bytes())?;
        Ok(Some(key.open(
            &row.try_get::<Vec<u8>, _>("sealed")?,
            aad.as_bytes(),
        )?))
    }

    /// Makes a sender account without a password for an address that
    /// signed in through OpenID Connect; false (and nothing changed) when
    /// the address has an account already, enabled or not.
    pub async fn add_oidc_user(&self, email: &str, issuer: &str) -> Result<bool, StoreError> {
        let email = email.to_lowercase();
        let done = sqlx::query(
            "INSERT INTO users (email, password_hash, created_at, role) VALUES ($1, $2, $3, 'sender')
             ON CONFLICT(email) DO NOTHING",
        )
        .bind(&email)
        .bind(NO_PASSWORD)
        .bind(now())
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        self.audit(
            Event::UserSet,
            None,
            &email,
            &format!("account made at the first OpenID Connect sign-in ({issuer}), role sender, no password"),
        )
        .await?;
        Ok(true)
    }
}

pub(crate) fn pending_aad(id_hash: &str) -> String {
    format!("oidc-pending/{id_hash}")
}

#[cfg(test)]
mod tests {
    use crate::Role;

    use crate::test_store as store;

    #[tokio::test]
    async fn pending_sign_ins_are_sealed_good_once_and_run_out() {
        let (_dir, s) = store().await;
        let secret = b"state nonce pkce-verifier-0123456789";
        s.put_oidc_pending("h1", secret, 600).await.unwrap();
        // Not in plaintext in the database.
        let stored: Vec<u8> = sqlx::query_scalar("SELECT sealed FROM staff_oidc_pending")
            .fetch_one(&s.pool)
            .await
            .unwrap();
        assert!(!stored.windows(8).any(|w| w == &secret[..8]));
        assert_eq!(s.take_oidc_pending("h2").await.unwrap(), None);
        assert_eq!(
            s.take_oidc_pending("h1").await.unwrap().as_deref(),
            Some(&secret[..])
        );
        assert_eq!(s.take_oidc_pending("h1").await.unwrap(), None, "once");
        // One that ran out is not given, and is gone.
        s.put_oidc_pending("old", secret, -1).await.unwrap();
        assert_eq!(s.take_oidc_pending("old").await.unwrap(), None);
        // A row moved to another id does not open.
        s.put_oidc_pending("a", secret, 600).await.unwrap();
        sqlx::query("UPDATE staff_oidc_pending SET id_hash = 'b' WHERE id_hash = 'a'")
            .execute(&s.pool)
            .await
            .unwrap();
        assert!(s.take_oidc_pending("b").await.is_err());
    }

    #[tokio::test]
    async fn accounts_made_at_sign_in_are_senders_without_a_password() {
        let (_dir, s) = store().await;
        assert!(s
            .add_oidc_user("Nieuw@Zorg.nl", "https://id.zorg.nl")
            .await
            .unwrap());
        let account = s.staff_account("nieuw@zorg.nl").await.unwrap().unwrap();
        assert_eq!(account.role, Role::Sender);
        assert!(!account.disabled);
        for password in ["", "!openid-connect", "openid-connect"] {
            assert!(!s.check_password("nieuw@zorg.nl", password).await.unwrap());
        }
        // An existing account, enabled or disabled, is left as it is.
        s.set_user("fg@zorg.nl", "geheim-wachtwoord", Role::Admin)
            .await
            .unwrap();
        s.disable_user("fg@zorg.nl").await.unwrap();
        assert!(!s.add_oidc_user("fg@zorg.nl", "x").await.unwrap());
        let fg = s.staff_account("fg@zorg.nl").await.unwrap().unwrap();
        assert!(fg.disabled && fg.role == Role::Admin);
        assert!(!s.add_oidc_user("nieuw@zorg.nl", "x").await.unwrap());
    }
}
