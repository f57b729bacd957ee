//! `zegel check-domain DOMAIN`: how well a mail domain is set up (see
//! `zegel_domaincheck`): the report as text (Dutch or English) or as one
//! JSON object.

use crate::config::RawConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use std::path::{Path, PathBuf};
use std::time::Duration;
use zegel_assess::Lang;
use zegel_domaincheck::{Probe, Trust};

/// The command's options.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// The mail domain (the part after @).
    #[arg(value_name = "DOMAIN")]
    pub domain: String,
    /// The configuration file (zegel.toml): [dns] servers, [dkim] selector.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The report as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Language of the text: nl (default) or en.
    #[arg(long, default_value = "nl", value_name = "nl|en")]
    pub lang: Lang,
    /// A DKIM selector in use (the s= of your signatures); repeatable.
    #[arg(long = "dkim-selector", value_name = "SELECTOR")]
    pub dkim_selectors: Vec<String>,
    /// SMTP port of the MX hosts (a lab or a test).
    #[arg(long, default_value_t = 25, value_name = "PORT")]
    pub smtp_port: u16,
    /// HTTPS port of the MTA-STS policy host (a lab or a test).
    #[arg(long, default_value_t = 443, value_name = "PORT")]
    pub https_port: u16,
    /// Trust only the CA certificates in this PEM file, not the system's.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Seconds allowed per step (DNS query, connection, handshake, fetch).
    #[arg(long = "timeout", default_value_t = 10, value_name = "SECS")]
    pub timeout_secs: u64,
}

/// The certificates of a PEM file (`--ca-file`, `[domain_check] ca_file`).
pub(crate) fn roots(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("--ca-file {}: {e}", path.display()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("--ca-file {}: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("--ca-file {}: no certificates", path.display()));
    }
    Ok(certs)
}

/// Runs the check and prints the report. Err: the input or the
/// configuration could not be used (exit status 2); a report, whatever its
/// score, is Ok.
pub fn run(options: Options) -> Result<(), String> {
    let (raw, shown) = RawConfig::read(options.config.as_deref()).map_err(|e| e.to_string())?;
    let dns_servers = raw.dns_servers(&shown).map_err(|e| e.to_string())?;
    let mut dkim_selectors = options.dkim_selectors.clone();
    if let (Some(domain), Some(selector)) = (&raw.dkim.domain, &raw.dkim.selector) {
        let wanted = options.domain.trim().trim_end_matches('.');
        if domain.eq_ignore_ascii_case(wanted) {
            dkim_selectors.push(selector.clone());
        }
    }
    let trust = match &options.ca_file {
        Some(path) => Trust::Roots(roots(path)?),
        None => Trust::System,
    };
    if options.timeout_secs == 0 {
        return Err("--timeout must be at least 1 second".into());
    }
    let probe = Probe {
        dns_servers,
        smtp_port: options.smtp_port,
        https_port: options.https_port,
        timeout: Duration::from_secs(options.timeout_secs),
        trust,
        dkim_selectors,
        ..Probe::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let report = runtime
        .block_on(zegel_domaincheck::check_domain(&options.domain, &probe))
        .map_err(|e| e.to_string())?;
    if options.json {
        let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        println!("{json}");
    } else {
        let lang = match options.lang {
            Lang::Nl => zegel_domaincheck::Lang::Nl,
            Lang::En => zegel_domaincheck::Lang::En,
        };
        print!("{}", zegel_domaincheck::render(&report, lang));
    }
    Ok(())
}
