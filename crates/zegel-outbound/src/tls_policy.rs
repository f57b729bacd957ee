//! Verified TLS to a recipient domain, for the policy action `tls`: does
//! the domain promise that its mail servers take mail only over TLS with a
//! valid certificate? Today that is MTA-STS (RFC 8461) in mode `enforce`.
//!
//! - Discovery: the TXT record `_mta-sts.<domain>` (`v=STSv1; id=…`), then
//!   `https://mta-sts.<domain>/.well-known/mta-sts.txt` over HTTPS with a
//!   certificate valid for that name (no redirects, `200` and `text/plain`
//!   only, at most 64 KiB, up to four addresses: zegel-net's
//!   `mta_sts::fetch_policy`, which the domain check shares), parsed by
//!   [`StsPolicy::parse`].
//! - Cache: per domain, for the policy's `max_age`; an unchanged `id` in DNS
//!   keeps the cached policy; a failed lookup or fetch keeps an unexpired
//!   cached one (RFC 8461 section 5.1), so an attacker who blocks DNS or
//!   HTTPS cannot switch a known policy off.
//! - Every DNS lookup and the fetch have a timeout; any failure means "no
//!   policy" (the `tls` action then falls back to the portal), never a panic
//!   or a hang.
//! - Delivery ([`crate::send`]) asks again for the policy, takes only MX
//!   hosts matching its `mx` patterns ([`StsPolicy::matches_mx`]) and sends
//!   only after STARTTLS with a certificate valid for the MX name
//!   ([`MtaSts::smtp_connector`]).
//!
//! DANE (RFC 7672) is not built: it needs DNSSEC-validated TLSA answers
//! (a validating resolver with trust anchors) and a certificate check
//! against the TLSA records; without validation it would add nothing an
//! attacker on the path could not forge.
//!
//! Trust: the system's certificates ([`Trust::System`]) or, for tests, a
//! given root store ([`Trust::Roots`]); DNS: the resolvers of
//! `[smtp] dns_servers` or the system's.

use crate::config::{OutboundConfig, Relay, SecureAction};
use crate::Outbound;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::TokioResolver;
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_rustls::TlsConnector;
use zegel_assess::recipients::DomainClass;
use zegel_assess::Verdict;
use zegel_mtasts::{clip, is_domain};
pub use zegel_mtasts::{mx_matches, parse_sts_record, StsMode, StsPolicy, MAX_AGE_LIMIT};

