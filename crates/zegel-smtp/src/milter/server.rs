//! Milter connections: negotiate, collect one message at a time (envelope,
//! headers, body), ask the handler at the end of each, answer Postfix.
//! Several messages may follow on one connection; connection facts (client
//! address, HELO) stay, message facts are reset after each.

use super::codec::{self, read_command, Command, MilterError, Response, MAX_PACKET};
use super::{MilterDecision, MilterHandler, MilterMessage};
use crate::line_ending::{has_bare_cr_or_lf, BARE_LINE_ENDING_REFUSAL};
use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// The milter's limits.
#[derive(Debug, Clone)]
pub struct MilterConfig {
    /// Largest message (headers and body, as rebuilt) handed to the
    /// handler; a larger one gets [`MilterHandler::oversized`]'s answer.
    pub max_message_bytes: usize,
    /// Longest wait for each packet from Postfix (and for Postfix to take
    /// our answer). Postfix keeps the connection open, silent, while its
    /// SMTP client is idle: keep this above Postfix's `smtpd_timeout`.
    pub read_timeout: Duration,
}

/// Most bytes of envelope (sender, recipients) per message; more is a
/// protocol error (Postfix never gets near it).
const MAX_ENVELOPE_BYTES: usize = 4 * 1024 * 1024;
/// Counted per recipient on top of its length, so empty ones add up too.
const PER_RECIPIENT_BYTES: usize = 64;
/// Most headers one decision may add.
const MAX_ADDED_HEADERS: usize = 50;
/// At most this long between PROGRESS packets while the handler works.
const PROGRESS_EVERY: Duration = Duration::from_secs(30);

/// Serves milter connections on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    config: MilterConfig,
    handler: Arc<dyn MilterHandler>,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    crate::listen::accept_until(listener, "milter", shutdown, move |stream, peer| {
        let config = config.clone();
        let handler = handler.clone();
        // Many small request/answer round trips: do not wait to fill packets.
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            match serve_connection(stream, &config, handler).await {
                Ok(()) => tracing::debug!(peer = %peer, "milter connection closed"),
                Err(
                    e @ (MilterError::Io(_) | MilterError::Timeout(_) | MilterError::Truncated),
                ) => tracing::debug!(peer = %peer, error = %e, "milter connection lost"),
                Err(e) => tracing::warn!(peer = %peer, error = %e, "milter protocol error"),
            }
        });
    })
    .await
}

/// Runs one milter connection (any byte stream) until Postfix quits or
/// closes it (`Ok`), or until a timeout or protocol error (`Err`; the
/// connection should then be closed, and Postfix applies its
/// `milter_default_action`).
pub async fn serve_connection<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    config: &MilterConfig,
    handler: Arc<dyn MilterHandler>,
) -> Result<(), MilterError> {
    Session {
        io: BufReader::new(stream),
        config,
        handler,
        leading_space: false,
        connection: Connection::default(),
        message: Message::default(),
    }
    .run()
    .await
}

/// Facts about the SMTP connection, kept across its messages.
#[derive(Debug, Default)]
struct Connection {
    client_ip: Option<IpAddr>,
    client_addr_macro: Option<IpAddr>,
    helo: Option<String>,
    authenticated_user: Option<String>,
}

/// The message being received.
#[derive(Debug, Default)]
struct Message {
    mail_from: String,
    rcpt_to: Vec<String>,
    queue_id: Option<String>,
    raw: Vec<u8>,
    envelope_bytes: usize,
    /// Set once the message outgrew the limit: the answer for it.
    oversized: Option<MilterDecision>,
}

/// Which handler method to call.
#[derive(Debug, Clone, Copy)]
enum Ask {
    Decide,
    Oversized,
}

