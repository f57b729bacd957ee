//! What each recipient of an accepted message gets, one small module per
//! disposition (route.rs decides which): `original.rs` (the original, or
//! the original only over verified TLS), `portal.rs` (a package and its
//! notification), `archive.rs` (the encrypted archive's mail), `hold.rs`
//! (kept back by the policy, or by a warning until the sender confirms),
//! `bounce.rs` (refused, with a failure notice), and `notice.rs` (the
//! notice to the sender). [`build`] puts them together into the one
//! [`NewMessage`] the store takes in one transaction.

mod archive;
mod bounce;
mod hold;
mod notice;
mod original;
mod portal;

use super::archive::Prepared;
use super::{kinds, token, Outbound, Submission};
use crate::config::OutboundConfig;
use crate::route::Disposition;
use zegel_assess::{Assessment, Verdict, Warning};
use zegel_store::Event;
use zegel_store::{NewDelivery, NewMessage, NewSecureMessage};

/// One recipient's plan: route.rs's disposition, with what it needs.
pub(in crate::accept) struct Planned {
    /// What the recipient gets.
    pub(in crate::accept) disposition: Disposition,
    /// The warning that holds it until the sender confirms, if any.
    pub(in crate::accept) held_by: Option<Warning>,
    /// The archive prepared for an `Archive` recipient.
    pub(in crate::accept) archive: Option<Prepared>,
}

/// What every disposition reads: the message and why it goes as it goes.
struct Context<'a> {
    outbound: &'a Outbound,
    sub: &'a Submission,
    raw: &'a [u8],
    /// The subject, parsed once (notifications, the SMS tag).
    subject: &'a str,
    /// The phone number of the sender's `[sms:…]` tag.
    sms_tag: Option<String>,
    /// The token of the sender's status page (one per message).
    status_token: String,
    reasons_nl: &'a [String],
    reasons_en: &'a [String],
}

impl Context<'_> {
    fn config(&self) -> &OutboundConfig {
        &self.outbound.config
    }

    /// A link on the portal.
    fn link(&self, path: &str) -> String {
        format!("{}{path}", self.config().public_url.trim_end_matches('/'))
    }
}

/// What the dispositions add up to.
struct Draft {
    deliveries: Vec<NewDelivery>,
    secure: Vec<NewSecureMessage>,
    audit: Vec<(Event, String, String)>,
    /// Access codes for the sender to pass on (recipient, code).
    access_codes: Vec<(String, String)>,
    /// Recipients that get it through the portal, as an archive, or not
    /// (yet): the sender's notice lists them.
    portal_rcpts: Vec<String>,
    archive_rcpts: Vec<String>,
    held_rcpts: Vec<String>,
    /// Recipients a warning holds until the sender decides.
    warned_rcpts: Vec<String>,
    /// Every one of them gets the original itself (no portal package, no
    /// archive): only then can a copy each name its recipient alone.
    warned_originals_only: bool,
}

impl Draft {
    fn new() -> Draft {
        Draft {
            deliveries: Vec::new(),
            secure: Vec::new(),
            audit: Vec::new(),
            access_codes: Vec::new(),
            portal_rcpts: Vec::new(),
            archive_rcpts: Vec::new(),
            held_rcpts: Vec::new(),
            warned_rcpts: Vec::new(),
            warned_originals_only: true,
        }
    }

    fn audit(&mut self, event: Event, subject: &str, detail: impl Into<String>) {
        self.audit.push((event, subject.to_string(), detail.into()));
    }
}

/// The message to store: every recipient's deliveries by its plan, the
/// sender's notice, and the sender's confirmation of what a warning held.
#[allow(clippy::too_many_arguments)]
pub(in crate::accept) fn build(
    outbound: &Outbound,
    sub: &Submission,
    raw: Vec<u8>,
    subject: &str,
    assessment: &Assessment,
    planned: Vec<Planned>,
    reasons_nl: &[String],
    reasons_en: &[String],
) -> NewMessage {
    let ctx = Context {
        outbound,
        sub,
        raw: &raw,
        subject,
        sms_tag: super::sms_tag(subject),
        status_token: token(),
        reasons_nl,
        reasons_en,
    };
    let mut draft = Draft::new();
    draft.audit(
        Event::Accepted,
        &sub.mail_from,
        format!(
            "verdict {:?}, {} recipient(s), kinds: {}",
            assessment.verdict,
            sub.recipients.len(),
            kinds(assessment)
        ),
    );
    let mut warning = None;
    for (rcpt, plan) in sub.recipients.iter().zip(planned) {
        let first = draft.deliveries.len();
        let original = original::delivery(&ctx, rcpt);
        match plan.disposition {
            Disposition::Original => draft.deliveries.push(original),
            Disposition::VerifiedTls => original::verified_tls(&mut draft, original),
            Disposition::Archive => archive::add(&ctx, &mut draft, original, plan.archive),
            Disposition::Hold => hold::by_policy(&mut draft, original),
            Disposition::Portal => portal::add(&ctx, &mut draft, rcpt, original),
            Disposition::Bounce => bounce::add(&ctx, &mut draft, original),
        }
        if let Some(w) = plan.held_by {
            if hold::by_warning(&mut draft, &rcpt.address, plan.disposition, first) {
                warning.get_or_insert(w);
            }
        }
    }
    let confirm = warning.map(|w| hold::confirmation(&ctx, &draft, &w));
    notice::add(&ctx, &mut draft, confirm.as_ref());
    let summary = serde_json::json!({
        "verdict": assessment.verdict,
        "kinds": kinds(assessment),
        "reasons_nl": reasons_nl,
        "reasons_en": reasons_en,
    });
    let lifetime_secs = ctx.config().lifetime.as_secs() as i64;
    drop(ctx);
    NewMessage {
        mail_from: sub.mail_from.clone(),
        raw,
        verdict: match assessment.verdict {
            Verdict::Normal => zegel_store::MessageVerdict::Normal,
            Verdict::Secure => zegel_store::MessageVerdict::Secure,
        },
        summary: summary.to_string().into_bytes(),
        deliveries: draft.deliveries,
        secure: draft.secure,
        audit: draft.audit,
        lifetime_secs,
        confirm: confirm.map(|(c, _)| c),
    }
}
