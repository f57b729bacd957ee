//! `/app/compose`: a member of staff writes a secure message in the browser
//! (recipients, text, attachments, the second factor, how long it stays
//! readable). The assessment is shown as they type and attach (a small
//! script posts the form to `/app/compose/assess`; without it the "check"
//! button does the same), and the message goes through the same pipeline
//! as mail from the gateway, always as secure to external recipients.

use super::pages::{ComposeAssessment, ComposeForm, ComposePage};
use super::SignedIn;
use crate::texts::Lang;
use crate::upload::{read_upload, upload_refused, Upload};
use crate::web;
use crate::Portal;
use axum::extract::{Multipart, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use zegel_outbound::header::{self as mail_header, HeaderError};
use zegel_outbound::{PhoneNumber, SecureRequest, Submission, SubmissionRecipient, SubmitOutcome};

/// How long a message can stay readable, in days, as offered.
const EXPIRY_CHOICES: [u32; 5] = [7, 14, 30, 90, 365];

/// The compose page's policy: the portal's, plus its own script and the
/// requests that script makes.
const COMPOSE_CSP: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; \
    style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; \
    base-uri 'none'";

fn with_script_policy(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(COMPOSE_CSP),
    );
    response
}

/// `GET /app/compose`.
pub async fn page(State(portal): State<Portal>, who: SignedIn) -> Response {
    let form = ComposeForm {
        factor: "default".into(),
        expiry_days: default_expiry(&portal),
        ..ComposeForm::default()
    };
    render(&portal, &who, form, None, None, false, StatusCode::OK)
}

fn default_expiry(portal: &Portal) -> u32 {
    let days = portal.outbound_expiry_days();
    if EXPIRY_CHOICES.contains(&days) {
        days
    } else {
        30
    }
}

fn render(
    portal: &Portal,
    who: &SignedIn,
    form: ComposeForm,
    assessment: Option<ComposeAssessment>,
    error: Option<String>,
    files_again: bool,
    status: StatusCode,
) -> Response {
    let s = who.lang.staff();
    let page = ComposePage {
        f: web::frame(portal, who.lang, s.compose_title, "/app/compose"),
        s,
        nav: who.nav("compose"),
        csrf: who.session.csrf.clone(),
        form,
        expiry_choices: EXPIRY_CHOICES.to_vec(),
        assessment,
        error,
        files_again,
    };
    with_script_policy((status, crate::pages::html(&page)).into_response())
}

/// The form's fields as typed (kept on a re-shown page).
fn form_of(upload: &Upload, portal: &Portal) -> ComposeForm {
    let field = |name: &str| upload.fields.get(name).cloned().unwrap_or_default();
    ComposeForm {
        to: field("to"),
        cc: field("cc"),
        subject: field("subject"),
        text: field("text"),
        factor: match field("factor").as_str() {
            f @ ("sms" | "code") => f.to_string(),
            _ => "default".to_string(),
        },
        phone: field("phone"),
        expiry_days: field("expiry_days")
            .parse()
            .ok()
            .filter(|d| EXPIRY_CHOICES.contains(d))
            .unwrap_or_else(|| default_expiry(portal)),
    }
}

/// The addresses in a To or Cc field (commas or semicolons between them);
/// the first that is not an address is the error.
fn addresses(field: &str) -> Result<Vec<String>, String> {
    field
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| {
            let a = a
                .rsplit_once('<')
                .map(|(_, rest)| rest.trim_end_matches('>').trim())
                .unwrap_or(a);
            let ok = mail_header::address(a).is_ok()
                && a.split_once('@').is_some_and(|(_, domain)| {
                    domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
                });
            if ok {
                Ok(a.to_string())
            } else {
                Err(a.chars().take(80).collect())
            }
        })
        .collect()
}

/// To and Cc as one list, each address once (the first spelling kept;
/// addresses compared without case): one package per person, even when
/// the sender named someone twice.
fn unique_recipients(to: Vec<String>, cc: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    to.into_iter()
        .chain(cc)
        .filter(|a| seen.insert(a.to_lowercase()))
        .collect()
}

/// What the form asks for, checked: the message's bytes, its recipients
/// and the sender's choices.
struct Composed {
    raw: Vec<u8>,
    recipients: Vec<String>,
    request: SecureRequest,
}

