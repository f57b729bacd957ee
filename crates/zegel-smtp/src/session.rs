//! The ESMTP session as a state machine without I/O: a command line in, what
//! to do next out. The server (`server.rs`) owns the socket and calls this;
//! the fuzz target drives it with arbitrary bytes.
//!
//! Phases follow RFC 5321: greeting -> EHLO/HELO -> (STARTTLS -> EHLO) ->
//! (AUTH) -> MAIL -> RCPT... -> DATA -> back to MAIL. Commands are parsed by
//! smtp-proto; the rules (who may relay, limits, order) are ours.

use crate::reply::Reply;
use base64::Engine;
use smtp_proto::{Request, AUTH_LOGIN, AUTH_PLAIN, RCPT_NOTIFY_NEVER, RCPT_NOTIFY_SUCCESS};
use std::net::IpAddr;
use std::sync::Arc;

/// The domains the inbound mode takes mail in for, asked at every `RCPT`
/// from a client that may not relay: what it answers may change while
/// the server runs (an administrator changes the internal domains).
pub trait InboundDomains: Send + Sync + std::fmt::Debug {
    /// Whether anyone may hand in mail for `domain` (as the client wrote
    /// it: any case, perhaps with a trailing dot).
    fn takes_mail_for(&self, domain: &str) -> bool;
}

/// A fixed list of domains, each with its subdomains (tests, fuzzing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainList(Vec<String>);

impl DomainList {
    /// The list; entries are trimmed and lower-cased, a trailing dot dropped.
    pub fn new<S: AsRef<str>>(domains: impl IntoIterator<Item = S>) -> DomainList {
        DomainList(
            domains
                .into_iter()
                .map(|d| d.as_ref().trim().trim_end_matches('.').to_ascii_lowercase())
                .filter(|d| !d.is_empty())
                .collect(),
        )
    }
}

impl InboundDomains for DomainList {
    fn takes_mail_for(&self, domain: &str) -> bool {
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        self.0.iter().any(|d| {
            domain == *d
                || domain
                    .strip_suffix(d.as_str())
                    .is_some_and(|s| s.ends_with('.'))
        })
    }
}

/// Limits and facts fixed for a session.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// The name we greet with.
    pub hostname: String,
    /// Largest message accepted (SIZE), in bytes.
    pub max_message_bytes: usize,
    /// Most recipients per message.
    pub max_recipients: usize,
    /// Most commands per connection before it is closed.
    pub max_commands: usize,
    /// Most rejected commands per connection before it is closed.
    pub max_errors: usize,
    /// Whether STARTTLS can be offered (a certificate is loaded).
    pub tls_available: bool,
    /// Take addresses whose local part holds `%` or `!` (old source
    /// routing: `user%other.example@zorg.nl` may be passed on to
    /// `other.example` by a mail server behind us). Off: 553. Quoted local
    /// parts and local parts holding `@` are always refused.
    pub unusual_addresses: bool,
    /// Inbound mode: the domains for which anyone may hand in mail without
    /// AUTH or a relay network (mail from outside for the organisation),
    /// asked at each `RCPT`. `None`: only relaying clients may send.
    pub inbound: Option<Arc<dyn InboundDomains>>,
}

/// One envelope recipient with its DSN request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The address as given (without angle brackets).
    pub address: String,
    /// NOTIFY=NEVER was given: no failure notice for this recipient.
    pub notify_never: bool,
    /// NOTIFY=SUCCESS was given.
    pub notify_success: bool,
}

/// A complete envelope, handed over with the message data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The reverse path; empty for the null sender `<>`.
    pub mail_from: String,
    /// The recipients, in the order given.
    pub recipients: Vec<Recipient>,
    /// The authenticated user, when AUTH succeeded.
    pub authenticated_user: Option<String>,
    /// The client's address.
    pub client_ip: IpAddr,
    /// What the client said in EHLO/HELO.
    pub helo: String,
    /// Whether the session ran over TLS.
    pub tls: bool,
    /// RET=HDRS: failure notices carry only the headers.
    pub return_headers_only: bool,
    /// Inbound mail: the client may not relay, so every recipient is in an
    /// inbound domain.
    pub inbound: bool,
}

/// What the server must do after a command.
#[derive(Debug, PartialEq, Eq)]
pub enum Action {
    /// Write the reply and read the next command.
    Reply(Reply),
    /// Write the reply and close the connection.
    Close(Reply),
    /// Write the reply, then start TLS on the connection; discard any bytes
    /// the client sent after STARTTLS (command injection).
    StartTls(Reply),
    /// Write the reply (354) and read the message data.
    ReadData(Reply),
    /// Check these credentials, then call [`Session::auth_result`].
    Authenticate {
        /// The user name given.
        user: String,
        /// The password given.
        password: String,
    },
    /// Ask whether this authenticated account may still send (it may have
    /// been disabled since AUTH), then call [`Session::account_checked`].
    CheckAccount {
        /// The authenticated user.
        user: String,
    },
}

/// What checking AUTH credentials came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthOutcome {
    /// The password is right and the account active.
    Accepted,
    /// Wrong password, or no such (active) account.
    Rejected,
    /// Too many failed sign-ins for the account or from the client's
    /// address: refused for now, whatever the password.
    Locked,
    /// Too many password checks at once: try again later.
    Busy,
}

