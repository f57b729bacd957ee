//! The queue worker: claims due deliveries, signs, sends, and records the
//! outcome: delivered, retried with backoff, or failed with a failure notice
//! to the sender. A crash mid-send leaves the delivery leased; after the
//! lease it is sent again (at-least-once: a duplicate is possible, a loss is
//! not).

use crate::compose::{self, FailureNotice};
use crate::send::{SendError, Sender};
use crate::Outbound;
use std::sync::Arc;
use std::time::Duration;
use zegel_store::{Content, DeliveryKind, Job, JobOutcome, NewDelivery};

impl Outbound {
    /// Runs deliveries until `shutdown` resolves.
    pub async fn run_deliveries(
        &self,
        shutdown: impl std::future::Future<Output = ()> + Send,
    ) -> Result<(), crate::OutboundError> {
        let sender = Arc::new(Sender::new(self.config.clone())?.with_mta_sts(self.mta_sts.clone()));
        let limit = Arc::new(tokio::sync::Semaphore::new(self.config.concurrency.max(1)));
        tokio::pin!(shutdown);
        loop {
            let jobs = match self
                .store
                .claim(
                    self.config.concurrency as i64 * 2,
                    self.config.lease.as_secs() as i64,
                )
                .await
            {
                Ok(j) => j,
                Err(e) => {
                    tracing::error!(error = %e, "claiming deliveries failed");
                    Vec::new()
                }
            };
            let idle = jobs.is_empty();
            for job in jobs {
                let Ok(permit) = limit.clone().acquire_owned().await else {
                    break;
                };
                let me = self.clone();
                let sender = sender.clone();
                tokio::spawn(async move {
                    me.deliver(&sender, job).await;
                    drop(permit);
                });
            }
            if idle {
                let mut wait = match self.store.next_due().await {
                    Ok(Some(at)) => (at - zegel_store::now()).clamp(1, 30) as u64,
                    _ => 30,
                };
                if sender.close_idle_connections() {
                    // Wake up in time to close the kept ones.
                    wait = wait.min(crate::connections::IDLE_LIMIT.as_secs());
                }
                tokio::select! {
                    _ = &mut shutdown => return Ok(()),
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(wait)) => {}
                }
            } else {
                // Let the spawned sends make progress before claiming more.
                tokio::select! {
                    _ = &mut shutdown => return Ok(()),
                    _ = limit.acquire() => {}
                }
            }
        }
    }

    async fn deliver(&self, sender: &Sender, job: Job) {
        let outcome = match self.store.content(&job).await {
            Err(e) => JobOutcome::Retry {
                at: zegel_store::now() + 60,
                error: format!("content: {e}"),
            },
            Ok(content) => {
                // A separate copy names its recipient alone (the sender's
                // choice for a message held for visible recipients).
                let content = if job.alone && job.kind == DeliveryKind::Original {
                    crate::alone::addressed_alone(&content, &job.rcpt)
                } else {
                    content
                };
                let signed = match (&self.dkim, job.dkim) {
                    (Some(signer), true) => signer.sign(&content).unwrap_or_else(|e| {
                        tracing::warn!(error = %e, "DKIM signing failed; sending unsigned");
                        content.clone()
                    }),
                    _ => content.clone(),
                };
                let relay = match job.kind {
                    DeliveryKind::Inbound => self.config.inbound_relay.as_ref(),
                    _ => Some(&self.config.relay),
                };
                let sent = match relay {
                    Some(relay) => {
                        sender
                            .send_via(relay, &job.mail_from, &job.rcpt, &signed, job.require_tls)
                            .await
                    }
                    None => Err(SendError::Temporary(
                        "inbound mail waits: [inbound] deliver_to is not set".into(),
                    )),
                };
                match sent {
                    Ok(()) => JobOutcome::Sent,
                    Err(SendError::Permanent(e)) => {
                        self.bounce(&job, &content, &e).await;
                        JobOutcome::Failed { error: e }
                    }
                    Err(SendError::Temporary(e)) if zegel_store::now() >= job.expires_at => {
                        let why = format!("gave up after {} attempts: {e}", job.attempts);
                        self.bounce(&job, &content, &why).await;
                        JobOutcome::Failed { error: why }
                    }
                    Err(SendError::Temporary(e)) => JobOutcome::Retry {
                        at: zegel_store::now() + self.backoff(job.attempts),
                        error: e,
                    },
                }
            }
        };
        match &outcome {
            JobOutcome::Sent => tracing::info!(id = job.id, kind = job.kind.as_str(), "delivered"),
            JobOutcome::Retry { error, .. } => {
                tracing::info!(id = job.id, error = %error, "delivery deferred")
            }
            JobOutcome::Failed { error } => {
                tracing::warn!(id = job.id, error = %error, "delivery failed")
            }
        }
        if let Err(e) = self.store.finish(&job, &outcome).await {
            tracing::error!(id = job.id, error = %e, "recording a delivery failed; it will be retried after its lease");
        } else if matches!(outcome, JobOutcome::Retry { .. }) {
            // The worker may have gone idle while this delivery was leased,
            // sleeping until its lease would end (up to 30 s); its retry
            // may be due sooner.
            self.wake.notify_one();
        }
    }

    fn backoff(&self, attempts: i64) -> i64 {
        let base = self.config.retry_base.as_secs().max(1) as i64;
        let max = self.config.retry_max.as_secs().max(1) as i64;
        let shift = attempts.clamp(1, 20) - 1;
        base.saturating_mul(1 << shift).min(max)
    }

    /// Queues a failure notice to the sender, unless none is wanted.
    async fn bounce(&self, job: &Job, content: &[u8], error: &str) {
        let bounces = matches!(job.kind, DeliveryKind::Original | DeliveryKind::Inbound);
        if job.notify_never || job.mail_from.is_empty() || !bounces {
            return;
        }
        let dsn = compose::failure_notice(&FailureNotice {
            hostname: &self.config.hostname,
            from: &self.config.notices_from,
            sender: &job.mail_from,
            recipient: &job.rcpt,
            reasons: &[error.to_string()],
            status: if error.starts_with('5') {
                "5.0.0"
            } else {
                "4.4.7"
            },
            original: content,
            headers_only: job.headers_only,
        });
        let delivery = NewDelivery {
            kind: DeliveryKind::Dsn,
            mail_from: String::new(),
            rcpt: job.mail_from.clone(),
            content: Content::Generated(dsn),
            dkim: false,
            require_tls: false,
            notify_never: true,
            headers_only: false,
            held: false,
        };
        if let Err(e) = self
            .store
            .add_delivery(
                &job.message_id,
                delivery,
                self.config.lifetime.as_secs() as i64,
            )
            .await
        {
            tracing::error!(error = %e, "queueing a failure notice failed");
        }
        self.wake.notify_one();
    }
}
