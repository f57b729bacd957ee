//! `zegel serve`'s settings: the configuration file's server sections,
//! validated, with the embedded defaults filled in.

use crate::config::{AssessConfig, ConfigError, RawConfig};
use ipnet::IpNet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use zegel_inbound::{Colleagues, InboundPolicy};
use zegel_outbound::{OutboundConfig, RejectMode, Relay, SecondFactorPolicy, SecureAction};
use zegel_store::{BlobLocation, Kek, Store, StoreError};

/// What the milter does with a secure verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MilterMode {
    /// Add `X-Zegel-Verdict` and reasons headers; Postfix routes on them.
    Headers,
    /// Reject secure mail with the reasons (when the policy action is
    /// `reject`) and add headers otherwise.
    Policy,
}

/// Everything `zegel serve` needs.
#[derive(Debug)]
pub struct ServeSettings {
    /// The assessment.
    pub assess: AssessConfig,
    /// The data folder.
    pub data_dir: PathBuf,
    /// A database URL instead of `data_dir/zegel.db`.
    pub database_url: Option<String>,
    /// The key-encryption key file.
    pub key_file: PathBuf,
    /// Where the large sealed blobs live (`[storage] blobs`; by default
    /// the folder `data_dir/blobs`).
    pub blobs: BlobLocation,
    /// Where the SMTP server listens.
    pub smtp_listen: SocketAddr,
    /// Client networks that may relay without AUTH.
    pub relay_networks: Vec<IpNet>,
    /// TLS certificate and key; `None`: a development certificate.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Largest message.
    pub max_message_bytes: usize,
    /// Most recipients per message.
    pub max_recipients: usize,
    /// Wait for a command.
    pub command_timeout: Duration,
    /// Most SMTP connections at once (`[smtp] max_connections`).
    pub max_connections: usize,
    /// Most SMTP connections from one client address outside the relay
    /// networks (`[smtp] max_connections_per_address`).
    pub max_connections_per_address: usize,
    /// Addresses an account may use in `From`/`Sender` besides its own
    /// (`[smtp] send_as`: account -> addresses, lower case).
    pub send_as: std::collections::HashMap<String, Vec<String>>,
    /// Take `%` and `!` in local parts (`[smtp] unusual_addresses`).
    pub unusual_addresses: bool,
    /// Failed sign-ins before a lock (`[login]`), SMTP and web together.
    pub login: zegel_store::LoginLimits,
    /// Where the milter listens, if at all.
    pub milter_listen: Option<SocketAddr>,
    /// The milter's behaviour.
    pub milter_mode: MilterMode,
    /// With `[milter] authenticate`: the milter checks SPF, DKIM, DMARC and
    /// ARC of mail from clients that did not log in (inbound mail) this way.
    pub milter_inbound: Option<InboundPolicy>,
    /// With `[inbound] deliver_to`: the SMTP server takes mail for the
    /// internal domains from anyone and checks it this way (the next hop
    /// is `outbound.inbound_relay`).
    pub relay_inbound: Option<InboundPolicy>,
    /// Where the web side listens (the portal issue serves it).
    pub http_listen: SocketAddr,
    /// DKIM: (domain, selector, key file).
    pub dkim: Option<(String, String, PathBuf)>,
    /// The outbound pipeline.
    pub outbound: OutboundConfig,
    /// The portal.
    pub portal: zegel_portal::PortalConfig,
    /// The SMS provider.
    pub sms: zegel_outbound::SmsConfig,
    /// Staff sign-in through the organisation's OpenID Connect provider.
    pub staff_oidc: Option<zegel_portal::OidcConfig>,
    /// What is destroyed when (`[delivery] keep_after_final_days`,
    /// `[audit] retention_years`).
    pub purge: zegel_store::PurgePolicy,
    /// How often the housekeeping runs (`[delivery] purge_every_secs`).
    pub purge_every: Duration,
}

