//! A small DNS stub: one query to the configured recursive resolvers, the
//! answer with its AD bit.
//!
//! Why not hickory-resolver's `Resolver`: its answers come through a cache
//! that does not keep the header, and without its DNSSEC feature it never
//! asks for DNSSEC. DANE's TLSA records mean something only when the
//! resolver validated them, which it says with the AD ("authentic data")
//! bit. So each query here sets DO (DNSSEC OK, EDNS) and AD (RFC 6840
//! section 5.7), goes to the resolvers in turn over UDP (TCP when the
//! answer is truncated), and hands back the records with that bit. The
//! messages themselves are hickory-proto's: only the transport is ours.
//!
//! We trust the resolver's word: a resolver on another host could be lied
//! about on the way. Use a validating resolver on the same host (or one
//! you trust the path to) for a DANE verdict you can rely on.

use hickory_resolver::proto::op::{Edns, Message, Query, ResponseCode};
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

/// A failed lookup (not "no such record": that is an empty [`Answer`]).
#[derive(Debug, Clone, thiserror::Error)]
pub enum DnsError {
    /// No resolver answered in time.
    #[error("DNS query for {name} {rtype}: no answer within {secs} s")]
    Timeout {
        /// The name asked for.
        name: String,
        /// The record type.
        rtype: RecordType,
        /// The time allowed per resolver.
        secs: u64,
    },
    /// The resolver answered with an error (SERVFAIL, REFUSED, ...).
    #[error("DNS query for {name} {rtype}: {rcode}")]
    Failed {
        /// The name asked for.
        name: String,
        /// The record type.
        rtype: RecordType,
        /// The response code.
        rcode: String,
    },
    /// The name cannot be asked for, or the answer could not be read.
    #[error("DNS query for {name}: {reason}")]
    Bad {
        /// The name asked for.
        name: String,
        /// What went wrong.
        reason: String,
    },
}

/// Why the system's resolvers could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ResolvConfError {
    /// The file could not be read.
    #[error("{0}")]
    Read(#[from] std::io::Error),
    /// It has no usable `nameserver` line.
    #[error("no nameserver lines")]
    NoNameservers,
}

/// Why one exchange with one resolver failed.
#[derive(Debug, thiserror::Error)]
enum ExchangeError {
    #[error("{0}")]
    Proto(#[from] hickory_resolver::proto::ProtoError),
    #[error("{0}")]
    Decode(#[from] hickory_resolver::proto::serialize::binary::DecodeError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("query too long")]
    QueryTooLong,
    #[error("answer over TCP to another query")]
    WrongAnswer,
}

/// What a resolver answered.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The records of the asked type (CNAMEs followed by the resolver are
    /// left out).
    pub records: Vec<RData>,
    /// The name exists (NOERROR, possibly without records of this type);
    /// false on NXDOMAIN.
    pub exists: bool,
    /// The resolver set AD: it validated the answer with DNSSEC.
    pub authentic: bool,
}

/// The stub resolver.
#[derive(Debug, Clone)]
pub struct Dns {
    servers: Vec<SocketAddr>,
    timeout: Duration,
}

/// The largest UDP answer we ask for (the DNS flag day 2020 value).
const UDP_PAYLOAD: u16 = 1232;

impl Dns {
    /// A stub asking `servers` in turn, `timeout` each.
    pub fn new(servers: Vec<SocketAddr>, timeout: Duration) -> Dns {
        Dns { servers, timeout }
    }

    /// The resolvers of `resolv_conf` (`nameserver` lines), port 53.
    pub fn system_servers(resolv_conf: &Path) -> Result<Vec<SocketAddr>, ResolvConfError> {
        let text = std::fs::read_to_string(resolv_conf)?;
        let servers: Vec<SocketAddr> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("nameserver"))
            .filter_map(|rest| {
                // "fe80::1%eth0": the zone index is dropped.
                let addr = rest.trim().split('%').next()?;
                addr.parse::<IpAddr>().ok()
            })
            .map(|ip| SocketAddr::new(ip, 53))
            .collect();
        if servers.is_empty() {
            return Err(ResolvConfError::NoNameservers);
        }
        Ok(servers)
    }

    /// The resolvers asked.
    pub fn servers(&self) -> &[SocketAddr] {
        &self.servers
    }

    /// Asks for `rtype` records of `name`.
    pub async fn query(&self, name: &str, rtype: RecordType) -> Result<Answer, DnsError> {
        let fqdn = format!("{}.", name.trim_end_matches('.'));
        let qname = Name::from_ascii(&fqdn).map_err(|e| DnsError::Bad {
            name: name.to_string(),
            reason: e.to_string(),
        })?;
        let mut last = DnsError::Timeout {
            name: name.to_string(),
            rtype,
            secs: self.timeout.as_secs(),
        };
        for server in &self.servers {
            match tokio::time::timeout(self.timeout, exchange(*server, &qname, rtype)).await {
                Err(_) => {
                    last = DnsError::Timeout {
                        name: name.to_string(),
                        rtype,
                        secs: self.timeout.as_secs(),
                    }
                }
                Ok(Err(e)) => {
                    last = DnsError::Bad {
                        name: name.to_string(),
                        reason: e.to_string(),
                    }
                }
                Ok(Ok(message)) => return answer(name, rtype, message),
            }
        }
        Err(last)
    }

