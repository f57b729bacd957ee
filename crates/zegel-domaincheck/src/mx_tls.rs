//! The mail servers: the MX list, and per MX host whether it offers
//! STARTTLS, which TLS versions, cipher suites and key exchange it accepts
//! (judged by the NCSC-NL guidelines, [`crate::ncsc`]), the certificate it
//! presents, and DANE ([`crate::dane`]).
//!
//! Per host, on its first address, one connection per handshake (each
//! with its own SMTP dialogue up to STARTTLS):
//! 1. rustls, TLS 1.3 and 1.2: what a modern sender gets, and the chain;
//! 2. rustls, TLS 1.2 only;
//! 3. OpenSSL ([`crate::legacy`]): TLS 1.1 only, TLS 1.0 only, then TLS
//!    1.0-1.2 with only sufficient, only phase-out, only insufficient
//!    suites, only DHE (its size), only ECDHE on secp224r1.
//!
//! Hosts are probed side by side; the handshakes of one host one after the
//! other, to stay within the connection limits mail servers set.

use crate::cert;
use crate::dane::{self, TlsaSet};
use crate::dns::{Dns, DnsError};
use crate::error::ProbeError;
use crate::handshake::{self, Seen};
use crate::legacy::{self, Offer, Outcome};
use crate::ncsc::{self, Class};
use crate::probe::Probe;
use crate::report::{Check, CheckId, Lang, Status, Text};
use crate::smtp::{self, Dialogue};
use hickory_resolver::proto::rr::{RData, RecordType};
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// One MX host.
#[derive(Debug, Clone)]
pub struct MxHost {
    /// Its name (lower case, no trailing dot).
    pub name: String,
    /// Its addresses, IPv4 first.
    pub addresses: Vec<IpAddr>,
}

/// What MTA-STS needs to know of one host.
#[derive(Debug, Clone)]
pub struct HostVerdict {
    /// The host.
    pub name: String,
    /// STARTTLS with a trusted certificate valid for the name: Some(true);
    /// not: Some(false); not known (no connection): None.
    pub verified_tls: Option<bool>,
}