/// `[staff_oidc]`: off without `issuer`; with it, `client_id` and
/// `client_secret` are needed, the issuer is `https://` (plain `http://`
/// only to this machine), and `refuse_unknown = false` needs the internal
/// domains (only their addresses get an account at a first sign-in).
fn staff_oidc(
    raw: &crate::config::RawStaffOidc,
    internal_domains: &[String],
    invalid: &dyn Fn(String) -> ConfigError,
) -> Result<Option<zegel_portal::OidcConfig>, ConfigError> {
    let Some(issuer) = &raw.issuer else {
        let set = [
            ("client_id", raw.client_id.is_some()),
            ("client_secret", raw.client_secret.is_some()),
            ("scopes", raw.scopes.is_some()),
            ("email_claim", raw.email_claim.is_some()),
            ("label", raw.label.is_some()),
            ("refuse_unknown", raw.refuse_unknown.is_some()),
        ];
        if let Some((key, _)) = set.iter().find(|(_, is_set)| *is_set) {
            return Err(invalid(format!("[staff_oidc] {key} needs issuer")));
        }
        return Ok(None);
    };
    let text = |key: &str, value: &Option<String>| -> Result<String, ConfigError> {
        match value.as_deref().map(str::trim) {
            Some(v) if !v.is_empty() => Ok(v.to_string()),
            _ => Err(invalid(format!(
                "[staff_oidc] issuer needs {key} (as registered at the provider)"
            ))),
        }
    };
    let mut config = zegel_portal::OidcConfig::new(
        issuer.trim(),
        &text("client_id", &raw.client_id)?,
        &text("client_secret", &raw.client_secret)?,
    );
    let lower = config.issuer.to_ascii_lowercase();
    if !(lower.starts_with("https://") || config.issuer_is_local_http()) {
        return Err(invalid(format!(
            "[staff_oidc] issuer: '{issuer}' must start with https:// (http:// only to this machine)"
        )));
    }
    if config.issuer.contains(['?', '#']) {
        return Err(invalid(format!(
            "[staff_oidc] issuer: '{issuer}' has a query or fragment; give the issuer as the provider names it"
        )));
    }
    if let Some(scopes) = &raw.scopes {
        if let Some(bad) = scopes
            .iter()
            .find(|s| s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()))
        {
            return Err(invalid(format!(
                "[staff_oidc] scopes: '{bad}' is not a scope (one word per entry)"
            )));
        }
        config.scopes = scopes.iter().filter(|s| *s != "openid").cloned().collect();
    }
    if let Some(claim) = &raw.email_claim {
        let claim = claim.trim();
        if claim.is_empty() || claim.len() > 100 {
            return Err(invalid(
                "[staff_oidc] email_claim: the name of a claim, e.g. \"email\"".into(),
            ));
        }
        config.email_claim = claim.to_string();
    }
    if let Some(label) = &raw.label {
        let label = label.trim();
        if label.is_empty() || label.chars().count() > 60 {
            return Err(invalid(
                "[staff_oidc] label: the provider's name for the button, 1 to 60 characters".into(),
            ));
        }
        config.label = label.to_string();
    }
    config.refuse_unknown = raw.refuse_unknown.unwrap_or(true);
    // The staff web may change the internal domains later (never to none);
    // each sign-in asks for the ones in force then.
    if !config.refuse_unknown && internal_domains.is_empty() {
        return Err(invalid(
            "[staff_oidc] refuse_unknown = false needs [organization] internal_domains: only their addresses get an account".into(),
        ));
    }
    Ok(Some(config))
}

/// `[storage] blobs` and the `s3_*` keys: a folder (relative to the file)
/// or an S3-compatible bucket.
fn blob_location(
    raw: &crate::config::RawStorage,
    data_dir: &Path,
    at: &dyn Fn(&Path) -> PathBuf,
    invalid: &dyn Fn(String) -> ConfigError,
) -> Result<BlobLocation, ConfigError> {
    // The default is inside the data folder, which is resolved already; a
    // written folder is relative to the file (resolving the default again
    // gave `cfg/cfg/zegel-data/blobs` for `--config cfg/zegel.toml`).
    let location = match &raw.blobs {
        None => BlobLocation::Local(data_dir.join("blobs")),
        Some(value) => match BlobLocation::parse(value)
            .map_err(|e| invalid(format!("[storage] blobs: {e}")))?
        {
            BlobLocation::Local(dir) => BlobLocation::Local(at(&dir)),
            s3 => s3,
        },
    };
    let s3_keys = [
        ("s3_endpoint", &raw.s3_endpoint),
        ("s3_region", &raw.s3_region),
        ("s3_access_key_id", &raw.s3_access_key_id),
        ("s3_secret_access_key", &raw.s3_secret_access_key),
    ];
    match location {
        BlobLocation::Local(dir) => {
            if let Some((key, _)) = s3_keys.iter().find(|(_, v)| v.is_some()) {
                return Err(invalid(format!(
                    "[storage] {key} needs blobs = \"s3://BUCKET[/PREFIX]\""
                )));
            }
            Ok(BlobLocation::Local(dir))
        }
        BlobLocation::S3(mut s3) => {
            if let Some(endpoint) = &raw.s3_endpoint {
                let lower = endpoint.to_ascii_lowercase();
                if !(lower.starts_with("https://") || lower.starts_with("http://")) {
                    return Err(invalid(format!(
                        "[storage] s3_endpoint: '{endpoint}' is not an http:// or https:// URL"
                    )));
                }
            }
            if raw.s3_access_key_id.is_some() != raw.s3_secret_access_key.is_some() {
                return Err(invalid(
                    "[storage] s3_access_key_id and s3_secret_access_key go together".into(),
                ));
            }
            s3.endpoint = raw.s3_endpoint.clone();
            s3.region = raw.s3_region.clone();
            s3.access_key_id = raw.s3_access_key_id.clone();
            s3.secret_access_key = raw.s3_secret_access_key.clone();
            Ok(BlobLocation::S3(s3))
        }
    }
}

fn parse_addr(value: &str, key: &str, path: &Path) -> Result<SocketAddr, ConfigError> {
    value.parse().map_err(|_| ConfigError::Invalid {
        path: path.to_path_buf(),
        message: format!("{key}: '{value}' is not an address like 127.0.0.1:2525"),
    })
}

/// A `host[:port]` next hop (port 25 when not given).
fn relay_host(
    value: &str,
    key: &str,
    invalid: &dyn Fn(String) -> ConfigError,
) -> Result<Relay, ConfigError> {
    let (host, port) = match value.rsplit_once(':') {
        Some((host, port)) => (
            host.trim_matches(|c| c == '[' || c == ']').to_string(),
            port.parse()
                .map_err(|_| invalid(format!("{key}: bad port in '{value}'")))?,
        ),
        None => (value.to_string(), 25),
    };
    if host.is_empty() {
        return Err(invalid(format!("{key}: no host in '{value}'")));
    }
    Ok(Relay::Host { host, port })
}

