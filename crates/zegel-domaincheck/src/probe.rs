//! How the checks reach the world: which DNS servers, which ports, how long
//! to wait, which certificates to trust. Tests point all of it at
//! 127.0.0.1; the defaults are the real internet.

use crate::error::CheckError;
use rustls::pki_types::CertificateDer;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Which certificate authorities count as trusted (MX hosts and the
/// MTA-STS policy host alike).
#[derive(Debug, Clone)]
pub enum Trust {
    /// The operating system's trusted roots.
    System,
    /// Exactly these roots (tests: a test CA).
    Roots(Vec<CertificateDer<'static>>),
}

/// Selectors tried for DKIM keys besides the configured ones: those of the
/// large mail services and the usual defaults.
pub const COMMON_DKIM_SELECTORS: &[&str] = &[
    "default",
    "dkim",
    "mail",
    "selector1",
    "selector2",
    "google",
    "k1",
    "k2",
    "s1",
    "s2",
    "mx",
    "zegel",
];

/// The probe's settings.
#[derive(Debug, Clone)]
pub struct Probe {
    /// DNS servers to ask (recursive resolvers; empty: the system's, from
    /// `/etc/resolv.conf`).
    pub dns_servers: Vec<SocketAddr>,
    /// The SMTP port of the MX hosts (25; tests use another).
    pub smtp_port: u16,
    /// The HTTPS port of the MTA-STS policy host (443; tests use another).
    pub https_port: u16,
    /// Time allowed for each step: one DNS query, one connection with its
    /// SMTP dialogue and handshake, one policy fetch.
    pub timeout: Duration,
    /// Trusted certificate authorities.
    pub trust: Trust,
    /// DKIM selectors known to be in use (e.g. zegel's own `[dkim]
    /// selector`), tried before [`COMMON_DKIM_SELECTORS`].
    pub dkim_selectors: Vec<String>,
    /// The name we greet MX hosts with (EHLO).
    pub ehlo_name: String,
    /// At most this many MX hosts are probed (by preference).
    pub max_mx: usize,
}

impl Default for Probe {
    fn default() -> Probe {
        Probe {
            dns_servers: Vec::new(),
            smtp_port: 25,
            https_port: 443,
            timeout: Duration::from_secs(10),
            trust: Trust::System,
            dkim_selectors: Vec::new(),
            ehlo_name: "zegel-check.invalid".into(),
            max_mx: 10,
        }
    }
}

impl Probe {
    /// The rustls verifier for the trusted roots (not yet wrapped to
    /// record instead of refuse).
    pub(crate) fn verifier(
        &self,
    ) -> Result<Arc<dyn rustls::client::danger::ServerCertVerifier>, CheckError> {
        let provider = zegel_net::tls::provider();
        match &self.trust {
            Trust::System => Ok(Arc::new(
                rustls_platform_verifier::Verifier::new(provider)
                    .map_err(|e| CheckError::Trust(e.to_string()))?,
            )),
            Trust::Roots(certs) => {
                let mut roots = rustls::RootCertStore::empty();
                for cert in certs {
                    roots
                        .add(cert.clone())
                        .map_err(|e| CheckError::Trust(e.to_string()))?;
                }
                let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
                    Arc::new(roots),
                    provider,
                )
                .build()
                .map_err(|e| CheckError::Trust(e.to_string()))?;
                Ok(verifier)
            }
        }
    }
}
