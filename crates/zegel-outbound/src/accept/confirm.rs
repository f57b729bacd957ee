//! The sender's decision on mail a warning held (zegel-store's confirm.rs
//! keeps the state): confirmed or separate copies go at once (the delivery
//! worker is woken), cancelled mail is dropped, and what was not answered
//! by its deadline is dropped with a notice to the sender.

use super::Outbound;
use crate::compose::{self, HoldExpiredNotice};
use zegel_store::{HoldDecision, StoreError};

impl Outbound {
    /// Records the sender's decision on a held message (see
    /// [`zegel_store::Store::decide_hold`]) and wakes the delivery worker
    /// when it sends. Returns how many deliveries it moved.
    pub async fn decide_hold(
        &self,
        message_id: &str,
        decision: HoldDecision,
        by: &str,
    ) -> Result<u64, StoreError> {
        let moved = self.store.decide_hold(message_id, decision, by).await?;
        if decision.sends() {
            self.wake.notify_one();
        }
        tracing::info!(id = %message_id, decision = decision.as_str(), deliveries = moved, "held message decided");
        Ok(moved)
    }

    /// Drops held messages past their deadline and tells each sender.
    /// Returns how many were dropped.
    pub async fn expire_holds(&self) -> Result<usize, StoreError> {
        let expired = self.store.expire_holds().await?;
        let c = &self.config;
        for hold in &expired {
            if hold.sender.is_empty() {
                continue;
            }
            let notice = compose::hold_expired_notice(&HoldExpiredNotice {
                organization: &c.organization,
                from: &c.notices_from,
                sender: &hold.sender,
                recipients: &hold.recipients,
                hostname: &c.hostname,
            });
            if let Err(e) = self.queue_own_mail(&hold.sender, notice).await {
                tracing::error!(id = %hold.message_id, error = %e, "the notice of a dropped held message was not queued");
            }
        }
        if !expired.is_empty() {
            tracing::info!(
                count = expired.len(),
                "held messages not confirmed in time were dropped"
            );
        }
        Ok(expired.len())
    }
}
