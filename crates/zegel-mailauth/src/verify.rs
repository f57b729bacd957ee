//! The inbound checks of one message: SPF, every DKIM signature, ARC and
//! DMARC, each done by mail-auth, turned into a [`Report`].

use crate::report::{
    Alignment, ArcCheck, DkimCheck, DmarcCheck, DmarcPolicy, Outcome, Problem, Report, SpfCheck,
    SpfIdentity,
};
use crate::DnsResolver;
use base64::Engine;
use mail_auth::common::crypto::Algorithm;
use mail_auth::dmarc::verify::DmarcParameters;
use mail_auth::dmarc::Policy;
use mail_auth::spf::verify::SpfParameters;
use mail_auth::{
    AuthenticatedMessage, AuthenticationResults, DkimOutput, DkimResult, DmarcResult, SpfOutput,
    SpfResult,
};
use std::net::IpAddr;

/// Why a message could not be checked at all.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// No header could be read: this is not a mail message.
    #[error("not a mail message: no header could be read")]
    Unparseable,
    /// The DNS resolver could not be set up.
    #[error("DNS resolver: {0}")]
    Resolver(String),
}

/// The name SPF's `%{r}` macro gets for the checking host (RFC 7208 7.3
/// allows "unknown" when it is not known).
const CHECKING_HOST: &str = "unknown";

/// Checks one received message.
///
/// - `raw`: the message as received (headers and body, CRLF line ends).
/// - `client_ip`: the address of the SMTP client that handed it over.
/// - `helo`: the name it gave in HELO/EHLO (empty when unknown).
/// - `mail_from`: the envelope sender, with or without `<>`; empty for the
///   null sender, in which case SPF checks the HELO name.
/// - `resolver`: where DNS questions go.
///
/// DNS failures are not errors: they become `temperror` results. Only a
/// message without readable headers is refused.
pub async fn verify_message(
    raw: &[u8],
    client_ip: IpAddr,
    helo: &str,
    mail_from: &str,
    resolver: &DnsResolver,
) -> Result<Report, VerifyError> {
    let message = AuthenticatedMessage::parse(raw).ok_or(VerifyError::Unparseable)?;
    let auth = resolver.authenticator();
    let helo = helo.trim();
    let mail_from = mail_from
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');

    // SPF: the envelope sender, or the HELO name for the null sender.
    let (identity, spf) = if !mail_from.is_empty() {
        let params = SpfParameters::verify_mail_from(client_ip, helo, CHECKING_HOST, mail_from);
        (SpfIdentity::MailFrom, auth.verify_spf(params).await)
    } else if !helo.is_empty() {
        let params = SpfParameters::verify_ehlo(client_ip, helo, CHECKING_HOST);
        (SpfIdentity::Helo, auth.verify_spf(params).await)
    } else {
        (SpfIdentity::Helo, SpfOutput::default())
    };
    let spf_domain = match identity {
        SpfIdentity::MailFrom => mail_from.rsplit_once('@').map_or(helo, |(_, d)| d),
        SpfIdentity::Helo => helo,
    };

    let dkim = auth.verify_dkim(&message).await;
    let arc = auth.verify_arc(&message).await;
    let dmarc = auth
        .verify_dmarc(DmarcParameters::new(&message, &dkim, spf_domain, &spf))
        .await;

    let mut results = AuthenticationResults::new("");
    // Without an identity SPF was not checked: no `spf=` result.
    results = match identity {
        SpfIdentity::MailFrom => results.with_spf_mailfrom_result(&spf, client_ip, mail_from, helo),
        SpfIdentity::Helo if !helo.is_empty() => {
            results.with_spf_ehlo_result(&spf, client_ip, helo)
        }
        SpfIdentity::Helo => results,
    };
    results = results
        .with_dkim_results(&dkim, message.from())
        .with_arc_result(&arc, client_ip);
    if !dmarc.domain().is_empty() {
        results = results.with_dmarc_result(&dmarc);
    }

    let arc_sets = message.as_headers.len();
    Ok(Report {
        spf: SpfCheck {
            outcome: spf_outcome(spf.result()),
            identity,
            domain: spf.domain().to_string(),
            client_ip,
            explanation: spf.explanation().map(str::to_string),
        },
        dkim: dkim.iter().map(dkim_check).collect(),
        dmarc: DmarcCheck {
            outcome: if dmarc.domain().is_empty() {
                Outcome::None
            } else {
                dmarc_outcome(&dmarc.result())
            },
            from_domain: dmarc.domain().to_string(),
            policy: dmarc.dmarc_record().map(|_| match dmarc.policy() {
                Policy::Reject => DmarcPolicy::Reject,
                Policy::Quarantine => DmarcPolicy::Quarantine,
                Policy::None | Policy::Unspecified => DmarcPolicy::None,
            }),
            spf: alignment(dmarc.spf_result()),
            dkim: alignment(dmarc.dkim_result()),
        },
        arc: ArcCheck {
            outcome: match arc.result() {
                DkimResult::Pass => Outcome::Pass,
                DkimResult::None if arc_sets == 0 => Outcome::None,
                _ => Outcome::Fail,
            },
            sets: arc_sets,
            last_sealer: arc
                .sets()
                .last()
                .map(|set| set.seal.header.d.clone())
                .or_else(|| message.as_headers.last().map(|h| h.header.d.clone())),
            problem: dkim_problem(arc.result()),
        },
        results: results.to_string(),
    })
}

