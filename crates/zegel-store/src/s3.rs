//! Blobs in an S3-compatible bucket: where it is ([`S3Location`], parsed
//! from `s3://BUCKET[/PREFIX]`), and object_store's S3 client over our own
//! HTTP transport.
//!
//! Why our own transport: object_store's "aws" feature brings reqwest with
//! rustls on aws-lc-rs, and the workspace keeps to ring (see the workspace
//! Cargo.toml). object_store's "aws-base" is the same S3 client without a
//! transport; [`HyperConnector`] gives it one: HTTP/1.1 over hyper, TLS by
//! rustls with ring and the system's trusted certificates (like the SMS
//! webhook). Plain http only when object_store's client options allow it,
//! and zegel allows it only for an endpoint written as `http://`.

use crate::StoreError;
use http_body_util::BodyExt;
use object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey};
use object_store::client::{
    HttpClient, HttpConnector, HttpError, HttpErrorKind, HttpRequest, HttpRequestBody,
    HttpResponse, HttpResponseBody, HttpService,
};
use object_store::{ClientConfigKey, ClientOptions};
use std::fmt;
use std::time::Duration;

/// How long to wait for a connection to the object store.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one request may take until the response headers arrive (the
/// request body, a whole sealed blob, is sent within it).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(300);

/// An S3-compatible bucket and how to reach it. Unset fields come from the
/// standard `AWS_*` environment variables (`AWS_ENDPOINT`, `AWS_REGION`,
/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, …),
/// and then from object_store's defaults (region `us-east-1`; credentials
/// from the instance or container metadata).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct S3Location {
    /// The bucket's name.
    pub bucket: String,
    /// A key prefix (folder) inside the bucket, without slashes at the ends.
    pub prefix: Option<String>,
    /// The endpoint URL, e.g. `https://s3.eu-central-1.wasabisys.com` or
    /// `http://127.0.0.1:9000` (plain http is allowed only when written so).
    pub endpoint: Option<String>,
    /// The region.
    pub region: Option<String>,
    /// The access key id.
    pub access_key_id: Option<String>,
    /// The secret access key.
    pub secret_access_key: Option<String>,
}

impl fmt::Debug for S3Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Location")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field(
                "secret_access_key",
                &self.secret_access_key.as_ref().map(|_| "…"),
            )
            .finish()
    }
}

impl S3Location {
    /// Parses `s3://BUCKET` or `s3://BUCKET/PREFIX` (endpoint, region and
    /// credentials are set on the result).
    pub fn parse(url: &str) -> Result<S3Location, StoreError> {
        let bad = |reason: &str| StoreError::BadBlobLocation {
            value: url.to_string(),
            reason: reason.to_string(),
        };
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| bad("an S3 location starts with s3://"))?;
        let (bucket, prefix) = match rest.split_once('/') {
            Some((bucket, prefix)) => (bucket, prefix.trim_matches('/')),
            None => (rest, ""),
        };
        check_bucket_name(bucket).map_err(bad)?;
        let prefix = if prefix.is_empty() {
            None
        } else {
            let bad_part = prefix
                .split('/')
                .any(|part| part.is_empty() || part == "." || part == "..");
            if bad_part || object_store::path::Path::parse(prefix).is_err() {
                return Err(bad(
                    "the prefix must be folder names separated by single slashes",
                ));
            }
            if prefix.chars().any(|c| c.is_control() || c == '\\') {
                return Err(bad("the prefix has a control character or a backslash"));
            }
            Some(prefix.to_string())
        };
        Ok(S3Location {
            bucket: bucket.to_string(),
            prefix,
            ..S3Location::default()
        })
    }

    /// The location as written: `s3://BUCKET[/PREFIX]`.
    pub fn url(&self) -> String {
        match &self.prefix {
            Some(prefix) => format!("s3://{}/{prefix}", self.bucket),
            None => format!("s3://{}", self.bucket),
        }
    }

    /// object_store's S3 client for this bucket: the `AWS_*` environment,
    /// then the fields set here; path-style requests to a custom endpoint;
    /// plain http only for an endpoint that starts with `http://`.
    pub(crate) fn client(&self) -> Result<AmazonS3, StoreError> {
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(&self.bucket);
        if let Some(endpoint) = &self.endpoint {
            let lower = endpoint.to_ascii_lowercase();
            if !(lower.starts_with("https://") || lower.starts_with("http://")) {
                return Err(StoreError::BadBlobLocation {
                    value: endpoint.clone(),
                    reason: "the S3 endpoint must be an http:// or https:// URL".into(),
                });
            }
            builder = builder.with_endpoint(endpoint);
        }
        if let Some(region) = &self.region {
            builder = builder.with_region(region);
        }
        if let Some(id) = &self.access_key_id {
            builder = builder.with_access_key_id(id);
        }
        if let Some(secret) = &self.secret_access_key {
            builder = builder.with_secret_access_key(secret);
        }
        // Whichever way the endpoint came (here or AWS_ENDPOINT), plain
        // http only when it says so; AWS_ALLOW_HTTP is overridden.
        let endpoint = builder
            .get_config_value(&AmazonS3ConfigKey::Endpoint)
            .unwrap_or_default();
        let http = endpoint.to_ascii_lowercase().starts_with("http://");
        builder
            .with_allow_http(http)
            .with_http_connector(HyperConnector)
            .build()
            .map_err(|source| StoreError::Blob {
                what: "set up the S3 client",
                source,
            })
    }
}

