//! The inbound checks of one message and what follows from them: refuse
//! (DMARC fails and the From domain asks `p=reject`), hold (it asks
//! `p=quarantine`), or pass on with an Authentication-Results header and,
//! for suspected impersonation, an `X-Zegel-Impersonation` header and a
//! subject tag. The organisation may switch refusing and holding off.

use crate::{impersonation, Colleagues};
use std::net::IpAddr;
use zegel_assess::Domains;
use zegel_mailauth::{DmarcPolicy, DnsResolver, Outcome};

/// What the organisation wants done with inbound mail.
#[derive(Debug, Clone)]
pub struct InboundPolicy {
    /// Our name in Authentication-Results (the host name).
    pub authserv_id: String,
    /// Refuse DMARC failures of domains that publish `p=reject`.
    pub dmarc_reject: bool,
    /// Hold DMARC failures of domains that publish `p=quarantine`.
    pub dmarc_quarantine: bool,
    /// The organisation's people by name.
    pub colleagues: Colleagues,
    /// The subject tag for suspected impersonation (e.g. `[EXTERN]`).
    pub extern_tag: Option<String>,
}

/// What the checks found, for a message that is not refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The Authentication-Results value.
    pub results: String,
    /// Why the sender may be impersonating someone.
    pub impersonation: Option<String>,
    /// The tag to put before the subject (set only with impersonation and a
    /// configured tag, when the subject does not start with it already).
    pub subject_tag: Option<String>,
    /// The decoded subject with that tag before it.
    pub tagged_subject: Option<String>,
    /// Why the message must be held (DMARC `p=quarantine`).
    pub quarantine: Option<String>,
    /// One line for the audit trail: the DMARC, SPF and DKIM outcomes.
    pub summary: String,
}

impl Checked {
    /// The headers to add on top of the message.
    pub fn headers(&self) -> Vec<(String, String)> {
        let mut headers = vec![("Authentication-Results".to_string(), self.results.clone())];
        if let Some(why) = &self.impersonation {
            headers.push(("X-Zegel-Impersonation".to_string(), why.clone()));
        }
        headers
    }
}

/// The outcome of the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Refuse: the From domain fails DMARC and asks to reject.
    Refuse {
        /// The From domain.
        domain: String,
    },
    /// Take it (perhaps to hold it; see [`Checked::quarantine`]).
    Accept(Checked),
}

impl Decision {
    /// The refusal's reply lines, Dutch first, then English (without
    /// status codes).
    pub fn refusal_lines(domain: &str) -> [String; 2] {
        [
            format!("Geweigerd: afzender niet echt; {domain} vraagt bericht dat DMARC niet haalt te weigeren"),
            format!("Refused: sender not authenticated; {domain} asks to reject mail that fails DMARC"),
        ]
    }
}

/// Checks one message from `client_ip` (`None`: unknown, nothing is
/// checked) under `policy`, with the organisation's internal and partner
/// domains as they are in force now (`domains`: they may change while the
/// server runs, so the caller asks for them per message). A message whose
/// headers cannot be read, or a failing resolver, gets `<authserv-id>;
/// none` and is not refused: DMARC failure is the only ground for refusing.
pub async fn check(
    policy: &InboundPolicy,
    domains: &Domains,
    resolver: &DnsResolver,
    raw: &[u8],
    client_ip: Option<IpAddr>,
    helo: &str,
    mail_from: &str,
) -> Decision {
    let report = match client_ip {
        Some(ip) => zegel_mailauth::verify_message(raw, ip, helo, mail_from, resolver)
            .await
            .ok(),
        None => None,
    };
    let Some(report) = report else {
        let (why, subject) = impersonation(raw, domains, &policy.colleagues, false);
        return Decision::Accept(finish(
            policy,
            format!("{}; none", policy.authserv_id),
            why,
            subject,
            None,
            "not checked".into(),
        ));
    };
    let dmarc = &report.dmarc;
    if policy.dmarc_reject
        && dmarc.outcome == Outcome::Fail
        && dmarc.policy == Some(DmarcPolicy::Reject)
    {
        return Decision::Refuse {
            domain: dmarc.from_domain.clone(),
        };
    }
    let quarantine = (policy.dmarc_quarantine
        && dmarc.outcome == Outcome::Fail
        && dmarc.policy == Some(DmarcPolicy::Quarantine))
    .then(|| {
        format!(
            "DMARC fail, {} asks to quarantine (p=quarantine)",
            dmarc.from_domain
        )
    });
    let (why, subject) = impersonation(
        raw,
        domains,
        &policy.colleagues,
        dmarc.outcome == Outcome::Pass,
    );
    let summary = format!(
        "dmarc={} ({}) spf={} dkim={}",
        dmarc.outcome.as_str(),
        dmarc.from_domain,
        report.spf.outcome.as_str(),
        report.dkim_outcome().as_str(),
    );
    Decision::Accept(finish(
        policy,
        report.authentication_results(&policy.authserv_id),
        why,
        subject,
        quarantine,
        summary,
    ))
}

fn finish(
    policy: &InboundPolicy,
    results: String,
    impersonation: Option<String>,
    subject: String,
    quarantine: Option<String>,
    summary: String,
) -> Checked {
    let subject_tag = match (&impersonation, &policy.extern_tag) {
        (Some(_), Some(tag)) if !subject.trim_start().starts_with(tag.as_str()) => {
            Some(tag.clone())
        }
        _ => None,
    };
    Checked {
        results,
        tagged_subject: subject_tag.as_ref().map(|tag| format!("{tag} {subject}")),
        subject_tag,
        impersonation,
        quarantine,
        summary,
    }
}
