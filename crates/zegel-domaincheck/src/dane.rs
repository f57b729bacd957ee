//! DANE for SMTP (RFC 7672): TLSA records at `_25._tcp.<mx>` and whether
//! they match the chain the MX presents.
//!
//! - `3 x x` (DANE-EE): the leaf certificate (selector 0) or its public key
//!   (selector 1), exact (matching 0) or as SHA-256 (1) / SHA-512 (2).
//!   Names and CAs do not matter.
//! - `2 x x` (DANE-TA): a CA certificate in the presented chain matches,
//!   and the leaf chains up to it and is valid for the MX name (checked
//!   with rustls's verifier, that CA as the only root).
//! - `0` and `1` (PKIX-TA, PKIX-EE): RFC 7672 section 3.1.3 tells SMTP
//!   clients to treat them as unusable; so do we.
//!
//! TLSA records mean something only when DNSSEC vouches for them: a sender
//! that does DANE asks a validating resolver and uses the records only
//! when it says "authentic" (the AD bit). We report whether our resolver
//! set that bit; we do not validate DNSSEC ourselves.

use crate::cert;
use crate::dns::{Dns, DnsError};
use crate::report::{Check, CheckId, Status, Text};
use hickory_resolver::proto::rr::{RData, RecordType};
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use sha2::{Digest, Sha256, Sha512};
use std::sync::Arc;

/// One TLSA record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tlsa {
    /// Certificate usage (0-3).
    pub usage: u8,
    /// Selector: 0 full certificate, 1 SubjectPublicKeyInfo.
    pub selector: u8,
    /// Matching type: 0 exact, 1 SHA-256, 2 SHA-512.
    pub matching: u8,
    /// The association data.
    pub data: Vec<u8>,
}

impl std::fmt::Display for Tlsa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hex = hex::encode(&self.data);
        let shown = if hex.len() > 16 {
            format!("{}…", &hex[..16])
        } else {
            hex
        };
        write!(
            f,
            "{} {} {} {shown}",
            self.usage, self.selector, self.matching
        )
    }
}

/// The TLSA records of one MX host.
#[derive(Debug, Clone)]
pub struct TlsaSet {
    /// The records.
    pub records: Vec<Tlsa>,
    /// The resolver set AD (DNSSEC-validated).
    pub authentic: bool,
}

/// The TLSA records at `_25._tcp.<host>` (always port 25: that is where
/// senders look, whatever port a test uses).
pub async fn lookup(dns: &Dns, host: &str) -> Result<TlsaSet, DnsError> {
    let answer = dns
        .query(&format!("_25._tcp.{host}"), RecordType::TLSA)
        .await?;
    let records = answer
        .records
        .iter()
        .filter_map(|r| match r {
            RData::TLSA(t) => Some(Tlsa {
                usage: u8::from(t.cert_usage),
                selector: u8::from(t.selector),
                matching: u8::from(t.matching),
                data: t.cert_data.clone(),
            }),
            _ => None,
        })
        .collect();
    Ok(TlsaSet {
        records,
        authentic: answer.authentic,
    })
}

/// Whether `record` matches `der` (usage aside).
fn matches(record: &Tlsa, der: &[u8]) -> bool {
    let selected = match record.selector {
        0 => der.to_vec(),
        1 => match cert::spki(der) {
            Some(spki) => spki,
            None => return false,
        },
        _ => return false,
    };
    let digest = match record.matching {
        0 => selected,
        1 => Sha256::digest(&selected).to_vec(),
        2 => Sha512::digest(&selected).to_vec(),
        _ => return false,
    };
    digest == record.data
}

/// Whether `record` is usable for SMTP (RFC 7672): usage 2 or 3, known
/// selector and matching type.
fn usable(record: &Tlsa) -> bool {
    matches!(record.usage, 2 | 3) && record.selector <= 1 && record.matching <= 2
}

