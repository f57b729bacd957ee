//! `/confirm/{token}`: the sender's page for a message a warning held (a
//! recipient at a look-alike domain, external recipients who would see each
//! other), reached by the link in the sender's notice (a 256-bit token only
//! the sender got): send it after all, send each recipient a copy of their
//! own (for visible recipients), or cancel it. One decision, once; past the
//! deadline the page says the message was not sent.

use crate::recipient::miss;
use crate::texts::Lang;
use crate::web;
use crate::Portal;
use askama::Template;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use std::net::IpAddr;
use zegel_store::{token_hash, HoldConfirmation, HoldDecision, PortalSession};

/// The cookie of a confirmation page's session (for its form token).
const CONFIRM_COOKIE: &str = "zegel_k";

/// `?lang=…`.
#[derive(Debug, Default, Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

/// A decision's form.
#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    csrf: String,
}

/// The held message a link names (found by the hash of its token; an
/// unknown token is answered as a miss before any handler runs) and the
/// page's session, if any.
pub struct Held {
    confirmation: HoldConfirmation,
    session: Option<PortalSession>,
    lang: Lang,
    base: String,
    hash: String,
    ip: IpAddr,
}

impl FromRequestParts<Portal> for Held {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, portal: &Portal) -> Result<Held, Response> {
        let ip = web::client_ip(parts);
        let token = web::path_token(parts, portal).await;
        let lang = web::lang(
            &parts.headers,
            web::query_value(&parts.uri, "lang").as_deref(),
        );
        held(portal, &token, &parts.headers, ip, lang).await
    }
}

async fn held(
    portal: &Portal,
    token: &str,
    headers: &HeaderMap,
    ip: IpAddr,
    lang: Lang,
) -> Result<Held, Response> {
    let hash = token_hash(token);
    let confirmation = match portal.store().hold_confirmation(&hash).await {
        Ok(Some(c)) => c,
        Ok(None) => return Err(miss(portal, ip, lang).await),
        Err(_) => return Err(web::unavailable(portal, lang)),
    };
    let session = web::session_for(
        portal,
        headers,
        CONFIRM_COOKIE,
        zegel_store::SessionKind::Confirm,
        &hash,
    )
    .await;
    Ok(Held {
        confirmation,
        session,
        lang,
        base: format!("/confirm/{token}"),
        hash,
        ip,
    })
}

/// The page's texts in one language.
struct ConfirmTexts {
    title: &'static str,
    intro: &'static str,
    recipients: &'static str,
    why: &'static str,
    deadline: &'static str,
    send: &'static str,
    separate: &'static str,
    separate_hint: &'static str,
    cancel: &'static str,
    confirmed: &'static str,
    separated: &'static str,
    cancelled: &'static str,
    expired: &'static str,
    released: &'static str,
    deleted: &'static str,
}

static NL: ConfirmTexts = ConfirmTexts {
    title: "Uw bericht is tegengehouden",
    intro: "zegel heeft uw bericht voor deze ontvangers tegengehouden. Controleer de adressen en kies wat er moet gebeuren.",
    recipients: "Tegengehouden voor",
    why: "Waarom",
    deadline: "Kies voor {}. Zonder antwoord wordt het bericht niet verstuurd.",
    send: "Toch versturen",
    separate: "Iedere ontvanger een eigen kopie sturen",
    separate_hint: "Elke ontvanger ziet dan alleen het eigen adres.",
    cancel: "Niet versturen",
    confirmed: "U hebt bevestigd: het bericht is verstuurd.",
    separated: "U hebt bevestigd: iedere ontvanger krijgt een eigen kopie.",
    cancelled: "U hebt het bericht geannuleerd: het is niet verstuurd.",
    expired: "U hebt niet op tijd gekozen: het bericht is niet verstuurd.",
    released: "Een beheerder heeft het bericht vrijgegeven: het is verstuurd.",
    deleted: "Een beheerder heeft het bericht verwijderd: het is niet verstuurd.",
};

static EN: ConfirmTexts = ConfirmTexts {
    title: "Your message was held",
    intro: "zegel held your message for these recipients. Check the addresses and choose what should happen.",
    recipients: "Held for",
    why: "Why",
    deadline: "Choose before {}. Without an answer the message is not sent.",
    send: "Send it anyway",
    separate: "Send each recipient a copy of their own",
    separate_hint: "Each recipient then sees only their own address.",
    cancel: "Do not send",
    confirmed: "You confirmed: the message was sent.",
    separated: "You confirmed: each recipient gets a copy of their own.",
    cancelled: "You cancelled the message: it was not sent.",
    expired: "You did not choose in time: the message was not sent.",
    released: "An administrator released the message: it was sent.",
    deleted: "An administrator deleted the message: it was not sent.",
};

