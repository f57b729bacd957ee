//! `/status/{token}`: the sender's page for one secure message, reached by
//! the link in the sender's notice (a 256-bit token only the sender got):
//! who opened it, the timeline, and revoke, expiry and unlock per recipient.

use crate::pages::{self, Status, StatusRow, TimelineRow};
use crate::recipient::miss;
use crate::texts::{event_name, Lang};
use crate::web::{self, SENDER_COOKIE};
use crate::Portal;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use std::net::IpAddr;
use zegel_store::{token_hash, PackageState, PortalSession, SecurePackage};

/// `?lang=…`.
#[derive(Debug, Default, Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

/// A form about one package (or `all`).
#[derive(Debug, Deserialize)]
pub struct PackageForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    package: String,
    #[serde(default)]
    date: String,
}

/// The sender's view: the packages of one message (found by the hash of the
/// status token; an unknown token is answered before any handler runs) and
/// the sender's session for that token, if any.
pub struct Sender {
    packages: Vec<SecurePackage>,
    session: Option<PortalSession>,
    lang: Lang,
    base: String,
    hash: String,
    ip: IpAddr,
}

impl FromRequestParts<Portal> for Sender {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, portal: &Portal) -> Result<Sender, Response> {
        let ip = web::client_ip(parts);
        let token = web::path_token(parts, portal).await;
        let lang = web::query_value(&parts.uri, "lang");
        sender(portal, &token, &parts.headers, ip, lang.as_deref()).await
    }
}

async fn sender(
    portal: &Portal,
    token: &str,
    headers: &HeaderMap,
    ip: IpAddr,
    query_lang: Option<&str>,
) -> Result<Sender, Response> {
    let lang = web::lang(headers, query_lang);
    let hash = token_hash(token);
    let packages = match portal.store().packages_by_status_token(&hash).await {
        Ok(p) if !p.is_empty() => p,
        Ok(_) => return Err(miss(portal, ip, lang).await),
        Err(_) => return Err(web::unavailable(portal, lang)),
    };
    let session = web::session_for(
        portal,
        headers,
        SENDER_COOKIE,
        zegel_store::SessionKind::Sender,
        &hash,
    )
    .await;
    Ok(Sender {
        packages,
        session,
        lang,
        base: format!("/status/{token}"),
        hash,
        ip,
    })
}

