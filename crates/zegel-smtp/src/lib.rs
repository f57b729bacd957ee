//! zegel's front doors: the ESMTP server for relay and submission, and the
//! Postfix milter. They turn bytes from the network into a submission for the
//! outbound pipeline and its answer back into SMTP replies; they
//! decide nothing themselves.
//!
//! # Layout
//! - `session.rs`: the ESMTP session as a state machine without I/O.
//! - `data.rs`: reading the message after DATA (end marker, unstuffing, limits).
//! - `line_ending.rs`: bare CR and LF (SMTP smuggling), one rule for the
//!   DATA reader and the milter.
//! - `reply.rs`: SMTP replies.
//! - `server.rs`: the listener, TLS, timeouts; hands messages to a `Backend`.
//! - `listen.rs`: the accept loop both servers share.
//! - `text.rs`: text made safe for the wire (one line, bounded).
//! - `milter/`: the in-house Postfix milter protocol (codec and server).

pub mod data;
pub mod line_ending;
pub mod listen;
pub mod milter;
pub mod reply;
pub mod server;
pub mod session;
mod text;

pub use reply::Reply;
pub use server::{serve, Backend, ServerConfig};
pub use session::{AuthOutcome, DomainList, Envelope, InboundDomains, Recipient, SessionConfig};
