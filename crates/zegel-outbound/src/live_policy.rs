//! The policy an administrator changes at runtime (the staff web), over
//! the config file's: the action for secure mail, which finding kinds make
//! mail secure, the confidence threshold, the visible-recipients warning
//! threshold and the subject tags. Stored as JSON with a version; every
//! node applies a newer version when it sees one, so the gateway on any
//! node follows the last change. The contact list (mobile numbers for SMS
//! codes) is kept the same way.

use crate::config::SecureAction;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::Arc;
use zegel_assess::{Assessor, FindingKind, Policy};

/// What the administrator set; `None` keeps the config file's value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyOverrides {
    /// `deliver`, `portal`, `archive`, `tls`, `hold` or `reject`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
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
    /// flagged). The internal domains stay the config file's: they also
    /// decide what the SMTP server's inbound mode takes in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_domains: Option<Vec<String>>,
}

/// Why a policy cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// An action name zegel does not know.
    #[error("unknown action '{0}'")]
    Action(String),
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
    /// A stored document that is not a policy.
    #[error("the stored policy cannot be read: {0}")]
    Json(String),
}

impl PolicyOverrides {
    /// Reads a stored document.
    pub fn from_json(body: &str) -> Result<PolicyOverrides, PolicyError> {
        serde_json::from_str(body).map_err(|e| PolicyError::Json(e.to_string()))
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
        let action = match &self.action {
            Some(name) => {
                SecureAction::parse(name).ok_or_else(|| PolicyError::Action(name.clone()))?
            }
            None => base_action,
        };
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
        if let Some(partners) = &self.partner_domains {
            if let Some(bad) = partners.iter().find(|d| !is_domain_name(d)) {
                return Err(PolicyError::Domain(bad.chars().take(80).collect()));
            }
            policy.domains = zegel_assess::Domains::new(base.domains.internal(), partners);
        }
        Ok((policy, action))
    }
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
        let assessor = Arc::new(self.assessor().with_policy(policy));
        let mut live = self.live.write().unwrap_or_else(|e| e.into_inner());
        if version > live.version {
            *live = Live {
                assessor,
                action,
                version,
                overrides,
            };
        }
    }

    /// Stores a new policy (checked first) and puts it in force here; other
    /// nodes follow at their next [`Outbound::refresh_policy`].
    pub async fn set_policy(&self, overrides: PolicyOverrides, by: &str) -> Result<i64, String> {
        let applied = self.applied(&overrides).map_err(|e| e.to_string())?;
        let version = self
            .store
            .set_stored_policy(&overrides.to_json(), by)
            .await
            .map_err(|e| e.to_string())?;
        self.install(applied, overrides, version);
        tracing::info!(version, by, "policy changed");
        Ok(version)
    }

    /// Puts the stored policy in force when it is newer than this node's;
    /// true when it changed. A stored policy that cannot be used (written
    /// by a newer zegel, say) is reported and the current one kept.
    pub async fn refresh_policy(&self) -> Result<bool, String> {
        let version = self
            .store
            .stored_policy_version()
            .await
            .map_err(|e| e.to_string())?;
        if version <= self.live().version {
            return Ok(false);
        }
        let Some(stored) = self
            .store
            .stored_policy()
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(false);
        };
        let overrides = PolicyOverrides::from_json(&stored.body).map_err(|e| e.to_string())?;
        let applied = self.applied(&overrides).map_err(|e| e.to_string())?;
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
    pub async fn refresh_contacts(&self) -> Result<bool, String> {
        let version = self
            .store
            .contacts_version()
            .await
            .map_err(|e| e.to_string())?;
        let current = self
            .contacts
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .version;
        if version <= current {
            return Ok(false);
        }
        let stored = self.store.contacts().await.map_err(|e| e.to_string())?;
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
    ) -> Result<(), String> {
        self.store
            .import_contacts(contacts, replace, by)
            .await
            .map_err(|e| e.to_string())?;
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
            action: Some("reject".into()),
            secure_kinds: Some(vec!["bsn".into(), "health".into()]),
            min_confidence: Some(0.8),
            visible_external_threshold: Some(3),
            secure_tags: Some(vec![" [vertrouwelijk] ".into()]),
            partner_domains: Some(vec!["Zorggroep-Horizon.nl".into()]),
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
        for (bad, error) in [
            (
                PolicyOverrides {
                    action: Some("shred".into()),
                    ..none.clone()
                },
                PolicyError::Action("shred".into()),
            ),
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
}
