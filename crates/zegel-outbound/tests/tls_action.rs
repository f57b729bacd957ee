//! The policy action `tls` end to end, with real peers on 127.0.0.x:
//!
//! - DNS: a hickory-server zone `test.` on 127.0.0.1 (MX, A, `_mta-sts` TXT).
//! - HTTPS: policy hosts `mta-sts.<domain>` on 127.0.0.2 with certificates
//!   of a test CA (one from a CA nobody trusts), and a host that never
//!   answers on 127.0.0.6.
//! - SMTP: sinks with STARTTLS on 127.0.0.3 (good certificates for the MX
//!   names), 127.0.0.4 (a certificate for another name), 127.0.0.5 (a
//!   rogue MX with a good certificate but not in the policy) and 127.0.0.7
//!   (no STARTTLS at all); each records every connection and transaction.
//!
//! zegel's pipeline runs in-process ([`Outbound::submit`] and
//! [`Outbound::run_deliveries`]) against a store in a temporary folder,
//! trusting only the test CA.

use hickory_server::proto::rr::LowerName;
use hickory_server::store::in_memory::InMemoryZoneHandler;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use zegel_assess::{Assessor, Domains, Policy};
use zegel_outbound::{
    MtaSts, Outbound, OutboundConfig, RejectMode, Relay, SecondFactorPolicy, SecureAction, StsMode,
    Submission, SubmissionRecipient, SubmitOutcome, Trust,
};
use zegel_store::{Kek, Store};

/// Text only the original carries: a notification never does.
const SECRET: &str = "GEHEIM-DOSSIER-7731";

fn ip(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))
}

// ---------------------------------------------------------------- certificates

struct Pki {
    issuer: rcgen::Issuer<'static, rcgen::KeyPair>,
    cert: CertificateDer<'static>,
}

impl Pki {
    fn new(name: &str) -> Pki {
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
        let cert = params.self_signed(&key).unwrap().der().clone();
        Pki {
            issuer: rcgen::Issuer::new(params, key),
            cert,
        }
    }

    fn roots(&self) -> Arc<rustls::RootCertStore> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.cert.clone()).unwrap();
        Arc::new(roots)
    }

    /// A server certificate for `names`.
    fn leaf(&self, names: &[&str]) -> Arc<rustls::sign::CertifiedKey> {
        let key = rcgen::KeyPair::generate().unwrap();
        let params =
            rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let provider = rustls::crypto::ring::default_provider();
        let signing = provider.key_provider.load_private_key(der).unwrap();
        Arc::new(rustls::sign::CertifiedKey::new(
            vec![cert.der().clone(), self.cert.clone()],
            signing,
        ))
    }
}

/// Picks a certificate by SNI; `fallback` without SNI or for other names.
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

const ZONE: &str = r#"
$ORIGIN test.
$TTL 0
@                 IN SOA ns.test. admin.test. 1 3600 600 86400 0
@                 IN NS  ns.test.
ns                IN A   127.0.0.1

; the sender's organisation (internal)
zorg              IN MX  10 mx.zorg.test.
mx.zorg           IN A   127.0.0.3

; MTA-STS enforce, good MX
secure            IN MX  10 mx.secure.test.
mx.secure         IN A   127.0.0.3
_mta-sts.secure   IN TXT "v=STSv1; id=20240101T000000;"
mta-sts.secure    IN A   127.0.0.2

; no MTA-STS at all
plain             IN MX  10 mx.plain.test.
mx.plain          IN A   127.0.0.3

; MTA-STS in mode testing
testing           IN MX  10 mx.testing.test.
mx.testing        IN A   127.0.0.3
_mta-sts.testing  IN TXT "v=STSv1; id=1;"
mta-sts.testing   IN A   127.0.0.2

; the policy host's certificate is from a CA nobody trusts
badcert           IN MX  10 mx.badcert.test.
mx.badcert        IN A   127.0.0.3
_mta-sts.badcert  IN TXT "v=STSv1; id=1;"
mta-sts.badcert   IN A   127.0.0.2