/// Why a domain does not take verified TLS by MTA-STS now (a reason for
/// the log and for a deferred delivery).
#[derive(Debug, thiserror::Error)]
pub enum StsLookupError {
    /// The domain is not a host name.
    #[error("not a domain name: {0:?}")]
    NotADomain(String),
    /// A DNS lookup (`what`: MX, TXT) did not answer in time.
    #[error("{what} lookup for {name} timed out")]
    LookupTimeout {
        /// The record type.
        what: &'static str,
        /// The name asked for.
        name: String,
    },
    /// A DNS lookup failed.
    #[error("{what} lookup for {name}: {reason}")]
    Lookup {
        /// The record type.
        what: &'static str,
        /// The name asked for.
        name: String,
        /// The resolver's error.
        reason: String,
    },
    /// The domain publishes no `_mta-sts` record.
    #[error("no MTA-STS record for {0}")]
    NoRecord(String),
    /// More than one `_mta-sts` record: no policy (RFC 8461 section 3.1).
    #[error("{count} MTA-STS records for {domain}")]
    ManyRecords {
        /// The domain.
        domain: String,
        /// How many.
        count: usize,
    },
    /// The `_mta-sts` record is malformed.
    #[error("MTA-STS record of {domain}: {source}")]
    BadRecord {
        /// The domain.
        domain: String,
        /// What is wrong with it.
        source: zegel_mtasts::StsError,
    },
    /// The policy host's address could not be looked up.
    #[error("address of {host}: {reason}")]
    PolicyHost {
        /// `mta-sts.<domain>`.
        host: String,
        /// The resolver's error.
        reason: String,
    },
    /// The policy file could not be fetched.
    #[error(transparent)]
    Fetch(#[from] zegel_net::mta_sts::FetchError),
    /// The fetch did not finish in time.
    #[error("policy fetch from mta-sts.{domain} timed out after {millis} ms")]
    FetchTimeout {
        /// The domain.
        domain: String,
        /// The time allowed.
        millis: u128,
    },
    /// The policy file is malformed.
    #[error("policy from {host}: {source}")]
    BadPolicy {
        /// `mta-sts.<domain>`.
        host: String,
        /// What is wrong with it.
        source: zegel_mtasts::StsError,
    },
    /// The policy is in mode `testing` or `none`: not enough for `tls`.
    #[error("MTA-STS policy in mode {0}")]
    NotEnforced(&'static str),
    /// None of the domain's MX hosts is in its policy.
    #[error("no MX of {domain} ({hosts}) is in its MTA-STS policy")]
    NoMatchingMx {
        /// The domain.
        domain: String,
        /// Its MX hosts, comma-separated.
        hosts: String,
    },
}

/// Domains kept in the cache before expired ones are swept out.
const CACHE_LIMIT: usize = 10_000;

/// Which certificates are trusted (policy host and MX host alike).
#[derive(Debug, Clone)]
pub enum Trust {
    /// The operating system's trusted roots.
    System,
    /// Exactly these roots (tests: a test CA).
    Roots(Arc<rustls::RootCertStore>),
}

impl Trust {
    fn client_config(&self) -> Result<Arc<rustls::ClientConfig>, rustls::Error> {
        let builder = zegel_net::tls::client_builder()?;
        let config = match self {
            Trust::System => {
                rustls_platform_verifier::BuilderVerifierExt::with_platform_verifier(builder)?
                    .with_no_client_auth()
            }
            Trust::Roots(roots) => builder
                .with_root_certificates(roots.clone())
                .with_no_client_auth(),
        };
        Ok(Arc::new(config))
    }
}

struct Cached {
    policy: Arc<StsPolicy>,
    expires: Instant,
}

/// MTA-STS discovery with a cache, and the TLS settings delivery must use
/// for it. Shared by acceptance (does this domain take verified TLS?) and
/// delivery (which MX hosts, which certificate).
pub struct MtaSts {
    resolver: TokioResolver,
    https: Arc<rustls::ClientConfig>,
    smtp: TlsConnector,
    timeout: Duration,
    https_port: u16,
    cache: Mutex<HashMap<String, Cached>>,
}

impl std::fmt::Debug for MtaSts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MtaSts")
            .field("timeout", &self.timeout)
            .field("https_port", &self.https_port)
            .finish_non_exhaustive()
    }
}

