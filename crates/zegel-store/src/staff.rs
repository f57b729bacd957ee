//! What the staff web keeps: each account's TOTP secret (sealed), staff
//! sessions (portal sessions of kind `staff`, their target the address),
//! a sender's sent items, and offboarding (a person's sessions ended, their
//! open secure messages revoked or handed to a colleague).

use crate::portal::{package_of, PACKAGE_COLUMNS};
use crate::seal::DataKey;
use crate::Event;
use crate::{now, Role, SecurePackage, Store, StoreError};
use sqlx::Row;

/// An account as the sign-in needs it.
#[derive(Clone, Debug)]
pub struct StaffAccount {
    /// The address, lower case.
    pub email: String,
    /// Its role.
    pub role: Role,
    /// Disabled accounts cannot sign in.
    pub disabled: bool,
    /// The TOTP secret, when one is enrolled (unsealed in memory only).
    pub totp_secret: Option<Vec<u8>>,
}

/// What happens to a person's open secure messages when they leave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Handover {
    /// Withdraw them: the recipients can no longer open them.
    Revoke,
    /// They stay open and become the colleague's (sent items, receipts).
    To(String),
}

/// What offboarding did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offboarded {
    /// How many open secure messages (one per recipient) were withdrawn or
    /// handed over.
    pub packages: usize,
    /// Per message handed over: a new status page for the colleague (the
    /// person's old links ended with the account).
    pub new_status_links: Vec<NewStatusLink>,
}

/// A handed-over message's new status page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewStatusLink {
    /// The message.
    pub message_id: crate::MessageId,
    /// Its open recipients.
    pub recipients: Vec<String>,
    /// The new status token (256 bits, URL-safe; only its hash is kept).
    pub status_token: String,
}

impl Store {
    /// Enrols a new TOTP secret for an account (replacing any); returns the
    /// secret to show once, or `None` when there is no such account.
    pub async fn enroll_totp(&self, email: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let email = email.to_lowercase();
        let secret: [u8; 20] = rand::random();
        let key = DataKey::generate();
        let aad = totp_aad(&email);
        let done = sqlx::query(
            "UPDATE users SET totp_key = $1, totp_secret = $2, totp_last_step = NULL
             WHERE email = $3",
        )
        .bind(self.kek.wrap(&key, aad.as_bytes()))
        .bind(key.seal(&secret, aad.as_bytes()))
        .bind(&email)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        self.audit(
            Event::TotpEnrolled,
            None,
            &email,
            "second factor (TOTP) set",
        )
        .await?;
        Ok(Some(secret.to_vec()))
    }

    /// The account behind `email`, for signing in.
    pub async fn staff_account(&self, email: &str) -> Result<Option<StaffAccount>, StoreError> {
        let email = email.to_lowercase();
        let row = sqlx::query(
            "SELECT email, role, disabled, totp_key, totp_secret FROM users WHERE email = $1",
        )
        .bind(&email)
        .fetch_optional(&self.reader)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let key: Option<Vec<u8>> = row.try_get("totp_key")?;
        let sealed: Option<Vec<u8>> = row.try_get("totp_secret")?;
        let totp_secret = match (key, sealed) {
            (Some(key), Some(sealed)) => {
                let aad = totp_aad(&email);
                let key = self.kek.unwrap(&key, aad.as_bytes())?;
                Some(key.open(&sealed, aad.as_bytes())?)
            }
            _ => None,
        };
        let role: String = row.try_get("role")?;
        Ok(Some(StaffAccount {
            role: Role::parse(&role).unwrap_or(Role::Sender),
            disabled: crate::db::flag(&row, "disabled")?,
            email,
            totp_secret,
        }))
    }