/// How reading the message data ended (see `data.rs`).
#[derive(Debug, PartialEq, Eq)]
pub enum DataOutcome {
    /// The whole message, dot-unstuffed.
    Complete(Vec<u8>),
    /// More than the size limit was sent; the rest was discarded.
    TooBig,
    /// A line longer than the limit was sent.
    LineTooLong,
    /// A bare LF or bare CR in a line or around a dot (SMTP smuggling):
    /// read on to the real `<CR><LF>.<CR><LF>`, never an end by itself.
    BareLineEnding,
}

/// What to do with data that ended: hand it on, or answer at once.
#[derive(Debug, PartialEq, Eq)]
pub enum DataNext {
    /// Hand the message on; answer with what the handler says.
    Submit(Envelope, Vec<u8>),
    /// Answer with this reply.
    Reply(Reply),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    /// Before EHLO/HELO.
    Fresh,
    /// After EHLO/HELO, no transaction.
    Ready,
    /// After MAIL FROM.
    Mail,
    /// AUTH PLAIN waiting for the initial response.
    AuthPlain,
    /// AUTH LOGIN waiting for the user name.
    AuthLoginUser,
    /// AUTH LOGIN waiting for the password.
    AuthLoginPassword(String),
    /// Credentials handed out for checking.
    AuthChecking(String),
    /// MAIL FROM waiting for the account check: the address and RET=HDRS.
    MailChecking(String, bool),
}

/// One SMTP session's state.
#[derive(Debug)]
pub struct Session {
    config: SessionConfig,
    client_ip: IpAddr,
    /// The client is in a relay network (may relay without AUTH).
    trusted_network: bool,
    tls: bool,
    esmtp: bool,
    helo: String,
    user: Option<String>,
    phase: Phase,
    mail_from: String,
    return_headers_only: bool,
    recipients: Vec<Recipient>,
    commands: usize,
    errors: usize,
}

impl Session {
    /// A new session for a client at `client_ip`; `trusted_network` when the
    /// address is in the configured relay networks.
    pub fn new(config: SessionConfig, client_ip: IpAddr, trusted_network: bool) -> Session {
        Session {
            config,
            client_ip,
            trusted_network,
            tls: false,
            esmtp: false,
            helo: String::new(),
            user: None,
            phase: Phase::Fresh,
            mail_from: String::new(),
            return_headers_only: false,
            recipients: Vec::new(),
            commands: 0,
            errors: 0,
        }
    }

    /// The greeting to send on connect.
    pub fn greeting(&self) -> Reply {
        Reply::new(220, "", &format!("{} ESMTP zegel", self.config.hostname))
    }

    /// The user that authenticated, if any.
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// The client's address.
    pub fn client_ip(&self) -> IpAddr {
        self.client_ip
    }

    /// Whether TLS is active.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// The largest message accepted.
    pub fn max_message_bytes(&self) -> usize {
        self.config.max_message_bytes
    }

    /// TLS is now active: the session starts over (RFC 3207 4.2).
    pub fn tls_started(&mut self) {
        self.tls = true;
        self.esmtp = false;
        self.helo.clear();
        self.user = None;
        self.phase = Phase::Fresh;
        self.reset_transaction();
    }

    /// A command line arrived that exceeded the line limit.
    pub fn line_too_long(&mut self) -> Action {
        self.error(Reply::new(500, "5.5.2", "Line too long"))
    }

    /// Handle one command line (including its line ending).
    pub fn command(&mut self, line: &[u8]) -> Action {
        self.commands += 1;
        if self.commands > self.config.max_commands {
            return Action::Close(Reply::new(
                421,
                "4.7.0",
                "Too many commands, closing connection",
            ));
        }
        if !line.ends_with(b"\r\n") {
            return self.error(Reply::new(
                500,
                "5.5.2",
                "Commands must end with CRLF (bare LF refused)",
            ));
        }
        if std::str::from_utf8(line).is_err() {
            return self.error(Reply::new(500, "5.5.2", "Command is not valid UTF-8"));
        }
        match std::mem::replace(&mut self.phase, Phase::Ready) {
            Phase::AuthPlain => return self.auth_plain_response(trim_crlf(line)),
            Phase::AuthLoginUser => return self.auth_login_user(trim_crlf(line)),
            Phase::AuthLoginPassword(user) => {
                return self.auth_login_password(user, trim_crlf(line))
            }
            Phase::AuthChecking(_) | Phase::MailChecking(..) => {
                self.phase = Phase::Ready;
                return self.error(Reply::new(503, "5.5.1", "Check in progress"));
            }
            other => self.phase = other,
        }
        let request = match Request::parse(&mut line.iter()) {
            Ok(r) => r,
            Err(e) => return self.parse_error(e),
        };
        match request {
            Request::Ehlo { host } => self.hello(host.as_ref(), true),
            Request::Helo { host } => self.hello(host.as_ref(), false),
            Request::Lhlo { .. } => self.error(Reply::new(500, "5.5.1", "LMTP is not spoken here")),
            Request::StartTls => self.starttls(),
            Request::Auth {
                mechanism,
                initial_response,
            } => self.auth(mechanism, initial_response.as_ref()),
            Request::Mail { from } => self.mail(from.address.as_ref(), from.flags, from.size),
            Request::Rcpt { to } => self.rcpt(to.address.as_ref(), to.flags),
            Request::Data => self.data(),
            Request::Bdat { .. } => {
                self.error(Reply::new(502, "5.5.1", "BDAT/CHUNKING is not offered"))
            }
            Request::Rset => {
                self.reset_transaction();
                if self.phase == Phase::Mail {
                    self.phase = Phase::Ready;
                }
                ok("Reset")
            }
            Request::Noop { .. } => ok("OK"),
            Request::Quit => Action::Close(Reply::new(221, "2.0.0", "Bye")),
            Request::Vrfy { .. } => Action::Reply(Reply::new(
                252,
                "2.1.5",
                "Cannot verify, but will try delivery",
            )),
            Request::Help { .. } => Action::Reply(Reply::new(
                214,
                "2.0.0",
                "See RFC 5321; zegel secures outgoing mail",
            )),
            Request::Expn { .. }
            | Request::Etrn { .. }
            | Request::Atrn { .. }
            | Request::Burl { .. } => {
                self.error(Reply::new(502, "5.5.1", "Command not implemented"))
            }
        }
    }

