//! What can go wrong in the outbound pipeline's own set-up and calls, for
//! the caller to report (a delivery's own outcome is a `SendError`).

/// An error of the outbound pipeline.
#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    /// The store failed or refused.
    #[error(transparent)]
    Store(#[from] zegel_store::StoreError),
    /// The message could not be read for the assessment.
    #[error("assessment failed: {0}")]
    Assess(#[from] zegel_assess::AssessError),
    /// The worker that assessed the message stopped (a panic, a shutdown).
    #[error("assessment failed: {0}")]
    AssessWorker(#[from] tokio::task::JoinError),
    /// No DNS resolver could be made from the configured servers or the
    /// system's configuration.
    #[error("DNS resolver: {0}")]
    Resolver(String),
    /// No TLS client could be made.
    #[error("TLS: {0}")]
    Tls(String),
}
