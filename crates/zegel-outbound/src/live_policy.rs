//! The policy an administrator changes at runtime (the staff web), over
//! the config file's: the action for secure mail, which finding kinds make
//! mail secure, the confidence threshold, the visible-recipients warning
//! threshold, the subject tags, and the internal and partner domains.
//! Stored as JSON with a version; every node applies a newer version when
//! it sees one, so the gateway on any node follows the last change. The
//! contact list (mobile numbers for SMS codes) is kept the same way.
//!
//! The domains in force ([`crate::Outbound::domains`]) are the one live
//! source for everything that asks whether a domain is the organisation's:
//! the assessment, the SMTP server's inbound mode (per `RCPT`), the inbound
//! checks of the SMTP server and the milter (per message), and the staff
//! web's OpenID Connect sign-in (per sign-in).

use crate::config::SecureAction;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::Arc;
use zegel_assess::recipients::domain::is_same_or_subdomain;
use zegel_assess::{Assessor, Domains, FindingKind, Policy};

/// What the administrator set; `None` keeps the config file's value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyOverrides {
    /// The action for secure mail (stored by its name: `deliver`,
    /// `portal`, `archive`, `tls`, `hold` or `reject`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<SecureAction>,
    /// Finding kinds (their snake_case names) that make mail secure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure_kinds: Option<Vec<String>>,
    /// Findings below this confidence never decide (0 to 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_confidence: Option<f32>,
    /// Visible external recipients from which on a mail gets a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_external_threshold: Option<usize>,
    /// Subject tags that force secure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure_tags: Option<Vec<String>>,
    /// Partner domains: external, but known (look-alikes of them are
    /// flagged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_domains: Option<Vec<String>>,
    /// Internal domains (with their subdomains): mail to them stays inside
    /// the organisation, the inbound mode takes mail in for them, and
    /// look-alikes of them are flagged. At least one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_domains: Option<Vec<String>>,
}

/// Why a policy cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// A finding kind zegel does not know.
    #[error("unknown finding kind '{0}'")]
    Kind(String),
    /// A confidence outside 0 to 1.
    #[error("the confidence threshold must lie between 0 and 1")]
    Confidence,
    /// A warning threshold of zero.
    #[error("the visible-recipients threshold must be at least 1")]
    Threshold,
    /// An empty, overlong or multi-line subject tag.
    #[error("subject tags must be 1 to 40 characters on one line")]
    Tag,
    /// Something that is not a domain name.
    #[error("'{0}' is not a domain name")]
    Domain(String),
    /// An empty list of internal domains.
    #[error("there must be at least one internal domain")]
    NoInternalDomain,
    /// A partner domain that is an internal domain (or a subdomain of one).
    #[error("'{0}' cannot be both an internal and a partner domain")]
    InternalAndPartner(String),
    /// A stored document that is not a policy.
    #[error("the stored policy cannot be read: {0}")]
    Json(String),
}

/// Why [`crate::Outbound::set_policy`] changed nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetPolicyError {
    /// The policy cannot be used; nothing was stored.
    #[error(transparent)]
    Invalid(#[from] PolicyError),
    /// Storing it failed; the policy in force stays.
    #[error("the policy could not be stored: {0}")]
    Store(String),
}

/// Why the stored policy or contact list could not be read into force.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] zegel_store::StoreError),
    /// The stored policy cannot be used (written by a newer zegel, say).
    #[error(transparent)]
    Invalid(#[from] PolicyError),
}

impl PolicyOverrides {
    /// Reads a stored document.
    pub fn from_json(body: &str) -> Result<PolicyOverrides, PolicyError> {
        serde_json::from_str(body).map_err(|e| PolicyError::Json(e.to_string()))
    }

    /// The same changes with the domain lists as they are used: trimmed,
    /// without a trailing dot, lower case, each domain once (the first
    /// place kept). Other values are left as they are.
    pub fn normalized(mut self) -> PolicyOverrides {
        for list in [&mut self.internal_domains, &mut self.partner_domains]
            .into_iter()
            .flatten()
        {
            let mut seen = BTreeSet::new();
            *list = list
                .iter()
                .map(|d| normal_domain(d))
                .filter(|d| seen.insert(d.clone()))
                .collect();
        }
        self
    }

