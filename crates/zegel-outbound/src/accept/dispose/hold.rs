//! `Hold`, and holding by a warning: what the policy holds waits for an
//! administrator (`zegel held`); what a warning holds (a look-alike
//! domain, visible external recipients) waits for its sender's decision
//! (zegel-store's confirm.rs), in the form it would have gone: a portal
//! notification, an archive or a TLS-only original stays that, so a
//! confirmation never sends the original in the clear.

use super::{Context, Draft};
use crate::accept::{hash, token};
use crate::route::Disposition;
use zegel_assess::Warning;
use zegel_store::Event;
use zegel_store::{HoldWarning, NewConfirmation, NewDelivery};

/// Held by the policy (`action = hold`, `unreadable = hold`, an archive
/// fallback).
pub(super) fn by_policy(draft: &mut Draft, original: NewDelivery) {
    draft.held_rcpts.push(original.rcpt.clone());
    draft.audit(Event::Held, &original.rcpt, "held by policy");
    draft.deliveries.push(NewDelivery {
        held: true,
        ..original
    });
}

/// Holds what a warning holds for `rcpt` (its deliveries from `first`
/// on) until the sender decides; false when there was nothing for the
/// sender to decide (refused, or already held by the policy, which only
/// an administrator releases).
pub(super) fn by_warning(
    draft: &mut Draft,
    rcpt: &str,
    disposition: Disposition,
    first: usize,
) -> bool {
    let already_held = draft.deliveries[first..].iter().any(|d| d.held);
    if matches!(disposition, Disposition::Bounce | Disposition::Hold) || already_held {
        return false;
    }
    for d in &mut draft.deliveries[first..] {
        d.held = true;
    }
    draft.portal_rcpts.retain(|r| r != rcpt);
    draft.archive_rcpts.retain(|r| r != rcpt);
    draft.held_rcpts.push(rcpt.to_string());
    draft.warned_rcpts.push(rcpt.to_string());
    if !matches!(
        disposition,
        Disposition::Original | Disposition::VerifiedTls
    ) {
        draft.warned_originals_only = false;
    }
    let detail = if disposition == Disposition::Original {
        "held by a warning until the sender confirms"
    } else {
        "held by a warning; goes securely when confirmed"
    };
    draft.audit(Event::Held, rcpt, detail);
    true
}

/// The sender's confirmation of what `warning` held, and its link.
pub(super) fn confirmation(
    ctx: &Context<'_>,
    draft: &Draft,
    warning: &Warning,
) -> (NewConfirmation, String) {
    let token = token();
    let visible = matches!(warning, Warning::VisibleExternalRecipients { .. });
    let confirmation = NewConfirmation {
        token_hash: hash(&token),
        warning: match warning {
            Warning::VisibleExternalRecipients { .. } => HoldWarning::VisibleExternal,
            _ => HoldWarning::LookalikeDomain,
        },
        reasons_nl: ctx.reasons_nl.to_vec(),
        reasons_en: ctx.reasons_en.to_vec(),
        recipients: draft.warned_rcpts.clone(),
        // A copy each rewrites the original's To and Cc; a portal package
        // or an archive keeps the addresses it was made with.
        separate_offered: visible && draft.warned_originals_only,
        expires_at: zegel_store::now() + ctx.config().confirm_within.as_secs() as i64,
    };
    (confirmation, ctx.link(&format!("/confirm/{token}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use zegel_store::{Content, DeliveryKind};

    fn delivery(rcpt: &str, held: bool) -> NewDelivery {
        NewDelivery {
            kind: DeliveryKind::Original,
            mail_from: "jan@zorg.nl".into(),
            rcpt: rcpt.into(),
            content: Content::Original,
            dkim: false,
            require_tls: false,
            notify_never: false,
            headers_only: false,
            held,
        }
    }

    /// What is already held (by the policy, or an archive that could not
    /// be made) is an administrator's to release, never the sender's: it
    /// would go as the original.
    #[test]
    fn only_what_would_have_gone_is_held_for_the_sender() {
        let mut draft = Draft::new();
        draft.deliveries.push(delivery("a@zorg-nl.com", true));
        assert!(!by_warning(
            &mut draft,
            "a@zorg-nl.com",
            Disposition::Archive,
            0
        ));
        assert!(!by_warning(
            &mut draft,
            "a@zorg-nl.com",
            Disposition::Hold,
            0
        ));
        assert!(draft.warned_rcpts.is_empty());

        draft.deliveries.push(delivery("b@zorg-nl.com", false));
        assert!(by_warning(
            &mut draft,
            "b@zorg-nl.com",
            Disposition::Original,
            1
        ));
        assert!(draft.deliveries[1].held);
        assert_eq!(draft.warned_rcpts, ["b@zorg-nl.com"]);
        assert!(draft.warned_originals_only);

        draft.deliveries.push(delivery("c@zorg-nl.com", false));
        assert!(by_warning(
            &mut draft,
            "c@zorg-nl.com",
            Disposition::Portal,
            2
        ));
        assert!(
            !draft.warned_originals_only,
            "a portal copy keeps its addresses"
        );
    }
}
