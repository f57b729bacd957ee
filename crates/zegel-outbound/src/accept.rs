//! Accepting a submission: assess it once, plan each recipient, write the
//! mails zegel must add (notifications, notices, failure notices), and store
//! it all in one durable step. Only then does the front door say `250`.
//! `accept/dispose/` writes what each recipient gets, one module per
//! disposition; `accept/archive.rs` prepares the `archive` action's mails
//! (the attachments and body in an AES-256 archive, the password by SMS);
//! `accept/confirm.rs` carries out the sender's decision on held mail;
//! `accept/inbound.rs` takes in checked mail from outside.

use crate::config::OutboundConfig;
use crate::config::{SecondFactorPolicy, SecureAction};
use crate::error::OutboundError;
use crate::route::{plan, Disposition, Plan};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::sync::Arc;
use zegel_assess::{Assessment, Assessor, Lang, Reason, Verdict};
use zegel_mailauth::DkimSigner;
use zegel_store::{Content, DeliveryKind, NewDelivery, NewMessage, SecondFactor, Store};

/// The `archive` action (in `accept/archive.rs`): packing, the SMS, the mail.
mod archive;
/// The sender's decision on held mail, and the deadline (in `accept/confirm.rs`).
mod confirm;
/// What each recipient gets, one module per disposition (`accept/dispose/`).
mod dispose;
/// Mail from outside for internal recipients (`accept/inbound.rs`).
mod inbound;
pub use inbound::InboundMail;
/// One envelope recipient.
#[derive(Debug, Clone)]
pub struct SubmissionRecipient {
    /// The address.
    pub address: String,
    /// NOTIFY=NEVER.
    pub notify_never: bool,
}

/// A message handed in by a front door.
#[derive(Debug, Clone)]
pub struct Submission {
    /// The envelope sender ("" for `<>`).
    pub mail_from: String,
    /// The envelope recipients.
    pub recipients: Vec<SubmissionRecipient>,
    /// The message as received.
    pub raw: Vec<u8>,
    /// The client's address.
    pub client_ip: Option<IpAddr>,
    /// The client's EHLO name.
    pub helo: Option<String>,
    /// The authenticated user.
    pub authenticated_user: Option<String>,
    /// Received over TLS.
    pub tls: bool,
    /// RET=HDRS.
    pub headers_only: bool,
    /// Written on the staff web as a secure message: external recipients
    /// get the portal whatever the content, with these choices.
    pub sent_secure: Option<SecureRequest>,
}

/// A sender's choices for a message they send as secure (the staff web's
/// compose page).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecureRequest {
    /// The recipients' phone number for an SMS code (E.164 or Dutch).
    pub phone: Option<String>,
    /// An access code (given to the sender to pass on) instead of SMS.
    pub access_code: bool,
    /// Days the message stays readable (1 to 365); the config's otherwise.
    pub expiry_days: Option<u32>,
}

/// What became of a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// Stored durably with this id.
    Accepted {
        /// The message id.
        id: zegel_store::MessageId,
        /// The verdict.
        verdict: Verdict,
    },
    /// Refused by policy (inline reject), with reasons in Dutch and English.
    Rejected {
        /// The reasons, Dutch.
        reasons_nl: Vec<String>,
        /// The reasons, English.
        reasons_en: Vec<String>,
    },
    /// Not a message we can read (empty, or not MIME at all).
    Unreadable(String),
    /// Could not be stored now; the client should try again.
    TempFail(String),
}

/// The outbound pipeline.
#[derive(Clone)]
pub struct Outbound {
    pub(crate) config: Arc<OutboundConfig>,
    pub(crate) store: Store,
    /// The policy in force (the config file's, or as last changed).
    pub(crate) live: Arc<std::sync::RwLock<crate::live_policy::Live>>,
    /// The config file's policy and action, which changes apply over.
    pub(crate) base: Arc<(zegel_assess::Policy, SecureAction)>,
    /// The contact list in force: the config file's, with the staff web's
    /// over it, and the stored version it reflects.
    pub(crate) contacts: Arc<std::sync::RwLock<crate::live_policy::LiveContacts>>,
    pub(crate) dkim: Option<Arc<DkimSigner>>,
    pub(crate) wake: Arc<tokio::sync::Notify>,
    /// MTA-STS discovery for the `tls` action and verified-TLS deliveries.
    pub(crate) mta_sts: Option<Arc<crate::tls_policy::MtaSts>>,
    /// The SMS provider for the `archive` action's passwords.
    sms: Option<Arc<dyn crate::sms::SmsSender>>,
}