    /// The document to store.
    pub fn to_json(&self) -> String {
        // A struct of strings, numbers and lists always serialises.
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    /// The config file's policy and action with these changes.
    pub fn apply(
        &self,
        base: &Policy,
        base_action: SecureAction,
    ) -> Result<(Policy, SecureAction), PolicyError> {
        let mut policy = base.clone();
        let action = self.action.unwrap_or(base_action);
        if let Some(kinds) = &self.secure_kinds {
            policy.secure_kinds = kinds
                .iter()
                .map(|k| FindingKind::from_name(k).ok_or_else(|| PolicyError::Kind(k.clone())))
                .collect::<Result<BTreeSet<_>, _>>()?;
        }
        if let Some(c) = self.min_confidence {
            if !(0.0..=1.0).contains(&c) {
                return Err(PolicyError::Confidence);
            }
            policy.min_confidence = c;
        }
        if let Some(t) = self.visible_external_threshold {
            if t == 0 {
                return Err(PolicyError::Threshold);
            }
            policy.visible_external_threshold = t;
        }
        if let Some(tags) = &self.secure_tags {
            if tags
                .iter()
                .any(|t| t.trim().is_empty() || t.chars().count() > 40 || t.contains(['\r', '\n']))
            {
                return Err(PolicyError::Tag);
            }
            policy.secure_tags = tags.iter().map(|t| t.trim().to_string()).collect();
        }
        if self.internal_domains.is_some() || self.partner_domains.is_some() {
            let internal = match &self.internal_domains {
                Some(list) => {
                    let list = domain_list(list)?;
                    if list.is_empty() {
                        return Err(PolicyError::NoInternalDomain);
                    }
                    list
                }
                None => base.domains.internal().to_vec(),
            };
            let partners = match &self.partner_domains {
                Some(list) => domain_list(list)?,
                None => base.domains.partner().to_vec(),
            };
            // Internal wins in the assessment, so such a partner entry
            // would silently mean nothing: refuse it instead.
            if let Some(both) = partners
                .iter()
                .find(|p| internal.iter().any(|i| is_same_or_subdomain(p, i)))
            {
                return Err(PolicyError::InternalAndPartner(both.clone()));
            }
            policy.domains = zegel_assess::Domains::new(&internal, &partners);
        }
        Ok((policy, action))
    }
}

/// A domain as it is compared: trimmed, without a trailing dot, lower case.
fn normal_domain(name: &str) -> String {
    name.trim().trim_end_matches('.').to_lowercase()
}

/// A list of domains checked and made normal, each once.
fn domain_list(list: &[String]) -> Result<Vec<String>, PolicyError> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(list.len());
    for name in list {
        if !is_domain_name(name) {
            return Err(PolicyError::Domain(name.trim().chars().take(80).collect()));
        }
        let name = normal_domain(name);
        if seen.insert(name.clone()) {
            out.push(name);
        }
    }
    Ok(out)
}