struct Session<'a, S> {
    io: BufReader<S>,
    config: &'a MilterConfig,
    handler: Arc<dyn MilterHandler>,
    /// SMFIP_HDR_LEADSPC was negotiated: header values carry their space.
    leading_space: bool,
    connection: Connection,
    message: Message,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Session<'_, S> {
    async fn run(mut self) -> Result<(), MilterError> {
        loop {
            let read = read_command(&mut self.io, MAX_PACKET);
            let command = match tokio::time::timeout(self.config.read_timeout, read).await {
                Err(_) => return Err(MilterError::Timeout(self.config.read_timeout)),
                Ok(read) => match read? {
                    Some(command) => command,
                    None => return Ok(()),
                },
            };
            let replies = match command {
                Command::OptNeg {
                    version,
                    actions,
                    protocol,
                } => vec![self.negotiate(version, actions, protocol)],
                Command::Macro { stage, pairs } => {
                    self.macros(stage, pairs);
                    Vec::new()
                }
                Command::Connect {
                    family, address, ..
                } => {
                    self.connection.client_ip = match family {
                        b'4' | b'6' => parse_ip(&address),
                        _ => None,
                    };
                    self.connection.helo = None;
                    self.connection.authenticated_user = None;
                    self.message = Message::default();
                    vec![Response::Continue]
                }
                Command::Helo(name) => {
                    self.connection.helo = Some(name);
                    vec![Response::Continue]
                }
                Command::Mail(args) => {
                    // The queue id may have come in this command's macros.
                    let queue_id = self.message.queue_id.take();
                    self.message = Message {
                        queue_id,
                        ..Message::default()
                    };
                    let from = strip_brackets(args.first().map_or("", String::as_str));
                    self.count_envelope(from.len())?;
                    self.message.mail_from = from;
                    vec![Response::Continue]
                }
                Command::Rcpt(args) => {
                    let to = strip_brackets(args.first().map_or("", String::as_str));
                    self.count_envelope(to.len() + PER_RECIPIENT_BYTES)?;
                    self.message.rcpt_to.push(to);
                    vec![Response::Continue]
                }
                Command::Header { name, value } => {
                    let line = self.header_line(name, &value);
                    self.content(&line).await?
                }
                Command::EndOfHeaders => self.content(b"\r\n").await?,
                Command::Body(chunk) => self.content(&chunk).await?,
                Command::EndOfMessage(chunk) => {
                    if !chunk.is_empty() {
                        // One final answer follows, whatever this says.
                        let _ = self.content(&chunk).await?;
                    }
                    self.end_of_message().await?
                }
                Command::Abort => {
                    self.message = Message::default();
                    Vec::new()
                }
                Command::Quit => return Ok(()),
                Command::QuitNewConnection => {
                    self.connection = Connection::default();
                    self.message = Message::default();
                    Vec::new()
                }
                Command::Data | Command::Unknown(_) => vec![Response::Continue],
            };
            if !replies.is_empty() {
                self.send(&replies).await?;
            }
        }
    }

    /// Our options: the version Postfix offers (at most 6), the actions we
    /// use, the steps we skip, and the macros we want.
    fn negotiate(&mut self, version: u32, actions: u32, protocol: u32) -> Response {
        let actions = actions
            & (codec::ACTION_ADD_HEADERS
                | codec::ACTION_CHANGE_HEADERS
                | codec::ACTION_QUARANTINE
                | codec::ACTION_SET_SYMLIST);
        let protocol = protocol
            & (codec::PROTOCOL_NO_DATA
                | codec::PROTOCOL_NO_UNKNOWN
                | codec::PROTOCOL_HEADER_LEADING_SPACE);
        self.leading_space = protocol & codec::PROTOCOL_HEADER_LEADING_SPACE != 0;
        let macros = if actions & codec::ACTION_SET_SYMLIST != 0 {
            vec![
                (codec::STAGE_CONNECT, "{client_addr}".to_string()),
                (codec::STAGE_MAIL, "i {auth_authen}".to_string()),
                (codec::STAGE_END_OF_HEADERS, "i".to_string()),
                (codec::STAGE_END_OF_MESSAGE, "i".to_string()),
            ]
        } else {
            Vec::new()
        };
        Response::OptNeg {
            version: version.min(6),
            actions,
            protocol,
            macros,
        }
    }

    /// Keeps the macros of interest.
    fn macros(&mut self, stage: u8, pairs: Vec<(String, String)>) {
        if stage == b'M' {
            // Sent with every MAIL; absent means not authenticated.
            self.connection.authenticated_user = None;
        }
        for (name, value) in pairs {
            match name.as_str() {
                "i" if !value.is_empty() => self.message.queue_id = Some(value),
                "{auth_authen}" if !value.is_empty() => {
                    self.connection.authenticated_user = Some(value)
                }
                "{client_addr}" => self.connection.client_addr_macro = parse_ip(&value),
                _ => {}
            }
        }
    }

    fn count_envelope(&mut self, bytes: usize) -> Result<(), MilterError> {
        self.message.envelope_bytes = self.message.envelope_bytes.saturating_add(bytes);
        if self.message.envelope_bytes > MAX_ENVELOPE_BYTES {
            return Err(MilterError::EnvelopeTooLarge(MAX_ENVELOPE_BYTES));
        }
        Ok(())
    }

    /// "Name: value\r\n" (with the leading-space option: "Name:" and the
    /// value as sent); folded lines get CRLF.
    fn header_line(&self, mut name: Vec<u8>, value: &[u8]) -> Vec<u8> {
        name.push(b':');
        if !self.leading_space {
            name.push(b' ');
        }
        let mut previous = 0u8;
        for &b in value {
            if b == b'\n' && previous != b'\r' {
                name.push(b'\r');
            }
            name.push(b);
            previous = b;
        }
        name.extend_from_slice(b"\r\n");
        name
    }

    /// Adds message bytes; past the limit, asks for the oversized answer
    /// and gives it now when it is final (Postfix then stops sending).
    async fn content(&mut self, bytes: &[u8]) -> Result<Vec<Response>, MilterError> {
        if let Some(decision) = &self.message.oversized {
            return Ok(match decision {
                MilterDecision::Continue
                | MilterDecision::AddHeaders(_)
                | MilterDecision::Modify { .. }
                | MilterDecision::Quarantine { .. } => {
                    vec![Response::Continue]
                }
                // Already given; a peer that keeps sending hears it again.
                other => self.responses_for(other.clone()),
            });
        }
        if self.message.raw.len().saturating_add(bytes.len()) <= self.config.max_message_bytes {
            self.message.raw.extend_from_slice(bytes);
            return Ok(vec![Response::Continue]);
        }
        self.message.raw = Vec::new();
        let decision = self.ask(Ask::Oversized, self.snapshot()).await?;
        self.message.oversized = Some(decision.clone());
        Ok(match decision {
            MilterDecision::Continue
            | MilterDecision::AddHeaders(_)
            | MilterDecision::Modify { .. }
            | MilterDecision::Quarantine { .. } => vec![Response::Continue],
            other => self.responses_for(other),
        })
    }

    /// The final answer for the message; resets the message state.
    async fn end_of_message(&mut self) -> Result<Vec<Response>, MilterError> {
        let mut message = std::mem::take(&mut self.message);
        let decision = match message.oversized.take() {
            Some(decision) => decision,
            // The MTA took a bare CR or LF as data; a next hop might take it
            // for a line end (SMTP smuggling): refused as the SMTP server
            // refuses it, without assessing.
            None if has_bare_cr_or_lf(&message.raw) => MilterDecision::Reject {
                code: 554,
                text: format!("5.6.0 {BARE_LINE_ENDING_REFUSAL}"),
            },
            None => {
                let whole = MilterMessage {
                    raw: std::mem::take(&mut message.raw),
                    mail_from: std::mem::take(&mut message.mail_from),
                    rcpt_to: std::mem::take(&mut message.rcpt_to),
                    queue_id: message.queue_id.take(),
                    ..self.snapshot()
                };
                self.ask(Ask::Decide, whole).await?
            }
        };
        Ok(self.responses_for(decision))
    }

    /// The message so far, without its content.
    fn snapshot(&self) -> MilterMessage {
        MilterMessage {
            client_ip: self
                .connection
                .client_ip
                .or(self.connection.client_addr_macro),
            helo: self.connection.helo.clone(),
            mail_from: self.message.mail_from.clone(),
            rcpt_to: self.message.rcpt_to.clone(),
            authenticated_user: self.connection.authenticated_user.clone(),
            queue_id: self.message.queue_id.clone(),
            raw: Vec::new(),
        }
    }

    /// Calls the handler on a blocking thread, telling Postfix we are
    /// still busy meanwhile. A panicking handler means "try again later".
    async fn ask(
        &mut self,
        ask: Ask,
        message: MilterMessage,
    ) -> Result<MilterDecision, MilterError> {
        let handler = self.handler.clone();
        let mut job = tokio::task::spawn_blocking(move || match ask {
            Ask::Decide => handler.decide(&message),
            Ask::Oversized => handler.oversized(&message),
        });
        let every = (self.config.read_timeout / 2)
            .min(PROGRESS_EVERY)
            .max(Duration::from_millis(10));
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        loop {
            tokio::select! {
                joined = &mut job => {
                    return Ok(joined.unwrap_or_else(|e| {
                        tracing::error!(error = %e, "milter handler failed");
                        MilterDecision::Tempfail {
                            text: "4.3.0 Assessment failed, try again later".into(),
                        }
                    }));
                }
                _ = ticks.tick() => self.send(&[Response::Progress]).await?,
            }
        }
    }

    /// The packets for a decision, ending with the final answer.
    fn responses_for(&self, decision: MilterDecision) -> Vec<Response> {
        match decision {
            MilterDecision::Accept => vec![Response::Accept],
            MilterDecision::Continue => vec![Response::Continue],
            MilterDecision::Reject { code, text } => {
                let code = if (400..600).contains(&code) {
                    code
                } else {
                    550
                };
                vec![Response::reply_code(code, &text)]
            }
            MilterDecision::Tempfail { text } => vec![Response::reply_code(451, &text)],
            MilterDecision::AddHeaders(headers) => {
                let mut out = self.header_changes(&[], &headers);
                out.push(Response::Continue);
                out
            }
            MilterDecision::Modify { change, add } => {
                let mut out = self.header_changes(&change, &add);
                out.push(Response::Continue);
                out
            }
            MilterDecision::Quarantine {
                reason,
                change,
                add,
            } => {
                let mut out = self.header_changes(&change, &add);
                out.push(Response::quarantine(&reason));
                out.push(Response::Continue);
                out
            }
        }
    }

    /// The packets that change, then add, headers (each sanitised and
    /// folded; at most MAX_ADDED_HEADERS of each).
    fn header_changes(
        &self,
        change: &[(String, u32, String)],
        add: &[(String, String)],
    ) -> Vec<Response> {
        let mut out: Vec<Response> = change
            .iter()
            .take(MAX_ADDED_HEADERS)
            .filter_map(
                |(n, index, v)| match Response::add_header(n, v, self.leading_space)? {
                    Response::AddHeader { name, value } => Some(Response::ChangeHeader {
                        index: *index,
                        name,
                        value,
                    }),
                    _ => None,
                },
            )
            .collect();
        out.extend(
            add.iter()
                .take(MAX_ADDED_HEADERS)
                .filter_map(|(n, v)| Response::add_header(n, v, self.leading_space)),
        );
        out
    }

    /// Writes packets in one go, bounded by the timeout.
    async fn send(&mut self, responses: &[Response]) -> Result<(), MilterError> {
        let bytes: Vec<u8> = responses.iter().flat_map(Response::encode).collect();
        let stream = self.io.get_mut();
        let write = async {
            stream.write_all(&bytes).await?;
            stream.flush().await
        };
        match tokio::time::timeout(self.config.read_timeout, write).await {
            Err(_) => Err(MilterError::Timeout(self.config.read_timeout)),
            Ok(result) => Ok(result?),
        }
    }
}

