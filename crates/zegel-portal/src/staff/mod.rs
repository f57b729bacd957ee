//! `/app`: the signed-in side of the web for staff. Local accounts sign in
//! with their password (or through the organisation's OpenID Connect
//! provider, oidc/) and, when enrolled (always for administrators), a
//! TOTP code; a sender writes secure messages (with the assessment shown
//! live) and sees and withdraws their own; an
//! administrator also manages accounts, offboards people and sets the
//! policy the gateway applies, searches and exports the audit trail and
//! sees the figures.
//!
//! Access checks: every page takes a [`SignedIn`] (a live staff session
//! that passed every factor, for an account that is still enabled, looked
//! up on each request) or an [`AdminOnly`]; forms carry the session's
//! token. Sessions are portal sessions of kind `staff` whose target is the
//! address, so they hold on whichever node a request reaches.

mod admin;
mod audit;
mod compose;
mod contacts;
mod domain;
mod figures;
mod history;
pub mod oidc;
mod pages;
mod policy;
mod sent;
mod signin;
mod stats;
pub mod texts;
pub mod totp;

use crate::texts::Lang;
use crate::web;
use crate::Portal;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::net::IpAddr;
use zegel_store::{token_hash, PortalSession, Role, SessionKind, StaffAccount};

/// `?done=…`: what the page after a form reports (`sent`, `codes`).
#[derive(Debug, Default, serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// The staff session's cookie.
pub const STAFF_COOKIE: &str = "zegel_staff";

/// The staff routes.
pub fn routes() -> Router<Portal> {
    Router::new()
        .route("/app", get(sent::page))
        .route("/app/login", get(signin::login_page).post(signin::login))
        .route("/app/login/code", get(signin::code_page).post(signin::code))
        .route("/app/login/oidc", get(oidc::start))
        .route(oidc::CALLBACK_PATH, get(oidc::callback))
        .route("/app/logout", post(signin::logout))
        .route("/app/sent/revoke", post(sent::revoke))
        .route("/app/held/send", post(sent::held_send))
        .route("/app/held/separate", post(sent::held_separate))
        .route("/app/held/cancel", post(sent::held_cancel))
        .route("/app/compose", get(compose::page).post(compose::submit))
        .route("/app/compose/assess", post(compose::assess))
        .route("/app/admin/users", get(admin::users))
        .route("/app/admin/offboard", post(admin::offboard))
        .route("/app/admin/policy", get(policy::page).post(policy::save))
        .route("/app/admin/contacts", get(contacts::page))
        .route("/app/admin/contacts/import", post(contacts::import))
        .route("/app/admin/contacts/remove", post(contacts::remove))
        .route("/app/admin/domain", get(domain::page))
        .route("/app/admin/audit", get(audit::page))
        .route("/app/admin/audit/export", get(audit::export))
        .route("/app/admin/figures", get(figures::page))
        // `?lang=` on any page sets the language cookie.
        .layer(axum::middleware::from_fn(web::remember_query_lang))
}

/// A signed-in member of staff.
pub struct SignedIn {
    account: StaffAccount,
    session: PortalSession,
    lang: Lang,
    ip: IpAddr,
}

/// A signed-in administrator.
pub struct AdminOnly(SignedIn);

/// The live staff session behind the request's cookie, whatever factors it
/// passed so far.
async fn staff_session(portal: &Portal, parts: &Parts) -> Option<PortalSession> {
    let id = web::cookie(&parts.headers, STAFF_COOKIE)?;
    portal
        .store()
        .session(&token_hash(id))
        .await
        .ok()
        .flatten()
        .filter(|s| s.kind == SessionKind::Staff)
}

fn page_lang(parts: &Parts) -> Lang {
    let query = web::query_value(&parts.uri, "lang");
    web::lang(&parts.headers, query.as_deref())
}

impl FromRequestParts<Portal> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, portal: &Portal) -> Result<SignedIn, Response> {
        let lang = page_lang(parts);
        let to_login = || web::see_other("/app/login");
        let session = staff_session(portal, parts)
            .await
            .filter(|s| s.email_ok && s.second_ok && !s.target.is_empty())
            .ok_or_else(to_login)?;
        let account = match portal.store().staff_account(&session.target).await {
            Ok(Some(a)) if !a.disabled => a,
            Ok(_) => return Err(to_login()),
            Err(_) => return Err(web::unavailable(portal, lang)),
        };
        Ok(SignedIn {
            account,
            session,
            lang,
            ip: web::client_ip(parts),
        })
    }
}

impl FromRequestParts<Portal> for AdminOnly {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, portal: &Portal) -> Result<AdminOnly, Response> {
        let who = SignedIn::from_request_parts(parts, portal).await?;
        if who.account.role != Role::Admin {
            let s = who.lang.staff();
            let page = crate::pages::Notice {
                f: web::frame(portal, who.lang, s.forbidden_title, "/app"),
                text: s.forbidden.to_string(),
                link: Some(("/app".to_string(), s.nav_sent.to_string())),
            };
            return Err((StatusCode::FORBIDDEN, crate::pages::html(&page)).into_response());
        }
        Ok(AdminOnly(who))
    }
}

impl SignedIn {
    fn nav(&self, here: &'static str) -> Option<pages::Nav> {
        Some(pages::Nav {
            email: self.account.email.clone(),
            admin: self.account.role == Role::Admin,
            csrf: self.session.csrf.clone(),
            here,
        })
    }

    /// Whether a submitted form token is this session's.
    fn form_ok(&self, csrf: &str) -> bool {
        web::csrf_ok(&self.session.csrf, csrf)
    }
}
