//! The Postfix milter: the Sendmail milter protocol, version 6, as Postfix
//! speaks it (Postfix's MILTER_README; the protocol description in
//! libmilter's and pymilter's docs). Written in-house: no permissively
//! licensed milter crate exists (indymilter is GPL-3.0), and the part we
//! need is small.
//!
//! What we do with it: per message, collect the envelope, headers and body,
//! hand the rebuilt message to a [`MilterHandler`] at its end, and give
//! Postfix the decision: accept, reject or tempfail with a (multi-line)
//! reply, add or change headers, or hold the message in the MTA's hold
//! queue. We negotiate only those actions (add and change headers,
//! quarantine) and skip the steps we do not need (DATA, unknown commands);
//! header values come with their leading space, so the rebuilt message has
//! the header bytes as sent.
//!
//! # Layout
//! - `codec.rs`: packets in and out (4-byte length, command byte, data):
//!   every command Postfix sends, every response we may give, with hard
//!   limits and typed errors; builds reply codes and headers Postfix
//!   accepts and that cannot inject lines.
//! - `server.rs`: the listener and one session per Postfix connection:
//!   option negotiation, connection and message state, size limit,
//!   timeouts, calling the handler on a blocking thread.

mod codec;
mod server;

pub use codec::{decode, encode, read_command, Command, MilterError, Response, MAX_PACKET};
pub use server::{serve, serve_connection, MilterConfig};

use std::net::IpAddr;

/// One message as Postfix passed it to the milter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MilterMessage {
    /// The SMTP client's address.
    pub client_ip: Option<IpAddr>,
    /// The client's HELO/EHLO name.
    pub helo: Option<String>,
    /// The envelope sender, without angle brackets ("" for the null sender).
    pub mail_from: String,
    /// The envelope recipients, without angle brackets or ESMTP arguments.
    pub rcpt_to: Vec<String>,
    /// The SASL login, when the client authenticated to Postfix.
    pub authenticated_user: Option<String>,
    /// Postfix's queue id.
    pub queue_id: Option<String>,
    /// The message: "Name: value\r\n" per header as Postfix saw it (without
    /// the Received: header Postfix adds itself), a blank line, the body.
    pub raw: Vec<u8>,
}

/// What to tell Postfix about a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MilterDecision {
    /// Accept the message; no further milter calls for it.
    Accept,
    /// Continue as normal.
    Continue,
    /// Refuse with this SMTP reply. `code` 5xx refuses for good, 4xx asks
    /// to try later (anything else becomes 550). `text` may have several
    /// lines (separated by `\n`), each best starting with an enhanced status
    /// code ("5.7.1 ..."); lines without one get the previous line's.
    Reject {
        /// The SMTP code.
        code: u16,
        /// The reply text.
        text: String,
    },
    /// Try again later: a 451 reply with this text (as for `Reject`).
    Tempfail {
        /// The reply text.
        text: String,
    },
    /// Add these headers (names and values are sanitised and folded) and
    /// let the message continue.
    AddHeaders(Vec<(String, String)>),
    /// Change headers (name, which occurrence from 1, new value; sanitised
    /// and folded as added ones), then add headers, and let the message
    /// continue.
    Modify {
        /// Headers to change.
        change: Vec<(String, u32, String)>,
        /// Headers to add.
        add: Vec<(String, String)>,
    },
    /// Change and add headers as `Modify` does, then put the message in
    /// the MTA's hold queue with `reason` (SMFIR_QUARANTINE): it is kept,
    /// not delivered, until the postmaster releases (`postsuper -H`) or
    /// deletes it.
    Quarantine {
        /// Why (one line; Postfix 3.7 logs only `milter-hold`, other MTAs
        /// keep the reason).
        reason: String,
        /// Headers to change.
        change: Vec<(String, u32, String)>,
        /// Headers to add.
        add: Vec<(String, String)>,
    },
}

impl MilterDecision {
    /// The default answer for a message over the size limit: 452, try
    /// later (in Dutch and English), unassessed.
    pub fn too_big(_message: &MilterMessage) -> MilterDecision {
        MilterDecision::Reject {
            code: 452,
            text: "4.3.4 Bericht te groot om te beoordelen\n4.3.4 Message too big to assess".into(),
        }
    }
}

/// Decides per message. Called on a blocking thread; may be CPU-heavy.
pub trait MilterHandler: Send + Sync + 'static {
    /// The decision for one complete message.
    fn decide(&self, message: &MilterMessage) -> MilterDecision;

    /// The answer for a message larger than
    /// [`MilterConfig::max_message_bytes`], which is not assessed;
    /// `message.raw` is empty. Given as soon as the limit is passed when it
    /// is `Reject`, `Tempfail` or `Accept`; `Continue` and `AddHeaders` take
    /// effect at the end of the message. Default: [`MilterDecision::too_big`]
    /// (452); return e.g. a 552 `Reject` to refuse such mail for good.
    fn oversized(&self, message: &MilterMessage) -> MilterDecision {
        MilterDecision::too_big(message)
    }
}
