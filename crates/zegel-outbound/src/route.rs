//! Routing, pure: what each recipient gets, from the verdict, the
//! recipient's domain and the policy's action. No I/O.

use crate::config::{RejectMode, SecureAction};
use zegel_assess::recipients::DomainClass;
use zegel_assess::{Domains, Verdict};

/// What one recipient gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// The original message (DKIM-signed).
    Original,
    /// A notification; the message waits in the portal.
    Portal,
    /// Nothing yet: the message is held.
    Hold,
    /// Nothing: the sender gets a failure notice with the reasons.
    Bounce,
}

/// The plan for a whole message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Refuse the message at once (inline reject).
    Reject,
    /// Route each recipient, in the envelope's order.
    Route(Vec<Disposition>),
}

/// Plans a message with `verdict` for `recipients`.
pub fn plan(
    verdict: Verdict,
    recipients: &[String],
    domains: &Domains,
    action: SecureAction,
    reject_mode: RejectMode,
) -> Plan {
    let external: Vec<bool> = recipients
        .iter()
        .map(|r| {
            let domain = r.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
            domains.classify(domain) != DomainClass::Internal
        })
        .collect();
    let secure = verdict == Verdict::Secure;
    if secure
        && action == SecureAction::Reject
        && reject_mode == RejectMode::Inline
        && external.iter().any(|&e| e)
    {
        return Plan::Reject;
    }
    Plan::Route(
        external
            .into_iter()
            .map(|is_external| {
                if !is_external || !secure {
                    return Disposition::Original;
                }
                match action {
                    SecureAction::Deliver => Disposition::Original,
                    SecureAction::Portal | SecureAction::Archive | SecureAction::Tls => {
                        Disposition::Portal
                    }
                    SecureAction::Hold => Disposition::Hold,
                    SecureAction::Reject => Disposition::Bounce,
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use Disposition::*;

    fn domains() -> Domains {
        Domains::new(&["zorg.nl".into()], &["partner.nl".into()])
    }

    fn rcpts() -> Vec<String> {
        vec![
            "a@zorg.nl".into(),
            "b@afdeling.zorg.nl".into(),
            "c@example.com".into(),
            "d@partner.nl".into(),
        ]
    }

    fn route(verdict: Verdict, action: SecureAction, mode: RejectMode) -> Plan {
        plan(verdict, &rcpts(), &domains(), action, mode)
    }

    #[test]
    fn internal_recipients_always_get_the_original() {
        for action in [
            SecureAction::Portal,
            SecureAction::Hold,
            SecureAction::Reject,
            SecureAction::Tls,
        ] {
            match route(Verdict::Secure, action, RejectMode::Bounce) {
                Plan::Route(d) => assert_eq!(&d[..2], &[Original, Original], "{action:?}"),
                Plan::Reject => panic!("bounce mode never rejects inline"),
            }
        }
    }

    #[test]
    fn secure_external_recipients_follow_the_action() {
        let cases = [
            (SecureAction::Portal, Portal),
            (SecureAction::Archive, Portal),
            (SecureAction::Tls, Portal),
            (SecureAction::Hold, Hold),
            (SecureAction::Deliver, Original),
            (SecureAction::Reject, Bounce),
        ];
        for (action, want) in cases {
            assert_eq!(
                route(Verdict::Secure, action, RejectMode::Bounce),
                Plan::Route(vec![Original, Original, want, want]),
                "{action:?}"
            );
        }
    }

    #[test]
    fn normal_mail_goes_as_it_is() {
        assert_eq!(
            route(Verdict::Normal, SecureAction::Reject, RejectMode::Inline),
            Plan::Route(vec![Original; 4])
        );
    }

    #[test]
    fn inline_reject_only_with_external_recipients() {
        assert_eq!(
            route(Verdict::Secure, SecureAction::Reject, RejectMode::Inline),
            Plan::Reject
        );
        let internal = plan(
            Verdict::Secure,
            &["a@zorg.nl".into()],
            &domains(),
            SecureAction::Reject,
            RejectMode::Inline,
        );
        assert_eq!(internal, Plan::Route(vec![Original]));
    }
}
