//! `/app/admin/figures`: messages assessed, secure, opened and withdrawn
//! per week, and secure messages by kind of data, as charts and tables.

use super::pages::{FiguresPage, KindRow, WeekRow};
use super::stats::{bars, figures, grouped_bars};
use super::AdminOnly;
use crate::web;
use crate::Portal;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use zegel_assess::FindingKind;

/// Weeks shown.
const WEEKS: usize = 12;

/// `GET /app/admin/figures`.
pub async fn page(State(portal): State<Portal>, AdminOnly(who): AdminOnly) -> Response {
    let now = zegel_store::now();
    let since = super::stats::week_start(now) - (WEEKS as i64 - 1) * 7 * 86_400;
    let Ok(entries) = portal
        .store()
        .audit_events_since(since, super::stats::COUNTED_EVENTS)
        .await
    else {
        return web::unavailable(&portal, who.lang);
    };
    let f = figures(&entries, now, WEEKS);
    let s = who.lang.staff();
    let lang = super::policy::assess_lang(who.lang);
    let labels: Vec<String> = f.weeks.iter().map(|w| web::show_date(w.start)).collect();
    let column =
        |pick: fn(&super::stats::Week) -> usize| f.weeks.iter().map(pick).collect::<Vec<_>>();
    let per_week = grouped_bars(
        s.per_week_title,
        &labels,
        &[
            (s.assessed, "bar-all", column(|w| w.assessed)),
            (s.secure, "bar-secure", column(|w| w.secure)),
            (s.opened, "bar-opened", column(|w| w.opened)),
            (s.revoked, "bar-revoked", column(|w| w.revoked)),
        ],
    );
    let kinds: Vec<(String, usize)> = f
        .kinds
        .iter()
        .map(|(k, n)| {
            let label = FindingKind::from_name(k)
                .map(|k| zegel_assess::kind_label(k, lang).to_string())
                .unwrap_or_else(|| k.clone());
            (label, *n)
        })
        .collect();
    let page = FiguresPage {
        f: web::frame(&portal, who.lang, s.stats_title, "/app/admin/figures"),
        s,
        nav: who.nav("figures"),
        totals: [
            (s.assessed, f.weeks.iter().map(|w| w.assessed).sum()),
            (s.secure, f.weeks.iter().map(|w| w.secure).sum()),
            (s.opened, f.weeks.iter().map(|w| w.opened).sum()),
            (s.revoked, f.weeks.iter().map(|w| w.revoked).sum()),
        ],
        per_week_chart: per_week,
        by_kind_chart: bars(s.by_kind_title, &kinds),
        weeks: f
            .weeks
            .iter()
            .zip(labels)
            .map(|(w, label)| WeekRow {
                label,
                assessed: w.assessed,
                secure: w.secure,
                opened: w.opened,
                revoked: w.revoked,
            })
            .collect(),
        kinds: kinds
            .into_iter()
            .map(|(label, count)| KindRow { label, count })
            .collect(),
    };
    crate::pages::html(&page).into_response()
}
