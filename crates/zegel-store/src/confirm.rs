//! Mail held by a warning waits for its sender (issue 19 item 5): a
//! recipient at a look-alike of a known domain, or external recipients who
//! would see each other. The sender confirms (it goes as planned, or as
//! separate copies each naming one recipient), or cancels (it is never
//! sent), through the link in the notice or on the staff web; unanswered
//! by the deadline it is dropped and the sender told. Every decision is
//! taken once and recorded in the audit trail.

use crate::Event;
use crate::{now, Store, StoreError};
use sqlx::Row;

/// A confirmation to create with a message ([`crate::NewMessage::confirm`]).
#[derive(Debug, Clone)]
pub struct NewConfirmation {
    /// SHA-256 of the link's token, hex.
    pub token_hash: String,
    /// Which warning held it.
    pub warning: HoldWarning,
    /// The reasons as the sender's notice gives them, in Dutch.
    pub reasons_nl: Vec<String>,
    /// The same in English.
    pub reasons_en: Vec<String>,
    /// The recipients whose delivery it holds.
    pub recipients: Vec<String>,
    /// Offer a copy each, naming only its recipient: for visible
    /// recipients, when every held delivery is the original itself (a
    /// portal package or an archive keeps the addresses it was made with).
    pub separate_offered: bool,
    /// The deadline (Unix seconds): unanswered by then, it is dropped.
    pub expires_at: i64,
}

/// Which warning held a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldWarning {
    /// A recipient at a look-alike of the organisation's or a partner's
    /// domain.
    LookalikeDomain,
    /// External recipients who would see each other's addresses.
    VisibleExternal,
}

impl HoldWarning {
    fn as_str(self) -> &'static str {
        match self {
            HoldWarning::LookalikeDomain => "lookalike_domain",
            HoldWarning::VisibleExternal => "visible_external",
        }
    }

    fn parse(s: &str) -> HoldWarning {
        match s {
            "visible_external" => HoldWarning::VisibleExternal,
            _ => HoldWarning::LookalikeDomain,
        }
    }
}

/// What the sender (or an administrator, or the deadline) decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldDecision {
    /// Send it as planned.
    Confirmed,
    /// Send each held recipient a copy that names only them.
    Separate,
    /// Never send it.
    Cancelled,
    /// Not answered in time: dropped.
    Expired,
    /// Released by an administrator (`zegel held release`).
    Released,
    /// Deleted by an administrator (`zegel held delete`).
    Deleted,
}

impl HoldDecision {
    /// The stable name stored in the database and the audit trail's event.
    pub fn as_str(self) -> &'static str {
        match self {
            HoldDecision::Confirmed => "confirmed",
            HoldDecision::Separate => "separate",
            HoldDecision::Cancelled => "cancelled",
            HoldDecision::Expired => "expired",
            HoldDecision::Released => "released",
            HoldDecision::Deleted => "deleted",
        }
    }

    fn parse(s: &str) -> Option<HoldDecision> {
        Some(match s {
            "confirmed" => HoldDecision::Confirmed,
            "separate" => HoldDecision::Separate,
            "cancelled" => HoldDecision::Cancelled,
            "expired" => HoldDecision::Expired,
            "released" => HoldDecision::Released,
            "deleted" => HoldDecision::Deleted,
            _ => return None,
        })
    }

    /// Whether the held deliveries go out.
    pub fn sends(self) -> bool {
        matches!(
            self,
            HoldDecision::Confirmed | HoldDecision::Separate | HoldDecision::Released
        )
    }

    /// The audit event of this decision.
    pub(crate) fn event(self) -> Event {
        match self {
            HoldDecision::Confirmed => Event::HeldConfirmed,
            HoldDecision::Separate => Event::HeldConfirmedSeparately,
            HoldDecision::Cancelled => Event::HeldCancelled,
            HoldDecision::Expired => Event::HeldExpired,
            HoldDecision::Released => Event::HeldReleased,
            HoldDecision::Deleted => Event::HeldDeleted,
        }
    }
}