; the policy host redirects
redirect          IN MX  10 mx.redirect.test.
mx.redirect       IN A   127.0.0.3
_mta-sts.redirect IN TXT "v=STSv1; id=1;"
mta-sts.redirect  IN A   127.0.0.2

; the policy host never answers
slow              IN MX  10 mx.slow.test.
mx.slow           IN A   127.0.0.3
_mta-sts.slow     IN TXT "v=STSv1; id=1;"
mta-sts.slow      IN A   127.0.0.6

; enforce; the preferred MX is not in the policy
wrongmx           IN MX  10 rogue.wrongmx.test.
wrongmx           IN MX  20 mx.wrongmx.test.
rogue.wrongmx     IN A   127.0.0.5
mx.wrongmx        IN A   127.0.0.3
_mta-sts.wrongmx  IN TXT "v=STSv1; id=1;"
mta-sts.wrongmx   IN A   127.0.0.2

; enforce, but the MX shows a certificate for another name
badmx             IN MX  10 mx.badmx.test.
mx.badmx          IN A   127.0.0.4
_mta-sts.badmx    IN TXT "v=STSv1; id=1;"
mta-sts.badmx     IN A   127.0.0.2

; enforce, but the MX offers no STARTTLS
nostarttls          IN MX  10 mx.nostarttls.test.
mx.nostarttls       IN A   127.0.0.7
_mta-sts.nostarttls IN TXT "v=STSv1; id=1;"
mta-sts.nostarttls  IN A   127.0.0.2

; enforce, but no MX of the domain is in the policy
nomatch           IN MX  10 mx.nomatch.test.
mx.nomatch        IN A   127.0.0.3
_mta-sts.nomatch  IN TXT "v=STSv1; id=1;"
mta-sts.nomatch   IN A   127.0.0.2

; enforce; its policy id changes during a test
moving            IN MX  10 mx.moving.test.
mx.moving         IN A   127.0.0.3
_mta-sts.moving   IN TXT "v=STSv1; id=1;"
mta-sts.moving    IN A   127.0.0.2
"#;

struct Dns {
    addr: SocketAddr,
    zone: Arc<InMemoryZoneHandler>,
    _server: zegel_testkit::dns::ZoneDns,
}

impl Dns {
    async fn start() -> Dns {
        let server = zegel_testkit::dns::ZoneDns::start("test.", ZONE).await;
        Dns {
            addr: server.addr,
            zone: server.zone.clone(),
            _server: server,
        }
    }

    /// Replaces the `_mta-sts` TXT record of `domain`.
    async fn set_sts_id(&self, domain: &str, id: &str) {
        use hickory_server::proto::rr::{rdata::TXT, RData, Record};
        let name =
            hickory_server::proto::rr::Name::from_ascii(format!("_mta-sts.{domain}.")).unwrap();
        let mut records = self.zone.records_mut().await;
        records.retain(|k, _| k.name != LowerName::new(&name));
        drop(records);
        let record = Record::from_rdata(
            name,
            0,
            RData::TXT(TXT::new(vec![format!("v=STSv1; id={id};")])),
        );
        assert!(self.zone.upsert(record, 2).await);
    }
}

// ----------------------------------------------------------------- HTTPS

/// What the policy server answers for one host.
#[derive(Clone)]
struct Answer {
    status: &'static str,
    content_type: &'static str,
    body: String,
}

fn policy(mode: &str, mx: &[&str]) -> Answer {
    let mut body = format!("version: STSv1\r\nmode: {mode}\r\n");
    for m in mx {
        body.push_str(&format!("mx: {m}\r\n"));
    }
    body.push_str("max_age: 86400\r\n");
    Answer {
        status: "200 OK",
        content_type: "text/plain; charset=utf-8",
        body,
    }
}

#[derive(Default)]
struct PolicyLog {
    /// Requests per Host.
    requests: HashMap<String, usize>,
}

struct PolicyServer {
    answers: Arc<Mutex<HashMap<String, Answer>>>,
    log: Arc<Mutex<PolicyLog>>,
}

