//! DKIM signing of outgoing mail (RFC 6376; Ed25519 per RFC 8463).

use base64::Engine;
use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::{DkimSigner as Signer, Done};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivateKeyDer;
use std::path::Path;

/// Why a DKIM key could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DkimError {
    /// The key file could not be read.
    #[error("cannot read DKIM key {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file holds no RSA or Ed25519 private key we can use.
    #[error("DKIM key {0} is not an RSA (PKCS#1/PKCS#8) or Ed25519 (PKCS#8) private key in PEM")]
    BadKey(String),
    /// Signing failed.
    #[error("DKIM signing failed: {0}")]
    Sign(String),
}

/// A private DKIM key.
pub enum DkimKey {
    /// RSA with SHA-256.
    Rsa(RsaKey<Sha256>),
    /// Ed25519 with SHA-256.
    Ed25519(Ed25519Key),
}

impl DkimKey {
    /// Reads a PEM key file: RSA (PKCS#1 or PKCS#8) or Ed25519 (PKCS#8).
    pub fn load(path: &Path) -> Result<DkimKey, DkimError> {
        let pem = std::fs::read_to_string(path).map_err(|source| DkimError::Read {
            path: path.display().to_string(),
            source,
        })?;
        DkimKey::from_pem(&pem).ok_or_else(|| DkimError::BadKey(path.display().to_string()))
    }

    /// Parses a PEM key.
    pub fn from_pem(pem: &str) -> Option<DkimKey> {
        let der = PrivateKeyDer::from_pem_slice(pem.as_bytes()).ok()?;
        if let PrivateKeyDer::Pkcs8(pkcs8) = &der {
            if let Ok(key) = Ed25519Key::from_pkcs8_maybe_unchecked_der(pkcs8.secret_pkcs8_der()) {
                return Some(DkimKey::Ed25519(key));
            }
        }
        RsaKey::<Sha256>::from_key_der(der).ok().map(DkimKey::Rsa)
    }

    /// A new Ed25519 key as PKCS#8 PEM.
    pub fn generate_ed25519_pem() -> Result<String, DkimError> {
        let der = Ed25519Key::generate_pkcs8().map_err(|e| DkimError::Sign(e.to_string()))?;
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(chunk).unwrap_or_default());
            pem.push('\n');
        }
        pem.push_str("-----END PRIVATE KEY-----\n");
        Ok(pem)
    }

    /// The TXT record to publish at `<selector>._domainkey.<domain>`.
    pub fn dns_record(&self) -> String {
        match self {
            DkimKey::Rsa(k) => format!(
                "v=DKIM1; k=rsa; p={}",
                base64::engine::general_purpose::STANDARD.encode(k.public_key())
            ),
            DkimKey::Ed25519(k) => format!(
                "v=DKIM1; k=ed25519; p={}",
                base64::engine::general_purpose::STANDARD.encode(k.public_key())
            ),
        }
    }
}

/// Signs outgoing mail for one domain and selector.
pub struct DkimSigner {
    domain: String,
    selector: String,
    dns_record: String,
    signer: Built,
}

enum Built {
    Rsa(Signer<RsaKey<Sha256>, Done>),
    Ed25519(Signer<Ed25519Key, Done>),
}

/// Headers signed.
const SIGNED_HEADERS: [&str; 11] = [
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "Reply-To",
    "In-Reply-To",
    "References",
    "MIME-Version",
    "Content-Type",
];

impl DkimSigner {
    /// A signer for `domain` with `selector`.
    pub fn new(domain: &str, selector: &str, key: DkimKey) -> DkimSigner {
        let domain = domain.to_ascii_lowercase();
        let dns_record = key.dns_record();
        let signer = match key {
            DkimKey::Rsa(k) => Built::Rsa(
                Signer::from_key(k)
                    .domain(&domain)
                    .selector(selector)
                    .headers(SIGNED_HEADERS),
            ),
            DkimKey::Ed25519(k) => Built::Ed25519(
                Signer::from_key(k)
                    .domain(&domain)
                    .selector(selector)
                    .headers(SIGNED_HEADERS),
            ),
        };
        DkimSigner {
            domain,
            selector: selector.to_string(),
            dns_record,
            signer,
        }
    }

