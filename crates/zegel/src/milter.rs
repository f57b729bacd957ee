//! The milter's handler: assess each message Postfix passes us and answer:
//! reject with the reasons (policy action `reject`), or add headers that
//! tell Postfix (and people) the verdict and why, so Postfix can route
//! secure mail to zegel's SMTP relay. Mail a warning holds (a recipient at
//! a look-alike domain, visible external recipients) is labelled for the
//! same route (`X-Zegel-Verdict: secure`, `X-Zegel-Hold`): zegel's relay
//! holds it and asks the sender to confirm, which Postfix cannot.
//!
//! With `[milter] authenticate = true`, mail from clients that did not log
//! in to Postfix (inbound mail) is first checked — SPF, DKIM, DMARC, ARC
//! (zegel-inbound, over mail-auth) — and gets an `Authentication-Results`
//! header; when it fails DMARC and the From domain publishes `p=reject`, it
//! is refused (550 5.7.1), unless `[milter] dmarc_reject = false`; when
//! the domain publishes `p=quarantine` it goes to Postfix's hold queue
//! (SMFIR_QUARANTINE), unless `[milter] dmarc_quarantine = false`.
//! Suspected impersonation gets `X-Zegel-Impersonation` with the reason
//! and, with `[milter] extern_tag`, that tag before the subject: a From
//! domain that looks like an internal or partner domain (the assessment's
//! look-alike logic), an internal From domain that fails DMARC, a display
//! name holding an internal address, or a colleague's name
//! (`[organization] colleagues_file`) on an outside address.

use crate::smtp_backend::rejection_lines;
use zegel_assess::{Lang, Verdict};
use zegel_inbound::{Checked, Decision, InboundPolicy};
use zegel_mailauth::DnsResolver;
use zegel_outbound::Outbound;
use zegel_smtp::milter::{MilterDecision, MilterHandler, MilterMessage};

/// The inbound checks the milter runs.
pub struct Inbound {
    /// Where DNS questions go.
    pub resolver: DnsResolver,
    /// What to check and do.
    pub policy: InboundPolicy,
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
        let decision = self.runtime.block_on(zegel_inbound::check(
            &inbound.policy,
            &self.outbound.domains(),
            &inbound.resolver,
            &message.raw,
            message.client_ip,
            message.helo.as_deref().unwrap_or_default(),
            &message.mail_from,
        ));
        match decision {
            Decision::Accept(checked) => Ok(checked),
            Decision::Refuse { domain } => Err(MilterDecision::Reject {
                code: 550,
                text: Decision::refusal_lines(&domain)
                    .iter()
                    .map(|l| format!("5.7.1 {l}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            }),
        }
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
            Err(why) => return unreadable(&why.to_string(), self.headers_only),
        };
        // A warning that holds the mail (a look-alike domain, visible
        // external recipients): the milter cannot hold it for the sender
        // to confirm, so it labels it for zegel's relay, which does.
        let held = self.outbound.warning_holds(&assessment, &message.rcpt_to);
        let mut assessment = assessment;
        for warning in &held {
            assessment.reasons.push(zegel_assess::Reason::Held {
                warning: warning.clone(),
            });
        }
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
            Verdict::Normal if !held.is_empty() => "secure",
            Verdict::Normal => "normal",
        };
        let mut headers = Vec::new();
        let mut subject = None;
        let mut quarantine = None;
        if let Some(checked) = checked {
            headers = checked.headers();
            quarantine = checked.quarantine.map(|why| format!("zegel: {why}"));
            subject = checked.tagged_subject;
        }
        headers.push(("X-Zegel-Verdict".to_string(), verdict.to_string()));
        if !held.is_empty() {
            let kinds: Vec<&str> = held.iter().map(|w| w.kind().as_str()).collect();
            headers.push(("X-Zegel-Hold".into(), kinds.join(", ")));
        }
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

/// The answer for a message zegel could not read at all (fail closed, as
/// the SMTP server's `554 5.6.0`): refused in `policy` mode; in `headers`
/// mode, which never refuses, labelled `secure` so the Postfix rule that
/// routes secure mail to zegel sends it there (where it is refused) and
/// never out as normal mail.
fn unreadable(why: &str, headers_only: bool) -> MilterDecision {
    if headers_only {
        return MilterDecision::AddHeaders(vec![
            ("X-Zegel-Verdict".into(), "secure".into()),
            ("X-Zegel-Reasons".into(), format!("unreadable: {why}")),
        ]);
    }
    MilterDecision::Reject {
        code: 554,
        text: format!(
            "5.6.0 Bericht onleesbaar / Message unreadable: {}",
            why.replace(['\r', '\n'], " ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_cannot_be_read_is_refused_or_labelled_secure_never_passed() {
        match unreadable(
            "the MIME structure of the message is too broken to read",
            false,
        ) {
            MilterDecision::Reject { code, text } => {
                assert_eq!(code, 554);
                assert!(
                    text.starts_with("5.6.0 ") && text.contains("unreadable"),
                    "{text}"
                );
            }
            other => panic!("policy mode refuses: {other:?}"),
        }
        match unreadable("broken\r\nX-Evil: 1", true) {
            MilterDecision::AddHeaders(headers) => {
                assert_eq!(headers[0], ("X-Zegel-Verdict".into(), "secure".into()));
                assert!(headers[1].1.starts_with("unreadable: "));
            }
            other => panic!("headers mode labels it secure: {other:?}"),
        }
    }
}
