//! The MTA-STS policy fetch against a real HTTPS server on 127.0.0.1 with
//! a test CA: what counts as a policy, and what does not.

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use zegel_net::mta_sts::{fetch_policy, FetchError, MAX_POLICY_BYTES};

const HOST: &str = "mta-sts.example.test";
const POLICY: &str = "version: STSv1\r\nmode: enforce\r\nmx: mx.example.test\r\nmax_age: 86400\r\n";

/// A CA, and a server certificate from it for `names`.
fn pki(names: &[&str]) -> (Arc<rustls::RootCertStore>, Arc<rustls::ServerConfig>) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca_cert: CertificateDer<'static> = ca.self_signed(&ca_key).unwrap().der().clone();
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let leaf =
        rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .unwrap()
            .signed_by(&key, &issuer)
            .unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca_cert).unwrap();
    let server = rustls::ServerConfig::builder_with_provider(zegel_net::tls::provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
    (Arc::new(roots), Arc::new(server))
}

/// Serves `answer` (a whole HTTP response) to every connection on
/// 127.0.0.1; returns the port.
async fn serve(config: Arc<rustls::ServerConfig>, answer: Vec<u8>) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let answer = answer.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut request = vec![0u8; 4096];
                let _ = tls.read(&mut request).await;
                let _ = tls.write_all(&answer).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

fn response(status: &str, media_type: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {media_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

fn client(roots: Arc<rustls::RootCertStore>) -> Arc<rustls::ClientConfig> {
    Arc::new(
        zegel_net::tls::client_builder()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

const LOCAL: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
/// A loopback address nothing listens on.
const SILENT: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 9));

async fn fetch(
    answer: Vec<u8>,
    names: &[&str],
    addresses: &[IpAddr],
) -> Result<String, FetchError> {
    let (roots, server) = pki(names);
    let port = serve(server, answer).await;
    fetch_policy(HOST, addresses, port, client(roots)).await
}

#[tokio::test]
async fn a_policy_served_as_text_plain_with_200_is_read() {
    let ok = response("200 OK", "text/plain; charset=utf-8", POLICY.as_bytes());
    assert_eq!(fetch(ok, &[HOST], &[LOCAL]).await.unwrap(), POLICY);
}

#[tokio::test]
async fn the_next_address_is_tried_when_one_does_not_answer() {
    let ok = response("200 OK", "text/plain", POLICY.as_bytes());
    assert_eq!(fetch(ok, &[HOST], &[SILENT, LOCAL]).await.unwrap(), POLICY);
    let ok = response("200 OK", "text/plain", POLICY.as_bytes());
    assert!(matches!(
        fetch(ok, &[HOST], &[SILENT]).await,
        Err(FetchError::Connect { .. })
    ));
    let ok = response("200 OK", "text/plain", POLICY.as_bytes());
    assert!(matches!(
        fetch(ok, &[HOST], &[]).await,
        Err(FetchError::NoAddress { .. })
    ));
}

#[tokio::test]
async fn a_certificate_for_another_name_is_refused() {
    let ok = response("200 OK", "text/plain", POLICY.as_bytes());
    assert!(matches!(
        fetch(ok, &["mta-sts.other.test"], &[LOCAL]).await,
        Err(FetchError::Tls { .. })
    ));
}

#[tokio::test]
async fn redirects_other_media_types_and_oversized_or_binary_bodies_are_refused() {
    let redirect = b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://elsewhere.test/.well-known/mta-sts.txt\r\nContent-Length: 0\r\n\r\n".to_vec();
    assert!(matches!(
        fetch(redirect, &[HOST], &[LOCAL]).await,
        Err(FetchError::Status { status: 301, .. })
    ));
    let html = response("200 OK", "text/html", POLICY.as_bytes());
    let err = fetch(html, &[HOST], &[LOCAL]).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "mta-sts.example.test served the policy as Some(\"text/html\"), not text/plain"
    );
    let huge = response("200 OK", "text/plain", &vec![b'a'; MAX_POLICY_BYTES + 1]);
    assert!(matches!(
        fetch(huge, &[HOST], &[LOCAL]).await,
        Err(FetchError::Body { .. })
    ));
    let binary = response("200 OK", "text/plain", &[0xff, 0xfe, 0x00]);
    assert!(matches!(
        fetch(binary, &[HOST], &[LOCAL]).await,
        Err(FetchError::NotUtf8 { .. })
    ));
}
