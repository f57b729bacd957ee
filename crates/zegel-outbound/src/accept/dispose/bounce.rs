//! `Bounce`: refused for this recipient; the sender gets a failure notice
//! (RFC 3464, headers only) with the reasons.

use super::{Context, Draft};
use crate::compose::{self, FailureNotice};
use zegel_store::Event;
use zegel_store::{Content, DeliveryKind, NewDelivery};

/// The refusal and its failure notice (none for the null sender).
pub(super) fn add(ctx: &Context<'_>, draft: &mut Draft, original: NewDelivery) {
    let c = ctx.config();
    let sender = &ctx.sub.mail_from;
    draft.audit(
        Event::Refused,
        &original.rcpt,
        "refused by policy; sender notified",
    );
    if sender.is_empty() {
        return;
    }
    let mut lines = vec!["Geweigerd door het beleid / Refused by policy:".to_string()];
    lines.extend(ctx.reasons_nl.iter().cloned());
    lines.extend(ctx.reasons_en.iter().cloned());
    let dsn = compose::failure_notice(&FailureNotice {
        hostname: &c.hostname,
        from: &c.notices_from,
        sender,
        recipient: &original.rcpt,
        reasons: &lines,
        status: "5.7.1",
        original: ctx.raw,
        headers_only: true,
    });
    draft.deliveries.push(NewDelivery {
        kind: DeliveryKind::Dsn,
        mail_from: String::new(),
        rcpt: sender.clone(),
        content: Content::Generated(dsn),
        notify_never: true,
        ..original
    });
}