    /// The message data ended: decide what happens to it.
    pub fn data_done(&mut self, outcome: DataOutcome) -> DataNext {
        let envelope = Envelope {
            mail_from: std::mem::take(&mut self.mail_from),
            recipients: std::mem::take(&mut self.recipients),
            authenticated_user: self.user.clone(),
            client_ip: self.client_ip,
            helo: self.helo.clone(),
            tls: self.tls,
            return_headers_only: self.return_headers_only,
            inbound: !self.relay_allowed(),
        };
        self.reset_transaction();
        self.phase = Phase::Ready;
        match outcome {
            DataOutcome::Complete(data) => DataNext::Submit(envelope, data),
            DataOutcome::TooBig => {
                DataNext::Reply(Reply::new(552, "5.3.4", "Message too big for system"))
            }
            DataOutcome::LineTooLong => DataNext::Reply(Reply::new(
                500,
                "5.5.2",
                "Message has a line longer than allowed",
            )),
            DataOutcome::BareLineEnding => DataNext::Reply(Reply::new(
                554,
                "5.6.0",
                crate::line_ending::BARE_LINE_ENDING_REFUSAL,
            )),
        }
    }

    /// The credentials handed out by [`Action::Authenticate`] were checked.
    pub fn auth_result(&mut self, outcome: AuthOutcome) -> Action {
        let Phase::AuthChecking(user) = std::mem::replace(&mut self.phase, Phase::Ready) else {
            return Action::Reply(Reply::new(503, "5.5.1", "No authentication in progress"));
        };
        match outcome {
            AuthOutcome::Accepted => {
                self.user = Some(user);
                Action::Reply(Reply::new(235, "2.7.0", "Authentication succeeded"))
            }
            AuthOutcome::Rejected => self.error(Reply::new(
                535,
                "5.7.8",
                "Authentication credentials invalid",
            )),
            AuthOutcome::Locked => self.error(Reply::new(
                454,
                "4.7.0",
                "Te veel mislukte aanmeldingen, probeer het later opnieuw / \
                 Too many failed sign-ins, try again later",
            )),
            AuthOutcome::Busy => self.error(Reply::new(
                454,
                "4.3.0",
                "Server bezet, probeer het later opnieuw / Server busy, try again later",
            )),
        }
    }

    /// The account check asked for by [`Action::CheckAccount`] at MAIL
    /// FROM: an account disabled since AUTH loses its authentication.
    pub fn account_checked(&mut self, active: bool) -> Action {
        let Phase::MailChecking(address, return_headers_only) =
            std::mem::replace(&mut self.phase, Phase::Ready)
        else {
            return Action::Reply(Reply::new(503, "5.5.1", "No sender check in progress"));
        };
        if !active {
            self.user = None;
            return self.error(Reply::new(
                530,
                "5.7.0",
                "Account uitgeschakeld / Account disabled",
            ));
        }
        self.start_transaction(address, return_headers_only)
    }

    fn hello(&mut self, host: &str, esmtp: bool) -> Action {
        if host.is_empty() {
            return self.error(Reply::new(501, "5.5.4", "Syntax: EHLO hostname"));
        }
        self.reset_transaction();
        self.helo = host.to_string();
        self.esmtp = esmtp;
        self.phase = Phase::Ready;
        if !esmtp {
            return ok(&format!("{} Hello {}", self.config.hostname, host));
        }
        let mut lines = vec![
            format!("{} Hello {}", self.config.hostname, host),
            format!("SIZE {}", self.config.max_message_bytes),
            "8BITMIME".into(),
            "PIPELINING".into(),
            "SMTPUTF8".into(),
            "DSN".into(),
            "ENHANCEDSTATUSCODES".into(),
        ];
        if self.tls {
            if self.user.is_none() {
                lines.push("AUTH PLAIN LOGIN".into());
            }
        } else if self.config.tls_available {
            lines.push("STARTTLS".into());
        }
        Action::Reply(Reply::lines(250, "", lines))
    }

    fn starttls(&mut self) -> Action {
        if self.tls {
            return self.error(Reply::new(503, "5.5.1", "TLS already active"));
        }
        if !self.config.tls_available {
            return self.error(Reply::new(454, "4.7.0", "TLS not available"));
        }
        if self.phase == Phase::Fresh {
            return self.error(Reply::new(503, "5.5.1", "Say EHLO first"));
        }
        Action::StartTls(Reply::new(220, "2.0.0", "Ready to start TLS"))
    }