    /// Records that a code of time step `step` was used; false when that
    /// step (or a later one) was used before, so a code is good only once.
    pub async fn use_totp_step(&self, email: &str, step: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE users SET totp_last_step = $1
             WHERE email = $2 AND (totp_last_step IS NULL OR totp_last_step < $3)",
        )
        .bind(step)
        .bind(email.to_lowercase())
        .bind(step)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends every staff session of an account; how many there were.
    pub async fn end_staff_sessions(&self, email: &str) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM portal_sessions WHERE kind = $1 AND target = $2")
            .bind(crate::SessionKind::Staff.as_str())
            .bind(email.to_lowercase())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// A sender's secure messages (one row per recipient), newest first.
    pub async fn packages_by_sender(
        &self,
        email: &str,
        limit: i64,
    ) -> Result<Vec<SecurePackage>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {PACKAGE_COLUMNS} FROM secure_messages WHERE lower(sender) = lower($1)
             ORDER BY created_at DESC, message_id, recipient LIMIT $2"
        ))
        .bind(email)
        .bind(limit)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(package_of).collect()
    }

    /// Offboards a person: the account disabled, its sessions ended, its
    /// status links ended, and its open secure messages revoked or handed
    /// to a colleague, who gets a new status link per message (returned:
    /// the caller mails them). `None` when there is no such account.
    pub async fn offboard(
        &self,
        email: &str,
        handover: &Handover,
        by: &str,
    ) -> Result<Option<Offboarded>, StoreError> {
        let email = email.to_lowercase();
        // Disabling also ends the account's staff sessions and status links.
        if !self.disable_user(&email).await? {
            return Ok(None);
        }
        let now = now();
        let open: Vec<SecurePackage> = self
            .packages_by_sender(&email, i64::MAX)
            .await?
            .into_iter()
            .filter(|p| p.revoked_at.is_none() && p.expired_at.is_none() && p.expires_at > now)
            .collect();
        let mut new_status_links: Vec<NewStatusLink> = Vec::new();
        match handover {
            Handover::Revoke => {
                for p in &open {
                    self.revoke_package(p, by).await?;
                }
            }
            Handover::To(colleague) => {
                let colleague = colleague.to_lowercase();
                let mut tx = self.pool.begin().await?;
                for p in &open {
                    let link = match new_status_links
                        .iter_mut()
                        .find(|l| l.message_id == p.message_id)
                    {
                        Some(link) => link,
                        None => {
                            new_status_links.push(NewStatusLink {
                                message_id: p.message_id.clone(),
                                recipients: Vec::new(),
                                status_token: status_token(),
                            });
                            new_status_links.last_mut().expect("just pushed")
                        }
                    };
                    link.recipients.push(p.recipient.clone());
                    sqlx::query(
                        "UPDATE secure_messages SET sender = $1, status_token_hash = $2
                         WHERE id = $3",
                    )
                    .bind(&colleague)
                    .bind(crate::token_hash(&link.status_token))
                    .bind(&p.id)
                    .execute(&mut *tx)
                    .await?;
                    crate::audit::append(
                        &mut tx,
                        now,
                        Event::HandedOver,
                        Some(p.message_id.as_str()),
                        &p.recipient,
                        &format!("from {email} to {colleague}, by {by}; new status link"),
                    )
                    .await?;
                }
                tx.commit().await?;
            }
        }
        self.audit(
            Event::Offboarded,
            None,
            &email,
            &format!(
                "{} open secure messages {}, by {by}",
                open.len(),
                match handover {
                    Handover::Revoke => "revoked".to_string(),
                    Handover::To(c) => format!("handed over to {}", c.to_lowercase()),
                }
            ),
        )
        .await?;
        Ok(Some(Offboarded {
            packages: open.len(),
            new_status_links,
        }))
    }
}

/// A new status token: 256 random bits, hex.
fn status_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

