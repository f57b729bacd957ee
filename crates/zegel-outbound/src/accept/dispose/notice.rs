//! The notice to the sender: who got it securely, who it was held for and
//! why, the access codes to pass on, the status page, and the link to
//! confirm or cancel what a warning held.

use super::{Context, Draft};
use crate::compose::{self, ConfirmLink, SenderNotice};
use zegel_store::{Content, DeliveryKind, NewConfirmation, NewDelivery};

/// The notice, when the policy sends one and there is something to say.
pub(super) fn add(
    ctx: &Context<'_>,
    draft: &mut Draft,
    confirm: Option<&(NewConfirmation, String)>,
) {
    let c = ctx.config();
    let sender = &ctx.sub.mail_from;
    let noticed: Vec<String> = draft
        .portal_rcpts
        .iter()
        .chain(&draft.archive_rcpts)
        .chain(&draft.held_rcpts)
        .cloned()
        .collect();
    if !c.sender_notice || sender.is_empty() || noticed.is_empty() {
        return;
    }
    let status_link =
        (!draft.secure.is_empty()).then(|| ctx.link(&format!("/status/{}", ctx.status_token)));
    let notice = compose::sender_notice(&SenderNotice {
        organization: &c.organization,
        from: &c.notices_from,
        sender,
        recipients: &noticed,
        held: draft.portal_rcpts.is_empty() && draft.archive_rcpts.is_empty(),
        reasons_nl: ctx.reasons_nl,
        reasons_en: ctx.reasons_en,
        status_link: status_link.as_deref(),
        confirm: confirm.map(|(confirmation, link)| ConfirmLink {
            link,
            deadline: confirmation.expires_at,
            separate_offered: confirmation.separate_offered,
        }),
        access_codes: &draft.access_codes,
        hostname: &c.hostname,
    });
    draft.deliveries.push(NewDelivery {
        kind: DeliveryKind::SenderNotice,
        mail_from: c.notices_from.clone(),
        rcpt: sender.clone(),
        content: Content::Generated(notice),
        dkim: ctx.outbound.dkim.is_some(),
        require_tls: false,
        notify_never: true,
        headers_only: false,
        held: false,
    });
}