/// A held message waiting for (or past) its sender's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldConfirmation {
    /// The message id.
    pub message_id: crate::MessageId,
    /// The envelope sender (lower case).
    pub sender: String,
    /// Which warning held it.
    pub warning: HoldWarning,
    /// The reasons in Dutch.
    pub reasons_nl: Vec<String>,
    /// The reasons in English.
    pub reasons_en: Vec<String>,
    /// When it was accepted (Unix seconds).
    pub created_at: i64,
    /// The deadline (Unix seconds).
    pub expires_at: i64,
    /// The decision, once taken.
    pub decision: Option<HoldDecision>,
    /// The recipients whose delivery is (or was) held.
    pub recipients: Vec<String>,
    /// Whether the sender may choose a copy each.
    pub separate_offered: bool,
}

impl HoldConfirmation {
    /// Whether the sender can still decide at `now`.
    pub fn pending(&self, now: i64) -> bool {
        self.decision.is_none() && now < self.expires_at
    }
}

/// A held message dropped at its deadline: the sender is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiredHold {
    /// The message id.
    pub message_id: crate::MessageId,
    /// The envelope sender ("" for the null sender: nobody to tell).
    pub sender: String,
    /// The recipients it was not sent to.
    pub recipients: Vec<String>,
}

/// Held deliveries go out: due now, with their full lifetime from now;
/// `$3` makes each a copy for its recipient alone.
const RELEASE: &str = "UPDATE deliveries SET state = 'queued', next_attempt_at = $1,
        expires_at = $1 + (expires_at - created_at), alone = $3
     WHERE message_id = $2 AND state = 'held'";

/// Held deliveries are never sent.
const DROP: &str = "UPDATE deliveries SET state = 'deleted', done_at = $1
     WHERE message_id = $2 AND state = 'held'";

/// The same, for one recipient (`$4`).
const RELEASE_ONE: &str = "UPDATE deliveries SET state = 'queued', next_attempt_at = $1,
        expires_at = $1 + (expires_at - created_at), alone = $3
     WHERE message_id = $2 AND state = 'held' AND rcpt = $4";

/// The same, for one recipient (`$3`).
const DROP_ONE: &str = "UPDATE deliveries SET state = 'deleted', done_at = $1
     WHERE message_id = $2 AND state = 'held' AND rcpt = $3";

/// The most expired confirmations one housekeeping pass handles.
const EXPIRE_BATCH: i64 = 200;

/// Decided confirmations are kept this long (for the link's answer), then
/// removed; the audit trail keeps the decision.
const KEEP_DECIDED_SECS: i64 = 30 * 86_400;

const COLUMNS: &str = "message_id, sender, warning, reasons_nl, reasons_en, recipients,
                       separate_offered, created_at, expires_at, decision";

