//! The ESMTP server: accepts connections, runs a [`Session`] per connection
//! over plain TCP and, after STARTTLS, over TLS; reads with limits and
//! timeouts; hands complete messages to the [`Backend`].

use crate::data::DataReader;
use crate::reply::Reply;
use crate::session::{Action, AuthOutcome, DataNext, Envelope, Session, SessionConfig};
use ipnet::IpNet;
use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// What the server asks of the rest of zegel.
pub trait Backend: Send + Sync + 'static {
    /// Checks `user` / `password` from a client at `client_ip`; may refuse
    /// for now (too many failures, too many checks at once).
    fn authenticate(
        &self,
        user: &str,
        password: &str,
        client_ip: IpAddr,
    ) -> impl Future<Output = AuthOutcome> + Send;
    /// Whether an account that authenticated earlier in the session may
    /// still send (asked at every MAIL FROM).
    fn account_active(&self, user: &str) -> impl Future<Output = bool> + Send;
    /// Take the message: answer 250 only once it is durably stored.
    fn submit(&self, envelope: Envelope, data: Vec<u8>) -> impl Future<Output = Reply> + Send;
}

/// The server's settings.
#[derive(Clone)]
pub struct ServerConfig {
    /// Per-session limits and names.
    pub session: SessionConfig,
    /// Client networks that may relay without AUTH.
    pub relay_networks: Vec<IpNet>,
    /// The TLS configuration for STARTTLS; `None` offers no TLS.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Longest wait for a command line.
    pub command_timeout: Duration,
    /// Longest wait for the whole message after DATA.
    pub data_timeout: Duration,
    /// Longest command line, CRLF included.
    pub max_command_line: usize,
    /// Longest line in the message data, CRLF included.
    pub max_data_line: usize,
    /// Most connections served at once; more get 421.
    pub max_connections: usize,
    /// Most connections from one client address at once (relay networks
    /// excepted); more get 421.
    pub max_connections_per_address: usize,
}

impl ServerConfig {
    /// Whether `ip` lies in a relay network.
    pub fn is_relay_network(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.relay_networks.iter().any(|n| n.contains(&ip))
    }
}

/// IPv4-mapped IPv6 addresses count as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// Serves SMTP on `listener` until `shutdown` resolves; sessions in flight
/// finish on their own.
pub async fn serve<B: Backend>(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    backend: Arc<B>,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(config.max_connections));
    let per_address = crate::listen::PerAddress::new(config.max_connections_per_address);
    crate::listen::accept_until(listener, "smtp", shutdown, move |stream, peer| {
        let config = config.clone();
        let backend = backend.clone();
        let ip = canonical(peer.ip());
        let slot = slots.clone().try_acquire_owned();
        let own_slot = if config.is_relay_network(ip) {
            Some(None)
        } else {
            per_address.enter(ip).map(Some)
        };
        tokio::spawn(async move {
            let mut stream = stream;
            let (Ok(_slot), Some(_own_slot)) = (slot, own_slot) else {
                let busy = Reply::new(421, "4.7.0", "Too many connections, try again later");
                let _ = stream.write_all(busy.to_string().as_bytes()).await;
                return;
            };
            let session = Session::new(config.session.clone(), ip, config.is_relay_network(ip));
            if let Err(e) = run_connection(stream, session, &config, &*backend).await {
                tracing::debug!(peer = %peer, error = %e, "smtp session ended with an error");
            }
        });
    })
    .await
}

/// Runs one connection: plain first, then TLS if the client asks.
async fn run_connection<B: Backend>(
    stream: tokio::net::TcpStream,
    mut session: Session,
    config: &ServerConfig,
    backend: &B,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    write_reply(&mut reader, &session.greeting()).await?;
    match run_phase(&mut reader, &mut session, config, backend).await? {
        Next::Done => Ok(()),
        Next::StartTls => {
            let Some(tls) = &config.tls else {
                return Ok(());
            };
            // Bytes sent after STARTTLS but before the handshake are dropped
            // (CVE-2011-0411 style command injection).
            let stream = reader.into_inner();
            let acceptor = tokio_rustls::TlsAcceptor::from(tls.clone());
            let tls_stream = tokio::time::timeout(config.command_timeout, acceptor.accept(stream))
                .await
                .map_err(|_| timeout_error())??;
            session.tls_started();
            let mut reader = BufReader::new(tls_stream);
            run_phase(&mut reader, &mut session, config, backend).await?;
            Ok(())
        }
    }
}

