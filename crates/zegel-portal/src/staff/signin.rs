//! Signing in and out: `/app/login` (address and password, or the
//! organisation's OpenID Connect provider: oidc/), `/app/login/code` (the
//! TOTP code, when the account has one; administrators must), and
//! `/app/logout`.
//!
//! A visitor first gets an anonymous staff session (for the form token);
//! a right password replaces it with a new one for the account, so a
//! session id seen before sign-in is worth nothing after it. Failed
//! attempts count against the client's address (the portal's limit) and
//! the account (a burst, then one per minute), and are audited.

use super::pages::{Login, TotpStep};
use super::{staff_session, totp, SignedIn, STAFF_COOKIE};
use crate::texts::Lang;
use crate::web;
use crate::Portal;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use zegel_store::Event;
use zegel_store::{Factor, PortalSession, Role, SessionKind};

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// The code form (and sign-out, which only has the token).
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

/// What a sign-in handler needs from the request.
pub struct Visitor {
    pub(super) session: Option<PortalSession>,
    pub(super) lang: Lang,
    pub(super) ip: std::net::IpAddr,
}

/// What a staff session's `address` holds once its first step was passed
/// through the OpenID Connect provider (`None` after a password): the TOTP
/// step's audit record says which.
pub(super) const VIA_OIDC: &str = "openid-connect";

impl axum::extract::FromRequestParts<Portal> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, portal: &Portal) -> Result<Visitor, Response> {
        let session = staff_session(portal, parts).await;
        let ip = web::client_ip(parts);
        let lang = super::page_lang(parts);
        Ok(Visitor { session, lang, ip })
    }
}

fn lifetime(portal: &Portal) -> i64 {
    portal.config.staff_session_lifetime.as_secs() as i64
}

fn login_form(
    portal: &Portal,
    lang: Lang,
    csrf: &str,
    email: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let s = lang.staff();
    let page = Login {
        f: web::frame(portal, lang, s.sign_in_title, "/app/login"),
        s,
        csrf: csrf.to_string(),
        email: email.to_string(),
        error: error.map(str::to_string),
        oidc: portal.oidc.as_ref().map(|p| p.config().label.clone()),
    };
    (status, crate::pages::html(&page)).into_response()
}

fn code_form(
    portal: &Portal,
    lang: Lang,
    csrf: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let s = lang.staff();
    let page = TotpStep {
        f: web::frame(portal, lang, s.totp_title, "/app/login/code"),
        s,
        csrf: csrf.to_string(),
        error: error.map(str::to_string),
    };
    (status, crate::pages::html(&page)).into_response()
}

/// Audits a failed sign-in step and counts it against the client's
/// address; the answer to give instead of the form when over the limit.
pub(super) async fn failed_attempt(
    portal: &Portal,
    v: &Visitor,
    email: &str,
    why: &str,
) -> Option<Response> {
    portal
        .audit(Event::StaffSignInFailed, None, email, why)
        .await;
    if !email.is_empty() {
        // The same counters as SMTP AUTH (zegel_store::LoginLimits).
        if let Err(e) = portal
            .store()
            .login_failed(&portal.config.login_limits, email, v.ip, "web")
            .await
        {
            tracing::warn!(error = %e, "failed sign-in not counted");
        }
    }
    if portal.allow(v.ip).await {
        None
    } else {
        Some(crate::recipient::miss(portal, v.ip, v.lang).await)
    }
}

/// Starts a staff session for `target` ("" before sign-in) and the cookie
/// that carries it.
pub(super) async fn new_session(
    portal: &Portal,
    target: &str,
) -> Result<(PortalSession, header::HeaderValue), Response> {
    let (id, hash) = web::new_session_id();
    let session = portal
        .store()
        .create_session(&hash, SessionKind::Staff, target, lifetime(portal))
        .await
        .map_err(|_| web::unavailable(portal, Lang::Nl))?;
    let cookie = web::session_cookie(
        STAFF_COOKIE,
        &id,
        lifetime(portal),
        portal.config.secure_cookies,
    );
    Ok((session, cookie))
}

/// `GET /app/login`.
pub async fn login_page(State(portal): State<Portal>, v: Visitor) -> Response {
    match &v.session {
        Some(s) if s.email_ok && s.second_ok => web::see_other("/app"),
        Some(s) if s.email_ok => web::see_other("/app/login/code"),
        Some(s) => login_form(&portal, v.lang, &s.csrf, "", None, StatusCode::OK),
        None => match new_session(&portal, "").await {
            Ok((session, cookie)) => {
                let mut r = login_form(&portal, v.lang, &session.csrf, "", None, StatusCode::OK);
                r.headers_mut().append(header::SET_COOKIE, cookie);
                r
            }
            Err(r) => r,
        },
    }
}

