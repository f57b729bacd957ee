//! SMS providers behind one trait: the portal's second factor (and later the
//! password of an encrypted archive).
//!
//! - [`PhoneNumber`]: a validated number in E.164 form (`+31612345678`);
//!   Dutch ways of writing one (`06-12345678`, `+31 (0)6 1234 5678`,
//!   `0031612345678`) are accepted, anything else is refused.
//! - [`SmsSender`]: the trait every provider implements.
//! - [`OutboxSms`]: each SMS as a JSON file in a folder (development and
//!   tests), written durably (temporary file, fsync, rename, fsync folder).
//! - [`WebhookSms`]: POSTs `{"to", "text", "id"}` (and `"sender"`) as JSON
//!   to a URL, with an optional bearer token and extra headers; retries with
//!   backoff on 5xx, 408, 429, connection errors and timeouts, never on
//!   other 4xx; the same `id` on every try, so the provider can drop
//!   duplicates.
//! - [`sms_sender`]: the provider an [`SmsConfig`] asks for.
//!
//! The text of an SMS holds codes: it is never logged and never part of an
//! error. Numbers are logged masked ([`PhoneNumber::masked`]).

use serde::Serialize;
use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// A phone number in E.164 form: `+`, a country code, at most 15 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct PhoneNumber(String);

/// Text that is not a phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a phone number (write +31612345678 or 06-12345678)")]
pub struct InvalidPhoneNumber(pub String);

impl PhoneNumber {
    /// Reads a number: E.164 (`+31612345678`, spaces, dashes, dots, slashes
    /// and brackets allowed), the international prefix `00`, or a Dutch
    /// national number (`06-12345678`, `020 123 4567`: ten digits from the
    /// leading 0). `+31 (0)6…` and `+31 06…` lose the trunk 0.
    pub fn parse(text: &str) -> Result<PhoneNumber, InvalidPhoneNumber> {
        let invalid = || InvalidPhoneNumber(text.trim().chars().take(40).collect());
        let trimmed = text.trim();
        // "(0)" is the Dutch way of showing the trunk prefix after +31.
        let without_trunk = trimmed.replacen("(0)", "", 1);
        let mut compact = String::with_capacity(without_trunk.len());
        for (i, c) in without_trunk.chars().enumerate() {
            match c {
                '0'..='9' => compact.push(c),
                '+' if i == 0 => compact.push(c),
                ' ' | '-' | '.' | '/' | '(' | ')' | '\u{a0}' => {}
                _ => return Err(invalid()),
            }
        }
        let digits = if let Some(rest) = compact.strip_prefix('+') {
            rest.to_string()
        } else if let Some(rest) = compact.strip_prefix("00") {
            rest.to_string()
        } else if let Some(rest) = compact.strip_prefix('0') {
            // A Dutch national number: 0 and nine digits.
            if rest.len() != 9 {
                return Err(invalid());
            }
            format!("31{rest}")
        } else {
            return Err(invalid());
        };
        let digits = match digits.strip_prefix("310") {
            // "+31 06…": the trunk 0 does not belong after the country code.
            Some(rest) if rest.len() == 9 => format!("31{rest}"),
            _ => digits,
        };
        if !(7..=15).contains(&digits.len()) || digits.starts_with('0') {
            return Err(invalid());
        }
        if digits.starts_with("31") && digits.len() != 11 {
            // Dutch numbers have nine digits after +31.
            return Err(invalid());
        }
        Ok(PhoneNumber(format!("+{digits}")))
    }

    /// The number as `+31612345678`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number for logs and pages: all but the country code and the
    /// last two digits hidden (`+31*******78`).
    pub fn masked(&self) -> String {
        let digits = &self.0[1..];
        let cc = if digits.starts_with('1') || digits.starts_with('7') {
            1
        } else {
            2
        };
        let tail = digits.len().saturating_sub(2).max(cc);
        format!(
            "+{}{}{}",
            &digits[..cc],
            "*".repeat(tail - cc),
            &digits[tail..]
        )
    }

    /// The last `n` digits (to tell a recipient where the code went).
    pub fn last_digits(&self, n: usize) -> &str {
        &self.0[self.0.len().saturating_sub(n).max(1)..]
    }
}

