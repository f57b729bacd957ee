//! The milter's handler: assess each message Postfix passes us and answer:
//! reject with the reasons (policy action `reject`), or add headers that
//! tell Postfix (and people) the verdict and why, so Postfix can route
//! secure mail to zegel's SMTP relay.
//!
//! With `[milter] authenticate = true`, mail from clients that did not log
//! in to Postfix (inbound mail) is first checked — SPF, DKIM, DMARC, ARC
//! (zegel_mailauth, over mail-auth) — and gets an `Authentication-Results`
//! header; when it fails DMARC and the From domain publishes `p=reject`, it
//! is refused (550 5.7.1), unless `[milter] dmarc_reject = false`; when
//! the domain publishes `p=quarantine` it goes to Postfix's hold queue
//! (SMFIR_QUARANTINE), unless `[milter] dmarc_quarantine = false`.
//! Suspected impersonation gets `X-Zegel-Impersonation` with the reason
//! and, with `[milter] extern_tag`, that tag before the subject: a From
//! domain that looks like an internal or partner domain (the assessment's
//! look-alike logic), an internal From domain that fails DMARC, or a display
//! name holding an internal address.

use crate::serve::rejection_lines;
use zegel_assess::{Lang, Verdict};
use zegel_mailauth::{DmarcPolicy, DnsResolver, Outcome};
use zegel_outbound::Outbound;
use zegel_smtp::milter::{MilterDecision, MilterHandler, MilterMessage};

/// The inbound checks the milter runs.
pub struct Inbound {
    /// Where DNS questions go.
    pub resolver: DnsResolver,
    /// Our name in Authentication-Results.
    pub authserv_id: String,
    /// Refuse DMARC failures of `p=reject` domains.
    pub dmarc_reject: bool,
    /// Hold DMARC failures of `p=quarantine` domains in Postfix's hold queue.
    pub dmarc_quarantine: bool,
    /// The organisation's internal and partner domains.
    pub domains: zegel_assess::Domains,
    /// The subject tag for suspected impersonation (e.g. `[EXTERN]`).
    pub extern_tag: Option<String>,
}

/// What the inbound checks add.
struct Checked {
    /// The Authentication-Results value.
    results: String,
    /// Why the sender may be impersonating someone.
    impersonation: Option<String>,
    /// The new subject (tagged).
    subject: Option<String>,
    /// Why the message goes to the hold queue (DMARC `p=quarantine`).
    quarantine: Option<String>,
}

/// Why the From of `raw` may impersonate the organisation or a partner.
fn impersonation(
    raw: &[u8],
    domains: &zegel_assess::Domains,
    dmarc_pass: bool,
) -> (Option<String>, String) {
    use zegel_assess::recipients::domain::DomainClass;
    let Some(headers) = mail_parser::MessageParser::default().parse_headers(raw) else {
        return (None, String::new());
    };
    let subject = headers.subject().unwrap_or_default().to_string();
    let Some(from) = headers.from().and_then(|a| a.first()) else {
        return (None, subject);
    };
    let address = from.address().unwrap_or_default().to_lowercase();
    let domain = address.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
    let name = from.name().unwrap_or_default().to_lowercase();
    if domain.is_empty() {
        return (None, subject);
    }
    let class = domains.classify(domain);
    let why = if class == DomainClass::Internal {
        (!dmarc_pass).then(|| {
            format!("From {address} uses an internal domain but is not authenticated (DMARC)")
        })
    } else if let Some(like) =
        zegel_assess::recipients::lookalike::lookalike_of(domain, domains.trusted())
    {
        Some(format!(
            "From domain {domain} looks like {}",
            like.resembles
        ))
    } else {
        domains
            .internal()
            .iter()
            .find(|d| name.contains(&format!("@{d}")))
            .map(|d| {
                format!("the display name of external {address} holds an address at internal {d}")
            })
    };
    (why, subject)
}

/// Answers Postfix for each message.
pub struct Handler {
    outbound: Outbound,
    runtime: tokio::runtime::Handle,
    headers_only: bool,
    inbound: Option<Inbound>,
}

impl Handler {
    /// A handler over the outbound pipeline's assessment; `headers_only`
    /// never rejects; `inbound`: check mail from clients that did not log in.
    pub fn new(outbound: Outbound, headers_only: bool, inbound: Option<Inbound>) -> Handler {
        Handler {
            outbound,
            runtime: tokio::runtime::Handle::current(),
            headers_only,
            inbound,
        }
    }