    /// The signing domain.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The selector.
    pub fn selector(&self) -> &str {
        &self.selector
    }

    /// The TXT record to publish for this key.
    pub fn dns_record(&self) -> &str {
        &self.dns_record
    }

    /// The `DKIM-Signature: ...\r\n` header for `message`.
    pub fn signature_header(&self, message: &[u8]) -> Result<String, DkimError> {
        let signature = match &self.signer {
            Built::Rsa(s) => s.sign(message),
            Built::Ed25519(s) => s.sign(message),
        };
        signature
            .map(|s| s.to_header())
            .map_err(|e| DkimError::Sign(e.to_string()))
    }

    /// `message` with its DKIM-Signature header prepended.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, DkimError> {
        let header = self.signature_header(message)?;
        let mut out = Vec::with_capacity(header.len() + message.len());
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(message);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_auth::common::parse::TxtRecordParser;
    use mail_auth::common::verify::DomainKey;
    use mail_auth::{
        AuthenticatedMessage, DkimResult, MessageAuthenticator, Parameters, ResolverCache, Txt,
    };
    use std::borrow::Borrow;
    use std::hash::Hash;
    use std::sync::{Arc, Mutex};

    /// Pre-filled TXT answers, so verification needs no network.
    struct Zone(Mutex<std::collections::HashMap<Box<str>, Txt>>);

    impl ResolverCache<Box<str>, Txt> for Zone {
        fn get<Q>(&self, key: &Q) -> Option<Txt>
        where
            Box<str>: Borrow<Q>,
            Q: Hash + Eq + ?Sized,
        {
            self.0.lock().unwrap().get(key).cloned()
        }
        fn remove<Q>(&self, key: &Q) -> Option<Txt>
        where
            Box<str>: Borrow<Q>,
            Q: Hash + Eq + ?Sized,
        {
            self.0.lock().unwrap().remove(key)
        }
        fn insert(&self, key: Box<str>, value: Txt, _: std::time::Instant) {
            self.0.lock().unwrap().insert(key, value);
        }
    }

    const MESSAGE: &[u8] = b"From: Jan <jan@zorg.nl>\r\nTo: b@example.com\r\nSubject: Test\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\nMessage-ID: <1@zorg.nl>\r\n\r\nHallo,\r\n\r\nGroet\r\n";

    async fn verify(signer: &DkimSigner, message: &[u8]) -> DkimResult {
        let zone = Zone(Mutex::new(Default::default()));
        let record = DomainKey::parse(signer.dns_record().as_bytes()).unwrap();
        zone.insert(
            "sel1._domainkey.zorg.nl.".into(),
            Txt::DomainKey(Arc::new(record)),
            std::time::Instant::now(),
        );
        let auth = MessageAuthenticator::new_cloudflare().unwrap();
        let parsed = AuthenticatedMessage::parse(message).unwrap();
        let results = auth
            .verify_dkim(Parameters::new(&parsed).with_txt_cache(&zone))
            .await;
        results
            .last()
            .map(|r| r.result().clone())
            .unwrap_or(DkimResult::None)
    }

    #[tokio::test]
    async fn ed25519_signature_verifies_and_breaks_on_change() {
        let pem = DkimKey::generate_ed25519_pem().unwrap();
        let key = DkimKey::from_pem(&pem).expect("generated key parses");
        let signer = DkimSigner::new("Zorg.nl", "sel1", key);
        assert!(signer.dns_record().starts_with("v=DKIM1; k=ed25519; p="));
        let signed = signer.sign(MESSAGE).unwrap();
        assert!(signed.starts_with(b"DKIM-Signature: "));
        assert!(signed.ends_with(MESSAGE));
        assert_eq!(verify(&signer, &signed).await, DkimResult::Pass);
        let tampered = String::from_utf8(signed).unwrap().replace("Hallo", "Hello");
        assert_ne!(verify(&signer, tampered.as_bytes()).await, DkimResult::Pass);
    }

    #[test]
    fn bad_keys_are_refused() {
        assert!(DkimKey::from_pem("not a key").is_none());
        assert!(DkimKey::from_pem(
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
        )
        .is_none());
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            DkimKey::load(&dir.path().join("missing.pem")),
            Err(DkimError::Read { .. })
        ));
    }
}