    fn auth(&mut self, mechanism: u64, initial: &str) -> Action {
        if self.phase == Phase::Fresh || !self.esmtp {
            return self.error(Reply::new(503, "5.5.1", "Say EHLO first"));
        }
        if !self.tls {
            return self.error(Reply::new(
                538,
                "5.7.11",
                "Encryption required: use STARTTLS before AUTH",
            ));
        }
        if self.user.is_some() {
            return self.error(Reply::new(503, "5.5.1", "Already authenticated"));
        }
        if self.phase == Phase::Mail {
            return self.error(Reply::new(
                503,
                "5.5.1",
                "AUTH not allowed during a transaction",
            ));
        }
        match mechanism {
            AUTH_PLAIN if initial.is_empty() => {
                self.phase = Phase::AuthPlain;
                Action::Reply(Reply::new(334, "", ""))
            }
            AUTH_PLAIN => self.auth_plain_response(initial.as_bytes()),
            AUTH_LOGIN if initial.is_empty() => {
                self.phase = Phase::AuthLoginUser;
                Action::Reply(Reply::new(334, "", "VXNlcm5hbWU6"))
            }
            AUTH_LOGIN => self.auth_login_user(initial.as_bytes()),
            _ => self.error(Reply::new(
                504,
                "5.5.4",
                "Mechanism not supported; use PLAIN or LOGIN",
            )),
        }
    }

    fn auth_plain_response(&mut self, response: &[u8]) -> Action {
        if response == b"*" {
            return self.error(Reply::new(501, "5.0.0", "Authentication cancelled"));
        }
        let Some(decoded) = decode_base64(response) else {
            return self.error(Reply::new(501, "5.5.2", "Invalid base64"));
        };
        // authzid NUL authcid NUL passwd (RFC 4616).
        let mut parts = decoded.splitn(3, |&b| b == 0);
        let (Some(_authzid), Some(user), Some(password)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return self.error(Reply::new(501, "5.5.2", "Malformed PLAIN response"));
        };
        match (
            String::from_utf8(user.to_vec()),
            String::from_utf8(password.to_vec()),
        ) {
            (Ok(user), Ok(password)) if !user.is_empty() => {
                self.phase = Phase::AuthChecking(user.clone());
                Action::Authenticate { user, password }
            }
            _ => self.error(Reply::new(501, "5.5.2", "Malformed PLAIN response")),
        }
    }

    fn auth_login_user(&mut self, response: &[u8]) -> Action {
        if response == b"*" {
            return self.error(Reply::new(501, "5.0.0", "Authentication cancelled"));
        }
        match decode_base64(response).and_then(|u| String::from_utf8(u).ok()) {
            Some(user) if !user.is_empty() => {
                self.phase = Phase::AuthLoginPassword(user);
                Action::Reply(Reply::new(334, "", "UGFzc3dvcmQ6"))
            }
            _ => self.error(Reply::new(501, "5.5.2", "Invalid base64 user name")),
        }
    }

    fn auth_login_password(&mut self, user: String, response: &[u8]) -> Action {
        if response == b"*" {
            return self.error(Reply::new(501, "5.0.0", "Authentication cancelled"));
        }
        match decode_base64(response).and_then(|p| String::from_utf8(p).ok()) {
            Some(password) => {
                self.phase = Phase::AuthChecking(user.clone());
                Action::Authenticate { user, password }
            }
            None => self.error(Reply::new(501, "5.5.2", "Invalid base64 password")),
        }
    }

    fn mail(&mut self, address: &str, flags: u64, size: usize) -> Action {
        match self.phase {
            Phase::Fresh => return self.error(Reply::new(503, "5.5.1", "Say EHLO first")),
            Phase::Mail => return self.error(Reply::new(503, "5.5.1", "Nested MAIL command")),
            _ => {}
        }
        if size > self.config.max_message_bytes {
            return self.error(Reply::new(
                552,
                "5.3.4",
                "Message size exceeds fixed maximum message size",
            ));
        }
        if !self.relay_allowed() && self.config.inbound.is_none() {
            return self.error(Reply::new(
                530,
                "5.7.0",
                "Authentication required: STARTTLS, then AUTH",
            ));
        }
        if let Some(refusal) = self.unusual(address) {
            return self.error(refusal);
        }
        if let Some(user) = &self.user {
            if !address.eq_ignore_ascii_case(user) {
                return self.error(Reply::new(
                    553,
                    "5.7.1",
                    &format!("Sender address <{address}> does not belong to user {user}"),
                ));
            }
        }
        let return_headers_only = flags & smtp_proto::MAIL_RET_HDRS != 0;
        if let Some(user) = &self.user {
            let user = user.clone();
            self.phase = Phase::MailChecking(address.to_string(), return_headers_only);
            return Action::CheckAccount { user };
        }
        self.start_transaction(address.to_string(), return_headers_only)
    }

    fn start_transaction(&mut self, address: String, return_headers_only: bool) -> Action {
        self.mail_from = address;
        self.return_headers_only = return_headers_only;
        self.recipients.clear();
        self.phase = Phase::Mail;
        Action::Reply(Reply::new(250, "2.1.0", "Sender OK"))
    }

    fn rcpt(&mut self, address: &str, flags: u64) -> Action {
        if self.phase != Phase::Mail {
            return self.error(Reply::new(503, "5.5.1", "Need MAIL before RCPT"));
        }
        if address.is_empty() || !address.contains('@') {
            return self.error(Reply::new(
                501,
                "5.1.3",
                "Recipient address must be a full address: user@domain",
            ));
        }
        if let Some(refusal) = self.unusual(address) {
            return self.error(refusal);
        }
        if !self.relay_allowed() && !self.is_inbound_domain(address) {
            return self.error(Reply::new(
                550,
                "5.7.1",
                "Doorsturen niet toegestaan / Relay access denied",
            ));
        }
        if self.recipients.len() >= self.config.max_recipients {
            return Action::Reply(Reply::new(452, "4.5.3", "Too many recipients"));
        }
        self.recipients.push(Recipient {
            address: address.to_string(),
            notify_never: flags & RCPT_NOTIFY_NEVER != 0,
            notify_success: flags & RCPT_NOTIFY_SUCCESS != 0,
        });
        Action::Reply(Reply::new(250, "2.1.5", "Recipient OK"))
    }

