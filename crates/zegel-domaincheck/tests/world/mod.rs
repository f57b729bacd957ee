//! Two test mail domains on 127.0.0.x, for `zegel check-domain`: shared by
//! the crate's tests and the CLI's end-to-end test (included by path).
//!
//! - DNS: hickory-server, authoritative for `test.`, on 127.0.0.1. In
//!   front of it a small UDP relay plays the validating resolver: it sets
//!   the AD bit on answers under `good.test.` (as a validating resolver
//!   would for a signed zone) and never under `bad.test.`. hickory-server
//!   is built without DNSSEC, so nothing here is really signed: the relay
//!   stands for "the resolver says it validated", which is all a DANE
//!   sender (and our check) gets to see.
//! - `good.test`: SPF `mx include:_spf.good.test -all`, DMARC reject with
//!   reports, DKIM keys (Ed25519 under the configured selector `zegel`,
//!   RSA 2048 under `selector1`), one MX (`mx.good.test`, 127.0.0.21:
//!   rustls, TLS 1.3 and 1.2 with strong suites only, a certificate from
//!   the test CA for its name) with TLSA `3 1 1` and `2 1 1`, MTA-STS
//!   enforce (policy host on 127.0.0.24, HTTPS with a test CA
//!   certificate), TLS-RPT.
//! - `bad.test`: SPF `... +all` with 15 lookups, no DMARC, no DKIM, MX
//!   `mx1.bad.test` (127.0.0.22: no STARTTLS) and `mx2.bad.test`
//!   (127.0.0.23: OpenSSL at security level 0, TLS 1.0 to 1.3, anonymous
//!   suites, a certificate for another name), no TLSA, an MTA-STS record
//!   whose policy host answers 404, no TLS-RPT.
//! - `loop.test`: an SPF include loop.

#![allow(dead_code)]

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{BufRead, BufReader as StdBufReader, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, UdpSocket};

pub fn ip(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))
}

pub const GOOD_MX: u8 = 21;
pub const BAD_MX1: u8 = 22;
pub const BAD_MX2: u8 = 23;
pub const POLICY_HOST: u8 = 24;

/// An RSA 2048 public key (SubjectPublicKeyInfo, base64) for DKIM.
const RSA_2048: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqsDIs1fN32OxBoTnEgiPe7ZI0pethFyxxAAwJ+FUrOld/VswCPVsmnuW7FNiqIz6179hVgUt3ZrA1eRHE1nrbBhLFMSZby8MV4aMhXjM5ZpPq8SIeSkWL6ZWnD1Pe+PBUvcYS6jbIVxQrKYVHtBdY1C7x+XgwyLPtn5bePsSsy/Jo/SRKrjqWZ+51BcKUlzPkS6n19BB216cXQXcBvfp5SQarDID/St3owOmVLI4jDS6oy5j/NM3ySY6y2ta9gwmS7XFfK0RcG1wgyAiOYGWedalR+YIKmbpze7ExYA80hJEvAQVwZ0Dm20SWxeFKwh1dbH5ZdQxE8lumciIJP74BwIDAQAB";

// ---------------------------------------------------------------- certificates

pub struct Pki {
    issuer: rcgen::Issuer<'static, rcgen::KeyPair>,
    pub cert: CertificateDer<'static>,
    pub pem: String,
}

/// A leaf: DER chain (leaf, CA) and its key, as rustls and as PEM.
pub struct Leaf {
    pub chain: Vec<CertificateDer<'static>>,
    pub key_der: Vec<u8>,
    pub cert_pem: String,
    pub key_pem: String,
}

impl Pki {
    pub fn new(name: &str) -> Pki {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let cert = params.self_signed(&key).unwrap();
        Pki {
            pem: cert.pem(),
            cert: cert.der().clone(),
            issuer: rcgen::Issuer::new(params, key),
        }
    }

    pub fn leaf(&self, names: &[&str]) -> Leaf {
        let key = rcgen::KeyPair::generate().unwrap();
        let params =
            rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Leaf {
            chain: vec![cert.der().clone(), self.cert.clone()],
            key_der: key.serialize_der(),
            cert_pem: cert.pem() + &self.pem,
            key_pem: key.serialize_pem(),
        }
    }
}

fn certified(leaf: &Leaf) -> Arc<rustls::sign::CertifiedKey> {
    let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf.key_der.clone()));
    let provider = rustls::crypto::ring::default_provider();
    let signing = provider.key_provider.load_private_key(der).unwrap();
    Arc::new(rustls::sign::CertifiedKey::new(leaf.chain.clone(), signing))
}