/// The MX list, as the check `mx` and the hosts to probe.
pub async fn mx_list(dns: &Dns, domain: &str, max: usize) -> (Check, Vec<MxHost>) {
    let answer = match dns.query(domain, RecordType::MX).await {
        Ok(a) => a,
        Err(e) => {
            return (
                Check::recommended(
                    CheckId::Mx,
                    domain,
                    Status::Error,
                    Text::new(
                        format!("MX-records konden niet worden opgevraagd: {e}"),
                        format!("MX records could not be looked up: {e}"),
                    ),
                ),
                Vec::new(),
            )
        }
    };
    let mut mx: Vec<(u16, String)> = answer
        .records
        .iter()
        .filter_map(|r| match r {
            RData::MX(m) => Some((
                m.preference,
                m.exchange
                    .to_ascii()
                    .trim_end_matches('.')
                    .to_ascii_lowercase(),
            )),
            _ => None,
        })
        .collect();
    mx.sort();
    if mx.len() == 1 && mx[0].1.is_empty() {
        return (
            Check::recommended(
                CheckId::Mx,
                domain,
                Status::Good,
                Text::new(
                    "Null MX (RFC 7505): het domein ontvangt geen mail; transportbeveiliging is niet van toepassing.",
                    "Null MX (RFC 7505): the domain receives no mail; transport security does not apply.",
                ),
            )
            .fact("mx", "0 ."),
            Vec::new(),
        );
    }
    let implicit = mx.is_empty();
    if implicit {
        mx.push((0, domain.to_string()));
    }
    let mut hosts = Vec::new();
    for (_, name) in mx.iter().take(max) {
        let addresses = dns.addresses(name).await.unwrap_or_default();
        hosts.push(MxHost {
            name: name.clone(),
            addresses,
        });
    }
    hosts.retain(|h| !(implicit && h.addresses.is_empty()));
    let list = mx
        .iter()
        .map(|(p, n)| format!("{p} {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut check = if hosts.is_empty() {
        Check::recommended(
            CheckId::Mx,
            domain,
            Status::Bad,
            Text::new(
                "Geen MX-records en geen adres: het domein kan geen mail ontvangen.",
                "No MX records and no address: the domain cannot receive mail.",
            ),
        )
        .advise(Text::new(
            "Publiceer MX-records, of een null MX (\"0 .\") als het domein geen mail ontvangt.",
            "Publish MX records, or a null MX (\"0 .\") when the domain receives no mail.",
        ))
    } else if implicit {
        Check::recommended(
            CheckId::Mx,
            domain,
            Status::Warning,
            Text::new(
                "Geen MX-records: verzenders gebruiken het adres van het domein zelf.",
                "No MX records: senders use the address of the domain itself.",
            ),
        )
        .advise(Text::new(
            "Publiceer MX-records, zodat duidelijk is welke servers mail ontvangen.",
            "Publish MX records, so it is clear which servers receive mail.",
        ))
    } else {
        Check::recommended(
            CheckId::Mx,
            domain,
            Status::Good,
            Text::new(
                format!("{} mailserver(s).", mx.len()),
                format!("{} mail server(s).", mx.len()),
            ),
        )
        .fact("mx", list)
    };
    for h in &hosts {
        let addresses = h
            .addresses
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        check = check.fact(
            "addresses",
            format!(
                "{}: {}",
                h.name,
                if addresses.is_empty() {
                    "-"
                } else {
                    &addresses
                }
            ),
        );
    }
    if mx.len() > max {
        check = check.fact("note", format!("only the first {max} MX hosts are probed"));
    }
    (check, hosts)
}

/// Everything the handshakes with one host showed.
#[derive(Debug)]
struct HostProbe {
    address: Option<SocketAddr>,
    /// Ok(true): STARTTLS offered; Ok(false): not; Err: no dialogue.
    dialogue: Result<bool, ProbeError>,
    main: Option<Result<Seen, ProbeError>>,
    tls12: Option<Result<Seen, ProbeError>>,
    legacy: Vec<(Offer, Outcome)>,
}

/// One connection up to STARTTLS, then `then` with the socket.
fn connect<T>(
    addr: SocketAddr,
    probe: &Probe,
    then: impl FnOnce(std::net::TcpStream) -> T,
) -> Result<T, ProbeError> {
    match smtp::starttls(addr, &probe.ehlo_name, probe.timeout)? {
        Dialogue::Ready(stream) => Ok(then(stream)),
        Dialogue::NoStartTls => Err(ProbeError::StartTlsWithdrawn),
    }
}

/// The handshakes with one host (blocking).
fn probe_host(host: &MxHost, probe: &Probe, verifier: Arc<dyn ServerCertVerifier>) -> HostProbe {
    let Some(ip) = host.addresses.first() else {
        return HostProbe {
            address: None,
            dialogue: Err(ProbeError::NoAddress),
            main: None,
            tls12: None,
            legacy: Vec::new(),
        };
    };
    let addr = SocketAddr::new(*ip, probe.smtp_port);
    let first = match smtp::starttls(addr, &probe.ehlo_name, probe.timeout) {
        Err(e) => {
            return HostProbe {
                address: Some(addr),
                dialogue: Err(e),
                main: None,
                tls12: None,
                legacy: Vec::new(),
            }
        }
        Ok(Dialogue::NoStartTls) => {
            return HostProbe {
                address: Some(addr),
                dialogue: Ok(false),
                main: None,
                tls12: None,
                legacy: Vec::new(),
            }
        }
        Ok(Dialogue::Ready(stream)) => stream,
    };
    let all = [&rustls::version::TLS13, &rustls::version::TLS12];
    let main = handshake::handshake(first, &host.name, &all, verifier.clone());
    let tls12 = connect(addr, probe, |s| {
        handshake::handshake(s, &host.name, &[&rustls::version::TLS12], verifier.clone())
    })
    .and_then(|r| r);
    let mut legacy_results = Vec::new();
    for offer in [
        Offer::Tls11,
        Offer::Tls10,
        Offer::Suites(Class::Sufficient),
        Offer::Suites(Class::PhaseOut),
        Offer::Suites(Class::Insufficient),
        Offer::Dhe,
        Offer::WeakCurve,
    ] {
        let outcome = connect(addr, probe, |s| legacy::probe(s, &host.name, offer))
            .unwrap_or_else(|e| Outcome::Refused(e.to_string()));
        legacy_results.push((offer, outcome));
    }
    HostProbe {
        address: Some(addr),
        dialogue: Ok(true),
        main: Some(main),
        tls12: Some(tls12),
        legacy: legacy_results,
    }
}

/// The checks of every host, and what MTA-STS needs of them.
pub async fn check_hosts(
    dns: &Dns,
    hosts: &[MxHost],
    probe: &Probe,
    verifier: Arc<dyn ServerCertVerifier>,
) -> (Vec<Check>, Vec<HostVerdict>) {
    let mut tasks = tokio::task::JoinSet::new();
    for (i, host) in hosts.iter().enumerate() {
        let (host, probe, verifier, dns) =
            (host.clone(), probe.clone(), verifier.clone(), dns.clone());
        tasks.spawn(async move {
            let tlsa = dane::lookup(&dns, &host.name).await;
            let blocking_host = host.clone();
            let blocking_verifier = verifier.clone();
            let probed = tokio::task::spawn_blocking(move || {
                probe_host(&blocking_host, &probe, blocking_verifier)
            })
            .await
            .unwrap_or_else(|e| HostProbe {
                address: None,
                dialogue: Err(ProbeError::Task(e)),
                main: None,
                tls12: None,
                legacy: Vec::new(),
            });
            let (checks, verdict) = host_checks(&host, &probed, &tlsa, verifier.as_ref());
            (i, checks, verdict)
        });
    }
    let mut done = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok(result) = joined {
            done.push(result);
        }
    }
    done.sort_by_key(|(i, _, _)| *i);
    let mut checks = Vec::new();
    let mut verdicts = Vec::new();
    for (_, c, v) in done {
        checks.extend(c);
        verdicts.push(v);
    }
    (checks, verdicts)
}