fn compose(
    who: &SignedIn,
    form: &ComposeForm,
    upload: &Upload,
    lang: Lang,
) -> Result<Composed, String> {
    let s = lang.staff();
    let to = addresses(&form.to).map_err(|a| format!("{}: {a}", s.bad_address))?;
    let cc = addresses(&form.cc).map_err(|a| format!("{}: {a}", s.bad_address))?;
    if to.is_empty() && cc.is_empty() {
        return Err(s.no_recipients.to_string());
    }
    let phone = if form.factor == "sms" {
        Some(
            PhoneNumber::parse(&form.phone)
                .map_err(|_| s.bad_phone.to_string())?
                .as_str()
                .to_string(),
        )
    } else {
        None
    };
    let raw = message(
        &who.account.email,
        &form.subject,
        &form.text,
        &to,
        &cc,
        &upload.files,
    )
    .map_err(|e| format!("{}: {e}", s.bad_address))?;
    let recipients = unique_recipients(to, cc);
    Ok(Composed {
        raw,
        recipients,
        request: SecureRequest {
            phone,
            access_code: form.factor == "code",
            expiry_days: Some(form.expiry_days),
        },
    })
}

/// The message's bytes: from the signed-in `from`, to `to` and `cc` (as
/// checked by `addresses`), with `subject`, `text` and `files`; every
/// header value goes through `zegel_outbound::header` (an address it
/// refuses is the error).
fn message(
    from: &str,
    subject: &str,
    text: &str,
    to: &[String],
    cc: &[String],
    files: &[(String, String, Vec<u8>)],
) -> Result<Vec<u8>, HeaderError> {
    let mut mail = mail_builder::MessageBuilder::new()
        .from(mail_header::mailbox(None, from)?)
        .text_body(text);
    if !to.is_empty() {
        mail = mail.to(mail_header::mailboxes(to)?);
    }
    if !cc.is_empty() {
        mail = mail.cc(mail_header::mailboxes(cc)?);
    }
    Ok(crate::upload::finish_mail(mail, subject, files))
}

/// The assessment of what was composed, in words.
async fn assessment(
    portal: &Portal,
    who: &SignedIn,
    composed: &Composed,
) -> Option<ComposeAssessment> {
    let a = portal
        .outbound
        .assess(
            composed.raw.clone(),
            &who.account.email,
            &composed.recipients,
        )
        .await
        .ok()?;
    let s = who.lang.staff();
    let lang = super::policy::assess_lang(who.lang);
    let secure = a.verdict == zegel_assess::Verdict::Secure;
    Some(ComposeAssessment {
        verdict: if secure { "secure" } else { "normal" },
        summary: if secure {
            s.verdict_secure
        } else {
            s.verdict_normal
        }
        .to_string(),
        reasons: if secure {
            a.reasons.iter().map(|r| r.message(lang)).collect()
        } else {
            Vec::new()
        },
        warnings: a.warnings.iter().map(|w| w.message(lang)).collect(),
        warnings_title: s.warnings_title,
    })
}