impl Store {
    /// The confirmation a link's token hash names, if any.
    pub async fn hold_confirmation(
        &self,
        token_hash: &str,
    ) -> Result<Option<HoldConfirmation>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM hold_confirmations WHERE token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => Ok(Some(confirmation_of(&r)?)),
            None => Ok(None),
        }
    }

    /// The held messages `sender` can still decide on, oldest first.
    pub async fn pending_confirmations(
        &self,
        sender: &str,
    ) -> Result<Vec<HoldConfirmation>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM hold_confirmations
             WHERE sender = $1 AND decided_at IS NULL AND expires_at > $2
             ORDER BY created_at, message_id"
        ))
        .bind(sender.to_lowercase())
        .bind(now())
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(confirmation_of(r)?);
        }
        Ok(out)
    }

    /// The sender's decision on a held message that is still pending
    /// (not decided, not past its deadline): `Confirmed`, `Separate` or
    /// `Cancelled`. Returns how many deliveries it moved; `NotFound` when
    /// nothing is pending any more.
    pub async fn decide_hold(
        &self,
        message_id: &str,
        decision: HoldDecision,
        by: &str,
    ) -> Result<u64, StoreError> {
        if !matches!(
            decision,
            HoldDecision::Confirmed | HoldDecision::Separate | HoldDecision::Cancelled
        ) {
            return Err(StoreError::NotFound("sender's decision"));
        }
        let now = now();
        let mut tx = self.pool.begin().await?;
        // A copy each only where it was offered.
        let claimed = sqlx::query(
            "UPDATE hold_confirmations SET decided_at = $1, decision = $2
             WHERE message_id = $3 AND decided_at IS NULL AND expires_at > $1
               AND (separate_offered = 1 OR $4 = 0)",
        )
        .bind(now)
        .bind(decision.as_str())
        .bind(message_id)
        .bind(i64::from(decision == HoldDecision::Separate))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            return Err(StoreError::NotFound("pending confirmation"));
        }
        let recipients = warned_recipients(&mut tx, message_id).await?;
        let moved = move_held(&mut tx, now, message_id, decision, Some(&recipients)).await?;
        crate::audit::append(
            &mut tx,
            now,
            decision.event(),
            Some(message_id),
            by,
            &format!("{moved} delivery(ies)"),
        )
        .await?;
        tx.commit().await?;
        Ok(moved)
    }

    /// Drops the held messages whose deadline passed unanswered (a batch
    /// at a time) and returns them, for a notice to each sender. Decided
    /// confirmations older than 30 days are removed.
    pub async fn expire_holds(&self) -> Result<Vec<ExpiredHold>, StoreError> {
        let now = now();
        let due: Vec<(String, String)> = sqlx::query(
            "SELECT message_id, sender FROM hold_confirmations
             WHERE decided_at IS NULL AND expires_at <= $1 ORDER BY expires_at LIMIT $2",
        )
        .bind(now)
        .bind(EXPIRE_BATCH)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("message_id")?, r.try_get("sender")?)))
        .collect::<Result<_, sqlx::Error>>()?;
        let mut out = Vec::new();
        for (message_id, sender) in due {
            let mut tx = self.pool.begin().await?;
            let claimed = sqlx::query(
                "UPDATE hold_confirmations SET decided_at = $1, decision = 'expired'
                 WHERE message_id = $2 AND decided_at IS NULL",
            )
            .bind(now)
            .bind(&message_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if claimed == 0 {
                continue; // another node (or the sender) was first
            }
            let recipients = warned_recipients(&mut tx, &message_id).await?;
            let moved = move_held(
                &mut tx,
                now,
                &message_id,
                HoldDecision::Expired,
                Some(&recipients),
            )
            .await?;
            crate::audit::append(
                &mut tx,
                now,
                HoldDecision::Expired.event(),
                Some(&message_id),
                "zegel",
                &format!("not confirmed in time; {moved} delivery(ies) not sent"),
            )
            .await?;
            tx.commit().await?;
            out.push(ExpiredHold {
                message_id: crate::MessageId::from(message_id),
                sender,
                recipients,
            });
        }
        sqlx::query(
            "DELETE FROM hold_confirmations WHERE decided_at IS NOT NULL AND decided_at < $1",
        )
        .bind(now - KEEP_DECIDED_SECS)
        .execute(&self.pool)
        .await?;
        Ok(out)
    }
}

/// A confirmation from its row.
fn confirmation_of(r: &sqlx::any::AnyRow) -> Result<HoldConfirmation, StoreError> {
    let decision: Option<String> = r.try_get("decision")?;
    Ok(HoldConfirmation {
        message_id: r.try_get("message_id")?,
        sender: r.try_get("sender")?,
        warning: HoldWarning::parse(r.try_get("warning")?),
        reasons_nl: lines(r.try_get("reasons_nl")?),
        reasons_en: lines(r.try_get("reasons_en")?),
        recipients: lines(r.try_get("recipients")?),
        separate_offered: crate::db::flag(r, "separate_offered")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
        decision: decision.as_deref().and_then(HoldDecision::parse),
    })
}

