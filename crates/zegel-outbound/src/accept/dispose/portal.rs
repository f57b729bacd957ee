//! `Portal`: the message as a package in the portal (sealed for this
//! recipient, behind the mail code and a second factor) and a
//! notification with the link.

use super::{Context, Draft};
use crate::accept::{access_code, hash, second_factor, token, SecureRequest, SubmissionRecipient};
use crate::compose::{self, Notification};
use zegel_store::Event;
use zegel_store::{Content, DeliveryKind, NewDelivery, NewSecureMessage, SecondFactor};

/// The package and its notification.
pub(super) fn add(
    ctx: &Context<'_>,
    draft: &mut Draft,
    rcpt: &SubmissionRecipient,
    original: NewDelivery,
) {
    let c = ctx.config();
    let link_token = token();
    let chosen = ctx.sub.sent_secure.as_ref();
    let (second_factor, phone) = match chosen {
        Some(r) if r.access_code => (SecondFactor::AccessCode, None),
        Some(SecureRequest {
            phone: Some(phone), ..
        }) => (SecondFactor::Sms, Some(phone.clone())),
        _ => second_factor(
            c,
            ctx.outbound.contact_phone(&rcpt.address),
            ctx.sms_tag.as_deref(),
        ),
    };
    let expiry_secs = chosen
        .and_then(|r| r.expiry_days)
        .map(|d| u64::from(d.clamp(1, 365)) * 86_400)
        .unwrap_or(c.portal_expiry.as_secs());
    let access_code = (second_factor == SecondFactor::AccessCode).then(access_code);
    if let Some(code) = &access_code {
        draft
            .access_codes
            .push((rcpt.address.clone(), code.clone()));
    }
    draft.secure.push(NewSecureMessage {
        recipient: rcpt.address.clone(),
        token_hash: hash(&link_token),
        status_token_hash: hash(&ctx.status_token),
        expires_at: zegel_store::now() + expiry_secs as i64,
        sender: ctx.sub.mail_from.clone(),
        second_factor,
        phone,
        access_code,
        read_receipt: c.read_receipts,
    });
    let mail = compose::notification(&Notification {
        organization: &c.organization,
        from: &c.notices_from,
        sender: &ctx.sub.mail_from,
        recipient: &rcpt.address,
        link: &ctx.link(&format!("/m/{link_token}")),
        subject: (!c.hide_subject).then_some(ctx.subject),
        expiry_days: expiry_secs / 86_400,
        hostname: &c.hostname,
    });
    draft.audit(
        Event::Stored,
        &rcpt.address,
        "stored for the portal; notification queued",
    );
    draft.portal_rcpts.push(rcpt.address.clone());
    draft.deliveries.push(NewDelivery {
        kind: DeliveryKind::Notification,
        mail_from: c.notices_from.clone(),
        content: Content::Generated(mail),
        notify_never: true,
        ..original
    });
}
