//! The MTA-STS policy fetch (RFC 8461 section 3.3), shared by the outbound
//! `tls` action and the domain check.

use http_body_util::BodyExt;
use hyper::header::{self, CONTENT_TYPE, HOST};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// Largest policy file read (RFC 8461 suggests 64 KiB).
pub const MAX_POLICY_BYTES: usize = 64 * 1024;

/// Most addresses of the policy host tried, one after the other.
pub const MAX_ADDRESSES: usize = 4;

/// The User-Agent of the fetch.
pub const USER_AGENT: &str = concat!("zegel/", env!("CARGO_PKG_VERSION"));

/// Where the policy lives on its host.
pub const POLICY_PATH: &str = "/.well-known/mta-sts.txt";

/// Why the policy could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The policy host has no address.
    #[error("{host} has no address")]
    NoAddress { host: String },
    /// The host name is not one TLS can verify.
    #[error("not a host name: {host}")]
    BadHost { host: String },
    /// No TCP connection.
    #[error("connection to {host} ({addr}): {reason}")]
    Connect {
        host: String,
        addr: SocketAddr,
        reason: String,
    },
    /// The TLS handshake failed (a certificate not valid for the host, too).
    #[error("TLS with {host}: {reason}")]
    Tls { host: String, reason: String },
    /// HTTP failed.
    #[error("HTTP with {host}: {reason}")]
    Http { host: String, reason: String },
    /// An answer other than 200.
    #[error("{host} answered HTTP {status} (only 200 counts; redirects are not followed)")]
    Status { host: String, status: u16 },
    /// Not served as text/plain.
    #[error("{host} served the policy as {media_type:?}, not text/plain")]
    MediaType {
        host: String,
        media_type: Option<String>,
    },
    /// The body could not be read, or was longer than [`MAX_POLICY_BYTES`].
    #[error("policy from {host}: {reason}")]
    Body { host: String, reason: String },
    /// The body is not UTF-8.
    #[error("policy from {host}: not UTF-8")]
    NotUtf8 { host: String },
}

/// Fetches the policy file from `host` (`mta-sts.<domain>`) at one of
/// `addresses` (the first [`MAX_ADDRESSES`], in order, until one answers
/// with a policy; the last error otherwise) on `port`, over TLS with
/// `tls` (whose verifier decides which certificates count). No timeout
/// here: the caller bounds the whole fetch.
pub async fn fetch_policy(
    host: &str,
    addresses: &[IpAddr],
    port: u16,
    tls: Arc<rustls::ClientConfig>,
) -> Result<String, FetchError> {
    let mut last = FetchError::NoAddress {
        host: host.to_string(),
    };
    for ip in addresses.iter().take(MAX_ADDRESSES) {
        let addr = SocketAddr::new(*ip, port);
        match fetch_from(host, addr, tls.clone()).await {
            Ok(policy) => return Ok(policy),
            Err(e) => last = e,
        }
    }
    Err(last)
}

async fn fetch_from(
    host: &str,
    addr: SocketAddr,
    tls: Arc<rustls::ClientConfig>,
) -> Result<String, FetchError> {
    let owned = || host.to_string();
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| FetchError::Connect {
            host: owned(),
            addr,
            reason: e.to_string(),
        })?;
    let name = rustls::pki_types::ServerName::try_from(owned())
        .map_err(|_| FetchError::BadHost { host: owned() })?;
    let stream = tokio_rustls::TlsConnector::from(tls)
        .connect(name, tcp)
        .await
        .map_err(|e| FetchError::Tls {
            host: owned(),
            reason: e.to_string(),
        })?;
    let http = |e: hyper::Error| FetchError::Http {
        host: owned(),
        reason: e.to_string(),
    };
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(http)?;
    let _connection = AbortOnDrop(tokio::spawn(connection));
    let request = hyper::Request::get(POLICY_PATH)
        .header(HOST, host)
        .header(header::USER_AGENT, USER_AGENT)
        .body(http_body_util::Empty::<hyper::body::Bytes>::new())
        .map_err(|e| FetchError::Http {
            host: owned(),
            reason: e.to_string(),
        })?;
    let response = sender.send_request(request).await.map_err(http)?;
    // Only 200: redirects are not followed (RFC 8461 section 3.3).
    if response.status() != hyper::StatusCode::OK {
        return Err(FetchError::Status {
            host: owned(),
            status: response.status().as_u16(),
        });
    }
    let media_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if media_type.as_deref() != Some("text/plain") {
        return Err(FetchError::MediaType {
            host: owned(),
            media_type,
        });
    }
    let body = http_body_util::Limited::new(response.into_body(), MAX_POLICY_BYTES)
        .collect()
        .await
        .map_err(|e| FetchError::Body {
            host: owned(),
            reason: e.to_string(),
        })?
        .to_bytes();
    String::from_utf8(body.to_vec()).map_err(|_| FetchError::NotUtf8 { host: owned() })
}

/// Stops the HTTP connection's driver task however the fetch ends.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}
