//! Routing, pure: what each recipient gets, from the verdict, the
//! recipient's domain, the policy's action and (for `tls`) the recipient
//! domains found to enforce verified TLS beforehand. No I/O.

use crate::config::{RejectMode, SecureAction};
use std::collections::HashSet;
use zegel_assess::recipients::DomainClass;
use zegel_assess::{
    Assessment, Domains, Policy, Reason, UnreadablePolicy, Verdict, Warning, WarningAction,
};

/// The action for a message's secure recipients: the configured one, or
/// `Hold` when content could not be read and `[policy] unreadable` says
/// `hold` (someone looks before it goes, by the portal or otherwise).
pub fn action_for(
    assessment: &Assessment,
    unreadable: UnreadablePolicy,
    configured: SecureAction,
) -> SecureAction {
    let cannot_read = assessment
        .reasons
        .iter()
        .any(|r| matches!(r, Reason::Unreadable { .. }));
    if cannot_read && unreadable == UnreadablePolicy::Hold {
        SecureAction::Hold
    } else {
        configured
    }
}

/// The warnings for which the gateway holds the mail, per recipient (in
/// the envelope's order; `None`: not held): a recipient at a look-alike
/// domain when `[policy] lookalike = "hold"`, every external recipient when
/// too many are visible and `visible_external = "hold"`.
pub fn warning_holds(
    assessment: &Assessment,
    policy: &Policy,
    recipients: &[String],
) -> Vec<Option<Warning>> {
    recipients
        .iter()
        .map(|rcpt| {
            let domain = rcpt
                .rsplit_once('@')
                .map_or("", |(_, d)| d)
                .to_ascii_lowercase();
            let external = policy.domains.classify(&domain) != DomainClass::Internal;
            assessment.warnings.iter().find_map(|w| match w {
                Warning::LookalikeDomain { domain: d, .. }
                    if policy.lookalike == WarningAction::Hold && *d == domain =>
                {
                    Some(w.clone())
                }
                Warning::VisibleExternalRecipients { .. }
                    if policy.visible_external == WarningAction::Hold && external =>
                {
                    Some(w.clone())
                }
                _ => None,
            })
        })
        .collect()
}

/// What one recipient gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// The original message (DKIM-signed).
    Original,
    /// The original, only over verified TLS to an MX host its domain's
    /// MTA-STS policy names (the `tls` action); never in the clear.
    VerifiedTls,
    /// A notification; the message waits in the portal.
    Portal,
    /// The attachments (and the body) in an encrypted archive, the
    /// password by SMS; accept.rs applies the fallback when no phone
    /// number is known.
    Archive,
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

/// Plans a message with `verdict` for `recipients`. `tls_domains`: the
/// recipient domains (lower case) that enforce verified TLS, for the `tls`
/// action; the others fall back to the portal.
pub fn plan(
    verdict: Verdict,
    recipients: &[String],
    domains: &Domains,
    action: SecureAction,
    reject_mode: RejectMode,
    tls_domains: &HashSet<String>,
) -> Plan {
    let domain_of = |r: &String| r.rsplit_once('@').map(|(_, d)| d).unwrap_or("").to_string();
    let external: Vec<bool> = recipients
        .iter()
        .map(|r| domains.classify(&domain_of(r)) != DomainClass::Internal)
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
            .zip(recipients)
            .map(|(is_external, rcpt)| {
                if !is_external || !secure {
                    return Disposition::Original;
                }
                match action {
                    SecureAction::Deliver => Disposition::Original,
                    SecureAction::Tls
                        if tls_domains.contains(&domain_of(rcpt).to_ascii_lowercase()) =>
                    {
                        Disposition::VerifiedTls
                    }
                    SecureAction::Archive => Disposition::Archive,
                    SecureAction::Portal | SecureAction::Tls => Disposition::Portal,
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
        plan(verdict, &rcpts(), &domains(), action, mode, &HashSet::new())
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
            (SecureAction::Archive, Archive),
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
    fn unreadable_content_is_held_only_when_the_policy_says_hold() {
        let place = (zegel_assess::Location::Body, "unknown file".to_string());
        let unreadable = Assessment {
            verdict: Verdict::Secure,
            findings: vec![],
            warnings: vec![],
            reasons: vec![Reason::Unreadable {
                places: vec![place],
                external: vec!["p@example.com".into()],
            }],
        };
        let portal = SecureAction::Portal;
        assert_eq!(
            action_for(&unreadable, UnreadablePolicy::Hold, portal),
            SecureAction::Hold
        );
        assert_eq!(
            action_for(&unreadable, UnreadablePolicy::Secure, portal),
            portal
        );
        let sensitive = Assessment {
            reasons: vec![Reason::NothingSensitive],
            ..unreadable
        };
        assert_eq!(
            action_for(&sensitive, UnreadablePolicy::Hold, portal),
            portal
        );
    }

    #[test]
    fn look_alike_recipients_are_held_when_the_policy_says_hold() {
        let policy = Policy {
            domains: domains(),
            ..Policy::default()
        };
        let warned = Assessment {
            verdict: Verdict::Normal,
            findings: vec![],
            warnings: vec![Warning::LookalikeDomain {
                domain: "zorg-nl.com".into(),
                resembles: "zorg.nl".into(),
                how: zegel_assess::recipients::lookalike::LookalikeKind::OtherTld,
            }],
            reasons: vec![],
        };
        let rcpts = vec!["a@zorg-nl.com".to_string(), "b@example.com".to_string()];
        let holds = warning_holds(&warned, &policy, &rcpts);
        assert!(holds[0].is_some() && holds[1].is_none(), "{holds:?}");
        let warn = Policy {
            lookalike: WarningAction::Warn,
            ..policy
        };
        assert!(warning_holds(&warned, &warn, &rcpts)
            .iter()
            .all(Option::is_none));
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
            &HashSet::new(),
        );
        assert_eq!(internal, Plan::Route(vec![Original]));
    }

    #[test]
    fn tls_gives_verified_tls_only_to_domains_that_enforce_it() {
        let rcpts: Vec<String> = vec![
            "a@zorg.nl".into(),
            "b@Secure.example".into(),
            "c@plain.example".into(),
            "d@secure.example".into(),
        ];
        let tls: HashSet<String> = ["secure.example".to_string(), "zorg.nl".to_string()].into();
        let routed = |verdict, action| {
            plan(
                verdict,
                &rcpts,
                &domains(),
                action,
                RejectMode::Inline,
                &tls,
            )
        };
        assert_eq!(
            routed(Verdict::Secure, SecureAction::Tls),
            Plan::Route(vec![Original, VerifiedTls, Portal, VerifiedTls])
        );
        assert_eq!(
            routed(Verdict::Normal, SecureAction::Tls),
            Plan::Route(vec![Original; 4])
        );
        // The set only matters for the tls action.
        assert_eq!(
            routed(Verdict::Secure, SecureAction::Portal),
            Plan::Route(vec![Original, Portal, Portal, Portal])
        );
    }
}