/// SHA-256 of a certificate's SubjectPublicKeyInfo, hex (TLSA `x 1 1`).
fn spki_sha256(der: &[u8]) -> String {
    use x509_parser::prelude::FromDer;
    let (_, cert) = x509_parser::certificate::X509Certificate::from_der(der).unwrap();
    hex::encode(Sha256::digest(cert.public_key().raw))
}

#[derive(Debug)]
struct BySni {
    certs: HashMap<String, Arc<rustls::sign::CertifiedKey>>,
    fallback: Arc<rustls::sign::CertifiedKey>,
}

impl rustls::server::ResolvesServerCert for BySni {
    fn resolve(
        &self,
        hello: rustls::server::ClientHello<'_>,
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(
            hello
                .server_name()
                .and_then(|n| self.certs.get(n))
                .unwrap_or(&self.fallback)
                .clone(),
        )
    }
}

fn acceptor(resolver: BySni) -> tokio_rustls::TlsAcceptor {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(resolver));
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

// ------------------------------------------------------------------------- DNS

fn zone(good_leaf: &[u8], ca: &[u8], dkim_ed25519: &str) -> String {
    let ee = spki_sha256(good_leaf);
    let ta = spki_sha256(ca);
    let (rsa_a, rsa_b) = RSA_2048.split_at(200);
    format!(
        r#"
$ORIGIN test.
$TTL 0
@                   IN SOA ns.test. admin.test. 1 3600 600 86400 0
@                   IN NS  ns.test.
ns                  IN A   127.0.0.1

; ---------------------------------------------------------------- good.test
good                IN MX  10 mx.good.test.
good                IN TXT "v=spf1 mx include:_spf.good.test -all"
_spf.good           IN TXT "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all"
_dmarc.good         IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@good.test; adkim=s; aspf=s"
zegel._domainkey.good     IN TXT "v=DKIM1; k=ed25519; p={dkim_ed25519}"
selector1._domainkey.good IN TXT "v=DKIM1; k=rsa; " "p={rsa_a}" "{rsa_b}"
mx.good             IN A   127.0.0.{GOOD_MX}
_25._tcp.mx.good    IN TLSA 3 1 1 {ee}
_25._tcp.mx.good    IN TLSA 2 1 1 {ta}
_mta-sts.good       IN TXT "v=STSv1; id=20260101T000000;"
mta-sts.good        IN A   127.0.0.{POLICY_HOST}
_smtp._tls.good     IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@good.test"

; ----------------------------------------------------------------- bad.test
bad                 IN MX  10 mx1.bad.test.
bad                 IN MX  20 mx2.bad.test.
bad                 IN TXT "v=spf1 mx a include:spf1.bad.test include:spf2.bad.test +all"
spf1.bad            IN TXT "v=spf1 a:h1.bad.test a:h2.bad.test a:h3.bad.test a:h4.bad.test -all"
spf2.bad            IN TXT "v=spf1 a:h5.bad.test a:h6.bad.test include:spf1.bad.test -all"
h1.bad              IN A   192.0.2.1
h2.bad              IN A   192.0.2.2
h3.bad              IN A   192.0.2.3
h4.bad              IN A   192.0.2.4
h5.bad              IN A   192.0.2.5
h6.bad              IN A   192.0.2.6
mx1.bad             IN A   127.0.0.{BAD_MX1}
mx2.bad             IN A   127.0.0.{BAD_MX2}
_mta-sts.bad        IN TXT "v=STSv1; id=1;"
mta-sts.bad         IN A   127.0.0.{POLICY_HOST}

; ---------------------------------------------------------------- loop.test
loop                IN TXT "v=spf1 include:loop2.test -all"
loop2               IN TXT "v=spf1 include:loop.test -all"
"#
    )
}

/// An authoritative server for `test.` on 127.0.0.1 with the relay in
/// front (also used alone, with another zone, by the CLI's `zegel verify`
/// test).
pub struct Dns {
    /// The relay (the "validating resolver") the checks ask.
    pub relay: SocketAddr,
    _server: zegel_testkit::dns::ZoneDns,
}