/// `POST /app/login`.
pub async fn login(
    State(portal): State<Portal>,
    v: Visitor,
    Form(form): Form<LoginForm>,
) -> Response {
    let Some(pre) = v
        .session
        .as_ref()
        .filter(|s| !s.email_ok && web::csrf_ok(&s.csrf, &form.csrf))
    else {
        return crate::recipient::bad_form(&portal, v.ip, v.lang).await;
    };
    let s = v.lang.staff();
    let email = form.email.trim().to_lowercase();
    if email.is_empty() || email.len() > 254 || form.password.len() > 1024 {
        return login_form(
            &portal,
            v.lang,
            &pre.csrf,
            &email,
            Some(s.wrong_credentials),
            StatusCode::UNAUTHORIZED,
        );
    }
    if !portal.account_attempt(&email, v.ip).await {
        return login_form(
            &portal,
            v.lang,
            &pre.csrf,
            &email,
            Some(s.too_many_attempts),
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let store = portal.store();
    let right = match store.check_password(&email, &form.password).await {
        Ok(right) => right,
        Err(_) => return web::unavailable(&portal, v.lang),
    };
    if !right {
        if let Some(refused) =
            failed_attempt(&portal, &v, &email, "wrong password or no active account").await
        {
            return refused;
        }
        return login_form(
            &portal,
            v.lang,
            &pre.csrf,
            &email,
            Some(s.wrong_credentials),
            StatusCode::UNAUTHORIZED,
        );
    }
    let account = match store.staff_account(&email).await {
        Ok(Some(a)) => a,
        _ => return web::unavailable(&portal, v.lang),
    };
    if account.role == Role::Admin && account.totp_secret.is_none() {
        portal
            .audit(
                Event::StaffSignInFailed,
                None,
                &email,
                "administrator without a second factor",
            )
            .await;
        return login_form(
            &portal,
            v.lang,
            &pre.csrf,
            &email,
            Some(s.totp_required),
            StatusCode::FORBIDDEN,
        );
    }
    // A new session for the account; the anonymous one ends.
    portal.end_session(&pre.id_hash).await;
    let (session, cookie) = match new_session(&portal, &email).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if store
        .session_passed(&session.id_hash, Factor::Email, None)
        .await
        .is_err()
    {
        return web::unavailable(&portal, v.lang);
    }
    let next = if account.totp_secret.is_some() {
        "/app/login/code"
    } else {
        if store
            .session_passed(&session.id_hash, Factor::Second, None)
            .await
            .is_err()
        {
            return web::unavailable(&portal, v.lang);
        }
        portal
            .audit(Event::StaffSignedIn, None, &email, "password")
            .await;
        "/app"
    };
    let mut response = web::see_other(next);
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// `GET /app/login/code`.
pub async fn code_page(State(portal): State<Portal>, v: Visitor) -> Response {
    match &v.session {
        Some(s) if s.email_ok && !s.second_ok => {
            code_form(&portal, v.lang, &s.csrf, None, StatusCode::OK)
        }
        Some(s) if s.email_ok => web::see_other("/app"),
        _ => web::see_other("/app/login"),
    }
}

/// `POST /app/login/code`.
pub async fn code(
    State(portal): State<Portal>,
    v: Visitor,
    Form(form): Form<CodeForm>,
) -> Response {
    let Some(session) = v
        .session
        .as_ref()
        .filter(|s| s.email_ok && !s.second_ok && web::csrf_ok(&s.csrf, &form.csrf))
    else {
        return crate::recipient::bad_form(&portal, v.ip, v.lang).await;
    };
    let s = v.lang.staff();
    let email = session.target.clone();
    if !portal.account_attempt(&email, v.ip).await {
        return code_form(
            &portal,
            v.lang,
            &session.csrf,
            Some(s.too_many_attempts),
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let store = portal.store();
    let account = match store.staff_account(&email).await {
        Ok(Some(a)) if !a.disabled => a,
        Ok(_) => return web::see_other("/app/login"),
        Err(_) => return web::unavailable(&portal, v.lang),
    };
    let now = zegel_store::now().max(0) as u64;
    let step = account
        .totp_secret
        .as_deref()
        .and_then(|secret| totp::matching_step(secret, &form.code, now));
    let fresh = match step {
        Some(step) => store
            .use_totp_step(&email, step as i64)
            .await
            .unwrap_or(false),
        None => false,
    };
    if !fresh {
        if let Some(refused) =
            failed_attempt(&portal, &v, &email, "wrong or reused TOTP code").await
        {
            return refused;
        }
        return code_form(
            &portal,
            v.lang,
            &session.csrf,
            Some(s.wrong_totp),
            StatusCode::UNAUTHORIZED,
        );
    }
    if store
        .session_passed(&session.id_hash, Factor::Second, None)
        .await
        .is_err()
    {
        return web::unavailable(&portal, v.lang);
    }
    let first = if session.address.as_deref() == Some(VIA_OIDC) {
        "OpenID Connect and TOTP"
    } else {
        "password and TOTP"
    };
    portal
        .audit(Event::StaffSignedIn, None, &email, first)
        .await;
    web::see_other("/app")
}

/// `POST /app/logout`.
pub async fn logout(
    State(portal): State<Portal>,
    who: SignedIn,
    Form(form): Form<CodeForm>,
) -> Response {
    if !who.form_ok(&form.csrf) {
        return crate::recipient::bad_form(&portal, who.ip, who.lang).await;
    }
    portal.end_session(&who.session.id_hash).await;
    portal
        .audit(
            Event::StaffSignedOut,
            None,
            &who.account.email,
            "signed out",
        )
        .await;
    let mut response = web::see_other("/app/login");
    response.headers_mut().append(
        header::SET_COOKIE,
        web::session_cookie(STAFF_COOKIE, "", 0, portal.config.secure_cookies),
    );
    response
}
