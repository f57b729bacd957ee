//! Mail coming in from outside the organisation, whichever door it comes
//! through (zegel's own SMTP server in inbound mode, or Postfix's milter):
//! checked with SPF, DKIM, DMARC and ARC (zegel-mailauth over mail-auth),
//! looked at for impersonation, then refused, held, or passed on with an
//! `Authentication-Results` header (RFC 8601).
//!
//! # Layout
//! - `check.rs`: [`check`]: the checks and the [`Decision`] for one message
//!   under an [`InboundPolicy`].
//! - `impersonation.rs`: why a From may pretend to be the organisation, a
//!   partner or a colleague.
//! - `colleagues.rs`: the [`Colleagues`] directory (name, address) and how
//!   display names are compared.
//! - `headers.rs`: [`rewrite_headers`]: the headers a checked message gets,
//!   forged results of ours removed, the subject tagged.

mod check;
mod colleagues;
mod headers;
mod impersonation;

pub use check::{check, Checked, Decision, InboundPolicy};
pub use colleagues::{Colleagues, ColleaguesError};
pub use headers::rewrite_headers;
pub use impersonation::impersonation;
