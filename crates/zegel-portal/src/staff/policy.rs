//! `/app/admin/policy`: administrators set what makes mail secure and what
//! happens to it then, and which domains are internal and which partners.
//! The change is stored (audited, versioned) and in force for the next
//! message at once; other nodes follow within seconds.

use super::pages::{Choice, PolicyPage};
use super::texts::StaffTexts;
use super::{AdminOnly, SignedIn};
use crate::texts::Lang;
use crate::web;
use crate::Portal;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use zegel_assess::FindingKind;
use zegel_outbound::{PolicyError, PolicyOverrides, SecureAction, SetPolicyError};

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
    render(&portal, &who, None, None, StatusCode::OK, None).await
}

/// The page with the policy in force; with `typed`, a refused form, whose
/// free-text fields (tags, domains) are shown as they were typed.
async fn render(
    portal: &Portal,
    who: &SignedIn,
    error: Option<String>,
    done: Option<String>,
    status: StatusCode,
    typed: Option<&[(String, String)]>,
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
    let as_typed = |name: &str| {
        typed.and_then(|fields| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_string())
        })
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
        tags: as_typed("secure_tags").unwrap_or_else(|| now.policy.secure_tags.join(", ")),
        internal_domains: as_typed("internal_domains")
            .unwrap_or_else(|| now.policy.domains.internal().join("\n")),
        partner_domains: as_typed("partner_domains")
            .unwrap_or_else(|| now.policy.domains.partner().join("\n")),
        provenance,
        error,
        done,
    };
    (status, crate::pages::html(&page)).into_response()
}

/// A field of the form that holds no valid value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum BadField {
    /// `min_confidence`: no number.
    Confidence,
    /// `visible_external_threshold`: no number.
    Threshold,
    /// `action`: not an action zegel knows.
    Action(String),
}

/// A list of domains as typed: one per line (commas and spaces separate
/// too), lower case.
fn domains_of(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|d| !d.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The form as posted: repeated `kind` fields, so a list of pairs. A form
/// without the `internal_domains` field leaves them as they are (`None`
/// here; the caller keeps the ones in force).
fn overrides_of(fields: &[(String, String)]) -> Result<PolicyOverrides, BadField> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
    };
    let one = |name: &str| field(name).unwrap_or_default();
    let min_confidence = one("min_confidence")
        .parse::<f32>()
        .map_err(|_| BadField::Confidence)?;
    let threshold = one("visible_external_threshold")
        .parse::<usize>()
        .map_err(|_| BadField::Threshold)?;
    let action = match field("action") {
        Some(name) => Some(SecureAction::parse(&name).ok_or(BadField::Action(name))?),
        None => None,
    };
    Ok(PolicyOverrides {
        action,
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
        partner_domains: Some(domains_of(&one("partner_domains"))),
        internal_domains: field("internal_domains").map(|text| domains_of(&text)),
    })
}

/// Which field of the form was wrong, in the page's language.
fn bad_field_text(s: &StaffTexts, bad: &BadField) -> String {
    match bad {
        BadField::Confidence => format!("{} {}", s.err_number, s.confidence_label),
        BadField::Threshold => format!("{} {}", s.err_number, s.threshold_label),
        BadField::Action(name) => format!("{}: {name}", s.err_action),
    }
}

