//! `/app/admin/…`: administrators only. Accounts with their role and
//! second factor, and offboarding a person.

use super::pages::{UserRow, Users};
use super::AdminOnly;
use crate::web;
use crate::Portal;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use zegel_store::{Handover, Role};

/// The offboarding form.
#[derive(Debug, Deserialize)]
pub struct OffboardForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    /// `revoke` or `colleague`.
    #[serde(default)]
    handover: String,
    #[serde(default)]
    colleague: String,
}

/// `GET /app/admin/users`.
pub async fn users(State(portal): State<Portal>, AdminOnly(who): AdminOnly) -> Response {
    render(&portal, &who, None, None, StatusCode::OK).await
}

async fn render(
    portal: &Portal,
    who: &super::SignedIn,
    error: Option<&str>,
    done: Option<String>,
    status: StatusCode,
) -> Response {
    let s = who.lang.staff();
    let users = match portal.store().users().await {
        Ok(u) => u,
        Err(_) => return web::unavailable(portal, who.lang),
    };
    let rows = users
        .into_iter()
        .map(|u| UserRow {
            role: match u.role {
                Role::Admin => s.role_admin,
                Role::Sender => s.role_sender,
            },
            totp: if u.totp { s.yes } else { s.no },
            state: if u.disabled { s.disabled } else { s.active },
            active: !u.disabled,
            me: u.email == who.account.email,
            email: u.email,
        })
        .collect();
    let page = Users {
        f: web::frame(portal, who.lang, s.users_title, "/app/admin/users"),
        s,
        nav: who.nav("users"),
        csrf: who.session.csrf.clone(),
        users: rows,
        error: error.map(str::to_string),
        done,
    };
    (status, crate::pages::html(&page)).into_response()
}

/// `POST /app/admin/offboard`: the account off, its sessions ended, its
/// open secure messages withdrawn or handed to an active colleague.
pub async fn offboard(
    State(portal): State<Portal>,
    AdminOnly(who): AdminOnly,
    Form(form): Form<OffboardForm>,
) -> Response {
    if !who.form_ok(&form.csrf) {
        return crate::recipient::bad_form(&portal, who.ip, who.lang).await;
    }
    let s = who.lang.staff();
    let email = form.email.trim().to_lowercase();
    if email == who.account.email {
        return render(
            &portal,
            &who,
            Some(s.forbidden),
            None,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let handover = if form.handover == "colleague" {
        let colleague = form.colleague.trim().to_lowercase();
        let active = match portal.store().staff_account(&colleague).await {
            Ok(Some(a)) => !a.disabled,
            Ok(None) => false,
            Err(_) => false,
        };
        if !active || colleague == email {
            return render(
                &portal,
                &who,
                Some(s.bad_colleague),
                None,
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
        Handover::To(colleague)
    } else {
        Handover::Revoke
    };
    match portal
        .store()
        .offboard(&email, &handover, &who.account.email)
        .await
    {
        Ok(Some(done)) => {
            // The colleague gets the new status links (the leaver's ended).
            if let (Handover::To(colleague), false) = (&handover, done.new_status_links.is_empty())
            {
                if let Err(e) = portal
                    .outbound
                    .queue_handover_notice(colleague, &email, &done.new_status_links)
                    .await
                {
                    tracing::error!(error = %e, "the colleague's notice of the hand-over was not queued");
                }
            }
            render(
                &portal,
                &who,
                None,
                Some(format!("{}: {email}", s.offboarded)),
                StatusCode::OK,
            )
            .await
        }
        Ok(None) => crate::recipient::miss(&portal, who.ip, who.lang).await,
        Err(e) => {
            tracing::error!(error = %e, "offboarding failed");
            web::unavailable(&portal, who.lang)
        }
    }
}
