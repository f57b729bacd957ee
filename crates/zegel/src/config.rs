//! The configuration file (`zegel.toml`): read raw, validated, and handed to
//! each part as its own type. Unknown keys are errors, so a typo is not
//! silently ignored.

use serde::Deserialize;
use std::path::{Path, PathBuf};
use zegel_assess::extract::Limits;
use zegel_assess::{Domains, FindingKind, Policy};

/// Why the configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown or mistyped keys.
    #[error("config file {path} is invalid: {message}")]
    Parse { path: PathBuf, message: String },
    /// A value is out of range or names something unknown.
    #[error("config file {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// The whole file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub(crate) organization: RawOrganization,
    #[serde(default)]
    pub(crate) policy: RawPolicy,
    #[serde(default)]
    limits: RawLimits,
    #[serde(default)]
    ocr: zegel_ocr::OcrSettings,
    #[serde(default)]
    pub(crate) smtp: RawSmtp,
    #[serde(default)]
    pub(crate) milter: RawMilter,
    #[serde(default)]
    pub(crate) http: RawHttp,
    #[serde(default)]
    pub(crate) storage: RawStorage,
    #[serde(default)]
    pub(crate) dkim: RawDkim,
    #[serde(default)]
    pub(crate) delivery: RawDelivery,
    #[serde(default)]
    pub(crate) portal: RawPortal,
    #[serde(default)]
    pub(crate) sms: RawSms,
    #[serde(default)]
    pub(crate) dns: RawDns,
    #[serde(default)]
    pub(crate) archive: RawArchive,
    #[serde(default)]
    pub(crate) inbound: RawInbound,
    #[serde(default)]
    pub(crate) login: RawLogin,
    #[serde(default)]
    pub(crate) audit: RawAudit,
    #[serde(default)]
    pub(crate) domain_check: RawDomainCheck,
    #[serde(default)]
    pub(crate) staff_oidc: RawStaffOidc,
}

/// `[staff_oidc]`: staff sign-in through the organisation's OpenID Connect
/// provider (off without `issuer`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStaffOidc {
    pub issuer: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub email_claim: Option<String>,
    pub label: Option<String>,
    pub refuse_unknown: Option<bool>,
}

/// `[domain_check]`: the staff web's check of the organisation's own mail
/// domain (the ports and trust are for a lab or a test).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDomainCheck {
    pub domain: Option<String>,
    pub smtp_port: Option<u16>,
    pub https_port: Option<u16>,
    pub ca_file: Option<PathBuf>,
    pub timeout_secs: Option<u64>,
}

/// `[inbound]`: mail from outside to the organisation through zegel's own
/// SMTP server (checked, then passed to the internal mail server).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawInbound {
    pub deliver_to: Option<String>,
    pub dmarc_reject: Option<bool>,
    pub dmarc_quarantine: Option<bool>,
    pub extern_tag: Option<String>,
}

/// `[archive]`: the `archive` action (attachments in an encrypted
/// archive, the password by SMS).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawArchive {
    pub format: Option<String>,
    pub body_as_document: Option<bool>,
    pub fallback: Option<String>,
}

/// `[dns]`: the resolvers zegel asks (recursive; validating DNSSEC for a
/// DANE verdict that means something).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDns {
    pub servers: Option<Vec<String>>,
}

/// `[sms]`: the SMS provider (portal codes).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSms {
    pub provider: Option<String>,
    pub outbox_dir: Option<PathBuf>,
    pub webhook_url: Option<String>,
    pub webhook_token: Option<String>,
    pub webhook_headers: Option<std::collections::BTreeMap<String, String>>,
    pub webhook_timeout_secs: Option<u64>,
    pub sender_name: Option<String>,
}

