//! Held messages: deliveries kept back by the policy (`hold`) or by the
//! inbound checks (DMARC `p=quarantine`), waiting for a person to release
//! or delete them (`zegel held`).

use crate::confirm::HoldDecision;
use crate::{now, MessageId, MessageVerdict, Store, StoreError};
use sqlx::Row;

/// A message with held deliveries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldMessage {
    /// The message id.
    pub message_id: MessageId,
    /// When it was accepted (Unix seconds).
    pub received_at: i64,
    /// The envelope sender.
    pub mail_from: String,
    /// Why it came in: its verdict, or inbound.
    pub verdict: MessageVerdict,
    /// The recipients whose delivery is held.
    pub recipients: Vec<String>,
}

impl Store {
    /// Every message with held deliveries, oldest first.
    pub async fn held_messages(&self) -> Result<Vec<HeldMessage>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.id, m.received_at, m.mail_from, m.verdict, d.rcpt
             FROM deliveries d JOIN messages m ON m.id = d.message_id
             WHERE d.state = 'held' ORDER BY m.received_at, m.id, d.id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<HeldMessage> = Vec::new();
        for r in rows {
            let id: String = r.try_get("id")?;
            let rcpt: String = r.try_get("rcpt")?;
            match out.last_mut() {
                Some(last) if last.message_id.as_str() == id => last.recipients.push(rcpt),
                _ => out.push(HeldMessage {
                    message_id: MessageId::from(id),
                    received_at: r.try_get("received_at")?,
                    mail_from: r.try_get("mail_from")?,
                    verdict: MessageVerdict::read(r.try_get("verdict")?)?,
                    recipients: vec![rcpt],
                }),
            }
        }
        Ok(out)
    }

    /// Sends a held message after all: its held deliveries are due now,
    /// with their full lifetime from now. Returns how many were released.
    pub async fn release_held(&self, message_id: &MessageId, by: &str) -> Result<u64, StoreError> {
        self.end_hold(message_id, by, HoldDecision::Released).await
    }

    /// Deletes a held message: its held deliveries are never sent.
    /// Returns how many were deleted.
    pub async fn delete_held(&self, message_id: &MessageId, by: &str) -> Result<u64, StoreError> {
        self.end_hold(message_id, by, HoldDecision::Deleted).await
    }

    async fn end_hold(
        &self,
        message_id: &MessageId,
        by: &str,
        decision: HoldDecision,
    ) -> Result<u64, StoreError> {
        let now = now();
        let message_id = message_id.as_str();
        let mut tx = self.pool.begin().await?;
        let done = crate::confirm::move_held(&mut tx, now, message_id, decision, None).await?;
        if done == 0 {
            return Err(StoreError::NotFound("held message"));
        }
        // A sender's pending confirmation link then says it was decided.
        crate::confirm::decided_by_administrator(&mut tx, now, message_id, decision).await?;
        crate::audit::append(
            &mut tx,
            now,
            decision.event(),
            Some(message_id),
            by,
            &format!("{done} delivery(ies)"),
        )
        .await?;
        tx.commit().await?;
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Content, DeliveryKind, NewDelivery, NewMessage};

    fn message(held: bool) -> NewMessage {
        let delivery = |rcpt: &str| NewDelivery {
            kind: DeliveryKind::Inbound,
            mail_from: "jan@example.com".into(),
            rcpt: rcpt.into(),
            content: Content::Original,
            dkim: false,
            require_tls: false,
            notify_never: false,
            headers_only: false,
            held,
        };
        NewMessage {
            mail_from: "jan@example.com".into(),
            raw: b"Subject: x\r\n\r\ny\r\n".to_vec(),
            verdict: crate::MessageVerdict::Inbound,
            summary: b"{}".to_vec(),
            deliveries: vec![delivery("a@zorg.nl"), delivery("b@zorg.nl")],
            secure: Vec::new(),
            audit: Vec::new(),
            lifetime_secs: 3600,
            confirm: None,
        }
    }

    #[tokio::test]
    async fn held_messages_are_listed_released_and_deleted() {
        let (_dir, store) = crate::test_store().await;
        let one = store.accept(message(true)).await.unwrap();
        let two = store.accept(message(true)).await.unwrap();
        store.accept(message(false)).await.unwrap();
        let held = store.held_messages().await.unwrap();
        assert_eq!(held.len(), 2);
        assert_eq!(held[0].recipients, ["a@zorg.nl", "b@zorg.nl"]);
        assert_eq!(held[0].verdict, crate::MessageVerdict::Inbound);
        assert!(
            store.claim(10, 60).await.unwrap().len() == 2,
            "held ones are not claimed"
        );

        assert_eq!(store.release_held(&one, "admin").await.unwrap(), 2);
        let jobs = store.claim(10, 60).await.unwrap();
        assert_eq!(jobs.len(), 2);
        assert!(jobs.iter().all(|j| j.message_id == one));
        assert!(jobs.iter().all(|j| j.expires_at > crate::now() + 3000));
        assert_eq!(store.delete_held(&two, "admin").await.unwrap(), 2);
        assert!(store.held_messages().await.unwrap().is_empty());
        assert!(store.claim(10, 60).await.unwrap().is_empty());
        assert!(
            store.release_held(&two, "admin").await.is_err(),
            "nothing held any more"
        );
        let events: Vec<String> = store
            .audit_entries(0)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.event.to_string())
            .collect();
        assert!(events.contains(&"held_released".to_string()), "{events:?}");
        assert!(events.contains(&"held_deleted".to_string()), "{events:?}");
    }
}
