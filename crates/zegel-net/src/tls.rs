//! The one place a TLS client configuration starts.

use std::sync::Arc;

/// The crypto provider of every TLS connection zegel makes: ring.
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A client configuration builder with [`provider`] and rustls' safe
/// default protocol versions (TLS 1.2 and 1.3), waiting for the caller's
/// choice of certificate verification.
pub fn client_builder(
) -> Result<rustls::ConfigBuilder<rustls::ClientConfig, rustls::WantsVerifier>, rustls::Error> {
    rustls::ClientConfig::builder_with_provider(provider()).with_safe_default_protocol_versions()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_use_ring_and_modern_protocol_versions() {
        let config = client_builder()
            .unwrap()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
        let ring = rustls::crypto::ring::default_provider();
        let suites = |p: &rustls::crypto::CryptoProvider| {
            p.cipher_suites
                .iter()
                .map(|s| s.suite())
                .collect::<Vec<_>>()
        };
        assert_eq!(suites(config.crypto_provider()), suites(&ring));
    }
}
