//! Signing in to the staff web through the organisation's OpenID Connect
//! provider (`[staff_oidc]`): `/app/login/oidc` starts, the provider sends
//! the browser back to `/app/login/oidc/callback`.
//!
//! The flow is the authorization code flow with PKCE (S256), a state and a
//! nonce (provider.rs). What the answer is checked against is kept in the
//! database, sealed, good once and for ten minutes, found by the hash of a
//! random id in the `zegel_oidc` cookie. That cookie is `SameSite=Lax`
//! and only for `/app/login/oidc`: the answer arrives as the provider's
//! navigation, with which browsers do not send the `SameSite=Strict`
//! session cookie.
//!
//! The provider vouches for an address (claims.rs); roles stay zegel's:
//! only an address with an enabled account signs in (unless the
//! configuration lets internal addresses get a sender account), failures
//! are audited and count against the client's address and the account as
//! a wrong password does, and an account with a TOTP factor (every
//! administrator) still passes zegel's own TOTP step
//! (`/app/login/code`). The signed-in session is a new one, as after a
//! password.
//!
//! # Layout
//! - `provider.rs`: settings, discovery, the request and the checks of
//!   the answer (the openidconnect crate).
//! - `claims.rs`: the address from the verified claims.
//! - `http.rs`: the HTTP client (hyper, rustls with ring).

mod claims;
mod http;
mod provider;

pub use provider::{OidcConfig, OidcError, Provider, CALLBACK_PATH};

use super::pages::OidcDone;
use super::signin::{failed_attempt, new_session, Visitor, VIA_OIDC};
use crate::texts::Lang;
use crate::web;
use crate::Portal;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use zegel_store::Event;
use zegel_store::{token_hash, Factor, Role};

/// The cookie of a sign-in under way.
pub const FLOW_COOKIE: &str = "zegel_oidc";
/// The only path the flow cookie is sent to.
const FLOW_PATH: &str = "/app/login/oidc";
/// How long a sign-in may take at the provider (seconds).
const FLOW_LIFETIME: i64 = 600;

/// What a sign-in under way keeps until the provider's answer (sealed at
/// rest, zegel-store's `put_oidc_pending`).
#[derive(Serialize, Deserialize)]
struct Pending {
    state: String,
    nonce: String,
    verifier: String,
    /// The page language at the start (the language cookie is
    /// `SameSite=Strict` too).
    lang: String,
    /// The anonymous staff session of the sign-in page, ended at sign-in.
    pre_session: Option<String>,
}

/// The provider's answer in the query string.
#[derive(Debug, Default, Deserialize)]
pub struct Answer {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    /// The issuer, from providers that name it (RFC 9207).
    iss: Option<String>,
}

/// `Set-Cookie` for the flow cookie (`SameSite=Lax`: it must come back
/// with the provider's navigation); an empty value with `max_age` 0
/// removes it.
fn flow_cookie(value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{FLOW_COOKIE}={value}; Path={FLOW_PATH}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A page that says why signing in did not work, with the way back.
fn refused(portal: &Portal, lang: Lang, status: StatusCode, text: String) -> Response {
    let s = lang.staff();
    let page = crate::pages::Notice {
        f: web::frame(portal, lang, s.oidc_refused_title, "/app/login"),
        text,
        link: Some(("/app/login".to_string(), s.back_to_sign_in.to_string())),
    };
    (status, crate::pages::html(&page)).into_response()
}

/// `GET /app/login/oidc`: sends the browser to the provider.
pub async fn start(State(portal): State<Portal>, v: Visitor) -> Response {
    let Some(provider) = portal.oidc.clone() else {
        return crate::recipient::miss(&portal, v.ip, v.lang).await;
    };
    match &v.session {
        Some(s) if s.email_ok && s.second_ok => return web::see_other("/app"),
        Some(s) if s.email_ok => return web::see_other("/app/login/code"),
        _ => {}
    }
    let begun = match provider.begin().await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "OpenID Connect: cannot start a sign-in");
            let s = v.lang.staff();
            return refused(
                &portal,
                v.lang,
                StatusCode::SERVICE_UNAVAILABLE,
                s.oidc_unavailable.to_string(),
            );
        }
    };
    let pending = Pending {
        state: begun.state,
        nonce: begun.nonce,
        verifier: begun.verifier,
        lang: v.lang.code().to_string(),
        pre_session: v.session.as_ref().map(|s| s.id_hash.clone()),
    };
    let (id, hash) = web::new_session_id();
    let Ok(secret) = serde_json::to_vec(&pending) else {
        return web::unavailable(&portal, v.lang);
    };
    if portal
        .store()
        .put_oidc_pending(&hash, &secret, FLOW_LIFETIME)
        .await
        .is_err()
    {
        return web::unavailable(&portal, v.lang);
    }
    let mut response = web::see_other(&begun.url);
    response.headers_mut().append(
        header::SET_COOKIE,
        flow_cookie(&id, FLOW_LIFETIME, portal.config.secure_cookies),
    );
    response
}

