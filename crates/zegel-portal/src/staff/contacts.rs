//! `/app/admin/contacts`: the external contacts with their mobile number
//! (SMS codes): the list, a CSV import (add and update, or replace), and
//! removing one. In force for the next message at once, on every node
//! within seconds.

use super::pages::ContactsPage;
use super::{AdminOnly, SignedIn};
use crate::upload::{read_upload, upload_refused};
use crate::web;
use crate::Portal;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;

/// The remove form.
#[derive(Debug, Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    address: String,
}

/// `GET /app/admin/contacts`.
pub async fn page(State(portal): State<Portal>, AdminOnly(who): AdminOnly) -> Response {
    render(&portal, &who, None, None, StatusCode::OK).await
}

async fn render(
    portal: &Portal,
    who: &SignedIn,
    error: Option<String>,
    done: Option<String>,
    status: StatusCode,
) -> Response {
    let Ok(rows) = portal.store().contacts().await else {
        return web::unavailable(portal, who.lang);
    };
    let s = who.lang.staff();
    let page = ContactsPage {
        f: web::frame(portal, who.lang, s.contacts_title, "/app/admin/contacts"),
        s,
        nav: who.nav("contacts"),
        csrf: who.session.csrf.clone(),
        rows,
        error,
        done,
    };
    (status, crate::pages::html(&page)).into_response()
}

/// `POST /app/admin/contacts/import`: a CSV file, read whole or refused
/// whole (the line that is wrong is named).
pub async fn import(
    State(portal): State<Portal>,
    AdminOnly(who): AdminOnly,
    multipart: Multipart,
) -> Response {
    let upload = match read_upload(multipart).await {
        Ok(u) => u,
        Err(status) => return upload_refused(&portal, status, who.ip, who.lang).await,
    };
    let csrf = upload.fields.get("csrf").map(String::as_str).unwrap_or("");
    if !who.form_ok(csrf) {
        return crate::recipient::bad_form(&portal, who.ip, who.lang).await;
    }
    let s = who.lang.staff();
    let text = upload
        .files
        .first()
        .map(|(_, _, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .unwrap_or_default();
    let contacts = match zegel_outbound::parse_contacts(&text) {
        Ok(c) => c,
        Err(e) => {
            let error = format!("{}: {e}", s.bad_contacts);
            return render(&portal, &who, Some(error), None, StatusCode::BAD_REQUEST).await;
        }
    };
    let replace = upload.fields.contains_key("replace");
    match portal
        .outbound
        .set_contacts(&contacts, replace, &who.account.email)
        .await
    {
        Ok(()) => {
            let done = format!("{}: {}", s.contacts_imported, contacts.len());
            render(&portal, &who, None, Some(done), StatusCode::OK).await
        }
        Err(e) => {
            tracing::error!(error = %e, "importing contacts failed");
            web::unavailable(&portal, who.lang)
        }
    }
}

/// `POST /app/admin/contacts/remove`.
pub async fn remove(
    State(portal): State<Portal>,
    AdminOnly(who): AdminOnly,
    Form(form): Form<RemoveForm>,
) -> Response {
    if !who.form_ok(&form.csrf) {
        return crate::recipient::bad_form(&portal, who.ip, who.lang).await;
    }
    match portal
        .store()
        .delete_contact(&form.address, &who.account.email)
        .await
    {
        Ok(true) => {
            if let Err(e) = portal.outbound.refresh_contacts().await {
                tracing::warn!(error = %e, "reloading contacts failed");
            }
            web::see_other("/app/admin/contacts")
        }
        Ok(false) => crate::recipient::miss(&portal, who.ip, who.lang).await,
        Err(_) => web::unavailable(&portal, who.lang),
    }
}