    /// The inbound checks: what to add, or a refusal.
    fn authenticate(
        &self,
        inbound: &Inbound,
        message: &MilterMessage,
    ) -> Result<Checked, MilterDecision> {
        let none = || Checked {
            results: format!("{}; none", inbound.authserv_id),
            impersonation: None,
            subject: None,
            quarantine: None,
        };
        let Some(client_ip) = message.client_ip else {
            return Ok(none());
        };
        let report = self.runtime.block_on(zegel_mailauth::verify_message(
            &message.raw,
            client_ip,
            message.helo.as_deref().unwrap_or_default(),
            &message.mail_from,
            &inbound.resolver,
        ));
        let Ok(report) = report else {
            return Ok(none());
        };
        if inbound.dmarc_reject
            && report.dmarc.outcome == Outcome::Fail
            && report.dmarc.policy == Some(DmarcPolicy::Reject)
        {
            let domain = &report.dmarc.from_domain;
            return Err(MilterDecision::Reject {
                code: 550,
                text: format!(
                    "5.7.1 Geweigerd: afzender niet echt; {domain} vraagt bericht dat DMARC niet haalt te weigeren\n\
                     5.7.1 Refused: sender not authenticated; {domain} asks to reject mail that fails DMARC"
                ),
            });
        }
        let quarantine = (inbound.dmarc_quarantine
            && report.dmarc.outcome == Outcome::Fail
            && report.dmarc.policy == Some(DmarcPolicy::Quarantine))
        .then(|| {
            format!(
                "zegel: DMARC fail, {} asks to quarantine (p=quarantine)",
                report.dmarc.from_domain
            )
        });
        let (why, subject) = impersonation(
            &message.raw,
            &inbound.domains,
            report.dmarc.outcome == Outcome::Pass,
        );
        let subject = match (&why, &inbound.extern_tag) {
            (Some(_), Some(tag)) if !subject.trim_start().starts_with(tag.as_str()) => {
                Some(format!("{tag} {subject}"))
            }
            _ => None,
        };
        Ok(Checked {
            results: report.authentication_results(&inbound.authserv_id),
            impersonation: why,
            subject,
            quarantine,
        })
    }
}

impl MilterHandler for Handler {
    fn decide(&self, message: &MilterMessage) -> MilterDecision {
        let mut checked = None;
        if let Some(inbound) = &self.inbound {
            if message.authenticated_user.is_none() {
                match self.authenticate(inbound, message) {
                    Ok(c) => checked = Some(c),
                    Err(refusal) => return refusal,
                }
            }
        }
        // Called on a blocking thread: wait for the async assessment here.
        let assessment = self.runtime.block_on(self.outbound.assess(
            message.raw.clone(),
            &message.mail_from,
            &message.rcpt_to,
        ));
        let assessment = match assessment {
            Ok(a) => a,
            Err(why) => {
                return MilterDecision::AddHeaders(vec![(
                    "X-Zegel-Verdict".into(),
                    format!("unknown ({why})"),
                )])
            }
        };
        let nl: Vec<String> = assessment
            .reasons
            .iter()
            .map(|r| r.message(Lang::Nl))
            .collect();
        let en: Vec<String> = assessment
            .reasons
            .iter()
            .map(|r| r.message(Lang::En))
            .collect();
        if !self.headers_only && self.outbound.rejects(&assessment, &message.rcpt_to) {
            return MilterDecision::Reject {
                code: 550,
                text: rejection_lines(&nl, &en)
                    .iter()
                    .map(|l| format!("5.7.1 {l}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            };
        }
        let verdict = match assessment.verdict {
            Verdict::Secure => "secure",
            Verdict::Normal => "normal",
        };
        let mut headers = Vec::new();
        let mut subject = None;
        let mut quarantine = None;
        if let Some(checked) = checked {
            quarantine = checked.quarantine;
            headers.push(("Authentication-Results".to_string(), checked.results));
            if let Some(why) = checked.impersonation {
                headers.push(("X-Zegel-Impersonation".to_string(), why));
            }
            subject = checked.subject;
        }
        headers.push(("X-Zegel-Verdict".to_string(), verdict.to_string()));
        if !en.is_empty() {
            headers.push(("X-Zegel-Reasons".into(), en.join("; ")));
        }
        let change: Vec<(String, u32, String)> = subject
            .map(|s| ("Subject".to_string(), 1, s))
            .into_iter()
            .collect();
        match quarantine {
            Some(reason) => MilterDecision::Quarantine {
                reason,
                change,
                add: headers,
            },
            None if change.is_empty() => MilterDecision::AddHeaders(headers),
            None => MilterDecision::Modify {
                change,
                add: headers,
            },
        }
    }
}
