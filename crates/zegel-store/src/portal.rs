//! The portal's state: secure messages (one sealed copy per external
//! recipient), one-time codes (kept as keyed hashes, compared in constant
//! time), and short sessions (the cookie's random id, kept hashed). Every
//! change that matters is audited in the same transaction.

use crate::seal::DataKey;
use crate::Event;
use crate::{now, random_id, Store, StoreError};
use sha2::{Digest, Sha256};
use sqlx::Row;

/// The second factor a recipient must show after the mail code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor {
    /// The mail code is enough.
    None,
    /// A code by SMS to a known phone number.
    Sms,
    /// An access code the sender passes on another way.
    AccessCode,
}

impl SecondFactor {
    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            SecondFactor::None => "none",
            SecondFactor::Sms => "sms",
            SecondFactor::AccessCode => "access_code",
        }
    }

    fn parse(s: &str) -> SecondFactor {
        match s {
            "sms" => SecondFactor::Sms,
            "access_code" => SecondFactor::AccessCode,
            _ => SecondFactor::None,
        }
    }
}

/// One secure message: what the portal shows one recipient.
#[derive(Debug, Clone)]
pub struct SecurePackage {
    /// Its id.
    pub id: crate::PackageId,
    /// The accepted message it copies.
    pub message_id: crate::MessageId,
    /// The recipient it is for.
    pub recipient: String,
    /// Who sent it (envelope sender).
    pub sender: String,
    /// The second factor it asks for.
    pub second_factor: SecondFactor,
    /// Whether the sender gets a read receipt on first open.
    pub read_receipt: bool,
    /// Created (Unix seconds).
    pub created_at: i64,
    /// Expires (Unix seconds).
    pub expires_at: i64,
    /// Withdrawn by the sender.
    pub revoked_at: Option<i64>,
    /// Expired: its key destroyed.
    pub expired_at: Option<i64>,
    /// Locked after too many wrong codes.
    pub locked_at: Option<i64>,
    /// First opened.
    pub first_opened_at: Option<i64>,
    /// Wrong codes so far.
    pub wrong_tries: i64,
    blob_id: Option<String>,
    wrapped_key: Option<Vec<u8>>,
    phone: Option<Vec<u8>>,
    access_code_hash: Option<String>,
}

/// Whether a package can be opened now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageState {
    /// Readable after the codes.
    Open,
    /// Withdrawn by the sender.
    Revoked,
    /// Past its expiry.
    Expired,
    /// Too many wrong codes.
    Locked,
}

impl SecurePackage {
    /// Its state at `now`.
    pub fn state(&self, now: i64) -> PackageState {
        if self.revoked_at.is_some() {
            PackageState::Revoked
        } else if self.expired_at.is_some() || self.expires_at <= now || self.wrapped_key.is_none()
        {
            PackageState::Expired
        } else if self.locked_at.is_some() {
            PackageState::Locked
        } else {
            PackageState::Open
        }
    }
}

/// The result of checking a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// Right: the code is used up.
    Right,
    /// Wrong; this many tries remain before the lock.
    Wrong {
        /// Tries left.
        left: i64,
    },
    /// Wrong, and that was the last try: locked (and audited).
    Locked,
    /// No valid code: none sent, expired or used.
    NoCode,
}

/// Whom a portal session serves; its name is what the row holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionKind {
    /// A recipient opening a secure message.
    Recipient,
    /// A sender on a message's status page.
    Sender,
    /// Someone using the contact page.
    Contact,
    /// A signed-in member of staff.
    Staff,
    /// A sender confirming a held message.
    Confirm,
}

impl SessionKind {
    /// The name the row holds.
    pub const fn as_str(self) -> &'static str {
        match self {
            SessionKind::Recipient => "recipient",
            SessionKind::Sender => "sender",
            SessionKind::Contact => "contact",
            SessionKind::Staff => "staff",
            SessionKind::Confirm => "confirm",
        }
    }

    /// The kind a row names, if it is one zegel writes.
    fn parse(name: &str) -> Option<SessionKind> {
        [
            SessionKind::Recipient,
            SessionKind::Sender,
            SessionKind::Contact,
            SessionKind::Staff,
            SessionKind::Confirm,
        ]
        .into_iter()
        .find(|k| k.as_str() == name)
    }

    /// The kind of a stored row, or [`StoreError::Unreadable`].
    fn read(name: String) -> Result<SessionKind, StoreError> {
        SessionKind::parse(&name).ok_or(StoreError::Unreadable {
            column: "portal_sessions.kind",
            value: name,
        })
    }
}