/// Sends or drops the held deliveries of a message by `decision`: those
/// of `recipients` (what a warning held: the sender decides on nothing
/// else, so what the policy holds stays held), or every one (`None`: an
/// administrator's release or delete).
pub(crate) async fn move_held(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    now: i64,
    message_id: &str,
    decision: HoldDecision,
    recipients: Option<&[String]>,
) -> Result<u64, StoreError> {
    let alone = i64::from(decision == HoldDecision::Separate);
    let Some(recipients) = recipients else {
        let done = if decision.sends() {
            sqlx::query(RELEASE)
                .bind(now)
                .bind(message_id)
                .bind(alone)
                .execute(&mut **tx)
                .await?
        } else {
            sqlx::query(DROP)
                .bind(now)
                .bind(message_id)
                .execute(&mut **tx)
                .await?
        };
        return Ok(done.rows_affected());
    };
    let mut moved = 0;
    for rcpt in recipients {
        let done = if decision.sends() {
            sqlx::query(RELEASE_ONE)
                .bind(now)
                .bind(message_id)
                .bind(alone)
                .bind(rcpt)
                .execute(&mut **tx)
                .await?
        } else {
            sqlx::query(DROP_ONE)
                .bind(now)
                .bind(message_id)
                .bind(rcpt)
                .execute(&mut **tx)
                .await?
        };
        moved += done.rows_affected();
    }
    Ok(moved)
}

/// The recipients a message's confirmation is about.
async fn warned_recipients(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    message_id: &str,
) -> Result<Vec<String>, StoreError> {
    let text: String =
        sqlx::query_scalar("SELECT recipients FROM hold_confirmations WHERE message_id = $1")
            .bind(message_id)
            .fetch_one(&mut **tx)
            .await?;
    Ok(lines(text))
}

