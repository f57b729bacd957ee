//! zegel's web side (axum, server-rendered HTML, no JavaScript): the
//! recipient portal where a secure message is opened with a code by mail and
//! a second factor, read, downloaded and answered; the sender's status page
//! (timeline, revoke, expiry, unlock); and the public page where a patient
//! or citizen confirms their address and sends a secure message in.
//!
//! # Layout
//! - `recipient/`: `/m/{token}`: codes (`factors`), reading and downloads
//!   (`read`, only for a `Reader`: every factor passed), reply (`reply`).
//! - `upload.rs`: multipart forms with files, shared by the reply, the
//!   contact page and the staff web.
//! - `status.rs`: `/status/{token}`: the sender's page.
//! - `confirm.rs`: `/confirm/{token}`: the sender sends, splits or cancels
//!   mail a warning held.
//! - `contact.rs`: `/contact`: the safe way back.
//! - `staff/`: `/app`: staff sign-in (password or OpenID Connect, TOTP),
//!   sent items with withdraw, administration (accounts, offboarding).
//! - `codes.rs`: making, sending and limiting one-time codes.
//! - `view.rs`: a stored message as shown: ammonia-sanitised HTML,
//!   attachments, inline images.
//! - `view_cache.rs`: the shown message kept in memory for a short time
//!   (behind the access checks; dropped on withdrawal and logout).
//! - `pages.rs` + `templates/`: the askama pages; `texts.rs`: nl/en texts.
//! - `web.rs`: cookies, language, security headers, form tokens, dates.
//! - `listen.rs`: the HTTP accept loop with per-client connection caps
//!   and header deadlines.
//!
//! Access checks: every handler loads the package from the hashed link
//! token and the session from the hashed cookie, and a session only ever
//! opens the one package (or status token) it was made for.

// Handlers end early with a finished `Response` as the error of a
// `Result`; boxing it would buy nothing on a path that sends it at once.
#![allow(clippy::result_large_err)]

mod codes;
mod confirm;
mod contact;
pub mod listen;
mod pages;
mod recipient;
pub mod staff;
mod status;
pub mod texts;
mod upload;
mod view;
mod view_cache;
mod web;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;
use zegel_outbound::Outbound;
use zegel_store::Event;
use zegel_store::Store;

pub use staff::oidc::{OidcConfig, OidcError, Provider as OidcProvider};
pub use zegel_outbound::SmsSender;

/// What the staff web's domain page checks, and how.
#[derive(Debug, Clone)]
pub struct DomainCheck {
    /// The mail domain.
    pub domain: String,
    /// Resolvers, ports, trust, DKIM selectors.
    pub probe: zegel_domaincheck::Probe,
}

/// The portal's settings.
#[derive(Debug, Clone)]
pub struct PortalConfig {
    /// The organisation's name, shown on every page.
    pub organization: String,
    /// The public address of the portal (`https://…`); HSTS is sent when
    /// it is HTTPS.
    pub public_url: String,
    /// Where messages from the public page go; `None` turns the page off.
    pub contact_address: Option<String>,
    /// How long a session lasts (from its start).
    pub session_lifetime: Duration,
    /// The largest reply or contact upload.
    pub max_upload_bytes: usize,
    /// Mark cookies `Secure` (turn off only for plain-HTTP development).
    pub secure_cookies: bool,
    /// How long a code stays valid.
    pub code_validity: Duration,
    /// Codes per message (or contact session) per hour.
    pub codes_per_target_hour: i64,
    /// Codes per address (or phone number) per hour.
    pub codes_per_address_hour: i64,
    /// Unknown links, failed forms and code requests per client address
    /// per minute before answers become 429.
    pub misses_per_ip_minute: u32,
    /// The staff web's check of the organisation's own mail domain.
    pub domain_check: Option<DomainCheck>,
    /// How long a staff sign-in lasts (from its start).
    pub staff_session_lifetime: Duration,
    /// Sign-in attempts per staff account: a burst of this many, then one
    /// a minute.
    pub attempts_per_account: u32,
    /// How long a rendered message stays in memory for the next view of
    /// the same package (zero: every view decrypts and renders anew).
    pub view_cache: Duration,
    /// Replies a recipient may send to one message per day.
    pub replies_per_message_day: i64,
    /// Mail codes the public contact page may send per hour, in all and
    /// to one recipient domain: a cap on the mail it can be made to send.
    pub contact_codes_per_hour: i64,
    /// See `contact_codes_per_hour`: per recipient domain.
    pub contact_codes_per_domain_hour: i64,
    /// Failed sign-ins before an account or address is refused, shared
    /// with SMTP AUTH.
    pub login_limits: zegel_store::LoginLimits,
    /// The connections: caps, timeouts, trusted reverse proxies.
    pub connections: listen::Connections,
}