/// `GET /status/{token}`.
pub async fn page(State(portal): State<Portal>, s: Sender, Query(q): Query<LangQuery>) -> Response {
    let (session, cookie) = match web::session_or_start(
        &portal,
        s.session.clone(),
        SENDER_COOKIE,
        zegel_store::SessionKind::Sender,
        &s.hash,
    )
    .await
    {
        Ok(started) => started,
        Err(_) => return web::unavailable(&portal, s.lang),
    };
    let mut response = render(&portal, &s, &session.csrf, None, StatusCode::OK).await;
    if let Some(c) = cookie {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    web::remember_lang(&mut response, q.lang.as_deref());
    response
}

async fn render(
    portal: &Portal,
    s: &Sender,
    csrf: &str,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let t = s.lang.texts();
    let now = zegel_store::now();
    let rows: Vec<StatusRow> = s
        .packages
        .iter()
        .map(|p| {
            let state = p.state(now);
            StatusRow {
                id: p.id.clone(),
                recipient: p.recipient.clone(),
                state: match state {
                    PackageState::Open => t.state_open,
                    PackageState::Revoked => t.state_revoked,
                    PackageState::Expired => t.state_expired,
                    PackageState::Locked => t.state_locked,
                },
                open: state == PackageState::Open,
                locked: state == PackageState::Locked,
                opened: p
                    .first_opened_at
                    .map(web::show_time)
                    .unwrap_or_else(|| t.not_opened.to_string()),
                expires: web::show_date(p.expires_at),
                expires_date: web::show_date(p.expires_at),
            }
        })
        .collect();
    let events = portal
        .store()
        .message_events(&s.packages[0].message_id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|e| TimelineRow {
            at: web::show_time(e.at),
            event: event_name(&e.event, s.lang).to_string(),
            subject: e.subject,
        })
        .collect();
    let page = Status {
        f: web::frame(portal, s.lang, t.status_title, &s.base),
        any_open: rows.iter().any(|r| r.open),
        rows,
        events,
        base: s.base.clone(),
        csrf: csrf.to_string(),
        tomorrow: web::show_date(now + 86_400),
        in_a_year: web::show_date(now + 365 * 86_400),
        error,
    };
    (status, pages::html(&page)).into_response()
}

/// The packages a form names (one id, or `all`), after the form check.
async fn chosen(
    portal: &Portal,
    s: &Sender,
    form: &PackageForm,
) -> Result<Vec<SecurePackage>, Response> {
    let ip = s.ip;
    let csrf_ok = s
        .session
        .as_ref()
        .is_some_and(|session| web::csrf_ok(&session.csrf, &form.csrf));
    let chosen: Vec<SecurePackage> = s
        .packages
        .iter()
        .filter(|p| form.package == "all" || *p.id == *form.package)
        .cloned()
        .collect();
    if !csrf_ok || chosen.is_empty() {
        if !portal.allow(ip).await {
            return Err(miss(portal, ip, s.lang).await);
        }
        return Err(web::notice(portal, s.lang, StatusCode::FORBIDDEN, |t| {
            (t.bad_form_title, t.bad_form)
        }));
    }
    Ok(chosen)
}

fn back(s: &Sender) -> Response {
    web::see_other(&s.base)
}

/// `POST /status/{token}/revoke`: withdraw at once.
pub async fn revoke(
    State(portal): State<Portal>,
    s: Sender,
    Form(form): Form<PackageForm>,
) -> Response {
    let chosen = match chosen(&portal, &s, &form).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    for p in chosen
        .iter()
        .filter(|p| p.revoked_at.is_none() && p.expired_at.is_none())
    {
        if let Err(e) = portal.store().revoke_package(p, &p.sender).await {
            tracing::error!(error = %e, "revoking failed");
        }
        // Unreachable already (every view checks the package's state in
        // the database first); this drops the plaintext from memory too.
        portal.views.forget(&p.id);
    }
    back(&s)
}

/// `POST /status/{token}/expiry`: a new expiry date (tomorrow to a year).
pub async fn expiry(
    State(portal): State<Portal>,
    s: Sender,
    Form(form): Form<PackageForm>,
) -> Response {
    let chosen = match chosen(&portal, &s, &form).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let now = zegel_store::now();
    let Some(at) =
        web::parse_date_end(&form.date).filter(|at| *at > now && *at <= now + 366 * 86_400)
    else {
        let csrf = s
            .session
            .as_ref()
            .map(|x| x.csrf.clone())
            .unwrap_or_default();
        let error = Some(s.lang.texts().bad_date.to_string());
        return render(&portal, &s, &csrf, error, StatusCode::BAD_REQUEST).await;
    };
    for p in chosen
        .iter()
        .filter(|p| p.state(now) != PackageState::Revoked)
    {
        if let Err(e) = portal.store().set_package_expiry(p, at, &p.sender).await {
            tracing::error!(error = %e, "changing expiry failed");
        }
    }
    back(&s)
}

/// `POST /status/{token}/unlock`: lift a lock after wrong codes.
pub async fn unlock(
    State(portal): State<Portal>,
    s: Sender,
    Form(form): Form<PackageForm>,
) -> Response {
    let chosen = match chosen(&portal, &s, &form).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    for p in chosen.iter().filter(|p| p.locked_at.is_some()) {
        if let Err(e) = portal.store().unlock_package(p, &p.sender).await {
            tracing::error!(error = %e, "unlocking failed");
        }
    }
    back(&s)
}