/// Marks a pending confirmation decided by an administrator (release or
/// delete through `zegel held`): the sender's link then says so.
pub(crate) async fn decided_by_administrator(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    now: i64,
    message_id: &str,
    decision: HoldDecision,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE hold_confirmations SET decided_at = $1, decision = $2
         WHERE message_id = $3 AND decided_at IS NULL",
    )
    .bind(now)
    .bind(decision.as_str())
    .bind(message_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Lines of a stored list, blank ones left out.
fn lines(s: String) -> Vec<String> {
    s.lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The values of a confirmation's row, in the order of
/// [`HOLD_CONFIRMATIONS`].
pub(crate) fn confirmation_row(
    message_id: &str,
    sender: &str,
    c: &NewConfirmation,
    now: i64,
) -> [crate::bulk::Cell; 10] {
    [
        message_id.to_string().into(),
        sender.to_lowercase().into(),
        c.warning.as_str().into(),
        c.reasons_nl.join("\n").into(),
        c.reasons_en.join("\n").into(),
        c.recipients.join("\n").into(),
        c.separate_offered.into(),
        now.into(),
        c.expires_at.into(),
        c.token_hash.clone().into(),
    ]
}

/// A confirmation's row ([`confirmation_row`]).
pub(crate) static HOLD_CONFIRMATIONS: crate::bulk::Shape = crate::bulk::Shape {
    head: "INSERT INTO hold_confirmations (message_id, sender, warning, reasons_nl, reasons_en,
            recipients, separate_offered, created_at, expires_at, token_hash) VALUES ",
    tail: "",
    width: 10,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Content, DeliveryKind, NewDelivery, NewMessage};

    /// A message held for two look-alike recipients, sent to a third.
    fn held_message(token: &str, expires_at: i64) -> NewMessage {
        let delivery = |rcpt: &str, held: bool| NewDelivery {
            kind: DeliveryKind::Original,
            mail_from: "Jan@zorg.nl".into(),
            rcpt: rcpt.into(),
            content: Content::Original,
            dkim: false,
            require_tls: false,
            notify_never: false,
            headers_only: false,
            held,
        };
        NewMessage {
            mail_from: "Jan@zorg.nl".into(),
            raw: b"Subject: x\r\n\r\ny\r\n".to_vec(),
            verdict: crate::MessageVerdict::Normal,
            summary: b"{}".to_vec(),
            deliveries: vec![
                delivery("piet@zorg-nl.com", true),
                delivery("els@zorgg.nl", true),
                delivery("kees@example.com", false),
            ],
            secure: Vec::new(),
            audit: Vec::new(),
            lifetime_secs: 3600,
            confirm: Some(NewConfirmation {
                token_hash: crate::token_hash(token),
                warning: HoldWarning::LookalikeDomain,
                reasons_nl: vec!["zorg-nl.com lijkt op zorg.nl".into()],
                reasons_en: vec!["zorg-nl.com looks like zorg.nl".into()],
                recipients: vec!["piet@zorg-nl.com".into(), "els@zorgg.nl".into()],
                separate_offered: false,
                expires_at,
            }),
        }
    }

    async fn events(store: &Store) -> Vec<String> {
        store
            .audit_entries(0)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.event.to_string())
            .collect()
    }

    #[tokio::test]
    async fn the_sender_confirms_once_and_the_held_copies_go() {
        let (_dir, store) = crate::test_store().await;
        let id = store
            .accept(held_message("t1", now() + 3600))
            .await
            .unwrap();
        let c = store
            .hold_confirmation(&crate::token_hash("t1"))
            .await
            .unwrap()
            .expect("found by the token's hash");
        assert_eq!(c.message_id, id);
        assert_eq!(c.sender, "jan@zorg.nl", "kept in lower case");
        assert_eq!(c.recipients, ["piet@zorg-nl.com", "els@zorgg.nl"]);
        assert_eq!(c.reasons_en, ["zorg-nl.com looks like zorg.nl"]);
        assert!(c.pending(now()));
        assert_eq!(
            store.pending_confirmations("JAN@zorg.nl").await.unwrap(),
            [c]
        );
        assert_eq!(store.claim(10, 60).await.unwrap().len(), 1, "only kees");

        let moved = store
            .decide_hold(&id, HoldDecision::Confirmed, "jan@zorg.nl")
            .await
            .unwrap();
        assert_eq!(moved, 2);
        let jobs = store.claim(10, 60).await.unwrap();
        assert_eq!(jobs.len(), 2);
        assert!(jobs.iter().all(|j| !j.alone));
        assert!(
            store
                .decide_hold(&id, HoldDecision::Cancelled, "jan@zorg.nl")
                .await
                .is_err(),
            "decided once"
        );
        let c = store
            .hold_confirmation(&crate::token_hash("t1"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c.decision, Some(HoldDecision::Confirmed));
        assert!(store
            .pending_confirmations("jan@zorg.nl")
            .await
            .unwrap()
            .is_empty());
        assert!(events(&store).await.contains(&"held_confirmed".to_string()));
    }

    #[tokio::test]
    async fn separate_copies_are_marked_and_cancelled_mail_never_goes() {
        let (_dir, store) = crate::test_store().await;
        let mut offered = held_message("a", now() + 3600);
        offered.confirm.as_mut().unwrap().separate_offered = true;
        let one = store.accept(offered).await.unwrap();
        let two = store.accept(held_message("b", now() + 3600)).await.unwrap();
        store.claim(10, 60).await.unwrap(); // the two unheld ones
        assert!(
            store
                .decide_hold(&two, HoldDecision::Separate, "jan@zorg.nl")
                .await
                .is_err(),
            "a copy each only where offered"
        );
        store
            .decide_hold(&one, HoldDecision::Separate, "jan@zorg.nl")
            .await
            .unwrap();
        store
            .decide_hold(&two, HoldDecision::Cancelled, "jan@zorg.nl")
            .await
            .unwrap();
        let jobs = store.claim(10, 60).await.unwrap();
        assert_eq!(jobs.len(), 2, "only the separate copies");
        assert!(jobs.iter().all(|j| j.alone && j.message_id == one));
        assert!(store.held_messages().await.unwrap().is_empty());
        let events = events(&store).await;
        assert!(events.contains(&"held_confirmed_separately".to_string()));
        assert!(events.contains(&"held_cancelled".to_string()));
        assert!(
            store
                .decide_hold(&one, HoldDecision::Expired, "x")
                .await
                .is_err(),
            "only the sender's three choices"
        );
    }

    #[tokio::test]
    async fn unanswered_holds_expire_once_and_late_answers_are_refused() {
        let (_dir, store) = crate::test_store().await;
        let late = store.accept(held_message("late", now() - 1)).await.unwrap();
        let open = store
            .accept(held_message("open", now() + 3600))
            .await
            .unwrap();
        assert!(
            store
                .decide_hold(&late, HoldDecision::Confirmed, "jan@zorg.nl")
                .await
                .is_err(),
            "past the deadline"
        );
        let expired = store.expire_holds().await.unwrap();
        assert_eq!(
            expired,
            [ExpiredHold {
                message_id: late.clone(),
                sender: "jan@zorg.nl".into(),
                recipients: vec!["piet@zorg-nl.com".into(), "els@zorgg.nl".into()],
            }]
        );
        assert!(store.expire_holds().await.unwrap().is_empty(), "once");
        let held = store.held_messages().await.unwrap();
        assert_eq!(held.len(), 1);
        assert_eq!(held[0].message_id, open);
        assert!(events(&store).await.contains(&"held_expired".to_string()));
    }

    /// A recipient the policy holds (secure mail with `action = hold`)
    /// stays held whatever the sender decides about the warning's
    /// recipients: only an administrator releases it.
    #[tokio::test]
    async fn the_senders_decision_moves_only_what_the_warning_held() {
        let (_dir, store) = crate::test_store().await;
        let mut message = held_message("p", now() + 3600);
        // kees@example.com: held by the policy, not by the warning.
        message.deliveries[2].held = true;
        let sent = store.accept(message.clone()).await.unwrap();
        store
            .decide_hold(&sent, HoldDecision::Confirmed, "jan@zorg.nl")
            .await
            .unwrap();
        let jobs = store.claim(10, 60).await.unwrap();
        let mut got: Vec<&str> = jobs.iter().map(|j| j.rcpt.as_str()).collect();
        got.sort_unstable();
        assert_eq!(got, ["els@zorgg.nl", "piet@zorg-nl.com"]);
        assert_eq!(
            store.held_messages().await.unwrap()[0].recipients,
            ["kees@example.com"]
        );

        message.confirm.as_mut().unwrap().token_hash = crate::token_hash("q");
        message.confirm.as_mut().unwrap().expires_at = now() - 1;
        let late = store.accept(message).await.unwrap();
        store.expire_holds().await.unwrap();
        let held: Vec<_> = store
            .held_messages()
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.message_id == late)
            .collect();
        assert_eq!(
            held[0].recipients,
            ["kees@example.com"],
            "the deadline drops only the warned"
        );
    }

    #[tokio::test]
    async fn an_administrators_release_ends_the_senders_link() {
        let (_dir, store) = crate::test_store().await;
        let id = store.accept(held_message("r", now() + 3600)).await.unwrap();
        store.release_held(&id, "admin").await.unwrap();
        let c = store
            .hold_confirmation(&crate::token_hash("r"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c.decision, Some(HoldDecision::Released));
        assert!(!c.pending(now()));
        assert!(store
            .decide_hold(&id, HoldDecision::Cancelled, "jan@zorg.nl")
            .await
            .is_err());
    }
}