impl FromStr for PhoneNumber {
    type Err = InvalidPhoneNumber;
    fn from_str(s: &str) -> Result<PhoneNumber, InvalidPhoneNumber> {
        PhoneNumber::parse(s)
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for PhoneNumber {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Why an SMS was not sent. Never holds the text.
#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    /// The outbox folder or file could not be written.
    #[error("cannot {what}: {source}")]
    Io {
        what: &'static str,
        source: std::io::Error,
    },
    /// The provider refused it (a 4xx other than 408 and 429, or a
    /// redirect): not tried again.
    #[error("the SMS provider refused the message (HTTP {status})")]
    Refused { status: u16 },
    /// The provider could not be reached, kept failing (5xx) or did not
    /// answer in time, every try.
    #[error("the SMS provider is unavailable (tries: {attempts}; last: {last})")]
    Unavailable { attempts: u32, last: String },
    /// The text is empty.
    #[error("an SMS needs a text")]
    EmptyText,
    /// The configuration cannot work (bad URL, header, sender name, TLS).
    #[error("SMS configuration: {0}")]
    Config(String),
}

/// The future an [`SmsSender`] returns.
pub type SmsFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SmsError>> + Send + 'a>>;

/// Something that sends an SMS. Implementations never log the text.
pub trait SmsSender: Send + Sync {
    /// Sends `text` to `to`; `Ok` once the provider (or the outbox) has it.
    fn send<'a>(&'a self, to: &'a PhoneNumber, text: &'a str) -> SmsFuture<'a>;
}

/// Which provider, and its settings (`[sms]` in zegel.toml).
#[derive(Debug, Clone)]
pub struct SmsConfig {
    /// The provider.
    pub provider: SmsProvider,
    /// The sender shown on the phone (at most 11 letters and digits, or a
    /// phone number); `None`: the provider's default.
    pub sender_name: Option<String>,
}

/// The SMS provider.
#[derive(Debug, Clone)]
pub enum SmsProvider {
    /// JSON files in a folder (development and tests).
    Outbox {
        /// The folder (`<data_dir>/sms-outbox` by default).
        dir: PathBuf,
    },
    /// An HTTP webhook.
    Webhook(WebhookConfig),
}

impl SmsConfig {
    /// The outbox in `dir`, no sender name.
    pub fn outbox(dir: impl Into<PathBuf>) -> SmsConfig {
        SmsConfig {
            provider: SmsProvider::Outbox { dir: dir.into() },
            sender_name: None,
        }
    }
}

/// The webhook's settings.
#[derive(Clone)]
pub struct WebhookConfig {
    /// Where to POST (`https://…`; `http://` for a provider on the same host).
    pub url: String,
    /// Sent as `Authorization: Bearer <token>`.
    pub token: Option<String>,
    /// Extra request headers (an API key header, say).
    pub headers: Vec<(String, String)>,
    /// How long one try may take, connecting included.
    pub timeout: Duration,
    /// Tries in all (at least 1).
    pub max_attempts: u32,
    /// The wait before the second try; it doubles after each try.
    pub backoff: Duration,
}

impl WebhookConfig {
    /// Defaults for `url`: 10 s per try, 3 tries, 500 ms backoff.
    pub fn new(url: &str) -> WebhookConfig {
        WebhookConfig {
            url: url.to_string(),
            token: None,
            headers: Vec::new(),
            timeout: Duration::from_secs(10),
            max_attempts: 3,
            backoff: Duration::from_millis(500),
        }
    }
}

impl fmt::Debug for WebhookConfig {
    /// Without the token and header values (secrets).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("timeout", &self.timeout)
            .field("max_attempts", &self.max_attempts)
            .field("backoff", &self.backoff)
            .finish()
    }
}

/// Checks a sender name: 1 to 11 ASCII letters, digits and spaces (what
/// phone networks show), or a phone number (sent in E.164 form).
pub fn sender_name(name: &str) -> Result<String, SmsError> {
    let name = name.trim();
    if let Ok(number) = PhoneNumber::parse(name) {
        return Ok(number.0);
    }
    let ok = (1..=11).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b' ')
        && name.bytes().any(|b| b.is_ascii_alphabetic());
    if ok {
        Ok(name.to_string())
    } else {
        Err(SmsError::Config(format!(
            "sender_name '{name}': at most 11 letters, digits and spaces, or a phone number"
        )))
    }
}

/// The provider `config` asks for.
pub fn sms_sender(config: &SmsConfig) -> Result<Arc<dyn SmsSender>, SmsError> {
    let sender = config.sender_name.as_deref().map(sender_name).transpose()?;
    Ok(match &config.provider {
        SmsProvider::Outbox { dir } => Arc::new(OutboxSms::new(dir).with_sender(sender)),
        SmsProvider::Webhook(c) => Arc::new(WebhookSms::new(c.clone())?.with_sender(sender)),
    })
}

