//! `/app/admin/policy`: administrators set what makes mail secure and what
//! happens to it then. The change is stored (audited, versioned) and in
//! force for the next message at once; other nodes follow within seconds.

use super::pages::{Choice, PolicyPage};
use super::{AdminOnly, SignedIn};
use crate::texts::Lang;
use crate::web;
use crate::Portal;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use zegel_assess::FindingKind;
use zegel_outbound::{PolicyOverrides, SecureAction};

/// The actions in the order the page offers them (and their texts).
const ACTIONS: [(&str, SecureAction); 6] = [
    ("deliver", SecureAction::Deliver),
    ("portal", SecureAction::Portal),
    ("archive", SecureAction::Archive),
    ("tls", SecureAction::Tls),
    ("hold", SecureAction::Hold),
    ("reject", SecureAction::Reject),
];

pub(super) fn assess_lang(lang: Lang) -> zegel_assess::Lang {
    match lang {
        Lang::Nl => zegel_assess::Lang::Nl,
        Lang::En => zegel_assess::Lang::En,
    }
}

/// `GET /app/admin/policy`.
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
    let s = who.lang.staff();
    let now = portal.outbound.policy_in_force();
    let provenance = match portal.store().stored_policy().await {
        Ok(Some(stored)) => format!(
            "{} {} · {} · {}",
            s.policy_changed_by,
            stored.version,
            web::show_time(stored.updated_at),
            stored.updated_by
        ),
        _ => s.policy_from_file.to_string(),
    };
    let page = PolicyPage {
        f: web::frame(portal, who.lang, s.policy_title, "/app/admin/policy"),
        s,
        nav: who.nav("policy"),
        csrf: who.session.csrf.clone(),
        actions: ACTIONS
            .iter()
            .zip(s.action_names)
            .map(|((value, action), label)| Choice {
                value: value.to_string(),
                label: label.to_string(),
                selected: *action == now.action,
            })
            .collect(),
        kinds: FindingKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str().to_string(),
                label: zegel_assess::kind_label(*k, assess_lang(who.lang)).to_string(),
                selected: now.policy.secure_kinds.contains(k),
            })
            .collect(),
        min_confidence: format!("{}", now.policy.min_confidence),
        threshold: now.policy.visible_external_threshold,
        tags: now.policy.secure_tags.join(", "),
        internal_domains: now.policy.domains.internal().join(", "),
        partner_domains: now.policy.domains.partner().join("\n"),
        provenance,
        error,
        done,
    };
    (status, crate::pages::html(&page)).into_response()
}

/// The form as posted: repeated `kind` fields, so a list of pairs.
fn overrides_of(fields: &[(String, String)]) -> Result<PolicyOverrides, String> {
    let one = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let min_confidence = one("min_confidence")
        .parse::<f32>()
        .map_err(|_| "min_confidence".to_string())?;
    let threshold = one("visible_external_threshold")
        .parse::<usize>()
        .map_err(|_| "visible_external_threshold".to_string())?;
    Ok(PolicyOverrides {
        action: Some(one("action")),
        secure_kinds: Some(
            fields
                .iter()
                .filter(|(k, _)| k == "kind")
                .map(|(_, v)| v.clone())
                .collect(),
        ),
        min_confidence: Some(min_confidence),
        visible_external_threshold: Some(threshold),
        secure_tags: Some(
            one("secure_tags")
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
        ),
        partner_domains: Some(
            one("partner_domains")
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|d| !d.is_empty())
                .map(str::to_lowercase)
                .collect(),
        ),
    })
}

/// `POST /app/admin/policy`.
pub async fn save(
    State(portal): State<Portal>,
    AdminOnly(who): AdminOnly,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let csrf = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    if !who.form_ok(csrf) {
        return crate::recipient::bad_form(&portal, who.ip, who.lang).await;
    }
    let s = who.lang.staff();
    let result = match overrides_of(&fields) {
        Ok(overrides) => {
            portal
                .outbound
                .set_policy(overrides, &who.account.email)
                .await
        }
        Err(field) => Err(format!("{field}?")),
    };
    match result {
        Ok(version) => {
            let done = format!("{} ({} {version})", s.policy_saved, s.policy_changed_by);
            render(&portal, &who, None, Some(done), StatusCode::OK).await
        }
        Err(e) => {
            let error = format!("{}: {e}", s.bad_policy);
            render(&portal, &who, Some(error), None, StatusCode::BAD_REQUEST).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_form_becomes_overrides() {
        let o = overrides_of(&form(&[
            ("action", "reject"),
            ("kind", "bsn"),
            ("kind", "health"),
            ("min_confidence", "0.6"),
            ("visible_external_threshold", "4"),
            ("secure_tags", " [veilig], ,[geheim] "),
            ("partner_domains", "Horizon.nl\r\nwijkteam.example, ggd.nl"),
        ]))
        .unwrap();
        assert_eq!(o.action.as_deref(), Some("reject"));
        assert_eq!(o.secure_kinds.unwrap(), vec!["bsn", "health"]);
        assert_eq!(o.min_confidence, Some(0.6));
        assert_eq!(o.visible_external_threshold, Some(4));
        assert_eq!(o.secure_tags.unwrap(), vec!["[veilig]", "[geheim]"]);
        assert_eq!(
            o.partner_domains.unwrap(),
            vec!["horizon.nl", "wijkteam.example", "ggd.nl"]
        );
        // No kinds ticked: nothing makes mail secure by content.
        let none = overrides_of(&form(&[
            ("action", "portal"),
            ("min_confidence", "0.5"),
            ("visible_external_threshold", "10"),
        ]))
        .unwrap();
        assert_eq!(none.secure_kinds, Some(vec![]));
        assert!(overrides_of(&form(&[("min_confidence", "veel")])).is_err());
    }
}