/// Why the policy was refused, in the page's language.
fn policy_error_text(s: &StaffTexts, error: &PolicyError) -> String {
    match error {
        PolicyError::Kind(name) => format!("{}: {name}", s.err_kind),
        PolicyError::Confidence => s.err_confidence.to_string(),
        PolicyError::Threshold => s.err_threshold.to_string(),
        PolicyError::Tag => s.err_tag.to_string(),
        PolicyError::Domain(name) => format!("{}: {name}", s.err_domain),
        PolicyError::NoInternalDomain => s.err_no_internal.to_string(),
        PolicyError::InternalAndPartner(name) => {
            format!("{}: {name}", s.err_internal_and_partner)
        }
        // Never from this form (a stored document only).
        PolicyError::Json(_) => error.to_string(),
    }
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
    let error = match overrides_of(&fields) {
        Ok(mut overrides) => {
            if overrides.internal_domains.is_none() {
                overrides.internal_domains =
                    portal.outbound.policy_in_force().overrides.internal_domains;
            }
            match portal
                .outbound
                .set_policy(overrides, &who.account.email)
                .await
            {
                Ok(version) => {
                    let done = format!("{} ({} {version})", s.policy_saved, s.policy_changed_by);
                    return render(&portal, &who, None, Some(done), StatusCode::OK, None).await;
                }
                Err(SetPolicyError::Invalid(e)) => policy_error_text(s, &e),
                Err(e @ SetPolicyError::Store(_)) => {
                    tracing::warn!(error = %e, "storing the policy failed");
                    return web::unavailable(&portal, who.lang);
                }
            }
        }
        Err(bad) => bad_field_text(s, &bad),
    };
    let error = format!("{}: {error}", s.bad_policy);
    render(
        &portal,
        &who,
        Some(error),
        None,
        StatusCode::BAD_REQUEST,
        Some(&fields),
    )
    .await
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
            ("internal_domains", " Zorg.nl\r\n\r\nwijkzorg.nl "),
        ]))
        .unwrap();
        assert_eq!(o.action, Some(SecureAction::Reject));
        assert_eq!(o.secure_kinds.unwrap(), vec!["bsn", "health"]);
        assert_eq!(o.min_confidence, Some(0.6));
        assert_eq!(o.visible_external_threshold, Some(4));
        assert_eq!(o.secure_tags.unwrap(), vec!["[veilig]", "[geheim]"]);
        assert_eq!(
            o.partner_domains.unwrap(),
            vec!["horizon.nl", "wijkteam.example", "ggd.nl"]
        );
        assert_eq!(o.internal_domains.unwrap(), vec!["zorg.nl", "wijkzorg.nl"]);
        // No kinds ticked: nothing makes mail secure by content.
        let none = overrides_of(&form(&[
            ("action", "portal"),
            ("min_confidence", "0.5"),
            ("visible_external_threshold", "10"),
        ]))
        .unwrap();
        assert_eq!(none.secure_kinds, Some(vec![]));
        // No internal domains field: they stay as they are; an empty one
        // is an empty list (refused when applied).
        assert_eq!(none.internal_domains, None);
        let empty = overrides_of(&form(&[
            ("min_confidence", "0.5"),
            ("visible_external_threshold", "10"),
            ("internal_domains", " \r\n "),
        ]))
        .unwrap();
        assert_eq!(empty.internal_domains, Some(vec![]));
        assert_eq!(
            overrides_of(&form(&[("min_confidence", "veel")])),
            Err(BadField::Confidence)
        );
        assert_eq!(
            overrides_of(&form(&[
                ("min_confidence", "0.5"),
                ("visible_external_threshold", "-1")
            ])),
            Err(BadField::Threshold)
        );
        assert_eq!(
            overrides_of(&form(&[
                ("action", "shred"),
                ("min_confidence", "0.5"),
                ("visible_external_threshold", "10")
            ])),
            Err(BadField::Action("shred".into()))
        );
    }

    #[test]
    fn refusals_are_told_in_the_pages_language() {
        let nl = Lang::Nl.staff();
        let en = Lang::En.staff();
        let both = PolicyError::InternalAndPartner("ggd.nl".into());
        assert_eq!(
            policy_error_text(nl, &both),
            "Een domein is intern of partner, niet allebei (ook niet als subdomein van een intern domein): ggd.nl"
        );
        assert_eq!(
            policy_error_text(en, &both),
            "A domain is internal or partner, not both (nor a subdomain of an internal domain): ggd.nl"
        );
        assert_eq!(
            policy_error_text(nl, &PolicyError::NoInternalDomain),
            "Geef minstens één intern domein op."
        );
        assert_eq!(
            policy_error_text(en, &PolicyError::Domain("geen domein".into())),
            "Not a domain name (such as zorg.nl): geen domein"
        );
        assert_eq!(
            bad_field_text(nl, &BadField::Action("shred".into())),
            "Onbekende actie: shred"
        );
        // Every refusal of the form has its own words in both languages.
        for e in [
            PolicyError::Kind("x".into()),
            PolicyError::Confidence,
            PolicyError::Threshold,
            PolicyError::Tag,
            PolicyError::Domain("x".into()),
            PolicyError::NoInternalDomain,
            PolicyError::InternalAndPartner("x".into()),
        ] {
            assert_ne!(
                policy_error_text(nl, &e),
                policy_error_text(en, &e),
                "{e:?}"
            );
            assert_ne!(policy_error_text(en, &e), e.to_string(), "{e:?}");
        }
    }
}