/// Reads the contact list: one `address,phone` per line (a header line, empty
/// lines and `#` comments are skipped). Phone numbers become E.164.
fn read_contacts(path: &Path) -> Result<std::collections::HashMap<String, String>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("[portal] contacts_file {}: {e}", path.display()))?;
    zegel_outbound::parse_contacts(&text)
        .map(|list| list.into_iter().collect())
        .map_err(|e| format!("[portal] contacts_file {}: {e}", path.display()))
}

/// The staff web's domain check from `[domain_check]`, `[dns]` and
/// `[dkim]`: the first internal domain unless another is named.
fn domain_check(
    raw: &RawConfig,
    first_domain: &str,
    dns_servers: Vec<SocketAddr>,
    at: &dyn Fn(&Path) -> PathBuf,
    invalid: &dyn Fn(String) -> ConfigError,
) -> Result<zegel_portal::DomainCheck, ConfigError> {
    let d = &raw.domain_check;
    let domain = d.domain.clone().unwrap_or_else(|| first_domain.to_string());
    let trust = match &d.ca_file {
        Some(file) => zegel_domaincheck::Trust::Roots(
            crate::check_domain::roots(&at(file))
                .map_err(|e| invalid(format!("[domain_check] ca_file: {e}")))?,
        ),
        None => zegel_domaincheck::Trust::System,
    };
    let dkim_selectors = match (&raw.dkim.domain, &raw.dkim.selector) {
        (Some(dkim_domain), Some(selector)) if dkim_domain.eq_ignore_ascii_case(&domain) => {
            vec![selector.clone()]
        }
        _ => Vec::new(),
    };
    let probe = zegel_domaincheck::Probe {
        dns_servers,
        smtp_port: d.smtp_port.unwrap_or(25),
        https_port: d.https_port.unwrap_or(443),
        timeout: Duration::from_secs(d.timeout_secs.unwrap_or(10).max(1)),
        trust,
        dkim_selectors,
        ..zegel_domaincheck::Probe::default()
    };
    Ok(zegel_portal::DomainCheck { domain, probe })
}

/// The SMS provider from `[sms]`: `outbox` (the default, in
/// `data_dir/sms-outbox`) or `webhook`.
fn sms_config(
    raw: &crate::config::RawSms,
    data_dir: &Path,
    at: &dyn Fn(&Path) -> PathBuf,
    invalid: &dyn Fn(String) -> ConfigError,
) -> Result<zegel_outbound::SmsConfig, ConfigError> {
    use zegel_outbound::{SmsConfig, SmsProvider, WebhookConfig};
    let provider = match raw.provider.as_deref().unwrap_or("outbox") {
        "outbox" => SmsProvider::Outbox {
            dir: raw
                .outbox_dir
                .as_deref()
                .map(at)
                .unwrap_or_else(|| data_dir.join("sms-outbox")),
        },
        "webhook" => {
            let Some(url) = &raw.webhook_url else {
                return Err(invalid(
                    "[sms] provider = \"webhook\" needs webhook_url".into(),
                ));
            };
            // The token and the codes travel in the request: HTTPS, or
            // plain HTTP to this machine only.
            let local = ["http://127.0.0.1", "http://[::1]", "http://localhost"]
                .iter()
                .any(|p| {
                    url.strip_prefix(p)
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
                });
            if !url.starts_with("https://") && !local {
                return Err(invalid(format!(
                    "[sms] webhook_url: '{url}' must start with https:// (http:// only to localhost)"
                )));
            }
            let mut webhook = WebhookConfig::new(url);
            webhook.token = raw.webhook_token.clone().filter(|t| !t.is_empty());
            webhook.headers = raw
                .webhook_headers
                .clone()
                .unwrap_or_default()
                .into_iter()
                .collect();
            if let Some(secs) = raw.webhook_timeout_secs {
                if !(1..=120).contains(&secs) {
                    return Err(invalid(
                        "[sms] webhook_timeout_secs: between 1 and 120".into(),
                    ));
                }
                webhook.timeout = Duration::from_secs(secs);
            }
            SmsProvider::Webhook(webhook)
        }
        other => {
            return Err(invalid(format!(
                "[sms] provider: '{other}' is not outbox or webhook"
            )))
        }
    };
    let sender_name = raw
        .sender_name
        .as_deref()
        .map(|name| {
            zegel_outbound::sms::sender_name(name).map_err(|e| match e {
                zegel_outbound::SmsError::Config(m) => invalid(format!("[sms] {m}")),
                e => invalid(format!("[sms] {e}")),
            })
        })
        .transpose()?;
    Ok(SmsConfig {
        provider,
        sender_name,
    })
}

