//! `/app`: the sender's sent items (every secure message they sent, per
//! recipient, with its state) and withdrawing one at a click; and the
//! sender's mail a warning held, to send, split or cancel.

use super::pages::{HeldRow, HistoryRow, Sent, SentRow};
use super::{DoneQuery, SignedIn};
use crate::web;
use crate::Portal;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use zegel_store::{HoldDecision, PackageState};

/// How many rows the page shows (newest first).
const ROWS: i64 = 500;
/// How many messages the history shows (newest first).
const HISTORY: i64 = 100;

/// A form about one secure message.
#[derive(Debug, Deserialize)]
pub struct PackageForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    package: String,
}

/// `GET /app`.
pub async fn page(
    State(portal): State<Portal>,
    who: SignedIn,
    Query(q): Query<DoneQuery>,
) -> Response {
    let packages = match portal
        .store()
        .packages_by_sender(&who.account.email, ROWS)
        .await
    {
        Ok(p) => p,
        Err(_) => return web::unavailable(&portal, who.lang),
    };
    let history = match portal.store().sent_by(&who.account.email, HISTORY).await {
        Ok(entries) => super::history::sent_messages(&entries),
        Err(_) => Vec::new(),
    };
    let held = match portal
        .store()
        .pending_confirmations(&who.account.email)
        .await
    {
        Ok(held) => held,
        Err(_) => return web::unavailable(&portal, who.lang),
    };
    let t = who.lang.texts();
    let now = zegel_store::now();
    let rows = packages
        .iter()
        .map(|p| {
            let state = p.state(now);
            SentRow {
                id: p.id.clone(),
                sent: web::show_time(p.created_at),
                recipient: p.recipient.clone(),
                state: match state {
                    PackageState::Open => t.state_open,
                    PackageState::Revoked => t.state_revoked,
                    PackageState::Expired => t.state_expired,
                    PackageState::Locked => t.state_locked,
                },
                opened: p
                    .first_opened_at
                    .map(web::show_time)
                    .unwrap_or_else(|| t.not_opened.to_string()),
                expires: web::show_date(p.expires_at),
                open: matches!(state, PackageState::Open | PackageState::Locked),
            }
        })
        .collect();
    let s = who.lang.staff();
    let page = Sent {
        f: web::frame(&portal, who.lang, s.sent_title, "/app"),
        s,
        nav: who.nav("sent"),
        done: match q.done.as_deref() {
            Some("sent") => Some(s.sent_done),
            Some("codes") => Some(s.codes_by_mail),
            Some("held") => Some(s.held_done),
            _ => None,
        },
        csrf: who.session.csrf.clone(),
        held: held
            .into_iter()
            .map(|h| HeldRow {
                at: web::show_time(h.created_at),
                recipients: h.recipients.join(", "),
                reasons: match who.lang {
                    crate::texts::Lang::Nl => h.reasons_nl,
                    crate::texts::Lang::En => h.reasons_en,
                },
                until: web::show_time(h.expires_at),
                separate_offered: h.separate_offered,
                message: h.message_id,
            })
            .collect(),
        rows,
        history: history
            .into_iter()
            .map(|m| HistoryRow {
                at: web::show_time(m.at),
                secure: m.secure,
                recipients: m
                    .recipients
                    .iter()
                    .map(|(address, state, opened)| match opened {
                        Some(at) => format!(
                            "{address}: {} {}",
                            state.label(who.lang),
                            web::show_time(*at)
                        ),
                        None => format!("{address}: {}", state.label(who.lang)),
                    })
                    .collect(),
            })
            .collect(),
    };
    crate::pages::html(&page).into_response()
}

/// `POST /app/sent/revoke`: withdraw one of the sender's own messages; any
/// other id (another sender's, unknown) is answered as not found.
pub async fn revoke(
    State(portal): State<Portal>,
    who: SignedIn,
    Form(form): Form<PackageForm>,
) -> Response {
    if !who.form_ok(&form.csrf) {
        return crate::recipient::bad_form(&portal, who.ip, who.lang).await;
    }
    let package = portal
        .store()
        .package(&zegel_store::PackageId::from(form.package.as_str()))
        .await
        .ok()
        .flatten()
        .filter(|p| p.sender.eq_ignore_ascii_case(&who.account.email));
    let Some(p) = package else {
        return crate::recipient::miss(&portal, who.ip, who.lang).await;
    };
    if p.revoked_at.is_none() && p.expired_at.is_none() {
        if let Err(e) = portal.store().revoke_package(&p, &who.account.email).await {
            tracing::error!(error = %e, "revoking failed");
        }
        portal.views.forget(&p.id);
    }
    web::see_other("/app")
}

/// A decision on one of the sender's held messages.
#[derive(Debug, Deserialize)]
pub struct HeldForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    message: String,
}

/// `POST /app/held/send`.
pub async fn held_send(
    State(portal): State<Portal>,
    who: SignedIn,
    Form(form): Form<HeldForm>,
) -> Response {
    decide_held(&portal, &who, &form, HoldDecision::Confirmed).await
}

/// `POST /app/held/separate`.
pub async fn held_separate(
    State(portal): State<Portal>,
    who: SignedIn,
    Form(form): Form<HeldForm>,
) -> Response {
    decide_held(&portal, &who, &form, HoldDecision::Separate).await
}

/// `POST /app/held/cancel`.
pub async fn held_cancel(
    State(portal): State<Portal>,
    who: SignedIn,
    Form(form): Form<HeldForm>,
) -> Response {
    decide_held(&portal, &who, &form, HoldDecision::Cancelled).await
}

/// Decides on one of the signed-in sender's own pending held messages;
/// any other id (another sender's, decided, unknown) is answered as not
/// found.
async fn decide_held(
    portal: &Portal,
    who: &SignedIn,
    form: &HeldForm,
    decision: HoldDecision,
) -> Response {
    if !who.form_ok(&form.csrf) {
        return crate::recipient::bad_form(portal, who.ip, who.lang).await;
    }
    let own = portal
        .store()
        .pending_confirmations(&who.account.email)
        .await
        .unwrap_or_default()
        .into_iter()
        .find(|h| *h.message_id == *form.message)
        .filter(|h| decision != HoldDecision::Separate || h.separate_offered);
    let Some(held) = own else {
        return crate::recipient::miss(portal, who.ip, who.lang).await;
    };
    let by = format!("{} (staff web)", who.account.email);
    match portal
        .outbound
        .decide_hold(&held.message_id, decision, &by)
        .await
    {
        Ok(_) => web::see_other("/app?done=held"),
        Err(zegel_store::StoreError::NotFound(_)) => web::see_other("/app"),
        Err(e) => {
            tracing::error!(error = %e, "a held message's decision failed");
            web::unavailable(portal, who.lang)
        }
    }
}