/// A plausible DNS name: labels of letters, digits and hyphens (not at
/// either end), at least two of them, 253 characters at most.
fn is_domain_name(name: &str) -> bool {
    let name = name.trim().trim_end_matches('.');
    name.len() <= 253
        && name.contains('.')
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// The policy in force on this node.
pub(crate) struct Live {
    /// The assessor with the policy in force.
    pub(crate) assessor: Arc<Assessor>,
    /// The internal and partner domains of that policy, to hand out
    /// without copying.
    pub(crate) domains: Arc<Domains>,
    /// The action for secure mail in force.
    pub(crate) action: SecureAction,
    /// The stored version applied (0: the config file's alone).
    pub(crate) version: i64,
    /// The changes applied.
    pub(crate) overrides: PolicyOverrides,
}

/// The contact list in force on this node.
pub(crate) struct LiveContacts {
    /// Address (lower case) to E.164 number.
    pub(crate) phones: Arc<std::collections::HashMap<String, String>>,
    /// The stored version applied (0: the config file's alone).
    pub(crate) version: i64,
}

/// What the administration page shows.
#[derive(Debug, Clone)]
pub struct PolicyInForce {
    /// The policy the assessment uses.
    pub policy: Policy,
    /// The action for secure mail.
    pub action: SecureAction,
    /// The changes over the config file.
    pub overrides: PolicyOverrides,
    /// The stored version applied (0: the config file's alone).
    pub version: i64,
}

impl crate::Outbound {
    fn live(&self) -> std::sync::RwLockReadGuard<'_, Live> {
        // A writer never panics while holding the lock (it only swaps
        // values), so a poisoned lock still holds a whole policy.
        self.live.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The assessor with the policy in force.
    pub(crate) fn assessor(&self) -> Arc<Assessor> {
        self.live().assessor.clone()
    }

    /// The internal and partner domains in force, as the next message,
    /// `RCPT` or sign-in must see them: ask again each time rather than
    /// keep them, as an administrator may change them at any moment.
    pub fn domains(&self) -> Arc<Domains> {
        self.live().domains.clone()
    }

    /// The action for secure mail in force.
    pub(crate) fn secure_action(&self) -> SecureAction {
        self.live().action
    }

    /// Both, read together.
    pub(crate) fn in_force(&self) -> (Arc<Assessor>, SecureAction) {
        let live = self.live();
        (live.assessor.clone(), live.action)
    }

    /// The policy in force, for the administration page.
    pub fn policy_in_force(&self) -> PolicyInForce {
        let live = self.live();
        PolicyInForce {
            policy: live.assessor.policy().clone(),
            action: live.action,
            overrides: live.overrides.clone(),
            version: live.version,
        }
    }

    /// The config file's policy and action with `overrides`.
    fn applied(&self, overrides: &PolicyOverrides) -> Result<(Policy, SecureAction), PolicyError> {
        overrides.apply(&self.base.0, self.base.1)
    }

    /// Puts an applied policy in force on this node (when `version` is
    /// newer than what it has).
    fn install(
        &self,
        (policy, action): (Policy, SecureAction),
        overrides: PolicyOverrides,
        version: i64,
    ) {
        let domains = Arc::new(policy.domains.clone());
        let assessor = Arc::new(self.assessor().with_policy(policy));
        let mut live = self.live.write().unwrap_or_else(|e| e.into_inner());
        if version > live.version {
            *live = Live {
                assessor,
                domains,
                action,
                version,
                overrides,
            };
        }
    }

    /// Stores a new policy (checked first) and puts it in force here; other
    /// nodes follow at their next [`Outbound::refresh_policy`].
    /// The domain lists are stored as they are used
    /// ([`PolicyOverrides::normalized`]).
    pub async fn set_policy(
        &self,
        overrides: PolicyOverrides,
        by: &str,
    ) -> Result<i64, SetPolicyError> {
        let overrides = overrides.normalized();
        let applied = self.applied(&overrides)?;
        let version = self
            .store
            .set_stored_policy(&overrides.to_json(), by)
            .await
            .map_err(|e| SetPolicyError::Store(e.to_string()))?;
        self.install(applied, overrides, version);
        tracing::info!(version, by, "policy changed");
        Ok(version)
    }

    /// Puts the stored policy in force when it is newer than this node's;
    /// true when it changed. A stored policy that cannot be used (written
    /// by a newer zegel, say) is reported and the current one kept.
    pub async fn refresh_policy(&self) -> Result<bool, RefreshError> {
        let version = self.store.stored_policy_version().await?;
        if version <= self.live().version {
            return Ok(false);
        }
        let Some(stored) = self.store.stored_policy().await? else {
            return Ok(false);
        };
        let overrides = PolicyOverrides::from_json(&stored.body)?;
        let applied = self.applied(&overrides)?;
        self.install(applied, overrides, stored.version);
        tracing::info!(
            version = stored.version,
            "policy changed elsewhere, now in force here"
        );
        Ok(true)
    }
}

impl crate::Outbound {
    /// The known mobile number of a recipient, if any.
    pub(crate) fn contact_phone(&self, address: &str) -> Option<String> {
        let contacts = self.contacts.read().unwrap_or_else(|e| e.into_inner());
        contacts.phones.get(&address.to_lowercase()).cloned()
    }

    /// Loads the stored contact list when it is newer than this node's;
    /// stored contacts go over the config file's. True when it changed.
    pub async fn refresh_contacts(&self) -> Result<bool, RefreshError> {
        let version = self.store.contacts_version().await?;
        let current = self
            .contacts
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .version;
        if version <= current {
            return Ok(false);
        }
        let stored = self.store.contacts().await?;
        let mut phones = self.config.contact_phones.clone();
        phones.extend(stored);
        let mut live = self.contacts.write().unwrap_or_else(|e| e.into_inner());
        if version > live.version {
            *live = LiveContacts {
                phones: Arc::new(phones),
                version,
            };
        }
        Ok(true)
    }

    /// Replaces or extends the stored contact list and puts it in force
    /// here; other nodes follow at their next refresh.
    pub async fn set_contacts(
        &self,
        contacts: &[(String, String)],
        replace: bool,
        by: &str,
    ) -> Result<(), RefreshError> {
        self.store.import_contacts(contacts, replace, by).await?;
        self.refresh_contacts().await.map(|_| ())
    }

    /// Applies policy and contact changes made on other nodes every few
    /// seconds until `stop`.
    pub async fn follow_policy(self, stop: impl std::future::Future<Output = ()>) {
        tokio::pin!(stop);
        loop {
            tokio::select! {
                _ = &mut stop => return,
                _ = tokio::time::sleep(std::time::Duration::from_secs(5)) => {}
            }
            if let Err(e) = self.refresh_policy().await {
                tracing::warn!(error = %e, "reading the stored policy failed");
            }
            if let Err(e) = self.refresh_contacts().await {
                tracing::warn!(error = %e, "reading the stored contacts failed");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_apply_over_the_base_and_bad_values_are_refused() {
        let base = Policy::default();
        let none = PolicyOverrides::default();
        assert_eq!(
            none.apply(&base, SecureAction::Portal).unwrap(),
            (base.clone(), SecureAction::Portal)
        );
        let o = PolicyOverrides {
            action: Some(SecureAction::Reject),
            secure_kinds: Some(vec!["bsn".into(), "health".into()]),
            min_confidence: Some(0.8),
            visible_external_threshold: Some(3),
            secure_tags: Some(vec![" [vertrouwelijk] ".into()]),
            partner_domains: Some(vec!["Zorggroep-Horizon.nl".into()]),
            internal_domains: None,
        };
        let (p, a) = o.apply(&base, SecureAction::Portal).unwrap();
        assert_eq!(a, SecureAction::Reject);
        assert_eq!(p.secure_kinds.len(), 2);
        assert_eq!(p.min_confidence, 0.8);
        assert_eq!(p.visible_external_threshold, 3);
        assert_eq!(p.secure_tags, vec!["[vertrouwelijk]".to_string()]);
        assert_eq!(p.domains.partner(), ["zorggroep-horizon.nl"]);
        assert_eq!(p.domains.internal(), base.domains.internal());
        assert_eq!(
            p.identifier_kinds, base.identifier_kinds,
            "what the page does not set stays"
        );
        // Round trip through the stored form.
        assert_eq!(PolicyOverrides::from_json(&o.to_json()).unwrap(), o);
        assert!(o.to_json().contains(r#""action":"reject""#));
        // A stored action zegel does not know is refused, not ignored.
        assert!(matches!(
            PolicyOverrides::from_json(r#"{"action":"shred"}"#),
            Err(PolicyError::Json(_))
        ));
        for (bad, error) in [
            (
                PolicyOverrides {
                    secure_kinds: Some(vec!["x".into()]),
                    ..none.clone()
                },
                PolicyError::Kind("x".into()),
            ),
            (
                PolicyOverrides {
                    min_confidence: Some(1.5),
                    ..none.clone()
                },
                PolicyError::Confidence,
            ),
            (
                PolicyOverrides {
                    visible_external_threshold: Some(0),
                    ..none.clone()
                },
                PolicyError::Threshold,
            ),
            (
                PolicyOverrides {
                    secure_tags: Some(vec!["a\nb".into()]),
                    ..none.clone()
                },
                PolicyError::Tag,
            ),
            (
                PolicyOverrides {
                    partner_domains: Some(vec!["niet een domein".into()]),
                    ..none.clone()
                },
                PolicyError::Domain("niet een domein".into()),
            ),
            (
                PolicyOverrides {
                    partner_domains: Some(vec!["-a.nl".into()]),
                    ..none.clone()
                },
                PolicyError::Domain("-a.nl".into()),
            ),
        ] {
            assert_eq!(bad.apply(&base, SecureAction::Portal).unwrap_err(), error);
        }
        assert!(matches!(
            PolicyOverrides::from_json("{\"evil\":1}"),
            Err(PolicyError::Json(_))
        ));
    }

    fn base() -> Policy {
        Policy {
            domains: Domains::new(&["zorg.nl".to_string()], &["ggd.nl".to_string()]),
            ..Policy::default()
        }
    }

    fn domains(internal: Option<&[&str]>, partner: Option<&[&str]>) -> PolicyOverrides {
        let list = |l: &[&str]| l.iter().map(|d| d.to_string()).collect();
        PolicyOverrides {
            internal_domains: internal.map(list),
            partner_domains: partner.map(list),
            ..PolicyOverrides::default()
        }
    }

    #[test]
    fn internal_domains_replace_the_config_files_and_decide_what_is_internal() {
        let base = base();
        let o = domains(Some(&[" Wijkzorg.NL. ", "zorg.nl", "wijkzorg.nl"]), None);
        let (p, _) = o.apply(&base, SecureAction::Portal).unwrap();
        assert_eq!(
            p.domains.internal(),
            ["wijkzorg.nl", "zorg.nl"],
            "cleaned, each once"
        );
        assert_eq!(
            p.domains.partner(),
            ["ggd.nl"],
            "the config file's partners stay"
        );
        use zegel_assess::recipients::domain::DomainClass;
        assert_eq!(
            p.domains.classify("team.wijkzorg.nl"),
            DomainClass::Internal
        );
        // A removed domain is external from now on.
        let (p, _) = domains(Some(&["wijkzorg.nl"]), Some(&[]))
            .apply(&base, SecureAction::Portal)
            .unwrap();
        assert_eq!(p.domains.classify("zorg.nl"), DomainClass::External);
        assert!(p.domains.partner().is_empty());
        // Stored as used: lower case, no dot, each once.
        let stored = o.normalized();
        assert_eq!(
            stored.internal_domains.as_deref(),
            Some(&["wijkzorg.nl".to_string(), "zorg.nl".to_string()][..])
        );
        assert_eq!(
            PolicyOverrides::from_json(&stored.to_json()).unwrap(),
            stored
        );
        assert!(stored
            .to_json()
            .contains("\"internal_domains\":[\"wijkzorg.nl\",\"zorg.nl\"]"));
        // A document without the field (written before it existed) keeps
        // the config file's internal domains.
        let old = PolicyOverrides::from_json("{\"partner_domains\":[\"horizon.nl\"]}").unwrap();
        let (p, _) = old.apply(&base, SecureAction::Portal).unwrap();
        assert_eq!(p.domains.internal(), ["zorg.nl"]);
        assert_eq!(p.domains.partner(), ["horizon.nl"]);
    }

    #[test]
    fn bad_internal_domains_are_refused_with_their_own_error() {
        let base = base();
        for (bad, error) in [
            (domains(Some(&[]), None), PolicyError::NoInternalDomain),
            (
                domains(Some(&["zorg.nl", "geen domein"]), None),
                PolicyError::Domain("geen domein".into()),
            ),
            (
                domains(Some(&["localhost"]), None),
                PolicyError::Domain("localhost".into()),
            ),
            (
                domains(Some(&["zorg.nl", "a..nl"]), None),
                PolicyError::Domain("a..nl".into()),
            ),
            // The config file's partner made internal.
            (
                domains(Some(&["zorg.nl", "GGD.nl"]), None),
                PolicyError::InternalAndPartner("ggd.nl".into()),
            ),
            // A new partner that is internal, or under an internal domain.
            (
                domains(None, Some(&["Zorg.nl"])),
                PolicyError::InternalAndPartner("zorg.nl".into()),
            ),
            (
                domains(Some(&["wijkzorg.nl"]), Some(&["lab.wijkzorg.nl"])),
                PolicyError::InternalAndPartner("lab.wijkzorg.nl".into()),
            ),
        ] {
            assert_eq!(bad.apply(&base, SecureAction::Portal).unwrap_err(), error);
        }
        // An internal domain under a partner's is fine: it is internal,
        // the rest of the partner's domain stays a partner.
        let (p, _) = domains(Some(&["zorg.ggd.nl"]), None)
            .apply(&base, SecureAction::Portal)
            .unwrap();
        use zegel_assess::recipients::domain::DomainClass;
        assert_eq!(p.domains.classify("zorg.ggd.nl"), DomainClass::Internal);
        assert_eq!(p.domains.classify("ggd.nl"), DomainClass::Partner);
        // An overlong entry is named, shortened.
        let long = format!("{}.nl", "a".repeat(300));
        let Err(PolicyError::Domain(named)) =
            domains(Some(&[long.as_str()]), None).apply(&base, SecureAction::Portal)
        else {
            panic!("an overlong name is no domain")
        };
        assert_eq!(named.chars().count(), 80);
    }

    /// Two nodes over one store, each with the config file's zorg.nl.
    async fn two_nodes(dir: &std::path::Path) -> (crate::Outbound, crate::Outbound) {
        let config = crate::OutboundConfig {
            hostname: "gw.zorg.nl".into(),
            organization: "Zorg".into(),
            public_url: "https://portal.zorg.nl".into(),
            notices_from: "zegel@zorg.nl".into(),
            secure_action: SecureAction::Portal,
            reject_mode: crate::RejectMode::Inline,
            sender_notice: true,
            hide_subject: true,
            confirm_within: std::time::Duration::from_secs(72 * 3600),
            portal_expiry: std::time::Duration::from_secs(86_400),
            second_factor: crate::SecondFactorPolicy::None,
            contact_phones: Default::default(),
            read_receipts: false,
            relay: crate::Relay::Mx { port: 25 },
            dns_servers: Vec::new(),
            lifetime: std::time::Duration::from_secs(60),
            retry_base: std::time::Duration::from_secs(1),
            retry_max: std::time::Duration::from_secs(1),
            smtp_timeout: std::time::Duration::from_secs(5),
            concurrency: 1,
            lease: std::time::Duration::from_secs(600),
            opportunistic_tls_unverified: false,
            archive_format: zegel_archive::Format::SevenZ,
            archive_body_as_document: true,
            archive_fallback: SecureAction::Portal,
            inbound_relay: None,
        };
        let url = zegel_store::test_database_url(dir).await.unwrap();
        let store = zegel_store::Store::open(dir, url.as_deref(), zegel_store::Kek::generate())
            .await
            .unwrap();
        let node = || {
            crate::Outbound::new(
                config.clone(),
                store.clone(),
                Arc::new(Assessor::new(base())),
                None,
            )
            .with_mta_sts(None)
        };
        (node(), node())
    }

    #[tokio::test]
    async fn the_domains_in_force_follow_a_change_here_at_once_and_elsewhere_at_refresh() {
        use zegel_assess::recipients::domain::DomainClass;
        let dir = tempfile::tempdir().unwrap();
        let (here, there) = two_nodes(dir.path()).await;
        let held = here.domains();
        assert_eq!(held.internal(), ["zorg.nl"]);
        // Refused: nothing stored, nothing changed.
        let refused = here
            .set_policy(domains(Some(&[]), None), "fg@zorg.nl")
            .await
            .unwrap_err();
        assert_eq!(
            refused,
            SetPolicyError::Invalid(PolicyError::NoInternalDomain)
        );
        assert_eq!(here.store.stored_policy_version().await.unwrap(), 0);
        let version = here
            .set_policy(
                domains(Some(&["Wijkzorg.nl", "wijkzorg.nl"]), None),
                "fg@zorg.nl",
            )
            .await
            .unwrap();
        // This node: the next question gets the new answer, the assessor too.
        let now = here.domains();
        assert_eq!(now.internal(), ["wijkzorg.nl"]);
        assert_eq!(now.classify("zorg.nl"), DomainClass::External);
        assert_eq!(here.assessor().policy().domains.internal(), ["wijkzorg.nl"]);
        assert_eq!(
            held.internal(),
            ["zorg.nl"],
            "a snapshot taken before stays as it was"
        );
        // Stored as used.
        let stored = here.store.stored_policy().await.unwrap().unwrap();
        assert_eq!(stored.version, version);
        assert!(stored.body.contains("[\"wijkzorg.nl\"]"), "{}", stored.body);
        // The other node: the same after its refresh, not before.
        assert_eq!(there.domains().internal(), ["zorg.nl"]);
        assert!(there.refresh_policy().await.unwrap());
        assert_eq!(
            there.domains().classify("a.wijkzorg.nl"),
            DomainClass::Internal
        );
        assert_eq!(
            there.assessor().policy().domains.internal(),
            ["wijkzorg.nl"]
        );
        assert!(!there.refresh_policy().await.unwrap(), "nothing newer");
    }
}
