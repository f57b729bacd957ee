//! The SMTP server's view of zegel: accounts for AUTH, and each complete
//! message handed on — outgoing mail to the outbound pipeline (assess,
//! route, store), and in inbound mode (`[inbound] deliver_to`) mail from
//! outside for the internal domains to the inbound checks first: refused
//! when DMARC fails and the sender's domain asks `p=reject`, held for
//! `p=quarantine`, otherwise stored with Authentication-Results (and, for
//! suspected impersonation, `X-Zegel-Impersonation` and the subject tag)
//! for the organisation's own mail server. `250` only once it is stored.

use std::collections::HashMap;
use std::net::IpAddr;
use zegel_assess::recipients::domain::DomainClass;
use zegel_inbound::{Decision, InboundPolicy};
use zegel_mailauth::DnsResolver;
use zegel_outbound::{InboundMail, Outbound, Submission, SubmitOutcome};
use zegel_smtp::session::Envelope;
use zegel_smtp::{AuthOutcome, Reply};
use zegel_store::Event;

/// The checks of inbound mail.
pub struct Inbound {
    /// Where DNS questions go.
    pub resolver: DnsResolver,
    /// What to check and do.
    pub policy: InboundPolicy,
}

/// Hands the SMTP server's messages on.
pub struct SmtpBackend {
    outbound: Outbound,
    inbound: Option<Inbound>,
    login_limits: zegel_store::LoginLimits,
    /// Addresses an account may send as besides its own (`[smtp] send_as`).
    send_as: HashMap<String, Vec<String>>,
}

impl SmtpBackend {
    /// A backend over `outbound`; with `inbound`, the server's inbound mode.
    pub fn new(outbound: Outbound, inbound: Option<Inbound>) -> SmtpBackend {
        SmtpBackend {
            outbound,
            inbound,
            login_limits: zegel_store::LoginLimits::default(),
            send_as: HashMap::new(),
        }
    }

    /// Grants accounts addresses to send as (account -> addresses, lower
    /// case).
    pub fn with_send_as(mut self, send_as: HashMap<String, Vec<String>>) -> SmtpBackend {
        self.send_as = send_as;
        self
    }

    /// Sets the failed sign-ins allowed (`[login]`).
    pub fn with_login_limits(mut self, limits: zegel_store::LoginLimits) -> SmtpBackend {
        self.login_limits = limits;
        self
    }

    /// An authenticated account's message, checked when complete: the
    /// account still active, and `From`/`Sender` its own or granted.
    async fn sender_refusal(&self, account: &str, raw: &[u8]) -> Option<Reply> {
        if !zegel_smtp::Backend::account_active(self, account).await {
            let refusal = zegel_outbound::sender::SenderRefusal::AccountDisabled;
            return Some(Reply::new(550, "5.7.1", &refusal.text()));
        }
        let granted = self
            .send_as
            .get(&account.to_lowercase())
            .map_or(&[][..], |v| v.as_slice());
        match zegel_outbound::sender::check_headers(raw, account, granted) {
            Ok(()) => None,
            Err(refusal) => {
                tracing::info!(account = %account, refusal = ?refusal, "message refused: sender headers");
                if let Err(e) = self
                    .outbound
                    .store()
                    .audit(Event::SenderRefused, None, account, &refusal.text())
                    .await
                {
                    tracing::warn!(error = %e, "recording a refusal in the audit trail failed");
                }
                Some(Reply::new(550, "5.7.1", &refusal.text()))
            }
        }
    }

    /// Checks and stores one inbound message.
    async fn take_inbound(&self, inbound: &Inbound, submission: Submission) -> Reply {
        let policy = &inbound.policy;
        let decision = zegel_inbound::check(
            policy,
            &self.outbound.domains(),
            &inbound.resolver,
            &submission.raw,
            submission.client_ip,
            submission.helo.as_deref().unwrap_or_default(),
            &submission.mail_from,
        )
        .await;
        let checked = match decision {
            Decision::Accept(checked) => checked,
            Decision::Refuse { domain } => {
                tracing::info!(domain = %domain, "inbound message refused: DMARC fail, p=reject");
                let detail = format!("DMARC fail, {domain} asks to reject (p=reject)");
                if let Err(e) = self
                    .outbound
                    .store()
                    .audit(Event::InboundRefused, None, &submission.mail_from, &detail)
                    .await
                {
                    tracing::warn!(error = %e, "recording a refusal in the audit trail failed");
                }
                return Reply::lines(550, "5.7.1", Decision::refusal_lines(&domain).to_vec());
            }
        };
        let raw = zegel_inbound::rewrite_headers(
            &submission.raw,
            &policy.authserv_id,
            &checked.headers(),
            checked.subject_tag.as_deref(),
        );
        let mail = InboundMail {
            submission: Submission { raw, ..submission },
            hold: checked.quarantine,
            summary: checked.summary,
        };
        reply(self.outbound.accept_inbound(mail).await)
    }
}

