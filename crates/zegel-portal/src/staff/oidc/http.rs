//! The HTTP client of the OpenID Connect sign-in (discovery, keys, token
//! and userinfo requests): HTTP/1.1 over hyper, TLS by rustls with ring and
//! the system's trusted certificates, as the SMS webhook and the S3
//! transport do. Not openidconnect's reqwest client: that is reqwest 0.12
//! with its own rustls, a second HTTP and TLS stack beside the workspace's
//! (see the workspace Cargo.toml on aws-lc-rs).
//!
//! Redirects are not followed (what the openidconnect crate asks of a
//! client, against request forgery), answers are read up to 1 MiB, and
//! every request has a time limit. Plain http only when the issuer was
//! written as `http://` to this machine (a test or a lab).

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use openidconnect::{AsyncHttpClient, HttpRequest, HttpResponse};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// The largest answer read (discovery documents and key sets are a few KiB).
const MAX_ANSWER: usize = 1024 * 1024;

/// Why a request to the provider failed.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// TLS could not be set up.
    #[error("TLS: {0}")]
    Tls(String),
    /// The request could not be made or the answer not read.
    #[error("{0}")]
    Request(String),
    /// No answer in time.
    #[error("no answer within {0} s")]
    Timeout(u64),
}

type Client = zegel_net::https::HttpsClient<Full<Bytes>>;

/// One connection pool for the provider's endpoints.
#[derive(Clone)]
pub struct OidcHttp {
    client: Client,
    timeout: Duration,
}

impl OidcHttp {
    /// A client; `allow_http` for an issuer on this machine over plain
    /// http.
    pub fn new(allow_http: bool, timeout: Duration) -> Result<OidcHttp, HttpError> {
        let schemes = if allow_http {
            zegel_net::https::Schemes::HttpsOrHttp
        } else {
            zegel_net::https::Schemes::HttpsOnly
        };
        let client = zegel_net::https::client(schemes, timeout)
            .map_err(|e| HttpError::Tls(e.to_string()))?;
        Ok(OidcHttp { client, timeout })
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let (parts, body) = request.into_parts();
        let request = hyper::Request::from_parts(parts, Full::new(Bytes::from(body)));
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| HttpError::Request(error_chain(&e)))?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, MAX_ANSWER)
                .collect()
                .await
                .map_err(|e| HttpError::Request(format!("reading the answer: {e}")))?
                .to_bytes();
            Ok(HttpResponse::from_parts(parts, body.to_vec()))
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| HttpError::Timeout(self.timeout.as_secs()))?
    }
}

impl<'c> AsyncHttpClient<'c> for OidcHttp {
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}

/// An error with its causes, for logs and the audit trail.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}
