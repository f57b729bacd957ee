//! `/app/admin/domain`: the domain check of the organisation's own mail
//! domain (zegel-domaincheck, as `zegel check-domain`), run when the page
//! is asked for and shown per check with its advice.

use super::pages::{DomainCheckRow, DomainPage, DomainReport};
use super::AdminOnly;
use crate::texts::Lang;
use crate::web;
use crate::Portal;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use zegel_domaincheck::Status;

fn check_lang(lang: Lang) -> zegel_domaincheck::Lang {
    match lang {
        Lang::Nl => zegel_domaincheck::Lang::Nl,
        Lang::En => zegel_domaincheck::Lang::En,
    }
}

fn status_class(status: Status) -> &'static str {
    match status {
        Status::Good => "good",
        Status::Sufficient => "sufficient",
        Status::Warning => "warning",
        Status::Bad => "bad",
        Status::Error => "error",
    }
}

/// `GET /app/admin/domain`.
pub async fn page(State(portal): State<Portal>, AdminOnly(who): AdminOnly) -> Response {
    let s = who.lang.staff();
    let lang = check_lang(who.lang);
    let pick = |t: &zegel_domaincheck::Text| match who.lang {
        Lang::Nl => t.nl.clone(),
        Lang::En => t.en.clone(),
    };
    let (domain, outcome) = match &portal.config.domain_check {
        Some(check) => (
            check.domain.clone(),
            zegel_domaincheck::check_domain(&check.domain, &check.probe)
                .await
                .map_err(|e| e.to_string()),
        ),
        None => (String::new(), Err("no domain configured".to_string())),
    };
    let (report, error) = match outcome {
        Ok(r) => (
            Some(DomainReport {
                score: r.score,
                passed: r.passed,
                required: r.required,
                checks: r
                    .checks
                    .iter()
                    .map(|c| DomainCheckRow {
                        title: c.id.title(lang).to_string(),
                        subject: c.subject.clone(),
                        status: c.status.label(lang).to_string(),
                        status_class: status_class(c.status),
                        summary: pick(&c.summary),
                        facts: c
                            .facts
                            .iter()
                            .map(|f| format!("{}: {}", f.key, f.value))
                            .collect(),
                        advice: c.advice.as_ref().map(pick).unwrap_or_default(),
                    })
                    .collect(),
                not_checked: r.not_checked.iter().map(pick).collect(),
            }),
            None,
        ),
        Err(e) => (None, Some(format!("{}: {e}", s.domain_failed))),
    };
    let page = DomainPage {
        f: web::frame(&portal, who.lang, s.domain_title, "/app/admin/domain"),
        s,
        nav: who.nav("domain"),
        domain,
        report,
        error,
    };
    crate::pages::html(&page).into_response()
}
