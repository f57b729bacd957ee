//! The one HTTPS client set-up: hyper over rustls (ring, the platform's
//! certificate verifier), HTTP/1.1, a connect timeout, plain http only
//! when the caller allows it. The S3 store, the SMS webhook and the
//! OpenID Connect sign-in each keep their own request limits (time, size)
//! on top of it.

use hyper_util::client::legacy::connect::HttpConnector;
use std::time::Duration;

/// An HTTPS client sending bodies of type `B`.
pub type HttpsClient<B> =
    hyper_util::client::legacy::Client<hyper_rustls::HttpsConnector<HttpConnector>, B>;

/// Which URL schemes a client may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schemes {
    /// https only.
    HttpsOnly,
    /// https, or plain http (a server on this machine, a test).
    HttpsOrHttp,
}

/// The TLS set-up failed (no crypto provider, no platform verifier).
#[derive(Debug, thiserror::Error)]
#[error("TLS: {0}")]
pub struct HttpsClientError(String);

/// A client for `schemes` whose connections must be made within
/// `connect_timeout`.
pub fn client<B>(
    schemes: Schemes,
    connect_timeout: Duration,
) -> Result<HttpsClient<B>, HttpsClientError>
where
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
{
    let tls = crate::tls::client_builder().map_err(|e| HttpsClientError(e.to_string()))?;
    let tls = rustls_platform_verifier::BuilderVerifierExt::with_platform_verifier(tls)
        .map_err(|e| HttpsClientError(e.to_string()))?
        .with_no_client_auth();
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_connect_timeout(Some(connect_timeout));
    http.set_nodelay(true);
    let builder = hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls);
    let https = match schemes {
        Schemes::HttpsOnly => builder.https_only(),
        Schemes::HttpsOrHttp => builder.https_or_http(),
    }
    .enable_http1()
    .wrap_connector(http);
    Ok(
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build(https),
    )
}