/// S3 bucket names: 3 to 63 lowercase letters, digits, dots and hyphens,
/// starting and ending with a letter or digit.
fn check_bucket_name(bucket: &str) -> Result<(), &'static str> {
    let ok_chars = bucket
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
    let ends_ok = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if !(3..=63).contains(&bucket.len())
        || !ok_chars
        || !ends_ok(bucket.bytes().next())
        || !ends_ok(bucket.bytes().last())
    {
        return Err(
            "the bucket name must be 3 to 63 lowercase letters, digits, dots and \
                    hyphens, starting and ending with a letter or digit",
        );
    }
    Ok(())
}

/// object_store's HTTP transport: hyper with rustls (ring).
#[derive(Debug, Clone, Copy)]
pub(crate) struct HyperConnector;

impl HttpConnector for HyperConnector {
    fn connect(&self, options: &ClientOptions) -> object_store::Result<HttpClient> {
        let allow_http = options
            .get_config_value(&ClientConfigKey::AllowHttp)
            .is_some_and(|v| v == "true");
        let generic = |message: String| object_store::Error::Generic {
            store: "S3",
            source: message.into(),
        };
        let schemes = if allow_http {
            zegel_net::https::Schemes::HttpsOrHttp
        } else {
            zegel_net::https::Schemes::HttpsOnly
        };
        let client = zegel_net::https::client(schemes, CONNECT_TIMEOUT)
            .map_err(|e| generic(e.to_string()))?;
        Ok(HttpClient::new(HyperService { client }))
    }
}

type Client = zegel_net::https::HttpsClient<HttpRequestBody>;

/// One connection pool, serving object_store's requests.
#[derive(Clone)]
struct HyperService {
    client: Client,
}

impl fmt::Debug for HyperService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HyperService")
    }
}

/// The message of an error without its chain (for [`HttpError`]).
#[derive(Debug)]
struct Message(String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Message {}

#[async_trait::async_trait]
impl HttpService for HyperService {
    async fn call(&self, req: HttpRequest) -> Result<HttpResponse, HttpError> {
        let response = tokio::time::timeout(REQUEST_TIMEOUT, self.client.request(req))
            .await
            .map_err(|_| {
                HttpError::new(
                    HttpErrorKind::Timeout,
                    Message("no response in time".into()),
                )
            })?
            .map_err(|e| {
                let kind = if e.is_connect() {
                    HttpErrorKind::Connect
                } else {
                    HttpErrorKind::Request
                };
                HttpError::new(kind, e)
            })?;
        let (parts, body) = response.into_parts();
        let body = body.map_err(|e| {
            let kind = if e.is_timeout() {
                HttpErrorKind::Timeout
            } else {
                HttpErrorKind::Interrupted
            };
            HttpError::new(kind, e)
        });
        Ok(HttpResponse::from_parts(parts, HttpResponseBody::new(body)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_urls_parse_and_bad_ones_are_named() {
        let l = S3Location::parse("s3://zegel-blobs").unwrap();
        assert_eq!(
            (l.bucket.as_str(), l.prefix.as_deref()),
            ("zegel-blobs", None)
        );
        let l = S3Location::parse("s3://zegel-blobs/prod/node-1/").unwrap();
        assert_eq!(l.prefix.as_deref(), Some("prod/node-1"));
        assert_eq!(l.url(), "s3://zegel-blobs/prod/node-1");
        for (url, says) in [
            ("s3://", "bucket name"),
            ("s3://Zegel", "bucket name"),
            ("s3://ab", "bucket name"),
            ("s3://-zegel", "bucket name"),
            ("s3://zegel_blobs", "bucket name"),
            ("s3://zegel/a//b", "prefix"),
            ("s3://zegel/a/../b", "prefix"),
            ("https://zegel", "s3://"),
        ] {
            let e = S3Location::parse(url).unwrap_err().to_string();
            assert!(e.contains(says) && e.contains(url), "{url}: {e}");
        }
    }

    #[test]
    fn the_secret_is_not_in_debug_output() {
        let mut l = S3Location::parse("s3://zegel").unwrap();
        l.secret_access_key = Some("hunter2-secret".into());
        assert!(!format!("{l:?}").contains("hunter2"));
    }

    #[test]
    fn endpoints_must_be_http_urls() {
        let mut l = S3Location::parse("s3://zegel").unwrap();
        l.endpoint = Some("ftp://s3.example".into());
        let e = l.client().unwrap_err().to_string();
        assert!(e.contains("http:// or https://"), "{e}");
        l.endpoint = Some("http://127.0.0.1:9".into());
        assert!(l.client().is_ok());
    }
}
