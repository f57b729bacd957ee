//! Why a check could not be made at all. Everything that goes wrong
//! *during* the checks (a DNS timeout, a refused connection) becomes a
//! check with status `error` in the report instead.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Why no report could be made.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The argument is not a domain name.
    #[error("'{0}' is not a domain name (like zorg.nl)")]
    BadDomain(String),
    /// No DNS servers were given and none could be read from the system.
    #[error("no DNS servers: none configured ([dns] servers) and none in {path}: {source}")]
    NoResolvers {
        /// The system's resolver configuration.
        path: PathBuf,
        /// What went wrong reading it.
        source: crate::dns::ResolvConfError,
    },
    /// The trusted roots could not be read or used.
    #[error("trusted certificates: {0}")]
    Trust(String),
}

/// Why one connection to a mail server did not get as far as a probe
/// needs (the SMTP dialogue up to STARTTLS, or the TLS handshake). It
/// becomes the text of a check, not an error of the whole report.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The host has no address to connect to.
    #[error("no address")]
    NoAddress,
    /// The TCP connection could not be made.
    #[error("connection to {addr}: {}", io_reason(.source))]
    Connect {
        /// The address tried.
        addr: SocketAddr,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Reading or writing on the connection failed.
    #[error("{}", io_reason(.0))]
    Io(#[from] std::io::Error),
    /// The server closed the connection in the middle of the dialogue.
    #[error("the server closed the connection")]
    Closed,
    /// A reply line longer than we read.
    #[error("reply line too long")]
    LineTooLong,
    /// A reply of more lines than we read.
    #[error("reply too long")]
    ReplyTooLong,
    /// A line that does not start with a three-digit reply code.
    #[error("not an SMTP reply: {0:?}")]
    NotSmtp(String),
    /// The server answered a step (`greeting`, `EHLO`, `STARTTLS`) with
    /// another code than the one that lets the dialogue go on.
    #[error("{step}: {reply}")]
    Refused {
        /// The step.
        step: &'static str,
        /// The reply, code and text.
        reply: String,
    },
    /// STARTTLS was offered on the first connection but not on a later one.
    #[error("STARTTLS no longer offered")]
    StartTlsWithdrawn,
    /// The host name cannot be a TLS server name.
    #[error("{0}")]
    ServerName(#[from] rustls::pki_types::InvalidDnsNameError),
    /// The TLS handshake failed.
    #[error("{0}")]
    Tls(#[from] rustls::Error),
    /// The probe's own task ended abnormally.
    #[error("probe failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// An I/O error as a reason for people: a timeout says so in words.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
            "no answer in time".to_string()
        }
        _ => e.to_string(),
    }
}