/// A portal session.
#[derive(Debug, Clone)]
pub struct PortalSession {
    /// SHA-256 of the cookie value, hex.
    pub id_hash: String,
    /// Whom it serves.
    pub kind: SessionKind,
    /// The package id, the status token hash, or "".
    pub target: String,
    /// The form token (CSRF).
    pub csrf: String,
    /// The verified address (contact sessions); for a staff session, how
    /// its first step was passed when not by password
    /// (`"openid-connect"`).
    pub address: Option<String>,
    /// The mail code was right.
    pub email_ok: bool,
    /// The second factor was right.
    pub second_ok: bool,
    /// The message was opened in this session (audited once).
    pub opened: bool,
    /// Ends (Unix seconds).
    pub expires_at: i64,
}

/// What a package is made of when a message is accepted.
pub(crate) struct PackageRows {
    pub id: String,
    pub blob_id: String,
    pub wrapped_key: Vec<u8>,
    pub sealed: Vec<u8>,
    pub phone: Option<Vec<u8>>,
    pub access_code_hash: Option<String>,
}

/// The most wrong codes before a package (or contact code) locks.
pub const MAX_TRIES: i64 = 5;

/// An access code as compared: letters and digits only, upper case.
fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// SHA-256 of a token, hex (tokens and session ids are kept only hashed).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub(crate) const PACKAGE_COLUMNS: &str =
    "id, message_id, recipient, sender, second_factor, read_receipt,
    created_at, expires_at, revoked_at, expired_at, locked_at, first_opened_at, wrong_tries,
    blob_id, wrapped_key, phone, access_code_hash";

pub(crate) fn package_of(r: &sqlx::any::AnyRow) -> Result<SecurePackage, StoreError> {
    Ok(SecurePackage {
        id: r.try_get("id")?,
        message_id: r.try_get("message_id")?,
        recipient: r.try_get("recipient")?,
        sender: r.try_get("sender")?,
        second_factor: SecondFactor::parse(r.try_get("second_factor")?),
        read_receipt: crate::db::flag(r, "read_receipt")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
        revoked_at: r.try_get("revoked_at")?,
        expired_at: r.try_get("expired_at")?,
        locked_at: r.try_get("locked_at")?,
        first_opened_at: r.try_get("first_opened_at")?,
        wrong_tries: r.try_get("wrong_tries")?,
        blob_id: r.try_get("blob_id")?,
        wrapped_key: r.try_get("wrapped_key")?,
        phone: r.try_get("phone")?,
        access_code_hash: r.try_get("access_code_hash")?,
    })
}

fn session_of(r: &sqlx::any::AnyRow) -> Result<PortalSession, StoreError> {
    Ok(PortalSession {
        id_hash: r.try_get("id_hash")?,
        kind: SessionKind::read(r.try_get("kind")?)?,
        target: r.try_get("target")?,
        csrf: r.try_get("csrf")?,
        address: r.try_get("address")?,
        email_ok: crate::db::flag(r, "email_ok")?,
        second_ok: crate::db::flag(r, "second_ok")?,
        opened: crate::db::flag(r, "opened")?,
        expires_at: r.try_get("expires_at")?,
    })
}

/// The session columns of [`Store::package_with_session`]'s join, `s_…`;
/// `None` when no session matched.
fn joined_session_of(r: &sqlx::any::AnyRow) -> Result<Option<PortalSession>, StoreError> {
    let Some(id_hash) = r.try_get::<Option<String>, _>("s_id_hash")? else {
        return Ok(None);
    };
    Ok(Some(PortalSession {
        id_hash,
        kind: SessionKind::read(r.try_get("s_kind")?)?,
        target: r.try_get("s_target")?,
        csrf: r.try_get("s_csrf")?,
        address: r.try_get("s_address")?,
        email_ok: crate::db::flag(r, "s_email_ok")?,
        second_ok: crate::db::flag(r, "s_second_ok")?,
        opened: crate::db::flag(r, "s_opened")?,
        expires_at: r.try_get("s_expires_at")?,
    }))
}

