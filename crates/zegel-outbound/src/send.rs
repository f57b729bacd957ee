//! One SMTP delivery: to the smarthost or the recipient domain's MX, with
//! STARTTLS whenever the peer offers it. A delivery that requires TLS (the
//! `tls` action) goes only to MX hosts its domain's MTA-STS policy (in
//! mode `enforce`, looked up again now) names, only after STARTTLS with a
//! certificate valid for the MX name; otherwise it fails for now, to be
//! retried: never in the clear.

use crate::config::{OutboundConfig, Relay};
use crate::connections::{Connection, ConnectionCache};
use crate::error::OutboundError;
use crate::tls_policy::{MtaSts, StsPolicy};
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig};
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::TokioResolver;
use mail_send::smtp::message::Parameters;
use mail_send::smtp::AssertReply;
use mail_send::SmtpClient;
use smtp_proto::EXT_START_TLS;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsConnector;

/// Why one attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The peer said no for good (5xx): bounce.
    Permanent(String),
    /// Try again later (4xx, network, timeout).
    Temporary(String),
}

/// Sends over SMTP; holds the DNS resolver and TLS connectors.
pub struct Sender {
    config: Arc<OutboundConfig>,
    resolver: Option<TokioResolver>,
    verified: TlsConnector,
    unverified: TlsConnector,
    mta_sts: Option<Arc<MtaSts>>,
    connections: ConnectionCache,
}

impl Sender {
    /// A sender for `config`.
    pub fn new(config: Arc<OutboundConfig>) -> Result<Sender, OutboundError> {
        let resolver = match config.relay {
            Relay::Host { .. } => None,
            Relay::Mx { .. } => Some(resolver(&config.dns_servers)?),
        };
        Ok(Sender {
            verified: mail_send::smtp::tls::build_tls_connector(false)
                .map_err(OutboundError::Tls)?,
            unverified: mail_send::smtp::tls::build_tls_connector(true)
                .map_err(OutboundError::Tls)?,
            resolver,
            config,
            mta_sts: None,
            connections: ConnectionCache::default(),
        })
    }

    /// Uses `mta_sts` for deliveries that require verified TLS (without
    /// one they cannot be made and are retried).
    pub fn with_mta_sts(mut self, mta_sts: Option<Arc<MtaSts>>) -> Sender {
        self.mta_sts = mta_sts;
        self
    }

    /// The MTA-STS policy a verified-TLS delivery to `rcpt` must follow.
    async fn required_policy(&self, rcpt: &str) -> Result<Arc<StsPolicy>, SendError> {
        if !matches!(self.config.relay, Relay::Mx { .. }) {
            return Err(SendError::Temporary(
                "verified TLS needs MX delivery, but relay_host is set".into(),
            ));
        }
        let Some(mta_sts) = &self.mta_sts else {
            return Err(SendError::Temporary(
                "verified TLS required, but MTA-STS is unavailable".into(),
            ));
        };
        let domain = rcpt
            .rsplit_once('@')
            .map(|(_, d)| d)
            .ok_or_else(|| SendError::Permanent(format!("no domain in {rcpt}")))?;
        mta_sts
            .enforced(domain)
            .await
            .map_err(|e| SendError::Temporary(format!("verified TLS required, but {domain}: {e}")))
    }