impl PolicyServer {
    fn requests(&self, host: &str) -> usize {
        self.log
            .lock()
            .unwrap()
            .requests
            .get(host)
            .copied()
            .unwrap_or(0)
    }
}

async fn serve_policies(
    listener: TcpListener,
    tls: tokio_rustls::TlsAcceptor,
    answers: Arc<Mutex<HashMap<String, Answer>>>,
    log: Arc<Mutex<PolicyLog>>,
) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            return;
        };
        let (tls, answers, log) = (tls.clone(), answers.clone(), log.clone());
        tokio::spawn(async move {
            let Ok(stream) = tls.accept(tcp).await else {
                return;
            };
            let mut stream = BufReader::new(stream);
            let mut head = Vec::new();
            let mut host = String::new();
            loop {
                let mut line = String::new();
                if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return;
                }
                if let Some(h) = line.to_ascii_lowercase().strip_prefix("host:") {
                    host = h.trim().to_string();
                }
                if line == "\r\n" {
                    break;
                }
                head.push(line);
            }
            *log.lock()
                .unwrap()
                .requests
                .entry(host.clone())
                .or_default() += 1;
            let path_ok = head
                .first()
                .is_some_and(|l| l.starts_with("GET /.well-known/mta-sts.txt "));
            let answer = answers.lock().unwrap().get(&host).cloned();
            let answer = match (answer, path_ok) {
                (Some(a), true) => a,
                _ => Answer {
                    status: "404 Not Found",
                    content_type: "text/plain",
                    body: "not found".into(),
                },
            };
            let reply = format!(
                "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n{}\r\n{}",
                answer.status,
                answer.content_type,
                answer.body.len(),
                if answer.status.starts_with("301") {
                    "Location: https://elsewhere.test/.well-known/mta-sts.txt\r\n"
                } else {
                    ""
                },
                answer.body
            );
            let _ = stream.get_mut().write_all(reply.as_bytes()).await;
            let _ = stream.get_mut().shutdown().await;
        });
    }
}

/// Accepts connections and never says a word.
async fn serve_silence(listener: TcpListener) {
    let mut held = Vec::new();
    while let Ok((tcp, _)) = listener.accept().await {
        held.push(tcp);
    }
}

// ------------------------------------------------------------------ SMTP sinks

/// One mail a sink took.
#[derive(Debug, Clone)]
struct Mail {
    listener: IpAddr,
    tls: bool,
    sni: Option<String>,
    rcpts: Vec<String>,
    data: String,
}

#[derive(Default)]
struct SinkLog {
    connections: HashMap<IpAddr, usize>,
    /// MAIL commands seen without TLS, per listener.
    cleartext_mail: HashMap<IpAddr, usize>,
    mails: Vec<Mail>,
}

#[derive(Clone)]
struct SinkConfig {
    listener: IpAddr,
    tls: Option<tokio_rustls::TlsAcceptor>,
    log: Arc<Mutex<SinkLog>>,
}

async fn serve_smtp(listener: TcpListener, config: SinkConfig) {
    while let Ok((tcp, _)) = listener.accept().await {
        let config = config.clone();
        *config
            .log
            .lock()
            .unwrap()
            .connections
            .entry(config.listener)
            .or_default() += 1;
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
            if let Step::StartTls = smtp_dialog(&mut plain, &config, false, None).await {
                let Some(acceptor) = &config.tls else { return };
                let Ok(tls) = acceptor.accept(plain.into_inner()).await else {
                    return;
                };
                let sni = tls.get_ref().1.server_name().map(str::to_string);
                let mut tls = BufReader::new(tls);
                smtp_dialog(&mut tls, &config, true, sni).await;
            }
        });
    }
}

enum Step {
    StartTls,
    Done,
}