/// A new SMS id: 128 random bits, hex.
fn new_id() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// The JSON of one SMS in the outbox.
#[derive(Serialize)]
struct OutboxFile<'a> {
    id: &'a str,
    to: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sender: Option<&'a str>,
    text: &'a str,
    created_at: String,
}

/// Writes each SMS as a JSON file (`id`, `to`, `sender`, `text`,
/// `created_at`) into a folder. For development and tests: nothing leaves
/// the machine. Files are named `<UTC time>-<id>.json`, so they sort by
/// time; they are readable by the owner only.
#[derive(Debug, Clone)]
pub struct OutboxSms {
    dir: PathBuf,
    sender: Option<String>,
}

impl OutboxSms {
    /// An outbox in `dir` (made on the first SMS).
    pub fn new(dir: impl AsRef<Path>) -> OutboxSms {
        OutboxSms {
            dir: dir.as_ref().to_path_buf(),
            sender: None,
        }
    }

    /// Records `sender` as the sender name of each SMS.
    pub fn with_sender(mut self, sender: Option<String>) -> OutboxSms {
        self.sender = sender;
        self
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn write(&self, to: &PhoneNumber, text: &str) -> Result<PathBuf, SmsError> {
        let io = |what| move |source| SmsError::Io { what, source };
        create_private_dir(&self.dir).map_err(io("create the SMS outbox folder"))?;
        let id = new_id();
        let now = chrono::Utc::now();
        let body = serde_json::to_vec_pretty(&OutboxFile {
            id: &id,
            to: to.as_str(),
            sender: self.sender.as_deref(),
            text,
            created_at: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        })
        .map_err(|e| SmsError::Io {
            what: "encode the SMS",
            source: e.into(),
        })?;
        let name = format!("{}-{id}.json", now.format("%Y%m%dT%H%M%S%.9fZ"));
        let temp = self.dir.join(format!(".{id}.tmp"));
        let path = self.dir.join(name);
        let result = write_synced(&temp, &body)
            .and_then(|()| std::fs::rename(&temp, &path))
            .and_then(|()| sync_dir(&self.dir));
        if result.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        result.map_err(io("write to the SMS outbox"))?;
        Ok(path)
    }
}

impl SmsSender for OutboxSms {
    fn send<'a>(&'a self, to: &'a PhoneNumber, text: &'a str) -> SmsFuture<'a> {
        Box::pin(async move {
            if text.trim().is_empty() {
                return Err(SmsError::EmptyText);
            }
            let this = self.clone();
            let (to, text) = (to.clone(), text.to_string());
            let masked = to.masked();
            let path = tokio::task::spawn_blocking(move || this.write(&to, &text))
                .await
                .map_err(|e| SmsError::Io {
                    what: "write to the SMS outbox",
                    source: std::io::Error::other(e.to_string()),
                })??;
            tracing::info!(to = %masked, file = %path.display(), "SMS written to the outbox");
            Ok(())
        })
    }
}

/// Creates `dir` (mode 0700 on Unix when it is new).
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Writes `bytes` to a new file `path` (mode 0600 on Unix) and fsyncs it.
fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Fsyncs a folder, so a rename in it survives a crash.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// The JSON body of a webhook request.
#[derive(Serialize)]
struct WebhookBody<'a> {
    to: &'a str,
    text: &'a str,
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sender: Option<&'a str>,
}

/// POSTs each SMS as JSON to a provider's webhook.
///
/// Body: `{"to": "+31612345678", "text": "…", "id": "<32 hex>",
/// "sender": "…"}` (`sender` only with a sender name), `Content-Type:
/// application/json`, `Authorization: Bearer <token>` when a token is set,
/// plus the configured headers. Any 2xx is success. 5xx, 408, 429,
/// connection errors and timeouts are tried again (up to `max_attempts`,
/// waiting `backoff`, then twice as long each time, with the same `id`);
/// other 4xx and redirects are not. HTTP/1.1 over hyper; HTTPS with rustls
/// (ring) and the system's trusted certificates.
#[derive(Clone)]
pub struct WebhookSms {
    config: WebhookConfig,
    uri: hyper::Uri,
    sender: Option<String>,
    client: HttpsClient,
}

type HttpsClient = zegel_net::https::HttpsClient<http_body_util::Full<hyper::body::Bytes>>;

impl fmt::Debug for WebhookSms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSms")
            .field("config", &self.config)
            .field("sender", &self.sender)
            .finish()
    }
}

/// What one try came to.
enum Try {
    Done,
    Refused(u16),
    Again(String),
}

