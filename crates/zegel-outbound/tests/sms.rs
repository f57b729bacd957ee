//! The SMS providers against real peers: the outbox writes files another
//! program can read; the webhook talks to an HTTP server on 127.0.0.1 that
//! fails, refuses or hangs on command.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zegel_outbound::sms::{
    sms_sender, OutboxSms, PhoneNumber, SmsConfig, SmsError, SmsProvider, SmsSender, WebhookConfig,
    WebhookSms,
};

/// One request the test server saw.
#[derive(Debug, Clone)]
struct Seen {
    at: Instant,
    headers: HeaderMap,
    body: serde_json::Value,
}

/// What the server answers: the statuses in turn (the last one repeats);
/// 0 means never answer.
#[derive(Clone)]
struct Peer {
    answers: Arc<Vec<u16>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

async fn handle(State(peer): State<Peer>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let n = {
        let mut seen = peer.seen.lock().unwrap();
        seen.push(Seen {
            at: Instant::now(),
            headers,
            body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
        });
        seen.len()
    };
    let status = peer.answers[(n - 1).min(peer.answers.len() - 1)];
    if status == 0 {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    StatusCode::from_u16(status).unwrap()
}

/// A webhook server on 127.0.0.1 answering `answers`; returns its URL.
async fn peer(answers: &[u16]) -> (String, Peer) {
    let peer = Peer {
        answers: Arc::new(answers.to_vec()),
        seen: Arc::default(),
    };
    let app = Router::new()
        .route("/sms", post(handle))
        .with_state(peer.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/sms"), peer)
}

fn quick(url: &str) -> WebhookConfig {
    let mut c = WebhookConfig::new(url);
    c.backoff = Duration::from_millis(200);
    c.timeout = Duration::from_secs(5);
    c
}

fn number() -> PhoneNumber {
    PhoneNumber::parse("06-12345678").unwrap()
}

#[tokio::test]
async fn outbox_writes_one_readable_json_file_per_sms() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("sms-outbox");
    let sender = sms_sender(&SmsConfig {
        provider: SmsProvider::Outbox {
            dir: outbox.clone(),
        },
        sender_name: Some("Zorg NL".into()),
    })
    .unwrap();
    let before = chrono::Utc::now() - chrono::Duration::seconds(1);
    sender
        .send(&number(), "Zorg: uw code is 123456")
        .await
        .unwrap();
    sender
        .send(&PhoneNumber::parse("+32 470 12 34 56").unwrap(), "tweede")
        .await
        .unwrap();
    let mut names: Vec<String> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}: no temporary files left");
    assert!(names.iter().all(|n| n.ends_with(".json")), "{names:?}");
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(outbox.join(name)).unwrap()).unwrap()
    };
    // Names sort by time: the first SMS first.
    let first = read(&names[0]);
    assert_eq!(first["to"], "+31612345678");
    assert_eq!(first["text"], "Zorg: uw code is 123456");
    assert_eq!(first["sender"], "Zorg NL");
    let id = first["id"].as_str().unwrap();
    assert_eq!(id.len(), 32);
    assert!(names[0].contains(id));
    let created = chrono::DateTime::parse_from_rfc3339(first["created_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    assert!(created >= before && created <= chrono::Utc::now());
    let second = read(&names[1]);
    assert_eq!(second["to"], "+32470123456");
    assert_ne!(second["id"], first["id"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(outbox.join(&names[0]))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "only the owner reads codes");
    }
    // An empty text is refused and writes nothing.
    assert!(matches!(
        OutboxSms::new(&outbox).send(&number(), " ").await,
        Err(SmsError::EmptyText)
    ));
    assert_eq!(std::fs::read_dir(&outbox).unwrap().count(), 2);
}

#[tokio::test]
async fn outbox_that_cannot_be_written_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    let e = OutboxSms::new(file.join("sms-outbox"))
        .send(&number(), "uw code is 123456")
        .await
        .unwrap_err();
    assert!(matches!(e, SmsError::Io { .. }), "{e}");
    assert!(!e.to_string().contains("123456"), "{e}");
}