async fn smtp_dialog<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut BufReader<S>,
    config: &SinkConfig,
    tls: bool,
    sni: Option<String>,
) -> Step {
    let mut rcpts = Vec::new();
    loop {
        let mut line = String::new();
        if s.read_line(&mut line).await.unwrap_or(0) == 0 {
            return Step::Done;
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let reply: String = match verb.as_str() {
            "EHLO" | "HELO" => {
                if !tls && config.tls.is_some() {
                    "250-sink\r\n250-STARTTLS\r\n250 8BITMIME\r\n".into()
                } else {
                    "250-sink\r\n250 8BITMIME\r\n".into()
                }
            }
            "STAR" if !tls && config.tls.is_some() => {
                let _ = s.get_mut().write_all(b"220 go ahead\r\n").await;
                return Step::StartTls;
            }
            "MAIL" => {
                if !tls {
                    *config
                        .log
                        .lock()
                        .unwrap()
                        .cleartext_mail
                        .entry(config.listener)
                        .or_default() += 1;
                }
                rcpts.clear();
                "250 ok\r\n".into()
            }
            "RCPT" => {
                let addr = line
                    .split_once('<')
                    .and_then(|(_, r)| r.split_once('>'))
                    .map(|(a, _)| a.to_string())
                    .unwrap_or_default();
                rcpts.push(addr);
                "250 ok\r\n".into()
            }
            "DATA" => {
                if s.get_mut().write_all(b"354 go\r\n").await.is_err() {
                    return Step::Done;
                }
                let mut data = String::new();
                loop {
                    let mut l = String::new();
                    if s.read_line(&mut l).await.unwrap_or(0) == 0 {
                        return Step::Done;
                    }
                    if l == ".\r\n" {
                        break;
                    }
                    data.push_str(&l);
                }
                config.log.lock().unwrap().mails.push(Mail {
                    listener: config.listener,
                    tls,
                    sni: sni.clone(),
                    rcpts: std::mem::take(&mut rcpts),
                    data,
                });
                "250 stored\r\n".into()
            }
            "RSET" | "NOOP" => "250 ok\r\n".into(),
            "QUIT" => {
                let _ = s.get_mut().write_all(b"221 bye\r\n").await;
                return Step::Done;
            }
            _ => "502 no\r\n".into(),
        };
        if s.get_mut().write_all(reply.as_bytes()).await.is_err() {
            return Step::Done;
        }
    }
}

// ----------------------------------------------------------------- the world

struct World {
    _pki: Pki,
    roots: Arc<rustls::RootCertStore>,
    dns: Dns,
    https_port: u16,
    smtp_port: u16,
    policies: PolicyServer,
    sinks: Arc<Mutex<SinkLog>>,
}

/// Binds the same free port on each of `ips`.
async fn bind_all(ips: &[IpAddr]) -> (u16, Vec<TcpListener>) {
    for _ in 0..50 {
        let first = TcpListener::bind((ips[0], 0)).await.unwrap();
        let port = first.local_addr().unwrap().port();
        let mut listeners = vec![first];
        for ip in &ips[1..] {
            match TcpListener::bind((*ip, port)).await {
                Ok(l) => listeners.push(l),
                Err(_) => break,
            }
        }
        if listeners.len() == ips.len() {
            return (port, listeners);
        }
    }
    panic!("no port free on all of {ips:?}");
}

impl World {
    async fn start() -> World {
        let pki = Pki::new("zegel test CA");
        let stranger = Pki::new("a CA nobody trusts");
        let dns = Dns::start().await;

        // Policy hosts.
        let mut answers: HashMap<String, Answer> = HashMap::new();
        answers.insert(
            "mta-sts.secure.test".into(),
            policy("enforce", &["mx.secure.test"]),
        );
        answers.insert(
            "mta-sts.testing.test".into(),
            policy("testing", &["mx.testing.test"]),
        );
        answers.insert(
            "mta-sts.badcert.test".into(),
            policy("enforce", &["mx.badcert.test"]),
        );
        answers.insert(
            "mta-sts.redirect.test".into(),
            Answer {
                status: "301 Moved Permanently",
                ..policy("enforce", &["mx.redirect.test"])
            },
        );
        answers.insert(
            "mta-sts.wrongmx.test".into(),
            policy("enforce", &["mx.wrongmx.test"]),
        );
        answers.insert(
            "mta-sts.badmx.test".into(),
            policy("enforce", &["*.badmx.test"]),
        );
        answers.insert(
            "mta-sts.nostarttls.test".into(),
            policy("enforce", &["mx.nostarttls.test"]),
        );
        answers.insert(
            "mta-sts.nomatch.test".into(),
            policy("enforce", &["mx.elsewhere.test"]),
        );
        answers.insert(
            "mta-sts.moving.test".into(),
            policy("enforce", &["mx.moving.test"]),
        );
        let mut certs = HashMap::new();
        for host in answers.keys() {
            let cert = if host == "mta-sts.badcert.test" {
                stranger.leaf(&[host])
            } else {
                pki.leaf(&[host])
            };
            certs.insert(host.clone(), cert);
        }
        let https_tls = acceptor(BySni {
            certs,
            fallback: pki.leaf(&["unknown.test"]),
        });
        let answers = Arc::new(Mutex::new(answers));
        let policy_log = Arc::new(Mutex::new(PolicyLog::default()));
        let (https_port, mut https) = bind_all(&[ip(2), ip(6)]).await;
        tokio::spawn(serve_silence(https.pop().unwrap()));
        tokio::spawn(serve_policies(
            https.pop().unwrap(),
            https_tls,
            answers.clone(),
            policy_log.clone(),
        ));

        // Mail hosts.
        let good_names = [
            "mx.zorg.test",
            "mx.secure.test",
            "mx.plain.test",
            "mx.testing.test",
            "mx.badcert.test",
            "mx.redirect.test",
            "mx.slow.test",
            "mx.wrongmx.test",
            "mx.nomatch.test",
            "mx.moving.test",
        ];
        let good = acceptor(BySni {
            certs: HashMap::new(),
            fallback: pki.leaf(&good_names),
        });
        let wrong_name = acceptor(BySni {
            certs: HashMap::new(),
            fallback: pki.leaf(&["mail.somewhere-else.test"]),
        });
        let rogue = acceptor(BySni {
            certs: HashMap::new(),
            fallback: pki.leaf(&["rogue.wrongmx.test"]),
        });
        let sinks = Arc::new(Mutex::new(SinkLog::default()));
        let (smtp_port, listeners) = bind_all(&[ip(3), ip(4), ip(5), ip(7)]).await;
        let tls_of = [Some(good), Some(wrong_name), Some(rogue), None];
        for (listener, tls) in listeners.into_iter().zip(tls_of) {
            let config = SinkConfig {
                listener: listener.local_addr().unwrap().ip(),
                tls,
                log: sinks.clone(),
            };
            tokio::spawn(serve_smtp(listener, config));
        }

        World {
            roots: pki.roots(),
            _pki: pki,
            dns,
            https_port,
            smtp_port,
            policies: PolicyServer {
                answers,
                log: policy_log,
            },
            sinks,
        }
    }

    fn mta_sts(&self) -> MtaSts {
        MtaSts::new(&[self.dns.addr], Trust::Roots(self.roots.clone()))
            .unwrap()
            .with_https_port(self.https_port)
            .with_timeout(Duration::from_secs(2))
    }

    async fn outbound(&self, dir: &std::path::Path, lifetime: Duration) -> Outbound {
        let config = OutboundConfig {
            hostname: "gw.zorg.test".into(),
            organization: "Zorg".into(),
            public_url: "https://portal.zorg.test".into(),
            notices_from: "zegel@zorg.test".into(),
            secure_action: SecureAction::Tls,
            reject_mode: RejectMode::Inline,
            sender_notice: true,
            hide_subject: true,
            confirm_within: std::time::Duration::from_secs(72 * 3600),
            portal_expiry: Duration::from_secs(86_400),
            second_factor: SecondFactorPolicy::None,
            contact_phones: HashMap::new(),
            read_receipts: false,
            relay: Relay::Mx {
                port: self.smtp_port,
            },
            dns_servers: vec![self.dns.addr],
            lifetime,
            retry_base: Duration::from_secs(1),
            retry_max: Duration::from_secs(1),
            smtp_timeout: Duration::from_secs(5),
            concurrency: 4,
            lease: Duration::from_secs(600),
            opportunistic_tls_unverified: true,
            archive_format: zegel_archive::Format::SevenZ,
            archive_body_as_document: true,
            archive_fallback: SecureAction::Portal,
            inbound_relay: None,
        };
        let url = zegel_store::test_database_url(dir).await.unwrap();
        let store = Store::open(dir, url.as_deref(), Kek::generate())
            .await
            .unwrap();
        let assessor = Arc::new(Assessor::new(Policy {
            domains: Domains::new(&["zorg.test".into()], &[]),
            ..Policy::default()
        }));
        Outbound::new(config, store, assessor, None).with_mta_sts(Some(Arc::new(self.mta_sts())))
    }

    fn mails(&self) -> Vec<Mail> {
        self.sinks.lock().unwrap().mails.clone()
    }

    fn mails_to(&self, rcpt: &str) -> Vec<Mail> {
        self.mails()
            .into_iter()
            .filter(|m| m.rcpts.iter().any(|r| r == rcpt))
            .collect()
    }

    fn connections(&self, last: u8) -> usize {
        self.sinks
            .lock()
            .unwrap()
            .connections
            .get(&ip(last))
            .copied()
            .unwrap_or(0)
    }

    fn cleartext_mail(&self, last: u8) -> usize {
        self.sinks
            .lock()
            .unwrap()
            .cleartext_mail
            .get(&ip(last))
            .copied()
            .unwrap_or(0)
    }

    /// Waits until `done` holds (or panics after `limit`).
    async fn wait(&self, limit: Duration, what: &str, done: impl Fn(&World) -> bool) {
        let start = Instant::now();
        while !done(self) {
            if start.elapsed() > limit {
                panic!("{what}: not within {limit:?}; mails: {:#?}", self.mails());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn secure_mail(to: &[&str]) -> Submission {
    let raw = format!(
        "From: Jan <jan@zorg.test>\r\nTo: {}\r\nSubject: [veilig] Dossier\r\n\
         Message-ID: <1@zorg.test>\r\nDate: Mon, 1 Jan 2024 10:00:00 +0100\r\n\r\n\
         Hierbij het dossier: {SECRET}.\r\n",
        to.join(", ")
    );
    Submission {
        mail_from: "jan@zorg.test".into(),
        recipients: to
            .iter()
            .map(|a| SubmissionRecipient {
                address: a.to_string(),
                notify_never: false,
            })
            .collect(),
        raw: raw.into_bytes(),
        client_ip: Some(ip(1)),
        helo: Some("client.zorg.test".into()),
        authenticated_user: Some("jan@zorg.test".into()),
        tls: true,
        headers_only: false,
        sent_secure: None,
    }
}

/// Runs the delivery worker until the returned sender is dropped.
fn deliver(outbound: &Outbound) -> tokio::sync::oneshot::Sender<()> {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let outbound = outbound.clone();
    tokio::spawn(async move {
        outbound
            .run_deliveries(async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });
    stop
}

fn is_notification(mail: &Mail) -> bool {
    mail.data.contains("https://portal.zorg.test/m/") && !mail.data.contains(SECRET)
}

// ----------------------------------------------------------------------- tests

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enforce_gets_the_original_over_verified_tls_and_the_rest_the_portal() {
    let world = World::start().await;
    let dir = tempfile::tempdir().unwrap();
    let outbound = world.outbound(dir.path(), Duration::from_secs(600)).await;
    let to = [
        "collega@zorg.test",
        "a@secure.test",
        "b@plain.test",
        "c@testing.test",
        "d@badcert.test",
        "e@redirect.test",
        "f@slow.test",
        "g@nomatch.test",
    ];
    let start = Instant::now();
    let outcome = outbound.submit(secure_mail(&to)).await;
    let took = start.elapsed();
    let SubmitOutcome::Accepted { id, .. } = outcome else {
        panic!("{outcome:?}")
    };
    // The never-answering policy host costs one timeout (2 s), not a hang;
    // the domains are looked up side by side.
    assert!(took < Duration::from_secs(8), "submit took {took:?}");

    let _stop = deliver(&outbound);
    world
        .wait(Duration::from_secs(30), "all deliveries", |w| {
            to.iter().all(|r| !w.mails_to(r).is_empty())
        })
        .await;

    // The internal colleague and the enforcing domain get the original.
    for rcpt in ["collega@zorg.test", "a@secure.test"] {
        let mails = world.mails_to(rcpt);
        assert_eq!(mails.len(), 1, "{rcpt}: {mails:#?}");
        assert!(mails[0].data.contains(SECRET), "{rcpt} gets the original");
    }
    let secure = &world.mails_to("a@secure.test")[0];
    assert!(secure.tls, "over TLS");
    assert_eq!(
        secure.sni.as_deref(),
        Some("mx.secure.test"),
        "SNI is the MX name"
    );
    assert_eq!(secure.listener, ip(3));

    // Everyone else only a notification: the message waits in the portal.
    for rcpt in &to[2..] {
        let mails = world.mails_to(rcpt);
        assert_eq!(mails.len(), 1, "{rcpt}: {mails:#?}");
        assert!(is_notification(&mails[0]), "{rcpt}: {}", mails[0].data);
    }

    // Policies were fetched for the domains that have a TXT record; the
    // untrusted certificate and the redirect ended the fetch.
    assert_eq!(world.policies.requests("mta-sts.secure.test"), 1);
    assert_eq!(
        world.policies.requests("mta-sts.badcert.test"),
        0,
        "TLS refused before HTTP"
    );
    assert_eq!(world.policies.requests("mta-sts.redirect.test"), 1);
    assert_eq!(
        world.policies.requests("elsewhere.test"),
        0,
        "redirect not followed"
    );

    // The audit says which recipient got verified TLS only.
    let audit = outbound.store().audit_entries(0).await.unwrap();
    let tls_only: Vec<&str> = audit
        .iter()
        .filter(|e| {
            e.event == zegel_store::Event::TlsOnly && e.message_id.as_deref() == Some(id.as_str())
        })
        .map(|e| e.subject.as_str())
        .collect();
    assert_eq!(tls_only, ["a@secure.test"]);
    let stored = audit
        .iter()
        .filter(|e| e.event == zegel_store::Event::Stored)
        .count();
    assert_eq!(stored, 6, "six portal packages");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_mx_outside_the_policy_is_never_used() {
    let world = World::start().await;
    let dir = tempfile::tempdir().unwrap();
    let outbound = world.outbound(dir.path(), Duration::from_secs(600)).await;
    let outcome = outbound.submit(secure_mail(&["h@wrongmx.test"])).await;
    assert!(
        matches!(outcome, SubmitOutcome::Accepted { .. }),
        "{outcome:?}"
    );
    let _stop = deliver(&outbound);
    world
        .wait(Duration::from_secs(20), "delivery", |w| {
            !w.mails_to("h@wrongmx.test").is_empty()
        })
        .await;
    let mails = world.mails_to("h@wrongmx.test");
    assert_eq!(mails.len(), 1);
    assert!(mails[0].data.contains(SECRET), "the original");
    assert!(mails[0].tls);
    assert_eq!(
        mails[0].listener,
        ip(3),
        "the MX the policy names (preference 20)"
    );
    assert_eq!(mails[0].sni.as_deref(), Some("mx.wrongmx.test"));
    assert_eq!(
        world.connections(5),
        0,
        "the preferred MX outside the policy is not even connected to"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_verified_tls_at_the_mx_nothing_is_sent_and_the_sender_gets_a_failure_notice() {
    let world = World::start().await;
    let dir = tempfile::tempdir().unwrap();
    // Short lifetime: retried for 3 seconds, then a failure notice.
    let outbound = world.outbound(dir.path(), Duration::from_secs(3)).await;
    let outcome = outbound
        .submit(secure_mail(&["i@badmx.test", "j@nostarttls.test"]))
        .await;
    assert!(
        matches!(outcome, SubmitOutcome::Accepted { .. }),
        "{outcome:?}"
    );
    let audit = outbound.store().audit_entries(0).await.unwrap();
    let tls_only = audit
        .iter()
        .filter(|e| e.event == zegel_store::Event::TlsOnly)
        .count();
    assert_eq!(
        tls_only, 2,
        "both domains enforce MTA-STS: verified TLS planned"
    );

    let _stop = deliver(&outbound);
    world
        .wait(Duration::from_secs(30), "two failure notices", |w| {
            w.mails_to("jan@zorg.test")
                .iter()
                .filter(|m| m.data.contains("multipart/report"))
                .count()
                >= 2
        })
        .await;
    // Tried, more than once, but never a word of the message.
    assert!(
        world.connections(4) >= 2,
        "the bad-certificate MX was tried and retried"
    );
    assert!(
        world.connections(7) >= 2,
        "the MX without STARTTLS was tried and retried"
    );
    for last in [4, 7] {
        assert_eq!(
            world.cleartext_mail(last),
            0,
            "no MAIL in the clear at 127.0.0.{last}"
        );
    }
    assert!(world.mails_to("i@badmx.test").is_empty());
    assert!(world.mails_to("j@nostarttls.test").is_empty());
    assert!(
        !world.mails().iter().any(|m| m.listener != ip(3)),
        "nothing reached 127.0.0.4 or .7"
    );
    let notices = world.mails_to("jan@zorg.test");
    for rcpt in ["i@badmx.test", "j@nostarttls.test"] {
        assert!(
            notices.iter().any(|m| m.data.contains(rcpt)),
            "a failure notice names {rcpt}"
        );
    }
    let counts = outbound.store().delivery_counts().await.unwrap();
    let failed = counts
        .iter()
        .find(|(state, _)| state == "failed")
        .map(|(_, n)| *n);
    assert_eq!(failed, Some(2), "{counts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policies_are_cached_by_id_and_survive_a_failed_refresh() {
    let world = World::start().await;
    let mta_sts = world.mta_sts();
    let host = "mta-sts.moving.test";

    let first = mta_sts.enforced("moving.test").await.unwrap();
    assert_eq!(first.mode, StsMode::Enforce);
    assert_eq!(first.mx, ["mx.moving.test"]);
    assert_eq!(first.id, "1");
    assert_eq!(world.policies.requests(host), 1);

    // Same id: the cache answers; no new fetch.
    mta_sts.enforced("moving.test").await.unwrap();
    assert_eq!(world.policies.requests(host), 1);

    // New id: fetched again, and the new policy counts.
    world
        .policies
        .answers
        .lock()
        .unwrap()
        .insert(host.into(), policy("enforce", &["mx2.moving.test"]));
    world.dns.set_sts_id("moving.test", "2").await;
    let second = mta_sts.enforced("moving.test").await.unwrap();
    assert_eq!(world.policies.requests(host), 2);
    assert_eq!(
        (second.id.as_str(), second.mx.as_slice()),
        ("2", &["mx2.moving.test".to_string()][..])
    );

    // New id again, but the policy host fails now: the cached policy stays
    // (an attacker who blocks the fetch cannot switch it off).
    world.policies.answers.lock().unwrap().insert(
        host.into(),
        Answer {
            status: "500 Internal Server Error",
            ..policy("none", &[])
        },
    );
    world.dns.set_sts_id("moving.test", "3").await;
    let third = mta_sts.enforced("moving.test").await.unwrap();
    assert_eq!(world.policies.requests(host), 3);
    assert_eq!(third.id, "2", "the cached policy");

    // A fresh checker without the cache: no policy, so no verified TLS.
    let fresh = world.mta_sts();
    assert!(fresh.enforced("moving.test").await.is_err());
    // And a domain without any record has none.
    let err = fresh.enforced("plain.test").await.unwrap_err();
    assert!(
        matches!(err, zegel_outbound::tls_policy::StsLookupError::NoRecord(_)),
        "{err}"
    );
}