impl WebhookSms {
    /// A webhook client; checks the URL and headers.
    pub fn new(config: WebhookConfig) -> Result<WebhookSms, SmsError> {
        use hyper::header::{HeaderName, HeaderValue};
        let not_url =
            || SmsError::Config(format!("webhook_url '{}': not an http(s) URL", config.url));
        let uri: hyper::Uri = config.url.parse().map_err(|_| not_url())?;
        let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
        if !scheme_ok || uri.host().is_none_or(str::is_empty) {
            return Err(not_url());
        }
        for (name, value) in &config.headers {
            if HeaderName::from_bytes(name.as_bytes()).is_err()
                || HeaderValue::from_str(value).is_err()
            {
                return Err(SmsError::Config(format!(
                    "webhook header '{name}': not a valid HTTP header"
                )));
            }
        }
        if let Some(token) = &config.token {
            if HeaderValue::from_str(&format!("Bearer {token}")).is_err() {
                return Err(SmsError::Config(
                    "webhook_token: not valid in an HTTP header".into(),
                ));
            }
        }
        let client =
            zegel_net::https::client(zegel_net::https::Schemes::HttpsOrHttp, config.timeout)
                .map_err(|e| SmsError::Config(e.to_string()))?;
        Ok(WebhookSms {
            config,
            uri,
            sender: None,
            client,
        })
    }

    /// Sends `sender` as the sender name of each SMS.
    pub fn with_sender(mut self, sender: Option<String>) -> WebhookSms {
        self.sender = sender;
        self
    }

    fn request(
        &self,
        body: &[u8],
    ) -> Result<hyper::Request<http_body_util::Full<hyper::body::Bytes>>, SmsError> {
        use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
        let mut request = hyper::Request::post(self.uri.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(USER_AGENT, concat!("zegel/", env!("CARGO_PKG_VERSION")));
        if let Some(token) = &self.config.token {
            let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| SmsError::Config("webhook_token".into()))?;
            value.set_sensitive(true);
            request = request.header(AUTHORIZATION, value);
        }
        for (name, value) in &self.config.headers {
            let mut value = HeaderValue::from_str(value)
                .map_err(|_| SmsError::Config(format!("webhook header '{name}'")))?;
            value.set_sensitive(true);
            request = request.header(name.as_str(), value);
        }
        request
            .body(http_body_util::Full::new(
                hyper::body::Bytes::copy_from_slice(body),
            ))
            .map_err(|e| SmsError::Config(e.to_string()))
    }

    async fn try_once(&self, body: &[u8]) -> Result<Try, SmsError> {
        let request = self.request(body)?;
        let answer = tokio::time::timeout(self.config.timeout, self.client.request(request)).await;
        Ok(match answer {
            Ok(Ok(response)) => {
                let status = response.status();
                if status.is_success() {
                    Try::Done
                } else if status.is_server_error()
                    || status == hyper::StatusCode::REQUEST_TIMEOUT
                    || status == hyper::StatusCode::TOO_MANY_REQUESTS
                {
                    Try::Again(format!("HTTP {}", status.as_u16()))
                } else {
                    Try::Refused(status.as_u16())
                }
            }
            Ok(Err(e)) => Try::Again(error_chain(&e)),
            Err(_) => Try::Again(format!(
                "no answer within {} ms",
                self.config.timeout.as_millis()
            )),
        })
    }
}

/// An error with its causes, `: `-separated.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

