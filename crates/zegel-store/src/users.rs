//! Accounts for SMTP submission and the staff web: addresses with argon2id
//! password hashes and a role.

use crate::Event;
use crate::{now, Store, StoreError};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sqlx::Row;

/// What an account may do on the staff web.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Sends secure mail and follows their own messages.
    Sender,
    /// Also administers: users, policy, audit trail.
    Admin,
}

impl Role {
    /// The name stored and shown: `sender` or `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Sender => "sender",
            Role::Admin => "admin",
        }
    }

    /// Reads a stored or typed name.
    pub fn parse(name: &str) -> Option<Role> {
        match name {
            "sender" => Some(Role::Sender),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// One account as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserInfo {
    /// The address, lower case.
    pub email: String,
    /// Its role.
    pub role: Role,
    /// Whether it is disabled.
    pub disabled: bool,
    /// Whether a TOTP second factor is enrolled.
    pub totp: bool,
}

impl Store {
    /// Adds an account or sets a new password and role for it (and enables
    /// it); the account's staff sessions end.
    pub async fn set_user(
        &self,
        email: &str,
        password: &str,
        role: Role,
    ) -> Result<(), StoreError> {
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
            "INSERT INTO users (email, password_hash, created_at, role) VALUES ($1, $2, $3, $4)
             ON CONFLICT(email) DO UPDATE SET password_hash = excluded.password_hash,
                 role = excluded.role, disabled = 0",
        )
        .bind(email.to_lowercase())
        .bind(hash)
        .bind(now())
        .bind(role.as_str())
        .execute(&self.pool)
        .await?;
        // A new password or role signs the account out everywhere.
        self.end_staff_sessions(email).await?;
        self.audit(
            Event::UserSet,
            None,
            &email.to_lowercase(),
            &format!("account set, role {}", role.as_str()),
        )
        .await
    }

    /// Disables an account and ends its staff sessions.
    pub async fn disable_user(&self, email: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE users SET disabled = 1 WHERE email = $1")
            .bind(email.to_lowercase())
            .execute(&self.pool)
            .await?;
        if done.rows_affected() > 0 {
            self.end_staff_sessions(email).await?;
            // The status links in the person's notices stop working: a
            // value no token hashes to (hashes are hex). Messages handed
            // over are the colleague's to follow on the staff web.
            sqlx::query(
                "UPDATE secure_messages SET status_token_hash = 'link-ended:' || id
                 WHERE lower(sender) = $1",
            )
            .bind(email.to_lowercase())
            .execute(&self.pool)
            .await?;
            self.audit(
                Event::UserDisabled,
                None,
                &email.to_lowercase(),
                "account disabled",
            )
            .await?;
        }
        Ok(done.rows_affected() > 0)
    }

    /// The accounts, by address.
    pub async fn users(&self) -> Result<Vec<UserInfo>, StoreError> {
        let rows = sqlx::query("SELECT email, role, disabled, totp_secret IS NOT NULL AS totp FROM users ORDER BY email")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let role: String = r.try_get("role")?;
                Ok(UserInfo {
                    email: r.try_get("email")?,
                    // The column's CHECK admits only the two names.
                    role: Role::parse(&role).unwrap_or(Role::Sender),
                    disabled: crate::db::flag(r, "disabled")?,
                    totp: crate::db::flag(r, "totp")?,
                })
            })
            .collect()
    }

    /// Whether the password is right for an enabled account. Unknown users
    /// cost the same hashing work as known ones.
    pub async fn check_password(&self, email: &str, password: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT password_hash, disabled FROM users WHERE email = $1")
            .bind(email.to_lowercase())
            .fetch_optional(&self.pool)
            .await?;
        let (hash, enabled) = match row {
            Some(r) => (
                r.try_get::<String, _>("password_hash")?,
                !crate::db::flag(&r, "disabled")?,
            ),
            // A fixed hash of a random password: same cost, never matches.
            None => (DUMMY_HASH.to_string(), false),
        };
        let password = password.to_string();
        // At most a core's worth of argon2id runs at once (login.rs).
        let _slot = crate::login::hash_slot().await?;
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
    use crate::{Role, UserInfo};

    #[tokio::test]
    async fn passwords_check_and_disable() {
        let (_dir, s) = crate::test_store().await;
        s.set_user("Jan@Org.nl", "geheim-wachtwoord", Role::Sender)
            .await
            .unwrap();
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
        assert_eq!(
            s.users().await.unwrap(),
            vec![UserInfo {
                email: "jan@org.nl".into(),
                role: Role::Sender,
                disabled: true,
                totp: false,
            }]
        );
    }

    #[tokio::test]
    async fn roles_are_stored_and_changed() {
        let (_dir, s) = crate::test_store().await;
        s.set_user("fg@org.nl", "geheim-wachtwoord", Role::Admin)
            .await
            .unwrap();
        s.set_user("jan@org.nl", "geheim-wachtwoord", Role::Sender)
            .await
            .unwrap();
        let roles = |v: Vec<UserInfo>| v.into_iter().map(|u| (u.email, u.role)).collect::<Vec<_>>();
        assert_eq!(
            roles(s.users().await.unwrap()),
            vec![
                ("fg@org.nl".into(), Role::Admin),
                ("jan@org.nl".into(), Role::Sender)
            ]
        );
        // Setting the account again sets its role again.
        s.set_user("fg@org.nl", "geheim-wachtwoord", Role::Sender)
            .await
            .unwrap();
        assert_eq!(roles(s.users().await.unwrap())[0].1, Role::Sender);
        // The database refuses a role it does not know.
        assert!(
            sqlx::query("UPDATE users SET role = 'root' WHERE email = 'jan@org.nl'")
                .execute(&s.pool)
                .await
                .is_err()
        );
    }
}
