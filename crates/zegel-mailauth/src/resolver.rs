//! The DNS resolver the checks ask: the system's, or a list of servers (a
//! test points it at a zone on 127.0.0.1).

use crate::VerifyError;
use mail_auth::hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts,
};
use mail_auth::MessageAuthenticator;
use std::net::SocketAddr;
use std::time::Duration;

/// Which DNS servers to ask, and how patiently.
#[derive(Debug, Clone)]
pub struct DnsConfig {
    /// Servers to ask (UDP, TCP when an answer is truncated), in order.
    /// Empty: the system's resolvers (`/etc/resolv.conf`).
    pub servers: Vec<SocketAddr>,
    /// How long to wait for one answer.
    pub timeout: Duration,
    /// How many times to ask again after a timeout.
    pub attempts: usize,
}

impl Default for DnsConfig {
    fn default() -> DnsConfig {
        DnsConfig {
            servers: Vec::new(),
            timeout: Duration::from_secs(5),
            attempts: 2,
        }
    }
}

impl DnsConfig {
    /// The given servers with the default patience.
    pub fn servers(servers: impl IntoIterator<Item = SocketAddr>) -> DnsConfig {
        DnsConfig {
            servers: servers.into_iter().collect(),
            ..DnsConfig::default()
        }
    }
}

/// A DNS resolver for the mail authentication checks (mail-auth's
/// [`MessageAuthenticator`] over hickory). It keeps a cache: build one and
/// share it.
#[derive(Clone)]
pub struct DnsResolver {
    authenticator: MessageAuthenticator,
}

impl DnsResolver {
    /// A resolver as `config` says.
    pub fn new(config: &DnsConfig) -> Result<DnsResolver, VerifyError> {
        let mut options = ResolverOpts::default();
        options.timeout = config.timeout;
        options.attempts = config.attempts;
        // EDNS: TXT answers (keys, SPF records) often exceed 512 bytes.
        options.edns0 = true;
        let authenticator = if config.servers.is_empty() {
            let (system, _) = mail_auth::hickory_resolver::system_conf::read_system_conf()
                .map_err(|e| VerifyError::Resolver(format!("system DNS configuration: {e}")))?;
            MessageAuthenticator::new(system, options)
        } else {
            let name_servers = config
                .servers
                .iter()
                .map(|server| {
                    let mut udp = ConnectionConfig::udp();
                    udp.port = server.port();
                    let mut tcp = ConnectionConfig::tcp();
                    tcp.port = server.port();
                    NameServerConfig::new(server.ip(), true, vec![udp, tcp])
                })
                .collect();
            MessageAuthenticator::new(
                ResolverConfig::from_parts(None, vec![], name_servers),
                options,
            )
        }
        .map_err(|e| VerifyError::Resolver(e.to_string()))?;
        Ok(DnsResolver { authenticator })
    }

    /// The system's resolvers.
    pub fn system() -> Result<DnsResolver, VerifyError> {
        DnsResolver::new(&DnsConfig::default())
    }

    /// mail-auth's authenticator over this resolver, for callers that need
    /// a check on its own (the conformance tests run SPF scenarios with it).
    pub fn authenticator(&self) -> &MessageAuthenticator {
        &self.authenticator
    }
}