/// `[portal]`: how recipients open secure messages, and the public page.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPortal {
    pub second_factor: Option<String>,
    pub contacts_file: Option<PathBuf>,
    pub read_receipts: Option<bool>,
    pub contact_address: Option<String>,
    pub session_minutes: Option<u64>,
    pub max_upload_mb: Option<usize>,
    pub secure_cookies: Option<bool>,
    pub view_cache_secs: Option<u64>,
    pub replies_per_message_day: Option<i64>,
    pub contact_codes_per_hour: Option<i64>,
    pub contact_codes_per_domain_hour: Option<i64>,
}

/// `[smtp]`: the SMTP server and where mail goes next.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSmtp {
    pub listen: Option<String>,
    pub hostname: Option<String>,
    pub relay_host: Option<String>,
    pub relay_networks: Option<Vec<String>>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub max_message_mb: Option<usize>,
    pub max_recipients: Option<usize>,
    pub mx_port: Option<u16>,
    pub dns_servers: Option<Vec<String>>,
    pub command_timeout_secs: Option<u64>,
    pub max_connections: Option<usize>,
    pub max_connections_per_address: Option<usize>,
    pub send_as: Option<std::collections::BTreeMap<String, Vec<String>>>,
    pub unusual_addresses: Option<bool>,
}

/// `[login]`: failed sign-ins (SMTP AUTH and the staff web together)
/// before an account or a client address is refused for the window.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLogin {
    pub failures_per_account: Option<u32>,
    pub failures_per_address: Option<u32>,
    pub window_minutes: Option<i64>,
}

/// `[milter]`: the Postfix milter.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMilter {
    pub listen: Option<String>,
    pub mode: Option<String>,
    pub authenticate: Option<bool>,
    pub dmarc_reject: Option<bool>,
    pub dmarc_quarantine: Option<bool>,
    pub extern_tag: Option<String>,
}

/// `[http]`: the web side (portal).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHttp {
    pub listen: Option<String>,
    pub public_url: Option<String>,
    pub max_connections_per_address: Option<usize>,
    pub header_timeout_secs: Option<u64>,
    pub trusted_proxies: Option<Vec<String>>,
}

/// `[storage]`: where state lives.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStorage {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub key_file: Option<PathBuf>,
    /// Where large sealed blobs go: a folder or `s3://BUCKET[/PREFIX]`.
    pub blobs: Option<String>,
    pub s3_endpoint: Option<String>,
    pub s3_region: Option<String>,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<String>,
}

/// `[dkim]`: signing outgoing mail.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDkim {
    pub domain: Option<String>,
    pub selector: Option<String>,
    pub key_file: Option<PathBuf>,
}

/// `[delivery]`: retries and lifetime.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDelivery {
    pub lifetime_hours: Option<u64>,
    pub retry_base_secs: Option<u64>,
    pub retry_max_secs: Option<u64>,
    pub concurrency: Option<usize>,
    pub lease_secs: Option<u64>,
    pub keep_after_final_days: Option<u64>,
    pub purge_every_secs: Option<u64>,
}

/// `[audit]`: how long the audit log is kept.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAudit {
    pub retention_years: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOrganization {
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) internal_domains: Vec<String>,
    #[serde(default)]
    partner_domains: Vec<String>,
    #[serde(default)]
    own_details: Vec<String>,
    pub(crate) colleagues_file: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPolicy {
    secure_kinds: Option<Vec<String>>,
    identifier_kinds: Option<Vec<String>>,
    name_with_identifier: Option<bool>,
    link_distance: Option<usize>,
    min_confidence: Option<f32>,
    visible_external_threshold: Option<usize>,
    secure_tags: Option<Vec<String>>,
    unreadable: Option<zegel_assess::UnreadablePolicy>,
    lookalike: Option<zegel_assess::WarningAction>,
    visible_external: Option<zegel_assess::WarningAction>,
    second_opinion: Option<SecondOpinionSetting>,
    general_text: Option<SecondOpinionSetting>,
    pub(crate) action: Option<String>,
    pub(crate) reject_mode: Option<String>,
    pub(crate) sender_notice: Option<bool>,
    pub(crate) hide_subject: Option<bool>,
    pub(crate) confirm_within_hours: Option<u64>,
    pub(crate) portal_expiry_days: Option<u64>,
}