impl PortalConfig {
    /// Defaults for `organization` at `public_url`.
    pub fn new(organization: &str, public_url: &str) -> PortalConfig {
        PortalConfig {
            organization: organization.to_string(),
            public_url: public_url.trim_end_matches('/').to_string(),
            contact_address: None,
            session_lifetime: Duration::from_secs(30 * 60),
            max_upload_bytes: 25 * 1024 * 1024,
            secure_cookies: true,
            code_validity: Duration::from_secs(10 * 60),
            codes_per_target_hour: 5,
            codes_per_address_hour: 10,
            misses_per_ip_minute: 20,
            view_cache: Duration::from_secs(60),
            domain_check: None,
            staff_session_lifetime: Duration::from_secs(8 * 3600),
            attempts_per_account: 10,
            replies_per_message_day: 20,
            contact_codes_per_hour: 200,
            contact_codes_per_domain_hour: 20,
            login_limits: zegel_store::LoginLimits::default(),
            connections: listen::Connections::default(),
        }
    }
}

/// The portal's shared state.
#[derive(Clone)]
pub struct Portal {
    config: Arc<PortalConfig>,
    outbound: Outbound,
    sms: Arc<dyn SmsSender>,
    misses: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    attempts: Arc<DefaultKeyedRateLimiter<String>>,
    views: Arc<view_cache::ViewCache>,
    /// The organisation's OpenID Connect provider for staff sign-in.
    oidc: Option<Arc<staff::oidc::Provider>>,
}

