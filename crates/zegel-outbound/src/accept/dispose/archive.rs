//! `Archive`: the mail with the encrypted archive (prepared, with the
//! password sent by SMS, in `accept/archive.rs`).

use super::{Context, Draft};
use crate::accept::archive::Prepared;
use zegel_store::Event;
use zegel_store::{Content, DeliveryKind, NewDelivery};

/// The archive's mail; without one (cannot happen: preparing sets a
/// fallback disposition) the recipient is held, never sent the original.
pub(super) fn add(
    ctx: &Context<'_>,
    draft: &mut Draft,
    original: NewDelivery,
    prepared: Option<Prepared>,
) {
    let c = ctx.config();
    let Some(prepared) = prepared else {
        draft.held_rcpts.push(original.rcpt.clone());
        draft.audit(Event::Held, &original.rcpt, "archive missing; held");
        draft.deliveries.push(NewDelivery {
            held: true,
            ..original
        });
        return;
    };
    draft.audit(
        Event::ArchiveSent,
        &original.rcpt,
        format!(
            "encrypted {} archive with {} file(s) queued; password sent by SMS to {}",
            c.archive_format, prepared.files, prepared.phone_masked
        ),
    );
    draft.archive_rcpts.push(original.rcpt.clone());
    draft.deliveries.push(NewDelivery {
        kind: DeliveryKind::Notification,
        mail_from: c.notices_from.clone(),
        content: Content::Generated(prepared.mail),
        notify_never: true,
        ..original
    });
}
