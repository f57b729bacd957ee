//! `/app/admin/audit`: the audit trail with search (text, event, dates),
//! whether its hash chain holds, and export as CSV or JSON lines of what
//! the search found.

use super::pages::{AuditPage, AuditRow};
use super::AdminOnly;
use crate::web;
use crate::Portal;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use zegel_store::audit_export::{write_export, ExportFormat};
use zegel_store::AuditFilter;
use zegel_store::Event;

/// Rows the page shows.
const SHOWN: i64 = 500;
/// Rows an export holds at most.
const EXPORTED: i64 = 1_000_000;

/// The search, as in the query string.
#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    event: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    format: String,
}

impl AuditQuery {
    fn filter(&self) -> AuditFilter {
        let text = self.q.trim();
        AuditFilter {
            text: (!text.is_empty()).then(|| text.chars().take(200).collect()),
            event: (!self.event.is_empty()).then(|| self.event.clone()),
            // `from` at 00:00 UTC; `until` up to and including that day.
            from: web::parse_date_end(&self.from).map(|end| end + 1 - 86_400),
            until: web::parse_date_end(&self.until).map(|end| end + 1),
        }
    }

    /// The query string of the search (for the export links).
    fn encoded(&self) -> String {
        let pairs = [
            ("q", self.q.as_str()),
            ("event", self.event.as_str()),
            ("from", self.from.as_str()),
            ("until", self.until.as_str()),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `GET /app/admin/audit`.
pub async fn page(
    State(portal): State<Portal>,
    AdminOnly(who): AdminOnly,
    Query(q): Query<AuditQuery>,
) -> Response {
    let store = portal.store();
    let (found, events, problems) = match (
        store.search_audit(&q.filter(), SHOWN).await,
        store.audit_event_names().await,
        store.verify_audit().await,
    ) {
        (Ok(f), Ok(e), Ok(p)) => (f, e, p),
        _ => return web::unavailable(&portal, who.lang),
    };
    let s = who.lang.staff();
    let page = AuditPage {
        f: web::frame(&portal, who.lang, s.audit_title, "/app/admin/audit"),
        s,
        nav: who.nav("audit"),
        chain_ok: problems.is_empty(),
        events,
        event: q.event.clone(),
        text: q.q.clone(),
        from: q.from.clone(),
        until: q.until.clone(),
        export: q.encoded(),
        count: found.len(),
        rows: found
            .into_iter()
            .map(|e| AuditRow {
                at: web::show_time(e.at),
                event: e.event.to_string(),
                subject: e.subject,
                detail: e.detail,
                message: e.message_id.unwrap_or_default(),
            })
            .collect(),
    };
    crate::pages::html(&page).into_response()
}

/// `GET /app/admin/audit/export?format=csv|json&…`: what the search finds,
/// oldest first, as a download; the export itself is audited.
pub async fn export(
    State(portal): State<Portal>,
    AdminOnly(who): AdminOnly,
    Query(q): Query<AuditQuery>,
) -> Response {
    let store = portal.store();
    let Ok(mut found) = store.search_audit(&q.filter(), EXPORTED).await else {
        return web::unavailable(&portal, who.lang);
    };
    found.reverse();
    let (format, content_type, extension) = match q.format.as_str() {
        "json" => (ExportFormat::Json, "application/x-ndjson", "jsonl"),
        _ => (ExportFormat::Csv, "text/csv; charset=utf-8", "csv"),
    };
    let mut body = Vec::new();
    if write_export(&found, format, &mut body).is_err() {
        return web::unavailable(&portal, who.lang);
    }
    portal
        .audit(
            Event::AuditExported,
            None,
            &who.account.email,
            &format!(
                "{} events as {extension}; search: {}",
                found.len(),
                q.encoded()
            ),
        )
        .await;
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"zegel-audit.{extension}\""),
            ),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_becomes_a_filter_and_a_query_string() {
        let q = AuditQuery {
            q: " jan@zorg.nl ".into(),
            event: "revoked".into(),
            from: "2026-11-01".into(),
            until: "2026-11-01".into(),
            ..AuditQuery::default()
        };
        let f = q.filter();
        assert_eq!(f.text.as_deref(), Some("jan@zorg.nl"));
        assert_eq!(f.event.as_deref(), Some("revoked"));
        assert_eq!(f.until.unwrap() - f.from.unwrap(), 86_400, "one whole day");
        assert_eq!(
            q.encoded(),
            "q=%20jan%40zorg.nl%20&event=revoked&from=2026-11-01&until=2026-11-01"
        );
        assert_eq!(AuditQuery::default().filter(), AuditFilter::default());
    }
}