/// `[policy] second_opinion` and `general_text`: `true` (the default
/// threshold), `false` (off), or a threshold between 0 and 1.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(untagged)]
enum SecondOpinionSetting {
    Switch(bool),
    Threshold(f32),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    max_depth: Option<usize>,
    max_attachment_mb: Option<usize>,
    max_expanded_mb: Option<usize>,
    max_compression_ratio: Option<u64>,
    max_archive_entries: Option<usize>,
    max_text_mb: Option<usize>,
}

/// The validated configuration of the assessment.
#[derive(Debug, Clone)]
pub struct AssessConfig {
    /// The policy.
    pub policy: Policy,
    /// Extraction limits.
    pub limits: Limits,
    /// OCR of scans and photos (`[ocr]`).
    pub ocr: zegel_ocr::OcrSettings,
}

impl AssessConfig {
    /// The assessor this configuration describes, with Tesseract when OCR
    /// is enabled and the program runs (else pictures that may hold text
    /// are unreadable, and fail closed).
    pub fn assessor(&self) -> zegel_assess::Assessor {
        let ocr = zegel_ocr::Tesseract::detect(&self.ocr)
            .map(|t| std::sync::Arc::new(t) as std::sync::Arc<dyn zegel_assess::Ocr>);
        zegel_assess::Assessor::with_limits(self.policy.clone(), self.limits.clone()).with_ocr(ocr)
    }
    /// Reads `path`, or the defaults when there is none; `extra_internal`
    /// (from the command line) is added to the internal domains.
    pub fn load(
        path: Option<&Path>,
        extra_internal: &[String],
    ) -> Result<AssessConfig, ConfigError> {
        let (raw, shown) = RawConfig::read(path)?;
        raw.validate(&shown, extra_internal)
    }
}

impl RawConfig {
    /// The resolvers of `[dns] servers`, else of `[smtp] dns_servers`
    /// (`ip` or `ip:port`); empty: the system's.
    pub(crate) fn dns_servers(
        &self,
        path: &Path,
    ) -> Result<Vec<std::net::SocketAddr>, ConfigError> {
        let (key, list) = match (&self.dns.servers, &self.smtp.dns_servers) {
            (Some(list), _) => ("[dns] servers", list),
            (None, Some(list)) => ("[smtp] dns_servers", list),
            (None, None) => return Ok(Vec::new()),
        };
        list.iter()
            .map(|s| {
                s.parse::<std::net::SocketAddr>()
                    .or_else(|_| {
                        s.parse::<std::net::IpAddr>()
                            .map(|ip| std::net::SocketAddr::new(ip, 53))
                    })
                    .map_err(|_| ConfigError::Invalid {
                        path: path.to_path_buf(),
                        message: format!(
                            "{key}: '{s}' is not an address like 192.0.2.53 or 127.0.0.1:5353"
                        ),
                    })
            })
            .collect()
    }
}

