//! MTA-STS (RFC 8461): the TXT record `_mta-sts.<domain>`, the policy at
//! `https://mta-sts.<domain>/.well-known/mta-sts.txt` (a certificate valid
//! for that name, `200`, `text/plain`, no redirects), its mode, whether it
//! names every MX host, and whether those hosts would pass a sender that
//! enforces it (STARTTLS with a trusted certificate valid for the MX name).
//!
//! The TXT record is parsed by mail-auth; the policy is fetched by
//! zegel-net and parsed by zegel-mtasts (the same fetch and parser the
//! outbound `tls` action uses: what a sender enforcing the policy would
//! read).

use crate::dns::{Dns, DnsError};
use crate::mx_tls::{HostVerdict, MxHost};
use crate::probe::Probe;
use crate::report::{Check, CheckId, Status, Text};
use mail_auth::common::parse::TxtRecordParser;
use rustls::client::danger::ServerCertVerifier;
use std::sync::Arc;
pub use zegel_mtasts::{StsMode as Mode, StsPolicy as Policy};

/// A policy `max_age` below a day is of little use (RFC 8461 advises weeks).
const SHORT_MAX_AGE: u64 = 86_400;

/// What discovery found, before it is held against the MX hosts.
#[derive(Debug)]
pub enum Found {
    /// No `_mta-sts` TXT record.
    NoRecord,
    /// The DNS lookup failed.
    DnsError(String),
    /// A record, but not exactly one valid one.
    BadRecord(String),
    /// A record; the policy fetch failed.
    NoPolicy {
        /// The record's id.
        id: String,
        /// Why.
        reason: String,
    },
    /// A record and a policy.
    Policy {
        /// The record's id.
        id: String,
        /// The policy.
        policy: Policy,
    },
}

/// Looks up the record and fetches the policy.
pub async fn discover(
    dns: &Dns,
    domain: &str,
    probe: &Probe,
    verifier: Arc<dyn ServerCertVerifier>,
) -> Found {
    let name = format!("_mta-sts.{domain}");
    let texts = match dns.txt(&name).await {
        Ok((texts, _)) => texts,
        Err(e) => return Found::DnsError(e.to_string()),
    };
    let records: Vec<&String> = texts.iter().filter(|t| t.starts_with("v=STSv1")).collect();
    let id = match records.as_slice() {
        [] => return Found::NoRecord,
        [one] => match mail_auth::mta_sts::MtaSts::parse(one.as_bytes()) {
            Ok(r) if !r.id.is_empty() => r.id,
            _ => return Found::BadRecord(format!("not a valid record: {one}")),
        },
        many => return Found::BadRecord(format!("{} records", many.len())),
    };
    let host = format!("mta-sts.{domain}");
    let fetched =
        tokio::time::timeout(probe.timeout, fetch(dns, &host, probe.https_port, verifier)).await;
    match fetched {
        Err(_) => Found::NoPolicy {
            id,
            reason: format!("no answer from {host} within {} s", probe.timeout.as_secs()),
        },
        Ok(Err(e)) => Found::NoPolicy {
            id,
            reason: e.to_string(),
        },
        Ok(Ok(text)) => match Policy::parse(&text) {
            Ok(policy) => Found::Policy { id, policy },
            Err(e) => Found::NoPolicy {
                id,
                reason: format!("the policy is not valid: {e}"),
            },
        },
    }
}