/// The six checks of one host.
fn host_checks(
    host: &MxHost,
    probed: &HostProbe,
    tlsa: &Result<TlsaSet, DnsError>,
    verifier: &dyn ServerCertVerifier,
) -> (Vec<Check>, HostVerdict) {
    let name = host.name.as_str();
    let tls_ids = [
        CheckId::TlsVersions,
        CheckId::TlsCiphers,
        CheckId::TlsKeyExchange,
        CheckId::Certificate,
    ];
    let address = probed
        .address
        .map(|a| a.to_string())
        .unwrap_or_else(|| "-".into());
    match &probed.dialogue {
        Err(reason) => {
            let summary = Text::new(
                format!("Geen SMTP-verbinding met {name} ({address}): {reason}."),
                format!("No SMTP connection with {name} ({address}): {reason}."),
            );
            let mut checks =
                vec![
                    Check::required(CheckId::Starttls, name, Status::Error, summary.clone())
                        .fact("address", address),
                ];
            for id in tls_ids {
                checks.push(Check::required(id, name, Status::Error, summary.clone()));
            }
            checks.push(dane::check(name, tlsa, None));
            let verdict = HostVerdict {
                name: name.to_string(),
                verified_tls: None,
            };
            return (checks, verdict);
        }
        Ok(false) => {
            let mut checks = vec![Check::required(
                CheckId::Starttls,
                name,
                Status::Bad,
                Text::new(
                    "Deze mailserver biedt geen STARTTLS aan: mail komt onversleuteld binnen.",
                    "This mail server offers no STARTTLS: mail arrives unencrypted.",
                ),
            )
            .fact("address", address)
            .advise(Text::new(
                "Zet STARTTLS aan met een certificaat voor de naam van de server (Postfix: smtpd_tls_security_level = may, smtpd_tls_chain_files).",
                "Turn STARTTLS on with a certificate for the server's name (Postfix: smtpd_tls_security_level = may, smtpd_tls_chain_files).",
            ))];
            let not_tested = Text::new("Niet getest: geen STARTTLS.", "Not tested: no STARTTLS.");
            for id in tls_ids {
                checks.push(Check::required(id, name, Status::Bad, not_tested.clone()));
            }
            checks.push(dane::check(name, tlsa, None));
            let verdict = HostVerdict {
                name: name.to_string(),
                verified_tls: Some(false),
            };
            return (checks, verdict);
        }
        Ok(true) => {}
    }
    let starttls = Check::required(
        CheckId::Starttls,
        name,
        Status::Good,
        Text::new("STARTTLS wordt aangeboden.", "STARTTLS is offered."),
    )
    .fact("address", address);

    // The chain: from rustls, or else from an OpenSSL handshake that
    // worked (a server with only TLS 1.0 still shows its certificate).
    let (chain, chain_error) = match &probed.main {
        Some(Ok(seen)) if !seen.chain.is_empty() => {
            (Some(seen.chain.clone()), seen.chain_error.clone())
        }
        _ => {
            let legacy_chain = probed.legacy.iter().find_map(|(_, o)| match o {
                Outcome::Accepted { chain, .. } if !chain.is_empty() => Some(chain.clone()),
                _ => None,
            });
            match legacy_chain {
                Some(c) => {
                    let error = verify_chain(verifier, &c, name);
                    (Some(c), error)
                }
                None => (None, None),
            }
        }
    };

    let versions = versions_check(name, probed);
    let ciphers = ciphers_check(name, probed);
    let kx = key_exchange_check(name, probed);
    let dane_check = dane::check(name, tlsa, chain.as_deref());
    let dane_ok = matches!(dane_check.status, Status::Good | Status::Warning);
    let (certificate, verified) = certificate_check(name, chain.as_deref(), chain_error, dane_ok);
    let verdict = HostVerdict {
        name: name.to_string(),
        verified_tls: Some(verified),
    };
    (
        vec![starttls, versions, ciphers, kx, certificate, dane_check],
        verdict,
    )
}

