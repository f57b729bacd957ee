//! `/m/{token}`: a recipient opens a secure message. The link token finds
//! the package; a session (cookie) records the factors passed, for this one
//! package only: the code by mail first, then the SMS or access code when
//! the package asks for one. Only then can the message be read, its
//! attachments downloaded, and a reply sent.

//!
//! # Layout
//!
//! - `factors`: the link page, the code by mail, the SMS or access code.
//! - `read`: the message, its attachments and inline images, for a
//!   [`Reader`] only.
//! - `reply`: the secure reply, and the mail the public contact page sends.

mod factors;
mod read;
mod reply;

pub use factors::{second, second_page, send_code, send_second, start, verify, verify_page};
pub use read::{download, inline, read};
pub use reply::reply;
pub(crate) use reply::{build_mail, submit};

use crate::pages;
use crate::texts::Lang;
use crate::web::{self, RECIPIENT_COOKIE};
use crate::Portal;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use std::net::IpAddr;
use zegel_store::{token_hash, PackageState, PortalSession, SecondFactor, SecurePackage};

/// `?lang=…&images=show`.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    lang: Option<String>,
    images: Option<String>,
}

/// A form with only its token.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
}

/// A form with a code.
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

/// What every handler here starts from: the package the link token opens
/// (an unknown, withdrawn, expired or locked one is answered before any
/// handler runs), the session for that package if there is one, the page
/// language and the client's address.
pub struct Visit {
    package: SecurePackage,
    session: Option<PortalSession>,
    lang: Lang,
    base: String,
    ip: IpAddr,
}

impl FromRequestParts<Portal> for Visit {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, portal: &Portal) -> Result<Visit, Response> {
        let ip = web::client_ip(parts);
        let token = web::path_token(parts, portal).await;
        let lang = web::query_value(&parts.uri, "lang");
        visit(portal, &token, &parts.headers, ip, lang.as_deref()).await
    }
}

impl Visit {
    fn signed_in(&self) -> bool {
        self.session.as_ref().is_some_and(|s| {
            s.email_ok && (s.second_ok || self.package.second_factor == SecondFactor::None)
        })
    }

    fn email_ok(&self) -> bool {
        self.session.as_ref().is_some_and(|s| s.email_ok)
    }

    fn csrf_ok(&self, given: &str) -> bool {
        self.session
            .as_ref()
            .is_some_and(|s| web::csrf_ok(&s.csrf, given))
    }

    fn session_hash(&self) -> &str {
        self.session
            .as_ref()
            .map(|s| s.id_hash.as_str())
            .unwrap_or("")
    }
}

/// A visit that has passed every factor the package asks for: only a
/// `Reader` sees the message, its files, or can reply. Anyone else is sent
/// to the link's first page; an inline image gets 403 (it is no page), a
/// form (the reply) the bad-form answer, before its upload is read.
pub struct Reader(pub Visit);

impl FromRequestParts<Portal> for Reader {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, portal: &Portal) -> Result<Reader, Response> {
        let visit = Visit::from_request_parts(parts, portal).await?;
        if visit.signed_in() {
            Ok(Reader(visit))
        } else if parts.method != axum::http::Method::GET {
            Err(bad_form(portal, visit.ip, visit.lang).await)
        } else if parts.uri.path().contains("/inline/") {
            Err(StatusCode::FORBIDDEN.into_response())
        } else {
            Err(web::see_other(&visit.base))
        }
    }
}

/// An unknown link: 404, or 429 once a client guesses too often.
pub async fn miss(portal: &Portal, ip: IpAddr, lang: Lang) -> Response {
    if portal.allow(ip).await {
        web::notice(portal, lang, StatusCode::NOT_FOUND, |t| {
            (t.not_found_title, t.not_found)
        })
    } else {
        web::notice(portal, lang, StatusCode::TOO_MANY_REQUESTS, |t| {
            (t.too_many_title, t.too_many)
        })
    }
}

pub(crate) async fn bad_form(portal: &Portal, ip: IpAddr, lang: Lang) -> Response {
    if !portal.allow(ip).await {
        return miss(portal, ip, lang).await;
    }
    web::notice(portal, lang, StatusCode::FORBIDDEN, |t| {
        (t.bad_form_title, t.bad_form)
    })
}

/// Finds the package and the session; answers at once when the link is
/// unknown, withdrawn, expired or locked.
async fn visit(
    portal: &Portal,
    token: &str,
    headers: &HeaderMap,
    ip: IpAddr,
    query_lang: Option<&str>,
) -> Result<Visit, Response> {
    let lang = web::lang(headers, query_lang);
    let store = portal.store();
    // The package and this package's live session in one query: a session
    // of another package (or kind) is no session here.
    let session_hash = web::cookie(headers, RECIPIENT_COOKIE).map(token_hash);
    let lookup = store
        .package_with_session(&token_hash(token), session_hash.as_deref())
        .await;
    let (package, session) = match lookup {
        Ok(Some(found)) => found,
        Ok(None) => return Err(miss(portal, ip, lang).await),
        Err(e) => {
            tracing::error!(error = %e, "looking up a package failed");
            return Err(web::unavailable(portal, lang));
        }
    };
    let gone = |status, pick: fn(&'static crate::texts::Texts) -> (&'static str, &'static str)| {
        Err(web::notice(portal, lang, status, pick))
    };
    match package.state(zegel_store::now()) {
        PackageState::Open => {}
        PackageState::Revoked => return gone(StatusCode::GONE, |t| (t.revoked_title, t.revoked)),
        PackageState::Expired => return gone(StatusCode::GONE, |t| (t.expired_title, t.expired)),
        PackageState::Locked => return gone(StatusCode::FORBIDDEN, |t| (t.locked_title, t.locked)),
    }
    Ok(Visit {
        package,
        session,
        lang,
        base: format!("/m/{token}"),
        ip,
    })
}

/// `POST /m/{token}/logout`: end the session.
pub async fn logout(
    State(portal): State<Portal>,
    v: Visit,
    Form(form): Form<TokenForm>,
) -> Response {
    if !v.csrf_ok(&form.csrf) {
        return bad_form(&portal, v.ip, v.lang).await;
    }
    portal.end_session(v.session_hash()).await;
    portal.views.forget(&v.package.id);
    let t = v.lang.texts();
    let page = pages::Notice {
        f: web::frame(&portal, v.lang, t.log_out, ""),
        text: t.logged_out.into(),
        link: Some((v.base.clone(), t.secure_message.to_string())),
    };
    let mut response = pages::html(&page).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        web::session_cookie(RECIPIENT_COOKIE, "", 0, portal.config.secure_cookies),
    );
    response
}
