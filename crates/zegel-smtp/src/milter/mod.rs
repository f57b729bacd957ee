//! The Postfix milter protocol (Sendmail milter protocol version 6, as
//! Postfix speaks it), written in-house: the only milter crate we found,
//! indymilter, is GPL-3.0. Kept small: we ask for every step, answer
//! CONTINUE until the end of the message, then give the handler's decision.
//!
//! # Layout
//! - `codec.rs`: packets (length, command byte, data) in and out; bounded.
//! - `server.rs`: the listener and one session per Postfix connection:
//!   rebuild the message, call the [`MilterHandler`], answer.

mod codec;
mod server;

pub use codec::{decode, encode, Command, MilterError, Response};
pub use server::{serve, MilterConfig};

use std::net::IpAddr;

/// One message as Postfix passed it to the milter.
#[derive(Debug, Clone, Default)]
pub struct MilterMessage {
    /// The SMTP client's address.
    pub client_ip: Option<IpAddr>,
    /// The client's HELO/EHLO name.
    pub helo: Option<String>,
    /// The envelope sender, without angle brackets.
    pub mail_from: String,
    /// The envelope recipients, without angle brackets.
    pub rcpt_to: Vec<String>,
    /// The SASL login, when the client authenticated to Postfix.
    pub authenticated_user: Option<String>,
    /// Postfix's queue id.
    pub queue_id: Option<String>,
    /// The message: headers as Postfix saw them, a blank line, the body.
    pub raw: Vec<u8>,
}

/// What to tell Postfix at the end of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MilterDecision {
    /// Accept the message; no further milter calls for it.
    Accept,
    /// Continue as normal.
    Continue,
    /// Reject with this code and text; lines of `text` are separated by
    /// `\n` and each should start with an enhanced status code.
    Reject {
        /// The SMTP code (5xx).
        code: u16,
        /// The reply text.
        text: String,
    },
    /// Try again later.
    Tempfail {
        /// The reply text.
        text: String,
    },
    /// Add these headers and continue.
    AddHeaders(Vec<(String, String)>),
}

/// Decides per message. Called on a blocking thread; may be CPU-heavy.
pub trait MilterHandler: Send + Sync + 'static {
    /// The decision for one complete message.
    fn decide(&self, message: &MilterMessage) -> MilterDecision;
}
