//! `/m/{token}`: a recipient opens a secure message. The link token finds
//! the package; a session (cookie) records the factors passed, for this one
//! package only: the code by mail first, then the SMS or access code when
//! the package asks for one. Only then can the message be read, its
//! attachments downloaded, and a reply sent.

use crate::codes::{CodeRequest, NotSent};
use crate::pages::{self, AttachmentLink, Code, Read, Start};
use crate::texts::Lang;
use crate::view;
use crate::web::{self, RECIPIENT_COOKIE};
use crate::Portal;
use axum::extract::{FromRequestParts, Multipart, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use std::net::IpAddr;
use zegel_outbound::header::{self as mail_header, HeaderError};
use zegel_outbound::{Submission, SubmissionRecipient, SubmitOutcome};
use zegel_store::{
    token_hash, CodeCheck, Factor, PackageState, PortalSession, SecondFactor, SecurePackage,
};

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

/// `GET /m/{token}`: who sent it, and a button for the mail code.
pub async fn start(State(portal): State<Portal>, v: Visit, Query(q): Query<PageQuery>) -> Response {
    if v.signed_in() {
        return web::see_other(&format!("{}/read", v.base));
    }
    if v.email_ok() {
        return web::see_other(&format!("{}/second", v.base));
    }
    let mut set_cookie = None;
    let session = match v.session.clone() {
        Some(s) => s,
        None => {
            match web::start_session(&portal, RECIPIENT_COOKIE, "recipient", &v.package.id).await {
                Ok((s, cookie)) => {
                    set_cookie = Some(cookie);
                    s
                }
                Err(e) => {
                    tracing::error!(error = %e, "starting a session failed");
                    return web::unavailable(&portal, v.lang);
                }
            }
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
            purpose: "email",
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
    let check = store.check_code("email", &v.package.id, &form.code).await;
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
            "verified",
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
            purpose: "sms",
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
            .check_code("sms", &v.package.id, &form.code)
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

/// `GET /m/{token}/read`: the message.
pub async fn read(State(portal): State<Portal>, v: Visit, Query(q): Query<PageQuery>) -> Response {
    if !v.signed_in() {
        return web::see_other(&v.base);
    }
    let images = q.images.as_deref() == Some("show");
    // Behind the access checks of `Visit` (package state and session come
    // from the database on every request): a kept view is only ever shown
    // to a reader who may see it now.
    let message = match portal.views.get(&v.package.id, images) {
        Some(message) => message,
        None => {
            let raw = match portal.store().package_content(&v.package).await {
                Ok(raw) => raw,
                Err(e) => {
                    tracing::error!(error = %e, "opening a package failed");
                    return web::unavailable(&portal, v.lang);
                }
            };
            let Some(message) = view::render(&raw, images, &format!("{}/inline/", v.base)) else {
                return web::unavailable(&portal, v.lang);
            };
            let message = std::sync::Arc::new(message);
            portal.views.put(&v.package.id, images, message.clone());
            message
        }
    };
    if !v.session.as_ref().is_some_and(|s| s.opened) {
        first_view(&portal, &v).await;
    }
    let t = v.lang.texts();
    let page = Read {
        f: web::frame(
            &portal,
            v.lang,
            t.secure_message,
            &format!("{}/read", v.base),
        ),
        subject: message.subject.clone(),
        from: message.from.clone(),
        to: message.to.clone(),
        cc: message.cc.clone(),
        date: message.date.clone(),
        expires: web::show_date(v.package.expires_at),
        body_html: message.body_html.clone(),
        body_text: if message.body_text.trim().is_empty() {
            t.no_body.to_string()
        } else {
            message.body_text.clone()
        },
        blocked_images: message.blocked_images,
        show_images_href: format!("{}/read?images=show", v.base),
        attachments: message
            .attachments
            .iter()
            .enumerate()
            .map(|(i, a)| AttachmentLink {
                name: a.name.clone(),
                href: format!("{}/part/{i}", v.base),
                size: web::human_size(a.size),
            })
            .collect(),
        reply_action: format!("{}/reply", v.base),
        logout_action: format!("{}/logout", v.base),
        csrf: v
            .session
            .as_ref()
            .map(|s| s.csrf.clone())
            .unwrap_or_default(),
    };
    let mut response = pages::html(&page).into_response();
    if images {
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; img-src 'self' data: https:; \
                 form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
        );
    }
    web::remember_lang(&mut response, q.lang.as_deref());
    response
}

/// The first view in a session: audit it; on the very first open, the
/// sender's read receipt.
async fn first_view(portal: &Portal, v: &Visit) {
    let store = portal.store();
    let first = match store.package_opened(&v.package, v.session_hash()).await {
        Ok(first) => first,
        Err(e) => {
            tracing::warn!(error = %e, "recording an open failed");
            return;
        }
    };
    if !(first && v.package.read_receipt) || v.package.sender.is_empty() {
        return;
    }
    let c = portal.outbound.config();
    let mail = zegel_outbound::compose::read_receipt(&zegel_outbound::compose::ReadReceipt {
        organization: &c.organization,
        from: &c.notices_from,
        sender: &v.package.sender,
        reader: &v.package.recipient,
        opened_at: &web::show_time(zegel_store::now()),
        hostname: &c.hostname,
    });
    if let Err(e) = portal
        .outbound
        .queue_own_mail(&v.package.sender, mail)
        .await
    {
        tracing::warn!(error = %e, "queueing a read receipt failed");
    }
}

/// `GET /m/{token}/part/{n}`: an attachment, as a download.
pub async fn download(
    State(portal): State<Portal>,
    v: Visit,
    Path((_, n)): Path<(String, String)>,
) -> Response {
    if !v.signed_in() {
        return web::see_other(&v.base);
    }
    let Ok(raw) = portal.store().package_content(&v.package).await else {
        return web::unavailable(&portal, v.lang);
    };
    let Some(part) = n.parse().ok().and_then(|n| view::attachment(&raw, n)) else {
        return miss(&portal, v.ip, v.lang).await;
    };
    portal
        .audit(
            "downloaded",
            Some(&v.package.message_id),
            &v.package.recipient,
            &format!("attachment {} ({})", n, web::human_size(part.bytes.len())),
        )
        .await;
    file_response(part, true)
}

/// `GET /m/{token}/inline/{cid}`: an inline image of the message.
pub async fn inline(
    State(portal): State<Portal>,
    v: Visit,
    Path((_, cid)): Path<(String, String)>,
) -> Response {
    if !v.signed_in() {
        return StatusCode::FORBIDDEN.into_response();
    }
    let Ok(raw) = portal.store().package_content(&v.package).await else {
        return web::unavailable(&portal, v.lang);
    };
    match view::inline_image(&raw, &cid) {
        Some(part) => file_response(part, false),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A file answer: its type, as a download or inline, sandboxed so that
/// nothing in it can run in the portal's origin.
fn file_response(part: view::AttachmentData, download: bool) -> Response {
    let disposition = if download {
        view::content_disposition(&part.name)
    } else {
        "inline".to_string()
    };
    let mut response = part.bytes.into_response();
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&part.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

/// A form with files, read whole within the body limit.
pub(crate) struct Upload {
    pub fields: std::collections::HashMap<String, String>,
    pub files: Vec<(String, String, Vec<u8>)>,
}

/// Reads a multipart form whole: text fields, and files (name, type,
/// bytes); empty file inputs are skipped. A broken or too large form is an
/// error (its HTTP status), never a partial upload.
pub(crate) async fn read_upload(mut multipart: Multipart) -> Result<Upload, StatusCode> {
    let mut upload = Upload {
        fields: Default::default(),
        files: Vec::new(),
    };
    while let Some(field) = multipart.next_field().await.map_err(|e| e.status())? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let content_type = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_string();
        let bytes = field.bytes().await.map_err(|e| e.status())?;
        match file_name {
            Some(f) if !f.is_empty() || !bytes.is_empty() => {
                let f: String = f
                    .rsplit(['/', '\\'])
                    .next()
                    .unwrap_or_default()
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(200)
                    .collect();
                upload.files.push((f, content_type, bytes.to_vec()));
            }
            Some(_) => {}
            None => {
                upload
                    .fields
                    .insert(name, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
    Ok(upload)
}

/// The answer to an upload that could not be read: too large (413, with
/// what to do), or a broken form.
pub(crate) async fn upload_refused(
    portal: &Portal,
    status: StatusCode,
    ip: IpAddr,
    lang: Lang,
) -> Response {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        web::notice(portal, lang, status, |t| (t.too_large_title, t.too_large))
    } else {
        bad_form(portal, ip, lang).await
    }
}

/// Builds a mail from a form (the secure reply, or a message from the
/// public page); every header value goes through `zegel_outbound::header`
/// (an address it refuses is the error).
pub(crate) fn build_mail(
    from: &str,
    to: &str,
    subject: &str,
    in_reply_to: Option<&str>,
    text: &str,
    files: &[(String, String, Vec<u8>)],
) -> Result<Vec<u8>, HeaderError> {
    let mut mail = mail_builder::MessageBuilder::new()
        .from(mail_header::mailbox(None, from)?)
        .to(mail_header::mailbox(None, to)?)
        .text_body(text);
    if let Some(id) = in_reply_to.and_then(mail_header::message_id) {
        mail = mail.in_reply_to(id.clone()).references(id);
    }
    for (name, content_type, bytes) in files {
        mail = mail.attachment(
            mail_header::media_type(content_type),
            mail_header::file_name(name, "bijlage"),
            bytes.as_slice(),
        );
    }
    let mut raw = mail_header::text_line("Subject", subject).into_bytes();
    // Writing into a Vec cannot fail.
    raw.extend(mail.write_to_vec().unwrap_or_default());
    Ok(raw)
}

/// The subject of a reply to a message with `subject` (as decoded):
/// `Re: ` before it unless it has one.
pub(crate) fn reply_subject(subject: &str) -> String {
    if subject.to_lowercase().starts_with("re:") {
        subject.to_string()
    } else {
        format!("Re: {subject}")
    }
}

/// Hands a mail written on the portal to the outbound pipeline, as mail
/// from the verified `from` address.
pub(crate) async fn submit(
    portal: &Portal,
    ip: IpAddr,
    from: &str,
    to: &str,
    raw: Vec<u8>,
) -> bool {
    let outcome = portal
        .outbound
        .submit(Submission {
            mail_from: from.to_string(),
            recipients: vec![SubmissionRecipient {
                address: to.to_string(),
                notify_never: false,
            }],
            raw,
            client_ip: Some(ip),
            helo: Some("portal".into()),
            authenticated_user: Some(from.to_string()),
            tls: portal.config.public_url.starts_with("https://"),
            headers_only: false,
            sent_secure: None,
        })
        .await;
    matches!(outcome, SubmitOutcome::Accepted { .. })
}

/// `POST /m/{token}/reply`: a secure reply, with files, to the sender; it
/// reaches them as normal internal mail.
pub async fn reply(State(portal): State<Portal>, v: Visit, multipart: Multipart) -> Response {
    let upload = match read_upload(multipart).await {
        Ok(upload) => upload,
        Err(status) => return upload_refused(&portal, status, v.ip, v.lang).await,
    };
    let csrf = upload.fields.get("csrf").map(String::as_str).unwrap_or("");
    if !v.signed_in() || !v.csrf_ok(csrf) {
        return bad_form(&portal, v.ip, v.lang).await;
    }
    let text = upload.fields.get("text").map(String::as_str).unwrap_or("");
    let t = v.lang.texts();
    let back = Some((format!("{}/read", v.base), t.back_to_message.to_string()));
    if text.trim().is_empty() && upload.files.is_empty() {
        let page = pages::Notice {
            f: web::frame(&portal, v.lang, t.reply, ""),
            text: t.empty_message.into(),
            link: back,
        };
        return (StatusCode::BAD_REQUEST, pages::html(&page)).into_response();
    }
    // A cap per message and day, counted in the database: a reader (or
    // whoever has the session) cannot make the gateway mail the sender
    // without end.
    match portal
        .store()
        .count_hit(&format!("reply:{}", v.package.id), 86_400)
        .await
    {
        Ok(n) if n <= portal.config.replies_per_message_day => {}
        Ok(_) => {
            let page = pages::Notice {
                f: web::frame(&portal, v.lang, t.reply, ""),
                text: t.too_many_replies.into(),
                link: back,
            };
            return (StatusCode::TOO_MANY_REQUESTS, pages::html(&page)).into_response();
        }
        Err(_) => return web::unavailable(&portal, v.lang),
    }
    let Ok(raw) = portal.store().package_content(&v.package).await else {
        return web::unavailable(&portal, v.lang);
    };
    let original = view::render(&raw, false, "");
    let subject = reply_subject(
        original
            .as_ref()
            .map(|m| m.subject.as_str())
            .unwrap_or_default(),
    );
    let Ok(mail) = build_mail(
        &v.package.recipient,
        &v.package.sender,
        &subject,
        original.as_ref().and_then(|m| m.message_id.as_deref()),
        text,
        &upload.files,
    ) else {
        return bad_form(&portal, v.ip, v.lang).await;
    };
    if !submit(&portal, v.ip, &v.package.recipient, &v.package.sender, mail).await {
        return web::unavailable(&portal, v.lang);
    }
    portal
        .audit(
            "replied",
            Some(&v.package.message_id),
            &v.package.recipient,
            &format!("reply with {} file(s)", upload.files.len()),
        )
        .await;
    let page = pages::Notice {
        f: web::frame(&portal, v.lang, t.reply_sent_title, ""),
        text: t.reply_sent.into(),
        link: back,
    };
    pages::html(&page).into_response()
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

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MessageParser;
    use zegel_outbound::header::header_names;

    /// What a mail from the public page or a reply has, no more.
    const HEADERS: [&str; 8] = [
        "content-transfer-encoding",
        "content-type",
        "date",
        "from",
        "message-id",
        "mime-version",
        "subject",
        "to",
    ];

    /// Subjects that add a header (short: mail-builder happens to encode
    /// text longer than 77 characters).
    const ATTACKS: [&str; 4] = [
        "Vraag\r\nBcc: evil@example.com",
        "Vraag\r\nFrom: ceo@zorg.nl",
        "Vraag\nX-Zegel-Verdict: normal",
        "Vraag\r\n\r\n<html>Klik</html>",
    ];

    #[test]
    fn a_contact_subject_with_cr_lf_adds_no_header() {
        for attack in ATTACKS {
            let raw = build_mail(
                "burger@example.com",
                "info@zorg.nl",
                attack,
                None,
                "Mijn vraag.",
                &[],
            )
            .unwrap();
            let shown = String::from_utf8_lossy(&raw);
            assert_eq!(header_names(&raw), HEADERS, "{attack:?}: {shown}");
            let parsed = MessageParser::default().parse(&raw).unwrap();
            let from = parsed.from().and_then(|f| f.first());
            assert_eq!(from.and_then(|a| a.address()), Some("burger@example.com"));
            assert_eq!(
                parsed.body_text(0).as_deref(),
                Some("Mijn vraag."),
                "{shown}"
            );
        }
    }

    #[test]
    fn a_reply_to_an_encoded_subject_with_cr_lf_adds_no_header() {
        // The original's subject decodes to text with CR LF in it.
        let original = b"From: Jan <jan@zorg.nl>\r\nTo: burger@example.com\r\n\
            Subject: =?utf-8?Q?Afspraak=0D=0ABcc:_evil@example.com=0D=0AX-Zegel-Verdict:_normal?=\r\n\
            Message-ID: <orig-1@zorg.nl>\r\n\r\nTot dan.\r\n";
        let view = crate::view::render(original, false, "").unwrap();
        assert!(view.subject.contains("\r\nBcc:"), "{:?}", view.subject);
        let raw = build_mail(
            "burger@example.com",
            "jan@zorg.nl",
            &reply_subject(&view.subject),
            view.message_id.as_deref(),
            "Dank u.",
            &[],
        )
        .unwrap();
        let mut want: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
        want.extend(["in-reply-to".to_string(), "references".to_string()]);
        want.sort();
        assert_eq!(
            header_names(&raw),
            want,
            "{}",
            String::from_utf8_lossy(&raw)
        );
        let parsed = MessageParser::default().parse(&raw).unwrap();
        assert_eq!(
            parsed.subject(),
            Some("Re: Afspraak Bcc: evil@example.com X-Zegel-Verdict: normal")
        );
    }

    proptest::proptest! {
        /// Whatever the subject and the original's message id, a mail built
        /// from a form has the headers it is built with and no others.
        #[test]
        fn a_form_never_adds_a_header(
            subject in "(\\PC|[\\r\\n\\t]|Bcc: |=\\?|\\?=){0,60}",
            id in "(\\PC|[\\r\\n<> ]){0,30}",
        ) {
            let raw = build_mail(
                "burger@example.com",
                "info@zorg.nl",
                &subject,
                Some(&id),
                "tekst",
                &[],
            )
            .unwrap();
            let names: Vec<String> = header_names(&raw)
                .into_iter()
                .filter(|n| n != "in-reply-to" && n != "references")
                .collect();
            proptest::prop_assert_eq!(names, HEADERS);
        }
    }
}