    fn data(&mut self) -> Action {
        if self.phase != Phase::Mail {
            return self.error(Reply::new(503, "5.5.1", "Need MAIL before DATA"));
        }
        if self.recipients.is_empty() {
            return self.error(Reply::new(554, "5.5.1", "No valid recipients"));
        }
        Action::ReadData(Reply::new(354, "", "End data with <CR><LF>.<CR><LF>"))
    }

    /// The refusal of an address whose local part could route it
    /// elsewhere than its domain says, or would be read differently by
    /// the next mail server; `%` and `!` unless
    /// [`SessionConfig::unusual_addresses`]. smtp-proto hands over a quoted
    /// local part unquoted (`"jan"@x` as `jan@x`, the same address); one
    /// that needed its quotes (an `@`, a space, a quote...) would lose
    /// them on the way out, so it is refused.
    fn unusual(&self, address: &str) -> Option<Reply> {
        let local = address.rsplit_once('@').map_or(address, |(l, _)| l);
        let routing = local.contains(['%', '!']) && !self.config.unusual_addresses;
        let needs_quotes = local.chars().any(|c| {
            c.is_ascii_whitespace() || c.is_ascii_control() || "\"(),:;<>@[]\\".contains(c)
        });
        if routing || needs_quotes {
            return Some(Reply::new(
                553,
                "5.1.3",
                "Adres met %, !, @ of aanhalingstekens in het deel voor de @ geweigerd / \
                 Address with %, !, @ or quotes before the @ refused",
            ));
        }
        None
    }

    fn relay_allowed(&self) -> bool {
        self.trusted_network || self.user.is_some()
    }

    /// Whether the inbound mode takes mail in for `address` now.
    fn is_inbound_domain(&self, address: &str) -> bool {
        let Some((_, domain)) = address.rsplit_once('@') else {
            return false;
        };
        self.config
            .inbound
            .as_ref()
            .is_some_and(|inbound| inbound.takes_mail_for(domain))
    }

    fn reset_transaction(&mut self) {
        self.mail_from.clear();
        self.recipients.clear();
        self.return_headers_only = false;
    }

    fn parse_error(&mut self, error: smtp_proto::Error) -> Action {
        let reply = match error {
            smtp_proto::Error::UnknownCommand => Reply::new(500, "5.5.1", "Command unrecognized"),
            smtp_proto::Error::InvalidSenderAddress => {
                Reply::new(501, "5.1.7", "Invalid sender address")
            }
            smtp_proto::Error::InvalidRecipientAddress => {
                Reply::new(501, "5.1.3", "Invalid recipient address")
            }
            smtp_proto::Error::SyntaxError { syntax } => {
                Reply::new(501, "5.5.4", &format!("Syntax: {syntax}"))
            }
            smtp_proto::Error::InvalidParameter { param } => {
                Reply::new(501, "5.5.4", &format!("Invalid parameter {param}"))
            }
            smtp_proto::Error::UnsupportedParameter { param } => Reply::new(
                555,
                "5.5.4",
                &format!("Unsupported parameter {}", sanitize(&param)),
            ),
            _ => Reply::new(500, "5.5.2", "Syntax error"),
        };
        self.error(reply)
    }

    fn error(&mut self, reply: Reply) -> Action {
        self.errors += 1;
        if self.errors > self.config.max_errors {
            return Action::Close(Reply::new(
                421,
                "4.7.0",
                "Too many errors, closing connection",
            ));
        }
        Action::Reply(reply)
    }
}

fn ok(text: &str) -> Action {
    Action::Reply(Reply::new(250, "2.0.0", text))
}

fn trim_crlf(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r\n").unwrap_or(line)
}

fn decode_base64(input: &[u8]) -> Option<Vec<u8>> {
    let input = input.trim_ascii();
    if input == b"=" {
        return Some(Vec::new());
    }
    base64::engine::general_purpose::STANDARD.decode(input).ok()
}