impl Portal {
    /// A portal over the outbound pipeline (and its store).
    pub fn new(config: PortalConfig, outbound: Outbound, sms: Arc<dyn SmsSender>) -> Portal {
        let per_minute =
            NonZeroU32::new(config.misses_per_ip_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(config.attempts_per_account.max(1)).unwrap_or(NonZeroU32::MIN);
        Portal {
            attempts: Arc::new(RateLimiter::keyed(
                Quota::per_minute(NonZeroU32::MIN).allow_burst(burst),
            )),
            views: Arc::new(view_cache::ViewCache::new(config.view_cache)),
            config: Arc::new(config),
            outbound,
            sms,
            misses: Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))),
            oidc: None,
        }
    }

    /// Offers staff sign-in through this OpenID Connect provider.
    pub fn with_oidc(mut self, provider: Arc<staff::oidc::Provider>) -> Portal {
        self.oidc = Some(provider);
        self
    }

    fn store(&self) -> &Store {
        self.outbound.store()
    }

    /// Appends to the audit trail. A failure is logged (the event, never
    /// the detail) rather than dropped, and the visitor's request goes on:
    /// the action it records has already happened.
    async fn audit(&self, event: Event, message_id: Option<&str>, actor: &str, detail: &str) {
        if let Err(e) = self.store().audit(event, message_id, actor, detail).await {
            tracing::error!(error = %e, event = event.as_str(), "writing the audit trail failed");
        }
    }

    /// Ends a session (signing out, locking, rotating). A failure is
    /// logged: the session then ends at its expiry instead.
    async fn end_session(&self, id_hash: &str) {
        if let Err(e) = self.store().end_session(id_hash).await {
            tracing::warn!(error = %e, "ending a session failed; it ends at its expiry");
        }
    }

    /// Counts a miss (unknown link, bad form, code request) for `ip`;
    /// false when the client is over its limit: this node's own, and on a
    /// shared database every node's together.
    async fn allow(&self, ip: IpAddr) -> bool {
        self.misses.check_key(&ip).is_ok()
            && self
                .shared_allows(&format!("miss:{ip}"), 60, self.config.misses_per_ip_minute)
                .await
    }

    /// On PostgreSQL (several nodes): counts a hit for `key` and says
    /// whether it is still within `limit` per `window_secs`, counted by
    /// every node. On SQLite (one node) this node's in-memory limit is the
    /// whole limit. When the count cannot be made, the request goes on
    /// under this node's own limit (logged): the database being slow must
    /// not lock every client out.
    async fn shared_allows(&self, key: &str, window_secs: i64, limit: u32) -> bool {
        if self.store().engine() != zegel_store::Engine::Postgres {
            return true;
        }
        match self.store().count_hit(key, window_secs).await {
            Ok(hits) => hits <= i64::from(limit.max(1)),
            Err(e) => {
                tracing::warn!(error = %e, "shared rate limit not counted; this node's own applies");
                true
            }
        }
    }

    /// How many days a secure message stays readable by default.
    fn outbound_expiry_days(&self) -> u32 {
        (self.outbound.portal_expiry().as_secs() / 86_400) as u32
    }

    /// Counts a sign-in attempt for a staff account; false when the
    /// account is over its limit (this node's: a burst, then one a minute;
    /// on a shared database also every node's together, per 10 minutes).
    /// Also false while the account or the client's address is locked
    /// by failed sign-ins on any door (`zegel_store::LoginLimits`: the
    /// SMTP AUTH failures count too).
    async fn account_attempt(&self, email: &str, ip: IpAddr) -> bool {
        match self
            .store()
            .login_refused(&self.config.login_limits, email, ip)
            .await
        {
            Ok(None) => {}
            Ok(Some(_)) => return false,
            Err(e) => {
                tracing::warn!(error = %e, "sign-in counters unavailable; sign-in refused for now");
                return false;
            }
        }
        self.attempts.check_key(&email.to_string()).is_ok()
            && self
                .shared_allows(
                    &format!("staff:{}", email.to_lowercase()),
                    600,
                    self.config.attempts_per_account,
                )
                .await
    }

    /// The router with every page and the security headers.
    pub fn router(self) -> Router {
        let hsts = self.config.public_url.starts_with("https://");
        let limit = self.config.max_upload_bytes + 64 * 1024;
        Router::new()
            .route("/", get(home))
            .route("/static/portal.css", get(stylesheet))
            .route("/static/compose.js", get(compose_script))
            .route("/m/{token}", get(recipient::start))
            .route("/m/{token}/code", post(recipient::send_code))
            .route(
                "/m/{token}/verify",
                get(recipient::verify_page).post(recipient::verify),
            )
            .route(
                "/m/{token}/second",
                get(recipient::second_page).post(recipient::second),
            )
            .route("/m/{token}/second/send", post(recipient::send_second))
            .route("/m/{token}/read", get(recipient::read))
            .route("/m/{token}/part/{n}", get(recipient::download))
            .route("/m/{token}/inline/{cid}", get(recipient::inline))
            .route("/m/{token}/reply", post(recipient::reply))
            .route("/m/{token}/logout", post(recipient::logout))
            .route("/status/{token}", get(status::page))
            .route("/status/{token}/revoke", post(status::revoke))
            .route("/status/{token}/expiry", post(status::expiry))
            .route("/status/{token}/unlock", post(status::unlock))
            .route("/confirm/{token}", get(confirm::page))
            .route("/confirm/{token}/send", post(confirm::send))
            .route("/confirm/{token}/separate", post(confirm::separate))
            .route("/confirm/{token}/cancel", post(confirm::cancel))
            .route("/contact", get(contact::start))
            .route("/contact/code", post(contact::send_code))
            .route(
                "/contact/verify",
                get(contact::verify_page).post(contact::verify),
            )
            .route("/contact/write", get(contact::write_page))
            .route("/contact/send", post(contact::send))
            .merge(staff::routes())
            .fallback(not_found)
            .layer(DefaultBodyLimit::max(limit))
            .layer(axum::middleware::from_fn_with_state(
                hsts,
                web::security_headers,
            ))
            .with_state(self)
    }

    /// Destroys expired messages now and then until `stop`.
    pub async fn run_expiry(self, stop: impl std::future::Future<Output = ()>) {
        tokio::pin!(stop);
        loop {
            self.views.sweep();
            match self.store().expire_packages().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(count = n, "secure messages expired"),
                Err(e) => tracing::warn!(error = %e, "expiring secure messages failed"),
            }
            tokio::select! {
                _ = &mut stop => return,
                _ = tokio::time::sleep(Duration::from_secs(60)) => {}
            }
        }
    }
}

/// Serves the portal on `listener` until `stop`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    portal: Portal,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let connections = portal.config.connections.clone();
    listen::serve(listener, portal.router(), connections, stop).await
}

async fn home() -> impl IntoResponse {
    axum::response::Redirect::to("/contact")
}

/// The compose page's live assessment (the only script zegel serves).
async fn compose_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/compose.js"),
    )
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/portal.css"),
    )
}

async fn not_found(
    axum::extract::State(portal): axum::extract::State<Portal>,
    axum::extract::ConnectInfo(addr): axum::extract::ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    recipient::miss(&portal, addr.ip(), web::lang(&headers, None)).await
}

/// Why a request could not be answered normally.
#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] zegel_store::StoreError),
}

impl IntoResponse for PortalError {
    fn into_response(self) -> axum::response::Response {
        tracing::error!(error = %self, "portal request failed");
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Er ging iets mis / Something went wrong",
        )
            .into_response()
    }
}
