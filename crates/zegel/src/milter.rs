//! The milter's handler: assess each message Postfix passes us and answer:
//! reject with the reasons (policy action `reject`), or add headers that
//! tell Postfix (and people) the verdict and why, so Postfix can route
//! secure mail to zegel's SMTP relay.
//!
//! With `[milter] authenticate = true`, mail from clients that did not log
//! in to Postfix (inbound mail) is first checked — SPF, DKIM, DMARC, ARC
//! (zegel_mailauth, over mail-auth) — and gets an `Authentication-Results`
//! header; when it fails DMARC and the From domain publishes `p=reject`, it
//! is refused (550 5.7.1), unless `[milter] dmarc_reject = false`.

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

    /// The inbound checks: the Authentication-Results header, or a refusal.
    fn authenticate(
        &self,
        inbound: &Inbound,
        message: &MilterMessage,
    ) -> Result<String, MilterDecision> {
        let Some(client_ip) = message.client_ip else {
            return Ok(format!("{}; none", inbound.authserv_id));
        };
        let report = self.runtime.block_on(zegel_mailauth::verify_message(
            &message.raw,
            client_ip,
            message.helo.as_deref().unwrap_or_default(),
            &message.mail_from,
            &inbound.resolver,
        ));
        let report = match report {
            Ok(r) => r,
            Err(_) => return Ok(format!("{}; none", inbound.authserv_id)),
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
        Ok(report.authentication_results(&inbound.authserv_id))
    }
}

impl MilterHandler for Handler {
    fn decide(&self, message: &MilterMessage) -> MilterDecision {
        let mut results = None;
        if let Some(inbound) = &self.inbound {
            if message.authenticated_user.is_none() {
                match self.authenticate(inbound, message) {
                    Ok(header) => results = Some(header),
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
        if let Some(results) = results {
            headers.push(("Authentication-Results".to_string(), results));
        }
        headers.push(("X-Zegel-Verdict".to_string(), verdict.to_string()));
        if !en.is_empty() {
            headers.push(("X-Zegel-Reasons".into(), en.join("; ")));
        }
        MilterDecision::AddHeaders(headers)
    }
}
