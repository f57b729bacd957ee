//! A presented certificate, read with x509-parser: its names, key,
//! signature algorithm and validity, and whether it is valid for a host
//! name (rustls-webpki's RFC 6125 matching).

use crate::ncsc::{self, Class};
use rustls::pki_types::{CertificateDer, ServerName};
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};
use x509_parser::public_key::PublicKey;

/// Why a certificate could not be read, or is not valid for a name.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    /// The DER is not a readable X.509 certificate.
    #[error("{0}")]
    Unreadable(#[from] x509_parser::nom::Err<x509_parser::error::X509Error>),
    /// webpki refused the certificate or its names (in webpki's words).
    #[error("{0:?}")]
    Webpki(webpki::Error),
    /// The host name cannot be a TLS server name.
    #[error("{0}")]
    BadName(#[from] rustls::pki_types::InvalidDnsNameError),
}

/// What a certificate says.
#[derive(Debug, Clone)]
pub struct CertInfo {
    /// DNS names of the subjectAltName.
    pub names: Vec<String>,
    /// `rsa 2048`, `ecdsa P-256`, `ed25519`.
    pub key: String,
    /// The key's class.
    pub key_class: Class,
    /// The signature algorithm's name.
    pub signature: String,
    /// Its class.
    pub signature_class: Class,
    /// The end of validity (RFC 2822).
    pub not_after: String,
    /// Whether now lies within the validity.
    pub current: bool,
}

fn curve(oid: &str) -> &'static str {
    match oid {
        "1.2.840.10045.3.1.7" => "P-256",
        "1.3.132.0.34" => "P-384",
        "1.3.132.0.35" => "P-521",
        "1.3.132.0.33" => "P-224",
        _ => "unknown curve",
    }
}

/// Reads `der`.
pub fn inspect(der: &[u8]) -> Result<CertInfo, CertError> {
    let (_, cert) = X509Certificate::from_der(der)?;
    let names = match cert.subject_alternative_name() {
        Ok(Some(san)) => san
            .value
            .general_names
            .iter()
            .filter_map(|n| match n {
                GeneralName::DNSName(d) => Some(d.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let spki = cert.public_key();
    let algorithm = spki.algorithm.algorithm.to_id_string();
    let (kind, bits) = match (algorithm.as_str(), spki.parsed()) {
        (_, Ok(PublicKey::RSA(rsa))) => ("rsa".to_string(), rsa.key_size()),
        ("1.2.840.10045.2.1", Ok(key)) => {
            let curve_oid = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string())
                .unwrap_or_default();
            (curve(&curve_oid).to_string(), key.key_size())
        }
        ("1.3.101.112", _) => ("ed25519".to_string(), 256),
        ("1.3.101.113", _) => ("ed448".to_string(), 456),
        (other, _) => (other.to_string(), 0),
    };
    let key = match kind.as_str() {
        "rsa" => format!("rsa {bits}"),
        "P-256" | "P-384" | "P-521" | "P-224" => format!("ecdsa {kind}"),
        _ => kind.clone(),
    };
    let (signature, signature_class) =
        ncsc::signature(&cert.signature_algorithm.algorithm.to_id_string());
    Ok(CertInfo {
        names,
        key,
        key_class: ncsc::certificate_key(&kind, bits),
        signature: signature.to_string(),
        signature_class,
        not_after: cert
            .validity()
            .not_after
            .to_rfc2822()
            .unwrap_or_else(|_| cert.validity().not_after.to_string()),
        current: cert.validity().is_valid(),
    })
}

/// The SubjectPublicKeyInfo (DER) of `der` (DANE selector 1).
pub fn spki(der: &[u8]) -> Option<Vec<u8>> {
    X509Certificate::from_der(der)
        .ok()
        .map(|(_, c)| c.public_key().raw.to_vec())
}

/// Whether `der` is valid for `host` by its names (not its chain).
pub fn valid_for(der: &CertificateDer<'_>, host: &str) -> Result<(), CertError> {
    let cert = webpki::EndEntityCert::try_from(der).map_err(CertError::Webpki)?;
    let name = ServerName::try_from(host.to_string())?;
    cert.verify_is_valid_for_subject_name(&name)
        .map_err(CertError::Webpki)
}