#[tokio::test]
async fn webhook_tries_again_after_503_and_then_delivers() {
    let (url, peer) = peer(&[503, 503, 200]).await;
    let mut c = quick(&url);
    c.token = Some("s3cret".into());
    c.headers = vec![("X-Api-Key".into(), "k-1".into())];
    let sms = WebhookSms::new(c)
        .unwrap()
        .with_sender(Some("Zorg NL".into()));
    let start = Instant::now();
    sms.send(&number(), "uw code is 654321").await.unwrap();
    let seen = peer.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "two failures, then success");
    for s in &seen {
        assert_eq!(s.body["to"], "+31612345678");
        assert_eq!(s.body["text"], "uw code is 654321");
        assert_eq!(s.body["sender"], "Zorg NL");
        assert_eq!(s.body["id"], seen[0].body["id"], "the same id every try");
        assert_eq!(s.headers["authorization"], "Bearer s3cret");
        assert_eq!(s.headers["x-api-key"], "k-1");
        assert_eq!(s.headers["content-type"], "application/json");
    }
    // Backoff: 200 ms, then 400 ms.
    assert!(seen[1].at - seen[0].at >= Duration::from_millis(190));
    assert!(seen[2].at - seen[1].at >= Duration::from_millis(390));
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn webhook_gives_up_after_the_last_try() {
    let (url, peer) = peer(&[500]).await;
    let e = WebhookSms::new(quick(&url))
        .unwrap()
        .send(&number(), "uw code is 111111")
        .await
        .unwrap_err();
    assert!(
        matches!(e, SmsError::Unavailable { attempts: 3, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("HTTP 500"), "{e}");
    assert!(!e.to_string().contains("111111"), "{e}");
    assert_eq!(peer.seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn webhook_does_not_retry_a_400() {
    let (url, peer) = peer(&[400, 200]).await;
    let e = WebhookSms::new(quick(&url))
        .unwrap()
        .send(&number(), "uw code is 222222")
        .await
        .unwrap_err();
    assert!(matches!(e, SmsError::Refused { status: 400 }), "{e}");
    assert!(!e.to_string().contains("222222"), "{e}");
    // Give a wrong retry time to arrive.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(peer.seen.lock().unwrap().len(), 1, "a 4xx is final");
}

#[tokio::test]
async fn webhook_tries_again_after_429() {
    let (url, peer) = peer(&[429, 204]).await;
    WebhookSms::new(quick(&url))
        .unwrap()
        .send(&number(), "x")
        .await
        .unwrap();
    assert_eq!(peer.seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn webhook_that_hangs_times_out() {
    let (url, peer) = peer(&[0]).await;
    let mut c = quick(&url);
    c.timeout = Duration::from_millis(500);
    c.max_attempts = 2;
    let start = Instant::now();
    let e = WebhookSms::new(c)
        .unwrap()
        .send(&number(), "uw code is 333333")
        .await
        .unwrap_err();
    let took = start.elapsed();
    assert!(
        matches!(e, SmsError::Unavailable { attempts: 2, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("no answer within 500 ms"), "{e}");
    assert!(took >= Duration::from_millis(1000), "{took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_eq!(peer.seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn webhook_without_a_server_is_unavailable() {
    // A port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut c = quick(&format!("http://127.0.0.1:{port}/sms?key=secret-in-url"));
    c.max_attempts = 2;
    c.backoff = Duration::from_millis(50);
    let e = WebhookSms::new(c)
        .unwrap()
        .send(&number(), "uw code is 444444")
        .await
        .unwrap_err();
    assert!(
        matches!(e, SmsError::Unavailable { attempts: 2, .. }),
        "{e}"
    );
    let text = e.to_string();
    assert!(!text.contains("secret-in-url"), "{text}");
    assert!(!text.contains("444444"), "{text}");
}

#[tokio::test]
async fn webhook_over_https_checks_the_certificate() {
    // An HTTPS server with a self-signed certificate: the client speaks TLS
    // (rustls with ring, no process-wide provider needed) and refuses it.
    let made = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::try_from(made.signing_key.serialize_der()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![made.cert.der().clone()], key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handshakes = Arc::new(Mutex::new(0));
    let counted = handshakes.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            *counted.lock().unwrap() += 1;
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let _ = acceptor.accept(tcp).await;
            });
        }
    });
    let mut c = quick(&format!("https://localhost:{port}/sms"));
    c.max_attempts = 1;
    let e = WebhookSms::new(c)
        .unwrap()
        .send(&number(), "uw code is 555555")
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, SmsError::Unavailable { .. }), "{text}");
    assert!(text.to_lowercase().contains("certificate"), "{text}");
    assert_eq!(*handshakes.lock().unwrap(), 1);
}