impl Outbound {
    /// A pipeline over `store` with the assessment `assessor`. With MX
    /// delivery it checks MTA-STS for the `tls` action as
    /// [`MtaSts::for_config`](crate::MtaSts::for_config) sets it up (the
    /// system's trusted roots, `dns_servers`); tests replace that with
    /// [`Outbound::with_mta_sts`].
    pub fn new(
        config: OutboundConfig,
        store: Store,
        assessor: Arc<Assessor>,
        dkim: Option<Arc<DkimSigner>>,
    ) -> Outbound {
        let base = Arc::new((assessor.policy().clone(), config.secure_action));
        let live = crate::live_policy::Live {
            domains: Arc::new(assessor.policy().domains.clone()),
            assessor,
            action: config.secure_action,
            version: 0,
            overrides: Default::default(),
        };
        let contacts = crate::live_policy::LiveContacts {
            phones: Arc::new(config.contact_phones.clone()),
            version: 0,
        };
        Outbound {
            contacts: Arc::new(std::sync::RwLock::new(contacts)),
            mta_sts: crate::tls_policy::MtaSts::for_config(&config),
            config: Arc::new(config),
            store,
            live: Arc::new(std::sync::RwLock::new(live)),
            base,
            dkim,
            wake: Arc::new(tokio::sync::Notify::new()),
            sms: None,
        }
    }

    /// Sends the `archive` action's passwords through `sms`. Without it
    /// every `archive` recipient gets `[archive] fallback`.
    pub fn with_sms(mut self, sms: Arc<dyn crate::sms::SmsSender>) -> Outbound {
        self.sms = Some(sms);
        self
    }

