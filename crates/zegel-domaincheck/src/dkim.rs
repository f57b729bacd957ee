//! DKIM (RFC 6376): are there public keys in DNS to check the domain's
//! signatures with?
//!
//! DNS cannot list a domain's selectors, so we look under the selectors
//! known to be in use (zegel's own `[dkim] selector`, `--dkim-selector`) and
//! the common ones ([`crate::COMMON_DKIM_SELECTORS`]). Each key record is
//! parsed by mail-auth (which also loads the key); the key size is read
//! from the key itself. When no selector has a key, the name
//! `_domainkey.<domain>` still tells something (RFC 8020): NXDOMAIN means
//! nothing exists below it, so no keys at all; an existing name means keys
//! are there under selectors we do not know.

use crate::dns::Dns;
use crate::report::{Check, CheckId, Status, Text};
use base64::Engine;
use hickory_resolver::proto::rr::RecordType;
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use x509_parser::prelude::FromDer;
use x509_parser::public_key::{PublicKey, RSAPublicKey};
use x509_parser::x509::SubjectPublicKeyInfo;

/// One key found.
#[derive(Debug)]
struct Key {
    selector: String,
    /// `rsa 2048`, `ed25519`.
    kind: String,
    status: Status,
    testing: bool,
}

/// The value of tag `name` in a tag list (`k=v; k=v`).
fn tag<'a>(record: &'a str, name: &str) -> Option<&'a str> {
    record.split(';').find_map(|t| {
        let (k, v) = t.split_once('=')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// RSA modulus size in bits of a DKIM `p=` value (SubjectPublicKeyInfo, or
/// a bare RSAPublicKey as some signers publish).
fn rsa_bits(der: &[u8]) -> Option<usize> {
    if let Ok((_, spki)) = SubjectPublicKeyInfo::from_der(der) {
        if let Ok(PublicKey::RSA(rsa)) = spki.parsed() {
            return Some(rsa.key_size());
        }
    }
    RSAPublicKey::from_der(der).ok().map(|(_, k)| k.key_size())
}

/// What is wrong with a published key record.
#[derive(Debug, thiserror::Error)]
enum KeyProblem {
    #[error("{selector}: revoked (empty p=)")]
    Revoked { selector: String },
    #[error("{selector}: not a usable key ({reason})")]
    Unusable { selector: String, reason: String },
    #[error("{selector}: p= is not an RSA public key")]
    NotRsa { selector: String },
}

/// Classifies one key record; None when it is not a key record at all.
fn key(selector: &str, record: &str) -> Option<Result<Key, KeyProblem>> {
    let p = tag(record, "p")?;
    if tag(record, "v").is_some_and(|v| v != "DKIM1") {
        return None;
    }
    let testing = tag(record, "t").is_some_and(|t| t.split(':').any(|f| f.trim() == "y"));
    if p.is_empty() {
        return Some(Err(KeyProblem::Revoked {
            selector: selector.to_string(),
        }));
    }
    if let Err(e) = DomainKey::parse(record.as_bytes()) {
        return Some(Err(KeyProblem::Unusable {
            selector: selector.to_string(),
            reason: e.to_string(),
        }));
    }
    let kind = tag(record, "k").unwrap_or("rsa").to_ascii_lowercase();
    let der = base64::engine::general_purpose::STANDARD
        .decode(p.split_whitespace().collect::<String>())
        .ok();
    let (kind, status) = if kind == "ed25519" {
        ("ed25519".to_string(), Status::Good)
    } else {
        match der.as_deref().and_then(rsa_bits) {
            Some(bits) if bits >= 2048 => (format!("rsa {bits}"), Status::Good),
            Some(bits) if bits >= 1024 => (format!("rsa {bits}"), Status::Warning),
            Some(bits) => (format!("rsa {bits}"), Status::Bad),
            None => {
                return Some(Err(KeyProblem::NotRsa {
                    selector: selector.to_string(),
                }))
            }
        }
    };
    Some(Ok(Key {
        selector: selector.to_string(),
        kind,
        status,
        testing,
    }))
}

/// The check `dkim` for `domain`, trying `selectors`.
pub async fn check(dns: &Dns, domain: &str, selectors: &[String]) -> Check {
    let mut keys = Vec::new();
    let mut problems = Vec::new();
    let mut errors = Vec::new();
    let mut lookups = tokio::task::JoinSet::new();
    for (i, selector) in selectors.iter().enumerate() {
        let (dns, name) = (dns.clone(), format!("{selector}._domainkey.{domain}"));
        let selector = selector.clone();
        lookups.spawn(async move { (i, selector, dns.txt(&name).await) });
    }
    let mut answers = Vec::new();
    while let Some(joined) = lookups.join_next().await {
        if let Ok(answer) = joined {
            answers.push(answer);
        }
    }
    answers.sort_by_key(|(i, _, _)| *i);
    for (_, selector, result) in answers {
        match result {
            Err(e) => errors.push(e.to_string()),
            Ok((texts, _)) => {
                for text in texts {
                    match key(&selector, &text) {
                        Some(Ok(k)) => keys.push(k),
                        Some(Err(p)) => problems.push(p.to_string()),
                        None => {}
                    }
                }
            }
        }
    }

    let tried = selectors.join(", ");
    if keys.is_empty() {
        let below = dns
            .query(&format!("_domainkey.{domain}"), RecordType::TXT)
            .await;
        let (status, summary, advice) = match below {
            Ok(a) if a.exists => (
                Status::Warning,
                Text::new(
                    format!("Geen sleutel onder de bekende selectors, maar _domainkey.{domain} bestaat: er zijn waarschijnlijk sleutels onder andere selectors."),
                    format!("No key under the known selectors, but _domainkey.{domain} exists: there are probably keys under other selectors."),
                ),
                Text::new(
                    "Geef de selector die u gebruikt op met --dkim-selector (zie de DKIM-Signature-kop van een verzonden bericht, s=).",
                    "Name the selector in use with --dkim-selector (see the DKIM-Signature header of a sent message, s=).",
                ),
            ),
            Ok(_) if errors.is_empty() => (
                Status::Bad,
                Text::new(
                    "Geen DKIM-sleutels gevonden; _domainkey bestaat niet.",
                    "No DKIM keys found; _domainkey does not exist.",
                ),
                Text::new(
                    "Onderteken uitgaande mail met DKIM (zegel: [dkim] in zegel.toml; zegel init maakt een sleutel en toont het DNS-record) en publiceer de publieke sleutel op <selector>._domainkey.".to_string() + domain + ".",
                    "Sign outgoing mail with DKIM (zegel: [dkim] in zegel.toml; zegel init makes a key and prints the DNS record) and publish the public key at <selector>._domainkey.".to_string() + domain + ".",
                ),
            ),
            _ => (
                Status::Error,
                Text::new(
                    format!("DKIM kon niet volledig worden opgevraagd: {}", errors.join("; ")),
                    format!("DKIM could not be fully looked up: {}", errors.join("; ")),
                ),
                Text::new("Probeer het later opnieuw.", "Try again later."),
            ),
        };
        let mut check = Check::required(CheckId::Dkim, domain, status, summary)
            .fact("selectors_tried", tried)
            .advise(advice);
        for p in problems {
            check = check.fact("problem", p);
        }
        return check;
    }

    let best = keys.iter().map(|k| k.status).min().unwrap_or(Status::Bad);
    let list = keys
        .iter()
        .map(|k| format!("{} ({})", k.selector, k.kind))
        .collect::<Vec<_>>()
        .join(", ");
    let mut check = Check::required(
        CheckId::Dkim,
        domain,
        best,
        Text::new(
            format!("DKIM-sleutel(s) gevonden: {list}."),
            format!("DKIM key(s) found: {list}."),
        ),
    )
    .fact("keys", list)
    .fact("selectors_tried", tried);
    for p in problems {
        check = check.fact("problem", p);
    }
    if keys.iter().any(|k| k.testing) {
        check = check.fact("note", "t=y: a key is in test mode");
    }
    if best != Status::Good {
        check = check.advise(Text::new(
            "Vervang RSA-sleutels korter dan 2048 bits door RSA 2048 (of Ed25519 naast RSA).",
            "Replace RSA keys shorter than 2048 bits with RSA 2048 (or Ed25519 beside RSA).",
        ));
    }
    check
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_records_are_classified() {
        assert!(key("s", "v=spf1 -all").is_none());
        assert!(matches!(key("s", "v=DKIM1; p="), Some(Err(_))));
        assert!(matches!(
            key("s", "v=DKIM1; k=rsa; p=bm90IGEga2V5"),
            Some(Err(_))
        ));
        assert_eq!(tag("v=DKIM1; k=ed25519; p=abc", "k"), Some("ed25519"));
    }
}
