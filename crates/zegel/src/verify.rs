//! `zegel verify FILE.eml`: the inbound checks of one received message (SPF,
//! each DKIM signature, DMARC, ARC, all by mail-auth through
//! `zegel_mailauth`): each check's result and why, and the
//! `Authentication-Results` header zegel would add.

use crate::config::RawConfig;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use zegel_assess::Lang;
use zegel_mailauth::{DnsConfig, DnsResolver, Report};

/// The command's options.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// The message (.eml), or - for standard input.
    #[arg(value_name = "FILE.eml")]
    pub file: PathBuf,
    /// The address of the SMTP client that sent it (SPF needs it).
    #[arg(long = "client-ip", value_name = "IP")]
    pub client_ip: Option<std::net::IpAddr>,
    /// The name the client gave in HELO/EHLO.
    #[arg(long, value_name = "NAME")]
    pub helo: Option<String>,
    /// The envelope sender (MAIL FROM).
    #[arg(long = "mail-from", value_name = "ADDR")]
    pub mail_from: Option<String>,
    /// The configuration file (zegel.toml): [dns] servers, [smtp] hostname.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Language of the reasons: nl (default) or en.
    #[arg(long, default_value = "nl", value_name = "nl|en")]
    pub lang: Lang,
    /// One JSON object.
    #[arg(long)]
    pub json: bool,
}

fn read(file: &PathBuf) -> Result<Vec<u8>, String> {
    if file.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        Ok(buf)
    } else {
        std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))
    }
}

/// LF line ends as CRLF (a saved .eml often has bare LF; signatures are
/// made over CRLF).
fn crlf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 40);
    for (i, &b) in raw.iter().enumerate() {
        if b == b'\n' && (i == 0 || raw[i - 1] != b'\r') {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// Runs the checks and prints them. Err: the input or the configuration
/// could not be used (exit status 2). Whatever the results, a report is Ok.
pub fn run(options: Options) -> Result<(), String> {
    let (raw_config, shown) =
        RawConfig::read(options.config.as_deref()).map_err(|e| e.to_string())?;
    let servers = raw_config.dns_servers(&shown).map_err(|e| e.to_string())?;
    let authserv_id = raw_config
        .smtp
        .hostname
        .clone()
        .unwrap_or_else(|| "localhost".to_string());
    let message = crlf(&read(&options.file)?);
    let resolver = DnsResolver::new(&DnsConfig::servers(servers)).map_err(|e| e.to_string())?;
    // Without the client's address SPF cannot be checked: no identity is
    // given to it, and it reports `none`.
    let (client_ip, helo, mail_from) = match options.client_ip {
        Some(ip) => (
            ip,
            options.helo.clone().unwrap_or_default(),
            options.mail_from.clone().unwrap_or_default(),
        ),
        None => (
            IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            String::new(),
            String::new(),
        ),
    };
    let runtime = crate::cli_runtime()?;
    let report = runtime
        .block_on(zegel_mailauth::verify_message(
            &message, client_ip, &helo, &mail_from, &resolver,
        ))
        .map_err(|e| format!("{}: {e}", options.file.display()))?;
    let lang = match options.lang {
        Lang::Nl => zegel_mailauth::Lang::Nl,
        Lang::En => zegel_mailauth::Lang::En,
    };
    let header = report.authentication_results(&authserv_id);
    if options.json {
        println!("{}", json(&options, &report, lang, &header));
    } else {
        print!("{}", text(&options, &report, lang, &header));
    }
    Ok(())
}

fn spf_reason(options: &Options, report: &Report, lang: zegel_mailauth::Lang) -> String {
    match (options.client_ip, lang) {
        (None, zegel_mailauth::Lang::Nl) => {
            "niet gecontroleerd: geef het adres van de verzendende server met --client-ip".into()
        }
        (None, zegel_mailauth::Lang::En) => {
            "not checked: give the sending server's address with --client-ip".into()
        }
        (Some(_), _) => report.spf.reason(lang),
    }
}

fn text(options: &Options, report: &Report, lang: zegel_mailauth::Lang, header: &str) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "SPF:   {} — {}\n",
        report.spf.outcome,
        spf_reason(options, report, lang)
    ));
    if report.dkim.is_empty() {
        let none = match lang {
            zegel_mailauth::Lang::Nl => "geen DKIM-handtekening",
            zegel_mailauth::Lang::En => "no DKIM signature",
        };
        out.push_str(&format!("DKIM:  none — {none}\n"));
    }
    for dkim in &report.dkim {
        out.push_str(&format!(
            "DKIM:  {} (d={} s={} a={}) — {}\n",
            dkim.outcome,
            dkim.domain,
            dkim.selector,
            dkim.algorithm,
            dkim.reason(lang)
        ));
    }
    out.push_str(&format!(
        "DMARC: {} — {}\n",
        report.dmarc.outcome,
        report.dmarc.reason(lang)
    ));
    out.push_str(&format!(
        "ARC:   {} — {}\n",
        report.arc.outcome,
        report.arc.reason(lang)
    ));
    out.push_str(&format!("\nAuthentication-Results: {header}\n"));
    out
}

fn json(options: &Options, report: &Report, lang: zegel_mailauth::Lang, header: &str) -> String {
    let value = serde_json::json!({
        "file": options.file.display().to_string(),
        "spf": {
            "result": report.spf.outcome.as_str(),
            "identity": report.spf.identity.as_str(),
            "domain": report.spf.domain,
            "reason": spf_reason(options, report, lang),
        },
        "dkim": report.dkim.iter().map(|d| serde_json::json!({
            "result": d.outcome.as_str(),
            "domain": d.domain,
            "selector": d.selector,
            "algorithm": d.algorithm,
            "reason": d.reason(lang),
        })).collect::<Vec<_>>(),
        "dmarc": {
            "result": report.dmarc.outcome.as_str(),
            "from_domain": report.dmarc.from_domain,
            "policy": report.dmarc.policy.map(|p| p.as_str()),
            "reason": report.dmarc.reason(lang),
        },
        "arc": {
            "result": report.arc.outcome.as_str(),
            "sets": report.arc.sets,
            "reason": report.arc.reason(lang),
        },
        "authentication_results": header,
    });
    value.to_string()
}