fn texts(lang: Lang) -> &'static ConfirmTexts {
    match lang {
        Lang::Nl => &NL,
        Lang::En => &EN,
    }
}

/// The confirmation page.
#[derive(Template)]
#[template(path = "confirm.html")]
struct Page {
    f: crate::pages::Frame,
    c: &'static ConfirmTexts,
    recipients: Vec<String>,
    reasons: Vec<String>,
    deadline: String,
    /// What was decided (`None`: the sender can still choose).
    outcome: Option<&'static str>,
    separate_offered: bool,
    base: String,
    csrf: String,
}

/// `GET /confirm/{token}`.
pub async fn page(State(portal): State<Portal>, h: Held, Query(q): Query<LangQuery>) -> Response {
    let (session, cookie) = match web::session_or_start(
        &portal,
        h.session.clone(),
        CONFIRM_COOKIE,
        zegel_store::SessionKind::Confirm,
        &h.hash,
    )
    .await
    {
        Ok(started) => started,
        Err(_) => return web::unavailable(&portal, h.lang),
    };
    let mut response = render(&portal, &h, &session.csrf, StatusCode::OK);
    if let Some(c) = cookie {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    web::remember_lang(&mut response, q.lang.as_deref());
    response
}

fn render(portal: &Portal, h: &Held, csrf: &str, status: StatusCode) -> Response {
    let c = texts(h.lang);
    let held = &h.confirmation;
    let outcome = match held.decision {
        Some(HoldDecision::Confirmed) => Some(c.confirmed),
        Some(HoldDecision::Separate) => Some(c.separated),
        Some(HoldDecision::Cancelled) => Some(c.cancelled),
        Some(HoldDecision::Expired) => Some(c.expired),
        Some(HoldDecision::Released) => Some(c.released),
        Some(HoldDecision::Deleted) => Some(c.deleted),
        None if !held.pending(zegel_store::now()) => Some(c.expired),
        None => None,
    };
    let page = Page {
        f: web::frame(portal, h.lang, c.title, &h.base),
        c,
        recipients: held.recipients.clone(),
        reasons: match h.lang {
            Lang::Nl => held.reasons_nl.clone(),
            Lang::En => held.reasons_en.clone(),
        },
        deadline: c.deadline.replace("{}", &web::show_time(held.expires_at)),
        outcome,
        separate_offered: held.separate_offered,
        base: h.base.clone(),
        csrf: csrf.to_string(),
    };
    (status, crate::pages::html(&page)).into_response()
}

/// `POST /confirm/{token}/send`.
pub async fn send(State(portal): State<Portal>, h: Held, Form(f): Form<DecisionForm>) -> Response {
    decide(&portal, h, &f, HoldDecision::Confirmed).await
}

/// `POST /confirm/{token}/separate` (only for visible recipients).
pub async fn separate(
    State(portal): State<Portal>,
    h: Held,
    Form(f): Form<DecisionForm>,
) -> Response {
    decide(&portal, h, &f, HoldDecision::Separate).await
}

/// `POST /confirm/{token}/cancel`.
pub async fn cancel(
    State(portal): State<Portal>,
    h: Held,
    Form(f): Form<DecisionForm>,
) -> Response {
    decide(&portal, h, &f, HoldDecision::Cancelled).await
}

async fn decide(portal: &Portal, h: Held, form: &DecisionForm, decision: HoldDecision) -> Response {
    let csrf_ok = h
        .session
        .as_ref()
        .is_some_and(|s| web::csrf_ok(&s.csrf, &form.csrf));
    let offered = decision != HoldDecision::Separate || h.confirmation.separate_offered;
    if !csrf_ok || !offered {
        return crate::recipient::bad_form(portal, h.ip, h.lang).await;
    }
    let by = format!("{} (confirmation link)", h.confirmation.sender);
    match portal
        .outbound
        .decide_hold(&h.confirmation.message_id, decision, &by)
        .await
    {
        // Decided now, or before (by the sender elsewhere, an
        // administrator, the deadline): the page says which.
        Ok(_) | Err(zegel_store::StoreError::NotFound(_)) => web::see_other(&h.base),
        Err(e) => {
            tracing::error!(error = %e, "a held message's decision failed");
            web::unavailable(portal, h.lang)
        }
    }
}