pub(crate) fn totp_aad(email: &str) -> String {
    format!("totp/{email}")
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_store as store;

    #[tokio::test]
    async fn totp_secrets_are_sealed_and_steps_used_once() {
        let (_dir, s) = store().await;
        assert_eq!(s.enroll_totp("niemand@org.nl").await.unwrap(), None);
        s.set_user("fg@org.nl", "geheim-wachtwoord", Role::Admin)
            .await
            .unwrap();
        assert!(s
            .staff_account("FG@org.nl")
            .await
            .unwrap()
            .unwrap()
            .totp_secret
            .is_none());
        let secret = s.enroll_totp("FG@org.nl").await.unwrap().unwrap();
        let account = s.staff_account("fg@org.nl").await.unwrap().unwrap();
        assert_eq!(account.totp_secret.as_deref(), Some(secret.as_slice()));
        assert_eq!(account.role, Role::Admin);
        // Not in plaintext in the database.
        let stored: Vec<u8> = sqlx::query_scalar("SELECT totp_secret FROM users")
            .fetch_one(&s.pool)
            .await
            .unwrap();
        assert!(!stored.windows(secret.len()).any(|w| w == secret));
        assert!(s.use_totp_step("fg@org.nl", 100).await.unwrap());
        assert!(!s.use_totp_step("fg@org.nl", 100).await.unwrap());
        assert!(!s.use_totp_step("fg@org.nl", 99).await.unwrap());
        assert!(s.use_totp_step("fg@org.nl", 101).await.unwrap());
        // A new enrolment starts over.
        let again = s.enroll_totp("fg@org.nl").await.unwrap().unwrap();
        assert_ne!(again, secret);
        assert!(s.use_totp_step("fg@org.nl", 50).await.unwrap());
    }

    #[tokio::test]
    async fn staff_sessions_end_per_account() {
        let (_dir, s) = store().await;
        s.create_session("a1", crate::SessionKind::Staff, "jan@org.nl", 600)
            .await
            .unwrap();
        s.create_session("a2", crate::SessionKind::Staff, "jan@org.nl", 600)
            .await
            .unwrap();
        s.create_session("b1", crate::SessionKind::Staff, "fg@org.nl", 600)
            .await
            .unwrap();
        s.create_session("r1", crate::SessionKind::Recipient, "jan@org.nl", 600)
            .await
            .unwrap();
        assert_eq!(s.end_staff_sessions("Jan@org.nl").await.unwrap(), 2);
        assert!(s.session("a1").await.unwrap().is_none());
        assert!(s.session("b1").await.unwrap().is_some());
        assert!(s.session("r1").await.unwrap().is_some());
    }

    fn message(sender: &str, recipients: &[&str]) -> crate::NewMessage {
        crate::NewMessage {
            mail_from: sender.into(),
            raw: b"Subject: x\r\n\r\nBSN 111222333\r\n".to_vec(),
            verdict: crate::MessageVerdict::Secure,
            summary: b"{}".to_vec(),
            deliveries: vec![],
            secure: recipients
                .iter()
                .map(|r| crate::NewSecureMessage {
                    recipient: r.to_string(),
                    token_hash: crate::token_hash(&crate::random_id()),
                    status_token_hash: crate::token_hash(sender),
                    expires_at: now() + 3600,
                    sender: sender.into(),
                    second_factor: crate::SecondFactor::None,
                    phone: None,
                    access_code: None,
                    read_receipt: true,
                })
                .collect(),
            audit: vec![],
            lifetime_secs: 3600,
            confirm: None,
        }
    }

    #[tokio::test]
    async fn sent_items_are_per_sender_and_offboarding_revokes_or_hands_over() {
        let (_dir, s) = store().await;
        for who in ["jan@org.nl", "piet@org.nl", "fg@org.nl"] {
            s.set_user(who, "geheim-wachtwoord", Role::Sender)
                .await
                .unwrap();
        }
        s.accept(message("Jan@Org.nl", &["a@ext.example", "b@ext.example"]))
            .await
            .unwrap();
        s.accept(message("piet@org.nl", &["c@ext.example"]))
            .await
            .unwrap();
        let jans = s.packages_by_sender("jan@org.nl", 100).await.unwrap();
        assert_eq!(jans.len(), 2);
        assert!(jans
            .iter()
            .all(|p| p.sender.eq_ignore_ascii_case("jan@org.nl")));
        s.create_session("j1", crate::SessionKind::Staff, "jan@org.nl", 600)
            .await
            .unwrap();

        // Jan leaves: his messages go to the privacy officer, still open.
        let n = s
            .offboard(
                "jan@org.nl",
                &Handover::To("FG@org.nl".into()),
                "admin@org.nl",
            )
            .await
            .unwrap();
        let n = n.unwrap();
        assert_eq!(n.packages, 2);
        // One message with two recipients: one new status link for both,
        // and only its hash is kept.
        assert_eq!(n.new_status_links.len(), 1);
        let link = &n.new_status_links[0];
        assert_eq!(link.recipients.len(), 2);
        let by_link = s
            .packages_by_status_token(&crate::token_hash(&link.status_token))
            .await
            .unwrap();
        assert_eq!(by_link.len(), 2);
        assert!(by_link.iter().all(|p| p.sender == "fg@org.nl"));
        assert!(
            s.packages_by_status_token(&crate::token_hash("Jan@Org.nl"))
                .await
                .unwrap()
                .is_empty(),
            "Jan's old link ended"
        );
        assert!(s.session("j1").await.unwrap().is_none());
        assert!(
            s.staff_account("jan@org.nl")
                .await
                .unwrap()
                .unwrap()
                .disabled
        );
        assert!(s
            .packages_by_sender("jan@org.nl", 100)
            .await
            .unwrap()
            .is_empty());
        let handed = s.packages_by_sender("fg@org.nl", 100).await.unwrap();
        assert_eq!(handed.len(), 2);
        assert!(handed
            .iter()
            .all(|p| p.state(now()) == crate::PackageState::Open));

        // Piet leaves: his message is withdrawn.
        assert_eq!(
            s.offboard("piet@org.nl", &Handover::Revoke, "admin@org.nl")
                .await
                .unwrap()
                .map(|o| (o.packages, o.new_status_links.len())),
            Some((1, 0))
        );
        let piets = s.packages_by_sender("piet@org.nl", 100).await.unwrap();
        assert_eq!(piets[0].state(now()), crate::PackageState::Revoked);
        assert_eq!(
            s.offboard("niemand@org.nl", &Handover::Revoke, "admin@org.nl")
                .await
                .unwrap(),
            None
        );
        let events: Vec<String> = s
            .audit_entries(0)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.event.to_string())
            .collect();
        assert!(
            events.iter().filter(|e| *e == "handed_over").count() == 2,
            "{events:?}"
        );
        assert!(
            events.iter().filter(|e| *e == "offboarded").count() == 2,
            "{events:?}"
        );
    }
}
