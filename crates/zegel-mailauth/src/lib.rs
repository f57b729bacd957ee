//! zegel's mail authentication, built on the `mail-auth` crate (we do not
//! write these protocols ourselves).
//!
//! # Layout
//! - `dkim.rs`: DKIM keys (RSA and Ed25519, PEM files) and signing of
//!   outgoing mail; key generation with the DNS record to publish.

mod dkim;

pub use dkim::{DkimError, DkimKey, DkimSigner};
