//! The link page and the factors: the code by mail, then the SMS or
//! access code when the package asks for one.

use super::{bad_form, CodeForm, PageQuery, TokenForm, Visit};
use crate::codes::{CodeRequest, NotSent};
use crate::pages::{self, Code, Start};
use crate::texts::Lang;
use crate::web::{self, RECIPIENT_COOKIE};
use crate::Portal;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use zegel_store::Event;
use zegel_store::{CodeCheck, CodePurpose, Factor, SecondFactor, SecurePackage};

/// `GET /m/{token}`: who sent it, and a button for the mail code.
pub async fn start(State(portal): State<Portal>, v: Visit, Query(q): Query<PageQuery>) -> Response {
    if v.signed_in() {
        return web::see_other(&format!("{}/read", v.base));
    }
    if v.email_ok() {
        return web::see_other(&format!("{}/second", v.base));
    }
    let (session, set_cookie) = match web::session_or_start(
        &portal,
        v.session.clone(),
        RECIPIENT_COOKIE,
        zegel_store::SessionKind::Recipient,
        &v.package.id,
    )
    .await
    {
        Ok(started) => started,
        Err(e) => {
            tracing::error!(error = %e, "starting a session failed");
            return web::unavailable(&portal, v.lang);
        }
    };
    let t = v.lang.texts();
    let page = Start {
        f: web::frame(&portal, v.lang, t.secure_message, &v.base),
        sender: v.package.sender.clone(),
        masked_address: web::mask_address(&v.package.recipient),
        action: format!("{}/code", v.base),
        csrf: session.csrf,
        error: None,
    };
    let mut response = pages::html(&page).into_response();
    if let Some(c) = set_cookie {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    web::remember_lang(&mut response, q.lang.as_deref());
    response
}

/// `POST /m/{token}/code`: send the code by mail.
pub async fn send_code(
    State(portal): State<Portal>,
    v: Visit,
    Form(form): Form<TokenForm>,
) -> Response {
    if !v.csrf_ok(&form.csrf) {
        return bad_form(&portal, v.ip, v.lang).await;
    }
    let sent = portal
        .send_code(CodeRequest {
            purpose: CodePurpose::Email,
            target: &v.package.id,
            to: &v.package.recipient,
            message_id: Some(&v.package.message_id),
            audit_subject: &v.package.recipient,
        })
        .await;
    match sent {
        Ok(()) => web::see_other(&format!("{}/verify", v.base)),
        Err(NotSent::TooMany) => code_page(
            &portal,
            &v,
            Kind::Email,
            Some(too_many(v.lang)),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(NotSent::Failed) => web::unavailable(&portal, v.lang),
    }
}

fn too_many(lang: Lang) -> String {
    lang.texts().too_many_codes.to_string()
}

/// Which code a page asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Email,
    Sms,
    Access,
}

fn code_page(
    portal: &Portal,
    v: &Visit,
    kind: Kind,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let t = v.lang.texts();
    let csrf = v
        .session
        .as_ref()
        .map(|s| s.csrf.clone())
        .unwrap_or_default();
    let (title, intro, label, numeric, action, resend) = match kind {
        Kind::Email => (
            t.email_code_title,
            t.email_code_intro.to_string(),
            t.code_label,
            true,
            format!("{}/verify", v.base),
            Some(format!("{}/code", v.base)),
        ),
        Kind::Sms => {
            let phone = portal
                .store()
                .package_phone(&v.package)
                .ok()
                .flatten()
                .unwrap_or_default();
            let tail: String = phone
                .chars()
                .rev()
                .take(2)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            (
                t.sms_code_title,
                format!("{} **{tail}.", t.sms_code_intro),
                t.code_label,
                true,
                format!("{}/second", v.base),
                Some(format!("{}/second/send", v.base)),
            )
        }
        Kind::Access => (
            t.access_code_title,
            t.access_code_intro.to_string(),
            t.access_code_label,
            false,
            format!("{}/second", v.base),
            None,
        ),
    };
    let page = Code {
        f: web::frame(
            portal,
            v.lang,
            title,
            &format!(
                "{}/{}",
                v.base,
                if kind == Kind::Email {
                    "verify"
                } else {
                    "second"
                }
            ),
        ),
        intro,
        label,
        numeric,
        action,
        resend_action: resend,
        csrf,
        error,
    };
    (status, pages::html(&page)).into_response()
}

/// `GET /m/{token}/verify`: the form for the mail code.
pub async fn verify_page(
    State(portal): State<Portal>,
    v: Visit,
    Query(q): Query<PageQuery>,
) -> Response {
    if v.session.is_none() {
        return web::see_other(&v.base);
    }
    let mut response = code_page(&portal, &v, Kind::Email, None, StatusCode::OK);
    web::remember_lang(&mut response, q.lang.as_deref());
    response
}

/// `POST /m/{token}/verify`: check the mail code.
pub async fn verify(
    State(portal): State<Portal>,
    v: Visit,
    Form(form): Form<CodeForm>,
) -> Response {
    if !v.csrf_ok(&form.csrf) {
        return bad_form(&portal, v.ip, v.lang).await;
    }
    let store = portal.store();
    let check = store
        .check_code(CodePurpose::Email, &v.package.id, &form.code)
        .await;
    match check {
        Ok(CodeCheck::Right) => {}
        Ok(CodeCheck::NoCode) => {
            return code_page(
                &portal,
                &v,
                Kind::Email,
                Some(v.lang.texts().no_code.into()),
                StatusCode::BAD_REQUEST,
            )
        }
        Ok(_) => return wrong_code(&portal, &v, Kind::Email, "mail code").await,
        Err(_) => return web::unavailable(&portal, v.lang),
    }
    let Ok(cookie) = passed(&portal, &v, Factor::Email, "mail code right").await else {
        return web::unavailable(&portal, v.lang);
    };
    let mut response = match v.package.second_factor {
        SecondFactor::None => web::see_other(&format!("{}/read", v.base)),
        SecondFactor::AccessCode => web::see_other(&format!("{}/second", v.base)),
        SecondFactor::Sms => match send_sms(&portal, &v).await {
            Ok(()) => web::see_other(&format!("{}/second", v.base)),
            Err(NotSent::TooMany) => code_page(
                &portal,
                &v,
                Kind::Sms,
                Some(too_many(v.lang)),
                StatusCode::TOO_MANY_REQUESTS,
            ),
            Err(NotSent::Failed) => web::unavailable(&portal, v.lang),
        },
    };
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// Records a passed factor, audited, and gives the session a new id:
/// returns the new id's `Set-Cookie`.
async fn passed(
    portal: &Portal,
    v: &Visit,
    factor: Factor,
    detail: &str,
) -> Result<axum::http::HeaderValue, ()> {
    let store = portal.store();
    store
        .session_passed(v.session_hash(), factor, None)
        .await
        .map_err(|_| ())?;
    store
        .audit(
            Event::Verified,
            Some(&v.package.message_id),
            &v.package.recipient,
            detail,
        )
        .await
        .map_err(|_| ())?;
    web::rotate_session(portal, v.session_hash(), RECIPIENT_COOKIE)
        .await
        .map_err(|_| ())
}

async fn wrong_code(portal: &Portal, v: &Visit, kind: Kind, what: &str) -> Response {
    match portal.store().package_wrong_code(&v.package, what).await {
        Ok(CodeCheck::Wrong { left }) => {
            let t = v.lang.texts();
            code_page(
                portal,
                v,
                kind,
                Some(format!("{} {} {left}", t.wrong_code, t.tries_left)),
                StatusCode::BAD_REQUEST,
            )
        }
        Ok(_) => web::notice(portal, v.lang, StatusCode::FORBIDDEN, |t| {
            (t.locked_title, t.locked)
        }),
        Err(_) => web::unavailable(portal, v.lang),
    }
}

async fn send_sms(portal: &Portal, v: &Visit) -> Result<(), NotSent> {
    let phone = portal
        .store()
        .package_phone(&v.package)
        .ok()
        .flatten()
        .ok_or(NotSent::Failed)?;
    portal
        .send_code(CodeRequest {
            purpose: CodePurpose::Sms,
            target: &v.package.id,
            to: &phone,
            message_id: Some(&v.package.message_id),
            audit_subject: &v.package.recipient,
        })
        .await
}

fn second_kind(p: &SecurePackage) -> Kind {
    if p.second_factor == SecondFactor::Sms {
        Kind::Sms
    } else {
        Kind::Access
    }
}

/// `GET /m/{token}/second`: the form for the SMS or access code.
pub async fn second_page(
    State(portal): State<Portal>,
    v: Visit,
    Query(q): Query<PageQuery>,
) -> Response {
    if v.signed_in() {
        return web::see_other(&format!("{}/read", v.base));
    }
    if !v.email_ok() {
        return web::see_other(&v.base);
    }
    let mut response = code_page(&portal, &v, second_kind(&v.package), None, StatusCode::OK);
    web::remember_lang(&mut response, q.lang.as_deref());
    response
}

/// `POST /m/{token}/second/send`: a new SMS code.
pub async fn send_second(
    State(portal): State<Portal>,
    v: Visit,
    Form(form): Form<TokenForm>,
) -> Response {
    if !v.csrf_ok(&form.csrf) || !v.email_ok() || v.package.second_factor != SecondFactor::Sms {
        return bad_form(&portal, v.ip, v.lang).await;
    }
    match send_sms(&portal, &v).await {
        Ok(()) => web::see_other(&format!("{}/second", v.base)),
        Err(NotSent::TooMany) => code_page(
            &portal,
            &v,
            Kind::Sms,
            Some(too_many(v.lang)),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(NotSent::Failed) => web::unavailable(&portal, v.lang),
    }
}

/// `POST /m/{token}/second`: check the SMS or access code.
pub async fn second(
    State(portal): State<Portal>,
    v: Visit,
    Form(form): Form<CodeForm>,
) -> Response {
    if !v.csrf_ok(&form.csrf) || !v.email_ok() {
        return bad_form(&portal, v.ip, v.lang).await;
    }
    let kind = second_kind(&v.package);
    let right = match kind {
        Kind::Sms => match portal
            .store()
            .check_code(CodePurpose::Sms, &v.package.id, &form.code)
            .await
        {
            Ok(CodeCheck::Right) => true,
            Ok(CodeCheck::NoCode) => {
                return code_page(
                    &portal,
                    &v,
                    kind,
                    Some(v.lang.texts().no_code.into()),
                    StatusCode::BAD_REQUEST,
                )
            }
            Ok(_) => false,
            Err(_) => return web::unavailable(&portal, v.lang),
        },
        _ => portal.store().access_code_matches(&v.package, &form.code),
    };
    if !right {
        let what = if kind == Kind::Sms {
            "SMS code"
        } else {
            "access code"
        };
        return wrong_code(&portal, &v, kind, what).await;
    }
    let detail = if kind == Kind::Sms {
        "SMS code right"
    } else {
        "access code right"
    };
    let Ok(cookie) = passed(&portal, &v, Factor::Second, detail).await else {
        return web::unavailable(&portal, v.lang);
    };
    let mut response = web::see_other(&format!("{}/read", v.base));
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}