impl Dns {
    /// Serves `zone_text` (zone file syntax, origin `test.`).
    pub async fn start(zone_text: &str) -> Dns {
        let server = zegel_testkit::dns::ZoneDns::start("test.", zone_text).await;
        let addr = server.addr;

        let relay_socket = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
        let relay = relay_socket.local_addr().unwrap();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 65_535];
            loop {
                let Ok((n, client)) = relay_socket.recv_from(&mut buf).await else {
                    return;
                };
                let query = buf[..n].to_vec();
                let socket = relay_socket.clone();
                tokio::spawn(async move {
                    let upstream = UdpSocket::bind("127.0.0.1:0").await.unwrap();
                    upstream.send_to(&query, addr).await.unwrap();
                    let mut answer = vec![0u8; 65_535];
                    let Ok(Ok(n)) =
                        tokio::time::timeout(Duration::from_secs(5), upstream.recv(&mut answer))
                            .await
                    else {
                        return;
                    };
                    let mut answer = answer[..n].to_vec();
                    let validated = hickory_server::proto::op::Message::from_vec(&answer)
                        .ok()
                        .and_then(|m| m.queries.first().map(|q| q.name().to_ascii()))
                        .is_some_and(|name| name.to_ascii_lowercase().ends_with("good.test."));
                    // Byte 3 of the header holds RA, Z, AD, CD and RCODE.
                    answer[3] = if validated {
                        answer[3] | 0x20
                    } else {
                        answer[3] & !0x20
                    };
                    let _ = socket.send_to(&answer, client).await;
                });
            }
        });
        Dns {
            relay,
            _server: server,
        }
    }
}

// ------------------------------------------------------------------- sinks

/// Binds one port on every address in `ips` (the same port on each).
async fn bind_all(ips: &[IpAddr]) -> (u16, Vec<TcpListener>) {
    for _ in 0..50 {
        let first = TcpListener::bind(SocketAddr::new(ips[0], 0)).await.unwrap();
        let port = first.local_addr().unwrap().port();
        let mut all = vec![first];
        for ip in &ips[1..] {
            match TcpListener::bind(SocketAddr::new(*ip, port)).await {
                Ok(l) => all.push(l),
                Err(_) => break,
            }
        }
        if all.len() == ips.len() {
            return (port, all);
        }
    }
    panic!("no common free port on {ips:?}");
}

async fn smtp_lines<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut BufReader<S>,
    starttls: bool,
) -> bool {
    loop {
        let mut line = String::new();
        if s.read_line(&mut line).await.unwrap_or(0) == 0 {
            return false;
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" if starttls => b"250-sink\r\n250-STARTTLS\r\n250 8BITMIME\r\n",
            "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
            "STAR" if starttls => {
                let _ = s.get_mut().write_all(b"220 go ahead\r\n").await;
                return true;
            }
            "QUIT" => {
                let _ = s.get_mut().write_all(b"221 bye\r\n").await;
                return false;
            }
            _ => b"250 ok\r\n",
        };
        if s.get_mut().write_all(reply).await.is_err() {
            return false;
        }
    }
}

/// An SMTP sink; with `tls`, STARTTLS over rustls.
async fn serve_smtp(listener: TcpListener, tls: Option<tokio_rustls::TlsAcceptor>) {
    while let Ok((tcp, _)) = listener.accept().await {
        let tls = tls.clone();
        tokio::spawn(async move {
            let mut plain = BufReader::new(tcp);
            if plain
                .get_mut()
                .write_all(b"220 sink ESMTP\r\n")
                .await
                .is_err()
            {
                return;
            }
            if smtp_lines(&mut plain, tls.is_some()).await {
                let Some(acceptor) = tls else { return };
                if let Ok(stream) = acceptor.accept(plain.into_inner()).await {
                    let mut stream = BufReader::new(stream);
                    smtp_lines(&mut stream, false).await;
                }
            }
        });
    }
}

/// An SMTP sink with STARTTLS over OpenSSL at security level 0: TLS 1.0
/// to 1.3 and every suite OpenSSL still has, anonymous ones included.
fn serve_smtp_openssl(listener: std::net::TcpListener, leaf: &Leaf) {
    use openssl::ssl::{SslAcceptor, SslMethod, SslOptions, SslVersion};
    let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).unwrap();
    b.clear_options(SslOptions::NO_TLSV1 | SslOptions::NO_TLSV1_1);
    b.set_min_proto_version(Some(SslVersion::TLS1)).unwrap();
    b.set_cipher_list("ALL:@SECLEVEL=0").unwrap();
    let mut certs = openssl::x509::X509::stack_from_pem(leaf.cert_pem.as_bytes())
        .unwrap()
        .into_iter();
    b.set_certificate(&certs.next().unwrap()).unwrap();
    for ca in certs {
        b.add_extra_chain_cert(ca).unwrap();
    }
    b.set_private_key(&openssl::pkey::PKey::private_key_from_pem(leaf.key_pem.as_bytes()).unwrap())
        .unwrap();
    let acceptor = Arc::new(b.build());
    std::thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(mut tcp) = tcp else { return };
            let acceptor = acceptor.clone();
            std::thread::spawn(move || {
                let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
                if tcp.write_all(b"220 old ESMTP\r\n").is_err() {
                    return;
                }
                let mut reader = StdBufReader::new(tcp.try_clone().unwrap());
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    match verb.as_str() {
                        "EHLO" => {
                            let _ = tcp.write_all(b"250-old\r\n250 STARTTLS\r\n");
                        }
                        "STAR" => {
                            let _ = tcp.write_all(b"220 go ahead\r\n");
                            if let Ok(mut tls) = acceptor.accept(tcp) {
                                let mut buf = [0u8; 512];
                                while matches!(std::io::Read::read(&mut tls, &mut buf), Ok(n) if n > 0)
                                {
                                }
                            }
                            return;
                        }
                        _ => {
                            let _ = tcp.write_all(b"250 ok\r\n");
                        }
                    }
                }
            });
        }
    });
}