fn spf_outcome(result: SpfResult) -> Outcome {
    match result {
        SpfResult::Pass => Outcome::Pass,
        SpfResult::Fail => Outcome::Fail,
        SpfResult::SoftFail => Outcome::SoftFail,
        SpfResult::Neutral => Outcome::Neutral,
        SpfResult::TempError => Outcome::TempError,
        SpfResult::PermError => Outcome::PermError,
        SpfResult::None => Outcome::None,
    }
}

fn dmarc_outcome(result: &DmarcResult) -> Outcome {
    match result {
        DmarcResult::Pass => Outcome::Pass,
        DmarcResult::Fail(_) => Outcome::Fail,
        DmarcResult::TempError(_) => Outcome::TempError,
        DmarcResult::PermError(_) => Outcome::PermError,
        DmarcResult::None => Outcome::None,
    }
}

/// mail-auth marks a mechanism `pass` when it passed aligned, `fail` (not
/// aligned) when it passed for another domain, `none` when it did not pass.
fn alignment(result: &DmarcResult) -> Alignment {
    match result {
        DmarcResult::Pass => Alignment::Aligned,
        DmarcResult::Fail(_) => Alignment::NotAligned,
        DmarcResult::TempError(_) => Alignment::TempError,
        DmarcResult::PermError(_) | DmarcResult::None => Alignment::NotPassed,
    }
}

fn dkim_problem(result: &DkimResult) -> Option<Problem> {
    match result {
        DkimResult::Pass | DkimResult::None => None,
        DkimResult::Neutral(e)
        | DkimResult::Fail(e)
        | DkimResult::PermError(e)
        | DkimResult::TempError(e) => Some(Problem::from_error(e)),
    }
}

/// mail-auth's words are kept: it reports a body hash mismatch and an
/// expired signature as `neutral` (RFC 6376 6.1 would say PERMFAIL); the
/// problem says what happened either way.
fn dkim_check(output: &DkimOutput<'_>) -> DkimCheck {
    let outcome = match output.result() {
        DkimResult::Pass => Outcome::Pass,
        DkimResult::Neutral(_) => Outcome::Neutral,
        DkimResult::Fail(_) => Outcome::Fail,
        DkimResult::PermError(_) => Outcome::PermError,
        DkimResult::TempError(_) => Outcome::TempError,
        DkimResult::None => Outcome::None,
    };
    let signature = output.signature();
    DkimCheck {
        outcome,
        domain: signature.map(|s| s.d.clone()).unwrap_or_default(),
        selector: signature.map(|s| s.s.clone()).unwrap_or_default(),
        algorithm: signature
            .map(|s| match s.a {
                Algorithm::RsaSha1 => "rsa-sha1",
                Algorithm::RsaSha256 => "rsa-sha256",
                Algorithm::Ed25519Sha256 => "ed25519-sha256",
            })
            .unwrap_or_default()
            .to_string(),
        signature_prefix: signature
            .map(|s| base64::engine::general_purpose::STANDARD.encode(&s.b[..s.b.len().min(6)]))
            .unwrap_or_default(),
        problem: dkim_problem(output.result()),
    }
}