    /// How long a portal message stays readable by default.
    pub fn portal_expiry(&self) -> std::time::Duration {
        self.config.portal_expiry
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The warnings that would hold this message for some recipient
    /// (`[policy] lookalike = "hold"`, `visible_external = "hold"`), each
    /// once: the milter's question, which cannot hold per recipient.
    pub fn warning_holds(
        &self,
        assessment: &Assessment,
        recipients: &[String],
    ) -> Vec<zegel_assess::Warning> {
        let assessor = self.assessor();
        let mut holds: Vec<zegel_assess::Warning> = Vec::new();
        for w in crate::route::warning_holds(assessment, assessor.policy(), recipients)
            .into_iter()
            .flatten()
        {
            if !holds.contains(&w) {
                holds.push(w);
            }
        }
        holds
    }

    /// Assesses a message without storing it (the milter's question).
    pub async fn assess(
        &self,
        raw: Vec<u8>,
        mail_from: &str,
        recipients: &[String],
    ) -> Result<Assessment, OutboundError> {
        assess_with(self.assessor(), raw, mail_from, recipients).await
    }

    /// Whether a verdict means refusing the message inline.
    pub fn rejects(&self, assessment: &Assessment, recipients: &[String]) -> bool {
        plan(
            assessment.verdict,
            recipients,
            &self.assessor().policy().domains,
            self.secure_action(),
            self.config.reject_mode,
            &Default::default(),
        ) == Plan::Reject
    }

    /// Takes a message: assess, plan, store. See [`SubmitOutcome`].
    pub async fn submit(&self, submission: Submission) -> SubmitOutcome {
        let mut raw = self.received_header(&submission).into_bytes();
        raw.extend_from_slice(&submission.raw);
        let addresses: Vec<String> = submission
            .recipients
            .iter()
            .map(|r| r.address.clone())
            .collect();
        // One policy for the whole message, even if it changes meanwhile.
        let (assessor, secure_action) = self.in_force();
        // Parsed once: the assessment and the subject (for the
        // notifications and the SMS tag) come from the same parse.
        let (assessment, subject) = match assess_with_subject(
            assessor.clone(),
            raw.clone(),
            &submission.mail_from,
            &addresses,
        )
        .await
        {
            Ok(a) => a,
            Err(e) => return SubmitOutcome::Unreadable(e.to_string()),
        };
        let (assessment, secure_action) = match &submission.sent_secure {
            Some(_) => (sent_secure(assessment), SecureAction::Portal),
            None => {
                let unreadable = assessor.policy().unreadable;
                let action = crate::route::action_for(&assessment, unreadable, secure_action);
                (assessment, action)
            }
        };
        // Staff compose showed the sender the warnings before "send": that
        // was the confirmation, so compose's mail is not held for them.
        let holds = match &submission.sent_secure {
            Some(_) => vec![None; addresses.len()],
            None => crate::route::warning_holds(&assessment, assessor.policy(), &addresses),
        };
        let mut assessment = assessment;
        for warning in holds.iter().flatten() {
            let reason = Reason::Held {
                warning: warning.clone(),
            };
            if !assessment.reasons.contains(&reason) {
                assessment.reasons.push(reason);
            }
        }
        let reasons_nl = reasons(&assessment, Lang::Nl);
        let reasons_en = reasons(&assessment, Lang::En);
        let domains = &assessor.policy().domains;
        let tls_domains = self
            .verified_tls_domains(assessment.verdict, secure_action, &addresses, domains)
            .await;
        let mut dispositions = match plan(
            assessment.verdict,
            &addresses,
            domains,
            secure_action,
            self.config.reject_mode,
            &tls_domains,
        ) {
            Plan::Reject => {
                return SubmitOutcome::Rejected {
                    reasons_nl,
                    reasons_en,
                }
            }
            Plan::Route(d) => d,
        };
        // What each recipient gets, with what it needs: a recipient a
        // warning holds keeps the form it would have gone in (its portal
        // notification, archive or TLS-only original is what is held), so
        // a confirmation never sends the original in the clear.
        let mut archives: Vec<Option<archive::Prepared>> =
            dispositions.iter().map(|_| None).collect();
        let mut archive_audit = Vec::new();
        if dispositions.contains(&Disposition::Archive) {
            self.prepare_archives(
                &submission.mail_from,
                &raw,
                &subject,
                &addresses,
                &mut dispositions,
                &mut archives,
                &mut archive_audit,
            )
            .await;
        }
        let planned = dispositions
            .into_iter()
            .zip(holds)
            .zip(archives)
            .map(|((disposition, held_by), archive)| dispose::Planned {
                disposition,
                held_by,
                archive,
            })
            .collect();
        let mut message = dispose::build(
            self,
            &submission,
            raw,
            &subject,
            &assessment,
            planned,
            &reasons_nl,
            &reasons_en,
        );
        message.audit.extend(archive_audit);
        match self.store.accept(message).await {
            Ok(id) => {
                self.wake.notify_one();
                tracing::info!(id = %id, verdict = ?assessment.verdict, recipients = addresses.len(), "message accepted");
                SubmitOutcome::Accepted {
                    id,
                    verdict: assessment.verdict,
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "storing a message failed");
                SubmitOutcome::TempFail("storage unavailable".into())
            }
        }
    }

    /// For every `Archive` recipient: the archive mail, with the password
    /// sent by SMS; or, when that cannot be done (no phone number, no
    /// SMS provider, nothing to pack, the SMS failed), the fallback
    /// disposition and an audit event saying why.
    #[allow(clippy::too_many_arguments)]
    async fn prepare_archives(
        &self,
        sender: &str,
        raw: &[u8],
        subject: &str,
        addresses: &[String],
        dispositions: &mut [Disposition],
        archives: &mut [Option<archive::Prepared>],
        audit: &mut Vec<(zegel_store::Event, String, String)>,
    ) {
        let c = &self.config;
        let tag = sms_tag(subject);
        let docs = archive::documents(raw, c.archive_body_as_document);
        for (i, address) in addresses.iter().enumerate() {
            if dispositions[i] != Disposition::Archive {
                continue;
            }
            let phone = tag.clone().or_else(|| self.contact_phone(address));
            match archive::prepare(
                c,
                self.sms.as_ref(),
                &docs,
                sender,
                address,
                subject,
                phone.as_deref(),
            )
            .await
            {
                Ok(prepared) => archives[i] = Some(prepared),
                Err(why) => {
                    let (disposition, name) = match c.archive_fallback {
                        SecureAction::Hold => (Disposition::Hold, "hold"),
                        SecureAction::Reject => (Disposition::Bounce, "reject"),
                        _ => (Disposition::Portal, "portal"),
                    };
                    dispositions[i] = disposition;
                    tracing::info!(reason = %why, fallback = name, "archive action not possible for a recipient");
                    audit.push((
                        zegel_store::Event::ArchiveFallback,
                        address.clone(),
                        format!("archive not possible ({why}); fallback {name}"),
                    ));
                }
            }
        }
    }

    /// Queues a mail zegel wrote itself (a code, a read receipt) to one
    /// recipient, durably, as a message of its own; DKIM-signed when
    /// configured. Returns its id.
    pub async fn queue_own_mail(
        &self,
        to: &str,
        mail: Vec<u8>,
    ) -> Result<zegel_store::MessageId, OutboundError> {
        let message = own_mail(&self.config, self.dkim.is_some(), to, mail);
        let id = self.store.accept(message).await?;
        self.wake.notify_one();
        Ok(id)
    }

    /// Tells `colleague`, who takes over `former_sender`'s open secure
    /// messages, where to follow each (its new status page).
    pub async fn queue_handover_notice(
        &self,
        colleague: &str,
        former_sender: &str,
        links: &[zegel_store::NewStatusLink],
    ) -> Result<zegel_store::MessageId, OutboundError> {
        let mail = handover_notice(&self.config, colleague, former_sender, links);
        self.queue_own_mail(colleague, mail).await
    }

    /// The pipeline's settings.
    pub fn config(&self) -> &OutboundConfig {
        &self.config
    }

    fn received_header(&self, sub: &Submission) -> String {
        let with = match (sub.tls, sub.authenticated_user.is_some()) {
            (true, true) => "ESMTPSA",
            (true, false) => "ESMTPS",
            _ => "ESMTP",
        };
        let helo: String = sub
            .helo
            .as_deref()
            .unwrap_or("unknown")
            .chars()
            .filter(|c| c.is_ascii_graphic())
            .take(100)
            .collect();
        let ip = sub
            .client_ip
            .map(|ip| format!(" ([{ip}])"))
            .unwrap_or_default();
        format!(
            "Received: from {helo}{ip}\r\n\tby {} (zegel) with {with};\r\n\t{}\r\n",
            self.config.hostname,
            mail_builder::headers::date::Date::now().to_rfc822()
        )
    }
}

/// A message the sender sends as secure: secure for its external
/// recipients whatever the content (the assessment's findings and warnings
/// stay, for the record); mail to internal recipients only is left as is.
fn sent_secure(mut assessment: Assessment) -> Assessment {
    let internal_only = assessment
        .reasons
        .iter()
        .any(|r| matches!(r, Reason::InternalOnly { .. }));
    if assessment.verdict == Verdict::Normal && !internal_only {
        assessment.verdict = Verdict::Secure;
        assessment
            .reasons
            .retain(|r| !matches!(r, Reason::NothingSensitive));
        assessment.reasons.insert(0, Reason::SentSecure);
    }
    assessment
}

/// A mail zegel wrote itself, to one recipient, as a message of its own
/// (no failure notice; DKIM-signed at delivery when `dkim`). For the
/// command line, which queues mail for `zegel serve` to deliver.
pub fn own_mail(config: &OutboundConfig, dkim: bool, to: &str, mail: Vec<u8>) -> NewMessage {
    let delivery = NewDelivery {
        kind: DeliveryKind::Original,
        mail_from: config.notices_from.clone(),
        rcpt: to.to_string(),
        content: Content::Original,
        dkim,
        require_tls: false,
        notify_never: true,
        headers_only: true,
        held: false,
    };
    NewMessage {
        mail_from: config.notices_from.clone(),
        raw: mail,
        verdict: zegel_store::MessageVerdict::Own,
        summary: b"{}".to_vec(),
        deliveries: vec![delivery],
        secure: Vec::new(),
        audit: Vec::new(),
        lifetime_secs: config.lifetime.as_secs() as i64,
        confirm: None,
    }
}

/// The notice to a colleague who takes over a leaver's open secure
/// messages, with each message's new status page.
pub fn handover_notice(
    config: &OutboundConfig,
    colleague: &str,
    former_sender: &str,
    links: &[zegel_store::NewStatusLink],
) -> Vec<u8> {
    let base = config.public_url.trim_end_matches('/');
    let messages: Vec<(Vec<String>, String)> = links
        .iter()
        .map(|l| {
            (
                l.recipients.clone(),
                format!("{base}/status/{}", l.status_token),
            )
        })
        .collect();
    crate::compose::handover_notice(&crate::compose::HandoverNotice {
        organization: &config.organization,
        from: &config.notices_from,
        colleague,
        former_sender,
        messages: &messages,
        hostname: &config.hostname,
    })
}

/// Assesses `raw` with `assessor` off the async threads.
async fn assess_with(
    assessor: Arc<Assessor>,
    raw: Vec<u8>,
    mail_from: &str,
    recipients: &[String],
) -> Result<Assessment, OutboundError> {
    assess_with_subject(assessor, raw, mail_from, recipients)
        .await
        .map(|(assessment, _)| assessment)
}

/// [`assess_with`], with the subject from the same parse.
async fn assess_with_subject(
    assessor: Arc<Assessor>,
    raw: Vec<u8>,
    mail_from: &str,
    recipients: &[String],
) -> Result<(Assessment, String), OutboundError> {
    let envelope = zegel_assess::Envelope {
        sender: Some(mail_from.to_string()).filter(|s| !s.is_empty()),
        recipients: recipients.to_vec(),
    };
    Ok(tokio::task::spawn_blocking(move || {
        assessor.assess_bytes_with_subject(&raw, Some(&envelope))
    })
    .await??)
}

/// The reasons as sentences, first letter capitalised by the core.
pub(crate) fn reasons(assessment: &Assessment, lang: Lang) -> Vec<String> {
    assessment.reasons.iter().map(|r| r.message(lang)).collect()
}

fn kinds(assessment: &Assessment) -> String {
    let mut kinds: Vec<&str> = assessment
        .findings
        .iter()
        .map(|f| f.kind.as_str())
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds.join(",")
}

/// A random 256-bit token, URL-safe.
fn token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// SHA-256 of a token, hex: what the database keeps.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The second factor for one portal recipient, with the phone number for
/// an SMS code: the sender's `[sms:…]` tag first, then the contact list.
fn second_factor(
    c: &OutboundConfig,
    known: Option<String>,
    tag: Option<&str>,
) -> (SecondFactor, Option<String>) {
    let known = || known.clone();
    match (c.second_factor, tag) {
        (SecondFactorPolicy::AccessCode, _) => (SecondFactor::AccessCode, None),
        (_, Some(phone)) => (SecondFactor::Sms, Some(phone.to_string())),
        (SecondFactorPolicy::None, None) => (SecondFactor::None, None),
        (SecondFactorPolicy::SmsIfKnown, None) => match known() {
            Some(phone) => (SecondFactor::Sms, Some(phone)),
            None => (SecondFactor::None, None),
        },
        (SecondFactorPolicy::Required, None) => match known() {
            Some(phone) => (SecondFactor::Sms, Some(phone)),
            None => (SecondFactor::AccessCode, None),
        },
    }
}

/// A phone number from a `[sms:+31612345678]` tag in the subject.
fn sms_tag(subject: &str) -> Option<String> {
    let lower = subject.to_ascii_lowercase();
    let start = lower.find("[sms:")? + 5;
    let end = start + lower[start..].find(']')?;
    crate::PhoneNumber::parse(&subject[start..end])
        .ok()
        .map(|n| n.to_string())
}

/// An access code for the sender to pass on: 8 characters from an alphabet
/// without look-alikes (40 bits), shown as two groups of four.
fn access_code() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut rng = rand::rng();
    let chars: String = (0..8)
        .map(|_| ALPHABET[rand::Rng::random_range(&mut rng, 0..ALPHABET.len())] as char)
        .collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}