fn accepted(outcome: &Outcome) -> Option<(&str, &str)> {
    match outcome {
        Outcome::Accepted { version, suite, .. } => Some((version.as_str(), suite.as_str())),
        _ => None,
    }
}

fn legacy_of(probed: &HostProbe, offer: Offer) -> Option<&Outcome> {
    probed
        .legacy
        .iter()
        .find(|(o, _)| *o == offer)
        .map(|(_, out)| out)
}

fn versions_check(name: &str, probed: &HostProbe) -> Check {
    let mut yes: Vec<&str> = Vec::new();
    let mut no: Vec<&str> = Vec::new();
    match &probed.main {
        Some(Ok(seen)) if seen.version == "TLSv1.3" => yes.push("TLSv1.3"),
        _ => no.push("TLSv1.3"),
    }
    match &probed.tls12 {
        Some(Ok(_)) => yes.push("TLSv1.2"),
        _ => no.push("TLSv1.2"),
    }
    for (offer, label) in [(Offer::Tls11, "TLSv1.1"), (Offer::Tls10, "TLSv1.0")] {
        match legacy_of(probed, offer) {
            Some(Outcome::Accepted { .. }) => yes.push(label),
            Some(Outcome::NotOffered) => {}
            _ => no.push(label),
        }
    }
    let worst = yes.iter().map(|v| ncsc::version(v)).max();
    let mut check = match worst {
        None => Check::required(
            CheckId::TlsVersions,
            name,
            Status::Bad,
            Text::new(
                "Geen enkele TLS-handdruk lukte.",
                "No TLS handshake succeeded.",
            ),
        )
        .advise(Text::new(
            "Sta TLS 1.3 en TLS 1.2 toe.",
            "Allow TLS 1.3 and TLS 1.2.",
        )),
        Some(Class::PhaseOut) | Some(Class::Insufficient) => {
            let old: Vec<&str> = yes
                .iter()
                .copied()
                .filter(|v| ncsc::version(v) >= Class::PhaseOut)
                .collect();
            Check::required(
                CheckId::TlsVersions,
                name,
                worst.map(Class::status).unwrap_or(Status::Bad),
                Text::new(
                    format!("De server accepteert {} ({} volgens het NCSC).", old.join(", "), Class::PhaseOut.label(Lang::Nl)),
                    format!("The server accepts {} ({} per the NCSC).", old.join(", "), Class::PhaseOut.label(Lang::En)),
                ),
            )
            .advise(Text::new(
                "Schakel TLS 1.1 en TLS 1.0 uit (Postfix: smtpd_tls_protocols = >=TLSv1.2); sta TLS 1.3 en 1.2 toe.",
                "Switch TLS 1.1 and TLS 1.0 off (Postfix: smtpd_tls_protocols = >=TLSv1.2); allow TLS 1.3 and 1.2.",
            ))
        }
        Some(_) if yes.contains(&"TLSv1.3") => Check::required(
            CheckId::TlsVersions,
            name,
            Status::Good,
            Text::new(
                "Alleen TLS 1.3 en/of 1.2 (goed / voldoende).",
                "Only TLS 1.3 and/or 1.2 (good / sufficient).",
            ),
        ),
        Some(_) => Check::required(
            CheckId::TlsVersions,
            name,
            Status::Sufficient,
            Text::new(
                "Alleen TLS 1.2 (voldoende); TLS 1.3 ontbreekt.",
                "Only TLS 1.2 (sufficient); TLS 1.3 is missing.",
            ),
        )
        .advise(Text::new(
            "Zet TLS 1.3 aan (goed volgens het NCSC).",
            "Turn TLS 1.3 on (good per the NCSC).",
        )),
    };
    check = check
        .fact("accepted", yes.join(", "))
        .fact("refused", no.join(", "))
        .fact("not_probed", "SSLv3, SSLv2");
    if let Some(Err(e)) = &probed.main {
        check = check.fact("rustls", e.to_string());
    }
    if yes.is_empty() {
        for (offer, outcome) in &probed.legacy {
            if let (Offer::Tls10 | Offer::Tls11, Outcome::Refused(why)) = (offer, outcome) {
                check = check.fact("openssl", format!("{offer:?}: {why}"));
            }
        }
    }
    check
}

