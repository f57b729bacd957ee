//! The outbound pipeline's settings.

use std::time::Duration;

/// What happens to external recipients of a message assessed `secure`
/// (its name in the config file and the stored policy: `deliver`,
/// `portal`, `archive`, `tls`, `hold`, `reject`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecureAction {
    /// Deliver as normal mail anyway (report only).
    Deliver,
    /// Store it encrypted behind the portal; send a notification.
    Portal,
    /// The attachments (and the body as a document) in an AES-256
    /// encrypted archive mailed to the recipient, the password by SMS;
    /// without a known phone number `archive_fallback` applies.
    Archive,
    /// The original only over verified TLS to recipient domains whose
    /// MTA-STS policy (RFC 8461) is in mode `enforce`, and only to the MX
    /// hosts it names; recipients of other domains (no policy, `testing`,
    /// `none`, lookup or fetch failed) get the portal. A delivery that
    /// finds no verified TLS is retried, then the sender gets a failure
    /// notice: never in the clear. DANE is not checked (see
    /// `tls_policy.rs`).
    Tls,
    /// Keep it; do not send to external recipients.
    Hold,
    /// Refuse it with the reasons.
    Reject,
}

impl SecureAction {
    /// Parses the config name.
    pub fn parse(name: &str) -> Option<SecureAction> {
        Some(match name {
            "deliver" => SecureAction::Deliver,
            "portal" => SecureAction::Portal,
            "archive" => SecureAction::Archive,
            "tls" => SecureAction::Tls,
            "hold" => SecureAction::Hold,
            "reject" => SecureAction::Reject,
            _ => return None,
        })
    }
}

/// Which second factor portal recipients must show after the mail code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactorPolicy {
    /// The mail code alone (a sender's `[sms:…]` tag still asks for SMS).
    None,
    /// An SMS code when a phone number is known (contact list or the
    /// sender's `[sms:+316…]` tag); otherwise the mail code alone.
    SmsIfKnown,
    /// Always two factors: SMS when a phone number is known, otherwise an
    /// access code that the sender gets in the notice to pass on.
    Required,
    /// Always an access code for the sender to pass on.
    AccessCode,
}

impl SecondFactorPolicy {
    /// Parses the config name.
    pub fn parse(name: &str) -> Option<SecondFactorPolicy> {
        Some(match name {
            "none" => SecondFactorPolicy::None,
            "sms_if_known" => SecondFactorPolicy::SmsIfKnown,
            "required" => SecondFactorPolicy::Required,
            "access_code" => SecondFactorPolicy::AccessCode,
            _ => return None,
        })
    }
}

/// How `reject` refuses a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectMode {
    /// A 5xx at the end of DATA (or the milter's reject): the sender's mail
    /// program shows the reasons at once.
    Inline,
    /// Accept, deliver to internal recipients, and bounce the external ones
    /// to the sender with the reasons.
    Bounce,
}

/// Where mail goes next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Relay {
    /// Every message to this smarthost.
    Host {
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
    },
    /// To each recipient domain's MX (port 25 unless overridden for tests).
    Mx {
        /// The port to connect to.
        port: u16,
    },
}

impl std::fmt::Display for Relay {
    /// Where mail goes, in words: "the smarthost relay.zorg.nl:25", "each
    /// recipient domain's mail server (MX, port 25)".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Relay::Host { host, port } => write!(f, "the smarthost {host}:{port}"),
            Relay::Mx { port } => {
                write!(f, "each recipient domain's mail server (MX, port {port})")
            }
        }
    }
}

/// Settings of the outbound pipeline.
#[derive(Debug, Clone)]
pub struct OutboundConfig {
    /// Our host name (EHLO, Received, Message-IDs).
    pub hostname: String,
    /// The organisation's name, shown in notifications.
    pub organization: String,
    /// The portal's public address (links in notifications).
    pub public_url: String,
    /// The From of mails zegel writes (notifications, notices).
    pub notices_from: String,
    /// What `secure` means for external recipients.
    pub secure_action: SecureAction,
    /// How `reject` refuses.
    pub reject_mode: RejectMode,
    /// Send the sender a notice with the reasons when a message went securely.
    pub sender_notice: bool,
    /// Hide the subject in portal notifications.
    pub hide_subject: bool,
    /// How long the sender has to confirm or cancel a message a warning
    /// held; unanswered it is not sent (`[policy] confirm_within_hours`).
    pub confirm_within: Duration,
    /// How long a portal message stays readable.
    pub portal_expiry: Duration,
    /// The second factor portal recipients must show.
    pub second_factor: SecondFactorPolicy,
    /// Known phone numbers of external contacts (address, lower case ->
    /// E.164 number), for the SMS code.
    pub contact_phones: std::collections::HashMap<String, String>,
    /// Send the sender a read receipt when a recipient first opens it.
    pub read_receipts: bool,
    /// Where mail goes next.
    pub relay: Relay,
    /// Where inbound mail (from outside, for the internal domains) goes:
    /// the organisation's own mail server (`[inbound] deliver_to`).
    pub inbound_relay: Option<Relay>,
    /// DNS servers for MX and MTA-STS lookups (empty: the system's).
    pub dns_servers: Vec<std::net::SocketAddr>,
    /// How long delivery is tried before a failure notice.
    pub lifetime: Duration,
    /// First retry delay; doubles up to `retry_max`.
    pub retry_base: Duration,
    /// Longest retry delay.
    pub retry_max: Duration,
    /// SMTP client timeout per step.
    pub smtp_timeout: Duration,
    /// Deliveries in flight at once.
    pub concurrency: usize,
    /// How long a claimed delivery is this node's before another node (or
    /// this one, after a restart on PostgreSQL) may take it: longer than
    /// any one attempt takes (`[delivery] lease_secs`).
    pub lease: Duration,
    /// Accept invalid certificates for opportunistic STARTTLS (normal for
    /// MX delivery; `require_tls` deliveries always verify).
    pub opportunistic_tls_unverified: bool,
    /// The `archive` action's format: 7z (names encrypted) or ZIP with
    /// AES (`[archive] format`).
    pub archive_format: zegel_archive::Format,
    /// Put the message text in the archive too (`bericht.txt`, and
    /// `bericht.html` for HTML mail); without it the text is not sent
    /// (`[archive] body_as_document`).
    pub archive_body_as_document: bool,
    /// What an `archive` recipient gets when no phone number is known, no
    /// SMS provider is set, there is nothing to pack or the SMS fails:
    /// [`SecureAction::Portal`], [`SecureAction::Hold`] or
    /// [`SecureAction::Reject`] (a failure notice to the sender)
    /// (`[archive] fallback`).
    pub archive_fallback: SecureAction,
}

#[cfg(test)]
mod tests {
    use super::Relay;

    #[test]
    fn a_relay_reads_as_words_not_as_rust() {
        assert_eq!(
            Relay::Mx { port: 25 }.to_string(),
            "each recipient domain's mail server (MX, port 25)"
        );
        assert_eq!(
            Relay::Host {
                host: "relay.zorg.nl".into(),
                port: 587
            }
            .to_string(),
            "the smarthost relay.zorg.nl:587"
        );
    }
}