/// Printable ASCII only, bounded: text from the client echoed in a reply.
fn sanitize(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SessionConfig {
        SessionConfig {
            hostname: "zegel.test".into(),
            max_message_bytes: 1000,
            max_recipients: 2,
            max_commands: 50,
            max_errors: 5,
            tls_available: true,
            unusual_addresses: false,
            inbound: None,
        }
    }

    fn session(trusted: bool) -> Session {
        Session::new(config(), "127.0.0.1".parse().unwrap(), trusted)
    }

    fn code(action: &Action) -> u16 {
        match action {
            Action::Reply(r) | Action::Close(r) | Action::StartTls(r) | Action::ReadData(r) => {
                r.code()
            }
            Action::Authenticate { .. } | Action::CheckAccount { .. } => 0,
        }
    }

    fn run(s: &mut Session, line: &str) -> u16 {
        code(&s.command(format!("{line}\r\n").as_bytes()))
    }

    #[test]
    fn trusted_network_relays_without_auth() {
        let mut s = session(true);
        assert_eq!(run(&mut s, "EHLO client"), 250);
        assert_eq!(run(&mut s, "MAIL FROM:<a@org.nl>"), 250);
        assert_eq!(run(&mut s, "RCPT TO:<b@example.com>"), 250);
        assert_eq!(run(&mut s, "DATA"), 354);
        let DataNext::Submit(env, data) = s.data_done(DataOutcome::Complete(b"x".to_vec())) else {
            panic!("expected submit")
        };
        assert_eq!(env.mail_from, "a@org.nl");
        assert_eq!(env.recipients[0].address, "b@example.com");
        assert_eq!(data, b"x");
        // The next transaction starts clean.
        assert_eq!(run(&mut s, "RCPT TO:<b@example.com>"), 503);
    }

    #[test]
    fn outside_network_without_auth_cannot_relay() {
        let mut s = session(false);
        assert_eq!(run(&mut s, "EHLO client"), 250);
        assert_eq!(run(&mut s, "MAIL FROM:<a@org.nl>"), 530);
        assert_eq!(run(&mut s, "RCPT TO:<b@example.com>"), 503);
        assert_eq!(run(&mut s, "DATA"), 503);
    }

    /// Domains that change while a session runs, as the staff web changes
    /// the internal domains.
    #[derive(Debug)]
    struct Changing(std::sync::Mutex<DomainList>);

    impl InboundDomains for Changing {
        fn takes_mail_for(&self, domain: &str) -> bool {
            self.0.lock().unwrap().takes_mail_for(domain)
        }
    }

    #[test]
    fn inbound_mode_asks_for_the_domains_at_every_rcpt() {
        let domains = Arc::new(Changing(std::sync::Mutex::new(DomainList::new([
            "zorg.nl",
        ]))));
        let config = SessionConfig {
            inbound: Some(domains.clone()),
            ..config()
        };
        let mut s = Session::new(config, "192.0.2.9".parse().unwrap(), false);
        assert_eq!(run(&mut s, "EHLO mx.example.com"), 250);
        assert_eq!(run(&mut s, "MAIL FROM:<jan@example.com>"), 250);
        assert_eq!(run(&mut s, "RCPT TO:<a@wijkzorg.nl>"), 550);
        assert_eq!(run(&mut s, "RCPT TO:<a@zorg.nl>"), 250);
        // Changed in the same session: wijkzorg.nl in, zorg.nl out.
        *domains.0.lock().unwrap() = DomainList::new(["WijkZorg.nl."]);
        assert_eq!(run(&mut s, "RCPT TO:<b@wijkzorg.nl>"), 250);
        assert_eq!(run(&mut s, "RCPT TO:<b@zorg.nl>"), 550);
        // Even an empty list keeps the inbound mode on: MAIL is taken,
        // every RCPT refused.
        *domains.0.lock().unwrap() = DomainList::new(Vec::<String>::new());
        assert_eq!(run(&mut s, "RSET"), 250);
        assert_eq!(run(&mut s, "MAIL FROM:<jan@example.com>"), 250);
        assert_eq!(run(&mut s, "RCPT TO:<b@wijkzorg.nl>"), 550);
    }

    #[test]
    fn a_domain_list_is_cleaned_and_counts_subdomains() {
        let list = DomainList::new([" Zorg.NL. ", "", "wijk.nl"]);
        assert_eq!(list, DomainList(vec!["zorg.nl".into(), "wijk.nl".into()]));
        assert!(list.takes_mail_for("ZORG.nl."));
        assert!(list.takes_mail_for("a.b.zorg.nl"));
        assert!(!list.takes_mail_for("notzorg.nl"));
        assert!(!list.takes_mail_for("zorg.nl.example.com"));
        assert!(!list.takes_mail_for(""));
        assert!(!list.takes_mail_for("[192.0.2.1]"));
    }

    #[test]
    fn inbound_mode_takes_mail_for_its_domains_only() {
        let config = SessionConfig {
            inbound: Some(Arc::new(DomainList::new(["Zorg.nl"]))),
            ..config()
        };
        let mut s = Session::new(config.clone(), "192.0.2.9".parse().unwrap(), false);
        assert_eq!(run(&mut s, "EHLO mx.example.com"), 250);
        assert_eq!(run(&mut s, "MAIL FROM:<jan@example.com>"), 250);
        assert_eq!(run(&mut s, "RCPT TO:<b@example.com>"), 550, "no relaying");
        assert_eq!(
            run(&mut s, "RCPT TO:<b@notzorg.nl>"),
            550,
            "not a subdomain"
        );
        assert_eq!(run(&mut s, "RCPT TO:<b@zorg.nl.example.com>"), 550);
        assert_eq!(run(&mut s, "RCPT TO:<b@zorg.nl>"), 250);
        assert_eq!(run(&mut s, "RCPT TO:<C@Afdeling.ZORG.NL.>"), 250);
        assert_eq!(run(&mut s, "DATA"), 354);
        let DataNext::Submit(env, _) = s.data_done(DataOutcome::Complete(b"x".to_vec())) else {
            panic!("expected submit")
        };
        assert!(env.inbound);
        assert_eq!(env.recipients.len(), 2);
        // A relaying client's mail to the same domain is outgoing mail.
        let mut s = Session::new(config, "127.0.0.1".parse().unwrap(), true);
        run(&mut s, "EHLO client");
        run(&mut s, "MAIL FROM:<a@zorg.nl>");
        assert_eq!(run(&mut s, "RCPT TO:<b@example.com>"), 250);
        run(&mut s, "DATA");
        let DataNext::Submit(env, _) = s.data_done(DataOutcome::Complete(b"x".to_vec())) else {
            panic!("expected submit")
        };
        assert!(!env.inbound);
    }

    #[test]
    fn auth_only_after_tls_and_then_relays() {
        let mut s = session(false);
        run(&mut s, "EHLO client");
        let creds = base64::engine::general_purpose::STANDARD.encode("\0a@org.nl\0secret");
        assert_eq!(run(&mut s, &format!("AUTH PLAIN {creds}")), 538);
        assert_eq!(code(&s.command(b"STARTTLS\r\n")), 220);
        s.tls_started();
        assert_eq!(
            run(&mut s, "MAIL FROM:<a@org.nl>"),
            503,
            "EHLO again after TLS"
        );
        run(&mut s, "EHLO client");
        let action = s.command(format!("AUTH PLAIN {creds}\r\n").as_bytes());
        assert_eq!(
            action,
            Action::Authenticate {
                user: "a@org.nl".into(),
                password: "secret".into()
            }
        );
        assert_eq!(code(&s.auth_result(AuthOutcome::Accepted)), 235);
        assert_eq!(
            run(&mut s, "MAIL FROM:<other@org.nl>"),
            553,
            "own address only"
        );
        assert_eq!(
            s.command(b"MAIL FROM:<A@org.nl>\r\n"),
            Action::CheckAccount {
                user: "a@org.nl".into()
            },
            "the account is asked after again at every MAIL"
        );
        assert_eq!(code(&s.account_checked(true)), 250);
        assert_eq!(run(&mut s, "RCPT TO:<b@example.com>"), 250);
    }

    /// An account disabled after AUTH cannot start another message in the
    /// same session: it loses its authentication at the next MAIL FROM.
    #[test]
    fn a_disabled_account_loses_its_session() {
        let mut s = session(false);
        run(&mut s, "EHLO client");
        s.command(b"STARTTLS\r\n");
        s.tls_started();
        run(&mut s, "EHLO client");
        let creds = base64::engine::general_purpose::STANDARD.encode("\0a@org.nl\0secret");
        s.command(format!("AUTH PLAIN {creds}\r\n").as_bytes());
        assert_eq!(code(&s.auth_result(AuthOutcome::Accepted)), 235);
        assert!(matches!(
            s.command(b"MAIL FROM:<a@org.nl>\r\n"),
            Action::CheckAccount { .. }
        ));
        assert_eq!(code(&s.account_checked(false)), 530);
        assert_eq!(s.user(), None);
        assert_eq!(
            run(&mut s, "MAIL FROM:<a@org.nl>"),
            530,
            "AUTH needed again"
        );
        assert_eq!(code(&s.account_checked(true)), 503, "nothing was asked");
    }

    /// A locked account and a busy server answer 454 (try later), and
    /// count as errors like a wrong password.
    #[test]
    fn locked_and_busy_answer_454() {
        let mut s = session(false);
        run(&mut s, "EHLO client");
        s.command(b"STARTTLS\r\n");
        s.tls_started();
        run(&mut s, "EHLO client");
        let creds = base64::engine::general_purpose::STANDARD.encode("\0a@org.nl\0secret");
        for outcome in [AuthOutcome::Locked, AuthOutcome::Busy] {
            s.command(format!("AUTH PLAIN {creds}\r\n").as_bytes());
            assert_eq!(code(&s.auth_result(outcome)), 454);
            assert_eq!(s.user(), None);
        }
        for _ in 0..3 {
            s.command(format!("AUTH PLAIN {creds}\r\n").as_bytes());
            assert_eq!(code(&s.auth_result(AuthOutcome::Rejected)), 535);
        }
        s.command(format!("AUTH PLAIN {creds}\r\n").as_bytes());
        assert!(matches!(
            s.auth_result(AuthOutcome::Locked),
            Action::Close(_)
        ));
    }

    #[test]
    fn auth_login_and_wrong_password() {
        let mut s = session(false);
        run(&mut s, "EHLO client");
        s.command(b"STARTTLS\r\n");
        s.tls_started();
        run(&mut s, "EHLO client");
        assert_eq!(run(&mut s, "AUTH LOGIN"), 334);
        assert_eq!(run(&mut s, "YUBvcmcubmw="), 334);
        assert!(matches!(
            s.command(b"d3Jvbmc=\r\n"),
            Action::Authenticate { .. }
        ));
        assert_eq!(code(&s.auth_result(AuthOutcome::Rejected)), 535);
        assert_eq!(run(&mut s, "MAIL FROM:<a@org.nl>"), 530);
    }

    /// Local parts that route elsewhere or would lose their quoting on the
    /// way out are refused: `%` and `!` unless configured, what needs
    /// quotes always.
    #[test]
    fn routing_and_quoted_local_parts_are_refused() {
        let mut s = session(true);
        run(&mut s, "EHLO client");
        assert_eq!(run(&mut s, "MAIL FROM:<a%evil.example@org.nl>"), 553);
        assert_eq!(run(&mut s, "MAIL FROM:<a@org.nl>"), 250);
        for rcpt in [
            "RCPT TO:<user%evil.example@zorg.nl>",
            "RCPT TO:<evil.example!user@zorg.nl>",
            "RCPT TO:<\"user@evil.example\"@zorg.nl>",
            "RCPT TO:<\"jan de vries\"@zorg.nl>",
        ] {
            assert_eq!(run(&mut s, rcpt), 553, "{rcpt}");
        }
        // Quotes around what needs none: the same address, taken.
        assert_eq!(run(&mut s, "RCPT TO:<\"jan\"@zorg.nl>"), 250);
        assert_eq!(run(&mut s, "RCPT TO:<jan.de-vries+x@zorg.nl>"), 250);

        let mut allowed = Session::new(
            SessionConfig {
                unusual_addresses: true,
                ..config()
            },
            "127.0.0.1".parse().unwrap(),
            true,
        );
        run(&mut allowed, "EHLO client");
        assert_eq!(run(&mut allowed, "MAIL FROM:<a@org.nl>"), 250);
        assert_eq!(run(&mut allowed, "RCPT TO:<user%host@zorg.nl>"), 250);
        assert_eq!(
            run(&mut allowed, "RCPT TO:<\"user@evil.example\"@zorg.nl>"),
            553,
            "quotes are refused even then: the quoting would be lost"
        );
    }

    #[test]
    fn limits_and_order() {
        let mut s = session(true);
        assert_eq!(run(&mut s, "MAIL FROM:<a@org.nl>"), 503, "EHLO first");
        run(&mut s, "EHLO client");
        assert_eq!(run(&mut s, "MAIL FROM:<a@org.nl> SIZE=5000"), 552);
        assert_eq!(run(&mut s, "MAIL FROM:<a@org.nl> SIZE=500"), 250);
        assert_eq!(run(&mut s, "DATA"), 554, "no recipients");
        assert_eq!(run(&mut s, "RCPT TO:<x@y.nl>"), 250);
        assert_eq!(run(&mut s, "RCPT TO:<z@y.nl>"), 250);
        assert_eq!(run(&mut s, "RCPT TO:<w@y.nl>"), 452);
        assert_eq!(run(&mut s, "RCPT TO:<nodomain>"), 501);
    }

    #[test]
    fn bad_input_gets_replies_then_the_door() {
        let mut s = session(true);
        assert_eq!(code(&s.command(b"EHLO x\n")), 500, "bare LF");
        assert_eq!(code(&s.command(b"EHLO \xff\xfe\r\n")), 500, "not UTF-8");
        assert_eq!(run(&mut s, "FOO bar"), 500);
        assert_eq!(
            run(&mut s, "MAIL FROM:<a@@>"),
            501,
            "bad address before order"
        );
        assert_eq!(code(&s.line_too_long()), 500);
        assert!(matches!(s.command(b"XYZ\r\n"), Action::Close(_)));
    }

    #[test]
    fn too_many_commands_closes() {
        let mut s = session(true);
        for _ in 0..50 {
            assert_eq!(run(&mut s, "NOOP"), 250);
        }
        assert!(matches!(s.command(b"NOOP\r\n"), Action::Close(_)));
    }

    #[test]
    fn data_outcomes_map_to_replies() {
        for (outcome, want) in [
            (DataOutcome::TooBig, 552),
            (DataOutcome::LineTooLong, 500),
            (DataOutcome::BareLineEnding, 554),
        ] {
            let mut s = session(true);
            run(&mut s, "EHLO c");
            run(&mut s, "MAIL FROM:<a@org.nl>");
            run(&mut s, "RCPT TO:<b@x.nl>");
            run(&mut s, "DATA");
            match s.data_done(outcome) {
                DataNext::Reply(r) => assert_eq!(r.code(), want),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn ehlo_advertises_by_state() {
        let mut s = session(false);
        let Action::Reply(r) = s.command(b"EHLO c\r\n") else {
            panic!()
        };
        let text = r.to_string();
        assert!(
            text.contains("STARTTLS") && !text.contains("AUTH"),
            "{text}"
        );
        for ext in ["SIZE 1000", "8BITMIME", "PIPELINING", "SMTPUTF8", "DSN"] {
            assert!(text.contains(ext), "{ext} in {text}");
        }
        s.command(b"STARTTLS\r\n");
        s.tls_started();
        let Action::Reply(r) = s.command(b"EHLO c\r\n") else {
            panic!()
        };
        let text = r.to_string();
        assert!(
            !text.contains("STARTTLS") && text.contains("AUTH PLAIN LOGIN"),
            "{text}"
        );
    }

    #[test]
    fn dsn_parameters_are_kept() {
        let mut s = session(true);
        run(&mut s, "EHLO c");
        assert_eq!(run(&mut s, "MAIL FROM:<a@org.nl> RET=HDRS ENVID=x1"), 250);
        assert_eq!(run(&mut s, "RCPT TO:<b@x.nl> NOTIFY=NEVER"), 250);
        assert_eq!(run(&mut s, "RCPT TO:<c@x.nl> NOTIFY=SUCCESS,FAILURE"), 250);
        run(&mut s, "DATA");
        let DataNext::Submit(env, _) = s.data_done(DataOutcome::Complete(vec![])) else {
            panic!()
        };
        assert!(env.return_headers_only);
        assert!(env.recipients[0].notify_never && !env.recipients[1].notify_never);
        assert!(env.recipients[1].notify_success);
    }

    proptest::proptest! {
        /// Any bytes as command lines get a reply or a close, never a panic,
        /// and a reply's text stays on one line per line.
        #[test]
        fn arbitrary_lines_never_panic(lines in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..80), 0..40)) {
            let mut s = session(true);
            for mut line in lines {
                line.extend_from_slice(b"\r\n");
                match s.command(&line) {
                    Action::Close(_) => break,
                    Action::StartTls(_) => s.tls_started(),
                    Action::ReadData(_) => { let _ = s.data_done(DataOutcome::Complete(vec![])); }
                    Action::Authenticate { .. } => { let _ = s.auth_result(AuthOutcome::Rejected); }
                    Action::CheckAccount { .. } => { let _ = s.account_checked(true); }
                    Action::Reply(r) => {
                        let text = r.to_string();
                        proptest::prop_assert_eq!(text.matches("\r\n").count(), r.text_lines().len());
                    }
                }
            }
        }
    }
}