/// The MTA-STS policy host: good.test's policy; 404 for anything else.
async fn serve_policies(listener: TcpListener, tls: tokio_rustls::TlsAcceptor) {
    while let Ok((tcp, _)) = listener.accept().await {
        let tls = tls.clone();
        tokio::spawn(async move {
            let Ok(stream) = tls.accept(tcp).await else {
                return;
            };
            let mut stream = BufReader::new(stream);
            let mut host = String::new();
            let mut first = String::new();
            loop {
                let mut line = String::new();
                if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return;
                }
                if first.is_empty() {
                    first = line.clone();
                }
                if let Some(h) = line.to_ascii_lowercase().strip_prefix("host:") {
                    host = h.trim().to_string();
                }
                if line == "\r\n" {
                    break;
                }
            }
            let ok =
                host == "mta-sts.good.test" && first.starts_with("GET /.well-known/mta-sts.txt ");
            let (status, body) = if ok {
                (
                    "200 OK",
                    "version: STSv1\r\nmode: enforce\r\nmx: mx.good.test\r\nmax_age: 1209600\r\n",
                )
            } else {
                ("404 Not Found", "not found")
            };
            let reply = format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.get_mut().write_all(reply.as_bytes()).await;
            let _ = stream.get_mut().shutdown().await;
        });
    }
}

// ------------------------------------------------------------------- world

/// Everything running; dropped with the test's runtime.
pub struct World {
    pub dns: SocketAddr,
    pub smtp_port: u16,
    pub https_port: u16,
    pub ca: CertificateDer<'static>,
    pub ca_pem: String,
    _dns: Dns,
}

impl World {
    pub async fn start() -> World {
        let pki = Pki::new("zegel test CA");
        let good_mx = pki.leaf(&["mx.good.test"]);
        let bad_mx = pki.leaf(&["mail.elsewhere.test"]);
        let dkim = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
        use base64::Engine;
        let dkim_b64 = base64::engine::general_purpose::STANDARD.encode(dkim.public_key_raw());
        let dns = Dns::start(&zone(&good_mx.chain[0], &pki.cert, &dkim_b64)).await;

        // SMTP: the same port on .21 (good), .22 (no STARTTLS); .23 (OpenSSL).
        let (smtp_port, mut listeners) = bind_all(&[ip(GOOD_MX), ip(BAD_MX1), ip(BAD_MX2)]).await;
        let old = listeners.pop().unwrap().into_std().unwrap();
        old.set_nonblocking(false).unwrap();
        serve_smtp_openssl(old, &bad_mx);
        let no_tls = listeners.pop().unwrap();
        tokio::spawn(serve_smtp(no_tls, None));
        let good = listeners.pop().unwrap();
        tokio::spawn(serve_smtp(
            good,
            Some(acceptor(BySni {
                certs: HashMap::new(),
                fallback: certified(&good_mx),
            })),
        ));

        // HTTPS: the policy host.
        let mut certs = HashMap::new();
        for host in ["mta-sts.good.test", "mta-sts.bad.test"] {
            certs.insert(host.to_string(), certified(&pki.leaf(&[host])));
        }
        let (https_port, mut https) = bind_all(&[ip(POLICY_HOST)]).await;
        tokio::spawn(serve_policies(
            https.pop().unwrap(),
            acceptor(BySni {
                certs,
                fallback: certified(&pki.leaf(&["unknown.test"])),
            }),
        ));

        World {
            dns: dns.relay,
            smtp_port,
            https_port,
            ca: pki.cert.clone(),
            ca_pem: pki.pem.clone(),
            _dns: dns,
        }
    }
}