enum Next {
    Done,
    StartTls,
}

async fn run_phase<S, B>(
    reader: &mut BufReader<S>,
    session: &mut Session,
    config: &ServerConfig,
    backend: &B,
) -> std::io::Result<Next>
where
    S: AsyncRead + AsyncWrite + Unpin,
    B: Backend,
{
    let mut line = Vec::new();
    loop {
        let read = tokio::time::timeout(
            config.command_timeout,
            read_line(reader, &mut line, config.max_command_line),
        )
        .await;
        let action = match read {
            Err(_) => {
                let bye = Reply::new(421, "4.4.2", "Timeout, closing connection");
                let _ = write_reply(reader, &bye).await;
                return Ok(Next::Done);
            }
            Ok(Err(e)) => return Err(e),
            Ok(Ok(LineRead::Eof)) => return Ok(Next::Done),
            Ok(Ok(LineRead::TooLong { .. })) => session.line_too_long(),
            Ok(Ok(LineRead::Line)) => session.command(&line),
        };
        match action {
            Action::Reply(r) => write_reply(reader, &r).await?,
            Action::Close(r) => {
                write_reply(reader, &r).await?;
                return Ok(Next::Done);
            }
            Action::StartTls(r) => {
                write_reply(reader, &r).await?;
                return Ok(Next::StartTls);
            }
            Action::Authenticate { user, password } => {
                let outcome = backend
                    .authenticate(&user, &password, session.client_ip())
                    .await;
                if outcome != AuthOutcome::Accepted {
                    tracing::info!(user = %user, outcome = ?outcome, "smtp authentication refused");
                }
                if write_answer(reader, session.auth_result(outcome)).await? {
                    return Ok(Next::Done);
                }
            }
            Action::CheckAccount { user } => {
                let active = backend.account_active(&user).await;
                if !active {
                    tracing::info!(user = %user, "disabled account tried to send; authentication dropped");
                }
                if write_answer(reader, session.account_checked(active)).await? {
                    return Ok(Next::Done);
                }
            }
            Action::ReadData(r) => {
                write_reply(reader, &r).await?;
                let outcome = tokio::time::timeout(
                    config.data_timeout,
                    read_data(reader, session.max_message_bytes(), config.max_data_line),
                )
                .await;
                let outcome = match outcome {
                    Err(_) => {
                        let bye = Reply::new(421, "4.4.2", "Timeout during DATA, closing");
                        let _ = write_reply(reader, &bye).await;
                        return Ok(Next::Done);
                    }
                    Ok(Err(e)) => return Err(e),
                    // The client went away mid-message: nothing is stored.
                    Ok(Ok(None)) => return Ok(Next::Done),
                    Ok(Ok(Some(o))) => o,
                };
                let reply = match session.data_done(outcome) {
                    DataNext::Reply(r) => r,
                    DataNext::Submit(envelope, data) => backend.submit(envelope, data).await,
                };
                write_reply(reader, &reply).await?;
            }
        }
    }
}

/// Writes the reply of a check's answer; true when the session closes.
async fn write_answer<S: AsyncRead + AsyncWrite + Unpin>(
    reader: &mut BufReader<S>,
    answer: Action,
) -> std::io::Result<bool> {
    match answer {
        Action::Close(r) => {
            write_reply(reader, &r).await?;
            Ok(true)
        }
        Action::Reply(r) => {
            write_reply(reader, &r).await?;
            Ok(false)
        }
        // A check answers with a reply or a close, nothing else.
        _ => Ok(false),
    }
}

async fn write_reply<S: AsyncRead + AsyncWrite + Unpin>(
    reader: &mut BufReader<S>,
    reply: &Reply,
) -> std::io::Result<()> {
    let stream = reader.get_mut();
    stream.write_all(reply.to_string().as_bytes()).await?;
    stream.flush().await
}