/// Why the policy file could not be fetched.
#[derive(Debug, thiserror::Error)]
enum FetchPolicyError {
    #[error("{0}")]
    Dns(#[from] DnsError),
    #[error("{0}")]
    Tls(#[from] rustls::Error),
    #[error("{0}")]
    Fetch(#[from] zegel_net::mta_sts::FetchError),
}

/// GET the policy file from `host` over HTTPS (zegel-net's fetch, the
/// one the outbound `tls` action uses), trusting what `verifier` trusts.
async fn fetch(
    dns: &Dns,
    host: &str,
    port: u16,
    verifier: Arc<dyn ServerCertVerifier>,
) -> Result<String, FetchPolicyError> {
    let addresses = dns.addresses(host).await?;
    let config = zegel_net::tls::client_builder()?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(zegel_net::mta_sts::fetch_policy(host, &addresses, port, Arc::new(config)).await?)
}

/// The check `mta_sts` from what discovery found and how the MX hosts did.
pub fn check(domain: &str, found: Found, hosts: &[MxHost], verdicts: &[HostVerdict]) -> Check {
    let advice_publish = Text::new(
        format!("Publiceer een TXT-record \"v=STSv1; id=<datum>\" op _mta-sts.{domain} en een beleid op https://mta-sts.{domain}/.well-known/mta-sts.txt, eerst met mode: testing, daarna mode: enforce."),
        format!("Publish a TXT record \"v=STSv1; id=<date>\" at _mta-sts.{domain} and a policy at https://mta-sts.{domain}/.well-known/mta-sts.txt, first with mode: testing, then mode: enforce."),
    );
    let (id, policy) = match found {
        Found::NoRecord => {
            return Check::recommended(
                CheckId::MtaSts,
                domain,
                Status::Bad,
                Text::new(
                    "Geen MTA-STS: verzenders zonder DANE vallen terug op onversleuteld als een aanvaller STARTTLS wegfiltert.",
                    "No MTA-STS: senders without DANE fall back to plain text when an attacker strips STARTTLS.",
                ),
            )
            .advise(advice_publish)
        }
        Found::DnsError(e) => {
            return Check::recommended(
                CheckId::MtaSts,
                domain,
                Status::Error,
                Text::new(
                    format!("Het MTA-STS-record kon niet worden opgevraagd: {e}"),
                    format!("The MTA-STS record could not be looked up: {e}"),
                ),
            )
        }
        Found::BadRecord(why) => {
            return Check::recommended(
                CheckId::MtaSts,
                domain,
                Status::Bad,
                Text::new(
                    format!("Het MTA-STS-record is ongeldig ({why})."),
                    format!("The MTA-STS record is not valid ({why})."),
                ),
            )
            .advise(Text::new(
                format!("Publiceer precies één record \"v=STSv1; id=<1-32 letters en cijfers>\" op _mta-sts.{domain}."),
                format!("Publish exactly one record \"v=STSv1; id=<1-32 letters and digits>\" at _mta-sts.{domain}."),
            ))
        }
        Found::NoPolicy { id, reason } => {
            return Check::recommended(
                CheckId::MtaSts,
                domain,
                Status::Bad,
                Text::new(
                    format!("Het MTA-STS-record belooft een beleid, maar dat is niet op te halen: {reason}."),
                    format!("The MTA-STS record promises a policy, but it cannot be fetched: {reason}."),
                ),
            )
            .fact("id", id)
            .advise(Text::new(
                format!("Zet het beleid op https://mta-sts.{domain}/.well-known/mta-sts.txt (geldig certificaat voor mta-sts.{domain}, status 200, text/plain), of verwijder het TXT-record."),
                format!("Put the policy at https://mta-sts.{domain}/.well-known/mta-sts.txt (a valid certificate for mta-sts.{domain}, status 200, text/plain), or remove the TXT record."),
            ))
        }
        Found::Policy { id, policy } => (id, policy),
    };
    let unlisted: Vec<&str> = hosts
        .iter()
        .map(|h| h.name.as_str())
        .filter(|h| !policy.matches_mx(h))
        .collect();
    let unverified: Vec<&str> = verdicts
        .iter()
        .filter(|v| v.verified_tls == Some(false))
        .map(|v| v.name.as_str())
        .collect();
    let mode = match policy.mode {
        Mode::Enforce => "enforce",
        Mode::Testing => "testing",
        Mode::None => "none",
    };
    let mut check = match policy.mode {
        Mode::Enforce if !unlisted.is_empty() || !unverified.is_empty() => {
            let mut why = Vec::new();
            if !unlisted.is_empty() {
                why.push(format!("not in the policy: {}", unlisted.join(", ")));
            }
            if !unverified.is_empty() {
                why.push(format!("no verified TLS: {}", unverified.join(", ")));
            }
            Check::recommended(
                CheckId::MtaSts,
                domain,
                Status::Bad,
                Text::new(
                    format!("Beleid in mode enforce, maar verzenders die het volgen leveren niet af bij ({}).", why.join("; ")),
                    format!("Policy in mode enforce, but senders that follow it do not deliver to ({}).", why.join("; ")),
                ),
            )
            .advise(Text::new(
                "Zet elke MX-host in de mx-regels van het beleid en geef elke host een vertrouwd certificaat voor zijn naam.",
                "Put every MX host in the policy's mx lines and give each host a trusted certificate for its name.",
            ))
        }
        Mode::Enforce => Check::recommended(
            CheckId::MtaSts,
            domain,
            Status::Good,
            Text::new(
                "MTA-STS in mode enforce; elke MX-host staat in het beleid en heeft een geldig certificaat.",
                "MTA-STS in mode enforce; every MX host is in the policy and has a valid certificate.",
            ),
        ),
        Mode::Testing => Check::recommended(
            CheckId::MtaSts,
            domain,
            Status::Warning,
            Text::new(
                "MTA-STS in mode testing: verzenders melden fouten, maar leveren toch af.",
                "MTA-STS in mode testing: senders report failures but deliver anyway.",
            ),
        )
        .advise(Text::new(
            "Zet mode: enforce zodra de TLS-rapporten geen fouten meer tonen.",
            "Set mode: enforce once the TLS reports show no more failures.",
        )),
        Mode::None => Check::recommended(
            CheckId::MtaSts,
            domain,
            Status::Bad,
            Text::new(
                "MTA-STS staat uit (mode none).",
                "MTA-STS is switched off (mode none).",
            ),
        )
        .advise(advice_publish),
    };
    check = check
        .fact("id", id)
        .fact("mode", mode)
        .fact("mx", policy.mx.join(", "))
        .fact("max_age", policy.max_age.to_string());
    if policy.max_age < SHORT_MAX_AGE && check.advice.is_none() {
        check = check.advise(Text::new(
            "max_age is korter dan een dag: verzenders vergeten het beleid snel. Kies enkele weken (bijv. 1209600).",
            "max_age is shorter than a day: senders forget the policy soon. Choose some weeks (e.g. 1209600).",
        ));
    }
    check
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_parse_and_match() {
        let p = Policy::parse(
            "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n",
        )
        .unwrap();
        assert_eq!(p.mode, Mode::Enforce);
        assert!(p.matches_mx("MAIL.example.com."));
        assert!(p.matches_mx("mx1.example.net"));
        assert!(!p.matches_mx("a.mx1.example.net"));
        assert!(!p.matches_mx("example.net"));
        for bad in [
            "",
            "<html>not found</html>",
            "version: STSv1\nmode: enforce\nmax_age: 1\n",
            "version: STSv2\nmode: none\nmax_age: 1\n",
            "version: STSv1\nmode: Enforce\nmx: a.b\nmax_age: 1\n",
            "version: STSv1\nmode: none\nmax_age: 1d\n",
        ] {
            assert!(Policy::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            Policy::parse("version: STSv1\nmode: none\nmax_age: 0\n")
                .unwrap()
                .mode,
            Mode::None
        );
    }
}
