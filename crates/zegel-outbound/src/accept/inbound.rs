//! Taking in mail from outside for internal recipients (the SMTP server's
//! inbound mode). The front door has checked it (zegel-inbound) and added
//! its headers; here it is stored durably, one delivery per recipient to
//! the organisation's own mail server (`[inbound] deliver_to`), or held
//! when its sender's domain asks for quarantine. It is not assessed: the
//! assessment is about what the organisation sends.

use super::{Outbound, Submission, SubmitOutcome};
use zegel_assess::Verdict;
use zegel_store::{Content, DeliveryKind, NewDelivery, NewMessage};

/// A checked inbound message.
#[derive(Debug, Clone)]
pub struct InboundMail {
    /// The message with the check's headers added.
    pub submission: Submission,
    /// Why it must be held instead of delivered (DMARC `p=quarantine`).
    pub hold: Option<String>,
    /// The check's outcome for the audit trail (no content).
    pub summary: String,
}

impl Outbound {
    /// Stores a checked inbound message for delivery to the internal mail
    /// server; `250` may be answered once this returns `Accepted`.
    pub async fn accept_inbound(&self, mail: InboundMail) -> SubmitOutcome {
        let sub = &mail.submission;
        if mail_parser::MessageParser::default()
            .parse_headers(&sub.raw)
            .is_none()
        {
            return SubmitOutcome::Unreadable("no message header".into());
        }
        let mut raw = self.received_header(sub).into_bytes();
        raw.extend_from_slice(&sub.raw);
        let deliveries = sub
            .recipients
            .iter()
            .map(|r| NewDelivery {
                kind: DeliveryKind::Inbound,
                mail_from: sub.mail_from.clone(),
                rcpt: r.address.clone(),
                content: Content::Original,
                dkim: false,
                require_tls: false,
                notify_never: r.notify_never,
                headers_only: sub.headers_only,
                held: mail.hold.is_some(),
            })
            .collect();
        let (event, detail) = match &mail.hold {
            Some(why) => (
                zegel_store::Event::InboundHeld,
                format!("{}; held: {why}", mail.summary),
            ),
            None => (zegel_store::Event::Inbound, mail.summary.clone()),
        };
        let message = NewMessage {
            mail_from: sub.mail_from.clone(),
            raw,
            verdict: zegel_store::MessageVerdict::Inbound,
            summary: b"{}".to_vec(),
            deliveries,
            secure: Vec::new(),
            audit: vec![(event, sub.mail_from.clone(), detail)],
            lifetime_secs: self.config.lifetime.as_secs() as i64,
            confirm: None,
        };
        match self.store.accept(message).await {
            Ok(id) => {
                if mail.hold.is_none() {
                    self.wake.notify_one();
                }
                tracing::info!(id = %id, held = mail.hold.is_some(), recipients = sub.recipients.len(), "inbound message accepted");
                SubmitOutcome::Accepted {
                    id,
                    verdict: Verdict::Normal,
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "storing an inbound message failed");
                SubmitOutcome::TempFail("storage unavailable".into())
            }
        }
    }
}
