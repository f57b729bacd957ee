//! The message, its attachments and inline images: for a [`Reader`] only.

use super::{miss, PageQuery, Reader, Visit};
use crate::pages::{self, AttachmentLink, Read};
use crate::view;
use crate::web;
use crate::Portal;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use zegel_store::Event;

/// `GET /m/{token}/read`: the message.
pub async fn read(
    State(portal): State<Portal>,
    Reader(v): Reader,
    Query(q): Query<PageQuery>,
) -> Response {
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
    Reader(v): Reader,
    Path((_, n)): Path<(String, String)>,
) -> Response {
    let Ok(raw) = portal.store().package_content(&v.package).await else {
        return web::unavailable(&portal, v.lang);
    };
    let Some(part) = n.parse().ok().and_then(|n| view::attachment(&raw, n)) else {
        return miss(&portal, v.ip, v.lang).await;
    };
    portal
        .audit(
            Event::Downloaded,
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
    Reader(v): Reader,
    Path((_, cid)): Path<(String, String)>,
) -> Response {
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