impl RawConfig {
    /// Reads the file, or the defaults when there is none; returns it with
    /// the name to show in errors.
    pub(crate) fn read(path: Option<&Path>) -> Result<(RawConfig, PathBuf), ConfigError> {
        Ok(match path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| ConfigError::Read {
                    path: p.to_path_buf(),
                    source,
                })?;
                let raw: RawConfig = toml::from_str(&text).map_err(|e| ConfigError::Parse {
                    path: p.to_path_buf(),
                    message: e.to_string(),
                })?;
                (raw, p.to_path_buf())
            }
            None => (RawConfig::default(), PathBuf::from("(defaults)")),
        })
    }

    /// The assessment's part of the configuration, validated.
    pub(crate) fn validate(
        &self,
        path: &Path,
        extra_internal: &[String],
    ) -> Result<AssessConfig, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let mut internal = self.organization.internal_domains.clone();
        internal.extend(extra_internal.iter().cloned());
        for d in internal
            .iter()
            .chain(self.organization.partner_domains.iter())
        {
            if !d.contains('.')
                || d.contains('@') && !d.starts_with('@')
                || d.contains(char::is_whitespace)
            {
                return Err(invalid(format!("'{d}' is not a domain name")));
            }
        }
        let kinds = |names: Vec<String>, key: &str| -> Result<_, ConfigError> {
            names
                .iter()
                .map(|n| {
                    FindingKind::from_name(n).ok_or_else(|| {
                        let known: Vec<&str> =
                            FindingKind::ALL.iter().map(|k| k.as_str()).collect();
                        invalid(format!(
                            "[policy] {key}: unknown finding kind '{n}' (known: {})",
                            known.join(", ")
                        ))
                    })
                })
                .collect()
        };
        // The organisation's own name never counts as a finding either.
        let mut own_details = self.organization.own_details.clone();
        own_details.extend(self.organization.name.clone());
        let mut policy = Policy {
            domains: Domains::new(&internal, &self.organization.partner_domains),
            own_details,
            ..Policy::default()
        };
        let p = &self.policy;
        if let Some(k) = p.secure_kinds.clone() {
            policy.secure_kinds = kinds(k, "secure_kinds")?;
        }
        if let Some(k) = p.identifier_kinds.clone() {
            policy.identifier_kinds = kinds(k, "identifier_kinds")?;
        }
        if let Some(v) = p.name_with_identifier {
            policy.name_with_identifier = v;
        }
        if let Some(v) = p.link_distance {
            policy.link_distance = v;
        }
        if let Some(v) = p.min_confidence {
            if !(0.0..=1.0).contains(&v) {
                return Err(invalid(format!(
                    "[policy] min_confidence must be between 0 and 1, not {v}"
                )));
            }
            policy.min_confidence = v;
        }
        if let Some(v) = p.visible_external_threshold {
            if v == 0 {
                return Err(invalid(
                    "[policy] visible_external_threshold must be at least 1".into(),
                ));
            }
            policy.visible_external_threshold = v;
        }
        if let Some(v) = p.secure_tags.clone() {
            policy.secure_tags = v;
        }
        if let Some(v) = p.unreadable {
            policy.unreadable = v;
        }
        if let Some(v) = p.lookalike {
            policy.lookalike = v;
        }
        if let Some(v) = p.visible_external {
            policy.visible_external = v;
        }
        match p.second_opinion {
            None | Some(SecondOpinionSetting::Switch(true)) => {}
            Some(SecondOpinionSetting::Switch(false)) => policy.second_opinion = None,
            Some(SecondOpinionSetting::Threshold(v)) if v > 0.0 && v <= 1.0 => {
                policy.second_opinion = Some(v)
            }
            Some(SecondOpinionSetting::Threshold(v)) => {
                return Err(invalid(format!(
                    "[policy] second_opinion must be true, false or a threshold above 0 and at most 1, not {v}"
                )))
            }
        }
        match p.general_text {
            None | Some(SecondOpinionSetting::Switch(true)) => {}
            Some(SecondOpinionSetting::Switch(false)) => policy.general_text = None,
            Some(SecondOpinionSetting::Threshold(v)) if v > 0.0 && v < 0.5 => {
                policy.general_text = Some(v)
            }
            Some(SecondOpinionSetting::Threshold(v)) => {
                return Err(invalid(format!(
                    "[policy] general_text must be true, false or a threshold above 0 and below 0.5, not {v}"
                )))
            }
        }
        let mut limits = Limits::default();
        let l = &self.limits;
        const MB: usize = 1024 * 1024;
        if let Some(v) = l.max_depth {
            limits.max_depth = v;
        }
        if let Some(v) = l.max_attachment_mb {
            limits.max_attachment_bytes = v.saturating_mul(MB);
        }
        if let Some(v) = l.max_expanded_mb {
            limits.max_expanded_bytes = v.saturating_mul(MB);
        }
        if let Some(v) = l.max_compression_ratio {
            limits.max_compression_ratio = v;
        }
        if let Some(v) = l.max_archive_entries {
            limits.max_archive_entries = v;
        }
        if let Some(v) = l.max_text_mb {
            limits.max_text_bytes = v.saturating_mul(MB);
        }
        Ok(AssessConfig {
            policy,
            limits,
            ocr: self.ocr.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<AssessConfig, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: "t".into(),
            message: e.to_string(),
        })?;
        raw.validate(Path::new("t"), &["extra.nl".to_string()])
    }

    #[test]
    fn reads_organisation_and_policy() {
        let c = parse(
            "[organization]\ninternal_domains = [\"a.nl\"]\n[policy]\nsecure_kinds = [\"bsn\"]\nmin_confidence = 0.7\n",
        )
        .unwrap();
        assert_eq!(c.policy.domains.internal(), ["a.nl", "extra.nl"]);
        assert_eq!(c.policy.secure_kinds.len(), 1);
        assert_eq!(c.policy.min_confidence, 0.7);
    }

    #[test]
    fn the_second_opinion_is_on_by_default_and_can_be_switched_or_tuned() {
        let default = zegel_assess::policy::DEFAULT_SECOND_OPINION;
        assert_eq!(parse("").unwrap().policy.second_opinion, Some(default));
        let on = parse("[policy]\nsecond_opinion = true\n").unwrap();
        assert_eq!(on.policy.second_opinion, Some(default));
        let off = parse("[policy]\nsecond_opinion = false\n").unwrap();
        assert_eq!(off.policy.second_opinion, None);
        let tuned = parse("[policy]\nsecond_opinion = 0.95\n").unwrap();
        assert_eq!(tuned.policy.second_opinion, Some(0.95));
        let general = zegel_assess::policy::DEFAULT_GENERAL_TEXT;
        assert_eq!(parse("").unwrap().policy.general_text, Some(general));
        let off = parse("[policy]\ngeneral_text = false\n").unwrap();
        assert_eq!(off.policy.general_text, None);
        let tuned = parse("[policy]\ngeneral_text = 0.05\n").unwrap();
        assert_eq!(tuned.policy.general_text, Some(0.05));
        for wrong in ["0.5", "0", "-0.1"] {
            assert!(parse(&format!("[policy]\ngeneral_text = {wrong}\n")).is_err());
        }
        for wrong in ["0", "1.5", "-0.2"] {
            assert!(matches!(
                parse(&format!("[policy]\nsecond_opinion = {wrong}\n")),
                Err(ConfigError::Invalid { .. })
            ));
        }
    }

    #[test]
    fn reads_limits_in_megabytes() {
        let c = parse("[limits]\nmax_text_mb = 2\nmax_attachment_mb = 3\nmax_depth = 1\n").unwrap();
        assert_eq!(c.limits.max_text_bytes, 2 * 1024 * 1024);
        assert_eq!(c.limits.max_attachment_bytes, 3 * 1024 * 1024);
        assert_eq!(c.limits.max_depth, 1);
        let d = parse("").unwrap();
        assert_eq!(d.limits, Limits::default());
    }

    #[test]
    fn rejects_unknown_keys_kinds_and_ranges() {
        assert!(matches!(
            parse("[policy]\nsecure_kind = []\n"),
            Err(ConfigError::Parse { .. })
        ));
        assert!(matches!(
            parse("[policy]\nsecure_kinds = [\"bsm\"]\n"),
            Err(ConfigError::Invalid { .. })
        ));
        assert!(matches!(
            parse("[policy]\nmin_confidence = 2.0\n"),
            Err(ConfigError::Invalid { .. })
        ));
        assert!(matches!(
            parse("[organization]\ninternal_domains = [\"not a domain\"]\n"),
            Err(ConfigError::Invalid { .. })
        ));
    }
}