/// The portal's settings from `[portal]` (and `[http] public_url`).
fn portal_config(
    raw: &crate::config::RawPortal,
    outbound: &OutboundConfig,
    invalid: &dyn Fn(String) -> ConfigError,
) -> Result<zegel_portal::PortalConfig, ConfigError> {
    let mut portal = zegel_portal::PortalConfig::new(&outbound.organization, &outbound.public_url);
    if let Some(address) = &raw.contact_address {
        if !address.contains('@') {
            return Err(invalid(format!(
                "[portal] contact_address: '{address}' is not an e-mail address"
            )));
        }
        portal.contact_address = Some(address.clone());
    }
    if let Some(minutes) = raw.session_minutes {
        if !(1..=24 * 60).contains(&minutes) {
            return Err(invalid(
                "[portal] session_minutes: between 1 and 1440".into(),
            ));
        }
        portal.session_lifetime = Duration::from_secs(minutes * 60);
    }
    if let Some(mb) = raw.max_upload_mb {
        portal.max_upload_bytes = mb.saturating_mul(1024 * 1024);
    }
    if let Some(secure) = raw.secure_cookies {
        portal.secure_cookies = secure;
    }
    if let Some(n) = raw.replies_per_message_day {
        portal.replies_per_message_day = n.max(1);
    }
    if let Some(n) = raw.contact_codes_per_hour {
        portal.contact_codes_per_hour = n.max(1);
    }
    if let Some(n) = raw.contact_codes_per_domain_hour {
        portal.contact_codes_per_domain_hour = n.max(1);
    }
    if let Some(secs) = raw.view_cache_secs {
        if secs > 3600 {
            return Err(invalid(
                "[portal] view_cache_secs: between 0 (off) and 3600".into(),
            ));
        }
        portal.view_cache = Duration::from_secs(secs);
    }
    Ok(portal)
}

impl ServeSettings {
    /// Reads the file (or the defaults) and validates the server sections.
    pub fn load(path: Option<&Path>) -> Result<ServeSettings, ConfigError> {
        let (raw, shown) = RawConfig::read(path)?;
        let assess = raw.validate(&shown, &[])?;
        let invalid = |message: String| ConfigError::Invalid {
            path: shown.clone(),
            message,
        };
        // Relative paths in the file are relative to the file, made
        // absolute now: they mean the same after a change of folder.
        let base = path
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let base = std::path::absolute(&base).unwrap_or(base);
        let at = |p: &Path| {
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                base.join(p)
            }
        };

