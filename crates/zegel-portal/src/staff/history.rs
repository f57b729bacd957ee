//! Every message a sender handed in (gateway or web), read back from the
//! audit trail (pure: entries in, rows out): when, normal or secure, and
//! per recipient where it stands now: delivered, a notification delivered,
//! opened (when), replied, withdrawn, expired, held, deferred or failed.
//! A recipient appears once something happened for them (stored, held, a
//! delivery attempt): a message just taken in may list none yet.

use crate::texts::Lang;
use zegel_store::{AuditEntry, Event, RecordedEvent};

/// Where one recipient's copy stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RecipientState {
    /// Stored for the portal, the notification not yet out.
    Stored,
    /// A delivery attempt failed; it is tried again.
    Deferred,
    /// Kept back by the policy.
    Held,
    /// Delivery failed for good.
    Failed,
    /// The original was delivered.
    Delivered,
    /// The portal notification was delivered.
    Notified,
    /// Opened in the portal.
    Opened,
    /// Answered from the portal.
    Replied,
    /// Past its expiry.
    Expired,
    /// Withdrawn.
    Revoked,
}

impl RecipientState {
    fn of(event: &RecordedEvent, detail: &str) -> Option<RecipientState> {
        // Deliveries of what zegel wrote to the sender are not a recipient's.
        let own = detail.starts_with("sender_notice") || detail.starts_with("dsn");
        Some(match event.known() {
            Some(Event::Stored) => RecipientState::Stored,
            Some(Event::Held) => RecipientState::Held,
            Some(Event::Deferred) if !own => RecipientState::Deferred,
            Some(Event::Failed) if !own => RecipientState::Failed,
            Some(Event::Delivered) if !own => RecipientState::Delivered,
            Some(Event::Notified) => RecipientState::Notified,
            Some(Event::Opened) => RecipientState::Opened,
            Some(Event::Replied) => RecipientState::Replied,
            Some(Event::Expired) => RecipientState::Expired,
            Some(Event::Revoked) => RecipientState::Revoked,
            _ => return None,
        })
    }

    /// The state in words.
    pub fn label(self, lang: Lang) -> &'static str {
        let (nl, en) = match self {
            RecipientState::Stored => ("beveiligd opgeslagen", "stored securely"),
            RecipientState::Deferred => (
                "uitgesteld, wordt opnieuw geprobeerd",
                "deferred, will be retried",
            ),
            RecipientState::Held => ("tegengehouden", "held"),
            RecipientState::Failed => ("mislukt", "failed"),
            RecipientState::Delivered => ("afgeleverd", "delivered"),
            RecipientState::Notified => (
                "melding afgeleverd, nog niet geopend",
                "notified, not opened yet",
            ),
            RecipientState::Opened => ("geopend", "opened"),
            RecipientState::Replied => ("beantwoord", "replied"),
            RecipientState::Expired => ("verlopen", "expired"),
            RecipientState::Revoked => ("ingetrokken", "withdrawn"),
        };
        match lang {
            Lang::Nl => nl,
            Lang::En => en,
        }
    }
}

/// One sent message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    /// When zegel took it (Unix seconds).
    pub at: i64,
    /// Assessed secure.
    pub secure: bool,
    /// Each recipient with where it stands and, once opened, when.
    pub recipients: Vec<(String, RecipientState, Option<i64>)>,
}

/// The messages in `entries` (as [`zegel_store::Store::sent_by`] gives
/// them), newest first.
pub fn sent_messages(entries: &[AuditEntry]) -> Vec<SentMessage> {
    let mut order: Vec<String> = Vec::new();
    let mut by_id: std::collections::HashMap<String, SentMessage> = Default::default();
    for e in entries {
        let Some(id) = &e.message_id else { continue };
        if e.event == Event::Accepted {
            order.push(id.clone());
            by_id.insert(
                id.clone(),
                SentMessage {
                    at: e.at,
                    secure: e.detail.starts_with("verdict Secure"),
                    recipients: Vec::new(),
                },
            );
            continue;
        }
        let Some(message) = by_id.get_mut(id) else {
            continue;
        };
        let Some(state) = RecipientState::of(&e.event, &e.detail) else {
            continue;
        };
        let address = e.subject.to_lowercase();
        match message.recipients.iter_mut().find(|r| r.0 == address) {
            Some(r) => {
                // A later, weightier event decides (a retry after a
                // deferral, an open after the notification).
                if state >= r.1 {
                    r.1 = state;
                }
                if state == RecipientState::Opened && r.2.is_none() {
                    r.2 = Some(e.at);
                }
            }
            None => {
                let opened = (state == RecipientState::Opened).then_some(e.at);
                message.recipients.push((address, state, opened));
            }
        }
    }
    order
        .iter()
        .rev()
        .filter_map(|id| by_id.remove(id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(seq: i64, event: &str, id: &str, subject: &str, detail: &str) -> AuditEntry {
        AuditEntry {
            seq,
            at: 1000 + seq,
            event: zegel_store::RecordedEvent::from_name(event.into()),
            message_id: Some(id.into()),
            subject: subject.into(),
            detail: detail.into(),
        }
    }

    #[test]
    fn each_recipient_gets_its_latest_weightiest_state() {
        let entries = vec![
            e(
                1,
                "accepted",
                "m1",
                "jan@zorg.nl",
                "verdict Secure, 3 recipient(s), kinds: bsn",
            ),
            e(2, "stored", "m1", "p@ext.nl", "stored for the portal"),
            e(3, "stored", "m1", "q@ext.nl", "stored for the portal"),
            e(
                4,
                "delivered",
                "m1",
                "collega@zorg.nl",
                "original to collega@zorg.nl",
            ),
            e(
                5,
                "delivered",
                "m1",
                "jan@zorg.nl",
                "sender_notice to jan@zorg.nl",
            ),
            e(6, "notified", "m1", "p@ext.nl", "notification to p@ext.nl"),
            e(7, "notified", "m1", "q@ext.nl", "notification to q@ext.nl"),
            e(8, "opened", "m1", "p@ext.nl", "first"),
            e(9, "opened", "m1", "P@ext.nl", "again"),
            e(10, "revoked", "m1", "q@ext.nl", "by jan"),
            e(
                11,
                "accepted",
                "m2",
                "jan@zorg.nl",
                "verdict Normal, 1 recipient(s), kinds: ",
            ),
            e(
                12,
                "deferred",
                "m2",
                "r@ext.nl",
                "original to r@ext.nl: 451",
            ),
            e(13, "delivered", "m2", "r@ext.nl", "original to r@ext.nl"),
            // Not one of the sender's messages: ignored.
            e(14, "opened", "m9", "x@ext.nl", "first"),
        ];
        let sent = sent_messages(&entries);
        assert_eq!(sent.len(), 2);
        assert_eq!(
            sent[0].recipients,
            vec![("r@ext.nl".into(), RecipientState::Delivered, None)]
        );
        assert!(!sent[0].secure);
        let m1 = &sent[1];
        assert!(m1.secure);
        assert_eq!(
            m1.recipients,
            vec![
                ("p@ext.nl".into(), RecipientState::Opened, Some(1008)),
                ("q@ext.nl".into(), RecipientState::Revoked, None),
                ("collega@zorg.nl".into(), RecipientState::Delivered, None),
            ],
            "the sender's own notice is not a recipient"
        );
    }
}
