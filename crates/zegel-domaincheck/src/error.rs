//! Why a check could not be made at all. Everything that goes wrong
//! *during* the checks (a DNS timeout, a refused connection) becomes a
//! check with status `error` in the report instead.

use std::path::PathBuf;

/// Why no report could be made.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The argument is not a domain name.
    #[error("'{0}' is not a domain name (like zorg.nl)")]
    BadDomain(String),
    /// No DNS servers were given and none could be read from the system.
    #[error("no DNS servers: none configured ([dns] servers) and none in {path}: {reason}")]
    NoResolvers {
        /// The system's resolver configuration.
        path: PathBuf,
        /// What went wrong reading it.
        reason: String,
    },
    /// The trusted roots could not be read or used.
    #[error("trusted certificates: {0}")]
    Trust(String),
}