        let data_dir = at(raw
            .storage
            .data_dir
            .as_deref()
            .unwrap_or(Path::new("zegel-data")));
        let key_file = raw
            .storage
            .key_file
            .as_deref()
            .map(at)
            .unwrap_or_else(|| data_dir.join("kek.key"));
        let blobs = blob_location(&raw.storage, &data_dir, &at, &invalid)?;
        let smtp = &raw.smtp;
        let smtp_listen = parse_addr(
            smtp.listen.as_deref().unwrap_or("127.0.0.1:2525"),
            "[smtp] listen",
            &shown,
        )?;
        let relay_networks = networks(
            &smtp
                .relay_networks
                .clone()
                .unwrap_or_else(|| vec!["127.0.0.0/8".into(), "::1/128".into()]),
            "[smtp] relay_networks",
            &invalid,
        )?;
        let send_as = smtp
            .send_as
            .iter()
            .flatten()
            .map(|(account, addresses)| {
                let lower = |a: &str| a.trim().to_lowercase();
                if !account.contains('@') || addresses.iter().any(|a| !a.contains('@')) {
                    return Err(invalid(format!(
                        "[smtp] send_as: '{account}' and its addresses must be full addresses"
                    )));
                }
                Ok((lower(account), addresses.iter().map(|a| lower(a)).collect()))
            })
            .collect::<Result<_, _>>()?;
        let tls = match (&smtp.tls_cert, &smtp.tls_key) {
            (Some(c), Some(k)) => Some((at(c), at(k))),
            (None, None) => None,
            _ => return Err(invalid("[smtp] tls_cert and tls_key go together".into())),
        };
        let hostname = smtp.hostname.clone().unwrap_or_else(|| "localhost".into());
        let organization = raw
            .organization
            .name
            .clone()
            .unwrap_or_else(|| "zegel".into());
        let first_domain = raw
            .organization
            .internal_domains
            .first()
            .cloned()
            .unwrap_or_else(|| hostname.clone());
        let relay = match &smtp.relay_host {
            Some(h) => relay_host(h, "[smtp] relay_host", &invalid)?,
            None => Relay::Mx {
                port: smtp.mx_port.unwrap_or(25),
            },
        };
        let dns_servers = raw.dns_servers(&shown)?;
        let policy = &raw.policy;
        let secure_action = match &policy.action {
            None => SecureAction::Portal,
            Some(a) => SecureAction::parse(a).ok_or_else(|| {
                invalid(format!(
                    "[policy] action: '{a}' is not one of deliver, portal, archive, tls, hold, reject"
                ))
            })?,
        };
        let reject_mode = match policy.reject_mode.as_deref() {
            None | Some("inline") => RejectMode::Inline,
            Some("bounce") => RejectMode::Bounce,
            Some(m) => {
                return Err(invalid(format!(
                    "[policy] reject_mode: '{m}' is not inline or bounce"
                )))
            }
        };
        let milter_mode = match raw.milter.mode.as_deref() {
            None | Some("policy") => MilterMode::Policy,
            Some("headers") => MilterMode::Headers,
            Some(m) => {
                return Err(invalid(format!(
                    "[milter] mode: '{m}' is not policy or headers"
                )))
            }
        };
        let milter_listen = raw
            .milter
            .listen
            .as_deref()
            .map(|a| parse_addr(a, "[milter] listen", &shown))
            .transpose()?;
        let http_listen = parse_addr(
            raw.http.listen.as_deref().unwrap_or("127.0.0.1:8080"),
            "[http] listen",
            &shown,
        )?;
        let public_url = raw
            .http
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{http_listen}"));
        let dkim = match (&raw.dkim.domain, &raw.dkim.selector, &raw.dkim.key_file) {
            (Some(d), Some(s), Some(k)) => Some((d.clone(), s.clone(), at(k))),
            (None, None, None) => None,
            _ => {
                return Err(invalid(
                    "[dkim] needs domain, selector and key_file together".into(),
                ))
            }
        };
        let second_factor = match raw.portal.second_factor.as_deref() {
            None => SecondFactorPolicy::SmsIfKnown,
            Some(f) => SecondFactorPolicy::parse(f).ok_or_else(|| {
                invalid(format!(
                    "[portal] second_factor: '{f}' is not one of none, sms_if_known, required, access_code"
                ))
            })?,
        };
        let contact_phones = match &raw.portal.contacts_file {
            Some(file) => read_contacts(&at(file)).map_err(invalid)?,
            None => Default::default(),
        };
        let lease_secs = match raw.delivery.lease_secs {
            None => 600,
            Some(n) if n >= 10 => n,
            Some(_) => {
                return Err(invalid(
                    "[delivery] lease_secs must be at least 10: an attempt must fit in it".into(),
                ))
            }
        };
        let archive_format = match &raw.archive.format {
            None => zegel_archive::Format::SevenZ,
            Some(f) => f
                .parse()
                .map_err(|_| invalid(format!("[archive] format: '{f}' is not 7z or zip")))?,
        };
        let archive_fallback = match raw.archive.fallback.as_deref() {
            None | Some("portal") => SecureAction::Portal,
            Some("hold") => SecureAction::Hold,
            Some("reject") => SecureAction::Reject,
            Some(f) => {
                return Err(invalid(format!(
                    "[archive] fallback: '{f}' is not one of portal, hold, reject"
                )))
            }
        };
        let confirm_within_hours = policy.confirm_within_hours.unwrap_or(72);
        if !(1..=24 * 30).contains(&confirm_within_hours) {
            return Err(invalid(
                "[policy] confirm_within_hours must be from 1 to 720 (30 days)".into(),
            ));
        }
        let delivery = &raw.delivery;
        let max_message_bytes = smtp
            .max_message_mb
            .unwrap_or(50)
            .saturating_mul(1024 * 1024);
        let mut outbound = OutboundConfig {
            hostname: hostname.clone(),
            organization,
            public_url,
            notices_from: format!("zegel@{first_domain}"),
            secure_action,
            reject_mode,
            sender_notice: policy.sender_notice.unwrap_or(true),
            hide_subject: policy.hide_subject.unwrap_or(true),
            confirm_within: Duration::from_secs(confirm_within_hours * 3600),
            portal_expiry: Duration::from_secs(policy.portal_expiry_days.unwrap_or(30) * 86_400),
            second_factor,
            contact_phones,
            read_receipts: raw.portal.read_receipts.unwrap_or(true),
            relay,
            dns_servers,
            lifetime: Duration::from_secs(delivery.lifetime_hours.unwrap_or(120) * 3600),
            retry_base: Duration::from_secs(delivery.retry_base_secs.unwrap_or(60)),
            retry_max: Duration::from_secs(delivery.retry_max_secs.unwrap_or(3600)),
            smtp_timeout: Duration::from_secs(60),
            concurrency: delivery.concurrency.unwrap_or(20),
            lease: Duration::from_secs(lease_secs),
            opportunistic_tls_unverified: true,
            archive_format,
            archive_body_as_document: raw.archive.body_as_document.unwrap_or(true),
            archive_fallback,
            inbound_relay: None,
        };
        let colleagues = match &raw.organization.colleagues_file {
            Some(file) => Colleagues::load(&at(file))
                .map_err(|e| invalid(format!("[organization] colleagues_file: {e}")))?,
            None => Colleagues::default(),
        };
        let inbound_policy =
            |dmarc_reject: Option<bool>,
             dmarc_quarantine: Option<bool>,
             extern_tag: &Option<String>| InboundPolicy {
                authserv_id: hostname.clone(),
                dmarc_reject: dmarc_reject.unwrap_or(true),
                dmarc_quarantine: dmarc_quarantine.unwrap_or(true),
                colleagues: colleagues.clone(),
                extern_tag: extern_tag.clone().filter(|t| !t.trim().is_empty()),
            };
        let m = &raw.milter;
        let milter_inbound = m
            .authenticate
            .unwrap_or(false)
            .then(|| inbound_policy(m.dmarc_reject, m.dmarc_quarantine, &m.extern_tag));
        let i = &raw.inbound;
        let relay_inbound = match &i.deliver_to {
            Some(to) => {
                if raw.organization.internal_domains.is_empty() {
                    return Err(invalid(
                        "[inbound] deliver_to needs [organization] internal_domains: the domains mail is taken in for".into(),
                    ));
                }
                outbound.inbound_relay = Some(relay_host(to, "[inbound] deliver_to", &invalid)?);
                Some(inbound_policy(
                    i.dmarc_reject,
                    i.dmarc_quarantine,
                    &i.extern_tag,
                ))
            }
            None => None,
        };
        let mut portal = portal_config(&raw.portal, &outbound, &invalid)?;
        let login_defaults = zegel_store::LoginLimits::default();
        let login = zegel_store::LoginLimits {
            per_account: raw
                .login
                .failures_per_account
                .unwrap_or(login_defaults.per_account)
                .max(1),
            per_address: raw
                .login
                .failures_per_address
                .unwrap_or(login_defaults.per_address)
                .max(1),
            window_secs: raw
                .login
                .window_minutes
                .map_or(login_defaults.window_secs, |m| m.max(1) * 60),
        };
        portal.login_limits = login;
        let defaults = zegel_portal::listen::Connections::default();
        portal.connections = zegel_portal::listen::Connections {
            max_per_address: raw
                .http
                .max_connections_per_address
                .unwrap_or(defaults.max_per_address)
                .max(1),
            header_timeout: raw
                .http
                .header_timeout_secs
                .map_or(defaults.header_timeout, |s| Duration::from_secs(s.max(1))),
            trusted_proxies: networks(
                raw.http.trusted_proxies.as_deref().unwrap_or_default(),
                "[http] trusted_proxies",
                &invalid,
            )?,
        };
        portal.domain_check = Some(domain_check(
            &raw,
            &first_domain,
            outbound.dns_servers.clone(),
            &at,
            &invalid,
        )?);
        let sms = sms_config(&raw.sms, &data_dir, &at, &invalid)?;
        let staff_oidc = staff_oidc(
            &raw.staff_oidc,
            &raw.organization.internal_domains,
            &invalid,
        )?;
        let retention_years = match raw.audit.retention_years {
            None => zegel_store::AUDIT_RETENTION_YEARS,
            Some(y) if y >= 1 => y as i64,
            Some(_) => return Err(invalid("[audit] retention_years must be at least 1".into())),
        };
        let purge = zegel_store::PurgePolicy {
            keep_after_final_secs: delivery
                .keep_after_final_days
                .map_or(zegel_store::KEEP_AFTER_FINAL_DAYS, |d| d as i64)
                .saturating_mul(86_400),
            audit_retention_secs: zegel_store::years(retention_years),
        };
        Ok(ServeSettings {
            purge,
            purge_every: Duration::from_secs(delivery.purge_every_secs.unwrap_or(300).max(1)),
            portal,
            sms,
            staff_oidc,
            assess,
            data_dir,
            database_url: raw.storage.database_url.clone(),
            key_file,
            blobs,
            smtp_listen,
            relay_networks,
            tls,
            max_message_bytes,
            max_recipients: smtp.max_recipients.unwrap_or(100),
            command_timeout: Duration::from_secs(smtp.command_timeout_secs.unwrap_or(300)),
            max_connections: smtp.max_connections.unwrap_or(500).max(1),
            max_connections_per_address: smtp.max_connections_per_address.unwrap_or(20).max(1),
            send_as,
            unusual_addresses: smtp.unusual_addresses.unwrap_or(false),
            login,
            milter_listen,
            milter_mode,
            milter_inbound,
            relay_inbound,
            http_listen,
            dkim,
            outbound,
        })
    }
}

