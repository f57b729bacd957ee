//! The life of one accepted mail: accept -> assess -> persist -> route (a
//! disposition per recipient) -> queue -> deliver, or secure it. Every front
//! door (SMTP, milter, later the web) hands it a [`Submission`].
//!
//! # Layout
//! - `config.rs`: [`OutboundConfig`] and the policy's [`SecureAction`].
//! - `route.rs`: pure: verdict + recipients + action -> [`Plan`].
//! - `compose.rs`: the mails zegel writes itself: portal notification,
//!   sender notice, failure notice (DSN); Dutch first, then English.
//! - [`header`]: the zegel-header crate (every header value built from
//!   input checked in one place), for compose.rs and the front doors.
//! - `accept.rs`: [`Outbound::submit`]: assess once, plan, store durably.
//! - `deliver.rs`: the queue worker: claim, sign, send, retry, bounce.
//! - `error.rs`: [`OutboundError`], what the pipeline's calls report.
//! - `send.rs`: one SMTP delivery to the relay host or the recipient's MX.
//! - `connections.rs`: SMTP connections kept for the next delivery to the
//!   same host (as Postfix's connection cache).
//! - `sms.rs`: SMS providers behind [`SmsSender`] (outbox folder, webhook)
//!   and the validated [`PhoneNumber`].
//! - `tls_policy.rs`: the `tls` action's question: does a recipient domain
//!   enforce verified TLS ([`MtaSts`], RFC 8461), and which MX hosts count.
//! - `alone.rs`: a copy addressed to one recipient alone (its own `To`).
//! - [`contacts`]: contact lists (address and mobile number) read as CSV.
//! - [`live_policy`]: the policy an administrator changes on the staff
//!   web, over the config file's, applied on every node.
//! - [`sender`]: who an authenticated SMTP submission may say it is from.

mod accept;
mod alone;
pub mod compose;
mod config;
mod connections;
pub mod contacts;
mod deliver;
mod error;
pub mod live_policy;
mod route;
mod send;
pub mod sender;
pub mod sms;
pub mod tls_policy;

pub use zegel_header as header;

pub use accept::{
    handover_notice, own_mail, InboundMail, Outbound, SecureRequest, Submission,
    SubmissionRecipient, SubmitOutcome,
};
pub use config::{OutboundConfig, RejectMode, Relay, SecondFactorPolicy, SecureAction};
pub use contacts::{parse_contacts, ContactsError};
pub use error::OutboundError;
pub use live_policy::{PolicyError, PolicyInForce, PolicyOverrides, RefreshError, SetPolicyError};
pub use route::{plan, Disposition, Plan};
pub use sms::{
    sms_sender, InvalidPhoneNumber, OutboxSms, PhoneNumber, SmsConfig, SmsError, SmsProvider,
    SmsSender, WebhookConfig, WebhookSms,
};
pub use tls_policy::{MtaSts, StsLookupError, StsMode, StsPolicy, Trust};
