//! `zegel check-domain`: how well is a mail domain set up? SPF, DMARC,
//! DKIM, and for every MX host STARTTLS, the TLS versions, cipher suites
//! and key exchange it accepts (judged by the NCSC-NL TLS guidelines 2.1),
//! its certificate and DANE; then MTA-STS and TLS-RPT. The outcome is a
//! [`Report`]: per check a status, facts and advice in Dutch and English,
//! and a score like internet.nl's mail test.
//!
//! A diagnostic with its own network probes (DNS, SMTP, HTTPS), run by
//! hand; not part of the mail path, so it lives apart from
//! `zegel-mailauth` (which checks mail as it passes).
//!
//! # Layout
//! - `probe.rs`: [`Probe`], how the checks reach the world (DNS servers,
//!   ports, timeouts, trusted roots): tests point it at 127.0.0.1.
//! - `dns.rs`: a small DNS stub that keeps the AD bit of each answer.
//! - `spf.rs`, `dmarc.rs`, `dkim.rs`: the authenticity records.
//! - `mx_tls.rs`: the MX list and the per-host checks, from
//!   `smtp.rs` (up to STARTTLS), `handshake.rs` (rustls: the normal
//!   handshake and the chain), `legacy.rs` (OpenSSL: old versions and weak
//!   suites), `ncsc.rs` (the guideline tables) and `cert.rs` (the
//!   certificate).
//! - `dane.rs`: TLSA records against the presented chain.
//! - `mta_sts.rs`, `tls_rpt.rs`: the policies for senders.
//! - `report.rs`: the report model and the score; `text.rs`: its text form.
//! - `error.rs`: [`CheckError`], when no report can be made at all.

#![warn(missing_docs)]

mod cert;
mod dane;
mod dkim;
mod dmarc;
mod dns;
mod error;
mod handshake;
mod legacy;
mod mta_sts;
mod mx_tls;
mod ncsc;
mod probe;
mod report;
mod smtp;
mod spf;
mod text;
mod tls_rpt;

pub use error::{CheckError, ProbeError};
pub use probe::{Probe, Trust, COMMON_DKIM_SELECTORS};
pub use report::{Check, CheckId, Fact, Lang, Report, Status, Text, REQUIRED};
pub use text::render;

use dns::Dns;
use std::path::Path;

/// Where the system's resolvers are listed.
const RESOLV_CONF: &str = "/etc/resolv.conf";

/// `domain` in lower case without a trailing dot, if it is a domain name
/// (LDH labels; at least two of them; zegel-mtasts's check).
fn normalise(domain: &str) -> Result<String, CheckError> {
    let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    if zegel_mtasts::is_domain(&d) {
        Ok(d)
    } else {
        Err(CheckError::BadDomain(domain.to_string()))
    }
}

/// What the report never covers, and what this build could not probe.
fn not_checked() -> Vec<Text> {
    let mut out = vec![
        Text::new(
            "SSL 2.0 en 3.0: deze OpenSSL-bouw kan ze niet aanbieden.",
            "SSL 2.0 and 3.0: this OpenSSL build cannot offer them.",
        ),
        Text::new(
            "Suites met CAMELLIA, ARIA, SEED, IDEA, PSK of SRP, TLS 1.3 met CCM, de hashfunctie van de sleuteluitwisseling, TLS-compressie, renegotiation, 0-RTT en OCSP stapling.",
            "Suites with CAMELLIA, ARIA, SEED, IDEA, PSK or SRP, TLS 1.3 with CCM, the key exchange's hash function, TLS compression, renegotiation, 0-RTT and OCSP stapling.",
        ),
        Text::new(
            "Per MX-host alleen het eerste adres; IPv6-bereikbaarheid, DNSSEC van het domein zelf en RPKI (internet.nl test die wel).",
            "Per MX host only the first address; IPv6 reachability, DNSSEC of the domain itself and RPKI (internet.nl tests those).",
        ),
        Text::new(
            "DKIM-sleutels onder selectors die niet bekend zijn (DNS kan ze niet opsommen).",
            "DKIM keys under selectors not known (DNS cannot list them).",
        ),
    ];
    let missing = legacy::unavailable_suites();
    if !missing.is_empty() {
        out.push(Text::new(
            format!(
                "Niet aan te bieden met deze OpenSSL, dus niet getest: {}.",
                missing.join(", ")
            ),
            format!(
                "Cannot be offered with this OpenSSL, so not probed: {}.",
                missing.join(", ")
            ),
        ));
    }
    out
}

/// Checks `domain` as `probe` says and returns the report. Failures on the
/// way (a DNS timeout, a refused connection) become checks with status
/// `error`; only a bad domain name, no resolvers or unusable trusted roots
/// give a [`CheckError`].
pub async fn check_domain(domain: &str, probe: &Probe) -> Result<Report, CheckError> {
    let domain = normalise(domain)?;
    let servers = if probe.dns_servers.is_empty() {
        Dns::system_servers(Path::new(RESOLV_CONF)).map_err(|source| CheckError::NoResolvers {
            path: RESOLV_CONF.into(),
            source,
        })?
    } else {
        probe.dns_servers.clone()
    };
    let dns = Dns::new(servers, probe.timeout);
    let verifier = probe.verifier()?;

    let mut selectors: Vec<String> = Vec::new();
    for s in probe
        .dkim_selectors
        .iter()
        .map(|s| s.trim().to_ascii_lowercase())
        .chain(COMMON_DKIM_SELECTORS.iter().map(|s| s.to_string()))
    {
        if !s.is_empty() && !selectors.contains(&s) {
            selectors.push(s);
        }
    }

    let mail_servers = async {
        let (mx, hosts) = mx_tls::mx_list(&dns, &domain, probe.max_mx).await;
        let (checks, verdicts) = mx_tls::check_hosts(&dns, &hosts, probe, verifier.clone()).await;
        (mx, hosts, checks, verdicts)
    };
    let (spf, dmarc, dkim, tls_rpt, sts_found, (mx, hosts, host_checks, verdicts)) = tokio::join!(
        spf::check(&dns, &domain),
        dmarc::check(&dns, &domain),
        dkim::check(&dns, &domain, &selectors),
        tls_rpt::check(&dns, &domain),
        mta_sts::discover(&dns, &domain, probe, verifier.clone()),
        mail_servers,
    );
    let mta_sts = mta_sts::check(&domain, sts_found, &hosts, &verdicts);

    let mut checks = Vec::new();
    checks.extend(spf);
    checks.extend(dmarc);
    checks.push(dkim);
    checks.push(mx);
    checks.extend(host_checks);
    checks.push(mta_sts);
    checks.push(tls_rpt);
    let resolvers = dns.servers().iter().map(|s| s.to_string()).collect();
    let not_checked = tokio::task::spawn_blocking(not_checked)
        .await
        .unwrap_or_default();
    Ok(Report::new(&domain, resolvers, checks, not_checked))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_names_are_normalised_or_refused() {
        assert_eq!(normalise("Zorg.NL.").unwrap(), "zorg.nl");
        assert_eq!(
            normalise(" mail.example.test ").unwrap(),
            "mail.example.test"
        );
        for bad in [
            "",
            "localhost",
            "127.0.0.1",
            "a..b",
            "-a.nl",
            "a_b.nl",
            "zorg nl",
        ] {
            assert!(normalise(bad).is_err(), "{bad:?}");
        }
    }
}