    /// The TXT records of `name`, each one string (its parts joined).
    pub async fn txt(&self, name: &str) -> Result<(Vec<String>, Answer), DnsError> {
        let answer = self.query(name, RecordType::TXT).await?;
        let texts = answer
            .records
            .iter()
            .filter_map(|r| match r {
                RData::TXT(txt) => Some(
                    txt.txt_data
                        .iter()
                        .map(|s| String::from_utf8_lossy(s).into_owned())
                        .collect::<String>(),
                ),
                _ => None,
            })
            .collect();
        Ok((texts, answer))
    }

    /// The IPv4 and IPv6 addresses of `host` (IPv4 first).
    pub async fn addresses(&self, host: &str) -> Result<Vec<IpAddr>, DnsError> {
        let (v4, v6) = tokio::join!(
            self.query(host, RecordType::A),
            self.query(host, RecordType::AAAA)
        );
        let mut out = Vec::new();
        let mut error = None;
        for result in [v4, v6] {
            match result {
                Ok(answer) => out.extend(answer.records.iter().filter_map(|r| match r {
                    RData::A(a) => Some(IpAddr::V4(a.0)),
                    RData::AAAA(a) => Some(IpAddr::V6(a.0)),
                    _ => None,
                })),
                Err(e) => error = Some(e),
            }
        }
        match (out.is_empty(), error) {
            (true, Some(e)) => Err(e),
            _ => Ok(out),
        }
    }
}

/// The answer of `message` for `rtype`, or the failure its code says.
fn answer(name: &str, rtype: RecordType, message: Message) -> Result<Answer, DnsError> {
    let exists = match message.metadata.response_code {
        ResponseCode::NoError => true,
        ResponseCode::NXDomain => false,
        other => {
            return Err(DnsError::Failed {
                name: name.to_string(),
                rtype,
                rcode: other.to_string(),
            })
        }
    };
    let records = message
        .answers
        .iter()
        .filter(|r| r.record_type() == rtype)
        .map(|r: &Record| r.data.clone())
        .collect();
    Ok(Answer {
        records,
        exists,
        authentic: message.metadata.authentic_data,
    })
}

/// One query to one server: UDP, then TCP when the answer was truncated.
async fn exchange(
    server: SocketAddr,
    name: &Name,
    rtype: RecordType,
) -> Result<Message, ExchangeError> {
    let mut query = Message::query();
    query.metadata.recursion_desired = true;
    query.metadata.authentic_data = true;
    query.add_query(Query::query(name.clone(), rtype));
    let mut edns = Edns::new();
    edns.set_max_payload(UDP_PAYLOAD);
    edns.set_dnssec_ok(true);
    query.set_edns(edns);
    let bytes = query.to_vec()?;
    let id = query.metadata.id;

    let local: SocketAddr = if server.is_ipv4() {
        "0.0.0.0:0".parse().expect("address")
    } else {
        "[::]:0".parse().expect("address")
    };
    let socket = UdpSocket::bind(local).await?;
    socket.connect(server).await?;
    socket.send(&bytes).await?;
    let mut buf = vec![0u8; 65_535];
    let response = loop {
        let n = socket.recv(&mut buf).await?;
        // Anything that is not the answer to our question is dropped.
        let Ok(message) = Message::from_vec(&buf[..n]) else {
            continue;
        };
        if message.metadata.id == id && message.queries.first() == query.queries.first() {
            break message;
        }
    };
    if !response.metadata.truncation {
        return Ok(response);
    }

    let mut tcp = TcpStream::connect(server).await?;
    let len = u16::try_from(bytes.len()).map_err(|_| ExchangeError::QueryTooLong)?;
    tcp.write_all(&len.to_be_bytes()).await?;
    tcp.write_all(&bytes).await?;
    let len = tcp.read_u16().await?;
    let mut body = vec![0u8; usize::from(len)];
    tcp.read_exact(&mut body).await?;
    let message = Message::from_vec(&body)?;
    if message.metadata.id != id {
        return Err(ExchangeError::WrongAnswer);
    }
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolv_conf_nameservers_are_read() {
        let dir = std::env::temp_dir().join(format!("zegel-resolv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("resolv.conf");
        std::fs::write(
            &path,
            "# comment\nsearch lan\nnameserver 127.0.0.53\nnameserver fe80::1%eth0\noptions edns0 trust-ad\n",
        )
        .unwrap();
        let servers = Dns::system_servers(&path).unwrap();
        assert_eq!(
            servers,
            [
                "127.0.0.53:53".parse::<SocketAddr>().unwrap(),
                "[fe80::1]:53".parse().unwrap()
            ]
        );
        std::fs::write(&path, "search lan\n").unwrap();
        assert!(Dns::system_servers(&path).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