/// The usable records that match `chain` (leaf first) for `host`.
pub fn matching(records: &[Tlsa], chain: &[CertificateDer<'static>], host: &str) -> Vec<Tlsa> {
    let Some(leaf) = chain.first() else {
        return Vec::new();
    };
    records
        .iter()
        .filter(|r| usable(r))
        .filter(|r| match r.usage {
            3 => matches(r, leaf),
            2 => chain[1..]
                .iter()
                .filter(|ca| matches(r, ca))
                .any(|ca| chains_to(leaf, &chain[1..], ca, host)),
            _ => false,
        })
        .cloned()
        .collect()
}

/// Whether `leaf` (with `intermediates`) chains to `anchor` and is valid
/// for `host`.
fn chains_to(
    leaf: &CertificateDer<'static>,
    intermediates: &[CertificateDer<'static>],
    anchor: &CertificateDer<'static>,
    host: &str,
) -> bool {
    let mut roots = rustls::RootCertStore::empty();
    if roots.add(anchor.clone()).is_err() {
        return false;
    }
    let provider = zegel_net::tls::provider();
    let Ok(verifier) =
        rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
    else {
        return false;
    };
    let Ok(name) = ServerName::try_from(host.to_string()) else {
        return false;
    };
    let others: Vec<CertificateDer<'static>> = intermediates
        .iter()
        .filter(|c| *c != anchor)
        .cloned()
        .collect();
    verifier
        .verify_server_cert(leaf, &others, &name, &[], UnixTime::now())
        .is_ok()
}

/// The check `dane` for MX `host`: `tlsa` as looked up, `chain` as
/// presented (None when no TLS session came about).
pub fn check(
    host: &str,
    tlsa: &Result<TlsaSet, DnsError>,
    chain: Option<&[CertificateDer<'static>]>,
) -> Check {
    let set = match tlsa {
        Err(e) => {
            return Check::required(
                CheckId::Dane,
                host,
                Status::Error,
                Text::new(
                    format!("TLSA-records konden niet worden opgevraagd: {e}"),
                    format!("TLSA records could not be looked up: {e}"),
                ),
            )
        }
        Ok(set) => set,
    };
    let name = format!("_25._tcp.{host}");
    if set.records.is_empty() {
        return Check::required(
            CheckId::Dane,
            host,
            Status::Bad,
            Text::new(
                format!("Geen TLSA-records op {name}: verzenders kunnen niet nagaan of ze met de echte server praten, en een aanvaller kan STARTTLS wegfilteren."),
                format!("No TLSA records at {name}: senders cannot tell they talk to the real server, and an attacker can strip STARTTLS."),
            ),
        )
        .advise(Text::new(
            format!("Onderteken de zone van {host} met DNSSEC en publiceer TLSA-records op {name}: \"3 1 1 <SHA-256 van de publieke sleutel>\" en, voor het wisselen van certificaten, \"2 1 1 <SHA-256 van de publieke sleutel van de uitgevende CA>\"."),
            format!("Sign the zone of {host} with DNSSEC and publish TLSA records at {name}: \"3 1 1 <SHA-256 of the public key>\" and, for certificate rollover, \"2 1 1 <SHA-256 of the issuing CA's public key>\"."),
        ));
    }
    let mut check = Check::required(CheckId::Dane, host, Status::Bad, Text::new("", ""));
    for r in &set.records {
        check = check.fact("tlsa", r.to_string());
    }
    check = check.fact("dnssec_ad", if set.authentic { "yes" } else { "no" });
    let usable_count = set.records.iter().filter(|r| usable(r)).count();
    if usable_count == 0 {
        check.summary = Text::new(
            "Alleen TLSA-records die SMTP-verzenders niet gebruiken (usage 0 of 1, of onbekende waarden).",
            "Only TLSA records SMTP senders do not use (usage 0 or 1, or unknown values).",
        );
        return check.advise(Text::new(
            "Gebruik usage 3 (DANE-EE) of 2 (DANE-TA), zoals \"3 1 1\".",
            "Use usage 3 (DANE-EE) or 2 (DANE-TA), such as \"3 1 1\".",
        ));
    }
    let Some(chain) = chain else {
        check.summary = Text::new(
            "Er zijn TLSA-records, maar er kwam geen TLS-sessie tot stand om ze tegen te houden: DANE-verzenders leveren hier niet af.",
            "There are TLSA records, but no TLS session came about to hold them against: DANE senders will not deliver here.",
        );
        return check.advise(Text::new(
            "Bied STARTTLS aan met het certificaat waar de TLSA-records bij horen.",
            "Offer STARTTLS with the certificate the TLSA records belong to.",
        ));
    };
    let matched = matching(&set.records, chain, host);
    if matched.is_empty() {
        check.summary = Text::new(
            "Geen enkel TLSA-record past bij het certificaat dat de server toont: verzenders die DANE gebruiken, leveren hier geen mail af.",
            "No TLSA record matches the certificate the server presents: senders that use DANE deliver no mail here.",
        );
        return check.advise(Text::new(
            "Werk de TLSA-records bij naar het huidige certificaat (publiceer nieuwe records vóór een certificaatwissel).",
            "Update the TLSA records to the current certificate (publish new records before changing certificates).",
        ));
    }
    check = check.fact(
        "matched",
        matched
            .iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    );
    if set.authentic {
        check.status = Status::Good;
        check.summary = Text::new(
            "TLSA-records passen bij het certificaat en de resolver bevestigt ze met DNSSEC.",
            "TLSA records match the certificate and the resolver confirms them with DNSSEC.",
        );
        if set.records.len() < 2 {
            check = check.advise(Text::new(
                "Eén TLSA-record: zet er een tweede naast (bijv. \"2 1 1\" voor de CA, of het record van de volgende sleutel) om certificaatwissels zonder onderbreking te doen.",
                "One TLSA record: add a second one (e.g. \"2 1 1\" for the CA, or the next key's record) to change certificates without an outage.",
            ));
        }
    } else {
        check.status = Status::Warning;
        check.summary = Text::new(
            "TLSA-records passen bij het certificaat, maar de resolver bevestigt ze niet met DNSSEC (geen AD-bit): zonder DNSSEC negeren verzenders ze.",
            "TLSA records match the certificate, but the resolver does not confirm them with DNSSEC (no AD bit): without DNSSEC senders ignore them.",
        );
        check = check.advise(Text::new(
            format!("Controleer dat de zone van {host} met DNSSEC is ondertekend en dat de resolver valideert (zegel vraagt de resolvers uit [dns] servers)."),
            format!("Check that the zone of {host} is signed with DNSSEC and that the resolver validates (zegel asks the resolvers of [dns] servers)."),
        ));
    }
    check
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf_and_ca() -> (Vec<CertificateDer<'static>>, String) {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::new(ca_params, ca_key);
        let key = rcgen::KeyPair::generate().unwrap();
        let leaf = rcgen::CertificateParams::new(vec!["mx.example.test".to_string()])
            .unwrap()
            .signed_by(&key, &issuer)
            .unwrap();
        (
            vec![leaf.der().clone(), ca_cert.der().clone()],
            "mx.example.test".into(),
        )
    }

    fn record(usage: u8, selector: u8, matching: u8, der: &[u8]) -> Tlsa {
        let selected = if selector == 1 {
            cert::spki(der).unwrap()
        } else {
            der.to_vec()
        };
        let data = match matching {
            0 => selected,
            1 => Sha256::digest(&selected).to_vec(),
            _ => Sha512::digest(&selected).to_vec(),
        };
        Tlsa {
            usage,
            selector,
            matching,
            data,
        }
    }

    #[test]
    fn dane_ee_and_ta_match_and_pkix_usages_do_not_count() {
        let (chain, host) = leaf_and_ca();
        for (s, m) in [(1, 1), (0, 1), (1, 2), (0, 0)] {
            let r = vec![record(3, s, m, &chain[0])];
            assert_eq!(matching(&r, &chain, &host), r, "3 {s} {m}");
        }
        let ta = vec![record(2, 1, 1, &chain[1])];
        assert_eq!(matching(&ta, &chain, &host), ta);
        // DANE-TA also needs the MX name in the leaf.
        assert!(matching(&ta, &chain, "other.example.test").is_empty());
        // The CA's key as DANE-EE does not match the leaf.
        assert!(matching(&[record(3, 1, 1, &chain[1])], &chain, &host).is_empty());
        // PKIX usages are unusable for SMTP.
        assert!(matching(&[record(1, 1, 1, &chain[0])], &chain, &host).is_empty());
        assert_eq!(
            record(3, 1, 1, &chain[0]).to_string().len(),
            "3 1 1 ".len() + 16 + "…".len()
        );
    }
}