/// An address as Postfix (or Sendmail, "IPv6:...") writes it.
fn parse_ip(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_start_matches('[').trim_end_matches(']');
    let text = text
        .strip_prefix("IPv6:")
        .or_else(|| text.strip_prefix("ipv6:"))
        .unwrap_or(text);
    text.parse().ok()
}

/// "<a@b>" -> "a@b"; "<>" (the null sender) -> "".
fn strip_brackets(address: &str) -> String {
    let a = address.trim();
    let a = a.strip_prefix('<').unwrap_or(a);
    a.strip_suffix('>').unwrap_or(a).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use tokio::io::{AsyncReadExt, DuplexStream};

    /// Answers with a fixed decision and remembers what it saw.
    struct Fixed {
        decision: MilterDecision,
        oversized: Option<MilterDecision>,
        seen: Mutex<Vec<MilterMessage>>,
    }

    impl Fixed {
        fn new(decision: MilterDecision) -> Arc<Fixed> {
            Arc::new(Fixed {
                decision,
                oversized: None,
                seen: Mutex::default(),
            })
        }

        fn seen(&self) -> Vec<MilterMessage> {
            self.seen.lock().unwrap().clone()
        }
    }

    impl MilterHandler for Fixed {
        fn decide(&self, message: &MilterMessage) -> MilterDecision {
            self.seen.lock().unwrap().push(message.clone());
            if message.mail_from == "panic@zorg.nl" {
                panic!("handler bug");
            }
            self.decision.clone()
        }

        fn oversized(&self, message: &MilterMessage) -> MilterDecision {
            match &self.oversized {
                Some(d) => d.clone(),
                None => MilterDecision::too_big(message),
            }
        }
    }

    fn config(max: usize) -> MilterConfig {
        MilterConfig {
            max_message_bytes: max,
            read_timeout: Duration::from_secs(30),
        }
    }

    fn optneg(protocol: u32) -> Command {
        Command::OptNeg {
            version: 6,
            actions: 0x1ff,
            protocol,
        }
    }

    fn macros(stage: u8, pairs: &[(&str, &str)]) -> Command {
        Command::Macro {
            stage,
            pairs: pairs
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn connect() -> Vec<Command> {
        vec![
            macros(b'C', &[("{client_addr}", "127.0.0.1")]),
            Command::Connect {
                hostname: "localhost".into(),
                family: b'4',
                port: 40000,
                address: "127.0.0.1".into(),
            },
            Command::Helo("client.test".into()),
        ]
    }

    fn message(from: &str, subject: &str, body: &[u8]) -> Vec<Command> {
        vec![
            macros(b'M', &[("{auth_authen}", "jan")]),
            Command::Mail(vec![format!("<{from}>"), "SIZE=100".into()]),
            Command::Rcpt(vec!["<b@example.com>".into()]),
            Command::Rcpt(vec!["<c@zorg.nl>".into(), "NOTIFY=NEVER".into()]),
            Command::Header {
                name: b"Subject".to_vec(),
                value: subject.as_bytes().to_vec(),
            },
            Command::Header {
                name: b"To".to_vec(),
                value: b"b@example.com,\n\tc@zorg.nl".to_vec(),
            },
            macros(b'N', &[("i", "4QX1")]),
            Command::EndOfHeaders,
            Command::Body(body.to_vec()),
            macros(b'E', &[("i", "4QX1")]),
            Command::EndOfMessage(Vec::new()),
        ]
    }

    fn bytes(commands: &[Command]) -> Vec<u8> {
        commands.iter().flat_map(Command::encode).collect()
    }

    /// Reads the next response packet.
    async fn next(client: &mut DuplexStream) -> Option<Response> {
        let mut len = [0u8; 4];
        client.read_exact(&mut len).await.ok()?;
        let mut packet = vec![0; u32::from_be_bytes(len) as usize];
        client.read_exact(&mut packet).await.ok()?;
        Some(Response::decode(&packet).unwrap())
    }

    /// Runs a session over an in-memory stream: writes `input` and QUIT,
    /// returns every response and how the session ended.
    async fn talk(
        handler: Arc<Fixed>,
        config: MilterConfig,
        input: Vec<Command>,
    ) -> (Vec<Response>, Result<(), MilterError>) {
        let (client, server) = tokio::io::duplex(1 << 20);
        let h: Arc<dyn MilterHandler> = handler;
        let task = tokio::spawn(async move { serve_connection(server, &config, h).await });
        let (mut read, mut write) = tokio::io::split(client);
        let mut input = bytes(&input);
        input.extend(Command::Quit.encode());
        // The server may stop reading early (errors): ignore broken pipes.
        let _ = write.write_all(&input).await;
        let ended = task.await.unwrap();
        let mut out = Vec::new();
        read.read_to_end(&mut out).await.unwrap();
        let mut replies = Vec::new();
        let mut rest = out.as_slice();
        while rest.len() >= 4 {
            let len = u32::from_be_bytes(rest[..4].try_into().unwrap()) as usize;
            replies.push(Response::decode(&rest[4..4 + len]).unwrap());
            rest = &rest[4 + len..];
        }
        (replies, ended)
    }

    #[tokio::test]
    async fn a_whole_session_with_two_messages() {
        let handler = Fixed::new(MilterDecision::AddHeaders(vec![
            ("X-Zegel-Verdict".into(), "secure".into()),
            ("Bad Name:".into(), "x\r\nBcc: y".into()),
        ]));
        let mut input = vec![optneg(0x1f_ffff)];
        input.extend(connect());
        input.extend(message("a@zorg.nl", "Hallo", b"Tekst\r\n"));
        input.push(Command::Abort);
        input.extend(message("d@zorg.nl", " Tweede", b"Meer\r\n"));
        let (replies, ended) = talk(handler.clone(), config(10_000), input).await;
        ended.unwrap();

        // Negotiation: the actions and steps we use, the macros we want.
        assert_eq!(
            replies[0],
            Response::OptNeg {
                version: 6,
                actions: 0x131,
                protocol: 0x10_0300,
                macros: vec![
                    (0, "{client_addr}".into()),
                    (2, "i {auth_authen}".into()),
                    (6, "i".into()),
                    (5, "i".into()),
                ],
            }
        );
        // Every step answered; each message ends with our headers.
        let added = Response::AddHeader {
            name: "X-Zegel-Verdict".into(),
            value: " secure".into(),
        };
        let sanitised = Response::AddHeader {
            name: "BadName".into(),
            value: " x Bcc: y".into(),
        };
        let one = [
            vec![Response::Continue; 7],
            vec![added, sanitised, Response::Continue],
        ]
        .concat();
        assert_eq!(replies[1..3], [Response::Continue, Response::Continue]);
        assert_eq!(replies[3..13], one[..]);
        assert_eq!(replies[13..], one[..]);

        let seen = handler.seen();
        assert_eq!(seen.len(), 2, "two messages on one connection");
        let first = &seen[0];
        assert_eq!(first.mail_from, "a@zorg.nl");
        assert_eq!(first.rcpt_to, ["b@example.com", "c@zorg.nl"]);
        assert_eq!(first.client_ip, Some("127.0.0.1".parse().unwrap()));
        assert_eq!(first.helo.as_deref(), Some("client.test"));
        assert_eq!(first.authenticated_user.as_deref(), Some("jan"));
        assert_eq!(first.queue_id.as_deref(), Some("4QX1"));
        // Leading space negotiated: header bytes exactly as sent.
        assert_eq!(
            first.raw,
            b"Subject:Hallo\r\nTo:b@example.com,\r\n\tc@zorg.nl\r\n\r\nTekst\r\n"
        );
        assert_eq!(seen[1].mail_from, "d@zorg.nl");
        assert_eq!(seen[1].helo.as_deref(), Some("client.test"), "kept");
        assert!(seen[1].raw.starts_with(b"Subject: Tweede\r\n"));
        assert!(seen[1].raw.ends_with(b"\r\n\r\nMeer\r\n"));
    }

    #[tokio::test]
    async fn without_options_headers_get_a_space_and_defaults_hold() {
        let handler = Fixed::new(MilterDecision::AddHeaders(vec![(
            "X-Zegel-Verdict".into(),
            "normal".into(),
        )]));
        let mut input = vec![Command::OptNeg {
            version: 6,
            actions: 0x1,
            protocol: 0,
        }];
        input.extend(connect());
        input.extend(message("a@zorg.nl", "Hallo", b"x\r\n"));
        let (replies, _) = talk(handler.clone(), config(10_000), input).await;
        assert_eq!(
            replies[0],
            Response::OptNeg {
                version: 6,
                actions: 1,
                protocol: 0,
                macros: vec![]
            }
        );
        assert!(replies.contains(&Response::AddHeader {
            name: "X-Zegel-Verdict".into(),
            value: "normal".into()
        }));
        assert!(handler.seen()[0]
            .raw
            .starts_with(b"Subject: Hallo\r\nTo: b@"));
    }

    #[tokio::test]
    async fn modify_changes_then_adds_headers() {
        let handler = Fixed::new(MilterDecision::Modify {
            change: vec![("Subject".into(), 1, "[EXTERN] Hallo\r\nBcc: x@y".into())],
            add: vec![("X-Zegel-Impersonation".into(), "look-alike".into())],
        });
        let mut input = vec![Command::OptNeg {
            version: 6,
            actions: 0x1 | 0x10,
            protocol: 0,
        }];
        input.extend(connect());
        input.extend(message("a@zorg.nl", "Hallo", b"x\r\n"));
        let (replies, _) = talk(handler, config(10_000), input).await;
        let change = replies
            .iter()
            .position(|r| {
                *r == Response::ChangeHeader {
                    index: 1,
                    name: "Subject".into(),
                    value: "[EXTERN] Hallo Bcc: x@y".into(),
                }
            })
            .expect("the subject changed, with no injected line");
        let add = replies
            .iter()
            .position(|r| {
                *r == Response::AddHeader {
                    name: "X-Zegel-Impersonation".into(),
                    value: "look-alike".into(),
                }
            })
            .expect("the header added");
        assert!(change < add);
    }

    #[tokio::test]
    async fn quarantine_adds_headers_then_holds_with_a_clean_reason() {
        let handler = Fixed::new(MilterDecision::Quarantine {
            reason: "DMARC fail\r\nof spoof.test".into(),
            change: Vec::new(),
            add: vec![("Authentication-Results".into(), "zegel; dmarc=fail".into())],
        });
        let mut input = vec![Command::OptNeg {
            version: 6,
            actions: 0x1 | 0x10 | 0x20,
            protocol: 0,
        }];
        input.extend(connect());
        input.extend(message("a@spoof.test", "Hallo", b"x\r\n"));
        let (replies, _) = talk(handler, config(10_000), input).await;
        let Response::OptNeg { actions, .. } = &replies[0] else {
            panic!("negotiation first: {replies:?}");
        };
        assert_ne!(actions & 0x20, 0, "quarantine negotiated");
        let tail = &replies[replies.len() - 3..];
        assert_eq!(
            tail,
            [
                Response::AddHeader {
                    name: "Authentication-Results".into(),
                    value: "zegel; dmarc=fail".into(),
                },
                Response::Quarantine("DMARC fail  of spoof.test".into()),
                Response::Continue,
            ]
        );
        assert_eq!(
            Response::decode(&Response::quarantine("").encode()[4..]).unwrap(),
            Response::Quarantine("held by zegel".into())
        );
    }

    #[tokio::test]
    async fn decisions_become_final_answers() {
        let cases = [
            (MilterDecision::Accept, Response::Accept),
            (MilterDecision::Continue, Response::Continue),
            (
                MilterDecision::Reject {
                    code: 550,
                    text: "5.7.1 Geweigerd: bevat een BSN\nRefused: contains a BSN".into(),
                },
                Response::ReplyCode(
                    "550-5.7.1 Geweigerd: bevat een BSN\r\n550 5.7.1 Refused: contains a BSN"
                        .into(),
                ),
            ),
            (
                MilterDecision::Reject {
                    code: 200,
                    text: "nee".into(),
                },
                Response::ReplyCode("550 5.7.1 nee".into()),
            ),
            (
                MilterDecision::Tempfail {
                    text: "later".into(),
                },
                Response::ReplyCode("451 4.7.1 later".into()),
            ),
        ];
        for (decision, last) in cases {
            let mut input = connect();
            input.extend(message("a@zorg.nl", "s", b"x\r\n"));
            let (replies, ended) = talk(Fixed::new(decision), config(10_000), input).await;
            ended.unwrap();
            assert_eq!(replies.last(), Some(&last));
        }
    }

    #[tokio::test]
    async fn a_bare_cr_or_lf_is_refused_before_the_handler() {
        // What Postfix passes on when it does not treat a bare CR as a line
        // end (`\r.\r`: SMTP smuggling towards a next hop that does).
        for body in [
            b"Hallo\r.\rMAIL FROM:<ceo@zorg.nl>\r\n".as_slice(),
            b"Hallo\n.\nMAIL FROM:<ceo@zorg.nl>\r\n",
            b"Hallo\r\n.\rMAIL FROM:<ceo@zorg.nl>\r\n",
        ] {
            let handler = Fixed::new(MilterDecision::Accept);
            let mut input = connect();
            input.extend(message("a@zorg.nl", "s", body));
            input.extend(message("b@zorg.nl", "s", b"clean\r\n"));
            let (replies, ended) = talk(handler.clone(), config(10_000), input).await;
            ended.unwrap();
            let refusal = replies
                .iter()
                .find(|r| matches!(r, Response::ReplyCode(_)))
                .unwrap_or_else(|| panic!("no refusal: {replies:?}"));
            let Response::ReplyCode(text) = refusal else {
                unreachable!()
            };
            assert!(text.starts_with("554 5.6.0 "), "{text}");
            assert_eq!(replies.last(), Some(&Response::Accept), "session goes on");
            let seen = handler.seen();
            assert_eq!(seen.len(), 1, "the refused one is not assessed");
            assert_eq!(seen[0].mail_from, "b@zorg.nl");
        }
        // A bare CR in a header value as well.
        let handler = Fixed::new(MilterDecision::Accept);
        let mut input = connect();
        input.extend(message("a@zorg.nl", "s\r.\rx", b"x\r\n"));
        let (replies, _) = talk(handler.clone(), config(10_000), input).await;
        assert!(
            matches!(replies.last(), Some(Response::ReplyCode(t)) if t.starts_with("554 5.6.0 ")),
            "{replies:?}"
        );
        assert!(handler.seen().is_empty());
    }

    #[tokio::test]
    async fn a_panicking_handler_means_try_again_later() {
        let mut input = connect();
        input.extend(message("panic@zorg.nl", "s", b"x\r\n"));
        input.extend(message("a@zorg.nl", "s", b"x\r\n"));
        let (replies, ended) =
            talk(Fixed::new(MilterDecision::Accept), config(10_000), input).await;
        ended.unwrap();
        assert!(replies.contains(&Response::ReplyCode(
            "451 4.3.0 Assessment failed, try again later".into()
        )));
        assert_eq!(replies.last(), Some(&Response::Accept), "session goes on");
    }

    #[tokio::test]
    async fn an_oversized_message_gets_the_refusal_at_once() {
        let handler = Fixed::new(MilterDecision::Accept);
        let mut input = connect();
        let mut big = message("a@zorg.nl", "groot", &[b'x'; 2000]);
        // Postfix stops after a final answer and aborts the message.
        big.truncate(big.len() - 2);
        input.extend(big);
        input.push(Command::Abort);
        input.extend(message("b@zorg.nl", "klein", b"x\r\n"));
        let (replies, ended) = talk(handler.clone(), config(1000), input).await;
        ended.unwrap();
        let refusal = Response::ReplyCode(
            "452-4.3.4 Bericht te groot om te beoordelen\r\n452 4.3.4 Message too big to assess"
                .into(),
        );
        // Connect, HELO, MAIL, 2 RCPT, 2 headers, EOH: continue; body: refused.
        assert_eq!(replies[..8], vec![Response::Continue; 8]);
        assert_eq!(replies[8], refusal);
        assert_eq!(replies.last(), Some(&Response::Accept));
        let seen = handler.seen();
        assert_eq!(seen.len(), 1, "the big one is not assessed");
        assert_eq!(seen[0].mail_from, "b@zorg.nl");
    }

    #[tokio::test]
    async fn an_oversized_answer_that_continues_waits_for_the_end() {
        let handler = Arc::new(Fixed {
            decision: MilterDecision::Accept,
            oversized: Some(MilterDecision::AddHeaders(vec![(
                "X-Zegel-Verdict".into(),
                "unknown (too big)".into(),
            )])),
            seen: Mutex::default(),
        });
        let mut input = connect();
        input.extend(message("a@zorg.nl", "groot", &[b'x'; 2000]));
        let (replies, _) = talk(handler.clone(), config(1000), input).await;
        assert_eq!(
            replies[replies.len() - 2..],
            [
                Response::AddHeader {
                    name: "X-Zegel-Verdict".into(),
                    value: "unknown (too big)".into()
                },
                Response::Continue
            ]
        );
        assert!(handler.seen().is_empty());
    }

    #[tokio::test]
    async fn quit_new_connection_forgets_the_connection() {
        let handler = Fixed::new(MilterDecision::Accept);
        let mut input = connect();
        input.push(Command::QuitNewConnection);
        input.extend(message("a@zorg.nl", "s", b"x\r\n"));
        let (_, ended) = talk(handler.clone(), config(1000), input).await;
        ended.unwrap();
        let seen = handler.seen();
        assert_eq!(seen[0].client_ip, None);
        assert_eq!(seen[0].helo, None);
    }

    #[tokio::test]
    async fn bad_input_ends_the_session_with_an_error() {
        let config = config(100);
        for input in [
            vec![0xff, 0xff, 0xff, 0xff, 1, 2, 3],
            vec![0, 0, 0, 1, b'z'],
            vec![0, 0, 0, 3, b'C', b'x', 0],
            vec![0, 0, 0, 9, b'B'],
        ] {
            let handler: Arc<dyn MilterHandler> = Fixed::new(MilterDecision::Accept);
            let stream = tokio::io::join(&input[..], tokio::io::sink());
            assert!(serve_connection(stream, &config, handler).await.is_err());
        }
        // Closing between packets is a normal end.
        let handler: Arc<dyn MilterHandler> = Fixed::new(MilterDecision::Accept);
        let stream = tokio::io::join(&b""[..], tokio::io::sink());
        assert!(serve_connection(stream, &config, handler).await.is_ok());
    }

    #[tokio::test]
    async fn a_silent_peer_times_out() {
        let (_client, server) = tokio::io::duplex(64);
        let config = MilterConfig {
            max_message_bytes: 100,
            read_timeout: Duration::from_millis(20),
        };
        let handler: Arc<dyn MilterHandler> = Fixed::new(MilterDecision::Accept);
        assert!(matches!(
            serve_connection(server, &config, handler).await,
            Err(MilterError::Timeout(_))
        ));
    }

    #[tokio::test]
    async fn a_huge_envelope_is_refused() {
        let mut input = connect();
        input.push(Command::Mail(vec!["<a@zorg.nl>".into()]));
        input.extend(std::iter::repeat_n(
            Command::Rcpt(vec!["<>".into()]),
            70_000,
        ));
        let (_, ended) = talk(Fixed::new(MilterDecision::Accept), config(100), input).await;
        assert!(matches!(ended, Err(MilterError::EnvelopeTooLarge(_))));
    }

    /// Blocks in `decide` until released, to see PROGRESS meanwhile.
    struct Slow(Mutex<std::sync::mpsc::Receiver<()>>);

    impl MilterHandler for Slow {
        fn decide(&self, _: &MilterMessage) -> MilterDecision {
            let _ = self.0.lock().unwrap().recv();
            MilterDecision::Accept
        }
    }

    #[tokio::test]
    async fn a_slow_handler_sends_progress() {
        let (release, wait) = std::sync::mpsc::channel();
        let handler: Arc<dyn MilterHandler> = Arc::new(Slow(Mutex::new(wait)));
        let (mut client, server) = tokio::io::duplex(1 << 16);
        let config = MilterConfig {
            max_message_bytes: 1000,
            read_timeout: Duration::from_millis(40),
        };
        let task = tokio::spawn(async move { serve_connection(server, &config, handler).await });
        let mut input = connect();
        input.extend(message("a@zorg.nl", "s", b"x\r\n"));
        client.write_all(&bytes(&input)).await.unwrap();
        loop {
            match next(&mut client).await.unwrap() {
                Response::Continue => continue,
                Response::Progress => break,
                other => panic!("{other:?}"),
            }
        }
        release.send(()).unwrap();
        while let Some(r) = next(&mut client).await {
            if r != Response::Progress {
                assert_eq!(r, Response::Accept);
                break;
            }
        }
        // Quit (or the short read timeout) ends it.
        let _ = client.write_all(&Command::Quit.encode()).await;
        let _ = task.await.unwrap();
    }

    #[test]
    fn addresses_and_brackets() {
        assert_eq!(strip_brackets("<a@b>"), "a@b");
        assert_eq!(strip_brackets("<>"), "");
        assert_eq!(strip_brackets("a@b"), "a@b");
        assert_eq!(parse_ip("IPv6:::1"), Some("::1".parse().unwrap()));
        assert_eq!(parse_ip("[10.0.0.1]"), Some("10.0.0.1".parse().unwrap()));
        assert_eq!(parse_ip("/var/run/x"), None);
    }
}