impl SmsSender for WebhookSms {
    fn send<'a>(&'a self, to: &'a PhoneNumber, text: &'a str) -> SmsFuture<'a> {
        Box::pin(async move {
            if text.trim().is_empty() {
                return Err(SmsError::EmptyText);
            }
            let id = new_id();
            let body = serde_json::to_vec(&WebhookBody {
                to: to.as_str(),
                text,
                id: &id,
                sender: self.sender.as_deref(),
            })
            .map_err(|e| SmsError::Config(e.to_string()))?;
            let attempts = self.config.max_attempts.max(1);
            let mut wait = self.config.backoff;
            let mut last = String::new();
            for attempt in 1..=attempts {
                match self.try_once(&body).await? {
                    Try::Done => {
                        tracing::info!(to = %to.masked(), id, attempt, "SMS handed to the webhook");
                        return Ok(());
                    }
                    Try::Refused(status) => {
                        tracing::warn!(to = %to.masked(), id, status, "the SMS webhook refused the message");
                        return Err(SmsError::Refused { status });
                    }
                    Try::Again(why) => {
                        tracing::warn!(to = %to.masked(), id, attempt, error = %why, "SMS webhook try failed");
                        last = why;
                    }
                }
                if attempt < attempts {
                    tokio::time::sleep(wait).await;
                    wait = wait.saturating_mul(2);
                }
            }
            Err(SmsError::Unavailable { attempts, last })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> String {
        PhoneNumber::parse(text)
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .to_string()
    }

    #[test]
    fn dutch_and_international_forms() {
        for text in [
            "06-12345678",
            "0612345678",
            "06 1234 5678",
            "06 12 34 56 78",
            "(06) 12345678",
            "+31612345678",
            "+31 6 12345678",
            "+31 (0)6 12345678",
            "+31 (0)6-1234 5678",
            "+31 06 12345678",
            "0031612345678",
            "0031 6 1234 5678",
            " 06.12.34.56.78 ",
            "06/12345678",
        ] {
            assert_eq!(ok(text), "+31612345678", "{text}");
        }
        assert_eq!(ok("020-1234567"), "+31201234567");
        assert_eq!(ok("+32 470 12 34 56"), "+32470123456");
        assert_eq!(ok("+44 7700 900123"), "+447700900123");
        assert_eq!(ok("+1 (415) 555-2671"), "+14155552671");
        assert_eq!(ok("0049 151 23456789"), "+4915123456789");
        let n: PhoneNumber = "06-12345678".parse().unwrap();
        assert_eq!(n.as_str(), "+31612345678");
        assert_eq!(n.as_ref(), "+31612345678");
    }

    #[test]
    fn garbage_is_refused() {
        for text in [
            "",
            "   ",
            "+",
            "06",
            "0612345",           // too short for a Dutch number
            "061234567890",      // too long for a Dutch number
            "+3161234567",       // eight digits after +31
            "+316123456789",     // ten digits after +31
            "612345678",         // no prefix at all
            "+0612345678",       // no country code starts with 0
            "+1234567890123456", // 16 digits
            "06-1234567a",
            "06 1234 567 8 ext 2",
            "tel:+31612345678",
            "+31 6 1234+5678",
            "++31612345678",
            "jan@example.nl",
            "06\u{ff11}2345678", // a full-width digit
            "٠٦١٢٣٤٥٦٧٨",        // Arabic-Indic digits
            "+31612345678; rm -rf /",
        ] {
            assert!(PhoneNumber::parse(text).is_err(), "{text:?} accepted");
        }
        let e = PhoneNumber::parse("bel mij").unwrap_err();
        assert!(e.to_string().contains("bel mij"), "{e}");
    }

    #[test]
    fn masked_and_tail() {
        let n = PhoneNumber::parse("06-12345678").unwrap();
        assert_eq!(n.masked(), "+31*******78");
        assert_eq!(n.last_digits(4), "5678");
        assert_eq!(n.last_digits(40), "31612345678");
        let us = PhoneNumber::parse("+14155552671").unwrap();
        assert_eq!(us.masked(), "+1********71");
    }

    #[test]
    fn sender_names() {
        assert_eq!(sender_name("Zorg NL").unwrap(), "Zorg NL");
        assert_eq!(sender_name("06-12345678").unwrap(), "+31612345678");
        assert!(sender_name("Huisartsenpraktijk").is_err()); // 18 > 11
        assert!(sender_name("").is_err());
        assert!(sender_name("Zorg-NL").is_err());
        assert!(sender_name("12345").is_err()); // digits only: not a name
    }

    #[test]
    fn debug_hides_secrets() {
        let mut c = WebhookConfig::new("https://sms.example/send");
        c.token = Some("geheim-token".into());
        c.headers = vec![("X-Api-Key".into(), "geheime-sleutel".into())];
        let shown = format!("{c:?}");
        assert!(!shown.contains("geheim"), "{shown}");
        assert!(shown.contains("X-Api-Key"), "{shown}");
    }

    #[test]
    fn bad_webhook_config_is_refused() {
        for url in ["", "ftp://sms.example/", "not a url", "http://"] {
            assert!(
                matches!(
                    WebhookSms::new(WebhookConfig::new(url)),
                    Err(SmsError::Config(_))
                ),
                "{url}"
            );
        }
        let mut c = WebhookConfig::new("https://sms.example/send");
        c.headers = vec![("Bad Header".into(), "x".into())];
        assert!(matches!(WebhookSms::new(c), Err(SmsError::Config(_))));
        let mut c = WebhookConfig::new("https://sms.example/send");
        c.token = Some("a\nb".into());
        assert!(matches!(WebhookSms::new(c), Err(SmsError::Config(_))));
        assert!(WebhookSms::new(WebhookConfig::new("https://sms.example/send")).is_ok());
    }
}