impl MtaSts {
    /// Discovery through `dns_servers` (empty: the system's resolvers),
    /// trusting `trust`; 10 seconds per step.
    pub fn new(dns_servers: &[SocketAddr], trust: Trust) -> Result<MtaSts, crate::OutboundError> {
        let tls = trust
            .client_config()
            .map_err(|e| crate::OutboundError::Tls(e.to_string()))?;
        Ok(MtaSts {
            resolver: crate::send::resolver(dns_servers)?,
            https: tls.clone(),
            smtp: TlsConnector::from(tls),
            timeout: Duration::from_secs(10),
            https_port: 443,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// The checker `zegel serve` uses: system roots, the configured DNS.
    /// None with a relay host (zegel does not make the last hop then) or
    /// when no resolver can be built (logged): `tls` then always falls
    /// back to the portal.
    pub fn for_config(config: &OutboundConfig) -> Option<Arc<MtaSts>> {
        if !matches!(config.relay, Relay::Mx { .. }) {
            return None;
        }
        match MtaSts::new(&config.dns_servers, Trust::System) {
            Ok(m) => Some(Arc::new(m)),
            Err(e) => {
                tracing::warn!(error = %e, "MTA-STS unavailable; the tls action falls back to the portal");
                None
            }
        }
    }

    /// Time allowed for each step (DNS lookup, policy fetch).
    pub fn with_timeout(mut self, timeout: Duration) -> MtaSts {
        self.timeout = timeout;
        self
    }

    /// The port of the policy host (443; tests use another).
    pub fn with_https_port(mut self, port: u16) -> MtaSts {
        self.https_port = port;
        self
    }

    /// The TLS connector for deliveries that require verified TLS.
    pub fn smtp_connector(&self) -> &TlsConnector {
        &self.smtp
    }

    /// The domain's policy if it is in mode `enforce`; otherwise why not.
    pub async fn enforced(&self, domain: &str) -> Result<Arc<StsPolicy>, StsLookupError> {
        let policy = self.policy(domain).await?;
        match policy.mode {
            StsMode::Enforce => Ok(policy),
            StsMode::Testing => Err(StsLookupError::NotEnforced("testing")),
            StsMode::None => Err(StsLookupError::NotEnforced("none")),
        }
    }

    /// Whether mail to `domain` can go over verified TLS now: its policy
    /// is in mode `enforce` and at least one of its MX hosts matches it
    /// (a domain whose MX hosts all fall outside its own policy could only
    /// be retried until the mail bounces).
    pub async fn verified(&self, domain: &str) -> Result<Arc<StsPolicy>, StsLookupError> {
        let policy = self.enforced(domain).await?;
        let hosts = self.mx_hosts(domain).await?;
        if hosts.iter().any(|h| policy.matches_mx(h)) {
            Ok(policy)
        } else {
            Err(StsLookupError::NoMatchingMx {
                domain: domain.to_string(),
                hosts: hosts.join(", "),
            })
        }
    }

    /// The MX host names of `domain` (the domain itself without MX records).
    async fn mx_hosts(&self, domain: &str) -> Result<Vec<String>, StsLookupError> {
        let name = format!("{}.", domain.trim_end_matches('.'));
        match tokio::time::timeout(self.timeout, self.resolver.lookup(name, RecordType::MX)).await {
            Err(_) => Err(StsLookupError::LookupTimeout {
                what: "MX",
                name: domain.to_string(),
            }),
            Ok(Err(e)) if e.is_no_records_found() => Ok(vec![domain.to_string()]),
            Ok(Err(e)) => Err(StsLookupError::Lookup {
                what: "MX",
                name: domain.to_string(),
                reason: e.to_string(),
            }),
            Ok(Ok(lookup)) => Ok(lookup
                .answers()
                .iter()
                .filter_map(|r| match &r.data {
                    RData::MX(mx) => Some(mx.exchange.to_utf8().trim_end_matches('.').to_string()),
                    _ => None,
                })
                .filter(|h| !h.is_empty())
                .collect()),
        }
    }

    /// The domain's current policy, any mode (see the module doc).
    pub async fn policy(&self, domain: &str) -> Result<Arc<StsPolicy>, StsLookupError> {
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        if !is_domain(&domain) {
            return Err(StsLookupError::NotADomain(clip(&domain)));
        }
        let cached = self.cached(&domain);
        let id = match self.txt_id(&domain).await {
            Ok(id) => id,
            Err(e) => return cached.ok_or(e),
        };
        if let Some(c) = cached.as_ref().filter(|c| c.id == id) {
            return Ok(c.clone());
        }
        let fetched = match tokio::time::timeout(self.timeout, self.fetch(&domain)).await {
            Ok(r) => r,
            Err(_) => Err(StsLookupError::FetchTimeout {
                domain: domain.clone(),
                millis: self.timeout.as_millis(),
            }),
        };
        match fetched {
            Ok(mut policy) => {
                policy.id = id;
                let policy = Arc::new(policy);
                self.store(&domain, policy.clone());
                tracing::info!(domain = %domain, id = %policy.id, mode = ?policy.mode, mx = ?policy.mx, "MTA-STS policy fetched");
                Ok(policy)
            }
            Err(e) => {
                tracing::info!(domain = %domain, error = %e, "MTA-STS policy fetch failed");
                cached.ok_or(e)
            }
        }
    }

    fn cached(&self, domain: &str) -> Option<Arc<StsPolicy>> {
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .get(domain)
            .filter(|c| c.expires > Instant::now())
            .map(|c| c.policy.clone())
    }

    fn store(&self, domain: &str, policy: Arc<StsPolicy>) {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= CACHE_LIMIT {
            let now = Instant::now();
            cache.retain(|_, c| c.expires > now);
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
        }
        let expires = Instant::now() + Duration::from_secs(policy.max_age);
        cache.insert(domain.to_string(), Cached { policy, expires });
    }

    /// The `id` of the domain's one MTA-STS TXT record.
    async fn txt_id(&self, domain: &str) -> Result<String, StsLookupError> {
        let name = format!("_mta-sts.{domain}.");
        let lookup =
            match tokio::time::timeout(self.timeout, self.resolver.lookup(name, RecordType::TXT))
                .await
            {
                Err(_) => {
                    return Err(StsLookupError::LookupTimeout {
                        what: "TXT",
                        name: format!("_mta-sts.{domain}"),
                    })
                }
                Ok(Err(e)) if e.is_no_records_found() => {
                    return Err(StsLookupError::NoRecord(domain.to_string()))
                }
                Ok(Err(e)) => {
                    return Err(StsLookupError::Lookup {
                        what: "TXT",
                        name: format!("_mta-sts.{domain}"),
                        reason: e.to_string(),
                    })
                }
                Ok(Ok(l)) => l,
            };
        let records: Vec<String> = lookup
            .answers()
            .iter()
            .filter_map(|r| match &r.data {
                RData::TXT(txt) => Some(
                    txt.txt_data
                        .iter()
                        .map(|s| String::from_utf8_lossy(s))
                        .collect::<String>(),
                ),
                _ => None,
            })
            .filter(|t| t.starts_with("v=STSv1"))
            .collect();
        match records.as_slice() {
            [one] => parse_sts_record(one).map_err(|source| StsLookupError::BadRecord {
                domain: domain.to_string(),
                source,
            }),
            [] => Err(StsLookupError::NoRecord(domain.to_string())),
            _ => Err(StsLookupError::ManyRecords {
                domain: domain.to_string(),
                count: records.len(),
            }),
        }
    }

    /// Fetches and parses the policy file (no timeout here: the caller's).
    async fn fetch(&self, domain: &str) -> Result<StsPolicy, StsLookupError> {
        let host = format!("mta-sts.{domain}");
        let addresses: Vec<std::net::IpAddr> = self
            .resolver
            .lookup_ip(format!("{host}."))
            .await
            .map_err(|e| StsLookupError::PolicyHost {
                host: host.clone(),
                reason: e.to_string(),
            })?
            .iter()
            .collect();
        let text = zegel_net::mta_sts::fetch_policy(
            &host,
            &addresses,
            self.https_port,
            self.https.clone(),
        )
        .await?;
        StsPolicy::parse(&text).map_err(|source| StsLookupError::BadPolicy { host, source })
    }
}

impl Outbound {
    /// Uses `mta_sts` for the `tls` action and for deliveries that require
    /// verified TLS (instead of the one [`MtaSts::for_config`] made; `None`:
    /// no domain counts as supporting verified TLS).
    pub fn with_mta_sts(mut self, mta_sts: Option<Arc<MtaSts>>) -> Outbound {
        self.mta_sts = mta_sts;
        self
    }

    /// For the `tls` action: the external recipient domains (lower case)
    /// that enforce MTA-STS now, with an MX host their policy names. Empty for normal mail, other actions, or
    /// without a checker. Lookups run side by side, each bounded in time.
    pub(crate) async fn verified_tls_domains(
        &self,
        verdict: Verdict,
        action: SecureAction,
        recipients: &[String],
        domains: &zegel_assess::Domains,
    ) -> HashSet<String> {
        let mut out = HashSet::new();
        let Some(mta_sts) = &self.mta_sts else {
            return out;
        };
        if verdict != Verdict::Secure || action != SecureAction::Tls {
            return out;
        }
        let wanted: HashSet<String> = recipients
            .iter()
            .filter_map(|r| r.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase()))
            .filter(|d| domains.classify(d) != DomainClass::Internal)
            .collect();
        let mut lookups = tokio::task::JoinSet::new();
        for domain in wanted {
            let mta_sts = mta_sts.clone();
            lookups.spawn(async move {
                let answer = mta_sts.verified(&domain).await;
                (domain, answer)
            });
        }
        while let Some(joined) = lookups.join_next().await {
            match joined {
                Ok((domain, Ok(policy))) => {
                    tracing::info!(domain = %domain, mx = ?policy.mx, "verified TLS: MTA-STS enforce");
                    out.insert(domain);
                }
                Ok((domain, Err(why))) => {
                    tracing::info!(domain = %domain, reason = %why, "no verified TLS; the portal instead");
                }
                Err(e) => tracing::warn!(error = %e, "MTA-STS lookup failed"),
            }
        }
        out
    }
}