fn ciphers_check(name: &str, probed: &HostProbe) -> Check {
    let mut seen: Vec<(String, Class)> = Vec::new();
    if let Some(Ok(s)) = &probed.main {
        seen.push((s.suite.clone(), ncsc::suite(&s.suite)));
    }
    if let Some(Ok(s)) = &probed.tls12 {
        seen.push((s.suite.clone(), ncsc::suite(&s.suite)));
    }
    let mut facts = Vec::new();
    for (class, key) in [
        (Class::Sufficient, "suites_sufficient"),
        (Class::PhaseOut, "suites_phase_out"),
        (Class::Insufficient, "suites_insufficient"),
    ] {
        let value = match legacy_of(probed, Offer::Suites(class)) {
            Some(Outcome::Accepted { suite, .. }) => {
                seen.push((suite.clone(), ncsc::suite(suite)));
                format!("accepted ({suite})")
            }
            Some(Outcome::Refused(_)) => "refused".to_string(),
            Some(Outcome::NotOffered) | None => "not probed".to_string(),
        };
        facts.push((key, value));
    }
    for offer in [Offer::Tls11, Offer::Tls10] {
        if let Some((_, suite)) = legacy_of(probed, offer).and_then(accepted) {
            seen.push((suite.to_string(), ncsc::suite(suite)));
        }
    }
    let worst = seen.iter().map(|(_, c)| *c).max();
    let first = seen.first().map(|(s, _)| s.clone()).unwrap_or_default();
    let mut check = match worst {
        None => Check::required(
            CheckId::TlsCiphers,
            name,
            Status::Bad,
            Text::new(
                "Geen enkele TLS-handdruk lukte.",
                "No TLS handshake succeeded.",
            ),
        ),
        Some(worst) => {
            let worst_suites: Vec<&str> = seen
                .iter()
                .filter(|(_, c)| *c == worst)
                .map(|(s, _)| s.as_str())
                .collect();
            let check = Check::required(
                CheckId::TlsCiphers,
                name,
                worst.status(),
                Text::new(
                    format!(
                        "Zwakste geaccepteerde ciphersuite: {} ({}).",
                        worst_suites[0],
                        worst.label(Lang::Nl)
                    ),
                    format!(
                        "Weakest cipher suite accepted: {} ({}).",
                        worst_suites[0],
                        worst.label(Lang::En)
                    ),
                ),
            );
            match worst {
                Class::Good => check,
                Class::Sufficient => check.advise(Text::new(
                    "Voldoende. Wie alleen 'goed' wil: sta alleen ECDHE met AES-GCM of ChaCha20-Poly1305 toe.",
                    "Sufficient. For 'good' only: allow only ECDHE with AES-GCM or ChaCha20-Poly1305.",
                )),
                Class::PhaseOut => check.advise(Text::new(
                    "Schakel 3DES en RSA-sleuteluitwisseling (zonder forward secrecy) uit.",
                    "Switch off 3DES and RSA key exchange (no forward secrecy).",
                )),
                Class::Insufficient => check.advise(Text::new(
                    "Schakel NULL-, anonieme, RC4-, DES- en exportsuites direct uit (Postfix: smtpd_tls_exclude_ciphers = aNULL, eNULL, RC4, DES, 3DES, MD5).",
                    "Switch off NULL, anonymous, RC4, DES and export suites at once (Postfix: smtpd_tls_exclude_ciphers = aNULL, eNULL, RC4, DES, 3DES, MD5).",
                )),
            }
        }
    };
    if !first.is_empty() {
        check = check.fact("negotiated", first);
    }
    for (key, value) in facts {
        check = check.fact(key, value);
    }
    check
}