/// Networks as written (`10.0.0.0/8`, or one address) for the key `key`.
fn networks(
    written: &[String],
    key: &str,
    invalid: &dyn Fn(String) -> ConfigError,
) -> Result<Vec<IpNet>, ConfigError> {
    written
        .iter()
        .map(|n| {
            n.parse::<IpNet>()
                .or_else(|_| n.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| invalid(format!("{key}: '{n}' is not a network like 10.0.0.0/8")))
        })
        .collect()
}

impl ServeSettings {
    /// Opens the store these settings describe: the database and the blob
    /// location, sealed with `kek`.
    pub async fn open_store(&self, kek: Kek) -> Result<Store, StoreError> {
        Store::open_with_blobs(
            &self.data_dir,
            self.database_url.as_deref(),
            &self.blobs,
            kek,
        )
        .await
    }
}

#[cfg(test)]
mod sms_tests {
    use super::*;
    use zegel_outbound::SmsProvider;

    fn load(text: &str) -> Result<ServeSettings, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("zegel.toml");
        std::fs::write(&path, text).unwrap();
        ServeSettings::load(Some(&path)).map_err(|e| e.to_string())
    }

    #[test]
    fn the_example_config_uses_the_outbox_in_the_data_folder() {
        let s = load(include_str!("../zegel.example.toml")).unwrap();
        match &s.sms.provider {
            SmsProvider::Outbox { dir } => assert_eq!(dir, &s.data_dir.join("sms-outbox")),
            other => panic!("{other:?}"),
        }
        assert_eq!(s.sms.sender_name, None);
        let s = load("").unwrap();
        assert!(matches!(s.sms.provider, SmsProvider::Outbox { .. }));
    }

    #[test]
    fn inbound_settings() {
        let off = load("").unwrap();
        assert!(off.relay_inbound.is_none() && off.milter_inbound.is_none());
        assert_eq!(off.outbound.inbound_relay, None);
        let s = load(
            "[organization]\ninternal_domains = [\"zorg.nl\"]\n\
             [inbound]\ndeliver_to = \"mail.zorg.nl\"\ndmarc_quarantine = false\nextern_tag = \"[EXTERN]\"\n",
        )
        .unwrap();
        assert_eq!(
            s.outbound.inbound_relay,
            Some(Relay::Host {
                host: "mail.zorg.nl".into(),
                port: 25
            })
        );
        let policy = s.relay_inbound.unwrap();
        assert!(policy.dmarc_reject && !policy.dmarc_quarantine);
        assert_eq!(policy.extern_tag.as_deref(), Some("[EXTERN]"));
        let e = load("[inbound]\ndeliver_to = \"mail.zorg.nl:25\"\n").unwrap_err();
        assert!(e.contains("internal_domains"), "{e}");
        let e = load("[organization]\ninternal_domains = [\"zorg.nl\"]\n[inbound]\ndeliver_to = \"mail:x\"\n")
            .unwrap_err();
        assert!(e.contains("[inbound] deliver_to: bad port"), "{e}");
        let e = load("[organization]\ncolleagues_file = \"/nonexistent/c.csv\"\n").unwrap_err();
        assert!(e.contains("colleagues_file"), "{e}");
    }

    #[test]
    fn view_cache_time() {
        let example = load(include_str!("../zegel.example.toml")).unwrap();
        assert_eq!(example.portal.view_cache, Duration::from_secs(60));
        assert_eq!(load("").unwrap().portal.view_cache, Duration::from_secs(60));
        let off = load("[portal]\nview_cache_secs = 0\n").unwrap();
        assert!(off.portal.view_cache.is_zero());
        let e = load("[portal]\nview_cache_secs = 86400\n").unwrap_err();
        assert!(e.contains("view_cache_secs"), "{e}");
    }

    #[test]
    fn webhook_settings() {
        let s = load(
            "[sms]\nprovider = \"webhook\"\nwebhook_url = \"https://sms.example/send\"\n\
             webhook_token = \"t0k\"\nwebhook_headers = { X-Api-Key = \"k\" }\n\
             webhook_timeout_secs = 5\nsender_name = \"Zorg NL\"\n",
        )
        .unwrap();
        let SmsProvider::Webhook(w) = &s.sms.provider else {
            panic!("{:?}", s.sms.provider)
        };
        assert_eq!(w.url, "https://sms.example/send");
        assert_eq!(w.token.as_deref(), Some("t0k"));
        assert_eq!(w.headers, [("X-Api-Key".to_string(), "k".to_string())]);
        assert_eq!(w.timeout, Duration::from_secs(5));
        assert_eq!(s.sms.sender_name.as_deref(), Some("Zorg NL"));
        assert!(!format!("{s:?}").contains("t0k"), "no token in Debug");
        let local =
            load("[sms]\nprovider = \"webhook\"\nwebhook_url = \"http://127.0.0.1:9000/sms\"\n");
        assert!(local.is_ok(), "{local:?}");
    }

    #[test]
    fn archive_settings_have_defaults_and_are_checked() {
        let s = load("").unwrap();
        assert_eq!(s.outbound.archive_format, zegel_archive::Format::SevenZ);
        assert!(s.outbound.archive_body_as_document);
        assert_eq!(s.outbound.archive_fallback, SecureAction::Portal);
        let s =
            load("[archive]\nformat = \"zip\"\nbody_as_document = false\nfallback = \"hold\"\n")
                .unwrap();
        assert_eq!(s.outbound.archive_format, zegel_archive::Format::Zip);
        assert!(!s.outbound.archive_body_as_document);
        assert_eq!(s.outbound.archive_fallback, SecureAction::Hold);
        for (text, want) in [
            ("[archive]\nformat = \"rar\"\n", "[archive] format"),
            ("[archive]\nfallback = \"deliver\"\n", "[archive] fallback"),
            ("[archive]\npassword = \"x\"\n", "password"),
        ] {
            let err = load(text).unwrap_err();
            assert!(err.contains(want), "{text}: {err}");
        }
    }

    /// A relative `--config` path: every folder resolved once, against the
    /// file's folder, and absolute (it once gave `cfg/cfg/zegel-data/blobs`).
    #[test]
    fn relative_config_paths_resolve_once() {
        let dir = tempfile::tempdir_in(".").unwrap();
        let name = dir.path().file_name().unwrap();
        let relative = Path::new(name).join("zegel.toml");
        std::fs::write(
            dir.path().join("zegel.toml"),
            "[storage]\ndata_dir = \"data\"\n",
        )
        .unwrap();
        let s = ServeSettings::load(Some(&relative)).unwrap();
        let folder = std::path::absolute(dir.path()).unwrap();
        assert_eq!(s.data_dir, folder.join("data"));
        assert_eq!(s.blobs, BlobLocation::Local(folder.join("data/blobs")));
        std::fs::write(dir.path().join("zegel.toml"), "").unwrap();
        let s = ServeSettings::load(Some(&relative)).unwrap();
        assert_eq!(
            s.blobs,
            BlobLocation::Local(folder.join("zegel-data/blobs"))
        );
        assert!(s.key_file.is_absolute(), "{}", s.key_file.display());
    }

    #[test]
    fn blob_locations() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("zegel.toml");
        std::fs::write(&path, "[storage]\ndata_dir = \"data\"\n").unwrap();
        let s = ServeSettings::load(Some(&path)).unwrap();
        assert_eq!(s.blobs, BlobLocation::Local(dir.path().join("data/blobs")));
        std::fs::write(&path, "[storage]\nblobs = \"big\"\n").unwrap();
        let s = ServeSettings::load(Some(&path)).unwrap();
        assert_eq!(s.blobs, BlobLocation::Local(dir.path().join("big")));

        let s = load(
            "[storage]\nblobs = \"s3://zegel-blobs/node-1\"\n\
             s3_endpoint = \"http://127.0.0.1:9000\"\ns3_region = \"eu-west-1\"\n\
             s3_access_key_id = \"AKIA1\"\ns3_secret_access_key = \"s3cr3t-value\"\n",
        )
        .unwrap();
        let BlobLocation::S3(s3) = &s.blobs else {
            panic!("{:?}", s.blobs)
        };
        assert_eq!(s3.bucket, "zegel-blobs");
        assert_eq!(s3.prefix.as_deref(), Some("node-1"));
        assert_eq!(s3.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(s3.region.as_deref(), Some("eu-west-1"));
        assert_eq!(s3.access_key_id.as_deref(), Some("AKIA1"));
        assert_eq!(s3.secret_access_key.as_deref(), Some("s3cr3t-value"));
        assert!(!format!("{s:?}").contains("s3cr3t"), "no secret in Debug");

        for (text, says) in [
            (
                "[storage]\nblobs = \"s3://Not_A_Bucket\"\n",
                "[storage] blobs",
            ),
            ("[storage]\nblobs = \"gs://zegel\"\n", "[storage] blobs"),
            (
                "[storage]\ns3_region = \"eu-west-1\"\n",
                "s3_region needs blobs",
            ),
            (
                "[storage]\nblobs = \"s3://zegel\"\ns3_endpoint = \"minio:9000\"\n",
                "s3_endpoint",
            ),
            (
                "[storage]\nblobs = \"s3://zegel\"\ns3_access_key_id = \"AKIA1\"\n",
                "go together",
            ),
        ] {
            let e = load(text).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
    }

    #[test]
    fn staff_oidc_settings() {
        assert!(load("").unwrap().staff_oidc.is_none());
        assert!(load(include_str!("../zegel.example.toml"))
            .unwrap()
            .staff_oidc
            .is_none());
        let s = load(
            "[staff_oidc]\nissuer = \"https://login.zorg.nl/realms/zorg\"\n\
             client_id = \"zegel\"\nclient_secret = \"oidc-s3cr3t\"\n",
        )
        .unwrap();
        let c = s.staff_oidc.as_ref().unwrap();
        assert_eq!(c.issuer, "https://login.zorg.nl/realms/zorg");
        assert_eq!(
            (c.client_id.as_str(), c.client_secret.as_str()),
            ("zegel", "oidc-s3cr3t")
        );
        assert_eq!(c.scopes, ["email"]);
        assert_eq!(c.email_claim, "email");
        assert_eq!(c.label, "OpenID Connect");
        assert!(c.refuse_unknown);
        assert!(
            !format!("{s:?}").contains("oidc-s3cr3t"),
            "no secret in Debug"
        );

        let s = load(
            "[organization]\ninternal_domains = [\"Zorg.nl\", \"zorg.be\"]\n\
             [staff_oidc]\nissuer = \"http://127.0.0.1:9400\"\nclient_id = \"zegel\"\n\
             client_secret = \"x\"\nscopes = [\"openid\", \"email\", \"profile\"]\n\
             email_claim = \"upn\"\nlabel = \"Entra ID\"\nrefuse_unknown = false\n",
        )
        .unwrap();
        let c = s.staff_oidc.unwrap();
        assert_eq!(c.scopes, ["email", "profile"], "openid is always asked");
        assert_eq!(c.email_claim, "upn");
        assert_eq!(c.label, "Entra ID");
        assert!(!c.refuse_unknown);

        let base =
            "issuer = \"https://id.zorg.nl\"\nclient_id = \"zegel\"\nclient_secret = \"x\"\n";
        for (text, says) in [
            ("client_id = \"zegel\"\n".to_string(), "[staff_oidc] client_id needs issuer"),
            ("refuse_unknown = false\n".to_string(), "refuse_unknown needs issuer"),
            ("issuer = \"https://id.zorg.nl\"\nclient_secret = \"x\"\n".to_string(), "needs client_id"),
            ("issuer = \"https://id.zorg.nl\"\nclient_id = \"zegel\"\nclient_secret = \" \"\n".to_string(), "needs client_secret"),
            ("issuer = \"http://id.zorg.nl\"\nclient_id = \"z\"\nclient_secret = \"x\"\n".to_string(), "must start with https://"),
            ("issuer = \"http://localhost.evil.example\"\nclient_id = \"z\"\nclient_secret = \"x\"\n".to_string(), "must start with https://"),
            ("issuer = \"https://id.zorg.nl/?x=1\"\nclient_id = \"z\"\nclient_secret = \"x\"\n".to_string(), "query or fragment"),
            (format!("{base}scopes = [\"email profile\"]\n"), "[staff_oidc] scopes"),
            (format!("{base}email_claim = \"\"\n"), "[staff_oidc] email_claim"),
            (format!("{base}label = \"\"\n"), "[staff_oidc] label"),
            (format!("{base}label = \"{}\"\n", "x".repeat(61)), "[staff_oidc] label"),
            (format!("{base}refuse_unknown = false\n"), "needs [organization] internal_domains"),
            (format!("{base}client_secret_file = \"s\"\n"), "unknown field"),
        ] {
            let e = load(&format!("[staff_oidc]\n{text}")).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
    }

    #[test]
    fn bad_sms_settings_are_named() {
        for (text, says) in [
            ("[sms]\nprovider = \"carrier-pigeon\"\n", "[sms] provider"),
            ("[sms]\nprovider = \"webhook\"\n", "needs webhook_url"),
            (
                "[sms]\nprovider = \"webhook\"\nwebhook_url = \"http://sms.example/send\"\n",
                "must start with https://",
            ),
            (
                "[sms]\nprovider = \"webhook\"\nwebhook_url = \"http://localhost.evil.example/\"\n",
                "must start with https://",
            ),
            ("[sms]\nsender_name = \"Huisartsenpraktijk\"\n", "[sms] sender_name"),
            (
                "[sms]\nprovider = \"webhook\"\nwebhook_url = \"https://s.example\"\nwebhook_timeout_secs = 0\n",
                "webhook_timeout_secs",
            ),
            ("[sms]\nwebhook_secret = \"x\"\n", "unknown field"),
        ] {
            let e = load(text).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
    }
}