/// `GET /app/login/oidc/callback`: the provider's answer.
pub async fn callback(
    State(portal): State<Portal>,
    v: Visitor,
    headers: HeaderMap,
    Query(answer): Query<Answer>,
) -> Response {
    let mut response = answer_flow(&portal, v, &headers, answer).await;
    // The sign-in under way is over, whatever the answer was.
    response.headers_mut().append(
        header::SET_COOKIE,
        flow_cookie("", 0, portal.config.secure_cookies),
    );
    response
}

async fn answer_flow(portal: &Portal, v: Visitor, headers: &HeaderMap, answer: Answer) -> Response {
    let Some(provider) = portal.oidc.clone() else {
        return crate::recipient::miss(portal, v.ip, v.lang).await;
    };
    let store = portal.store();
    let pending = match web::cookie(headers, FLOW_COOKIE) {
        Some(id) => match store.take_oidc_pending(&token_hash(id)).await {
            Ok(p) => p.and_then(|bytes| serde_json::from_slice::<Pending>(&bytes).ok()),
            // Not opening (a row tampered with) is the same as not there.
            Err(zegel_store::StoreError::Unseal) => None,
            Err(_) => return web::unavailable(portal, v.lang),
        },
        None => None,
    };
    // The language chosen at the start.
    let v = Visitor {
        lang: pending
            .as_ref()
            .and_then(|p| Lang::parse(&p.lang))
            .unwrap_or(v.lang),
        ..v
    };
    let s = v.lang.staff();
    // Refused before an address is known: audited, counted against the
    // client's address.
    let fail = |why: String, status: StatusCode, text: &'static str| {
        let v = &v;
        async move {
            if let Some(over) = failed_attempt(portal, v, "", &why).await {
                return over;
            }
            refused(portal, v.lang, status, text.to_string())
        }
    };
    let Some(pending) = pending else {
        return fail(
            "OpenID Connect: no sign-in under way (ran out, used, or another browser)".into(),
            StatusCode::BAD_REQUEST,
            s.oidc_failed,
        )
        .await;
    };
    let state_ok = answer
        .state
        .as_deref()
        .is_some_and(|st| bool::from(st.as_bytes().ct_eq(pending.state.as_bytes())));
    if !state_ok {
        return fail(
            "OpenID Connect: the state does not match".into(),
            StatusCode::BAD_REQUEST,
            s.oidc_failed,
        )
        .await;
    }
    if answer
        .iss
        .as_deref()
        .is_some_and(|iss| iss != provider.config().issuer)
    {
        return fail(
            "OpenID Connect: the answer names another issuer".into(),
            StatusCode::BAD_REQUEST,
            s.oidc_failed,
        )
        .await;
    }
    if let Some(error) = &answer.error {
        let error: String = error
            .chars()
            .filter(|c| c.is_ascii_graphic())
            .take(64)
            .collect();
        return fail(
            format!("OpenID Connect: the provider answered {error}"),
            StatusCode::FORBIDDEN,
            s.oidc_denied,
        )
        .await;
    }
    let Some(code) = answer.code.as_deref().filter(|c| !c.is_empty()) else {
        return fail(
            "OpenID Connect: the answer has no code".into(),
            StatusCode::BAD_REQUEST,
            s.oidc_failed,
        )
        .await;
    };
    let verified = match provider
        .finish(code, &pending.verifier, &pending.nonce)
        .await
    {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, "OpenID Connect: sign-in refused");
            let (status, text) = match e {
                OidcError::Discovery(_) => (StatusCode::SERVICE_UNAVAILABLE, s.oidc_unavailable),
                _ => (StatusCode::BAD_REQUEST, s.oidc_failed),
            };
            let why: String = format!("OpenID Connect: {e}").chars().take(300).collect();
            return fail(why, status, text).await;
        }
    };
    let email = match verified.address(&provider.config().email_claim) {
        Ok(email) => email,
        Err(refusal) => {
            let (subject, text) = match &refusal {
                claims::Refusal::Unverified { address } => (address.as_str(), s.oidc_unverified),
                _ => ("", s.oidc_no_address),
            };
            if let Some(over) = failed_attempt(portal, &v, subject, &refusal.audit_detail()).await {
                return over;
            }
            return refused(portal, v.lang, StatusCode::FORBIDDEN, text.to_string());
        }
    };
    signed_in(
        portal,
        &provider,
        &v,
        &email,
        pending.pre_session.as_deref(),
    )
    .await
}

