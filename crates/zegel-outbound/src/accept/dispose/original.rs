//! `Original` and `VerifiedTls`: the message itself, signed; for
//! `VerifiedTls` only over verified TLS to the MX hosts the recipient
//! domain's MTA-STS policy names (never in the clear).

use super::{Context, Draft};
use crate::accept::SubmissionRecipient;
use zegel_store::Event;
use zegel_store::{Content, DeliveryKind, NewDelivery};

/// The delivery of the original to `rcpt`: what every other disposition
/// starts from.
pub(super) fn delivery(ctx: &Context<'_>, rcpt: &SubmissionRecipient) -> NewDelivery {
    NewDelivery {
        kind: DeliveryKind::Original,
        mail_from: ctx.sub.mail_from.clone(),
        rcpt: rcpt.address.clone(),
        content: Content::Original,
        dkim: ctx.outbound.dkim.is_some(),
        require_tls: false,
        notify_never: rcpt.notify_never,
        headers_only: ctx.sub.headers_only,
        held: false,
    }
}

/// The original only over verified TLS.
pub(super) fn verified_tls(draft: &mut Draft, original: NewDelivery) {
    draft.audit(
        Event::TlsOnly,
        &original.rcpt,
        "original only over verified TLS (MTA-STS enforce)",
    );
    draft.deliveries.push(NewDelivery {
        require_tls: true,
        ..original
    });
}