/// How reading one line ended.
#[derive(Debug, PartialEq, Eq)]
pub enum LineRead {
    /// `buf` holds a line with its LF (or the stream's last bytes).
    Line,
    /// The line exceeded the limit; it was read up to its LF and dropped.
    TooLong {
        /// The dropped line ended in CR LF (not a bare LF, nor no LF at
        /// the end of the stream).
        crlf: bool,
    },
    /// The stream ended before any byte.
    Eof,
}

/// Reads one line of at most `limit` bytes into `buf` (cleared first).
pub async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    limit: usize,
) -> std::io::Result<LineRead> {
    buf.clear();
    let mut too_long = false;
    // The last byte read, kept when a too-long line is dropped: whether its
    // LF came after a CR (the two may arrive in different reads).
    let mut last = None;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(match (too_long, buf.is_empty()) {
                (true, _) => LineRead::TooLong { crlf: false },
                (false, true) => LineRead::Eof,
                (false, false) => LineRead::Line,
            });
        }
        let (chunk, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        let used = chunk.len();
        let crlf =
            done && chunk.len().checked_sub(2).map_or(last, |i| Some(chunk[i])) == Some(b'\r');
        last = chunk.last().copied();
        if !too_long {
            if buf.len() + used > limit {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        reader.consume(used);
        if done {
            return Ok(if too_long {
                LineRead::TooLong { crlf }
            } else {
                LineRead::Line
            });
        }
    }
}

/// Reads the message after 354; `None` when the client left mid-message.
async fn read_data<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    max_bytes: usize,
    max_line: usize,
) -> std::io::Result<Option<crate::session::DataOutcome>> {
    let mut data = DataReader::new(max_bytes);
    let mut line = Vec::new();
    loop {
        match read_line(reader, &mut line, max_line).await? {
            LineRead::Eof => return Ok(None),
            LineRead::TooLong { crlf } => data.line_too_long(crlf),
            LineRead::Line => {
                if !line.ends_with(b"\n") {
                    return Ok(None);
                }
                if let Some(outcome) = data.line(&line) {
                    return Ok(Some(outcome));
                }
            }
        }
    }
}