/// The provider vouched for `email`: the account's sign-in, as after a
/// right password.
async fn signed_in(
    portal: &Portal,
    provider: &Provider,
    v: &Visitor,
    email: &str,
    pre_session: Option<&str>,
) -> Response {
    let s = v.lang.staff();
    let store = portal.store();
    if !portal.account_attempt(email, v.ip).await {
        return refused(
            portal,
            v.lang,
            StatusCode::TOO_MANY_REQUESTS,
            s.too_many_attempts.to_string(),
        );
    }
    let mut account = match store.staff_account(email).await {
        Ok(a) => a,
        Err(_) => return web::unavailable(portal, v.lang),
    };
    let config = provider.config();
    if account.is_none()
        && !config.refuse_unknown
        && may_get_account(portal.outbound.domains().internal(), email)
    {
        match store.add_oidc_user(email, &config.issuer).await {
            Ok(_) => {}
            Err(_) => return web::unavailable(portal, v.lang),
        }
        account = match store.staff_account(email).await {
            Ok(a) => a,
            Err(_) => return web::unavailable(portal, v.lang),
        };
    }
    let Some(account) = account.filter(|a| !a.disabled) else {
        if let Some(over) =
            failed_attempt(portal, v, email, "OpenID Connect: no active account").await
        {
            return over;
        }
        return refused(
            portal,
            v.lang,
            StatusCode::FORBIDDEN,
            format!("{} ({email})", s.oidc_no_account),
        );
    };
    if account.role == Role::Admin && account.totp_secret.is_none() {
        portal
            .audit(
                Event::StaffSignInFailed,
                None,
                email,
                "OpenID Connect: administrator without a second factor",
            )
            .await;
        return refused(
            portal,
            v.lang,
            StatusCode::FORBIDDEN,
            s.totp_required.to_string(),
        );
    }
    // A new session for the account; the sign-in page's anonymous one ends.
    if let Some(pre) = pre_session {
        portal.end_session(pre).await;
    }
    let (session, cookie) = match new_session(portal, email).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if store
        .session_passed(&session.id_hash, Factor::Email, Some(VIA_OIDC))
        .await
        .is_err()
    {
        return web::unavailable(portal, v.lang);
    }
    let (next, text) = if account.totp_secret.is_some() {
        ("/app/login/code", s.oidc_done_code)
    } else {
        if store
            .session_passed(&session.id_hash, Factor::Second, None)
            .await
            .is_err()
        {
            return web::unavailable(portal, v.lang);
        }
        portal
            .audit(Event::StaffSignedIn, None, email, "OpenID Connect")
            .await;
        ("/app", s.oidc_done)
    };
    let page = OidcDone {
        f: web::frame(portal, v.lang, s.oidc_done_title, "/app/login"),
        s,
        text,
        next,
    };
    let mut response = crate::pages::html(&page).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// With `refuse_unknown` off: whether an address without an account gets
/// one (its domain is one of `internal`, the internal domains in force at
/// this sign-in; not a subdomain of one).
fn may_get_account(internal: &[String], email: &str) -> bool {
    email
        .rsplit_once('@')
        .is_some_and(|(_, domain)| internal.iter().any(|d| d.eq_ignore_ascii_case(domain)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flow_cookie_is_lax_and_only_for_the_flow() {
        let c = flow_cookie("abc", 600, true);
        let c = c.to_str().unwrap();
        for part in [
            "zegel_oidc=abc",
            "Path=/app/login/oidc",
            "Max-Age=600",
            "HttpOnly",
            "SameSite=Lax",
            "Secure",
        ] {
            assert!(c.contains(part), "{c}");
        }
        assert!(!flow_cookie("", 0, false)
            .to_str()
            .unwrap()
            .contains("Secure"));
    }

    #[test]
    fn only_internal_domains_get_accounts() {
        let internal = ["zorg.nl".to_string(), "wijkzorg.nl".to_string()];
        assert!(may_get_account(&internal, "nieuw@zorg.nl"));
        assert!(may_get_account(&internal, "nieuw@ZORG.nl"));
        assert!(may_get_account(&internal, "nieuw@wijkzorg.nl"));
        assert!(!may_get_account(&internal, "gast@partner.nl"));
        assert!(!may_get_account(&internal, "nieuw@sub.zorg.nl"));
        assert!(!may_get_account(&internal, "geen-adres"));
        assert!(!may_get_account(&[], "nieuw@zorg.nl"));
    }
}
