//! `/contact`: the safe way back. A patient or citizen confirms their
//! e-mail address with a code, then writes a message with files; it reaches
//! the organisation's configured address through the outbound pipeline, as
//! mail from the confirmed address.

use crate::codes::{CodeRequest, NotSent};
use crate::pages::{self, Code, ContactStart, ContactWrite};
use crate::recipient::{bad_form, build_mail, miss, submit};
use crate::texts::Lang;
use crate::upload::{read_upload, upload_refused};
use crate::web::{self, CONTACT_COOKIE};
use crate::Portal;
use axum::extract::{FromRequestParts, Multipart, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use std::net::IpAddr;
use zegel_store::Event;
use zegel_store::{token_hash, CodeCheck, CodePurpose, Factor, PortalSession};

/// `?lang=…`.
#[derive(Debug, Default, Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

/// The address form.
#[derive(Debug, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

/// The code form.
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

/// A visitor of the public page: answered with 404 before any handler
/// runs when the page is off; the contact session, if any.
pub struct Citizen {
    session: Option<PortalSession>,
    lang: Lang,
    ip: IpAddr,
}

impl FromRequestParts<Portal> for Citizen {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, portal: &Portal) -> Result<Citizen, Response> {
        let ip = web::client_ip(parts);
        let lang = web::lang(
            &parts.headers,
            web::query_value(&parts.uri, "lang").as_deref(),
        );
        if portal.config.contact_address.is_none() {
            return Err(miss(portal, ip, lang).await);
        }
        Ok(Citizen {
            session: session(portal, &parts.headers).await,
            lang,
            ip,
        })
    }
}

async fn session(portal: &Portal, headers: &HeaderMap) -> Option<PortalSession> {
    let id = web::cookie(headers, CONTACT_COOKIE)?;
    portal
        .store()
        .session(&token_hash(id))
        .await
        .ok()
        .flatten()
        .filter(|s| s.kind == zegel_store::SessionKind::Contact)
}

fn start_page(
    portal: &Portal,
    lang: Lang,
    csrf: &str,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let t = lang.texts();
    let page = ContactStart {
        f: web::frame(portal, lang, t.contact_title, "/contact"),
        csrf: csrf.to_string(),
        error,
    };
    (status, pages::html(&page)).into_response()
}

