//! zegel's mail authentication, built on the `mail-auth` crate (we do not
//! write these protocols ourselves): DKIM signing of outgoing mail, and the
//! inbound checks — SPF, DKIM, DMARC and ARC — of a received message.
//!
//! # Layout
//! - `dkim.rs`: DKIM keys (RSA and Ed25519, PEM files), key generation with
//!   the DNS record to publish, and signing of outgoing mail.
//! - `resolver.rs`: the DNS resolver the checks ask (the system's, or a
//!   list of servers; tests point it at a zone on 127.0.0.1).
//! - `verify.rs`: [`verify_message`]: every check of one message.
//! - `report.rs`: the [`Report`]: each check's result and reason (Dutch or
//!   English) and the `Authentication-Results` header (RFC 8601).
//!
//! The conformance suites (OpenSPF, ValiMail ARC, the DKIM examples of RFC
//! 6376 and RFC 8463) run as tests in `tests/`.

mod dkim;
mod report;
mod resolver;
mod verify;

pub use dkim::{DkimError, DkimKey, DkimSigner};
pub use report::{
    Alignment, ArcCheck, DkimCheck, DmarcCheck, DmarcPolicy, Lang, Outcome, Problem, Report,
    SpfCheck, SpfIdentity,
};
pub use resolver::{DnsConfig, DnsResolver};
pub use verify::{verify_message, VerifyError};
