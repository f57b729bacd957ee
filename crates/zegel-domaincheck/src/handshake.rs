//! The normal handshake, with rustls: the version, cipher suite and key
//! exchange a modern sender gets, and the certificate chain the server
//! presents.
//!
//! The certificate is judged, not obeyed: a [`Recorder`] asks the real
//! verifier (system roots or the test CA) and writes down its verdict, but
//! lets the handshake finish either way, so a server with a self-signed or
//! wrongly named certificate is still measured (and its chain can still
//! match DANE-EE records, which do not need a trusted CA at all). The
//! server's handshake signature is always checked.

use crate::error::ProbeError;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme, SupportedProtocolVersion};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};

/// What one rustls handshake showed.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `TLSv1.3` or `TLSv1.2`.
    pub version: String,
    /// The suite (rustls's name: `TLS13_AES_256_GCM_SHA384`).
    pub suite: String,
    /// The key-exchange group (`X25519`).
    pub group: Option<String>,
    /// The presented chain, leaf first.
    pub chain: Vec<CertificateDer<'static>>,
    /// The verifier's verdict on the chain for the host name: None when
    /// trusted and valid for the name.
    pub chain_error: Option<String>,
}

/// Wraps the real verifier: records its verdict, never refuses.
#[derive(Debug)]
pub struct Recorder {
    inner: Arc<dyn ServerCertVerifier>,
    algorithms: WebPkiSupportedAlgorithms,
    verdict: Mutex<Option<Option<String>>>,
}

impl Recorder {
    fn new(inner: Arc<dyn ServerCertVerifier>) -> Recorder {
        Recorder {
            inner,
            algorithms: zegel_net::tls::provider().signature_verification_algorithms,
            verdict: Mutex::new(None),
        }
    }

    fn verdict(&self) -> Option<String> {
        self.verdict
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .unwrap_or_else(|| Some("no certificate".into()))
    }
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .err()
            .map(|e| e.to_string());
        *self.verdict.lock().unwrap_or_else(|e| e.into_inner()) = Some(verdict);
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

fn version_name(v: rustls::ProtocolVersion) -> String {
    match v {
        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".into(),
        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".into(),
        other => format!("{other:?}"),
    }
}

/// A TLS handshake with `host` over `stream` (SMTP already past
/// STARTTLS), offering `versions` (all rustls suites and groups).
pub fn handshake(
    mut stream: TcpStream,
    host: &str,
    versions: &[&'static SupportedProtocolVersion],
    verifier: Arc<dyn ServerCertVerifier>,
) -> Result<Seen, ProbeError> {
    let recorder = Arc::new(Recorder::new(verifier));
    let provider = zegel_net::tls::provider();
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    let name = ServerName::try_from(host.to_string())?;
    let mut conn = rustls::ClientConnection::new(Arc::new(config), name)?;
    while conn.is_handshaking() {
        conn.complete_io(&mut stream)?;
    }
    let seen = Seen {
        version: conn
            .protocol_version()
            .map(version_name)
            .unwrap_or_default(),
        suite: conn
            .negotiated_cipher_suite()
            .map(|s| {
                s.suite()
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{:?}", s.suite()))
            })
            .unwrap_or_default(),
        group: conn
            .negotiated_key_exchange_group()
            .map(|g| format!("{:?}", g.name())),
        chain: conn
            .peer_certificates()
            .map(|c| c.iter().map(|d| d.clone().into_owned()).collect())
            .unwrap_or_default(),
        chain_error: recorder.verdict(),
    };
    // A polite end: close_notify, then QUIT is not possible any more
    // (the session is TLS now); the socket closes when dropped.
    conn.send_close_notify();
    let _ = conn.complete_io(&mut stream);
    Ok(seen)
}
