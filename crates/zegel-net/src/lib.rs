//! zegel's network layer: what more than one crate needs to speak to the
//! outside world, written once.
//!
//! - [`tls`]: every TLS client zegel makes starts from
//!   [`tls::client_builder`]: rustls with the ring provider only (no
//!   aws-lc, whose build needs cmake and a C toolchain; one audited crypto
//!   backend for the whole binary).
//! - [`https`]: every HTTPS client zegel makes (the S3 store, the SMS
//!   webhook, OpenID Connect sign-in) is built by [`https::client`].
//! - [`mta_sts`]: the MTA-STS policy fetch (RFC 8461 section 3.3): HTTPS
//!   to `mta-sts.<domain>`, only `200` and `text/plain`, no redirects, at
//!   most 64 KiB, UTF-8, trying up to four of the host's addresses. The
//!   outbound `tls` action and `zegel check-domain` both use it, so a
//!   sender enforcing a policy and the check that reports on it read the
//!   same thing. Parsing is zegel-mtasts' (no I/O); looking up the
//!   addresses is the caller's (each has its own resolver and timeouts).
//!
//! # Layout
//!
//! - `tls`: the ring crypto provider and the client config builder.
//! - `https`: the HTTPS client builder.
//! - `mta_sts`: the policy fetch and its typed error.

pub mod https;
pub mod mta_sts;
pub mod tls;