    /// Delivers `message` from `mail_from` to `rcpt` by `relay` (the
    /// configured relay host or MX delivery, or the inbound next hop).
    pub async fn send_via(
        &self,
        relay: &Relay,
        mail_from: &str,
        rcpt: &str,
        message: &[u8],
        require_tls: bool,
    ) -> Result<(), SendError> {
        let policy = match require_tls {
            true => Some(self.required_policy(rcpt).await?),
            false => None,
        };
        let mut last = SendError::Temporary("no mail host found".into());
        for (host, addr) in self.targets(relay, rcpt).await? {
            if policy.as_ref().is_some_and(|p| !p.matches_mx(&host)) {
                tracing::warn!(host = %host, "MX not in the MTA-STS policy; not used");
                last = SendError::Temporary(format!(
                    "MX {host} is not in the recipient domain's MTA-STS policy"
                ));
                continue;
            }
            match self
                .send_to(&host, addr, mail_from, rcpt, message, require_tls)
                .await
            {
                Ok(()) => return Ok(()),
                Err(e @ SendError::Permanent(_)) => return Err(e),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// The hosts to try, in order.
    async fn targets(
        &self,
        relay: &Relay,
        rcpt: &str,
    ) -> Result<Vec<(String, SocketAddr)>, SendError> {
        let (hosts, port) = match relay {
            Relay::Host { host, port } => (vec![host.clone()], *port),
            Relay::Mx { port } => {
                let domain = rcpt
                    .rsplit_once('@')
                    .map(|(_, d)| d)
                    .ok_or_else(|| SendError::Permanent(format!("no domain in {rcpt}")))?;
                (self.mx_hosts(domain).await?, *port)
            }
        };
        let mut out = Vec::new();
        for host in hosts {
            let addrs: Vec<SocketAddr> = match host.parse::<std::net::IpAddr>() {
                Ok(ip) => vec![SocketAddr::new(ip, port)],
                Err(_) => match &self.resolver {
                    Some(r) => match r.lookup_ip(host.as_str()).await {
                        Ok(ips) => ips.iter().map(|ip| SocketAddr::new(ip, port)).collect(),
                        Err(_) => Vec::new(),
                    },
                    None => tokio::net::lookup_host((host.as_str(), port))
                        .await
                        .map(|a| a.collect())
                        .unwrap_or_default(),
                },
            };
            out.extend(addrs.into_iter().map(|a| (host.clone(), a)));
        }
        if out.is_empty() {
            return Err(SendError::Temporary("mail host has no address".into()));
        }
        Ok(out)
    }

    async fn mx_hosts(&self, domain: &str) -> Result<Vec<String>, SendError> {
        let Some(resolver) = &self.resolver else {
            return Ok(vec![domain.to_string()]);
        };
        match resolver.lookup(format!("{domain}."), RecordType::MX).await {
            Ok(lookup) => {
                let mut records: Vec<(u16, String)> = lookup
                    .answers()
                    .iter()
                    .filter_map(|r| match &r.data {
                        RData::MX(mx) => Some((
                            mx.preference,
                            mx.exchange.to_utf8().trim_end_matches('.').to_string(),
                        )),
                        _ => None,
                    })
                    .collect();
                records.sort();
                if records.len() == 1 && records[0].1.is_empty() {
                    // Null MX (RFC 7505): the domain accepts no mail.
                    return Err(SendError::Permanent(format!(
                        "{domain} accepts no mail (null MX)"
                    )));
                }
                Ok(records.into_iter().map(|(_, h)| h).collect())
            }
            Err(e) if e.is_no_records_found() => Ok(vec![domain.to_string()]),
            Err(e) => Err(SendError::Temporary(format!("MX lookup for {domain}: {e}"))),
        }
    }

    async fn send_to(
        &self,
        host: &str,
        addr: SocketAddr,
        mail_from: &str,
        rcpt: &str,
        message: &[u8],
        require_tls: bool,
    ) -> Result<(), SendError> {
        let timeout = self.config.smtp_timeout;
        let required = match (&self.mta_sts, require_tls) {
            (_, false) => None,
            (Some(m), true) if host.parse::<std::net::IpAddr>().is_err() => {
                Some(m.smtp_connector())
            }
            _ => {
                return Err(SendError::Temporary(format!(
                    "cannot verify TLS with {host}"
                )))
            }
        };
        if required.is_none() {
            if let Some((mut connection, used)) = self.connections.take(host, addr) {
                match reused_transaction(&mut connection, mail_from, rcpt, message).await {
                    Reused::Sent => {
                        self.connections.put(host, addr, connection, used + 1);
                        return Ok(());
                    }
                    Reused::Failed(e) => {
                        connection.quit().await;
                        return Err(e);
                    }
                    // The peer closed it meanwhile: a new connection below.
                    Reused::Gone => {}
                }
            }
        }
        let mut client = SmtpClient::connect(addr, timeout).await.map_err(classify)?;
        // mail-send writes a message in several pieces; without NODELAY a
        // reused connection (out of TCP's quick-ACK start) waits for the
        // peer's delayed ACK (40 ms) before the final "." goes out.
        let _ = client.stream.set_nodelay(true);
        client
            .read()
            .await
            .and_then(|r| r.assert_positive_completion())
            .map_err(classify)?;
        let ehlo = client.ehlo(&self.config.hostname).await.map_err(classify)?;
        let mut connection = if ehlo.has_capability(EXT_START_TLS) {
            let connector = if let Some(required) = required {
                required
            } else if !self.config.opportunistic_tls_unverified {
                &self.verified
            } else {
                &self.unverified
            };
            let mut tls = client.start_tls(connector, host).await.map_err(classify)?;
            tls.ehlo(&self.config.hostname).await.map_err(classify)?;
            Connection::Tls(Box::new(tls))
        } else if require_tls {
            let _ = client.quit().await;
            return Err(SendError::Temporary(format!(
                "{host} does not offer STARTTLS"
            )));
        } else {
            Connection::Plain(client)
        };
        let sent = match &mut connection {
            Connection::Plain(c) => transaction(c, mail_from, rcpt, message).await,
            Connection::Tls(c) => transaction(c, mail_from, rcpt, message).await,
        };
        match sent {
            // Kept for the next delivery to this host, unless it was made
            // for verified TLS only.
            Ok(()) if required.is_none() => self.connections.put(host, addr, connection, 1),
            _ => connection.quit().await,
        }
        sent
    }

    /// Closes kept connections idle too long; returns whether any remain
    /// (the queue worker then wakes up again to close them in time).
    pub fn close_idle_connections(&self) -> bool {
        self.connections.sweep()
    }
}

/// How a transaction over a kept connection went.
enum Reused {
    /// Delivered; the connection can be kept again.
    Sent,
    /// The peer answered and refused, or the connection broke after MAIL
    /// FROM was accepted: the delivery's outcome.
    Failed(SendError),
    /// The connection no longer worked at MAIL FROM (closed by the peer, or
    /// 421): nothing was sent; try a new one.
    Gone,
}

async fn reused_transaction(
    connection: &mut Connection,
    mail_from: &str,
    rcpt: &str,
    message: &[u8],
) -> Reused {
    let first = match connection {
        Connection::Plain(c) => c.mail_from(mail_from, &Parameters::default()).await,
        Connection::Tls(c) => c.mail_from(mail_from, &Parameters::default()).await,
    };
    match first {
        Ok(()) => {}
        Err(mail_send::Error::UnexpectedReply(r)) if r.code() != 421 => {
            return Reused::Failed(classify(mail_send::Error::UnexpectedReply(r)))
        }
        Err(_) => return Reused::Gone,
    }
    let rest = match connection {
        Connection::Plain(c) => rest_of_transaction(c, rcpt, message).await,
        Connection::Tls(c) => rest_of_transaction(c, rcpt, message).await,
    };
    match rest {
        Ok(()) => Reused::Sent,
        Err(e) => Reused::Failed(e),
    }
}

/// MAIL FROM, RCPT TO and DATA; the session is back in its initial state
/// after it succeeds.
async fn transaction<T: AsyncRead + AsyncWrite + Unpin>(
    client: &mut SmtpClient<T>,
    mail_from: &str,
    rcpt: &str,
    message: &[u8],
) -> Result<(), SendError> {
    client
        .mail_from(mail_from, &Parameters::default())
        .await
        .map_err(classify)?;
    rest_of_transaction(client, rcpt, message).await
}

/// RCPT TO and DATA, after MAIL FROM was accepted.
async fn rest_of_transaction<T: AsyncRead + AsyncWrite + Unpin>(
    client: &mut SmtpClient<T>,
    rcpt: &str,
    message: &[u8],
) -> Result<(), SendError> {
    client
        .rcpt_to(rcpt, &Parameters::default())
        .await
        .map_err(classify)?;
    client.data(message).await.map_err(classify)?;
    Ok(())
}

fn classify(error: mail_send::Error) -> SendError {
    match &error {
        mail_send::Error::UnexpectedReply(r) if (500..600).contains(&r.code()) => {
            SendError::Permanent(format!("{} {}", r.code(), r.message()))
        }
        mail_send::Error::UnexpectedReply(r) => {
            SendError::Temporary(format!("{} {}", r.code(), r.message()))
        }
        _ => SendError::Temporary(error.to_string()),
    }
}

pub(crate) fn resolver(servers: &[SocketAddr]) -> Result<TokioResolver, OutboundError> {
    let builder = if servers.is_empty() {
        TokioResolver::builder_tokio()
            .map_err(|e| OutboundError::Resolver(format!("system DNS configuration: {e}")))?
    } else {
        let name_servers = servers
            .iter()
            .map(|s| {
                let mut udp = ConnectionConfig::udp();
                udp.port = s.port();
                let mut tcp = ConnectionConfig::tcp();
                tcp.port = s.port();
                NameServerConfig::new(s.ip(), true, vec![udp, tcp])
            })
            .collect();
        let config = ResolverConfig::from_parts(None, vec![], name_servers);
        TokioResolver::builder_with_config(config, Default::default())
    };
    builder
        .build()
        .map_err(|e| OutboundError::Resolver(e.to_string()))
}