/// `POST /app/compose`: check (the page again, with the assessment) or
/// send.
pub async fn submit(State(portal): State<Portal>, who: SignedIn, multipart: Multipart) -> Response {
    let upload = match read_upload(multipart).await {
        Ok(u) => u,
        Err(status) => return upload_refused(&portal, status, who.ip, who.lang).await,
    };
    let csrf = upload.fields.get("csrf").map(String::as_str).unwrap_or("");
    if !who.form_ok(csrf) {
        return crate::recipient::bad_form(&portal, who.ip, who.lang).await;
    }
    let form = form_of(&upload, &portal);
    let files_again = !upload.files.is_empty();
    let composed = match compose(&who, &form, &upload, who.lang) {
        Ok(c) => c,
        Err(e) => {
            return render(
                &portal,
                &who,
                form,
                None,
                Some(e),
                files_again,
                StatusCode::BAD_REQUEST,
            )
        }
    };
    if upload.fields.get("do").map(String::as_str) != Some("send") {
        let a = assessment(&portal, &who, &composed).await;
        return render(&portal, &who, form, a, None, files_again, StatusCode::OK);
    }
    let outcome = portal
        .outbound
        .submit(Submission {
            mail_from: who.account.email.clone(),
            recipients: composed
                .recipients
                .iter()
                .map(|r| SubmissionRecipient {
                    address: r.clone(),
                    notify_never: false,
                })
                .collect(),
            raw: composed.raw,
            client_ip: Some(who.ip),
            helo: Some("staff web".into()),
            authenticated_user: Some(who.account.email.clone()),
            tls: portal.config.public_url.starts_with("https://"),
            headers_only: false,
            sent_secure: Some(composed.request.clone()),
        })
        .await;
    let s = who.lang.staff();
    match outcome {
        SubmitOutcome::Accepted { .. } => {
            let done = if composed.request.access_code {
                "codes"
            } else {
                "sent"
            };
            web::see_other(&format!("/app?done={done}"))
        }
        SubmitOutcome::Rejected {
            reasons_nl,
            reasons_en,
        } => {
            let reasons = if who.lang == Lang::Nl {
                reasons_nl
            } else {
                reasons_en
            };
            let error = format!("{}: {}", s.not_sent, reasons.join("; "));
            render(
                &portal,
                &who,
                form,
                None,
                Some(error),
                files_again,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        SubmitOutcome::Unreadable(e) | SubmitOutcome::TempFail(e) => {
            tracing::warn!(error = %e, "a message from the staff web was not taken");
            let error = format!("{}.", s.not_sent);
            render(
                &portal,
                &who,
                form,
                None,
                Some(error),
                files_again,
                StatusCode::SERVICE_UNAVAILABLE,
            )
        }
    }
}

/// `POST /app/compose/assess`: the live assessment, as JSON for the page's
/// script.
pub async fn assess(State(portal): State<Portal>, who: SignedIn, multipart: Multipart) -> Response {
    let Ok(upload) = read_upload(multipart).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let csrf = upload.fields.get("csrf").map(String::as_str).unwrap_or("");
    if !who.form_ok(csrf) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let form = form_of(&upload, &portal);
    let answer = match compose(&who, &form, &upload, who.lang) {
        Ok(composed) => assessment(&portal, &who, &composed).await,
        Err(e) => Some(ComposeAssessment {
            verdict: "unknown",
            summary: e,
            reasons: Vec::new(),
            warnings: Vec::new(),
            warnings_title: who.lang.staff().warnings_title,
        }),
    };
    let Some(answer) = answer else {
        return StatusCode::UNPROCESSABLE_ENTITY.into_response();
    };
    let body = serde_json::json!({
        "verdict": answer.verdict,
        "summary": answer.summary,
        "reasons": answer.reasons,
        "warnings": answer.warnings,
        "warnings_title": answer.warnings_title,
    });
    (
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::{addresses, message, unique_recipients};
    use zegel_outbound::header::header_names;

    /// What a composed message has, no more.
    const HEADERS: [&str; 9] = [
        "cc",
        "content-transfer-encoding",
        "content-type",
        "date",
        "from",
        "message-id",
        "mime-version",
        "subject",
        "to",
    ];

    fn compose(subject: &str) -> Vec<u8> {
        message(
            "jan@zorg.nl",
            subject,
            "Zie bijlage.",
            &["piet@example.com".to_string()],
            &["anna@zorg.nl".to_string()],
            &[],
        )
        .unwrap()
    }

    #[test]
    fn a_subject_with_cr_lf_adds_no_header() {
        for attack in [
            "Overdracht\r\nBcc: evil@example.com",
            "Overdracht\r\nFrom: directeur@zorg.nl",
            "Overdracht\nX-Zegel-Verdict: normal",
            "Overdracht\r\n\r\n<html>Klik</html>",
        ] {
            let raw = compose(attack);
            assert_eq!(
                header_names(&raw),
                HEADERS,
                "{attack:?}: {}",
                String::from_utf8_lossy(&raw)
            );
        }
    }

    proptest::proptest! {
        /// Whatever the subject, a composed message has the headers it is
        /// built with and no others.
        #[test]
        fn no_subject_adds_a_header(subject in "(\\PC|[\\r\\n\\t]|Bcc: |=\\?|\\?=){0,60}") {
            proptest::prop_assert_eq!(header_names(&compose(&subject)), HEADERS);
        }
    }

    #[test]
    fn a_person_named_twice_gets_one_package() {
        let to = vec!["a@b.nl".to_string(), "c@d.nl".into(), "A@B.nl".into()];
        let cc = vec!["e@f.nl".to_string(), "c@d.nl".into()];
        assert_eq!(
            unique_recipients(to, cc),
            vec!["a@b.nl", "c@d.nl", "e@f.nl"]
        );
    }

    #[test]
    fn addresses_are_split_and_checked() {
        assert_eq!(
            addresses(" a@b.nl, Piet <p@q.example> ;c@d.org\n").unwrap(),
            vec!["a@b.nl", "p@q.example", "c@d.org"]
        );
        assert!(addresses("").unwrap().is_empty());
        for bad in [
            "geen adres",
            "a@b",
            "@b.nl",
            "a@.nl",
            "a b@c.nl",
            "a@b.nl.",
            "a@b.nl\rBcc: c@d.nl",
            "a@b@c.nl",
        ] {
            assert!(addresses(bad).is_err(), "{bad}");
        }
    }
}