fn key_exchange_check(name: &str, probed: &HostProbe) -> Check {
    let mut seen: Vec<(String, Class)> = Vec::new();
    for s in [&probed.main, &probed.tls12]
        .into_iter()
        .flatten()
        .flatten()
    {
        if let Some(g) = &s.group {
            if !seen.iter().any(|(n, _)| n == g) {
                seen.push((g.clone(), ncsc::group(g)));
            }
        }
    }
    let dhe = match legacy_of(probed, Offer::Dhe) {
        Some(Outcome::Accepted {
            dh_bits: Some(bits),
            ..
        }) => {
            seen.push((format!("DHE {bits} bits"), ncsc::dh(*bits)));
            format!("accepted, {bits} bits")
        }
        Some(Outcome::Accepted { .. }) => "accepted, size unknown".to_string(),
        Some(Outcome::Refused(_)) => "refused".to_string(),
        _ => "not probed".to_string(),
    };
    let weak_curve = match legacy_of(probed, Offer::WeakCurve) {
        Some(Outcome::Accepted { .. }) => {
            seen.push(("secp224r1".into(), Class::PhaseOut));
            "accepted"
        }
        Some(Outcome::Refused(_)) => "refused",
        _ => "not probed",
    };
    let worst = seen.iter().map(|(_, c)| *c).max();
    let groups = seen
        .iter()
        .map(|(n, c)| format!("{n} ({})", c.label(Lang::En)))
        .collect::<Vec<_>>()
        .join(", ");
    let check = match worst {
        None => Check::required(
            CheckId::TlsKeyExchange,
            name,
            Status::Bad,
            Text::new("Geen sleuteluitwisseling gezien.", "No key exchange seen."),
        ),
        Some(worst) => {
            let check = Check::required(
                CheckId::TlsKeyExchange,
                name,
                worst.status(),
                Text::new(
                    format!("Sleuteluitwisseling: {groups}."),
                    format!("Key exchange: {groups}."),
                ),
            );
            if worst >= Class::PhaseOut {
                check.advise(Text::new(
                    "Gebruik ECDHE met X25519, secp256r1 of secp384r1, en DHE alleen met ffdhe3072 of groter.",
                    "Use ECDHE with X25519, secp256r1 or secp384r1, and DHE only with ffdhe3072 or larger.",
                ))
            } else {
                check
            }
        }
    };
    check
        .fact("groups", groups)
        .fact("dhe", dhe)
        .fact("secp224r1", weak_curve)
}