impl Store {
    /// Seals a package's copy of the message (and its phone number and
    /// access code) with a fresh data key.
    pub(crate) fn seal_package(
        &self,
        raw: &[u8],
        phone: Option<&str>,
        access_code: Option<&str>,
    ) -> PackageRows {
        let id = crate::ordered_id();
        let blob_id = format!("p{id}");
        let key = DataKey::generate();
        PackageRows {
            wrapped_key: self.kek.wrap(&key, blob_id.as_bytes()),
            sealed: key.seal(raw, blob_id.as_bytes()),
            phone: phone.map(|p| key.seal(p.as_bytes(), format!("{id}/phone").as_bytes())),
            access_code_hash: access_code.map(|c| {
                self.kek.mac(
                    "access code",
                    format!("{id}/{}", normalize_code(c)).as_bytes(),
                )
            }),
            id,
            blob_id,
        }
    }

    /// The package a recipient's link token opens.
    pub async fn package_by_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<SecurePackage>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {PACKAGE_COLUMNS} FROM secure_messages WHERE token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(package_of).transpose()
    }

    /// The package a recipient's link token opens and, in the same query,
    /// the live recipient session for that package whose cookie hashes to
    /// `session_hash` (`None` when there is no such session: unknown,
    /// ended, expired, of another kind or for another package). What every
    /// recipient page needs first, in one round trip to the database.
    pub async fn package_with_session(
        &self,
        token_hash: &str,
        session_hash: Option<&str>,
    ) -> Result<Option<(SecurePackage, Option<PortalSession>)>, StoreError> {
        let columns: Vec<String> = PACKAGE_COLUMNS
            .split(',')
            .map(|c| format!("m.{0} AS {0}", c.trim()))
            .collect();
        let row = sqlx::query(&format!(
            "SELECT {}, s.id_hash AS s_id_hash, s.kind AS s_kind, s.target AS s_target,
                    s.csrf AS s_csrf, s.address AS s_address, s.email_ok AS s_email_ok,
                    s.second_ok AS s_second_ok, s.opened AS s_opened,
                    s.expires_at AS s_expires_at
             FROM secure_messages m
             LEFT JOIN portal_sessions s
               ON s.id_hash = $2 AND s.kind = $4 AND s.target = m.id
                  AND s.expires_at > $3
             WHERE m.token_hash = $1",
            columns.join(", ")
        ))
        .bind(token_hash)
        .bind(session_hash.unwrap_or(""))
        .bind(now())
        .bind(SessionKind::Recipient.as_str())
        .fetch_optional(&self.reader)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        Ok(Some((package_of(&row)?, joined_session_of(&row)?)))
    }

    /// A package by id.
    pub async fn package(
        &self,
        id: &crate::PackageId,
    ) -> Result<Option<SecurePackage>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {PACKAGE_COLUMNS} FROM secure_messages WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(package_of).transpose()
    }

    /// The packages of one sent message, by the sender's status token.
    pub async fn packages_by_status_token(
        &self,
        status_token_hash: &str,
    ) -> Result<Vec<SecurePackage>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {PACKAGE_COLUMNS} FROM secure_messages WHERE status_token_hash = $1
             ORDER BY recipient"
        ))
        .bind(status_token_hash)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(package_of).collect()
    }

    /// The message bytes of a package (unsealed in memory only).
    pub async fn package_content(&self, p: &SecurePackage) -> Result<Vec<u8>, StoreError> {
        let (Some(blob_id), Some(wrapped)) = (&p.blob_id, &p.wrapped_key) else {
            return Err(StoreError::Destroyed);
        };
        let sealed = self.read_blob(blob_id).await?;
        let key = self.kek.unwrap(wrapped, blob_id.as_bytes())?;
        key.open(&sealed, blob_id.as_bytes())
    }

    /// The phone number for a package's SMS code, if it has one.
    pub fn package_phone(&self, p: &SecurePackage) -> Result<Option<String>, StoreError> {
        let (Some(blob_id), Some(wrapped), Some(phone)) = (&p.blob_id, &p.wrapped_key, &p.phone)
        else {
            return Ok(None);
        };
        let key = self.kek.unwrap(wrapped, blob_id.as_bytes())?;
        let bytes = key.open(phone, format!("{}/phone", p.id).as_bytes())?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| StoreError::Unseal)
    }

    /// Whether `code` is the package's access code (constant-time compare).
    pub fn access_code_matches(&self, p: &SecurePackage, code: &str) -> bool {
        let Some(stored) = &p.access_code_hash else {
            return false;
        };
        self.kek.mac_matches(
            "access code",
            format!("{}/{}", p.id, normalize_code(code)).as_bytes(),
            stored,
        )
    }

    /// Counts a wrong code against a package; locks it at [`MAX_TRIES`].
    pub async fn package_wrong_code(
        &self,
        p: &SecurePackage,
        what: &str,
    ) -> Result<CodeCheck, StoreError> {
        let now = now();
        let mut tx = self.pool.begin().await?;
        let tries: i64 = sqlx::query_scalar(
            "UPDATE secure_messages SET wrong_tries = wrong_tries + 1 WHERE id = $1
             RETURNING wrong_tries",
        )
        .bind(&p.id)
        .fetch_one(&mut *tx)
        .await?;
        crate::audit::append(
            &mut tx,
            now,
            Event::CodeWrong,
            Some(p.message_id.as_str()),
            &p.recipient,
            &format!("wrong {what} ({tries} of {MAX_TRIES})"),
        )
        .await?;
        let result = if tries >= MAX_TRIES {
            sqlx::query("UPDATE secure_messages SET locked_at = $1 WHERE id = $2")
                .bind(now)
                .bind(&p.id)
                .execute(&mut *tx)
                .await?;
            crate::audit::append(
                &mut tx,
                now,
                Event::Locked,
                Some(p.message_id.as_str()),
                &p.recipient,
                "locked after too many wrong codes",
            )
            .await?;
            CodeCheck::Locked
        } else {
            CodeCheck::Wrong {
                left: MAX_TRIES - tries,
            }
        };
        tx.commit().await?;
        Ok(result)
    }

    /// Records an open: the first one sets `first_opened_at`. Returns true
    /// when this was the first open of the package.
    pub async fn package_opened(
        &self,
        p: &SecurePackage,
        session_id_hash: &str,
    ) -> Result<bool, StoreError> {
        let now = now();
        let mut tx = self.pool.begin().await?;
        let first = sqlx::query(
            "UPDATE secure_messages SET first_opened_at = $1 WHERE id = $2 AND first_opened_at IS NULL",
        )
        .bind(now)
        .bind(&p.id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        sqlx::query("UPDATE portal_sessions SET opened = 1 WHERE id_hash = $1")
            .bind(session_id_hash)
            .execute(&mut *tx)
            .await?;
        let detail = if first { "first open" } else { "opened again" };
        crate::audit::append(
            &mut tx,
            now,
            Event::Opened,
            Some(p.message_id.as_str()),
            &p.recipient,
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(first)
    }

    /// Withdraws a package at once: its key is destroyed and its copy
    /// deleted; the recipient sees it was withdrawn.
    pub async fn revoke_package(&self, p: &SecurePackage, by: &str) -> Result<(), StoreError> {
        self.destroy_package(p, Event::Revoked, by).await
    }

    /// Sets a new expiry (only for a package that is still open).
    pub async fn set_package_expiry(
        &self,
        p: &SecurePackage,
        expires_at: i64,
        by: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE secure_messages SET expires_at = $1
             WHERE id = $2 AND revoked_at IS NULL AND expired_at IS NULL",
        )
        .bind(expires_at)
        .bind(&p.id)
        .execute(&mut *tx)
        .await?;
        crate::audit::append(
            &mut tx,
            now(),
            Event::ExpiryChanged,
            Some(p.message_id.as_str()),
            &p.recipient,
            &format!("expires at {expires_at} (Unix time), set by {by}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Lifts a lock after too many wrong codes.
    pub async fn unlock_package(&self, p: &SecurePackage, by: &str) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE secure_messages SET locked_at = NULL, wrong_tries = 0 WHERE id = $1")
            .bind(&p.id)
            .execute(&mut *tx)
            .await?;
        crate::audit::append(
            &mut tx,
            now(),
            Event::Unlocked,
            Some(p.message_id.as_str()),
            &p.recipient,
            &format!("unlocked by {by}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Destroys every package past its expiry; returns how many.
    pub async fn expire_packages(&self) -> Result<usize, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {PACKAGE_COLUMNS} FROM secure_messages
             WHERE expired_at IS NULL AND revoked_at IS NULL AND expires_at <= $1"
        ))
        .bind(now())
        .fetch_all(&self.pool)
        .await?;
        let packages: Vec<SecurePackage> = rows.iter().map(package_of).collect::<Result<_, _>>()?;
        for p in &packages {
            self.destroy_package(p, Event::Expired, "zegel").await?;
        }
        Ok(packages.len())
    }

    /// Deletes a package's key and copy, recording why; the audit stays.
    async fn destroy_package(
        &self,
        p: &SecurePackage,
        event: Event,
        by: &str,
    ) -> Result<(), StoreError> {
        let now = now();
        let column = if event == Event::Revoked {
            "revoked_at"
        } else {
            "expired_at"
        };
        let mut tx = self.pool.begin().await?;
        sqlx::query(&format!(
            "UPDATE secure_messages SET {column} = $1, wrapped_key = NULL, phone = NULL,
                    access_code_hash = NULL
             WHERE id = $2"
        ))
        .bind(now)
        .bind(&p.id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM portal_sessions WHERE kind = $2 AND target = $1")
            .bind(&p.id)
            .bind(SessionKind::Recipient.as_str())
            .execute(&mut *tx)
            .await?;
        crate::audit::append(
            &mut tx,
            now,
            event,
            Some(p.message_id.as_str()),
            &p.recipient,
            &format!("key destroyed and copy deleted ({by})"),
        )
        .await?;
        tx.commit().await?;
        // The key is gone once the transaction commits; the sealed copy is
        // unreadable from then on, and its file goes too.
        if let Some(blob_id) = &p.blob_id {
            self.delete_blob(blob_id).await?;
        }
        Ok(())
    }

    /// Stores a new one-time code (as a keyed hash) for `target`, replacing
    /// any earlier one, and audits that it was sent.
    pub async fn issue_code(&self, code: NewCode<'_>) -> Result<(), StoreError> {
        let now = now();
        let hash = self.code_mac(code.purpose.as_str(), code.target, code.code);
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE portal_codes SET used_at = $1 WHERE purpose = $2 AND target = $3 AND used_at IS NULL",
        )
        .bind(now)
        .bind(code.purpose.as_str())
        .bind(code.target)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO portal_codes (purpose, target, address, code_hash, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(code.purpose.as_str())
        .bind(code.target)
        .bind(code.address)
        .bind(&hash)
        .bind(now)
        .bind(now + code.valid_secs)
        .execute(&mut *tx)
        .await?;
        crate::audit::append(
            &mut tx,
            now,
            Event::CodeSent,
            code.message_id,
            code.audit_subject,
            &format!("{} code sent", code.purpose),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many codes went to `address` (or for `target`) since `since`.
    pub async fn codes_sent_since(
        &self,
        address_or_target: &str,
        since: i64,
    ) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM portal_codes WHERE (address = $1 OR target = $1) AND created_at >= $2",
        )
        .bind(address_or_target)
        .bind(since)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Checks a code for `target`: right uses it up; wrong counts a try on
    /// the code itself (a contact code burns at [`MAX_TRIES`]). Package
    /// locks are counted by [`Store::package_wrong_code`].
    pub async fn check_code(
        &self,
        purpose: CodePurpose,
        target: &str,
        given: &str,
    ) -> Result<CodeCheck, StoreError> {
        let now = now();
        let row = sqlx::query(
            "SELECT id, code_hash, tries FROM portal_codes
             WHERE purpose = $1 AND target = $2 AND used_at IS NULL AND expires_at > $3
             ORDER BY id DESC LIMIT 1",
        )
        .bind(purpose.as_str())
        .bind(target)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(CodeCheck::NoCode);
        };
        let id: i64 = row.try_get("id")?;
        let stored: String = row.try_get("code_hash")?;
        let given: String = given.chars().filter(|c| c.is_ascii_digit()).collect();
        if self.kek.mac_matches(
            ONE_TIME_CODE,
            &code_mac_data(purpose.as_str(), target, &given),
            &stored,
        ) {
            sqlx::query("UPDATE portal_codes SET used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id)
                .execute(&self.pool)
                .await?;
            return Ok(CodeCheck::Right);
        }
        let tries: i64 = sqlx::query_scalar(
            "UPDATE portal_codes SET tries = tries + 1,
                    used_at = CASE WHEN tries + 1 >= $1 THEN $2 ELSE used_at END
             WHERE id = $3 RETURNING tries",
        )
        .bind(MAX_TRIES)
        .bind(now)
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        Ok(if tries >= MAX_TRIES {
            CodeCheck::Locked
        } else {
            CodeCheck::Wrong {
                left: MAX_TRIES - tries,
            }
        })
    }

    fn code_mac(&self, purpose: &str, target: &str, code: &str) -> String {
        self.kek
            .mac(ONE_TIME_CODE, &code_mac_data(purpose, target, code))
    }

    /// Starts a session; returns it. `id_hash` is the SHA-256 of the cookie.
    pub async fn create_session(
        &self,
        id_hash: &str,
        kind: SessionKind,
        target: &str,
        lifetime_secs: i64,
    ) -> Result<PortalSession, StoreError> {
        let now = now();
        let csrf = random_id();
        sqlx::query("DELETE FROM portal_sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO portal_sessions (id_hash, kind, target, csrf, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id_hash)
        .bind(kind.as_str())
        .bind(target)
        .bind(&csrf)
        .bind(now)
        .bind(now + lifetime_secs)
        .execute(&self.pool)
        .await?;
        Ok(PortalSession {
            id_hash: id_hash.to_string(),
            kind,
            target: target.to_string(),
            csrf,
            address: None,
            email_ok: false,
            second_ok: false,
            opened: false,
            expires_at: now + lifetime_secs,
        })
    }

    /// A live session by the hash of its cookie.
    pub async fn session(&self, id_hash: &str) -> Result<Option<PortalSession>, StoreError> {
        let row = sqlx::query(
            "SELECT id_hash, kind, target, csrf, address, email_ok, second_ok, opened, expires_at
             FROM portal_sessions WHERE id_hash = $1 AND expires_at > $2",
        )
        .bind(id_hash)
        .bind(now())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(session_of).transpose()
    }

    /// Records a passed factor (and, for contact sessions, the verified
    /// address) on a session.
    pub async fn session_passed(
        &self,
        id_hash: &str,
        factor: Factor,
        address: Option<&str>,
    ) -> Result<(), StoreError> {
        let column = match factor {
            Factor::Email => "email_ok",
            Factor::Second => "second_ok",
        };
        sqlx::query(&format!(
            "UPDATE portal_sessions SET {column} = 1, address = COALESCE($1, address) WHERE id_hash = $2"
        ))
        .bind(address)
        .bind(id_hash)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records the address a contact session claims (not yet verified).
    pub async fn session_claim(&self, id_hash: &str, address: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE portal_sessions SET address = $1, email_ok = 0 WHERE id_hash = $2")
            .bind(address)
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Gives a session a new id (its cookie's hash `new_hash`), keeping
    /// what it passed: done when a factor passes, so an id fixed or seen
    /// before sign-in is worth nothing after it.
    pub async fn rotate_session(&self, id_hash: &str, new_hash: &str) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE portal_sessions SET id_hash = $1 WHERE id_hash = $2")
            .bind(new_hash)
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("session"));
        }
        Ok(())
    }

    /// Ends a session.
    pub async fn end_session(&self, id_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM portal_sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The audit events of one message, oldest first (the status page's
    /// timeline).
    pub async fn message_events(
        &self,
        message_id: &str,
    ) -> Result<Vec<crate::AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, event, message_id, subject, detail FROM audit
             WHERE message_id = $1 ORDER BY seq",
        )
        .bind(message_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(crate::audit::entry_of).collect()
    }
}

/// A factor a session has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    /// The code by mail.
    Email,
    /// The SMS or access code.
    Second,
}

/// What a one-time code is for; its name is what the code row holds and
/// what the code's keyed hash covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodePurpose {
    /// The first factor: a code mailed to a recipient.
    Email,
    /// The second factor: a code by SMS.
    Sms,
    /// A code mailed to someone using the contact page.
    Contact,
}

impl CodePurpose {
    /// The name the row holds.
    pub const fn as_str(self) -> &'static str {
        match self {
            CodePurpose::Email => "email",
            CodePurpose::Sms => "sms",
            CodePurpose::Contact => "contact",
        }
    }
}

impl std::fmt::Display for CodePurpose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A one-time code to store.
#[derive(Debug, Clone, Copy)]
pub struct NewCode<'a> {
    /// What the code is for.
    pub purpose: CodePurpose,
    /// The package id or the contact session's id hash.
    pub target: &'a str,
    /// Where it goes (for the per-address rate limit).
    pub address: &'a str,
    /// The code itself (kept only as a keyed hash).
    pub code: &'a str,
    /// How long it is valid.
    pub valid_secs: i64,
    /// The message it concerns, for the audit trail.
    pub message_id: Option<&'a str>,
    /// Who it concerns, for the audit trail (never the code).
    pub audit_subject: &'a str,
}

/// The purpose of one-time codes' keyed hashes.
const ONE_TIME_CODE: &str = "one-time code";

/// What a one-time code's keyed hash is made of.
fn code_mac_data(purpose: &str, target: &str, code: &str) -> Vec<u8> {
    format!("{purpose}/{target}/{code}").into_bytes()
}

#[cfg(test)]
mod tests;