/// `GET /contact`: ask for the address.
pub async fn start(
    State(portal): State<Portal>,
    c: Citizen,
    Query(q): Query<LangQuery>,
) -> Response {
    let lang = c.lang;
    let existing = c.session.clone();
    if existing.as_ref().is_some_and(|s| s.email_ok) {
        return web::see_other("/contact/write");
    }
    let (session, cookie) = match web::session_or_start(
        &portal,
        existing,
        CONTACT_COOKIE,
        zegel_store::SessionKind::Contact,
        "",
    )
    .await
    {
        Ok(started) => started,
        Err(_) => return web::unavailable(&portal, lang),
    };
    let mut response = start_page(&portal, lang, &session.csrf, None, StatusCode::OK);
    if let Some(c) = cookie {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    web::remember_lang(&mut response, q.lang.as_deref());
    response
}

/// A plausible mailbox address: what `zegel_outbound::header` takes as an
/// address (one `@`, no control character, white space or delimiter, at
/// most 254 bytes), with a local part of at most 64 and a dotted domain.
fn plausible_address(address: &str) -> bool {
    if zegel_outbound::header::address(address).as_deref() != Ok(address) {
        return false;
    }
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    local.len() <= 64
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

/// `POST /contact/code`: send a code to the given address.
pub async fn send_code(
    State(portal): State<Portal>,
    c: Citizen,
    Form(form): Form<EmailForm>,
) -> Response {
    let lang = c.lang;
    let Some(session) = c.session.clone() else {
        return bad_form(&portal, c.ip, lang).await;
    };
    if !web::csrf_ok(&session.csrf, &form.csrf) {
        return bad_form(&portal, c.ip, lang).await;
    }
    let email = form.email.trim().to_lowercase();
    if !plausible_address(&email) {
        let error = Some(lang.texts().bad_email.to_string());
        return start_page(&portal, lang, &session.csrf, error, StatusCode::BAD_REQUEST);
    }
    // Each code request counts against the client's budget too, so one
    // client cannot mail codes to many addresses.
    if !portal.allow(c.ip).await {
        return miss(&portal, c.ip, lang).await;
    }
    if portal
        .store()
        .session_claim(&session.id_hash, &email)
        .await
        .is_err()
    {
        return web::unavailable(&portal, lang);
    }
    let sent = portal
        .send_code(CodeRequest {
            purpose: CodePurpose::Contact,
            target: &session.id_hash,
            to: &email,
            message_id: None,
            audit_subject: &email,
        })
        .await;
    match sent {
        Ok(()) => web::see_other("/contact/verify"),
        Err(NotSent::TooMany) => {
            let error = Some(lang.texts().too_many_codes.to_string());
            start_page(
                &portal,
                lang,
                &session.csrf,
                error,
                StatusCode::TOO_MANY_REQUESTS,
            )
        }
        Err(NotSent::Failed) => web::unavailable(&portal, lang),
    }
}

fn code_page(
    portal: &Portal,
    lang: Lang,
    csrf: &str,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let t = lang.texts();
    let page = Code {
        f: web::frame(portal, lang, t.email_code_title, "/contact/verify"),
        intro: t.contact_code_intro.to_string(),
        label: t.code_label,
        numeric: true,
        action: "/contact/verify".into(),
        resend_action: None,
        csrf: csrf.to_string(),
        error,
    };
    (status, pages::html(&page)).into_response()
}

/// `GET /contact/verify`: the code form.
pub async fn verify_page(
    State(portal): State<Portal>,
    c: Citizen,
    Query(q): Query<LangQuery>,
) -> Response {
    let lang = c.lang;
    match c.session.clone() {
        Some(s) if s.address.is_some() => {
            let mut response = code_page(&portal, lang, &s.csrf, None, StatusCode::OK);
            web::remember_lang(&mut response, q.lang.as_deref());
            response
        }
        _ => web::see_other("/contact"),
    }
}

/// `POST /contact/verify`: check the code.
pub async fn verify(
    State(portal): State<Portal>,
    c: Citizen,
    Form(form): Form<CodeForm>,
) -> Response {
    let lang = c.lang;
    let Some(session) = c.session.clone() else {
        return bad_form(&portal, c.ip, lang).await;
    };
    let Some(address) = session.address.clone() else {
        return web::see_other("/contact");
    };
    if !web::csrf_ok(&session.csrf, &form.csrf) {
        return bad_form(&portal, c.ip, lang).await;
    }
    let t = lang.texts();
    match portal
        .store()
        .check_code(CodePurpose::Contact, &session.id_hash, &form.code)
        .await
    {
        Ok(CodeCheck::Right) => {
            let store = portal.store();
            if store
                .session_passed(&session.id_hash, Factor::Email, Some(&address))
                .await
                .is_err()
            {
                return web::unavailable(&portal, lang);
            }
            portal
                .audit(
                    Event::Verified,
                    None,
                    &address,
                    "contact page: mail code right",
                )
                .await;
            let Ok(cookie) =
                web::rotate_session(&portal, &session.id_hash, web::CONTACT_COOKIE).await
            else {
                return web::unavailable(&portal, lang);
            };
            let mut response = web::see_other("/contact/write");
            response
                .headers_mut()
                .append(axum::http::header::SET_COOKIE, cookie);
            response
        }
        Ok(CodeCheck::Wrong { left }) => {
            portal
                .audit(Event::CodeWrong, None, &address, "contact page: wrong code")
                .await;
            code_page(
                &portal,
                lang,
                &session.csrf,
                Some(format!("{} {} {left}", t.wrong_code, t.tries_left)),
                StatusCode::BAD_REQUEST,
            )
        }
        Ok(CodeCheck::Locked) => {
            portal
                .audit(
                    Event::Locked,
                    None,
                    &address,
                    "contact page: too many wrong codes",
                )
                .await;
            portal.end_session(&session.id_hash).await;
            let page = pages::Notice {
                f: web::frame(&portal, lang, t.locked_title, ""),
                text: t.too_many.into(),
                link: Some(("/contact".into(), t.start_again.into())),
            };
            (StatusCode::FORBIDDEN, pages::html(&page)).into_response()
        }
        Ok(CodeCheck::NoCode) => code_page(
            &portal,
            lang,
            &session.csrf,
            Some(t.no_code.into()),
            StatusCode::BAD_REQUEST,
        ),
        Err(_) => web::unavailable(&portal, lang),
    }
}

/// `GET /contact/write`: the message form, once the address is confirmed.
pub async fn write_page(
    State(portal): State<Portal>,
    c: Citizen,
    Query(q): Query<LangQuery>,
) -> Response {
    let lang = c.lang;
    match c.session.clone() {
        Some(s) if s.email_ok => {
            let mut response = write_form(&portal, lang, &s, None, StatusCode::OK);
            web::remember_lang(&mut response, q.lang.as_deref());
            response
        }
        _ => web::see_other("/contact"),
    }
}

fn write_form(
    portal: &Portal,
    lang: Lang,
    s: &PortalSession,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let t = lang.texts();
    let page = ContactWrite {
        f: web::frame(portal, lang, t.contact_write_title, "/contact/write"),
        csrf: s.csrf.clone(),
        address: s.address.clone().unwrap_or_default(),
        organization: portal.config.organization.clone(),
        error,
    };
    (status, pages::html(&page)).into_response()
}

/// `POST /contact/send`: send the message in.
pub async fn send(State(portal): State<Portal>, c: Citizen, multipart: Multipart) -> Response {
    let lang = c.lang;
    let to = portal.config.contact_address.clone().unwrap_or_default();
    let Some(session) = c.session.clone().filter(|s| s.email_ok) else {
        return bad_form(&portal, c.ip, lang).await;
    };
    let upload = match read_upload(multipart).await {
        Ok(upload) => upload,
        Err(status) => return upload_refused(&portal, status, c.ip, lang).await,
    };
    let csrf = upload.fields.get("csrf").map(String::as_str).unwrap_or("");
    if !web::csrf_ok(&session.csrf, csrf) {
        return bad_form(&portal, c.ip, lang).await;
    }
    let t = lang.texts();
    let text = upload.fields.get("text").map(String::as_str).unwrap_or("");
    if text.trim().is_empty() && upload.files.is_empty() {
        return write_form(
            &portal,
            lang,
            &session,
            Some(t.empty_message.into()),
            StatusCode::BAD_REQUEST,
        );
    }
    let subject = upload
        .fields
        .get("subject")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .unwrap_or("Bericht via het contactformulier");
    let from = session.address.clone().unwrap_or_default();
    let Ok(mail) = build_mail(&from, &to, subject, None, text, &upload.files) else {
        return web::unavailable(&portal, lang);
    };
    if !submit(&portal, c.ip, &from, &to, mail).await {
        return web::unavailable(&portal, lang);
    }
    portal
        .audit(
            Event::ContactSent,
            None,
            &from,
            &format!("to {to} with {} file(s)", upload.files.len()),
        )
        .await;
    portal.end_session(&session.id_hash).await;
    let page = pages::Notice {
        f: web::frame(&portal, lang, t.contact_sent_title, ""),
        text: t.contact_sent.into(),
        link: None,
    };
    let mut response = pages::html(&page).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        web::session_cookie(CONTACT_COOKIE, "", 0, portal.config.secure_cookies),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::plausible_address;

    #[test]
    fn addresses() {
        for ok in ["jan@example.nl", "j.de.vries+zorg@mail.example.com"] {
            assert!(plausible_address(ok), "{ok}");
        }
        for bad in [
            "",
            "jan",
            "jan@",
            "@example.nl",
            "jan@example",
            "jan@@example.nl",
            "jan @example.nl",
            "a@b..nl",
            "<a@b.nl>",
            "a@b.nl,c@d.nl",
            "a@b.nl\r\nBcc: c@d.nl",
            " a@b.nl",
        ] {
            assert!(!plausible_address(bad), "{bad}");
        }
    }
}