/// The check `certificate`, and whether a sender with MTA-STS would
/// accept it (trusted and valid for the name).
fn certificate_check(
    name: &str,
    chain: Option<&[CertificateDer<'static>]>,
    chain_error: Option<String>,
    dane_ok: bool,
) -> (Check, bool) {
    let Some(leaf) = chain.and_then(|c| c.first()) else {
        return (
            Check::required(
                CheckId::Certificate,
                name,
                Status::Bad,
                Text::new(
                    "Geen certificaat gezien (geen TLS-handdruk met TLS 1.2 of 1.3).",
                    "No certificate seen (no TLS handshake with TLS 1.2 or 1.3).",
                ),
            ),
            false,
        );
    };
    let info = match cert::inspect(leaf) {
        Ok(i) => i,
        Err(e) => {
            return (
                Check::required(
                    CheckId::Certificate,
                    name,
                    Status::Bad,
                    Text::new(
                        format!("Het certificaat is onleesbaar: {e}"),
                        format!("The certificate cannot be read: {e}"),
                    ),
                ),
                false,
            )
        }
    };
    let name_ok = cert::valid_for(leaf, name);
    let trusted = chain_error.is_none();
    let verified = trusted && name_ok.is_ok() && info.current;
    let strength = info.key_class.max(info.signature_class);
    let mut check = if verified || dane_ok {
        let status = if verified {
            strength.status()
        } else {
            // DANE-EE/TA vouches for it; a CA does not.
            strength.status().max(Status::Sufficient)
        };
        let summary = if verified {
            Text::new(
                format!("Vertrouwd certificaat, geldig voor {name}."),
                format!("Trusted certificate, valid for {name}."),
            )
        } else {
            Text::new(
                format!("Het certificaat is niet door een CA bevestigd voor {name}, maar DANE bevestigt het (voor verzenders met DANE genoeg; met MTA-STS niet)."),
                format!("The certificate is not confirmed by a CA for {name}, but DANE confirms it (enough for senders with DANE; not with MTA-STS)."),
            )
        };
        Check::required(CheckId::Certificate, name, status, summary)
    } else {
        let mut why = Vec::new();
        if let Err(e) = &name_ok {
            why.push(format!("not valid for {name} ({e})"));
        }
        if let Some(e) = &chain_error {
            if name_ok.is_ok() || !e.contains("NotValidForName") {
                why.push(e.clone());
            }
        }
        if !info.current {
            why.push("outside its validity".into());
        }
        Check::required(
            CheckId::Certificate,
            name,
            Status::Bad,
            Text::new(
                format!("Het certificaat is niet geldig: {}.", why.join("; ")),
                format!("The certificate is not valid: {}.", why.join("; ")),
            ),
        )
        .advise(Text::new(
            format!("Gebruik een certificaat van een vertrouwde CA met {name} in subjectAltName (bijv. Let's Encrypt), met de tussencertificaten erbij."),
            format!("Use a certificate from a trusted CA with {name} in subjectAltName (e.g. Let's Encrypt), with the intermediate certificates."),
        ))
    };
    if check.status != Status::Bad && strength >= Class::PhaseOut {
        check = check.advise(Text::new(
            "Gebruik een sterkere sleutel (RSA 3072+, ECDSA P-256/P-384) en een handtekening met SHA-256 of beter.",
            "Use a stronger key (RSA 3072+, ECDSA P-256/P-384) and a signature with SHA-256 or better.",
        ));
    }
    check = check
        .fact("names", info.names.join(", "))
        .fact(
            "key",
            format!("{} ({})", info.key, info.key_class.label(Lang::En)),
        )
        .fact(
            "signature",
            format!(
                "{} ({})",
                info.signature,
                info.signature_class.label(Lang::En)
            ),
        )
        .fact("not_after", info.not_after)
        .fact(
            "trust",
            chain_error.unwrap_or_else(|| "trusted".to_string()),
        );
    (check, verified)
}

/// Whether `chain` verifies for `host` under `verifier` (None: it does).
fn verify_chain(
    verifier: &dyn ServerCertVerifier,
    chain: &[CertificateDer<'static>],
    host: &str,
) -> Option<String> {
    let Some((leaf, rest)) = chain.split_first() else {
        return Some("no certificate".into());
    };
    let Ok(name) = ServerName::try_from(host.to_string()) else {
        return Some(format!("not a host name: {host}"));
    };
    verifier
        .verify_server_cert(leaf, rest, &name, &[], UnixTime::now())
        .err()
        .map(|e| e.to_string())
}