fn timeout_error() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::TimedOut, "timeout")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn read_line_bounds_and_ends() {
        let input: &[u8] = b"short\r\nthis line is far too long\r\nok\r\ntail";
        let mut r = BufReader::with_capacity(4, input);
        let mut buf = Vec::new();
        assert_eq!(
            read_line(&mut r, &mut buf, 10).await.unwrap(),
            LineRead::Line
        );
        assert_eq!(buf, b"short\r\n");
        assert_eq!(
            read_line(&mut r, &mut buf, 10).await.unwrap(),
            LineRead::TooLong { crlf: true }
        );
        assert_eq!(
            read_line(&mut r, &mut buf, 10).await.unwrap(),
            LineRead::Line
        );
        assert_eq!(buf, b"ok\r\n");
        assert_eq!(
            read_line(&mut r, &mut buf, 10).await.unwrap(),
            LineRead::Line
        );
        assert_eq!(buf, b"tail");
        assert_eq!(
            read_line(&mut r, &mut buf, 10).await.unwrap(),
            LineRead::Eof
        );
    }

    #[tokio::test]
    async fn read_line_tells_how_a_dropped_line_ended() {
        // Read four bytes at a time: the CR and LF of the second line
        // arrive in different reads.
        let input: &[u8] = b"0123456789\nabcdefg\r\n";
        let mut r = BufReader::with_capacity(4, input);
        let mut buf = Vec::new();
        assert_eq!(
            read_line(&mut r, &mut buf, 5).await.unwrap(),
            LineRead::TooLong { crlf: false }
        );
        assert_eq!(
            read_line(&mut r, &mut buf, 5).await.unwrap(),
            LineRead::TooLong { crlf: true }
        );
    }

    /// Takes every password; records what it was handed.
    #[derive(Default)]
    struct Recording {
        submitted: std::sync::Mutex<Vec<(Envelope, Vec<u8>)>>,
    }

    impl Backend for Recording {
        async fn authenticate(&self, _user: &str, _password: &str, _ip: IpAddr) -> AuthOutcome {
            AuthOutcome::Accepted
        }

        async fn account_active(&self, _user: &str) -> bool {
            true
        }

        async fn submit(&self, envelope: Envelope, data: Vec<u8>) -> Reply {
            self.submitted.lock().unwrap().push((envelope, data));
            Reply::new(250, "2.0.0", "Queued")
        }
    }

    /// The three ways mail comes in over SMTP.
    #[derive(Debug, Clone, Copy)]
    enum Mode {
        /// From a relay network, no AUTH.
        Relay,
        /// After STARTTLS and AUTH, from anywhere.
        Submission,
        /// From outside, for an inbound domain.
        Inbound,
    }

    fn test_config(inbound: bool) -> ServerConfig {
        ServerConfig {
            session: SessionConfig {
                hostname: "zegel.test".into(),
                max_message_bytes: 100_000,
                max_recipients: 10,
                max_commands: 100,
                max_errors: 10,
                tls_available: true,
                unusual_addresses: false,
                inbound: inbound.then(|| {
                    Arc::new(crate::session::DomainList::new(["zorg.nl"]))
                        as Arc<dyn crate::session::InboundDomains>
                }),
            },
            relay_networks: vec!["127.0.0.0/8".parse().unwrap()],
            tls: None,
            command_timeout: Duration::from_secs(10),
            data_timeout: Duration::from_secs(10),
            max_command_line: 512,
            max_data_line: 1000,
            max_connections: 1,
            max_connections_per_address: 1,
        }
    }

    /// Runs one session of `mode` over an in-memory stream: the commands
    /// that open a transaction, then `data` after 354, all sent at once
    /// (pipelined, as a smuggler does). Returns the reply codes the client
    /// got and what reached the backend.
    async fn session_with_data(mode: Mode, data: &[u8]) -> (Vec<u16>, Vec<(Envelope, Vec<u8>)>) {
        let config = test_config(matches!(mode, Mode::Inbound));
        let (ip, trusted) = match mode {
            Mode::Relay => ("127.0.0.1", true),
            Mode::Submission | Mode::Inbound => ("192.0.2.9", false),
        };
        let mut session = Session::new(config.session.clone(), ip.parse().unwrap(), trusted);
        let mut input = b"EHLO client.test\r\n".to_vec();
        if let Mode::Submission = mode {
            // STARTTLS is the server's job, not this test's: the session
            // is told TLS runs.
            session.tls_started();
            input.extend_from_slice(b"AUTH PLAIN AGphbkB6b3JnLm5sAHNlY3JldA==\r\n");
        }
        let from = match mode {
            Mode::Inbound => "jan@example.com",
            _ => "jan@zorg.nl",
        };
        input.extend_from_slice(
            format!("MAIL FROM:<{from}>\r\nRCPT TO:<piet@zorg.nl>\r\nDATA\r\n").as_bytes(),
        );
        input.extend_from_slice(data);
        input.extend_from_slice(b"QUIT\r\n");
        let (mut client, server) = tokio::io::duplex(1 << 20);
        let backend = Recording::default();
        let serve = async {
            let mut reader = BufReader::new(server);
            let next = run_phase(&mut reader, &mut session, &config, &backend).await;
            assert!(matches!(next, Ok(Next::Done)));
        };
        let talk = async {
            client.write_all(&input).await.unwrap();
            client.shutdown().await.unwrap();
            let mut out = Vec::new();
            tokio::io::AsyncReadExt::read_to_end(&mut client, &mut out)
                .await
                .unwrap();
            out
        };
        let ((), out) = tokio::join!(serve, talk);
        let codes = String::from_utf8(out)
            .unwrap()
            .lines()
            .filter(|l| l.as_bytes().get(3) == Some(&b' '))
            .map(|l| l[..3].parse().unwrap())
            .collect();
        let submitted = std::mem::take(&mut *backend.submitted.lock().unwrap());
        (codes, submitted)
    }

    /// The codes up to 354 in `mode`.
    fn opening(mode: Mode) -> Vec<u16> {
        match mode {
            Mode::Submission => vec![250, 235, 250, 250, 354],
            Mode::Relay | Mode::Inbound => vec![250, 250, 250, 354],
        }
    }

    /// A second message written as commands after a fake end marker: the
    /// envelope each mode would take, "the CEO" to finance.
    fn smuggled(mode: Mode) -> Vec<u8> {
        let from = match mode {
            Mode::Submission => "jan@zorg.nl",
            _ => "ceo@zorg.nl",
        };
        format!(
            "MAIL FROM:<{from}>\r\nRCPT TO:<finance@zorg.nl>\r\nDATA\r\n\
             From: CEO <ceo@zorg.nl>\r\nTo: finance@zorg.nl\r\nSubject: Urgent payment\r\n\r\n\
             Pay invoice 42 today.\r\n.\r\n"
        )
        .into_bytes()
    }

    const MODES: [Mode; 3] = [Mode::Relay, Mode::Submission, Mode::Inbound];

    #[tokio::test]
    async fn a_clean_message_reaches_the_backend_in_every_mode() {
        for mode in MODES {
            let (codes, submitted) =
                session_with_data(mode, b"Subject: hi\r\n\r\nHello\r\n.\r\n").await;
            let mut want = opening(mode);
            want.extend([250, 221]);
            assert_eq!(codes, want, "{mode:?}");
            assert_eq!(submitted.len(), 1, "{mode:?}");
            assert_eq!(submitted[0].1, b"Subject: hi\r\n\r\nHello\r\n");
        }
    }

    #[tokio::test]
    async fn a_smuggled_message_is_never_run_as_commands_in_any_mode() {
        for mode in MODES {
            for fake in crate::data::tests::SMUGGLING_ENDS {
                let mut data = b"From: jan@zorg.nl\r\nSubject: hi\r\n\r\nHello".to_vec();
                data.extend_from_slice(fake);
                data.extend_from_slice(&smuggled(mode));
                let (codes, submitted) = session_with_data(mode, &data).await;
                let shown = String::from_utf8_lossy(fake).escape_debug().to_string();
                let mut want = opening(mode);
                want.extend([554, 221]);
                assert_eq!(codes, want, "{mode:?} {shown}: one refusal, then QUIT");
                assert!(submitted.is_empty(), "{mode:?} {shown}: {submitted:?}");
            }
        }
    }

    #[tokio::test]
    async fn a_fake_end_marker_after_a_too_long_line_is_no_end() {
        for mode in MODES {
            let mut data = b"Subject: hi\r\n\r\n".to_vec();
            data.extend_from_slice(&[b'x'; 1500]);
            data.extend_from_slice(b"\n.\r\n");
            data.extend_from_slice(&smuggled(mode));
            let (codes, submitted) = session_with_data(mode, &data).await;
            let mut want = opening(mode);
            want.extend([500, 221]);
            assert_eq!(codes, want, "{mode:?}");
            assert!(submitted.is_empty(), "{mode:?}: {submitted:?}");
        }
    }

    #[test]
    fn relay_networks_match_mapped_addresses() {
        let config = ServerConfig {
            session: SessionConfig {
                hostname: "h".into(),
                max_message_bytes: 1,
                max_recipients: 1,
                max_commands: 1,
                max_errors: 1,
                tls_available: false,
                unusual_addresses: false,
                inbound: None,
            },
            relay_networks: vec!["10.0.0.0/8".parse().unwrap()],
            tls: None,
            command_timeout: Duration::from_secs(1),
            data_timeout: Duration::from_secs(1),
            max_command_line: 10,
            max_data_line: 10,
            max_connections: 1,
            max_connections_per_address: 1,
        };
        assert!(config.is_relay_network("10.1.2.3".parse().unwrap()));
        assert!(config.is_relay_network("::ffff:10.1.2.3".parse().unwrap()));
        assert!(!config.is_relay_network("127.0.0.1".parse().unwrap()));
    }
}