/// The inbound mode's domains: the internal domains in force, asked at
/// every `RCPT`, so a change on the staff web (here or on another node)
/// holds for the next recipient without a restart.
pub struct InternalDomains(pub Outbound);

impl std::fmt::Debug for InternalDomains {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("InternalDomains")
            .field(&self.0.domains().internal())
            .finish()
    }
}

impl zegel_smtp::InboundDomains for InternalDomains {
    fn takes_mail_for(&self, domain: &str) -> bool {
        self.0.domains().classify(domain) == DomainClass::Internal
    }
}

impl zegel_smtp::Backend for SmtpBackend {
    async fn authenticate(&self, user: &str, password: &str, client_ip: IpAddr) -> AuthOutcome {
        let store = self.outbound.store();
        let limits = &self.login_limits;
        // The same counters as the staff web's sign-in, in the database:
        // reconnecting, another node or the other door gains nothing.
        match store.login_refused(limits, user, client_ip).await {
            Ok(None) => {}
            Ok(Some(_)) => return AuthOutcome::Locked,
            Err(e) => {
                tracing::warn!(error = %e, "sign-in counters unavailable; AUTH refused for now");
                return AuthOutcome::Busy;
            }
        }
        match store.check_password(user, password).await {
            Ok(true) => AuthOutcome::Accepted,
            Ok(false) => {
                match store.login_failed(limits, user, client_ip, "smtp").await {
                    // Growing delays for an account being guessed; the
                    // connection waits, no thread does.
                    Ok(failures) => tokio::time::sleep(zegel_store::failure_delay(failures)).await,
                    Err(e) => tracing::warn!(error = %e, "failed sign-in not counted"),
                }
                AuthOutcome::Rejected
            }
            Err(zegel_store::StoreError::Busy) => AuthOutcome::Busy,
            Err(e) => {
                tracing::warn!(error = %e, "password check failed");
                AuthOutcome::Busy
            }
        }
    }

    async fn account_active(&self, user: &str) -> bool {
        match self.outbound.store().staff_account(user).await {
            Ok(account) => account.is_some_and(|a| !a.disabled),
            Err(e) => {
                tracing::warn!(error = %e, "account check failed; sender refused for now");
                false
            }
        }
    }

    async fn submit(&self, envelope: Envelope, data: Vec<u8>) -> Reply {
        if let Some(account) = &envelope.authenticated_user {
            if let Some(refused) = self.sender_refusal(account, &data).await {
                return refused;
            }
        }
        let inbound = envelope.inbound;
        let submission = Submission {
            mail_from: envelope.mail_from,
            recipients: envelope
                .recipients
                .into_iter()
                .map(|r| zegel_outbound::SubmissionRecipient {
                    address: r.address,
                    notify_never: r.notify_never,
                })
                .collect(),
            raw: data,
            client_ip: Some(envelope.client_ip),
            helo: Some(envelope.helo),
            authenticated_user: envelope.authenticated_user,
            tls: envelope.tls,
            headers_only: envelope.return_headers_only,
            sent_secure: None,
        };
        match (&self.inbound, inbound) {
            (Some(checks), true) => self.take_inbound(checks, submission).await,
            // The session only takes inbound mail when inbound mode is on.
            (None, true) => Reply::new(550, "5.7.1", "Relay access denied"),
            (_, false) => reply(self.outbound.submit(submission).await),
        }
    }
}

/// The SMTP reply for what became of a message.
fn reply(outcome: SubmitOutcome) -> Reply {
    match outcome {
        SubmitOutcome::Accepted { id, .. } => {
            Reply::new(250, "2.0.0", &format!("OK, queued as {id}"))
        }
        SubmitOutcome::Rejected {
            reasons_nl,
            reasons_en,
        } => Reply::lines(550, "5.7.1", rejection_lines(&reasons_nl, &reasons_en)),
        SubmitOutcome::Unreadable(why) => Reply::new(
            554,
            "5.6.0",
            &format!("Bericht onleesbaar / Message unreadable: {why}"),
        ),
        SubmitOutcome::TempFail(why) => Reply::new(
            451,
            "4.3.0",
            &format!(
                "Tijdelijk probleem, probeer later opnieuw / Temporary problem, try again later: {why}"
            ),
        ),
    }
}

/// The reply lines for a refused message: Dutch first, then English.
pub fn rejection_lines(reasons_nl: &[String], reasons_en: &[String]) -> Vec<String> {
    let mut lines = vec!["Geweigerd: dit bericht moet beveiligd worden verstuurd.".to_string()];
    lines.extend(reasons_nl.iter().map(|r| format!("- {r}")));
    lines.push("Refused: this message must be sent securely.".into());
    lines.extend(reasons_en.iter().map(|r| format!("- {r}")));
    lines
}
