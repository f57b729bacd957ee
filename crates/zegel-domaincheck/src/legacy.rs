//! Does the server still accept what it should not? rustls cannot offer
//! TLS 1.0/1.1 or weak cipher suites, so these handshakes go through
//! OpenSSL (Debian's libssl, at security level 0 so that it offers them at
//! all). Each probe offers one thing: one old version, or one class of
//! suites from [`crate::ncsc::LEGACY_SUITES`]; the server either takes it
//! (and names the suite it chose) or refuses.
//!
//! What this OpenSSL build cannot offer (SSL 2.0 and 3.0 on Debian; RC4,
//! single DES and export suites in OpenSSL 3) is not probed, and the report
//! says so ([`unavailable_suites`]).

use crate::ncsc::{Class, LEGACY_SUITES};
use openssl::ssl::{Ssl, SslContext, SslMethod, SslVerifyMode, SslVersion};
use rustls::pki_types::CertificateDer;
use std::net::TcpStream;

/// One thing offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// TLS 1.1 only, any suite.
    Tls11,
    /// TLS 1.0 only, any suite.
    Tls10,
    /// TLS 1.0 to 1.2 with the suites of one class.
    Suites(Class),
    /// TLS 1.0 to 1.2 with DHE suites only: the server's DH size.
    Dhe,
    /// TLS 1.0 to 1.2 with ECDHE suites on secp224r1 only.
    WeakCurve,
}

/// What the server did with an offer.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// It completed a handshake.
    Accepted {
        /// The version (`TLSv1`).
        version: String,
        /// The suite it chose (OpenSSL's name).
        suite: String,
        /// The size of its ephemeral DH key, for DHE.
        dh_bits: Option<u32>,
        /// The chain it presented, leaf first.
        chain: Vec<CertificateDer<'static>>,
    },
    /// It refused (or dropped the connection).
    Refused(String),
    /// This OpenSSL cannot make the offer.
    NotOffered,
}

/// The suites of `class` this OpenSSL can offer.
fn available(class: Class) -> Vec<&'static str> {
    LEGACY_SUITES
        .iter()
        .filter(|s| s.class == class && usable(s.openssl))
        .map(|s| s.openssl)
        .collect()
}

/// Whether this OpenSSL knows the suite.
fn usable(name: &str) -> bool {
    SslContext::builder(SslMethod::tls_client())
        .and_then(|mut b| b.set_cipher_list(&format!("{name}:@SECLEVEL=0")))
        .is_ok()
}

/// The suites of the table this OpenSSL cannot offer (not probed).
pub fn unavailable_suites() -> Vec<&'static str> {
    LEGACY_SUITES
        .iter()
        .filter(|s| !usable(s.openssl))
        .map(|s| s.openssl)
        .collect()
}

fn context(offer: Offer) -> Result<Option<SslContext>, openssl::error::ErrorStack> {
    let mut b = SslContext::builder(SslMethod::tls_client())?;
    b.set_verify(SslVerifyMode::NONE);
    let (min, max, ciphers) = match offer {
        Offer::Tls11 => (
            SslVersion::TLS1_1,
            SslVersion::TLS1_1,
            "ALL:COMPLEMENTOFALL".to_string(),
        ),
        Offer::Tls10 => (
            SslVersion::TLS1,
            SslVersion::TLS1,
            "ALL:COMPLEMENTOFALL".to_string(),
        ),
        Offer::Suites(class) => {
            let list = available(class);
            if list.is_empty() {
                return Ok(None);
            }
            (SslVersion::TLS1, SslVersion::TLS1_2, list.join(":"))
        }
        Offer::Dhe => (
            SslVersion::TLS1,
            SslVersion::TLS1_2,
            "kDHE:!aNULL".to_string(),
        ),
        Offer::WeakCurve => {
            if b.set_groups_list("P-224").is_err() {
                return Ok(None);
            }
            (
                SslVersion::TLS1,
                SslVersion::TLS1_2,
                "kECDHE:!aNULL".to_string(),
            )
        }
    };
    b.set_min_proto_version(Some(min))?;
    b.set_max_proto_version(Some(max))?;
    if b.set_cipher_list(&format!("{ciphers}:@SECLEVEL=0"))
        .is_err()
    {
        return Ok(None);
    }
    Ok(Some(b.build()))
}

/// Offers `offer` to `host` over `stream` (past STARTTLS).
pub fn probe(stream: TcpStream, host: &str, offer: Offer) -> Outcome {
    let ctx = match context(offer) {
        Ok(Some(ctx)) => ctx,
        Ok(None) => return Outcome::NotOffered,
        Err(e) => return Outcome::Refused(format!("OpenSSL: {e}")),
    };
    let mut ssl = match Ssl::new(&ctx) {
        Ok(ssl) => ssl,
        Err(e) => return Outcome::Refused(format!("OpenSSL: {e}")),
    };
    let _ = ssl.set_hostname(host);
    match ssl.connect(stream) {
        Ok(mut tls) => {
            let s = tls.ssl();
            let outcome = Outcome::Accepted {
                version: s.version_str().to_string(),
                suite: s
                    .current_cipher()
                    .map(|c| c.name().to_string())
                    .unwrap_or_default(),
                dh_bits: match offer {
                    Offer::Dhe => s.peer_tmp_key().ok().map(|k| k.bits()),
                    _ => None,
                },
                chain: s
                    .peer_cert_chain()
                    .map(|stack| {
                        stack
                            .iter()
                            .filter_map(|c| c.to_der().ok())
                            .map(CertificateDer::from)
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            let _ = tls.shutdown();
            outcome
        }
        Err(e) => Outcome::Refused(short(&e.to_string())),
    }
}

fn short(text: &str) -> String {
    text.chars().take(160).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_good_old_suites_are_offerable_here() {
        // Debian's OpenSSL 3 still has CBC, DHE, 3DES and static RSA.
        assert!(!available(Class::Sufficient).is_empty());
        assert!(!available(Class::PhaseOut).is_empty());
        assert!(usable("ECDHE-RSA-AES128-SHA"));
        assert!(!usable("no-such-suite"));
    }
}
